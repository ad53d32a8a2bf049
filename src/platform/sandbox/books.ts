import { createHash, randomBytes, randomInt } from 'node:crypto'
import { canonicalJson } from '../../shared/canonical-json'
import type { Currency } from '../../shared/money'
import type { Wallet } from '../../shared/payments'
import { SANDBOX_SCENARIOS } from '../../shared/platform-api'
import type { Queryable } from '../db'
import { paymentFeeWith, refundedFee, type FeeRounding } from '../payments/fees'

/**
 * The sandbox wallets' books: one row per trade in sandbox_trades (and its refunds), in the
 * platform's database so a restart keeps them. Both sandbox wallets share this state machine; each
 * wallet module (alipay.ts, wechat.ts) words it with its own codes.
 *
 * Internal status: unscanned (a merchant QR nobody opened) → waiting (opened, not paid) → paying
 * (the customer is entering a password) → paid | declined | closed; paid → reversed (cancelled
 * after paying). A paid trade with refunds stays `paid`; refunded == amount means fully refunded.
 */

export type SandboxScenario = (typeof SANDBOX_SCENARIOS)[number]
export type TradeStatus = 'unscanned' | 'waiting' | 'paying' | 'paid' | 'declined' | 'closed' | 'reversed'

/** The last two digits (minor units mod 100, or of the customer's code) that pick a scenario. */
export const SCENARIO_BY_SUFFIX: Readonly<Record<string, SandboxScenario>> = {
  '91': 'decline',
  '92': 'user_paying_then_success',
  '93': 'user_paying_forever',
  '94': 'system_error_then_success',
  '95': 'timeout_then_success',
}

/** user_paying_then_success: the query that finds the trade paid. */
export const PAID_ON_QUERY = 3

/** The scenario the amount and the customer's code pick (an admin override is applied before this). */
export function scenarioFor(amount: number, authCode?: string): SandboxScenario {
  const byCode = authCode ? SCENARIO_BY_SUFFIX[authCode.slice(-2)] : undefined
  return byCode ?? SCENARIO_BY_SUFFIX[String(amount % 100).padStart(2, '0')] ?? 'success'
}

export interface TradeRow extends Record<string, unknown> {
  wallet: Wallet
  out_trade_no: string
  kind: 'precreate' | 'pay'
  trade_no: string
  amount: number
  currency: Currency
  provider_amount: string
  subject: string
  params_hash: string
  scenario: SandboxScenario
  status: TradeStatus
  decline_reason: 'balance' | 'customer' | null
  scanned: boolean
  customer_paid: boolean
  queries: number
  qr_token: string | null
  fee_bp: number
  /** How the fee was rounded (the store's rate with this wallet, migration 5; half_up before). */
  fee_rounding: FeeRounding
  fee: number
  refunded: number
  fee_refunded: number
  expires_at: Date | null
  created_at: Date
  paid_at: Date | null
  closed_at: Date | null
}

export interface RefundRow extends Record<string, unknown> {
  out_request_no: string
  amount: number
  fee_refunded: number
  refunded_total: number
  created_at: Date
}

export const paramsHash = (p: unknown): string => createHash('sha256').update(canonicalJson(p)).digest('hex')

function digits(n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += String(randomInt(10))
  return s
}

/** 28 digits like the real ones (a 28-digit run is never mistaken for a card number). */
export function tradeNo(wallet: Wallet, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '')
  return wallet === 'alipay' ? `${day}22001${digits(15)}` : `420000${digits(4)}${day}${digits(10)}`
}

export class SandboxBooks {
  constructor(
    readonly wallet: Wallet,
    /** The default rate (option sandbox.feeBasisPoints); a store's own rate (store_provider_fees) wins. */
    readonly feeBasisPoints: number,
  ) {}

  /** The fee rate of the store a trade belongs to (its payment's store), else the default, half-up. */
  async feeRateFor(q: Queryable, outTradeNo: string): Promise<{ basisPoints: number; rounding: FeeRounding }> {
    const r = await q.query<{ basis_points: number; rounding: FeeRounding }>(
      `SELECT f.basis_points, f.rounding FROM wallet_payments p JOIN store_provider_fees f ON f.store_id = p.store_id AND f.provider = $2 WHERE p.payment_id = $1`,
      [outTradeNo, this.wallet],
    )
    return r[0] ? { basisPoints: r[0].basis_points, rounding: r[0].rounding } : { basisPoints: this.feeBasisPoints, rounding: 'half_up' }
  }

  async get(q: Queryable, outTradeNo: string, lock = false): Promise<TradeRow | null> {
    const rows = await q.query<TradeRow>(`SELECT * FROM sandbox_trades WHERE wallet = $1 AND out_trade_no = $2${lock ? ' FOR UPDATE' : ''}`, [this.wallet, outTradeNo])
    return rows[0] ?? null
  }

  /** The next admin override for this wallet (its own first, then one for either wallet), used up by one. */
  private async takeOverride(q: Queryable): Promise<SandboxScenario | null> {
    for (const key of [this.wallet, '*']) {
      const r = await q.query<{ scenario: SandboxScenario }>(
        'UPDATE sandbox_scenarios SET remaining = remaining - 1 WHERE wallet = $1 AND remaining > 0 RETURNING scenario',
        [key],
      )
      if (r[0]) return r[0].scenario
    }
    return null
  }

  /**
   * A new trade, or the existing one: `existing` when the out_trade_no is known with the same
   * parameters, `conflict` when with other ones. The scenario is fixed when the trade is made.
   */
  async open(
    q: Queryable,
    now: Date,
    t: { kind: 'precreate' | 'pay'; outTradeNo: string; amount: number; currency: Currency; providerAmount: string; subject: string; authCode?: string; expiresAt?: Date },
  ): Promise<{ row: TradeRow; fresh: boolean; conflict: boolean }> {
    const hash = paramsHash({ kind: t.kind, amount: t.amount, currency: t.currency, subject: t.subject, authCode: t.authCode ?? null })
    const existing = await this.get(q, t.outTradeNo, true)
    if (existing) return { row: existing, fresh: false, conflict: existing.params_hash !== hash }
    const scenario = (await this.takeOverride(q)) ?? scenarioFor(t.amount, t.authCode)
    const rate = await this.feeRateFor(q, t.outTradeNo)
    let status: TradeStatus = 'unscanned'
    if (t.kind === 'pay') {
      status = scenario === 'decline' ? 'declined' : scenario === 'user_paying_then_success' || scenario === 'user_paying_forever' ? 'paying' : 'paid'
    }
    const paid = status === 'paid'
    const rows = await q.query<TradeRow>(
      `INSERT INTO sandbox_trades (wallet, out_trade_no, kind, trade_no, amount, currency, provider_amount, subject, params_hash, scenario, status, decline_reason,
         qr_token, fee_bp, fee, expires_at, created_at, paid_at, closed_at, fee_rounding)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING *`,
      [
        this.wallet,
        t.outTradeNo,
        t.kind,
        tradeNo(this.wallet, now),
        t.amount,
        t.currency,
        t.providerAmount,
        t.subject,
        hash,
        scenario,
        status,
        status === 'declined' ? 'balance' : null,
        t.kind === 'precreate' ? randomBytes(24).toString('base64url') : null,
        rate.basisPoints,
        paid ? paymentFeeWith(t.amount, rate.basisPoints, rate.rounding) : 0,
        t.expiresAt?.toISOString() ?? null,
        now.toISOString(),
        paid ? now.toISOString() : null,
        status === 'declined' ? now.toISOString() : null,
        rate.rounding,
      ],
    )
    return { row: rows[0]!, fresh: true, conflict: false }
  }

  async set(q: Queryable, row: TradeRow, fields: Partial<TradeRow>): Promise<TradeRow> {
    const keys = Object.keys(fields)
    const values = keys.map((k) => {
      const v = fields[k]
      return v instanceof Date ? v.toISOString() : v
    })
    const rows = await q.query<TradeRow>(
      `UPDATE sandbox_trades SET ${keys.map((k, i) => `${k} = $${i + 3}`).join(', ')} WHERE wallet = $1 AND out_trade_no = $2 RETURNING *`,
      [this.wallet, row.out_trade_no, ...values],
    )
    return rows[0]!
  }

  private markPaid(q: Queryable, row: TradeRow, now: Date): Promise<TradeRow> {
    return this.set(q, row, { status: 'paid', paid_at: now, fee: paymentFeeWith(row.amount, row.fee_bp, row.fee_rounding ?? 'half_up') })
  }

  /** An unpaid QR past its expiry can no longer be paid: the wallet closes it itself. */
  private async expireIfDue(q: Queryable, row: TradeRow, now: Date): Promise<TradeRow> {
    if (row.expires_at && now.getTime() >= row.expires_at.getTime() && (row.status === 'unscanned' || row.status === 'waiting')) {
      return this.set(q, row, { status: 'closed', closed_at: now })
    }
    return row
  }

  /** A query: counts it, and moves a user-paying trade on when its scenario says so. */
  async query(q: Queryable, outTradeNo: string, now: Date): Promise<TradeRow | null> {
    let row = await this.get(q, outTradeNo, true)
    if (!row) return null
    row = await this.expireIfDue(q, row, now)
    const queries = row.queries + 1
    row = await this.set(q, row, { queries })
    if (row.status === 'paying' && row.scenario === 'user_paying_then_success' && queries >= PAID_ON_QUERY) row = await this.markPaid(q, row, now)
    return row
  }

  /** close: an unpaid trade stops for good. Returns the row before, or null. */
  async close(q: Queryable, outTradeNo: string, now: Date): Promise<{ before: TradeRow; after: TradeRow } | null> {
    const before = await this.get(q, outTradeNo, true)
    if (!before) return null
    if (before.status === 'paid' || before.status === 'reversed' || before.status === 'declined' || before.status === 'closed') return { before, after: before }
    return { before, after: await this.set(q, before, { status: 'closed', closed_at: now }) }
  }

  /** 撤销: closes an unpaid trade, refunds the rest of a paid one. */
  async reverse(q: Queryable, row: TradeRow, now: Date): Promise<TradeRow> {
    if (row.status === 'paid') return this.set(q, row, { status: 'reversed', refunded: row.amount, fee_refunded: row.fee, closed_at: now })
    if (row.status === 'reversed' || row.status === 'declined' || row.status === 'closed') return row
    return this.set(q, row, { status: 'closed', closed_at: now })
  }

  async findRefund(q: Queryable, outTradeNo: string, outRequestNo: string): Promise<RefundRow | null> {
    const r = await q.query<RefundRow>('SELECT * FROM sandbox_refunds WHERE wallet = $1 AND out_trade_no = $2 AND out_request_no = $3', [this.wallet, outTradeNo, outRequestNo])
    return r[0] ?? null
  }

  /**
   * A refund, idempotent by out_request_no: the same number and amount answers the stored refund
   * again (no second refund); another amount is a conflict.
   */
  async refund(
    q: Queryable,
    r: { outTradeNo: string; outRequestNo: string; amount: number },
    now: Date,
  ): Promise<
    | { kind: 'not_found' }
    | { kind: 'not_paid'; row: TradeRow }
    | { kind: 'conflict'; row: TradeRow; previous: RefundRow }
    | { kind: 'exceeds'; row: TradeRow }
    | { kind: 'done'; row: TradeRow; refund: RefundRow; repeat: boolean }
  > {
    const row = await this.get(q, r.outTradeNo, true)
    if (!row) return { kind: 'not_found' }
    const previous = await this.findRefund(q, r.outTradeNo, r.outRequestNo)
    if (previous) return previous.amount === r.amount ? { kind: 'done', row, refund: previous, repeat: true } : { kind: 'conflict', row, previous }
    if (row.status !== 'paid') return { kind: 'not_paid', row }
    if (r.amount > row.amount - row.refunded) return { kind: 'exceeds', row }
    const fee = refundedFee({ refund: r.amount, amount: row.amount, refundedBefore: row.refunded, fee: row.fee, feeRefundedBefore: row.fee_refunded })
    const after = await this.set(q, row, { refunded: row.refunded + r.amount, fee_refunded: row.fee_refunded + fee })
    const refund = await q.query<RefundRow>(
      `INSERT INTO sandbox_refunds (wallet, out_trade_no, out_request_no, amount, fee_refunded, refunded_total, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [this.wallet, r.outTradeNo, r.outRequestNo, r.amount, fee, after.refunded, now.toISOString()],
    )
    return { kind: 'done', row: after, refund: refund[0]!, repeat: false }
  }

  // ---- the customer's phone (the sandbox page) -----------------------------------------------------

  async byToken(q: Queryable, token: string): Promise<TradeRow | null> {
    const rows = await q.query<TradeRow>('SELECT * FROM sandbox_trades WHERE wallet = $1 AND qr_token = $2 FOR UPDATE', [this.wallet, token])
    return rows[0] ?? null
  }

  /** Opening the QR's page is the scan: from now on an Alipay precreate trade exists. */
  async scan(q: Queryable, row: TradeRow, now: Date): Promise<TradeRow> {
    row = await this.expireIfDue(q, row, now)
    if (row.status !== 'unscanned') return row
    return this.set(q, row, { status: 'waiting', scanned: true })
  }

  /**
   * The customer presses Pay. Returns the trade after, and whether the wallet tells the platform at
   * once (its notify): success and decline do; the user-paying scenarios and the lost-notify ones
   * (system error, timeout) leave the platform to find out by querying.
   */
  async customerPay(q: Queryable, row: TradeRow, now: Date): Promise<{ row: TradeRow; notify: boolean }> {
    row = await this.scan(q, row, now)
    if (row.status !== 'waiting') return { row, notify: false }
    switch (row.scenario) {
      case 'decline':
        return { row: await this.set(q, row, { status: 'declined', decline_reason: 'balance', customer_paid: true, closed_at: now }), notify: true }
      case 'user_paying_then_success':
      case 'user_paying_forever':
        // queries count from the moment the customer starts paying
        return { row: await this.set(q, row, { status: 'paying', customer_paid: true, queries: 0 }), notify: false }
      case 'system_error_then_success':
      case 'timeout_then_success':
        return { row: await this.markPaid(q, await this.set(q, row, { customer_paid: true }), now), notify: false }
      default:
        return { row: await this.markPaid(q, await this.set(q, row, { customer_paid: true }), now), notify: true }
    }
  }

  /** The customer presses Decline (closes the wallet's cashier page without paying). */
  async customerDecline(q: Queryable, row: TradeRow, now: Date): Promise<{ row: TradeRow; notify: boolean }> {
    row = await this.scan(q, row, now)
    if (row.status !== 'waiting') return { row, notify: false }
    return { row: await this.set(q, row, { status: 'declined', decline_reason: 'customer', closed_at: now }), notify: true }
  }
}

/** PUT /v1/admin/sandbox/scenario: the next `count` payments of `wallet` (or of either) take `scenario`. */
export async function setScenarioOverride(q: Queryable, wallet: Wallet | undefined, scenario: SandboxScenario, count: number): Promise<void> {
  await q.query(
    `INSERT INTO sandbox_scenarios (wallet, scenario, remaining) VALUES ($1, $2, $3)
     ON CONFLICT (wallet) DO UPDATE SET scenario = excluded.scenario, remaining = excluded.remaining`,
    [wallet ?? '*', scenario, count],
  )
}

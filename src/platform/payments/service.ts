import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { canonicalJson } from '../../shared/canonical-json'
import type { Currency } from '../../shared/money'
import {
  FINAL_PAYMENT_STATES,
  walletForCode,
  type Payment,
  type PaymentCreate,
  type PaymentRefund,
  type PaymentState,
  type Wallet,
} from '../../shared/payments'
import type { RefundCreateSchema } from '../../shared/payments'
import type { Database, Queryable } from '../db'
import { fail } from '../errors'
import { getStore, iso, type DeviceRow } from '../service'
import { PaymentNotifier } from './notifier'
import type { ProviderCall, RefundAnswer, TradeAnswer, WalletProviders } from './provider'

/**
 * The device payment API: wallet payments the till starts through the platform, which talks to the
 * wallet (a WalletProvider) and resolves what the wallet leaves open (20000 / SYSTEMERROR / no answer
 * → `processing`, asked again on the next payment-get). Every change of one payment runs in one
 * transaction holding its row FOR UPDATE (the wallet call included, so the sandbox wallets' books
 * change with it), then wakes that payment's long polls.
 *
 * Failure codes a till may see in `failure.code`: declined (insufficient balance, or the customer
 * declined), expired (a merchant QR past expiresInSeconds), cancelled (closed by payment-cancel, or a
 * tombstone), closed (the wallet closed it), provider_refused (the wallet refused the parameters),
 * not_at_provider (the wallet has no such trade).
 */

export interface PaymentRow extends Record<string, unknown> {
  payment_id: string
  store_id: string
  device_id: string
  tombstone: boolean
  wallet: Wallet | null
  flow: 'merchant_qr' | 'customer_code' | null
  amount: number | null
  currency: string | null
  subject: string | null
  params_hash: string | null
  state: PaymentState
  provider_status: string
  provider_ref: string | null
  code_url: string | null
  expires_at: Date | null
  paid_at: Date | null
  fee: number
  refunded: number
  failure_code: string | null
  failure_message: string | null
  cancel_requested_at: Date | null
  cancel_retry_at: Date | null
  created_at: Date
  updated_at: Date
}

interface RefundRow extends Record<string, unknown> {
  refund_id: string
  payment_id: string
  amount: number
  reason: string | null
  state: 'processing' | 'succeeded' | 'failed'
  fee_refunded: number
  failure_code: string | null
  failure_message: string | null
  created_at: Date
  updated_at: Date
}

const isFinal = (s: PaymentState): boolean => FINAL_PAYMENT_STATES.includes(s)
const TOMBSTONE_STATUS = 'NOT_CREATED'

/** The parameters a replayed create must repeat, hashed (the customer's code is never stored). */
export function createParamsHash(input: PaymentCreate): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex')
}

function providerStatusOf(a: { timedOut: boolean; tradeStatus: string | null; subCode: string | null; code: string }): string {
  if (a.timedOut) return 'NO_ANSWER'
  return a.tradeStatus ?? a.subCode ?? a.code
}

function failureOf(code: string, a: { subCode: string | null; code: string; message: string }): { failure_code: string; failure_message: string } {
  return { failure_code: code, failure_message: `${a.subCode ?? a.code}: ${a.message}` }
}

export interface PaymentServiceOptions {
  db: Database
  providers: WalletProviders
  notifier: PaymentNotifier
  /** The platform clock; the long poll reads it again while it waits. */
  clock: () => Date
}

export class PaymentService {
  readonly notifier: PaymentNotifier
  private readonly db: Database
  private readonly providers: WalletProviders
  private readonly clock: () => Date

  constructor(o: PaymentServiceOptions) {
    this.db = o.db
    this.providers = o.providers
    this.notifier = o.notifier
    this.clock = o.clock
  }

  // ---- reading and writing rows -------------------------------------------------------------------

  toPayment(r: PaymentRow, now: Date): Payment {
    return {
      paymentId: r.payment_id,
      // A tombstone has no wallet or amount; the schema wants them, so it reads as an empty closed QR.
      wallet: r.wallet ?? 'alipay',
      flow: r.flow ?? 'merchant_qr',
      amount: r.amount ?? 0,
      currency: r.currency ?? '',
      state: r.state,
      codeUrl: r.code_url,
      expiresAt: r.expires_at ? iso(r.expires_at) : null,
      providerRef: r.provider_ref,
      paidAt: r.paid_at ? iso(r.paid_at) : null,
      refunded: r.refunded,
      fee: r.fee,
      failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? '' } : null,
      providerStatus: r.provider_status,
      serverTime: now.toISOString(),
    }
  }

  private toRefund(r: RefundRow, p: PaymentRow, now: Date): PaymentRefund {
    return {
      refundId: r.refund_id,
      paymentId: r.payment_id,
      amount: r.amount,
      state: r.state,
      refundedTotal: p.refunded,
      feeRefunded: r.fee_refunded,
      failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? '' } : null,
      serverTime: now.toISOString(),
    }
  }

  private async update(q: Queryable, row: PaymentRow, fields: Partial<PaymentRow>, now: Date): Promise<PaymentRow> {
    const keys = Object.keys(fields)
    if (keys.length === 0) return row
    const values = keys.map((k) => {
      const v = fields[k]
      return v instanceof Date ? v.toISOString() : v
    })
    const rows = await q.query<PaymentRow>(
      `UPDATE wallet_payments SET ${keys.map((k, i) => `${k} = $${i + 3}`).join(', ')}, updated_at = $2 WHERE payment_id = $1 RETURNING *`,
      [row.payment_id, now.toISOString(), ...values],
    )
    return rows[0]!
  }

  private async lockMine(q: Queryable, device: DeviceRow, paymentId: string): Promise<PaymentRow> {
    const row = (await q.query<PaymentRow>('SELECT * FROM wallet_payments WHERE payment_id = $1 FOR UPDATE', [paymentId]))[0]
    // Another store's payment is as unknown to this device as one that does not exist.
    if (!row || row.store_id !== device.store_id) fail('not_found', `No payment ${paymentId}.`)
    return row
  }

  /**
   * Runs fn on the payment's row in one transaction and wakes its long polls when the state or the
   * wallet's status word changed.
   */
  private async change<T>(paymentId: string, fn: (q: Queryable) => Promise<{ row: PaymentRow; before: PaymentRow | null; result: T }>): Promise<T> {
    const { row, before, result } = await this.db.tx(fn)
    if (!before || before.state !== row.state || before.provider_status !== row.provider_status || before.refunded !== row.refunded) this.notifier.notify(paymentId)
    return result
  }

  private call(q: Queryable, now: Date, publicUrl: string): ProviderCall {
    return { q, now, publicUrl }
  }

  // ---- what a wallet answer does to a payment ------------------------------------------------------

  /** Applies a pay / query answer. */
  private async applyTrade(q: Queryable, row: PaymentRow, a: TradeAnswer, now: Date): Promise<PaymentRow> {
    const status = providerStatusOf(a)
    switch (a.outcome) {
      case 'paid':
        return this.update(q, row, { state: 'succeeded', provider_status: status, provider_ref: a.tradeNo, paid_at: a.paidAt ?? now, fee: a.fee, failure_code: null, failure_message: null }, now)
      case 'waiting':
        return this.update(q, row, { state: row.state === 'pending_scan' && row.flow === 'merchant_qr' ? 'pending_scan' : 'awaiting_customer', provider_status: status }, now)
      case 'unknown':
        return this.update(q, row, { provider_status: status }, now)
      case 'declined':
        return this.update(q, row, { state: 'failed', provider_status: status, provider_ref: a.tradeNo, ...failureOf('declined', a) }, now)
      case 'closed':
        return this.update(q, row, { state: 'failed', provider_status: status, ...failureOf('closed', a) }, now)
      case 'reversed':
        return this.update(q, row, { state: 'reversed', provider_status: status, refunded: row.amount ?? 0 }, now)
      case 'not_found':
        // A merchant QR nobody scanned has no Alipay trade yet: nothing to learn.
        if (row.flow === 'merchant_qr') return row
        return this.update(q, row, { state: 'failed', provider_status: status, ...failureOf('not_at_provider', a) }, now)
      case 'conflict':
      case 'refused':
        return this.update(q, row, { state: 'failed', provider_status: status, ...failureOf('provider_refused', a) }, now)
    }
  }

  /**
   * What the platform does on its own before answering: a cancel the wallet asked to retry, a merchant
   * QR past its expiry, and (when `query`) one query of a payment the wallet has not settled.
   */
  private async advance(q: Queryable, row: PaymentRow, c: ProviderCall, query: boolean): Promise<PaymentRow> {
    if (row.tombstone || row.state === 'failed' || row.state === 'reversed') return row
    // a cancel the wallet asked to retry later (a paid payment too: it is to be reversed)
    if (row.cancel_requested_at) {
      if (!row.cancel_retry_at || c.now.getTime() >= row.cancel_retry_at.getTime()) return this.cancelAtProvider(q, row, c)
      return row
    }
    if (row.state === 'succeeded') return row
    if (row.flow === 'merchant_qr' && row.expires_at && c.now.getTime() >= row.expires_at.getTime()) return this.expire(q, row, c)
    if (query && (row.state === 'processing' || row.state === 'awaiting_customer')) {
      return this.applyTrade(q, row, await this.providers[row.wallet!].query(c, row.payment_id), c.now)
    }
    return row
  }

  /** The QR stopped working: unless the customer paid in the meantime, the trade is closed. */
  private async expire(q: Queryable, row: PaymentRow, c: ProviderCall): Promise<PaymentRow> {
    const provider = this.providers[row.wallet!]
    const seen = await provider.query(c, row.payment_id)
    if (seen.outcome === 'paid' || seen.outcome === 'declined' || seen.outcome === 'reversed') return this.applyTrade(q, row, seen, c.now)
    const closed = await provider.close(c, row.payment_id)
    if (closed.outcome === 'closed' || closed.outcome === 'not_found') {
      return this.update(
        q,
        row,
        { state: 'failed', provider_status: closed.tradeStatus ?? 'TRADE_CLOSED', failure_code: 'expired', failure_message: `The QR code expired at ${iso(row.expires_at)}; the trade was closed.` },
        c.now,
      )
    }
    // paid after all, or no clear answer: the next read asks again
    return this.applyTrade(q, row, await provider.query(c, row.payment_id), c.now)
  }

  /** 撤销 / reverse at the wallet; past its window, a refund of what is left. */
  private async cancelAtProvider(q: Queryable, row: PaymentRow, c: ProviderCall): Promise<PaymentRow> {
    const provider = this.providers[row.wallet!]
    const a = await provider.cancel(c, row.payment_id)
    const done = { cancel_requested_at: null, cancel_retry_at: null }
    switch (a.outcome) {
      case 'closed':
      case 'not_found':
        if (row.state === 'succeeded') return this.update(q, row, { ...done, provider_status: a.tradeStatus ?? a.code }, c.now)
        return this.update(
          q,
          row,
          { ...done, state: 'failed', provider_status: a.tradeStatus ?? providerStatusOf(a), failure_code: 'cancelled', failure_message: 'Cancelled by the till; nothing was charged.' },
          c.now,
        )
      case 'reversed':
        return this.update(q, row, { ...done, state: 'reversed', provider_status: a.tradeStatus ?? a.code, refunded: row.amount ?? 0 }, c.now)
      case 'too_late': {
        const left = (row.amount ?? 0) - row.refunded
        if (left > 0) {
          const r = await provider.refund(c, { outTradeNo: row.payment_id, outRequestNo: `${row.payment_id}_cancel`, amount: left })
          if (r.outcome !== 'succeeded') return this.update(q, row, { cancel_requested_at: row.cancel_requested_at ?? c.now, cancel_retry_at: c.now, provider_status: providerStatusOf({ ...r, tradeStatus: null }) }, c.now)
        }
        const after = await provider.query(c, row.payment_id)
        return this.update(q, row, { ...done, state: 'reversed', provider_status: after.tradeStatus ?? a.code, refunded: row.amount ?? 0 }, c.now)
      }
      case 'retry_later':
      case 'unknown':
        return this.update(q, row, { cancel_requested_at: row.cancel_requested_at ?? c.now, cancel_retry_at: a.retryAt ?? c.now, provider_status: row.provider_status }, c.now)
    }
  }

  // ---- the routes -----------------------------------------------------------------------------------

  async create(device: DeviceRow, input: PaymentCreate, now: Date, publicUrl: string): Promise<Payment> {
    const store = await getStore(this.db, device.store_id)
    if (input.currency !== store.currency) {
      fail('invalid_request', `The payment is in ${input.currency}, the store in ${store.currency}.`, [{ path: ['body', 'currency'], message: `must be ${store.currency}` }])
    }
    if (input.flow === 'customer_code') {
      const codeWallet = walletForCode(input.authCode)
      if (codeWallet !== input.wallet) {
        fail('invalid_request', codeWallet ? `This is a ${codeWallet === 'wechat' ? 'WeChat Pay' : 'Alipay'} payment code, not ${input.wallet}.` : 'This is not an Alipay or WeChat Pay payment code.', [
          { path: ['body', 'authCode'], message: 'not a payment code of this wallet' },
        ])
      }
    }
    const hash = createParamsHash(input)
    const id = input.paymentId
    const creating = await this.db.tx(async (q) => {
      const inserted = await q.query<PaymentRow>(
        `INSERT INTO wallet_payments (payment_id, store_id, device_id, wallet, flow, amount, currency, subject, params_hash, state, provider_status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ON CONFLICT (payment_id) DO NOTHING RETURNING *`,
        [id, device.store_id, device.id, input.wallet, input.flow, input.amount, input.currency, input.subject, hash, input.flow === 'merchant_qr' ? 'pending_scan' : 'processing', 'CREATING', now.toISOString()],
      )
      const c = this.call(q, now, publicUrl)
      if (!inserted[0]) {
        const existing = (await q.query<PaymentRow>('SELECT * FROM wallet_payments WHERE payment_id = $1 FOR UPDATE', [id]))[0]!
        if (existing.tombstone && existing.store_id === device.store_id) fail('payment_closed', `Payment ${id} was cancelled before it was created; start a new payment with a new id.`)
        if (existing.store_id !== device.store_id || existing.params_hash !== hash) {
          fail('payment_conflict', `Payment id ${id} was already used with different parameters (OUT_TRADE_NO_USED); a new payment needs a new id.`)
        }
        // the payment as it stands (a lost answer retried): no new call to the wallet
        return { row: await this.advance(q, existing, c, false), before: existing }
      }
      const row = inserted[0]
      const provider = this.providers[input.wallet]
      if (input.flow === 'merchant_qr') {
        const expiresAt = new Date(now.getTime() + input.expiresInSeconds * 1000)
        const a = await provider.precreate(c, { outTradeNo: id, amount: input.amount, currency: input.currency as Currency, subject: input.subject, expiresAt })
        if (a.timedOut) fail('wallet_unavailable', `${input.wallet} did not answer in time; nothing was created. Try again with the same id.`)
        if (a.outcome === 'waiting' && a.codeUrl) {
          return { row: await this.update(q, row, { code_url: a.codeUrl, expires_at: expiresAt, provider_status: 'WAIT_SCAN' }, now), before: null }
        }
        return { row: await this.applyTrade(q, row, a, now), before: null }
      }
      const a = await provider.pay(c, { outTradeNo: id, amount: input.amount, currency: input.currency as Currency, subject: input.subject, authCode: input.authCode })
      return { row: await this.applyTrade(q, row, a, now), before: null }
    })
    const { row, before } = creating
    if (!before || before.state !== row.state) this.notifier.notify(id)
    return this.toPayment(row, now)
  }

  /** One read, in a transaction: the platform's own moves first (and one wallet query when `query`). */
  private async touch(device: DeviceRow, paymentId: string, now: Date, publicUrl: string, query: boolean): Promise<PaymentRow> {
    return this.change(paymentId, async (q) => {
      const before = await this.lockMine(q, device, paymentId)
      const row = await this.advance(q, before, this.call(q, now, publicUrl), query)
      return { row, before, result: row }
    })
  }

  /**
   * payment-get. Asks the wallet once when the payment is processing or awaiting the customer. With
   * unlessState and waitMs, holds the answer while the state is still unlessState: it wakes on any
   * change of this payment (the customer page, a cancel, another request's query), at the QR's
   * expiry or a cancel's retry time, when the request is aborted, or after waitMs.
   */
  async get(device: DeviceRow, paymentId: string, wait: { unlessState?: PaymentState; waitMs?: number }, publicUrl: string, signal?: AbortSignal): Promise<Payment> {
    let row = await this.touch(device, paymentId, this.clock(), publicUrl, true)
    const { unlessState, waitMs } = wait
    if (!unlessState || !waitMs || row.state !== unlessState || isFinal(row.state)) return this.toPayment(row, this.clock())
    const deadline = Date.now() + waitMs
    for (;;) {
      const left = deadline - Date.now()
      if (left <= 0) break
      let ms = left
      // the platform's own next move, on its clock (tests move it)
      const due = row.cancel_requested_at ? row.cancel_retry_at : row.flow === 'merchant_qr' && !isFinal(row.state) ? row.expires_at : null
      if (due) ms = Math.min(ms, Math.max(50, due.getTime() - this.clock().getTime()))
      const woke = await this.notifier.wait(paymentId, ms, signal)
      if (woke === 'aborted' || woke === 'closed' || woke === 'busy') break
      row = await this.touch(device, paymentId, this.clock(), publicUrl, false)
      if (row.state !== unlessState) break
    }
    return this.toPayment(row, this.clock())
  }

  /** payment-cancel: closes an unpaid payment, reverses a paid one; an unknown id becomes a tombstone. */
  async cancel(device: DeviceRow, paymentId: string, now: Date, publicUrl: string): Promise<Payment> {
    return this.change(paymentId, async (q) => {
      const tomb = await q.query<PaymentRow>(
        `INSERT INTO wallet_payments (payment_id, store_id, device_id, tombstone, state, provider_status, failure_code, failure_message, created_at, updated_at)
         VALUES ($1, $2, $3, true, 'failed', $4, 'cancelled', $5, $6, $6) ON CONFLICT (payment_id) DO NOTHING RETURNING *`,
        [paymentId, device.store_id, device.id, TOMBSTONE_STATUS, 'Cancelled before the platform saw it created; a create with this id is refused (payment_closed).', now.toISOString()],
      )
      if (tomb[0]) return { row: tomb[0], before: null, result: this.toPayment(tomb[0], now) }
      const before = await this.lockMine(q, device, paymentId)
      const c = this.call(q, now, publicUrl)
      let row = before
      if (!row.tombstone && row.state !== 'failed' && row.state !== 'reversed') {
        // a merchant QR that already expired is closed as expired, not as cancelled
        row = row.flow === 'merchant_qr' && row.state !== 'succeeded' && row.expires_at && now.getTime() >= row.expires_at.getTime() ? await this.expire(q, row, c) : row
        if (!isFinal(row.state) || row.state === 'succeeded') {
          row = await this.update(q, row, { cancel_requested_at: row.cancel_requested_at ?? now, cancel_retry_at: now }, now)
          row = await this.cancelAtProvider(q, row, c)
        }
      }
      return { row, before, result: this.toPayment(row, now) }
    })
  }

  async refund(device: DeviceRow, paymentId: string, input: z.output<typeof RefundCreateSchema>, now: Date, publicUrl: string): Promise<PaymentRefund> {
    return this.change(paymentId, async (q) => {
      const before = await this.lockMine(q, device, paymentId)
      if (before.tombstone) fail('not_found', `No payment ${paymentId}.`)
      const c = this.call(q, now, publicUrl)
      const known = (await q.query<RefundRow>('SELECT * FROM wallet_refunds WHERE refund_id = $1', [input.refundId]))[0]
      if (known) {
        if (known.payment_id !== paymentId || known.amount !== input.amount) {
          fail('refund_conflict', `Refund id ${input.refundId} was already used${known.payment_id !== paymentId ? ' for another payment' : ` for ${known.amount}, not ${input.amount}`}; a new refund needs a new id.`)
        }
        const r = known.state === 'processing' ? await this.refundQuery(q, before, known, c) : { refund: known, row: before }
        return { row: r.row, before, result: this.toRefund(r.refund, r.row, now) }
      }
      const row = await this.advance(q, before, c, true)
      if (row.state !== 'succeeded') fail('payment_not_refundable', `Payment ${paymentId} is ${row.state}, not paid: there is nothing to refund.`, { state: row.state })
      const pending = (await q.query<{ n: number | null }>(`SELECT sum(amount)::bigint AS n FROM wallet_refunds WHERE payment_id = $1 AND state = 'processing'`, [paymentId]))[0]?.n ?? 0
      const refundable = row.amount! - row.refunded - pending
      if (input.amount > refundable) fail('refund_exceeds', `The refund of ${input.amount} is more than the ${refundable} left to refund on this payment.`, { refundable })
      const inserted = (
        await q.query<RefundRow>(
          `INSERT INTO wallet_refunds (refund_id, payment_id, amount, reason, state, created_at, updated_at) VALUES ($1, $2, $3, $4, 'processing', $5, $5) RETURNING *`,
          [input.refundId, paymentId, input.amount, input.reason ?? null, now.toISOString()],
        )
      )[0]!
      const a = await this.providers[row.wallet!].refund(c, { outTradeNo: paymentId, outRequestNo: input.refundId, amount: input.amount })
      const r = await this.applyRefund(q, row, inserted, a, now)
      return { row: r.row, before, result: this.toRefund(r.refund, r.row, now) }
    })
  }

  private async applyRefund(q: Queryable, row: PaymentRow, refund: RefundRow, a: RefundAnswer, now: Date): Promise<{ row: PaymentRow; refund: RefundRow }> {
    if (a.timedOut || a.outcome === 'processing' || a.outcome === 'not_found') return { row, refund }
    if (a.outcome === 'succeeded') {
      const r = (await q.query<RefundRow>(`UPDATE wallet_refunds SET state = 'succeeded', fee_refunded = $2, updated_at = $3 WHERE refund_id = $1 RETURNING *`, [refund.refund_id, a.feeRefunded, now.toISOString()]))[0]!
      const after = await this.providers[row.wallet!].query(this.call(q, now, ''), row.payment_id)
      const p = await this.update(q, row, { refunded: a.refundedTotal, provider_status: after.tradeStatus ?? row.provider_status }, now)
      return { row: p, refund: r }
    }
    const r = (
      await q.query<RefundRow>(`UPDATE wallet_refunds SET state = 'failed', failure_code = $2, failure_message = $3, updated_at = $4 WHERE refund_id = $1 RETURNING *`, [
        refund.refund_id,
        a.outcome,
        `${a.subCode ?? a.code}: ${a.message}`,
        now.toISOString(),
      ])
    )[0]!
    return { row, refund: r }
  }

  private async refundQuery(q: Queryable, row: PaymentRow, refund: RefundRow, c: ProviderCall): Promise<{ row: PaymentRow; refund: RefundRow }> {
    const a = await this.providers[row.wallet!].refundQuery(c, { outTradeNo: row.payment_id, outRequestNo: refund.refund_id })
    return this.applyRefund(q, row, refund, a, c.now)
  }

  async refundGet(device: DeviceRow, paymentId: string, refundId: string, now: Date, publicUrl: string): Promise<PaymentRefund> {
    return this.change(paymentId, async (q) => {
      const before = await this.lockMine(q, device, paymentId)
      const refund = (await q.query<RefundRow>('SELECT * FROM wallet_refunds WHERE refund_id = $1 AND payment_id = $2', [refundId, paymentId]))[0]
      if (!refund) fail('not_found', `No refund ${refundId} of payment ${paymentId}.`)
      const r = refund.state === 'processing' ? await this.refundQuery(q, before, refund, this.call(q, now, publicUrl)) : { refund, row: before }
      return { row: r.row, before, result: this.toRefund(r.refund, r.row, now) }
    })
  }

  /** store-payments: the store's payments created on a UTC day, with their refunds (no tombstones). */
  async storePayments(storeId: string, date: string, now: Date): Promise<{ payments: (Payment & { deviceId: string; refunds: PaymentRefund[] })[] }> {
    await getStore(this.db, storeId)
    const start = new Date(`${date}T00:00:00.000Z`)
    const end = new Date(start.getTime() + 86_400_000)
    const rows = await this.db.query<PaymentRow>(
      'SELECT * FROM wallet_payments WHERE store_id = $1 AND NOT tombstone AND created_at >= $2 AND created_at < $3 ORDER BY created_at, payment_id',
      [storeId, start.toISOString(), end.toISOString()],
    )
    const refunds = await this.db.query<RefundRow>('SELECT * FROM wallet_refunds WHERE payment_id = ANY($1::text[]) ORDER BY created_at, refund_id', [rows.map((r) => r.payment_id)])
    return {
      payments: rows.map((r) => ({
        ...this.toPayment(r, now),
        deviceId: r.device_id,
        refunds: refunds.filter((x) => x.payment_id === r.payment_id).map((x) => this.toRefund(x, r, now)),
      })),
    }
  }

  // ---- the sandbox customer page --------------------------------------------------------------------

  /**
   * A wallet told the platform about a trade (the sandbox page: scanned, paid, declined): the
   * payment is brought up to date in the same transaction as the wallet's own change.
   */
  async providerNotice<T>(paymentId: string, now: Date, publicUrl: string, fn: (q: Queryable, row: PaymentRow) => Promise<{ result: T; query: boolean; scanned: boolean }>): Promise<T> {
    return this.change(paymentId, async (q) => {
      const before = (await q.query<PaymentRow>('SELECT * FROM wallet_payments WHERE payment_id = $1 FOR UPDATE', [paymentId]))[0]
      if (!before) fail('not_found', `No payment ${paymentId}.`)
      const c = this.call(q, now, publicUrl)
      let row = await this.advance(q, before, c, false)
      const { result, query, scanned } = await fn(q, row)
      if (!isFinal(row.state) && !row.cancel_requested_at) {
        if (scanned && row.state === 'pending_scan') row = await this.update(q, row, { state: 'awaiting_customer' }, now)
        if (query) row = await this.applyTrade(q, row, await this.providers[row.wallet!].query(c, paymentId), now)
        else if (scanned) row = await this.update(q, row, { provider_status: row.wallet === 'alipay' ? 'WAIT_BUYER_PAY' : 'NOTPAY' }, now)
      }
      return { row, before, result }
    })
  }

  /** The store a payment belongs to (the page shows its name). */
  async storeNameOf(paymentId: string): Promise<string> {
    const r = await this.db.query<{ name: string }>('SELECT s.name FROM wallet_payments p JOIN stores s ON s.id = p.store_id WHERE p.payment_id = $1', [paymentId])
    return r[0]?.name ?? ''
  }
}

import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { newId } from '../../shared/ids'
import { minorToDecimalString, type Currency } from '../../shared/money'
import type { Wallet } from '../../shared/payments'
import type { RecordedDifferenceSchema, SandboxStatementDifferencesResultSchema, StatementDifferenceRequest } from '../../shared/statements-api'
import { writeAlipayBill } from '../../shared/statements/alipay'
import { totalsOf, type Statement, type StatementRow } from '../../shared/statements/types'
import { writeWechatBill } from '../../shared/statements/wechat'
import type { z } from 'zod'
import { checkAdmin } from '../auth'
import type { Database, Queryable } from '../db'
import { fail } from '../errors'
import { paymentFeeWith, type FeeRounding } from '../payments/fees'
import { getStore } from '../service'
import { paramsHash, tradeNo, type TradeRow } from './books'
import type { SandboxWallets } from './index'

/**
 * The sandbox wallets' daily bills, served the way the providers serve them (payments-protocols.md §4):
 *
 * - Alipay: `alipay.data.dataservice.bill.downloadurl.query` at `/sandbox/alipay/gateway.do` (form or
 *   query parameters `method`, `app_id` = the store's sandbox PID, `biz_content` = {"bill_type":"trade",
 *   "bill_date":"YYYY-MM-DD"}) answers `isp.bill_not_exist` before D+1 09:00 store time, then a
 *   `bill_download_url` that works for 30 s (platform clock) and returns the GBK ZIP.
 * - WeChat Pay: `GET /sandbox/wechat/v3/bill/tradebill?bill_date=&bill_type=ALL&mchid=` answers
 *   `NO_STATEMENT_EXIST` (400) before D+1 09:00, then `{ download_url, hash_type: SHA1, hash_value }`;
 *   the URL works for 30 s and returns the trade bill (CSV, backtick cells).
 *
 * Both calls take `Authorization: Bearer <admin token>` (the sandbox's stand-in for the providers' request
 * signatures; the platform's own statement adapters send it). The file is built when the URL is issued,
 * from the sandbox's books (sandbox_trades / sandbox_refunds) for that store's trades (wallet_payments
 * links an out_trade_no to its store), with the differences put in on purpose (PUT
 * /v1/admin/sandbox/statement-differences). The provider day is the wallets' calendar day (Beijing
 * time, WALLET_TIME_ZONE), midnight to midnight — not the store's 04:00 business-day cut-off.
 */

export const BILL_READY_HOUR = 9
/**
 * The wallets' clock: Beijing time. A provider day is midnight to midnight there, and its bill is
 * ready at 09:00 the next day — the store's own time for a store in China (the wallets' stores).
 */
export const WALLET_TIME_ZONE = 'Asia/Shanghai'
export const BILL_URL_TTL_MS = 30_000
export const ALIPAY_BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query'
export const ALIPAY_GATEWAY_PATH = '/sandbox/alipay/gateway.do'
export const WECHAT_TRADEBILL_PATH = '/sandbox/wechat/v3/bill/tradebill'
export const BILL_DOWNLOAD_PATH = '/sandbox/bills/:token'

// ---- days in a time zone ---------------------------------------------------------------------------------

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

/** Milliseconds the zone's wall clock is ahead of UTC at an instant. */
function zoneOffsetMs(ms: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    offsetFormatters.set(timeZone, f)
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second))
  return wall - Math.floor(ms / 1000) * 1000
}

/** The instant a zone's wall clock shows `date` at hh:mm. */
export function zonedTime(date: string, hour: number, minute: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const wall = Date.UTC(y, m - 1, d, hour, minute)
  let t = wall - zoneOffsetMs(wall, timeZone)
  t = wall - zoneOffsetMs(t, timeZone)
  return new Date(t)
}

export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

/** The provider day's instants: [start, end). */
export function dayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  return { start: zonedTime(date, 0, 0, timeZone), end: zonedTime(addDays(date, 1), 0, 0, timeZone) }
}

/** When a provider day's bill can be downloaded: D+1 09:00 store time. */
export function billAvailableAt(date: string, timeZone: string): Date {
  return zonedTime(addDays(date, 1), BILL_READY_HOUR, 0, timeZone)
}

// ---- the stores' sandbox merchant accounts ------------------------------------------------------------------

/** A store's sandbox account with a wallet: Alipay a 2088… PID (16 digits), WeChat Pay a 10-digit 商户号. Stable per store. */
export function sandboxMerchantId(storeId: string, wallet: Wallet): string {
  const n = BigInt(`0x${createHash('sha256').update(`${wallet}:${storeId}`).digest('hex')}`).toString()
  return wallet === 'alipay' ? `2088${n.slice(0, 12)}` : `1${n.slice(0, 9)}`
}

interface StoreRow extends Record<string, unknown> {
  id: string
  name: string
  currency: string
  time_zone: string
}

export interface BillStore {
  id: string
  currency: string
  timeZone: string
}

async function storeForMerchant(q: Queryable, wallet: Wallet, merchantId: string): Promise<BillStore | null> {
  const rows = await q.query<StoreRow>('SELECT id, name, currency, time_zone FROM stores')
  const r = rows.find((s) => sandboxMerchantId(s.id, wallet) === merchantId)
  return r ? { id: r.id, currency: r.currency, timeZone: r.time_zone } : null
}

/** A store's fee rate with a wallet (store_provider_fees), else the default, half-up. */
export async function storeFeeRate(q: Queryable, storeId: string, wallet: Wallet, defaultBasisPoints: number): Promise<{ basisPoints: number; rounding: FeeRounding; source: 'store' | 'default' }> {
  const r = await q.query<{ basis_points: number; rounding: FeeRounding }>('SELECT basis_points, rounding FROM store_provider_fees WHERE store_id = $1 AND provider = $2', [storeId, wallet])
  return r[0] ? { basisPoints: r[0].basis_points, rounding: r[0].rounding, source: 'store' } : { basisPoints: defaultBasisPoints, rounding: 'half_up', source: 'default' }
}

// ---- differences on purpose ------------------------------------------------------------------------------

type Recorded = z.infer<typeof RecordedDifferenceSchema>
type DifferencesResult = z.infer<typeof SandboxStatementDifferencesResultSchema>

interface DifferenceRow extends Record<string, unknown> {
  id: string
  store_id: string
  wallet: Wallet
  date: string
  position: number
  kind: Recorded['kind']
  out_trade_no: string
  trade_no: string
  amount: number | null
  detail: string
}

interface DifferenceDetail {
  expectedClass: Recorded['expectedClass']
  fileDate: string
  amount: number
  /** status: the trade's fields before it was made paid (put back when the day's differences are replaced). */
  before?: Partial<Record<string, unknown>>
}

const EXPECTED_CLASS: Record<Recorded['kind'], Recorded['expectedClass']> = {
  extra_payment: 'missing_locally',
  missing_payment: 'missing_at_provider',
  amount: 'amount_mismatch',
  status: 'status_mismatch',
  next_day: 'date_mismatch',
  duplicate: 'missing_locally',
}

const toRecorded = (r: DifferenceRow): Recorded => {
  const d = JSON.parse(r.detail) as DifferenceDetail
  return { id: r.id, kind: r.kind, outTradeNo: r.out_trade_no, providerRef: r.trade_no, amount: d.amount, expectedClass: d.expectedClass, fileDate: d.fileDate }
}

/**
 * Differences picked by the amount's last two digits (minor units mod 100), as the payment scenarios
 * are: a wallet payment paid on the day whose amount ends in one of these is put in the bill wrong.
 * The admin endpoint does the same for any trade, and also `extra_payment` and `status`, which need a
 * payment the till never saw or a change to the wallet's books.
 */
export const STATEMENT_DIFFERENCE_BY_SUFFIX: Readonly<Record<number, 'missing_payment' | 'amount' | 'next_day' | 'duplicate'>> = {
  81: 'missing_payment', // the bill leaves it out
  82: 'amount', // the bill says one unit (100 minor) less, or more when the payment is under one unit
  83: 'next_day', // the bill dates it to the next provider day
  84: 'duplicate', // the bill lists it twice, the second time under another provider trade number
}

/** The duplicate row's provider trade number: the same shape, its last six digits moved on (the same every time the bill is built). */
function secondTradeNo(tradeNo: string): string {
  const tail = tradeNo.slice(-6)
  return `${tradeNo.slice(0, -6)}${String((Number(tail) + 500_000) % 1_000_000).padStart(6, '0')}`
}

/** The amount a bill lists for a trade picked by the ending 82. */
export function endingAmount(amount: number): number {
  return amount > 100 ? amount - 100 : amount + 100
}

/** The day's differences picked by amount endings, for this store's trades with no recorded difference. */
async function endingDifferences(q: Queryable, storeId: string, wallet: Wallet, date: string, recorded: readonly DifferenceRow[]): Promise<DifferenceRow[]> {
  const { start, end } = dayBounds(date, WALLET_TIME_ZONE)
  const trades = await q.query<{ out_trade_no: string; trade_no: string; amount: number }>(
    `SELECT t.out_trade_no, t.trade_no, t.amount FROM sandbox_trades t JOIN wallet_payments p ON p.payment_id = t.out_trade_no
     WHERE t.wallet = $1 AND p.store_id = $2 AND t.status IN ('paid', 'reversed') AND t.paid_at >= $3 AND t.paid_at < $4 AND (t.amount % 100) IN (81, 82, 83, 84)
     ORDER BY t.paid_at, t.out_trade_no`,
    [wallet, storeId, start.toISOString(), end.toISOString()],
  )
  const taken = new Set(recorded.map((r) => r.out_trade_no))
  return trades
    .filter((t) => !taken.has(t.out_trade_no))
    .map((t, i): DifferenceRow => {
      const kind = STATEMENT_DIFFERENCE_BY_SUFFIX[t.amount % 100]!
      const amount = kind === 'amount' ? endingAmount(t.amount) : t.amount
      const detail: DifferenceDetail = { expectedClass: EXPECTED_CLASS[kind], fileDate: kind === 'next_day' ? addDays(date, 1) : date, amount }
      return {
        id: `ending-${t.out_trade_no}`,
        store_id: storeId,
        wallet,
        date,
        position: recorded.length + i,
        kind,
        out_trade_no: t.out_trade_no,
        trade_no: kind === 'duplicate' ? secondTradeNo(t.trade_no) : t.trade_no,
        amount,
        detail: JSON.stringify(detail),
      }
    })
}

/** The day's recorded differences (admin endpoint), then those its amount endings pick. */
async function dayDifferences(q: Queryable, storeId: string, wallet: Wallet, date: string): Promise<DifferenceRow[]> {
  const recorded = await q.query<DifferenceRow>('SELECT * FROM sandbox_statement_differences WHERE store_id = $1 AND wallet = $2 AND date = $3 ORDER BY position', [
    storeId,
    wallet,
    date,
  ])
  return [...recorded, ...(await endingDifferences(q, storeId, wallet, date, recorded))]
}

export async function getStatementDifferences(q: Queryable, input: { storeId: string; wallet: Wallet; date: string }): Promise<DifferencesResult> {
  await getStore(q, input.storeId)
  const day = await q.query<{ available_now: boolean }>('SELECT available_now FROM sandbox_statement_days WHERE store_id = $1 AND wallet = $2 AND date = $3', [input.storeId, input.wallet, input.date])
  const rows = await dayDifferences(q, input.storeId, input.wallet, input.date)
  return { ...input, availableNow: day[0]?.available_now ?? false, differences: rows.map(toRecorded) }
}

/** A trade of this store (its payment's store), for a difference to act on. */
async function storeTrade(q: Queryable, storeId: string, wallet: Wallet, outTradeNo: string): Promise<TradeRow> {
  const r = await q.query<TradeRow & { store_id: string | null }>(
    `SELECT t.*, p.store_id FROM sandbox_trades t LEFT JOIN wallet_payments p ON p.payment_id = t.out_trade_no WHERE t.wallet = $1 AND t.out_trade_no = $2 FOR UPDATE OF t`,
    [wallet, outTradeNo],
  )
  const row = r[0]
  if (!row || row.store_id !== storeId) fail('invalid_request', `The sandbox ${wallet} has no trade ${outTradeNo} of this store.`, [{ path: ['body', 'differences'], message: `no trade ${outTradeNo}` }])
  delete (row as Record<string, unknown>).store_id
  return row
}

function refuse(message: string): never {
  fail('invalid_request', message, [{ path: ['body', 'differences'], message }])
}

/**
 * PUT /v1/admin/sandbox/statement-differences: replaces the differences of a store's bill of one
 * provider day (undoing what the earlier ones did to the books) and records each new one.
 */
export async function setStatementDifferences(
  db: Database,
  wallets: SandboxWallets,
  input: { storeId: string; wallet: Wallet; date: string; differences: StatementDifferenceRequest[]; availableNow: boolean },
  now: Date,
): Promise<DifferencesResult> {
  return db.tx(async (q) => {
    const store = await getStore(q, input.storeId)
    const books = wallets[input.wallet].books
    const { start, end } = dayBounds(input.date, WALLET_TIME_ZONE)
    const inDay = (t: Date | null): boolean => t !== null && t.getTime() >= start.getTime() && t.getTime() < end.getTime()

    // undo the day's earlier differences
    for (const old of await dayDifferences(q, store.id, input.wallet, input.date)) {
      const d = JSON.parse(old.detail) as DifferenceDetail
      if (old.kind === 'extra_payment') await q.query('DELETE FROM sandbox_trades WHERE wallet = $1 AND out_trade_no = $2', [input.wallet, old.out_trade_no])
      if (old.kind === 'status' && d.before) {
        const t = await books.get(q, old.out_trade_no, true)
        if (t) await books.set(q, t, d.before as Partial<TradeRow>)
      }
    }
    await q.query('DELETE FROM sandbox_statement_differences WHERE store_id = $1 AND wallet = $2 AND date = $3', [store.id, input.wallet, input.date])
    await q.query(
      `INSERT INTO sandbox_statement_days (store_id, wallet, date, available_now) VALUES ($1, $2, $3, $4)
       ON CONFLICT (store_id, wallet, date) DO UPDATE SET available_now = excluded.available_now`,
      [store.id, input.wallet, input.date, input.availableNow],
    )

    const seen = new Set<string>()
    for (const [i, diff] of input.differences.entries()) {
      let outTradeNo: string
      let trade: string
      let amount: number
      let before: DifferenceDetail['before']
      if (diff.kind === 'extra_payment') {
        outTradeNo = newId()
        // paid at noon of the day, a minute apart
        const paidAt = new Date(zonedTime(input.date, 12, 0, WALLET_TIME_ZONE).getTime() + i * 60_000)
        trade = tradeNo(input.wallet, paidAt)
        amount = diff.amount
        const rate = await storeFeeRate(q, store.id, input.wallet, books.feeBasisPoints)
        const currency = store.currency as Currency
        await q.query(
          `INSERT INTO sandbox_trades (wallet, out_trade_no, kind, trade_no, amount, currency, provider_amount, subject, params_hash, scenario, status,
             scanned, customer_paid, fee_bp, fee_rounding, fee, created_at, paid_at)
           VALUES ($1, $2, 'pay', $3, $4, $5, $6, $7, $8, 'success', 'paid', true, true, $9, $10, $11, $12, $12)`,
          [
            input.wallet,
            outTradeNo,
            trade,
            amount,
            currency,
            input.wallet === 'alipay' ? minorToDecimalString(amount, currency) : String(amount),
            'Sandbox: a payment the till never recorded',
            paramsHash({ extra: outTradeNo }),
            rate.basisPoints,
            rate.rounding,
            paymentFeeWith(amount, rate.basisPoints, rate.rounding),
            paidAt.toISOString(),
          ],
        )
      } else {
        const t = await storeTrade(q, store.id, input.wallet, diff.outTradeNo)
        if (seen.has(`${diff.kind}:${t.out_trade_no}`)) refuse(`${diff.kind} of ${t.out_trade_no} is asked twice.`)
        outTradeNo = t.out_trade_no
        trade = t.trade_no
        amount = t.amount
        if (diff.kind === 'status') {
          if (t.status === 'paid' || t.status === 'reversed') refuse(`Trade ${t.out_trade_no} is already paid at the wallet: there is no status to differ.`)
          const paidAt = t.created_at.getTime() >= start.getTime() ? t.created_at : start
          if (!inDay(paidAt)) refuse(`Trade ${t.out_trade_no} was not made on ${input.date}.`)
          before = { status: t.status, paid_at: t.paid_at, fee: t.fee, scanned: t.scanned, customer_paid: t.customer_paid, closed_at: t.closed_at, decline_reason: t.decline_reason }
          await books.set(q, t, { status: 'paid', paid_at: paidAt, fee: paymentFeeWith(t.amount, t.fee_bp, t.fee_rounding ?? 'half_up'), scanned: true, customer_paid: true, closed_at: null, decline_reason: null })
        } else {
          if (t.status !== 'paid' && t.status !== 'reversed') refuse(`Trade ${t.out_trade_no} is not paid at the wallet: it is in no bill.`)
          if (!inDay(t.paid_at)) refuse(`Trade ${t.out_trade_no} was not paid on ${input.date} (provider day, midnight to midnight store time).`)
          if (diff.kind === 'amount') {
            if (diff.amount === t.amount) refuse(`Trade ${t.out_trade_no} is already ${t.amount}: there is no amount to differ.`)
            amount = diff.amount
          }
          if (diff.kind === 'duplicate') trade = tradeNo(input.wallet, t.paid_at!)
        }
      }
      seen.add(`${diff.kind}:${outTradeNo}`)
      const detail: DifferenceDetail = { expectedClass: EXPECTED_CLASS[diff.kind], fileDate: diff.kind === 'next_day' ? addDays(input.date, 1) : input.date, amount, ...(before ? { before } : {}) }
      await q.query(
        `INSERT INTO sandbox_statement_differences (id, store_id, wallet, date, position, kind, out_trade_no, trade_no, amount, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [newId(), store.id, input.wallet, input.date, i, diff.kind, outTradeNo, trade, amount, JSON.stringify(detail), now.toISOString()],
      )
    }
    return getStatementDifferences(q, { storeId: store.id, wallet: input.wallet, date: input.date })
  })
}

// ---- the bill of a day ------------------------------------------------------------------------------------

/** Whole seconds: the bills print local times to the second. */
const toSecond = (d: Date): string => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString()

interface RefundBillRow extends Record<string, unknown> {
  out_trade_no: string
  out_request_no: string
  amount: number
  fee_refunded: number
  created_at: Date
  trade_no: string
  currency: string
}

/**
 * The normalized statement of a store's bill with a wallet for one provider day, from the sandbox's
 * books: payments paid that day (fee as charged), refunds made that day (their own rows, the fee given
 * back negative), a reversal of a paid trade as a refund of what was left, with the day's differences.
 * payoutDate is T+1. Lines are 0: the writer numbers them.
 */
export async function buildDailyStatement(q: Queryable, store: BillStore, wallet: Wallet, date: string): Promise<Statement> {
  const { start, end } = dayBounds(date, WALLET_TIME_ZONE)
  const diffs = await dayDifferences(q, store.id, wallet, date)
  const fromYesterday = (await dayDifferences(q, store.id, wallet, addDays(date, -1))).filter((d) => d.kind === 'next_day')
  const extras = (await q.query<{ out_trade_no: string }>(`SELECT out_trade_no FROM sandbox_statement_differences WHERE store_id = $1 AND wallet = $2 AND kind = 'extra_payment'`, [store.id, wallet])).map(
    (r) => r.out_trade_no,
  )
  const mine = `(p.store_id = $2 OR t.out_trade_no = ANY($3::text[]))`
  const trades = await q.query<TradeRow>(
    `SELECT t.* FROM sandbox_trades t LEFT JOIN wallet_payments p ON p.payment_id = t.out_trade_no
     WHERE t.wallet = $1 AND ${mine} AND t.paid_at >= $4 AND t.paid_at < $5 ORDER BY t.paid_at, t.trade_no`,
    [wallet, store.id, extras, start.toISOString(), end.toISOString()],
  )
  const refunds = await q.query<RefundBillRow>(
    `SELECT r.out_trade_no, r.out_request_no, r.amount, r.fee_refunded, r.created_at, t.trade_no, t.currency
     FROM sandbox_refunds r JOIN sandbox_trades t ON t.wallet = r.wallet AND t.out_trade_no = r.out_trade_no LEFT JOIN wallet_payments p ON p.payment_id = t.out_trade_no
     WHERE r.wallet = $1 AND ${mine} AND r.created_at >= $4 AND r.created_at < $5 ORDER BY r.created_at, r.out_request_no`,
    [wallet, store.id, extras, start.toISOString(), end.toISOString()],
  )
  const reversals = await q.query<TradeRow & { refunds_amount: number | null; refunds_fee: number | null }>(
    `SELECT t.*, (SELECT sum(amount)::bigint FROM sandbox_refunds r WHERE r.wallet = t.wallet AND r.out_trade_no = t.out_trade_no) AS refunds_amount,
            (SELECT sum(fee_refunded)::bigint FROM sandbox_refunds r WHERE r.wallet = t.wallet AND r.out_trade_no = t.out_trade_no) AS refunds_fee
     FROM sandbox_trades t LEFT JOIN wallet_payments p ON p.payment_id = t.out_trade_no
     WHERE t.wallet = $1 AND ${mine} AND t.status = 'reversed' AND t.closed_at >= $4 AND t.closed_at < $5`,
    [wallet, store.id, extras, start.toISOString(), end.toISOString()],
  )
  const currency = store.currency
  const payoutDate = addDays(date, 1)
  const payment = (t: TradeRow, at: Date, over: Partial<StatementRow> = {}): StatementRow => {
    const amount = over.gross ?? t.amount
    const fee = over.fee ?? t.fee
    return {
      line: 0,
      type: 'payment',
      providerRef: t.trade_no,
      merchantRef: t.out_trade_no,
      refundRef: null,
      gross: amount,
      fee,
      net: amount - fee,
      currency,
      providerTime: toSecond(at),
      providerDate: date,
      batch: null,
      payoutDate,
      ...over,
    }
  }
  const byNo = new Map(trades.map((t) => [t.out_trade_no, t]))
  const rows: StatementRow[] = []
  const dropped = new Set(diffs.filter((d) => d.kind === 'missing_payment' || d.kind === 'next_day').map((d) => d.out_trade_no))
  for (const t of trades) {
    if (dropped.has(t.out_trade_no)) continue
    const changed = diffs.find((d) => d.kind === 'amount' && d.out_trade_no === t.out_trade_no)
    if (changed) {
      const amount = changed.amount!
      rows.push(payment(t, t.paid_at!, { gross: amount, fee: paymentFeeWith(amount, t.fee_bp, t.fee_rounding ?? 'half_up'), net: amount - paymentFeeWith(amount, t.fee_bp, t.fee_rounding ?? 'half_up') }))
    } else {
      rows.push(payment(t, t.paid_at!))
    }
  }
  for (const d of diffs.filter((x) => x.kind === 'duplicate')) {
    const t = byNo.get(d.out_trade_no)
    if (t) rows.push(payment(t, new Date(t.paid_at!.getTime() + 1000), { providerRef: d.trade_no }))
  }
  for (const d of fromYesterday) {
    const t = (await q.query<TradeRow>('SELECT * FROM sandbox_trades WHERE wallet = $1 AND out_trade_no = $2', [wallet, d.out_trade_no]))[0]
    // just after the provider's midnight: in this day's file
    if (t) rows.push(payment(t, new Date(start.getTime() + 5000)))
  }
  for (const r of refunds) {
    rows.push({
      line: 0,
      type: 'refund',
      providerRef: r.trade_no,
      merchantRef: r.out_trade_no,
      refundRef: r.out_request_no,
      gross: -r.amount,
      fee: -r.fee_refunded,
      net: -r.amount + r.fee_refunded,
      currency,
      providerTime: toSecond(r.created_at),
      providerDate: date,
      batch: null,
      payoutDate,
    })
  }
  for (const t of reversals) {
    const amount = t.amount - (t.refunds_amount ?? 0)
    const fee = t.fee - (t.refunds_fee ?? 0)
    if (amount <= 0) continue
    rows.push({
      line: 0,
      type: 'refund',
      providerRef: t.trade_no,
      merchantRef: t.out_trade_no,
      refundRef: null,
      gross: -amount,
      fee: -fee,
      net: -amount + fee,
      currency,
      providerTime: toSecond(t.closed_at!),
      providerDate: date,
      batch: null,
      payoutDate,
    })
  }
  const order = { payment: 0, refund: 1, fee: 2, payout: 3 } as const
  rows.sort((a, b) => a.providerTime.localeCompare(b.providerTime) || order[a.type] - order[b.type] || a.providerRef.localeCompare(b.providerRef))
  return {
    provider: wallet,
    format: wallet === 'alipay' ? 'alipay_bill_zip' : 'wechat_trade_bill',
    merchantId: sandboxMerchantId(store.id, wallet),
    date,
    currency: currency as Statement['currency'],
    rows,
    totals: totalsOf(rows),
  }
}

const hashDigits = (text: string, n: number): string => BigInt(`0x${createHash('sha256').update(text).digest('hex')}`).toString().slice(0, n)

/** The bill file of a day, in the wallet's own format (exported at the hour bills are ready). */
export function writeBill(s: Statement, store: BillStore, rate: { basisPoints: number }): { bytes: Uint8Array; fileName: string; contentType: string } {
  const exportedAt = billAvailableAt(s.date, WALLET_TIME_ZONE)
  const day = s.date.replaceAll('-', '')
  if (s.provider === 'alipay') return { bytes: writeAlipayBill(s, { exportedAt, timeZone: WALLET_TIME_ZONE }), fileName: `${s.merchantId}_${day}.csv.zip`, contentType: 'application/zip' }
  const bytes = writeWechatBill(s, {
    appId: `wx${createHash('sha256').update(`appid:${store.id}`).digest('hex').slice(0, 16)}`,
    rate: `${Math.floor(rate.basisPoints / 100)}.${String(rate.basisPoints % 100).padStart(2, '0')}%`,
    // 微信退款单号: stable per refund (the statement keeps our out_refund_no, not theirs)
    wechatRefundId: (r) => `50${hashDigits(`${r.providerRef}:${r.refundRef ?? 'reverse'}`, 27)}`,
  })
  return { bytes, fileName: `${s.merchantId}_${day}_tradebill.csv`, contentType: 'text/csv; charset=utf-8' }
}

async function billReady(q: Queryable, store: BillStore, wallet: Wallet, date: string, now: Date): Promise<boolean> {
  if (now.getTime() >= billAvailableAt(date, WALLET_TIME_ZONE).getTime()) return true
  const r = await q.query<{ available_now: boolean }>('SELECT available_now FROM sandbox_statement_days WHERE store_id = $1 AND wallet = $2 AND date = $3', [store.id, wallet, date])
  return r[0]?.available_now === true
}

// ---- HTTP ----------------------------------------------------------------------------------------------------

interface IssuedFile {
  bytes: Uint8Array
  fileName: string
  contentType: string
  expiresAt: number
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const realDate = (s: unknown): s is string => typeof s === 'string' && DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s

export function registerSandboxBills(app: FastifyInstance, o: { db: Database; clock: () => Date; adminToken: string; defaultBasisPoints: Record<Wallet, number> }): void {
  const issued = new Map<string, IssuedFile>()
  const issue = (req: FastifyRequest, f: Omit<IssuedFile, 'expiresAt'>, now: Date): string => {
    for (const [k, v] of issued) if (v.expiresAt <= now.getTime()) issued.delete(k)
    const token = randomBytes(24).toString('base64url')
    issued.set(token, { ...f, expiresAt: now.getTime() + BILL_URL_TTL_MS })
    return `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${BILL_DOWNLOAD_PATH.replace(':token', token)}`
  }

  const alipay = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    checkAdmin(req.headers.authorization, o.adminToken)
    const now = o.clock()
    const params = new URLSearchParams(req.url.split('?')[1] ?? '')
    if (Buffer.isBuffer(req.body) && req.body.length > 0) for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.set(k, v)
    const key = 'alipay_data_dataservice_bill_downloadurl_query_response'
    const answer = (body: Record<string, string>): unknown => reply.code(200).send({ [key]: body, sign: 'sandbox' })
    const invalid = (sub: string, msg: string): unknown => answer({ code: '40002', msg: 'Invalid Arguments', sub_code: sub, sub_msg: msg })
    if (params.get('method') !== ALIPAY_BILL_METHOD) return reply.code(200).send({ error_response: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' } })
    let biz: { bill_type?: unknown; bill_date?: unknown }
    try {
      biz = JSON.parse(params.get('biz_content') ?? '') as typeof biz
    } catch {
      return invalid('isv.invalid-arguments', 'biz_content 不是 JSON')
    }
    if (biz.bill_type !== 'trade') return invalid('isv.invalid-bill-type', '账单类型不支持 (the sandbox serves bill_type trade)')
    if (!realDate(biz.bill_date)) return invalid('isv.invalid-bill-date', '账单时间格式不正确 (yyyy-MM-dd)')
    const store = await storeForMerchant(o.db, 'alipay', params.get('app_id') ?? '')
    if (!store) return invalid('isv.invalid-app-id', '无效的AppID参数')
    if (store.currency !== 'CNY') return answer({ code: '40004', msg: 'Business Failed', sub_code: 'isp.bill_not_exist', sub_msg: '账单不存在 (Alipay bills are in CNY)' })
    if (!(await billReady(o.db, store, 'alipay', biz.bill_date, now))) return answer({ code: '40004', msg: 'Business Failed', sub_code: 'isp.bill_not_exist', sub_msg: '账单不存在' })
    const file = writeBill(await buildDailyStatement(o.db, store, 'alipay', biz.bill_date), store, { basisPoints: 0 })
    return answer({ code: '10000', msg: 'Success', bill_download_url: issue(req, file, now) })
  }
  app.route({ method: ['GET', 'POST'], url: ALIPAY_GATEWAY_PATH, handler: alipay })

  app.get(WECHAT_TRADEBILL_PATH, async (req, reply) => {
    const wechatDefaultBp = o.defaultBasisPoints.wechat
    checkAdmin(req.headers.authorization, o.adminToken)
    const now = o.clock()
    const q = req.query as Record<string, string | undefined>
    const error = (status: number, code: string, message: string): unknown => reply.code(status).send({ code, message })
    const type = q.bill_type ?? 'ALL'
    if (!realDate(q.bill_date)) return error(400, 'PARAM_ERROR', '账单日期格式不正确 (bill_date yyyy-MM-dd)')
    if (type !== 'ALL' && type !== 'SUCCESS' && type !== 'REFUND') return error(400, 'PARAM_ERROR', '账单类型不正确 (ALL, SUCCESS, REFUND)')
    const store = await storeForMerchant(o.db, 'wechat', q.mchid ?? '')
    if (!store) return error(400, 'MCH_NOT_EXISTS', '商户号不存在')
    if (!(await billReady(o.db, store, 'wechat', q.bill_date, now))) return error(400, 'NO_STATEMENT_EXIST', '账单文件不存在 (the bill of a day is ready the next day at 09:00)')
    const s = await buildDailyStatement(o.db, store, 'wechat', q.bill_date)
    const rows = type === 'ALL' ? s.rows : s.rows.filter((r) => r.type === (type === 'SUCCESS' ? 'payment' : 'refund'))
    const file = writeBill({ ...s, rows, totals: totalsOf(rows) }, store, await storeFeeRate(o.db, store.id, 'wechat', wechatDefaultBp))
    return reply.code(200).send({ download_url: issue(req, file, now), hash_type: 'SHA1', hash_value: createHash('sha1').update(file.bytes).digest('hex') })
  })

  app.get(BILL_DOWNLOAD_PATH, async (req, reply) => {
    const token = (req.params as { token: string }).token
    const f = issued.get(token)
    if (!f) return reply.code(404).type('text/plain').send('NoSuchKey: the bill download URL is unknown.')
    if (o.clock().getTime() >= f.expiresAt) {
      issued.delete(token)
      return reply.code(403).type('text/plain').send('AccessDenied: Request has expired (a bill download URL works for 30 s).')
    }
    return reply
      .code(200)
      .header('content-type', f.contentType)
      .header('content-disposition', `attachment; filename="${f.fileName}"`)
      .send(Buffer.from(f.bytes))
  })
}

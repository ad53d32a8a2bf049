import type { Settings } from '../../../shared/contract'
import { businessDate } from '../business-day'
import type { Db } from '../db/sqlite'
import type { LocalRecord, ReconciledMethod } from './classify'

/**
 * The till's side of a reconciliation: every QR and card tender attempt (in every state), every
 * QR and card refund, and the reversal of each voided sale's paid tender, with the business day
 * each belongs to — a completed sale's receipt day; otherwise (failed, unknown, voided, refunds not
 * posted) the store's business day of the moment it was made; a posted refund, its posting's day.
 * Read for the business days around D, so the classifier can tell a row that is another day's.
 */

const METHODS: readonly ReconciledMethod[] = ['alipay', 'wechat', 'card']

interface AttemptLite {
  id: string
  method: ReconciledMethod
  amount_minor: number
  state: string
  service_id: string | null
  reversal_service_id: string | null
  provider_ref: string | null
  paid_at: string | null
  created_at: string
  order_id: string | null
  receipt_no: string | null
  order_day: string | null
}

type AttemptRaw = [string, ReconciledMethod, number, string, string | null, string | null, string | null, string | null, string, string | null, string | null, string | null]

interface RefundLite {
  id: string
  order_id: string
  method: ReconciledMethod
  amount_minor: number
  state: string
  service_id: string | null
  provider_ref: string | null
  created_at: string
  receipt_no: string | null
  posted_day: string | null
}

/** An ISO instant `hours` hours from a yyyy-mm-dd date's UTC midnight. */
const at = (date: string, hours: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + hours * 3_600_000).toISOString()

/**
 * The till's records that can be in the providers' statements of days `from`…`to`: those made from
 * `from`'s midnight in the earliest time zone (UTC+14) to the end of `to`'s business day in the latest
 * (UTC−12, plus the cut-off), whatever business day each is of. A record of the day before `from`
 * made in that time (sold after midnight, before the cut-off) is among them: it is what tells a row
 * of the provider's day `from` that belongs to the day before.
 */
export function localRecords(db: Db, settings: Pick<Settings, 'timeZone' | 'businessDayCutoffHour'>, from: string, to: string, methods: readonly ReconciledMethod[] = METHODS): LocalRecord[] {
  const { lo, hi } = recordWindow(from, to, settings.businessDayCutoffHour)
  const marks = methods.map(() => '?').join(', ')
  // The business day of a time, once per minute of time (a day of 50,000 tenders is ~1,440 minutes; no zone is offset by seconds).
  const days = new Map<string, string>()
  const day = (iso: string): string => {
    const minute = iso.slice(0, 16)
    let d = days.get(minute)
    if (d === undefined) days.set(minute, (d = businessDate(new Date(`${minute}:00Z`), settings.timeZone, settings.businessDayCutoffHour)))
    return d
  }
  const out: LocalRecord[] = []
  // Rows as arrays (a day is tens of thousands of them): the columns of AttemptLite, in its order.
  const attempts = db
    .prepare(
      `SELECT a.id, a.method, a.amount_minor, a.state, a.service_id, a.reversal_service_id, a.provider_ref, a.paid_at, a.created_at,
         o.id AS order_id, o.receipt_no, o.business_date AS order_day
       FROM tender_attempts a JOIN checkouts c ON c.id = a.checkout_id LEFT JOIN orders o ON o.id = c.order_id
       WHERE a.created_at >= ? AND a.created_at < ? AND a.method IN (${marks})`,
    )
    .raw(true)
    .all(lo, hi, ...methods) as AttemptRaw[]
  for (const x of attempts) {
    const a: AttemptLite = {
      id: x[0],
      method: x[1],
      amount_minor: x[2],
      state: x[3],
      service_id: x[4],
      reversal_service_id: x[5],
      provider_ref: x[6],
      paid_at: x[7],
      created_at: x[8],
      order_id: x[9],
      receipt_no: x[10],
      order_day: x[11],
    }
    const d = a.order_day ?? day(a.created_at)
    // Paid, as the till has it: succeeded, or paid and then given back (a voided sale's reversal).
    const reversedAfterPaid = a.state === 'reversed' && a.paid_at !== null
    out.push({
      kind: 'tender',
      id: a.id,
      method: a.method,
      orderId: a.order_id,
      receiptNo: a.receipt_no,
      amount: a.amount_minor,
      state: a.state,
      settled: a.state === 'succeeded' || reversedAfterPaid,
      businessDate: d,
      refs: a.service_id ? [a.id, a.service_id] : [a.id],
      providerRef: a.provider_ref,
    })
    if (reversedAfterPaid) {
      out.push({
        kind: 'reversal',
        id: a.id,
        method: a.method,
        orderId: a.order_id,
        receiptNo: a.receipt_no,
        amount: a.amount_minor,
        state: 'succeeded',
        settled: true,
        businessDate: d,
        refs: a.reversal_service_id ? [a.reversal_service_id, a.id] : [a.id],
        providerRef: null,
      })
    }
  }
  const refunds = db
    .prepare(
      `SELECT r.id, r.order_id, r.method, r.amount_minor, r.state, r.service_id, r.provider_ref, r.created_at, o.receipt_no, p.business_date AS posted_day
       FROM refunds r JOIN orders o ON o.id = r.order_id LEFT JOIN postings p ON p.journal_seq = r.journal_seq
       WHERE r.created_at >= ? AND r.created_at < ? AND r.method IN (${marks})`,
    )
    .all(lo, hi, ...methods) as RefundLite[]
  for (const r of refunds) {
    const d = r.posted_day ?? day(r.created_at)
    out.push({
      kind: 'refund',
      id: r.id,
      method: r.method,
      orderId: r.order_id,
      receiptNo: r.receipt_no,
      amount: r.amount_minor,
      state: r.state,
      settled: r.state === 'succeeded',
      businessDate: d,
      refs: r.service_id ? [r.id, r.service_id] : [r.id],
      providerRef: r.provider_ref,
    })
  }
  return out
}

/** The times (ISO, UTC) the records of provider days `from`…`to` can have been made in. */
export function recordWindow(from: string, to: string, cutoffHour: number): { lo: string; hi: string } {
  return { lo: at(from, -14), hi: at(to, 24 + 12 + cutoffHour + 1) }
}

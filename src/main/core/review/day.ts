import type { Settings } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { DayFigures } from '../../../shared/ledger'
import { TENDER_METHODS, type TenderMethod } from '../../../shared/payments'
import type { ReviewDay } from '../../../shared/review-contract'
import type { ProviderSummarySchema, ReconciliationSummary } from '../../../shared/settlement-contract'
import type { z } from 'zod'
import { readClosure } from '../closures/closures'
import { nextDay } from '../settlement/classify'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { lastClosure, postingMeta } from '../ledger/days'
import { figuresWhere } from '../ledger/store'
import { listRuns } from '../settlement/run'
import { shiftExpected } from '../shifts/shifts'
import { hourOfMinute } from './clock'

/**
 * One business day of the owner's review, every figure from the one ledger.
 *
 * What "a day" is. The review is per business date (the date on receipts, postings and shifts).
 *   - Closed: a closure (Z) covers the date (its fromDate ≤ date ≤ its businessDate). In the usual
 *     case the Z covers that date alone and the day's figures ARE the Z's figures, read from the
 *     closure itself. When days were not closed and one Z swallowed several (fromDate < businessDate),
 *     each covered date shows its own part: the same sums (figuresWhere, the rules every report uses)
 *     over the postings of that date inside the Z's journal range, with that Z attached — the parts
 *     of the covered dates add up to the Z's figures exactly (test/review holds it so), and
 *     `closure.fromDate` tells the screen that the Z spans more than the day.
 *   - Open: after the last Z. The figures are the postings of that date since the last Z — what the
 *     X computes now when the open period holds that date alone (the usual case); when yesterday is
 *     still waiting for its Z beside today, each date shows its own part of the X.
 * Byhour and tender mix are summed by SQL over the same postings; shifts come from the shift tables
 * (those opened on the date); fees, payouts and the reconciliation status from the date's latest
 * reconciliation run (the statements' own figures, as the run recorded them).
 */

export interface ClosureHead {
  id: string
  number: number
  business_date: string
  from_date: string
  first_seq: number
  last_seq: number
  figures: string
}

/** Which postings make a date's figures, and whether a Z closed it. */
export interface DayScope {
  businessDate: string
  state: 'open' | 'closed'
  closure: ClosureHead | null
  /** A WHERE clause on `postings p` and its parameters. */
  where: string
  params: unknown[]
}

const CLOSURE_HEAD = 'SELECT id, number, business_date, from_date, first_seq, last_seq, figures FROM closures'

export function closedScope(c: ClosureHead, date: string): DayScope {
  return { businessDate: date, state: 'closed', closure: c, where: 'p.journal_seq >= ? AND p.journal_seq <= ? AND p.business_date = ?', params: [c.first_seq, c.last_seq, date] }
}

export function openScope(afterSeq: number, date: string): DayScope {
  return { businessDate: date, state: 'open', closure: null, where: 'p.journal_seq > ? AND p.business_date = ?', params: [afterSeq, date] }
}

/** The scope of a business date, or null when the till has nothing for it (never traded, or not yet). */
export function scopeOf(db: Db, settings: Settings, now: Date, date: string): DayScope | null {
  const c = stmt(db, `${CLOSURE_HEAD} WHERE business_date >= ? ORDER BY business_date LIMIT 1`).get(date) as ClosureHead | undefined
  if (c && c.from_date <= date) return closedScope(c, date)
  const last = lastClosure(db)
  if (last && date <= last.business_date) return null // between two Zs, with nothing posted: no such day
  const after = last?.last_seq ?? 0
  const meta = postingMeta(db, now, settings)
  if (date === meta.businessDate && meta.adjustmentOf === null) return openScope(after, date)
  const any = stmt(db, "SELECT 1 FROM postings WHERE journal_seq > ? AND business_date = ? AND kind != 'closure' LIMIT 1").get(after, date)
  return any ? openScope(after, date) : null
}

/** The figures of a scope: the Z's own when it closed this date alone, else the sums of the date's postings. */
export function scopeFigures(db: Db, s: DayScope): DayFigures {
  const c = s.closure
  if (c && c.from_date === c.business_date) return JSON.parse(c.figures) as DayFigures
  return figuresWhere(db, s.where, ...s.params)
}

/** Net by store-local hour (all 24) and net per tender method, summed by SQL over the scope's sale and refund postings. */
export function hoursAndMix(db: Db, s: DayScope, timeZone: string): Pick<ReviewDay, 'byHour' | 'tenderMix'> {
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, orders: 0, net: 0 }))
  const mix = new Map<TenderMethod, number>()
  const cache = new Map<string, number>()
  // One pass over the scope's sales and refunds, each read once with its journal time: tender lines
  // (what each method took, less refunds) summed by UTC minute and account (~1,500 × methods rows for
  // a day). A sale is counted once: on its line 1, which the sale rule (src/shared/ledger.ts) makes
  // its first tender line whenever it took money, or alone when it took none (the property test
  // holds Σ orders by hour = the day's order count).
  const rows = db
    .prepare(
      `SELECT substr(j.created_at, 1, 16) AS m, l.account AS account, sum(coalesce(l.debit_minor, 0) - coalesce(l.credit_minor, 0)) AS net,
         sum(CASE WHEN p.kind = 'sale' AND (l.line_no IS NULL OR l.line_no = 1) THEN 1 ELSE 0 END) AS orders
       FROM postings p JOIN journal j ON j.seq = p.journal_seq LEFT JOIN ledger_lines l ON l.journal_seq = p.journal_seq AND l.tag = 'tender'
       WHERE ${s.where} AND p.kind IN ('sale', 'refund') GROUP BY m, l.account`,
    )
    .raw(true)
    .all(...s.params) as [string, string | null, number, number][]
  for (const [m, account, net, orders] of rows) {
    const h = byHour[hourOfMinute(cache, m, timeZone)]!
    h.net += net
    h.orders += orders
    if (account === null) continue
    const method = account.slice('clearing:'.length) as TenderMethod
    mix.set(method, (mix.get(method) ?? 0) + net)
  }
  const tenderMix = TENDER_METHODS.filter((m) => mix.has(m)).map((method) => ({ method, net: mix.get(method)! }))
  return { byHour, tenderMix }
}

type ProviderSummary = z.infer<typeof ProviderSummarySchema>

interface RunRow {
  id: string
  at: string
  providers: string
}

/** The latest reconciliation run of a business date (the posted one with the highest journal seq). */
export function latestRun(db: Db, date: string): RunRow | undefined {
  return stmt(db, 'SELECT id, at, providers FROM reconciliations WHERE business_date = ? ORDER BY journal_seq DESC LIMIT 1').get(date) as RunRow | undefined
}

export function runProviders(r: RunRow): ProviderSummary[] {
  return JSON.parse(r.providers) as ProviderSummary[]
}

/** A run's differences: how many, and how many (and how much) still unresolved. Date mismatches put nothing in suspense and need no resolution. */
export function runDifferences(db: Db, runId: string): { differences: number; unresolved: number; unresolvedAmount: number } {
  const r = stmt(
    db,
    `SELECT count(*) AS n,
       sum(CASE WHEN d.class != 'date_mismatch' AND NOT EXISTS (SELECT 1 FROM reconciliation_resolutions x WHERE x.difference_id = d.id) THEN 1 ELSE 0 END) AS u,
       sum(CASE WHEN NOT EXISTS (SELECT 1 FROM reconciliation_resolutions x WHERE x.difference_id = d.id) THEN d.amount_minor ELSE 0 END) AS ua
     FROM reconciliation_differences d WHERE d.run_id = ?`,
  ).get(runId) as { n: number; u: number | null; ua: number | null }
  return { differences: r.n, unresolved: r.u ?? 0, unresolvedAmount: r.ua ?? 0 }
}

/** How far from a payout date the statement that shows the paying may be dated (a batch's file, the bank's day). */
const PAYOUT_WINDOW_DAYS = 7

/** Payouts received: per provider and date, what the providers' payout rows say they paid into the bank. */
export type Received = ReadonlyMap<string, number>
const receivedKey = (provider: string, date: string): string => `${provider}\u0000${date}`

/**
 * The payout rows (the paying itself: receivable → bank) of the statements the till holds now (the
 * latest of each provider, merchant and day) dated from `from` − 7 to `to` + 7 days, summed per
 * provider and payout date (the row's payout date, else its provider date). One pass over those
 * statements' rows: the days list asks once for all its days.
 */
export function receivedPayouts(db: Db, from: string, to: string): Received {
  const rows = stmt(
    db,
    `SELECT s.provider, coalesce(r.payout_date, r.provider_date) AS d, -sum(r.net_minor) AS amount
     FROM till_statements s JOIN till_statement_rows r ON r.statement_id = s.id
     WHERE s.statement_date BETWEEN ? AND ? AND r.type = 'payout'
       AND s.rowid = (SELECT max(rowid) FROM till_statements t WHERE t.statement_date = s.statement_date AND t.provider = s.provider AND t.merchant_id = s.merchant_id)
     GROUP BY s.provider, d`,
  ).all(nextDay(from, -PAYOUT_WINDOW_DAYS), nextDay(to, PAYOUT_WINDOW_DAYS)) as { provider: string; d: string; amount: number }[]
  return new Map(rows.map((r) => [receivedKey(r.provider, r.d), r.amount]))
}

/** What the providers paid on a date (null: no payout row seen for it). */
export function receivedOn(received: Received, provider: string, date: string | null): number | null {
  return date === null ? null : (received.get(receivedKey(provider, date)) ?? null)
}

/**
 * Expected payout of the run's statements: the net of the day's rows by payout date (payout rows
 * excluded: they are the paying); and what the providers' payout rows of those dates say was paid
 * (null while none is seen). Other days paid on the same date share that payout.
 */
export function expectedPayout(providers: readonly ProviderSummary[], received: Received): { expected: number; dates: string[]; due: number; received: number | null } {
  let expected = 0
  let due = 0
  let paid: number | null = null
  const dates = new Set<string>()
  const seen = new Set<string>()
  for (const p of providers) {
    for (const x of p.payouts) {
      expected += x.amount
      if (!x.date) continue
      due += x.amount
      dates.add(x.date)
      const k = receivedKey(p.provider, x.date)
      const r = receivedOn(received, p.provider, x.date)
      if (r !== null && !seen.has(k)) paid = (paid ?? 0) + r
      seen.add(k)
    }
  }
  return { expected, dates: [...dates].sort(), due, received: paid }
}

interface ShiftRow {
  id: string
  opened_at: string
  opened_by_id: string
  opened_by_name: string
  holder_id: string
  holder_name: string
  float_minor: number
  closed_at: string | null
  closed_by_id: string | null
  closed_by_name: string | null
  approved_by_id: string | null
  approved_by_name: string | null
  expected_minor: number | null
  counted_minor: number | null
  over_short_minor: number | null
  reason: string | null
}

const person = (id: string | null, name: string | null): { id: string; name: string } | null => (id === null ? null : { id, name: name ?? '' })

/** The shifts opened on a business date, oldest first: who opened, held, counted and approved; expected, counted, over/short. */
export function shiftsOfDay(db: Db, date: string): ReviewDay['shifts'] {
  const rows = stmt(
    db,
    `SELECT s.id, s.opened_at, s.opened_by_id, s.opened_by_name, s.float_minor,
       coalesce((SELECT to_id FROM shift_takeovers t WHERE t.shift_id = s.id ORDER BY t.journal_seq DESC LIMIT 1), s.opened_by_id) AS holder_id,
       coalesce((SELECT to_name FROM shift_takeovers t WHERE t.shift_id = s.id ORDER BY t.journal_seq DESC LIMIT 1), s.opened_by_name) AS holder_name,
       c.closed_at, c.closed_by_id, c.closed_by_name, c.approved_by_id, c.approved_by_name, c.expected_minor, c.counted_minor, c.over_short_minor, c.reason
     FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.business_date = ? ORDER BY s.journal_seq`,
  ).all(date) as ShiftRow[]
  return rows.map((r) => ({
    shiftId: r.id,
    openedBy: { id: r.opened_by_id, name: r.opened_by_name },
    holder: { id: r.holder_id, name: r.holder_name },
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    closedBy: person(r.closed_by_id, r.closed_by_name),
    approvedBy: person(r.approved_by_id, r.approved_by_name),
    float: r.float_minor,
    // An open shift: what the drawer should hold now (the owner's view; a blind count hides it from the cashier only).
    expected: r.closed_at === null ? shiftExpected(db, r.id) : r.expected_minor,
    counted: r.counted_minor,
    overShort: r.over_short_minor,
    reason: r.reason,
  }))
}

export interface ReviewCtx {
  db: Db
  settings: Settings
  device: Device
  now: Date
}

/** Checks a yyyy-mm-dd is a real calendar date (the contract checks only its shape). */
export function calendarDate(date: string, path = 'businessDate'): string {
  const d = new Date(`${date}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw new DaybookError('invalid_input', 'That is not a date on the calendar.', [{ path: [path], message: 'not a calendar date' }])
  }
  return date
}

export function mustScope(c: ReviewCtx, date: string): DayScope {
  const s = scopeOf(c.db, c.settings, c.now, calendarDate(date))
  if (!s) throw new DaybookError('not_found', `Nothing was posted on ${date}: there is no business day to review.`, { businessDate: date })
  return s
}

export function reviewDay(c: ReviewCtx, date: string): ReviewDay {
  const s = mustScope(c, date)
  const { db, settings } = c
  const figures = scopeFigures(db, s)
  const run = latestRun(db, date)
  const providers = run ? runProviders(run) : []
  // Read only when a run gave the day expected payouts to set them against.
  const received: Received = run ? receivedPayouts(db, date, date) : new Map()
  const summary: ReconciliationSummary | null = run ? (listRuns(db, date).find((r) => r.id === run.id) ?? null) : null
  return {
    businessDate: date,
    storeName: settings.storeName,
    deviceCode: c.device.code,
    currency: settings.currency,
    state: s.state,
    figures,
    closure: s.closure ? (readClosure(db, s.closure.id, c.device.code, settings.storeName) ?? null) : null,
    shifts: shiftsOfDay(db, date),
    fees: providers.map((p) => ({
      provider: p.provider,
      gross: p.gross,
      fee: p.fee,
      net: p.net,
      payouts: p.payouts.map((x) => ({ ...x, received: receivedOn(received, p.provider, x.date) })),
    })),
    reconciliation: summary,
    ...hoursAndMix(db, s, settings.timeZone),
  }
}

import type { ReviewDays, ReviewDaySummary } from '../../../shared/review-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import { lastClosure, postingMeta } from '../ledger/days'
import { nextDay } from '../settlement/classify'
import { closedScope, expectedPayout, latestRun, openScope, receivedPayouts, runDifferences, runProviders, scopeFigures, type ClosureHead, type DayScope, type Received, type ReviewCtx } from './day'

/**
 * The review's day list, newest first, and the 30-day net trend. Each listed date is a business date
 * with postings (or today's open day), with the same figures review-day shows for it (day.ts): the
 * Z's own figures for a date a Z closed alone, the date's postings otherwise. Reads closures newest
 * first (each a row with its figures), and sums only the open period and the rare Z that swallowed
 * several days.
 */

const TREND_DAYS = 30

/** The calendar date `days` days before `date`. */
function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

function datesIn(db: Db, where: string, ...params: unknown[]): string[] {
  return (db.prepare(`SELECT DISTINCT p.business_date AS d FROM postings p WHERE ${where} AND p.kind != 'closure' ORDER BY d DESC`).all(...params) as { d: string }[]).map((r) => r.d)
}

export function reviewDays(c: ReviewCtx, limit = 60): ReviewDays {
  const { db } = c
  const scopes: DayScope[] = []
  // The open period: the dates posted since the last Z, and today while it trades.
  const last = lastClosure(db)
  const after = last?.last_seq ?? 0
  const open = new Set(datesIn(db, 'p.journal_seq > ?', after))
  const meta = postingMeta(db, c.now, c.settings)
  if (meta.adjustmentOf === null && (!last || meta.businessDate > last.business_date)) open.add(meta.businessDate)
  for (const d of [...open].sort().reverse()) scopes.push(openScope(after, d))
  // Closed dates, newest first, until the list is full and the trend's 30 days are covered.
  const newest = scopes[0]?.businessDate ?? last?.business_date ?? meta.businessDate
  const trendFrom = minusDays(newest, TREND_DAYS - 1)
  const closures = stmt(db, 'SELECT id, number, business_date, from_date, first_seq, last_seq, figures FROM closures ORDER BY number DESC LIMIT ?').all(limit + TREND_DAYS) as ClosureHead[]
  for (const z of closures) {
    if (scopes.length >= limit && z.business_date < trendFrom) break
    if (z.from_date === z.business_date) scopes.push(closedScope(z, z.business_date))
    else for (const d of datesIn(db, 'p.journal_seq >= ? AND p.journal_seq <= ?', z.first_seq, z.last_seq)) scopes.push(closedScope(z, d))
  }
  const net = new Map<string, number>()
  const days: ReviewDaySummary[] = []
  // The payouts received around the listed days, read once (and only when a listed day has a run).
  let got: Received | undefined
  const received = (): Received => (got ??= receivedPayouts(db, scopes[scopes.length - 1]?.businessDate ?? newest, newest))
  for (const s of scopes) {
    const inList = days.length < limit
    if (!inList && s.businessDate < trendFrom) continue
    const f = scopeFigures(db, s)
    net.set(s.businessDate, f.net)
    if (!inList) continue
    const run = latestRun(db, s.businessDate)
    days.push({
      businessDate: s.businessDate,
      state: s.state,
      closureNumber: s.closure?.number ?? null,
      orders: f.counts.orders,
      grossSales: f.grossSales,
      net: f.net,
      reconciliation: run ? { runId: run.id, at: run.at, ...runDifferences(db, run.id) } : null,
      payout: run ? expectedPayout(runProviders(run), received()) : null,
    })
  }
  const trend: ReviewDays['trend'] = []
  for (let d = trendFrom; d <= newest; d = nextDay(d)) trend.push({ businessDate: d, net: net.get(d) ?? 0 })
  return { currency: c.settings.currency, days, trend }
}

import type { z } from 'zod'
import type { ErrorData, Result } from '../../../shared/errors'
import type { TenderMethod } from '../../../shared/payments'
import { reviewChannels, type ExportFile, type ExportKind, type ReviewDay, type ReviewDaySummary, type ReviewMatch } from '../../../shared/review-contract'
import { MATCH_CLASSES, type MatchClass } from '../../../shared/settlement-contract'
import { invoke } from '../api'

/**
 * What the owner's settlement review (经营回顾) computes without the core: who may see it, a day's
 * status in a word, the charts' series, the reconciliation table's filter, an export's bytes as a
 * download, and a typed call to the review channels (validated against review-contract.ts).
 */

type ReviewChannels = typeof reviewChannels
export type ReviewChannel = keyof ReviewChannels
export type ReviewInput<C extends ReviewChannel> = z.input<ReviewChannels[C]['input']>
export type ReviewOutput<C extends ReviewChannel> = z.output<ReviewChannels[C]['output']>

const UNREADABLE: ErrorData = { code: 'internal', message: 'Daybook gave an answer that could not be read.' }

/**
 * Calls a review channel through the one bridge (api.invoke) and checks the answer against the
 * review contract (the core spreads `reviewChannels` into `channels`; the cast only widens the name).
 */
export async function review<C extends ReviewChannel>(channel: C, input: ReviewInput<C>): Promise<Result<ReviewOutput<C>>> {
  const call = invoke as unknown as (c: string, i: unknown) => Promise<Result<unknown>>
  let r: Result<unknown>
  try {
    r = await call(channel, input)
  } catch {
    return { ok: false, error: UNREADABLE }
  }
  if (!r.ok) return r
  const schema: z.ZodType = reviewChannels[channel].output
  const parsed = schema.safeParse(r.value)
  if (!parsed.success) return { ok: false, error: { ...UNREADABLE, details: parsed.error.issues } }
  return { ok: true, value: parsed.data as ReviewOutput<C> }
}

/** The owner reviews; a supervisor may look; a cashier does not see the screen (the core refuses too). */
export function canReview(role: string | null | undefined): boolean {
  return role === 'owner' || role === 'supervisor'
}

/** A day's status as the list shows it. */
export type DayStatus =
  | { kind: 'open' }
  | { kind: 'closed'; z: number | null }
  | { kind: 'reconciled'; z: number | null }
  | { kind: 'differences'; z: number | null; differences: number; unresolved: number; amount: number }

export function dayStatus(d: ReviewDaySummary): DayStatus {
  if (d.state === 'open') return { kind: 'open' }
  const rec = d.reconciliation
  if (!rec) return { kind: 'closed', z: d.closureNumber }
  if (rec.differences === 0 || rec.unresolved === 0) return { kind: 'reconciled', z: d.closureNumber }
  return { kind: 'differences', z: d.closureNumber, differences: rec.differences, unresolved: rec.unresolved, amount: rec.unresolvedAmount }
}

/** Each day's net as a share (0…1) of the largest day's in the list, for the little bar beside it. */
export function trendShares(days: readonly { net: number }[]): number[] {
  const max = Math.max(0, ...days.map((d) => d.net))
  return days.map((d) => (max <= 0 ? 0 : Math.max(0, d.net) / max))
}

export interface TrendPoint {
  businessDate: string
  /** Major units (yuan), for the chart's axis. */
  value: number
  net: number
  selected: boolean
}

/** Minor units as major units for a chart (the exponent of the currency, 2 for CNY). */
export function major(minor: number, exponent = 2): number {
  return minor / 10 ** exponent
}

/** The 30-day net as the chart draws it: oldest first, the day on screen marked. */
export function trendSeries(trend: readonly { businessDate: string; net: number }[], selected: string | null, exponent = 2): TrendPoint[] {
  return [...trend]
    .sort((a, b) => a.businessDate.localeCompare(b.businessDate))
    .map((p) => ({ businessDate: p.businessDate, net: p.net, value: major(p.net, exponent), selected: p.businessDate === selected }))
}

export interface HourPoint {
  hour: number
  label: string
  orders: number
  net: number
  value: number
}

/**
 * Sales by hour, trimmed to the trading hours: from the first hour with orders to the last (at least
 * 8 hours wide, so one busy hour is not one fat bar); all 24 when nothing sold.
 */
export function hourSeries(byHour: ReviewDay['byHour'], exponent = 2, minWidth = 8): HourPoint[] {
  const all = Array.from({ length: 24 }, (_, hour) => {
    const h = byHour.find((x) => x.hour === hour)
    return { hour, label: String(hour).padStart(2, '0'), orders: h?.orders ?? 0, net: h?.net ?? 0, value: major(h?.net ?? 0, exponent) }
  })
  const busy = all.filter((h) => h.orders !== 0 || h.net !== 0)
  if (busy.length === 0) return all
  let from = busy[0]!.hour
  let to = busy[busy.length - 1]!.hour
  while (to - from + 1 < minWidth) {
    if (from > 0) from--
    if (to - from + 1 < minWidth && to < 23) to++
  }
  return all.slice(from, to + 1)
}

export interface MixSlice {
  method: TenderMethod
  net: number
  value: number
  /** Share of the positive takings, 0…1. */
  share: number
}

/** The tender mix: methods with takings, largest first; shares of the positive total. */
export function tenderMix(mix: ReviewDay['tenderMix'], exponent = 2): MixSlice[] {
  const shown = mix.filter((m) => m.net > 0)
  const total = shown.reduce((s, m) => s + m.net, 0)
  return shown
    .map((m) => ({ method: m.method, net: m.net, value: major(m.net, exponent), share: total > 0 ? m.net / total : 0 }))
    .sort((a, b) => b.net - a.net)
}

/** Colours of the tenders, the same in the chart and the table. */
export const METHOD_COLOUR: Record<TenderMethod, string> = {
  cash: '#0f766e',
  alipay: '#1677ff',
  wechat: '#07a35a',
  card: '#7c3aed',
}

/** The reconciliation table's filter: everything, the differences, the ones still open, or one class. */
export type MatchFilter = 'all' | 'differences' | 'open' | MatchClass
export const MATCH_FILTERS: readonly MatchFilter[] = ['all', 'differences', 'open', ...MATCH_CLASSES]

export function isDifference(m: Pick<ReviewMatch, 'class'>): boolean {
  return m.class !== 'matched'
}

/** What needs the owner first: open differences, then resolved ones, then the matched lines; otherwise as the core listed them. */
function rank(m: ReviewMatch): number {
  return !isDifference(m) ? 2 : m.resolution === null ? 0 : 1
}

/** The lines a filter shows, in the order above. */
export function filterMatches(list: readonly ReviewMatch[], filter: MatchFilter): ReviewMatch[] {
  return pick(list, filter)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((x) => x.m)
}

function pick(list: readonly ReviewMatch[], filter: MatchFilter): ReviewMatch[] {
  if (filter === 'all') return [...list]
  if (filter === 'differences') return list.filter(isDifference)
  if (filter === 'open') return list.filter((m) => isDifference(m) && m.resolution === null)
  return list.filter((m) => m.class === filter)
}

export function matchCounts(list: readonly ReviewMatch[]): Record<MatchFilter, number> {
  const out = Object.fromEntries(MATCH_FILTERS.map((f) => [f, 0])) as Record<MatchFilter, number>
  for (const m of list) {
    out.all += 1
    out[m.class] += 1
    if (isDifference(m)) {
      out.differences += 1
      if (m.resolution === null) out.open += 1
    }
  }
  return out
}

/** A stable key of a line of the table (a statement line, else the till's record). */
export function matchKey(m: ReviewMatch): string {
  if (m.row) return `row:${m.row.statementId}:${m.row.line}`
  if (m.local) return `local:${m.local.kind}:${m.local.id}`
  return `diff:${m.differenceId ?? ''}`
}

/** The till's amount as signed (a refund or a reversal takes money back). */
export function tillSigned(local: NonNullable<ReviewMatch['local']>): number {
  return local.kind === 'tender' ? local.amount : -local.amount
}

export const EXPORTS: readonly { kind: ExportKind; key: string }[] = [
  { kind: 'csv_orders', key: 'F2' },
  { kind: 'csv_tenders', key: 'F3' },
  { kind: 'csv_reconciliation', key: 'F4' },
  { kind: 'pdf_day', key: 'F8' },
  { kind: 'pdf_z', key: 'F9' },
]

/** Base64 to bytes (an export may be megabytes). */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/**
 * Saves an exported file: in a browser (and in the app until its shell offers a save dialog) as a
 * Blob behind a download link. Returns the file name.
 */
export function saveExport(file: ExportFile, doc: Document = document): string {
  const bytes = fromBase64(file.base64)
  const blob = new Blob([bytes.buffer as ArrayBuffer], { type: file.mime })
  const url = URL.createObjectURL(blob)
  const a = doc.createElement('a')
  a.href = url
  a.download = file.fileName
  a.rel = 'noopener'
  a.hidden = true
  doc.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return file.fileName
}

import type { z } from 'zod'
import type { ErrorData, Result } from '../../../shared/errors'
import { DIFFERENCE_CLASSES, settlementChannels, type Difference, type DifferenceClass, type MatchClass } from '../../../shared/settlement-contract'
import { invoke } from '../api'

/**
 * What the reconcile (对账) screen computes without the core: which differences a filter shows,
 * whether a resolution note is acceptable, the picture's segments, the bill file as base64, and
 * a typed call to the settlement channels (validated against settlement-contract.ts).
 */

type SettlementChannels = typeof settlementChannels
export type SettlementChannel = keyof SettlementChannels
export type SettlementInput<C extends SettlementChannel> = z.input<SettlementChannels[C]['input']>
export type SettlementOutput<C extends SettlementChannel> = z.output<SettlementChannels[C]['output']>

/**
 * Calls a settlement channel through the one bridge (api.invoke) and checks the answer against
 * the settlement contract. The channels are spread into the main contract by the core; the cast
 * only widens the channel name, the answer is still validated here.
 */
export async function settle<C extends SettlementChannel>(channel: C, input: SettlementInput<C>): Promise<Result<SettlementOutput<C>>> {
  const call = invoke as unknown as (c: string, i: unknown) => Promise<Result<unknown>>
  let r: Result<unknown>
  try {
    r = await call(channel, input)
  } catch {
    return { ok: false, error: { code: 'internal', message: 'Daybook gave an answer that could not be read.' } }
  }
  if (!r.ok) return r
  const schema: z.ZodType = settlementChannels[channel].output
  const parsed = schema.safeParse(r.value)
  if (!parsed.success) return { ok: false, error: { code: 'internal', message: 'Daybook gave an answer that could not be read.', details: parsed.error.issues } }
  return { ok: true, value: parsed.data as SettlementOutput<C> }
}

/** The table's filter: every difference, the ones still open, or one class. */
export type DifferenceFilter = 'all' | 'open' | DifferenceClass
export const FILTERS: readonly DifferenceFilter[] = ['all', 'open', ...DIFFERENCE_CLASSES]

export function filterDifferences(list: readonly Difference[], filter: DifferenceFilter): Difference[] {
  if (filter === 'all') return [...list]
  if (filter === 'open') return list.filter((d) => d.resolution === null)
  return list.filter((d) => d.class === filter)
}

/** How many differences each filter shows. */
export function filterCounts(list: readonly Difference[]): Record<DifferenceFilter, number> {
  const out = { all: list.length, open: 0 } as Record<DifferenceFilter, number>
  for (const c of DIFFERENCE_CLASSES) out[c] = 0
  for (const d of list) {
    out[d.class] += 1
    if (d.resolution === null) out.open += 1
  }
  return out
}

/** Σ of the differences not yet resolved: what is still in suspense (挂账). */
export function unresolvedSum(list: readonly Difference[]): number {
  return list.reduce((s, d) => (d.resolution === null ? s + d.amount : s), 0)
}

export const RESOLUTION_KINDS = ['explained', 'corrected', 'written_off'] as const
export type ResolutionKind = (typeof RESOLUTION_KINDS)[number]
export const NOTE_MIN = 3
export const NOTE_MAX = 500

/** Why a resolution note cannot be sent (the core trims, then wants 3–500 characters), or null. */
export function noteIssue(note: string): 'empty' | 'short' | 'long' | null {
  const n = [...note.trim()].length
  if (n === 0) return 'empty'
  if (n < NOTE_MIN) return 'short'
  if (n > NOTE_MAX) return 'long'
  return null
}

/** Colours of the classes, the same in the chips, the picture and the table. */
export const CLASS_COLOUR: Record<MatchClass, string> = {
  matched: '#1a7f37',
  missing_locally: '#b42318',
  missing_at_provider: '#c2410c',
  amount_mismatch: '#9a6700',
  status_mismatch: '#7c3aed',
  date_mismatch: '#1d4f91',
}

export interface Segment {
  cls: MatchClass
  count: number
  /** Fraction of the whole, 0…1. */
  share: number
  /** Where it starts, 0…1 of the circle. */
  start: number
}

/** The donut's pieces: matched first, then each class that has any, in the contract's order. */
export function segments(counts: Partial<Record<MatchClass, number>>): Segment[] {
  const order: MatchClass[] = ['matched', ...DIFFERENCE_CLASSES]
  const total = order.reduce((s, c) => s + (counts[c] ?? 0), 0)
  if (total === 0) return []
  const out: Segment[] = []
  let at = 0
  for (const cls of order) {
    const count = counts[cls] ?? 0
    if (count <= 0) continue
    out.push({ cls, count, share: count / total, start: at })
    at += count / total
  }
  return out
}

/** The share of matched lines, as a whole percent rounded down (99.6% is not 100%). */
export function matchedPercent(counts: Partial<Record<MatchClass, number>>): number | null {
  const total = (['matched', ...DIFFERENCE_CLASSES] as MatchClass[]).reduce((s, c) => s + (counts[c] ?? 0), 0)
  if (total === 0) return null
  return Math.floor(((counts.matched ?? 0) * 100) / total)
}

/** Bytes as base64 (chunked: a bill file may be megabytes). */
export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(bin)
}

/** The calendar day before a business date. */
export function dayBefore(ymd: string): string {
  return shiftDay(ymd, -1)
}

export function shiftDay(ymd: string, days: number): string {
  const d = new Date(`${ymd}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The day a reconciliation is usually about: the last closed day, else the day before today's. */
export function defaultReconcileDate(till: { businessDate: string; lastClosure: { businessDate: string } | null } | null): string | null {
  if (!till) return null
  return till.lastClosure?.businessDate ?? dayBefore(till.businessDate)
}

export interface Refusal {
  reason: string | null
  line: number | null
  message: string
}

/** What a refused bill file says about itself: the reason, the line and the parser's sentence. */
export function refusalOf(error: ErrorData): Refusal | null {
  if (error.code !== 'statement_refused') return null
  const d = error.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {}
  const reason = typeof d.reason === 'string' ? d.reason : null
  let line = typeof d.line === 'number' && Number.isFinite(d.line) ? d.line : null
  let message = typeof d.message === 'string' && d.message !== '' ? d.message : error.message
  const m = /^line (\d+):\s*(.*)$/s.exec(message)
  if (m) {
    line ??= Number(m[1])
    message = m[2] ?? message
  }
  return { reason, line, message }
}

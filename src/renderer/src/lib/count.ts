import { countTotal, denominationsOf, type CountLine } from '../../../shared/denominations'
import { parseMajor, type Currency } from '../../../shared/money'
import { isCurrency } from './format'

/**
 * The drawer count as the denomination grid keeps it: one row per note or coin of the store's
 * currency (a ¥1 note and a ¥1 coin are two rows), the count as typed, and — when there is no
 * table for the currency, or the cashier takes the last close's amount as it is — one "amount"
 * row holding a money amount. Totals are integer minor units, summed by the shared countTotal.
 */

export interface CountRow {
  /** 'note-100', 'coin-100', 'amount' */
  key: string
  value: number
  kind: 'note' | 'coin' | 'amount'
}

/** Row key → text typed (a count; for the amount row, money in major units). */
export type CountDraft = Readonly<Record<string, string>>

export const AMOUNT_KEY = 'amount'
/** A count is at most this many digits (the core allows up to 1,000,000 of one denomination). */
export const MAX_COUNT_DIGITS = 6

export function rowKey(kind: 'note' | 'coin', value: number): string {
  return `${kind}-${value}`
}

/** The rows of the grid for a currency: notes then coins, largest first; an amount row when there is no table. */
export function countRows(currency: string): CountRow[] {
  const table = isCurrency(currency) ? denominationsOf(currency) : []
  if (table.length === 0) return [{ key: AMOUNT_KEY, value: 0, kind: 'amount' }]
  return table.map((d) => ({ key: rowKey(d.kind, d.value), value: d.value, kind: d.kind }))
}

/** A count as typed: '' is 0, digits are the count, anything else is not a count (null). */
export function parseCount(text: string): number | null {
  const s = text.trim()
  if (s === '') return 0
  if (!/^\d+$/.test(s) || s.length > MAX_COUNT_DIGITS) return null
  return Number(s)
}

/** Pasted or typed text reduced to what a count may hold: digits only, no leading zeros, at most 6. */
export function sanitizeCount(raw: string): string {
  const digits = raw.replace(/\D/g, '').replace(/^0+(?=\d)/, '')
  return digits.slice(0, MAX_COUNT_DIGITS)
}

/** One more or one less (never below zero); zero shows as an empty field. */
export function bumpCount(text: string, delta: number): string {
  const n = Math.max(0, (parseCount(text) ?? 0) + delta)
  return n === 0 ? '' : String(Math.min(n, 10 ** MAX_COUNT_DIGITS - 1))
}

/** The amount of one row in minor units, or null when what is typed is not valid. */
export function rowTotal(row: CountRow, text: string | undefined, currency: string): number | null {
  const s = text ?? ''
  if (row.kind === 'amount') {
    if (s.trim() === '') return 0
    const v = isCurrency(currency) ? parseMajor(s, currency as Currency) : null
    return v === null || v < 0 ? null : v
  }
  const n = parseCount(s)
  return n === null ? null : n * row.value
}

/** The count lines the core takes: only rows with something in them; null when any row is not valid. */
export function draftLines(currency: string, draft: CountDraft, rows: readonly CountRow[] = countRows(currency)): CountLine[] | null {
  const lines: CountLine[] = []
  const all = draft[AMOUNT_KEY] !== undefined && !rows.some((r) => r.key === AMOUNT_KEY) ? [...rows, { key: AMOUNT_KEY, value: 0, kind: 'amount' as const }] : rows
  for (const row of all) {
    const text = draft[row.key] ?? ''
    if (row.kind === 'amount') {
      const v = rowTotal(row, text, currency)
      if (v === null) return null
      if (v > 0) lines.push({ value: v, kind: 'amount', count: 1 })
      continue
    }
    const n = parseCount(text)
    if (n === null) return null
    if (n > 0) lines.push({ value: row.value, kind: row.kind, count: n })
  }
  return lines
}

/** The total of the draft in minor units (exact), or null when any row is not valid. */
export function draftTotal(currency: string, draft: CountDraft, rows?: readonly CountRow[]): number | null {
  const lines = draftLines(currency, draft, rows)
  if (lines === null) return null
  try {
    return countTotal(lines)
  } catch {
    return null
  }
}

/** Counted lines back into a draft (to show a count again). */
export function linesToDraft(lines: readonly CountLine[], currency: string, toMajor: (minor: number) => string): Record<string, string> {
  const draft: Record<string, string> = {}
  let amount = 0
  for (const l of lines) {
    if (l.kind === 'amount') amount += l.value * Math.min(l.count, 1)
    else draft[rowKey(l.kind, l.value)] = String((parseCount(draft[rowKey(l.kind, l.value)] ?? '') ?? 0) + l.count)
  }
  if (amount > 0 || countRows(currency)[0]?.kind === 'amount') draft[AMOUNT_KEY] = amount > 0 ? toMajor(amount) : ''
  return draft
}

/** Where the focus is in the grid and whether the next digit replaces the count (just focused). */
export interface GridFocus {
  index: number
  /** True right after the row got the focus: the first digit typed replaces what is there. */
  fresh: boolean
}

export type GridKeyResult =
  | { kind: 'edit'; key: string; text: string; focus: GridFocus }
  | { kind: 'move'; focus: GridFocus }
  /** Enter (or ↓) on the last row: the count is done, the next field takes over. */
  | { kind: 'done' }

/**
 * What a key does in the grid (keyboard-first): digits type the count (the first one after the
 * row got the focus replaces it), Backspace deletes, Delete clears, + and − add or take one,
 * ↑/↓ and Enter move between rows. Tab is left to the browser (the counts are the only tab stops).
 * Amount rows take their keys as a normal text field, except the moves. Null: not the grid's key.
 */
export function gridKey(rows: readonly CountRow[], draft: CountDraft, focus: GridFocus, key: string): GridKeyResult | null {
  const row = rows[focus.index]
  if (!row) return null
  const text = draft[row.key] ?? ''
  const move = (to: number): GridKeyResult | null => (to < 0 ? null : to >= rows.length ? { kind: 'done' } : { kind: 'move', focus: { index: to, fresh: true } })
  switch (key) {
    case 'ArrowDown':
    case 'Enter':
      return move(focus.index + 1)
    case 'ArrowUp':
      return move(focus.index - 1)
    default:
      break
  }
  if (row.kind === 'amount') return null
  const edit = (next: string): GridKeyResult => ({ kind: 'edit', key: row.key, text: next, focus: { index: focus.index, fresh: false } })
  if (/^\d$/.test(key)) return edit(sanitizeCount(focus.fresh ? key : text + key))
  if (key === 'Backspace') return edit(focus.fresh ? '' : text.slice(0, -1))
  if (key === 'Delete') return edit('')
  if (key === '+' || key === '=') return edit(bumpCount(text, 1))
  if (key === '-' || key === '_') return edit(bumpCount(text, -1))
  return null
}

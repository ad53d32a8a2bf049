import Papa from 'papaparse'
import { CURRENCY_EXPONENT, MAX_MINOR, minorToDecimalString, type Currency } from '../money'
import { StatementError, type StatementRow } from './types'

/**
 * Helpers shared by the statement formats: exact decimal amounts, the providers' local clocks,
 * CSV cells and lines. Pure: no I/O, bytes in and out as Uint8Array.
 */

/**
 * The exact integer minor units of a decimal text ("12.30" → 1230 for CNY). No float anywhere: the
 * digits are read one by one into an integer (every step stays below 2^53, so it is exact), the
 * decimal point only decides how many digits follow. `padDigits` allows that many extra fractional
 * digits provided they are all zero (WeChat prints fees with 5 decimals: "0.27000" is 27 fen exactly).
 * Accepted: -?digits(.digits)? — no exponent, sign +, spaces or thousands separators.
 */
const notNumber = (text: string, line: number, what: string): StatementError => new StatementError('bad_amount', `${what} "${text}" is not a number.`, line)

export function parseAmount(text: string, currency: Currency, line: number, what: string, padDigits = 0): number {
  const e = CURRENCY_EXPONENT[currency]
  const n = text.length
  let i = text.charCodeAt(0) === 45 ? 1 : 0
  const neg = i === 1
  let v = 0
  const intStart = i
  for (; i < n; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    v = v * 10 + c
    if (v > MAX_MINOR) throw new StatementError('bad_amount', `${what} "${text}" is too large.`, line)
  }
  if (i === intStart) throw notNumber(text, line, what)
  let frac = 0
  if (i < n) {
    if (text.charCodeAt(i) !== 46) throw notNumber(text, line, what)
    const fracStart = ++i
    for (; i < n; i++) {
      const c = text.charCodeAt(i) - 48
      if (c < 0 || c > 9) throw notNumber(text, line, what)
      const k = i - fracStart
      if (k < e) v = v * 10 + c
      else if (k >= e + padDigits) throw new StatementError('bad_amount', `${what} "${text}" has more decimal places than ${currency} has.`, line)
      else if (c !== 0) throw new StatementError('bad_amount', `${what} "${text}" is not a whole number of ${e === 2 ? 'cents (fen)' : 'minor units'}.`, line)
    }
    frac = i - fracStart
    if (frac === 0) throw notNumber(text, line, what)
  }
  for (let k = Math.min(frac, e); k < e; k++) v *= 10
  if (v > MAX_MINOR) throw new StatementError('bad_amount', `${what} "${text}" is too large.`, line)
  return neg && v !== 0 ? -v : v
}

/** "12.30" for 1230 CNY; `extra` zero digits appended (WeChat's 5-decimal fees). */
export function formatAmount(minor: number, currency: Currency, extra = 0): string {
  const s = minorToDecimalString(minor, currency)
  if (extra === 0) return s
  return (CURRENCY_EXPONENT[currency] === 0 ? `${s}.` : s) + '0'.repeat(extra)
}

// ---- clocks ------------------------------------------------------------------------------------

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const pad2 = (n: number): string => String(n).padStart(2, '0')

export interface LocalTime {
  /** ISO 8601 in UTC, e.g. 2026-11-22T01:02:03.000Z */
  iso: string
  /** The local calendar date, YYYY-MM-DD. */
  date: string
}

/** Midnight UTC of a checked calendar date "YYYY-MM-DD" (a statement has few dates: cached). */
const dayCache = new Map<string, number | null>()
function dayStart(date: string): number | null {
  let ms = dayCache.get(date)
  if (ms === undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
    ms = null
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
      const t = Date.UTC(y, mo - 1, d)
      const back = new Date(t)
      if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) ms = t
    }
    if (dayCache.size > 10_000) dayCache.clear()
    dayCache.set(date, ms)
  }
  return ms
}

const digit2 = (s: string, i: number): number => {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/** "2026-11-22 09:02:03" at a fixed UTC offset (minutes east) → the UTC instant and the local date. */
export function fromLocal(text: string, offsetMinutes: number, line: number, what: string): LocalTime {
  const day = text.length === 19 && text[10] === ' ' && text[13] === ':' && text[16] === ':' ? dayStart(text.slice(0, 10)) : null
  const h = digit2(text, 11)
  const mi = digit2(text, 14)
  const s = digit2(text, 17)
  if (day === null || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    if (!LOCAL_TIME.test(text)) throw new StatementError('bad_row', `${what} "${text}" is not a date and time like 2026-11-22 09:30:00.`, line)
    throw new StatementError('bad_row', `${what} "${text}" is not a real date and time.`, line)
  }
  const ms = day + ((h * 60 + mi) * 60 + s) * 1000 - offsetMinutes * 60_000
  return { iso: new Date(ms).toISOString(), date: text.slice(0, 10) }
}

/** The UTC instant shown at a fixed offset: "2026-11-22 09:02:03". */
export function toLocal(iso: string, offsetMinutes: number): string {
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO time: ${iso}`)
  const t = new Date(ms + offsetMinutes * 60_000)
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}`
}

/** Beijing time (Asia/Shanghai): UTC+8 all year, no daylight saving since 1991. Both wallets' clock. */
export const BEIJING_OFFSET = 8 * 60

/** The offset (minutes east of UTC) of an IANA time zone at an instant, through Intl (no table of ours). */
export function zoneOffsetMinutes(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms))
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /^GMT(?:([+-])(\d{2}):?(\d{2})?)?$/.exec(name)
  if (!m) throw new RangeError(`cannot read the offset of ${timeZone}: ${name}`)
  if (!m[1]) return 0
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? '0'))
}

// ---- lines and cells ---------------------------------------------------------------------------

/** The decoded text's lines (CRLF or LF), without a final empty line after the last line break. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

export interface CsvRow {
  /** 1-based line of the decoded file where the row starts. */
  line: number
  cells: string[]
}

/**
 * Parse CSV text with Papa Parse (`firstLine` is the 1-based line of the text's first line), keeping
 * each row's line: a quoted cell may hold a line break, which moves the lines of the rows after it.
 * A final line break ends the last row (it does not start an empty one).
 */
export function parseCsvText(text: string, firstLine: number): CsvRow[] {
  if (text === '') return []
  const newline = text.includes('\r\n') ? '\r\n' : '\n'
  const body = text.endsWith(newline) ? text.slice(0, -newline.length) : text
  const parsed = Papa.parse<string[]>(body, { delimiter: ',', newline, quoteChar: '"', skipEmptyLines: false })
  const bad = parsed.errors.find((e) => e.type === 'Quotes')
  const rows: CsvRow[] = new Array(parsed.data.length)
  let line = firstLine
  const quoted = body.includes('"')
  for (let r = 0; r < parsed.data.length; r++) {
    const cells = parsed.data[r]!
    rows[r] = { line, cells }
    line += 1
    if (quoted) for (const c of cells) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) line += 1
  }
  if (bad) {
    throw new StatementError('bad_row', 'A quoted cell is not closed: the file is damaged.', rows[bad.row ?? 0]?.line ?? firstLine)
  }
  return rows
}

/** Parse consecutive CSV lines (already split; `firstLine` is the 1-based line of lines[0]). */
export function parseCsvLines(lines: readonly string[], firstLine: number): CsvRow[] {
  return lines.length === 0 ? [] : parseCsvText(lines.join('\n'), firstLine)
}

/** The text of lines `from` … `to` − 1 (0-based, LF or CRLF), each with its line break: a slice, not a copy of every line. */
export function lineSpan(text: string, from: number, to: number): string {
  let start = 0
  let i = 0
  for (; i < from && start !== -1; i++) start = text.indexOf('\n', start) + 1 || -1
  if (start === -1) return ''
  let end = start
  for (; i < to && end !== -1; i++) end = text.indexOf('\n', end) + 1 || -1
  return text.slice(start, end === -1 ? undefined : end)
}

/** Write rows of cells as CSV lines (quoting only the cells that need it), each followed by `eol`. */
export function csvLines(rows: readonly (readonly string[])[], eol: string): string {
  if (rows.length === 0) return ''
  return Papa.unparse(rows as string[][], { delimiter: ',', newline: eol, quotes: false, header: false }) + eol
}

/** Where each named column is; a missing or renamed one refuses the file. */
export function columnIndex<K extends string>(header: readonly string[], names: readonly K[], line: number, file: string, optional: readonly string[] = []): Record<K, number> {
  const at = {} as Record<K, number>
  const cells = header.map((h) => h.trim())
  for (const n of names) {
    const i = cells.indexOf(n)
    if (i === -1) {
      if (optional.includes(n)) {
        at[n] = -1
        continue
      }
      throw new StatementError('missing_column', `The ${file} has no "${n}" column: it is not the expected format, or a column was renamed.`, line)
    }
    at[n] = i
  }
  return at
}

/** The same transaction twice refuses the file. */
export class DuplicateGuard {
  private readonly seen = new Map<string, number>()
  check(key: string, line: number, what: string): void {
    const first = this.seen.get(key)
    if (first !== undefined) throw new StatementError('duplicate_row', `${what} appears twice (first on line ${first}).`, line)
    this.seen.set(key, line)
  }
}

export function rowKey(r: Pick<StatementRow, 'type' | 'providerRef' | 'refundRef'>): string {
  // A payment is its provider reference alone (no string to build for most rows); the other keys hold a NUL.
  return r.type === 'payment' ? r.providerRef : `${r.type}\u0000${r.providerRef}\u0000${r.refundRef ?? ''}`
}

/** A money cell, in major units as the file shows it (for messages). */
export function money(minor: number, currency: Currency): string {
  return `${minorToDecimalString(minor, currency)} ${currency}`
}

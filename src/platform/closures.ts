import type { z } from 'zod'
import { LedgerError, POSTING_EVENT_KIND, postingFor, sumFigures, type LedgerLine, type LineTag, type PostedEntry, type PostingKind, type PostingMeta } from '../shared/ledger'
import type { ClosureDifferenceSchema, ClosuresSchema, DayFiguresData, PlatformClosure } from '../shared/platform-api'
import { storeDate } from './dates'
import type { Queryable } from './db'
import { GENESIS_HASH, getStore, iso } from './service'

/**
 * Closure verification and the closures read API.
 *
 * A Z closure (`day.closed`) says which journal seqs of its device it covers and what they add up
 * to. The platform holds the same events (ingest is gap-free and in order, so a closure's range
 * arrived before it), so it recomputes the figures with the till's own rules (src/shared/ledger.ts
 * `postingFor` + `sumFigures`) and checks the closure continues the one before it on the device:
 * number + 1, firstSeq = previous lastSeq + 1, previousGrandTotal = previous grandTotal,
 * grandTotal = previousGrandTotal + the recomputed period total, lastHash = the hash of event
 * lastSeq. It runs in the projection step that stored the closure row (projection/; new closure
 * rows start 'pending'); a closure whose range is not all here stays 'pending' and is checked again
 * with the device's next step. The postings are read as ingest stored them (events.posting), not
 * re-derived from the payloads, except for events stored before it did.
 */

export type ClosureDifference = z.infer<typeof ClosureDifferenceSchema>
export type VerificationState = 'verified' | 'mismatch' | 'pending'

/** The event types that are postings (the payloads read when an event was stored without events.posting). */
const POSTING_TYPES = Object.keys(POSTING_EVENT_KIND)
/** Events read per query while recomputing a closure (bounds the memory a long range takes). */
const CHUNK = 10_000

interface ClosureRow extends Record<string, unknown> {
  event_id: string
  device_id: string
  closure_id: string
  number: number
  business_date: string
  from_date: string
  first_seq: number
  last_seq: number
  last_hash: string
  journal_seq: number
  figures: string
  period_total: number
  previous_grand_total: number
  grand_total: number
}

export interface Verification {
  state: VerificationState
  differences: ClosureDifference[]
}

/**
 * Verifies every closure of the device still 'pending' (those just stored, and any whose range was
 * incomplete), oldest first, and stores the outcome. Returns how many it checked.
 */
export async function verifyPendingClosures(q: Queryable, device: { id: string; time_zone: string }, now: Date): Promise<number> {
  const pending = await q.query<ClosureRow>("SELECT * FROM closures WHERE device_id = $1 AND verification = 'pending' ORDER BY journal_seq", [device.id])
  for (const c of pending) {
    const v = await verifyClosure(q, device, c)
    await q.query('UPDATE closures SET verification = $2, differences = $3, checked_at = $4 WHERE event_id = $1', [c.event_id, v.state, JSON.stringify(v.differences), now.toISOString()])
  }
  return pending.length
}

/** Recomputes one closure from the events of its range and checks it continues the previous closure. */
export async function verifyClosure(q: Queryable, device: { id: string; time_zone: string }, c: ClosureRow): Promise<Verification> {
  const differences: ClosureDifference[] = []
  const differ = (field: string, closure: number | string | null, recomputed: number | string | null, message: string): void => {
    differences.push({ field, closure, recomputed, message })
  }

  // The closure before it on this device (by journal order: a missing number shows as a gap).
  const prev = (
    await q.query<{ number: number; last_seq: number; grand_total: number; business_date: string }>(
      'SELECT number, last_seq, grand_total, business_date FROM closures WHERE device_id = $1 AND journal_seq < $2 ORDER BY journal_seq DESC LIMIT 1',
      [device.id, c.journal_seq],
    )
  )[0]
  const number = (prev?.number ?? 0) + 1
  if (c.number !== number) {
    differ('number', c.number, number, prev ? `Closure ${c.number} follows closure ${prev.number}: closure numbers must be gap-free.` : `The device's first closure is number ${c.number}, not 1.`)
  }
  const firstSeq = (prev?.last_seq ?? 0) + 1
  if (c.first_seq !== firstSeq) {
    differ('firstSeq', c.first_seq, firstSeq, prev ? `The range starts at event ${c.first_seq}, but the previous closure ended at event ${prev.last_seq}.` : `The device's first closure starts at event ${c.first_seq}, not 1.`)
  }
  const previousGrandTotal = prev?.grand_total ?? 0
  if (c.previous_grand_total !== previousGrandTotal) {
    differ('previousGrandTotal', c.previous_grand_total, previousGrandTotal, `The previous grand total is ${c.previous_grand_total} in the closure, but the previous closure's grand total is ${previousGrandTotal}.`)
  }
  if (prev && c.business_date <= prev.business_date) {
    differ('businessDate', c.business_date, null, `Business day ${c.business_date} is not after the previous closure's (${prev.business_date}): a closed day is never closed again.`)
  }
  if (c.last_seq >= c.journal_seq) differ('lastSeq', c.last_seq, c.journal_seq - 1, `The range ends at event ${c.last_seq}, but the closure is event ${c.journal_seq}: it cannot cover itself or later events.`)
  else if (c.last_seq < c.first_seq - 1) differ('lastSeq', c.last_seq, null, `The range ${c.first_seq}–${c.last_seq} ends before it starts.`)

  const hashAt = c.last_seq === 0 ? GENESIS_HASH : (await q.query<{ hash: string }>('SELECT hash FROM events WHERE device_id = $1 AND seq = $2', [device.id, c.last_seq]))[0]?.hash
  if (hashAt !== undefined && hashAt !== c.last_hash) differ('lastHash', c.last_hash, hashAt, `The last hash is not the hash of event ${c.last_seq}.`)

  // The postings of the range (never past the closure itself), in seq order: as ingest stored them
  // (events.posting), or, for events stored before it did, made from the payload now.
  const upTo = Math.min(c.last_seq, c.journal_seq - 1)
  const entries: PostedEntry[] = []
  let seen = 0
  let legacy = 0
  let minDate = null as string | null
  let maxDate = null as string | null
  const use = (seq: number, p: EventPosting | null): void => {
    if (p === null) return
    if ('error' in p) {
      differ(`events.${seq}`, null, null, `Event ${seq} is in the range but cannot be posted: ${p.error}.`)
      return
    }
    if (p.legacy) legacy++
    else if (p.kind !== 'closure') {
      if (minDate === null || p.meta.businessDate < minDate) minDate = p.meta.businessDate
      if (maxDate === null || p.meta.businessDate > maxDate) maxDate = p.meta.businessDate
    }
    entries.push({ seq, kind: p.kind, refId: p.refId, meta: p.meta, lines: p.lines })
  }
  for (let from = c.first_seq; from <= upTo; from += CHUNK) {
    const to = Math.min(upTo, from + CHUNK - 1)
    // One row per chunk (the stored postings as one JSON array [seq, posting, seq, posting, …]):
    // on PGlite, per-row overhead, more than bytes, is what a range of 50,000 events costs.
    const agg = (
      await q.query<{ n: number; postings: string | null; raw: number }>(
        `SELECT count(*)::bigint AS n, string_agg(seq::text || ',' || posting, ',') AS postings,
           count(*) FILTER (WHERE posting IS NULL AND type = ANY($4::text[]))::bigint AS raw
         FROM events WHERE device_id = $1 AND seq BETWEEN $2 AND $3`,
        [device.id, from, to, POSTING_TYPES],
      )
    )[0]!
    seen += agg.n
    const flat = JSON.parse(`[${agg.postings ?? ''}]`) as (number | StoredPosting)[]
    const chunk: { seq: number; p: EventPosting | null }[] = []
    for (let i = 0; i < flat.length; i += 2) chunk.push({ seq: flat[i] as number, p: fromStored(flat[i + 1] as StoredPosting) })
    let sorted = true
    for (let i = 1; i < chunk.length && sorted; i++) sorted = chunk[i - 1]!.seq < chunk[i]!.seq
    if (agg.raw > 0) {
      // Postings of events stored before ingest wrote them: made from the payload now.
      const raw = await q.query<{ seq: number; type: string; at: string; data: string }>(
        'SELECT seq, type, at, data FROM events WHERE device_id = $1 AND seq BETWEEN $2 AND $3 AND posting IS NULL AND type = ANY($4::text[])',
        [device.id, from, to, POSTING_TYPES],
      )
      for (const r of raw) chunk.push({ seq: r.seq, p: postingOf(r.type, r.at, JSON.parse(r.data) as unknown, device.time_zone) })
      sorted = false
    }
    // (string_agg without ORDER BY: the range scan gives seq order in practice, which is checked, not assumed.)
    if (!sorted) chunk.sort((x, y) => x.seq - y.seq)
    for (const x of chunk) use(x.seq, x.p)
  }
  const complete = seen === Math.max(0, upTo - c.first_seq + 1)
  if (!complete) return { state: differences.length > 0 ? 'mismatch' : 'pending', differences }

  const recomputed = sumFigures(entries)
  const claimed = JSON.parse(c.figures) as DayFiguresData
  for (const d of diffFigures(claimed, recomputed)) differences.push(d)
  if (c.period_total !== recomputed.net) {
    differ('periodTotal', c.period_total, recomputed.net, `The period total is ${c.period_total} in the closure; the events of ${c.first_seq}–${c.last_seq} net ${recomputed.net}.`)
  }
  const grandTotal = previousGrandTotal + recomputed.net
  if (c.grand_total !== grandTotal) {
    differ('grandTotal', c.grand_total, grandTotal, `The grand total is ${c.grand_total} in the closure, but the previous grand total ${previousGrandTotal} plus the period's net ${recomputed.net} is ${grandTotal}.`)
  }
  // The business days the range covers (postings without meta take their day from the till's
  // cutoff hour, which the platform does not know: with them, fromDate is only an upper bound).
  const fromDate = minDate ?? c.business_date
  if (legacy === 0 ? c.from_date !== fromDate : c.from_date > fromDate) {
    differ('fromDate', c.from_date, fromDate, `The closure starts at business day ${c.from_date}, but the earliest posting it covers is of ${fromDate}.`)
  }
  if (maxDate !== null && c.business_date < maxDate) {
    differ('businessDate', c.business_date, maxDate, `The closure closes business day ${c.business_date}, but it covers postings of ${maxDate}.`)
  }
  return { state: differences.length > 0 ? 'mismatch' : 'verified', differences }
}

// ---- an event's posting, as ingest stores it ----------------------------------------------------------

/** The posting an event makes (src/shared/ledger.ts), with its day resolved; or why it cannot be posted. */
export type EventPosting = { kind: PostingKind; refId: string; meta: PostingMeta; legacy: boolean; lines: LedgerLine[] } | { error: string }

/**
 * The posting of an event, or null when its type is not a posting. An event journaled before the
 * ledger has no posting meta: it takes the sale's own business day, else the store-local day of
 * its `at`, and no shift (the figures do not depend on either; only adjustments do, and such an
 * event never is one).
 */
export function postingOf(type: string, at: string, data: unknown, timeZone: string): EventPosting | null {
  let p
  try {
    p = postingFor(type, data)
  } catch (e) {
    if (e instanceof LedgerError) return { error: e.message }
    throw e
  }
  if (!p) return null
  if (p.meta) return { kind: p.kind, refId: p.refId, meta: p.meta, legacy: false, lines: p.lines }
  const saleDay = p.kind === 'sale' ? (data as { businessDate?: unknown }).businessDate : undefined
  const businessDate = typeof saleDay === 'string' ? saleDay : storeDate(at, timeZone)
  return { kind: p.kind, refId: p.refId, meta: { businessDate, shiftId: null, adjustmentOf: null }, legacy: true, lines: p.lines }
}

/**
 * events.posting: compact JSON, written at ingest (where the payload is parsed anyway) so that a
 * closure of 50,000 orders reads ~300 bytes per order instead of the whole order.
 * {k: kind, r: refId, d: businessDate, s: shiftId, a: adjustmentOf, x: 1 when without meta, l: [[account, tag, amount, rate]]} | {e: error}
 */
export function postingText(p: EventPosting | null): string | null {
  if (p === null) return null
  if ('error' in p) return JSON.stringify({ e: p.error })
  return JSON.stringify({ k: p.kind, r: p.refId, d: p.meta.businessDate, s: p.meta.shiftId, a: p.meta.adjustmentOf, x: p.legacy ? 1 : 0, l: p.lines.map((l) => [l.account, l.tag, l.amount, l.rate]) })
}

type StoredLine = [string, LineTag, number, string | null]
type StoredPosting = { e: string } | { k: PostingKind; r: string; d: string; s: string | null; a: string | null; x: number; l: StoredLine[] }

function fromStored(j: StoredPosting): EventPosting {
  if ('e' in j) return { error: j.e }
  return {
    kind: j.k,
    refId: j.r,
    meta: { businessDate: j.d, shiftId: j.s, adjustmentOf: j.a },
    legacy: j.x === 1,
    lines: j.l.map(([account, tag, amount, rate]) => ({ account, tag, amount, rate })),
  }
}

type Flat = Map<string, number | string>

/** The figures as field → value, collections keyed by identity (tender method, tax and rate, adjustment seq). */
function flatten(f: DayFiguresData, twice: string[]): Flat {
  const m: Flat = new Map()
  const set = (k: string, v: number | string): void => {
    m.set(k, v)
  }
  const seen = new Set<string>()
  /** A collection entry; one listed twice is reported (its later values win). */
  const entry = (prefix: string): boolean => {
    if (seen.has(prefix)) twice.push(prefix)
    seen.add(prefix)
    return true
  }
  for (const [k, v] of Object.entries(f.counts)) set(`figures.counts.${k}`, v)
  for (const k of ['grossSales', 'discounts', 'refunds', 'rounding', 'net'] as const) set(`figures.${k}`, f[k])
  for (const t of f.tenders) {
    const p = `figures.tenders.${t.method}`
    if (entry(p)) for (const k of ['sales', 'refunds', 'net'] as const) set(`${p}.${k}`, t[k])
  }
  for (const t of f.taxes) {
    const p = `figures.taxes.${t.taxId}@${t.rate}`
    if (entry(p)) for (const k of ['collected', 'refunded', 'net'] as const) set(`${p}.${k}`, t[k])
  }
  for (const [k, v] of Object.entries(f.cash)) set(`figures.cash.${k}`, v)
  for (const a of f.adjustments) {
    const p = `figures.adjustments.${a.seq}`
    if (entry(p)) for (const k of ['kind', 'refId', 'naturalDate', 'amount'] as const) set(`${p}.${k}`, a[k])
  }
  return m
}

/** Every figure the closure states differently from the recomputation (or states and it lacks, or the reverse). */
export function diffFigures(claimed: DayFiguresData, recomputed: DayFiguresData): ClosureDifference[] {
  const twice: string[] = []
  const a = flatten(claimed, twice)
  const b = flatten(recomputed, [])
  const out: ClosureDifference[] = twice.map((field) => ({ field, closure: null, recomputed: null, message: `${field} is listed more than once in the closure.` }))
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(field) ?? null
    const y = b.get(field) ?? null
    if (x !== y) out.push({ field, closure: x, recomputed: y, message: `${field} is ${x ?? 'absent'} in the closure, ${y ?? 'absent'} recomputed from its events.` })
  }
  return out
}

// ---- the read API ------------------------------------------------------------------------------------

type Closures = z.output<typeof ClosuresSchema>

export async function storeClosures(db: Queryable, storeId: string, q: { from?: string; to?: string; deviceId?: string }): Promise<Closures> {
  await getStore(db, storeId)
  const params: unknown[] = [storeId, q.from ?? '0000-01-01', q.to ?? '9999-12-31']
  if (q.deviceId) params.push(q.deviceId)
  const rows = await db.query<ClosureRow & Record<string, unknown>>(
    `SELECT c.*, d.name AS device_name FROM closures c JOIN devices d ON d.id = c.device_id
     WHERE c.store_id = $1 AND c.business_date BETWEEN $2 AND $3${q.deviceId ? ' AND c.device_id = $4' : ''}
     ORDER BY c.business_date, d.name, c.device_id, c.journal_seq`,
    params,
  )
  const closures: PlatformClosure[] = rows.map((r) => ({
    id: r.closure_id,
    eventId: r.event_id,
    storeId,
    deviceId: r.device_id,
    deviceName: String(r.device_name),
    deviceCode: String(r.device_code),
    number: r.number,
    businessDate: r.business_date,
    fromDate: r.from_date,
    firstSeq: r.first_seq,
    lastSeq: r.last_seq,
    lastHash: r.last_hash,
    journalSeq: r.journal_seq,
    currency: r.currency as PlatformClosure['currency'],
    figures: JSON.parse(r.figures) as DayFiguresData,
    periodTotal: r.period_total,
    previousGrandTotal: r.previous_grand_total,
    grandTotal: r.grand_total,
    closedBy: { id: String(r.closed_by_id), name: String(r.closed_by_name) },
    closedAt: String(r.closed_at),
    receivedAt: iso(r.received_at),
    verification: {
      state: r.verification as VerificationState,
      differences: JSON.parse(String(r.differences)) as ClosureDifference[],
      checkedAt: iso(r.checked_at ?? r.received_at),
    },
  }))
  return { storeId, closures }
}

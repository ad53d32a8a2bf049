import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, type IngestResponse } from '../../../shared/platform-api'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { JournalRow } from '../journal'

export interface Batch {
  /** The request body, exactly as sent: `{"events":[...]}`. */
  body: string
  bytes: number
  events: { seq: number; eventId: string; hash: string }[]
  firstSeq: number
  lastSeq: number
}


export interface BatchLimits {
  maxEvents: number
  maxBytes: number
}

export const DEFAULT_LIMITS: BatchLimits = { maxEvents: MAX_BATCH_EVENTS, maxBytes: MAX_BATCH_BYTES }

const HEAD = '{"events":['
const TAIL = ']}'

/**
 * The next batch of unsent events after seq `after` (the batches already in flight end there), in
 * sequence order and without a hole, at most `maxEvents`
 * events and `maxBytes` body bytes (one event over the byte limit goes alone). The journal keeps
 * each payload as canonical JSON, so the wire event is put together from the stored text: no
 * parse and re-serialise per event, and the bytes counted are the bytes sent.
 */
export function nextBatch(db: Db, limits: BatchLimits = DEFAULT_LIMITS, after = 0): Batch | null {
  // Rows one at a time (not .all()): a byte limit reached after 200 big events reads no more.
  // A fresh statement, since a cached one cannot be reused while its cursor is open.
  const rows = db
    .prepare(
      `SELECT j.seq, j.event_id, j.device_id, j.type, j.created_at, j.payload, j.prev_hash, j.hash
       FROM outbox o JOIN journal j ON j.seq = o.seq WHERE o.sent_at IS NULL AND o.seq > ? ORDER BY o.seq LIMIT ?`,
    )
    .iterate(after, Math.max(1, Math.min(limits.maxEvents, MAX_BATCH_EVENTS))) as IterableIterator<JournalRow>
  const parts: string[] = []
  const events: Batch['events'] = []
  let bytes = HEAD.length + TAIL.length
  for (const r of rows) {
    if (events.length > 0 && r.seq !== events[events.length - 1]!.seq + 1) break
    const part =
      `{"id":${JSON.stringify(r.event_id)},"device":${JSON.stringify(r.device_id)},"seq":${r.seq},"type":${JSON.stringify(r.type)},` +
      `"at":${JSON.stringify(r.created_at)},"data":${r.payload},"prevHash":${JSON.stringify(r.prev_hash)},"hash":${JSON.stringify(r.hash)}}`
    const size = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0)
    if (parts.length > 0 && bytes + size > limits.maxBytes) break
    parts.push(part)
    bytes += size
    events.push({ seq: r.seq, eventId: r.event_id, hash: r.hash })
  }
  rows.return?.()
  if (events.length === 0) return null
  return { body: HEAD + parts.join(',') + TAIL, bytes, events, firstSeq: events[0]!.seq, lastSeq: events[events.length - 1]!.seq }
}

/**
 * Checks an acknowledged answer against the batch it answers and marks the batch sent, with the
 * platform's received time per event, in one transaction. Returns a reason instead when the
 * answer does not account for every event: then nothing is marked.
 */
export function markSent(db: Db, batch: Batch, answer: IngestResponse, sentAt: string): string | null {
  const bySeq = new Map(answer.results.map((r) => [r.seq, r]))
  for (const e of batch.events) {
    const r = bySeq.get(e.seq)
    if (!r || r.eventId !== e.eventId) return `the answer does not acknowledge event ${e.seq}`
  }
  if (answer.lastSeq < batch.lastSeq) return `the platform says its last event is ${answer.lastSeq}, before ${batch.lastSeq}`
  if (answer.lastSeq === batch.lastSeq && answer.lastHash !== batch.events[batch.events.length - 1]!.hash) {
    return `the platform's hash of event ${answer.lastSeq} is not the journal's`
  }
  const mark = stmt(db, 'UPDATE outbox SET sent_at = ?, received_at = ?, last_error = NULL WHERE seq = ? AND event_id = ?')
  db.transaction(() => {
    for (const e of batch.events) mark.run(sentAt, bySeq.get(e.seq)!.receivedAt, e.seq, e.eventId)
  })()
  return null
}

/** Counts a failed attempt on the rows of a batch (attempts, last_error), for support. */
export function recordAttempt(db: Db, batch: Batch, error: string): void {
  stmt(db, 'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL').run(error.slice(0, 200), batch.firstSeq, batch.lastSeq)
}

/** The platform lost events (restored from a backup): send everything from `fromSeq` again. */
export function markUnsentFrom(db: Db, fromSeq: number): number {
  return stmt(db, 'UPDATE outbox SET sent_at = NULL, received_at = NULL WHERE seq >= ? AND sent_at IS NOT NULL').run(fromSeq).changes
}

/** Highest seq the till believes the platform has (the end of the sent prefix), 0 if none. */
export function lastSentSeq(db: Db): number {
  const r = stmt(db, 'SELECT max(seq) AS s FROM outbox WHERE sent_at IS NOT NULL').get() as { s: number | null }
  return r.s ?? 0
}

export function pendingSummary(db: Db): { pending: number; oldestPendingAt: string | null } {
  const { n } = stmt(db, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }
  if (n === 0) return { pending: 0, oldestPendingAt: null }
  const first = stmt(db, 'SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1').get() as { created_at: string } | undefined
  return { pending: n, oldestPendingAt: first?.created_at ?? null }
}

/** The journal's hash at a seq, or null past its end. */
export function journalHashAt(db: Db, seq: number): string | null {
  const r = stmt(db, 'SELECT hash FROM journal WHERE seq = ?').get(seq) as { hash: string } | undefined
  return r?.hash ?? null
}

/**
 * After pairing (again): the platform's lastSeq/lastHash is the truth. Events up to lastSeq are
 * sent if the platform's hash there is the journal's; everything after is unsent. Returns false
 * (and marks nothing sent) when the hashes differ: the platform holds another chain.
 */
export function alignWithPlatform(db: Db, lastSeq: number, lastHash: string, at: string): boolean {
  return db.transaction(() => {
    stmt(db, 'UPDATE outbox SET sent_at = NULL, received_at = NULL WHERE seq > ? AND sent_at IS NOT NULL').run(lastSeq)
    if (lastSeq === 0) return true
    if (journalHashAt(db, lastSeq) !== lastHash) {
      stmt(db, 'UPDATE outbox SET sent_at = NULL, received_at = NULL WHERE sent_at IS NOT NULL').run()
      return false
    }
    stmt(db, 'UPDATE outbox SET sent_at = ? WHERE seq <= ? AND sent_at IS NULL').run(at, lastSeq)
    return true
  })()
}

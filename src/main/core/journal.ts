import { createHash } from 'node:crypto'
import { canonicalJson } from '../../shared/canonical-json'
import type { JournalReport } from '../../shared/contract'
import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'
import { recordPosting } from './ledger/store'

/**
 * The per-device journal: every posted record is an event with a gap-free sequence number and
 * hash = sha256(prev_hash + canonical_json(event)). The same transaction writes its outbox row,
 * so sync can never miss or invent an event.
 */
export const GENESIS_HASH = '0'.repeat(64)

export interface JournalEvent {
  id: string
  device: string
  seq: number
  type: string
  at: string
  data: unknown
}

export interface Appended {
  eventId: string
  seq: number
  hash: string
}

export function eventHash(prevHash: string, event: JournalEvent): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(event))
    .digest('hex')
}

/**
 * Must run inside the caller's transaction: the event belongs to the record it posts. An event
 * that is a posting (src/shared/ledger.ts) writes its ledger lines here too, in the same transaction.
 */
export function appendEvent(db: Db, deviceId: string, type: string, at: string, data: unknown): Appended {
  if (!db.inTransaction) throw new Error('appendEvent must run inside the posting transaction')
  const last = stmt(db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined
  const seq = (last?.seq ?? 0) + 1
  const prevHash = last?.hash ?? GENESIS_HASH
  const event: JournalEvent = { id: newId(), device: deviceId, seq, type, at, data }
  const hash = eventHash(prevHash, event)
  stmt(db, 
    'INSERT INTO journal (seq, event_id, device_id, type, created_at, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(seq, event.id, deviceId, type, at, canonicalJson(data), prevHash, hash)
  stmt(db, 'INSERT INTO outbox (event_id, seq, created_at) VALUES (?, ?, ?)').run(event.id, seq, at)
  recordPosting(db, seq, type, data)
  return { eventId: event.id, seq, hash }
}

/** A journal row as stored (payload is the event's data as canonical JSON). */
export interface JournalRow {
  seq: number
  event_id: string
  device_id: string
  type: string
  created_at: string
  payload: string
  prev_hash: string
  hash: string
}

/** Walks the whole journal and reports the first gap, broken link or wrong hash. */
export function verifyJournal(db: Db): JournalReport {
  let expectedSeq = 1
  let prevHash = GENESIS_HASH
  let events = 0
  const rows = db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as Iterable<JournalRow>
  for (const r of rows) {
    const fail = (kind: 'gap' | 'broken_link' | 'bad_hash' | 'bad_payload', message: string): JournalReport => ({
      ok: false,
      events,
      lastSeq: expectedSeq - 1,
      lastHash: prevHash,
      problem: { kind, seq: r.seq, message },
    })
    if (r.seq !== expectedSeq) return fail('gap', `expected event ${expectedSeq} but found ${r.seq}: events ${expectedSeq}–${r.seq - 1} are missing`)
    if (r.prev_hash !== prevHash) return fail('broken_link', `event ${r.seq} does not point at the hash of event ${r.seq - 1}`)
    let data: unknown
    try {
      data = JSON.parse(r.payload)
      if (canonicalJson(data) !== r.payload) return fail('bad_payload', `event ${r.seq} payload is not in canonical form`)
    } catch {
      return fail('bad_payload', `event ${r.seq} payload is not valid JSON`)
    }
    const event: JournalEvent = { id: r.event_id, device: r.device_id, seq: r.seq, type: r.type, at: r.created_at, data }
    if (eventHash(prevHash, event) !== r.hash) return fail('bad_hash', `event ${r.seq} does not match its hash: it was altered`)
    prevHash = r.hash
    expectedSeq++
    events++
  }
  return { ok: true, events, lastSeq: expectedSeq - 1, lastHash: prevHash, problem: null }
}

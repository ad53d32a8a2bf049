import { createHash } from 'node:crypto'
import { canonicalJson } from '../../shared/canonical-json'
import { storedEventHash } from './verify/chain'
import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { rawStmt, stmt } from './db/statements'
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
  const last = rawStmt(db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as [seq: number, hash: string] | undefined
  const seq = (last?.[0] ?? 0) + 1
  const prevHash = last?.[1] ?? GENESIS_HASH
  const id = newId()
  // The payload is encoded once: the event's canonical JSON is that text between the other five
  // fields in key order (verify/chain.ts storedEventHash; test/core/journal-hash.test.ts holds it
  // equal to eventHash), so the stored payload and the hashed bytes are one string.
  const payload = canonicalJson(data)
  const hash = storedEventHash(prevHash, id, deviceId, seq, type, at, payload)
  stmt(db, 
    'INSERT INTO journal (seq, event_id, device_id, type, created_at, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(seq, id, deviceId, type, at, payload, prevHash, hash)
  stmt(db, 'INSERT INTO outbox (event_id, seq, created_at) VALUES (?, ?, ?)').run(id, seq, at)
  recordPosting(db, seq, type, data)
  return { eventId: id, seq, hash }
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

/**
 * Verifies the ledger: the hash chain, every posted table against the journal, every posting's
 * balance, the closures and the journal's end (verify/verify.ts). The 'journal-verify' channel and
 * `npm run daybook -- verify` both answer with it.
 */
export { verifyLedger as verifyJournal } from './verify/verify'

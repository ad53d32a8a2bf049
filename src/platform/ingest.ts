import type { IngestResponse, WireEvent } from '../shared/platform-api'
import type { Database, Queryable } from './db'
import { fail } from './errors'
import { prepareEvents, type IngestEvent, type PreparedBatch } from './ingest-prepare'
import { iso, type DeviceRow } from './service'

/**
 * Event ingest: the append to the event store, all or nothing. What the till must know when it is
 * answered is that its events are durably stored and chain-checked; the reporting tables (orders,
 * lines, tenders, refunds, voids, shifts, movements, closures) are filled afterwards from the event
 * store by the projector (projection/), in order, restartably.
 *
 * The device row is locked FOR UPDATE, so the batches of one device apply one after the other;
 * other devices proceed in parallel. Per event, in this order:
 *   1. its `device` must be the device's journal id (event_invalid);
 *   2. an id already stored: same device, seq and payload hash → 'duplicate' with the stored
 *      receivedAt; anything else → event_conflict. A seq already stored under another id → event_conflict;
 *   3. a new event must be lastSeq + 1 (sequence_gap, saying exactly which seqs are missing), point at
 *      the last hash (chain_broken), and carry its own correct hash (hash_mismatch).
 * The new events are then appended with one multi-row INSERT (with each event's ledger posting,
 * events.posting, which closure verification reads) and the device's head moves, in one statement.
 * Any refusal rolls the whole batch back; only chain-level problems are refused: a chain-valid event
 * whose payload cannot be normalized is stored and flagged by the projector (events.normalize_error).
 */

interface StoredEvent extends Record<string, unknown> {
  event_id: string
  device_id: string
  seq: number
  hash: string
  received_at: Date
}

type EventResult = IngestResponse['results'][number]

type IngestDevice = DeviceRow & { time_zone: string }

/** Kept for callers that pass a logger: ingest itself no longer normalizes (the projector warns). */
export type IngestWarn = (fields: Record<string, unknown>, message: string) => void

/** PostgreSQL's unique_violation: an event id the fast path did not look up is stored already. */
const UNIQUE_VIOLATION = '23505'

/**
 * A batch as the app hands it over: prepared already (ingest-prepare.ts, in a worker thread), for
 * the store's time zone it was prepared in; or as it came (tests), prepared here.
 */
export type IngestBatch = { events: readonly IngestEvent[]; prepared: PreparedBatch; timeZone: string } | { events: readonly WireEvent[] }

export async function ingest(db: Database, deviceId: string, batch: IngestBatch, now: Date): Promise<IngestResponse> {
  try {
    return await db.tx((q) => ingestIn(q, deviceId, batch, now, true))
  } catch (e) {
    // The fast path skips the lookup of stored ids when the batch continues the device's head; an id
    // stored already (under another device) then fails the insert: the full checks say which error.
    if ((e as { code?: unknown }).code !== UNIQUE_VIOLATION) throw e
    return db.tx((q) => ingestIn(q, deviceId, batch, now, false))
  }
}

async function ingestIn(q: Queryable, deviceId: string, batch: IngestBatch, now: Date, fast: boolean): Promise<IngestResponse> {
  const receivedAt = now.toISOString()
  const device = (await q.query<IngestDevice>('SELECT d.*, s.time_zone FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1 FOR UPDATE OF d', [deviceId]))[0]
  if (!device) fail('unknown_device', 'No paired device has this id.')
  const { events } = batch
  // Prepared for the store's time zone as the request's verification read it; nothing changes a store's time
  // zone, and a change by hand in between fails this one batch (500), which the till sends again.
  if ('prepared' in batch && batch.timeZone !== device.time_zone) throw new Error(`batch prepared for time zone ${batch.timeZone}, the store's is ${device.time_zone}`)
  const prepared = 'prepared' in batch ? batch.prepared : prepareEvents(batch.events, device.time_zone)

  // The batch itself: strictly consecutive seqs.
  for (let i = 1; i < events.length; i++) {
    const prev = events[i - 1]!
    const e = events[i]!
    if (e.seq > prev.seq + 1) {
      fail('sequence_gap', `The batch skips from event ${prev.seq} to ${e.seq}: events ${prev.seq + 1}–${e.seq - 1} are missing.`, {
        expectedSeq: prev.seq + 1,
        receivedSeq: e.seq,
        missingFrom: prev.seq + 1,
        missingTo: e.seq - 1,
      })
    }
    if (e.seq !== prev.seq + 1) fail('event_invalid', `Events must be in sequence order: ${e.seq} follows ${prev.seq}.`, { seq: e.seq })
  }

  const first = events[0]!.seq
  const last = events[events.length - 1]!.seq
  // A batch that starts right after the device's head holds no event of this device already stored
  // (its seqs are all new): the lookup is only needed for re-sent events (and ids of another device,
  // which the insert's primary key catches; see ingest above).
  const stored =
    fast && first === device.last_seq + 1
      ? []
      : await q.query<StoredEvent>('SELECT event_id, device_id, seq, hash, received_at FROM events WHERE event_id = ANY($1::text[]) OR (device_id = $2 AND seq BETWEEN $3 AND $4)', [
          events.map((e) => e.id),
          device.id,
          first,
          last,
        ])
  const byId = new Map(stored.map((s) => [s.event_id, s]))
  const bySeq = new Map(stored.filter((s) => s.device_id === device.id).map((s) => [s.seq, s]))

  let lastSeq = device.last_seq
  let lastHash = device.last_hash
  const results: EventResult[] = []
  const fresh: { e: IngestEvent; data: string; posting: string | null }[] = []
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    if (e.device !== device.journal_device_id) {
      fail('event_invalid', `Event ${e.seq} belongs to journal ${e.device}, not to this device's journal ${device.journal_device_id}.`, { seq: e.seq, eventId: e.id })
    }
    // The canonical text of the event, computed once (ingest-prepare.ts): it is stored (data) and hashed (whole event).
    const p = prepared[i]!
    if ('error' in p) fail('event_invalid', `Event ${e.seq}'s data cannot be hashed: ${p.error}.`, { seq: e.seq, eventId: e.id })
    const { data, hash, posting } = p
    const dup = byId.get(e.id)
    if (dup) {
      const same = dup.device_id === device.id && dup.seq === e.seq && dup.hash === e.hash && hash === dup.hash
      if (!same) fail('event_conflict', `Event ${e.id} is already stored with a different payload.`, { eventId: e.id, seq: e.seq })
      if (fresh.length > 0) fail('event_invalid', `Event ${e.seq} is stored already but follows a new event in this batch.`, { seq: e.seq })
      results.push({ eventId: e.id, seq: e.seq, status: 'duplicate', receivedAt: iso(dup.received_at) })
      continue
    }
    const taken = bySeq.get(e.seq)
    if (taken) fail('event_conflict', `Event ${e.seq} is already stored under another id (${taken.event_id}).`, { eventId: e.id, seq: e.seq, storedEventId: taken.event_id })
    const expected = lastSeq + 1
    if (e.seq !== expected) {
      fail('sequence_gap', `Expected event ${expected} next but received ${e.seq}: events ${expected}–${e.seq - 1} are missing.`, {
        expectedSeq: expected,
        receivedSeq: e.seq,
        missingFrom: expected,
        missingTo: e.seq - 1,
      })
    }
    if (e.prevHash !== lastHash) {
      fail('chain_broken', `Event ${e.seq} does not point at the hash of event ${e.seq - 1}.`, { seq: e.seq, expectedPrevHash: lastHash, receivedPrevHash: e.prevHash })
    }
    if (hash !== e.hash) fail('hash_mismatch', `Event ${e.seq}'s hash is not the hash of its content.`, { seq: e.seq })
    lastSeq = e.seq
    lastHash = e.hash
    fresh.push({ e, data, posting })
    results.push({ eventId: e.id, seq: e.seq, status: 'applied', receivedAt })
  }

  if (fresh.length > 0) await append(q, device, fresh, { lastSeq, lastHash, receivedAt })
  return { results, lastSeq, lastHash, serverTime: now.toISOString() }
}

/**
 * The append, in one statement (one round trip): the events as one multi-row VALUES (each value a
 * plain text parameter: no array or JSON encoding to escape and parse again), and the device's new
 * head, as a data-modifying CTE.
 */
async function append(q: Queryable, device: IngestDevice, fresh: { e: IngestEvent; data: string; posting: string | null }[], head: { lastSeq: number; lastHash: string; receivedAt: string }): Promise<void> {
  const params: unknown[] = [device.id, device.store_id, head.receivedAt, head.lastSeq, head.lastHash]
  const values = new Array<string>(fresh.length)
  for (let i = 0; i < fresh.length; i++) {
    const { e, data, posting } = fresh[i]!
    const k = params.length
    params.push(e.id, e.seq, e.type, e.at, data, e.prevHash, e.hash, posting)
    values[i] = `($${k + 1}, $1, $2, $${k + 2}::bigint, $${k + 3}, $${k + 4}, $3::timestamptz, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8})`
  }
  await q.query(
    `WITH ev AS (INSERT INTO events (event_id, device_id, store_id, seq, type, at, received_at, data, prev_hash, hash, posting) VALUES ${values.join(', ')})
     UPDATE devices SET last_seq = $4, last_hash = $5, last_event_at = $3 WHERE id = $1`,
    params,
  )
}

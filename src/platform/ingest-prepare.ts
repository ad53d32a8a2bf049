import { platformRoutes, type PlatformError, type WireEvent } from '../shared/platform-api'
import { canonicalDataJson, canonicalEventJson, eventHashOf } from './canonical'
import { postingOf, postingText } from './closures'
import { PlatformHttpError } from './errors'
import { checkRequest, type CheckedRequest, type RequestParts } from './request-checks'

/**
 * The CPU work of an event batch that needs nothing from the database, apart from the device's
 * turn and transaction (ingest.ts): the body's checks (JSON, card numbers, schema) and, per event,
 * its canonical data text, its hash and its ledger posting. About 40 % of the platform's CPU on a
 * batch of sales; it runs in a worker thread (ingest-pool.ts), so that the main thread, which holds
 * each device's turn, only checks the chain and appends.
 */

/** An event as ingest checks and stores it: its payload travels as canonical text (PreparedEvent). */
export type IngestEvent = Pick<WireEvent, 'id' | 'device' | 'seq' | 'type' | 'at' | 'prevHash' | 'hash'>

/**
 * One event's stored values: the canonical text of its data, its recomputed hash and its posting
 * (events.posting); or why the data cannot be hashed, kept (not thrown) to be reported where the
 * chain checks reach the event, as before.
 */
export type PreparedEvent = { data: string; hash: string; posting: string | null } | { error: string }
export type PreparedBatch = readonly PreparedEvent[]

export function prepareEvents(events: readonly WireEvent[], timeZone: string): PreparedEvent[] {
  return events.map((e) => {
    let data: string
    let hash: string
    try {
      data = canonicalDataJson(e.data)
      hash = eventHashOf(e.prevHash, canonicalEventJson(e, data))
    } catch (err) {
      return { error: (err as Error).message }
    }
    return { data, hash, posting: postingText(postingOf(e.type, e.at, e.data, timeZone)) }
  })
}

export type PreparedRequest =
  | { ok: true; events: IngestEvent[]; prepared: PreparedEvent[]; params: CheckedRequest['params']; query: CheckedRequest['query'] }
  | { ok: false; refusal: PlatformError['error'] }
  | { ok: false; crash: string }

/** A batch request, checked as the app checks every request (checkRequest), then prepared. */
export function prepareRequest(raw: Uint8Array, timeZone: string, parts: RequestParts): PreparedRequest {
  try {
    const { body, params, query } = checkRequest('events-ingest', platformRoutes['events-ingest'], raw, parts)
    const { events } = body as { events: WireEvent[] }
    const prepared = prepareEvents(events, timeZone)
    return { ok: true, events: events.map(({ id, device, seq, type, at, prevHash, hash }) => ({ id, device, seq, type, at, prevHash, hash })), prepared, params, query }
  } catch (e) {
    if (e instanceof PlatformHttpError) return { ok: false, refusal: e.toBody().error }
    return { ok: false, crash: e instanceof Error ? (e.stack ?? e.message) : String(e) }
  }
}

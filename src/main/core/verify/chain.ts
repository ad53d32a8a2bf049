import * as crypto from 'node:crypto'
import { canonicalJson } from '../../../shared/canonical-json'

/**
 * The journal's hash rule (journal.ts eventHash) computed from the stored text, for a walk over
 * millions of events: sha256(prev_hash + canonical_json({at, data, device, id, seq, type})). Once
 * the payload is known to be canonical, canonical_json of the event is the stored payload put
 * between the other five fields in sorted key order, so nothing is serialised again.
 * test/verify/chain.test.ts holds it equal to eventHash.
 */
export function storedEventHash(prevHash: string, id: string, device: string, seq: number, type: string, at: string, payload: string): string {
  const text = `${prevHash}{"at":${JSON.stringify(at)},"data":${payload},"device":${JSON.stringify(device)},"id":${JSON.stringify(id)},"seq":${seq},"type":${JSON.stringify(type)}}`
  return sha256(text)
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string
// Node ≥ 20.12 has a one-shot crypto.hash (no Hash object per event); older runtimes fall back.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash

function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex')
}

/** Keys in canonical (UTF-16 code unit) order and only safe integers, all the way down. */
function sortedAndWhole(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v)
  if (typeof v !== 'object' || v === null) return true
  if (Array.isArray(v)) {
    for (const x of v) if (!sortedAndWhole(x)) return false
    return true
  }
  let prev: string | null = null
  for (const k of Object.keys(v)) {
    if (prev !== null && !(prev < k)) return false
    prev = k
    if (!sortedAndWhole((v as Record<string, unknown>)[k])) return false
  }
  return true
}

/**
 * Whether `text` is the canonical JSON of `data` (its own JSON.parse). Fast path: the native
 * JSON.stringify gives back the text and every object's keys are already in sorted order, which
 * together mean canonicalJson would give the same string. Anything else (integer-like keys, which
 * JavaScript enumerates first) is settled by canonicalJson itself.
 */
export function isCanonical(text: string, data: unknown): boolean {
  if (JSON.stringify(data) === text && sortedAndWhole(data)) return true
  try {
    return canonicalJson(data) === text
  } catch {
    return false
  }
}

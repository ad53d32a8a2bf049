import { createHash } from 'node:crypto'
import { canonicalJson } from '../shared/canonical-json'
import type { WireEvent } from '../shared/platform-api'

/**
 * Canonical JSON on the ingest hot path, equal to `canonicalJson` for every value (proved by
 * test/platform/canonical.test.ts against it, with fast-check and with real till events).
 *
 * The till stores each payload as canonical JSON and the relay sends it as stored, so the parsed
 * `data` almost always has its keys in order already. One walk checks that (every object's keys
 * strictly ascending by UTF-16 code unit, as Array.prototype.sort orders them, and every number a
 * safe integer); then native JSON.stringify gives exactly canonicalJson's text: same key order,
 * same string escaping, integers printed the same way. Anything else (unsorted keys, a float, a
 * value JSON.parse cannot produce) goes to canonicalJson itself, which sorts or throws as before.
 */
export function canonicalDataJson(value: unknown): string {
  return isCanonicalShape(value, 0) ? JSON.stringify(value) : canonicalJson(value)
}

const MAX_DEPTH = 200

function isCanonicalShape(v: unknown, depth: number): boolean {
  if (v === null) return true
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isSafeInteger(v)
    case 'object': {
      if (depth > MAX_DEPTH) return false
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          // A hole or an undefined element is written differently; leave it to canonicalJson.
          if (!(i in v) || !isCanonicalShape(v[i], depth + 1)) return false
        }
        return true
      }
      // Plain objects only: JSON.stringify would call toJSON or see other prototypes' rules.
      const proto = Object.getPrototypeOf(v) as unknown
      if (proto !== Object.prototype && proto !== null) return false
      const o = v as Record<string, unknown>
      let prev: string | null = null
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) return false
        if (prev !== null && !(prev < k)) return false
        if (!isCanonicalShape(o[k], depth + 1)) return false
        prev = k
      }
      return true
    }
    default:
      return false
  }
}

/**
 * The canonical JSON of {id, device, seq, type, at, data} given the canonical text of `data`: the
 * keys in canonical order are at, data, device, id, seq, type. seq must be a safe integer (the wire
 * schema says so; checked again so the text can never differ from canonicalJson's).
 */
export function canonicalEventJson(e: Pick<WireEvent, 'id' | 'device' | 'seq' | 'type' | 'at'>, dataJson: string): string {
  if (!Number.isSafeInteger(e.seq)) throw new TypeError(`canonical JSON takes safe integers only, got ${e.seq}`)
  return `{"at":${JSON.stringify(e.at)},"data":${dataJson},"device":${JSON.stringify(e.device)},"id":${JSON.stringify(e.id)},"seq":${e.seq},"type":${JSON.stringify(e.type)}}`
}

/** sha256(prevHash + canonical event JSON), hex: the journal's event hash. */
export function eventHashOf(prevHash: string, eventJson: string): string {
  return createHash('sha256').update(prevHash).update(eventJson).digest('hex')
}

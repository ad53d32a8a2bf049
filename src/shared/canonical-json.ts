/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code unit (as RFC 8785), no white space, only
 * safe integers as numbers (money is integer minor units, so a float here is a bug).
 * Two equal values always give the same string, on every device and on the platform.
 */
export type Canonical = null | boolean | number | string | Canonical[] | { [k: string]: Canonical | undefined }

/**
 * One walk that appends to a string (no intermediate arrays): a sale's payload is encoded on every
 * commit. The text is exactly what the map/filter/sort/join formulation gave: keys sorted by
 * Array.prototype.sort's default order, undefined members dropped, an array's holes written as
 * nothing (as join writes them), an undefined element refused. Strings are written as
 * JSON.stringify writes them (see quote); a key's `"key":` is kept once it has been written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON takes safe integers only, got ${value}`)
      return String(value)
    case 'string':
      return quote(value)
    case 'object': {
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ','
          if (i in value) out += canonicalJson(value[i])
        }
        return `${out}]`
      }
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj).sort()
      let out = '{'
      let first = true
      for (const k of keys) {
        const v = obj[k]
        if (v === undefined) continue
        if (first) first = false
        else out += ','
        out += keyPrefix(k)
        out += canonicalJson(v)
      }
      return `${out}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot encode ${typeof value}`)
  }
}

/** Nothing JSON.stringify would escape: no quote, backslash, control character or surrogate (lone ones are escaped). */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/

/** JSON.stringify(s), without its cost for the plain text most strings are. */
function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s)
}

/** `"key":` for each key seen, up to a bound (payload keys are a few hundred field names). */
const keyPrefixes = new Map<string, string>()
const MAX_KEY_PREFIXES = 10_000

function keyPrefix(k: string): string {
  let p = keyPrefixes.get(k)
  if (p === undefined) {
    p = `${quote(k)}:`
    if (keyPrefixes.size < MAX_KEY_PREFIXES) keyPrefixes.set(k, p)
  }
  return p
}

/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code unit (as RFC 8785), no white space, only
 * safe integers as numbers (money is integer minor units, so a float here is a bug).
 * Two equal values always give the same string, on every device and on the platform.
 */
export type Canonical = null | boolean | number | string | Canonical[] | { [k: string]: Canonical | undefined }

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON takes safe integers only, got ${value}`)
      return String(value)
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot encode ${typeof value}`)
  }
}

import type { z } from 'zod'
import { isGtin, locateCardNumber } from '../shared/card-number'
import { walletForCode } from '../shared/payments'
import type { PlatformRouteName, RouteSpec } from '../shared/platform-api'
import { fail } from './errors'

/**
 * The checks every request goes through before its handler (checkRequest). Apart from the app (no
 * Fastify here) so that an event batch is checked in a worker thread (ingest-pool.ts) by the same code.
 */

/** A request's query and path parameters, as the router parsed them. */
export interface RequestParts {
  query: Record<string, unknown>
  params: Record<string, unknown>
}

export interface CheckedRequest {
  body: unknown
  params: Record<string, string>
  query: Record<string, unknown>
}

/**
 * Every request, in this order: the body is JSON (nested at most MAX_BODY_DEPTH), no full card number
 * anywhere in it, the query or the path, then the route's schemas for params, query and body.
 */
export function checkRequest(route: PlatformRouteName, spec: Pick<RouteSpec, 'body' | 'params' | 'query'>, raw: Uint8Array, parts: RequestParts): CheckedRequest {
  const text = spec.body ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8') : undefined
  const json = text !== undefined ? parseJson(text) : undefined
  refuseCardNumbers(route, { body: json, query: parts.query, params: parts.params }, text)
  const params = validate(spec.params, parts.params, 'params') as Record<string, string>
  const query = validate(spec.query, parts.query, 'query') as Record<string, unknown>
  const body = spec.body ? validate(spec.body, json, 'body') : undefined
  return { body, params, query }
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/**
 * Which card-number-like strings a route may carry, because the field's meaning is known: a wallet
 * payment code (Alipay codes are 16–24 digits starting 25–30 and can pass Luhn), a barcode holding
 * a valid GTIN, and in event batches a SHA-256 in hex (event hashes: their digit runs are incidental).
 */
function cardExemption(route: PlatformRouteName): (path: (string | number)[], text: string) => boolean {
  return (path, text) => {
    const key = path[path.length - 1]
    if (route === 'payment-create' && path.length === 2 && path[0] === 'body' && key === 'authCode') return walletForCode(text) !== null
    if ((path[path.length - 2] === 'barcodes' || key === 'barcode') && isGtin(text)) return true
    if (route === 'events-ingest' && SHA256_HEX.test(text)) return true
    return false
  }
}

/**
 * Whether the body's JSON text can hold a card-number-like string at all: the walk over the parsed
 * body (a path per node) is what costs on a batch of events, so the text is looked at first, in one
 * pass, for a superset of what findCardNumber matches — 13 digits in a row, or digit groups 4-4-4-4
 * / 4-6-4 joined by single spaces or hyphens. Sound without \u escapes: JSON's other escapes
 * neither make nor hide digits, spaces or hyphens, and every string and key is delimited by quotes,
 * so each digit run and grouping of a parsed string or key is in the text as it is. In event
 * batches a candidate inside a 64-character lowercase hex string value (an event hash, exempt
 * there anyway, and often holding a 13-digit run) does not count.
 */
export function bodyMayHoldCardNumber(route: PlatformRouteName, raw: string): boolean {
  if (raw.includes('\\u')) return true
  const hashesExempt = route === 'events-ingest'
  DIGITS4.lastIndex = 0
  for (let m = DIGITS4.exec(raw); m !== null; m = DIGITS4.exec(raw)) {
    const end = m.index + m[0].length
    let hit = m[0].length >= 13
    if (!hit) {
      // A grouping that ends with (or goes on from) this run's last four digits.
      const c = raw.charCodeAt(end)
      if (c !== 32 && c !== 45) continue
      GROUPED_AT.lastIndex = end - 4
      hit = GROUPED_AT.test(raw)
      if (!hit) continue
    }
    if (!hashesExempt) return true
    const after = hashValueEnd(raw, m.index)
    if (after < 0) return true
    DIGITS4.lastIndex = after
  }
  return false
}

/** Runs of at least 4 digits (where a card-like string must start or end). */
const DIGITS4 = /\d{4,}/g
/** The card groupings, from a given position. */
const GROUPED_AT = /\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}|\d{4}[ -]\d{6}[ -]\d{4}/y

/** When position i is inside a quoted 64-character lowercase hex value (not a key): the index of its closing quote; else -1. */
function hashValueEnd(raw: string, i: number): number {
  let start = i
  while (start > 0 && isLowerHex(raw.charCodeAt(start - 1))) start--
  if (start === 0 || raw.charCodeAt(start - 1) !== 34) return -1
  const end = start + 64
  if (end >= raw.length || raw.charCodeAt(end) !== 34) return -1
  for (let k = i + 1; k < end; k++) if (!isLowerHex(raw.charCodeAt(k))) return -1
  let j = end + 1
  while (j < raw.length && (raw.charCodeAt(j) === 32 || raw.charCodeAt(j) === 10 || raw.charCodeAt(j) === 13 || raw.charCodeAt(j) === 9)) j++
  return raw.charCodeAt(j) === 58 ? -1 : end
}

const isLowerHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102)

/** Daybook never takes a full card number: anywhere in a body, query or path, it is refused before anything is stored. */
function refuseCardNumbers(route: PlatformRouteName, parts: { body: unknown; query: unknown; params: unknown }, rawBody?: string): void {
  if (rawBody !== undefined && !bodyMayHoldCardNumber(route, rawBody)) parts = { ...parts, body: null }
  const hit = locateCardNumber(parts, cardExemption(route))
  if (hit) {
    fail('card_number_refused', `Something in ${hit.path.map(String).join('.')} looks like a full card number; Daybook never takes one (keep at most the first 6 and last 4 digits).`, {
      path: hit.path,
    })
  }
}

function validate(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return value
  const r = schema.safeParse(value)
  if (!r.success) {
    fail(
      'invalid_request',
      `The ${where} is not acceptable: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${[where, ...i.path].join('.')}: ${i.message}`)
        .join('; ')}.`,
      r.error.issues.map((i) => ({ ...i, path: [where, ...i.path] })),
    )
  }
  return r.data
}

/**
 * Deeper than any body a till or an admin sends (an order document is about six levels), and the depth
 * to which a card number is looked for (locateCardNumber). A deeper body is refused whole: nothing
 * after this walks it (canonical JSON, the card-number search) with a recursion that could run out of
 * stack, whose limit differs between the main thread and a worker thread.
 */
export const MAX_BODY_DEPTH = 64

function parseJson(text: string): unknown {
  if (text.length === 0) fail('invalid_request', 'The request has no body.')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    fail('invalid_request', `The body is not JSON: ${(e as Error).message}`)
  }
  if (deeperThan(json, MAX_BODY_DEPTH)) fail('invalid_request', `The body is nested deeper than ${MAX_BODY_DEPTH} levels.`)
  return json
}

/** Whether v nests objects or arrays more than `left` levels down (the recursion stops there). */
function deeperThan(v: unknown, left: number): boolean {
  if (v === null || typeof v !== 'object') return false
  if (left === 0) return true
  if (Array.isArray(v)) {
    for (const x of v) if (deeperThan(x, left - 1)) return true
    return false
  }
  for (const k in v) if (deeperThan((v as Record<string, unknown>)[k], left - 1)) return true
  return false
}

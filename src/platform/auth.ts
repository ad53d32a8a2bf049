import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { MAX_CLOCK_SKEW_MS, NONCE_PATTERN, NONCE_TTL_MS, SIGNATURE_HEADERS, signingString } from '../shared/platform-api'
import type { Queryable } from './db'
import { fail } from './errors'
import type { DeviceRow } from './service'

/** Constant-time equality of two strings (different lengths compare unequal without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb) && a.length === b.length
}

export function checkAdmin(authorization: string | undefined, token: string): void {
  const m = /^Bearer (.+)$/.exec(authorization ?? '')
  if (!m || !safeEqual(m[1]!, token)) fail('unauthorized', 'The admin token is missing or wrong.')
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? undefined : v
}

export interface SignedRequest {
  method: string
  /** Path and query exactly as received (request.url). */
  url: string
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
}

/**
 * Checks a device request in this order: every header present and well formed (bad_signature), the
 * device known and paired (unknown_device), the clock (clock_skew), the body digest and the HMAC
 * (bad_signature), then records the nonce (nonce_replayed if seen). The nonce is stored only once the
 * signature holds, so nobody can burn a device's nonces with forged requests.
 */
/** The device row of a verified request, with its store's time zone (event batches are prepared for it). */
export type VerifiedDevice = DeviceRow & { store_time_zone: string }

export async function verifyDevice(db: Queryable, req: SignedRequest, now: Date): Promise<VerifiedDevice> {
  const h = SIGNATURE_HEADERS
  const deviceId = header(req.headers, h.device)
  const timestamp = header(req.headers, h.timestamp)
  const nonce = header(req.headers, h.nonce)
  const digest = header(req.headers, h.digest)
  const signature = header(req.headers, h.signature)
  const missing = Object.values(h).filter((name) => header(req.headers, name) === undefined)
  if (missing.length > 0 || !deviceId || !timestamp || !nonce || !digest || !signature) {
    fail('bad_signature', `Signature headers missing: ${missing.join(', ')}.`, { missing })
  }
  if (!/^\d{1,16}$/.test(timestamp)) fail('bad_signature', `${h.timestamp} must be Unix milliseconds.`)
  if (!NONCE_PATTERN.test(nonce)) fail('bad_signature', `${h.nonce} must be 16–64 characters of A–Z, a–z, 0–9, _ or -.`)
  if (!/^[0-9a-f]{64}$/.test(digest) || !/^[0-9a-f]{64}$/.test(signature)) fail('bad_signature', 'The digest and signature must be lowercase hex SHA-256.')

  const rows = deviceId.length <= 64 ? await db.query<VerifiedDevice>('SELECT d.*, s.time_zone AS store_time_zone FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1', [deviceId]) : []
  const device = rows[0]
  if (!device || !device.secret) fail('unknown_device', 'No paired device has this id. Pair the till again.')

  const skew = Number(timestamp) - now.getTime()
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    fail('clock_skew', `The request's clock is ${Math.round(skew / 1000)} s from the platform's (at most ${MAX_CLOCK_SKEW_MS / 1000} s).`, { serverTime: now.toISOString() })
  }
  const actualDigest = createHash('sha256').update(req.rawBody).digest('hex')
  if (!safeEqual(actualDigest, digest)) fail('bad_signature', 'The body digest does not match the body.')
  const expected = createHmac('sha256', Buffer.from(device.secret, 'base64url'))
    .update(signingString({ method: req.method, path: req.url, timestamp, nonce, bodySha256: digest }))
    .digest('hex')
  if (!safeEqual(expected, signature)) fail('bad_signature', 'The signature does not match.')

  const fresh = await db.query('INSERT INTO nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING nonce', [device.id, nonce, now.toISOString()])
  if (fresh.length === 0) fail('nonce_replayed', 'This nonce was already used: a replayed request.')
  return device
}

/** Nonces older than NONCE_TTL_MS can no longer pass the clock check, so they can go. */
export async function pruneNonces(db: Queryable, now: Date): Promise<void> {
  await db.query('DELETE FROM nonces WHERE seen_at < $1', [new Date(now.getTime() - NONCE_TTL_MS).toISOString()])
}

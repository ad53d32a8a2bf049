import { createHash, createHmac, randomBytes } from 'node:crypto'
import { SIGNATURE_HEADERS, signingString } from '../../../shared/platform-api'

/** Hex SHA-256 of the exact body bytes ('' for a request without a body). */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex')
}

/** Hex HMAC-SHA256 of the signing string, keyed with the device secret (base64url). */
export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(text).digest('hex')
}

export interface SignInput {
  method: string
  /** Path with the query string exactly as it goes on the wire, e.g. /v1/device/catalog?cursor=12 */
  path: string
  body: string
  deviceId: string
  secret: string
  now: Date
  /** For tests that replay a nonce on purpose; otherwise 18 random bytes. */
  nonce?: string
  /** bodyDigest(body), when the caller has it already (a body re-sent, a benchmark's prepared batches). */
  bodySha256?: string
}

/** The headers that make a device request acceptable to the platform (see platform-api.ts). */
export function signRequest(p: SignInput): Record<string, string> {
  const timestamp = String(p.now.getTime())
  const nonce = p.nonce ?? randomBytes(18).toString('base64url')
  const digest = p.bodySha256 ?? bodyDigest(p.body)
  const signature = hmacHex(p.secret, signingString({ method: p.method, path: p.path, timestamp, nonce, bodySha256: digest }))
  return {
    [SIGNATURE_HEADERS.device]: p.deviceId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.digest]: digest,
    [SIGNATURE_HEADERS.signature]: signature,
  }
}

import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Adyen's local Terminal API encryption (AdyenCryptoVersion 1), the terminal's side of what
 * @adyen/api-library's NexoCrypto does: PBKDF2-HMAC-SHA1(passphrase, "AdyenNexoV1Salt", 4000)
 * → hmacKey[0:32] cipherKey[32:64] iv[64:80]; AES-256-CBC with iv XOR a random nonce; HMAC-SHA256
 * over the plaintext. Written on node:crypto rather than calling the library's NexoCrypto because
 * the library derives the key again for every message, and asks PBKDF2 for 640 bytes to use 80
 * (~65 ms a message here); a terminal derives its key once. PBKDF2 output blocks do not depend
 * on the requested length, so these 80 bytes are the library's 80.
 */
export interface DerivedKey {
  hmacKey: Buffer
  cipherKey: Buffer
  iv: Buffer
}

export interface SecurityTrailer {
  AdyenCryptoVersion: number
  KeyIdentifier: string
  KeyVersion: number
  Nonce: string
  Hmac: string
}

export interface SecuredMessage {
  MessageHeader: Record<string, unknown>
  NexoBlob: string
  SecurityTrailer: SecurityTrailer
}

export class NexoCryptoError extends Error {
  override readonly name = 'NexoCryptoError'
}

export function deriveKey(passphrase: string): DerivedKey {
  // 'binary' (latin1) is how the library turns the passphrase and salt into bytes.
  const k = pbkdf2Sync(Buffer.from(passphrase, 'binary'), Buffer.from('AdyenNexoV1Salt', 'binary'), 4000, 80, 'sha1')
  return { hmacKey: k.subarray(0, 32), cipherKey: k.subarray(32, 64), iv: k.subarray(64, 80) }
}

function ivFor(key: DerivedKey, nonce: Buffer): Buffer {
  const iv = Buffer.alloc(16)
  for (let i = 0; i < 16; i++) iv[i] = (key.iv[i] as number) ^ (nonce[i] as number)
  return iv
}

export function encryptMessage(header: Record<string, unknown>, json: string, key: DerivedKey, id: { keyIdentifier: string; keyVersion: number }): SecuredMessage {
  const plain = Buffer.from(json, 'utf8')
  const nonce = randomBytes(16)
  const cipher = createCipheriv('aes-256-cbc', key.cipherKey, ivFor(key, nonce))
  const blob = Buffer.concat([cipher.update(plain), cipher.final()])
  return {
    MessageHeader: header,
    NexoBlob: blob.toString('base64'),
    SecurityTrailer: {
      AdyenCryptoVersion: 1,
      KeyIdentifier: id.keyIdentifier,
      KeyVersion: id.keyVersion,
      Nonce: nonce.toString('base64'),
      Hmac: createHmac('sha256', key.hmacKey).update(plain).digest('base64'),
    },
  }
}

/** The plaintext JSON of a secured message; NexoCryptoError when the key does not fit. */
export function decryptMessage(msg: SecuredMessage, key: DerivedKey): string {
  const nonce = Buffer.from(msg.SecurityTrailer.Nonce, 'base64')
  if (nonce.length !== 16) throw new NexoCryptoError('bad nonce')
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-cbc', key.cipherKey, ivFor(key, nonce))
    plain = Buffer.concat([decipher.update(Buffer.from(msg.NexoBlob, 'base64')), decipher.final()])
  } catch {
    // A wrong passphrase almost always shows up here, as bad padding.
    throw new NexoCryptoError('decryption failed')
  }
  const mac = createHmac('sha256', key.hmacKey).update(plain).digest()
  const got = Buffer.from(msg.SecurityTrailer.Hmac, 'base64')
  if (got.length !== mac.length || !timingSafeEqual(got, mac)) throw new NexoCryptoError('HMAC validation failed')
  return plain.toString('utf8')
}

import { pbkdf2Sync } from 'node:crypto'
import NexoCrypto from '@adyen/api-library/lib/src/security/nexoCrypto'
import NexoDerivedKeyGenerator from '@adyen/api-library/lib/src/security/nexoDerivedKeyGenerator'
import { afterAll, describe, expect, it } from 'vitest'
import { decryptMessage, deriveKey, encryptMessage, NexoCryptoError, type SecuredMessage } from '../../src/platform/terminal-sim/nexo-crypto'
import { disposeDrivers, driverFor, startSim } from './helpers'

/** The simulator's nexo crypto against the library's, both ways; and the driver's derivation cache. */

const key = { KeyIdentifier: 'K1', KeyVersion: 3, Passphrase: 'pässphrase 1', AdyenCryptoVersion: 1 }
const header = { MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Request', ServiceID: 'S1', SaleID: 'T01', POIID: 'V400m-1' }
const json = JSON.stringify({ SaleToPOIRequest: { MessageHeader: header, PaymentRequest: { note: '¥12.50 – ok' } } })

afterAll(() => disposeDrivers())

describe('nexo crypto interoperability', () => {
  it('the library decrypts what the simulator encrypts', () => {
    const secured = encryptMessage(header, json, deriveKey(key.Passphrase), { keyIdentifier: 'K1', keyVersion: 3 })
    expect(new NexoCrypto().decrypt(secured as never, key)).toBe(json)
  })

  it('the simulator decrypts what the library encrypts, and refuses a wrong passphrase or a tampered HMAC', () => {
    const secured = NexoCrypto.encrypt(header as never, json, key) as unknown as SecuredMessage
    expect(decryptMessage(secured, deriveKey(key.Passphrase))).toBe(json)
    expect(() => decryptMessage(secured, deriveKey('other'))).toThrow(NexoCryptoError)
    const tampered = { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Hmac: Buffer.alloc(32).toString('base64') } }
    expect(() => decryptMessage(tampered, deriveKey(key.Passphrase))).toThrow(/HMAC/)
  })

  it('the driver’s cache of the library’s key derivation returns exactly what the library derives', async () => {
    const sim = await startSim()
    try {
      driverFor(sim) // installs the cache
      const fresh = pbkdf2Sync(Buffer.from('another passphrase', 'binary'), Buffer.from('AdyenNexoV1Salt', 'binary'), 4000, 640, 'sha1')
      for (let i = 0; i < 2; i++) {
        const k = NexoDerivedKeyGenerator.deriveKeyMaterial('another passphrase')
        expect(Buffer.compare(k.hmacKey, fresh.subarray(0, 32))).toBe(0)
        expect(Buffer.compare(k.cipherKey, fresh.subarray(32, 64))).toBe(0)
        expect(Buffer.compare(k.iv, fresh.subarray(64, 80))).toBe(0)
      }
      expect(Buffer.compare(deriveKey('another passphrase').cipherKey, fresh.subarray(32, 64))).toBe(0)
    } finally {
      await sim.close()
    }
  })
})

import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type RunningPlatform } from '../../src/platform/app'
import { PlatformErrorSchema } from '../../src/shared/platform-api'
import { newId } from '../../src/shared/ids'
import { adminCall, createStoreAndDevice } from '../helpers/platform'
import { Chain, deviceClient, post, saleData } from './support'

// One in-memory PGlite platform with its logs captured (PGlite attaches the SQL and its parameters
// to its errors, which is what the log must never show).
describe('platform hardening (PGlite in memory, logs captured)', () => {
  let p: RunningPlatform
  const adminToken = randomBytes(24).toString('base64url')
  const lines: string[] = []
  beforeAll(async () => {
    p = await startPlatform({ database: { kind: 'pglite', dataDir: null }, adminToken, logger: true, logStream: { write: (line: string) => void lines.push(line) } })
  })
  afterAll(async () => {
    await p?.close()
  })
  const admin = (method: string, path: string, body?: unknown) => adminCall({ url: p.url, adminToken }, method, path, body)

  it('logs a database error without its SQL parameters or query', async () => {
    const secretName = 'Secret-Store-Name-7f3a9c'
    await p.db.query(`ALTER TABLE stores ADD CONSTRAINT no_secret_name CHECK (name <> '${secretName}')`)
    try {
      const r = await admin('POST', '/v1/admin/stores', { name: secretName })
      expect(r.status).toBe(500)
      expect(PlatformErrorSchema.parse(r.body).error.code).toBe('internal')
    } finally {
      await p.db.query('ALTER TABLE stores DROP CONSTRAINT no_secret_name')
    }
    const errorLine = lines.find((l) => l.includes('internal error'))
    expect(errorLine, lines.join('')).toBeDefined()
    expect(errorLine).toContain('no_secret_name') // the message is there
    expect(errorLine).not.toContain(secretName)
    expect(errorLine).not.toContain('"params"')
    expect(errorLine).not.toContain('INSERT INTO')
    expect(lines.join('')).not.toContain(secretName)
  })

  it('warns about an event it stored without normalizing it, without the payload', async () => {
    const { storeId, deviceId, code } = await createStoreAndDevice({ url: p.url, adminToken })
    const journalDeviceId = newId()
    const paired = await post(p, '/v1/pair', { code, journalDeviceId, deviceCode: 'T01', appVersion: '0.1.0' })
    const d = deviceClient(p, { storeId, deviceId, secret: paired.body.secret, journalDeviceId })
    const c = new Chain(journalDeviceId)
    const data = { ...saleData({ currency: 'USD' }), receiptFooter: 'Payload-Marker-5e1b' }
    const e = c.next('sale.completed', data)
    expect((await d.call('POST', '/v1/device/events', { body: { events: [e] } })).status).toBe(200)
    const warning = lines.find((l) => l.includes('event stored without normalization'))
    expect(warning, lines.join('')).toBeDefined()
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, eventId: e.id, seq: 1, reason: 'the order is in USD, the store in CNY' })
    expect(lines.join('')).not.toContain('Payload-Marker-5e1b')
  })

  it('answers a malformed percent-encoded URL with invalid_request in the platform error shape', async () => {
    const r = await fetch(`${p.url}/v1/admin/stores/%E0%A4%A/devices`, { headers: { authorization: `Bearer ${adminToken}` } })
    expect(r.status).toBe(400)
    expect(PlatformErrorSchema.parse(await r.json()).error.code).toBe('invalid_request')
  })

  it('refuses an admin token shorter than 32 characters', async () => {
    await expect(startPlatform({ database: { kind: 'pglite', dataDir: null }, adminToken: 'x'.repeat(31) })).rejects.toThrow(/at least 32 characters/)
  })
})

import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../src/main/core/sync/signing'
import { newId } from '../../src/shared/ids'
import { DeviceStateSchema, NONCE_TTL_MS, PairResponseSchema, PlatformErrorSchema, SIGNATURE_HEADERS, signingString } from '../../src/shared/platform-api'
import { pruneNonces } from '../../src/platform/auth'
import { PLATFORM_BACKENDS, adminCall, createStoreAndDevice, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { Chain, deviceClient, pairDevice, post } from './support'

function expectError(r: { status: number; body: unknown }, code: string, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expect(PlatformErrorSchema.parse(r.body).error.code).toBe(code)
}

const pairBody = (code: string, journalDeviceId = newId()) => ({ code, journalDeviceId, deviceCode: 'T01', appVersion: '0.1.0' })

describe.each(PLATFORM_BACKENDS)('pairing and signed requests on %s', (backend) => {
  let p: TestPlatform
  // The platform clock, moved by the tests.
  let offset = 0
  beforeAll(async () => {
    p = await startTestPlatform(backend, { now: () => new Date(Date.now() + offset) })
  })
  afterAll(async () => {
    await p?.close()
  })

  it('pairs once with a code (any case, with or without the dash); the code is then used up', async () => {
    const { storeId, deviceId, code } = await createStoreAndDevice(p, '日记本')
    const r = await post(p, '/v1/pair', pairBody(code.toLowerCase().replace('-', ' ')))
    expect(r.status).toBe(200)
    const body = PairResponseSchema.parse(r.body)
    expect(body).toMatchObject({ deviceId, lastSeq: 0, lastHash: '0'.repeat(64), store: { id: storeId, name: '日记本', currency: 'CNY' } })
    expect(Buffer.from(body.secret, 'base64url')).toHaveLength(32)
    expect(Math.abs(Date.parse(body.serverTime) - Date.now())).toBeLessThan(5_000)
    expectError(await post(p, '/v1/pair', pairBody(code)), 'pairing_code_invalid', 404)
    const list = await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/devices`)
    expect(list.body.devices[0].pairedAt).not.toBeNull()
  })

  it('refuses unknown, malformed and expired codes', async () => {
    expectError(await post(p, '/v1/pair', pairBody('2345-6789')), 'pairing_code_invalid', 404)
    for (const bad of [pairBody('0000-0000'), pairBody('ABC'), { ...pairBody('2345-6789'), journalDeviceId: 'x' }, { ...pairBody('2345-6789'), deviceCode: '' }, { code: 12345678 }, {}]) {
      expectError(await post(p, '/v1/pair', bad), 'invalid_request', 400)
    }
    const { code } = await createStoreAndDevice(p)
    offset = 10 * 60_000 + 1_000
    try {
      expectError(await post(p, '/v1/pair', pairBody(code)), 'pairing_code_expired', 410)
    } finally {
      offset = 0
    }
    // an expired attempt does not use the code up early
    expect((await post(p, '/v1/pair', pairBody(code))).status).toBe(200)
  })

  it('re-pairing with the same journal keeps the position; another journal on a device with events is refused', async () => {
    const d = await pairDevice(p)
    const chain = new Chain(d.journalDeviceId)
    expect((await d.call('POST', '/v1/device/events', { body: { events: [chain.sale(), chain.sale()] } })).status).toBe(200)
    const code = (await adminCall(p, 'POST', `/v1/admin/devices/${d.deviceId}/pairing-code`)).body.code
    expectError(await post(p, '/v1/pair', pairBody(code, newId())), 'device_journal_mismatch', 409)
    const again = PairResponseSchema.parse((await post(p, '/v1/pair', pairBody(code, d.journalDeviceId))).body)
    expect(again).toMatchObject({ lastSeq: 2, lastHash: chain.hash })
    expect(again.secret).not.toBe(d.secret)
    // the old secret no longer signs
    expectError(await d.call('GET', '/v1/device/state'), 'bad_signature', 401)
    const fresh = deviceClient(p, { ...d, secret: again.secret })
    expect(DeviceStateSchema.parse((await fresh.call('GET', '/v1/device/state')).body)).toMatchObject({ lastSeq: 2, journalDeviceId: d.journalDeviceId })
  })

  it('refuses to pair a till whose events another device already holds (device_journal_mismatch), so it cannot re-send them there', async () => {
    const d = await pairDevice(p, { storeName: 'Journal' })
    const chain = new Chain(d.journalDeviceId)
    expect((await d.call('POST', '/v1/device/events', { body: { events: [chain.sale()] } })).status).toBe(200)
    const second = await adminCall(p, 'POST', `/v1/admin/stores/${d.storeId}/devices`, { name: 'Till 2' })
    const r = await post(p, '/v1/pair', pairBody(second.body.pairing.code, d.journalDeviceId))
    expectError(r, 'device_journal_mismatch', 409)
    expect(r.body.error.message).toContain('issue a new pairing code for that device')
    expect(r.body.error.details).toMatchObject({ deviceId: d.deviceId })
    // the code was not used up: another till can still pair with it
    expect((await post(p, '/v1/pair', pairBody(second.body.pairing.code))).status).toBe(200)
    // a till that never sent anything may move to another device
    const idle = await pairDevice(p, { storeName: 'Idle' })
    const third = await adminCall(p, 'POST', `/v1/admin/stores/${idle.storeId}/devices`, { name: 'Till 3' })
    expect((await post(p, '/v1/pair', pairBody(third.body.pairing.code, idle.journalDeviceId))).status).toBe(200)
  })

  it('prunes nonces older than NONCE_TTL_MS and keeps younger ones', async () => {
    const d = await pairDevice(p)
    const now = new Date()
    const at = (ms: number) => new Date(now.getTime() - ms).toISOString()
    for (const [nonce, age] of [
      ['prune-young-0123456789', NONCE_TTL_MS - 1_000],
      ['prune-old-0123456789ab', NONCE_TTL_MS + 1_000],
    ] as const) {
      await p.db.query('INSERT INTO nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3)', [d.deviceId, nonce, at(age)])
    }
    await pruneNonces(p.db, now)
    const left = await p.db.query<{ nonce: string }>("SELECT nonce FROM nonces WHERE device_id = $1 AND nonce LIKE 'prune-%'", [d.deviceId])
    expect(left.map((x) => x.nonce)).toEqual(['prune-young-0123456789'])
  })

  it('answers device-state to a signed request', async () => {
    const d = await pairDevice(p, { storeName: 'State' })
    const r = await d.call('GET', '/v1/device/state')
    expect(r.status).toBe(200)
    expect(DeviceStateSchema.parse(r.body)).toMatchObject({ deviceId: d.deviceId, storeId: d.storeId, storeName: 'State', journalDeviceId: d.journalDeviceId, lastSeq: 0 })
  })

  it('refuses missing or malformed signature headers with bad_signature', async () => {
    const d = await pairDevice(p)
    for (const name of Object.values(SIGNATURE_HEADERS)) {
      const r = await d.call('GET', '/v1/device/state', {
        headers: (h) => {
          const { [name]: _drop, ...rest } = h
          return rest
        },
      })
      expectError(r, 'bad_signature', 401)
    }
    expectError(await d.call('GET', '/v1/device/state', { headers: (h) => ({ ...h, [SIGNATURE_HEADERS.timestamp]: 'yesterday' }) }), 'bad_signature', 401)
    expectError(await d.call('GET', '/v1/device/state', { nonce: 'short' }), 'bad_signature', 401)
    expectError(await d.call('GET', '/v1/device/state', { nonce: 'has spaces in it!!!!' }), 'bad_signature', 401)
    expectError(await fetch(`${p.url}/v1/device/state`).then(async (r) => ({ status: r.status, body: await r.json() })), 'bad_signature', 401)
  })

  it('refuses an unknown or unpaired device with unknown_device', async () => {
    const d = await pairDevice(p)
    expectError(await deviceClient(p, { ...d, deviceId: newId() }).call('GET', '/v1/device/state'), 'unknown_device', 401)
    expectError(await deviceClient(p, { ...d, deviceId: 'x'.repeat(500) }).call('GET', '/v1/device/state'), 'unknown_device', 401)
    const unpaired = await createStoreAndDevice(p)
    expectError(await deviceClient(p, { ...d, deviceId: unpaired.deviceId }).call('GET', '/v1/device/state'), 'unknown_device', 401)
  })

  it('refuses a timestamp more than 5 minutes off either way with clock_skew, and accepts 4 minutes', async () => {
    const d = await pairDevice(p)
    const old = await d.call('GET', '/v1/device/state', { now: new Date(Date.now() - 5 * 60_000 - 5_000) })
    expectError(old, 'clock_skew', 401)
    expect(Math.abs(Date.parse(old.body.error.details.serverTime) - Date.now())).toBeLessThan(5_000)
    expectError(await d.call('GET', '/v1/device/state', { now: new Date(Date.now() + 5 * 60_000 + 5_000) }), 'clock_skew', 401)
    expect((await d.call('GET', '/v1/device/state', { now: new Date(Date.now() - 4 * 60_000) })).status).toBe(200)
    // the platform's clock is what counts
    offset = 10 * 60_000
    try {
      expectError(await d.call('GET', '/v1/device/state'), 'clock_skew', 401)
      expect((await d.call('GET', '/v1/device/state', { now: new Date(Date.now() + offset) })).status).toBe(200)
    } finally {
      offset = 0
    }
  })

  it('refuses a wrong signature, a wrong digest, another path or query, and a wrong key with bad_signature; stores nothing', async () => {
    const d = await pairDevice(p)
    const chain = new Chain(d.journalDeviceId)
    const body = JSON.stringify({ events: [chain.sale()] })
    // a body other than the signed one (digest from the signed body)
    const signedFor = JSON.stringify({ events: [] })
    expectError(
      await d.call('POST', '/v1/device/events', {
        rawBody: body,
        headers: (h) => ({ ...h, [SIGNATURE_HEADERS.digest]: createHmac('sha256', 'x').update(signedFor).digest('hex') }),
      }),
      'bad_signature',
      401,
    )
    // a correct digest of the body but a signature over something else
    expectError(await d.call('POST', '/v1/device/events', { rawBody: body, headers: (h) => ({ ...h, [SIGNATURE_HEADERS.signature]: 'a'.repeat(64) }) }), 'bad_signature', 401)
    // signed for another path / query
    expect((await d.call('GET', '/v1/device/catalog?limit=5')).status).toBe(200)
    const h = signRequest({ method: 'GET', path: '/v1/device/catalog?limit=5', body: '', deviceId: d.deviceId, secret: d.secret, now: new Date() })
    const moved = await fetch(`${p.url}/v1/device/catalog?limit=6`, { headers: h })
    expectError({ status: moved.status, body: await moved.json() }, 'bad_signature', 401)
    // signed for GET, sent as HEAD (the router answers HEAD on every GET route): the method is signed
    const forGet = signRequest({ method: 'GET', path: '/v1/device/state', body: '', deviceId: d.deviceId, secret: d.secret, now: new Date() })
    expect((await fetch(`${p.url}/v1/device/state`, { method: 'HEAD', headers: forGet })).status).toBe(401)
    const forHead = signRequest({ method: 'HEAD', path: '/v1/device/state', body: '', deviceId: d.deviceId, secret: d.secret, now: new Date() })
    expect((await fetch(`${p.url}/v1/device/state`, { method: 'HEAD', headers: forHead })).status).toBe(200)
    // signed with another device's key
    const other = await pairDevice(p)
    expectError(await deviceClient(p, { ...d, secret: other.secret }).call('GET', '/v1/device/state'), 'bad_signature', 401)
    // nothing stored
    expect(DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body).lastSeq).toBe(0)
    // the signing string is exactly the documented one
    const ts = String(Date.now())
    const nonce = 'n'.repeat(20)
    const ss = signingString({ method: 'get', path: '/v1/device/state', timestamp: ts, nonce, bodySha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
    const sig = createHmac('sha256', Buffer.from(d.secret, 'base64url')).update(ss).digest('hex')
    const manual = await fetch(`${p.url}/v1/device/state`, {
      headers: {
        [SIGNATURE_HEADERS.device]: d.deviceId,
        [SIGNATURE_HEADERS.timestamp]: ts,
        [SIGNATURE_HEADERS.nonce]: nonce,
        [SIGNATURE_HEADERS.digest]: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        [SIGNATURE_HEADERS.signature]: sig,
      },
    })
    expect(manual.status).toBe(200)
  })

  it('refuses a replayed nonce with nonce_replayed, even for a request that was refused after the signature check', async () => {
    const d = await pairDevice(p)
    const nonce = 'replay-me-0123456789'
    expect((await d.call('GET', '/v1/device/state', { nonce })).status).toBe(200)
    expectError(await d.call('GET', '/v1/device/state', { nonce }), 'nonce_replayed', 401)
    // a forged request with someone's nonce does not burn it
    const forged = 'forged-nonce-0123456789'
    expectError(await d.call('GET', '/v1/device/state', { nonce: forged, headers: (h) => ({ ...h, [SIGNATURE_HEADERS.signature]: 'b'.repeat(64) }) }), 'bad_signature', 401)
    expect((await d.call('GET', '/v1/device/state', { nonce: forged })).status).toBe(200)
    // a signed batch that is refused still used its nonce: the identical request is a replay
    const chain = new Chain(d.journalDeviceId)
    chain.sale()
    const gap = chain.sale()
    const n2 = 'batch-nonce-0123456789'
    const now = new Date()
    expectError(await d.call('POST', '/v1/device/events', { body: { events: [gap] }, nonce: n2, now }), 'sequence_gap', 422)
    expectError(await d.call('POST', '/v1/device/events', { body: { events: [gap] }, nonce: n2, now }), 'nonce_replayed', 401)
    // another device may use the same nonce
    const other = await pairDevice(p)
    expect((await other.call('GET', '/v1/device/state', { nonce })).status).toBe(200)
  })
})

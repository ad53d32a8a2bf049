import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HealthSchema, PairResponseSchema, ReadySchema } from '../../src/shared/platform-api'
import { PLATFORM_BACKENDS, adminCall, createStoreAndDevice, startTestPlatform, type TestPlatform } from '../helpers/platform'

describe.each(PLATFORM_BACKENDS)('platform basics on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend)
  })
  afterAll(async () => {
    await p?.close()
  })

  it('answers health and ready', async () => {
    const h = await fetch(`${p.url}/v1/health`)
    expect(h.status).toBe(200)
    expect(HealthSchema.parse(await h.json()).status).toBe('ok')
    const r = await fetch(`${p.url}/v1/ready`)
    expect(ReadySchema.parse(await r.json())).toEqual({ status: 'ready', database: backend })
  })

  it('creates a store and a device and pairs it', async () => {
    const { deviceId, code } = await createStoreAndDevice(p)
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    const res = await fetch(`${p.url}/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, journalDeviceId: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceCode: 'T01', appVersion: '0.1.0' }),
    })
    expect(res.status).toBe(200)
    const body = PairResponseSchema.parse(await res.json())
    expect(body.deviceId).toBe(deviceId)
    expect(body.lastSeq).toBe(0)
  })

  it('restarts on the same data and port', async () => {
    const before = p.url
    await p.restart()
    expect(p.url).toBe(before)
    const list = await adminCall(p, 'GET', '/v1/admin/stores')
    expect(list.body.stores).toHaveLength(1)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DayOrdersSchema, DaysSchema, IngestResponseSchema, PROJECTION_LAG_HEADERS, ProjectionStatusSchema } from '../../src/shared/platform-api'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { Chain, pairDevice, type TestDevice } from './support'

/**
 * Issue 14: a batch is acknowledged once it is in the event store; the reporting tables follow. The
 * admin API says how far behind they are (projection_lag_events / projection_lag_ms, going to zero),
 * and the read API waits for them (by default until the events stored when the request came are
 * projected; with `position`, until the named devices' seqs are; bounded by waitMs), saying the lag
 * left in its headers.
 */
describe.each(PLATFORM_BACKENDS)('the projection lag and the read API wait on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend)
  })
  afterAll(async () => {
    await p?.close()
  })

  const send = async (d: TestDevice, c: Chain, n: number, businessDate = '2026-11-22'): Promise<number> => {
    const events = Array.from({ length: n }, () => c.sale({ total: 1000, businessDate }))
    const r = await d.call('POST', '/v1/device/events', { body: { events } })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return IngestResponseSchema.parse(r.body).lastSeq
  }
  const status = async (d: TestDevice) => {
    const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/projection`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return ProjectionStatusSchema.parse(r.body)
  }
  const lagHeader = (r: { headers: Headers }): number => Number(r.headers.get(PROJECTION_LAG_HEADERS.events))

  it('reports the lag per store and device while the projection is behind, and zero once it caught up', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    expect(await status(d)).toMatchObject({ projection_lag_events: 0, projection_lag_ms: 0, devices: [{ deviceId: d.deviceId, lastSeq: 0, projectedSeq: 0, lagEvents: 0, lagMs: 0 }] })
    p.running.projector.pause()
    try {
      await send(d, c, 3)
      await send(d, c, 2)
      const behind = await status(d)
      expect(behind).toMatchObject({ projection_lag_events: 5, devices: [{ lastSeq: 5, projectedSeq: 0, lagEvents: 5 }] })
      expect(behind.projection_lag_ms).toBeGreaterThanOrEqual(0)
      // waitMs=0: the answer at once, from the tables as they are, and the lag in the headers.
      const now = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days?waitMs=0`)
      expect(now.status).toBe(200)
      expect(DaysSchema.parse(now.body).days).toEqual([])
      expect(lagHeader(now)).toBe(5)
      expect(Number(now.headers.get(PROJECTION_LAG_HEADERS.ms))).toBeGreaterThanOrEqual(0)
      // A bounded wait that the projection does not meet answers with what there is.
      const short = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days?waitMs=50`)
      expect(DaysSchema.parse(short.body).days).toEqual([])
      expect(lagHeader(short)).toBe(5)
    } finally {
      // A read with the default wait, asked while the projection is paused, answers once it caught up.
      const waiting = adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days`)
      p.running.projector.resume()
      const r = await waiting
      expect(r.status).toBe(200)
      expect(DaysSchema.parse(r.body).days.map((x) => [x.businessDate, x.orders, x.total])).toEqual([['2026-11-22', 5, 5000]])
      expect(lagHeader(r)).toBe(0)
    }
    expect(await status(d)).toMatchObject({ projection_lag_events: 0, projection_lag_ms: 0, devices: [{ lastSeq: 5, projectedSeq: 5, lagEvents: 0, lagMs: 0 }] })
  })

  it('waits for an explicit position: the seqs an ingest answered, per device', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const first = await send(d, c, 4)
    const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days/2026-11-22/orders?position=${d.deviceId}:${first}`)
    expect(DayOrdersSchema.parse(r.body).orders.map((o) => o.journalSeq)).toEqual([1, 2, 3, 4])
    p.running.projector.pause()
    let later: number
    try {
      later = await send(d, c, 2)
      // Position already reached: answers at once (the events after it may not be there yet).
      const at = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days/2026-11-22/orders?position=${d.deviceId}:${first}&waitMs=10000`)
      expect(DayOrdersSchema.parse(at.body).orders).toHaveLength(4)
      expect(lagHeader(at)).toBe(2)
    } finally {
      p.running.projector.resume()
    }
    const all = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days/2026-11-22/orders?deviceId=${d.deviceId}&position=${d.deviceId}:${later}`)
    expect(DayOrdersSchema.parse(all.body).orders).toHaveLength(6)
    const closures = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/closures?position=${d.deviceId}:${later}`)
    expect(closures.status).toBe(200)
    expect(lagHeader(closures)).toBe(0)
    for (const bad of ['x', `${d.deviceId}`, `${d.deviceId}:-1`, `${d.deviceId}:1,`]) {
      const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days?position=${encodeURIComponent(bad)}`)
      expect(r.status, bad).toBe(400)
      expect(r.body.error.code).toBe('invalid_request')
    }
    expect((await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days?waitMs=10001`)).status).toBe(400)
    expect((await adminCall(p, 'GET', '/v1/admin/stores/01JAAAAAAAAAAAAAAAAAAAAAAA/projection')).body.error.code).toBe('not_found')
  })
})

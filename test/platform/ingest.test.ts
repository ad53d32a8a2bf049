import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import {
  DayOrdersSchema,
  DaysSchema,
  DeviceStateSchema,
  IngestResponseSchema,
  PlatformErrorSchema,
  SequenceGapDetailsSchema,
  ChainBrokenDetailsSchema,
  type WireEvent,
} from '../../src/shared/platform-api'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { Chain, counts, deviceClient, pairDevice, post, rehash, saleData, type TestDevice, settled } from './support'

function expectError(r: { status: number; body: unknown }, code: string, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expect(PlatformErrorSchema.parse(r.body).error.code).toBe(code)
}

const send = (d: TestDevice, events: unknown[]) => d.call('POST', '/v1/device/events', { body: { events } })

// Batches are checked and hashed in a worker thread here, as `npm run platform` does; every other
// suite that posts events does it in the main thread (the same function, ingest-prepare.ts).
describe.each(PLATFORM_BACKENDS)('event ingest and the read API on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend, { logger: !!process.env.PLOG, ingestWorkers: 1 })
  })
  afterAll(async () => {
    await p?.close()
  })

  /** Asserts a refused batch left the device and every table as they were. */
  async function unchanged(d: TestDevice, run: () => Promise<void>): Promise<void> {
    const before = await counts(p)
    const state = DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body)
    await run()
    expect(await counts(p)).toEqual(before)
    const after = DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body)
    expect({ lastSeq: after.lastSeq, lastHash: after.lastHash }).toEqual({ lastSeq: state.lastSeq, lastHash: state.lastHash })
  }

  it('applies a batch, normalizes sales, and answers a re-sent batch with the stored answers', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const events = [c.sale({ total: 1130, lines: 2 }), c.next('shift.opened', { by: 'Li Na', card: 'visa ****1111' }), c.sale({ total: 500 })]
    const r = await send(d, events)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const body = IngestResponseSchema.parse(r.body)
    expect(body.results.map((x) => [x.seq, x.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ])
    expect(body).toMatchObject({ lastSeq: 3, lastHash: c.hash })
    // unknown types are stored as they came (a full card number would be refused: payments-api.test.ts)
    const stored = await settled(p).query<{ type: string; data: string }>('SELECT type, data FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(stored.map((s) => s.type)).toEqual(['sale.completed', 'shift.opened', 'sale.completed'])
    expect(JSON.parse(stored[1]!.data)).toEqual({ by: 'Li Na', card: 'visa ****1111' })

    const again = IngestResponseSchema.parse((await send(d, events)).body)
    expect(again.results.map((x) => x.status)).toEqual(['duplicate', 'duplicate', 'duplicate'])
    expect(again.results.map((x) => x.receivedAt)).toEqual(body.results.map((x) => x.receivedAt))
    expect(again).toMatchObject({ lastSeq: 3, lastHash: c.hash })

    // duplicates followed by new events
    const more = [events[2]!, c.sale(), c.sale()]
    const mixed = IngestResponseSchema.parse((await send(d, more)).body)
    expect(mixed.results.map((x) => [x.seq, x.status])).toEqual([
      [3, 'duplicate'],
      [4, 'applied'],
      [5, 'applied'],
    ])
    const mine = await settled(p).query<{ seq: number }>('SELECT seq FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(mine.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5])
    const orders = await settled(p).query<{ n: number }>('SELECT count(*)::bigint AS n FROM orders WHERE device_id = $1', [d.deviceId])
    expect(orders[0]!.n).toBe(4)
  })

  it('reports days per device and tender, and a day\'s orders with lines and tenders', async () => {
    const a = await pairDevice(p, { storeName: 'Reports' })
    const b = await adminCall(p, 'POST', `/v1/admin/stores/${a.storeId}/devices`, { name: 'Till 2' })
    const journalB = newId()
    const pairB = (await post(p, '/v1/pair', { code: b.body.pairing.code, journalDeviceId: journalB, deviceCode: 'T02', appVersion: '1' })).body
    const dB = deviceClient(p, { storeId: a.storeId, deviceId: pairB.deviceId, secret: pairB.secret, journalDeviceId: journalB })
    const ca = new Chain(a.journalDeviceId)
    const cb = new Chain(dB.journalDeviceId)
    expect((await send(a, [ca.sale({ total: 1000, businessDate: '2026-11-21' }), ca.sale({ total: 2000, lines: 3 }), ca.next('day.closed', { businessDate: '2026-11-21' })])).status).toBe(200)
    expect((await send(dB, [cb.sale({ total: 500 }), cb.next('refund.posted', { id: 'r1', orderId: 'o1', currency: 'CNY', amount: 100, businessDate: '2026-11-22' })])).status).toBe(200)

    const days = DaysSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${a.storeId}/days`)).body)
    expect(days.days.map((x) => [x.businessDate, x.orders, x.total])).toEqual([
      ['2026-11-21', 1, 1000],
      ['2026-11-22', 2, 2500],
    ])
    const d22 = days.days[1]!
    expect(d22.byDevice.map((x) => [x.deviceName, x.orders, x.total]).sort()).toEqual([
      ['Till 1', 1, 2000],
      ['Till 2', 1, 500],
    ])
    expect(d22.byTender).toEqual([{ method: 'cash', amount: 2500 }])
    expect(d22.taxTotal).toBe(d22.byDevice.reduce((s, x) => s + x.taxTotal, 0))
    const only21 = DaysSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${a.storeId}/days?from=2026-11-21&to=2026-11-21`)).body)
    expect(only21.days.map((x) => x.businessDate)).toEqual(['2026-11-21'])

    const day = DayOrdersSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${a.storeId}/days/2026-11-22/orders`)).body)
    expect(day.orders).toHaveLength(2)
    const big = day.orders.find((o) => o.total === 2000)!
    expect(big).toMatchObject({ storeId: a.storeId, deviceId: a.deviceId, currency: 'CNY', journalSeq: 2, staffName: '李娜 Li Na' })
    expect(big.lines.map((l) => l.lineNo)).toEqual([1, 2, 3])
    expect(big.lines.reduce((s, l) => s + l.total, 0)).toBe(2000)
    expect(big.tenders).toEqual([expect.objectContaining({ method: 'cash', amount: 2000 })])
    const onlyB = DayOrdersSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${a.storeId}/days/2026-11-22/orders?deviceId=${dB.deviceId}`)).body)
    expect(onlyB.orders.map((o) => o.total)).toEqual([500])
    // A day.closed without the closure's fields (number, seq range, figures…) is kept, flagged, and is no closure.
    expect((await settled(p).query('SELECT * FROM closures WHERE device_id = $1', [a.deviceId])).length).toBe(0)
    const flagged = await settled(p).query<{ normalize_error: string }>("SELECT normalize_error FROM events WHERE device_id = $1 AND type = 'day.closed'", [a.deviceId])
    expect(flagged[0]!.normalize_error).toMatch(/^not an acceptable closure: /)
    expect((await settled(p).query<{ amount: number }>('SELECT amount FROM refunds WHERE device_id = $1', [dB.deviceId]))[0]!.amount).toBe(100)
  })

  it('answers a gap with exactly what is missing, and stores nothing', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const e1 = c.sale()
    const e2 = c.sale()
    const e3 = c.sale()
    const e4 = c.sale()
    await unchanged(d, async () => {
      const r = await send(d, [e3, e4])
      expectError(r, 'sequence_gap', 422)
      expect(SequenceGapDetailsSchema.parse(r.body.error.details)).toEqual({ expectedSeq: 1, receivedSeq: 3, missingFrom: 1, missingTo: 2 })
      // a gap inside the batch
      const inside = await send(d, [e1, e2, e4])
      expectError(inside, 'sequence_gap', 422)
      expect(inside.body.error.details).toEqual({ expectedSeq: 3, receivedSeq: 4, missingFrom: 3, missingTo: 3 })
      // out of order
      expectError(await send(d, [e2, e1]), 'event_invalid', 422)
    })
    expect((await send(d, [e1, e2])).status).toBe(200)
    const later = await send(d, [e4])
    expect(later.body.error.details).toEqual({ expectedSeq: 3, receivedSeq: 4, missingFrom: 3, missingTo: 3 })
  })

  it('answers a broken chain and a tampered hash, and stores nothing of the batch', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const e1 = c.sale()
    const e2 = c.sale()
    const e3 = c.sale()
    await unchanged(d, async () => {
      // prevHash of e2 points elsewhere (and its own hash is consistent with that)
      const broken = rehash({ ...e2, prevHash: 'f'.repeat(64) })
      const r = await send(d, [e1, broken, e3])
      expectError(r, 'chain_broken', 422)
      expect(ChainBrokenDetailsSchema.parse(r.body.error.details)).toEqual({ seq: 2, expectedPrevHash: e1.hash, receivedPrevHash: 'f'.repeat(64) })
      // content changed after hashing
      const tampered: WireEvent = { ...e2, data: { ...(e2.data as object), total: 1 } }
      const t = await send(d, [e1, tampered, e3])
      expectError(t, 'hash_mismatch', 422)
      expect(t.body.error.details).toEqual({ seq: 2 })
      const wrongHash = await send(d, [{ ...e1, hash: 'a'.repeat(64) }])
      expectError(wrongHash, 'hash_mismatch', 422)
      // the first event of a device must point at the genesis hash
      expectError(await send(d, [rehash({ ...e1, prevHash: 'e'.repeat(64) })]), 'chain_broken', 422)
    })
    expect(IngestResponseSchema.parse((await send(d, [e1, e2, e3])).body).lastSeq).toBe(3)
  })

  it('answers 409 event_conflict for a stored id with another payload or a stored seq with another id; stores nothing', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const e1 = c.sale()
    const e2 = c.sale()
    expect((await send(d, [e1, e2])).status).toBe(200)
    await unchanged(d, async () => {
      const changed = rehash({ ...e2, data: saleData({ total: 9999 }) })
      const r = await send(d, [changed])
      expectError(r, 'event_conflict', 409)
      expect(r.body.error.details).toMatchObject({ eventId: e2.id, seq: 2 })
      // same id and claimed hash, different content
      expectError(await send(d, [{ ...e2, data: saleData() }]), 'event_conflict', 409)
      // a new id for a seq already stored
      const other = rehash({ ...e2, id: newId() })
      const s = await send(d, [other])
      expectError(s, 'event_conflict', 409)
      expect(s.body.error.details).toMatchObject({ eventId: other.id, seq: 2 })
      // a stored id then a conflicting one in the same batch: the whole batch is refused
      const e3 = c.sale()
      expectError(await send(d, [e1, changed, e3]), 'event_conflict', 409)
      c.seq = 2
      c.hash = e2.hash
      c.events.pop()
    })
    // another device cannot claim this device's event id
    const other = await pairDevice(p)
    const oc = new Chain(other.journalDeviceId)
    const stolen = oc.next('sale.completed', e1.data)
    const clash = rehash({ ...stolen, id: e1.id })
    await unchanged(other, async () => expectError(await send(other, [clash]), 'event_conflict', 409))
  })

  it('refuses events of another journal and unhashable data with event_invalid; stores nothing', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const good = c.sale()
    await unchanged(d, async () => {
      const foreign = new Chain(newId()).sale()
      expectError(await send(d, [foreign]), 'event_invalid', 422)
      // floats and huge numbers cannot be canonical JSON: the hash cannot cover them
      for (const raw of ['{"total":1.5}', '{"total":1e400}', '{"n":9007199254740993}']) {
        const body = `{"events":[${JSON.stringify({ ...good, data: null }).replace('"data":null', `"data":${raw}`)}]}`
        expectError(await d.call('POST', '/v1/device/events', { rawBody: body }), 'event_invalid', 422)
      }
      // Hashed before the device's turn, but reported where the checks reach that event, as before:
      // a good first event, then one that cannot be hashed, names the second.
      const second = JSON.stringify({ ...c.sale(), data: null }).replace('"data":null', '"data":{"total":1.5}')
      const r = await d.call('POST', '/v1/device/events', { rawBody: `{"events":[${JSON.stringify(good)},${second}]}` })
      expectError(r, 'event_invalid', 422)
      expect(PlatformErrorSchema.parse(r.body).error.message).toMatch(/^Event 2's data cannot be hashed: canonical JSON takes safe integers only/)
    })
  })

  it('stores a chain-valid sale it cannot normalize with the reason, makes no order of it, and applies the events after it', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const badSales: unknown[] = [
      { ...saleData(), total: -5 },
      { ...saleData(), total: 1e15 },
      { ...saleData(), subtotal: '1130' },
      { ...saleData(), currency: 'USD' },
      { ...saleData(), currency: 'XXX' },
      { ...saleData(), lines: 'many' },
      { ...saleData(), tenders: [{ id: 't', method: 'cash', amount: -1, tendered: 0, change: 0 }] },
      { ...saleData(), businessDate: 'today' },
      { hello: 'world' },
      null,
    ]
    const first = c.sale()
    const bad = badSales.map((data) => c.next('sale.completed', data))
    // the same order id again (a till restored from an old backup, say)
    const again = c.next('sale.completed', first.data)
    const after = c.sale({ total: 700 })
    for (const batch of [[first, bad[0]!], bad.slice(1), [again, after]]) {
      const r = await send(d, batch)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(IngestResponseSchema.parse(r.body).results.every((x) => x.status === 'applied')).toBe(true)
    }
    const stored = await settled(p).query<{ seq: number; normalize_error: string | null }>('SELECT seq, normalize_error FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(stored.map((s) => s.seq)).toEqual(Array.from({ length: badSales.length + 3 }, (_, k) => k + 1))
    expect(stored[0]!.normalize_error).toBeNull()
    for (const s of stored.slice(1, badSales.length + 2)) expect(s.normalize_error, `seq ${s.seq}`).toEqual(expect.any(String))
    expect(stored[4]!.normalize_error).toContain('the store in CNY')
    expect(stored[badSales.length + 1]!.normalize_error).toContain('already recorded')
    expect(stored[badSales.length + 2]!.normalize_error).toBeNull()
    const orders = await settled(p).query<{ journal_seq: number }>('SELECT journal_seq FROM orders WHERE device_id = $1 ORDER BY journal_seq', [d.deviceId])
    expect(orders.map((o) => o.journal_seq)).toEqual([1, badSales.length + 3])
    const state = DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body)
    expect(state).toMatchObject({ lastSeq: badSales.length + 3, lastHash: c.hash })
  })

  it('a till that sold in CNY offline and is then paired to an HKD store: later events still apply', async () => {
    const store = await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Kowloon', currency: 'HKD', timeZone: 'Asia/Hong_Kong' })
    expect(store.status).toBe(201)
    const dev = await adminCall(p, 'POST', `/v1/admin/stores/${store.body.id}/devices`, { name: 'Till 1' })
    const journalDeviceId = newId()
    const paired = await post(p, '/v1/pair', { code: dev.body.pairing.code, journalDeviceId, deviceCode: 'T01', appVersion: '0.1.0' })
    expect(paired.status).toBe(200)
    const d = deviceClient(p, { storeId: store.body.id, deviceId: paired.body.deviceId, secret: paired.body.secret, journalDeviceId })
    const c = new Chain(journalDeviceId)
    const offline = [c.sale({ total: 1000 }), c.sale({ total: 2000 })] // saleData defaults to CNY
    const later = [c.next('shift.closed', { by: 'Li Na' }), c.next('sale.completed', saleData({ total: 800, currency: 'HKD' }))]
    for (const batch of [offline, later]) {
      const r = await send(d, batch)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
    }
    const state = DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body)
    expect(state).toMatchObject({ lastSeq: 4, lastHash: c.hash })
    const errors = await settled(p).query<{ seq: number; normalize_error: string | null }>('SELECT seq, normalize_error FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(errors.map((e) => [e.seq, e.normalize_error])).toEqual([
      [1, 'the order is in CNY, the store in HKD'],
      [2, 'the order is in CNY, the store in HKD'],
      [3, expect.stringMatching(/^not an acceptable shift close: /)],
      [4, null],
    ])
    const orders = await settled(p).query<{ total: number; currency: string }>('SELECT total, currency FROM orders WHERE device_id = $1', [d.deviceId])
    expect(orders).toEqual([{ total: 800, currency: 'HKD' }])
  })

  it('a product name with U+0000 sold by a till is stored without it', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const data = saleData({ total: 1130, lines: 1 })
    const lines = (data as unknown as { lines: { nameEn: string }[] }).lines
    lines[0]!.nameEn = 'Milk\u0000Tea'
    const r = await send(d, [c.next('sale.completed', data)])
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const names = await settled(p).query<{ name_en: string }>('SELECT name_en FROM order_lines WHERE device_id = $1', [d.deviceId])
    expect(names).toEqual([{ name_en: 'MilkTea' }])
    const ev = await settled(p).query<{ normalize_error: string | null }>('SELECT normalize_error FROM events WHERE device_id = $1', [d.deviceId])
    expect(ev).toEqual([{ normalize_error: null }])
  })

  it('refuses malformed batches with invalid_request and oversized ones with payload_too_large; stores nothing', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const e = c.sale()
    const bads: unknown[] = [
      {},
      { events: [] },
      { events: 'all' },
      { events: [{ ...e, seq: 0 }] },
      { events: [{ ...e, seq: -1 }] },
      { events: [{ ...e, seq: 1.5 }] },
      { events: [{ ...e, seq: '1' }] },
      { events: [{ ...e, seq: Number.MAX_SAFE_INTEGER + 2 }] },
      { events: [{ ...e, id: 'not-a-ulid' }] },
      { events: [{ ...e, type: 'Sale Completed' }] },
      { events: [{ ...e, type: 'x'.repeat(65) }] },
      { events: [{ ...e, at: 'yesterday' }] },
      { events: [{ ...e, hash: e.hash.toUpperCase() }] },
      { events: [{ ...e, extra: 1 }] },
      { events: [e], more: true },
      { events: Array.from({ length: 501 }, () => e) },
    ]
    await unchanged(d, async () => {
      for (const body of bads) expectError(await d.call('POST', '/v1/device/events', { body }), 'invalid_request', 400)
      expectError(await d.call('POST', '/v1/device/events', { rawBody: '{"events": [' }), 'invalid_request', 400)
      expectError(await d.call('POST', '/v1/device/events', { rawBody: 'null' }), 'invalid_request', 400)
      // 2 MB: refused before anything else, signed or not
      const huge = JSON.stringify({ events: [{ ...e, data: { note: 'x'.repeat(2_000_000) } }] })
      expectError(await d.call('POST', '/v1/device/events', { rawBody: huge }), 'payload_too_large', 413)
    })
    expect((await send(d, [e])).status).toBe(200)
  })

  it('keeps every device in order under concurrent batches, and restarts on the same data', async () => {
    const devices = await Promise.all([pairDevice(p), pairDevice(p), pairDevice(p)])
    const chains = devices.map((d) => new Chain(d.journalDeviceId))
    for (let round = 0; round < 4; round++) {
      const batches = devices.map((_, i) => Array.from({ length: 25 }, () => chains[i]!.sale()))
      // each batch twice at once: one applies, the other is all duplicates
      const results = await Promise.all(devices.flatMap((d, i) => [send(d, batches[i]!), send(d, batches[i]!)]))
      for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200)
      for (let i = 0; i < devices.length; i++) {
        const statuses = [results[2 * i]!, results[2 * i + 1]!].map((r) => IngestResponseSchema.parse(r.body).results.map((x) => x.status))
        expect(statuses.flat().filter((s) => s === 'applied')).toHaveLength(25)
      }
    }
    await p.restart()
    for (const [i, d] of devices.entries()) {
      const s = DeviceStateSchema.parse((await d.call('GET', '/v1/device/state')).body)
      expect(s).toMatchObject({ lastSeq: 100, lastHash: chains[i]!.hash })
      const seqs = await settled(p).query<{ seq: number }>('SELECT seq FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
      expect(seqs.map((x) => x.seq)).toEqual(Array.from({ length: 100 }, (_, k) => k + 1))
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/main/core/settings'
import { migrate } from '../../src/platform/db'
import { DEMO_TAXES, DEMO_TAX_CLASSES, catalogFromFile, ensureDemo } from '../../src/platform/demo'
import {
  CatalogLoadResultSchema,
  CatalogPageSchema,
  DeviceCreatedSchema,
  type CatalogChange,
  DeviceSchema,
  HealthSchema,
  PlatformErrorSchema,
  ReadySchema,
  StoreSchema,
} from '../../src/shared/platform-api'
import { RESOURCES } from '../helpers/tmp'
import { join } from 'node:path'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { deviceClient, pairDevice, post } from './support'

const ULID0 = '01JAAAAAAAAAAAAAAAAAAAAAAA'

/** Feed changes by kind and item id (a later copy of an item replaces an earlier one). */
function byKey(changes: CatalogChange[]): Map<string, CatalogChange> {
  const item = (c: CatalogChange): { id: string } => (c.kind === 'tax-class' ? c.taxClass : c.kind === 'tax' ? c.tax : c.kind === 'category' ? c.category : c.product)
  return new Map(changes.map((c) => [`${c.kind}:${item(c).id}`, c]))
}

function expectError(r: { status: number; body: unknown }, code: string, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  const body = PlatformErrorSchema.parse(r.body)
  expect(body.error.code).toBe(code)
}

const product = (id: string, price = 200) => ({
  id,
  sku: `SKU-${id}`,
  nameEn: `Product ${id}`,
  nameZh: `商品 ${id}`,
  categoryId: 'drinks',
  taxClassId: 'std',
  price,
  unit: 'each',
  barcodes: ['6901234500004'],
  active: true,
})

describe.each(PLATFORM_BACKENDS)('admin API, catalog and the HTTP surface on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend)
  })
  afterAll(async () => {
    await p?.close()
  })

  it('answers health and ready, and 404 not_found in the error shape for unknown routes', async () => {
    expect(HealthSchema.parse(await (await fetch(`${p.url}/v1/health`)).json()).status).toBe('ok')
    expect(ReadySchema.parse(await (await fetch(`${p.url}/v1/ready`)).json())).toEqual({ status: 'ready', database: backend })
    const r = await fetch(`${p.url}/v2/nothing?x=1`)
    expectError({ status: r.status, body: await r.json() }, 'not_found', 404)
  })

  it('migrations are recorded and applying them again does nothing', async () => {
    expect(await migrate(p.db)).toEqual([])
    const rows = await p.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('refuses admin calls without the token or with a wrong one', async () => {
    const none = await fetch(`${p.url}/v1/admin/stores`)
    expectError({ status: none.status, body: await none.json() }, 'unauthorized', 401)
    expectError(await adminCall({ url: p.url, adminToken: p.adminToken + 'x' }, 'GET', '/v1/admin/stores'), 'unauthorized', 401)
    expectError(await adminCall({ url: p.url, adminToken: 'short' }, 'POST', '/v1/admin/stores', { name: 'X' }), 'unauthorized', 401)
    expect((await adminCall(p, 'GET', '/v1/admin/stores')).body.stores).toEqual([])
  })

  it('creates and lists stores with defaults; refuses bad store input and stores nothing', async () => {
    const r = await adminCall(p, 'POST', '/v1/admin/stores', { name: '  日记本便利店  ' })
    expect(r.status).toBe(201)
    const s = StoreSchema.parse(r.body)
    expect(s).toMatchObject({ name: '日记本便利店', currency: 'CNY', timeZone: 'Asia/Shanghai' })
    const before = (await adminCall(p, 'GET', '/v1/admin/stores')).body.stores.length
    for (const bad of [
      {},
      { name: '' },
      { name: 'x'.repeat(81) },
      { name: 42 },
      { name: 'A', currency: 'XXX' },
      { name: 'A', timeZone: 'Mars/Olympus' },
      { name: 'A', extra: true },
      [],
      null,
    ]) {
      const e = await adminCall(p, 'POST', '/v1/admin/stores', bad)
      expectError(e, 'invalid_request', 400)
      expect(Array.isArray(e.body.error.details)).toBe(true)
    }
    const raw = await fetch(`${p.url}/v1/admin/stores`, { method: 'POST', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' }, body: '{"name":' })
    expectError({ status: raw.status, body: await raw.json() }, 'invalid_request', 400)
    expect((await adminCall(p, 'GET', '/v1/admin/stores')).body.stores).toHaveLength(before)
  })

  it('creates devices with a one-time pairing code, lists them, and replaces codes', async () => {
    const s = (await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Devices' })).body
    const r = await adminCall(p, 'POST', `/v1/admin/stores/${s.id}/devices`, { name: 'Till 1' })
    expect(r.status).toBe(201)
    const created = DeviceCreatedSchema.parse(r.body)
    expect(created.device).toMatchObject({ storeId: s.id, name: 'Till 1', pairedAt: null, journalDeviceId: null, lastSeq: 0, lastEventAt: null })
    expect(created.pairing.code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    const ttl = Date.parse(created.pairing.expiresAt) - Date.now()
    expect(ttl).toBeGreaterThan(9 * 60_000)
    expect(ttl).toBeLessThanOrEqual(10 * 60_000)
    // only a hash of the code is stored
    const codes = await p.db.query<{ code_hash: string }>('SELECT code_hash FROM pairing_codes WHERE device_id = $1', [created.device.id])
    expect(codes.map((c) => c.code_hash).join()).not.toContain(created.pairing.code.replace('-', ''))

    const list = await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/devices`)
    expect(list.body.devices.map((d: unknown) => DeviceSchema.parse(d).id)).toEqual([created.device.id])

    const again = await adminCall(p, 'POST', `/v1/admin/devices/${created.device.id}/pairing-code`)
    expect(again.status).toBe(201)
    expect(again.body.code).not.toBe(created.pairing.code)
    // the earlier code stops working
    expectError(await post(p, '/v1/pair', { code: created.pairing.code, journalDeviceId: ULID0, deviceCode: 'T01', appVersion: '1' }), 'pairing_code_invalid', 404)
    expect((await post(p, '/v1/pair', { code: again.body.code, journalDeviceId: ULID0, deviceCode: 'T01', appVersion: '1' })).status).toBe(200)
  })

  it('answers not_found for unknown stores and devices and invalid_request for malformed ids', async () => {
    expectError(await adminCall(p, 'POST', `/v1/admin/stores/${ULID0}/devices`, { name: 'X' }), 'not_found', 404)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${ULID0}/devices`), 'not_found', 404)
    expectError(await adminCall(p, 'POST', `/v1/admin/devices/${ULID0}/pairing-code`), 'not_found', 404)
    expectError(await adminCall(p, 'PUT', `/v1/admin/stores/${ULID0}/catalog`, {}), 'not_found', 404)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${ULID0}/days`), 'not_found', 404)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${ULID0}/days/2026-11-22/orders`), 'not_found', 404)
    expectError(await adminCall(p, 'GET', '/v1/admin/stores/not-a-ulid/devices'), 'invalid_request', 400)
    expectError(await adminCall(p, 'POST', '/v1/admin/devices/01jaaaaaaaaaaaaaaaaaaaaaaa/pairing-code'), 'invalid_request', 400)
    const s = (await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Q' })).body
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/days?from=yesterday`), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/days?bogus=1`), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/days/2026-13-45/orders`), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/days/2026-11-22/orders?deviceId=x`), 'invalid_request', 400)
    expect((await adminCall(p, 'GET', `/v1/admin/stores/${s.id}/days`)).body).toEqual({ storeId: s.id, days: [] })
  })

  it('loads a catalog in one transaction, gives each changed item a new cursor, and feeds it by cursor', async () => {
    const d = await pairDevice(p)
    const load = {
      taxes: DEMO_TAXES,
      taxClasses: DEMO_TAX_CLASSES,
      categories: [{ id: 'drinks', nameEn: 'Drinks', nameZh: '饮料', sort: 0 }],
      products: [product('a'), product('b'), product('c')],
    }
    const r = await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, load)
    expect(r.status).toBe(200)
    const res = CatalogLoadResultSchema.parse(r.body)
    expect(res.changes).toBe(8)

    const all = CatalogPageSchema.parse((await d.call('GET', '/v1/device/catalog')).body)
    expect(all.changes.map((c) => c.kind)).toEqual(['tax', 'tax', 'tax-class', 'tax-class', 'category', 'product', 'product', 'product'])
    expect(all).toMatchObject({ hasMore: false, currency: 'CNY', nextCursor: res.cursor })
    const cursors = all.changes.map((c) => BigInt(c.cursor))
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors)

    // pages
    const p1 = CatalogPageSchema.parse((await d.call('GET', '/v1/device/catalog?limit=3')).body)
    expect(p1.changes).toHaveLength(3)
    expect(p1.hasMore).toBe(true)
    const p2 = CatalogPageSchema.parse((await d.call('GET', `/v1/device/catalog?cursor=${p1.nextCursor}&limit=1000`)).body)
    // a page with products carries the current rows they reference (std and its tax come again)
    expect(p2.changes.map((c) => c.kind)).toEqual(['tax', 'tax', 'tax-class', 'tax-class', 'category', 'product', 'product', 'product'])
    expect(new Map([...byKey(p1.changes), ...byKey(p2.changes)])).toEqual(byKey(all.changes))
    expect(p2).toMatchObject({ hasMore: false, nextCursor: all.nextCursor })

    // nothing new: the same cursor back
    const none = CatalogPageSchema.parse((await d.call('GET', `/v1/device/catalog?cursor=${all.nextCursor}`)).body)
    expect(none).toMatchObject({ changes: [], nextCursor: all.nextCursor, hasMore: false })

    // an unchanged load changes nothing; a price change moves just that product past the cursor
    expect((await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, load)).body.changes).toBe(0)
    const change = await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, { products: [product('b', 250)] })
    expect(change.body.changes).toBe(1)
    const after = CatalogPageSchema.parse((await d.call('GET', `/v1/device/catalog?cursor=${all.nextCursor}`)).body)
    expect(after.changes.map((c) => c.kind)).toEqual(['tax', 'tax-class', 'category', 'product'])
    expect(after.changes[3]).toEqual({ kind: 'product', cursor: change.body.cursor, product: product('b', 250) })
    expect(after.nextCursor).toBe(change.body.cursor)
  })

  it('every feed page can be applied on its own: a product never comes before its category, tax class or taxes', async () => {
    const d = await pairDevice(p)
    const base = { taxes: DEMO_TAXES, taxClasses: DEMO_TAX_CLASSES, categories: [{ id: 'drinks', nameEn: 'Drinks', nameZh: '饮料', sort: 0 }], products: [product('a')] }
    expect((await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, base)).status).toBe(200)
    // the category renamed after its product: its latest cursor is now above the product's
    expect((await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, { categories: [{ id: 'drinks', nameEn: 'Hot drinks', nameZh: '热饮', sort: 0 }] })).body.changes).toBe(1)
    const all = CatalogPageSchema.parse((await d.call('GET', '/v1/device/catalog')).body)
    const kinds = all.changes.map((c) => c.kind)
    expect(kinds.indexOf('category')).toBeLessThan(kinds.indexOf('product'))
    // one item per page: each page holding the product also holds what it references
    let cursor = '0'
    const seen: CatalogChange[] = []
    for (let i = 0; i < 20; i++) {
      const page = CatalogPageSchema.parse((await d.call('GET', `/v1/device/catalog?cursor=${cursor}&limit=1`)).body)
      if (page.changes.some((c) => c.kind === 'product')) {
        expect(page.changes.map((c) => c.kind)).toEqual(['tax', 'tax-class', 'category', 'product'])
        expect(page.changes.find((c) => c.kind === 'category')).toMatchObject({ category: { nameEn: 'Hot drinks' } })
      }
      seen.push(...page.changes)
      cursor = page.nextCursor
      if (!page.hasMore) break
    }
    expect(cursor).toBe(all.nextCursor)
    expect(byKey(seen)).toEqual(byKey(all.changes))
  })

  it('keeps SKUs unique in a store: a load giving one SKU to two products is refused; a swap in one load is fine', async () => {
    const s = (await adminCall(p, 'POST', '/v1/admin/stores', { name: 'SKUs' })).body
    const base = { taxes: DEMO_TAXES, taxClasses: DEMO_TAX_CLASSES, categories: [{ id: 'drinks', nameEn: 'Drinks', nameZh: '饮料', sort: 0 }], products: [product('a'), product('b')] }
    expect((await adminCall(p, 'PUT', `/v1/admin/stores/${s.id}/catalog`, base)).status).toBe(200)
    const clash = await adminCall(p, 'PUT', `/v1/admin/stores/${s.id}/catalog`, { products: [{ ...product('c'), sku: 'SKU-a' }] })
    expectError(clash, 'invalid_request', 400)
    expect(clash.body.error.message).toContain('SKU-a')
    const swap = await adminCall(p, 'PUT', `/v1/admin/stores/${s.id}/catalog`, { products: [{ ...product('a'), sku: 'SKU-b' }, { ...product('b'), sku: 'SKU-a' }] })
    expect(swap.status, JSON.stringify(swap.body)).toBe(200)
  })

  it('refuses a bad catalog load as a whole and stores nothing of it', async () => {
    const s = (await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Bad catalog' })).body
    const before = await p.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM catalog_changes')
    for (const bad of [
      { products: [product('a'), { ...product('b'), price: -1 }] },
      { products: [product('a'), { ...product('b'), price: 1.5 }] },
      { products: [product('a'), { ...product('b'), price: 1e15 }] },
      { products: [product('a'), { ...product('b'), price: '200' }] },
      { products: [{ ...product('a'), nameEn: 'x'.repeat(121) }] },
      { products: [{ ...product('a'), barcodes: ['not a barcode!'] }] },
      { taxes: [{ id: 'vat', name: 'VAT', rate: '130' }] },
      { products: [product('a'), product('a')] },
      { products: [product('a'), { ...product('b'), sku: 'SKU-a' }] },
      { products: [{ ...product('a'), nameEn: 'Tea\u0000' }] },
      { categories: [{ id: 'x', nameEn: 'X', nameZh: '\u0000', sort: 0 }] },
      { taxes: [{ id: 'vat', name: 'V\u0000AT', rate: '13' }] },
      { products: 'all of them' },
    ]) {
      expectError(await adminCall(p, 'PUT', `/v1/admin/stores/${s.id}/catalog`, bad), 'invalid_request', 400)
    }
    const after = await p.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM catalog_changes')
    expect(after[0]!.n).toBe(before[0]!.n)
  })

  it('refuses a body over the limit with payload_too_large (2 MB)', async () => {
    const s = (await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Big' })).body
    const products = Array.from({ length: 5_000 }, (_, i) => ({ ...product(`p${i}`), nameEn: 'x'.repeat(120), nameZh: 'y'.repeat(120), sku: 'z'.repeat(64) }))
    const body = JSON.stringify({ products })
    expect(body.length).toBeGreaterThan(2_000_000)
    const res = await fetch(`${p.url}/v1/admin/stores/${s.id}/catalog`, { method: 'PUT', headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' }, body })
    expectError({ status: res.status, body: await res.json() }, 'payload_too_large', 413)
    expect((await p.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM catalog_items WHERE store_id = $1', [s.id]))[0]!.n).toBe(0)
  })

  it('the demo is idempotent and matches the till defaults', async () => {
    expect(DEMO_TAXES).toEqual(DEFAULT_SETTINGS.taxes)
    expect(DEMO_TAX_CLASSES).toEqual(DEFAULT_SETTINGS.taxClasses)
    const file = join(RESOURCES, 'demo-catalog.json')
    const catalog = catalogFromFile(file)
    expect(catalog.products.length).toBeGreaterThan(50)
    const first = await ensureDemo(p.db, file, new Date())
    expect(first.catalogChanges).toBe(catalog.products.length + catalog.categories.length + 4)
    const second = await ensureDemo(p.db, file, new Date())
    expect(second).toMatchObject({ storeId: first.storeId, deviceId: first.deviceId, catalogChanges: 0 })
    expect(second.pairing.code).not.toBe(first.pairing.code)
  })

  it('never deletes a store or a device, nor changes its id (the event store refers to them without a foreign key)', async () => {
    const store = StoreSchema.parse((await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Kept' })).body)
    const refused = async (sql: string, params: unknown[]): Promise<string> => {
      try {
        await p.db.query(sql, params)
        return 'done'
      } catch (e) {
        return (e as Error).message
      }
    }
    expect(await refused('DELETE FROM stores WHERE id = $1', [store.id])).toMatch(/rows of stores are never deleted/)
    expect(await refused('UPDATE stores SET id = $2 WHERE id = $1', [store.id, 'other-id'])).toMatch(/rows of stores are never deleted/)
    expect(await refused('DELETE FROM devices WHERE store_id = $1', [store.id])).toMatch(/rows of devices are never deleted/)
    expect(await refused('TRUNCATE devices CASCADE', [])).toMatch(/rows of devices are never deleted/)
    // Everything else about them still changes as before.
    expect(await refused('UPDATE stores SET name = $2 WHERE id = $1', [store.id, 'Kept too'])).toBe('done')
    expect((await p.db.query<{ id: string }>('SELECT id FROM stores WHERE id = $1', [store.id])).length).toBe(1)
  })
})

describe.each(PLATFORM_BACKENDS)('rate limits and readiness on %s', (backend) => {
  it('answers 429 rate_limited with Retry-After per device, and per IP for pairing', async () => {
    const p = await startTestPlatform(backend, { rateLimit: { max: 3, timeWindowMs: 60_000 } })
    try {
      const a = await pairDevice(p)
      const b = await pairDevice(p)
      for (let i = 0; i < 3; i++) expect((await a.call('GET', '/v1/device/state')).status).toBe(200)
      const limited = await a.call('GET', '/v1/device/state')
      expectError(limited, 'rate_limited', 429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
      // another device is not affected
      expect((await b.call('GET', '/v1/device/state')).status).toBe(200)
      // pairDevice used /v1/pair twice from this IP; a third try is allowed, the fourth is limited
      const bad = { code: 'AAAA-AAAA', journalDeviceId: ULID0, deviceCode: 'T', appVersion: '1' }
      expectError(await post(p, '/v1/pair', bad), 'pairing_code_invalid', 404)
      expectError(await post(p, '/v1/pair', bad), 'rate_limited', 429)
      // admin routes are not limited
      for (let i = 0; i < 5; i++) expect((await adminCall(p, 'GET', '/v1/admin/stores')).status).toBe(200)
    } finally {
      await p.close()
    }
  })

  it("counts only verified requests against a device's quota: forged requests with its device header are limited per IP", async () => {
    const p = await startTestPlatform(backend, { rateLimit: { max: 3, timeWindowMs: 60_000 } })
    try {
      const victim = await pairDevice(p)
      // Someone who knows the victim's device id (it is not secret) but not its secret.
      const forger = deviceClient(p, { ...victim, secret: Buffer.alloc(32, 7).toString('base64url') })
      for (let i = 0; i < 3; i++) expectError(await forger.call('GET', '/v1/device/state'), 'bad_signature', 401)
      // The forger's own allowance (its IP) is spent…
      const limited = await forger.call('GET', '/v1/device/state')
      expectError(limited, 'rate_limited', 429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
      // …but the till keeps its whole quota: 3 verified requests, then its own limit.
      for (let i = 0; i < 3; i++) expect((await victim.call('GET', '/v1/device/state')).status).toBe(200)
      expectError(await victim.call('GET', '/v1/device/state'), 'rate_limited', 429)
      // An unknown device id is an unverified request too: it counts against the IP, already spent.
      const unknown = deviceClient(p, { ...victim, deviceId: ULID0 })
      expectError(await unknown.call('GET', '/v1/device/state'), 'rate_limited', 429)
    } finally {
      await p.close()
    }
  })

  it('answers 503 not_ready when the database is gone, and health still answers', async () => {
    const p = await startTestPlatform(backend)
    try {
      await p.db.close()
      const r = await fetch(`${p.url}/v1/ready`)
      const body = (await r.json()) as { error: { message: string } }
      expectError({ status: r.status, body }, 'not_ready', 503)
      expect(body.error.message).toBe('The database does not answer.')
      expect((await fetch(`${p.url}/v1/health`)).status).toBe(200)
      const a = await adminCall(p, 'GET', '/v1/admin/stores')
      expectError(a, 'internal', 500)
    } finally {
      await p.close()
    }
  })
})

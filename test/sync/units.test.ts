import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { productById, searchProducts } from '../../src/main/core/catalog'
import { readSettings } from '../../src/main/core/settings'
import { fullJitterDelay } from '../../src/main/core/sync/backoff'
import { applyCatalogPage } from '../../src/main/core/sync/catalog-feed'
import { MAX_TIMER_MS, parseRetryAfter } from '../../src/main/core/sync/client'
import { markSent, nextBatch } from '../../src/main/core/sync/outbox'
import { clampRetryAfter } from '../../src/main/core/sync/relay'
import { EncryptedFileSecretStore, SECRET_FILE, SECRET_KEY_FILE } from '../../src/main/core/sync/secret-store'
import { readSyncState } from '../../src/main/core/sync/state'
import { newId } from '../../src/shared/ids'
import { CatalogPageSchema, MAX_BATCH_BYTES, type CatalogPage } from '../../src/shared/platform-api'
import { call, demoCore, openShift, signIn, tempDir } from '../helpers/tmp'
import { prng, sellMany } from './helpers'

describe('the encrypted secret file (serve mode and tests)', () => {
  it('seals the secret with AES-256-GCM under a 0600 key file, and never writes it in clear', () => {
    const dir = tempDir()
    const store = new EncryptedFileSecretStore(dir)
    expect(store.get()).toBeNull()
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'
    store.set(secret)
    expect(store.get()).toBe(secret)
    expect(new EncryptedFileSecretStore(dir).get()).toBe(secret) // survives a restart
    const sealed = readFileSync(join(dir, SECRET_FILE), 'utf8')
    expect(sealed).not.toContain(secret)
    expect(JSON.parse(sealed)).toMatchObject({ v: 1, alg: 'aes-256-gcm' })
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, SECRET_FILE)).mode & 0o777).toBe(0o600)
    }
    store.clear()
    expect(store.get()).toBeNull()
    expect(existsSync(join(dir, SECRET_FILE))).toBe(false)
  })

  it('treats a tampered file as no secret at all', () => {
    const dir = tempDir()
    const store = new EncryptedFileSecretStore(dir)
    store.set('abc')
    const sealed = JSON.parse(readFileSync(join(dir, SECRET_FILE), 'utf8')) as { data: string }
    sealed.data = Buffer.from('abd').toString('base64')
    writeFileSync(join(dir, SECRET_FILE), JSON.stringify(sealed))
    expect(store.get()).toBeNull()
  })
})

describe('backoff and Retry-After', () => {
  it('waits random(0, min(cap, base·2^n)): full jitter, growing, capped', () => {
    const o = { baseMs: 1000, capMs: 300_000 }
    expect([0, 1, 2, 3, 10, 30].map((n) => fullJitterDelay(n, o, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 299_999, 299_999])
    expect(fullJitterDelay(5, o, () => 0)).toBe(0)
    expect(fullJitterDelay(5, o, () => 0.5)).toBe(16_000)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeNull()
    expect(parseRetryAfter(null, now)).toBeNull()
  })

  it('honours Retry-After within [1 s, 12 backoff caps], and never past what setTimeout holds', () => {
    const cap = 300_000
    expect(clampRetryAfter(0, cap)).toBe(1_000)
    expect(clampRetryAfter(7_000, cap)).toBe(7_000)
    expect(clampRetryAfter(12 * cap, cap)).toBe(12 * cap)
    expect(clampRetryAfter(Number('99999999999') * 1000, cap)).toBe(12 * cap)
    expect(clampRetryAfter(Number.POSITIVE_INFINITY, cap)).toBe(12 * cap)
    // A cap so large that 12 of them overflow a timer: the wait stays within 2^31 − 1 ms.
    expect(clampRetryAfter(1e15, 1e12)).toBe(MAX_TIMER_MS)
    expect(MAX_TIMER_MS).toBe(2_147_483_647)
  })
})

describe('batches', () => {
  it('are in seq order, contiguous, within the event and byte limits, and exactly what the journal holds', () => {
    const { core } = demoCore()
    const cashier = signIn(core, 'Li Na', '1111')
    const shift = openShift(core, cashier) // event 1
    sellMany(core, 30, prng(7))
    const b = nextBatch(core.db, { maxEvents: 500, maxBytes: 20_000 })!
    expect(b.firstSeq).toBe(1)
    expect(b.bytes).toBe(Buffer.byteLength(b.body))
    expect(b.bytes).toBeLessThanOrEqual(20_000)
    expect(b.events.length).toBeLessThan(31)
    const parsed = JSON.parse(b.body) as { events: { seq: number; type: string; hash: string; data: unknown }[] }
    expect(parsed.events.map((e) => e.seq)).toEqual(b.events.map((e) => e.seq))
    expect(parsed.events.map((e) => e.seq)).toEqual(Array.from({ length: b.events.length }, (_, i) => i + 1))
    expect(parsed.events[0]).toMatchObject({ type: 'shift.opened', data: { shiftId: shift.id, float: shift.float } })
    const order = call<{ total: number }>(core, 'order-get', { id: (parsed.events[1]!.data as { id: string }).id }, cashier)
    expect((parsed.events[1]!.data as { total: number }).total).toBe(order.total)
    expect(nextBatch(core.db, { maxEvents: 4, maxBytes: MAX_BATCH_BYTES })!.events).toHaveLength(4)
  })
})

describe("the relay's synchronous work per batch", () => {
  it('stays short: reading a full 1 MB batch and marking it sent take milliseconds', () => {
    const { core } = demoCore()
    const cashier = signIn(core, 'Li Na', '1111')
    openShift(core, cashier)
    const rnd = prng(5)
    core.db.transaction(() => {
      for (let i = 0; i < 600; i++) {
        const lines = Array.from({ length: 40 }, (_, j) => ({ productId: `p${1001 + ((j + Math.floor(rnd() * 2)) % 24)}`, quantity: '1' }))
        call(core, 'sale-complete', { saleId: newId(), cart: { lines }, cashTendered: 10_000_000 }, cashier)
      }
    })()
    const read: number[] = []
    const mark: number[] = []
    for (let round = 0; round < 2; round++) {
      let t0 = performance.now()
      const b = nextBatch(core.db)!
      read.push(performance.now() - t0)
      expect(b.bytes).toBeGreaterThan(MAX_BATCH_BYTES * 0.9)
      const at = new Date().toISOString()
      t0 = performance.now()
      expect(markSent(core.db, b, { results: b.events.map((e) => ({ eventId: e.eventId, seq: e.seq, status: 'applied', receivedAt: at })), lastSeq: b.lastSeq, lastHash: b.events.at(-1)!.hash, serverTime: at }, at)).toBeNull()
      mark.push(performance.now() - t0)
    }
    console.log(`1 MB batch: read ${read.map((x) => x.toFixed(1)).join('/')} ms, mark sent ${mark.map((x) => x.toFixed(1)).join('/')} ms`)
    expect(Math.max(...read)).toBeLessThan(100)
    expect(Math.max(...mark)).toBeLessThan(100)
  })

  it('marks nothing sent when the answer does not acknowledge every event of the batch', () => {
    const { core } = demoCore()
    openShift(core, signIn(core, 'Li Na', '1111'))
    sellMany(core, 3)
    const b = nextBatch(core.db)!
    expect(b.events).toHaveLength(4) // the shift's opening and 3 sales
    const at = new Date().toISOString()
    const results = b.events.map((e) => ({ eventId: e.eventId, seq: e.seq, status: 'applied' as const, receivedAt: at }))
    expect(markSent(core.db, b, { results: results.slice(0, 3), lastSeq: 4, lastHash: b.events[3]!.hash, serverTime: at }, at)).toMatch(/event 4/)
    expect(markSent(core.db, b, { results, lastSeq: 4, lastHash: '0'.repeat(64), serverTime: at }, at)).toMatch(/hash/)
    expect(core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL').get()).toEqual({ n: 0 })
  })
})

describe('Core entry points', () => {
  it('handle refuses the asynchronous channel; invoke runs it and says where it could not reach', async () => {
    const { core } = demoCore()
    const owner = signIn(core, 'Wang Fang', '9999')
    const input = { platformUrl: 'http://127.0.0.1:9', code: 'ABCD-EFGH' }
    expect(core.handle({ channel: 'sync-pair', input, session: owner })).toMatchObject({ ok: false, error: { code: 'unknown_channel', message: expect.stringMatching(/invoke/) } })
    // A port nobody listens on: open one, note it, close it.
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as AddressInfo).port
    await new Promise((r) => srv.close(r))
    const url = `http://127.0.0.1:${port}`
    const r = await core.invoke({ channel: 'sync-pair', input: { ...input, platformUrl: url }, session: owner })
    expect(r).toMatchObject({ ok: false, error: { code: 'platform_unreachable', details: { url } } })
    // Synchronous channels answer through invoke too, and only the owner may pair.
    expect(await core.invoke({ channel: 'sync-status', input: {}, session: owner })).toMatchObject({ ok: true, value: { state: 'unpaired', pending: 0 } })
    const cashier = signIn(core, 'Li Na', '1111')
    expect(await core.invoke({ channel: 'sync-pair', input, session: cashier })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(core.handle({ channel: 'sync-now', input: {}, session: cashier })).toMatchObject({ ok: false, error: { code: 'not_paired' } })
    await core.close()
  })
})

describe('a catalog page', () => {
  const page = (changes: unknown[], nextCursor = '5'): CatalogPage =>
    CatalogPageSchema.parse({ changes, nextCursor, hasMore: false, currency: 'CNY', serverTime: new Date().toISOString() })
  const product = { id: 'p1001', sku: 'NEW-1001', nameEn: 'Renamed water', nameZh: '新水', categoryId: 'c-new', taxClassId: 'std', price: 250, unit: 'each', barcodes: ['6999999999999'], active: true }

  it('lands whole with its cursor: categories, products, deactivations, taxes and tax classes', () => {
    const { core } = demoCore()
    const before = readSettings(core.db)
    const r = applyCatalogPage(
      core.db,
      page([
        { kind: 'category', cursor: '1', category: { id: 'c-new', nameEn: 'New', nameZh: '新', sort: 99 } },
        { kind: 'tax', cursor: '2', tax: { id: 'vat6', name: 'VAT 6%', rate: '6' } },
        { kind: 'tax-class', cursor: '3', taxClass: { id: 'svc', name: 'Services', taxIds: ['vat6'] } },
        { kind: 'product', cursor: '4', product },
        { kind: 'product', cursor: '5', product: { ...product, id: 'p1002', sku: 'GONE', barcodes: [], active: false } },
      ]),
      '2026-11-22T03:00:00.000Z',
    )
    expect(r).toEqual({ changes: 5, settingsChanged: true, catalogChanged: true })
    expect(productById(core.db, 'p1001')).toMatchObject({ nameEn: 'Renamed water', price: 250, categoryId: 'c-new', barcodes: ['6999999999999'] })
    expect(productById(core.db, 'p1002')).toBeUndefined()
    expect(searchProducts(core.db, 'renamed', undefined, 5).map((p) => p.id)).toEqual(['p1001'])
    const after = readSettings(core.db)
    expect(after.taxes.map((t) => t.id)).toEqual([...before.taxes.map((t) => t.id), 'vat6'])
    expect(after.taxClasses.map((c) => c.id)).toEqual([...before.taxClasses.map((c) => c.id), 'svc'])
    expect(readSyncState(core.db)).toMatchObject({ catalogCursor: '5', lastCatalogAt: '2026-11-22T03:00:00.000Z' })
  })

  it('lands in kind order (taxes, tax classes, categories, products) whatever order the page lists them in', () => {
    const { core } = demoCore()
    // As a feed ordered by cursor delivers it when the category, class and tax were edited after the product.
    const r = applyCatalogPage(
      core.db,
      page([
        { kind: 'product', cursor: '1', product: { ...product, taxClassId: 'svc' } },
        { kind: 'category', cursor: '2', category: { id: 'c-new', nameEn: 'New', nameZh: '新', sort: 99 } },
        { kind: 'tax-class', cursor: '3', taxClass: { id: 'svc', name: 'Services', taxIds: ['vat6'] } },
        { kind: 'tax', cursor: '4', tax: { id: 'vat6', name: 'VAT 6%', rate: '6' } },
        { kind: 'product', cursor: '5', product: { ...product, id: 'p1002', sku: 'NEW-1002', barcodes: [], taxClassId: 'svc' } },
      ], '5'),
      '2026-11-22T03:00:00.000Z',
    )
    expect(r).toEqual({ changes: 5, settingsChanged: true, catalogChanged: true })
    expect(productById(core.db, 'p1001')).toMatchObject({ categoryId: 'c-new', taxClassId: 'svc', nameEn: 'Renamed water' })
    expect(productById(core.db, 'p1002')).toMatchObject({ categoryId: 'c-new', taxClassId: 'svc', sku: 'NEW-1002' })
    expect(readSettings(core.db).taxClasses.find((c) => c.id === 'svc')).toEqual({ id: 'svc', name: 'Services', taxIds: ['vat6'] })
    expect(readSyncState(core.db).catalogCursor).toBe('5')
  })

  it('that breaks a rule changes nothing, not even its first changes, and leaves the cursor', () => {
    const { core } = demoCore()
    const settingsBefore = readSettings(core.db)
    const productBefore = productById(core.db, 'p1001')
    expect(() =>
      applyCatalogPage(
        core.db,
        page([
          { kind: 'category', cursor: '1', category: { id: 'c-new', nameEn: 'New', nameZh: '新', sort: 99 } },
          { kind: 'product', cursor: '2', product },
          // A tax class naming a tax the store does not have: the settings rules refuse it.
          { kind: 'tax-class', cursor: '3', taxClass: { id: 'bad', name: 'Bad', taxIds: ['nope'] } },
        ]),
        '2026-11-22T03:00:00.000Z',
      ),
    ).toThrow(/unknown tax nope/)
    expect(productById(core.db, 'p1001')).toEqual(productBefore)
    expect(core.db.prepare("SELECT count(*) AS n FROM categories WHERE id = 'c-new'").get()).toEqual({ n: 0 })
    expect(readSettings(core.db)).toEqual(settingsBefore)
    expect(readSyncState(core.db).catalogCursor).toBeNull()
    // A product in a tax class the store lacks is refused the same way.
    expect(() => applyCatalogPage(core.db, page([{ kind: 'product', cursor: '1', product: { ...product, categoryId: 'drinks', taxClassId: 'zzz' } }]), 'x')).toThrow(/tax class zzz/)
    expect(productById(core.db, 'p1001')).toEqual(productBefore)
  })
})

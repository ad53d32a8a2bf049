import { readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { productById } from '../../src/main/core/catalog'
import { verifyJournal } from '../../src/main/core/journal'
import { openCore } from '../../src/main/core/open-core'
import type { Core } from '../../src/main/core/service'
import { MAX_TIMER_MS, type FetchFn } from '../../src/main/core/sync/client'
import type { RelayOptions } from '../../src/main/core/sync/relay'
import { EncryptedFileSecretStore, SECRET_FILE } from '../../src/main/core/sync/secret-store'
import type { SyncStatus } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, SIGNATURE_HEADERS } from '../../src/shared/platform-api'
import { adminCall, createStoreAndDevice, PLATFORM_BACKENDS, startTestPlatform } from '../helpers/platform'
import { call, openShift, RESOURCES, signIn, tempDir } from '../helpers/tmp'
import { ManualClock } from './manual-clock'
import { prng, sellMany, until } from './helpers'

type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>

const FAST: Partial<RelayOptions> = { backoff: { baseMs: 20, capMs: 200 }, debounceMs: 20, timeoutMs: 5_000 }

interface Till {
  core: Core
  dir: string
  owner: string
  cashier: string
  events: { event: string; payload: unknown }[]
  status(): SyncStatus
  pair(url: string, code: string): Promise<ReturnType<Core['handle']>>
  sell(): ReturnType<Core['handle']>
}

function till(o: { now?: () => Date; fetch?: FetchFn; random?: () => number; timers?: ManualClock; options?: Partial<RelayOptions> } = {}): Till {
  const dir = tempDir()
  const { core } = openCore({
    dataDir: dir,
    demo: true,
    resourcesDir: RESOURCES,
    ...(o.now ? { now: o.now } : {}),
    sync: { options: { ...FAST, ...o.options }, ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.random ? { random: o.random } : {}), ...(o.timers ? { timers: o.timers } : {}) },
  })
  const owner = signIn(core, 'Wang Fang', '9999')
  const cashier = signIn(core, 'Li Na', '1111')
  // Cash is taken inside a shift: its opening is journal event 1, so a till's first sale is event 2.
  openShift(core, cashier)
  const events: Till['events'] = []
  core.onEvent((event, payload) => events.push({ event, payload }))
  return {
    core,
    dir,
    owner,
    cashier,
    events,
    status: () => call<SyncStatus>(core, 'sync-status', {}, cashier),
    pair: (url, code) => core.invoke({ channel: 'sync-pair', input: { platformUrl: url, code }, session: owner }),
    sell: () => core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '2' }] }, cashTendered: 1000 }, session: cashier }),
  }
}

/** A fetch that lets the test see and change what goes over the wire. */
function tap(intercept: (url: string, init: Parameters<FetchFn>[1]) => Promise<Response> | null): FetchFn {
  return (url, init) => intercept(url, init) ?? globalThis.fetch(url, init)
}

async function deviceState(p: TestPlatform, storeId: string, deviceId: string): Promise<{ lastSeq: number; journalDeviceId: string | null }> {
  const r = await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/devices`)
  const d = (r.body as { devices: { id: string; lastSeq: number; journalDeviceId: string | null }[] }).devices.find((x) => x.id === deviceId)
  if (!d) throw new Error(`no device ${deviceId}`)
  return d
}

async function closedPortUrl(): Promise<string> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  await new Promise((r) => srv.close(r))
  return `http://127.0.0.1:${port}`
}

const tills: Till[] = []
function track(t: Till): Till {
  tills.push(t)
  return t
}

describe.each(PLATFORM_BACKENDS.slice(0, 1))('the sync relay against a real platform (%s)', (backend) => {
  let platform: TestPlatform
  /** The platform's clock runs this far ahead of the real one (to expire pairing codes). */
  let platformAhead = 0

  beforeAll(async () => {
    platform = await startTestPlatform(backend, { now: () => new Date(Date.now() + platformAhead) })
  })
  afterAll(async () => {
    for (const t of tills.splice(0)) await t.core.close()
    await platform?.close()
  })

  it('pairs, keeps the secret sealed in the data folder, sends a sale and the platform serves it', async () => {
    const t = track(till())
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Relay Mart')
    const paired = await t.pair(platform.url, code)
    expect(paired).toMatchObject({ ok: true, value: { state: expect.stringMatching(/idle|sending/), platformUrl: platform.url, storeName: 'Relay Mart', platformDeviceId: deviceId } })
    const secret = new EncryptedFileSecretStore(t.dir).get()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(readFileSync(join(t.dir, SECRET_FILE), 'utf8')).not.toContain(secret!)
    expect(readFileSync(join(t.dir, 'ledger.sqlite')).includes(Buffer.from(secret!))).toBe(false)

    const sale = t.sell()
    expect(sale.ok).toBe(true)
    const order = (sale as { value: { id: string; receiptNo: string; businessDate: string; total: number } }).value
    await until(() => t.status().pending === 0 && t.status().lastSuccessAt !== null, 10_000, 'the sale to be sent')
    const s = t.status()
    expect(s).toMatchObject({ state: 'idle', pending: 0, oldestPendingAt: null, lastError: null })
    expect(Math.abs(s.clockOffsetMs!)).toBeLessThan(2_000)
    const row = t.core.db.prepare('SELECT sent_at, received_at FROM outbox WHERE seq = 2').get() as { sent_at: string; received_at: string }
    expect(row.sent_at).toBeTruthy()
    expect(row.received_at).toMatch(/^\d{4}-\d{2}-\d{2}T/)

    const read = await adminCall(platform, 'GET', `/v1/admin/stores/${storeId}/days/${order.businessDate}/orders`)
    expect(read.status).toBe(200)
    const orders = (read.body as { orders: { id: string; receiptNo: string; total: number; deviceId: string; journalSeq: number }[] }).orders
    expect(orders).toEqual([expect.objectContaining({ id: order.id, receiptNo: order.receiptNo, total: order.total, deviceId, journalSeq: 2 })])
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 2, journalDeviceId: t.core.device.id })
    // The renderer heard about it: a sync-changed with one pending, then one with none.
    const changes = t.events.filter((e) => e.event === 'sync-changed').map((e) => (e.payload as SyncStatus).pending)
    expect(changes).toContain(1)
    expect(changes[changes.length - 1]).toBe(0)
  })

  it('says why pairing failed: unknown code, expired code, unreachable platform, already paired, another till', async () => {
    const t = track(till())
    const bad = await t.pair(platform.url, 'ABCD-EFGH')
    expect(bad).toMatchObject({ ok: false, error: { code: 'platform_refused', details: { code: 'pairing_code_invalid', status: 404 } } })

    const first = await createStoreAndDevice(platform, 'Expiry Mart')
    platformAhead = 11 * 60_000
    try {
      expect(await t.pair(platform.url, first.code)).toMatchObject({ ok: false, error: { code: 'platform_refused', details: { code: 'pairing_code_expired', status: 410 } } })
    } finally {
      platformAhead = 0
    }

    const nowhere = await closedPortUrl()
    expect(await t.pair(nowhere, first.code)).toMatchObject({ ok: false, error: { code: 'platform_unreachable', details: { url: nowhere } } })
    expect(t.status().state).toBe('unpaired')

    const second = await createStoreAndDevice(platform, 'Twice Mart')
    expect(await t.pair(platform.url, second.code)).toMatchObject({ ok: true })
    const again = await t.pair(platform.url, second.code)
    expect(again).toMatchObject({ ok: false, error: { code: 'already_paired' } })

    // Another till with a fresh code for the same platform device, which holds t's events by now.
    expect(t.sell().ok).toBe(true)
    await until(() => t.status().pending === 0, 10_000, 'a sale sent')
    const code = await adminCall(platform, 'POST', `/v1/admin/devices/${second.deviceId}/pairing-code`)
    expect(code.status).toBe(201)
    const other = track(till())
    expect(await other.pair(platform.url, (code.body as { code: string }).code)).toMatchObject({ ok: false, error: { code: 'platform_refused', details: { code: 'device_journal_mismatch', status: 409 } } })
  })

  it('re-pairing the same till after unpairing does not send again what the platform has', async () => {
    const sent: number[] = []
    const t = track(
      till({
        fetch: tap((url, init) => {
          if (url.endsWith('/v1/device/events')) sent.push(...(JSON.parse(init.body!) as { events: { seq: number }[] }).events.map((e) => e.seq))
          return null
        }),
      }),
    )
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Again Mart')
    await t.pair(platform.url, code)
    sellMany(t.core, 5)
    await until(() => t.status().pending === 0, 10_000, 'five sales sent')
    expect(call<SyncStatus>(t.core, 'sync-unpair', {}, t.owner)).toMatchObject({ state: 'unpaired', platformUrl: null, pending: 0 })
    expect(new EncryptedFileSecretStore(t.dir).get()).toBeNull()
    // Sales while unpaired wait in the outbox.
    expect(t.sell().ok).toBe(true)
    expect(t.status()).toMatchObject({ state: 'unpaired', pending: 1 })
    // The platform forgets nothing: a new code for the same device, and the till continues at event 7.
    const fresh = await adminCall(platform, 'POST', `/v1/admin/devices/${deviceId}/pairing-code`)
    expect(await t.pair(platform.url, (fresh.body as { code: string }).code)).toMatchObject({ ok: true })
    await until(() => t.status().pending === 0, 10_000, 'the sixth sale sent')
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7]) // the shift's opening and six sales, each once
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 7 })
  })

  it('reopened with its secret gone, says so and sends nothing; unpair and pair again mends it', async () => {
    const t = track(till())
    const { deviceId, code } = await createStoreAndDevice(platform, 'Lost Key Mart')
    await t.pair(platform.url, code)
    expect(t.sell().ok).toBe(true)
    await until(() => t.status().pending === 0, 10_000, 'the sale sent')
    await t.core.close()
    rmSync(join(t.dir, SECRET_FILE))
    const { core } = openCore({ dataDir: t.dir, demo: true, resourcesDir: RESOURCES, sync: { options: FAST } })
    const owner = signIn(core, 'Wang Fang', '9999')
    tills.push({ ...t, core })
    core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 500 }, session: owner })
    await until(() => call<SyncStatus>(core, 'sync-status', {}, owner).lastError?.code === 'secret_missing', 5_000, 'secret_missing')
    expect(call<SyncStatus>(core, 'sync-status', {}, owner)).toMatchObject({ state: 'backoff', pending: 1, platformDeviceId: deviceId })
    call(core, 'sync-unpair', {}, owner)
    const fresh = await adminCall(platform, 'POST', `/v1/admin/devices/${deviceId}/pairing-code`)
    expect(await core.invoke({ channel: 'sync-pair', input: { platformUrl: platform.url, code: (fresh.body as { code: string }).code }, session: owner })).toMatchObject({ ok: true })
    await until(() => call<SyncStatus>(core, 'sync-status', {}, owner).pending === 0, 10_000, 'the second sale sent')
  })

  it('sends 1,200+ events in batches of at most 500 events and 1 MB, in order', async () => {
    const batches: { events: number; bytes: number; first: number; last: number }[] = []
    const t = track(
      till({
        fetch: tap((url, init) => {
          if (url.endsWith('/v1/device/events')) {
            const seqs = (JSON.parse(init.body!) as { events: { seq: number }[] }).events.map((e) => e.seq)
            batches.push({ events: seqs.length, bytes: Buffer.byteLength(init.body!), first: seqs[0]!, last: seqs[seqs.length - 1]! })
          }
          return null
        }),
      }),
    )
    // Big sales (8–12 lines, ~4 KB of JSON each) make the byte limit bite before the event limit.
    const rnd = prng(42)
    const staffLines = (): { productId: string; quantity: string }[] => Array.from({ length: 8 + Math.floor(rnd() * 5) }, (_, i) => ({ productId: `p${1001 + ((i * 3 + Math.floor(rnd() * 3)) % 24)}`, quantity: String(1 + Math.floor(rnd() * 4)) }))
    t.core.db.transaction(() => {
      for (let i = 0; i < 700; i++) expect(call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: staffLines() }, cashTendered: 10_000_000 }, t.cashier)).toBeTruthy()
    })()
    sellMany(t.core, 600, prng(3)) // small ones
    const total = t.status().pending
    expect(total).toBe(1301) // and the shift's opening
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Batch Mart')
    await t.pair(platform.url, code)
    await until(() => t.status().pending === 0, 30_000, 'the backlog to drain')
    expect(batches.length).toBeGreaterThanOrEqual(3)
    for (const b of batches) {
      expect(b.events).toBeLessThanOrEqual(MAX_BATCH_EVENTS)
      expect(b.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES)
    }
    expect(batches.some((b) => b.events < MAX_BATCH_EVENTS && b.bytes > MAX_BATCH_BYTES * 0.9)).toBe(true) // the byte limit cut one
    expect(batches.map((b) => b.first)).toEqual([1, ...batches.slice(0, -1).map((b) => b.last + 1)])
    expect(batches[batches.length - 1]!.last).toBe(1301)
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 1301 })
  })

  it('keeps two batches in flight, takes the answers in order, and the platform applies them in order', async () => {
    let open = 0
    let most = 0
    const answers: { first: number; status: number; code: string | null }[] = []
    const t = track(
      till({
        options: { limits: { maxEvents: 40, maxBytes: MAX_BATCH_BYTES } },
        fetch: (url, init) => {
          if (!url.endsWith('/v1/device/events')) return globalThis.fetch(url, init)
          const first = (JSON.parse(init.body!) as { events: { seq: number }[] }).events[0]!.seq
          open++
          most = Math.max(most, open)
          return globalThis.fetch(url, init).then(async (r) => {
            open--
            const body = (await r.clone().json()) as { error?: { code: string } }
            answers.push({ first, status: r.status, code: body.error?.code ?? null })
            return r
          })
        },
      }),
    )
    sellMany(t.core, 400, prng(9))
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Pipe Mart')
    await t.pair(platform.url, code)
    await until(() => t.status().pending === 0, 30_000, 'the backlog to drain')
    expect(most, 'a second batch left before the first was answered').toBe(2)
    // Every event once, in order; no batch was refused for a gap (the platform held it for its predecessor).
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    expect(answers.map((a) => a.first).sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => 1 + 40 * i))
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 401 })
    expect(t.status()).toMatchObject({ lastError: null, state: 'idle' })
  })

  it('a batch that overtook its predecessor on a platform that does not wait is sent again, without a backoff or an error', async () => {
    let refused = 0
    const posted: number[] = []
    const t = track(
      till({
        options: { limits: { maxEvents: 50, maxBytes: MAX_BATCH_BYTES } },
        fetch: (url, init) => {
          if (!url.endsWith('/v1/device/events')) return globalThis.fetch(url, init)
          const first = (JSON.parse(init.body!) as { events: { seq: number }[] }).events[0]!.seq
          posted.push(first)
          // The second batch "arrives first" the first time: what a platform that does not hold it answers.
          if (first === 51 && refused === 0) {
            refused++
            const body = { error: { code: 'sequence_gap', message: 'Expected event 1 next but received 51.', details: { expectedSeq: 1, receivedSeq: 51, missingFrom: 1, missingTo: 50 } } }
            return Promise.resolve(new Response(JSON.stringify(body), { status: 422, headers: { 'content-type': 'application/json' } }))
          }
          return globalThis.fetch(url, init)
        },
      }),
    )
    sellMany(t.core, 149, prng(10))
    const states: string[] = []
    t.core.onEvent((event, payload) => {
      if (event === 'sync-changed') states.push((payload as SyncStatus).state)
    })
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Overtake Mart')
    await t.pair(platform.url, code)
    await until(() => t.status().pending === 0, 30_000, 'the backlog to drain')
    expect(refused).toBe(1)
    // Not taken for a platform that lost events: what it acknowledged (1–50) is not sent again; the
    // batch behind the refused one was answered for nothing and goes again after it.
    expect(posted).toEqual([1, 51, 101, 51, 101])
    expect(states).toContain('sending')
    expect(states).not.toContain('backoff')
    expect(t.status()).toMatchObject({ lastError: null })
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 150 })
  })

  it('honours 429 Retry-After, in seconds and as an HTTP date, sending nothing before it; clamped to [1 s, 12 backoff caps]', async () => {
    const clock = new ManualClock()
    let ingests = 0
    const limited = ['7', 'date', '0', '99999999999']
    const t = track(
      till({
        now: clock.now,
        timers: clock,
        // 12 caps of 5 s: a Retry-After is honoured up to 60 s.
        options: { backoff: { baseMs: 20, capMs: 5_000 } },
        fetch: tap((url) => {
          if (!url.endsWith('/v1/device/events')) return null
          ingests++
          const next = limited.shift()
          if (!next) return null
          const retryAfter = next === 'date' ? new Date(clock.now().getTime() + 30_000).toUTCString() : next
          return Promise.resolve(new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), { status: 429, headers: { 'retry-after': retryAfter, 'content-type': 'application/json' } }))
        }),
      }),
    )
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Busy Mart')
    await t.pair(platform.url, code)
    t.sell()
    clock.advance(0)
    await until(() => t.status().lastCatalogAt !== null, 5_000, 'the first catalog pull') // its request timeout must not fire
    await until(() => t.status().lastError?.code === 'rate_limited', 5_000, 'the first 429')
    let s = t.status()
    expect(Date.parse(s.nextAttemptAt!) - clock.now().getTime()).toBe(7_000)
    expect(s.state).toBe('backoff')
    clock.advance(6_999)
    expect(ingests).toBe(1)
    clock.advance(1)
    await until(() => ingests === 2 && t.status().state === 'backoff', 5_000, 'the second 429')
    s = t.status()
    // An HTTP date has whole seconds: the wait is up to the date, within the second it names.
    const wait = Date.parse(s.nextAttemptAt!) - clock.now().getTime()
    expect(wait).toBeGreaterThan(29_000)
    expect(wait).toBeLessThanOrEqual(30_000)
    clock.advance(wait - 1)
    expect(ingests).toBe(2)
    clock.advance(1)
    // Retry-After: 0 is not an invitation to a hot loop: at least 1 s.
    await until(() => ingests === 3 && t.status().state === 'backoff', 5_000, 'the third 429')
    expect(Date.parse(t.status().nextAttemptAt!) - clock.now().getTime()).toBe(1_000)
    clock.advance(999)
    expect(ingests).toBe(3)
    clock.advance(1)
    // 99,999,999,999 s would overflow setTimeout (and fire at once): 12 caps at most.
    await until(() => ingests === 4 && t.status().state === 'backoff', 5_000, 'the fourth 429')
    expect(Date.parse(t.status().nextAttemptAt!) - clock.now().getTime()).toBe(60_000)
    expect(Math.max(...clock.requested)).toBeLessThanOrEqual(MAX_TIMER_MS)
    clock.advance(59_999)
    expect(ingests).toBe(4)
    clock.advance(1)
    await until(() => t.status().pending === 0, 5_000, 'the sale sent after the wait')
    expect(t.status()).toMatchObject({ state: 'idle', lastError: null })
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 2 })
  })

  it('backs off exponentially with full jitter while the platform cannot take events', async () => {
    const clock = new ManualClock()
    const random = prng(99)
    const expectRandom = prng(99)
    let failing = true
    const t = track(
      till({
        now: clock.now,
        timers: clock,
        random,
        options: { backoff: { baseMs: 1_000, capMs: 60_000 } },
        fetch: tap((url) => (failing && url.endsWith('/v1/device/events') ? Promise.reject(new TypeError('fetch failed')) : null)),
      }),
    )
    const { code } = await createStoreAndDevice(platform, 'Down Mart')
    await t.pair(platform.url, code)
    t.sell()
    const waits: number[] = []
    clock.advance(0)
    await until(() => t.status().lastCatalogAt !== null, 5_000, 'the first catalog pull') // its request timeout must not fire
    for (let n = 0; n < 9; n++) {
      if (n > 0) clock.advance(waits[n - 1]!)
      await until(() => t.status().lastAttemptAt === clock.now().toISOString() && t.status().state === 'backoff', 5_000, `failure ${n + 1}`)
      waits.push(Date.parse(t.status().nextAttemptAt!) - clock.now().getTime())
    }
    const expected = waits.map((_, n) => Math.floor(expectRandom() * Math.min(60_000, 1_000 * 2 ** n)))
    expect(waits).toEqual(expected)
    expect(t.status()).toMatchObject({ pending: 2, lastError: { code: 'platform_unreachable' } }) // the shift's opening and the sale
    failing = false
    call(t.core, 'sync-now', {}, t.cashier) // cancels the wait
    clock.advance(0)
    await until(() => t.status().pending === 0, 5_000, 'the sale sent after sync-now')
  })

  it('never holds a sale up: a platform that hangs or is gone changes nothing at the counter', async () => {
    let mode: 'hang' | 'down' | 'up' = 'hang'
    const hung: (() => void)[] = []
    const t = track(
      till({
        options: { timeoutMs: 60_000 },
        fetch: tap((url, init) => {
          if (!url.endsWith('/v1/device/events') || mode === 'up') return null
          if (mode === 'down') return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))
          return new Promise<Response>((_resolve, reject) => {
            hung.push(() => reject(new DOMException('aborted', 'AbortError')))
            init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
          })
        }),
      }),
    )
    const { code } = await createStoreAndDevice(platform, 'Offline Mart')
    await t.pair(platform.url, code)
    expect(t.sell().ok).toBe(true)
    await until(() => t.status().state === 'sending', 5_000, 'a request in flight')
    // A request hangs; the counter keeps selling at local speed.
    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      expect(t.sell().ok).toBe(true)
      times.push(performance.now() - t0)
    }
    expect(Math.max(...times)).toBeLessThan(250)
    expect(t.status()).toMatchObject({ state: 'sending', pending: 22 }) // 21 sales and the shift's opening
    mode = 'down'
    for (const h of hung.splice(0)) h()
    await until(() => t.status().lastError?.code === 'platform_unreachable', 5_000, 'the failure to show')
    expect(t.sell().ok).toBe(true)
    const s = t.status()
    expect(s.pending).toBe(23)
    expect(s.oldestPendingAt).not.toBeNull()
    expect(s.lastError!.message).toMatch(/did not answer/)
    mode = 'up'
    call(t.core, 'sync-now', {}, t.cashier)
    await until(() => t.status().pending === 0, 10_000, 'the backlog to drain')
    expect(t.status().lastError).toBeNull()
  })

  it('sends again from where a platform that lost events says it is (restored from a backup)', async () => {
    const sent: number[][] = []
    let loseData = false
    const t = track(
      till({
        fetch: tap((url, init) => {
          if (!url.endsWith('/v1/device/events')) return null
          const seqs = (JSON.parse(init.body!) as { events: { seq: number }[] }).events.map((e) => e.seq)
          sent.push(seqs)
          if (!loseData) return null
          loseData = false
          const details = { expectedSeq: 3, receivedSeq: seqs[0], missingFrom: 3, missingTo: seqs[0]! - 1 }
          return Promise.resolve(new Response(JSON.stringify({ error: { code: 'sequence_gap', message: 'events 3 to 5 are missing', details } }), { status: 422, headers: { 'content-type': 'application/json' } }))
        }),
      }),
    )
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Backup Mart')
    await t.pair(platform.url, code)
    sellMany(t.core, 5)
    await until(() => t.status().pending === 0, 10_000, 'five sales sent')
    loseData = true
    sellMany(t.core, 3)
    await until(() => t.status().pending === 0 && !loseData && sent.length >= 3, 10_000, 'the resend')
    expect(sent.slice(-2)).toEqual([[7, 8, 9], [3, 4, 5, 6, 7, 8, 9]])
    expect(t.status().lastError).toBeNull()
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 9 })
  })

  it('stops retrying fast on an answer only a person can resolve, and never touches the journal', async () => {
    const clock = new ManualClock()
    let ingests = 0
    const t = track(
      till({
        now: clock.now,
        timers: clock,
        fetch: tap((url) => {
          if (!url.endsWith('/v1/device/events')) return null
          ingests++
          return Promise.resolve(new Response(JSON.stringify({ error: { code: 'event_conflict', message: 'Event 01J… is already stored with a different payload.' } }), { status: 409, headers: { 'content-type': 'application/json' } }))
        }),
      }),
    )
    const { code } = await createStoreAndDevice(platform, 'Conflict Mart')
    await t.pair(platform.url, code)
    sellMany(t.core, 3)
    const before = verifyJournal(t.core.db)
    clock.advance(0)
    await until(() => t.status().lastCatalogAt !== null, 5_000, 'the first catalog pull')
    await until(() => t.status().lastError?.code === 'event_conflict', 5_000, 'the conflict')
    const s = t.status()
    expect(Date.parse(s.nextAttemptAt!) - clock.now().getTime()).toBe(30 * 60_000)
    expect(s).toMatchObject({ state: 'backoff', pending: 4, lastError: { message: expect.stringMatching(/journal is unchanged/) } })
    clock.advance(29 * 60_000)
    t.sell() // a sale does not cut the wait short
    clock.advance(60_000 - 1)
    expect(ingests).toBe(1)
    expect(verifyJournal(t.core.db)).toMatchObject({ ok: true, lastSeq: before.lastSeq + 1 })
    expect(t.core.db.prepare('SELECT attempts, last_error FROM outbox WHERE seq = 1').get()).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/^event_conflict/) })
  })

  it('pulls the catalog on pairing and applies each page whole; a bad page changes nothing', async () => {
    let corrupt: 'no' | 'rules' | 'schema' = 'no'
    const t = track(
      till({
        fetch: tap((url, init) => {
          if (corrupt === 'no' || !url.includes('/v1/device/catalog')) return null
          return globalThis.fetch(url, init).then(async (res) => {
            const page = (await res.json()) as { changes: { kind: string; product?: { price: number } }[] }
            if (corrupt === 'rules') {
              // Valid by the schema, refused by the settings rules: a tax class naming no known tax.
              page.changes.push({ kind: 'tax-class', cursor: '999999', taxClass: { id: 'broken', name: 'Broken', taxIds: ['nope'] } } as never)
            } else {
              // Not valid by the schema: a negative price on the last product.
              page.changes.filter((c) => c.kind === 'product').at(-1)!.product!.price = -1
            }
            return new Response(JSON.stringify(page), { status: 200, headers: { 'content-type': 'application/json' } })
          })
        }),
      }),
    )
    const { storeId, code } = await createStoreAndDevice(platform, 'Catalog Mart')
    const load = (price: number): Promise<{ status: number }> =>
      adminCall(platform, 'PUT', `/v1/admin/stores/${storeId}/catalog`, {
        categories: [{ id: 'drinks', nameEn: 'Drinks', nameZh: '饮料', sort: 0 }, { id: 'tea', nameEn: 'Tea', nameZh: '茶', sort: 9 }],
        taxes: [{ id: 'vat13', name: 'VAT 13%', rate: '13' }, { id: 'vat6', name: 'VAT 6%', rate: '6' }],
        taxClasses: [{ id: 'std', name: 'Standard', taxIds: ['vat13'] }, { id: 'svc', name: 'Services', taxIds: ['vat6'] }],
        products: [
          { id: 'p1001', sku: 'SKU1001', nameEn: 'Spring Water', nameZh: '矿泉水', categoryId: 'drinks', taxClassId: 'std', price, unit: 'each', barcodes: ['6901234500004'], active: true },
          { id: 'tea-1', sku: 'TEA1', nameEn: 'Green Tea', nameZh: '绿茶', categoryId: 'tea', taxClassId: 'svc', price: 1200, unit: 'each', barcodes: [], active: true },
          { id: 'p1002', sku: 'SKU1002', nameEn: 'Gone', nameZh: '下架', categoryId: 'drinks', taxClassId: 'std', price: 1, unit: 'each', barcodes: [], active: false },
        ],
      })
    expect((await load(350)).status).toBe(200)
    await t.pair(platform.url, code)
    await until(() => productById(t.core.db, 'tea-1') !== undefined && t.status().catalogCursor !== null, 10_000, 'the catalog pulled')
    expect(productById(t.core.db, 'p1001')).toMatchObject({ price: 350, nameEn: 'Spring Water' })
    expect(productById(t.core.db, 'p1002')).toBeUndefined()
    expect(call<{ taxes: { id: string }[] }>(t.core, 'settings-get', {}, t.cashier).taxes.map((x) => x.id)).toContain('vat6')
    expect(t.events.some((e) => e.event === 'catalog-changed')).toBe(true)
    const cursor = t.status().catalogCursor

    // A change on the platform, delivered in a page the till must refuse: nothing of it lands.
    expect((await load(400)).status).toBe(200)
    for (const how of ['rules', 'schema'] as const) {
      corrupt = how
      await t.core.sync.pullCatalog()
      expect(t.status(), how).toMatchObject({ catalogCursor: cursor, lastError: { code: 'catalog_invalid' } })
      expect(productById(t.core.db, 'p1001')).toMatchObject({ price: 350 })
    }
    corrupt = 'no'
    await t.core.sync.pullCatalog()
    expect(productById(t.core.db, 'p1001')).toMatchObject({ price: 400 })
    expect(t.status().catalogCursor).not.toBe(cursor)
  })

  it('a till whose clock is 10 minutes off pairs and drains without its clock being set right; events keep device time', async () => {
    const skew = -10 * 60_000
    const signedAt: number[] = []
    const bodies: { at: string }[][] = []
    const t = track(
      till({
        now: () => new Date(Date.now() + skew),
        fetch: tap((url, init) => {
          if (!url.endsWith('/v1/device/events')) return null
          signedAt.push(Number(init.headers[SIGNATURE_HEADERS.timestamp]))
          bodies.push((JSON.parse(init.body!) as { events: { at: string }[] }).events)
          return null
        }),
      }),
    )
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Clock Mart')
    expect(await t.pair(platform.url, code)).toMatchObject({ ok: true })
    // Pairing (unsigned) taught the till the platform's time.
    expect(Math.abs(t.status().clockOffsetMs! - 600_000)).toBeLessThan(5_000)
    const sold = Date.now()
    expect(t.sell().ok).toBe(true)
    await until(() => t.status().pending === 0, 10_000, 'the sale sent with the clock still 10 minutes off')
    const s = t.status()
    expect(s.lastError).toBeNull()
    // The cashier is still told: the status carries the offset the UI warns about.
    expect(Math.abs(s.clockOffsetMs! - 600_000)).toBeLessThan(5_000)
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 2 })
    // Signed with the platform's time as the till knows it; the event says when the till sold it.
    expect(Math.abs(signedAt[0]! - Date.now())).toBeLessThan(60_000)
    expect(Math.abs(Date.parse(bodies.flat().at(-1)!.at) - (sold + skew))).toBeLessThan(60_000)
  })

  it('a clock set wrong after pairing: one clock_skew, whose serverTime it learns, and the batch is signed again at once', async () => {
    let skew = 0
    const answers: number[] = []
    const errors: (string | null)[] = []
    const t = track(
      till({
        now: () => new Date(Date.now() + skew),
        // A backoff would wait about a minute: the test's 10 s can only pass if the retry is prompt.
        random: () => 0.999,
        options: { backoff: { baseMs: 60_000, capMs: 300_000 } },
        fetch: (url, init) => {
          const res = globalThis.fetch(url, init)
          if (url.endsWith('/v1/device/events')) void res.then((r) => answers.push(r.status))
          return res
        },
      }),
    )
    t.core.onEvent((event, payload) => {
      if (event === 'sync-changed') errors.push((payload as SyncStatus).lastError?.code ?? null)
    })
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Drift Mart')
    expect(await t.pair(platform.url, code)).toMatchObject({ ok: true })
    await until(() => t.status().lastCatalogAt !== null && t.status().pending === 0, 10_000, 'the first catalog pull and the shift sent')
    answers.splice(0) // the shift's opening went with the right clock
    skew = 10 * 60_000 // someone sets the clock 10 minutes fast: the offset learnt at pairing is stale
    expect(t.sell().ok).toBe(true)
    await until(() => t.status().pending === 0, 10_000, 'the sale sent after one clock_skew')
    expect(answers).toEqual([401, 200])
    expect(errors).toContain('clock_skew')
    const s = t.status()
    expect(s.lastError).toBeNull()
    expect(Math.abs(s.clockOffsetMs! + 600_000)).toBeLessThan(5_000)
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 2 })
  })

  it('refuses nothing in a loop: payload_too_large halves the batch after a backoff, a lone event waits the halt delay; limits come back after a success', async () => {
    const clock = new ManualClock()
    const sizes: number[] = []
    let maxEvents = 2
    const t = track(
      till({
        now: clock.now,
        timers: clock,
        random: () => 0.5,
        fetch: tap((url, init) => {
          if (!url.endsWith('/v1/device/events')) return null
          const n = (JSON.parse(init.body!) as { events: unknown[] }).events.length
          sizes.push(n)
          if (n <= maxEvents) {
            maxEvents = MAX_BATCH_EVENTS // a platform that took a small batch takes big ones again
            return null
          }
          return Promise.resolve(new Response(JSON.stringify({ error: { code: 'payload_too_large', message: 'too large' } }), { status: 413, headers: { 'content-type': 'application/json' } }))
        }),
      }),
    )
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Big Mart')
    await t.pair(platform.url, code)
    sellMany(t.core, 8)
    clock.advance(0)
    await until(() => t.status().lastCatalogAt !== null, 5_000, 'the first catalog pull')
    let refusals = 0
    for (;;) {
      await until(() => t.status().pending === 0 || (sizes.length === refusals + 1 && t.status().state === 'backoff'), 5_000, `refusal ${refusals + 1} or the end`)
      if (t.status().pending === 0) break
      refusals++
      expect(t.status().lastError?.code).toBe('payload_too_large')
      const wait = Date.parse(t.status().nextAttemptAt!) - clock.now().getTime()
      expect(wait, 'a backoff, not a zero-delay retry').toBeGreaterThan(0)
      expect(wait).toBeLessThanOrEqual(FAST.backoff!.capMs)
      clock.advance(wait)
    }
    // Refused batches shrink; the first small one is taken; then the limits are restored and the
    // rest goes in one batch (with the halved limits kept, it would take several).
    expect(refusals).toBeGreaterThanOrEqual(1)
    expect(sizes[0]).toBe(9) // the shift's opening and 8 sales
    for (let i = 1; i < refusals; i++) expect(sizes[i]!).toBeLessThan(sizes[i - 1]!)
    expect(sizes[refusals]!).toBeLessThanOrEqual(2)
    expect(sizes).toHaveLength(refusals + 2)
    expect(sizes[refusals]! + sizes[refusals + 1]!).toBe(9)
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 9 })

    // One event the platform refuses even alone: nothing smaller to try, so the halt delay.
    maxEvents = 0
    const before = sizes.length
    t.sell()
    clock.advance(FAST.debounceMs!)
    await until(() => sizes.length === before + 1 && t.status().state === 'backoff', 5_000, 'the lone event refused')
    expect(sizes[before]).toBe(1)
    expect(Date.parse(t.status().nextAttemptAt!) - clock.now().getTime()).toBe(30 * 60_000)
    expect(t.status().lastError).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/event 10 alone/) })
    clock.advance(30 * 60_000 - 1)
    expect(sizes).toHaveLength(before + 1)
  })

  it('on start, asks the platform what it holds: a platform restored from a backup gets the rest again; another chain pauses sending', async () => {
    const sent: number[][] = []
    const t = track(till())
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Restore Mart')
    await t.pair(platform.url, code)
    sellMany(t.core, 5)
    await until(() => t.status().pending === 0, 10_000, 'five sales sent')
    const hash2 = (t.core.db.prepare('SELECT hash FROM journal WHERE seq = 2').get() as { hash: string }).hash
    await t.core.close()

    // The platform says it holds 2 events (restored from a backup); the till believes 6 were sent.
    const reopen = (lastHash: string): Core => {
      const { core } = openCore({
        dataDir: t.dir,
        demo: true,
        resourcesDir: RESOURCES,
        sync: {
          options: FAST,
          fetch: tap((url, init) => {
            if (url.endsWith('/v1/device/events')) {
              sent.push((JSON.parse(init.body!) as { events: { seq: number }[] }).events.map((e) => e.seq))
              return null
            }
            if (!url.endsWith('/v1/device/state')) return null
            return globalThis.fetch(url, init).then(async (res) => {
              const state = (await res.json()) as Record<string, unknown>
              return new Response(JSON.stringify({ ...state, lastSeq: 2, lastHash }), { status: 200, headers: { 'content-type': 'application/json' } })
            })
          }),
        },
      })
      tills.push({ ...t, core })
      return core
    }
    let core = reopen(hash2)
    const owner = signIn(core, 'Wang Fang', '9999')
    await until(() => sent.length > 0 && call<SyncStatus>(core, 'sync-status', {}, owner).pending === 0, 10_000, 'events 3–6 sent again')
    expect(sent).toEqual([[3, 4, 5, 6]])
    expect(call<SyncStatus>(core, 'sync-status', {}, owner).lastError).toBeNull()
    expect(core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL OR received_at IS NULL').get()).toEqual({ n: 0 })
    expect(await deviceState(platform, storeId, deviceId)).toMatchObject({ lastSeq: 6 })
    await core.close()

    // Its event 2 is not the journal's: nothing is marked unsent and sending pauses, saying why.
    core = reopen('0'.repeat(64))
    const owner2 = signIn(core, 'Wang Fang', '9999')
    await until(() => call<SyncStatus>(core, 'sync-status', {}, owner2).lastError?.code === 'journal_mismatch', 10_000, 'journal_mismatch')
    expect(call<SyncStatus>(core, 'sync-status', {}, owner2)).toMatchObject({ state: 'backoff', pending: 0 })
    expect(sent).toHaveLength(1)
  })

})

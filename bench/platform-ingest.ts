/**
 * Benchmark: platform ingest with 50 tills posting at once. Each device is paired for real, then
 * posts its own hash-chained events — a shift's opening, then `sale.completed` events in that shift
 * (copies of what the real core wrote, with their own ids) — in signed batches, all devices concurrently, to `npm run platform` in its own
 * process: on PGlite, and on PostgreSQL when DAYBOOK_BENCH_PG_URL (or DAYBOOK_TEST_PG_URL) names one.
 * Reports events/s over the whole run and the latency of one batch request (p50/p95/p99).
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { canonicalJson } from '../src/shared/canonical-json'
import { newId } from '../src/shared/ids'
import type { PairResponse, WireEvent } from '../src/shared/platform-api'
import { eventHash, GENESIS_HASH, type JournalEvent } from '../src/main/core/journal'
import { openCore } from '../src/main/core/open-core'
import { signRequest } from '../src/main/core/sync/signing'
import { freshPgDatabase, spawnPlatform, storeWithDevices } from './lib/platform-process'
import { atLeast, atMost, result, single, type BenchResult } from './lib/results'
import { bothSettled, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface IngestOptions {
  devices: number
  eventsPerDevice: number
  batch: number
  root: string
  log: (line: string) => void
  /** Smoke runs: PGlite and PostgreSQL at the same time (saves a platform start; the figures then mean nothing). */
  concurrent?: boolean
}

interface Template {
  /** A shift's opening and a sale in it, as the journal holds them. */
  shift: Record<string, unknown>
  sale: Record<string, unknown> & { posting: Record<string, unknown> }
}

/** One real shift opening and sale document, as the journal holds them. */
function saleTemplate(root: string): Template {
  const { core } = openCore({ dataDir: scratchPath('ingest-template'), demo: true, resourcesDir: join(root, 'resources') })
  try {
    const staff = core.handle({ channel: 'staff-list', input: {} })
    if (!staff.ok) throw new Error('staff-list failed')
    const cashier = (staff.value as { id: string; role: string }[]).find((s) => s.role === 'cashier')!
    const signin = core.handle({ channel: 'session-signin', input: { staffId: cashier.id, pin: '1111' } })
    if (!signin.ok) throw new Error('sign-in failed')
    const session = (signin.value as { token: string }).token
    // Cash is taken inside an open shift.
    const opened = core.handle({ channel: 'shift-open', input: { shiftId: newId(), count: [{ value: 10_000, kind: 'note', count: 2 }] }, session })
    if (!opened.ok) throw new Error(`shift-open failed: ${opened.error.message}`)
    const cart = { lines: [{ productId: 'p1001', quantity: '2' }, { productId: 'p1002', quantity: '1' }, { productId: 'p1003', quantity: '3' }] }
    const sale = core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart, cashTendered: 10_000 }, session })
    if (!sale.ok) throw new Error(`sale failed: ${sale.error.message}`)
    const payload = (type: string): Record<string, unknown> =>
      JSON.parse((core.db.prepare('SELECT payload FROM journal WHERE type = ? ORDER BY seq DESC LIMIT 1').get(type) as { payload: string }).payload) as Record<string, unknown>
    return { shift: payload('shift.opened'), sale: payload('sale.completed') as Template['sale'] }
  } finally {
    core.db.close()
  }
}

/** `n` events of one device: its shift's opening, then sales in that shift. */
function chain(journalDevice: string, n: number, template: Template, tag: string): WireEvent[] {
  const out: WireEvent[] = []
  let prev = GENESIS_HASH
  const t0 = Date.parse('2026-11-20T02:00:00Z')
  const shiftId = newId()
  for (let seq = 1; seq <= n; seq++) {
    const shift = seq === 1
    const data = shift
      ? { ...template.shift, shiftId, posting: { ...(template.shift.posting as object), shiftId } }
      : { ...template.sale, id: newId(), receiptNo: `${tag}-20261120-${String(seq - 1).padStart(5, '0')}`, posting: { ...template.sale.posting, shiftId } }
    const ev: JournalEvent = { id: newId(), device: journalDevice, seq, type: shift ? 'shift.opened' : 'sale.completed', at: new Date(t0 + seq * 1000).toISOString(), data }
    const hash = eventHash(prev, ev)
    out.push({ ...ev, prevHash: prev, hash })
    prev = hash
  }
  return out
}

async function pair(url: string, code: string, journalDeviceId: string, i: number): Promise<PairResponse> {
  const res = await fetch(`${url}/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, journalDeviceId, deviceCode: `B${i}`, appVersion: 'bench' }),
  })
  if (!res.ok) throw new Error(`pairing device ${i} failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as PairResponse
}

async function runOn(label: string, env: Record<string, string | undefined>, o: IngestOptions, template: Template): Promise<BenchResult[]> {
  const platform = await spawnPlatform(o.root, scratchPath(`ingest-${label}`), env)
  try {
    const { devices } = await storeWithDevices(platform, o.devices)
    const tills = await Promise.all(
      devices.map(async (d, i) => {
        const journalDevice = newId()
        const creds = await pair(platform.url, d.code, journalDevice, i)
        const events = chain(journalDevice, o.eventsPerDevice, template, `B${i}`)
        const bodies: string[] = []
        for (let k = 0; k < events.length; k += o.batch) bodies.push(canonicalJson({ events: events.slice(k, k + o.batch) }))
        return { creds, bodies }
      }),
    )
    o.log(`  ${label}: ${o.devices} devices × ${o.eventsPerDevice} events in batches of ${o.batch}, all at once`)
    const latencies: number[] = []
    const t0 = performance.now()
    await Promise.all(
      tills.map(async ({ creds, bodies }) => {
        for (const body of bodies) {
          const path = '/v1/device/events'
          const headers = signRequest({ method: 'POST', path, body, deviceId: creds.deviceId, secret: creds.secret, now: new Date() })
          const s = performance.now()
          const res = await fetch(platform.url + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })
          const text = await res.text()
          latencies.push(performance.now() - s)
          if (!res.ok) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`)
        }
      }),
    )
    const seconds = (performance.now() - t0) / 1000
    const total = o.devices * o.eventsPerDevice
    return [
      // Issue 14's targets are on PostgreSQL: ≥ 20,000 events/s, a batch acknowledged within 250 ms at p99.
      single(`ingest ${label}: ${o.devices} devices`, 'events/s', total / seconds, label === 'PostgreSQL' ? atLeast(20_000, ['p50'], 'events/s') : null, `${total.toLocaleString('en')} events in ${seconds.toFixed(1)} s`),
      result(`ingest ${label}: one batch of ${o.batch}`, 'ms', summarize(latencies), label === 'PostgreSQL' ? atMost(250, ['p99'], 'ms') : null),
    ]
  } finally {
    await platform.stop()
  }
}

export async function benchIngest(o: IngestOptions): Promise<BenchResult[]> {
  const template = saleTemplate(o.root)
  const pgUrl = process.env.DAYBOOK_BENCH_PG_URL ?? process.env.DAYBOOK_TEST_PG_URL
  if (!pgUrl) {
    const out = await runOn('PGlite', { DATABASE_URL: undefined }, o, template)
    o.log('  PostgreSQL: skipped (set DAYBOOK_BENCH_PG_URL=postgres://… to measure it)')
    return out
  }
  const onPg = async (): Promise<BenchResult[]> => {
    const db = await freshPgDatabase(pgUrl)
    try {
      return await runOn('PostgreSQL', { DATABASE_URL: db.url }, o, template)
    } finally {
      await db.drop()
    }
  }
  if (o.concurrent) {
    o.log('  PGlite and PostgreSQL at the same time (smoke run: checks they work, the times mean nothing)')
    return (await bothSettled([runOn('PGlite', { DATABASE_URL: undefined }, o, template), onPg()])).flat()
  }
  const out = await runOn('PGlite', { DATABASE_URL: undefined }, o, template)
  out.push(...(await onPg()))
  return out
}

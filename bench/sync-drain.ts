/**
 * Benchmark: a till back online after a week offline drains a backlog of N journal events (100,000
 * in the full run) to a local platform (`npm run platform`, its own process, PGlite), through the
 * real relay (pairing, signing, batching, acknowledgement). Baseline, same run: a bare loop posting
 * the same batch bodies, one after another, to a trivial endpoint in its own process.
 * Targets (issue 3): the whole backlog in ≤ 60 s, and relay events/s ÷ bare events/s ≥ 0.5.
 */
import { spawn } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { MAX_BATCH_EVENTS } from '../src/shared/platform-api'
import { openDatabase } from '../src/main/core/db/sqlite'
import { LEDGER_FILE, openCore } from '../src/main/core/open-core'
import { ensureLedger } from './ledger-gen'
import { admin, spawnPlatform, storeWithDevices } from './lib/platform-process'
import { atLeast, atMost, single, type BenchResult } from './lib/results'
import { scratchPath } from './lib/tmp'

export interface DrainOptions {
  events: number
  root: string
  log: (line: string) => void
}

interface Row {
  seq: number
  event_id: string
  device_id: string
  type: string
  created_at: string
  payload: string
  prev_hash: string
  hash: string
}

/** The batches the relay sends, built the same way (≤ 500 events, seq order) for the baseline loop. */
function batchBodies(file: string): string[] {
  const db = openDatabase(file, { readonly: true })
  const bodies: string[] = []
  let batch: string[] = []
  for (const r of db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as Iterable<Row>) {
    batch.push(
      `{"id":${JSON.stringify(r.event_id)},"device":${JSON.stringify(r.device_id)},"seq":${r.seq},"type":${JSON.stringify(r.type)},"at":${JSON.stringify(r.created_at)},"data":${r.payload},"prevHash":"${r.prev_hash}","hash":"${r.hash}"}`,
    )
    if (batch.length === MAX_BATCH_EVENTS) {
      bodies.push(`{"events":[${batch.join(',')}]}`)
      batch = []
    }
  }
  if (batch.length) bodies.push(`{"events":[${batch.join(',')}]}`)
  db.close()
  return bodies
}

async function bareLoop(root: string, bodies: string[]): Promise<number> {
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'bench/child/trivial-endpoint.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('trivial endpoint did not start')), 30_000)
      createInterface({ input: child.stdout! }).on('line', (l) => {
        const m = /^Trivial endpoint: (\S+)/.exec(l)
        if (m) {
          clearTimeout(t)
          resolve(m[1]!)
        }
      })
    })
    const t0 = performance.now()
    for (const body of bodies) {
      const res = await fetch(`${url}/v1/device/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      if (!res.ok) throw new Error(`trivial endpoint answered ${res.status}`)
      await res.arrayBuffer()
    }
    return performance.now() - t0
  } finally {
    child.kill('SIGTERM')
  }
}

export async function benchDrain(o: DrainOptions): Promise<BenchResult[]> {
  const ledger = ensureLedger({ orders: o.events, resourcesDir: join(o.root, 'resources'), log: o.log })
  o.log(`  ledger of ${ledger.journalEvents.toLocaleString('en')} events ${ledger.reused ? '(cached)' : `built in ${ledger.buildSeconds.toFixed(0)} s`}`)
  const tillDir = scratchPath('drain-till')
  copyFileSync(ledger.file, join(tillDir, LEDGER_FILE))
  const platform = await spawnPlatform(o.root, scratchPath('drain-platform'))
  let relayMs: number
  let bodies: string[]
  try {
    const { storeId, devices } = await storeWithDevices(platform, 1)
    const { core } = openCore({ dataDir: tillDir, demo: false, resourcesDir: join(o.root, 'resources') })
    try {
      const staff = core.handle({ channel: 'staff-list', input: {} })
      if (!staff.ok) throw new Error('staff-list failed')
      const owner = (staff.value as { id: string; role: string }[]).find((s) => s.role === 'owner')!
      const signin = core.handle({ channel: 'session-signin', input: { staffId: owner.id, pin: '9999' } })
      if (!signin.ok) throw new Error(`sign-in failed: ${signin.error.message}`)
      const session = (signin.value as { token: string }).token
      const pending = (): number => {
        const s = core.handle({ channel: 'sync-status', input: {}, session })
        if (!s.ok) throw new Error(`sync-status failed: ${s.error.message}`)
        return (s.value as { pending: number }).pending
      }
      if (pending() !== ledger.journalEvents) throw new Error(`expected ${ledger.journalEvents} pending events, found ${pending()}`)
      o.log(`  pairing and draining ${ledger.journalEvents.toLocaleString('en')} events`)
      const t0 = performance.now()
      const paired = await core.invoke({ channel: 'sync-pair', input: { platformUrl: platform.url, code: devices[0]!.code }, session })
      if (!paired.ok) throw new Error(`pairing failed: ${paired.error.code} ${paired.error.message}`)
      const deadline = t0 + 600_000
      while (pending() > 0) {
        if (performance.now() > deadline) throw new Error(`still ${pending()} events pending after 10 minutes`)
        await new Promise((r) => setTimeout(r, 25))
      }
      relayMs = performance.now() - t0
      // Count what arrived, not what the relay believes it sent.
      const listed = await admin<{ devices: { id: string; lastSeq: number }[] }>(platform, 'GET', `/v1/admin/stores/${storeId}/devices`)
      const lastSeq = listed.devices.find((d) => d.id === devices[0]!.id)?.lastSeq
      if (lastSeq !== ledger.journalEvents) throw new Error(`the platform holds ${lastSeq} events of ${ledger.journalEvents}`)
    } finally {
      await core.invoke({ channel: 'sync-unpair', input: {} }).catch(() => undefined)
      core.db.close()
    }
    bodies = batchBodies(join(tillDir, LEDGER_FILE))
  } finally {
    await platform.stop()
  }
  o.log(`  relay drained in ${(relayMs / 1000).toFixed(1)} s; bare loop over the same ${bodies.length} batches…`)
  const bareMs = await bareLoop(o.root, bodies)
  const relayRate = (ledger.journalEvents / relayMs) * 1000
  const bareRate = (ledger.journalEvents / bareMs) * 1000
  const n = ledger.journalEvents.toLocaleString('en')
  return [
    single(`sync: drain ${n} events`, 's', relayMs / 1000, atMost(60, ['p50'], 's'), 'pair → outbox empty, through the relay to npm run platform (PGlite)'),
    single('sync: drain rate (relay → platform)', 'events/s', relayRate, null),
    single('sync: bare loop → trivial endpoint', 'events/s', bareRate, null, `${bodies.length} batches of ≤ ${MAX_BATCH_EVENTS}, posted in sequence`),
    single('sync: drain ratio to bare loop', '×', relayRate / bareRate, atLeast(0.5, ['p50'], '×')),
  ]
}

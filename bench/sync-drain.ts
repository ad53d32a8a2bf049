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
import { admin, freshPgDatabase, spawnPlatform, storeWithDevices } from './lib/platform-process'
import { atLeast, atMost, single, type BenchResult } from './lib/results'
import { scratchPath } from './lib/tmp'
import { bothSettled } from './lib/stats'
import type { JournalRow } from '../src/main/core/journal'

export interface DrainOptions {
  events: number
  root: string
  log: (line: string) => void
  /** Smoke runs: drain to PGlite and PostgreSQL at the same time (saves a platform start; the figures then mean nothing). */
  concurrent?: boolean
}


/** The batches the relay sends, built the same way (≤ 500 events, seq order) for the baseline loop. */
function batchBodies(file: string): string[] {
  const db = openDatabase(file, { readonly: true })
  const bodies: string[] = []
  let batch: string[] = []
  for (const r of db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as Iterable<JournalRow>) {
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

/** One drain: a fresh copy of the ledger, a fresh platform on `database`, pair, wait for 0 pending. */
async function drainOnce(o: DrainOptions, ledgerFile: string, events: number, label: string, env: Record<string, string | undefined>): Promise<number> {
  const tillDir = scratchPath(`drain-till-${label}`)
  copyFileSync(ledgerFile, join(tillDir, LEDGER_FILE))
  const platform = await spawnPlatform(o.root, scratchPath(`drain-platform-${label}`), env)
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
      if (pending() !== events) throw new Error(`expected ${events} pending events, found ${pending()}`)
      o.log(`  ${label}: pairing and draining ${events.toLocaleString('en')} events`)
      // Wait on the relay's own sync-changed events (what the screen listens to), not by polling:
      // a poll would count the outbox on the relay's thread and slow what it measures.
      let off = (): void => {}
      const drained = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still ${pending()} events pending after 10 minutes`)), 600_000)
        off = core.onEvent((event, payload) => {
          if (event === 'sync-changed' && (payload as { pending: number }).pending === 0) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      const t0 = performance.now()
      const paired = await core.invoke({ channel: 'sync-pair', input: { platformUrl: platform.url, code: devices[0]!.code }, session })
      if (!paired.ok) throw new Error(`pairing failed: ${paired.error.code} ${paired.error.message}`)
      await drained
      const ms = performance.now() - t0
      off()
      if (pending() !== 0) throw new Error(`sync-changed said 0 pending but ${pending()} are`)
      // Count what arrived, not what the relay believes it sent.
      const listed = await admin<{ devices: { id: string; lastSeq: number }[] }>(platform, 'GET', `/v1/admin/stores/${storeId}/devices`)
      const lastSeq = listed.devices.find((d) => d.id === devices[0]!.id)?.lastSeq
      if (lastSeq !== events) throw new Error(`the platform holds ${lastSeq} events of ${events}`)
      o.log(`  ${label}: drained in ${(ms / 1000).toFixed(1)} s`)
      return ms
    } finally {
      await core.close()
    }
  } finally {
    await platform.stop()
  }
}

export async function benchDrain(o: DrainOptions): Promise<BenchResult[]> {
  const ledger = ensureLedger({ orders: o.events, resourcesDir: join(o.root, 'resources'), log: o.log })
  const events = ledger.journalEvents
  o.log(`  ledger of ${events.toLocaleString('en')} events ${ledger.reused ? '(cached)' : `built in ${ledger.buildSeconds.toFixed(0)} s`}`)
  const pgUrl = process.env.DAYBOOK_BENCH_PG_URL ?? process.env.DAYBOOK_TEST_PG_URL
  const onPg = async (): Promise<{ label: string; ms: number }> => {
    const db = await freshPgDatabase(pgUrl as string)
    try {
      return { label: 'PostgreSQL', ms: await drainOnce(o, ledger.file, events, 'PostgreSQL', { DATABASE_URL: db.url }) }
    } finally {
      await db.drop()
    }
  }
  const onPglite = async (): Promise<{ label: string; ms: number }> => ({ label: 'PGlite', ms: await drainOnce(o, ledger.file, events, 'PGlite', { DATABASE_URL: undefined }) })
  const runs: { label: string; ms: number }[] = []
  if (pgUrl && o.concurrent) {
    o.log('  PGlite and PostgreSQL at the same time (smoke run: checks they work, the times mean nothing)')
    runs.push(...(await bothSettled([onPglite(), onPg()])))
  } else {
    runs.push(await onPglite())
    if (pgUrl) runs.push(await onPg())
    else o.log('  PostgreSQL: skipped (set DAYBOOK_BENCH_PG_URL=postgres://… to measure it)')
  }
  const bodies = batchBodies(ledger.file)
  o.log(`  bare loop over the same ${bodies.length} batches…`)
  const bareRate = (events / (await bareLoop(o.root, bodies))) * 1000
  const n = events.toLocaleString('en')
  const out: BenchResult[] = [single('sync: bare loop → trivial endpoint', 'events/s', bareRate, null, `${bodies.length} batches of ≤ ${MAX_BATCH_EVENTS}, posted in sequence`)]
  for (const r of runs) {
    const rate = (events / r.ms) * 1000
    out.push(
      // Issue 14: a week offline drains in ≤ 15 s to PostgreSQL (PGlite, the embedded default, keeps the earlier ≤ 60 s).
      single(`sync: drain ${n} events, platform on ${r.label}`, 's', r.ms / 1000, atMost(r.label === 'PostgreSQL' ? 15 : 60, ['p50'], 's'), `pair → outbox empty, through the relay to npm run platform (${r.label})`),
      single(`sync: drain rate, ${r.label}`, 'events/s', rate, null),
      single(`sync: drain ratio to bare loop, ${r.label}`, '×', rate / bareRate, atLeast(0.5, ['p50'], '×')),
    )
  }
  return out
}

/**
 * Benchmark 3: a fresh process opens a ledger of 1,000,000 completed orders the way the app does and
 * gets its first answers (app-info, then the last business day's order list). Beside it, a bare child
 * of the same runtime that only opens the file with better-sqlite3 and runs SELECT 1.
 */
import { spawn } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEMO_STAFF } from '../src/main/core/seed'
import { ensureLedger } from './ledger-gen'
import { atMost, result, single, type BenchResult } from './lib/results'
import { summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface OpenOptions {
  orders: number
  runs: number
  root: string
  log: (line: string) => void
}

interface ChildReport {
  loaded: number
  toAnswersMs: number
  sinceStartMs: number
  rss: number
  openMs?: number
  appInfoMs?: number
  signInMs?: number
  orderListMs?: number
  orders?: number
}

function runChild(root: string, script: string, args: string[]): Promise<ChildReport> {
  const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', loader, join(root, 'bench', 'child', script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.trim().slice(0, 2000)}`))
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildReport)
      } catch {
        reject(new Error(`${script} printed no report: ${out.slice(0, 500)} ${err.slice(0, 500)}`))
      }
    })
  })
}

export async function benchOpen(o: OpenOptions): Promise<BenchResult[]> {
  const ledger = ensureLedger({ orders: o.orders, resourcesDir: join(o.root, 'resources'), log: o.log })
  o.log(
    `  ledger: ${ledger.orders.toLocaleString('en')} orders, ${(ledger.bytes / 2 ** 30).toFixed(2)} GiB, ${ledger.reused ? 'reused from cache' : `built in ${ledger.buildSeconds.toFixed(0)} s`}; ${ledger.verified}`,
  )
  // The till writes to what it opens (sign-in, and whatever the core keeps up at start): open a copy, so
  // the cached file stays exactly as built.
  const file = join(scratchPath('open'), 'ledger.sqlite')
  copyFileSync(ledger.file, file)
  const pin = DEMO_STAFF[0].pin
  const core: ChildReport[] = []
  const bare: ChildReport[] = []
  // One untimed pass of each first, so every timed run sees the same (warm) page cache.
  await runChild(o.root, 'open-core.ts', [file, ledger.lastBusinessDate, pin])
  await runChild(o.root, 'open-bare.ts', [file])
  for (let i = 0; i < o.runs; i++) {
    // Alternate which goes first, as in the commit benchmark.
    if (i % 2 === 0) {
      core.push(await runChild(o.root, 'open-core.ts', [file, ledger.lastBusinessDate, pin]))
      bare.push(await runChild(o.root, 'open-bare.ts', [file]))
    } else {
      bare.push(await runChild(o.root, 'open-bare.ts', [file]))
      core.push(await runChild(o.root, 'open-core.ts', [file, ledger.lastBusinessDate, pin]))
    }
  }
  const listed = core[0]?.orders ?? 0
  const s = (xs: ChildReport[], f: (r: ChildReport) => number) => summarize(xs.map(f))
  const mb = (b: number): number => b / 2 ** 20
  const k = ledger.orders >= 1_000_000 ? `${ledger.orders / 1_000_000}M` : `${Math.round(ledger.orders / 1000)}k`
  const phases = ['openMs', 'appInfoMs', 'orderListMs', 'signInMs'] as const
  const median = (f: keyof ChildReport): string => s(core, (r) => Number(r[f] ?? 0)).p50.toFixed(1)
  return [
    single(`open: ${k}-order ledger (build)`, 's', ledger.buildSeconds, null, `${(ledger.bytes / 2 ** 30).toFixed(2)} GiB; ${ledger.reused ? 'reused from the cache' : 'built this run'}`),
    // Timed from openDatabase, without the process start the bare child's figure includes: no baseline.
    {
      ...result(
        `open: ${k} orders, openDatabase+Core → app-info+order-list`,
        'ms',
        s(core, (r) => r.toAnswersMs),
        atMost(500, ['p50'], 'ms'),
        `median of ${o.runs} fresh processes, warm page cache; order-list returned ${listed} orders; medians ${phases.map((p) => `${p} ${median(p)}`).join(', ')} (sign-in excluded)`,
      ),
      baseline: null,
    },
    result(`open: ${k}, process start → answers (node+tsx+modules)`, 'ms', s(core, (r) => r.sinceStartMs), null, 'includes runtime start-up and loading the core modules'),
    result(`open: bare child, process start → SELECT 1`, 'ms', s(bare, (r) => r.sinceStartMs), null, 'same runtime (node + tsx loader), better-sqlite3 only'),
    result(`open: ${k}, child RSS after answers`, 'MB', s(core, (r) => mb(r.rss)), atMost(150, ['p50'], 'MB')),
    result(`open: bare child RSS after SELECT 1`, 'MB', s(bare, (r) => mb(r.rss)), null),
  ]
}

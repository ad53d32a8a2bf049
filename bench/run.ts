/**
 * Daybook foundation benchmarks. `npm run bench` (about 4–5 minutes on 2 cores the first time,
 * when it builds the 1,000,000-order ledger it then caches in os.tmpdir()).
 *
 *   npm run bench                      all benchmarks, full size → results/foundation-<date>.json and results/latest.json
 *   npm run bench -- --quick           smaller sizes, a smoke run → results/foundation-<date>-quick.json
 *   npm run bench -- --only commit     one or more of: commit, catalog, open, drain, ingest, card, qr, day, verify (comma-separated or repeated)
 *
 * Not part of npm test. Targets from the foundation issue; ratios are taken against a bare baseline
 * measured in the same run, because this machine is small and noisy.
 */
import { resolve, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { benchCard } from './card-roundtrip'
import { benchQr } from './qr-latency'
import { benchCatalog } from './catalog'
import { benchCommit } from './commit'
import { benchOpen } from './open'
import { benchIngest } from './platform-ingest'
import { benchDrain } from './sync-drain'
import { benchDayClose } from './day-close'
import { benchVerify } from './verify'
import { benchStatementsParse } from './statements-parse'
import { benchReconcile } from './reconcile'
import { benchReview } from './review'
import { machineInfo, table, writeReport, type BenchResult, type Report } from './lib/results'
import { cleanupScratch } from './lib/tmp'

const NAMES = ['commit', 'catalog', 'open', 'drain', 'ingest', 'card', 'qr', 'day', 'verify', 'parse', 'reconcile', 'review'] as const
type Name = (typeof NAMES)[number]

function parseArgs(argv: string[]): { quick: boolean; only: Name[] | null } {
  let quick = false
  const only: Name[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--quick') quick = true
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length)
      if (!v) throw new Error('--only needs a name: commit, catalog, open, drain, ingest, card or qr')
      for (const n of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!(NAMES as readonly string[]).includes(n)) throw new Error(`unknown benchmark ${n}: choose from ${NAMES.join(', ')}`)
        only.push(n as Name)
      }
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--quick] [--only commit,catalog,open,drain,ingest,card,qr,day,verify]')
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  return { quick, only: only.length ? [...new Set(only)] : null }
}

const SIZES = {
  full: {
    commit: { sales: 2000, warmup: 200 },
    catalog: { products: 200_000, lookups: 5000, searches: 1200 },
    open: { orders: 1_000_000, runs: 5 },
    drain: { events: 100_000 },
    ingest: { devices: 50, eventsPerDevice: 400, batch: 100 },
    card: { payments: 400, warmup: 20 },
    qr: { payments: 100 },
    day: { history: 1_000_000, days: [5000, 50_000], xRuns: 5 },
    verify: { orders: 1_000_000, runs: 3 },
    parse: { rows: 50_000, runs: 5 },
    reconcile: { tenders: 50_000, runs: 5 },
    review: { history: 1_000_000, days: [5000, 50_000] as [number, number], runs: 5 },
  },
  quick: {
    commit: { sales: 200, warmup: 20 },
    catalog: { products: 20_000, lookups: 1000, searches: 200 },
    open: { orders: 20_000, runs: 3 },
    drain: { events: 5_000 },
    ingest: { devices: 50, eventsPerDevice: 40, batch: 20 },
    card: { payments: 200, warmup: 10 },
    qr: { payments: 20 },
    day: { history: 20_000, days: [1000, 5000], xRuns: 3 },
    verify: { orders: 20_000, runs: 2 },
    parse: { rows: 5_000, runs: 3 },
    reconcile: { tenders: 5_000, runs: 3 },
    review: { history: 20_000, days: [1000, 5000] as [number, number], runs: 5 },
  },
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\nusage: npm run bench -- [--quick] [--only commit,catalog,open,drain,ingest,card,qr,day,verify]`)
    process.exit(2)
  }
  const { quick, only } = args
  const root = resolve(__dirname, '..')
  const size = quick ? SIZES.quick : SIZES.full
  const start = performance.now()
  const stamp = (): string => `${((performance.now() - start) / 1000).toFixed(0).padStart(4)} s`
  const log = (line: string): void => console.log(`${stamp()} ${line}`)
  const wanted = (n: Name): boolean => only === null || only.includes(n)
  const results: BenchResult[] = []
  const date = new Date().toISOString()
  log(`Daybook foundation benchmarks (${quick ? 'quick' : 'full'}${only ? `, only ${only.join(', ')}` : ''})`)
  try {
    if (wanted('commit')) {
      log(`commit: ${size.commit.sales} durable 5-line sales vs bare transactions, interleaved`)
      results.push(...(await benchCommit({ ...size.commit, resourcesDir: join(root, 'resources'), log })))
    }
    if (wanted('catalog')) {
      log(`catalog: ${size.catalog.products.toLocaleString('en')} products`)
      results.push(...(await benchCatalog({ ...size.catalog, log })))
    }
    if (wanted('open')) {
      log(`open: ledger of ${size.open.orders.toLocaleString('en')} orders, ${size.open.runs} fresh processes`)
      results.push(...(await benchOpen({ ...size.open, root, log })))
    }
    if (wanted('drain')) {
      log(`drain: a backlog of ${size.drain.events.toLocaleString('en')} events to a local platform vs a bare loop`)
      results.push(...(await benchDrain({ ...size.drain, root, log })))
    }
    if (wanted('ingest')) {
      log(`ingest: ${size.ingest.devices} devices posting at once, PGlite and PostgreSQL`)
      results.push(...(await benchIngest({ ...size.ingest, root, log })))
    }
    if (wanted('card')) {
      log(`card: ${size.card.payments} card payments through the Adyen driver and the terminal simulator`)
      results.push(...(await benchCard({ ...size.card, log })))
    }
    if (wanted('qr')) {
      log(`qr: ${size.qr.payments} merchant QRs paid on the customer page, till on the platform's long poll`)
      results.push(...(await benchQr({ ...size.qr, root, log })))
    }
    if (wanted('day')) {
      log(`day: X and Z for days of ${size.day.days.map((d) => d.toLocaleString('en')).join(' and ')} orders on ${size.day.history.toLocaleString('en')} older ones`)
      results.push(...(await benchDayClose({ ...size.day, resourcesDir: join(root, 'resources'), log })))
    }
    if (wanted('verify')) {
      log(`verify: npm run daybook -- verify on a ledger of ${size.verify.orders.toLocaleString('en')} orders`)
      results.push(...(await benchVerify({ ...size.verify, root, log })))
    }
    if (wanted('parse')) {
      log(`parse: Alipay and WeChat Pay statements of ${size.parse.rows.toLocaleString('en')} rows vs decode + split`)
      results.push(...(await benchStatementsParse({ ...size.parse, log })))
    }
    if (wanted('reconcile')) {
      log(`reconcile: a day of ${size.reconcile.tenders.toLocaleString('en')} card and QR tenders against a statement of as many rows vs bare SELECTs`)
      results.push(...(await benchReconcile({ ...size.reconcile, resourcesDir: join(root, 'resources'), log })))
    }
    if (wanted('review')) {
      log(`review: the settlement review of days of ${size.review.days.map((d) => d.toLocaleString('en')).join(' and ')} orders on ${size.review.history.toLocaleString('en')} older ones`)
      results.push(...(await benchReview({ ...size.review, resourcesDir: join(root, 'resources'), log })))
    }
  } finally {
    cleanupScratch()
  }
  const report: Report = {
    suite: 'foundation',
    date,
    mode: quick ? 'quick' : 'full',
    only,
    durationSeconds: Math.round((performance.now() - start) / 1000),
    machine: machineInfo(),
    benchmarks: results,
  }
  const files = writeReport(join(root, 'bench', 'results'), report)
  console.log(`\n${table(results)}\n`)
  for (const r of results) if (r.note) console.log(`  ${r.name.trim()}: ${r.note}`)
  const missed = results.filter((r) => r.met === false)
  console.log(`\n${results.filter((r) => r.met !== null).length - missed.length} targets met, ${missed.length} missed; ${report.durationSeconds} s`)
  console.log(`wrote ${files.join(', ')}`)
}

main().catch((e: unknown) => {
  cleanupScratch()
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
})

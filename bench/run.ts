/**
 * Daybook benchmarks. `npm run bench`: about 20–25 minutes on 2 cores with an empty cache (a few of
 * them building the 1,000,000-order ledger, then cached in <project>/.cache/bench; see bench/ledger-gen.ts;
 * verify, drain, day and review take most of the rest).
 *
 *   npm run bench                      all benchmarks, full size → results/foundation-<date>.json and results/latest.json
 *   npm run bench -- --smoke           every benchmark at small sizes (well under a minute): checks they run and
 *                                      give every figure, exits non-zero otherwise → results/smoke.json only (CI runs it)
 *   npm run bench -- --quick           middle sizes → results/foundation-<date>-quick.json
 *   npm run bench -- --only commit     one or more of the names below (comma-separated or repeated)
 *
 * Not part of npm test. Targets from the issues; ratios are taken against a bare baseline measured in
 * the same run, because this machine is small and noisy. Every run prints and records the machine.
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
import { benchPgUrl, linkBaselines, machineInfo, machineLine, missingFigures, postgresVersion, table, writeReport, type BenchResult, type Report } from './lib/results'
import { cleanupScratch } from './lib/tmp'

const NAMES = ['commit', 'catalog', 'open', 'drain', 'ingest', 'card', 'qr', 'day', 'verify', 'parse', 'reconcile', 'review'] as const
type Name = (typeof NAMES)[number]

type Mode = 'full' | 'quick' | 'smoke'
const USAGE = `usage: npm run bench -- [--smoke | --quick] [--only ${NAMES.join(',')}]`

function parseArgs(argv: string[]): { mode: Mode; only: Name[] | null } {
  let mode: Mode = 'full'
  const only: Name[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--quick' || a === '--smoke') {
      const m = a.slice(2) as Mode
      if (mode !== 'full' && mode !== m) throw new Error('choose one of --smoke and --quick')
      mode = m
    } else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length)
      if (!v) throw new Error(`--only needs a name: ${NAMES.join(', ')}`)
      for (const n of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!(NAMES as readonly string[]).includes(n)) throw new Error(`unknown benchmark ${n}: choose from ${NAMES.join(', ')}`)
        only.push(n as Name)
      }
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  return { mode, only: only.length ? [...new Set(only)] : null }
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
  // Does every scenario still run and give every figure? Small enough for CI (well under a minute on
  // 2 cores once the 2,000-order ledger is cached, which takes a few seconds to build). Not results.
  smoke: {
    commit: { sales: 60, warmup: 10 },
    catalog: { products: 3000, lookups: 200, searches: 80 },
    open: { orders: 2000, runs: 1 },
    drain: { events: 1000 },
    ingest: { devices: 5, eventsPerDevice: 40, batch: 20 },
    card: { payments: 10, warmup: 2 },
    qr: { payments: 6 },
    day: { history: 2000, days: [200, 500], xRuns: 2 },
    verify: { orders: 2000, runs: 1 },
    parse: { rows: 1000, runs: 2 },
    reconcile: { tenders: 1000, runs: 2 },
    review: { history: 2000, days: [200, 500] as [number, number], runs: 2 },
  },
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`)
    process.exit(2)
  }
  const { mode, only } = args
  const root = resolve(__dirname, '..')
  const size = SIZES[mode]
  const start = performance.now()
  const stamp = (): string => `${((performance.now() - start) / 1000).toFixed(0).padStart(4)} s`
  const log = (line: string): void => console.log(`${stamp()} ${line}`)
  const wanted = (n: Name): boolean => only === null || only.includes(n)
  const results: BenchResult[] = []
  const failures: string[] = []
  const date = new Date().toISOString()
  const machine = machineInfo()
  const pgUrl = benchPgUrl()
  const usesPg = wanted('drain') || wanted('ingest')
  machine.postgres = pgUrl && usesPg ? await postgresVersion(pgUrl) : pgUrl ? 'not used by these benchmarks' : 'not used (set DAYBOOK_BENCH_PG_URL)'
  log(`Daybook benchmarks (${mode}${only ? `, only ${only.join(', ')}` : ''})${mode === 'smoke' ? ': a smoke run, its figures are not results' : ''}`)
  log(machineLine(machine))

  const scenarios: { name: Name; what: string; run: () => Promise<BenchResult[]> }[] = [
    { name: 'commit', what: `${size.commit.sales} durable 5-line sales vs bare transactions of the same rows, interleaved`, run: () => benchCommit({ ...size.commit, resourcesDir: join(root, 'resources'), log }) },
    { name: 'catalog', what: `importCatalog of ${size.catalog.products.toLocaleString('en')} products, then barcode lookup and search-as-you-type latency`, run: () => benchCatalog({ ...size.catalog, log }) },
    { name: 'open', what: `a fresh process opens a ledger of ${size.open.orders.toLocaleString('en')} orders until the core answers (${size.open.runs} runs) vs a bare child`, run: () => benchOpen({ ...size.open, root, log }) },
    { name: 'drain', what: `a backlog of ${size.drain.events.toLocaleString('en')} events drained to a local platform vs a bare loop`, run: () => benchDrain({ ...size.drain, root, log, concurrent: mode === 'smoke' }) },
    { name: 'ingest', what: `${size.ingest.devices} devices posting ${size.ingest.eventsPerDevice} events each at once, PGlite and PostgreSQL`, run: () => benchIngest({ ...size.ingest, root, log, concurrent: mode === 'smoke' }) },
    { name: 'card', what: `${size.card.payments} card payments through the Adyen driver and the terminal simulator vs a bare HTTPS POST`, run: () => benchCard({ ...size.card, log }) },
    { name: 'qr', what: `${size.qr.payments} merchant QRs paid on the customer page, till on the platform's long poll vs the page's round trip`, run: () => benchQr({ ...size.qr, root, log }) },
    { name: 'day', what: `X and Z for days of ${size.day.days.map((d) => d.toLocaleString('en')).join(' and ')} orders on ${size.day.history.toLocaleString('en')} older ones vs one SQL pass`, run: () => benchDayClose({ ...size.day, resourcesDir: join(root, 'resources'), log }) },
    { name: 'verify', what: `npm run daybook -- verify on a ledger of ${size.verify.orders.toLocaleString('en')} orders`, run: () => benchVerify({ ...size.verify, root, log }) },
    { name: 'parse', what: `Alipay and WeChat Pay statements of ${size.parse.rows.toLocaleString('en')} rows vs decode + split`, run: () => benchStatementsParse({ ...size.parse, log }) },
    { name: 'reconcile', what: `a day of ${size.reconcile.tenders.toLocaleString('en')} card and QR tenders against a statement of as many rows vs bare SELECTs`, run: () => benchReconcile({ ...size.reconcile, resourcesDir: join(root, 'resources'), log }) },
    { name: 'review', what: `the settlement review of days of ${size.review.days.map((d) => d.toLocaleString('en')).join(' and ')} orders on ${size.review.history.toLocaleString('en')} older ones vs one SQL pass`, run: () => benchReview({ ...size.review, resourcesDir: join(root, 'resources'), log }) },
  ]
  try {
    for (const sc of scenarios) {
      if (!wanted(sc.name)) continue
      log(`${sc.name}: ${sc.what}`)
      const t0 = performance.now()
      try {
        const got = linkBaselines(await sc.run())
        const missing = got.length === 0 ? ['no result at all'] : missingFigures(got)
        results.push(...got)
        if (missing.length > 0) {
          failures.push(`${sc.name}: missing figures: ${missing.join('; ')}`)
          log(`${sc.name}: FAILED, missing figures: ${missing.join('; ')}`)
        } else log(`${sc.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      } catch (e) {
        failures.push(`${sc.name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
        log(`${sc.name}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
      }
    }
  } finally {
    cleanupScratch()
  }
  const report: Report = {
    suite: 'foundation',
    date,
    mode,
    only,
    durationSeconds: Math.round((performance.now() - start) / 1000),
    machine,
    benchmarks: results,
    ...(failures.length ? { failures } : {}),
  }
  const files = writeReport(join(root, 'bench', 'results'), report)
  console.log(`\n${machineLine(machine)}\n\n${table(results)}\n`)
  for (const r of results) if (r.note) console.log(`  ${r.name.trim()}: ${r.note}`)
  const targets = results.filter((r) => r.met !== null)
  const missed = targets.filter((r) => r.met === false)
  console.log(`\n${targets.length - missed.length} targets met, ${missed.length} not met${mode === 'smoke' ? ' (smoke sizes: not results)' : ''}; ${report.durationSeconds} s`)
  console.log(`wrote ${files.join(', ')}`)
  if (failures.length > 0) {
    console.error(`\n${failures.length} benchmark(s) failed:\n${failures.map((f) => `  ${f}`).join('\n')}`)
    process.exit(1)
  }
}

main().catch((e: unknown) => {
  cleanupScratch()
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
})

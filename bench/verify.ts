/**
 * Benchmark 'verify': `npm run daybook -- verify` on a ledger of N orders (target: ≤ 10 s for
 * 1,000,000 orders, issue 10). The verifier walks the hash chain, rebuilds every posted row from
 * its event (orders, lines, taxes, tenders, refunds, voids, reprints, shifts, movements, closures,
 * postings, ledger lines, outbox) and replays the closures' figures.
 *
 * The ledger: bench/ledger-gen.ts's ensureLedger when it builds one the verifier finds clean (it
 * is the shared generator, and fast); otherwise one made here through the real core — completeSale,
 * openShift, moveCash, reprintOrder, createRefund, closeShift and closeDay in big transactions, a
 * business day of ~1,000 orders at a time, each day with a shift, a reprint and a refund every few
 * hundred sales, three cash movements, a counted close and a Z. Cached in <project>/.cache/bench
 * (bench/lib/tmp.ts) under a key of the schema, the generator's source and N.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import type { Cart } from '../src/shared/contract'
import { newId } from '../src/shared/ids'
import { closeDay } from '../src/main/core/closures/closures'
import { openDatabase, schemaVersion } from '../src/main/core/db/sqlite'
import { ensureDevice } from '../src/main/core/device'
import { reprintOrder } from '../src/main/core/orders'
import { createRefund } from '../src/main/core/payments/refunds'
import { completeSale, quoteCart } from '../src/main/core/sales'
import { seedDemo } from '../src/main/core/seed'
import { readSettings } from '../src/main/core/settings'
import { closeShift, moveCash, openShift, shiftExpected } from '../src/main/core/shifts/shifts'
import { listStaff } from '../src/main/core/staff'
import type { JournalReport } from '../src/shared/contract'
import { sealPath } from '../src/main/core/verify/seal'
import { verifyLedgerFile, workersFor, type FileOptions } from '../src/main/core/verify/verify'
import * as ledgerGen from './ledger-gen'
import { atMost, result, type BenchResult } from './lib/results'
import { int, pick, rng } from './lib/stats'
import { cacheDir } from './lib/tmp'

export interface VerifyBenchOptions {
  orders: number
  runs: number
  root: string
  log: (line: string) => void
}

const LAST_DAY = '2025-10-31'
const POOL = 300
const BATCH_DAYS = 20

interface Built {
  file: string
  orders: number
  events: number
  closures: number
  bytes: number
  buildSeconds: number
  source: string
  reused: boolean
}

function daysBefore(last: string, n: number): string {
  const d = new Date(`${last}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

function cacheKey(orders: number): string {
  const db = openDatabase(':memory:')
  const ddl = (db.prepare('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name').all() as { sql: string }[]).map((r) => r.sql).join('\n')
  const version = schemaVersion(db)
  db.close()
  // The generator's own source, not this whole file: changing how the bench reports must not rebuild a million orders.
  const hash = createHash('sha256').update(ddl).update(buildWithCore.toString()).update(String(POOL)).update(LAST_DAY).digest('hex').slice(0, 12)
  return `verify-orders${orders}-schema${version}-${hash}`
}

/** Sells `orders` orders through the core, day by day, with shifts, movements, refunds, reprints and a Z a day. */
function buildWithCore(file: string, orders: number, resourcesDir: string, log: (line: string) => void): { events: number; closures: number } {
  const r = rng(4242)
  const perDay: number[] = []
  for (let left = orders; left > 0; ) {
    const n = Math.min(left, int(r, 700, 1300))
    perDay.push(n)
    left -= n
  }
  const dates = perDay.map((_, i) => daysBefore(LAST_DAY, perDay.length - 1 - i))
  const db = openDatabase(file)
  seedDemo(db, join(resourcesDir, 'demo-catalog.json'), `${dates[0]}T00:00:00.000Z`)
  const device = ensureDevice(db)
  const settings = readSettings(db)
  const people = listStaff(db)
  const cashier = people.find((s) => s.role === 'cashier')!
  const supervisor = people.find((s) => s.role === 'supervisor')!
  const person = (s: { id: string; name: string }): { id: string; name: string } => ({ id: s.id, name: s.name })
  const products = db.prepare('SELECT id, unit FROM products WHERE active = 1 ORDER BY id').all() as { id: string; unit: string }[]
  // Carts of a convenience store, priced once (the catalog does not change while generating).
  const pool: { cart: Cart; due: number }[] = []
  while (pool.length < POOL) {
    const n = r() < 0.85 ? int(r, 1, 4) : int(r, 5, 10)
    const chosen = new Set<string>()
    while (chosen.size < n) chosen.add(pick(r, products).id)
    const cart: Cart = {
      lines: [...chosen].map((id) => {
        const kg = products.find((p) => p.id === id)?.unit === 'kg'
        return { productId: id, quantity: kg ? `${int(r, 1, 2)}.${String(int(r, 0, 999)).padStart(3, '0')}` : String(r() < 0.8 ? 1 : int(r, 2, 6)) }
      }),
    }
    pool.push({ cart, due: quoteCart(db, cart, settings).cashDue })
  }
  db.pragma('synchronous = OFF')
  db.pragma('journal_mode = MEMORY')
  db.pragma('cache_size = -262144')
  const t0 = performance.now()
  let sold = 0
  let logged = 0
  db.exec('BEGIN')
  for (let d = 0; d < perDay.length; d++) {
    const date = dates[d]!
    const open = Date.parse(`${date}T07:00:00.000+08:00`)
    const step = Math.floor((15 * 3_600_000) / (perDay[d]! + 10))
    let t = open
    const at = (): Date => new Date((t += step))
    const shiftId = newId()
    openShift(db, settings, device, at(), { shiftId, count: [{ value: 20_000, kind: 'amount', count: 1 }], staff: person(cashier) })
    const recent: { id: string; tender: string }[] = []
    for (let n = 0; n < perDay[d]!; n++) {
      const p = pick(r, pool)
      const note = pick(r, [0, 0, 1000, 2000, 5000, 10_000])
      const tendered = note === 0 ? p.due : Math.ceil((p.due + 1) / note) * note
      const o = completeSale(db, { saleId: newId(), cart: p.cart, cashTendered: tendered }, settings, { device, staff: cashier, approval: null, now: at() })
      recent.push({ id: o.id, tender: o.tenders[0]!.id })
      if (n % 250 === 100) reprintOrder(db, o.id, device.id, cashier.id, at())
      if (n % 400 === 200) {
        const x = recent[recent.length - 5]!
        createRefund(db, { refundId: newId(), orderId: x.id, tenderId: x.tender, amount: 100, reason: 'damaged', staff: person(supervisor), approvedBy: null, at: at().toISOString(), deviceId: device.id })
      }
      if (n === 300) moveCash(db, settings, device, at(), { movementId: newId(), kind: 'pay_in', amount: 5000, reason: 'change_float', note: 'coins', staff: person(cashier), approvedBy: null })
      if (n === 600) moveCash(db, settings, device, at(), { movementId: newId(), kind: 'pay_out', amount: 800, reason: 'petty_expense', note: 'milk', staff: person(cashier), approvedBy: null })
      if (n === 650) moveCash(db, settings, device, at(), { movementId: newId(), kind: 'safe_drop', amount: 20_000, reason: 'other', note: 'drop', staff: person(cashier), approvedBy: null })
    }
    const expected = shiftExpected(db, shiftId)
    closeShift(db, settings, device, at(), { shiftId, count: [{ value: expected, kind: 'amount', count: 1 }], left: Math.min(expected, 20_000), reason: undefined, staff: person(cashier) }, null)
    closeDay(db, settings, device, at(), { closureId: newId(), staff: supervisor })
    sold += perDay[d]!
    if (d % BATCH_DAYS === BATCH_DAYS - 1) {
      db.exec('COMMIT')
      db.exec('BEGIN')
      if (sold - logged >= 100_000) {
        logged = sold
        log(`    … ${sold.toLocaleString('en')} orders, ${((performance.now() - t0) / 1000).toFixed(0)} s`)
      }
    }
  }
  db.exec('COMMIT')
  db.pragma('journal_mode = WAL')
  const events = (db.prepare('SELECT max(seq) AS n FROM journal').get() as { n: number }).n
  db.close()
  return { events, closures: perDay.length }
}

function counts(file: string): { orders: number; events: number; closures: number; postings: number } {
  const db = new Database(file, { readonly: true })
  try {
    const one = (sql: string): number => (db.prepare(sql).get() as { n: number | null }).n ?? 0
    const hasPostings = one("SELECT count(*) AS n FROM sqlite_master WHERE name = 'postings'") > 0
    return {
      orders: one('SELECT count(*) AS n FROM orders'),
      events: one('SELECT max(seq) AS n FROM journal'),
      closures: hasPostings ? one('SELECT count(*) AS n FROM closures') : 0,
      postings: hasPostings ? one('SELECT count(*) AS n FROM postings') : 0,
    }
  } finally {
    db.close()
  }
}

/** The shared generator's ledger, when it builds one and the verifier finds it clean. */
async function sharedLedger(o: VerifyBenchOptions): Promise<Built | null> {
  const ensure = (ledgerGen as { ensureLedger?: typeof ledgerGen.ensureLedger }).ensureLedger
  if (typeof ensure !== 'function') return null
  try {
    const info = ensure({ orders: o.orders, resourcesDir: join(o.root, 'resources'), log: o.log })
    const c = counts(info.file)
    if (c.orders > 0 && c.postings === 0) {
      o.log('  the shared generator (bench/ledger-gen.ts) writes no postings yet: using a ledger made through the core')
      return null
    }
    // A big ledger is walked in full by benchVerify itself (its first run), which says if it is not clean.
    const report = c.orders > 100_000 ? null : (await timeVerify(info.file, { full: true, noSeal: true })).report
    if (report && !report.ok) {
      o.log(`  the shared generator's ledger does not verify (${report.problem?.kind} at event ${report.problem?.seq}: ${report.problem?.message}): using a ledger made through the core`)
      return null
    }
    return { file: info.file, ...c, bytes: info.bytes, buildSeconds: info.buildSeconds, source: 'bench/ledger-gen.ts', reused: info.reused }
  } catch (e) {
    o.log(`  the shared generator failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): using a ledger made through the core`)
    return null
  }
}

export async function ensureVerifyLedger(o: VerifyBenchOptions): Promise<Built> {
  const shared = await sharedLedger(o)
  if (shared) return shared
  const key = cacheKey(o.orders)
  const dir = cacheDir()
  const file = join(dir, `ledger-${key}.sqlite`)
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`ledger-verify-orders${o.orders}-`) && !f.startsWith(`ledger-${key}.sqlite`)) rmSync(join(dir, f), { force: true })
  }
  const infoFile = `${file}.json`
  if (existsSync(file) && existsSync(infoFile)) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as Built
    const c = counts(file)
    if (c.orders === info.orders && c.events === info.events) return { ...info, file, reused: true }
  }
  const building = join(dir, `building-${process.pid}-${key}.sqlite`)
  try {
    o.log(`  building a ledger of ${o.orders.toLocaleString('en')} orders through the core in ${dir} (cached for later runs)`)
    const t0 = performance.now()
    buildWithCore(building, o.orders, join(o.root, 'resources'), o.log)
    const buildSeconds = (performance.now() - t0) / 1000
    renameSync(building, file)
    const c = counts(file)
    const info: Built = { file, orders: c.orders, events: c.events, closures: c.closures, bytes: statSync(file).size, buildSeconds, source: 'the core (bench/verify.ts)', reused: false }
    writeFileSync(infoFile, JSON.stringify(info, null, 2))
    return info
  } finally {
    for (const f of [building, `${building}-wal`, `${building}-shm`, `${building}-journal`]) rmSync(f, { force: true })
  }
}

/** One verify as `npm run daybook -- verify` runs it: read-only, the journal split between worker threads. */
async function timeVerify(file: string, options: FileOptions): Promise<{ seconds: number; report: JournalReport }> {
  const t0 = performance.now()
  const report = await verifyLedgerFile(file, options)
  return { seconds: (performance.now() - t0) / 1000, report }
}

function stats(seconds: number[]): { samples: number; p50: number; p95: number; p99: number } {
  const s = [...seconds].sort((a, b) => a - b)
  return { samples: s.length, p50: s[Math.floor((s.length - 1) / 2)]!, p95: s[s.length - 1]!, p99: s[s.length - 1]! }
}

/**
 * Two figures. The first verify of a ledger walks every event (--full) and seals the closure before
 * the last business day; then each measured run is what a till's nightly verify does after that:
 * the sealed events checked byte for byte against the seal's digest, the last day walked in full
 * (verify/seal.ts). The 10 s target is on the second; the first is reported beside it.
 */
export async function benchVerify(o: VerifyBenchOptions): Promise<BenchResult[]> {
  const ledger = await ensureVerifyLedger(o)
  o.log(
    `  ledger: ${ledger.orders.toLocaleString('en')} orders, ${ledger.events.toLocaleString('en')} events, ${ledger.closures.toLocaleString('en')} closures, ` +
      `${(ledger.bytes / 2 ** 30).toFixed(2)} GiB, from ${ledger.source}, ${ledger.reused ? 'reused from cache' : `built in ${ledger.buildSeconds.toFixed(0)} s`}`,
  )
  rmSync(sealPath(ledger.file), { force: true })
  const db = new Database(ledger.file, { readonly: true })
  const [last, before] = (db.prepare('SELECT journal_seq AS s FROM closures ORDER BY number DESC LIMIT 2').all() as { s: number }[]).map((r) => r.s)
  db.close()
  const sealAt = before ?? last ?? 0
  const full = await timeVerify(ledger.file, { full: true, sealAtOrBefore: sealAt })
  o.log(`  full walk (first verify, --full): ${full.seconds.toFixed(2)} s, ${full.report.ok ? 'clean' : `PROBLEM ${full.report.problem?.kind}: ${full.report.problem?.message}`}; sealed through event ${full.report.seal?.written ?? 'none'}`)
  const seconds: number[] = []
  let sealed: JournalReport | null = null
  for (let i = 0; i < o.runs; i++) {
    const t = await timeVerify(ledger.file, { noSeal: true })
    seconds.push(t.seconds)
    sealed = t.report
    o.log(`  verify run ${i + 1} (seal ${t.report.seal?.outcome}): ${t.seconds.toFixed(2)} s, ${t.report.ok ? 'clean' : `PROBLEM ${t.report.problem?.kind}: ${t.report.problem?.message}`}`)
  }
  const single = await timeVerify(ledger.file, { noSeal: true, workers: 1 })
  o.log(`  the same in one thread: ${single.seconds.toFixed(2)} s`)
  rmSync(sealPath(ledger.file), { force: true })

  const used = sealed?.seal?.outcome === 'used'
  const ok = full.report.ok && sealed?.ok === true && used
  const walkedEvents = (sealed?.lastSeq ?? 0) - (sealed?.seal?.seq ?? 0)
  const rows = full.report.rows ?? {}
  const scale = ledger.orders === 1_000_000 ? '' : `; ×${(1_000_000 / ledger.orders).toFixed(1)} for 1,000,000 orders (linear)`
  const what =
    `${ledger.orders.toLocaleString('en')} orders, ${ledger.events.toLocaleString('en')} events, ${(rows.order_lines ?? 0).toLocaleString('en')} order lines, ` +
    `${(rows.ledger_lines ?? 0).toLocaleString('en')} ledger lines, ${full.report.closures?.count ?? 0} closures`
  const threads = `${workersFor(ledger.events)} thread(s) on ${availableParallelism()} CPUs`
  const target = ledger.orders >= 1_000_000 ? atMost(10, ['p50'], 's') : null
  const resumed = result(
    `verify ${ledger.orders.toLocaleString('en')} orders, sealed through the day before`,
    's',
    stats(seconds),
    target,
    `${what}; events 1–${sealed?.seal?.seq ?? '?'} checked against the seal's digest, the last ${walkedEvents.toLocaleString('en')} events walked; ` +
      (ok ? 'clean' : `NOT clean or seal not used (${sealed?.seal?.outcome}): ${sealed?.problem?.message ?? full.report.problem?.message ?? ''}`) +
      `; ${threads} (one thread: ${single.seconds.toFixed(1)} s)${scale}`,
  )
  // A verify that found a problem, or did not use its seal, proves nothing about this target.
  if (!ok && target) resumed.met = false
  const first = result(`verify ${ledger.orders.toLocaleString('en')} orders, full walk (first run, --full)`, 's', stats([full.seconds]), null, `${what}; every event walked; ${threads}${scale}`)
  return [resumed, first]
}

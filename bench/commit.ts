/**
 * Benchmark 1: a durable 5-line cash sale through completeSale, against a bare SQLite
 * transaction that durably writes the same rows (same count, same values) into plain STRICT
 * tables of the same columns, on a second file with the same pragmas. The two are interleaved
 * (ABBA) in one process so disk and CPU noise falls on both alike. The sales are taken inside an
 * open shift (cash needs one), and each writes its posting and ledger lines like any sale.
 *
 * A third transaction, interleaved with them, writes the same rows with plain prepared INSERTs into
 * a copy of the ledger itself (its indexes, foreign keys, checks and triggers, no app code): the
 * floor a sale could reach with this schema. It is context, not the baseline of the target.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import type { Cart } from '../src/shared/contract'
import { newId } from '../src/shared/ids'
import { openDatabase, type Db } from '../src/main/core/db/sqlite'
import { completeSale, quoteCart, type SaleContext } from '../src/main/core/sales'
import { seedDemo } from '../src/main/core/seed'
import { ensureDevice } from '../src/main/core/device'
import { readSettings } from '../src/main/core/settings'
import { openShift } from '../src/main/core/shifts/shifts'
import { listStaff } from '../src/main/core/staff'
import { atMost, result, type BenchResult } from './lib/results'
import { int, pick, rng, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface CommitOptions {
  sales: number
  warmup: number
  resourcesDir: string
  log: (line: string) => void
}

type Row = Record<string, unknown>

/** What one completed sale wrote, table by table, read back from the ledger. */
function rowsOfSale(db: Db, orderId: string, journalSeq: number, delta: Map<string, number>): Map<string, Row[]> {
  const out = new Map<string, Row[]>()
  for (const [table, n] of delta) {
    const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
    let rows: Row[]
    if (table === 'orders') rows = db.prepare('SELECT * FROM orders WHERE id = ?').all(orderId) as Row[]
    else if (cols.includes('order_id')) rows = db.prepare(`SELECT * FROM ${table} WHERE order_id = ?`).all(orderId) as Row[]
    else if (cols.includes('seq')) rows = db.prepare(`SELECT * FROM ${table} WHERE seq = ?`).all(journalSeq) as Row[]
    else if (cols.includes('journal_seq')) rows = db.prepare(`SELECT * FROM ${table} WHERE journal_seq = ?`).all(journalSeq) as Row[]
    else throw new Error(`a sale now writes to ${table}: teach bench/commit.ts how to find its rows`)
    if (rows.length !== n) throw new Error(`expected ${n} rows of the sale in ${table}, found ${rows.length}`)
    out.set(table, rows)
  }
  return out
}

function tableCounts(db: Db): Map<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'product_search%'")
    .all() as { name: string }[]
  return new Map(tables.map((t) => [t.name, (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]))
}

function makeCarts(db: Db, n: number): Cart[] {
  const r = rng(1)
  const products = db.prepare("SELECT id, tax_class_id AS cls FROM products WHERE active = 1 AND unit = 'each' ORDER BY id").all() as { id: string; cls: string }[]
  const std = products.filter((p) => p.cls === 'std')
  const low = products.filter((p) => p.cls === 'low')
  if (std.length < 4 || low.length < 1) throw new Error('the demo catalog needs 4 standard-rate and 1 low-rate product sold by the piece')
  const carts: Cart[] = []
  for (let i = 0; i < n; i++) {
    // Four standard-rate lines and one low-rate line: two tax rows, like a typical basket.
    const ids = new Set<string>()
    while (ids.size < 4) ids.add(pick(r, std).id)
    const lines = [...ids, pick(r, low).id].map((productId) => ({ productId, quantity: String(int(r, 1, 3)) }))
    lines.sort(() => r() - 0.5)
    carts.push({ lines })
  }
  return carts
}

export async function benchCommit(o: CommitOptions): Promise<BenchResult[]> {
  const dir = scratchPath('commit')
  const db = openDatabase(join(dir, 'ledger.sqlite'))
  seedDemo(db, join(o.resourcesDir, 'demo-catalog.json'), new Date().toISOString())
  // The till's device (what the core makes at its first start): only the ledger is measured here.
  const core = { device: ensureDevice(db) }
  const settings = readSettings(db)
  const cashier = listStaff(db).find((s) => s.role === 'cashier')
  if (!cashier) throw new Error('the demo store has no cashier')
  const ctx = (): SaleContext => ({ device: core.device, staff: cashier, approval: null, now: new Date() })
  // Cash is taken inside an open shift: the cashier counts a ¥200 float in first (not timed).
  openShift(db, settings, core.device, new Date(), { shiftId: newId(), count: [{ value: 10_000, kind: 'note', count: 2 }], staff: { id: cashier.id, name: cashier.name } })
  const total = o.warmup + o.sales
  const carts = makeCarts(db, total + 1)
  // Tender the next 100-yuan note above the due amount, as a customer would; worked out before timing.
  const tenders = carts.map((c) => Math.ceil(quoteCart(db, c, settings).cashDue / 10_000) * 10_000)
  // The till makes the sale id when Pay is pressed, before the core is called: not timed.
  const saleIds = carts.map(() => newId())
  const sell = (i: number) => completeSale(db, { saleId: saleIds[i] as string, cart: carts[i] as Cart, cashTendered: tenders[i] as number }, settings, ctx())

  // One reference sale: which rows, in which tables, does a 5-line sale write, in how many statements?
  const before = tableCounts(db)
  const counted = countStatements(db)
  const ref = sell(total)
  const statementsPerSale = counted.stop()
  const after = tableCounts(db)
  const delta = new Map([...after].filter(([t, n]) => n !== before.get(t)).map(([t, n]) => [t, n - (before.get(t) ?? 0)]))
  const rows = rowsOfSale(db, ref.id, ref.journal.seq, delta)
  const rowsPerSale = [...delta.values()].reduce((a, b) => a + b, 0)
  const shape = [...delta].map(([t, n]) => `${t} ${n}`).join(', ')
  o.log(`  a 5-line sale writes ${rowsPerSale} rows: ${shape}`)

  // The bare side: same pragmas as openDatabase, one plain STRICT table per ledger table with the
  // same columns and declared types (no constraints, no secondary index, no trigger), and the same values.
  const bare = new Database(join(dir, 'bare.sqlite'))
  bare.pragma('journal_mode = WAL')
  bare.pragma('synchronous = FULL')
  bare.pragma('foreign_keys = ON')
  bare.pragma('busy_timeout = 5000')
  const inserts: { stmt: Database.Statement; values: unknown[][] }[] = []
  for (const [table, tableRows] of rows) {
    const cols = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[]
    bare.exec(`CREATE TABLE bare_${table} (${cols.map((c) => `${c.name} ${c.type || 'ANY'}`).join(', ')}) STRICT`)
    const stmt = bare.prepare(`INSERT INTO bare_${table} VALUES (${cols.map(() => '?').join(', ')})`)
    inserts.push({ stmt, values: tableRows.map((row) => cols.map((c) => row[c.name] ?? null)) })
  }
  let k = 0
  const bareTxn = bare.transaction(() => {
    k++
    for (const { stmt, values } of inserts) {
      for (const v of values) {
        // A fresh id in the first column, like every posted record gets.
        const first = v[0]
        stmt.run(typeof first === 'string' ? `${first.slice(0, -8)}${String(k).padStart(8, '0')}` : first, ...v.slice(1))
      }
    }
  })
  const bareCommit = (): void => bareTxn.immediate()
  const floor = floorTransaction(db, join(dir, 'floor.sqlite'), rows, ref)
  // Untimed, after the warm-up: how many pages each kind of commit writes to the WAL.
  const pagesPerCommit = (d: Db, fn: () => void): number => {
    d.pragma('wal_checkpoint(TRUNCATE)')
    for (let i = 0; i < 10; i++) fn()
    const [r] = d.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]
    return (r?.log ?? Number.NaN) / 10
  }

  const saleMs: number[] = []
  const bareMs: number[] = []
  const floorMs: number[] = []
  const t = (fn: () => unknown): number => {
    const t0 = performance.now()
    fn()
    return performance.now() - t0
  }
  // Each of the three runs first, second and third in turn, so none always follows another's fsync.
  const runs = [(i: number) => t(() => sell(i)), () => t(bareCommit), () => t(floor.commit)]
  for (let i = 0; i < total; i++) {
    const took = [0, 0, 0]
    for (let j = 0; j < 3; j++) {
      const which = (i + j) % 3
      took[which] = (runs[which] as (i: number) => number)(i)
    }
    if (i >= o.warmup) {
      saleMs.push(took[0] as number)
      bareMs.push(took[1] as number)
      floorMs.push(took[2] as number)
    }
    if (i > 0 && i % 500 === 0) await new Promise((res) => setImmediate(res))
  }
  const orders = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
  if (orders !== total + 1) throw new Error(`expected ${total + 1} orders, the ledger has ${orders}`)
  const extra = carts.length
  const pages = {
    sale: pagesPerCommit(db, () => {
      const i = carts.length
      carts.push(carts[i % extra] as Cart)
      tenders.push(tenders[i % extra] as number)
      saleIds.push(newId())
      sell(i)
    }),
    bare: pagesPerCommit(bare, bareCommit),
    floor: pagesPerCommit(floor.db, floor.commit),
  }
  db.close()
  bare.close()
  floor.db.close()

  const s = summarize(saleMs)
  const b = summarize(bareMs)
  const f = summarize(floorMs)
  const ratio = { samples: s.samples, p50: s.p50 / b.p50, p95: s.p95 / b.p95, p99: s.p99 / b.p99 }
  const floorRatio = { samples: f.samples, p50: f.p50 / b.p50, p95: f.p95 / b.p95, p99: f.p99 / b.p99 }
  o.log(`  per sale: ${statementsPerSale} SQL statements (BEGIN and COMMIT included) for ${rowsPerSale} rows; the bare and the floor: ${rowsPerSale + 2} each (one INSERT per row)`)
  o.log(`  pages written to the WAL per commit: sale ${pages.sale.toFixed(1)}, floor (same rows, the ledger's schema) ${pages.floor.toFixed(1)}, bare (plain tables) ${pages.bare.toFixed(1)}`)
  o.log(`  p50: sale ${s.p50.toFixed(3)} ms = floor ${f.p50.toFixed(3)} (${(f.p50 / b.p50).toFixed(2)}× bare: the schema) + ${(s.p50 - f.p50).toFixed(3)} ms of the till's own work; bare ${b.p50.toFixed(3)}`)
  return [
    result('commit: completeSale, 5 lines', 'ms', s, null, `WAL + synchronous=FULL file ledger, demo-seeded; ${rowsPerSale} rows per sale (${shape}); ${statementsPerSale} statements, ${pages.sale.toFixed(1)} WAL pages per commit`),
    result('commit: same rows into the ledger schema, no app code (floor)', 'ms', f, null, `plain INSERTs of the sale's rows into a copy of the ledger (its indexes, keys, checks, triggers); ${pages.floor.toFixed(1)} WAL pages per commit`),
    result('commit: bare SQLite txn, same rows', 'ms', b, null, `same pragmas, plain STRICT tables of the same columns, prepared once; ${pages.bare.toFixed(1)} WAL pages per commit`),
    result('commit: ratio sale / bare', '×', ratio, atMost(1.5, ['p50', 'p99'], '×'), 'each percentile of the sale divided by the same percentile of the bare transaction'),
    result('commit: ratio floor / bare (the schema alone)', '×', floorRatio, null, 'what the same rows cost in the ledger schema, against plain tables'),
  ]
}

/** Counts the statements a connection runs (BEGIN and COMMIT included) until stop() is called. */
function countStatements(db: Db): { stop: () => number } {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<'run' | 'get' | 'all' | 'iterate', (...a: unknown[]) => unknown>
  const saved = { run: proto.run, get: proto.get, all: proto.all, iterate: proto.iterate }
  let n = 0
  for (const k of ['run', 'get', 'all', 'iterate'] as const) {
    const original = saved[k]
    proto[k] = function (this: unknown, ...args: unknown[]) {
      n++
      return original.apply(this, args)
    }
  }
  return {
    stop: () => {
      Object.assign(proto, saved)
      return n
    },
  }
}

/**
 * The floor: the reference sale's rows written again and again with plain prepared INSERTs into a
 * copy of the ledger (VACUUM INTO: same schema, same history), fresh keys each time, same pragmas.
 */
function floorTransaction(db: Db, file: string, rows: Map<string, Row[]>, ref: { id: string; journal: { seq: number } }): { db: Db; commit: () => void } {
  const known = ['journal', 'outbox', 'orders', 'order_lines', 'order_taxes', 'order_tenders', 'postings', 'ledger_lines']
  for (const table of rows.keys()) if (!known.includes(table)) throw new Error(`a sale now writes to ${table}: teach bench/commit.ts floorTransaction its keys`)
  db.exec(`VACUUM INTO '${file.replace(/'/g, "''")}'`)
  const copy = openDatabase(file)
  const seq0 = (copy.prepare('SELECT max(seq) AS s FROM journal').get() as { s: number }).s
  const inserts = [...rows].map(([table, tableRows]) => {
    const cols = Object.keys(tableRows[0] as Row)
    return { table, cols, tableRows, stmt: copy.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`) }
  })
  let k = 0
  const fresh = (id: unknown): string => `${String(id).slice(0, -8)}${String(k).padStart(8, '0')}`
  const txn = copy.transaction(() => {
    k++
    const seq = seq0 + k
    const orderId = fresh(ref.id)
    // Journal first, orders before their lines, postings before their ledger lines: the keys' order.
    for (const table of known) {
      const ins = inserts.find((x) => x.table === table)
      if (!ins) continue
      for (const r of ins.tableRows) {
        const v: Row = { ...r }
        if ('journal_seq' in v) v.journal_seq = seq
        if ('order_id' in v) v.order_id = orderId
        if (table === 'journal' || table === 'outbox') Object.assign(v, { seq, event_id: fresh(r.event_id) })
        if (table === 'orders') Object.assign(v, { id: orderId, receipt_no: `${String(r.receipt_no)}-${k}`, day_seq: Number(r.day_seq) + k })
        if (table === 'order_tenders') v.id = fresh(r.id)
        ins.stmt.run(...ins.cols.map((c) => v[c] ?? null))
      }
    }
  })
  if (ref.journal.seq <= 0) throw new Error('the reference sale has no journal entry')
  return { db: copy, commit: () => txn.immediate() }
}

/**
 * Benchmark 1: a durable 5-line cash sale through completeSale, against a bare SQLite
 * transaction that durably writes the same rows (same count, same values) into plain STRICT
 * tables of the same columns, on a second file with the same pragmas. The two are interleaved
 * (ABBA) in one process so disk and CPU noise falls on both alike. The sales are taken inside an
 * open shift (cash needs one), and each writes its posting and ledger lines like any sale.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import type { Cart } from '../src/shared/contract'
import { newId } from '../src/shared/ids'
import { openDatabase, type Db } from '../src/main/core/db/sqlite'
import { completeSale, quoteCart, type SaleContext } from '../src/main/core/sales'
import { seedDemo } from '../src/main/core/seed'
import { Core } from '../src/main/core/service'
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
  const core = new Core({ db })
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

  // One reference sale: which rows, in which tables, does a 5-line sale write?
  const before = tableCounts(db)
  const ref = sell(total)
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

  const saleMs: number[] = []
  const bareMs: number[] = []
  const t = (fn: () => unknown): number => {
    const t0 = performance.now()
    fn()
    return performance.now() - t0
  }
  for (let i = 0; i < total; i++) {
    // ABBA: alternate which goes first so neither always runs right after the other's fsync.
    let a: number
    let b: number
    if (i % 2 === 0) {
      a = t(() => sell(i))
      b = t(bareCommit)
    } else {
      b = t(bareCommit)
      a = t(() => sell(i))
    }
    if (i >= o.warmup) {
      saleMs.push(a)
      bareMs.push(b)
    }
    if (i > 0 && i % 500 === 0) await new Promise((res) => setImmediate(res))
  }
  const orders = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
  if (orders !== total + 1) throw new Error(`expected ${total + 1} orders, the ledger has ${orders}`)
  db.close()
  bare.close()

  const s = summarize(saleMs)
  const b = summarize(bareMs)
  const ratio = { samples: s.samples, p50: s.p50 / b.p50, p95: s.p95 / b.p95, p99: s.p99 / b.p99 }
  return [
    result('commit: completeSale, 5 lines', 'ms', s, null, `WAL + synchronous=FULL file ledger, demo-seeded; ${rowsPerSale} rows per sale (${shape})`),
    result('commit: bare SQLite txn, same rows', 'ms', b, null, 'same pragmas, plain STRICT tables of the same columns, prepared once'),
    result('commit: ratio sale / bare', '×', ratio, atMost(1.5, ['p50', 'p99'], '×'), 'each percentile of the sale divided by the same percentile of the bare transaction'),
  ]
}

/**
 * A ledger with N completed orders, written straight into the real schema with prepared statements
 * in big transactions (calling completeSale a million times would take an hour). Every row is a copy
 * of a row the real code wrote: a pool of carts is sold through completeSale on a scratch ledger, and
 * each generated order reuses one pooled sale's rows and canonical payload with its own ids, receipt
 * number, time, cashier, tender, business day and shift. The journal is a valid hash chain (eventHash
 * from GENESIS_HASH), each event has its outbox row (pending, as nothing sends them yet), and receipts
 * are numbered per business day.
 *
 * The ledger is a till's: each business day the real core opens a shift (openShift) before the first
 * sale, and every day but the last is counted out (closeShift) and closed with a Z (closeDay) after
 * the last one; the last day's shift is still open, as on a till in the middle of a day. Each sale has
 * its posting and ledger lines, made by postingFor (src/shared/ledger.ts) from the sale's own payload,
 * exactly as appendEvent writes them.
 *
 * The file is cached in <project>/.cache/bench (gitignored; bench/lib/tmp.ts) under a key made of the
 * schema (version and DDL), the journal hashing rule, this generator's source, the demo catalog it
 * sells from and N. A cached file is used only when its info file names that same key and the file
 * passes the sampled check again with the current core (readOrder equal to the journal payload,
 * postingFor's lines, both ends of the chain); otherwise it is rebuilt, never reused. So a change of
 * the order shape in the core either changes the key (schema) or fails the re-check (rows), and a
 * file left by another version or copied in from elsewhere is never measured.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import type { Cart } from '../src/shared/contract'
import { canonicalJson } from '../src/shared/canonical-json'
import { newId } from '../src/shared/ids'
import { postingFor, type LedgerLine } from '../src/shared/ledger'
import { businessDate, receiptNumber } from '../src/main/core/business-day'
import { closeDay } from '../src/main/core/closures/closures'
import { openDatabase, schemaVersion, type Db } from '../src/main/core/db/sqlite'
import { eventHash, GENESIS_HASH, verifyJournal, type JournalEvent } from '../src/main/core/journal'
import { readOrder } from '../src/main/core/orders'
import { completeSale, quoteCart } from '../src/main/core/sales'
import { seedDemo } from '../src/main/core/seed'
import { Core } from '../src/main/core/service'
import { readSettings } from '../src/main/core/settings'
import { closeShift, openShift } from '../src/main/core/shifts/shifts'
import { listStaff } from '../src/main/core/staff'
import { int, pick, rng } from './lib/stats'
import { cacheDir } from './lib/tmp'

export interface LedgerInfo {
  file: string
  key: string
  orders: number
  /** The orders' events and, each day, a shift's opening and (but the last day) its close and a Z. */
  journalEvents: number
  closures: number
  firstBusinessDate: string
  lastBusinessDate: string
  /** Orders on the last business day: what order-list shows when the app opens on it. */
  lastDayOrders: number
  bytes: number
  buildSeconds: number
  verified: string
}

export interface LedgerOptions {
  orders: number
  resourcesDir: string
  log: (line: string) => void
  /** Where the file is cached; default bench/lib/tmp.ts's cacheDir() (<project>/.cache/bench). */
  cacheDir?: string
}

/** The last business day of the generated history (fixed, so the cached file never goes stale). */
const LAST_DAY = '2025-10-31'
const POOL = 400
const BATCH = 20_000
const TYPE = 'sale.completed'
/** The float counted into the drawer each morning, and left in it each night. */
const FLOAT = 20_000

type Row = Record<string, unknown>

// ---- cache key ------------------------------------------------------------------------------------

function cacheKey(o: LedgerOptions): { version: number; key: string } {
  const db = openDatabase(':memory:')
  const ddl = (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").all() as Row[])
    .map((r) => `${String(r.type)} ${String(r.name)} ${String(r.sql)}`)
    .join('\n')
  const version = schemaVersion(db)
  db.close()
  const probe: JournalEvent = { id: '01J0000000000000000000000', device: 'd', seq: 1, type: TYPE, at: '2025-01-01T00:00:00.000Z', data: { a: [1, 'é'], b: null } }
  const hash = createHash('sha256')
    .update(`schema ${version}\n${ddl}\n`)
    .update(`hash rule ${eventHash(GENESIS_HASH, probe)}\n`)
    // The generator's inputs: N, and the demo catalog whose products it sells (the rest are constants of its source).
    .update(`orders ${o.orders}\n`)
    .update(readFileSync(join(o.resourcesDir, 'demo-catalog.json')))
    .update(readFileSync(__filename))
    .digest('hex')
    .slice(0, 12)
  return { version, key: `orders${o.orders}-schema${version}-${hash}` }
}

// ---- fast ids -------------------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A ULID for a given millisecond (the core's newId() draws 16 crypto calls per id: too slow for millions). */
function ulidAt(ms: number, r: () => number): string {
  let t = ''
  let x = ms
  for (let i = 0; i < 10; i++) {
    t = CROCKFORD.charAt(x % 32) + t
    x = Math.floor(x / 32)
  }
  let s = ''
  for (let i = 0; i < 16; i++) s += CROCKFORD.charAt(Math.floor(r() * 32))
  return t + s
}

// ---- templates from real sales --------------------------------------------------------------------

/** A canonical JSON text with "@@name@@" string sentinels, split so values can be dropped in. */
interface Template {
  parts: string[]
  names: string[]
}

function template(canonical: string): Template {
  const bits = canonical.split(/"@@(\w+)@@"/)
  return { parts: bits.filter((_, i) => i % 2 === 0), names: bits.filter((_, i) => i % 2 === 1) }
}

function fill(t: Template, values: Record<string, string>): string {
  let out = t.parts[0] as string
  for (let i = 0; i < t.names.length; i++) {
    const v = values[t.names[i] as string]
    if (v === undefined) throw new Error(`no value for ${t.names[i]}`)
    out += v + (t.parts[i + 1] as string)
  }
  return out
}

interface PoolSale {
  order: unknown[]
  lines: unknown[][]
  taxes: unknown[][]
  tender: unknown[]
  payload: Template
  paid: number
}

interface Columns {
  orders: string[]
  order_lines: string[]
  order_taxes: string[]
  order_tenders: string[]
  journal: string[]
  outbox: string[]
}

const TABLES = ['orders', 'order_lines', 'order_taxes', 'order_tenders', 'journal', 'outbox'] as const

function columnsOf(db: Db): Columns {
  const cols = (t: string): string[] => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name)
  return Object.fromEntries(TABLES.map((t) => [t, cols(t)])) as unknown as Columns
}

/** Sells POOL random carts through the real completeSale on a scratch ledger and keeps what it wrote. */
function salePool(resourcesDir: string, cols: Columns): PoolSale[] {
  const db = openDatabase(':memory:')
  seedDemo(db, join(resourcesDir, 'demo-catalog.json'), new Date().toISOString())
  const core = new Core({ db })
  const settings = readSettings(db)
  const staff = listStaff(db).find((s) => s.role === 'cashier')
  if (!staff) throw new Error('demo store without a cashier')
  openShift(db, settings, core.device, new Date(), { shiftId: newId(), count: [{ value: FLOAT, kind: 'amount', count: 1 }], staff: { id: staff.id, name: staff.name } })
  const products = db.prepare('SELECT id, unit FROM products WHERE active = 1 ORDER BY id').all() as { id: string; unit: string }[]
  const r = rng(11)
  const pool: PoolSale[] = []
  for (let i = 0; i < POOL; i++) {
    // Basket sizes of a convenience store: mostly 1–4 lines, sometimes up to 12.
    const n = r() < 0.85 ? int(r, 1, 4) : int(r, 5, 12)
    const chosen = new Set<string>()
    while (chosen.size < n) chosen.add(pick(r, products).id)
    const cart: Cart = {
      lines: [...chosen].map((id) => {
        const kg = products.find((p) => p.id === id)?.unit === 'kg'
        const quantity = kg ? (int(r, 150, 2500) / 1000).toFixed(3) : String(r() < 0.8 ? 1 : int(r, 2, 6))
        return r() < 0.05 ? { productId: id, quantity, discount: { kind: 'percent' as const, percent: '5' } } : { productId: id, quantity }
      }),
    }
    const due = quoteCart(db, cart, settings).cashDue
    const order = completeSale(db, { saleId: newId(), cart, cashTendered: due }, settings, { device: core.device, staff, approval: null, now: new Date() })
    const get = (sql: string): Row[] => db.prepare(sql).all(order.id) as Row[]
    const row = (t: keyof Columns, x: Row): unknown[] => cols[t].map((c) => x[c] ?? null)
    const o = get('SELECT * FROM orders WHERE id = ?')[0] as Row
    const j = db.prepare('SELECT payload FROM journal WHERE seq = ?').get(order.journal.seq) as { payload: string }
    const tenders = get('SELECT * FROM order_tenders WHERE order_id = ? ORDER BY position')
    if (tenders.length !== 1) throw new Error('a cash sale has one tender')
    // The payload, with every per-sale value replaced by a sentinel.
    const doc = JSON.parse(j.payload) as Record<string, unknown> & { tenders: Record<string, unknown>[]; staff: Record<string, unknown>; posting: Record<string, unknown> }
    if (canonicalJson(doc) !== j.payload) throw new Error('journal payload is not canonical JSON')
    if (!doc.posting || doc.posting.adjustmentOf !== null) throw new Error('a sale names its business day and shift: update bench/ledger-gen.ts')
    const s = (name: string): string => `@@${name}@@`
    Object.assign(doc, { id: s('id'), receiptNo: s('receiptNo'), businessDate: s('businessDate'), createdAt: s('createdAt'), change: s('change') })
    doc.staff = { id: s('staffId'), name: s('staffName') }
    doc.posting = { businessDate: s('businessDate'), shiftId: s('shiftId'), adjustmentOf: null }
    Object.assign(doc.tenders[0] as Row, { id: s('tenderId'), tendered: s('tendered'), change: s('change') })
    pool.push({
      order: row('orders', o),
      lines: get('SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no').map((x) => row('order_lines', x)),
      taxes: get('SELECT * FROM order_taxes WHERE order_id = ? ORDER BY position').map((x) => row('order_taxes', x)),
      tender: row('order_tenders', tenders[0] as Row),
      payload: template(canonicalJson(doc)),
      paid: o.paid_minor as number,
    })
  }
  db.close()
  return pool
}

// ---- the build ------------------------------------------------------------------------------------

function daysBefore(last: string, n: number): string {
  const d = new Date(`${last}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

/** Orders per business day, oldest first, summing to `total`; the last day is a full one. */
function dayPlan(total: number, r: () => number): number[] {
  const days: number[] = []
  let left = total
  while (left > 0) {
    const n = Math.min(left, int(r, 700, 1300))
    days.push(n)
    left -= n
  }
  return days.reverse()
}

function build(file: string, o: LedgerOptions, cols: Columns): Omit<LedgerInfo, 'file' | 'key' | 'bytes' | 'buildSeconds' | 'verified'> {
  const r = rng(2025)
  const plan = dayPlan(o.orders, r)
  const firstDay = daysBefore(LAST_DAY, plan.length - 1)
  const db = openDatabase(file)
  seedDemo(db, join(o.resourcesDir, 'demo-catalog.json'), `${firstDay}T00:00:00.000Z`)
  const core = new Core({ db })
  const settings = readSettings(db)
  const device = core.device
  const people = listStaff(db)
  const staff = people.map((s) => ({ id: s.id, name: s.name }))
  const cashier = people.find((s) => s.role === 'cashier')
  const supervisor = people.find((s) => s.role === 'supervisor')
  if (!cashier || !supervisor) throw new Error('demo store without a cashier and a supervisor')
  const pool = salePool(o.resourcesDir, cols)

  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('foreign_keys = OFF')
  db.pragma('cache_size = -262144')
  db.pragma('locking_mode = EXCLUSIVE')
  db.pragma('temp_store = MEMORY')
  const insert = (t: keyof Columns): Database.Statement => db.prepare(`INSERT INTO ${t} (${cols[t].join(', ')}) VALUES (${cols[t].map(() => '?').join(', ')})`)
  const ins = {
    orders: insert('orders'),
    lines: insert('order_lines'),
    taxes: insert('order_taxes'),
    tenders: insert('order_tenders'),
    journal: insert('journal'),
    outbox: insert('outbox'),
    // As ledger/store.ts's recordPosting writes them.
    posting: db.prepare('INSERT INTO postings (journal_seq, kind, ref_id, business_date, adjustment_of, shift_id, currency) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    line: db.prepare('INSERT INTO ledger_lines (journal_seq, line_no, account, tag, debit_minor, credit_minor, rate) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  }
  // A sale's lines depend on its cart (its pooled sale) and the cash handed over, nothing else: made by
  // postingFor from the first payload of each pair, then reused.
  const linesOf = new Map<string, { currency: string; lines: readonly LedgerLine[] }>()
  const at = (t: keyof Columns, c: string): number => {
    const i = cols[t].indexOf(c)
    if (i < 0) throw new Error(`${t}.${c} is gone: update bench/ledger-gen.ts`)
    return i
  }
  const O = Object.fromEntries(
    ['id', 'receipt_no', 'business_date', 'day_seq', 'created_at', 'device_id', 'device_code', 'staff_id', 'staff_name', 'change_minor', 'journal_seq'].map((c) => [c, at('orders', c)]),
  )
  const L = at('order_lines', 'order_id')
  const X = at('order_taxes', 'order_id')
  const T = Object.fromEntries(['id', 'order_id', 'tendered_minor', 'change_minor', 'created_at'].map((c) => [c, at('order_tenders', c)]))
  const J = Object.fromEntries(['seq', 'event_id', 'device_id', 'type', 'created_at', 'payload', 'prev_hash', 'hash'].map((c) => [c, at('journal', c)]))
  const Q = Object.fromEntries(['event_id', 'seq', 'created_at', 'sent_at', 'attempts', 'last_error'].map((c) => [c, at('outbox', c)]))
  const eventTemplate = template(canonicalJson({ id: '@@id@@', device: '@@device@@', seq: '@@seq@@', type: TYPE, at: '@@at@@', data: '@@data@@' }))
  const outboxRow: unknown[] = cols.outbox.map(() => null)
  outboxRow[Q.attempts as number] = 0

  let seq = 0
  let prevHash = GENESIS_HASH
  let day = 0
  let orders = 0
  let closures = 0
  const t0 = performance.now()
  /** Where the chain is after the core appended events of its own. */
  const head = (): void => {
    const h = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
    seq = h.seq
    prevHash = h.hash
  }
  const cashierP = { id: cashier.id, name: cashier.name }
  // Shanghai (UTC+8, no DST): the shift opens at 06:55, sales run 07:00–22:59 local, the drawer is
  // counted at 23:10 and the Z made at 23:20, all well clear of the 04:00 cut-off.
  const runDay = (date: string, count: number, last: boolean): void => {
    const shiftId = newId()
    openShift(db, settings, device, new Date(`${date}T06:55:00.000+08:00`), { shiftId, count: [{ value: FLOAT, kind: 'amount', count: 1 }], staff: cashierP })
    head()
    const open = Date.parse(`${date}T07:00:00.000+08:00`)
    const step = Math.floor((16 * 3_600_000) / count)
    let drawer = FLOAT // every sale is cash: the drawer gets what each paid
    for (let n = 1; n <= count; n++) {
      const pi = int(r, 0, pool.length - 1)
      const p = pool[pi] as PoolSale
      const ms = open + (n - 1) * step + int(r, 0, step - 1)
      const createdAt = new Date(ms).toISOString()
      const id = ulidAt(ms, r)
      const eventId = ulidAt(ms, r)
      const tenderId = ulidAt(ms, r)
      const who = staff[r() < 0.8 ? 0 : int(r, 0, staff.length - 1)] as { id: string; name: string }
      const note = pick(r, [0, 0, 1000, 2000, 5000, 10_000])
      const tendered = note === 0 ? p.paid : Math.ceil((p.paid + 1) / note) * note
      const change = tendered - p.paid
      const receiptNo = receiptNumber(device.code, date, n)
      const payload = fill(p.payload, {
        id: JSON.stringify(id),
        receiptNo: JSON.stringify(receiptNo),
        businessDate: JSON.stringify(date),
        createdAt: JSON.stringify(createdAt),
        change: String(change),
        staffId: JSON.stringify(who.id),
        staffName: JSON.stringify(who.name),
        tenderId: JSON.stringify(tenderId),
        tendered: String(tendered),
        shiftId: JSON.stringify(shiftId),
      })
      seq++
      orders++
      const event = fill(eventTemplate, { id: JSON.stringify(eventId), device: JSON.stringify(device.id), seq: String(seq), at: JSON.stringify(createdAt), data: payload })
      const hash = createHash('sha256').update(prevHash + event).digest('hex')
      const j: unknown[] = new Array(cols.journal.length).fill(null)
      j[J.seq as number] = seq
      j[J.event_id as number] = eventId
      j[J.device_id as number] = device.id
      j[J.type as number] = TYPE
      j[J.created_at as number] = createdAt
      j[J.payload as number] = payload
      j[J.prev_hash as number] = prevHash
      j[J.hash as number] = hash
      ins.journal.run(j)
      const q = outboxRow.slice()
      q[Q.event_id as number] = eventId
      q[Q.seq as number] = seq
      q[Q.created_at as number] = createdAt
      ins.outbox.run(q)
      const ord = p.order.slice()
      ord[O.id as number] = id
      ord[O.receipt_no as number] = receiptNo
      ord[O.business_date as number] = date
      ord[O.day_seq as number] = n
      ord[O.created_at as number] = createdAt
      ord[O.device_id as number] = device.id
      ord[O.device_code as number] = device.code
      ord[O.staff_id as number] = who.id
      ord[O.staff_name as number] = who.name
      ord[O.change_minor as number] = change
      ord[O.journal_seq as number] = seq
      ins.orders.run(ord)
      for (const l of p.lines) {
        const x = l.slice()
        x[L] = id
        ins.lines.run(x)
      }
      for (const t of p.taxes) {
        const x = t.slice()
        x[X] = id
        ins.taxes.run(x)
      }
      const t = p.tender.slice()
      t[T.id as number] = tenderId
      t[T.order_id as number] = id
      t[T.tendered_minor as number] = tendered
      t[T.change_minor as number] = change
      t[T.created_at as number] = createdAt
      ins.tenders.run(t)
      const key = `${pi}:${tendered}`
      let posted = linesOf.get(key)
      if (!posted) {
        const made = postingFor(TYPE, JSON.parse(payload))
        if (!made || made.kind !== 'sale' || made.refId !== id || made.meta?.shiftId !== shiftId || made.meta.businessDate !== date) throw new Error('postingFor does not post the sale it is given')
        posted = { currency: made.currency, lines: made.lines }
        linesOf.set(key, posted)
      }
      ins.posting.run(seq, 'sale', id, date, null, shiftId, posted.currency)
      posted.lines.forEach((l, i) => ins.line.run(seq, i + 1, l.account, l.tag, l.amount > 0 ? l.amount : 0, l.amount < 0 ? -l.amount : 0, l.rate))
      prevHash = hash
      drawer += p.paid
    }
    if (last) return
    // The drawer counts exactly what the ledger expects (the core works it out again from the lines).
    const closed = closeShift(db, settings, device, new Date(`${date}T23:10:00.000+08:00`), { shiftId, count: [{ value: drawer, kind: 'amount', count: 1 }], left: FLOAT, reason: undefined, staff: cashierP }, null)
    if (closed.overShort !== 0) throw new Error(`shift of ${date}: the generated drawer is ${closed.overShort} over/short of what its ledger lines expect`)
    closeDay(db, settings, device, new Date(`${date}T23:20:00.000+08:00`), { closureId: newId(), staff: supervisor })
    closures++
    head()
  }
  const dates = plan.map((_, i) => daysBefore(LAST_DAY, plan.length - 1 - i))
  let inBatch = 0
  let logged = 0
  db.exec('BEGIN')
  for (; day < plan.length; day++) {
    runDay(dates[day] as string, plan[day] as number, day === plan.length - 1)
    inBatch += plan[day] as number
    if (inBatch >= BATCH) {
      db.exec('COMMIT')
      db.exec('BEGIN')
      inBatch = 0
      if (orders - logged >= 250_000) {
        logged = orders
        o.log(`    … ${orders.toLocaleString('en')} orders, ${((performance.now() - t0) / 1000).toFixed(0)} s`)
      }
    }
  }
  db.exec('COMMIT')
  // Today a ledger is only ever in WAL mode: leave it so, with nothing pending in a -wal file.
  db.pragma('locking_mode = NORMAL')
  db.prepare('SELECT count(*) FROM meta').get()
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  if (readSettings(db).timeZone !== settings.timeZone) throw new Error('settings changed during the build')
  db.close()
  return {
    orders,
    journalEvents: seq,
    closures,
    firstBusinessDate: dates[0] as string,
    lastBusinessDate: LAST_DAY,
    lastDayOrders: plan[plan.length - 1] as number,
  }
}

// ---- checks ----------------------------------------------------------------------------------------

/**
 * Sampled (always) or complete (small ledgers) proof that the rows are what the app would have written:
 * every sampled event's hash and link recompute; a sampled sale reads back through readOrder to exactly
 * its journal payload, its business date and receipt number follow the store's rules, and its posting
 * and ledger lines are what postingFor makes of its payload. Every event has its posting.
 */
function verify(file: string, info: Pick<LedgerInfo, 'orders' | 'journalEvents' | 'closures'>, full: boolean): string {
  const db = new Database(file, { readonly: true })
  try {
    const settings = readSettings(db)
    const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n
    const n = one('SELECT count(*) AS n FROM orders')
    const events = (db.prepare('SELECT count(*) AS n, max(seq) AS m FROM journal').get() as { n: number; m: number })
    const outbox = one('SELECT count(*) AS n FROM outbox')
    const postings = one('SELECT count(*) AS n FROM postings')
    if (n !== info.orders || events.n !== info.journalEvents || events.m !== info.journalEvents || outbox !== info.journalEvents || postings !== info.journalEvents) {
      throw new Error(
        `ledger has ${n} orders, ${events.n} events (max seq ${events.m}), ${outbox} outbox rows, ${postings} postings; expected ${info.orders} orders and ${info.journalEvents} of the others`,
      )
    }
    if (one('SELECT count(*) AS n FROM closures') !== info.closures) throw new Error(`expected ${info.closures} closures`)
    const r = rng(99)
    const seqs = new Set<number>([1, 2, info.journalEvents])
    while (seqs.size < Math.min(info.journalEvents, 300)) seqs.add(int(r, 1, info.journalEvents))
    const byJournal = db.prepare('SELECT * FROM journal WHERE seq = ?')
    const orderOf = db.prepare('SELECT id, business_date, day_seq, receipt_no, created_at FROM orders WHERE journal_seq = ?')
    const postingOf = db.prepare('SELECT kind, ref_id, business_date, adjustment_of, shift_id, currency FROM postings WHERE journal_seq = ?')
    const linesOf = db.prepare('SELECT account, tag, debit_minor - credit_minor AS amount, rate FROM ledger_lines WHERE journal_seq = ? ORDER BY line_no')
    let sales = 0
    for (const seq of seqs) {
      const j = byJournal.get(seq) as Row
      const prev = seq === 1 ? GENESIS_HASH : ((byJournal.get(seq - 1) as Row).hash as string)
      if (j.prev_hash !== prev) throw new Error(`event ${seq}: broken link`)
      const data = JSON.parse(j.payload as string) as unknown
      if (canonicalJson(data) !== j.payload) throw new Error(`event ${seq}: payload not canonical`)
      const ev: JournalEvent = { id: j.event_id as string, device: j.device_id as string, seq, type: j.type as string, at: j.created_at as string, data }
      if (eventHash(prev, ev) !== j.hash) throw new Error(`event ${seq}: hash does not recompute`)
      const made = postingFor(ev.type, data)
      if (!made || !made.meta) throw new Error(`event ${seq} (${ev.type}) is not a posting with its day and shift`)
      const posted = postingOf.get(seq) as Row | undefined
      const want = { kind: made.kind, ref_id: made.refId, business_date: made.meta.businessDate, adjustment_of: made.meta.adjustmentOf, shift_id: made.meta.shiftId, currency: made.currency }
      if (canonicalJson(posted ?? null) !== canonicalJson(want)) throw new Error(`event ${seq}: posting ${JSON.stringify(posted)} is not ${JSON.stringify(want)}`)
      if (canonicalJson(linesOf.all(seq)) !== canonicalJson(made.lines)) throw new Error(`event ${seq}: ledger lines are not what postingFor makes of it`)
      if (ev.type !== TYPE) continue
      sales++
      const o = orderOf.get(seq) as Row
      const read = readOrder(db, o.id as string)
      if (!read) throw new Error(`order of event ${seq} does not read back`)
      const { journal, reprints, refunds, ...doc } = read
      if (journal.seq !== seq || journal.hash !== j.hash || reprints !== 0 || refunds.length !== 0) throw new Error(`order of event ${seq}: journal reference wrong`)
      // The payload is the order document and the day and shift it is posted to.
      if (canonicalJson({ ...doc, posting: made.meta }) !== j.payload) throw new Error(`order of event ${seq}: rows differ from the journal payload`)
      const date = businessDate(new Date(o.created_at as string), settings.timeZone, settings.businessDayCutoffHour)
      if (date !== o.business_date || o.receipt_no !== receiptNumber(doc.deviceCode, date, o.day_seq as number)) throw new Error(`order of event ${seq}: date or receipt number wrong`)
    }
    let how = `${sales} sampled orders read back equal to their journal payloads; ${seqs.size} sampled hashes, links, postings and ledger lines recompute`
    if (full) {
      const report = verifyJournal(db)
      if (!report.ok || report.events !== info.journalEvents) throw new Error(`verifyJournal: ${JSON.stringify(report.problem)}`)
      const unbalanced = db.prepare('SELECT journal_seq FROM ledger_lines GROUP BY journal_seq HAVING sum(debit_minor) != sum(credit_minor) LIMIT 3').all()
      if (unbalanced.length > 0) throw new Error(`unbalanced postings: ${JSON.stringify(unbalanced)}`)
      const fk = db.prepare('PRAGMA foreign_key_check').all()
      if (fk.length > 0) throw new Error(`foreign_key_check: ${JSON.stringify(fk.slice(0, 3))}`)
      const ok = db.pragma('quick_check', { simple: true })
      if (ok !== 'ok') throw new Error(`quick_check: ${String(ok)}`)
      how += '; verifyJournal, balanced ledger lines, foreign_key_check and quick_check pass on the whole file'
    }
    return how
  } finally {
    db.close()
  }
}

/**
 * Re-check of a cached file before it is reused: its info names this key; the schema version,
 * counts and both ends of the chain are right; and the sampled check (verify without `full`) passes
 * with the current core. Any doubt: false, and the caller rebuilds.
 */
function recheck(file: string, info: LedgerInfo, key: string, version: number): boolean {
  try {
    if (info.key !== key || typeof info.orders !== 'number' || typeof info.journalEvents !== 'number') return false
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      if (schemaVersion(db) !== version) return false
      const n = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
      const last = db.prepare('SELECT * FROM journal ORDER BY seq DESC LIMIT 1').get() as Row | undefined
      if (n !== info.orders || !last || last.seq !== info.journalEvents) return false
      for (const j of [db.prepare('SELECT * FROM journal WHERE seq = 1').get() as Row, last]) {
        const ev: JournalEvent = { id: j.event_id as string, device: j.device_id as string, seq: j.seq as number, type: j.type as string, at: j.created_at as string, data: JSON.parse(j.payload as string) }
        if (eventHash(j.prev_hash as string, ev) !== j.hash) return false
      }
    } finally {
      db.close()
    }
    verify(file, info, false)
    return true
  } catch {
    return false
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export function ensureLedger(o: LedgerOptions): LedgerInfo & { reused: boolean } {
  const { version, key } = cacheKey(o)
  const dir = o.cacheDir ?? cacheDir()
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `ledger-${key}.sqlite`)
  const infoFile = `${file}.json`
  // Older builds of the same size (another schema or generator) are dead weight, and so is a build
  // left half-written by a run that was killed: drop them.
  for (const f of readdirSync(dir)) {
    const stale = f.startsWith(`ledger-orders${o.orders}-`) && !f.startsWith(`ledger-${key}.sqlite`)
    const pid = /^building-(\d+)-/.exec(f)?.[1]
    if (stale || (pid && !alive(Number(pid)))) rmSync(join(dir, f), { force: true })
  }
  if (existsSync(file) && existsSync(infoFile)) {
    let info: LedgerInfo | null = null
    try {
      info = JSON.parse(readFileSync(infoFile, 'utf8')) as LedgerInfo
    } catch {
      info = null
    }
    if (info && recheck(file, info, key, version)) return { ...info, file, reused: true }
    o.log('  cached ledger failed its re-check: rebuilding')
  }
  for (const f of [file, infoFile, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
  const building = join(dir, `building-${process.pid}-${key}.sqlite`)
  try {
    o.log(`  building a ledger of ${o.orders.toLocaleString('en')} orders in ${dir} (cached for later runs)`)
    const t0 = performance.now()
    const scratch = openDatabase(':memory:')
    const cols = columnsOf(scratch)
    scratch.close()
    const built = build(building, o, cols)
    const buildSeconds = (performance.now() - t0) / 1000
    const verified = verify(building, built, o.orders <= 100_000)
    renameSync(building, file)
    const info: LedgerInfo = { ...built, file, key, bytes: statSync(file).size, buildSeconds, verified }
    writeFileSync(infoFile, JSON.stringify(info, null, 2))
    return { ...info, reused: false }
  } finally {
    for (const f of [building, `${building}-wal`, `${building}-shm`, `${building}-journal`]) rmSync(f, { force: true })
  }
}

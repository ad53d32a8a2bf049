import Database from 'better-sqlite3'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { businessDate } from '../../src/main/core/business-day'
import { importCatalog, searchProducts } from '../../src/main/core/catalog'
import { MIGRATIONS } from '../../src/main/core/db/migrations'
import { assertMigrationOrder, openDatabase, schemaVersion, type Db } from '../../src/main/core/db/sqlite'
import { ensureDevice } from '../../src/main/core/device'
import { eventHash, GENESIS_HASH, type JournalRow } from '../../src/main/core/journal'
import { LEDGER_FILE, openCore } from '../../src/main/core/open-core'
import { insertOrder, type OrderDocument } from '../../src/main/core/orders'
import { seedDemo } from '../../src/main/core/seed'
import { readSettings, writeSettings } from '../../src/main/core/settings'
import { canonicalJson } from '../../src/shared/canonical-json'
import type { Checkout, Order, Settings } from '../../src/shared/contract'
import { DaybookError } from '../../src/shared/errors'
import { newId } from '../../src/shared/ids'
import type { Closure, DayReport } from '../../src/shared/shifts-contract'
import { call, demoCore, expectBalancedPostings, openShift, RESOURCES, signIn, tempDir } from '../helpers/tmp'

describe('opening the ledger', () => {
  it('sets the durability pragmas on every connection', () => {
    const db = openDatabase(join(tempDir(), 'l.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    db.close()
  })

  it('numbers migrations 1, 2, 3… with no gap', () => {
    expect(() => assertMigrationOrder(MIGRATIONS)).not.toThrow()
    expect(() => assertMigrationOrder([MIGRATIONS[0]!, MIGRATIONS[2]!])).toThrow(/expected 2/)
  })

  it('makes every table STRICT', () => {
    const db = openDatabase(join(tempDir(), 'l.sqlite'))
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'product_search%' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string
      sql: string
    }[]
    expect(tables.length).toBeGreaterThan(10)
    for (const t of tables) expect(t.sql, t.name).toMatch(/\bSTRICT\b/)
    db.close()
  })

  it('refuses a ledger written by a newer Daybook, and leaves it untouched', () => {
    const file = join(tempDir(), 'l.sqlite')
    openDatabase(file).close()
    const raw = new Database(file)
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    raw.close()
    let err: unknown
    try {
      openDatabase(file)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(DaybookError)
    expect((err as DaybookError).code).toBe('db_newer_than_app')
    const after = new Database(file)
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1)
    after.close()
  })

  it('backs the ledger up before migrating an existing one', () => {
    const dir = tempDir()
    const file = join(dir, 'l.sqlite')
    openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) }).close()
    openDatabase(file).close()
    const backups = readdirSync(dir).filter((f) => f.includes('.v1.') && f.endsWith('.bak'))
    expect(backups).toHaveLength(1)
    const old = new Database(join(dir, backups[0]!), { readonly: true })
    expect(old.pragma('user_version', { simple: true })).toBe(1)
    old.close()
  })

  it('does not back up a brand-new ledger', () => {
    const dir = tempDir()
    openDatabase(join(dir, 'l.sqlite')).close()
    expect(readdirSync(dir).some((f) => f.endsWith('.bak'))).toBe(false)
  })

  it('rolls a failing migration back whole and says which one failed', () => {
    const file = join(tempDir(), 'l.sqlite')
    openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) }).close()
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      {
        version: 2,
        name: 'broken',
        up(db: Database.Database) {
          db.exec('CREATE TABLE half_done (x INTEGER) STRICT')
          db.exec('THIS IS NOT SQL')
        },
      },
    ]
    expect(() => openDatabase(file, { migrations: broken })).toThrow(/schema 2 \(broken\)/)
    const db = new Database(file)
    expect(db.pragma('user_version', { simple: true })).toBe(1)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 })
    db.close()
  })
})

describe('migration 1: ledger', () => {
  it('creates the posted tables with append-only triggers', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, 1) })
    const triggers = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]).map((t) => t.name)
    for (const t of ['journal', 'orders', 'order_lines', 'order_taxes', 'order_tenders']) {
      expect(triggers).toContain(`${t}_no_update`)
      expect(triggers).toContain(`${t}_no_delete`)
    }
    db.close()
  })
})

describe('migration 2: catalog-search', () => {
  it('indexes products that existed before it ran', () => {
    const file = join(tempDir(), 'l.sqlite')
    const v1 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) })
    v1.prepare("INSERT INTO categories (id, name_en, name_zh) VALUES ('c', 'Dairy', '乳品')").run()
    v1.prepare(
      "INSERT INTO products (id, sku, name_en, name_zh, category_id, tax_class_id, price_minor, unit, updated_at) VALUES ('p1', 'S1', 'Fresh Milk', '鲜牛奶', 'c', 'std', 990, 'each', 'x')",
    ).run()
    v1.close()
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) })
    expect(searchProducts(db, '牛奶', undefined, 10).map((p) => p.id)).toEqual(['p1'])
    expect(searchProducts(db, 'mil', undefined, 10).map((p) => p.id)).toEqual(['p1'])
    expect(searchProducts(db, 'bread', undefined, 10)).toEqual([])
    db.close()
  })
})

describe('migration 3: parked carts and reprints', () => {
  it('adds both tables to a v2 ledger, keeping its orders', () => {
    const file = join(tempDir(), 'l.sqlite')
    const v2 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) })
    importCatalog(v2, { categories: [{ id: 'c', nameEn: 'C', nameZh: '类' }], products: [] }, 'x')
    v2.close()
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) })
    expect(schemaVersion(db)).toBe(3)
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(['parked_carts', 'reprints', 'categories']))
    expect(db.prepare('SELECT count(*) AS n FROM categories').get()).toEqual({ n: 1 })
    expect(() => db.prepare('DELETE FROM reprints').run()).not.toThrow() // empty table: trigger fires per row only
    db.close()
    expect(existsSync(file)).toBe(true)
  })
})

describe('migration 4: search-speed', () => {
  it('finds SKUs in any case through an index, and keeps earlier products searchable by prefix', () => {
    const file = join(tempDir(), 'l.sqlite')
    const v3 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) })
    importCatalog(v3, { categories: [{ id: 'c', nameEn: 'C', nameZh: '类' }], products: [
      { id: 'p1', sku: 'AB-100', nameEn: 'Milk Tea', nameZh: '奶茶', categoryId: 'c', taxClassId: 'std', price: 900, unit: 'each', barcodes: ['6900000000001'] },
    ] }, 'x')
    v3.close()
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 4) })
    expect(schemaVersion(db)).toBe(4)
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM products WHERE sku = ? COLLATE NOCASE').all('ab-100') as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX products_by_sku_nocase/)
    expect(searchProducts(db, 'ab-100', undefined, 5).map((p) => p.id)).toEqual(['p1'])
    expect(searchProducts(db, 'm', undefined, 5).map((p) => p.id)).toEqual(['p1'])
    expect(searchProducts(db, '奶', undefined, 5).map((p) => p.id)).toEqual(['p1'])
    db.close()
  })
})

describe('migration 5: platform-sync', () => {
  it('adds one empty sync state row and a received time to every outbox row, keeping what was there', () => {
    const file = join(tempDir(), 'l.sqlite')
    const v4 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 4) })
    v4.prepare("INSERT INTO journal (seq, event_id, device_id, type, created_at, payload, prev_hash, hash) VALUES (1, 'e1', 'd', 't', 'x', '{}', 'p', 'h')").run()
    v4.prepare("INSERT INTO outbox (event_id, seq, created_at, sent_at) VALUES ('e1', 1, 'x', 'y')").run()
    v4.close()
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 5) })
    expect(schemaVersion(db)).toBe(5)
    expect(db.prepare('SELECT * FROM sync_state').all()).toEqual([
      {
        id: 1,
        platform_url: null,
        platform_device_id: null,
        store_id: null,
        store_name: null,
        store_currency: null,
        paired_at: null,
        catalog_cursor: null,
        last_catalog_at: null,
        last_success_at: null,
        last_attempt_at: null,
        last_error_code: null,
        last_error_message: null,
        last_error_at: null,
        clock_offset_ms: null,
      },
    ])
    expect(db.prepare('SELECT seq, sent_at, received_at FROM outbox').all()).toEqual([{ seq: 1, sent_at: 'y', received_at: null }])
    // Exactly one row, ever: a second would make "the" sync state ambiguous.
    expect(() => db.prepare('INSERT INTO sync_state (id) VALUES (2)').run()).toThrow(/CHECK/)
    db.close()
  })
})

describe('migration 7: ledger-shifts-closures', () => {
  it('is the seventh migration, followed only by settlement (8) and printing (9)', () => {
    expect(MIGRATIONS).toHaveLength(9)
    expect(MIGRATIONS[6]).toMatchObject({ version: 7, name: 'ledger-shifts-closures' })
    expect(MIGRATIONS[7]).toMatchObject({ version: 8, name: 'settlement' })
    expect(MIGRATIONS[8]).toMatchObject({ version: 9, name: 'printing' })
  })

  /**
   * What a version-6 till wrote for each kind of posted event, made by the current core and written
   * back the way version-6 code wrote it: the same event, without what version 7 added to it (a
   * `posting` on every event, the `taxes` a refund gives back, a reprint's `currency`), appended to
   * a journal with no postings table, with the rows version 6 wrote beside it.
   */
  function recordSales(): { events: JournalRow[]; from: Db } {
    let now = new Date('2026-11-21T03:00:00Z') // 11:00 in Shanghai: business day 21st
    const { core } = demoCore(() => now)
    let cashier = signIn(core, 'Li Na', '1111')
    let owner = signIn(core, 'Wang Fang', '9999')
    // Sessions end with time: sign in again whenever the clock moves.
    const at = (iso: string): void => {
      now = new Date(iso)
      cashier = signIn(core, 'Li Na', '1111')
      owner = signIn(core, 'Wang Fang', '9999')
    }
    openShift(core, cashier)
    const sell = (session: string, cart: unknown, cashTendered: number): Order => call<Order>(core, 'sale-complete', { saleId: newId(), cart, cashTendered }, session)
    const s1 = sell(cashier, { lines: [{ productId: 'p1001', quantity: '2' }, { productId: 'p1020', quantity: '1' }, { productId: 'p1025', quantity: '0.500' }] }, 2000)
    // Line and order discounts (the owner needs no approval).
    const s2 = sell(owner, { lines: [{ productId: 'p1002', quantity: '4', discount: { kind: 'amount', amount: 50 } }], orderDiscount: { kind: 'percent', percent: '10' } }, 2000)
    // Cash rounding to 1 jiao: 5.42 is paid as 5.40.
    const settings = call<Settings>(core, 'settings-get', {}, owner)
    call(core, 'settings-update', { ...settings, cashRounding: { increment: 10, mode: 'half_up' } }, owner)
    const s3 = sell(cashier, { lines: [{ productId: 'p1025', quantity: '0.777' }] }, 1000)
    expect(s3.cashRounding).not.toBe(0)
    // Paid in two cash parts through a checkout.
    const c4 = call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '3' }, { productId: 'p1020', quantity: '1' }] } }, cashier)
    call(core, 'tender-add', { checkoutId: c4.id, attemptId: newId(), flow: 'cash', amount: 300, tendered: 300 }, cashier)
    expect(call<Checkout>(core, 'tender-add', { checkoutId: c4.id, attemptId: newId(), flow: 'cash', amount: c4.total - 300, tendered: 1000 }, cashier).state).toBe('completed')
    // 03:30 on the 22nd in Shanghai: before the 04:00 cut-off, so business day 21st.
    at('2026-11-21T19:30:00Z')
    const s5 = sell(cashier, { lines: [{ productId: 'p1001', quantity: '1' }] }, 200)
    expect(s5.businessDate).toBe('2026-11-21')
    at('2026-11-21T19:35:00Z')
    call(core, 'order-reprint', { id: s1.id }, cashier)
    at('2026-11-21T19:40:00Z')
    call(core, 'refund-create', { refundId: newId(), orderId: s2.id, tenderId: s2.tenders[0]!.id, amount: 300, reason: 'Dented can' }, owner)
    // Business day 22nd: a sale, a void of a part-paid checkout, a whole refund.
    at('2026-11-22T03:00:00Z')
    const s6 = sell(cashier, { lines: [{ productId: 'p1002', quantity: '2' }] }, 1000)
    const v = call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '3' }] } }, cashier)
    call(core, 'tender-add', { checkoutId: v.id, attemptId: newId(), flow: 'cash', amount: 300, tendered: 300 }, cashier)
    expect(call<Checkout>(core, 'checkout-void', { checkoutId: v.id, reason: 'Customer left' }, cashier).state).toBe('voided')
    call(core, 'refund-create', { refundId: newId(), orderId: s6.id, tenderId: s6.tenders[0]!.id, amount: s6.paid, reason: 'Wrong flavour' }, cashier)
    const events = core.db.prepare("SELECT * FROM journal WHERE type NOT LIKE 'shift.%' ORDER BY seq").all() as JournalRow[]
    expect(events.map((e) => e.type)).toEqual([
      'sale.completed',
      'sale.completed',
      'sale.completed',
      'sale.completed',
      'sale.completed',
      'receipt.reprinted',
      'refund.completed',
      'sale.completed',
      'checkout.voided',
      'refund.completed',
    ])
    return { events, from: core.db }
  }

  /** Copies rows of a table the way they are, but for the columns given and the ids `remap` changes. */
  function copyRows(from: Db, to: Db, remap: (v: string) => string, table: string, where: string, params: unknown[], set: Record<string, unknown> = {}): void {
    const cols = (to.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
    const insert = to.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
    for (const r of from.prepare(`SELECT * FROM ${table} WHERE ${where}`).all(...params) as Record<string, unknown>[]) {
      insert.run(...cols.map((c) => (c in set ? set[c] : typeof r[c] === 'string' ? remap(r[c]) : r[c])))
    }
  }

  /** A version-6 ledger holding those events and rows, in a data folder; then the cut-off is changed to midnight. */
  function version6Ledger(): { dir: string; events: number } {
    const { events, from } = recordSales()
    const dir = tempDir()
    const db = openDatabase(join(dir, LEDGER_FILE), { migrations: MIGRATIONS.slice(0, 6) })
    expect(schemaVersion(db)).toBe(6)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('postings', 'ledger_lines', 'shifts', 'closures')").get()).toEqual({ n: 0 })
    seedDemo(db, join(RESOURCES, 'demo-catalog.json'), '2026-11-20T00:00:00.000Z')
    const device = ensureDevice(db)
    // The same demo people, with this ledger's ids.
    const ids = new Map<string, string>()
    for (const p of from.prepare('SELECT id, name FROM staff').all() as { id: string; name: string }[]) {
      ids.set(p.id, (db.prepare('SELECT id FROM staff WHERE name = ?').get(p.name) as { id: string }).id)
    }
    const remap = (v: string): string => [...ids].reduce((t, [a, b]) => t.replaceAll(a, b), v)
    let prevHash = GENESIS_HASH
    db.transaction(() => {
      events.forEach((e, i) => {
        const seq = i + 1
        const data = JSON.parse(remap(e.payload)) as Record<string, unknown>
        // What version 7 added to these events.
        expect(data.posting).toBeDefined()
        delete data.posting
        if (e.type === 'refund.completed') delete data.taxes
        if (e.type === 'receipt.reprinted') delete data.currency
        // journal.ts's appendEvent of version 6: the event, its hash and its outbox row; nothing more.
        const hash = eventHash(prevHash, { id: e.event_id, device: device.id, seq, type: e.type, at: e.created_at, data })
        db.prepare('INSERT INTO journal (seq, event_id, device_id, type, created_at, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          seq,
          e.event_id,
          device.id,
          e.type,
          e.created_at,
          canonicalJson(data),
          prevHash,
          hash,
        )
        db.prepare('INSERT INTO outbox (event_id, seq, created_at) VALUES (?, ?, ?)').run(e.event_id, seq, e.created_at)
        prevHash = hash
        // The posted rows version 6 wrote with each event.
        if (e.type === 'sale.completed') {
          const { day_seq } = from.prepare('SELECT day_seq FROM orders WHERE id = ?').get(data.id) as { day_seq: number }
          insertOrder(db, data as unknown as OrderDocument, device.id, day_seq, seq)
        } else if (e.type === 'refund.completed') copyRows(from, db, remap, 'refunds', 'id = ?', [data.refundId], { journal_seq: seq })
        else if (e.type === 'receipt.reprinted') copyRows(from, db, remap, 'reprints', 'id = ?', [data.reprintId], { journal_seq: seq })
      })
      // The checkouts and their tender attempts, as version 6 left them (working state, not posted).
      copyRows(from, db, remap, 'checkouts', '1', [])
      copyRows(from, db, remap, 'tender_attempts', '1', [])
      copyRows(from, db, remap, 'tender_transitions', '1', [])
      // The store has since moved its cut-off to midnight: what is recomputed from a time now falls on another day.
      writeSettings(db, { ...readSettings(db), cashRounding: { increment: 10, mode: 'half_up' }, businessDayCutoffHour: 0 }, '2026-11-22T10:00:00.000Z', null)
    })()
    db.close()
    return { dir, events: events.length }
  }

  it('posts every sale, refund, void and reprint a version-6 ledger holds, balanced, and the first Z covers them all', () => {
    const { dir, events } = version6Ledger()
    const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false, now: () => new Date('2026-11-23T03:00:00Z') })
    const db = core.db
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    expect(readdirSync(dir).filter((f) => f.includes('.v6.') && f.endsWith('.bak'))).toHaveLength(1)
    const supervisor = signIn(core, 'Zhang Wei', '2222')

    // The journal is exactly as it was (same hashes: nothing rewritten), and it verifies with its new postings.
    expect(db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({ n: events })
    expect(db.prepare("SELECT count(*) AS n FROM journal WHERE payload LIKE '%\"posting\"%'").get()).toEqual({ n: 0 })
    expect(call<{ ok: boolean; events: number }>(core, 'journal-verify', {}, supervisor)).toMatchObject({ ok: true, events })

    // Every event has its posting, with balanced lines; none has a shift (there were none).
    expect(expectBalancedPostings(core)).toBe(events)
    const postings = db.prepare('SELECT p.journal_seq AS seq, p.kind, p.ref_id, p.business_date, p.adjustment_of, p.shift_id, p.currency, j.type, j.created_at FROM postings p JOIN journal j ON j.seq = p.journal_seq ORDER BY p.journal_seq').all() as {
      seq: number
      kind: string
      ref_id: string
      business_date: string
      adjustment_of: string | null
      shift_id: string | null
      currency: string
      type: string
      created_at: string
    }[]
    expect(postings.map((p) => p.kind)).toEqual(['sale', 'sale', 'sale', 'sale', 'sale', 'reprint', 'refund', 'sale', 'void', 'refund'])
    for (const p of postings) expect(p).toMatchObject({ adjustment_of: null, shift_id: null, currency: 'CNY' })
    const dr = (seq: number): number => (db.prepare('SELECT coalesce(sum(debit_minor), 0) AS n FROM ledger_lines WHERE journal_seq = ?').get(seq) as { n: number }).n
    for (const p of postings) expect(dr(p.seq) > 0, `${p.kind} ${p.seq} moves money`).toBe(p.kind === 'sale' || p.kind === 'refund')

    // A sale keeps the business day on its receipt, though the cut-off moved since: the 03:30 sale stays on the 21st.
    const orders = db.prepare('SELECT id, business_date, journal_seq FROM orders ORDER BY journal_seq').all() as { id: string; business_date: string; journal_seq: number }[]
    expect(orders).toHaveLength(6)
    for (const o of orders) expect(postings.find((p) => p.seq === o.journal_seq)).toMatchObject({ kind: 'sale', ref_id: o.id, business_date: o.business_date })
    expect(orders.map((o) => o.business_date)).toEqual(['2026-11-21', '2026-11-21', '2026-11-21', '2026-11-21', '2026-11-21', '2026-11-22'])
    expect(businessDate(new Date('2026-11-21T19:30:00Z'), 'Asia/Shanghai', 0)).toBe('2026-11-22') // what recomputing would have said
    // The others take the day of their time under today's settings (midnight cut-off): 03:35 and 03:40 on the 22nd.
    for (const p of postings.filter((x) => x.kind !== 'sale')) expect(p.business_date, p.kind).toBe(businessDate(new Date(p.created_at), 'Asia/Shanghai', 0))
    expect(postings.filter((p) => p.kind !== 'sale').map((p) => p.business_date)).toEqual(['2026-11-22', '2026-11-22', '2026-11-22', '2026-11-22'])

    // The first Z, by a supervisor: from event 1, every event, figures that are the sum of the orders and refunds.
    const x = call<DayReport>(core, 'day-x', {}, supervisor)
    expect(x.blockers).toEqual([])
    const z = call<Closure>(core, 'day-close', { closureId: newId() }, supervisor)
    // Closed on the 23rd, it closes the latest day that has postings: the 22nd.
    expect(z).toMatchObject({ number: 1, firstSeq: 1, lastSeq: events, fromDate: '2026-11-21', businessDate: '2026-11-22', previousGrandTotal: 0 })
    const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n
    const paid = one('SELECT sum(paid_minor) AS n FROM orders')
    const discounts = one('SELECT sum(line_discounts_minor + order_discount_minor) AS n FROM orders')
    const refunded = one("SELECT sum(amount_minor) AS n FROM refunds WHERE state = 'succeeded'")
    expect(discounts).toBeGreaterThan(0)
    expect(refunded).toBeGreaterThan(0)
    const taxes = db.prepare('SELECT tax_id AS taxId, rate, sum(amount_minor) AS n FROM order_taxes GROUP BY tax_id, rate ORDER BY tax_id, rate').all() as { taxId: string; rate: string; n: number }[]
    expect(taxes.length).toBe(2)
    expect(z.figures).toEqual({
      counts: { orders: 6, refunds: 2, voids: 1, reprints: 1, cashMovements: 0, shiftsOpened: 0, shiftsClosed: 0 },
      grossSales: one('SELECT sum(total_minor) AS n FROM orders') + discounts,
      discounts,
      refunds: refunded,
      rounding: one('SELECT sum(cash_rounding_minor) AS n FROM orders'),
      net: paid - refunded,
      tenders: [{ method: 'cash', sales: one("SELECT sum(amount_minor) AS n FROM order_tenders WHERE method = 'cash'"), refunds: refunded, net: paid - refunded }],
      // Refunds posted before the ledger say nothing of tax: all of a legacy refund is booked as a refund.
      taxes: taxes.map((t) => ({ taxId: t.taxId, rate: t.rate, collected: t.n, refunded: 0, net: t.n })),
      cash: {
        received: one('SELECT sum(tendered_minor) AS n FROM order_tenders'),
        change: one('SELECT sum(change_minor) AS n FROM order_tenders'),
        refunds: refunded,
        payIns: 0,
        payOuts: 0,
        safeDrops: 0,
        overShort: 0,
      },
      adjustments: [],
    })
    expect(paid).toBe(one('SELECT sum(amount_minor) AS n FROM order_tenders'))
    expect(z.periodTotal).toBe(paid - refunded)
    expect(z.grandTotal).toBe(paid - refunded)
    expect(z.figures).toEqual(x.figures)
    // Nothing of the old days is left to close, and a closed day never takes a posting.
    expect(call<{ lastClosure: { number: number } | null }>(core, 'till-status', {}, supervisor).lastClosure).toMatchObject({ number: 1 })
    expect(() => db.prepare('DELETE FROM closures').run()).toThrow(/append-only/)
  })
})

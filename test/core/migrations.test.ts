import Database from 'better-sqlite3'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importCatalog, searchProducts } from '../../src/main/core/catalog'
import { MIGRATIONS } from '../../src/main/core/db/migrations'
import { assertMigrationOrder, openDatabase, schemaVersion } from '../../src/main/core/db/sqlite'
import { DaybookError } from '../../src/shared/errors'
import { tempDir } from '../helpers/tmp'

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

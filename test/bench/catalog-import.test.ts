// importCatalog loads many products in passes (products, then barcodes, then search rows) for speed,
// and a big import (5,000 products or more) with bulk settings; upsertProduct, one product at a time,
// is the reference: both must leave the same catalog, and a big import must leave no setting behind.
import { describe, expect, it } from 'vitest'
import type { Product } from '../../src/shared/contract'
import { importCatalog, searchProducts, upsertCategory, upsertProduct, type CatalogImport } from '../../src/main/core/catalog'
import { openDatabase, type Db } from '../../src/main/core/db/sqlite'
import { generateCatalog, typedQueries } from '../../bench/catalog-gen'

const AT = '2026-12-06T00:00:00.000Z'

function oneByOne(db: Db, data: CatalogImport, at: string): void {
  db.transaction(() => {
    data.categories.forEach((c, i) => upsertCategory(db, c, i))
    for (const p of data.products) upsertProduct(db, p, at)
  })()
}

function snapshot(db: Db, queries: string[]): unknown {
  return {
    products: db.prepare('SELECT rowid, * FROM products ORDER BY rowid').all(),
    barcodes: db.prepare('SELECT * FROM barcodes ORDER BY code').all(),
    categories: db.prepare('SELECT * FROM categories ORDER BY id').all(),
    search: queries.map((q) => searchProducts(db, q, undefined, 500).map((p) => p.id)),
  }
}

function both(steps: CatalogImport[], queries: string[]): { bulk: unknown; reference: unknown } {
  const a = openDatabase(':memory:')
  const b = openDatabase(':memory:')
  try {
    steps.forEach((s, i) => {
      importCatalog(a, s, `${AT.slice(0, -5)}${i}Z`)
      oneByOne(b, s, `${AT.slice(0, -5)}${i}Z`)
    })
    return { bulk: snapshot(a, queries), reference: snapshot(b, queries) }
  } finally {
    a.close()
    b.close()
  }
}

const p = (id: string, sku: string, name: string, barcodes: string[], price = 100): Product => ({
  id, sku, nameEn: name, nameZh: `${name}牛奶`, categoryId: 'c1', taxClassId: 'std', price, unit: 'each', barcodes,
})
const cats = [{ id: 'c1', nameEn: 'One', nameZh: '一' }]

describe('importCatalog in passes', () => {
  it('leaves the same catalog as one product at a time: a first import, then a re-import that changes, moves and drops barcodes', () => {
    const first = generateCatalog(2000, 5)
    const changed: CatalogImport = {
      categories: [...first.categories].reverse(),
      products: [
        ...first.products.slice(0, 300).map((x, i) => ({ ...x, nameEn: `${x.nameEn} v2`, price: x.price + 10, barcodes: i % 3 === 0 ? [] : x.barcodes })),
        // New products, one taking over a barcode from an existing product that comes after it.
        { ...(first.products[0] as Product), id: 'new1', sku: 'NEW1', barcodes: [...(first.products[400] as Product).barcodes] },
        { ...(first.products[1] as Product), id: 'new2', sku: 'NEW2', barcodes: ['6900000000017'] },
        { ...(first.products[400] as Product), nameEn: 'Moved Away', barcodes: ['6900000000024'] },
      ],
    }
    const queries = [...typedQueries(first, 60).map((q) => q.text), 'v2', 'moved', '牛奶']
    const { bulk, reference } = both([first, changed], queries)
    expect(bulk).toEqual(reference)
  })

  it('a barcode listed by two products ends on the later one; a product listed twice follows the one-by-one rules', () => {
    const steps: CatalogImport[] = [
      { categories: cats, products: [p('a', 'A', 'Apple', ['111']), p('b', 'B', 'Banana', ['222'])] },
      { categories: cats, products: [p('c', 'C', 'Cherry', ['111', '333']), p('a', 'A', 'Apple', ['444']), p('d', 'D', 'Date', ['333'])] },
      // a twice: its first listing's barcode 555 is dropped by the second, as upsertProduct does.
      { categories: cats, products: [p('a', 'A', 'Apricot', ['555']), p('e', 'E', 'Elder', ['222']), p('a', 'A', 'Avocado', ['666'])] },
    ]
    const { bulk, reference } = both(steps, ['apple', 'apricot', 'avocado', 'cherry', 'date', 'elder', '牛奶'])
    expect(bulk).toEqual(reference)
  })

  it('a SKU clash fails the whole import and leaves the catalog as it was', () => {
    const db = openDatabase(':memory:')
    try {
      importCatalog(db, { categories: cats, products: [p('a', 'A', 'Apple', ['111'])] }, AT)
      const before = snapshot(db, ['apple'])
      expect(() => importCatalog(db, { categories: cats, products: [p('b', 'B', 'Banana', ['222']), p('c', 'A', 'Clash', ['333'])] }, AT)).toThrow(/UNIQUE/)
      expect(snapshot(db, ['apple'])).toEqual(before)
    } finally {
      db.close()
    }
  })
})

/** Everything a bulk import may change for its duration and must leave as it was. */
function settings(db: Db): unknown {
  return {
    schema: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all(),
    ftsConfig: db.prepare('SELECT k, v FROM product_search_config ORDER BY k').all().filter((r) => (r as { k: string }).k !== 'hashsize'),
    hashsize: (db.prepare("SELECT v FROM product_search_config WHERE k = 'hashsize'").get() as { v: number } | undefined)?.v ?? 1024 * 1024,
    cacheSize: db.pragma('cache_size', { simple: true }),
    foreignKeys: db.pragma('foreign_keys', { simple: true }),
  }
}

describe('a big importCatalog (bulk settings)', () => {
  const big = generateCatalog(6000, 9)
  const queries = [...typedQueries(big, 80).map((q) => q.text), 'v2', '牛', '奶', '牛奶', 'mil', 'm']

  it('leaves the same catalog as one product at a time, and its settings, schema and indexes as they were', () => {
    const changed: CatalogImport = {
      categories: big.categories,
      products: [
        ...big.products.slice(0, 5500).map((x, i) => ({ ...x, nameEn: `${x.nameEn} v2`, barcodes: i % 4 === 0 ? [] : x.barcodes })),
        ...generateCatalog(200, 11).products.map((x) => ({ ...x, id: `n${x.id}`, sku: `N${x.sku}`, barcodes: [] })),
      ],
    }
    const a = openDatabase(':memory:')
    const before = settings(a)
    a.close()
    const { bulk, reference } = both([big, changed], queries)
    expect(bulk).toEqual(reference)
    const db = openDatabase(':memory:')
    try {
      importCatalog(db, big, AT)
      importCatalog(db, changed, AT)
      expect(settings(db)).toEqual(before)
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND name IN ('products_by_category', 'products_by_sku_nocase', 'barcodes_by_product')").get()).toEqual({ n: 3 })
      // FTS5 throws SQLITE_CORRUPT_VTAB if its index does not match itself.
      expect(() => db.prepare("INSERT INTO product_search (product_search, rank) VALUES ('integrity-check', 0)").run()).not.toThrow()
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([])
    } finally {
      db.close()
    }
  })

  it('puts back a page cache and an FTS5 budget the connection already had', () => {
    const db = openDatabase(':memory:')
    try {
      db.pragma('cache_size = 5000')
      db.prepare("INSERT INTO product_search (product_search, rank) VALUES ('hashsize', 2000000)").run()
      importCatalog(db, big, AT)
      expect(db.pragma('cache_size', { simple: true })).toBe(5000)
      expect(db.prepare("SELECT v FROM product_search_config WHERE k = 'hashsize'").get()).toEqual({ v: 2000000 })
    } finally {
      db.close()
    }
  })

  it('inside a caller\'s transaction it still checks foreign keys and leaves them on', () => {
    const db = openDatabase(':memory:')
    try {
      const bad = { categories: big.categories, products: [...big.products.slice(0, 5999), { ...(big.products[5999] as Product), categoryId: 'nope' }] }
      expect(() => db.transaction(() => importCatalog(db, bad, AT))()).toThrow(/FOREIGN KEY/)
      db.transaction(() => importCatalog(db, big, AT))()
      expect(db.prepare('SELECT count(*) AS n FROM products').get()).toEqual({ n: 6000 })
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    } finally {
      db.close()
    }
  })

  for (const [what, breakIt, error] of [
    ['a SKU clash in the last product', (ps: Product[]) => ps.map((x, i) => (i === ps.length - 1 ? { ...x, sku: (ps[0] as Product).sku } : x)), /UNIQUE/],
    ['an unknown category', (ps: Product[]) => ps.map((x, i) => (i === 4000 ? { ...x, categoryId: 'nope' } : x)), /FOREIGN KEY/],
  ] as const) {
    it(`${what} fails the whole import and leaves the catalog, its indexes and the settings as they were`, () => {
      const db = openDatabase(':memory:')
      try {
        importCatalog(db, { categories: cats, products: [p('a', 'A', 'Apple', ['111'])] }, AT)
        const catalog = snapshot(db, ['apple', '牛奶'])
        const was = settings(db)
        const next = generateCatalog(6000, 13)
        expect(() => importCatalog(db, { categories: next.categories, products: breakIt(next.products.map((x) => ({ ...x }))) }, AT)).toThrow(error)
        expect(snapshot(db, ['apple', '牛奶'])).toEqual(catalog)
        expect(settings(db)).toEqual(was)
        // And the connection still imports and enforces foreign keys.
        importCatalog(db, next, AT)
        expect(db.prepare('SELECT count(*) AS n FROM products').get()).toEqual({ n: 6001 })
        expect(() => db.prepare("INSERT INTO barcodes (code, product_id) VALUES ('999', 'no such product')").run()).toThrow(/FOREIGN KEY/)
      } finally {
        db.close()
      }
    })
  }
})

// importCatalog loads many products in passes (products, then barcodes, then search rows) for speed;
// upsertProduct, one product at a time, is the reference: both must leave the same catalog.
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

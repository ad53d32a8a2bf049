import type { Category, Product } from '../../shared/contract'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'
import { searchQuery, searchTerms } from './search-terms'

interface ProductRow {
  rid: number
  id: string
  sku: string
  name_en: string
  name_zh: string
  category_id: string
  tax_class_id: string
  price_minor: number
  unit: 'each' | 'kg'
  codes: string | null
}

const PRODUCT_COLUMNS = `p.rowid AS rid, p.id, p.sku, p.name_en, p.name_zh, p.category_id, p.tax_class_id, p.price_minor, p.unit,
  (SELECT group_concat(code, ',') FROM barcodes b WHERE b.product_id = p.id) AS codes`

function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    sku: r.sku,
    nameEn: r.name_en,
    nameZh: r.name_zh,
    categoryId: r.category_id,
    taxClassId: r.tax_class_id,
    price: r.price_minor,
    unit: r.unit,
    barcodes: r.codes ? r.codes.split(',') : [],
  }
}

export function listCategories(db: Db): Category[] {
  return (stmt(db, 'SELECT id, name_en, name_zh FROM categories ORDER BY sort, id').all() as { id: string; name_en: string; name_zh: string }[]).map(
    (r) => ({ id: r.id, nameEn: r.name_en, nameZh: r.name_zh }),
  )
}

export function productById(db: Db, id: string): Product | undefined {
  const r = stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ? AND p.active = 1`).get(id) as ProductRow | undefined
  return r && toProduct(r)
}

export function productByBarcode(db: Db, code: string): Product | undefined {
  const r = stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ? AND p.active = 1`)
    .get(code) as ProductRow | undefined
  return r && toProduct(r)
}

/**
 * Search as you type. An exact barcode or SKU comes first; then the FTS index, in index order
 * (no ranking: ranking every match of a one-letter prefix over 200,000 products is what makes
 * search slow, and the grid shows only the first page anyway).
 */
export function searchProducts(db: Db, typed: string, categoryId: string | undefined, limit: number): Product[] {
  const text = typed.trim()
  if (!text) {
    const rows = stmt(db, 
        `SELECT ${PRODUCT_COLUMNS} FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.active = 1 ${categoryId ? 'AND p.category_id = ?' : ''} ORDER BY c.sort, p.rowid LIMIT ?`,
      )
      .all(...(categoryId ? [categoryId, limit] : [limit])) as ProductRow[]
    return rows.map(toProduct)
  }
  const out: Product[] = []
  const seen = new Set<string>()
  const exact = (stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ? AND p.active = 1`)
    .get(text) ??
    stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.sku = ? COLLATE NOCASE AND p.active = 1`).get(text)) as ProductRow | undefined
  if (exact && (!categoryId || exact.category_id === categoryId)) {
    out.push(toProduct(exact))
    seen.add(exact.id)
  }
  const match = searchQuery(text)
  if (match) {
    const rows = stmt(db, 
        `SELECT ${PRODUCT_COLUMNS} FROM product_search s JOIN products p ON p.rowid = s.rowid
         WHERE product_search MATCH ? AND p.active = 1 ${categoryId ? 'AND p.category_id = ?' : ''} LIMIT ?`,
      )
      .all(...(categoryId ? [match, categoryId, limit + 1] : [match, limit + 1])) as ProductRow[]
    for (const r of rows) if (!seen.has(r.id) && out.length < limit) out.push(toProduct(r))
  }
  return out
}

export interface CatalogImport {
  categories: Category[]
  products: Product[]
}

/** Adds or changes one category. Callers run it inside their own transaction. */
export function upsertCategory(db: Db, c: Category, sort: number): void {
  stmt(db,
    `INSERT INTO categories (id, name_en, name_zh, sort) VALUES (?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name_en = excluded.name_en, name_zh = excluded.name_zh, sort = excluded.sort`,
  ).run(c.id, c.nameEn, c.nameZh, sort)
}

const UPSERT_PRODUCT = `INSERT INTO products (id, sku, name_en, name_zh, category_id, tax_class_id, price_minor, unit, active, updated_at)
     VALUES (@id, @sku, @nameEn, @nameZh, @categoryId, @taxClassId, @price, @unit, @active, @at)
     ON CONFLICT(id) DO UPDATE SET sku = excluded.sku, name_en = excluded.name_en, name_zh = excluded.name_zh,
       category_id = excluded.category_id, tax_class_id = excluded.tax_class_id, price_minor = excluded.price_minor,
       unit = excluded.unit, active = excluded.active, updated_at = excluded.updated_at`
const ADD_BARCODE = 'INSERT INTO barcodes (code, product_id) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET product_id = excluded.product_id'

function productParams(p: Product, at: string, active: boolean): Record<string, unknown> {
  return { id: p.id, sku: p.sku, nameEn: p.nameEn, nameZh: p.nameZh, categoryId: p.categoryId, taxClassId: p.taxClassId, price: p.price, unit: p.unit, active: active ? 1 : 0, at }
}

/**
 * Adds or changes one product with its barcodes and search terms; `active = false` takes it off
 * sale (kept, because posted orders name it). Callers run it inside their own transaction: the
 * import of a catalog file and each page of the platform's catalog feed share this one path.
 */
export function upsertProduct(db: Db, p: Product, at: string, active = true): void {
  stmt(db, UPSERT_PRODUCT).run(productParams(p, at, active))
  const { rid } = stmt(db, 'SELECT rowid AS rid FROM products WHERE id = ?').get(p.id) as { rid: number }
  stmt(db, 'DELETE FROM barcodes WHERE product_id = ?').run(p.id)
  const addBarcode = stmt(db, ADD_BARCODE)
  for (const code of p.barcodes) addBarcode.run(code, p.id)
  stmt(db, 'DELETE FROM product_search WHERE rowid = ?').run(rid)
  stmt(db, 'INSERT INTO product_search (rowid, terms) VALUES (?, ?)').run(rid, searchTerms(p.nameEn, p.nameZh, p.sku))
}

/**
 * Many products at once, with the same result as upsertProduct on each in turn, in three passes:
 * the product rows (and the old barcodes of those that existed), then every barcode, then every
 * search row. The passes matter for speed: FTS5 keeps pending rows in memory only until another
 * statement opens a savepoint, so interleaving the search rows with the barcodes' upserts wrote one
 * tiny index segment per product and spent most of a 200,000-product import merging them.
 *
 * Same result because: products are written in the given order (a SKU clash fails as before); a
 * barcode ends on the last product that lists it, or is gone if its owner was re-imported without
 * it, or is untouched; each product's search row is replaced. Needs distinct ids (importCatalog
 * takes the one-by-one path otherwise: a product listed twice drops the first listing's barcodes).
 */
function upsertProducts(db: Db, products: readonly Product[], at: string): void {
  const upsert = stmt(db, UPSERT_PRODUCT)
  // A new id: the upsert's plain INSERT half (a SKU clash fails the same), several times faster.
  const insert = stmt(db,
    `INSERT INTO products (id, sku, name_en, name_zh, category_id, tax_class_id, price_minor, unit, active, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  )
  const rowidOf = stmt(db, 'SELECT rowid AS rid FROM products WHERE id = ?')
  const dropBarcodes = stmt(db, 'DELETE FROM barcodes WHERE product_id = ?')
  // An empty catalog (a first import) has nothing to look up or replace.
  const empty = stmt(db, 'SELECT 1 FROM products LIMIT 1').get() === undefined
  const rids: number[] = new Array<number>(products.length)
  const existed: boolean[] = new Array<boolean>(products.length)
  products.forEach((p, i) => {
    const old = empty ? undefined : (rowidOf.get(p.id) as { rid: number } | undefined)
    existed[i] = old !== undefined
    if (old) {
      upsert.run(productParams(p, at, true))
      rids[i] = old.rid
      dropBarcodes.run(p.id)
    } else {
      rids[i] = Number(insert.run(p.id, p.sku, p.nameEn, p.nameZh, p.categoryId, p.taxClassId, p.price, p.unit, at).lastInsertRowid)
    }
  })
  const addBarcode = stmt(db, ADD_BARCODE)
  for (const p of products) for (const code of p.barcodes) addBarcode.run(code, p.id)
  // A search row can only be at a new product's rowid if a product row was ever deleted (the app
  // never does): replace rows up to the index's highest rowid, plain inserts above it.
  const top = (stmt(db, 'SELECT rowid AS rid FROM product_search ORDER BY rowid DESC LIMIT 1').get() as { rid: number } | undefined)?.rid ?? 0
  const dropSearch = stmt(db, 'DELETE FROM product_search WHERE rowid = ?')
  const addSearch = stmt(db, 'INSERT INTO product_search (rowid, terms) VALUES (?, ?)')
  products.forEach((p, i) => {
    const rid = rids[i] as number
    if (existed[i] || rid <= top) dropSearch.run(rid)
    addSearch.run(rid, searchTerms(p.nameEn, p.nameZh, p.sku))
  })
}

/** Loads or replaces categories and products (and their barcodes and search terms) atomically. */
export function importCatalog(db: Db, data: CatalogImport, at: string): void {
  db.transaction(() => {
    data.categories.forEach((c, i) => upsertCategory(db, c, i))
    if (new Set(data.products.map((p) => p.id)).size === data.products.length) upsertProducts(db, data.products, at)
    else for (const p of data.products) upsertProduct(db, p, at)
  })()
}

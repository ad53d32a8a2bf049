import Database from 'better-sqlite3'
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
  const old = stmt(db, 'SELECT sku, name_en, name_zh FROM products WHERE id = ?').get(p.id) as { sku: string; name_en: string; name_zh: string } | undefined
  stmt(db, UPSERT_PRODUCT).run(productParams(p, at, active))
  const { rid } = stmt(db, 'SELECT rowid AS rid FROM products WHERE id = ?').get(p.id) as { rid: number }
  stmt(db, 'DELETE FROM barcodes WHERE product_id = ?').run(p.id)
  const addBarcode = stmt(db, ADD_BARCODE)
  for (const code of p.barcodes) addBarcode.run(code, p.id)
  // Same names and SKU, same terms: the search row stands (a price change leaves it alone).
  if (old && old.sku === p.sku && old.name_en === p.nameEn && old.name_zh === p.nameZh) return
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
 * it, or is untouched; each product's search row is replaced, or kept when its names and SKU (which
 * are all its terms come from) have not changed. Needs distinct ids (importCatalog
 * takes the one-by-one path otherwise: a product listed twice drops the first listing's barcodes).
 */
function upsertProducts(db: Db, products: readonly Product[], at: string): void {
  const upsert = stmt(db, UPSERT_PRODUCT)
  // A new id: the upsert's plain INSERT half (a SKU clash fails the same), several times faster.
  // One row a statement: a multi-row INSERT needs a statement journal and was slower (bench).
  const insert = stmt(db,
    `INSERT INTO products (id, sku, name_en, name_zh, category_id, tax_class_id, price_minor, unit, active, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  )
  const rowOf = stmt(db, 'SELECT rowid AS rid, sku, name_en, name_zh FROM products WHERE id = ?')
  const dropBarcodes = stmt(db, 'DELETE FROM barcodes WHERE product_id = ?')
  // An empty catalog (a first import) has nothing to look up or replace.
  const empty = stmt(db, 'SELECT 1 FROM products LIMIT 1').get() === undefined
  const rids: number[] = new Array<number>(products.length)
  const existed: boolean[] = new Array<boolean>(products.length)
  // An existing product whose names and SKU are unchanged keeps its search row: its terms are the
  // same (replacing a row of the contentless index costs a tombstone and a new entry: a daily
  // re-import of 200,000 products spent 8.6 s of CPU deleting search rows it then wrote again).
  const sameTerms: boolean[] = new Array<boolean>(products.length).fill(false)
  products.forEach((p, i) => {
    const old = empty ? undefined : (rowOf.get(p.id) as { rid: number; sku: string; name_en: string; name_zh: string } | undefined)
    existed[i] = old !== undefined
    if (old) {
      sameTerms[i] = old.sku === p.sku && old.name_en === p.nameEn && old.name_zh === p.nameZh
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
    if (sameTerms[i]) return
    const rid = rids[i] as number
    if (existed[i] || rid <= top) dropSearch.run(rid)
    addSearch.run(rid, searchTerms(p.nameEn, p.nameZh, p.sku))
  })
}

/** From this many products an import takes the bulk settings below for its duration. */
const BULK_PRODUCTS = 5000
/**
 * FTS5 keeps the index entries of pending search rows in a hash table in memory and writes them out
 * as a new segment whenever it outgrows this budget ('hashsize', 1 MiB by default), merging segments
 * as they pile up. 4 MiB cut the CPU of the search rows of 200,000 products by about a fifth. Not
 * more: segments written from a much bigger table make every latin prefix search that has no prefix
 * index of its length (a whole word, a SKU) slower, ×4 (0.15 → 0.6 ms) at 64 MiB, merged or not.
 * FTS5 stores the setting in product_search_config; the import puts the previous value back before
 * it commits (a failed import rolls both back).
 */
const BULK_FTS_HASH_BYTES = 4 * 1024 * 1024
const DEFAULT_FTS_HASH_BYTES = 1024 * 1024
/** Page cache for the import (KiB, as a negative cache_size): the products' and barcodes' indexes stay in memory. */
const BULK_CACHE_KIB = 256 * 1024

function setFtsHashSize(db: Db, bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`bad FTS5 hashsize ${bytes}`)
  // A literal: FTS5 takes an integer only, and a bound JavaScript number may arrive as a REAL.
  db.prepare(`INSERT INTO product_search (product_search, rank) VALUES ('hashsize', ${bytes})`).run()
}

/** Sets the bulk FTS5 budget; returns what puts the previous setting back (call it inside the same transaction). */
function bulkFtsHashSize(db: Db): () => void {
  const before = (stmt(db, "SELECT v FROM product_search_config WHERE k = 'hashsize'").get() as { v: unknown } | undefined)?.v
  setFtsHashSize(db, BULK_FTS_HASH_BYTES)
  return () => setFtsHashSize(db, typeof before === 'number' ? before : DEFAULT_FTS_HASH_BYTES)
}

/**
 * Drops the plain secondary indexes of products and barcodes (products by category and by SKU
 * without case, barcodes by product: not the keys, nor any UNIQUE index) and returns what creates
 * them again from their own CREATE statements as the schema holds them: building an index once
 * from the loaded rows is cheaper than keeping it sorted through 200,000 inserts in random order.
 * Inside the import's transaction, so they are back before it commits.
 */
function dropSecondaryIndexes(db: Db): () => void {
  const indexes = (
    db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('products', 'barcodes') AND sql IS NOT NULL ORDER BY name").all() as {
      name: string
      sql: string
    }[]
  ).filter((i) => !/^\s*CREATE\s+UNIQUE\b/i.test(i.sql))
  for (const i of indexes) db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`)
  return () => {
    for (const i of indexes) db.exec(i.sql)
  }
}

/**
 * What SQLite's foreign keys would refuse in an import, checked once instead of row by row: every
 * product's category must exist (the barcodes name products the import itself has just written).
 * The same error as SQLite's own check, before anything of the products is written.
 */
function checkCategories(db: Db, products: readonly Product[]): void {
  const known = new Set((stmt(db, 'SELECT id FROM categories').all() as { id: string }[]).map((r) => r.id))
  for (const p of products) {
    if (!known.has(p.categoryId)) throw new Database.SqliteError('FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT_FOREIGNKEY')
  }
}

/**
 * Loads or replaces categories and products (and their barcodes and search terms) atomically: one
 * transaction, so a crash or an error leaves the old catalog or the new one, never part of it.
 *
 * A big import (BULK_PRODUCTS or more) also runs with, for its duration only: a bigger page cache
 * (a setting of this connection, put back afterwards); a bigger FTS5 budget (BULK_FTS_HASH_BYTES);
 * into an empty catalog, the secondary indexes of products and barcodes built after the rows; and,
 * when it is not inside a caller's transaction (where SQLite cannot switch them), the foreign keys
 * checked by checkCategories instead of on each of ~400,000 rows (switched back on before this
 * returns or throws). None of it changes what is committed or how durably.
 */
export function importCatalog(db: Db, data: CatalogImport, at: string): void {
  const bulk = data.products.length >= BULK_PRODUCTS
  const cacheBefore = bulk ? (db.pragma('cache_size', { simple: true }) as number) : 0
  const foreignKeysOff = bulk && !db.inTransaction && db.pragma('foreign_keys', { simple: true }) === 1
  if (bulk) db.pragma(`cache_size = -${BULK_CACHE_KIB}`)
  if (foreignKeysOff) db.pragma('foreign_keys = OFF')
  try {
    db.transaction(() => {
      const restoreFts = bulk ? bulkFtsHashSize(db) : undefined
      data.categories.forEach((c, i) => upsertCategory(db, c, i))
      if (foreignKeysOff) checkCategories(db, data.products)
      // Only into an empty catalog: a re-import finds each product's old barcodes by barcodes_by_product.
      const firstLoad = bulk && stmt(db, 'SELECT 1 FROM products LIMIT 1').get() === undefined
      const restoreIndexes = firstLoad ? dropSecondaryIndexes(db) : undefined
      if (new Set(data.products.map((p) => p.id)).size === data.products.length) upsertProducts(db, data.products, at)
      else for (const p of data.products) upsertProduct(db, p, at)
      restoreIndexes?.()
      restoreFts?.()
    })()
  } finally {
    if (foreignKeysOff) db.pragma('foreign_keys = ON')
    if (bulk) db.pragma(`cache_size = ${Math.trunc(cacheBefore)}`)
  }
}

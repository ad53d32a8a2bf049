/**
 * Benchmark 2: loading a 200,000-product catalog with importCatalog, then barcode lookup and
 * search-as-you-type latency in the core (catalog.ts), on a file ledger opened with openDatabase.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { importCatalog, productByBarcode, searchProducts } from '../src/main/core/catalog'
import { openDatabase } from '../src/main/core/db/sqlite'
import { generateCatalog, isValidEan13, typedQueries, type QueryKind } from './catalog-gen'
import { atMost, result, single, type BenchResult } from './lib/results'
import { pick, rng, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface CatalogOptions {
  products: number
  lookups: number
  searches: number
  log: (line: string) => void
}

export async function benchCatalog(o: CatalogOptions): Promise<BenchResult[]> {
  const t0 = performance.now()
  const catalog = generateCatalog(o.products)
  const codes = catalog.products.flatMap((p) => p.barcodes)
  if (!codes.every(isValidEan13)) throw new Error('generated an invalid EAN-13')
  o.log(`  generated ${catalog.products.length} products, ${codes.length} barcodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const db = openDatabase(join(scratchPath('catalog'), 'ledger.sqlite'))
  const t1 = performance.now()
  importCatalog(db, catalog, new Date().toISOString())
  const loadMs = performance.now() - t1
  const n = (db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n
  if (n !== o.products) throw new Error(`imported ${n} products, expected ${o.products}`)
  o.log(`  importCatalog: ${(loadMs / 1000).toFixed(1)} s`)

  const r = rng(3)
  const lookupCodes = Array.from({ length: o.lookups + 200 }, () => pick(r, codes))
  const barcodeMs: number[] = []
  lookupCodes.forEach((code, i) => {
    const s = performance.now()
    const p = productByBarcode(db, code)
    const ms = performance.now() - s
    if (!p) throw new Error(`barcode ${code} not found`)
    if (i >= 200) barcodeMs.push(ms)
  })

  const queries = typedQueries(catalog, o.searches + 200)
  const byKind = new Map<QueryKind, number[]>()
  const allMs: number[] = []
  let empty = 0
  queries.forEach((q, i) => {
    const s = performance.now()
    const found = searchProducts(db, q.text, undefined, 60)
    const ms = performance.now() - s
    if (i < 200) return
    if (found.length === 0) empty++
    allMs.push(ms)
    const list = byKind.get(q.kind) ?? []
    list.push(ms)
    byKind.set(q.kind, list)
  })
  db.close()

  const target = atMost(5, ['p95'], 'ms')
  const k = `${Math.round(o.products / 1000)}k`
  return [
    single(`catalog: importCatalog ${k} products`, 's', loadMs / 1000, null, `${codes.length} barcodes, one transaction, FTS terms included`),
    result(`catalog: productByBarcode (${k})`, 'ms', summarize(barcodeMs), target, 'random existing EAN-13 codes'),
    result(`catalog: searchProducts, all queries (${k})`, 'ms', summarize(allMs), target, `limit 60; mix of the kinds below; ${empty} of ${allMs.length} found nothing`),
    ...[...byKind].map(([kind, ms]) => result(`catalog: search — ${kind}`, 'ms', summarize(ms), target)),
  ]
}

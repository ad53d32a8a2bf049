import type { Settings } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { CatalogPage } from '../../../shared/platform-api'
import { upsertCategory, upsertProduct } from '../catalog'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import { readSettings, writeSettings } from '../settings'
import { writeSyncState } from './state'

export interface AppliedPage {
  changes: number
  settingsChanged: boolean
  catalogChanged: boolean
}

/**
 * Applies one page of the platform's catalog feed and moves the cursor past it, in ONE SQLite
 * transaction: a page is in the ledger whole, with its cursor, or not at all. Categories and
 * products go through the same upserts as a catalog import; taxes and tax classes are merged into
 * the settings by id and saved through writeSettings, so the settings rules (unique tax ids,
 * classes naming known taxes, no class in use removed) still hold. The page's currency is the
 * store's: the till sells in it. Throws (and changes nothing) when the page breaks a rule.
 *
 * The changes are applied in kind order — taxes, tax classes, categories, products — whatever
 * order the page lists them in (a feed ordered by cursor can list a product before the category
 * it names, when that category was edited after it), so a product's category is in place when
 * the product lands; within a kind, the page's order is kept.
 */
export function applyCatalogPage(db: Db, page: CatalogPage, at: string): AppliedPage {
  return db.transaction((): AppliedPage => {
    let settings: Settings = readSettings(db)
    const before = JSON.stringify(settings)
    let catalogChanged = false
    let taxesTouched = false
    for (const change of inKindOrder(page.changes)) {
      switch (change.kind) {
        case 'category': {
          const c = change.category
          upsertCategory(db, { id: c.id, nameEn: c.nameEn, nameZh: c.nameZh }, c.sort)
          catalogChanged = true
          break
        }
        case 'product': {
          const p = change.product
          upsertProduct(db, { id: p.id, sku: p.sku, nameEn: p.nameEn, nameZh: p.nameZh, categoryId: p.categoryId, taxClassId: p.taxClassId, price: p.price, unit: p.unit, barcodes: p.barcodes }, at, p.active)
          catalogChanged = true
          break
        }
        case 'tax': {
          const t = { id: change.tax.id, name: change.tax.name, rate: change.tax.rate }
          settings = { ...settings, taxes: upsertById(settings.taxes, t) }
          taxesTouched = true
          break
        }
        case 'tax-class': {
          const c = { id: change.taxClass.id, name: change.taxClass.name, taxIds: [...change.taxClass.taxIds] }
          settings = { ...settings, taxClasses: upsertById(settings.taxClasses, c) }
          taxesTouched = true
          break
        }
      }
    }
    if (settings.currency !== page.currency) settings = { ...settings, currency: page.currency }
    const settingsChanged = JSON.stringify(settings) !== before
    // writeSettings validates the merged settings and refuses a class still in use going away.
    if (settingsChanged || taxesTouched) writeSettings(db, settings, at, null)
    if (catalogChanged) {
      // A product must be sellable: its tax class has to exist in the (possibly new) settings.
      const classes = new Set(settings.taxClasses.map((c) => c.id))
      const used = stmt(db, 'SELECT DISTINCT tax_class_id AS id FROM products WHERE active = 1').all() as { id: string }[]
      const unknown = used.map((u) => u.id).filter((id) => !classes.has(id))
      if (unknown.length > 0) throw new DaybookError('invalid_input', `The catalog names tax class ${unknown.join(', ')}, which the store does not have.`)
    }
    writeSyncState(db, { catalogCursor: page.nextCursor, lastCatalogAt: at })
    return { changes: page.changes.length, settingsChanged, catalogChanged }
  })()
}

const KIND_ORDER: Record<CatalogPage['changes'][number]['kind'], number> = { tax: 0, 'tax-class': 1, category: 2, product: 3 }

/** The page's changes sorted by kind (stable: the page's order within a kind). */
export function inKindOrder(changes: CatalogPage['changes']): CatalogPage['changes'] {
  return changes
    .map((change, i) => ({ change, i }))
    .sort((a, b) => KIND_ORDER[a.change.kind] - KIND_ORDER[b.change.kind] || a.i - b.i)
    .map((x) => x.change)
}

function upsertById<T extends { id: string }>(list: readonly T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id)
  if (i < 0) return [...list, item]
  const copy = [...list]
  copy[i] = item
  return copy
}

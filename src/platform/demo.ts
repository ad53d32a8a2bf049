import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { CatalogLoadSchema } from '../shared/platform-api'
import type { Database } from './db'
import * as svc from './service'

/** The demo store, device and catalog the CLI's --demo makes (idempotent), and catalog files for seeding. */

export const DEMO_STORE = { name: '日记本便利店 Daybook Mart', currency: 'CNY', timeZone: 'Asia/Shanghai' } as const
export const DEMO_DEVICE = 'Till 1'

/** The till's default taxes and tax classes (src/main/core/settings.ts DEFAULT_SETTINGS; a test keeps them equal). */
export const DEMO_TAXES = [
  { id: 'vat13', name: 'VAT 13%', rate: '13' },
  { id: 'vat9', name: 'VAT 9%', rate: '9' },
]
export const DEMO_TAX_CLASSES = [
  { id: 'std', name: 'Standard', taxIds: ['vat13'] },
  { id: 'low', name: 'Agricultural & staples', taxIds: ['vat9'] },
]

export type CatalogLoad = z.output<typeof CatalogLoadSchema>

/**
 * A catalog file: the body of PUT /v1/admin/stores/:id/catalog, or the till's resources/demo-catalog.json
 * shape (categories without `sort` get their position, products without `active` are active, and a
 * file without taxes gets the default VAT 13 % / 9 % classes).
 */
export function catalogFromFile(file: string): CatalogLoad {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  const categories = Array.isArray(raw.categories) ? raw.categories.map((c: Record<string, unknown>, i) => ({ sort: i, ...c })) : []
  const products = Array.isArray(raw.products) ? raw.products.map((p: Record<string, unknown>) => ({ active: true, ...p })) : []
  const taxes = Array.isArray(raw.taxes) ? raw.taxes : DEMO_TAXES
  const taxClasses = Array.isArray(raw.taxClasses) ? raw.taxClasses : DEMO_TAX_CLASSES
  const r = CatalogLoadSchema.safeParse({ categories, products, taxes, taxClasses })
  if (!r.success) throw new Error(`${file} is not a catalog: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return r.data
}

export interface DemoResult {
  storeId: string
  deviceId: string
  pairing: { code: string; expiresAt: string }
  catalogChanges: number
}

export async function ensureDemo(db: Database, catalogFile: string, now: Date): Promise<DemoResult> {
  const stores = await svc.listStores(db)
  const store = stores.find((s) => s.name === DEMO_STORE.name) ?? (await svc.createStore(db, { ...DEMO_STORE }, now))
  const devices = await svc.listDevices(db, store.id)
  let deviceId = devices.find((d) => d.name === DEMO_DEVICE)?.id
  let pairing: { code: string; expiresAt: string }
  if (deviceId) pairing = await svc.newPairingCodeFor(db, deviceId, now)
  else {
    const created = await svc.createDevice(db, store.id, DEMO_DEVICE, now)
    deviceId = created.device.id
    pairing = created.pairing
  }
  const { changes } = await svc.loadCatalog(db, store.id, catalogFromFile(catalogFile), now)
  return { storeId: store.id, deviceId, pairing, catalogChanges: changes }
}

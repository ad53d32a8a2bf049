import { readFileSync } from 'node:fs'
import { CategorySchema, ProductSchema } from '../../shared/contract'
import { z } from 'zod'
import type { Db } from './db/sqlite'
import { importCatalog } from './catalog'
import { DEFAULT_SETTINGS, writeSettings } from './settings'
import { saveStaff } from './staff'

/** The demo staff and their PINs, documented in the README. */
export const DEMO_STAFF = [
  { name: '李娜 Li Na', role: 'cashier', pin: '1111' },
  { name: '张伟 Zhang Wei', role: 'supervisor', pin: '2222' },
  { name: '王芳 Wang Fang', role: 'owner', pin: '9999' },
] as const

export const CatalogFileSchema = z.object({ categories: z.array(CategorySchema), products: z.array(ProductSchema) })

/** Seeds a demo store once: settings, staff and the sample catalog. A ledger with staff is left alone. */
export function seedDemo(db: Db, catalogFile: string, at: string): boolean {
  const hasStaff = db.prepare('SELECT 1 FROM staff LIMIT 1').get()
  if (hasStaff) return false
  const catalog = CatalogFileSchema.parse(JSON.parse(readFileSync(catalogFile, 'utf8')))
  db.transaction(() => {
    writeSettings(db, { ...DEFAULT_SETTINGS, storeName: '日记本便利店 Daybook Mart' }, at, null)
    for (const s of DEMO_STAFF) saveStaff(db, { name: s.name, role: s.role, pin: s.pin, active: true }, at)
    importCatalog(db, catalog, at)
  })()
  return true
}

/** The first owner of a store that is not a demo: the PIN is given on the command line. */
export function seedOwner(db: Db, name: string, pin: string, at: string): void {
  if (db.prepare('SELECT 1 FROM staff LIMIT 1').get()) return
  db.transaction(() => {
    writeSettings(db, DEFAULT_SETTINGS, at, null)
    saveStaff(db, { name, role: 'owner', pin, active: true }, at)
  })()
}

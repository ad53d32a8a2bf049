import { CartSchema, type Cart } from '../../shared/contract'
import { DaybookError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'

/** Parked carts are not posted: they are a cashier's scratch pad, kept across restarts. */
export function parkCart(db: Db, cart: Cart, label: string | undefined, staffId: string, at: string): { id: string } {
  if (cart.lines.length === 0) throw new DaybookError('empty_cart', 'There is nothing to park.')
  const id = newId()
  const { n } = stmt(db, 'SELECT count(*) + 1 AS n FROM parked_carts').get() as { n: number }
  stmt(db, 'INSERT INTO parked_carts (id, label, staff_id, created_at, cart_json) VALUES (?, ?, ?, ?, ?)').run(
    id,
    label?.trim() || `#${n}`,
    staffId,
    at,
    JSON.stringify(cart),
  )
  return { id }
}

export function listParked(db: Db): { id: string; label: string; createdAt: string; staffName: string; lineCount: number }[] {
  const rows = stmt(db, 'SELECT p.id, p.label, p.created_at, s.name AS staff_name, p.cart_json FROM parked_carts p JOIN staff s ON s.id = p.staff_id ORDER BY p.created_at')
    .all() as { id: string; label: string; created_at: string; staff_name: string; cart_json: string }[]
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    createdAt: r.created_at,
    staffName: r.staff_name,
    lineCount: (JSON.parse(r.cart_json) as Cart).lines.length,
  }))
}

/** Takes a parked cart back: it leaves the parked list in the same step, so two tills cannot both resume it. */
export function resumeCart(db: Db, id: string): Cart {
  return db.transaction(() => {
    const row = stmt(db, 'SELECT cart_json FROM parked_carts WHERE id = ?').get(id) as { cart_json: string } | undefined
    if (!row) throw new DaybookError('not_found', 'That parked cart was already resumed.')
    stmt(db, 'DELETE FROM parked_carts WHERE id = ?').run(id)
    return CartSchema.parse(JSON.parse(row.cart_json))
  }).immediate()
}

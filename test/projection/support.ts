import type { Database, Queryable } from '../../src/platform/db'
import { projectStepIn } from '../../src/platform/projection/projector'

/**
 * The reporting tables of some devices as plain data (rows in a stable order, times as ISO text,
 * without closures.checked_at, the only column that says when rather than what), plus each event's
 * normalize_error: what a projection must produce from the event store, whatever the order of work.
 */
export type Snapshot = Record<string, Record<string, unknown>[]>

const TABLES: [table: string, order: string][] = [
  ['orders', 'device_id, id'],
  ['order_lines', 'device_id, order_id, line_no'],
  ['order_tenders', 'device_id, order_id, tender_id'],
  ['refunds', 'device_id, event_id'],
  ['voids', 'device_id, event_id'],
  ['shifts', 'device_id, shift_id'],
  ['shift_closes', 'device_id, shift_id'],
  ['shift_takeovers', 'device_id, takeover_id'],
  ['cash_movements', 'device_id, movement_id'],
  ['closures', 'device_id, journal_seq'],
]

const plain = (row: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) if (k !== 'checked_at') out[k] = v instanceof Date ? v.toISOString() : v
  return out
}

export async function snapshot(q: Queryable, deviceIds: string[]): Promise<Snapshot> {
  const out: Snapshot = {}
  for (const [table, order] of TABLES) out[table] = (await q.query(`SELECT * FROM ${table} WHERE device_id = ANY($1::text[]) ORDER BY ${order}`, [deviceIds])).map(plain)
  out.normalize_errors = await q.query('SELECT device_id, seq, normalize_error FROM events WHERE device_id = ANY($1::text[]) ORDER BY device_id, seq', [deviceIds])
  return out
}

class RolledBack extends Error {}

/**
 * The reporting tables as a projection from scratch makes them: in one transaction, the devices'
 * rows are deleted, their flags and positions reset, every event projected again in one go, the
 * result read, and all of it rolled back (the database is left as it was).
 */
export async function fromScratch(db: Database, deviceIds: string[], now: Date): Promise<Snapshot> {
  let snap: Snapshot | null = null
  await db
    .tx(async (q) => {
      const ids = [deviceIds]
      for (const t of ['order_lines', 'order_tenders', 'orders', 'refunds', 'voids', 'shift_closes', 'shift_takeovers', 'cash_movements', 'closures', 'shifts']) {
        await q.query(`DELETE FROM ${t} WHERE device_id = ANY($1::text[])`, ids)
      }
      await q.query('UPDATE events SET normalize_error = NULL WHERE device_id = ANY($1::text[])', ids)
      await q.query('UPDATE device_projections SET projected_seq = 0 WHERE device_id = ANY($1::text[])', ids)
      for (const id of deviceIds) while ((await projectStepIn(q, id, { now, warn: () => {}, limit: 100_000 })) > 0);
      snap = await snapshot(q, deviceIds)
      throw new RolledBack()
    })
    .catch((e: unknown) => {
      if (!(e instanceof RolledBack)) throw e
    })
  return snap!
}

/** Where projection stands per device: last stored seq and projected seq. */
export async function positions(q: Queryable, deviceIds: string[]): Promise<{ id: string; last_seq: number; projected_seq: number }[]> {
  return q.query(
    `SELECT d.id, d.last_seq, coalesce(p.projected_seq, 0) AS projected_seq FROM devices d LEFT JOIN device_projections p ON p.device_id = d.id
     WHERE d.id = ANY($1::text[]) ORDER BY d.id`,
    [deviceIds],
  )
}

import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'

/** The one row of sync_state (migration 5), in camelCase. */
export interface SyncStateRow {
  platformUrl: string | null
  platformDeviceId: string | null
  storeId: string | null
  storeName: string | null
  storeCurrency: string | null
  pairedAt: string | null
  catalogCursor: string | null
  lastCatalogAt: string | null
  lastSuccessAt: string | null
  lastAttemptAt: string | null
  lastErrorCode: string | null
  lastErrorMessage: string | null
  lastErrorAt: string | null
  clockOffsetMs: number | null
}

const COLUMNS: Record<keyof SyncStateRow, string> = {
  platformUrl: 'platform_url',
  platformDeviceId: 'platform_device_id',
  storeId: 'store_id',
  storeName: 'store_name',
  storeCurrency: 'store_currency',
  pairedAt: 'paired_at',
  catalogCursor: 'catalog_cursor',
  lastCatalogAt: 'last_catalog_at',
  lastSuccessAt: 'last_success_at',
  lastAttemptAt: 'last_attempt_at',
  lastErrorCode: 'last_error_code',
  lastErrorMessage: 'last_error_message',
  lastErrorAt: 'last_error_at',
  clockOffsetMs: 'clock_offset_ms',
}

const SELECT = `SELECT ${Object.entries(COLUMNS)
  .map(([k, c]) => `${c} AS ${k}`)
  .join(', ')} FROM sync_state WHERE id = 1`

export function readSyncState(db: Db): SyncStateRow {
  const row = stmt(db, SELECT).get() as SyncStateRow | undefined
  if (!row) throw new Error('sync_state row is missing (migration 5)')
  return row
}

/** Updates the named fields only. */
export function writeSyncState(db: Db, patch: Partial<SyncStateRow>): void {
  const keys = (Object.keys(patch) as (keyof SyncStateRow)[]).filter((k) => patch[k] !== undefined)
  if (keys.length === 0) return
  const sql = `UPDATE sync_state SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE id = 1`
  const params: Record<string, unknown> = {}
  for (const k of keys) params[k] = patch[k]
  stmt(db, sql).run(params)
}

/** Every field back to null: the till forgets the platform (its outbox stays as it is). */
export function clearSyncState(db: Db): void {
  const nulls: Partial<SyncStateRow> = {}
  for (const k of Object.keys(COLUMNS) as (keyof SyncStateRow)[]) (nulls as Record<string, null>)[k] = null
  writeSyncState(db, nulls)
}

export function isPaired(s: SyncStateRow): s is SyncStateRow & { platformUrl: string; platformDeviceId: string } {
  return s.platformUrl !== null && s.platformDeviceId !== null
}

import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'

export interface Device {
  id: string
  /** Short code printed in receipt numbers, e.g. T01. */
  code: string
}

/** The till's identity, made once on first start and kept in the ledger it names. */
export function ensureDevice(db: Db, code = 'T01'): Device {
  const get = (k: string): string | undefined => (stmt(db, 'SELECT value FROM meta WHERE key = ?').get(k) as { value: string } | undefined)?.value
  let id = get('device_id')
  if (!id) {
    id = newId()
    stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run('device_id', id, 'device_code', code)
  }
  return { id, code: get('device_code') ?? code }
}

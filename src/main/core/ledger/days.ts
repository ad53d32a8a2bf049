import type { Settings } from '../../../shared/contract'
import type { PostingMeta } from '../../../shared/ledger'
import { DaybookError } from '../../../shared/errors'
import { businessDate } from '../business-day'
import type { Db } from '../db/sqlite'
import { rawStmt, stmt } from '../db/statements'

/** The day after a yyyy-mm-dd date (calendar arithmetic in UTC: no time zone can shift it). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

export interface LastClosure {
  id: string
  number: number
  business_date: string
  last_seq: number
  grand_total: number
  closed_at: string
}

export function lastClosure(db: Db): LastClosure | undefined {
  return stmt(db, 'SELECT id, number, business_date, last_seq, grand_total, closed_at FROM closures ORDER BY number DESC LIMIT 1').get() as LastClosure | undefined
}

/** The open shift at this till, if any (one at a time). */
export function openShiftId(db: Db): string | null {
  // Shifts open one after the other, so only the latest can still be open: two index lookups, whatever the history.
  const r = rawStmt(db, 'SELECT id, (SELECT 1 FROM shift_closes c WHERE c.shift_id = s.id) AS closed FROM shifts s ORDER BY s.journal_seq DESC LIMIT 1').get() as
    | [id: string, closed: number | null]
    | undefined
  return r && !r[1] ? r[0] : null
}

/**
 * The business day a posting made now belongs to. A closed day never changes: what would fall
 * into it (a crash recovered after the Z, a clock set back) goes to the next open day and says
 * which day it came from.
 */
export function postingMeta(db: Db, now: Date, settings: Settings, knownShiftId?: string | null): PostingMeta {
  const natural = businessDate(now, settings.timeZone, settings.businessDayCutoffHour)
  // The last closure's day, as lastClosure(db)?.business_date, without building its whole row.
  const closed = rawStmt(db, 'SELECT business_date FROM closures ORDER BY number DESC LIMIT 1').get() as [string] | undefined
  return metaFor(natural, closed?.[0], knownShiftId === undefined ? openShiftId(db) : knownShiftId)
}

function metaFor(natural: string, closed: string | undefined, shiftId: string | null): PostingMeta {
  if (closed && natural <= closed) return { businessDate: nextDay(closed), shiftId, adjustmentOf: natural }
  return { businessDate: natural, shiftId, adjustmentOf: null }
}

/** Cash goes into a drawer, and a drawer is counted by shift: no cash outside an open shift. */
export function requireShiftForCash(db: Db): string {
  const id = openShiftId(db)
  if (!id) throw new DaybookError('no_open_shift', 'Open a shift before taking cash: count the float into the drawer first.')
  return id
}

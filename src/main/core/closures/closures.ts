import type { Settings } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { DayFigures } from '../../../shared/ledger'
import type { Closure, DayBlocker, DayReport, TillStatus } from '../../../shared/shifts-contract'
import { businessDate } from '../business-day'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { appendEvent } from '../journal'
import { lastClosure, openShiftId, postingMeta } from '../ledger/days'
import { figuresWhere } from '../ledger/store'
import { lastLeft, listShifts, shiftHeader } from '../shifts/shifts'

/**
 * The X and the Z. Both sum the postings made since the last closure (a primary-key range of the
 * ledger, so a day costs the same on a till that has sold for years); the Z writes that sum, once,
 * as an immutable closure that is itself a journal event, continuing the perpetual grand total.
 */

type Person = { id: string; name: string }

interface Period {
  firstSeq: number
  lastSeq: number
  lastHash: string
  fromDate: string
  businessDate: string
  figures: DayFigures
  previousGrandTotal: number
}

function head(db: Db): { seq: number; hash: string } {
  return (stmt(db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: '0'.repeat(64) }
}

/** Everything posted since the last closure, and the business day a Z made now would close. */
function currentPeriod(db: Db, settings: Settings, now: Date): Period {
  const prev = lastClosure(db)
  const h = head(db)
  const firstSeq = (prev?.last_seq ?? 0) + 1
  const natural = businessDate(now, settings.timeZone, settings.businessDayCutoffHour)
  // The previous closure's own event opens the range; it belongs to the day it closed.
  const span = stmt(db, "SELECT min(business_date) AS first, max(business_date) AS last FROM postings WHERE journal_seq >= ? AND journal_seq <= ? AND kind != 'closure'").get(firstSeq, h.seq) as {
    first: string | null
    last: string | null
  }
  // A Z closes the latest day that has postings (after the cut-off, yesterday's), or today when nothing was posted.
  const latest = span.last ?? natural
  const fromDate = span.first ?? latest
  return {
    firstSeq,
    lastSeq: h.seq,
    lastHash: h.hash,
    fromDate,
    businessDate: latest,
    figures: figuresWhere(db, 'p.journal_seq >= ? AND p.journal_seq <= ?', firstSeq, h.seq),
    previousGrandTotal: prev?.grand_total ?? 0,
  }
}

/** What stops a Z: open shifts, sales being paid, and payments a crash or a lost answer left open. */
export function dayBlockers(db: Db): DayBlocker[] {
  const out: DayBlocker[] = []
  const shiftId = openShiftId(db)
  if (shiftId) {
    const s = stmt(db, 'SELECT opened_by_name, opened_at FROM shifts WHERE id = ?').get(shiftId) as { opened_by_name: string; opened_at: string }
    out.push({ kind: 'open_shift', id: shiftId, label: `${s.opened_by_name} ${s.opened_at}`, method: null, amount: null })
  }
  // Each through a partial index of open states: a Z on a till with years of attempts reads only the open ones.
  const attempts = db
    .prepare(
      `SELECT id, method, amount_minor, state FROM tender_attempts WHERE state IN ('created', 'awaiting_customer', 'unknown') ORDER BY created_at`,
    )
    .all() as { id: string; method: string; amount_minor: number; state: string }[]
  for (const a of attempts) out.push({ kind: 'unresolved_attempt', id: a.id, label: a.state, method: a.method, amount: a.amount_minor })
  const checkouts = db.prepare("SELECT id, state, total_minor FROM checkouts WHERE state IN ('open', 'voiding') ORDER BY created_at").all() as { id: string; state: string; total_minor: number }[]
  for (const c of checkouts) {
    if (c.state === 'open') {
      out.push({ kind: 'open_checkout', id: c.id, label: c.state, method: null, amount: c.total_minor })
      continue
    }
    // A void still giving money back: name each tender not yet returned.
    const back = db
      .prepare("SELECT id, method, amount_minor FROM tender_attempts WHERE checkout_id = ? AND state = 'succeeded' AND coalesce(failure_code, '') != 'reversal_refused'")
      .all(c.id) as { id: string; method: string; amount_minor: number }[]
    for (const a of back) out.push({ kind: 'unresolved_void', id: a.id, label: c.id, method: a.method, amount: a.amount_minor })
    if (back.length === 0) out.push({ kind: 'unresolved_void', id: c.id, label: c.state, method: null, amount: c.total_minor })
  }
  const refunds = db
    .prepare(
      `SELECT r.id, r.method, r.amount_minor, r.state, o.receipt_no FROM refunds r JOIN orders o ON o.id = r.order_id
       WHERE r.state IN ('created', 'pending', 'unknown') ORDER BY r.created_at`,
    )
    .all() as { id: string; method: string; amount_minor: number; state: string; receipt_no: string }[]
  for (const r of refunds) out.push({ kind: 'unresolved_refund', id: r.id, label: r.receipt_no, method: r.method, amount: r.amount_minor })
  return out
}

function unsynced(db: Db): number {
  const paired = (stmt(db, 'SELECT platform_device_id FROM sync_state WHERE id = 1').get() as { platform_device_id: string | null } | undefined)?.platform_device_id
  const { n } = stmt(db, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }
  return paired || n > 0 ? n : 0
}

/**
 * The X. `blind`: the caller is a cashier on a blind count. While a shift is open the period's
 * takings include its drawer's, so they (and the totals made of them) are null until the count is in.
 */
export function xReport(db: Db, settings: Settings, device: Device, now: Date, blind = false): DayReport {
  const p = currentPeriod(db, settings, now)
  const open = openShiftId(db)
  const shifts = listShifts(db, settings, device.code, blind, 's.journal_seq >= ? OR s.id = ?', p.firstSeq, open)
  const hide = blind && open !== null
  return {
    kind: 'X',
    deviceCode: device.code,
    storeName: settings.storeName,
    currency: settings.currency,
    businessDate: p.businessDate,
    fromDate: p.fromDate,
    firstSeq: p.firstSeq,
    lastSeq: p.lastSeq,
    at: now.toISOString(),
    figures: hide ? null : p.figures,
    periodTotal: hide ? null : p.figures.net,
    previousGrandTotal: p.previousGrandTotal,
    grandTotal: hide ? null : p.previousGrandTotal + p.figures.net,
    shifts,
    blockers: dayBlockers(db),
    unsynced: unsynced(db),
  }
}

export interface CloseDayInput {
  closureId: string
  staff: Person & { role: string }
}

/**
 * The Z, in one transaction: refuses while anything is open (naming each), then writes the
 * closure as a journal event and a row. The same closureId again returns the closure made.
 */
export function closeDay(db: Db, settings: Settings, device: Device, now: Date, input: CloseDayInput): Closure {
  if (input.staff.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can close the day.')
  db.transaction(() => {
    if (stmt(db, 'SELECT 1 FROM closures WHERE id = ?').get(input.closureId)) return
    const blockers = dayBlockers(db)
    if (blockers.length > 0) {
      throw new DaybookError('day_blocked', 'The day cannot be closed yet: finish what is listed first.', { blockers })
    }
    const prev = lastClosure(db)
    const p = currentPeriod(db, settings, now)
    if (prev && p.businessDate <= prev.business_date) {
      throw new DaybookError('day_already_closed', `Business day ${prev.business_date} is already closed, and nothing has been posted since.`, { businessDate: prev.business_date })
    }
    // What was sold after today's Z belongs to tomorrow: it is closed tomorrow, never a day early.
    const today = businessDate(now, settings.timeZone, settings.businessDayCutoffHour)
    if (p.businessDate > today) {
      const message =
        prev && prev.business_date >= today
          ? `Today (${today}) is already closed. What was sold since belongs to ${p.businessDate} and is closed on that day.`
          : `What is to be closed belongs to ${p.businessDate}, but this till's clock says ${today}: close it on that day, or check the clock.`
      throw new DaybookError('day_already_closed', message, { businessDate: today, next: p.businessDate })
    }
    const at = now.toISOString()
    const number = (prev?.number ?? 0) + 1
    const periodTotal = p.figures.net
    const grandTotal = p.previousGrandTotal + periodTotal
    const closedBy = { id: input.staff.id, name: input.staff.name }
    const ev = appendEvent(db, device.id, 'day.closed', at, {
      closureId: input.closureId,
      number,
      deviceCode: device.code,
      storeName: settings.storeName,
      currency: settings.currency,
      businessDate: p.businessDate,
      fromDate: p.fromDate,
      firstSeq: p.firstSeq,
      lastSeq: p.lastSeq,
      lastHash: p.lastHash,
      closedBy,
      figures: p.figures,
      periodTotal,
      previousGrandTotal: p.previousGrandTotal,
      grandTotal,
      posting: { ...postingMeta(db, now, settings), businessDate: p.businessDate, shiftId: null, adjustmentOf: null },
    })
    stmt(
      db,
      `INSERT INTO closures (id, number, device_id, business_date, from_date, first_seq, last_seq, last_hash, closed_at, closed_by_id, closed_by_name, currency,
         figures, period_total, previous_grand_total, grand_total, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.closureId,
      number,
      device.id,
      p.businessDate,
      p.fromDate,
      p.firstSeq,
      p.lastSeq,
      p.lastHash,
      at,
      closedBy.id,
      closedBy.name,
      settings.currency,
      JSON.stringify(p.figures),
      periodTotal,
      p.previousGrandTotal,
      grandTotal,
      ev.seq,
    )
  }).immediate()
  return readClosure(db, input.closureId, device.code, settings.storeName) as Closure
}

interface ClosureRow {
  id: string
  number: number
  business_date: string
  from_date: string
  first_seq: number
  last_seq: number
  last_hash: string
  closed_at: string
  closed_by_id: string
  closed_by_name: string
  currency: string
  figures: string
  period_total: number
  previous_grand_total: number
  grand_total: number
  journal_seq: number
  hash: string
}

function toClosure(r: ClosureRow, deviceCode: string, storeName: string): Closure {
  return {
    id: r.id,
    number: r.number,
    deviceCode,
    storeName,
    currency: r.currency,
    businessDate: r.business_date,
    fromDate: r.from_date,
    firstSeq: r.first_seq,
    lastSeq: r.last_seq,
    lastHash: r.last_hash,
    closedAt: r.closed_at,
    closedBy: { id: r.closed_by_id, name: r.closed_by_name },
    figures: JSON.parse(r.figures) as DayFigures,
    periodTotal: r.period_total,
    previousGrandTotal: r.previous_grand_total,
    grandTotal: r.grand_total,
    journalSeq: r.journal_seq,
    hash: r.hash,
  }
}

export function readClosure(db: Db, id: string, deviceCode: string, storeName: string): Closure | undefined {
  const r = stmt(db, 'SELECT c.*, j.hash FROM closures c JOIN journal j ON j.seq = c.journal_seq WHERE c.id = ?').get(id) as ClosureRow | undefined
  return r ? toClosure(r, deviceCode, storeName) : undefined
}

export function listClosures(db: Db, deviceCode: string, storeName: string, limit: number): Closure[] {
  const rows = stmt(db, 'SELECT c.*, j.hash FROM closures c JOIN journal j ON j.seq = c.journal_seq ORDER BY c.number DESC LIMIT ?').all(limit) as ClosureRow[]
  return rows.map((r) => toClosure(r, deviceCode, storeName))
}

export function tillStatus(db: Db, settings: Settings, now: Date): TillStatus {
  const prev = lastClosure(db)
  const meta = postingMeta(db, now, settings)
  const shiftId = openShiftId(db)
  const shift = shiftId ? shiftHeader(db, shiftId) : undefined
  const pending = stmt(db, "SELECT 1 FROM postings WHERE journal_seq > ? AND kind != 'closure' LIMIT 1").get(prev?.last_seq ?? 0) !== undefined
  // After today's Z the till shows today as closed until something is posted into the next open day.
  const closedToday = meta.adjustmentOf !== null && !pending && !shift
  const dayStatus = closedToday ? 'closed' : shift ? 'open' : pending ? 'closing' : 'open'
  return {
    businessDate: closedToday ? (meta.adjustmentOf as string) : meta.businessDate,
    dayStatus,
    lastClosure: prev ? { number: prev.number, businessDate: prev.business_date, closedAt: prev.closed_at } : null,
    shift: shift ? { id: shift.id, holder: shift.holder, openedAt: shift.openedAt, float: shift.float } : null,
    suggestedFloat: lastLeft(db),
    blindCount: settings.blindCount,
  }
}

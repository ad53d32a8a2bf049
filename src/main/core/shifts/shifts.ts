import type { Settings } from '../../../shared/contract'
import { countTotal, foreignDenomination, type CountLine } from '../../../shared/denominations'
import { DaybookError } from '../../../shared/errors'
import { expectedCash, type MovementKind } from '../../../shared/ledger'
import type { Currency } from '../../../shared/money'
import type { FirstCount, Movement, Shift } from '../../../shared/shifts-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { appendEvent } from '../journal'
import { openShiftId, postingMeta } from '../ledger/days'
import { figuresWhere } from '../ledger/store'
import { personOrNull } from '../orders'

/**
 * Shifts: a till's drawer from the float counted in to the count at the close. Opening, moving
 * cash and closing are posted records (journal event + ledger lines + row, one transaction); the
 * shift's figures are always summed from the ledger lines of its postings.
 *
 * Blind count (Settings → Cash control), enforced here and in the service, not only on the screen:
 * while a shift is open a cashier is sent neither what the drawer should hold nor the takings it is
 * summed from (readShift/listShifts/xReport with `blind`: expected, figures and the X's totals are
 * null). A close refused for over/short tells such a cashier neither, and its count is kept as a
 * `shift.counted` journal event (recordBlindCount: not a posting, no table of its own — the journal
 * is the append-only, hash-chained, synced record; it is read back from the shift's own stretch of
 * the journal by primary key). Only the first is kept; the shift then shows it as `firstCount`
 * beside the final count. A supervisor or the owner sees everything, at any time.
 */

type Person = { id: string; name: string }

function validCount(currency: string, count: readonly CountLine[]): number {
  const foreign = foreignDenomination(currency as Currency, count)
  if (foreign) {
    throw new DaybookError('invalid_input', `There is no ${foreign.kind} of that value in ${currency}.`, [{ path: ['count'], message: `unknown denomination ${foreign.value} (${foreign.kind})` }])
  }
  try {
    return countTotal(count)
  } catch (e) {
    throw new DaybookError('invalid_input', 'The count is not valid.', [{ path: ['count'], message: e instanceof Error ? e.message : 'invalid' }])
  }
}

/** What the last shift close left in the drawer: the float the next shift is offered. */
export function lastLeft(db: Db): number {
  const r = stmt(db, 'SELECT left_minor FROM shift_closes ORDER BY journal_seq DESC LIMIT 1').get() as { left_minor: number } | undefined
  return r?.left_minor ?? 0
}

export interface OpenShiftInput {
  shiftId: string
  count: CountLine[]
  staff: Person
}

export function openShift(db: Db, settings: Settings, device: Device, now: Date, input: OpenShiftInput): Shift {
  db.transaction(() => {
    if (stmt(db, 'SELECT 1 FROM shifts WHERE id = ?').get(input.shiftId)) return
    const open = openShiftId(db)
    if (open) {
      const holder = currentHolder(db, open)
      throw new DaybookError('shift_already_open', `A shift is already open at this till (${holder.name}). Close it, or take it over, first.`, { shiftId: open, holder })
    }
    const float = validCount(settings.currency, input.count)
    const previousLeft = lastLeft(db)
    const at = now.toISOString()
    const posting = { ...postingMeta(db, now, settings), shiftId: input.shiftId }
    const ev = appendEvent(db, device.id, 'shift.opened', at, {
      shiftId: input.shiftId,
      deviceCode: device.code,
      currency: settings.currency,
      float,
      previousLeft,
      count: input.count,
      openedBy: input.staff,
      posting,
    })
    stmt(
      db,
      `INSERT INTO shifts (id, device_id, currency, business_date, opened_at, opened_by_id, opened_by_name, float_minor, previous_left_minor, opening_count, journal_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.shiftId, device.id, settings.currency, posting.businessDate, at, input.staff.id, input.staff.name, float, previousLeft, JSON.stringify(input.count), ev.seq)
  }).immediate()
  return readShift(db, input.shiftId, settings) as Shift
}

function currentHolder(db: Db, shiftId: string): Person {
  const t = stmt(db, 'SELECT to_id AS id, to_name AS name FROM shift_takeovers WHERE shift_id = ? ORDER BY journal_seq DESC LIMIT 1').get(shiftId) as Person | undefined
  if (t) return t
  return stmt(db, 'SELECT opened_by_id AS id, opened_by_name AS name FROM shifts WHERE id = ?').get(shiftId) as Person
}

/** Whether a shift exists and is open or closed, without summing its figures. */
export function shiftState(db: Db, shiftId: string): 'open' | 'closed' | undefined {
  const r = stmt(db, 'SELECT (SELECT 1 FROM shift_closes c WHERE c.shift_id = s.id) AS closed FROM shifts s WHERE s.id = ?').get(shiftId) as { closed: number | null } | undefined
  return r ? (r.closed ? 'closed' : 'open') : undefined
}

/** The open shift, checked to be the one named. */
function mustOpen(db: Db, shiftId: string): void {
  const state = shiftState(db, shiftId)
  if (!state) throw new DaybookError('not_found', 'There is no such shift.')
  if (state === 'closed') throw new DaybookError('shift_closed', 'This shift is already closed.')
}

/** A supervisor or the owner takes over the open shift (the cashier went home ill, say). */
export function takeOverShift(db: Db, settings: Settings, device: Device, now: Date, shiftId: string, by: Person & { role: string }, takeoverId: string): Shift {
  if (by.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can take over a shift.')
  db.transaction(() => {
    mustOpen(db, shiftId)
    const from = currentHolder(db, shiftId)
    if (from.id === by.id) return
    const at = now.toISOString()
    const ev = appendEvent(db, device.id, 'shift.taken_over', at, { takeoverId, shiftId, from, to: { id: by.id, name: by.name } })
    stmt(db, 'INSERT INTO shift_takeovers (id, shift_id, at, from_id, from_name, to_id, to_name, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      takeoverId,
      shiftId,
      at,
      from.id,
      from.name,
      by.id,
      by.name,
      ev.seq,
    )
  }).immediate()
  return readShift(db, shiftId, settings) as Shift
}

/** A shift belongs to whoever holds it; a supervisor or the owner may act on any shift. */
export function checkHolder(db: Db, shiftId: string, staff: Person & { role: string }): void {
  if (staff.role !== 'cashier') return
  const holder = currentHolder(db, shiftId)
  if (holder.id !== staff.id) throw new DaybookError('forbidden', `This shift belongs to ${holder.name}. Ask a supervisor to take it over.`, { holder })
}

/** Expected cash in the drawer of a shift now: the float plus the drawer lines of its postings. */
export function shiftExpected(db: Db, shiftId: string): number {
  const s = stmt(db, 'SELECT float_minor FROM shifts WHERE id = ?').get(shiftId) as { float_minor: number }
  const figures = figuresWhere(db, "p.shift_id = ? AND p.kind IN ('sale', 'refund', 'cash_movement')", shiftId)
  return expectedCash(s.float_minor, figures.cash)
}

export interface MoveInput {
  movementId: string
  kind: MovementKind
  amount: number
  reason: string
  note: string
  staff: Person
  approvedBy: Person | null
}

export function moveCash(db: Db, settings: Settings, device: Device, now: Date, input: MoveInput): Movement {
  db.transaction(() => {
    const prior = stmt(db, 'SELECT kind, amount_minor FROM cash_movements WHERE id = ?').get(input.movementId) as { kind: string; amount_minor: number } | undefined
    if (prior) {
      if (prior.kind !== input.kind || prior.amount_minor !== input.amount) throw new DaybookError('conflict', 'That movement number was already used for another movement.')
      return
    }
    const shiftId = openShiftId(db)
    if (!shiftId) throw new DaybookError('no_open_shift', 'Open a shift first: cash movements belong to a shift.')
    if (input.kind !== 'pay_in') {
      const inDrawer = shiftExpected(db, shiftId)
      if (input.amount > inDrawer) {
        // A blind count must stay blind: say no without saying how much the drawer should hold.
        const hint = settings.blindCount ? 'more than the drawer should hold' : `at most ${inDrawer}`
        throw new DaybookError('invalid_input', 'That is more cash than the drawer should hold.', [{ path: ['amount'], message: hint }])
      }
    }
    const at = now.toISOString()
    const posting = postingMeta(db, now, settings)
    const ev = appendEvent(db, device.id, 'cash.moved', at, {
      movementId: input.movementId,
      shiftId,
      kind: input.kind,
      amount: input.amount,
      currency: settings.currency,
      reason: input.reason,
      note: input.note,
      staff: input.staff,
      approvedBy: input.approvedBy,
      posting,
    })
    stmt(
      db,
      `INSERT INTO cash_movements (id, shift_id, kind, amount_minor, currency, reason, note, staff_id, staff_name, approved_by_id, approved_by_name, created_at, journal_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.movementId,
      shiftId,
      input.kind,
      input.amount,
      settings.currency,
      input.reason,
      input.note,
      input.staff.id,
      input.staff.name,
      input.approvedBy?.id ?? null,
      input.approvedBy?.name ?? null,
      at,
      ev.seq,
    )
  }).immediate()
  return readMovement(db, input.movementId) as Movement
}

interface MovementRow {
  id: string
  shift_id: string
  kind: MovementKind
  amount_minor: number
  currency: string
  reason: string
  note: string
  staff_id: string
  staff_name: string
  approved_by_id: string | null
  approved_by_name: string | null
  created_at: string
  journal_seq: number
}

function toMovement(r: MovementRow): Movement {
  return {
    id: r.id,
    shiftId: r.shift_id,
    kind: r.kind,
    amount: r.amount_minor,
    currency: r.currency,
    reason: r.reason as Movement['reason'],
    note: r.note,
    staff: { id: r.staff_id, name: r.staff_name },
    approvedBy: personOrNull(r.approved_by_id, r.approved_by_name),
    at: r.created_at,
    journalSeq: r.journal_seq,
  }
}

export function readMovement(db: Db, id: string): Movement | undefined {
  const r = stmt(db, 'SELECT * FROM cash_movements WHERE id = ?').get(id) as MovementRow | undefined
  return r ? toMovement(r) : undefined
}

export interface CloseShiftInput {
  shiftId: string
  count: CountLine[]
  left: number
  reason: string | undefined
  staff: Person
}

/** The figures a close would post, before any approval: so the service can ask for one. */
export function previewClose(db: Db, settings: Settings, input: Pick<CloseShiftInput, 'shiftId' | 'count' | 'left'>): { expected: number; counted: number; overShort: number; needsApproval: boolean } {
  mustOpen(db, input.shiftId)
  const counted = validCount(settings.currency, input.count)
  if (input.left > counted) throw new DaybookError('invalid_input', 'You cannot leave more in the drawer than you counted.', [{ path: ['left'], message: `at most ${counted}` }])
  const expected = shiftExpected(db, input.shiftId)
  const overShort = counted - expected
  return { expected, counted, overShort, needsApproval: Math.abs(overShort) > settings.overShortThreshold }
}

export function closeShift(db: Db, settings: Settings, device: Device, now: Date, input: CloseShiftInput, approvedBy: Person | null): Shift {
  db.transaction(() => {
    if (stmt(db, 'SELECT 1 FROM shift_closes WHERE shift_id = ?').get(input.shiftId)) return // a retry of a close that committed
    const busy = stmt(db, "SELECT count(*) AS n FROM checkouts WHERE state IN ('open', 'voiding')").get() as { n: number }
    if (busy.n > 0) throw new DaybookError('conflict', 'A sale is still being paid or voided at this till. Finish or void it before closing the shift.')
    const p = previewClose(db, settings, input)
    if (p.needsApproval && (!approvedBy || !input.reason?.trim())) {
      throw new DaybookError('approval_required', 'The drawer is over or short by more than the store allows: a supervisor must approve, with a reason.', {
        expected: p.expected,
        counted: p.counted,
        overShort: p.overShort,
        threshold: settings.overShortThreshold,
      })
    }
    const at = now.toISOString()
    const posting = { ...postingMeta(db, now, settings), shiftId: input.shiftId }
    const reason = input.reason?.trim() || null
    const ev = appendEvent(db, device.id, 'shift.closed', at, {
      shiftId: input.shiftId,
      currency: settings.currency,
      expected: p.expected,
      counted: p.counted,
      overShort: p.overShort,
      left: input.left,
      count: input.count,
      reason,
      closedBy: input.staff,
      approvedBy,
      posting,
    })
    stmt(
      db,
      `INSERT INTO shift_closes (shift_id, closed_at, closed_by_id, closed_by_name, expected_minor, counted_minor, over_short_minor, left_minor, closing_count,
         reason, approved_by_id, approved_by_name, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.shiftId,
      at,
      input.staff.id,
      input.staff.name,
      p.expected,
      p.counted,
      p.overShort,
      input.left,
      JSON.stringify(input.count),
      reason,
      approvedBy?.id ?? null,
      approvedBy?.name ?? null,
      ev.seq,
    )
  }).immediate()
  return readShift(db, input.shiftId, settings) as Shift
}

interface ShiftRow {
  id: string
  currency: string
  business_date: string
  opened_at: string
  opened_by_id: string
  opened_by_name: string
  float_minor: number
  opening_count: string
  closed_at: string | null
  closed_by_id: string | null
  closed_by_name: string | null
  expected_minor: number | null
  counted_minor: number | null
  over_short_minor: number | null
  left_minor: number | null
  closing_count: string | null
  reason: string | null
  approved_by_id: string | null
  approved_by_name: string | null
}

/**
 * A shift with its figures from the ledger. `blind`: the caller is a cashier on a blind count, so
 * while the shift is open what is expected (and the takings it is summed from) stays hidden.
 */
export function readShift(db: Db, id: string, _settings: Settings, deviceCode = '', blind = false): Shift | undefined {
  const r = stmt(db, 'SELECT s.*, c.* FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.id = ?').get(id) as ShiftRow | undefined
  if (!r) return undefined
  const open = r.closed_at === null
  const figures = figuresWhere(db, 'p.shift_id = ?', id)
  const movements = (stmt(db, 'SELECT * FROM cash_movements WHERE shift_id = ? ORDER BY journal_seq').all(id) as MovementRow[]).map(toMovement)
  const expected = open ? expectedCash(r.float_minor, figures.cash) : r.expected_minor
  const shift: Shift = {
    id: r.id,
    state: open ? 'open' : 'closed',
    deviceCode,
    currency: r.currency,
    businessDate: r.business_date,
    openedAt: r.opened_at,
    openedBy: { id: r.opened_by_id, name: r.opened_by_name },
    holder: currentHolder(db, id),
    float: r.float_minor,
    openingCount: JSON.parse(r.opening_count) as CountLine[],
    closedAt: r.closed_at,
    closedBy: personOrNull(r.closed_by_id, r.closed_by_name),
    expected,
    counted: r.counted_minor,
    overShort: r.over_short_minor,
    left: r.left_minor,
    closingCount: r.closing_count ? (JSON.parse(r.closing_count) as CountLine[]) : null,
    overShortReason: r.reason,
    approvedBy: personOrNull(r.approved_by_id, r.approved_by_name),
    figures,
    movements,
    firstCount: firstBlindCount(db, id),
  }
  return blind ? hiddenFromBlind(shift) : shift
}

/** An open shift as a cashier on a blind count sees it: nothing that is, or adds up to, what is expected. */
export function hiddenFromBlind(shift: Shift): Shift {
  if (shift.state !== 'open') return shift
  return {
    ...shift,
    expected: null,
    figures: null,
    firstCount: shift.firstCount ? { ...shift.firstCount, expected: null, overShort: null } : null,
  }
}

/**
 * The first count of a blind close that was refused, if any. It is a journal event (`shift.counted`,
 * not a posting: it moves no money), so it is append-only, hash-chained and synced like any record;
 * it is read from the shift's own stretch of the journal (its opening to its close), by primary key.
 */
export function firstBlindCount(db: Db, shiftId: string): FirstCount | null {
  const span = stmt(db, 'SELECT s.journal_seq AS opened, c.journal_seq AS closed FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.id = ?').get(shiftId) as
    | { opened: number; closed: number | null }
    | undefined
  if (!span) return null
  const rows = stmt(db, "SELECT seq, created_at, payload FROM journal WHERE seq > ? AND seq <= ? AND type = 'shift.counted' ORDER BY seq").all(
    span.opened,
    span.closed ?? Number.MAX_SAFE_INTEGER,
  ) as { seq: number; created_at: string; payload: string }[]
  for (const r of rows) {
    const d = JSON.parse(r.payload) as { shiftId: string; counted: number; count: CountLine[]; expected: number; overShort: number; countedBy: Person }
    if (d.shiftId !== shiftId) continue
    return { counted: d.counted, count: d.count, expected: d.expected, overShort: d.overShort, at: r.created_at, countedBy: d.countedBy, journalSeq: r.seq }
  }
  return null
}

/**
 * Keeps the first count of a blind close the core refused (over/short beyond the threshold): a
 * recount cannot replace it, and the shift report shows both. Only the first is kept; later refused
 * counts of the same shift add nothing. Returns whether it was recorded now.
 */
export function recordBlindCount(
  db: Db,
  device: Device,
  now: Date,
  input: { shiftId: string; count: CountLine[]; counted: number; expected: number; overShort: number; staff: Person },
): boolean {
  return db
    .transaction(() => {
      if (shiftState(db, input.shiftId) !== 'open' || firstBlindCount(db, input.shiftId)) return false
      appendEvent(db, device.id, 'shift.counted', now.toISOString(), {
        shiftId: input.shiftId,
        counted: input.counted,
        count: input.count,
        expected: input.expected,
        overShort: input.overShort,
        countedBy: input.staff,
      })
      return true
    })
    .immediate()
}

/** Who holds an open shift, since when, with what float: what the top bar shows, without summing figures. */
export function shiftHeader(db: Db, id: string): { id: string; holder: Person; openedAt: string; float: number } {
  const r = stmt(db, 'SELECT opened_at, float_minor FROM shifts WHERE id = ?').get(id) as { opened_at: string; float_minor: number }
  return { id, holder: currentHolder(db, id), openedAt: r.opened_at, float: r.float_minor }
}

/** Shifts opened on a business day, or still open, oldest first. */
export function listShifts(db: Db, settings: Settings, deviceCode: string, blind: boolean, where: string, ...params: unknown[]): Shift[] {
  const ids = db.prepare(`SELECT s.id FROM shifts s WHERE ${where} ORDER BY s.journal_seq`).all(...params) as { id: string }[]
  return ids.map((r) => readShift(db, r.id, settings, deviceCode, blind) as Shift)
}

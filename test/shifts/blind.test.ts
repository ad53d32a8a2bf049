import { describe, expect, it } from 'vitest'
import type { Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { DayReport, Shift } from '../../src/shared/shifts-contract'
import { call } from '../helpers/tmp'
import { WATER, count, fail, notes, openShift, sellCash, till, type Till } from './support'

/**
 * Issue 10 hardening: a blind count is blind in the core, not only on the close screen. While the
 * shift is open a cashier learns neither what the drawer should hold nor the cash figures it is
 * summed from, through any channel; a close refused for over/short says nothing of either and keeps
 * the first count (a `shift.counted` journal event), which the shift report shows beside the final
 * one. A supervisor or the owner sees everything; without the setting nothing changes.
 */

const FLOAT = 12_345 // an amount no other figure of the test happens to equal
const EXPECTED = FLOAT + 200 + 500 - 300 // the float, one ¥2.00 water paid exactly, a pay-in, a safe drop

function setBlind(t: Till, on: boolean): void {
  const s = call<Settings>(t.core, 'settings-get', {}, t.owner)
  call(t.core, 'settings-update', { ...s, blindCount: on }, t.owner)
}

/** A shift with a sale, a pay-in and a safe drop: what the drawer should hold is EXPECTED. */
function busyShift(t: Till): Shift {
  const shift = openShift(t.core, t.cashier, FLOAT)
  sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 200)
  call(t.core, 'cash-move', { movementId: newId(), kind: 'pay_in', amount: 500, reason: 'change_float', note: '' }, t.cashier)
  call(t.core, 'cash-move', { movementId: newId(), kind: 'safe_drop', amount: 300, reason: 'bank_deposit', note: '' }, t.cashier)
  return shift
}

/** Every number anywhere in an answer. */
function numbers(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v)
  else if (Array.isArray(v)) for (const x of v) numbers(x, out)
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbers(x, out)
  return out
}

/** What a cashier can ask about the day while the shift is open, every channel that speaks of it. */
function cashierViews(t: Till, shiftId: string): Record<string, unknown> {
  return {
    'shift-get': call<Shift>(t.core, 'shift-get', { shiftId }, t.cashier),
    'shift-list': call<Shift[]>(t.core, 'shift-list', {}, t.cashier),
    'day-x': call<DayReport>(t.core, 'day-x', {}, t.cashier),
    'till-status': call(t.core, 'till-status', {}, t.cashier),
  }
}

const shiftCounted = (t: Till): number => count(t.core, "SELECT count(*) AS n FROM journal WHERE type = 'shift.counted'")

describe('blind count on: a cashier cannot learn what the drawer should hold before the count', () => {
  it('no channel gives the expected amount or the cash figures it is summed from', () => {
    const t = till()
    setBlind(t, true)
    const shift = busyShift(t)
    // the ledger knows (a supervisor sees it), so the test checks the right number
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected).toBe(EXPECTED)

    const views = cashierViews(t, shift.id)
    for (const [channel, answer] of Object.entries(views)) {
      expect(numbers(answer), channel).not.toContain(EXPECTED)
    }
    const got = views['shift-get'] as Shift
    expect(got).toMatchObject({ state: 'open', expected: null, figures: null, firstCount: null, float: FLOAT })
    for (const s of views['shift-list'] as Shift[]) expect(s).toMatchObject({ expected: null, figures: null })
    const x = views['day-x'] as DayReport
    expect(x).toMatchObject({ figures: null, periodTotal: null, grandTotal: null })
    expect(x.shifts).toEqual([expect.objectContaining({ id: shift.id, expected: null, figures: null })])
    expect(JSON.stringify(views)).not.toContain('"received"')
    // the answer to opening the shift was blind too
    expect(shift).toMatchObject({ expected: null, figures: null })
  })

  it('a close refused for over/short reveals nothing, keeps the first count, and the report shows both counts', () => {
    const t = till()
    setBlind(t, true)
    const shift = busyShift(t)
    const before = count(t.core, 'SELECT count(*) AS n FROM journal')

    // ¥5.00 short, over the ¥1.00 threshold
    const first = EXPECTED - 500
    const refused = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(first), left: 0 }, t.cashier)
    expect(refused.code).toBe('approval_required')
    expect(refused.details).toEqual({ counted: first, threshold: 100, blind: true })
    expect(numbers(refused)).not.toContain(EXPECTED)
    expect(numbers(refused)).not.toContain(500)
    expect(numbers(refused)).not.toContain(-500)
    expect(refused.message).not.toMatch(/\d/) // nor in words
    // the first count is journaled, once
    expect(count(t.core, 'SELECT count(*) AS n FROM journal')).toBe(before + 1)
    expect(shiftCounted(t)).toBe(1)

    // with a reason but no approval: refused again, still without the difference; nothing more recorded
    const again = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(first), left: 0, reason: 'miscount' }, t.cashier)
    expect(again.code).toBe('approval_required')
    expect(numbers(again)).not.toContain(500)
    expect(numbers(again)).not.toContain(EXPECTED)
    // a different (still refused) recount is not recorded over the first
    fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED + 1000), left: 0 }, t.cashier)
    expect(shiftCounted(t)).toBe(1)

    // the cashier sees their first count is kept, but still not what was expected
    const seen = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier)
    expect(seen.firstCount).toMatchObject({ counted: first, expected: null, overShort: null, countedBy: { name: '李娜 Li Na' } })
    expect(numbers(cashierViews(t, shift.id))).not.toContain(EXPECTED)

    // the supervisor sees the expected amount and the first count, with its difference
    const sup = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor)
    expect(sup.expected).toBe(EXPECTED)
    expect(sup.figures?.cash).toMatchObject({ received: 200, payIns: 500, safeDrops: 300 })
    expect(sup.firstCount).toMatchObject({ counted: first, expected: EXPECTED, overShort: -500 })

    // the cashier "recounts" to match: the close goes through, and the first count stays beside it
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED), left: 0 }, t.cashier)
    expect(closed).toMatchObject({ state: 'closed', expected: EXPECTED, counted: EXPECTED, overShort: 0 })
    expect(closed.firstCount).toMatchObject({ counted: first, expected: EXPECTED, overShort: -500, count: notes(first) })
    // after the close the cashier sees everything, both counts included
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier).firstCount).toMatchObject({ counted: first, overShort: -500 })
    expect(call<Shift[]>(t.core, 'shift-list', {}, t.cashier)[0]!.figures).not.toBeNull()
    expect(call<DayReport>(t.core, 'day-x', {}, t.cashier).figures).not.toBeNull()
    // the journal stays whole: the kept count is an ordinary (non-posting) event
    expect(call<{ ok: boolean }>(t.core, 'journal-verify', {}, t.owner).ok).toBe(true)
  })

  it('the supervisor approving covers the kept first count, and the report shows it with the expected', () => {
    const t = till()
    setBlind(t, true)
    const shift = busyShift(t)
    const first = EXPECTED - 500
    expect(fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(first), left: 0 }, t.cashier).code).toBe('approval_required')
    // the cashier's screen does not know the difference: the approval is asked for 0 and covers the kept count
    const approvalId = t.approve('over_short', 0)
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(first), left: 0, reason: 'wrong change', approvalId }, t.cashier)
    expect(closed).toMatchObject({ state: 'closed', expected: EXPECTED, counted: first, overShort: -500, approvedBy: { name: '张伟 Zhang Wei' }, overShortReason: 'wrong change' })
    expect(closed.firstCount).toMatchObject({ counted: first, expected: EXPECTED, overShort: -500 })
  })

  it('an approval does not stretch to a recount further off than the kept first count', () => {
    const t = till()
    setBlind(t, true)
    const shift = busyShift(t)
    fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED - 500), left: 0 }, t.cashier)
    const approvalId = t.approve('over_short', 0)
    const e = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED - 2000), left: 0, reason: 'miscount', approvalId }, t.cashier)
    expect(e.code).toBe('approval_invalid')
    expect(numbers(e)).not.toContain(EXPECTED)
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).firstCount?.counted).toBe(EXPECTED - 500)
  })
})

describe('blind count on: a supervisor or the owner sees everything', () => {
  it('shows them the expected amount, the figures and the X, and tells them the difference when refused', () => {
    const t = till()
    setBlind(t, true)
    const shift = busyShift(t)
    for (const who of [t.supervisor, t.owner]) {
      const s = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, who)
      expect(s.expected).toBe(EXPECTED)
      expect(s.figures).not.toBeNull()
      const x = call<DayReport>(t.core, 'day-x', {}, who)
      expect(x.figures).not.toBeNull()
      expect(x.shifts[0]!.expected).toBe(EXPECTED)
    }
    // a supervisor closing without a reason is told the difference; nothing is kept as a blind count
    const e = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED - 500), left: 0 }, t.supervisor)
    expect(e.details).toMatchObject({ expected: EXPECTED, counted: EXPECTED - 500, overShort: -500 })
    expect(shiftCounted(t)).toBe(0)
  })
})

describe('blind count off: nothing changes', () => {
  it('the cashier sees the expected amount and figures, the refusal tells the difference, and no first count is kept', () => {
    const t = till()
    setBlind(t, false)
    const shift = busyShift(t)
    const s = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier)
    expect(s.expected).toBe(EXPECTED)
    expect(s.figures?.cash).toMatchObject({ received: 200, payIns: 500, safeDrops: 300 })
    const x = call<DayReport>(t.core, 'day-x', {}, t.cashier)
    expect(x.figures).not.toBeNull()
    expect(x.periodTotal).toBe(200)
    const e = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED - 500), left: 0 }, t.cashier)
    expect(e.details).toEqual({ expected: EXPECTED, counted: EXPECTED - 500, overShort: -500, threshold: 100 })
    const withReason = fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED - 500), left: 0, reason: 'miscount' }, t.cashier)
    expect(withReason.details).toEqual({ amount: 500, limit: 100 })
    expect(shiftCounted(t)).toBe(0)
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(EXPECTED), left: 0 }, t.cashier)
    expect(closed).toMatchObject({ expected: EXPECTED, counted: EXPECTED, overShort: 0, firstCount: null })
  })
})

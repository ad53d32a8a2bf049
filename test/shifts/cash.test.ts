import { describe, expect, it } from 'vitest'
import type { Checkout, Order, Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { MAX_MINOR } from '../../src/shared/money'
import type { Closure, DayReport, Shift } from '../../src/shared/shifts-contract'
import { call, signIn } from '../helpers/tmp'
import { BANANAS, WATER, closeDay, count, fail, notes, openShift, sellCash, till } from './support'

function setCashRounding(t: ReturnType<typeof till>, increment: number, mode: Settings['cashRounding']['mode']): void {
  const s = call<Settings>(t.core, 'settings-get', {}, t.owner)
  call(t.core, 'settings-update', { ...s, cashRounding: { increment, mode } }, t.owner)
}

describe('expected cash, checked by hand', () => {
  it('is the float plus cash received, less change, cash refunds, pay-outs and drops, plus pay-ins', () => {
    const t = till()
    const shift = openShift(t.core, t.cashier, 20000) // ¥200 float
    const sale = sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 1000) // ¥2.00 paid with ¥10
    expect(sale.change).toBe(800)
    call(t.core, 'refund-create', { refundId: newId(), orderId: sale.id, tenderId: sale.tenders[0]!.id, amount: 100, reason: 'dented' }, t.cashier)
    call(t.core, 'cash-move', { movementId: newId(), kind: 'pay_in', amount: 5000, reason: 'change_float', note: '' }, t.cashier)
    call(t.core, 'cash-move', { movementId: newId(), kind: 'pay_out', amount: 2000, reason: 'petty_expense', note: 'cleaning' }, t.cashier)
    call(t.core, 'cash-move', { movementId: newId(), kind: 'safe_drop', amount: 10000, reason: 'bank_deposit', note: '' }, t.cashier)
    const s = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier)
    // 200.00 + 10.00 − 8.00 − 1.00 + 50.00 − 20.00 − 100.00 = 131.00. Change given is not cash received.
    expect(s.figures?.cash).toMatchObject({ received: 1000, change: 800, refunds: 100, payIns: 5000, payOuts: 2000, safeDrops: 10000 })
    expect(s.expected).toBe(13100)
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(13100), left: 10000 }, t.cashier)
    expect(closed).toMatchObject({ state: 'closed', expected: 13100, counted: 13100, overShort: 0, left: 10000 })
    const z = closeDay(t.core, t.supervisor)
    expect(z.figures).toMatchObject({ grossSales: 200, refunds: 100, net: 100 })
    expect(z.figures.counts).toMatchObject({ orders: 1, refunds: 1, cashMovements: 3, shiftsOpened: 1, shiftsClosed: 1 })
    expect(z.figures.tenders).toEqual([{ method: 'cash', sales: 200, refunds: 100, net: 100 }])
  })

  it('takes cash rounding (抹零 to the jiao) into the cash figures and the Z', () => {
    const t = till()
    setCashRounding(t, 10, 'down')
    const shift = openShift(t.core, t.cashier, 10000)
    // 0.333 kg × ¥6.98 = ¥2.32434 → ¥2.32; cash rounds down to ¥2.30.
    const sale = sellCash(t.core, t.cashier, [{ productId: BANANAS, quantity: '0.333' }], 300)
    expect([sale.total, sale.cashRounding, sale.paid, sale.change]).toEqual([232, -2, 230, 70])
    const s = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier)
    expect(s.expected).toBe(10000 + 300 - 70)
    call(t.core, 'shift-close', { shiftId: shift.id, count: notes(10230), left: 10000 }, t.cashier)
    const z = closeDay(t.core, t.supervisor)
    expect(z.figures).toMatchObject({ grossSales: 232, rounding: -2, net: 230 })
    expect(z.figures.tenders).toEqual([{ method: 'cash', sales: 230, refunds: 0, net: 230 }])
    expect(z.figures.taxes).toEqual([{ taxId: 'vat9', rate: '9', collected: 19, refunded: 0, net: 19 }])
  })

  it('rounds only the cash part that closes a split sale', () => {
    const t = till()
    setCashRounding(t, 10, 'half_up')
    const shift = openShift(t.core, t.cashier, 10000)
    const c = call<Checkout>(t.core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: BANANAS, quantity: '0.333' }] } }, t.cashier)
    expect(c.total).toBe(232)
    call(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 100, tendered: 100 }, t.cashier)
    // The remaining ¥1.32 closes the sale in cash: rounded half-up to ¥1.30.
    const done = call<Checkout>(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 132, tendered: 200 }, t.cashier)
    expect(done.state).toBe('completed')
    const order = call<Order>(t.core, 'order-get', { id: c.id }, t.cashier)
    expect([order.cashRounding, order.paid, order.change]).toEqual([-2, 230, 70])
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier).expected).toBe(10000 + 100 + 200 - 70)
  })
})

describe('over/short at the shift close', () => {
  it('posts a small difference without approval and asks a supervisor beyond the threshold', () => {
    const t = till()
    const a = openShift(t.core, t.cashier, 10000)
    sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 200)
    // 50 fen short: within the ¥1.00 threshold.
    const small = call<Shift>(t.core, 'shift-close', { shiftId: a.id, count: notes(10150), left: 10000 }, t.cashier)
    expect([small.expected, small.overShort, small.approvedBy]).toEqual([10200, -50, null])

    const b = openShift(t.core, t.cashier, 10000)
    const before = count(t.core, 'SELECT count(*) AS n FROM journal')
    // ¥2.00 short: needs a reason and a supervisor, and says by how much once the count is in.
    const noReason = fail(t.core, 'shift-close', { shiftId: b.id, count: notes(9800), left: 9800 }, t.cashier)
    expect(noReason.code).toBe('approval_required')
    expect(noReason.details).toMatchObject({ expected: 10000, counted: 9800, overShort: -200 })
    expect(fail(t.core, 'shift-close', { shiftId: b.id, count: notes(9800), left: 9800, reason: 'gave too much change' }, t.cashier).code).toBe('approval_required')
    const tooSmall = t.approve('over_short', 150)
    expect(fail(t.core, 'shift-close', { shiftId: b.id, count: notes(9800), left: 9800, reason: 'gave too much change', approvalId: tooSmall }, t.cashier).code).toBe('approval_invalid')
    expect(count(t.core, 'SELECT count(*) AS n FROM journal')).toBe(before)
    const ok = t.approve('over_short', 200)
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: b.id, count: notes(9800), left: 9800, reason: 'gave too much change', approvalId: ok }, t.cashier)
    expect(closed).toMatchObject({ overShort: -200, overShortReason: 'gave too much change', approvedBy: { name: '张伟 Zhang Wei' } })
    // The next float is suggested from what was left.
    expect(call<{ suggestedFloat: number }>(t.core, 'till-status', {}, t.cashier).suggestedFloat).toBe(9800)
    const z = closeDay(t.core, t.supervisor)
    expect(z.figures.cash.overShort).toBe(-250)
  })

  it('hides what is expected from a blind count until the count is in', () => {
    const t = till()
    const s = call<Settings>(t.core, 'settings-get', {}, t.owner)
    call(t.core, 'settings-update', { ...s, blindCount: true }, t.owner)
    const shift = openShift(t.core, t.cashier, 10000)
    sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 200)
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier).expected).toBeNull()
    expect(call<DayReport>(t.core, 'day-x', {}, t.cashier).shifts[0]!.expected).toBeNull()
    const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(10200), left: 10000 }, t.cashier)
    expect(closed.expected).toBe(10200)
  })
})

describe('refusals', () => {
  it('refuses cash outside a shift, a second shift, a shift that is not yours, and a Z with a shift open', () => {
    const t = till()
    expect(fail(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: WATER, quantity: '1' }] }, cashTendered: 200 }, t.cashier).code).toBe('no_open_shift')
    const shift = openShift(t.core, t.cashier, 10000)
    expect(fail(t.core, 'shift-open', { shiftId: newId(), count: notes(5000) }, t.supervisor).code).toBe('shift_already_open')
    // The same shift id again is the same shift (a double tap), not a second one.
    expect(call<Shift>(t.core, 'shift-open', { shiftId: shift.id, count: notes(10000) }, t.cashier).id).toBe(shift.id)
    const cashierB = t.core.handle({ channel: 'session-signin', input: { staffId: t.staffId('Li Na'), pin: '1111' } })
    expect(cashierB.ok).toBe(true)
    const z = fail(t.core, 'day-close', { closureId: newId() }, t.supervisor)
    expect(z.code).toBe('day_blocked')
    expect((z.details as { blockers: { kind: string; id: string }[] }).blockers).toEqual([expect.objectContaining({ kind: 'open_shift', id: shift.id })])
    expect(fail(t.core, 'day-close', { closureId: newId() }, t.cashier).code).toBe('forbidden')
    // A supervisor takes the shift over; the cashier can no longer move its cash.
    const taken = call<Shift>(t.core, 'shift-takeover', { shiftId: shift.id }, t.supervisor)
    expect(taken.holder.name).toBe('张伟 Zhang Wei')
    expect(fail(t.core, 'cash-move', { movementId: newId(), kind: 'pay_in', amount: 100, reason: 'other', note: '' }, t.cashier).code).toBe('forbidden')
    expect(fail(t.core, 'shift-takeover', { shiftId: shift.id }, t.cashier).code).toBe('forbidden')
    expect(count(t.core, "SELECT count(*) AS n FROM journal WHERE type = 'shift.taken_over'")).toBe(1)
  })

  it('refuses bad input with a typed error and changes nothing', () => {
    const t = till()
    const shift = openShift(t.core, t.cashier, 10000)
    const before = count(t.core, 'SELECT count(*) AS n FROM journal')
    const bad: [string, unknown, string][] = [
      ['shift-open', { shiftId: newId(), count: [{ value: 300, kind: 'note', count: 1 }] }, 'shift_already_open'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: -100, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: 10.5, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: Number.NaN, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: 1e20, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: '100', reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'cheque', amount: 100, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: 100, reason: 'whatever', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: 100, reason: 'other', note: 'x'.repeat(201) }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_in', amount: 100, reason: 'other', note: 'card 4111 1111 1111 1111' }, 'card_number_refused'],
      ['cash-move', { movementId: 'not-a-ulid', kind: 'pay_in', amount: 100, reason: 'other', note: '' }, 'invalid_input'],
      ['cash-move', { movementId: newId(), kind: 'pay_out', amount: 10001, reason: 'other', note: '' }, 'invalid_input'],
      ['shift-close', { shiftId: shift.id, count: [{ value: 100, kind: 'note', count: -1 }], left: 0 }, 'invalid_input'],
      ['shift-close', { shiftId: shift.id, count: [{ value: 100, kind: 'note', count: 1.5 }], left: 0 }, 'invalid_input'],
      ['shift-close', { shiftId: shift.id, count: [{ value: 300, kind: 'note', count: 1 }], left: 0 }, 'invalid_input'],
      ['shift-close', { shiftId: shift.id, count: notes(10000), left: 10001 }, 'invalid_input'],
      ['shift-close', { shiftId: shift.id, count: notes(10000), left: 0, reason: 'y'.repeat(201) }, 'invalid_input'],
      ['shift-close', { shiftId: 'nope', count: notes(10000), left: 0 }, 'not_found'],
      ['tender-add', { checkoutId: newId(), attemptId: newId(), flow: 'cheque', amount: 100 }, 'invalid_input'],
      ['day-close', { closureId: 42 }, 'invalid_input'],
    ]
    for (const [channel, input, code] of bad) {
      expect([channel, fail(t.core, channel, input, t.cashier).code]).toEqual([channel, code])
    }
    expect(count(t.core, 'SELECT count(*) AS n FROM journal')).toBe(before)
    expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.cashier).state).toBe('open')
  })

  it('will not close a shift while a sale is being paid', () => {
    const t = till()
    const shift = openShift(t.core, t.cashier, 10000)
    const c = call<Checkout>(t.core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: WATER, quantity: '2' }] } }, t.cashier)
    call(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 100, tendered: 100 }, t.cashier)
    expect(fail(t.core, 'shift-close', { shiftId: shift.id, count: notes(10100), left: 10000 }, t.cashier).code).toBe('conflict')
  })
})

describe('a closed day never changes', () => {
  it('posts what comes after the Z into the next open day, as an adjustment the next Z lists', () => {
    const t = till('2026-11-22T03:00:00Z') // 11:00 in Shanghai: business day 2026-11-22
    openShift(t.core, t.cashier, 10000)
    const first = sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 200)
    const shift = call<{ shift: { id: string } }>(t.core, 'till-status', {}, t.cashier).shift!
    call(t.core, 'shift-close', { shiftId: shift.id, count: notes(10200), left: 10000 }, t.cashier)
    const z1 = closeDay(t.core, t.supervisor)
    expect([z1.number, z1.businessDate, z1.firstSeq, z1.periodTotal, z1.grandTotal]).toEqual([1, '2026-11-22', 1, 200, 200])
    expect(fail(t.core, 'day-close', { closureId: newId() }, t.supervisor).code).toBe('day_already_closed')
    expect(call<{ dayStatus: string }>(t.core, 'till-status', {}, t.cashier).dayStatus).toBe('closed')

    // Later the same day (or a clock set back): the sale goes into 2026-11-23, marked as an adjustment of the 22nd.
    t.setClock('2026-11-22T09:00:00Z')
    const s2 = openShift(t.core, t.cashier, 10000)
    const late = sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '2' }], 400)
    expect(late.businessDate).toBe('2026-11-23')
    expect(late.receiptNo).toMatch(/-20261123-0001$/)
    expect(first.businessDate).toBe('2026-11-22')
    // Even a hand-written posting cannot go into the closed day.
    expect(() =>
      t.core.db.prepare("INSERT INTO postings (journal_seq, kind, ref_id, business_date, adjustment_of, shift_id, currency) VALUES (999, 'sale', 'x', '2026-11-22', NULL, NULL, 'CNY')").run(),
    ).toThrow(/closed business day/)
    call(t.core, 'shift-close', { shiftId: s2.id, count: notes(10400), left: 10000 }, t.cashier)
    // The 23rd is not closed a day early, and the till says which day is open now.
    expect(call<{ businessDate: string; dayStatus: string }>(t.core, 'till-status', {}, t.cashier)).toMatchObject({ businessDate: '2026-11-23', dayStatus: 'closing' })
    expect(fail(t.core, 'day-close', { closureId: newId() }, t.supervisor)).toMatchObject({ code: 'day_already_closed', details: { businessDate: '2026-11-22', next: '2026-11-23' } })
    t.setClock('2026-11-22T20:30:00Z') // 04:30 on the 23rd in Shanghai: past the 04:00 cut-off
    const z2 = closeDay(t.core, signIn(t.core, 'Zhang Wei', '2222')) // a new day, a new sign-in
    expect([z2.number, z2.businessDate, z2.firstSeq, z2.periodTotal, z2.previousGrandTotal, z2.grandTotal]).toEqual([2, '2026-11-23', z1.lastSeq + 1, 400, 200, 600])
    expect(z2.figures.adjustments.map((a) => [a.kind, a.refId, a.naturalDate])).toEqual([
      ['shift_open', s2.id, '2026-11-22'],
      ['sale', late.id, '2026-11-22'],
      ['shift_close', s2.id, '2026-11-22'],
    ])
    const list = call<Closure[]>(t.core, 'closure-list', {}, t.cashier)
    expect(list.map((c) => c.number)).toEqual([2, 1])
  })
})

describe('found in review', () => {
  it('closes yesterday when the Z runs the next morning, and today stays today', () => {
    const t = till('2026-11-22T03:00:00Z')
    const s = openShift(t.core, t.cashier, 10000)
    sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 200)
    call(t.core, 'shift-close', { shiftId: s.id, count: notes(10200), left: 10000 }, t.cashier)
    t.setClock('2026-11-23T01:00:00Z') // 09:00 the next morning in Shanghai
    const sup = signIn(t.core, 'Zhang Wei', '2222')
    const z = closeDay(t.core, sup)
    expect([z.businessDate, z.fromDate, z.figures.counts.orders]).toEqual(['2026-11-22', '2026-11-22', 1])
    const cashier = signIn(t.core, 'Li Na', '1111')
    openShift(t.core, cashier, 10000)
    const today = sellCash(t.core, cashier, [{ productId: WATER, quantity: '1' }], 200)
    expect(today.businessDate).toBe('2026-11-23')
    expect(call<{ figures: { adjustments: unknown[] } }>(t.core, 'day-x', {}, cashier).figures.adjustments).toEqual([])
  })

  it('answers a retried movement, sale or refund with what it made, even after the approval was used or the shift changed hands', () => {
    const t = till()
    openShift(t.core, t.cashier, 50000)
    const movementId = newId()
    const input = { movementId, kind: 'safe_drop', amount: 30000, reason: 'bank_deposit', note: '' }
    const first = call<{ id: string }>(t.core, 'cash-move', { ...input, approvalId: t.approve('cash_movement', 30000) }, t.cashier)
    expect(call<{ id: string }>(t.core, 'cash-move', input, t.cashier).id).toBe(first.id) // the answer was lost; the till asks again
    const saleId = newId()
    call(t.core, 'sale-complete', { saleId, cart: { lines: [{ productId: WATER, quantity: '1' }] }, cashTendered: 200 }, t.cashier)
    const shift = call<{ shift: { id: string } }>(t.core, 'till-status', {}, t.cashier).shift
    call(t.core, 'shift-takeover', { shiftId: shift.id }, t.supervisor)
    expect(call<Order>(t.core, 'sale-complete', { saleId, cart: { lines: [{ productId: WATER, quantity: '1' }] }, cashTendered: 200 }, t.cashier).id).toBe(saleId)
    expect(count(t.core, "SELECT count(*) AS n FROM journal WHERE type IN ('cash.moved', 'sale.completed')")).toBe(2)
  })

  it('keeps the currency, time zone and cut-off while a shift is open or a day waits for its Z', () => {
    const t = till()
    const s = call<Settings>(t.core, 'settings-get', {}, t.owner)
    const shift = openShift(t.core, t.cashier, 10000)
    expect(fail(t.core, 'settings-update', { ...s, currency: 'USD' }, t.owner).code).toBe('conflict')
    expect(fail(t.core, 'settings-update', { ...s, businessDayCutoffHour: 0 }, t.owner).code).toBe('conflict')
    call(t.core, 'settings-update', { ...s, storeName: 'Renamed' }, t.owner) // the rest may change
    call(t.core, 'shift-close', { shiftId: shift.id, count: notes(10000), left: 10000 }, t.cashier)
    closeDay(t.core, t.supervisor)
    call(t.core, 'settings-update', { ...s, currency: 'HKD' }, t.owner)
  })

  it('counts a typed amount once and each note once', () => {
    const t = till()
    const bad = [
      [{ value: 10200, kind: 'amount', count: 3 }],
      [{ value: 10000, kind: 'note', count: 1 }, { value: 10000, kind: 'note', count: 2 }],
      [{ value: MAX_MINOR, kind: 'amount', count: 1 }, { value: MAX_MINOR, kind: 'amount', count: 1 }], // more than any figure may hold
    ]
    for (const count of bad) expect(fail(t.core, 'shift-open', { shiftId: newId(), count }, t.cashier).code).toBe('invalid_input')
    // ¥1 as a note and as a coin are two rows, not a duplicate.
    const ok = call<Shift>(t.core, 'shift-open', { shiftId: newId(), count: [{ value: 100, kind: 'note', count: 2 }, { value: 100, kind: 'coin', count: 3 }] }, t.cashier)
    expect(ok.float).toBe(500)
  })
})

import { describe, expect, it } from 'vitest'
import type { Checkout, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { call, demoCore, expectBalancedPostings, openShift, signIn } from '../helpers/tmp'

const WATER = 'p1001' // ¥2.00
const MILK = 'p1020' // ¥3.00

type CoreT = ReturnType<typeof demoCore>['core']

function count(core: CoreT, sql: string): number {
  return (core.db.prepare(sql).get() as { n: number }).n
}

function fail(core: CoreT, channel: string, input: unknown, session?: string): { code: string; message: string; details?: unknown } {
  const r = core.handle({ channel, input, session })
  if (r.ok) throw new Error(`${channel} unexpectedly succeeded`)
  return r.error
}

function start(core: CoreT, tok: string, lines = [{ productId: WATER, quantity: '3' }, { productId: MILK, quantity: '1' }]): Checkout {
  return call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines } }, tok)
}

describe('a checkout paid in parts', () => {
  it('takes cash in two parts and posts the order only when they cover it', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const c = start(core, tok)
    // Cash goes into a drawer, counted by shift: none is open yet, so no cash part is taken.
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 400, tendered: 400 }, tok).code).toBe('no_open_shift')
    expect(count(core, 'SELECT count(*) AS n FROM tender_attempts')).toBe(0)
    const shift = openShift(core, tok)
    expect(c.total).toBe(900)
    expect(c.remaining).toBe(900)
    const again = call<Checkout>(core, 'checkout-start', { saleId: c.id, cart: { lines: [{ productId: WATER, quantity: '1' }] } }, tok)
    expect(again.total).toBe(900) // the same saleId answers with the frozen checkout

    const part = call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 400, tendered: 400 }, tok)
    expect(part.state).toBe('open')
    expect(part.paid).toBe(400)
    expect(part.remaining).toBe(500)
    expect(count(core, 'SELECT count(*) AS n FROM orders')).toBe(0)
    expect(count(core, "SELECT count(*) AS n FROM journal WHERE type != 'shift.opened'")).toBe(0)

    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 501, tendered: 1000 }, tok).code).toBe('tender_exceeds_remaining')
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 500, tendered: 499 }, tok).code).toBe('insufficient_tender')

    const lastId = newId()
    const done = call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: lastId, flow: 'cash', amount: 500, tendered: 1000 }, tok)
    expect(done.state).toBe('completed')
    expect(done.orderId).toBe(c.id)
    // A repeated tap with the same attempt id does nothing more.
    call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: lastId, flow: 'cash', amount: 500, tendered: 1000 }, tok)
    const order = call<Order>(core, 'order-get', { id: c.id }, tok)
    expect(order.tenders.map((t) => [t.method, t.amount, t.tendered, t.change])).toEqual([
      ['cash', 400, 400, 0],
      ['cash', 500, 1000, 500],
    ])
    expect(order.paid).toBe(900)
    expect(order.change).toBe(500)
    expect(count(core, "SELECT count(*) AS n FROM journal WHERE type = 'sale.completed'")).toBe(1)
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 1, tendered: 1 }, tok).code).toBe('checkout_closed')
    // Both parts are in the shift's drawer: 4.00 + 10.00 received, 5.00 given back.
    expectBalancedPostings(core)
    expect(call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, tok).expected).toBe(shift.float + 900)
  })

  it('refuses QR without a platform and card without a terminal, and changes nothing', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const c = start(core, tok)
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'merchant_qr', wallet: 'alipay', amount: 900 }, tok).code).toBe('qr_unavailable')
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'terminal', amount: 900 }, tok).code).toBe('terminal_not_configured')
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'customer_code', authCode: '9912345678901234', amount: 900 }, tok).code).toBe('invalid_input')
    expect(count(core, 'SELECT count(*) AS n FROM tender_attempts')).toBe(0)
    const status = call<{ qr: { available: boolean; reason: string }; card: { available: boolean; reason: string } }>(core, 'payments-status', {}, tok)
    expect(status.qr).toEqual({ available: false, reason: 'unpaired' })
    expect(status.card).toMatchObject({ available: false, reason: 'not_configured' })
  })

  it('voids a part-paid checkout: the cash is handed back and the journal says who and why', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const shift = openShift(core, tok)
    const c = start(core, tok)
    call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 300, tendered: 300 }, tok)
    const voided = call<Checkout>(core, 'checkout-void', { checkoutId: c.id, reason: 'Customer left' }, tok)
    expect(voided.state).toBe('voided')
    expect(voided.attempts[0]!.state).toBe('reversed')
    const ev = core.db.prepare("SELECT payload FROM journal WHERE type = 'checkout.voided'").get() as { payload: string }
    expect(JSON.parse(ev.payload)).toMatchObject({ checkoutId: c.id, reason: 'Customer left', staff: { name: expect.stringContaining('Li Na') }, tenders: [{ method: 'cash', amount: 300, outcome: 'reversed' }] })
    expect(call<Checkout | null>(core, 'checkout-open', {}, tok)).toBeNull()
    expect(fail(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 1, tendered: 1 }, tok).code).toBe('checkout_closed')
    // The void is posted without money lines: the 3.00 went back, and the drawer holds its float.
    expect(core.db.prepare("SELECT kind, shift_id FROM postings WHERE journal_seq = (SELECT seq FROM journal WHERE type = 'checkout.voided')").get()).toEqual({ kind: 'void', shift_id: shift.id })
    expect(call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, tok).expected).toBe(shift.float)
  })

  it('a void over the store limit needs a supervisor, for that amount', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    openShift(core, tok)
    const c = start(core, tok, [{ productId: WATER, quantity: '60' }]) // ¥120.00 > ¥100 limit
    call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 100, tendered: 100 }, tok)
    expect(fail(core, 'checkout-void', { checkoutId: c.id, reason: 'Wrong items' }, tok).code).toBe('approval_required')
    const sup = call<{ id: string; name: string }[]>(core, 'staff-list', {}).find((s) => s.name.includes('Zhang'))!
    const small = call<{ approvalId: string }>(core, 'approval-grant', { staffId: sup.id, pin: '2222', reason: 'void', amount: 100 }, tok)
    expect(fail(core, 'checkout-void', { checkoutId: c.id, reason: 'Wrong items', approvalId: small.approvalId }, tok).code).toBe('approval_invalid')
    const ok = call<{ approvalId: string }>(core, 'approval-grant', { staffId: sup.id, pin: '2222', reason: 'void', amount: 12000 }, tok)
    expect(call<Checkout>(core, 'checkout-void', { checkoutId: c.id, reason: 'Wrong items', approvalId: ok.approvalId }, tok).state).toBe('voided')
    const ev = JSON.parse((core.db.prepare("SELECT payload FROM journal WHERE type = 'checkout.voided'").get() as { payload: string }).payload)
    expect(ev.approvedBy.name).toContain('Zhang')
  })
})

describe('cash refunds', () => {
  function paidOrder(core: CoreT, tok: string): Order {
    const c = start(core, tok)
    call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 900, tendered: 1000 }, tok)
    return call<Order>(core, 'order-get', { id: c.id }, tok)
  }

  it('refunds part, then the rest, never a cent more; the same refund id again refunds nothing more', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const shift = openShift(core, tok)
    const order = paidOrder(core, tok)
    const tender = order.tenders[0]!
    const first = newId()
    const o1 = call<Order>(core, 'refund-create', { refundId: first, orderId: order.id, tenderId: tender.id, amount: 300, reason: 'Broken bottle' }, tok)
    expect(o1.refunds).toMatchObject([{ id: first, amount: 300, state: 'succeeded', reason: 'Broken bottle', method: 'cash' }])
    call<Order>(core, 'refund-create', { refundId: first, orderId: order.id, tenderId: tender.id, amount: 300, reason: 'Broken bottle' }, tok)
    expect(count(core, "SELECT count(*) AS n FROM journal WHERE type = 'refund.completed'")).toBe(1)
    expect(fail(core, 'refund-create', { refundId: first, orderId: order.id, tenderId: tender.id, amount: 200, reason: 'x' }, tok).code).toBe('conflict')

    const over = fail(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId: tender.id, amount: 601, reason: 'Too much' }, tok)
    expect(over.code).toBe('refund_exceeds')
    expect(over.details).toEqual({ refundable: 600, amount: 601 })
    const o2 = call<Order>(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId: tender.id, amount: 600, reason: 'Rest' }, tok)
    expect(o2.refunds.map((r) => r.amount)).toEqual([300, 600])
    expect(fail(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId: tender.id, amount: 1, reason: 'One more cent' }, tok).code).toBe('refund_exceeds')
    expect(count(core, "SELECT count(*) AS n FROM journal WHERE type = 'refund.completed'")).toBe(2)
    // Both refunds left the shift's drawer: it holds the float and nothing of the 9.00 sale.
    expectBalancedPostings(core)
    expect(call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, tok).expected).toBe(shift.float)
    // Posted refunds are append-only.
    expect(() => core.db.prepare("UPDATE refunds SET amount_minor = 1 WHERE id = ?").run(first)).toThrow(/append-only/)
    expect(() => core.db.prepare('DELETE FROM refunds').run()).toThrow(/append-only/)
  })

  it('a refund over the limit needs a supervisor; the owner needs no one', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const s = call<Record<string, unknown>>(core, 'settings-get', {}, tok)
    const owner = signIn(core, 'Wang Fang', '9999')
    call(core, 'settings-update', { ...s, refundApprovalLimit: 500 }, owner)
    openShift(core, tok)
    const order = paidOrder(core, tok)
    const tenderId = order.tenders[0]!.id
    expect(fail(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 501, reason: 'r' }, tok).code).toBe('approval_required')
    call<Order>(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 500, reason: 'r' }, tok)
    const o = call<Order>(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 400, reason: 'owner' }, owner)
    expect(o.refunds.at(-1)!.approvedBy).toBeNull()
  })

  it('the limit counts what the order already gave back: splitting a refund does not avoid the supervisor', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const owner = signIn(core, 'Wang Fang', '9999')
    const s = call<Record<string, unknown>>(core, 'settings-get', {}, tok)
    call(core, 'settings-update', { ...s, refundApprovalLimit: 500 }, owner)
    const shift = openShift(core, tok)
    const order = paidOrder(core, tok)
    const tenderId = order.tenders[0]!.id
    call<Order>(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 300, reason: 'first half' }, tok)
    expect(fail(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 300, reason: 'second half' }, tok).code).toBe('approval_required')
    const within = newId()
    call<Order>(core, 'refund-create', { refundId: within, orderId: order.id, tenderId, amount: 200, reason: 'within the limit' }, tok)
    // Once the drawer is counted out, no cash refund until the next shift; a retry of one made in the shift still answers.
    const expected = call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, tok).expected
    call(core, 'shift-close', { shiftId: shift.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 0 }, tok)
    expect(fail(core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId, amount: 100, reason: 'after the close' }, owner).code).toBe('no_open_shift')
    expect(call<Order>(core, 'refund-create', { refundId: within, orderId: order.id, tenderId, amount: 200, reason: 'within the limit' }, tok).refunds).toHaveLength(2)
    expect(count(core, 'SELECT count(*) AS n FROM refunds')).toBe(2)
  })
})

describe('card numbers never enter the till', () => {
  it('refuses a card number in any field, allows an EAN-13 barcode and a wallet code where they belong', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    expect(fail(core, 'catalog-search', { query: '4111 1111 1111 1111' }, tok).code).toBe('card_number_refused')
    expect(fail(core, 'catalog-barcode', { code: '5555555555554444' }, tok).code).toBe('card_number_refused')
    expect(fail(core, 'cart-park', { cart: { lines: [] }, label: 'card 378282246310005' }, tok).code).toBe('card_number_refused')
    const c = start(core, tok)
    expect(fail(core, 'checkout-void', { checkoutId: c.id, reason: '6011-1111-1111-1117' }, tok).code).toBe('card_number_refused')
    // A product barcode that happens to pass Luhn is still a barcode.
    // 6901234567892 passes both the GS1 check and Luhn.
    const r = core.handle({ channel: 'catalog-barcode', input: { code: '6901234567892' }, session: tok })
    expect(r.ok || r.error.code).toBe('not_found')
    expect(count(core, 'SELECT count(*) AS n FROM checkouts WHERE void_reason IS NOT NULL')).toBe(0)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Checkout, Order, Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { call, demoCore, expectBalancedPostings, openShift, signIn } from '../helpers/tmp'

/**
 * Split tenders and refunds foot to the minor unit whatever the cart, the split and the cash
 * rounding: the posted order's tenders sum to what was paid, paid = total + cash rounding, the
 * rounding is less than one increment, and refunds never take more than a tender took. Every
 * posting balances, and the drawer expects exactly the float plus what was paid less what was refunded.
 */
describe('split tenders and refunds foot exactly (property)', () => {
  it('for random carts, splits, cash roundings and refund sequences', () => {
    const { core } = demoCore()
    const owner = signIn(core, 'Wang Fang', '9999')
    const base = call<Settings>(core, 'settings-get', {}, owner)
    const products = Array.from({ length: 55 }, (_, i) => `p${1001 + i}`)
    const shift = openShift(core, owner)
    let drawer = shift.float

    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.constantFrom(...products), q: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(1, 5, 10, 50, 100),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 0, maxLength: 3 }),
        fc.array(fc.record({ tender: fc.nat(), amount: fc.integer({ min: 1, max: 5_000 }) }), { maxLength: 6 }),
        (cartSpec, increment, splitPercents, refundSpec) => {
          call(core, 'settings-update', { ...base, cashRounding: { increment, mode: 'half_up' }, refundApprovalLimit: 1_000_000_000 }, owner)
          const kg = (p: string): boolean => Number(p.slice(1)) >= 1025 && Number(p.slice(1)) <= 1031
          const lines = cartSpec.map(({ p, q }) => ({ productId: p, quantity: kg(p) ? `0.${String(q * 37).padStart(3, '0').slice(-3)}` : String(q) }))
          const c = call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines } }, owner)

          // Partial cash tenders, each a share of what is left, then cash that closes it.
          let cur = c
          for (const pct of splitPercents) {
            const amount = Math.floor((cur.remaining * pct) / 100)
            if (amount < 1 || amount >= cur.remaining) continue
            cur = call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount, tendered: amount }, owner)
          }
          expect(cur.remaining).toBeGreaterThan(0)
          cur = call<Checkout>(core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: cur.remaining, tendered: cur.remaining + increment }, owner)
          expect(cur.state).toBe('completed')
          const order = call<Order>(core, 'order-get', { id: c.id }, owner)
          const paid = order.tenders.reduce((s, t) => s + t.amount, 0)
          expect(paid).toBe(order.paid)
          expect(order.paid).toBe(order.total + order.cashRounding)
          expect(Math.abs(order.cashRounding)).toBeLessThan(increment)
          for (const t of order.tenders) expect(t.change).toBe(t.tendered - t.amount)
          expect(order.change).toBe(order.tenders.reduce((s, t) => s + t.change, 0))
          drawer += order.paid

          // Refunds: accepted ones never exceed a tender; a refused one says exactly what is left.
          const left = new Map(order.tenders.map((t) => [t.id, t.amount]))
          for (const r of refundSpec) {
            const t = order.tenders[r.tender % order.tenders.length]!
            const res = core.handle({ channel: 'refund-create', input: { refundId: newId(), orderId: order.id, tenderId: t.id, amount: r.amount, reason: 'property' }, session: owner })
            const before = left.get(t.id)!
            if (r.amount <= before) {
              expect(res.ok).toBe(true)
              left.set(t.id, before - r.amount)
              drawer -= r.amount
            } else {
              expect(res.ok ? 'ok' : res.error.code).toBe('refund_exceeds')
              if (!res.ok) expect(res.error.details).toEqual({ refundable: before, amount: r.amount })
            }
          }
          const after = call<Order>(core, 'order-get', { id: order.id }, owner)
          for (const t of after.tenders) {
            const refunded = after.refunds.filter((x) => x.tenderId === t.id && x.state === 'succeeded').reduce((s, x) => s + x.amount, 0)
            expect(refunded).toBe(t.amount - left.get(t.id)!)
            expect(refunded).toBeLessThanOrEqual(t.amount)
          }
        },
      ),
      { numRuns: 60 },
    )
    const j = call<{ ok: boolean }>(core, 'journal-verify', {}, owner)
    expect(j.ok).toBe(true)
    expectBalancedPostings(core)
    expect(call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, owner).expected).toBe(drawer)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Checkout, Order, Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { Closure, Shift } from '../../src/shared/shifts-contract'
import { call, signIn } from '../helpers/tmp'
import { count, notes, till } from './support'

/**
 * Randomized days: sales (some split in two cash parts, some weighed so cash rounding bites),
 * refunds, voids, pay-ins/outs and drops, several shifts, two business days with a sale after the
 * first Z. After each: every posting balances, the Z agrees with itself and with a recomputation
 * from the posted orders and refunds, expected cash matches a model kept by the test, and the
 * grand total carries across days.
 */

const PRODUCTS = [
  { id: 'p1001', unit: 'each' },
  { id: 'p1002', unit: 'each' },
  { id: 'p1025', unit: 'kg' },
  { id: 'p1031', unit: 'kg' },
] as const

const lineArb = fc.record({
  product: fc.integer({ min: 0, max: PRODUCTS.length - 1 }),
  units: fc.integer({ min: 1, max: 3 }),
  grams: fc.integer({ min: 1, max: 2500 }),
})
const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('sale' as const), lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }), split: fc.boolean(), extra: fc.integer({ min: 0, max: 5000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('move' as const), kind: fc.constantFrom('pay_in' as const, 'pay_out' as const, 'safe_drop' as const), amount: fc.integer({ min: 1, max: 3000 }) }) },
)
const shiftArb = fc.record({ float: fc.integer({ min: 0, max: 50000 }), ops: fc.array(opArb, { maxLength: 8 }), diff: fc.integer({ min: -300, max: 300 }) })
const runArb = fc.record({
  rounding: fc.constantFrom({ increment: 1, mode: 'half_up' as const }, { increment: 10, mode: 'down' as const }, { increment: 50, mode: 'half_up' as const }),
  days: fc.tuple(fc.array(shiftArb, { minLength: 1, maxLength: 2 }), fc.array(shiftArb, { minLength: 1, maxLength: 2 })),
  lateSale: fc.boolean(),
})

type T = ReturnType<typeof till>

type ShiftPlan = typeof shiftArb extends fc.Arbitrary<infer S> ? S : never

function runShift(t: T, session: string, s: ShiftPlan, sales: Order[]): void {
  const shift = call<Shift>(t.core, 'shift-open', { shiftId: newId(), count: notes(s.float) }, session)
  let drawer = s.float // the test's own model of the drawer
  for (const op of s.ops) {
    if (op.op === 'sale') {
      const lines = op.lines.map((l) => {
        const p = PRODUCTS[l.product]!
        return { productId: p.id, quantity: p.unit === 'kg' ? (l.grams / 1000).toFixed(3) : String(l.units) }
      })
      const c = call<Checkout>(t.core, 'checkout-start', { saleId: newId(), cart: { lines } }, session)
      if (c.total === 0) continue
      let remaining = c.total
      if (op.split && c.total > 1) {
        const first = Math.floor(c.total / 2)
        call(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: first, tendered: first }, session)
        drawer += first
        remaining -= first
      }
      const attemptId = newId()
      const done = call<Checkout>(t.core, 'tender-add', { checkoutId: c.id, attemptId, flow: 'cash', amount: remaining, tendered: remaining + op.extra + 100 }, session) // + 100: cash rounding may round the due up
      expect(done.state).toBe('completed')
      const order = call<Order>(t.core, 'order-get', { id: c.id }, session)
      // Cash rounding may take a remainder of a few fen to nothing: then no cash changed hands.
      const last = order.tenders.find((x) => x.id === attemptId)
      if (last) drawer += last.tendered - last.change
      sales.push(order)
    } else if (op.op === 'refund' && sales.length > 0) {
      const o = call<Order>(t.core, 'order-get', { id: sales[op.pick % sales.length]!.id }, session)
      const tender = o.tenders[0]!
      const left = tender.amount - o.refunds.filter((r) => r.tenderId === tender.id && r.state === 'succeeded').reduce((a, r) => a + r.amount, 0)
      const amount = Math.min(left, Math.max(1, Math.floor((tender.amount * op.part) / 100)))
      if (amount <= 0 || amount > drawer) continue
      call(t.core, 'refund-create', { refundId: newId(), orderId: o.id, tenderId: tender.id, amount, reason: 'returned' }, session)
      drawer -= amount
    } else if (op.op === 'void') {
      const c = call<Checkout>(t.core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: '2' }] } }, session)
      call(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 300, tendered: 300 }, session)
      const v = call<Checkout>(t.core, 'checkout-void', { checkoutId: c.id, reason: 'customer left' }, session)
      expect(v.state).toBe('voided') // the cash went back: the drawer is unchanged
    } else if (op.op === 'move') {
      if (op.kind !== 'pay_in' && op.amount > drawer) continue
      call(t.core, 'cash-move', { movementId: newId(), kind: op.kind, amount: op.amount, reason: 'other', note: '' }, session)
      drawer += op.kind === 'pay_in' ? op.amount : -op.amount
    }
  }
  expect(call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, session).expected).toBe(drawer)
  const counted = Math.max(0, drawer + s.diff)
  const closed = call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(counted), left: Math.min(counted, s.float), reason: 'property test' }, session)
  expect([closed.expected, closed.overShort]).toEqual([drawer, counted - drawer])
}

function checkZ(t: T, z: Closure): void {
  const f = z.figures
  const sum = (sql: string, ...p: unknown[]): number => (t.core.db.prepare(sql).get(...p) as { n: number | null }).n ?? 0
  // Every posting balances.
  expect(sum('SELECT count(*) AS n FROM (SELECT journal_seq FROM ledger_lines GROUP BY journal_seq HAVING sum(debit_minor) != sum(credit_minor))')).toBe(0)
  // The Z agrees with itself.
  expect(f.tenders.reduce((a, x) => a + x.net, 0)).toBe(f.net)
  expect(f.grossSales - f.discounts - f.refunds + f.rounding).toBe(f.net)
  expect(z.periodTotal).toBe(f.net)
  expect(z.grandTotal).toBe(z.previousGrandTotal + z.periodTotal)
  // … and with a recomputation from the posted orders, tenders, taxes and refunds of its range.
  const inRange = 'journal_seq BETWEEN ? AND ?'
  const r = [z.firstSeq, z.lastSeq]
  expect(f.counts.orders).toBe(sum(`SELECT count(*) AS n FROM orders WHERE ${inRange}`, ...r))
  expect(f.grossSales).toBe(sum(`SELECT sum(total_minor + line_discounts_minor + order_discount_minor) AS n FROM orders WHERE ${inRange}`, ...r))
  expect(f.discounts).toBe(sum(`SELECT sum(line_discounts_minor + order_discount_minor) AS n FROM orders WHERE ${inRange}`, ...r))
  expect(f.rounding).toBe(sum(`SELECT sum(cash_rounding_minor) AS n FROM orders WHERE ${inRange}`, ...r))
  const cashSales = sum(`SELECT sum(t.amount_minor) AS n FROM order_tenders t JOIN orders o ON o.id = t.order_id WHERE o.${inRange}`, ...r)
  const cashRefunds = sum(`SELECT sum(amount_minor) AS n FROM refunds WHERE state = 'succeeded' AND ${inRange}`, ...r)
  expect(f.refunds).toBe(cashRefunds)
  expect(f.counts.refunds).toBe(sum(`SELECT count(*) AS n FROM refunds WHERE state = 'succeeded' AND ${inRange}`, ...r))
  expect(f.tenders.find((x) => x.method === 'cash') ?? { sales: 0, refunds: 0 }).toMatchObject({ sales: cashSales, refunds: cashRefunds })
  const taxCollected = sum(`SELECT sum(x.amount_minor) AS n FROM order_taxes x JOIN orders o ON o.id = x.order_id WHERE o.${inRange}`, ...r)
  expect(f.taxes.reduce((a, x) => a + x.collected, 0)).toBe(taxCollected)
  expect(f.counts.voids).toBe(sum(`SELECT count(*) AS n FROM journal WHERE type = 'checkout.voided' AND seq BETWEEN ? AND ?`, ...r))
  expect(f.counts.cashMovements).toBe(sum(`SELECT count(*) AS n FROM cash_movements WHERE ${inRange}`, ...r))
  expect(f.cash.overShort).toBe(sum(`SELECT sum(over_short_minor) AS n FROM shift_closes WHERE ${inRange}`, ...r))
}

describe('randomized days on one ledger', () => {
  it('balance, agree with the orders, and carry the grand total', () => {
    fc.assert(
      fc.property(runArb, (run) => {
        const t = till('2026-11-22T02:00:00Z')
        const s = call<Settings>(t.core, 'settings-get', {}, t.owner)
        call(t.core, 'settings-update', { ...s, cashRounding: run.rounding, refundApprovalLimit: 100_000_000, cashMovementApprovalLimit: 100_000_000 }, t.owner)
        const sales: Order[] = []
        // Day 1: the supervisor works the till (their own approval for large differences).
        for (const sh of run.days[0]) runShift(t, t.supervisor, sh, sales)
        const z1 = call<Closure>(t.core, 'day-close', { closureId: newId() }, t.supervisor)
        checkZ(t, z1)
        let late: Order | null = null
        if (run.lateSale) {
          // After the Z, still on the 22nd: lands in the 23rd as an adjustment.
          t.setClock('2026-11-22T08:00:00Z')
          runShift(t, t.supervisor, { float: 1000, ops: [{ op: 'sale', lines: [{ product: 0, units: 1, grams: 1 }], split: false, extra: 0 }], diff: 0 }, sales)
          late = sales[sales.length - 1]!
          expect(late.businessDate).toBe('2026-11-23')
        }
        t.setClock('2026-11-23T02:00:00Z')
        const sup = signIn(t.core, 'Zhang Wei', '2222')
        for (const sh of run.days[1]) runShift(t, sup, sh, sales)
        const z2 = call<Closure>(t.core, 'day-close', { closureId: newId() }, sup)
        checkZ(t, z2)
        expect([z2.number, z2.firstSeq, z2.previousGrandTotal]).toEqual([2, z1.lastSeq + 1, z1.grandTotal])
        expect(z2.grandTotal).toBe(z1.periodTotal + z2.periodTotal)
        expect(z2.figures.adjustments.some((a) => a.kind === 'sale')).toBe(late !== null)
        expect(count(t.core, 'SELECT count(*) AS n FROM postings WHERE business_date = ? AND kind = ?', '2026-11-22', 'sale')).toBe(z1.figures.counts.orders)
      }),
      { numRuns: Number(process.env.DAYBOOK_PROPERTY_RUNS ?? 30) },
    )
  }, 240_000)
})

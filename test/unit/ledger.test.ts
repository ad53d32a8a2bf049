import { describe, expect, it } from 'vitest'
import { LedgerError, postingFor, sumFigures } from '../../src/shared/ledger'

const meta = { businessDate: '2026-11-22', shiftId: 'S1', adjustmentOf: null }
const sum = (lines: { amount: number }[]): number => lines.reduce((a, l) => a + l.amount, 0)

describe('posting rules', () => {
  it('posts a split sale: tenders debited, revenue, tax and rounding credited, change not counted as cash received', () => {
    const p = postingFor('sale.completed', {
      id: 'O1',
      currency: 'CNY',
      businessDate: '2026-11-22',
      lineDiscounts: 50,
      orderDiscount: 0,
      total: 950,
      cashRounding: -2,
      paid: 948,
      taxes: [{ taxId: 'vat13', rate: '13', amount: 109 }],
      tenders: [
        { method: 'card', amount: 500, tendered: 500, change: 0 },
        { method: 'cash', amount: 448, tendered: 1000, change: 552 },
      ],
      posting: meta,
    })!
    expect(sum(p.lines)).toBe(0)
    const by = (account: string, tag?: string): number => sum(p.lines.filter((l) => l.account === account && (!tag || l.tag === tag)))
    expect(by('clearing:card')).toBe(500)
    expect(by('clearing:cash', 'tender')).toBe(448)
    expect(by('drawer', 'cash_received')).toBe(1000)
    expect(by('drawer', 'change_given')).toBe(-552)
    expect(by('discounts')).toBe(50)
    expect(by('tax_payable:vat13')).toBe(-109)
    expect(by('revenue')).toBe(-(950 + 50 - 109))
    expect(by('rounding')).toBe(2) // 2 fen given away: a debit
    const f = sumFigures([{ seq: 1, kind: p.kind, refId: p.refId, meta, lines: p.lines }])
    expect(f).toMatchObject({ grossSales: 1000, discounts: 50, rounding: -2, net: 948 })
    expect(f.cash).toMatchObject({ received: 1000, change: 552 })
  })

  it('refuses a sale whose tenders do not pay it, naming the difference', () => {
    expect(() =>
      postingFor('sale.completed', {
        id: 'O2',
        currency: 'CNY',
        businessDate: '2026-11-22',
        lineDiscounts: 0,
        orderDiscount: 0,
        total: 1000,
        cashRounding: 0,
        paid: 999,
        taxes: [],
        tenders: [{ method: 'cash', amount: 999, tendered: 999, change: 0 }],
        posting: meta,
      }),
    ).toThrow(new LedgerError('sale O2 does not balance: debits and credits differ by -1'))
    expect(() => postingFor('sale.completed', { id: 'O3' })).toThrow(LedgerError)
    expect(postingFor('sync.something', {})).toBeNull()
  })

  it('keeps a voided card payment the terminal would not reverse as owed to the customer', () => {
    const p = postingFor('checkout.voided', {
      checkoutId: 'C1',
      currency: 'CNY',
      tenders: [
        { method: 'cash', amount: 300, outcome: 'reversed' },
        { method: 'card', amount: 700, outcome: 'reversal_refused' },
      ],
      posting: meta,
    })!
    expect(p.lines.map((l) => [l.account, l.amount])).toEqual([
      ['clearing:card', 700],
      ['customer_payable', -700],
    ])
    // Not a sale: the Z's tender figures stay the sales'.
    expect(sumFigures([{ seq: 1, kind: 'void', refId: 'C1', meta, lines: p.lines }]).tenders).toEqual([])
  })

  it('refuses a shift close whose over/short is not counted minus expected', () => {
    expect(() => postingFor('shift.closed', { shiftId: 'S', currency: 'CNY', expected: 1000, counted: 900, overShort: 100, left: 0, posting: meta })).toThrow(/over\/short/)
    const ok = postingFor('shift.closed', { shiftId: 'S', currency: 'CNY', expected: 1000, counted: 900, overShort: -100, left: 500, posting: meta })!
    expect(ok.lines.map((l) => [l.account, l.tag, l.amount])).toEqual([
      ['drawer', 'over_short', -100],
      ['cash_over_short', 'over_short', 100],
      ['safe', 'to_safe', 400],
      ['drawer', 'to_safe', -400],
    ])
  })
})

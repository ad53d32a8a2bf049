import { describe, expect, it } from 'vitest'
import { formatMoney, type RoundingMode } from '../../src/shared/money'
import {
  PricingError,
  discountPercent,
  priceCart,
  quickCashAmounts,
  settleCash,
  type Discount,
  type PricingLine,
  type PricingSettings,
  type TaxRate,
} from '../../src/shared/pricing'

const VAT13: TaxRate = { id: 'vat13', name: 'VAT 13%', rate: '13' }
const VAT9: TaxRate = { id: 'vat9', name: 'VAT 9%', rate: '9' }
const VAT6: TaxRate = { id: 'vat6', name: 'VAT 6%', rate: '6' }
const SVC6: TaxRate = { id: 'svc6', name: 'Service 6%', rate: '6' }
const TAX1: TaxRate = { id: 'tax1', name: 'Levy 1%', rate: '1' }
const VAT10: TaxRate = { id: 'vat10', name: 'VAT 10%', rate: '10' }

function settings(over: Partial<PricingSettings> = {}): PricingSettings {
  return {
    currency: 'CNY',
    priceMode: 'exclusive',
    taxRounding: 'line',
    roundingMode: 'half_up',
    cashRounding: { increment: 1, mode: 'half_up' },
    ...over,
  }
}

function line(unitPrice: number, quantity: string, taxes: TaxRate[] = [VAT13], discount?: Discount): PricingLine {
  return { productId: `p${unitPrice}x${quantity}`, unitPrice, quantity, taxes, discount }
}

describe('price mode', () => {
  it('exclusive (US): tax is added on top', () => {
    // 10.00 × 2 = 20.00; 13% of 20.00 = 2.60; total 22.60
    const c = priceCart([line(1000, '2')], undefined, settings({ priceMode: 'exclusive' }))
    expect(c.subtotal).toBe(2000)
    expect(c.taxTotal).toBe(260)
    expect(c.total).toBe(2260)
    expect(c.taxes).toEqual([{ taxId: 'vat13', name: 'VAT 13%', rate: '13', base: 2000, amount: 260 }])
    expect(c.lines[0]?.total).toBe(2000)
    expect(c.lines[0]?.tax).toBe(260)
  })

  it('inclusive (China, EU): the tax is inside the shelf price', () => {
    // 10.00 incl. 13%: tax = 1000 × 13/113 = 115.04… → 115; net 885; total stays 1000
    const c = priceCart([line(1000, '1')], undefined, settings({ priceMode: 'inclusive' }))
    expect(c.taxTotal).toBe(115)
    expect(c.total).toBe(1000)
    expect(c.taxes).toEqual([{ taxId: 'vat13', name: 'VAT 13%', rate: '13', base: 1000, amount: 115 }])
  })

  it('inclusive: a line always adds up to its shelf price (net + tax = total), no hidden adjustment', () => {
    // 9.99 × 3 = 29.97 incl. 13%: tax = 2997 × 13/113 = 38961/113 = 344.79… → 345; net = 2997 − 345 = 2652
    const c = priceCart([line(999, '3')], undefined, settings({ priceMode: 'inclusive' }))
    const l = c.lines[0]!
    expect(l.gross).toBe(2997)
    expect(l.total).toBe(2997)
    expect(l.tax).toBe(345)
    const net = l.total - (l.tax ?? Number.NaN)
    expect(net).toBe(2652)
    expect(net + 345).toBe(2997)
    expect(c.total).toBe(2997)
    // nothing beyond the lines: the receipt total is the shelf prices
    expect(c.total).toBe(c.subtotal)
  })

  it('inclusive with two taxes on a line: each tax is total × r / (1 + Σr), net + taxes = shelf price', () => {
    // 10.00 incl. 6% + 6%: each = 1000 × 0.06 / 1.12 = 53.571… → 54; taxes 108; net 892
    const c = priceCart([line(1000, '1', [VAT6, SVC6])], undefined, settings({ priceMode: 'inclusive' }))
    expect(c.taxes.map((t) => t.amount)).toEqual([54, 54])
    expect(c.lines[0]?.tax).toBe(108)
    expect(c.total).toBe(1000)
    expect(c.lines[0]!.total - 108).toBe(892)
  })
})

describe('tax rounding: per line vs per document', () => {
  // Three lines of 0.50 at 1%: each line's tax is 0.005 yuan = 0.5 fen.
  const lines = [line(50, '1', [TAX1]), line(50, '1', [TAX1]), line(50, '1', [TAX1])]

  it('per line: each 0.5 fen rounds half-up to 1 fen → 3 fen', () => {
    const c = priceCart(lines, undefined, settings({ taxRounding: 'line' }))
    expect(c.lines.map((l) => l.tax)).toEqual([1, 1, 1])
    expect(c.taxTotal).toBe(3)
    expect(c.taxes).toEqual([{ taxId: 'tax1', name: 'Levy 1%', rate: '1', base: 150, amount: 3 }])
    expect(c.total).toBe(153)
  })

  it('per document: 0.5 + 0.5 + 0.5 = 1.5 fen, rounded once → 2 fen', () => {
    const c = priceCart(lines, undefined, settings({ taxRounding: 'document' }))
    expect(c.lines.map((l) => l.tax)).toEqual([null, null, null])
    expect(c.taxTotal).toBe(2)
    expect(c.taxes).toEqual([{ taxId: 'tax1', name: 'Levy 1%', rate: '1', base: 150, amount: 2 }])
    expect(c.total).toBe(152)
  })

  it('per line with half_even: each 0.5 → 0; per document 1.5 → 2', () => {
    expect(priceCart(lines, undefined, settings({ taxRounding: 'line', roundingMode: 'half_even' })).taxTotal).toBe(0)
    expect(priceCart(lines, undefined, settings({ taxRounding: 'document', roundingMode: 'half_even' })).taxTotal).toBe(2)
  })

  it('inclusive: three 1.00 lines at 13% → per line 36, per document 35, total 300 either way', () => {
    // each: 100 × 13/113 = 11.504… → 12 per line (× 3 = 36); document: 300 × 13/113 = 34.513… → 35
    const three = [line(100, '1'), line(100, '1'), line(100, '1')]
    const perLine = priceCart(three, undefined, settings({ priceMode: 'inclusive', taxRounding: 'line' }))
    const perDoc = priceCart(three, undefined, settings({ priceMode: 'inclusive', taxRounding: 'document' }))
    expect(perLine.taxTotal).toBe(36)
    expect(perDoc.taxTotal).toBe(35)
    expect(perLine.total).toBe(300)
    expect(perDoc.total).toBe(300)
  })

  it('per document keeps one rounding per tax, not per rate', () => {
    // two lines: one VAT 6%, one service 6%, 0.25 each at 6% exclusive: 1.5 fen per tax
    // per document per tax: 1.5 → 2 and 1.5 → 2 (4), not one 6% row of 3.0 → 3
    const c = priceCart([line(25, '1', [VAT6]), line(25, '1', [SVC6])], undefined, settings({ taxRounding: 'document' }))
    expect(c.taxes.map((t) => [t.taxId, t.amount])).toEqual([
      ['vat6', 2],
      ['svc6', 2],
    ])
    expect(c.taxTotal).toBe(4)
  })
})

describe('rounding mode setting', () => {
  // 3.33 × 0.5 = 1.665 yuan = 166.5 fen; 3.35 × 0.5 = 167.5 fen
  const table: Array<[RoundingMode, number, number]> = [
    ['half_up', 167, 168],
    ['half_even', 166, 168],
    ['down', 166, 167],
    ['up', 167, 168],
  ]
  for (const [mode, a, b] of table) {
    it(`${mode}: line gross 166.5 → ${a}, 167.5 → ${b}`, () => {
      const c = priceCart([line(333, '0.5', []), line(335, '0.5', [])], undefined, settings({ roundingMode: mode }))
      expect(c.lines.map((l) => l.gross)).toEqual([a, b])
      expect(c.total).toBe(a + b)
    })
  }

  // tax at 1% exclusive on 1.50 = 1.5 fen, on 2.50 = 2.5 fen, on 2.49 = 2.49 fen
  const taxTable: Array<[RoundingMode, [number, number, number]]> = [
    ['half_up', [2, 3, 2]],
    ['half_even', [2, 2, 2]],
    ['down', [1, 2, 2]],
    ['up', [2, 3, 3]],
  ]
  for (const [mode, expected] of taxTable) {
    it(`${mode}: tax 1.5 / 2.5 / 2.49 fen → ${expected.join(' / ')}`, () => {
      const c = priceCart([line(150, '1', [TAX1]), line(250, '1', [TAX1]), line(249, '1', [TAX1])], undefined, settings({ roundingMode: mode }))
      expect(c.lines.map((l) => l.tax)).toEqual(expected)
    })
  }
})

describe('taxes are reported per tax', () => {
  it('two taxes with the same rate stay two rows', () => {
    // 10.00 exclusive with VAT 6% and service 6%: 60 + 60
    const c = priceCart([line(1000, '1', [VAT6, SVC6])], undefined, settings())
    expect(c.taxes).toEqual([
      { taxId: 'vat6', name: 'VAT 6%', rate: '6', base: 1000, amount: 60 },
      { taxId: 'svc6', name: 'Service 6%', rate: '6', base: 1000, amount: 60 },
    ])
    expect(c.taxTotal).toBe(120)
    expect(c.total).toBe(1120)
  })

  it('rows are in first-seen order and each base is the lines that carry that tax', () => {
    // 2.00 (9%), 3.00 (13%), 4.00 (9%) exclusive, per line: 9% of 200 = 18, 13% of 300 = 39, 9% of 400 = 36
    const c = priceCart([line(200, '1', [VAT9]), line(300, '1', [VAT13]), line(400, '1', [VAT9])], undefined, settings())
    expect(c.taxes).toEqual([
      { taxId: 'vat9', name: 'VAT 9%', rate: '9', base: 600, amount: 54 },
      { taxId: 'vat13', name: 'VAT 13%', rate: '13', base: 300, amount: 39 },
    ])
    expect(c.taxTotal).toBe(93)
    expect(c.total).toBe(993)
  })

  it('a line without taxes carries none', () => {
    const c = priceCart([line(500, '1', [])], undefined, settings())
    expect(c.taxes).toEqual([])
    expect(c.taxTotal).toBe(0)
    expect(c.total).toBe(500)
  })
})

describe('line discounts', () => {
  it('amount: 20.00 − 1.50 = 18.50', () => {
    const c = priceCart([line(1000, '2', [], { kind: 'amount', amount: 150 })], undefined, settings())
    expect(c.lines[0]).toMatchObject({ gross: 2000, lineDiscount: 150, orderDiscount: 0, total: 1850 })
    expect(c.lineDiscounts).toBe(150)
    expect(c.total).toBe(1850)
  })

  it('percent: 10% of 20.00 = 2.00', () => {
    const c = priceCart([line(1000, '2', [], { kind: 'percent', percent: '10' })], undefined, settings())
    expect(c.lines[0]).toMatchObject({ gross: 2000, lineDiscount: 200, total: 1800 })
  })

  it('percent is rounded with the store mode: 12.5% of 9.99 = 124.875 fen', () => {
    const pct: Discount = { kind: 'percent', percent: '12.5' }
    expect(priceCart([line(999, '1', [], pct)], undefined, settings({ roundingMode: 'half_up' })).lines[0]?.lineDiscount).toBe(125)
    expect(priceCart([line(999, '1', [], pct)], undefined, settings({ roundingMode: 'down' })).lines[0]?.lineDiscount).toBe(124)
  })

  it('tax is on the discounted line: (20.00 − 2.00) × 13% = 2.34', () => {
    const c = priceCart([line(1000, '2', [VAT13], { kind: 'percent', percent: '10' })], undefined, settings())
    expect(c.taxTotal).toBe(234)
    expect(c.total).toBe(2034)
  })

  it('100% and the whole amount are allowed; the line becomes 0', () => {
    expect(priceCart([line(1000, '1', [], { kind: 'percent', percent: '100' })], undefined, settings()).total).toBe(0)
    expect(priceCart([line(1000, '1', [], { kind: 'amount', amount: 1000 })], undefined, settings()).total).toBe(0)
  })

  it('refuses a negative discount, more than the line, or a percent outside 0–100, naming the line', () => {
    const bad: Discount[] = [
      { kind: 'amount', amount: 1001 },
      { kind: 'amount', amount: -1 },
      { kind: 'percent', percent: '100.01' },
      { kind: 'percent', percent: '-1' },
    ]
    for (const d of bad) {
      let err: unknown
      try {
        priceCart([line(500, '1', []), line(1000, '1', [], d)], undefined, settings())
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(PricingError)
      expect((err as PricingError).field).toBe('lines.1.discount')
    }
  })
})

describe('order discount spread by largest remainder', () => {
  it('1.00 over three 1.00 lines: 34 / 33 / 33, the equal remainder goes to the earlier line', () => {
    // exact share 33.33… each; floors 99; the leftover fen → line 0
    const c = priceCart([line(100, '1', []), line(100, '1', []), line(100, '1', [])], { kind: 'amount', amount: 100 }, settings())
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([34, 33, 33])
    expect(c.lines.map((l) => l.total)).toEqual([66, 67, 67])
    expect(c.orderDiscount).toBe(100)
    expect(c.total).toBe(200)
  })

  it('equal largest remainders that are not the first line go to the earlier of them', () => {
    // 0.01 over 0.10 / 0.20 / 0.20: exact 0.2, 0.4, 0.4 fen → the fen goes to line 1
    const c = priceCart([line(10, '1', []), line(20, '1', []), line(20, '1', [])], { kind: 'amount', amount: 1 }, settings())
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([0, 1, 0])
  })

  it('percent: 10% off 10.00 + 30.00 = 4.00, spread 1.00 / 3.00', () => {
    const c = priceCart([line(1000, '1', []), line(3000, '1', [])], { kind: 'percent', percent: '10' }, settings())
    expect(c.orderDiscount).toBe(400)
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([100, 300])
    expect(c.total).toBe(3600)
  })

  it('percent is rounded, then spread: 3.33% of 60.00 = 199.8 → 200 fen over 10/20/30', () => {
    // shares 200 × 1/6, 2/6, 3/6 = 33.33, 66.67, 100 → floors 33, 66, 100 (199); 1 left → largest .67 → line 1
    const c = priceCart([line(1000, '1', []), line(2000, '1', []), line(3000, '1', [])], { kind: 'percent', percent: '3.33' }, settings())
    expect(c.orderDiscount).toBe(200)
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([33, 67, 100])
    expect(c.total).toBe(5800)
  })

  it('is spread over line totals after line discounts', () => {
    // lines after line discounts: 1000 − 500 = 500 and 1500 → order 2.00 spread 500:1500 = 50 / 150
    const c = priceCart(
      [line(1000, '1', [], { kind: 'amount', amount: 500 }), line(1500, '1', [])],
      { kind: 'amount', amount: 200 },
      settings(),
    )
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([50, 150])
    expect(c.subtotal).toBe(2500)
    expect(c.lineDiscounts).toBe(500)
    expect(c.total).toBe(1800)
  })

  it('tax follows the spread line totals; per line and per document differ', () => {
    // totals after the spread: 66, 67, 67 at 13% exclusive
    // per line: 8.58 → 9, 8.71 → 9, 8.71 → 9 = 27; per document: 200 × 13% = 26
    const lines = [line(100, '1'), line(100, '1'), line(100, '1')]
    const perLine = priceCart(lines, { kind: 'amount', amount: 100 }, settings({ taxRounding: 'line' }))
    const perDoc = priceCart(lines, { kind: 'amount', amount: 100 }, settings({ taxRounding: 'document' }))
    expect(perLine.taxTotal).toBe(27)
    expect(perLine.total).toBe(227)
    expect(perDoc.taxTotal).toBe(26)
    expect(perDoc.total).toBe(226)
  })

  it('refuses an order discount larger than the lines or outside 0–100%', () => {
    const lines = [line(100, '1', []), line(200, '1', [])]
    for (const d of [
      { kind: 'amount', amount: 301 },
      { kind: 'amount', amount: -1 },
      { kind: 'percent', percent: '101' },
    ] as Discount[]) {
      expect(() => priceCart(lines, d, settings())).toThrow(PricingError)
      try {
        priceCart(lines, d, settings())
      } catch (e) {
        expect((e as PricingError).field).toBe('orderDiscount')
      }
    }
    expect(priceCart(lines, { kind: 'amount', amount: 300 }, settings()).total).toBe(0)
  })
})

describe('fractional quantities (weighed goods)', () => {
  it('3 decimals: 29.99/kg × 0.457 kg = 13.70543 yuan → 1371 fen, rounded once', () => {
    // 2999 × 0.457 = 1370.543 fen
    expect(priceCart([line(2999, '0.457', [])], undefined, settings()).lines[0]?.gross).toBe(1371)
    expect(priceCart([line(2999, '0.457', [])], undefined, settings({ roundingMode: 'down' })).lines[0]?.gross).toBe(1370)
  })

  it('the line total is rounded once, from the exact product, not via a rounded unit step', () => {
    // 6.98/kg × 0.500 = 349 fen exactly; 19.99 × 1.255 = 2508.745 → 2509
    expect(priceCart([line(698, '0.500', [])], undefined, settings()).lines[0]?.gross).toBe(349)
    expect(priceCart([line(1999, '1.255', [])], undefined, settings()).lines[0]?.gross).toBe(2509)
    // 0.01 × 0.449 = 0.449 fen → 0 (rounding in steps, 0.449 → 0.45 → 0.5 → 1, would give 1)
    expect(priceCart([line(1, '0.449', [])], undefined, settings()).lines[0]?.gross).toBe(0)
    // 3.35 × 0.333 = 111.555 fen → 112
    expect(priceCart([line(335, '0.333', [])], undefined, settings()).lines[0]?.gross).toBe(112)
  })

  it('tax is computed on the rounded line total', () => {
    // 29.99 × 0.457 → 1371; 9% exclusive = 123.39 → 123; total 1494
    const c = priceCart([line(2999, '0.457', [VAT9])], undefined, settings())
    expect(c.taxTotal).toBe(123)
    expect(c.total).toBe(1494)
  })
})

describe('currencies with other exponents', () => {
  it('JPY (exponent 0): ¥1,234 + 10% = ¥123.4 → ¥123; total ¥1,357', () => {
    const c = priceCart([line(1234, '1', [VAT10])], undefined, settings({ currency: 'JPY' }))
    expect(c.currency).toBe('JPY')
    expect(c.taxTotal).toBe(123)
    expect(c.total).toBe(1357)
    expect(formatMoney(c.total, 'JPY', 'en-US')).toBe('¥1,357')
  })

  it('BHD (exponent 3): 1.250 × 0.5 = 0.625; 10% = 62.5 fils → 63; total 0.688', () => {
    const c = priceCart([line(1250, '0.5', [VAT10])], undefined, settings({ currency: 'BHD' }))
    expect(c.subtotal).toBe(625)
    expect(c.taxTotal).toBe(63)
    expect(c.total).toBe(688)
    expect(formatMoney(c.total, 'BHD', 'en-US').replace(/\u00a0/g, ' ')).toBe('BHD 0.688')
  })
})

describe('the receipt foots', () => {
  it('subtotal − line discounts − order discount + tax = total (exclusive)', () => {
    // 2 × 12.99 = 2598 (−10% = 260 → 2338); 3.50 × 1.5 = 525 (−0.25 → 500); after lines 2838
    // order 5% = 141.9 → 142, spread 2338:500 → 116.98… / 25.02… → floors 116 + 25 = 141, 1 left → line 0 (.97)
    // totals 2221 / 475; 13% → 288.73 → 289; 9% → 42.75 → 43; tax 332
    const c = priceCart(
      [line(1299, '2', [VAT13], { kind: 'percent', percent: '10' }), line(350, '1.5', [VAT9], { kind: 'amount', amount: 25 })],
      { kind: 'percent', percent: '5' },
      settings(),
    )
    expect(c.subtotal).toBe(3123)
    expect(c.lineDiscounts).toBe(285)
    expect(c.orderDiscount).toBe(142)
    expect(c.lines.map((l) => l.orderDiscount)).toEqual([117, 25])
    expect(c.lines.map((l) => l.total)).toEqual([2221, 475])
    expect(c.taxes.map((t) => t.amount)).toEqual([289, 43])
    expect(c.taxTotal).toBe(332)
    expect(c.total).toBe(3123 - 285 - 142 + 332)
    expect(c.total).toBe(3028)
  })

  it('an empty cart is all zeros', () => {
    const c = priceCart([], undefined, settings())
    expect(c).toMatchObject({ subtotal: 0, lineDiscounts: 0, orderDiscount: 0, taxTotal: 0, total: 0, lines: [], taxes: [] })
  })

  it('echoes the settings it priced with', () => {
    const c = priceCart([line(100, '1')], undefined, settings({ priceMode: 'inclusive', taxRounding: 'document', roundingMode: 'down' }))
    expect(c).toMatchObject({ currency: 'CNY', priceMode: 'inclusive', taxRounding: 'document', roundingMode: 'down' })
  })
})

describe('discountPercent (supervisor limit)', () => {
  it('is (line discounts + order discount) / subtotal × 100', () => {
    // subtotal 2000; line 10% = 200; order 10% of 1800 = 180; (200 + 180) / 2000 = 19%
    const c = priceCart([line(1000, '2', [], { kind: 'percent', percent: '10' })], { kind: 'percent', percent: '10' }, settings())
    expect(discountPercent(c).toString()).toBe('19')
  })

  it('keeps exact decimals: 1 fen off 3 fen is 33.33…%', () => {
    const c = priceCart([line(3, '1', [], { kind: 'amount', amount: 1 })], undefined, settings())
    expect(discountPercent(c).toDecimalPlaces(4).toString()).toBe('33.3333')
  })

  it('is 0 for a zero subtotal', () => {
    expect(discountPercent(priceCart([], undefined, settings())).toString()).toBe('0')
  })
})

describe('cash rounding (settleCash)', () => {
  it('CHF 0.05 half_up: 12.32 due → 12.30, tendered 20.00 → change 7.70, rounding −0.02', () => {
    expect(settleCash(1232, 2000, { increment: 5, mode: 'half_up' })).toEqual({
      due: 1232,
      roundedDue: 1230,
      rounding: -2,
      tendered: 2000,
      change: 770,
    })
  })

  it('CHF 0.05 half_up: 12.33 due → 12.35, tendered 20.00 → change 7.65, rounding +0.02', () => {
    expect(settleCash(1233, 2000, { increment: 5, mode: 'half_up' })).toEqual({
      due: 1233,
      roundedDue: 1235,
      rounding: 2,
      tendered: 2000,
      change: 765,
    })
  })

  it('抹零 to the jiao (10, down): 12.39 → 12.30, tendered 50.00 → change 37.70', () => {
    expect(settleCash(1239, 5000, { increment: 10, mode: 'down' })).toEqual({
      due: 1239,
      roundedDue: 1230,
      rounding: -9,
      tendered: 5000,
      change: 3770,
    })
  })

  it('抹零 to the yuan (100, down): 12.99 → 12.00, exact cash gives no change', () => {
    expect(settleCash(1299, 1200, { increment: 100, mode: 'down' })).toEqual({
      due: 1299,
      roundedDue: 1200,
      rounding: -99,
      tendered: 1200,
      change: 0,
    })
  })

  it('applies only to the cash remainder after other tenders; rounding is its own figure = paid − total', () => {
    // total 100.37 CHF; card 50.00; cash remainder 50.37 → 50.35 (0.05 half_up: 1007.4 → 1007 steps)
    const total = 10037
    const card = 5000
    const s = settleCash(total - card, 6000, { increment: 5, mode: 'half_up' })
    expect(s.due).toBe(5037)
    expect(s.roundedDue).toBe(5035)
    expect(s.rounding).toBe(-2)
    expect(s.change).toBe(965) // 60.00 − 50.35
    // the card tender is untouched; paid = 5000 + 5035 = 10035; rounding = paid − total = −2
    expect(card + s.roundedDue - total).toBe(s.rounding)
  })

  it('change is tendered − rounded due, not tendered − unrounded due', () => {
    // 12.32 → 12.30; tendered 12.30 is enough: change 0 (not −0.02)
    expect(settleCash(1232, 1230, { increment: 5, mode: 'half_up' }).change).toBe(0)
    // not enough cash: change is negative
    expect(settleCash(1232, 1000, { increment: 5, mode: 'half_up' }).change).toBe(-230)
  })

  it('increment 1 means no cash rounding', () => {
    expect(settleCash(1237, 2000, { increment: 1, mode: 'half_up' })).toEqual({
      due: 1237,
      roundedDue: 1237,
      rounding: 0,
      tendered: 2000,
      change: 763,
    })
  })

  it('a cash refund (negative remainder) rounds with the same mode, half_up ties away from zero', () => {
    // −12.35 at 0.10 half_up: −123.5 → −124 → −12.40
    expect(settleCash(-1235, -1240, { increment: 10, mode: 'half_up' })).toMatchObject({ roundedDue: -1240, rounding: -5, change: 0 })
    // −12.39 at 0.10 down (抹零): −12.30
    expect(settleCash(-1239, -1230, { increment: 10, mode: 'down' })).toMatchObject({ roundedDue: -1230, rounding: 9 })
  })
})

describe('quickCashAmounts', () => {
  it('exact first, then the next round note values above it (at most 4)', () => {
    // 23.50 with notes 1, 5, 10, 20, 50, 100 yuan → 24, 25, 30 (then capped)
    expect(quickCashAmounts(2350, [100, 500, 1000, 2000, 5000, 10000])).toEqual([2350, 2400, 2500, 3000])
  })

  it('skips note values equal to the due amount and duplicates', () => {
    // 50.00 is itself a multiple of 10 and 50 → only 100
    expect(quickCashAmounts(5000, [1000, 5000, 10000])).toEqual([5000, 10000])
    // 88.00: next 50 is 100, next 100 is also 100 → once
    expect(quickCashAmounts(8800, [5000, 10000])).toEqual([8800, 10000])
  })

  it('just the exact amount when nothing rounds higher', () => {
    expect(quickCashAmounts(0, [100, 500])).toEqual([0])
    expect(quickCashAmounts(1000, [])).toEqual([1000])
  })
})

describe('rule: tax carried inside a price never exceeds it', () => {
  it('caps two taxes rounded up on a 1-fen line, taking the excess off the last tax', () => {
    // 1 fen incl. 13% + 6%: exact taxes 1×13/119 = 0.109 and 1×6/119 = 0.050; rounding up gives 1 + 1 = 2 > 1.
    const settings = { currency: 'CNY' as const, priceMode: 'inclusive' as const, taxRounding: 'line' as const, roundingMode: 'up' as const, cashRounding: { increment: 1, mode: 'half_up' as const } }
    const taxes = [
      { id: 'vat13', name: 'VAT 13%', rate: '13' },
      { id: 'svc6', name: 'Service 6%', rate: '6' },
    ]
    const c = priceCart([{ productId: 'p', unitPrice: 1, quantity: '1', taxes }], undefined, settings)
    expect(c.taxes.map((t) => t.amount)).toEqual([1, 0])
    expect(c.lines[0]!.tax).toBe(1)
    expect(c.total).toBe(1)
    const doc = priceCart([{ productId: 'p', unitPrice: 1, quantity: '1', taxes }], undefined, { ...settings, taxRounding: 'document' })
    expect(doc.taxTotal).toBe(1)
  })
})

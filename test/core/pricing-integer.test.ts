import Decimal from 'decimal.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { roundMinor, ROUNDING_MODES, type RoundingMode } from '../../src/shared/money'
import { integerGross, integerLineTaxes, priceCart, type PriceMode, type PricingLine, type TaxRate } from '../../src/shared/pricing'

/**
 * The pricing engine's whole-number paths (a sale is priced on every commit) must give exactly
 * what decimal.js gives: these are the decimal.js formulas the engine used before, as the oracle.
 */
const HUNDRED = new Decimal(100)
const decimalGross = (unitPrice: number, quantity: string, mode: RoundingMode): number => roundMinor(new Decimal(unitPrice).mul(quantity), mode)
function decimalLineTaxes(total: number, taxes: readonly TaxRate[], priceMode: PriceMode, mode: RoundingMode): number[] {
  const rates = taxes.map((t) => new Decimal(t.rate).div(HUNDRED))
  const divisor = priceMode === 'inclusive' ? rates.reduce((a, r) => a.plus(r), new Decimal(1)) : new Decimal(1)
  return rates.map((r) => roundMinor(new Decimal(total).mul(r).div(divisor), mode))
}

const mode = fc.constantFrom(...ROUNDING_MODES)
const priceMode = fc.constantFrom<PriceMode>('inclusive', 'exclusive')
const quantity = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 3 })).map(([i, f, n]) => `${i}.${String(f).padStart(3, '0').slice(0, n)}`),
  fc.constantFrom('0.5', '0.005', '1.000', '999999999.999', '007', '1e2', '-1', '1.2345', '.5', '1.'),
)
const amount = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -1000, max: 1000 }))
const rate = fc.oneof(
  fc.constantFrom('13', '9', '6', '0', '3', '6.5', '7.25', '8.875', '19.6', '0.0001', '100', '999.9999', '33.3333'),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 9999 })).map(([i, f]) => `${i}.${f}`),
  fc.constantFrom('1000', '13.00001', '1e1', '+13', '13.'),
)
const taxes = fc.array(rate, { minLength: 0, maxLength: 4 }).map((rs) => rs.map((r, i) => ({ id: `t${i}`, name: `T${i}`, rate: r })))

describe('pricing in whole numbers equals decimal.js', () => {
  it('a line gross: unit price × quantity, rounded once', () => {
    fc.assert(
      fc.property(amount, quantity, mode, (unitPrice, q, m) => {
        const fast = integerGross(unitPrice, q, m)
        if (fast !== null) expect(fast).toBe(decimalGross(unitPrice, q, m))
      }),
      { numRuns: 20_000 },
    )
  })

  it("a line's taxes, each rounded", () => {
    fc.assert(
      fc.property(amount, taxes, priceMode, mode, (total, ts, pm, m) => {
        const fast = integerLineTaxes(total, ts, pm, m)
        if (fast !== null) expect(fast).toEqual(decimalLineTaxes(total, ts, pm, m))
      }),
      { numRuns: 20_000 },
    )
  })

  it('exact halves and near-halves round as decimal.js rounds them', () => {
    for (const m of ROUNDING_MODES) {
      for (const pm of ['inclusive', 'exclusive'] as const) {
        for (let total = 0; total <= 1500; total++) {
          for (const r of ['13', '9', '6.5', '50', '12.5']) {
            const ts = [{ id: 'v', name: 'V', rate: r }]
            expect(integerLineTaxes(total, ts, pm, m)).toEqual(decimalLineTaxes(total, ts, pm, m))
          }
        }
        for (let price = 0; price <= 3000; price++) for (const q of ['0.5', '0.25', '0.125', '1.005', '2']) expect(integerGross(price, q, m)).toBe(decimalGross(price, q, m))
      }
    }
  })

  it('takes decimal.js for what it cannot do exactly in whole numbers', () => {
    expect(integerGross(100, '1e2', 'half_up')).toBeNull()
    expect(integerGross(-5, '2', 'half_up')).toBeNull()
    expect(integerGross(Number.MAX_SAFE_INTEGER, '2', 'half_up')).toBeNull()
    expect(integerLineTaxes(-1, [{ id: 'v', name: 'V', rate: '13' }], 'inclusive', 'half_up')).toBeNull()
    expect(integerLineTaxes(100, [{ id: 'v', name: 'V', rate: '+13' }], 'inclusive', 'half_up')).toBeNull()
  })

  it('a whole cart priced the same as line by line in decimal.js', () => {
    const line = fc.record({
      productId: fc.constant('p'),
      unitPrice: fc.integer({ min: 0, max: 1_000_000 }),
      quantity: fc.oneof(fc.integer({ min: 1, max: 20 }).map(String), fc.constantFrom('0.5', '1.234', '0.001')),
      taxes: fc.array(fc.constantFrom('13', '9', '6.5'), { maxLength: 2 }).map((rs) => rs.map((r, i) => ({ id: `t${i}`, name: `T${i}`, rate: r }))),
    })
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), priceMode, mode, (lines: PricingLine[], pm, m) => {
        const cart = priceCart(lines, undefined, { currency: 'CNY', priceMode: pm, taxRounding: 'line', roundingMode: m, cashRounding: { increment: 1, mode: 'half_up' } })
        cart.lines.forEach((l, i) => {
          const src = lines[i] as PricingLine
          expect(l.gross).toBe(decimalGross(src.unitPrice, src.quantity, m))
          const rounded = decimalLineTaxes(l.total, src.taxes, pm, m)
          const capped = pm === 'inclusive' && rounded.reduce((a, x) => a + x, 0) > l.total ? null : rounded.reduce((a, x) => a + x, 0)
          if (capped !== null) expect(l.tax).toBe(capped)
        })
      }),
      { numRuns: 2000 },
    )
  })
})

import Decimal from 'decimal.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { minorToNexoAmount, nexoAmountToMinor } from '../../src/main/core/payments/terminal/adyen-driver'
import { CURRENCIES, MAX_MINOR, minorToDecimalString } from '../../src/shared/money'
import { minorToNexo, nexoToMinor } from '../../src/platform/terminal-sim/amounts'

const minor = fc.bigInt({ min: 0n, max: BigInt(MAX_MINOR) }).map(Number)
const currency = fc.constantFrom(...CURRENCIES)

describe('minor units ↔ nexo decimal major units', () => {
  it('is exact both ways through JSON for every amount up to MAX_MINOR in every currency', () => {
    fc.assert(
      fc.property(minor, currency, (m, c) => {
        const wire = JSON.stringify({ RequestedAmount: minorToNexoAmount(m, c) })
        const text = /"RequestedAmount":([^}]+)}/.exec(wire)![1]!
        // What goes on the wire is the exact decimal (trailing zeros aside), never a rounded float.
        expect(new Decimal(text).eq(new Decimal(minorToDecimalString(m, c)))).toBe(true)
        expect(nexoAmountToMinor((JSON.parse(wire) as { RequestedAmount: number }).RequestedAmount, c)).toBe(m)
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with the simulator’s conversion', () => {
    fc.assert(
      fc.property(minor.filter((m) => m > 0), currency, (m, c) => {
        expect(minorToNexo(m, c)).toBe(minorToNexoAmount(m, c))
        expect(nexoToMinor(minorToNexoAmount(m, c), c)).toBe(m)
      }),
      { numRuns: 1000 },
    )
  })

  it('reads the edge amounts exactly', () => {
    expect(minorToNexoAmount(1, 'CNY')).toBe(0.01)
    expect(minorToNexoAmount(1999, 'CNY')).toBe(19.99)
    expect(minorToNexoAmount(1234, 'JPY')).toBe(1234)
    expect(minorToNexoAmount(12345, 'BHD')).toBe(12.345)
    expect(JSON.stringify(minorToNexoAmount(MAX_MINOR - 1, 'CNY'))).toBe('999999999999.99')
    expect(nexoAmountToMinor(0.1 + 0.2, 'CNY')).toBeNull() // 0.30000000000000004 is not a CNY amount
    expect(nexoAmountToMinor(19.99, 'CNY')).toBe(1999)
    expect(nexoAmountToMinor(1.005, 'BHD')).toBe(1005)
  })

  it('refuses what is not an amount of the currency', () => {
    for (const [v, c] of [
      [12.345, 'CNY'],
      [1.5, 'JPY'],
      [12.3456, 'BHD'],
      [-1, 'CNY'],
      [Number.NaN, 'CNY'],
      [Infinity, 'CNY'],
      [1e-7, 'CNY'],
      [1e13, 'CNY'],
      ['12.50', 'CNY'],
      [null, 'CNY'],
    ] as const) {
      expect(nexoAmountToMinor(v, c), `${String(v)} ${c}`).toBeNull()
    }
    expect(() => minorToNexoAmount(1.5, 'CNY')).toThrow(/whole minor units/)
    expect(() => minorToNexoAmount(MAX_MINOR + 1, 'CNY')).toThrow(/whole minor units/)
  })
})

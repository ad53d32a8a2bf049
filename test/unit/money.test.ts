import Decimal from 'decimal.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CURRENCIES,
  MAX_MINOR,
  allocateLargestRemainder,
  assertMinor,
  exponentOf,
  formatMoney,
  isMinor,
  minorToDecimalString,
  parseMajor,
  roundMinor,
  roundToIncrement,
  type Currency,
  type RoundingMode,
} from '../../src/shared/money'

/** The sign of a zero result is not part of the contract: compare -0 and +0 as equal. */
const z = (n: number): number => n + 0

describe('ISO 4217 exponents', () => {
  it('CNY has 2 decimals, JPY 0, BHD 3', () => {
    expect(exponentOf('CNY')).toBe(2)
    expect(exponentOf('JPY')).toBe(0)
    expect(exponentOf('BHD')).toBe(3)
    expect(exponentOf('CHF')).toBe(2)
    expect(exponentOf('KWD')).toBe(3)
  })

  it('MAX_MINOR is a trillion major units of a 2-decimal currency and a safe integer', () => {
    // 1e12 × 100 = 1e14
    expect(MAX_MINOR).toBe(100_000_000_000_000)
    // Thirty figures at the limit still add up exactly.
    expect(Number.isSafeInteger(MAX_MINOR * 30)).toBe(true)
  })

  it('isMinor / assertMinor accept only safe integers', () => {
    expect(isMinor(1250)).toBe(true)
    expect(isMinor(-5)).toBe(true)
    expect(isMinor(12.5)).toBe(false)
    expect(isMinor(Number.NaN)).toBe(false)
    expect(isMinor(2 ** 53)).toBe(false)
    expect(isMinor('1250')).toBe(false)
    expect(assertMinor(42)).toBe(42)
    expect(() => assertMinor(0.1 + 0.2)).toThrow(RangeError)
    expect(() => assertMinor(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})

describe('roundMinor: the four rounding modes', () => {
  const cases: Array<[string, Record<RoundingMode, number>]> = [
    // value      half_up (ties away from 0)  half_even (ties to even)  down (to 0)  up (away from 0)
    ['2.5', { half_up: 3, half_even: 2, down: 2, up: 3 }],
    ['3.5', { half_up: 4, half_even: 4, down: 3, up: 4 }],
    ['-2.5', { half_up: -3, half_even: -2, down: -2, up: -3 }],
    ['-3.5', { half_up: -4, half_even: -4, down: -3, up: -4 }],
    ['0.5', { half_up: 1, half_even: 0, down: 0, up: 1 }],
    ['-0.5', { half_up: -1, half_even: 0, down: 0, up: -1 }],
    ['2.4', { half_up: 2, half_even: 2, down: 2, up: 3 }],
    ['2.6', { half_up: 3, half_even: 3, down: 2, up: 3 }],
    ['-2.6', { half_up: -3, half_even: -3, down: -2, up: -3 }],
    ['-2.4', { half_up: -2, half_even: -2, down: -2, up: -3 }],
    ['7', { half_up: 7, half_even: 7, down: 7, up: 7 }],
    ['-7', { half_up: -7, half_even: -7, down: -7, up: -7 }],
    ['2.0000000001', { half_up: 2, half_even: 2, down: 2, up: 3 }],
    ['2.4999999999', { half_up: 2, half_even: 2, down: 2, up: 3 }],
    ['1234567890123.5', { half_up: 1234567890124, half_even: 1234567890124, down: 1234567890123, up: 1234567890124 }],
  ]
  for (const [value, expected] of cases) {
    for (const mode of ['half_up', 'half_even', 'down', 'up'] as const) {
      it(`${mode}(${value}) = ${expected[mode]}`, () => {
        expect(z(roundMinor(new Decimal(value), mode))).toBe(expected[mode])
      })
    }
  }

  it('half_up rounds a negative tie away from zero (a refund of -0.5 fen is -1 fen, not 0)', () => {
    expect(roundMinor(new Decimal('-0.5'), 'half_up')).toBe(-1)
    expect(roundMinor(new Decimal('-12.5'), 'half_up')).toBe(-13)
  })
})

describe('roundToIncrement (cash rounding steps)', () => {
  it('CHF 0.05, half_up: 12.32 → 12.30, 12.33 → 12.35, 12.35 stays', () => {
    // 1232 / 5 = 246.4 → 246 → 1230;  1233 / 5 = 246.6 → 247 → 1235
    expect(roundToIncrement(1232, 5, 'half_up')).toBe(1230)
    expect(roundToIncrement(1233, 5, 'half_up')).toBe(1235)
    expect(roundToIncrement(1235, 5, 'half_up')).toBe(1235)
    expect(roundToIncrement(1237, 5, 'half_up')).toBe(1235) // 247.4 → 247
    expect(roundToIncrement(1238, 5, 'half_up')).toBe(1240) // 247.6 → 248
  })

  it('抹零 to the jiao (increment 10, down): 12.39 → 12.30', () => {
    expect(roundToIncrement(1239, 10, 'down')).toBe(1230)
    expect(roundToIncrement(1230, 10, 'down')).toBe(1230)
    expect(roundToIncrement(1231, 10, 'down')).toBe(1230)
  })

  it('抹零 to the yuan (increment 100, down): 12.99 → 12.00', () => {
    expect(roundToIncrement(1299, 100, 'down')).toBe(1200)
    expect(roundToIncrement(1200, 100, 'down')).toBe(1200)
    expect(roundToIncrement(99, 100, 'down')).toBe(0)
  })

  it('ties at an increment follow the mode, negative ties away from zero under half_up', () => {
    // 1235 / 10 = 123.5;  1245 / 10 = 124.5
    expect(roundToIncrement(1235, 10, 'half_up')).toBe(1240)
    expect(roundToIncrement(1245, 10, 'half_up')).toBe(1250)
    expect(roundToIncrement(1235, 10, 'half_even')).toBe(1240) // 124 is even
    expect(roundToIncrement(1245, 10, 'half_even')).toBe(1240) // 124 is even
    expect(roundToIncrement(-1235, 10, 'half_up')).toBe(-1240)
    expect(roundToIncrement(-1245, 10, 'half_up')).toBe(-1250)
    expect(roundToIncrement(-1245, 10, 'half_even')).toBe(-1240)
    expect(roundToIncrement(1231, 10, 'up')).toBe(1240)
    expect(roundToIncrement(-1231, 10, 'up')).toBe(-1240)
    expect(roundToIncrement(-1239, 10, 'down')).toBe(-1230)
  })

  it('increment 1 leaves the amount alone', () => {
    expect(roundToIncrement(1237, 1, 'down')).toBe(1237)
    expect(roundToIncrement(-1, 1, 'up')).toBe(-1)
  })

  it('refuses a zero, negative or fractional increment', () => {
    expect(() => roundToIncrement(100, 0, 'half_up')).toThrow(RangeError)
    expect(() => roundToIncrement(100, -5, 'half_up')).toThrow(RangeError)
    expect(() => roundToIncrement(100, 2.5, 'half_up')).toThrow(RangeError)
  })
})

describe('minorToDecimalString', () => {
  it('uses the currency exponent', () => {
    expect(minorToDecimalString(1250, 'CNY')).toBe('12.50')
    expect(minorToDecimalString(5, 'CNY')).toBe('0.05')
    expect(minorToDecimalString(-5, 'CNY')).toBe('-0.05')
    expect(minorToDecimalString(0, 'CNY')).toBe('0.00')
    expect(minorToDecimalString(1234, 'JPY')).toBe('1234')
    expect(minorToDecimalString(1234, 'BHD')).toBe('1.234')
    expect(minorToDecimalString(5, 'BHD')).toBe('0.005')
    expect(minorToDecimalString(0, 'BHD')).toBe('0.000')
  })

  it('is exact for the largest safe integer (no float on the way)', () => {
    // 9007199254740991 fen = 90071992547409.91 yuan
    expect(minorToDecimalString(Number.MAX_SAFE_INTEGER, 'CNY')).toBe('90071992547409.91')
    expect(minorToDecimalString(Number.MAX_SAFE_INTEGER, 'BHD')).toBe('9007199254740.991')
  })

  it('refuses a non-integer amount', () => {
    expect(() => minorToDecimalString(12.5, 'CNY')).toThrow(RangeError)
  })
})

describe('parseMajor', () => {
  const cases: Array<[string, Currency, number | null]> = [
    ['12.5', 'CNY', 1250],
    ['12.50', 'CNY', 1250],
    ['12', 'CNY', 1200],
    ['0.05', 'CNY', 5],
    ['0', 'CNY', 0],
    ['-3.10', 'CNY', -310],
    ['007.5', 'CNY', 750],
    // more decimals than the currency has
    ['12.505', 'CNY', null],
    ['12.500', 'CNY', null],
    ['12.3', 'JPY', null],
    ['12.0', 'JPY', null],
    ['1.2345', 'BHD', null],
    // not plain numbers
    ['1e5', 'CNY', null],
    ['1E5', 'CNY', null],
    ['NaN', 'CNY', null],
    ['Infinity', 'CNY', null],
    ['', 'CNY', null],
    ['   ', 'CNY', null],
    ['+5', 'CNY', null],
    ['--5', 'CNY', null],
    ['12.', 'CNY', null],
    ['.5', 'CNY', null],
    ['1,000.00', 'CNY', null],
    ['1 000', 'CNY', null],
    ['0x10', 'CNY', null],
    ['¥12', 'CNY', null],
    ['１２', 'CNY', null], // full-width digits
    ['12,5', 'CNY', null],
    // JPY: no decimals; BHD: three
    ['1234', 'JPY', 1234],
    ['1.234', 'BHD', 1234],
    ['1.23', 'BHD', 1230],
    ['0.5', 'BHD', 500],
    ['0.001', 'BHD', 1],
  ]
  for (const [text, currency, expected] of cases) {
    it(`${JSON.stringify(text)} ${currency} → ${expected}`, () => {
      expect(parseMajor(text, currency)).toBe(expected)
    })
  }

  it('trims surrounding white space: " 12.5 " is 12.50', () => {
    expect(parseMajor(' 12.5 ', 'CNY')).toBe(1250)
    expect(parseMajor('\t7.00\n', 'CNY')).toBe(700)
    // but not white space inside the number
    expect(parseMajor('12 .5', 'CNY')).toBeNull()
    expect(parseMajor('- 12.5', 'CNY')).toBeNull()
  })

  it('huge numbers: exact up to the largest safe integer, refused beyond', () => {
    // 90071992547409.91 yuan = 9007199254740991 fen = Number.MAX_SAFE_INTEGER
    expect(parseMajor('90071992547409.91', 'CNY')).toBe(9_007_199_254_740_991)
    // one fen more is not a safe integer
    expect(parseMajor('90071992547409.92', 'CNY')).toBeNull()
    // 15 integer digits × 100 = 1e17 fen: too big
    expect(parseMajor('999999999999999', 'CNY')).toBeNull()
    // 15 digits of yen are fine (9.99…e14 < 2^53)
    expect(parseMajor('999999999999999', 'JPY')).toBe(999_999_999_999_999)
    // 16 integer digits are refused outright
    expect(parseMajor('1000000000000000', 'JPY')).toBeNull()
    expect(parseMajor('9999999999999', 'BHD')).toBeNull() // 9.999e15 fils > 2^53
    expect(parseMajor('999999999999.999', 'BHD')).toBe(999_999_999_999_999)
    expect(parseMajor('-90071992547409.91', 'CNY')).toBe(-9_007_199_254_740_991)
  })

  it('round-trips every amount within ±MAX_MINOR through its decimal string, in every currency', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }), fc.constantFrom(...CURRENCIES), (amount, currency) => {
        expect(z(parseMajor(minorToDecimalString(amount, currency), currency) ?? Number.NaN)).toBe(amount)
      }),
      { numRuns: 500 },
    )
  })

  it('parses any decimal with at most `exponent` decimals to exactly int × 10^e + frac (BigInt reference)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Currency>('CNY', 'JPY', 'BHD'),
        fc.bigInt({ min: 0n, max: 999_999_999_999n }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 999 }),
        fc.boolean(),
        (currency, int, fracDigits, fracSeed, negative) => {
          const e = exponentOf(currency)
          const digits = Math.min(fracDigits, e)
          const frac = digits === 0 ? '' : String(fracSeed % 10 ** digits).padStart(digits, '0')
          const text = `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`
          // reference: int × 10^e + frac × 10^(e − digits)
          const expected = (int * 10n ** BigInt(e) + BigInt(frac || '0') * 10n ** BigInt(e - digits)) * (negative ? -1n : 1n)
          expect(z(parseMajor(text, currency) ?? Number.NaN)).toBe(Number(expected))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('formatMoney', () => {
  // ICU puts a no-break space between a currency code and the number; compare with plain spaces.
  const fmt = (amount: number, currency: Currency, locale: string) => formatMoney(amount, currency, locale).replace(/[\u00a0\u202f]/g, ' ')

  it('CNY in zh-CN is ¥12.50, in en-US CN¥12.50', () => {
    expect(fmt(1250, 'CNY', 'zh-CN')).toBe('¥12.50')
    expect(fmt(1250, 'CNY', 'en-US')).toBe('CN¥12.50')
    expect(fmt(5, 'CNY', 'zh-CN')).toBe('¥0.05')
    expect(fmt(123_456_789, 'CNY', 'zh-CN')).toBe('¥1,234,567.89')
    expect(fmt(123_456_789, 'CNY', 'en-US')).toBe('CN¥1,234,567.89')
    expect(fmt(-1250, 'CNY', 'zh-CN')).toBe('-¥12.50')
    expect(fmt(-1250, 'CNY', 'en-US')).toBe('-CN¥12.50')
    expect(fmt(0, 'CNY', 'zh-CN')).toBe('¥0.00')
  })

  it('JPY has no decimals', () => {
    expect(fmt(123_456, 'JPY', 'en-US')).toBe('¥123,456')
    expect(fmt(123_456, 'JPY', 'ja-JP')).toBe('￥123,456')
  })

  it('BHD has three decimals', () => {
    expect(fmt(1234, 'BHD', 'en-US')).toBe('BHD 1.234')
    expect(fmt(5, 'BHD', 'en-US')).toBe('BHD 0.005')
  })

  it('formats huge amounts exactly (a float would print …409.84 for …409.85)', () => {
    // 9007199254740985 / 100 as a double is 90071992547409.84375, which a float path prints as .84;
    // the decimal string "90071992547409.85" keeps every digit.
    expect(fmt(9_007_199_254_740_985, 'CNY', 'en-US')).toBe('CN¥90,071,992,547,409.85')
    expect(fmt(Number.MAX_SAFE_INTEGER, 'CNY', 'en-US')).toBe('CN¥90,071,992,547,409.91')
    expect(fmt(Number.MAX_SAFE_INTEGER, 'JPY', 'en-US')).toBe('¥9,007,199,254,740,991')
  })
})

describe('allocateLargestRemainder: examples', () => {
  it('100 over three equal weights: 33.33 each, the leftover unit goes to the earlier line', () => {
    // exact 33.33…, floors 33+33+33 = 99, 1 left; equal remainders → index 0
    expect(allocateLargestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33])
  })

  it('2 over four equal weights: 0.5 each → the first two get one', () => {
    expect(allocateLargestRemainder(2, [1, 1, 1, 1])).toEqual([1, 1, 0, 0])
  })

  it('largest remainder wins, not the earliest', () => {
    // 10 × [1,2,3]/6 = 1.667, 3.333, 5 → floors 1,3,5 (= 9); 1 left → largest remainder .667 → index 0
    expect(allocateLargestRemainder(10, [1, 2, 3])).toEqual([2, 3, 5])
    // 1 × [10,20,20]/50 = 0.2, 0.4, 0.4 → tie between 1 and 2 → the earlier, 1
    expect(allocateLargestRemainder(1, [10, 20, 20])).toEqual([0, 1, 0])
    // 5 × [3,1,1]/5 = 3, 1, 1 exactly
    expect(allocateLargestRemainder(5, [3, 1, 1])).toEqual([3, 1, 1])
    // 7 × [5,5,4]/14 = 2.5, 2.5, 2 → floors 2,2,2 (= 6); 1 left → tie .5/.5 → index 0
    expect(allocateLargestRemainder(7, [5, 5, 4])).toEqual([3, 2, 2])
  })

  it('a zero weight gets nothing', () => {
    expect(allocateLargestRemainder(10, [0, 1, 1])).toEqual([0, 5, 5])
    expect(allocateLargestRemainder(1, [0, 1, 1])).toEqual([0, 1, 0])
  })

  it('a negative total is the mirror image (refunds)', () => {
    expect(allocateLargestRemainder(-100, [1, 1, 1])).toEqual([-34, -33, -33])
    expect(allocateLargestRemainder(-10, [1, 2, 3])).toEqual([-2, -3, -5])
    expect(allocateLargestRemainder(-1, [1, 1]).map(z)).toEqual([-1, 0])
  })

  it('zero over zero weights is zeros; anything else over zero weights or a negative weight is refused', () => {
    expect(allocateLargestRemainder(0, [0, 0])).toEqual([0, 0])
    expect(allocateLargestRemainder(0, [])).toEqual([])
    expect(() => allocateLargestRemainder(5, [0, 0])).toThrow(RangeError)
    expect(() => allocateLargestRemainder(5, [])).toThrow(RangeError)
    expect(() => allocateLargestRemainder(5, [3, -1])).toThrow(RangeError)
  })

  it('large amounts: the leftover unit still goes to the largest exact remainder', () => {
    // total T = 13702909534, weights 6851454768 and 6851454767 (sum S = 13702909535 = T + 1).
    // exact shares T·w/S = w − w/S:
    //   line 0: 6851454768 − 6851454768/13702909535 = 6851454767.499999999963…  (remainder S/2 − 0.5 over S)
    //   line 1: 6851454767 − 6851454767/13702909535 = 6851454766.500000000036…  (remainder S/2 + 0.5 over S)
    // floors 6851454767 + 6851454766 = T − 1, so one unit is left; line 1 has the larger remainder.
    // Both lines are below MAX_MINOR; this is e.g. two 68-million-yuan lines with an order discount of all but a fen.
    expect(allocateLargestRemainder(13_702_909_534, [6_851_454_768, 6_851_454_767])).toEqual([6_851_454_767, 6_851_454_767])
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findCardNumber, isGtin, locateCardNumber, luhnValid } from '../../src/shared/card-number'

/** A Luhn-valid number of `len` digits starting with `prefix`. */
function withLuhn(prefix: string, body: string, len: number): string {
  const head = (prefix + body).slice(0, len - 1).padEnd(len - 1, '0')
  for (let d = 0; d < 10; d++) if (luhnValid(head + d)) return head + d
  throw new Error('unreachable')
}

describe('card numbers are found wherever they appear', () => {
  it('the test cards of every network, bare, grouped, inside text', () => {
    for (const pan of ['4111111111111111', '5555555555554444', '2223003122003222', '378282246310005', '6011111111111117', '3530111333300000', '6200000000000005', '36227206271667']) {
      expect(findCardNumber(pan)).toBe(pan)
      expect(findCardNumber(`paid with ${pan}.`)).toBe(pan)
    }
    expect(findCardNumber('card 4111 1111 1111 1111')).toBe('4111 1111 1111 1111')
    expect(findCardNumber('pay 5500-0000-0000-0004 now')).toBe('5500-0000-0000-0004')
    expect(findCardNumber('amex 3782 822463 10005')).toBe('3782 822463 10005')
  })

  it('any Luhn-valid 13–19 digit run starting 2–6 is found inside any text (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('2', '3', '4', '5', '6'), fc.stringMatching(/^\d{20}$/), fc.integer({ min: 13, max: 19 }), fc.string(), fc.string(), (p, body, len, before, after) => {
        const pan = withLuhn(p, body, len)
        const text = `${before.replace(/\d/g, '')} ${pan} ${after.replace(/\d/g, '')}`
        expect(findCardNumber(text)).toBe(pan)
      }),
    )
  })

  it('what is not a card: wrong Luhn, 20+ digit runs, other prefixes, receipt numbers, timestamps, hashes', () => {
    expect(findCardNumber('4111111111111112')).toBeNull()
    expect(findCardNumber(withLuhn('4', '1234567890123456789', 20))).toBeNull()
    expect(findCardNumber(withLuhn('1', '3456789012345678', 18))).toBeNull() // a WeChat payment code shape
    expect(findCardNumber('T01-20261122-0001')).toBeNull()
    expect(findCardNumber('2026-11-22T07:10:21.694Z')).toBeNull()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (n, d) => {
        const receipt = `T01-${d.toISOString().slice(0, 10).replace(/-/g, '')}-${String(n).padStart(4, '0')}`
        expect(findCardNumber(receipt)).toBeNull()
      }),
    )
  })

  it('locates the field, and lets a known field keep what it legitimately holds', () => {
    expect(locateCardNumber({ a: [{ b: 'x' }, { note: 'card 4111111111111111' }] })).toEqual({ path: ['a', 1, 'note'] })
    expect(locateCardNumber({ '4111111111111111': 1 })).toEqual({ path: ['4111111111111111'] })
    expect(locateCardNumber({ code: '6901234567892' })).toEqual({ path: ['code'] })
    expect(locateCardNumber({ code: '6901234567892' }, (path, text) => path[0] === 'code' && isGtin(text))).toBeNull()
    expect(isGtin('6901234567892')).toBe(true)
    expect(isGtin('6901234567893')).toBe(false)
  })
})

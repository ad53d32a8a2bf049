import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/shared/canonical-json'

describe('canonicalJson: examples', () => {
  it('sorts keys at every depth and writes no white space', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: {} } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":{},"z":1}}')
  })

  it('gives the same string for the same value built in any key order', () => {
    expect(canonicalJson({ total: 1049, id: 'o1', lines: [{ qty: '2', p: 'p1001' }] })).toBe(
      canonicalJson({ lines: [{ p: 'p1001', qty: '2' }], id: 'o1', total: 1049 }),
    )
  })

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]')
    expect(canonicalJson([])).toBe('[]')
    expect(canonicalJson({})).toBe('{}')
  })

  it('orders keys by code point: upper case before lower case, prefixes first', () => {
    expect(canonicalJson({ b: 1, a: 2, B: 3, aa: 4, '': 5 })).toBe('{"":5,"B":3,"a":2,"aa":4,"b":1}')
  })

  it('orders keys by UTF-16 code unit beyond the BMP, as RFC 8785 does (😀 before U+FF71 ｱ)', () => {
    // In UTF-16, '😀' is \uD83D\uDE00 and 0xD83D < 0xFF71, so RFC 8785's code-unit order puts it
    // first, although its code point U+1F600 is larger: the platform must sort the same way.
    expect(canonicalJson({ '\uFF71': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uFF71":1}')
  })

  it('writes scalars as JSON', () => {
    expect(canonicalJson(null)).toBe('null')
    expect(canonicalJson(true)).toBe('true')
    expect(canonicalJson(false)).toBe('false')
    expect(canonicalJson(0)).toBe('0')
    expect(canonicalJson(-1250)).toBe('-1250')
    expect(canonicalJson(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991')
    expect(canonicalJson('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"')
    expect(canonicalJson('收银')).toBe('"收银"')
  })

  it('drops object members that are undefined', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}')
  })

  it('refuses floats, NaN, infinities and unsafe integers', () => {
    for (const n of [12.5, 0.1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53), 1e21]) {
      expect(() => canonicalJson(n)).toThrow(TypeError)
      expect(() => canonicalJson({ ok: 1, deep: [{ bad: n }] })).toThrow(TypeError)
    }
  })

  it('refuses what JSON cannot hold exactly: undefined, functions, bigint, symbols', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError)
    expect(() => canonicalJson([1, undefined])).toThrow(TypeError)
    expect(() => canonicalJson(() => 1)).toThrow(TypeError)
    expect(() => canonicalJson(10n)).toThrow(TypeError)
    expect(() => canonicalJson({ a: Symbol('x') })).toThrow(TypeError)
  })
})

// Values canonical JSON can hold: null, booleans, safe integers, strings, arrays, objects.
const { value: canonicalArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'grapheme-ascii', maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
}))

/** Rebuild every object with its keys inserted in a shuffled order. */
function reorder(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, rnd))
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1))
      ;[entries[i], entries[j]] = [entries[j]!, entries[i]!]
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: reorder(v, rnd), enumerable: true, writable: true, configurable: true })
    return out
  }
  return value
}

describe('canonicalJson properties', () => {
  it('is independent of key insertion order', () => {
    fc.assert(
      fc.property(canonicalArb, fc.integer(), (value, seed) => {
        let s = seed >>> 0 || 1
        const rnd = () => {
          // xorshift32: a deterministic shuffle from the seed
          s ^= s << 13
          s >>>= 0
          s ^= s >>> 17
          s ^= s << 5
          s >>>= 0
          return s / 2 ** 32
        }
        expect(canonicalJson(reorder(value, rnd))).toBe(canonicalJson(value))
      }),
      { numRuns: 500 },
    )
  })

  it('is valid JSON that parses back to the same value, with no white space outside strings', () => {
    fc.assert(
      fc.property(canonicalArb, (value) => {
        const text = canonicalJson(value)
        expect(JSON.parse(text)).toEqual(value)
        // outside string literals there is no white space
        expect(/\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('lists object keys in sorted order at every depth', () => {
    fc.assert(
      fc.property(canonicalArb, (value) => {
        const check = (v: unknown): void => {
          if (Array.isArray(v)) v.forEach(check)
          else if (v && typeof v === 'object') {
            // JSON.parse keeps the text's key order (all keys here are non-index ASCII or sorted anyway)
            const keys = Object.keys(v).filter((k) => !/^(0|[1-9]\d*)$/.test(k))
            expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
            Object.values(v).forEach(check)
          }
        }
        check(JSON.parse(canonicalJson(value)))
      }),
      { numRuns: 300 },
    )
  })

  it('refuses any value that holds a float, NaN or an infinity anywhere', () => {
    const badNumber = fc.oneof(
      fc.double().filter((n) => !Number.isSafeInteger(n)),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 2 ** 53),
    )
    fc.assert(
      fc.property(canonicalArb, badNumber, fc.boolean(), (value, bad, inArray) => {
        const poisoned = inArray ? [value, { x: [bad] }] : { keep: value, zz: { bad } }
        expect(() => canonicalJson(poisoned)).toThrow(TypeError)
      }),
      { numRuns: 300 },
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/shared/canonical-json'
import { ACCOUNTS, addFigures, sumFigures, type LedgerLine, type LineTag, type PostedEntry, type PostingKind } from '../../src/shared/ledger'
import { eventHash, GENESIS_HASH } from '../../src/main/core/journal'
import { isCanonical, storedEventHash } from '../../src/main/core/verify/chain'

/** JSON values canonicalJson accepts: safe integers only, any strings (integer-like keys too). */
const json = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 3 }, fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string(), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 })),
})).value

describe('the hash from the stored text', () => {
  it('equals journal.ts eventHash for any event whose payload is canonical', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 2 ** 40 }), fc.string(), fc.string(), json, (id, device, seq, type, at, data) => {
        const payload = canonicalJson(data)
        expect(storedEventHash(GENESIS_HASH, id, device, seq, type, at, payload)).toBe(eventHash(GENESIS_HASH, { id, device, seq, type, at, data }))
      }),
      { numRuns: 300 },
    )
  })
})

describe('canonical form', () => {
  it('accepts what canonicalJson writes, integer-like keys included', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = canonicalJson(v)
        expect(isCanonical(text, JSON.parse(text))).toBe(true)
      }),
      { numRuns: 500 },
    )
    const t = canonicalJson({ 10: 'a', 9: 'b', b: 1, a: 2 })
    expect(t).toBe('{"10":"a","9":"b","a":2,"b":1}')
    expect(isCanonical(t, JSON.parse(t))).toBe(true)
  })

  it.each([
    ['white space', '{"a": 1}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a float', '{"a":1.5}'],
    ['an unsafe integer', '{"a":9007199254740993}'],
    ['a needless escape', '{"a":"\\u0041"}'],
    ['a repeated key', '{"a":1,"a":2}'],
    ['an exponent', '{"a":1e2}'],
  ])('refuses %s', (_what, text) => {
    expect(isCanonical(text, JSON.parse(text))).toBe(false)
  })
})

describe('figures summed in pieces', () => {
  const line = fc.oneof(
    fc.record({ account: fc.constantFrom(ACCOUNTS.clearing('cash'), ACCOUNTS.clearing('card'), ACCOUNTS.clearing('alipay')), tag: fc.constant<LineTag>('tender'), rate: fc.constant(null) }),
    fc.record({ account: fc.constantFrom(ACCOUNTS.taxPayable('vat13'), ACCOUNTS.taxPayable('vat9')), tag: fc.constant<LineTag>('tax'), rate: fc.constantFrom('13', '9') }),
    fc.record({
      account: fc.constantFrom(ACCOUNTS.revenue, ACCOUNTS.discounts, ACCOUNTS.rounding, ACCOUNTS.overShort, ACCOUNTS.refunds, ACCOUNTS.drawer, ACCOUNTS.safe),
      tag: fc.constantFrom<LineTag>('sale', 'cash_received', 'change_given', 'cash_refund', 'pay_in', 'pay_out', 'safe_drop', 'over_short', 'float'),
      rate: fc.constant(null),
    }),
  )
  const entry = fc.record({
    kind: fc.constantFrom<PostingKind>('sale', 'refund', 'void', 'reprint', 'shift_open', 'shift_close', 'cash_movement', 'closure'),
    lines: fc.array(fc.tuple(line, fc.integer({ min: -100_000, max: 100_000 }).filter((n) => n !== 0)).map(([l, amount]): LedgerLine => ({ ...l, amount })), { maxLength: 8 }),
    adjustmentOf: fc.option(fc.constant('2026-11-20'), { freq: 5 }),
  })
  const entries = fc.array(entry, { maxLength: 30 }).map((es) =>
    es.map((e, i): PostedEntry => ({ seq: i + 1, kind: e.kind, refId: `r${i}`, meta: { businessDate: '2026-11-21', shiftId: null, adjustmentOf: e.adjustmentOf }, lines: e.lines })),
  )

  it('addFigures of two runs equals sumFigures of both', () => {
    fc.assert(
      fc.property(entries, fc.nat(), fc.nat(), (es, a, b) => {
        const [i, j] = [a % (es.length + 1), b % (es.length + 1)].sort((x, y) => x - y) as [number, number]
        const pieces = [es.slice(0, i), es.slice(i, j), es.slice(j)].map((p) => sumFigures(p))
        const merged = pieces.reduce((x, y) => addFigures(x, y))
        expect(canonicalJson(merged)).toBe(canonicalJson(sumFigures(es)))
      }),
      { numRuns: 500 },
    )
  })
})

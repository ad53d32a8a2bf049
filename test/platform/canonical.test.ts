import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventHash, GENESIS_HASH } from '../../src/main/core/journal'
import { canonicalDataJson, canonicalEventJson, eventHashOf } from '../../src/platform/canonical'
import { canonicalJson } from '../../src/shared/canonical-json'
import { newId } from '../../src/shared/ids'
import { Chain, saleData } from './support'

/** The outcome of a serializer: its text, or the fact that it threw (and with which error class). */
function outcome(f: () => string): string {
  try {
    return `ok:${f()}`
  } catch (e) {
    return `throws:${(e as Error).constructor.name}`
  }
}

// Keys that stress the ordering rules: integer-like keys (enumerated first by JS), '__proto__',
// surrogates and astral characters (UTF-16 order differs from code point order), the empty key.
const trickyKey = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('0', '1', '9', '10', '01', '-1', '4294967295', '4294967294', '__proto__', 'constructor', '', 'a', 'A', 'é', '\uffff', '😀', '\ud800'),
)
const number = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 2 ** 53, -(2 ** 53), 1.5, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER), fc.double())
const { value: jsonish } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), number, fc.string({ unit: 'binary' }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(trickyKey, tie('value'), { maxKeys: 6 }),
}))

/** The same value as the till sends it: canonical text parsed back (sorted keys, the fast path). */
function asSent(v: unknown): unknown {
  try {
    return JSON.parse(canonicalJson(v))
  } catch {
    return v
  }
}

describe('canonical JSON on the ingest path', () => {
  it('canonicalDataJson gives exactly canonicalJson (text, or the same throw) for any value, sorted or not', () => {
    fc.assert(
      fc.property(jsonish, (v) => {
        expect(outcome(() => canonicalDataJson(v))).toBe(outcome(() => canonicalJson(v)))
        const sent = asSent(v)
        expect(outcome(() => canonicalDataJson(sent))).toBe(outcome(() => canonicalJson(sent)))
        // and through a JSON round trip, as the platform receives it
        const wire = JSON.stringify(sent)
        if (wire !== undefined) {
          const parsed: unknown = JSON.parse(wire)
          expect(outcome(() => canonicalDataJson(parsed))).toBe(outcome(() => canonicalJson(parsed)))
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('handles the values JSON.parse never makes the way canonicalJson does', () => {
    const sparse = [1, , 3]
    class Money {
      toJSON(): string {
        return 'x'
      }
    }
    const odd: unknown[] = [undefined, { a: undefined, b: 1 }, [undefined], sparse, new Money(), { t: new Date(0) }, Object.create({ inherited: 1 }), () => 1, 1n, Symbol('s')]
    const deep: unknown[] = []
    let cur = deep
    for (let i = 0; i < 300; i++) {
      const next: unknown[] = []
      cur.push(next)
      cur = next
    }
    odd.push(deep, { b: 1, a: 2 }, { 10: 1, 9: 2 }, JSON.parse('{"__proto__":{"x":1},"a":1}'))
    for (const v of odd) expect(outcome(() => canonicalDataJson(v))).toBe(outcome(() => canonicalJson(v)))
  })

  it('canonicalEventJson(e, canonicalDataJson(e.data)) is canonicalJson of the whole event, and the hash is the journal hash', () => {
    const base = fc.record({
      id: fc.oneof(fc.constant(newId()), fc.string({ unit: 'binary' })),
      device: fc.oneof(fc.constant(newId()), fc.string({ unit: 'binary' })),
      seq: fc.oneof(fc.integer({ min: 1 }), fc.maxSafeInteger(), fc.constantFrom(2 ** 53, 1.5)),
      type: fc.oneof(fc.constant('sale.completed'), fc.string({ unit: 'binary' })),
      at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ unit: 'binary' })),
      data: jsonish,
    })
    fc.assert(
      fc.property(base, fc.boolean(), (e0, sorted) => {
        const e = sorted ? { ...e0, data: asSent(e0.data) } : e0
        const whole = { id: e.id, device: e.device, seq: e.seq, type: e.type, at: e.at, data: e.data }
        expect(outcome(() => canonicalEventJson(e, canonicalDataJson(e.data)))).toBe(outcome(() => canonicalJson(whole)))
      }),
      { numRuns: 2000 },
    )
  })

  it('agrees on real till events: sales, other types, Chinese text, and hashes like the journal', () => {
    const c = new Chain(newId())
    for (let i = 0; i < 200; i++) {
      c.sale({ total: 1 + i * 137, lines: 1 + (i % 7), businessDate: '2026-11-22' })
      if (i % 10 === 0) c.next('shift.opened', { by: '李娜 Li Na', float: 10_000, notes: ['找零', 'ok'], nested: { z: 1, a: [null, true, false] } })
      if (i % 25 === 0) c.next('day.closed', { businessDate: '2026-11-22' })
    }
    c.next('refund.posted', { id: 'r1', orderId: 'o1', currency: 'CNY', amount: 500, businessDate: '2026-11-22' })
    let prev = GENESIS_HASH
    for (const e of c.events) {
      const received = JSON.parse(JSON.stringify(e)) as typeof e
      const text = canonicalEventJson(received, canonicalDataJson(received.data))
      expect(text).toBe(canonicalJson({ id: e.id, device: e.device, seq: e.seq, type: e.type, at: e.at, data: e.data }))
      expect(eventHashOf(received.prevHash, text)).toBe(e.hash)
      expect(e.prevHash).toBe(prev)
      prev = e.hash
    }
    const unsorted = saleData() // keys in the order the code wrote them: the slow path
    expect(canonicalDataJson(unsorted)).toBe(canonicalJson(unsorted))
    const { id, device, seq, type, at, data } = c.events[0]!
    expect(eventHashOf(GENESIS_HASH, canonicalEventJson({ id, device, seq, type, at }, canonicalDataJson(data)))).toBe(eventHash(GENESIS_HASH, { id, device, seq, type, at, data }))
  })
})

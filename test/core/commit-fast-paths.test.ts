import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/shared/canonical-json'
import { postingFor, saleBySchema, saleFast } from '../../src/shared/ledger'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { ensureDevice } from '../../src/main/core/device'
import { appendEvent, eventHash } from '../../src/main/core/journal'

/**
 * A sale commit takes shortcuts (bench/commit.ts): each must give exactly what the plain rule gives,
 * so that no stored byte and no hash changes.
 */

/** canonicalJson as it was written before the one-walk version: the oracle. */
function referenceCanonical(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON takes safe integers only, got ${value}`)
      return String(value)
    case 'string':
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(',')}]`
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
      return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceCanonical(obj[k])}`).join(',')}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot encode ${typeof value}`)
  }
}

const outcome = (f: () => string): string => {
  try {
    return `ok:${f()}`
  } catch (e) {
    return `throws:${(e as Error).constructor.name}`
  }
}

describe('canonicalJson equals the reference formulation', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('\uD800', 'a\uDC00b', '"\\', '\u2028', '\u007f', '收银 ¥12.50'))
  const key = fc.oneof(text, fc.constantFrom('0', '1', '10', '01', '-1', '__proto__x', 'a', 'B', ''))
  const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.maxSafeInteger(), fc.double(), fc.constant(undefined))
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value')), fc.sparseArray(tie('value')), fc.dictionary(key, tie('value'))),
  }))

  it('for any value, the same text or the same refusal', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => canonicalJson(v))).toBe(outcome(() => referenceCanonical(v)))
      }),
      { numRuns: 5000 },
    )
  })

  it('for strings JSON.stringify escapes (quotes, controls, lone surrogates) and the ones it does not', () => {
    const units = [...Array(0x100).keys(), ...Array.from({ length: 0x900 }, (_, i) => 0xd700 + i), 0x2028, 0x2029, 0xfeff, 0xfffd, 0xffff]
    for (const c of units) {
      const s = `a${String.fromCharCode(c)}b`
      expect(canonicalJson({ [s]: s })).toBe(referenceCanonical({ [s]: s }))
    }
  })
})

describe("a sale payload checked without zod equals the schema's result", () => {
  const day = fc.oneof(fc.constantFrom('2026-11-22', '2026-02-29', '2024-02-29', '2026-13-01', '2026-1-01', 'x'), fc.string())
  const int = fc.oneof(
    { arbitrary: fc.integer({ min: -5, max: 100_000 }), weight: 30 },
    { arbitrary: fc.constantFrom(-0, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN), weight: 1 },
    { arbitrary: fc.constant('1' as unknown as number), weight: 1 },
  )
  const payload = fc.record(
    {
      id: fc.oneof(fc.string(), fc.constant(1 as unknown as string)),
      currency: fc.constantFrom('CNY', 'EUR'),
      lineDiscounts: int,
      orderDiscount: int,
      total: int,
      cashRounding: int,
      paid: int,
      taxes: fc.array(fc.record({ taxId: fc.constantFrom('vat13', 'vat9'), rate: fc.constantFrom('13', '9'), amount: int, extra: fc.string() }, { requiredKeys: ['taxId', 'rate', 'amount'] })),
      tenders: fc.array(fc.record({ method: fc.constantFrom('cash', 'card', 'alipay', 'wechat', 'cheque'), amount: int, tendered: int, change: int })),
      businessDate: fc.string(),
      posting: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.record({ businessDate: day, shiftId: fc.oneof(fc.constant(null), fc.string({ maxLength: 70 })), adjustmentOf: fc.oneof(fc.constant(null), day), more: fc.string() }, { requiredKeys: ['businessDate'] }),
      ),
      lines: fc.array(fc.record({ productId: fc.string() })),
    },
    { requiredKeys: ['id', 'currency', 'total', 'taxes', 'tenders'] },
  )

  it('accepts only what the schema accepts, and returns what the schema returns', () => {
    let taken = 0
    let refused = 0
    fc.assert(
      fc.property(payload, (p) => {
        const fast = saleFast(p)
        const schema = saleBySchema(p)
        if (fast !== null) {
          taken++
          expect(schema.success).toBe(true)
          if (schema.success) expect(fast).toEqual(schema.data)
        } else if (schema.success) refused++
      }),
      { numRuns: 10_000 },
    )
    // Both sides exercised: many payloads take the shortcut, and it leaves none the schema takes.
    expect(taken).toBeGreaterThan(50)
    expect(refused).toBe(0)
  })

  it('takes the shortcut for a real sale', () => {
    const sale = {
      id: 'o1',
      currency: 'CNY',
      lineDiscounts: 0,
      orderDiscount: 0,
      total: 1049,
      cashRounding: 0,
      paid: 1049,
      taxes: [{ taxId: 'vat13', name: 'VAT 13%', rate: '13', base: 400, amount: 46 }],
      tenders: [{ id: 't', method: 'cash', amount: 1049, tendered: 2000, change: 951 }],
      businessDate: '2026-11-22',
      posting: { businessDate: '2026-11-22', shiftId: 's1', adjustmentOf: null },
    }
    expect(saleFast(sale)).not.toBeNull()
    expect(saleFast(sale)).toEqual((saleBySchema(sale) as { data: unknown }).data)
    expect(postingFor('sale.completed', sale)?.lines.length).toBe(7)
  })
})

describe('appendEvent', () => {
  it('stores the payload as canonical JSON and hashes the event as eventHash does', () => {
    const db = openDatabase(':memory:')
    const device = ensureDevice(db)
    const data = { z: 1, a: [{ b: '收', a: null }], m: { y: 'x', x: 'y' }, posting: undefined }
    const appended = db.transaction(() => appendEvent(db, device.id, 'note.written', '2026-11-22T03:00:00.000Z', data))()
    const row = db.prepare('SELECT * FROM journal WHERE seq = ?').get(appended.seq) as { event_id: string; payload: string; prev_hash: string; hash: string }
    expect(row.payload).toBe(referenceCanonical(data))
    expect(row.hash).toBe(eventHash(row.prev_hash, { id: row.event_id, device: device.id, seq: appended.seq, type: 'note.written', at: '2026-11-22T03:00:00.000Z', data }))
    expect(appended.hash).toBe(row.hash)
  })

  it('writes a posting of more lines than one insert holds, every line in order', () => {
    const db = openDatabase(':memory:')
    const device = ensureDevice(db)
    const payouts = Array.from({ length: 45 }, (_, i) => ({ provider: `p${i % 3}`, amount: 100 + i }))
    const data = {
      runId: 'run1',
      currency: 'CNY',
      confirmed: [],
      fees: [],
      payouts,
      differences: [],
      posting: { businessDate: '2026-11-22', shiftId: null, adjustmentOf: null },
    }
    const { seq } = db.transaction(() => appendEvent(db, device.id, 'reconciliation.completed', '2026-11-22T03:00:00.000Z', data))()
    const rows = db.prepare('SELECT line_no, account, tag, debit_minor - credit_minor AS amount, rate FROM ledger_lines WHERE journal_seq = ? ORDER BY line_no').all(seq)
    const expected = postingFor('reconciliation.completed', data)?.lines.map((l, i) => ({ line_no: i + 1, account: l.account, tag: l.tag, amount: l.amount, rate: l.rate }))
    expect(expected?.length).toBe(90)
    expect(rows).toEqual(expected)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_MINOR, ROUNDING_MODES, allocateLargestRemainder, type RoundingMode } from '../../src/shared/money'
import {
  priceCart,
  settleCash,
  type Discount,
  type PricedCart,
  type PricingLine,
  type PricingSettings,
  type TaxRate,
} from '../../src/shared/pricing'

// ---------------------------------------------------------------------------------------------
// An independent reference: exact rationals over BigInt, no decimal.js.
// ---------------------------------------------------------------------------------------------

/** n / d with d > 0. */
interface Q {
  n: bigint
  d: bigint
}

const q = (n: bigint, d = 1n): Q => (d < 0n ? { n: -n, d: -d } : { n, d })
const qAdd = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d)
const qMul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d)
const qDiv = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n)

/** "12.345" or "-6.5" → exact rational. */
function qDec(s: string): Q {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) throw new Error(`bad decimal ${s}`)
  const frac = m[3] ?? ''
  const n = BigInt(`${m[2]}${frac}`) * (m[1] ? -1n : 1n)
  return q(n, 10n ** BigInt(frac.length))
}

/** Round an exact rational to an integer; every mode is symmetric about zero. */
function roundQ(x: Q, mode: RoundingMode): bigint {
  const neg = x.n < 0n
  const a = neg ? -x.n : x.n
  const fl = a / x.d
  const r = a % x.d
  let m: bigint
  switch (mode) {
    case 'down':
      m = fl
      break
    case 'up':
      m = r === 0n ? fl : fl + 1n
      break
    case 'half_up':
      m = 2n * r >= x.d ? fl + 1n : fl
      break
    case 'half_even':
      m = 2n * r > x.d || (2n * r === x.d && fl % 2n === 1n) ? fl + 1n : fl
      break
  }
  return neg ? -m : m
}

/** Textbook largest remainder in exact integers: floors of T·w/S, leftovers by remainder, ties to the earlier index. */
function refAllocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) return refAllocate(-total, weights).map((p) => -p)
  const S = weights.reduce((a, w) => a + w, 0n)
  if (S === 0n) return weights.map(() => 0n)
  const parts = weights.map((w) => (total * w) / S)
  const rems = weights.map((w) => (total * w) % S)
  let left = total - parts.reduce((a, p) => a + p, 0n)
  const order = weights.map((_, i) => i).sort((a, b) => (rems[b]! > rems[a]! ? 1 : rems[b]! < rems[a]! ? -1 : a - b))
  for (const i of order) {
    if (left <= 0n) break
    parts[i] = parts[i]! + 1n
    left--
  }
  return parts
}

function refDiscount(base: bigint, d: Discount | undefined, mode: RoundingMode): bigint {
  if (!d) return 0n
  if (d.kind === 'amount') return BigInt(d.amount)
  return roundQ(qDiv(qMul(q(base), qDec(d.percent)), q(100n)), mode)
}

interface RefCart {
  lines: Array<{ gross: number; lineDiscount: number; orderDiscount: number; total: number; tax: number | null }>
  taxes: Array<{ taxId: string; base: number; amount: number }>
  subtotal: number
  lineDiscounts: number
  orderDiscount: number
  taxTotal: number
  total: number
}

function refCapInside(amounts: bigint[], price: bigint, priceMode: string): bigint[] {
  const out = [...amounts]
  let excess = out.reduce((a, x) => a + x, 0n) - price
  if (priceMode !== 'inclusive') return out
  for (let j = out.length - 1; j >= 0 && excess > 0n; j--) {
    const take = excess < out[j]! ? excess : out[j]!
    out[j] = out[j]! - take
    excess -= take
  }
  return out
}

/** The spec, written out again with exact rationals. */
function refPriceCart(lines: readonly PricingLine[], orderDiscount: Discount | undefined, s: PricingSettings): RefCart {
  const mode = s.roundingMode
  const first = lines.map((l) => {
    const gross = roundQ(qMul(q(BigInt(l.unitPrice)), qDec(l.quantity)), mode)
    const lineDiscount = refDiscount(gross, l.discount, mode)
    return { l, gross, lineDiscount, after: gross - lineDiscount }
  })
  const afterLines = first.reduce((a, x) => a + x.after, 0n)
  const orderDisc = refDiscount(afterLines, orderDiscount, mode)
  const shares = refAllocate(
    orderDisc,
    first.map((x) => x.after),
  )
  const rows = new Map<string, { base: bigint; exact: Q; rounded: bigint }>()
  const outLines = first.map((x, i) => {
    const total = x.after - shares[i]!
    const ratesPct = x.l.taxes.map((t) => qDec(t.rate))
    // inclusive: tax_j = total × R_j / (100 + ΣR);  exclusive: tax_j = total × R_j / 100
    const divisor = s.priceMode === 'inclusive' ? ratesPct.reduce((a, r) => qAdd(a, r), q(100n)) : q(100n)
    const exacts = x.l.taxes.map((_t, j) => qDiv(qMul(q(total), ratesPct[j]!), divisor))
    // Spec: tax inside a price never exceeds it; any excess from rounding up comes off the last taxes.
    const roundedLine = refCapInside(
      exacts.map((e) => roundQ(e, mode)),
      total,
      s.priceMode,
    )
    let lineTax = 0n
    x.l.taxes.forEach((t, j) => {
      const row = rows.get(t.id) ?? { base: 0n, exact: q(0n), rounded: 0n }
      rows.set(t.id, row)
      row.base += total
      row.exact = qAdd(row.exact, exacts[j]!)
      row.rounded += roundedLine[j]!
      lineTax += roundedLine[j]!
    })
    return {
      gross: Number(x.gross),
      lineDiscount: Number(x.lineDiscount),
      orderDiscount: Number(shares[i]!),
      total: Number(total),
      tax: s.taxRounding === 'line' ? Number(lineTax) : null,
    }
  })
  const linesTotal = outLines.reduce((a, l) => a + l.total, 0)
  const entries = [...rows.entries()]
  const docAmounts = refCapInside(
    entries.map(([, r]) => roundQ(r.exact, mode)),
    BigInt(linesTotal),
    s.priceMode,
  )
  const taxes = entries.map(([taxId, r], j) => ({
    taxId,
    base: Number(r.base),
    amount: Number(s.taxRounding === 'line' ? r.rounded : docAmounts[j]!),
  }))
  const taxTotal = taxes.reduce((a, t) => a + t.amount, 0)
  return {
    lines: outLines,
    taxes,
    subtotal: outLines.reduce((a, l) => a + l.gross, 0),
    lineDiscounts: outLines.reduce((a, l) => a + l.lineDiscount, 0),
    orderDiscount: Number(orderDisc),
    taxTotal,
    total: s.priceMode === 'inclusive' ? linesTotal : linesTotal + taxTotal,
  }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const TAXES: TaxRate[] = [
  { id: 'vat13', name: 'VAT 13%', rate: '13' },
  { id: 'vat9', name: 'VAT 9%', rate: '9' },
  { id: 'vat6', name: 'VAT 6%', rate: '6' },
  { id: 'svc6', name: 'Service 6%', rate: '6' }, // same rate as vat6, a different tax
  { id: 'zero', name: 'Zero-rated', rate: '0' },
  { id: 'odd', name: 'Odd 8.875%', rate: '8.875' },
]

/** Quantity string: 0–3 decimals, > 0, at most `maxInt` whole units. */
const quantityArb = (maxInt: number) =>
  fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 999 })).map(([int, decimals, seed]) => {
    const frac = decimals === 0 ? '' : String(seed % 10 ** decimals).padStart(decimals, '0')
    const text = frac ? `${int}.${frac}` : String(int)
    return /[1-9]/.test(text) ? text : '1'
  })

const percentArb = fc.integer({ min: 0, max: 10000 }).map((hundredths) => {
  const whole = Math.floor(hundredths / 100)
  const frac = hundredths % 100
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0')}`
})

/** A discount "intent": the amount is a fraction (per mille) of what it discounts, so it stays within bounds. */
type DiscountIntent = { kind: 'none' } | { kind: 'amount'; perMille: number } | { kind: 'percent'; percent: string }
const discountIntentArb: fc.Arbitrary<DiscountIntent> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.integer({ min: 0, max: 1000 }).map((perMille) => ({ kind: 'amount' as const, perMille })),
  percentArb.map((percent) => ({ kind: 'percent' as const, percent })),
)

const settingsArb: fc.Arbitrary<PricingSettings> = fc.record({
  currency: fc.constantFrom('CNY' as const, 'JPY' as const, 'BHD' as const, 'CHF' as const),
  priceMode: fc.constantFrom('inclusive' as const, 'exclusive' as const),
  taxRounding: fc.constantFrom('line' as const, 'document' as const),
  roundingMode: fc.constantFrom(...ROUNDING_MODES),
  cashRounding: fc.constant({ increment: 1, mode: 'half_up' as const }),
})

interface Scenario {
  lines: PricingLine[]
  order: Discount | undefined
  settings: PricingSettings
}

/**
 * Random carts: 1–30 lines, unit price 0..10^7 minor, quantity 0–3 decimals, 1–2 taxes per line,
 * line and order discounts within bounds. Bounds are mode-independent lower bounds computed here in
 * BigInt: g = floor(unitPrice × quantity) is at most the rounded gross in every mode, and a line after
 * its discount is at least g − amount, or g − ceil(g × percent / 100) for a percent discount.
 */
const scenarioArb = (maxQtyInt: number): fc.Arbitrary<Scenario> =>
  fc
    .record({
      raw: fc.array(
        fc.record({
          unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
          quantity: quantityArb(maxQtyInt),
          taxes: fc.uniqueArray(fc.constantFrom(...TAXES), { minLength: 1, maxLength: 2, selector: (t) => t.id }),
          discount: discountIntentArb,
        }),
        { minLength: 1, maxLength: 30 },
      ),
      order: discountIntentArb,
      settings: settingsArb,
    })
    .map(({ raw, order, settings }) => {
      let afterLinesLowerBound = 0n
      const lines: PricingLine[] = raw.map((r, i) => {
        const exact = qMul(q(BigInt(r.unitPrice)), qDec(r.quantity))
        const g = exact.n / exact.d
        let discount: Discount | undefined
        if (r.discount.kind === 'amount') {
          const amount = (g * BigInt(r.discount.perMille)) / 1000n
          discount = { kind: 'amount', amount: Number(amount) }
          afterLinesLowerBound += g - amount
        } else if (r.discount.kind === 'percent') {
          discount = { kind: 'percent', percent: r.discount.percent }
          const off = qDiv(qMul(q(g), qDec(r.discount.percent)), q(100n))
          afterLinesLowerBound += g - (off.n + off.d - 1n) / off.d // g − ceil(g × p / 100)
        } else {
          afterLinesLowerBound += g
        }
        return { productId: `p${i}`, unitPrice: r.unitPrice, quantity: r.quantity, taxes: r.taxes, discount }
      })
      let orderDiscount: Discount | undefined
      if (order.kind === 'percent') orderDiscount = { kind: 'percent', percent: order.percent }
      else if (order.kind === 'amount') orderDiscount = { kind: 'amount', amount: Number((afterLinesLowerBound * BigInt(order.perMille)) / 1000n) }
      return { lines, order: orderDiscount, settings }
    })

function allNumbers(value: unknown, path = 'cart', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof value === 'number') out.push([path, value])
  else if (Array.isArray(value)) value.forEach((v, i) => allNumbers(v, `${path}[${i}]`, out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) allNumbers(v, `${path}.${k}`, out)
  return out
}

// ---------------------------------------------------------------------------------------------
// Properties of a priced cart
// ---------------------------------------------------------------------------------------------

describe('priceCart: every receipt foots (random carts, the full contract range: quantities up to 99,999.999)', () => {
  const runs = { numRuns: 400 }
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0)

  it('every figure is a safe integer', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        for (const [path, n] of allNumbers(c)) expect(Number.isSafeInteger(n), path).toBe(true)
      }),
      runs,
    )
  })

  it('subtotal − line discounts − order discount (+ tax when exclusive) = total', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        const expected = c.subtotal - c.lineDiscounts - c.orderDiscount + (c.priceMode === 'exclusive' ? c.taxTotal : 0)
        expect(c.total).toBe(expected)
      }),
      runs,
    )
  })

  it('the lines add up: Σ gross = subtotal, Σ line discounts, Σ line totals, and each line = gross − discounts ≥ 0', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        expect(c.lines).toHaveLength(lines.length)
        expect(sum(c.lines.map((l) => l.gross))).toBe(c.subtotal)
        expect(sum(c.lines.map((l) => l.lineDiscount))).toBe(c.lineDiscounts)
        expect(sum(c.lines.map((l) => l.total))).toBe(c.total - (c.priceMode === 'exclusive' ? c.taxTotal : 0))
        for (const l of c.lines) {
          expect(l.total).toBe(l.gross - l.lineDiscount - l.orderDiscount)
          expect(l.total).toBeGreaterThanOrEqual(0)
          expect(l.lineDiscount).toBeGreaterThanOrEqual(0)
          expect(l.orderDiscount).toBeGreaterThanOrEqual(0)
        }
      }),
      runs,
    )
  })

  it('the order discount shares add up to the order discount, each within 1 of its exact proportional share', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        expect(sum(c.lines.map((l) => l.orderDiscount))).toBe(c.orderDiscount)
        const weights = c.lines.map((l) => BigInt(l.gross - l.lineDiscount))
        const S = weights.reduce((a, w) => a + w, 0n)
        if (S === 0n) return
        const T = BigInt(c.orderDiscount)
        c.lines.forEach((l, i) => {
          // |share − T·w/S| < 1  ⇔  |share·S − T·w| < S
          const diff = BigInt(l.orderDiscount) * S - T * weights[i]!
          expect(diff < S && -diff < S, `line ${i}`).toBe(true)
        })
      }),
      runs,
    )
  })

  it('tax rows: one per distinct tax in first-seen order, they sum to taxTotal, each base is its lines', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        const seen: string[] = []
        for (const l of lines) for (const t of l.taxes) if (!seen.includes(t.id)) seen.push(t.id)
        expect(c.taxes.map((t) => t.taxId)).toEqual(seen)
        expect(sum(c.taxes.map((t) => t.amount))).toBe(c.taxTotal)
        for (const row of c.taxes) {
          const carrying = c.lines.filter((l) => l.taxIds.includes(row.taxId))
          expect(row.base).toBe(sum(carrying.map((l) => l.total)))
          expect(row.amount).toBeGreaterThanOrEqual(0)
        }
      }),
      runs,
    )
  })

  it('per line: tax rows equal the sum of line taxes; per document: line tax is null', () => {
    fc.assert(
      fc.property(scenarioArb(99_999), ({ lines, order, settings }) => {
        const c = priceCart(lines, order, settings)
        if (c.taxRounding === 'line') {
          expect(sum(c.lines.map((l) => l.tax ?? Number.NaN))).toBe(c.taxTotal)
        } else {
          for (const l of c.lines) expect(l.tax).toBeNull()
        }
      }),
      runs,
    )
  })

  it('inclusive: the total is the shelf prices after discounts, and every line tax fits inside its line (net ≥ 0)', () => {
    fc.assert(
      fc.property(
        scenarioArb(99_999).filter((s) => s.settings.priceMode === 'inclusive'),
        ({ lines, order, settings }) => {
          const c = priceCart(lines, order, settings)
          expect(c.total).toBe(sum(c.lines.map((l) => l.total)))
          expect(c.taxTotal).toBeLessThanOrEqual(c.total)
          for (const l of c.lines) if (l.tax !== null) expect(l.total - l.tax).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('priceCart matches an exact BigInt reference of the spec (carts up to 10 units per line)', () => {
  // Up to 30 lines × 10^7 × 10 = 3·10^9 minor: the range in which the largest-remainder spread is exact
  // (see money.test.ts for a larger amount where it is not).
  it('every figure equals the reference', () => {
    fc.assert(
      fc.property(scenarioArb(10), ({ lines, order, settings }) => {
        const c: PricedCart = priceCart(lines, order, settings)
        const ref = refPriceCart(lines, order, settings)
        expect({
          lines: c.lines.map((l) => ({ gross: l.gross, lineDiscount: l.lineDiscount, orderDiscount: l.orderDiscount, total: l.total, tax: l.tax })),
          taxes: c.taxes.map((t) => ({ taxId: t.taxId, base: t.base, amount: t.amount })),
          subtotal: c.subtotal,
          lineDiscounts: c.lineDiscounts,
          orderDiscount: c.orderDiscount,
          taxTotal: c.taxTotal,
          total: c.total,
        }).toEqual(ref)
      }),
      { numRuns: 400 },
    )
  })

  it('the reference itself agrees with a hand-worked receipt (so it is not vacuous)', () => {
    // Same cart as the hand-worked "receipt foots" example in pricing.test.ts: total 3028.
    const lines: PricingLine[] = [
      { productId: 'a', unitPrice: 1299, quantity: '2', taxes: [TAXES[0]!], discount: { kind: 'percent', percent: '10' } },
      { productId: 'b', unitPrice: 350, quantity: '1.5', taxes: [TAXES[1]!], discount: { kind: 'amount', amount: 25 } },
    ]
    const ref = refPriceCart(lines, { kind: 'percent', percent: '5' }, {
      currency: 'CNY',
      priceMode: 'exclusive',
      taxRounding: 'line',
      roundingMode: 'half_up',
      cashRounding: { increment: 1, mode: 'half_up' },
    })
    expect(ref.total).toBe(3028)
    expect(ref.lines.map((l) => l.orderDiscount)).toEqual([117, 25])
  })
})

// ---------------------------------------------------------------------------------------------
// allocateLargestRemainder
// ---------------------------------------------------------------------------------------------

describe('allocateLargestRemainder properties', () => {
  const weightsArb = (max: number) =>
    fc.array(fc.oneof(fc.integer({ min: 0, max }), fc.constant(0), fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 30 })

  it('always sums to the total, each part within 1 of its exact share, same sign as the total (full range)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }), weightsArb(1_000_000_000_000), (total, weights) => {
        const S = weights.reduce((a, w) => a + BigInt(w), 0n)
        fc.pre(S > 0n)
        const parts = allocateLargestRemainder(total, weights)
        expect(parts).toHaveLength(weights.length)
        expect(parts.reduce((a, p) => a + p, 0)).toBe(total)
        parts.forEach((p, i) => {
          expect(Number.isSafeInteger(p)).toBe(true)
          const diff = BigInt(p) * S - BigInt(total) * BigInt(weights[i]!)
          expect(diff < S && -diff < S, `part ${i}`).toBe(true)
          if (weights[i] === 0) expect(p + 0).toBe(0)
          expect(total >= 0 ? p >= 0 : p <= 0).toBe(true)
        })
      }),
      { numRuns: 500 },
    )
  })

  it('is deterministic and does not touch its input', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), weightsArb(1_000_000_000), (total, weights) => {
        fc.pre(weights.some((w) => w > 0))
        const copy = [...weights]
        const a = allocateLargestRemainder(total, weights)
        const b = allocateLargestRemainder(total, copy)
        expect(a).toEqual(b)
        expect(weights).toEqual(copy)
      }),
      { numRuns: 300 },
    )
  })

  it('equals the textbook method (exact BigInt remainders, ties to the earlier index) for totals up to 10^9', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), weightsArb(100_000_000), (total, weights) => {
        fc.pre(weights.some((w) => w > 0))
        const expected = refAllocate(BigInt(total), weights.map(BigInt)).map(Number)
        expect(allocateLargestRemainder(total, weights).map((p) => p + 0)).toEqual(expected.map((p) => p + 0))
      }),
      { numRuns: 500 },
    )
  })

  it('equal weights get parts that differ by at most 1, the larger ones first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1000 }), (total, n, w) => {
        const parts = allocateLargestRemainder(total, Array.from({ length: n }, () => w))
        const base = Math.floor(total / n)
        const extra = total % n
        expect(parts).toEqual(Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0)))
      }),
      { numRuns: 300 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Cash rounding
// ---------------------------------------------------------------------------------------------

describe('settleCash properties: cash rounding only touches cash', () => {
  const incrementArb = fc.oneof(fc.constantFrom(1, 5, 10, 50, 100, 1000), fc.integer({ min: 1, max: 10_000 }))
  const modeArb = fc.constantFrom(...ROUNDING_MODES)

  it('rounded due is a multiple of the increment, |rounding| < increment, change = tendered − rounded due', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        incrementArb,
        modeArb,
        (due, tendered, increment, mode) => {
          const s = settleCash(due, tendered, { increment, mode })
          expect(s.due).toBe(due)
          expect(s.tendered).toBe(tendered)
          expect((s.roundedDue % increment) + 0).toBe(0)
          expect(s.rounding + 0).toBe(s.roundedDue - due + 0)
          expect(Math.abs(s.rounding)).toBeLessThan(increment)
          expect(s.change + 0).toBe(tendered - s.roundedDue + 0)
          // the mode decides the direction
          if (mode === 'down') expect(Math.abs(s.roundedDue)).toBeLessThanOrEqual(Math.abs(due))
          if (mode === 'up') expect(Math.abs(s.roundedDue)).toBeGreaterThanOrEqual(Math.abs(due))
          if (mode === 'half_up' || mode === 'half_even') expect(2 * Math.abs(s.rounding)).toBeLessThanOrEqual(increment)
          // and matches the exact reference: increment × round(due / increment)
          expect(s.roundedDue + 0).toBe(Number(BigInt(increment) * roundQ(q(BigInt(due), BigInt(increment)), mode)) + 0)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('after other tenders, only the cash part moves: other tenders + rounded cash = total + rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 1000 }),
        incrementArb,
        modeArb,
        (total, otherPerMille, increment, mode) => {
          const other = Math.floor((total * otherPerMille) / 1000) // card / QR part, untouched
          const s = settleCash(total - other, total, { increment, mode })
          expect(other + s.roundedDue).toBe(total + s.rounding)
          expect(s.due).toBe(total - other)
        },
      ),
      { numRuns: 300 },
    )
  })
})

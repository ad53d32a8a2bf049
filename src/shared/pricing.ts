import Decimal from 'decimal.js'
import { allocateLargestRemainder, roundMinor, roundToIncrement, type Currency, type Minor, type RoundingMode } from './money'

/**
 * The pricing engine: one pure function from a cart and the store's pricing settings to every
 * figure a receipt shows. Each convention is a named setting or a named rule below, so a reader
 * can see which one the engine follows. All outputs are whole minor units and foot exactly:
 *   subtotal − lineDiscounts − orderDiscount (+ taxTotal when prices exclude tax) = total
 */

/** Tax-inclusive shelf prices (China, EU) or tax-exclusive ones (US). */
export type PriceMode = 'inclusive' | 'exclusive'
/** Round tax on every line, or add every line's unrounded tax per tax and round once per document. */
export type TaxRounding = 'line' | 'document'

export interface CashRounding {
  /** Smallest cash step in minor units: 1 = none, 5 = 0.05 (CHF), 10 = 抹零 to the jiao, 100 = to the yuan. */
  increment: Minor
  mode: RoundingMode
}

export interface PricingSettings {
  currency: Currency
  priceMode: PriceMode
  taxRounding: TaxRounding
  roundingMode: RoundingMode
  cashRounding: CashRounding
}

export interface TaxRate {
  id: string
  name: string
  /** Percent as a decimal string, e.g. "13" or "6.5". */
  rate: string
}

export type Discount = { kind: 'amount'; amount: Minor } | { kind: 'percent'; percent: string }

export interface PricingLine {
  productId: string
  unitPrice: Minor
  /** Decimal string with at most 3 decimals (weighed goods), greater than zero. */
  quantity: string
  taxes: readonly TaxRate[]
  discount?: Discount | undefined
}

export interface PricedLine {
  productId: string
  unitPrice: Minor
  quantity: string
  /** unitPrice × quantity, rounded once. */
  gross: Minor
  lineDiscount: Minor
  /** This line's share of the order discount (largest remainder). */
  orderDiscount: Minor
  /** gross − lineDiscount − orderDiscount, in price-list terms (incl. tax when prices include tax). */
  total: Minor
  taxIds: string[]
  /** Per-line tax rounding only: this line's rounded tax; null when tax is rounded per document. */
  tax: Minor | null
}

export interface TaxRow {
  taxId: string
  name: string
  rate: string
  /** Line totals (price-list terms, after discounts) that carry this tax. */
  base: Minor
  amount: Minor
}

export interface PricedCart {
  currency: Currency
  priceMode: PriceMode
  taxRounding: TaxRounding
  roundingMode: RoundingMode
  lines: PricedLine[]
  subtotal: Minor
  lineDiscounts: Minor
  orderDiscount: Minor
  /** Taxes one row per tax (two taxes with the same rate stay two rows), in first-seen order. */
  taxes: TaxRow[]
  taxTotal: Minor
  /** What the customer owes before any cash rounding. */
  total: Minor
}

export class PricingError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'PricingError'
  }
}

const HUNDRED = new Decimal(100)

/** Rule: a line total is unit price × quantity, rounded once with the store's mode. */
function lineGross(unitPrice: Minor, quantity: string, mode: RoundingMode): Minor {
  return integerGross(unitPrice, quantity, mode) ?? roundMinor(new Decimal(unitPrice).mul(quantity), mode)
}

// ---- the same rules in whole numbers, for the amounts a till sees -----------------------------------
//
// A sale is priced on every commit, so the common cases skip decimal.js: a quantity with at most 3
// decimals and a rate with at most 4 are whole numbers over a power of ten, and a line's tax is then
// one exact fraction N / D of whole numbers. Rounding that fraction once gives what decimal.js gives
// (test/core/pricing-integer.test.ts holds them equal): decimal.js multiplies exactly and divides to
// 20 significant digits before the rounding to a whole unit, and with N a safe integer and D at
// most 10^8 the quotient has at most 10 integer digits, so 10 or more decimals are kept, while a
// fraction r / D that is not exactly 0 or ½ lies at least 1 / (2·D) ≥ 5·10^-9 from them: the
// 20-digit rounding can never carry it across. Anything outside these bounds (negative amounts,
// huge figures, other spellings of a number) takes decimal.js as before.

const WHOLE_QUANTITY = /^(\d{1,9})(?:\.(\d{1,3}))?$/
const PLAIN_RATE = /^(\d{1,3})(?:\.(\d{1,4}))?$/
const MAX_DIVISOR = 100_000_000

/** Whole N / D rounded with the store's mode, for 0 ≤ N ≤ 2^53 − 1 and 0 < D ≤ 10^8. */
function roundFraction(n: number, d: number, mode: RoundingMode): Minor {
  const r = n % d
  const q = (n - r) / d
  switch (mode) {
    case 'half_up':
      return 2 * r >= d ? q + 1 : q
    case 'half_even':
      return 2 * r > d || (2 * r === d && q % 2 === 1) ? q + 1 : q
    case 'down':
      return q
    case 'up':
      return r > 0 ? q + 1 : q
  }
}

/** unitPrice × quantity rounded, in whole numbers; null when decimal.js must do it. */
export function integerGross(unitPrice: Minor, quantity: string, mode: RoundingMode): Minor | null {
  const m = WHOLE_QUANTITY.exec(quantity)
  if (!m || !Number.isSafeInteger(unitPrice) || unitPrice < 0) return null
  const thousandths = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'))
  const n = unitPrice * thousandths
  if (!Number.isSafeInteger(n)) return null
  return roundFraction(n, 1000, mode)
}

/** A percent rate in millionths of the whole ("13" → 130000, "6.5" → 65000); null when not plain. */
function rateMillionths(rate: string): number | null {
  const m = PLAIN_RATE.exec(rate)
  return m ? Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0')) : null
}

/** Each tax of a line rounded (exactLineTaxes, then roundMinor), in whole numbers; null when decimal.js must do it. */
export function integerLineTaxes(total: Minor, taxes: readonly TaxRate[], priceMode: PriceMode, mode: RoundingMode): Minor[] | null {
  if (!Number.isSafeInteger(total) || total < 0) return null
  const rates: number[] = []
  let sum = 0
  for (const t of taxes) {
    const r = rateMillionths(t.rate)
    if (r === null) return null
    rates.push(r)
    sum += r
  }
  const d = priceMode === 'inclusive' ? 1_000_000 + sum : 1_000_000
  if (d > MAX_DIVISOR) return null
  const out: Minor[] = []
  for (const r of rates) {
    const n = total * r
    if (!Number.isSafeInteger(n)) return null
    out.push(roundFraction(n, d, mode))
  }
  return out
}

/** Rule: a percent discount is rounded with the store's mode; an amount discount may not exceed what it discounts. */
function discountAmount(base: Minor, d: Discount | undefined, mode: RoundingMode, field: string): Minor {
  if (!d) return 0
  if (d.kind === 'amount') {
    if (d.amount < 0 || d.amount > base) throw new PricingError(field, 'A discount cannot be negative or more than what it discounts.')
    return d.amount
  }
  const p = new Decimal(d.percent)
  if (p.isNeg() || p.gt(HUNDRED)) throw new PricingError(field, 'A discount percentage must be between 0 and 100.')
  return roundMinor(new Decimal(base).mul(p).div(HUNDRED), mode)
}

/**
 * Rule: the exact (unrounded) tax of each tax on one line. Inclusive prices carry the tax inside:
 * tax_j = total × r_j / (1 + Σr); exclusive prices add it: tax_j = total × r_j.
 */
function exactLineTaxes(total: Minor, taxes: readonly TaxRate[], priceMode: PriceMode): Decimal[] {
  const rates = taxes.map((t) => new Decimal(t.rate).div(HUNDRED))
  const divisor = priceMode === 'inclusive' ? rates.reduce((a, r) => a.plus(r), new Decimal(1)) : new Decimal(1)
  return rates.map((r) => new Decimal(total).mul(r).div(divisor))
}

/**
 * Rule: tax carried inside a price never exceeds that price, so net = gross − tax is never
 * negative. Only rounding several taxes up on a tiny amount can break it; the excess then comes
 * off the last taxes first.
 */
function capInsidePrice(amounts: Minor[], price: Minor, priceMode: PriceMode): Minor[] {
  let excess = amounts.reduce((a, x) => a + x, 0) - price
  if (priceMode !== 'inclusive' || excess <= 0) return amounts
  const out = [...amounts]
  for (let j = out.length - 1; j >= 0 && excess > 0; j--) {
    const take = Math.min(excess, out[j] ?? 0)
    out[j] = (out[j] ?? 0) - take
    excess -= take
  }
  return out
}

export function priceCart(lines: readonly PricingLine[], orderDiscount: Discount | undefined, s: PricingSettings): PricedCart {
  const mode = s.roundingMode
  const firstPass = lines.map((l, i) => {
    const gross = lineGross(l.unitPrice, l.quantity, mode)
    const lineDiscount = discountAmount(gross, l.discount, mode, `lines.${i}.discount`)
    return { l, gross, lineDiscount, afterLine: gross - lineDiscount }
  })
  const afterLines = firstPass.reduce((a, x) => a + x.afterLine, 0)
  const orderDisc = discountAmount(afterLines, orderDiscount, mode, 'orderDiscount')
  // Rule: the order discount is spread over lines in proportion to their totals, largest remainder.
  const weights = firstPass.map((x) => x.afterLine)
  // No order discount: every share is 0, as the allocation gives (it still refuses a negative weight).
  const shares = orderDisc === 0 && weights.every((w) => w >= 0) ? weights.map(() => 0) : allocateLargestRemainder(orderDisc, weights)

  const taxRows = new Map<string, { row: TaxRow; exact: Decimal }>()
  const priced: PricedLine[] = firstPass.map((x, i) => {
    const share = shares[i] ?? 0
    const total = x.afterLine - share
    // Rule (per line): round each tax on each line, then add the rounded amounts.
    const rounded =
      s.taxRounding === 'line'
        ? capInsidePrice(integerLineTaxes(total, x.l.taxes, s.priceMode, mode) ?? exactLineTaxes(total, x.l.taxes, s.priceMode).map((e) => roundMinor(e, mode)), total, s.priceMode)
        : null
    const exact = rounded ? null : exactLineTaxes(total, x.l.taxes, s.priceMode)
    x.l.taxes.forEach((t, j) => {
      let entry = taxRows.get(t.id)
      if (!entry) {
        entry = { row: { taxId: t.id, name: t.name, rate: t.rate, base: 0, amount: 0 }, exact: new Decimal(0) }
        taxRows.set(t.id, entry)
      }
      entry.row.base += total
      if (rounded) entry.row.amount += rounded[j] ?? 0
      else entry.exact = entry.exact.plus(exact?.[j] ?? 0)
    })
    const lineTax = rounded ? rounded.reduce((a, r) => a + r, 0) : null
    return {
      productId: x.l.productId,
      unitPrice: x.l.unitPrice,
      quantity: x.l.quantity,
      gross: x.gross,
      lineDiscount: x.lineDiscount,
      orderDiscount: share,
      total,
      taxIds: x.l.taxes.map((t) => t.id),
      tax: lineTax,
    }
  })
  const linesTotal = priced.reduce((a, l) => a + l.total, 0)
  // Rule (per document): add the unrounded tax of every line for each tax, then round once.
  if (s.taxRounding === 'document') {
    const rows = [...taxRows.values()]
    const capped = capInsidePrice(
      rows.map((e) => roundMinor(e.exact, mode)),
      linesTotal,
      s.priceMode,
    )
    rows.forEach((e, j) => (e.row.amount = capped[j] ?? 0))
  }

  const taxes = [...taxRows.values()].map((e) => e.row)
  const taxTotal = taxes.reduce((a, t) => a + t.amount, 0)
  return {
    currency: s.currency,
    priceMode: s.priceMode,
    taxRounding: s.taxRounding,
    roundingMode: mode,
    lines: priced,
    subtotal: priced.reduce((a, l) => a + l.gross, 0),
    lineDiscounts: priced.reduce((a, l) => a + l.lineDiscount, 0),
    orderDiscount: orderDisc,
    taxes,
    taxTotal,
    // Rule: inclusive prices already hold the tax (net = gross − tax, no hidden adjustment line).
    total: s.priceMode === 'inclusive' ? linesTotal : linesTotal + taxTotal,
  }
}

/** Share of the subtotal given away in discounts, as a Decimal percent (for the supervisor limit). */
export function discountPercent(cart: PricedCart): Decimal {
  if (cart.subtotal === 0) return new Decimal(0)
  const given = cart.lineDiscounts + cart.orderDiscount
  // Most sales give nothing away: 0 × 100 / a positive subtotal is exactly 0.
  if (given === 0 && cart.subtotal > 0) return new Decimal(0)
  return new Decimal(given).mul(HUNDRED).div(cart.subtotal)
}

export interface CashSettlement {
  /** What was due in cash before cash rounding (the remainder after other tenders). */
  due: Minor
  /** The cash amount actually asked for, after cash rounding. */
  roundedDue: Minor
  /** roundedDue − due: its own receipt line; never touches the other tenders. */
  rounding: Minor
  tendered: Minor
  /** tendered − roundedDue. Negative means not enough cash was given. */
  change: Minor
}

/** Rule: cash rounding applies to the cash remainder only, after every other tender. */
export function settleCash(cashRemainder: Minor, tendered: Minor, rounding: CashRounding): CashSettlement {
  const roundedDue = roundToIncrement(cashRemainder, rounding.increment, rounding.mode)
  return { due: cashRemainder, roundedDue, rounding: roundedDue - cashRemainder, tendered, change: tendered - roundedDue }
}

/** Quick cash amounts: exact, then the next round note values above it. */
export function quickCashAmounts(due: Minor, noteValues: readonly Minor[]): Minor[] {
  const out = [due]
  for (const note of noteValues) {
    const rest = due % note
    const next = rest === 0 ? due : due + (note - rest)
    if (next > due && !out.includes(next)) out.push(next)
    if (out.length >= 4) break
  }
  return out
}

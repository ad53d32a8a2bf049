import { MAX_MINOR, type Currency } from './money'

/**
 * The notes and coins a drawer holds, per currency, in minor units, largest first. A count is a
 * map of denomination value → how many; its total is exact integer arithmetic (no float ever
 * holds money). Currencies without a table here are counted as one "amount" line.
 */
export interface Denomination {
  value: number
  kind: 'note' | 'coin'
}

const n = (value: number): Denomination => ({ value, kind: 'note' })
const c = (value: number): Denomination => ({ value, kind: 'coin' })

export const DENOMINATIONS: Partial<Record<Currency, readonly Denomination[]>> = {
  // CNY: ¥100 50 20 10 5 1 notes; ¥1, 5 jiao, 1 jiao coins (the ¥1 exists as both).
  CNY: [n(10000), n(5000), n(2000), n(1000), n(500), n(100), c(100), c(50), c(10)],
  HKD: [n(100000), n(50000), n(10000), n(5000), n(2000), n(1000), c(1000), c(500), c(200), c(100), c(50), c(20), c(10)],
  USD: [n(10000), n(5000), n(2000), n(1000), n(500), n(200), n(100), c(100), c(50), c(25), c(10), c(5), c(1)],
  EUR: [n(50000), n(20000), n(10000), n(5000), n(2000), n(1000), n(500), c(200), c(100), c(50), c(20), c(10), c(5), c(2), c(1)],
  GBP: [n(5000), n(2000), n(1000), n(500), c(200), c(100), c(50), c(20), c(10), c(5), c(2), c(1)],
  JPY: [n(10000), n(5000), n(2000), n(1000), c(500), c(100), c(50), c(10), c(5), c(1)],
  CHF: [n(100000), n(20000), n(10000), n(5000), n(2000), n(1000), c(500), c(200), c(100), c(50), c(20), c(10), c(5)],
}

/** One counted line: `kind` tells a ¥1 note from a ¥1 coin, which share a value. */
export interface CountLine {
  value: number
  kind: 'note' | 'coin' | 'amount'
  count: number
}

export function denominationsOf(currency: Currency): readonly Denomination[] {
  return DENOMINATIONS[currency] ?? []
}

/** The total of a count in minor units. Throws on a line that is not a whole, non-negative count. */
export function countTotal(lines: readonly CountLine[], max = MAX_MINOR): number {
  let total = 0
  const seen = new Set<string>()
  for (const l of lines) {
    if (!Number.isSafeInteger(l.count) || l.count < 0) throw new RangeError(`count must be a whole number ≥ 0: ${l.count}`)
    if (!Number.isSafeInteger(l.value) || l.value < 0) throw new RangeError(`value must be whole minor units ≥ 0: ${l.value}`)
    // A typed amount is one line of money (count 1), never multiplied; each note or coin is counted once.
    if (l.kind === 'amount' && l.count > 1) throw new RangeError('a typed amount is counted once (count 0 or 1)')
    const key = `${l.kind}:${l.value}`
    if (l.kind !== 'amount' && seen.has(key)) throw new RangeError(`the ${l.kind} of ${l.value} is counted twice`)
    seen.add(key)
    total += l.value * l.count
    if (!Number.isSafeInteger(total) || total > max) throw new RangeError('count total is too large')
  }
  return total
}

/** Checks that every denomination line belongs to the currency's table (an 'amount' line always may). */
export function foreignDenomination(currency: Currency, lines: readonly CountLine[]): CountLine | null {
  const table = denominationsOf(currency)
  for (const l of lines) {
    if (l.kind === 'amount') continue
    if (!table.some((d) => d.value === l.value && d.kind === l.kind)) return l
  }
  return null
}

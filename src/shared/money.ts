import Decimal from 'decimal.js'

/**
 * Money is an integer count of minor units plus an ISO 4217 currency. Floats never hold money:
 * division and rates go through decimal.js, and formatting happens only at display time.
 */
export type Minor = number

/** ISO 4217 exponents of the currencies a store can choose. */
export const CURRENCY_EXPONENT = {
  CNY: 2,
  HKD: 2,
  TWD: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  SGD: 2,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3,
} as const

export type Currency = keyof typeof CURRENCY_EXPONENT
export const CURRENCIES = Object.keys(CURRENCY_EXPONENT) as Currency[]

export function exponentOf(currency: Currency): number {
  return CURRENCY_EXPONENT[currency]
}

/** Largest amount any single figure may reach: a trillion major units keeps every sum a safe integer. */
export const MAX_MINOR = 1_000_000_000_000_00

export function isMinor(n: unknown): n is Minor {
  return typeof n === 'number' && Number.isSafeInteger(n)
}

export function assertMinor(n: number, what = 'amount'): Minor {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} is not a whole number of minor units: ${n}`)
  return n
}

/** The rounding modes a store can choose. half_up is ties-away-from-zero, also for negative amounts. */
export const ROUNDING_MODES = ['half_up', 'half_even', 'down', 'up'] as const
export type RoundingMode = (typeof ROUNDING_MODES)[number]

const DECIMAL_MODE: Record<RoundingMode, Decimal.Rounding> = {
  half_up: Decimal.ROUND_HALF_UP, // decimal.js: ties away from zero
  half_even: Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN, // towards zero
  up: Decimal.ROUND_UP, // away from zero
}

/** Round an exact decimal amount of minor units to a whole minor unit. */
export function roundMinor(value: Decimal, mode: RoundingMode): Minor {
  // + 0 turns -0 (e.g. -0.4 rounded) into 0: a receipt never shows "-0.00".
  return value.toDecimalPlaces(0, DECIMAL_MODE[mode]).toNumber() + 0
}

/** Round to a multiple of `increment` minor units (cash rounding: 5 for CHF 0.05, 10 for 抹零 to the jiao). */
export function roundToIncrement(amount: Minor, increment: Minor, mode: RoundingMode): Minor {
  if (!Number.isSafeInteger(increment) || increment <= 0) throw new RangeError(`bad increment ${increment}`)
  if (increment === 1) return amount
  const steps = roundMinor(new Decimal(amount).div(increment), mode)
  return steps * increment
}

/** "12.50" for 1250 CNY: the exact decimal string of an amount, for display and adapters only. */
export function minorToDecimalString(amount: Minor, currency: Currency): string {
  // Place the decimal point in the integer's digits: exact, and no float or rounding anywhere.
  const e = exponentOf(currency)
  const n = assertMinor(amount)
  const digits = String(Math.abs(n)).padStart(e + 1, '0')
  const sign = n < 0 ? '-' : ''
  return e === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -e)}.${digits.slice(-e)}`
}

/**
 * Parse a major-unit string ("12.5", "12.50") into minor units. Refuses more decimals than the
 * currency has, exponents, signs other than a leading minus, and anything that is not a plain number.
 */
export function parseMajor(text: string, currency: Currency): Minor | null {
  const e = exponentOf(currency)
  const m = /^(-)?(\d{1,15})(?:\.(\d+))?$/.exec(text.trim())
  if (!m) return null
  const frac = m[3] ?? ''
  if (frac.length > e) return null
  const minor = new Decimal(`${m[2]}.${frac || '0'}`).mul(Decimal.pow(10, e))
  const value = minor.toNumber() * (m[1] ? -1 : 1) + 0
  return Number.isSafeInteger(value) ? value : null
}

/** Locale-correct money text, e.g. ¥12.50 or CN¥12.50. Passes a decimal string, never a float, to Intl. */
export function formatMoney(amount: Minor, currency: Currency, locale: string): string {
  const nf = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponentOf(currency),
    maximumFractionDigits: exponentOf(currency),
  })
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast is for older lib typings.
  return nf.format(minorToDecimalString(amount, currency) as unknown as number)
}

/**
 * Split `total` over `weights` in proportion, by the largest-remainder method: every part is the
 * floor of its exact share, and the leftover units go one each to the largest fractional remainders,
 * equal remainders to the earlier index. The parts always sum to `total` exactly.
 */
export function allocateLargestRemainder(total: Minor, weights: readonly Minor[]): Minor[] {
  if (total < 0) return allocateLargestRemainder(-total, weights).map((p) => (p === 0 ? 0 : -p))
  if (weights.some((w) => w < 0)) throw new RangeError('weights must not be negative')
  const sum = weights.reduce((a, w) => a + BigInt(w), 0n)
  if (sum === 0n) {
    if (total !== 0) throw new RangeError('cannot allocate a non-zero amount over zero weights')
    return weights.map(() => 0)
  }
  // Exact integer arithmetic: share_i = floor(total·w_i / Σw), remainder_i = (total·w_i) mod Σw.
  // Comparing remainders as BigInts keeps ties exact however large the amounts.
  const t = BigInt(total)
  const shares = weights.map((w, i) => ({ i, floor: (t * BigInt(w)) / sum, rem: (t * BigInt(w)) % sum }))
  let left = t - shares.reduce((a, s) => a + s.floor, 0n)
  const parts = shares.map((s) => s.floor)
  const order = [...shares].sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1))
  for (const { i } of order) {
    if (left <= 0n) break
    parts[i] = (parts[i] ?? 0n) + 1n
    left--
  }
  return parts.map(Number)
}

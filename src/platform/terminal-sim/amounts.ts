import Decimal from 'decimal.js'
import { CURRENCY_EXPONENT, MAX_MINOR } from '../../shared/money'

/**
 * nexo amounts are JSON numbers in decimal major units. The simulator accepts any ISO currency:
 * the exponents Daybook knows come from shared/money, any other currency is taken as 2 decimals.
 */
export function exponentFor(currency: string): number {
  return (CURRENCY_EXPONENT as Record<string, number>)[currency] ?? 2
}

/** Minor units of a nexo amount, or null when it is not a positive amount with at most the currency's decimals. */
export function nexoToMinor(value: unknown, currency: string): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  // String(value) is the shortest text that reads back as this double: the digits the sender wrote.
  const minor = new Decimal(String(value)).mul(Decimal.pow(10, exponentFor(currency)))
  if (!minor.isInteger() || minor.lte(0) || minor.gt(MAX_MINOR)) return null
  return minor.toNumber()
}

/** The nexo number for minor units: built from the exact decimal text, which JSON writes back unchanged. */
export function minorToNexo(minor: number, currency: string): number {
  const e = exponentFor(currency)
  const digits = String(minor).padStart(e + 1, '0')
  return Number(e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`)
}

export function minorToText(minor: number, currency: string): string {
  const e = exponentFor(currency)
  const digits = String(minor).padStart(e + 1, '0')
  return `${currency} ${e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`}`
}

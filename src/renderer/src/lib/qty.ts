/**
 * Quantities are decimal strings with at most 3 decimals (weighed goods), as the contract wants.
 * To add or compare them without floats they are handled as whole thousandths.
 */

export type Unit = 'each' | 'kg'

const QTY = /^(\d{1,5})(?:\.(\d{1,3}))?$/
export const MAX_QTY_MILLI = 99_999_000

/** Whole thousandths of a valid quantity string, or null. */
export function qtyToMilli(q: string): number | null {
  const m = QTY.exec(q.trim())
  if (!m) return null
  const whole = Number(m[1])
  const frac = Number((m[2] ?? '').padEnd(3, '0'))
  return whole * 1000 + frac
}

/** "1", "1.5", "0.532": the shortest string for whole thousandths. */
export function milliToQty(milli: number): string {
  const whole = Math.trunc(milli / 1000)
  const frac = milli % 1000
  if (frac === 0) return String(whole)
  return `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`
}

/** A typed quantity for a product of this unit, normalised, or null when it is not allowed. */
export function parseQuantity(text: string, unit: Unit): string | null {
  const t = text.trim().replace(',', '.')
  if (unit === 'each' && !/^\d{1,5}$/.test(t)) return null
  const milli = qtyToMilli(t)
  if (milli === null || milli <= 0 || milli > MAX_QTY_MILLI) return null
  return milliToQty(milli)
}

/** q + delta whole units; null when the result would be zero or less, or too large. */
export function addQuantity(q: string, delta: number): string | null {
  const milli = qtyToMilli(q)
  if (milli === null) return null
  const next = milli + delta * 1000
  if (next <= 0 || next > MAX_QTY_MILLI) return null
  return milliToQty(next)
}

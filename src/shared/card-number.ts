/**
 * Daybook never holds a full card number: the terminal reads the card, the till keeps a masked
 * PAN at most. This finds anything that looks like one so every boundary (IPC, the platform API,
 * terminal answers) can refuse it.
 *
 * What counts (a deliberate policy, see README "Card numbers"):
 *   - 13–19 digits in a row, or digits in the groupings cards are printed with (4-4-4-4[-1..3],
 *     4-6-4, 4-6-5) separated by single spaces or hyphens;
 *   - passing the Luhn check;
 *   - starting with 2–6, the major industry identifiers of the card networks (Mastercard 2/5,
 *     Amex/JCB/Diners 3, Visa 4, Discover/UnionPay 6).
 * The digit-run rule looks at whole runs only (no sliding windows): a 20-digit run is not a card.
 * A receipt number like T01-20261122-0001 is not in a card grouping, so it never matches.
 * Known collisions are handled where the field's meaning is known: a barcode field accepts a
 * valid GS1 GTIN, a wallet payment-code field accepts the Alipay/WeChat code shapes.
 */

const GROUPED = /(?<!\d)(?<!\d[ -])\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?(?![\d])|(?<!\d)(?<!\d[ -])\d{4}[ -]\d{6}[ -]\d{4,5}(?![\d])/g
const RUN = /\d+/g

export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

function cardLike(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && digits.charCodeAt(0) >= 50 && digits.charCodeAt(0) <= 54 && luhnValid(digits)
}

/** The first card-number-like substring of `text`, or null. */
export function findCardNumber(text: string): string | null {
  if (text.length < 13) return null
  for (const m of text.matchAll(RUN)) if (cardLike(m[0])) return m[0]
  for (const m of text.matchAll(GROUPED)) if (cardLike(m[0].replace(/[ -]/g, ''))) return m[0]
  return null
}

/** A GS1 GTIN-8/12/13/14 with a valid check digit (what a barcode field legitimately holds). */
export function isGtin(text: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(text)) return false
  let sum = 0
  for (let i = text.length - 2, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += (text.charCodeAt(i) - 48) * w
  return (10 - (sum % 10)) % 10 === text.charCodeAt(text.length - 1) - 48
}

export interface CardNumberHit {
  /** Where in the value: ['lines', 0, 'note']. */
  path: (string | number)[]
}

/**
 * Walks every string in a JSON-like value (keys included) and returns where the first card-like
 * number is, or null. `allow(path, text)` exempts a field whose meaning is known (a barcode, a
 * wallet code). Depth and size are bounded by the schemas at each boundary; this stops at 64 deep.
 */
export function locateCardNumber(value: unknown, allow?: (path: (string | number)[], text: string) => boolean): CardNumberHit | null {
  const walk = (v: unknown, path: (string | number)[], depth: number): CardNumberHit | null => {
    if (depth > 64) return null
    if (typeof v === 'string') return findCardNumber(v) !== null && !(allow?.(path, v) ?? false) ? { path } : null
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = walk(v[i], [...path, i], depth + 1)
        if (hit) return hit
      }
      return null
    }
    if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (findCardNumber(k) !== null) return { path: [...path, k] }
        const hit = walk(child, [...path, k], depth + 1)
        if (hit) return hit
      }
    }
    return null
  }
  return walk(value, [], 0)
}

/** Masked PAN as Daybook stores it: at most the first 6 and last 4 digits visible. */
export const MASKED_PAN_PATTERN = /^(\d{0,6})[*X•x]{3,13}(\d{0,4})$/

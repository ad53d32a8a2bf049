/**
 * Wallet fees in exact integer arithmetic (payments-protocols.md §4.3). Amounts are minor units and
 * rates basis points; BigInt keeps amount × rate exact past 2^53 (MAX_MINOR × 10 000 bp is 1e18).
 */

export const DEFAULT_FEE_BASIS_POINTS = 60

function checkInt(n: number, what: string): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, not ${n}`)
  return BigInt(n)
}

/** The fee of a payment: amount × bp / 10 000, rounded half-up to the minor unit (WeChat's rule). */
export function paymentFee(amount: number, basisPoints: number): number {
  const a = checkInt(amount, 'amount')
  const bp = checkInt(basisPoints, 'basis points')
  return Number((a * bp + 5000n) / 10000n)
}

/** n / d rounded half to even (banker's rounding), for n ≥ 0 and d > 0. */
export function divHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d
  const twice = (n % d) * 2n
  if (twice > d) return q + 1n
  if (twice === d) return q % 2n === 0n ? q : q + 1n
  return q
}

/**
 * The part of the fee a refund gives back: refund / (settled − refunded before) × (fee − fee refunded
 * before), half-even, computed once on the remaining figures so repeated refunds never drift and
 * their sum never exceeds the fee (the last refund of the rest returns exactly what is left).
 */
export function refundedFee(p: { refund: number; amount: number; refundedBefore: number; fee: number; feeRefundedBefore: number }): number {
  const refund = checkInt(p.refund, 'refund')
  const left = checkInt(p.amount, 'amount') - checkInt(p.refundedBefore, 'refunded')
  const feeLeft = checkInt(p.fee, 'fee') - checkInt(p.feeRefundedBefore, 'fee refunded')
  if (refund === 0n) return 0
  if (left <= 0n || refund > left) throw new RangeError(`refund ${refund} is more than the ${left} left`)
  if (feeLeft < 0n) throw new RangeError('more fee refunded than charged')
  return Number(divHalfEven(refund * feeLeft, left))
}

// ---- fee rates per store and provider (statements, issue 11) -------------------------------------------

/** How a fee is rounded to the minor unit (src/shared/money.ts ROUNDING_MODES: half_up, half_even, down = floor, up = ceiling). */
export type FeeRounding = 'half_up' | 'half_even' | 'down' | 'up'
export const FEE_ROUNDINGS: readonly FeeRounding[] = ['half_up', 'half_even', 'down', 'up']

/** n / d rounded by `mode`, for n ≥ 0 and d > 0. */
export function divRounded(n: bigint, d: bigint, mode: FeeRounding): bigint {
  switch (mode) {
    case 'half_up':
      return (n * 2n + d) / (2n * d)
    case 'half_even':
      return divHalfEven(n, d)
    case 'down':
      return n / d
    case 'up':
      return (n + d - 1n) / d
  }
}

/**
 * The fee of a payment at a store's rate: amount × bp / 10 000 rounded by the store's mode
 * (`half_up` is `paymentFee`, WeChat's rule). Refunds keep `refundedFee` (half-even, proportional).
 */
export function paymentFeeWith(amount: number, basisPoints: number, rounding: FeeRounding): number {
  const a = checkInt(amount, 'amount')
  const bp = checkInt(basisPoints, 'basis points')
  return Number(divRounded(a * bp, 10000n, rounding))
}

import { z } from 'zod'
import { CURRENCIES, MAX_MINOR } from './money'

/**
 * The renderer↔core contract of the customer display (the second window, `#/customer-display`).
 * The cart lives in the checkout screen's store until Pay freezes it into a checkout, so the till
 * tells the core what the customer should see — the priced cart as it is built, then a thank-you
 * with the change after a sale — and the display asks for it. The core keeps it in memory only
 * (it is a view, not a record: never the ledger, never synced) and emits `display-changed`.
 * Spread into `channels` (contract.ts).
 */

/** The display shows the newest lines; an older part of a long cart is summed up as "and N more". */
export const DISPLAY_MAX_LINES = 40
/** Long enough for any product name of the catalog (they are shown in one line, cut with …). */
export const DISPLAY_MAX_NAME = 120
/** How long the thank-you stays before the welcome screen comes back (unless a new sale starts first). */
export const DISPLAY_THANKS_MS = 15_000

const Minor = z.number().int().min(0).max(MAX_MINOR)
/** A signed amount (a line's total after a discount is never negative; kept signed for rounding). */
const SignedMinor = z.number().int().min(-MAX_MINOR).max(MAX_MINOR)
const Currency = z.enum(CURRENCIES as [string, ...string[]])
const Name = z.string().trim().max(DISPLAY_MAX_NAME)

export const DisplayLineSchema = z.strictObject({
  nameZh: Name,
  nameEn: Name,
  /** As the cart has it: "2", or "0.350" for weighed goods. */
  quantity: z.string().regex(/^\d{1,5}(\.\d{1,3})?$/, 'quantity must be a number with at most 3 decimals'),
  unit: z.enum(['each', 'kg']),
  /** The line's total after its discounts, in minor units. */
  amount: SignedMinor,
})
export type DisplayLine = z.infer<typeof DisplayLineSchema>

export const DisplayCartSchema = z.strictObject({
  currency: Currency,
  /** The newest lines last, at most DISPLAY_MAX_LINES. */
  lines: z.array(DisplayLineSchema).max(DISPLAY_MAX_LINES),
  /** Lines of the cart not sent (the oldest ones). */
  more: z.number().int().min(0).max(10_000),
  /** Every discount of the cart together (lines and order), shown as "You save". */
  discount: Minor,
  total: Minor,
})
export type DisplayCart = z.infer<typeof DisplayCartSchema>

export const DisplayThanksSchema = z.strictObject({
  currency: Currency,
  total: Minor,
  change: Minor,
})

/** What the till sends: nothing to show, the cart as it is built, or the thank-you after a sale. */
export const DisplaySetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('idle') }),
  z.strictObject({ kind: z.literal('cart'), cart: DisplayCartSchema }),
  z.strictObject({ kind: z.literal('thanks'), thanks: DisplayThanksSchema }),
])
export type DisplaySet = z.infer<typeof DisplaySetSchema>

/** What the display reads: the last thing set, numbered; a thank-you turns idle after DISPLAY_THANKS_MS. */
export const DisplayStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle'), seq: z.number().int(), at: z.string() }),
  z.object({ kind: z.literal('cart'), seq: z.number().int(), at: z.string(), cart: DisplayCartSchema }),
  z.object({ kind: z.literal('thanks'), seq: z.number().int(), at: z.string(), thanks: DisplayThanksSchema }),
])
export type DisplayState = z.infer<typeof DisplayStateSchema>

export const displayChannels = {
  /** The checkout screen's cart (debounced), the thank-you after a sale, or idle. Staff only. */
  'display-set': { input: DisplaySetSchema, output: DisplayStateSchema, auth: 'staff' },
  /**
   * The customer display asks. No sign-in: the display window faces the customer and may outlive
   * the cashier's session; what it gets is what the customer is shown anyway.
   */
  'display-get': { input: z.strictObject({}).optional(), output: DisplayStateSchema, auth: 'none' },
} as const

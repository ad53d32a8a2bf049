import { z } from 'zod'
import { MAX_MINOR } from './money'
import { MOVEMENT_KINDS } from './ledger'
import { TENDER_METHODS } from './payments'

/**
 * The renderer↔core contract for the end of the day: shifts, the drawer count, cash movements,
 * X and Z. Spread into `channels` (contract.ts); validated on arrival like every other channel.
 */

const Id = z.string().min(1).max(64)
const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')
const Minor = z.number().int().min(0).max(MAX_MINOR)
const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const Person = z.object({ id: z.string(), name: z.string() })

/** One line of a drawer count: how many notes or coins of one value (or a single typed amount). */
export const CountLineSchema = z.strictObject({
  value: z.number().int().min(0).max(MAX_MINOR),
  kind: z.enum(['note', 'coin', 'amount']),
  count: z.number().int().min(0).max(1_000_000),
})
export const CountSchema = z.array(CountLineSchema).max(40)

export const MOVEMENT_REASONS = ['change_float', 'petty_expense', 'supplier', 'bank_deposit', 'owner_draw', 'correction', 'other'] as const
export const MovementReasonSchema = z.enum(MOVEMENT_REASONS)

export const CashFiguresSchema = z.object({
  received: z.number(),
  change: z.number(),
  refunds: z.number(),
  payIns: z.number(),
  payOuts: z.number(),
  safeDrops: z.number(),
  overShort: z.number(),
})

export const DayFiguresSchema = z.object({
  counts: z.object({
    orders: z.number(),
    refunds: z.number(),
    voids: z.number(),
    reprints: z.number(),
    cashMovements: z.number(),
    shiftsOpened: z.number(),
    shiftsClosed: z.number(),
  }),
  grossSales: z.number(),
  discounts: z.number(),
  refunds: z.number(),
  rounding: z.number(),
  net: z.number(),
  tenders: z.array(z.object({ method: z.enum(TENDER_METHODS), sales: z.number(), refunds: z.number(), net: z.number() })),
  taxes: z.array(z.object({ taxId: z.string(), rate: z.string(), collected: z.number(), refunded: z.number(), net: z.number() })),
  cash: CashFiguresSchema,
  adjustments: z.array(z.object({ seq: z.number(), kind: z.string(), refId: z.string(), naturalDate: z.string(), amount: z.number() })),
})

export const MovementSchema = z.object({
  id: z.string(),
  shiftId: z.string(),
  kind: z.enum(MOVEMENT_KINDS),
  amount: z.number(),
  currency: z.string(),
  reason: MovementReasonSchema,
  note: z.string(),
  staff: Person,
  approvedBy: Person.nullable(),
  at: z.string(),
  journalSeq: z.number(),
})
export type Movement = z.infer<typeof MovementSchema>

/**
 * The first count a blind close was refused on (over/short beyond the threshold), kept in the journal
 * as a `shift.counted` event so a recount cannot replace it. `expected` and `overShort` are null for
 * a cashier while the shift is still open on a blind count.
 */
export const FirstCountSchema = z.object({
  counted: z.number(),
  count: CountSchema,
  expected: z.number().nullable(),
  overShort: z.number().nullable(),
  at: z.string(),
  countedBy: Person,
  journalSeq: z.number(),
})
export type FirstCount = z.infer<typeof FirstCountSchema>

/**
 * A shift as the screens see it. On a blind count, while the shift is open, a cashier gets
 * `expected` and `figures` as null (hidden until the count is in); a supervisor or the owner sees them.
 */
export const ShiftSchema = z.object({
  id: z.string(),
  state: z.enum(['open', 'closed']),
  deviceCode: z.string(),
  currency: z.string(),
  businessDate: BusinessDate,
  openedAt: z.string(),
  openedBy: Person,
  /** Who holds the shift now (a supervisor may take it over). */
  holder: Person,
  float: z.number(),
  openingCount: CountSchema,
  closedAt: z.string().nullable(),
  closedBy: Person.nullable(),
  expected: z.number().nullable(),
  counted: z.number().nullable(),
  overShort: z.number().nullable(),
  left: z.number().nullable(),
  closingCount: CountSchema.nullable(),
  overShortReason: z.string().nullable(),
  approvedBy: Person.nullable(),
  /** Null for a cashier while the shift is open on a blind count: the takings give away what is expected. */
  figures: DayFiguresSchema.nullable(),
  movements: z.array(MovementSchema),
  /** The first count of a blind close that was refused for over/short; null when none was refused. */
  firstCount: FirstCountSchema.nullable(),
})
export type Shift = z.infer<typeof ShiftSchema>

export const ClosureSchema = z.object({
  id: z.string(),
  number: z.number(),
  deviceCode: z.string(),
  storeName: z.string(),
  currency: z.string(),
  businessDate: BusinessDate,
  /** The first business day whose postings it covers (earlier than businessDate when days were not closed). */
  fromDate: BusinessDate,
  firstSeq: z.number(),
  lastSeq: z.number(),
  /** Hash of the last event covered; the closure's own event follows it in the chain. */
  lastHash: z.string(),
  closedAt: z.string(),
  closedBy: Person,
  figures: DayFiguresSchema,
  periodTotal: z.number(),
  previousGrandTotal: z.number(),
  grandTotal: z.number(),
  journalSeq: z.number(),
  hash: z.string(),
})
export type Closure = z.infer<typeof ClosureSchema>

export const DayBlockerSchema = z.object({
  kind: z.enum(['open_shift', 'open_checkout', 'unresolved_attempt', 'unresolved_refund', 'unresolved_void']),
  id: z.string(),
  /** What to show: a receipt or shift label and, for payments, the method and amount. */
  label: z.string(),
  method: z.string().nullable(),
  amount: z.number().nullable(),
})
export type DayBlocker = z.infer<typeof DayBlockerSchema>

/** The X report: everything the Z would show now, and what still stops the Z. Marked "not a closure". */
export const DayReportSchema = z.object({
  kind: z.literal('X'),
  deviceCode: z.string(),
  storeName: z.string(),
  currency: z.string(),
  businessDate: BusinessDate,
  fromDate: BusinessDate,
  firstSeq: z.number(),
  lastSeq: z.number(),
  at: z.string(),
  /**
   * Null (with periodTotal and grandTotal) for a cashier while a shift is open on a blind count:
   * the period's takings include the open drawer's. Hidden until the count is in.
   */
  figures: DayFiguresSchema.nullable(),
  periodTotal: z.number().nullable(),
  previousGrandTotal: z.number(),
  grandTotal: z.number().nullable(),
  shifts: z.array(ShiftSchema),
  blockers: z.array(DayBlockerSchema),
  /** Journal events not yet acknowledged by the platform (a warning, never a refusal). */
  unsynced: z.number(),
})
export type DayReport = z.infer<typeof DayReportSchema>

export const TillStatusSchema = z.object({
  businessDate: BusinessDate,
  /** open: trading; closing: no shift open but postings wait for a Z; closed: today's Z is done. */
  dayStatus: z.enum(['open', 'closing', 'closed']),
  lastClosure: z.object({ number: z.number(), businessDate: BusinessDate, closedAt: z.string() }).nullable(),
  shift: z.object({ id: z.string(), holder: Person, openedAt: z.string(), float: z.number() }).nullable(),
  /** The last close's "left in the drawer", offered as the next float. */
  suggestedFloat: z.number(),
  blindCount: z.boolean(),
})
export type TillStatus = z.infer<typeof TillStatusSchema>

export const shiftChannels = {
  'till-status': { input: z.strictObject({}).optional(), output: TillStatusSchema, auth: 'staff' },
  /** Opens this till's shift with a counted float. The same shiftId again returns the shift already opened. */
  'shift-open': { input: z.strictObject({ shiftId: Ulid, count: CountSchema }), output: ShiftSchema, auth: 'staff' },
  /** A supervisor (or the owner) takes over the open shift; recorded in the journal. */
  'shift-takeover': { input: z.strictObject({ shiftId: Id }), output: ShiftSchema, auth: 'staff' },
  'shift-get': { input: z.strictObject({ shiftId: Id }), output: ShiftSchema, auth: 'staff' },
  'shift-list': { input: z.strictObject({ businessDate: BusinessDate.optional() }), output: z.array(ShiftSchema), auth: 'staff' },
  /** Pay-in, pay-out or safe drop. Over the store limit a supervisor's approval (kind 'cash_movement') is needed. */
  'cash-move': {
    input: z.strictObject({
      movementId: Ulid,
      kind: z.enum(MOVEMENT_KINDS),
      amount: Minor.min(1),
      reason: MovementReasonSchema,
      note: z.string().max(200),
      approvalId: Id.optional(),
    }),
    output: MovementSchema,
    auth: 'staff',
  },
  /**
   * Closes the shift with the drawer count; `left` stays in the drawer as the next float. An
   * over/short beyond the store threshold needs `reason` and a supervisor's approval (kind 'over_short').
   */
  'shift-close': {
    input: z.strictObject({ shiftId: Id, count: CountSchema, left: Minor, reason: z.string().max(200).optional(), approvalId: Id.optional() }),
    output: ShiftSchema,
    auth: 'staff',
  },
  'day-x': { input: z.strictObject({}).optional(), output: DayReportSchema, auth: 'staff' },
  /** The Z: supervisor or owner. Refuses (day_blocked, naming each) while anything is unresolved. */
  'day-close': { input: z.strictObject({ closureId: Ulid }), output: ClosureSchema, auth: 'staff' },
  'closure-list': { input: z.strictObject({ limit: z.number().int().min(1).max(400).optional() }).optional(), output: z.array(ClosureSchema), auth: 'staff' },
  'closure-get': { input: z.strictObject({ id: Id }), output: ClosureSchema, auth: 'staff' },
} as const

import { z } from 'zod'
import { ClosureSchema, DayFiguresSchema } from './shifts-contract'
import { LocalRecordRefSchema, MATCH_CLASSES, ReconciliationSummarySchema, ResolutionSchema, StatementRowRefSchema } from './settlement-contract'
import { STATEMENT_PROVIDERS } from './statements/types'
import { TENDER_METHODS } from './payments'

/**
 * The renderer↔core contract for the owner's settlement review (issue 12): the business days, one
 * day explained, its reconciliation table, and exports. Every figure is read from the one ledger —
 * the Z's figures (closures) or, for a day not yet closed, the same sums an X makes; fees and payouts
 * from the day's latest reconciliation run — never from a second copy. Owner; a supervisor may look;
 * a cashier is refused by the core (forbidden), not only by the screen.
 */

const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const Person = z.object({ id: z.string(), name: z.string() })
const Id = z.string().min(1).max(64)

export const ReviewDaySummarySchema = z.object({
  businessDate: BusinessDate,
  /** open: trading or waiting for its Z; closed: its Z is written. */
  state: z.enum(['open', 'closed']),
  closureNumber: z.number().nullable(),
  orders: z.number(),
  grossSales: z.number(),
  net: z.number(),
  /** The latest reconciliation run of the day, if any. */
  reconciliation: z
    .object({ runId: z.string(), at: z.string(), differences: z.number(), unresolved: z.number(), unresolvedAmount: z.number() })
    .nullable(),
  /**
   * Expected net payout of the providers for the day (statement net, from the latest run), and when;
   * null before any run. `due`: the part of it with a payout date (a bill without payout dates, like the
   * wallets' trade bills, says only what is owed). `received`: what the providers' payout rows of those dates say they paid
   * into the bank (shared with other days paid on the same date); null while no payout row is seen.
   */
  payout: z.object({ expected: z.number(), dates: z.array(BusinessDate), due: z.number(), received: z.number().nullable() }).nullable(),
})
export type ReviewDaySummary = z.infer<typeof ReviewDaySummarySchema>

export const ReviewDaysSchema = z.object({
  currency: z.string(),
  /** Newest first. */
  days: z.array(ReviewDaySummarySchema),
  /** The last 30 business days' net sales, oldest first (days without sales are 0), for the chart. */
  trend: z.array(z.object({ businessDate: BusinessDate, net: z.number() })),
})
export type ReviewDays = z.infer<typeof ReviewDaysSchema>

export const ShiftReviewSchema = z.object({
  shiftId: z.string(),
  openedBy: Person,
  holder: Person,
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  /** Who counted the drawer at the close. */
  closedBy: Person.nullable(),
  approvedBy: Person.nullable(),
  float: z.number(),
  expected: z.number().nullable(),
  counted: z.number().nullable(),
  overShort: z.number().nullable(),
  reason: z.string().nullable(),
})

export const ProviderFeesSchema = z.object({
  provider: z.enum(STATEMENT_PROVIDERS),
  gross: z.number(),
  fee: z.number(),
  net: z.number(),
  /** Expected per payout date, and what that date's payout rows say was paid (null: none seen yet). */
  payouts: z.array(z.object({ date: BusinessDate.nullable(), amount: z.number(), received: z.number().nullable() })),
})

export const ReviewDaySchema = z.object({
  businessDate: BusinessDate,
  storeName: z.string(),
  deviceCode: z.string(),
  currency: z.string(),
  state: z.enum(['open', 'closed']),
  /** Gross by tender, refunds, discounts, tax per rate, rounding, cash, adjustments from closed days, counts: the Z's figures (or the X's for an open day). */
  figures: DayFiguresSchema,
  /** The Z that closed the day (number, period and grand totals, journal range, hash); null while open. */
  closure: ClosureSchema.nullable(),
  shifts: z.array(ShiftReviewSchema),
  /** Per provider, from the day's latest reconciliation run (the statement's own figures); empty before any run. */
  fees: z.array(ProviderFeesSchema),
  reconciliation: ReconciliationSummarySchema.nullable(),
  /** Net sales by hour of the day (store-local clock hour 0–23 of each order), all 24 hours present. */
  byHour: z.array(z.object({ hour: z.number().int().min(0).max(23), orders: z.number(), net: z.number() })),
  /** Net takings per payment method (sales − refunds), for the tender-mix chart. */
  tenderMix: z.array(z.object({ method: z.enum(TENDER_METHODS), net: z.number() })),
})
export type ReviewDay = z.infer<typeof ReviewDaySchema>

/** One line of the reconciliation table: a statement row and/or a till record, and its class. */
export const ReviewMatchSchema = z.object({
  class: z.enum(MATCH_CLASSES),
  provider: z.enum(STATEMENT_PROVIDERS),
  row: StatementRowRefSchema.nullable(),
  local: LocalRecordRefSchema.nullable(),
  /** For differences: the posted difference's id and its resolution. */
  differenceId: z.string().nullable(),
  resolution: ResolutionSchema.nullable(),
})
export type ReviewMatch = z.infer<typeof ReviewMatchSchema>

export const EXPORT_KINDS = ['csv_orders', 'csv_tenders', 'csv_reconciliation', 'pdf_day', 'pdf_z'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

export const ExportFileSchema = z.object({
  fileName: z.string(),
  mime: z.enum(['text/csv', 'application/pdf']),
  /** The file's bytes, base64 (CSV: UTF-8 with BOM, so that Excel opens the Chinese text). */
  base64: z.string(),
})
export type ExportFile = z.infer<typeof ExportFileSchema>

export const reviewChannels = {
  'review-days': { input: z.strictObject({ limit: z.number().int().min(1).max(366).optional() }), output: ReviewDaysSchema, auth: 'staff' },
  'review-day': { input: z.strictObject({ businessDate: BusinessDate }), output: ReviewDaySchema, auth: 'staff' },
  /** Every statement row and every till record of the day's latest run (or `runId`), each with its class; `class` filters. */
  'review-matches': {
    input: z.strictObject({ businessDate: BusinessDate, runId: Id.optional(), class: z.enum(MATCH_CLASSES).optional() }),
    output: z.object({ runId: z.string().nullable(), matches: z.array(ReviewMatchSchema) }),
    auth: 'staff',
  },
  /** CSV of the day (orders, tenders, reconciliation) or the day report / Z as PDF (embedded CJK font), made by the core. */
  'review-export': {
    input: z.strictObject({ businessDate: BusinessDate, kind: z.enum(EXPORT_KINDS), language: z.enum(['zh-CN', 'en']) }),
    output: ExportFileSchema,
    auth: 'staff',
  },
} as const


import { z } from 'zod'
import { STATEMENT_PROVIDERS, STATEMENT_ROW_TYPES, ProviderLookupSchema } from './statements/types'
import { TENDER_METHODS } from './payments'

/**
 * The renderer↔core contract for settlement at the till: the providers' statements and the
 * reconciliation (对账) of a business day against them. Spread into `channels` (contract.ts).
 *
 * A run is a posted record (journal event `reconciliation.completed`): a later run on a newer
 * statement is a new run, never an edit. A difference is acted on, never edited away: asked again
 * (the platform asks the provider) or resolved with a note (journal event `reconciliation.resolved`);
 * it stays visible with its resolution.
 */

const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')
const Id = z.string().min(1).max(64)
const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
const Person = z.object({ id: z.string(), name: z.string() })

export const DIFFERENCE_CLASSES = ['missing_locally', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'date_mismatch'] as const
export type DifferenceClass = (typeof DIFFERENCE_CLASSES)[number]
/** Every row and tender ends in exactly one of these. */
export const MATCH_CLASSES = ['matched', ...DIFFERENCE_CLASSES] as const
export type MatchClass = (typeof MATCH_CLASSES)[number]

/** A statement the till holds (downloaded from the platform or imported from a file). */
export const TillStatementSchema = z.object({
  id: z.string(),
  provider: z.enum(STATEMENT_PROVIDERS),
  format: z.string(),
  date: BusinessDate,
  merchantId: z.string(),
  source: z.enum(['platform', 'file']),
  fileName: z.string(),
  fileSha256: z.string(),
  rows: z.number(),
  gross: z.number(),
  fee: z.number(),
  net: z.number(),
  importedAt: z.string(),
})
export type TillStatement = z.infer<typeof TillStatementSchema>

/** The statement row behind a match or a difference (null when the till has it and the provider does not). */
export const StatementRowRefSchema = z.object({
  statementId: z.string(),
  line: z.number(),
  type: z.enum(STATEMENT_ROW_TYPES),
  providerRef: z.string(),
  merchantRef: z.string().nullable(),
  refundRef: z.string().nullable(),
  gross: z.number(),
  fee: z.number(),
  net: z.number(),
  providerTime: z.string(),
  providerDate: BusinessDate,
})

/** The till's side: a tender attempt, a refund or a void's reversal (null when only the provider has it). */
export const LocalRecordRefSchema = z.object({
  kind: z.enum(['tender', 'refund', 'reversal']),
  id: z.string(),
  method: z.enum(TENDER_METHODS),
  orderId: z.string().nullable(),
  receiptNo: z.string().nullable(),
  amount: z.number(),
  /** The till's state of it: succeeded, failed, unknown, reversed… */
  state: z.string(),
  businessDate: BusinessDate,
  providerRef: z.string().nullable(),
})

export const ResolutionSchema = z.object({
  id: z.string(),
  differenceId: z.string(),
  kind: z.enum(['explained', 'corrected', 'written_off']),
  note: z.string(),
  by: Person,
  at: z.string(),
  journalSeq: z.number(),
  /**
   * A correction sale: the provider's payment the till never booked, posted as a sale of the amount
   * (VAT-inclusive at the tax chosen) on the business day it was posted; null for any other resolution.
   */
  correction: z.object({ method: z.enum(TENDER_METHODS), taxId: z.string(), rate: z.string(), tax: z.number(), businessDate: BusinessDate }).nullable(),
})
export type Resolution = z.infer<typeof ResolutionSchema>

export const DifferenceSchema = z.object({
  id: z.string(),
  class: z.enum(DIFFERENCE_CLASSES),
  provider: z.enum(STATEMENT_PROVIDERS),
  /** Signed minor units put to suspense (挂账): provider's net effect minus the till's. */
  amount: z.number(),
  /** One line a person reads: what differs, e.g. "Alipay has ¥30.00, the till ¥25.00". */
  detail: z.string(),
  row: StatementRowRefSchema.nullable(),
  local: LocalRecordRefSchema.nullable(),
  resolution: ResolutionSchema.nullable(),
  /** The last "ask again" answer, if any (not a posted record: the provider's view at that time). */
  lookup: ProviderLookupSchema.nullable(),
})
export type Difference = z.infer<typeof DifferenceSchema>

export const ProviderSummarySchema = z.object({
  provider: z.enum(STATEMENT_PROVIDERS),
  statementIds: z.array(z.string()),
  /** Statement rows by class, and the till's records for this provider on the day. */
  rows: z.number(),
  local: z.number(),
  matched: z.number(),
  gross: z.number(),
  fee: z.number(),
  net: z.number(),
  /** Expected payouts: net per payout date (the statement's own figures). */
  payouts: z.array(z.object({ date: BusinessDate.nullable(), amount: z.number() })),
})

export const ReconciliationSchema = z.object({
  id: z.string(),
  businessDate: BusinessDate,
  at: z.string(),
  by: Person,
  counts: z.record(z.enum(MATCH_CLASSES), z.number()),
  providers: z.array(ProviderSummarySchema),
  /** Cash is reconciled by the shift counts: each closed shift's over/short on the day. */
  cash: z.array(z.object({ shiftId: z.string(), holder: Person, overShort: z.number().nullable() })),
  differences: z.array(DifferenceSchema),
  /** Σ differences not yet resolved (the suspense balance this run leaves). */
  unresolved: z.number(),
  journalSeq: z.number(),
})
export type Reconciliation = z.infer<typeof ReconciliationSchema>

export const ReconciliationSummarySchema = ReconciliationSchema.omit({ differences: true, providers: true, cash: true })
export type ReconciliationSummary = z.infer<typeof ReconciliationSummarySchema>

export const settlementChannels = {
  /** Downloads every provider's statement for the business day (and the next provider day, for date_mismatch) from the platform. */
  'statement-fetch': {
    input: z.strictObject({ businessDate: BusinessDate }),
    output: z.object({
      statements: z.array(TillStatementSchema),
      missing: z.array(z.object({ provider: z.enum(STATEMENT_PROVIDERS), date: BusinessDate, reason: z.string(), availableAt: z.string().nullable(), message: z.string() })),
    }),
    auth: 'staff',
  },
  /** Imports a bill file downloaded by hand from a merchant portal (base64 of its bytes), when the platform cannot be reached. */
  'statement-import': {
    input: z.strictObject({ fileName: z.string().min(1).max(255), base64: z.string().min(1).max(64 * 1024 * 1024) }),
    output: TillStatementSchema,
    auth: 'staff',
  },
  'statement-list': { input: z.strictObject({ businessDate: BusinessDate.optional() }), output: z.array(TillStatementSchema), auth: 'staff' },
  /** Reconciles the business day against the statements the till holds; posts `reconciliation.completed`. Supervisor or owner. */
  'reconcile-run': { input: z.strictObject({ runId: Ulid, businessDate: BusinessDate }), output: ReconciliationSchema, auth: 'staff' },
  'reconcile-list': { input: z.strictObject({ businessDate: BusinessDate.optional() }), output: z.array(ReconciliationSummarySchema), auth: 'staff' },
  'reconcile-get': { input: z.strictObject({ runId: Id }), output: ReconciliationSchema, auth: 'staff' },
  /** "Ask again": the till asks the platform, which asks the provider; the answer is shown, nothing is posted. */
  'difference-ask': { input: z.strictObject({ runId: Id, differenceId: Id }), output: DifferenceSchema, auth: 'staff' },
  /** Resolves a difference with a note (who, when, why): posts `reconciliation.resolved`; the difference stays visible. */
  'difference-resolve': {
    input: z.strictObject({
      resolutionId: Ulid,
      runId: Id,
      differenceId: Id,
      kind: z.enum(['explained', 'corrected', 'written_off']),
      note: z.string().trim().min(3).max(500),
      /**
       * With `corrected`, on money the provider has and the till never booked (missing_locally,
       * status_mismatch): post it as a correction sale at this tax (one of the store's taxes).
       */
      correctionSale: z.strictObject({ taxId: z.string().min(1).max(32) }).optional(),
    }),
    output: DifferenceSchema,
    auth: 'staff',
  },
} as const

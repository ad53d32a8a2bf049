import { z } from 'zod'
import { CURRENCIES, MAX_MINOR } from '../money'

/**
 * One normalized statement, whatever the provider's file looked like (payments-protocols.md §4).
 * Parsed from the providers' own formats (Alipay's GBK ZIP bill, WeChat Pay's backtick trade bill,
 * Adyen's Settlement details report), served by the platform to the till, reconciled at the till.
 *
 * Signs are the merchant's: a payment's gross is positive, a refund's negative; a fee charged is
 * positive, a fee given back (WeChat returns part of the fee on a refund) negative; net = gross − fee
 * on every row. A payout (the provider paying the merchant's bank) has gross = net = −amount, fee 0:
 * money leaves the provider's balance. All amounts are integer minor units, parsed from the decimal
 * text exactly, never through a float.
 */

/** Who sent the statement. `card`: the card acquirer (Adyen's reports; our terminal simulator plays it). */
export const STATEMENT_PROVIDERS = ['alipay', 'wechat', 'card'] as const
export type StatementProvider = (typeof STATEMENT_PROVIDERS)[number]

export const STATEMENT_FORMATS = ['alipay_bill_zip', 'wechat_trade_bill', 'adyen_settlement_detail'] as const
export type StatementFormat = (typeof STATEMENT_FORMATS)[number]

export const STATEMENT_ROW_TYPES = ['payment', 'refund', 'fee', 'payout'] as const
export type StatementRowType = (typeof STATEMENT_ROW_TYPES)[number]

const SignedMinor = z.number().int().min(-MAX_MINOR).max(MAX_MINOR)
const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

export const StatementRowSchema = z.object({
  /** 1-based line in the source file (the decoded CSV's line), so an error or a difference can name it. 0 when not from a file. */
  line: z.number().int().min(0),
  type: z.enum(STATEMENT_ROW_TYPES),
  /** The provider's own reference: 支付宝交易号 / 微信订单号 / Adyen Psp Reference. Empty for fee and payout rows without one. */
  providerRef: z.string().max(128),
  /**
   * Our reference for the payment: 商户订单号 (out_trade_no) / Merchant Reference — the till's tender
   * attempt id (cards: whatever the till sent as the sale reference). Null when the row has none.
   */
  merchantRef: z.string().max(128).nullable(),
  /** Refund rows: our refund id (退款批次号/请求号 = out_request_no, 商户退款单号, Adyen Modification Merchant Reference). */
  refundRef: z.string().max(128).nullable(),
  gross: SignedMinor,
  fee: SignedMinor,
  net: SignedMinor,
  currency: z.enum(CURRENCIES as unknown as [string, ...string[]]),
  /** The provider's time of the transaction, ISO 8601 in UTC (the file's local time converted with its time zone). */
  providerTime: z.string(),
  /** The provider's own day for the row (its cut-off is midnight in its time zone, not the store's business-day cut-off). */
  providerDate: CalendarDate,
  /** Settlement batch (Adyen Batch Number); null for the wallets' daily bills. */
  batch: z.string().max(64).nullable(),
  /** When the provider pays this row out to the bank; null when the file does not say. */
  payoutDate: CalendarDate.nullable(),
})
export type StatementRow = z.infer<typeof StatementRowSchema>

export const StatementTotalsSchema = z.object({
  payments: z.object({ count: z.number().int().min(0), gross: SignedMinor, fee: SignedMinor }),
  refunds: z.object({ count: z.number().int().min(0), gross: SignedMinor, fee: SignedMinor }),
  /** Σ net of every row (payments, refunds, fees, payouts). */
  net: SignedMinor,
})
export type StatementTotals = z.infer<typeof StatementTotalsSchema>

export const StatementSchema = z.object({
  provider: z.enum(STATEMENT_PROVIDERS),
  format: z.enum(STATEMENT_FORMATS),
  /** The merchant account the file is for (Alipay 2088… PID, WeChat 商户号, Adyen Merchant Account). */
  merchantId: z.string().max(64),
  /** The provider's day the file covers (Adyen: the batch's settlement day). */
  date: CalendarDate,
  currency: z.enum(CURRENCIES as unknown as [string, ...string[]]),
  rows: z.array(StatementRowSchema),
  /** What the file itself says its totals are; the parser has already checked the rows foot to them. */
  totals: StatementTotalsSchema,
})
export type Statement = z.infer<typeof StatementSchema>

/** Why a file was refused. A refused file imports nothing. */
export const STATEMENT_ERROR_REASONS = [
  'unknown_format', // not a file of any format we read
  'bad_zip', // not a ZIP, or a ZIP without the bill inside
  'encoding', // not valid GBK / UTF-8 where the format says so
  'missing_column', // a column the format must have is missing or renamed
  'bad_amount', // an amount that is not a decimal number with at most the currency's digits
  'bad_row', // a row with the wrong number of cells, an unknown type, a bad date…
  'truncated', // the file ends before its trailer / summary lines
  'totals', // the rows do not sum to the file's own totals
  'duplicate_row', // the same transaction twice
  'other_merchant', // a row for another merchant account than the file's
  'currency', // a currency the statement (or the store) is not in
] as const
export type StatementErrorReason = (typeof STATEMENT_ERROR_REASONS)[number]

export class StatementError extends Error {
  constructor(
    readonly reason: StatementErrorReason,
    message: string,
    /** 1-based line of the decoded file where it went wrong; null when the file as a whole is wrong. */
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`)
    this.name = 'StatementError'
  }
}

/** Σ of the rows, for checking a file against its own trailer and for building one. */
export function totalsOf(rows: readonly StatementRow[]): StatementTotals {
  const t: StatementTotals = { payments: { count: 0, gross: 0, fee: 0 }, refunds: { count: 0, gross: 0, fee: 0 }, net: 0 }
  for (const r of rows) {
    if (r.type === 'payment' || r.type === 'refund') {
      const s = r.type === 'payment' ? t.payments : t.refunds
      s.count += 1
      s.gross += r.gross
      s.fee += r.fee
    }
    t.net += r.net
  }
  return t
}

// ---- what the platform serves the till (device routes; see statements-api.ts) -------------------------

/** A statement as the platform keeps it: parsed from the provider's file or an owner's upload. */
export const StoredStatementSchema = StatementSchema.extend({
  id: z.string(),
  source: z.enum(['provider', 'upload']),
  /** sha256 of the file's bytes, hex: the same file uploaded twice is the same statement. */
  fileSha256: z.string(),
  fileName: z.string(),
  fetchedAt: z.string(),
})
export type StoredStatement = z.infer<typeof StoredStatementSchema>

/** GET /v1/device/statements?date=…: every provider's statement for that provider day, and why any is missing. */
export const StatementsForDateSchema = z.object({
  date: CalendarDate,
  statements: z.array(StoredStatementSchema),
  missing: z.array(
    z.object({
      provider: z.enum(STATEMENT_PROVIDERS),
      /** not_yet_available: before T+1 09:00 store time (isp.bill_not_exist); failed: the provider's file was refused or unreachable. */
      reason: z.enum(['not_yet_available', 'not_configured', 'failed']),
      availableAt: z.string().nullable(),
      message: z.string(),
    }),
  ),
})
export type StatementsForDate = z.infer<typeof StatementsForDateSchema>

/** "Ask again": the platform asks the provider what it holds now for one transaction. */
export const ProviderLookupRequestSchema = z.strictObject({
  provider: z.enum(STATEMENT_PROVIDERS),
  merchantRef: z.string().min(1).max(128).nullable(),
  providerRef: z.string().min(1).max(128).nullable(),
})
export type ProviderLookupRequest = z.infer<typeof ProviderLookupRequestSchema>

export const ProviderLookupSchema = z.object({
  provider: z.enum(STATEMENT_PROVIDERS),
  status: z.enum(['paid', 'partially_refunded', 'refunded', 'not_paid', 'closed', 'not_found', 'unknown']),
  amount: z.number().int().nullable(),
  refunded: z.number().int().nullable(),
  fee: z.number().int().nullable(),
  providerRef: z.string().nullable(),
  merchantRef: z.string().nullable(),
  paidAt: z.string().nullable(),
  checkedAt: z.string(),
})
export type ProviderLookup = z.infer<typeof ProviderLookupSchema>

import { z } from 'zod'
import { ROUNDING_MODES } from './money'
import type { PlatformErrorCode, RouteSpec } from './platform-api'
import { WALLETS } from './payments'
import { ProviderLookupRequestSchema, ProviderLookupSchema, StatementsForDateSchema, StoredStatementSchema, STATEMENT_PROVIDERS } from './statements/types'

/**
 * The platform's provider-statement routes (issue 11), spread into `platformRoutes`
 * (platform-api.ts): the till fetches each provider's statement of a provider day and asks a
 * provider again about one transaction; the owner uploads a bill file by hand, lists what is stored
 * and sets the fee rate per store and wallet; the sandbox wallets put differences in a day's bill on
 * purpose. Handlers: src/platform/statements/routes.ts. Only type imports from platform-api.ts (it
 * imports this file).
 */

const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID')
const CalendarDate = z.iso.date()
const Minor = z.number().int().min(1).max(100_000_000_000_000)
const StoreParams = z.strictObject({ storeId: Ulid })

/** Uploads of bill files: a month of a busy store's Adyen report fits. */
export const STATEMENT_UPLOAD_LIMIT_BYTES = 32 * 1024 * 1024

const SIGNED: readonly PlatformErrorCode[] = ['unknown_device', 'bad_signature', 'clock_skew', 'nonce_replayed', 'rate_limited', 'invalid_request', 'internal']
const ADMIN: readonly PlatformErrorCode[] = ['unauthorized', 'invalid_request', 'internal']

export const StatementsQuerySchema = z.strictObject({ date: CalendarDate })
export const StoreStatementsQuerySchema = z.strictObject({ date: CalendarDate.optional(), provider: z.enum(STATEMENT_PROVIDERS).optional() })
export const StatementUploadQuerySchema = z.strictObject({ fileName: z.string().trim().min(1).max(255).optional() })

/** A store's fee with one wallet: basis points and how the fee is rounded to the minor unit. */
export const StoreFeeSchema = z.object({
  provider: z.enum(WALLETS),
  basisPoints: z.number().int().min(0).max(10_000),
  rounding: z.enum(ROUNDING_MODES),
  /** `default`: the sandbox's rate (option sandbox.feeBasisPoints / --fee-bp), half-up. */
  source: z.enum(['store', 'default']),
})
export const StoreFeesSchema = z.object({ storeId: Ulid, fees: z.array(StoreFeeSchema) })
export const StoreFeeSetSchema = z.strictObject({
  provider: z.enum(WALLETS),
  basisPoints: z.number().int().min(0).max(10_000),
  rounding: z.enum(ROUNDING_MODES).default('half_up'),
})

/**
 * A difference the sandbox puts in a store's bill of one provider day on purpose (payments-protocols.md §4.5):
 * - extra_payment: a paid trade (fresh out_trade_no) no till sale has → the till sees missing_locally;
 * - missing_payment: a real paid trade left out of the file → missing_at_provider;
 * - amount: a real trade listed with another amount (and the fee of that amount) → amount_mismatch;
 * - status: a trade the platform has as failed/closed, paid at the wallet and listed paid → status_mismatch;
 * - next_day: a real trade dated just after midnight, in the next provider day's file instead → date_mismatch;
 * - duplicate: a real trade listed twice, the second time under another provider trade number (paid twice).
 */
export const STATEMENT_DIFFERENCE_KINDS = ['extra_payment', 'missing_payment', 'amount', 'status', 'next_day', 'duplicate'] as const
export const StatementDifferenceRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('extra_payment'), amount: Minor }),
  z.strictObject({ kind: z.literal('missing_payment'), outTradeNo: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('amount'), outTradeNo: z.string().min(1).max(64), amount: Minor }),
  z.strictObject({ kind: z.literal('status'), outTradeNo: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('next_day'), outTradeNo: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('duplicate'), outTradeNo: z.string().min(1).max(64) }),
])
export type StatementDifferenceRequest = z.infer<typeof StatementDifferenceRequestSchema>

export const SandboxStatementDifferencesSchema = z.strictObject({
  storeId: Ulid,
  wallet: z.enum(WALLETS),
  /** The provider day (the store's calendar day, midnight to midnight) whose bill carries the differences. */
  date: CalendarDate,
  /** Replaces the day's earlier differences (an empty list clears them). */
  differences: z.array(StatementDifferenceRequestSchema).max(100).default([]),
  /** Serve this day's bill now, without waiting for T+1 09:00 store time (tests). */
  availableNow: z.boolean().default(false),
})

/** A recorded difference: what the bill of `date` (next_day: of the day after) now holds. */
export const RecordedDifferenceSchema = z.object({
  id: z.string(),
  kind: z.enum(STATEMENT_DIFFERENCE_KINDS),
  /** The row's 商户订单号 / out_trade_no (the till's attempt id; a fresh one for extra_payment). */
  outTradeNo: z.string(),
  /** The row's provider trade number (duplicate: the second one). */
  providerRef: z.string(),
  /** The amount the file lists (amount, extra_payment), else the trade's. */
  amount: z.number().int(),
  /** The class the till's reconciliation should give it. */
  expectedClass: z.enum(['missing_locally', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'date_mismatch']),
  /** The provider day of the file that carries it. */
  fileDate: CalendarDate,
})
export const SandboxStatementDifferencesResultSchema = z.object({
  storeId: Ulid,
  wallet: z.enum(WALLETS),
  date: CalendarDate,
  availableNow: z.boolean(),
  differences: z.array(RecordedDifferenceSchema),
})
export const SandboxStatementDifferencesQuerySchema = z.strictObject({ storeId: Ulid, wallet: z.enum(WALLETS), date: CalendarDate })

export const statementRoutes = {
  'statements-for-date': {
    method: 'GET',
    path: '/v1/device/statements',
    auth: 'device',
    summary:
      "Every provider's statement of a provider day for the device's store (fetched from the provider when not yet stored: Alipay and WeChat Pay daily bills are ready the next day at 09:00 store time), and why any is missing (not_yet_available with availableAt, not_configured, failed).",
    query: StatementsQuerySchema,
    response: StatementsForDateSchema,
    errors: SIGNED,
  },
  'statement-lookup': {
    method: 'POST',
    path: '/v1/device/statements/lookup',
    auth: 'device',
    summary: 'Ask the provider again about one transaction, by our reference (out_trade_no) or the provider’s; nothing is changed or posted.',
    body: ProviderLookupRequestSchema,
    response: ProviderLookupSchema,
    errors: [...SIGNED, 'payload_too_large', 'wallet_unavailable'],
  },
  'statement-upload': {
    method: 'POST',
    path: '/v1/admin/stores/:storeId/statements',
    auth: 'admin',
    summary: `Upload a provider's bill file as downloaded from its merchant portal (the raw bytes as the body: application/octet-stream, application/zip or text/csv; at most ${STATEMENT_UPLOAD_LIMIT_BYTES} bytes). Parsed whole or refused whole (statement_refused with details.reason and details.line); the same file twice is the same statement.`,
    params: StoreParams,
    query: StatementUploadQuerySchema,
    response: StoredStatementSchema,
    status: 201,
    errors: [...ADMIN, 'not_found', 'payload_too_large', 'statement_refused'],
    // read by app.ts: the body is the file, not JSON
    rawBody: true,
    bodyLimit: STATEMENT_UPLOAD_LIMIT_BYTES,
  },
  'store-statements': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/statements',
    auth: 'admin',
    summary: "The store's stored statements (optionally of one provider day and provider), newest first, with their rows.",
    params: StoreParams,
    query: StoreStatementsQuerySchema,
    response: z.object({ storeId: Ulid, statements: z.array(StoredStatementSchema) }),
    errors: [...ADMIN, 'not_found'],
  },
  'store-statements-fetch': {
    method: 'POST',
    path: '/v1/admin/stores/:storeId/statements/fetch',
    auth: 'admin',
    summary: "Fetch every configured provider's file of a provider day again now (a new file is a new statement; the same file is the same one).",
    params: StoreParams,
    query: StatementsQuerySchema,
    body: z.strictObject({}),
    response: StatementsForDateSchema,
    errors: [...ADMIN, 'not_found', 'payload_too_large'],
  },
  'store-fees': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/fees',
    auth: 'admin',
    summary: "The store's fee rate with each wallet (basis points and rounding); the sandbox wallets charge it.",
    params: StoreParams,
    response: StoreFeesSchema,
    errors: [...ADMIN, 'not_found'],
  },
  'store-fee-set': {
    method: 'PUT',
    path: '/v1/admin/stores/:storeId/fees',
    auth: 'admin',
    summary: "Set the store's fee rate with one wallet; payments from now on are charged with it (refunds return the fee proportionally, half-even).",
    params: StoreParams,
    body: StoreFeeSetSchema,
    response: StoreFeesSchema,
    errors: [...ADMIN, 'not_found', 'payload_too_large'],
  },
  'sandbox-statement-differences': {
    method: 'PUT',
    path: '/v1/admin/sandbox/statement-differences',
    auth: 'admin',
    summary:
      'Sandbox wallets only: differences on purpose in a store’s bill of one provider day (extra_payment, missing_payment, amount, status, next_day, duplicate), replacing that day’s earlier ones; each is recorded with the class the till should find. availableNow serves the bill before T+1 09:00.',
    body: SandboxStatementDifferencesSchema,
    response: SandboxStatementDifferencesResultSchema,
    errors: [...ADMIN, 'not_found', 'payload_too_large'],
  },
  'sandbox-statement-differences-get': {
    method: 'GET',
    path: '/v1/admin/sandbox/statement-differences',
    auth: 'admin',
    summary: 'Sandbox wallets only: the differences recorded for a store’s bill of one provider day.',
    query: SandboxStatementDifferencesQuerySchema,
    response: SandboxStatementDifferencesResultSchema,
    errors: [...ADMIN, 'not_found'],
  },
} as const satisfies Record<string, RouteSpec & { rawBody?: boolean; bodyLimit?: number }>

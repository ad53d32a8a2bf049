import { z } from 'zod'
import { MAX_MINOR } from './money'

/**
 * Tenders and payments: the words both the till and the platform use. One state machine for
 * every method (domain.md "Tenders and their state machine"):
 *
 *   created ─► awaiting_customer ─► succeeded | failed
 *      │              └─► unknown ─► (query / TransactionStatus) ─► succeeded | failed
 *      └─ (crash: on restart, query first; never charge again)
 *   unknown that cannot be resolved ─► cancel / reverse (same attempt id) ─► reversed
 *   a new try after failed/reversed is a new attempt id.
 */

export const TENDER_METHODS = ['cash', 'alipay', 'wechat', 'card'] as const
export type TenderMethod = (typeof TENDER_METHODS)[number]
export const WALLETS = ['alipay', 'wechat'] as const
export type Wallet = (typeof WALLETS)[number]

/** cash; QR shown by the till (merchant_qr); customer's code scanned (customer_code); card terminal. */
export const TENDER_FLOWS = ['cash', 'merchant_qr', 'customer_code', 'terminal'] as const
export type TenderFlow = (typeof TENDER_FLOWS)[number]

export const ATTEMPT_STATES = ['created', 'awaiting_customer', 'unknown', 'succeeded', 'failed', 'reversed'] as const
export type AttemptState = (typeof ATTEMPT_STATES)[number]
/** States an attempt can leave: on start-up the core resolves every one of these first. */
export const OPEN_ATTEMPT_STATES: readonly AttemptState[] = ['created', 'awaiting_customer', 'unknown']

export const REFUND_STATES = ['created', 'pending', 'unknown', 'succeeded', 'failed'] as const
export type RefundState = (typeof REFUND_STATES)[number]

export const MinorAmount = z.number().int().min(1).max(MAX_MINOR)

/** Alipay payment codes: 16–24 digits starting 25–30. WeChat: 18 digits starting 10–15. */
export const ALIPAY_CODE = /^(2[5-9]|30)\d{14,22}$/
export const WECHAT_CODE = /^1[0-5]\d{16}$/

/** Which wallet a scanned customer payment code belongs to, or null when it is neither. */
export function walletForCode(code: string): Wallet | null {
  if (WECHAT_CODE.test(code)) return 'wechat'
  if (ALIPAY_CODE.test(code)) return 'alipay'
  return null
}

export const AuthCodeSchema = z
  .string()
  .trim()
  .refine((c) => walletForCode(c) !== null, 'not an Alipay or WeChat Pay payment code')

/** What the till keeps of a card: never more than the first 6 and last 4 digits. */
export const CardDetailsSchema = z.object({
  maskedPan: z.string().max(32),
  brand: z.string().max(32),
  entryMode: z.string().max(32),
  approvalCode: z.string().max(32),
  terminalId: z.string().max(64),
})
export type CardDetails = z.infer<typeof CardDetailsSchema>

export const FailureSchema = z.object({ code: z.string(), message: z.string() })

// ---- the platform's wallet payments (device API) -----------------------------------------------

/**
 * A wallet payment as the platform tells it. `pending_scan`: a merchant QR nobody has scanned yet
 * (Alipay's trade does not exist until then); `awaiting_customer`: scanned, or the customer is
 * entering a password (USERPAYING / 10003); `processing`: the provider gave no answer yet and the
 * platform is asking it; `succeeded`; `failed` (declined, closed, expired); `reversed` (cancelled
 * after paying: the money went back).
 */
export const PAYMENT_STATES = ['pending_scan', 'awaiting_customer', 'processing', 'succeeded', 'failed', 'reversed'] as const
export type PaymentState = (typeof PAYMENT_STATES)[number]
export const FINAL_PAYMENT_STATES: readonly PaymentState[] = ['succeeded', 'failed', 'reversed']

const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID')

export const PaymentCreateSchema = z.discriminatedUnion('flow', [
  z.strictObject({
    paymentId: Ulid,
    wallet: z.enum(WALLETS),
    flow: z.literal('merchant_qr'),
    amount: MinorAmount,
    currency: z.string().length(3),
    subject: z.string().min(1).max(127),
    /** The QR stops working after this; the platform closes the trade. */
    expiresInSeconds: z.number().int().min(5).max(900),
  }),
  z.strictObject({
    paymentId: Ulid,
    wallet: z.enum(WALLETS),
    flow: z.literal('customer_code'),
    amount: MinorAmount,
    currency: z.string().length(3),
    subject: z.string().min(1).max(127),
    authCode: z.string().regex(/^\d{16,24}$/),
  }),
])
export type PaymentCreate = z.infer<typeof PaymentCreateSchema>

export const PaymentSchema = z.object({
  paymentId: Ulid,
  wallet: z.enum(WALLETS),
  flow: z.enum(['merchant_qr', 'customer_code']),
  amount: z.number().int(),
  currency: z.string(),
  state: z.enum(PAYMENT_STATES),
  /** merchant_qr: what the till renders as a QR. */
  codeUrl: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** The wallet's own trade number (trade_no / transaction_id) once it has one. */
  providerRef: z.string().nullable(),
  paidAt: z.string().nullable(),
  refunded: z.number().int(),
  /** The provider's fee in minor units (basis points of the amount, half-up). */
  fee: z.number().int(),
  failure: FailureSchema.nullable(),
  /** The provider's own status word, for support: WAIT_BUYER_PAY, USERPAYING, TRADE_SUCCESS… */
  providerStatus: z.string(),
  serverTime: z.string(),
})
export type Payment = z.infer<typeof PaymentSchema>

export const PaymentWaitQuerySchema = z.strictObject({
  /** Hold the answer until the state is no longer this one, up to waitMs (long poll). */
  unlessState: z.enum(PAYMENT_STATES).optional(),
  waitMs: z.coerce.number().int().min(0).max(25_000).optional(),
})

export const RefundCreateSchema = z.strictObject({
  refundId: Ulid,
  amount: MinorAmount,
  reason: z.string().max(200).optional(),
})
export const PaymentRefundSchema = z.object({
  refundId: Ulid,
  paymentId: Ulid,
  amount: z.number().int(),
  state: z.enum(['processing', 'succeeded', 'failed']),
  /** All refunds of the payment that succeeded so far, this one included. */
  refundedTotal: z.number().int(),
  /** The part of the fee the provider gave back. */
  feeRefunded: z.number().int(),
  failure: FailureSchema.nullable(),
  serverTime: z.string(),
})
export type PaymentRefund = z.infer<typeof PaymentRefundSchema>

import { z } from 'zod'
import { CURRENCIES, MAX_MINOR, ROUNDING_MODES } from './money'
import { shiftChannels } from './shifts-contract'
import { settlementChannels } from './settlement-contract'
import { reviewChannels } from './review-contract'
import { DEFAULT_UPDATE_SETTINGS, UpdateSettingsSchema, updatesChannels } from './updates-contract'
import { printingChannels } from './printing-contract'
import { displayChannels } from './display-contract'
import { ATTEMPT_STATES, AuthCodeSchema, CardDetailsSchema, FailureSchema, REFUND_STATES, TENDER_FLOWS, TENDER_METHODS } from './payments'

/**
 * The renderer↔core contract: one map of `noun-verb` channel names to zod schemas for input and
 * output. The core validates every input on arrival; a bad one gets `invalid_input` and changes
 * nothing. Every transport (Electron IPC, WebSocket, in-memory) carries exactly these messages.
 */

// ---- primitives -------------------------------------------------------------------------------

const Id = z.string().min(1).max(64)
const Text = (max: number) => z.string().max(max)
/** Whole minor units, never negative, never beyond a trillion major units. */
export const MinorSchema = z.number().int().min(0).max(MAX_MINOR)
/** Quantity: decimal string, up to 3 decimals (weighed goods), more than 0, at most 99,999. */
export const QuantitySchema = z
  .string()
  .regex(/^\d{1,5}(\.\d{1,3})?$/, 'quantity must be a number with at most 3 decimals')
  .refine((q) => /[1-9]/.test(q), 'quantity must be more than zero')
/** Percent 0–100 with up to 2 decimals, as a string so no float ever holds it. */
export const PercentSchema = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,2})?$/, 'percent must be a number with at most 2 decimals')
  .refine((p) => Number(p) <= 100, 'percent must be at most 100')
/** A tax rate in percent, up to 4 decimals. */
export const TaxRateSchema = z
  .string()
  .regex(/^\d{1,2}(\.\d{1,4})?$/, 'tax rate must be a percent with at most 4 decimals')
export const CurrencySchema = z.enum(CURRENCIES as [string, ...string[]]).transform((c) => c as (typeof CURRENCIES)[number])
export const RoundingModeSchema = z.enum(ROUNDING_MODES)
export const RoleSchema = z.enum(['cashier', 'supervisor', 'owner'])
export type Role = z.infer<typeof RoleSchema>
export const PinSchema = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits')
const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

export const DiscountSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('amount'), amount: MinorSchema }),
  z.strictObject({ kind: z.literal('percent'), percent: PercentSchema }),
])

// ---- catalog -------------------------------------------------------------------------------------

export const ProductSchema = z.object({
  id: Id,
  sku: z.string(),
  nameEn: z.string(),
  nameZh: z.string(),
  categoryId: z.string(),
  taxClassId: z.string(),
  price: MinorSchema,
  unit: z.enum(['each', 'kg']),
  barcodes: z.array(z.string()),
})
export type Product = z.infer<typeof ProductSchema>

export const CategorySchema = z.object({ id: Id, nameEn: z.string(), nameZh: z.string() })
export type Category = z.infer<typeof CategorySchema>

// ---- cart and pricing ----------------------------------------------------------------------------

export const CartLineSchema = z.strictObject({
  productId: Id,
  quantity: QuantitySchema,
  discount: DiscountSchema.optional(),
})
export const CartSchema = z.strictObject({
  lines: z.array(CartLineSchema).max(500),
  orderDiscount: DiscountSchema.optional(),
})
export type CartLine = z.infer<typeof CartLineSchema>
export type Cart = z.infer<typeof CartSchema>

const TaxRowSchema = z.object({ taxId: z.string(), name: z.string(), rate: z.string(), base: z.number(), amount: z.number() })

export const PricedLineSchema = z.object({
  lineNo: z.number().int(),
  productId: z.string(),
  nameEn: z.string(),
  nameZh: z.string(),
  quantity: z.string(),
  unit: z.enum(['each', 'kg']),
  unitPrice: z.number(),
  gross: z.number(),
  lineDiscount: z.number(),
  orderDiscount: z.number(),
  total: z.number(),
  taxIds: z.array(z.string()),
  tax: z.number().nullable(),
})

const PricingFigures = {
  currency: z.string(),
  priceMode: z.enum(['inclusive', 'exclusive']),
  taxRounding: z.enum(['line', 'document']),
  roundingMode: RoundingModeSchema,
  lines: z.array(PricedLineSchema),
  subtotal: z.number(),
  lineDiscounts: z.number(),
  orderDiscount: z.number(),
  taxes: z.array(TaxRowSchema),
  taxTotal: z.number(),
  total: z.number(),
}

export const CartQuoteSchema = z.object({
  ...PricingFigures,
  /** What cash would be asked for if the whole total is paid in cash (after cash rounding). */
  cashDue: z.number(),
  cashRounding: z.number(),
  /** Discounts as a percent of the subtotal, and whether that is over the store limit. */
  discountPercent: z.string(),
  needsApproval: z.boolean(),
  quickCash: z.array(z.number()),
})
export type CartQuote = z.infer<typeof CartQuoteSchema>

// ---- orders --------------------------------------------------------------------------------------

const StaffRef = z.object({ id: z.string(), name: z.string() })

/**
 * A tender as posted with the order. Cash orders from before issue 4 carry only the first five
 * fields; the rest are optional so their events (and hashes) stay exactly as they were.
 */
export const TenderSchema = z.object({
  /** The attempt id: the wallet's out_trade_no, the card payment's TransactionID. */
  id: z.string(),
  method: z.enum(TENDER_METHODS),
  /** Applied to the order (after cash rounding). */
  amount: z.number(),
  /** Cash: what the customer handed over; other methods: the amount. */
  tendered: z.number(),
  change: z.number(),
  flow: z.enum(TENDER_FLOWS).optional(),
  /** The wallet's trade number or the terminal's transaction reference. */
  providerRef: z.string().optional(),
  card: CardDetailsSchema.optional(),
  paidAt: z.string().optional(),
})

export const RefundSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  tenderId: z.string(),
  method: z.enum(TENDER_METHODS),
  amount: z.number(),
  state: z.enum(REFUND_STATES),
  reason: z.string(),
  staff: z.object({ id: z.string(), name: z.string() }),
  approvedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  providerRef: z.string().nullable(),
  failure: FailureSchema.nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
})
export type Refund = z.infer<typeof RefundSchema>

export const OrderSchema = z.object({
  ...PricingFigures,
  id: z.string(),
  receiptNo: z.string(),
  businessDate: BusinessDate,
  createdAt: z.string(),
  storeName: z.string(),
  deviceCode: z.string(),
  staff: StaffRef,
  approvedBy: StaffRef.nullable(),
  /** Cash rounding: its own receipt line, paid − total. */
  cashRounding: z.number(),
  tenders: z.array(TenderSchema),
  paid: z.number(),
  change: z.number(),
  receiptFooter: z.string(),
  journal: z.object({ seq: z.number(), hash: z.string() }),
  reprints: z.number(),
  /** Refunds against this order's tenders, every state (not part of the posted sale). */
  refunds: z.array(RefundSchema),
})
export type Order = z.infer<typeof OrderSchema>
export type Tender = z.infer<typeof TenderSchema>

export const OrderSummarySchema = z.object({
  id: z.string(),
  receiptNo: z.string(),
  createdAt: z.string(),
  businessDate: z.string(),
  staffName: z.string(),
  total: z.number(),
  currency: z.string(),
  lineCount: z.number(),
})
export type OrderSummary = z.infer<typeof OrderSummarySchema>

// ---- settings and staff --------------------------------------------------------------------------

export const TaxSchema = z.strictObject({ id: Id, name: Text(40).min(1), rate: TaxRateSchema })
export const TaxClassSchema = z.strictObject({ id: Id, name: Text(40).min(1), taxIds: z.array(Id).max(4) })

export const SettingsSchema = z
  .strictObject({
    storeName: Text(80).min(1),
    currency: CurrencySchema,
    timeZone: Text(64).refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, 'unknown time zone'),
    businessDayCutoffHour: z.number().int().min(0).max(23),
    priceMode: z.enum(['inclusive', 'exclusive']),
    taxRounding: z.enum(['line', 'document']),
    roundingMode: RoundingModeSchema,
    cashRounding: z.strictObject({ increment: z.number().int().min(1).max(100_000), mode: RoundingModeSchema }),
    discountLimitPercent: PercentSchema,
    receiptFooter: Text(200),
    taxes: z.array(TaxSchema).min(1).max(20),
    taxClasses: z.array(TaxClassSchema).min(1).max(20),
    /** Refunds and voids above this amount (minor units) need a supervisor's PIN. */
    refundApprovalLimit: MinorSchema.default(10_000),
    /** How long a merchant QR stays payable before the till closes it. */
    qrTimeoutSeconds: z.number().int().min(5).max(900).default(120),
    /** Pay-ins, pay-outs and safe drops above this amount need a supervisor's PIN. */
    cashMovementApprovalLimit: MinorSchema.default(20_000),
    /** A drawer over or short by more than this at a shift close needs a supervisor's PIN and a reason. */
    overShortThreshold: MinorSchema.default(100),
    /** Blind count: the cashier counts the drawer before seeing what is expected. */
    blindCount: z.boolean().default(false),
    /** Where this till looks for updates and when it may install one (updates-contract.ts). */
    updates: UpdateSettingsSchema.default(DEFAULT_UPDATE_SETTINGS),
  })
  .superRefine((s, ctx) => {
    const taxIds = new Set(s.taxes.map((t) => t.id))
    if (taxIds.size !== s.taxes.length) ctx.addIssue({ code: 'custom', path: ['taxes'], message: 'tax ids must be unique' })
    s.taxClasses.forEach((c, i) =>
      c.taxIds.forEach((t) => {
        if (!taxIds.has(t)) ctx.addIssue({ code: 'custom', path: ['taxClasses', i, 'taxIds'], message: `unknown tax ${t}` })
      }),
    )
  })
export type Settings = z.infer<typeof SettingsSchema>

export const StaffSchema = z.object({ id: z.string(), name: z.string(), role: RoleSchema, active: z.boolean() })
export type Staff = z.infer<typeof StaffSchema>

export const SessionSchema = z.object({ token: z.string(), staff: StaffSchema })
export type Session = z.infer<typeof SessionSchema>

export const AppInfoSchema = z.object({
  storeName: z.string(),
  deviceId: z.string(),
  deviceCode: z.string(),
  currency: z.string(),
  businessDate: BusinessDate,
  timeZone: z.string(),
  version: z.string(),
})
export type AppInfo = z.infer<typeof AppInfoSchema>

/**
 * What `verify` can find: the chain (gap, broken link, bad hash, bad payload); a table the reports
 * read that does not agree with the journal (a row that differs, is missing, or has no event); a
 * posting whose lines do not balance; a closure that does not add up; a journal cut short.
 */
export const JOURNAL_PROBLEM_KINDS = [
  'gap',
  'broken_link',
  'bad_hash',
  'bad_payload',
  'row_differs',
  'row_missing',
  'row_without_event',
  'unbalanced',
  'bad_closure',
  'truncated',
] as const
export type JournalProblemKind = (typeof JOURNAL_PROBLEM_KINDS)[number]

export const JournalReportSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  lastSeq: z.number(),
  lastHash: z.string(),
  problem: z
    .object({
      kind: z.enum(JOURNAL_PROBLEM_KINDS),
      /** The event the problem is about; 0 when it is about no event (a row whose order is gone). */
      seq: z.number(),
      message: z.string(),
      /** The table whose row is wrong, and that row (its id, or what names it), when it is about a row. */
      table: z.string().nullable().optional(),
      row: z.string().nullable().optional(),
    })
    .nullable(),
  /** Rows rebuilt from their events and found equal, per table (so far, when a problem stopped the walk). */
  rows: z.record(z.string(), z.number()).optional(),
  /** The closures checked, and the last one. */
  closures: z
    .object({ count: z.number(), lastNumber: z.number().nullable(), lastBusinessDate: z.string().nullable(), lastSeq: z.number().nullable(), grandTotal: z.number() })
    .optional(),
  /** Paired tills: the last event the platform acknowledged (outbox.sent_at), which the journal must reach. */
  acknowledgedSeq: z.number().nullable().optional(),
  /**
   * The file command's seal (core/verify/seal.ts): 'used' — events 1…seq were found byte for byte as
   * the verify of madeAt proved them, and only the events after were walked; 'mismatch' — a seal was
   * there but something it covers changed, so every event was walked; 'untrusted' — a seal whose MAC
   * this verifier's key does not confirm (edited, or another key's): ignored, every event walked;
   * 'none' — no seal of this verifier and schema; 'ignored' — --full. `written`: the closure a new
   * seal was made at, if any.
   */
  seal: z
    .object({ outcome: z.enum(['used', 'mismatch', 'untrusted', 'none', 'ignored']), seq: z.number().nullable(), madeAt: z.string().nullable(), written: z.number().nullable() })
    .optional(),
})
export type JournalReport = z.infer<typeof JournalReportSchema>

const ParkedSchema = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  staffName: z.string(),
  lineCount: z.number(),
})

// ---- checkout: an order being paid ---------------------------------------------------------------

export const AttemptSchema = z.object({
  id: z.string(),
  method: z.enum(TENDER_METHODS),
  flow: z.enum(TENDER_FLOWS),
  amount: z.number(),
  state: z.enum(ATTEMPT_STATES),
  /** Cash only: handed over and given back. */
  tendered: z.number().nullable(),
  change: z.number().nullable(),
  /** Merchant QR: what to render, and until when. */
  codeUrl: z.string().nullable(),
  expiresAt: z.string().nullable(),
  providerRef: z.string().nullable(),
  card: CardDetailsSchema.nullable(),
  failure: FailureSchema.nullable(),
  /** What the till is doing about it now, as a stable word the screen translates. */
  activity: z.enum(['none', 'contacting', 'waiting_customer', 'user_paying', 'checking', 'cancelling', 'reversing']),
  /** Queries made while the customer pays (the user-paying path). */
  polls: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type Attempt = z.infer<typeof AttemptSchema>

export const CheckoutSchema = z.object({
  id: z.string(),
  /** open: taking tenders; completed: the order is posted; voiding: giving money back; voided. */
  state: z.enum(['open', 'completed', 'voiding', 'voided']),
  quote: CartQuoteSchema,
  currency: z.string(),
  total: z.number(),
  /** Succeeded tenders so far. */
  paid: z.number(),
  /** Tenders still in flight (created, waiting for the customer, unknown). */
  pending: z.number(),
  /** total − paid − pending: what the next tender may take. */
  remaining: z.number(),
  attempts: z.array(AttemptSchema),
  orderId: z.string().nullable(),
  staff: z.object({ id: z.string(), name: z.string() }),
  voidReason: z.string().nullable(),
  createdAt: z.string(),
})
export type Checkout = z.infer<typeof CheckoutSchema>

export const PaymentsStatusSchema = z.object({
  qr: z.object({ available: z.boolean(), reason: z.enum(['unpaired', 'offline', 'recovering']).nullable() }),
  card: z.object({ available: z.boolean(), reason: z.enum(['not_configured', 'recovering']).nullable(), terminalId: z.string().nullable() }),
  /** Attempts and refunds left unfinished (a crash, a lost answer) that the till is still resolving. */
  unresolved: z.number().int(),
})
export type PaymentsStatus = z.infer<typeof PaymentsStatusSchema>

export const TerminalSettingsSchema = z.object({
  configured: z.boolean(),
  /** https://192.168.1.20 (the library adds :8443/nexo/). */
  endpoint: z.string(),
  poiId: z.string(),
  keyIdentifier: z.string(),
  keyVersion: z.number().int(),
  hasPassphrase: z.boolean(),
  /** PEM of the CA that signed the terminal's certificate (Adyen's root, or the simulator's). */
  caCertPem: z.string(),
})
export type TerminalSettings = z.infer<typeof TerminalSettingsSchema>
export const TerminalSettingsInputSchema = z.strictObject({
  endpoint: z
    .string()
    .trim()
    .max(200)
    .refine((u) => {
      try {
        const url = new URL(u)
        return url.protocol === 'https:' && !url.port && (url.pathname === '/' || url.pathname === '') && !url.search && !url.username
      } catch {
        return false
      }
    }, 'the terminal address, like https://192.168.1.20 (no port: the terminal listens on 8443)'),
  poiId: z.string().trim().regex(/^[A-Za-z0-9]{1,20}-[0-9]{1,20}$/, 'the terminal id, like V400m-123456789'),
  keyIdentifier: z.string().trim().min(1).max(64),
  keyVersion: z.number().int().min(0).max(1_000_000),
  /** Omitted: keep the one saved. */
  passphrase: z.string().min(1).max(200).optional(),
  caCertPem: z.string().max(20_000).refine((p) => p.includes('-----BEGIN CERTIFICATE-----'), 'a PEM certificate'),
})

const SaleIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')

// ---- the channel map -----------------------------------------------------------------------------

const Empty = z.strictObject({}).optional()

// ---- sync with the platform ----------------------------------------------------------------------

/** What the cashier sees in the sync dot and the owner in Settings → Platform. */
export const SyncStatusSchema = z.object({
  /** unpaired: no platform yet; idle: nothing to send; sending; backoff: waiting after a failure. */
  state: z.enum(['unpaired', 'idle', 'sending', 'backoff']),
  platformUrl: z.string().nullable(),
  storeName: z.string().nullable(),
  /** The platform's id for this till (its own journal id is app-info.deviceId). */
  platformDeviceId: z.string().nullable(),
  pairedAt: z.string().nullable(),
  pending: z.number().int().min(0),
  oldestPendingAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  /** platform clock − till clock, estimated at the last answer; null before the first. */
  clockOffsetMs: z.number().int().nullable(),
  catalogCursor: z.string().nullable(),
  lastCatalogAt: z.string().nullable(),
})
export type SyncStatus = z.infer<typeof SyncStatusSchema>

export const PlatformUrlSchema = z
  .string()
  .trim()
  .max(200)
  .refine((u) => {
    try {
      const url = new URL(u)
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash
    } catch {
      return false
    }
  }, 'a platform address like https://platform.example.com')

export const channels = {
  ...shiftChannels,
  ...settlementChannels,
  ...reviewChannels,
  ...updatesChannels,
  ...printingChannels,
  ...displayChannels,
  'app-info': { input: Empty, output: AppInfoSchema, auth: 'none' },
  /** Active staff for the sign-in screen; the owner may ask for inactive people too. */
  'staff-list': { input: z.strictObject({ includeInactive: z.boolean().optional() }).optional(), output: z.array(StaffSchema), auth: 'none' },
  'session-signin': { input: z.strictObject({ staffId: Id, pin: PinSchema }), output: SessionSchema, auth: 'none' },
  'session-get': { input: Empty, output: SessionSchema.nullable(), auth: 'none' },
  'session-signout': { input: Empty, output: z.null(), auth: 'none' },
  'catalog-categories': { input: Empty, output: z.array(CategorySchema), auth: 'staff' },
  'catalog-search': {
    input: z.strictObject({ query: Text(100), categoryId: Id.optional(), limit: z.number().int().min(1).max(200).optional() }),
    output: z.array(ProductSchema),
    auth: 'staff',
  },
  'catalog-barcode': { input: z.strictObject({ code: Text(64).min(1) }), output: ProductSchema, auth: 'staff' },
  'cart-price': { input: CartSchema, output: CartQuoteSchema, auth: 'staff' },
  'approval-grant': {
    /** A discount approval covers this cart's discount and no larger one; a refund or void one, this amount and no more. */
    input: z.union([
      z.strictObject({ staffId: Id, pin: PinSchema, reason: z.literal('discount'), cart: CartSchema }),
      z.strictObject({ staffId: Id, pin: PinSchema, reason: z.enum(['refund', 'void', 'cash_movement', 'over_short']), amount: MinorSchema }),
    ]),
    output: z.object({ approvalId: z.string(), supervisor: StaffSchema }),
    auth: 'staff',
  },
  'cart-park': { input: z.strictObject({ cart: CartSchema, label: Text(60).optional() }), output: z.object({ id: z.string() }), auth: 'staff' },
  'cart-parked-list': { input: Empty, output: z.array(ParkedSchema), auth: 'staff' },
  'cart-resume': { input: z.strictObject({ id: Id }), output: CartSchema, auth: 'staff' },
  'sale-complete': {
    input: z.strictObject({
      /** Made by the till when Pay is pressed; a repeat of the same id returns the same order. */
      saleId: SaleIdSchema,
      cart: CartSchema,
      cashTendered: MinorSchema,
      approvalId: Id.optional(),
    }),
    output: OrderSchema,
    auth: 'staff',
  },
  /** Freezes the cart's price and opens it for tenders. The same saleId again answers with that checkout. */
  'checkout-start': {
    input: z.strictObject({ saleId: SaleIdSchema, cart: CartSchema, approvalId: Id.optional() }),
    output: CheckoutSchema,
    auth: 'staff',
  },
  'checkout-get': { input: z.strictObject({ id: Id }), output: CheckoutSchema, auth: 'staff' },
  /** The checkout this till left open (a reload, a restart): the screen resumes it. */
  'checkout-open': { input: Empty, output: CheckoutSchema.nullable(), auth: 'staff' },
  /**
   * Adds a tender. Cash succeeds at once; QR and card answer at once with the attempt in
   * `created` and go on in the background ('payments-changed' events). The attemptId is made by
   * the screen; the same id again answers with the checkout as it stands (a double tap charges once).
   */
  'tender-add': {
    input: z.discriminatedUnion('flow', [
      z.strictObject({ checkoutId: Id, attemptId: SaleIdSchema, flow: z.literal('cash'), amount: MinorSchema.min(1), tendered: MinorSchema }),
      z.strictObject({ checkoutId: Id, attemptId: SaleIdSchema, flow: z.literal('merchant_qr'), wallet: z.enum(['alipay', 'wechat']), amount: MinorSchema.min(1) }),
      z.strictObject({ checkoutId: Id, attemptId: SaleIdSchema, flow: z.literal('customer_code'), authCode: AuthCodeSchema, amount: MinorSchema.min(1) }),
      z.strictObject({ checkoutId: Id, attemptId: SaleIdSchema, flow: z.literal('terminal'), amount: MinorSchema.min(1) }),
    ]),
    output: CheckoutSchema,
    auth: 'staff',
  },
  /** The cashier stops a QR or card attempt that has not finished: the till closes/aborts it and checks the outcome. */
  'tender-cancel': { input: z.strictObject({ checkoutId: Id, attemptId: Id }), output: CheckoutSchema, auth: 'staff' },
  /** Voids an order before it is paid: every succeeded tender is given back (cash) or reversed (QR, card). */
  'checkout-void': {
    input: z.strictObject({ checkoutId: Id, reason: Text(200).trim().min(1), approvalId: Id.optional() }),
    output: CheckoutSchema,
    auth: 'staff',
  },
  'payments-status': { input: Empty, output: PaymentsStatusSchema, auth: 'staff' },
  /** Refund part or all of one tender of a completed order. The refundId is made by the screen and reused on retry. */
  'refund-create': {
    input: z.strictObject({
      refundId: SaleIdSchema,
      orderId: Id,
      tenderId: Id,
      amount: MinorSchema.min(1),
      reason: Text(200).trim().min(1),
      approvalId: Id.optional(),
    }),
    output: OrderSchema,
    auth: 'staff',
  },
  'terminal-settings-get': { input: Empty, output: TerminalSettingsSchema, auth: 'owner' },
  'terminal-settings-save': { input: TerminalSettingsInputSchema, output: TerminalSettingsSchema, auth: 'owner' },
  'order-list': {
    input: z.strictObject({ businessDate: BusinessDate.optional(), query: Text(64).optional() }),
    output: z.array(OrderSummarySchema),
    auth: 'staff',
  },
  'order-get': { input: z.strictObject({ id: Id }), output: OrderSchema, auth: 'staff' },
  'order-reprint': { input: z.strictObject({ id: Id }), output: OrderSchema, auth: 'staff' },
  'settings-get': { input: Empty, output: SettingsSchema, auth: 'staff' },
  'settings-update': { input: SettingsSchema, output: SettingsSchema, auth: 'owner' },
  'staff-save': {
    input: z.strictObject({
      id: Id.optional(),
      name: Text(60).min(1),
      role: RoleSchema,
      pin: PinSchema.optional(),
      active: z.boolean(),
    }),
    output: StaffSchema,
    auth: 'owner',
  },
  'journal-verify': { input: Empty, output: JournalReportSchema, auth: 'staff' },
  'sync-status': { input: Empty, output: SyncStatusSchema, auth: 'staff' },
  /** Tries to send now (cancels a backoff wait). */
  'sync-now': { input: Empty, output: SyncStatusSchema, auth: 'staff' },
  /** Asynchronous: calls the platform. */
  'sync-pair': {
    input: z.strictObject({ platformUrl: PlatformUrlSchema, code: z.string().trim().min(8).max(16) }),
    output: SyncStatusSchema,
    auth: 'owner',
  },
  /** Forgets the credentials; unsent events stay in the outbox for the next pairing. */
  'sync-unpair': { input: Empty, output: SyncStatusSchema, auth: 'owner' },
} as const

export type Channels = typeof channels
export type ChannelName = keyof Channels
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>

export { EVENT_NAMES, type EventName } from './events'

/** The one message shape every transport carries to the core. */
export const InvokeEnvelopeSchema = z.strictObject({
  channel: z.string().max(64),
  input: z.unknown(),
  session: z.string().max(128).optional(),
})
export type InvokeEnvelope = z.infer<typeof InvokeEnvelopeSchema>

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name)
}

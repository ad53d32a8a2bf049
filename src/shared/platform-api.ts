import { z } from 'zod'
import { CURRENCIES, MAX_MINOR } from './money'
import { OrderSchema } from './contract'
import { ULID_PATTERN } from './ids'
import { MOVEMENT_KINDS, POSTING_KINDS } from './ledger'
import { PaymentCreateSchema, PaymentRefundSchema, PaymentSchema, PaymentWaitQuerySchema, RefundCreateSchema, TENDER_METHODS, WALLETS } from './payments'
import { statementRoutes } from './statements-api'

/**
 * The till↔platform contract, `/v1`: every route, its auth, its input and output schemas and the
 * error codes it may answer with. The platform server registers its routes from this table, the
 * till's sync relay builds its requests from it, and scripts/openapi.ts writes docs/openapi.json
 * (OpenAPI 3.1) from it. Amounts are integer minor units plus an ISO 4217 currency.
 */

export const API_VERSION = 'v1'

// ---- errors ----------------------------------------------------------------------------------------

/** Stable error codes: tills and tests key on them, so never rename one. */
export const PLATFORM_ERROR_CODES = [
  'invalid_request', // 400: the body, query or path does not match the schema
  'payload_too_large', // 413: the body is over the limit (1 MiB)
  'unauthorized', // 401: missing or wrong admin token
  'unknown_device', // 401: the device header names no paired device
  'bad_signature', // 401: the HMAC does not match, or a signature header is missing
  'clock_skew', // 401: the request timestamp is more than 5 minutes from the platform's clock
  'nonce_replayed', // 401: this nonce was already used by this device
  'pairing_code_invalid', // 404: no such pairing code, or it was already used
  'pairing_code_expired', // 410: the code is older than 10 minutes
  'device_journal_mismatch', // 409: the device is already bound to another till's journal
  'event_conflict', // 409: an event id already stored with a different payload
  'sequence_gap', // 422: the batch would leave a gap in the device's sequence
  'chain_broken', // 422: an event's prev_hash is not the hash of the event before it
  'hash_mismatch', // 422: an event's hash is not sha256(prev_hash + canonical_json(event))
  'event_invalid', // 422: an event's device, order or payload is not acceptable
  'not_found', // 404: no such store, device, order, payment, refund or route
  'payment_conflict', // 409: this payment id was already used with different parameters (OUT_TRADE_NO_USED)
  'payment_closed', // 409: this payment id was cancelled or closed; a new try needs a new id
  'payment_not_refundable', // 409: the payment is not paid (or was reversed), so there is nothing to refund
  'refund_conflict', // 409: this refund id was already used with a different amount
  'refund_exceeds', // 422: the refund is more than what is left to refund on the payment
  'card_number_refused', // 400: something in the request looks like a full card number; Daybook never takes one
  'statement_refused', // 422: a bill file that cannot be read whole (details: { reason, line }); nothing of it was stored
  'wallet_unavailable', // 503: the wallet provider cannot be reached; nothing was charged
  'rate_limited', // 429: too many requests from this device; see Retry-After
  'not_ready', // 503: the database is not reachable
  'internal', // 500
] as const
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number]

export const PlatformErrorSchema = z.object({
  error: z.object({ code: z.enum(PLATFORM_ERROR_CODES), message: z.string(), details: z.unknown().optional() }),
})
export type PlatformError = z.infer<typeof PlatformErrorSchema>

/** HTTP status for each code: one place, so server and client agree. */
export const PLATFORM_ERROR_STATUS: Record<PlatformErrorCode, number> = {
  invalid_request: 400,
  payload_too_large: 413,
  unauthorized: 401,
  unknown_device: 401,
  bad_signature: 401,
  clock_skew: 401,
  nonce_replayed: 401,
  pairing_code_invalid: 404,
  pairing_code_expired: 410,
  device_journal_mismatch: 409,
  event_conflict: 409,
  sequence_gap: 422,
  chain_broken: 422,
  hash_mismatch: 422,
  event_invalid: 422,
  not_found: 404,
  payment_conflict: 409,
  payment_closed: 409,
  payment_not_refundable: 409,
  refund_conflict: 409,
  refund_exceeds: 422,
  card_number_refused: 400,
  statement_refused: 422,
  wallet_unavailable: 503,
  rate_limited: 429,
  not_ready: 503,
  internal: 500,
}

// ---- request signing --------------------------------------------------------------------------------

/**
 * Every device request carries these headers. The signature is hex HMAC-SHA256, keyed with the
 * device secret (base64url), over `signingString(...)`. The body digest is hex SHA-256 of the exact
 * body bytes (of the empty string for a GET). Hashing lives with each side (node:crypto); this file
 * stays pure so the renderer may import it.
 */
export const SIGNATURE_HEADERS = {
  device: 'x-daybook-device',
  timestamp: 'x-daybook-timestamp',
  nonce: 'x-daybook-nonce',
  digest: 'x-daybook-content-sha256',
  signature: 'x-daybook-signature',
} as const

/** A timestamp further than this from the platform's clock is refused (`clock_skew`). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000
/** Nonces are remembered at least this long, so a replay inside the skew window is always caught. */
export const NONCE_TTL_MS = 2 * MAX_CLOCK_SKEW_MS
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/

/**
 * What is signed, one field a line: method, path with query exactly as sent, timestamp (Unix ms,
 * decimal), nonce, body digest.
 */
export function signingString(p: { method: string; path: string; timestamp: string; nonce: string; bodySha256: string }): string {
  return [p.method.toUpperCase(), p.path, p.timestamp, p.nonce, p.bodySha256].join('\n')
}

// ---- primitives ---------------------------------------------------------------------------------------

const Ulid = z.string().regex(ULID_PATTERN, 'a ULID')
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256')
const IsoTime = z.iso.datetime({ offset: true })
const BusinessDate = z.iso.date()
const Minor = z.number().int().min(0).max(MAX_MINOR)
const SignedMinor = z.number().int().min(-MAX_MINOR).max(MAX_MINOR)
const Currency = z.enum(CURRENCIES)
const Name = z.string().trim().min(1).max(80)
const TimeZone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}, 'an IANA time zone')
const CatalogId = z.string().min(1).max(64)
/** Opaque to the till: it stores the cursor and sends it back. */
const Cursor = z.string().regex(/^\d{1,19}$/, 'a cursor returned by the platform')

// ---- journal events ------------------------------------------------------------------------------------

/**
 * One journal event as the till posted it. `hash = sha256(prevHash + canonical_json({id, device,
 * seq, type, at, data}))`; the platform recomputes it. The hash covers the whole event, so it is
 * also the payload hash that permanent dedupe compares.
 */
export const WireEventSchema = z.strictObject({
  id: Ulid,
  device: Ulid,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'an event type like sale.completed'),
  at: IsoTime,
  data: z.unknown(),
  prevHash: Hex64,
  hash: Hex64,
})
export type WireEvent = z.infer<typeof WireEventSchema>

export const MAX_BATCH_EVENTS = 500
/** The relay keeps a batch body under this; the platform refuses bodies over BODY_LIMIT_BYTES. */
export const MAX_BATCH_BYTES = 1_000_000
export const BODY_LIMIT_BYTES = 1_048_576

/**
 * Which business day and shift a posting belongs to, written into the payload of every posting the
 * till journals since the ledger (sale.completed, refund.completed, checkout.voided,
 * receipt.reprinted, and the five events below). Events journaled before it have no `posting`.
 * `adjustmentOf`: the (closed) business day the event would naturally have fallen into.
 */
export const PostingMetaSchema = z.object({ businessDate: BusinessDate, shiftId: z.string().max(64).nullable(), adjustmentOf: BusinessDate.nullable() })
/** Payload of `sale.completed`: the order document the till printed (see contract.ts OrderSchema), with its `posting` since the ledger. */
export const SaleCompletedDataSchema = OrderSchema.omit({ journal: true, reprints: true, refunds: true }).extend({ posting: PostingMetaSchema.optional() })
export type SaleCompletedData = z.infer<typeof SaleCompletedDataSchema>

// ---- shifts, cash movements and closures (the ledger events, src/shared/ledger.ts) -----------------------

const LedgerId = z.string().min(1).max(64)
const PersonRef = z.object({ id: z.string().max(64), name: z.string().max(120) })
/** One line of a drawer count: how many notes or coins of one value, or one typed amount (count 1). */
export const CountLineSchema = z.object({ value: Minor, kind: z.enum(['note', 'coin', 'amount']), count: z.number().int().min(0).max(1_000_000) })
const Count = z.array(CountLineSchema).max(100)

/** `shift.opened`: a shift opened at a till with a counted float (`previousLeft`: what the last close left in the drawer). */
export const ShiftOpenedDataSchema = z.object({
  shiftId: LedgerId,
  deviceCode: z.string().max(16),
  currency: Currency,
  float: Minor,
  previousLeft: Minor,
  count: Count,
  openedBy: PersonRef,
  posting: PostingMetaSchema,
})
/** `shift.taken_over`: a supervisor or the owner took over the open shift (`from` → `to`). Not a posting. */
export const ShiftTakenOverDataSchema = z.object({ takeoverId: LedgerId, shiftId: LedgerId, from: PersonRef, to: PersonRef })
/** `cash.moved`: a pay-in, pay-out or safe drop inside a shift. */
export const CashMovedDataSchema = z.object({
  movementId: LedgerId,
  shiftId: LedgerId,
  kind: z.enum(MOVEMENT_KINDS),
  amount: Minor.min(1),
  currency: Currency,
  /** change_float, petty_expense, supplier, bank_deposit, owner_draw, correction, other */
  reason: z.string().min(1).max(64),
  note: z.string().max(500),
  staff: PersonRef,
  approvedBy: PersonRef.nullable(),
  posting: PostingMetaSchema,
})
/** `shift.closed`: the drawer counted at the close; overShort = counted − expected; `left` stays in the drawer. */
export const ShiftClosedDataSchema = z
  .object({
    shiftId: LedgerId,
    currency: Currency,
    expected: SignedMinor,
    counted: Minor,
    overShort: SignedMinor,
    left: Minor,
    count: Count,
    reason: z.string().max(500).nullable(),
    closedBy: PersonRef,
    approvedBy: PersonRef.nullable(),
    posting: PostingMetaSchema,
  })
  .refine((s) => s.overShort === s.counted - s.expected, { message: 'overShort must be counted − expected', path: ['overShort'] })
  .refine((s) => s.left <= s.counted, { message: 'left cannot be more than counted', path: ['left'] })

const Count0 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
/** What a shift report, an X and a Z show (src/shared/ledger.ts DayFigures): summed from the postings of a period. */
export const DayFiguresSchema = z.object({
  counts: z.object({ orders: Count0, refunds: Count0, voids: Count0, reprints: Count0, cashMovements: Count0, shiftsOpened: Count0, shiftsClosed: Count0 }),
  /** Sales before discounts, tax included. */
  grossSales: SignedMinor,
  discounts: SignedMinor,
  refunds: SignedMinor,
  /** Cash rounding kept (+) or given away (−). */
  rounding: SignedMinor,
  /** grossSales − discounts − refunds + rounding: the period total. */
  net: SignedMinor,
  tenders: z.array(z.object({ method: z.enum(TENDER_METHODS), sales: SignedMinor, refunds: SignedMinor, net: SignedMinor })).max(TENDER_METHODS.length),
  taxes: z.array(z.object({ taxId: z.string().max(64), rate: z.string().max(16), collected: SignedMinor, refunded: SignedMinor, net: SignedMinor })).max(200),
  cash: z.object({ received: SignedMinor, change: SignedMinor, refunds: SignedMinor, payIns: SignedMinor, payOuts: SignedMinor, safeDrops: SignedMinor, overShort: SignedMinor }),
  /** Postings that fell into a closed day and were moved into this period (seq = their journal seq). */
  adjustments: z.array(z.object({ seq: z.number().int().min(1), kind: z.enum(POSTING_KINDS), refId: z.string().max(64), naturalDate: BusinessDate, amount: SignedMinor })).max(100_000),
})
export type DayFiguresData = z.infer<typeof DayFiguresSchema>

/**
 * `day.closed`: a Z closure, itself a journal event. It covers the device's journal seqs
 * firstSeq…lastSeq (lastHash = the hash of event lastSeq); numbers are gap-free per device;
 * periodTotal = figures.net; grandTotal = previousGrandTotal + periodTotal (perpetual).
 */
export const DayClosedDataSchema = z.object({
  closureId: LedgerId,
  number: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  deviceCode: z.string().max(16),
  storeName: z.string().max(200),
  currency: Currency,
  businessDate: BusinessDate,
  fromDate: BusinessDate,
  firstSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  lastSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  lastHash: Hex64,
  closedBy: PersonRef,
  figures: DayFiguresSchema,
  periodTotal: SignedMinor,
  previousGrandTotal: SignedMinor,
  grandTotal: SignedMinor,
  posting: PostingMetaSchema,
})
export type DayClosedData = z.infer<typeof DayClosedDataSchema>

/** `refund.completed` (issue 4): a refund the till completed against one tender of an order; `taxes` (the tax it gives back) and `posting` since the ledger. */
export const RefundCompletedDataSchema = z.object({
  refundId: LedgerId,
  orderId: LedgerId,
  receiptNo: z.string().max(64),
  tenderId: LedgerId,
  method: z.enum(TENDER_METHODS),
  amount: Minor.min(1),
  currency: Currency,
  reason: z.string().max(500),
  staff: PersonRef,
  approvedBy: PersonRef.nullable(),
  providerRef: z.string().max(128).nullable(),
  at: IsoTime,
  taxes: z.array(z.object({ taxId: z.string().max(64), rate: z.string().max(16), amount: Minor })).max(100).optional(),
  posting: PostingMetaSchema.optional(),
})
/** `checkout.voided`: a checkout voided before its order was posted, and what each tender did (given back, reversed…). */
export const CheckoutVoidedDataSchema = z.object({
  checkoutId: LedgerId,
  total: Minor,
  currency: Currency,
  reason: z.string().max(500),
  staff: PersonRef,
  approvedBy: PersonRef.nullable(),
  tenders: z.array(z.object({ id: z.string().max(64), method: z.enum(TENDER_METHODS), amount: Minor, outcome: z.string().max(32) })).max(100),
  posting: PostingMetaSchema.optional(),
})

/**
 * The `data` of each event type the platform normalizes into tables (others are stored as they
 * came). docs/openapi.json carries each as a component schema (`x-event-types` maps type → schema).
 */
export const EVENT_DATA_SCHEMAS = {
  'sale.completed': SaleCompletedDataSchema,
  'refund.completed': RefundCompletedDataSchema,
  'checkout.voided': CheckoutVoidedDataSchema,
  'shift.opened': ShiftOpenedDataSchema,
  'shift.taken_over': ShiftTakenOverDataSchema,
  'cash.moved': CashMovedDataSchema,
  'shift.closed': ShiftClosedDataSchema,
  'day.closed': DayClosedDataSchema,
} as const

export const EventResultSchema = z.object({
  eventId: Ulid,
  seq: z.number().int(),
  /** applied: stored now; duplicate: stored before with the same hash (the stored answer again). */
  status: z.enum(['applied', 'duplicate']),
  receivedAt: IsoTime,
})

export const IngestRequestSchema = z.strictObject({ events: z.array(WireEventSchema).min(1).max(MAX_BATCH_EVENTS) })
export const IngestResponseSchema = z.object({
  results: z.array(EventResultSchema),
  /** The device's last stored event after this batch. */
  lastSeq: z.number().int().min(0),
  lastHash: Hex64,
  /** The platform's clock when it answered (for the till's clock-offset estimate). */
  serverTime: IsoTime,
})
export type IngestResponse = z.infer<typeof IngestResponseSchema>

/** `details` of a `sequence_gap` answer: exactly what is missing. */
export const SequenceGapDetailsSchema = z.object({ expectedSeq: z.number().int(), receivedSeq: z.number().int(), missingFrom: z.number().int(), missingTo: z.number().int() })
/** `details` of a `chain_broken` answer. */
export const ChainBrokenDetailsSchema = z.object({ seq: z.number().int(), expectedPrevHash: Hex64, receivedPrevHash: Hex64 })

export const DeviceStateSchema = z.object({
  deviceId: Ulid,
  storeId: Ulid,
  storeName: z.string(),
  journalDeviceId: Ulid.nullable(),
  lastSeq: z.number().int().min(0),
  lastHash: Hex64,
  serverTime: IsoTime,
})
export type DeviceState = z.infer<typeof DeviceStateSchema>

// ---- catalog ---------------------------------------------------------------------------------------------

/** PostgreSQL cannot store U+0000 in text or jsonb: catalog text never carries it. */
const NO_NUL = /^[^\u0000]*$/
const noNul = (s: z.ZodString): z.ZodString => s.regex(NO_NUL, 'must not contain U+0000')
export const FeedCategorySchema = z.strictObject({ id: CatalogId, nameEn: noNul(z.string().max(80)), nameZh: noNul(z.string().max(80)), sort: z.number().int().min(0).max(1_000_000) })
export const FeedTaxSchema = z.strictObject({ id: CatalogId, name: noNul(z.string().min(1).max(40)), rate: z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, 'a percent like 13 or 6.5') })
export const FeedTaxClassSchema = z.strictObject({ id: CatalogId, name: noNul(z.string().min(1).max(40)), taxIds: z.array(CatalogId).max(4) })
export const FeedProductSchema = z.strictObject({
  id: CatalogId,
  sku: noNul(z.string().min(1).max(64)),
  nameEn: noNul(z.string().max(120)),
  nameZh: noNul(z.string().max(120)),
  categoryId: CatalogId,
  taxClassId: CatalogId,
  price: Minor,
  unit: z.enum(['each', 'kg']),
  barcodes: z.array(z.string().regex(/^[0-9A-Za-z-]{1,64}$/)).max(16),
  active: z.boolean(),
})

/** One change in the feed; the cursor of the last change of a page is the next page's cursor. */
export const CatalogChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('category'), cursor: Cursor, category: FeedCategorySchema }),
  z.object({ kind: z.literal('tax'), cursor: Cursor, tax: FeedTaxSchema }),
  z.object({ kind: z.literal('tax-class'), cursor: Cursor, taxClass: FeedTaxClassSchema }),
  z.object({ kind: z.literal('product'), cursor: Cursor, product: FeedProductSchema }),
])
export type CatalogChange = z.infer<typeof CatalogChangeSchema>

export const CatalogPageQuerySchema = z.strictObject({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
export const CatalogPageSchema = z.object({
  changes: z.array(CatalogChangeSchema),
  /** Send this back to get the next page; equal to the request's cursor when nothing is new. */
  nextCursor: Cursor,
  hasMore: z.boolean(),
  currency: Currency,
  serverTime: IsoTime,
})
export type CatalogPage = z.infer<typeof CatalogPageSchema>

/** What an admin loads: the whole catalog or part of it; products not named are left as they are. */
export const CatalogLoadSchema = z.strictObject({
  categories: z.array(FeedCategorySchema).max(10_000).default([]),
  taxes: z.array(FeedTaxSchema).max(100).default([]),
  taxClasses: z.array(FeedTaxClassSchema).max(100).default([]),
  products: z.array(FeedProductSchema).max(5_000).default([]),
})
export const CatalogLoadResultSchema = z.object({ changes: z.number().int(), cursor: Cursor })

// ---- stores, devices, pairing -----------------------------------------------------------------------------

export const StoreSchema = z.object({ id: Ulid, name: z.string(), currency: Currency, timeZone: z.string(), createdAt: IsoTime })
export type Store = z.infer<typeof StoreSchema>
export const StoreCreateSchema = z.strictObject({ name: Name, currency: Currency.default('CNY'), timeZone: TimeZone.default('Asia/Shanghai') })

export const DeviceSchema = z.object({
  id: Ulid,
  storeId: Ulid,
  name: z.string(),
  createdAt: IsoTime,
  pairedAt: IsoTime.nullable(),
  journalDeviceId: Ulid.nullable(),
  lastSeq: z.number().int().min(0),
  lastEventAt: IsoTime.nullable(),
})
export type PlatformDevice = z.infer<typeof DeviceSchema>
export const DeviceCreateSchema = z.strictObject({ name: Name })

export const PAIRING_CODE_TTL_MS = 10 * 60_000
/** Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as XXXX-XXXX. */
export const PairingCodeSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[2-9A-HJKMNP-Z]{8}$/, 'an 8-character pairing code'))
export const PairingSchema = z.object({ code: z.string(), expiresAt: IsoTime })
export const DeviceCreatedSchema = z.object({ device: DeviceSchema, pairing: PairingSchema })

export const PairRequestSchema = z.strictObject({
  code: PairingCodeSchema,
  /** The till's own device id, the `device` of every event in its journal. */
  journalDeviceId: Ulid,
  deviceCode: z.string().min(1).max(16),
  appVersion: z.string().max(32),
})
export const PairResponseSchema = z.object({
  deviceId: Ulid,
  /** base64url, 32 bytes. Shown once: the till keeps it encrypted; the platform keeps it to verify. */
  secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  store: StoreSchema,
  lastSeq: z.number().int().min(0),
  lastHash: Hex64,
  serverTime: IsoTime,
})
export type PairResponse = z.infer<typeof PairResponseSchema>

// ---- read API -----------------------------------------------------------------------------------------------

/**
 * The read API answers from the reporting tables, which the platform fills from the event store
 * asynchronously (the projection). By default a read waits (at most PROJECTION_WAIT_MAX_MS) until
 * the projection has reached every event stored when the request arrived; `position` waits for the
 * named devices' seqs instead (`<deviceId>:<seq>` joined by commas, e.g. the `lastSeq` an ingest
 * answered), and `waitMs` bounds the wait (0: answer at once). The answer carries the lag left in the
 * headers PROJECTION_LAG_HEADERS (events not yet projected, and the age of the oldest in ms).
 */
export const PROJECTION_WAIT_MAX_MS = 10_000
export const PROJECTION_LAG_HEADERS = { events: 'x-daybook-projection-lag-events', ms: 'x-daybook-projection-lag-ms' } as const
export const ProjectionPositionSchema = z
  .string()
  .max(4000)
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}:\d{1,15}(,[0-9A-HJKMNP-TV-Z]{26}:\d{1,15})*$/, 'deviceId:seq pairs joined by commas')
const ProjectionWaitQuery = {
  /** Wait until these devices' events up to these seqs are projected (default: all stored when the request arrived). */
  position: ProjectionPositionSchema.optional(),
  /** At most this long (ms); default and maximum PROJECTION_WAIT_MAX_MS. 0: answer at once. */
  waitMs: z.coerce.number().int().min(0).max(PROJECTION_WAIT_MAX_MS).optional(),
}
export const DaysQuerySchema = z.strictObject({ from: BusinessDate.optional(), to: BusinessDate.optional(), ...ProjectionWaitQuery })
export const DayTotalsSchema = z.object({
  businessDate: BusinessDate,
  currency: Currency,
  orders: z.number().int(),
  total: Minor,
  taxTotal: Minor,
  byDevice: z.array(z.object({ deviceId: Ulid, deviceName: z.string(), orders: z.number().int(), total: Minor, taxTotal: Minor })),
  byTender: z.array(z.object({ method: z.string(), amount: SignedMinor })),
})
export const DaysSchema = z.object({ storeId: Ulid, days: z.array(DayTotalsSchema) })

export const PlatformOrderSchema = z.object({
  id: z.string(),
  storeId: Ulid,
  deviceId: Ulid,
  receiptNo: z.string(),
  businessDate: BusinessDate,
  createdAt: IsoTime,
  /** When the platform stored the event (device time is createdAt). */
  receivedAt: IsoTime,
  currency: Currency,
  subtotal: Minor,
  discountTotal: Minor,
  taxTotal: Minor,
  total: Minor,
  staffName: z.string(),
  journalSeq: z.number().int(),
  lines: z.array(z.object({ lineNo: z.number().int(), productId: z.string(), name: z.string(), quantity: z.string(), unitPrice: Minor, total: Minor })),
  tenders: z.array(z.object({ id: z.string(), method: z.string(), amount: Minor })),
})
export type PlatformOrder = z.infer<typeof PlatformOrderSchema>
export const DayOrdersQuerySchema = z.strictObject({ deviceId: Ulid.optional(), ...ProjectionWaitQuery })
export const DayOrdersSchema = z.object({ storeId: Ulid, businessDate: BusinessDate, orders: z.array(PlatformOrderSchema) })

export const ClosuresQuerySchema = z
  .strictObject({ from: BusinessDate.optional(), to: BusinessDate.optional(), deviceId: Ulid.optional(), ...ProjectionWaitQuery })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
export const VERIFICATION_STATES = ['verified', 'mismatch', 'pending'] as const
/** One thing a closure says that the events it covers (or the closure before it) do not. */
export const ClosureDifferenceSchema = z.object({
  /** What differs: a figure (`figures.tenders.cash.net`, `figures.taxes.vat13@13.collected`, `figures.adjustments.41.amount`), `periodTotal`, `grandTotal`, `previousGrandTotal`, `number`, `firstSeq`, `lastSeq`, `lastHash`, `fromDate`, `businessDate` or `events.<seq>` (an event in the range that cannot be posted). */
  field: z.string(),
  /** What the closure says (null: it does not have it). */
  closure: z.union([z.number(), z.string(), z.null()]),
  /** What the platform found (null: nothing, e.g. a tender the events never used). */
  recomputed: z.union([z.number(), z.string(), z.null()]),
  message: z.string(),
})
export const ClosureVerificationSchema = z.object({
  /** verified: the figures equal a recomputation from the events and the chain continues; mismatch: see differences; pending: not all events of the range are here yet. */
  state: z.enum(VERIFICATION_STATES),
  differences: z.array(ClosureDifferenceSchema),
  checkedAt: IsoTime,
})
export const PlatformClosureSchema = z.object({
  id: z.string(),
  eventId: Ulid,
  storeId: Ulid,
  deviceId: Ulid,
  deviceName: z.string(),
  deviceCode: z.string(),
  number: z.number().int(),
  businessDate: BusinessDate,
  fromDate: BusinessDate,
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  lastHash: Hex64,
  /** The seq of the closure's own event. */
  journalSeq: z.number().int(),
  currency: Currency,
  figures: DayFiguresSchema,
  periodTotal: SignedMinor,
  previousGrandTotal: SignedMinor,
  grandTotal: SignedMinor,
  closedBy: z.object({ id: z.string(), name: z.string() }),
  /** The till's time of the close (its event's `at`). */
  closedAt: IsoTime,
  receivedAt: IsoTime,
  verification: ClosureVerificationSchema,
})
export type PlatformClosure = z.infer<typeof PlatformClosureSchema>
export const ClosuresSchema = z.object({ storeId: Ulid, closures: z.array(PlatformClosureSchema) })

/** Where the projection of a store stands (the lag is 0 when the reporting tables hold every stored event). */
export const ProjectionStatusSchema = z.object({
  storeId: Ulid,
  /** Events stored but not yet in the reporting tables, all devices of the store. */
  projection_lag_events: z.number().int().min(0),
  /** How long the oldest of them has been waiting (0 when none). */
  projection_lag_ms: z.number().int().min(0),
  devices: z.array(
    z.object({
      deviceId: Ulid,
      /** The device's last stored event. */
      lastSeq: z.number().int().min(0),
      /** Every event up to this one is in the reporting tables. */
      projectedSeq: z.number().int().min(0),
      lagEvents: z.number().int().min(0),
      lagMs: z.number().int().min(0),
    }),
  ),
})
export type ProjectionStatus = z.infer<typeof ProjectionStatusSchema>

export const HealthSchema = z.object({ status: z.literal('ok'), version: z.string() })
export const ReadySchema = z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) })

// ---- the route table ---------------------------------------------------------------------------------------

export type RouteAuth = 'none' | 'admin' | 'device'

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT'
  /** Fastify-style path with :params. */
  path: string
  auth: RouteAuth
  summary: string
  params?: z.ZodType
  query?: z.ZodType
  body?: z.ZodType
  response: z.ZodType
  /** 200 unless said. */
  status?: number
  errors: readonly PlatformErrorCode[]
}

const StoreParams = z.strictObject({ storeId: Ulid })
const DeviceParams = z.strictObject({ deviceId: Ulid })
const PaymentParams = z.strictObject({ paymentId: Ulid })

/** The sandbox wallets' scripted outcomes (src/platform/README.md "Sandbox wallets"). */
export const SANDBOX_SCENARIOS = [
  'success', // paid at once (customer code) / when the phone page pays (merchant QR)
  'decline', // insufficient balance: failed
  'user_paying_then_success', // USERPAYING / 10003; paid on the third query
  'user_paying_forever', // USERPAYING until the till gives up and cancels
  'system_error_then_success', // 20000 / SYSTEMERROR on pay; a query finds it paid
  'timeout_then_success', // the provider does not answer pay in time; a query finds it paid
] as const
export const SandboxScenarioSchema = z.strictObject({
  wallet: z.enum(WALLETS).optional(),
  scenario: z.enum(SANDBOX_SCENARIOS),
  /** How many following payments take it (then the amount rules apply again). */
  count: z.number().int().min(1).max(1000).default(1),
})
// Every route can answer 'internal'; every route with a body can answer 'payload_too_large'.
const SIGNED = ['unknown_device', 'bad_signature', 'clock_skew', 'nonce_replayed', 'rate_limited', 'invalid_request', 'internal'] as const
const ADMIN = ['unauthorized', 'invalid_request', 'internal'] as const

export const platformRoutes = {
  health: { method: 'GET', path: '/v1/health', auth: 'none', summary: 'Liveness: the process answers.', response: HealthSchema, errors: ['internal'] },
  ready: { method: 'GET', path: '/v1/ready', auth: 'none', summary: 'Readiness: the database answers.', response: ReadySchema, errors: ['not_ready', 'internal'] },

  'store-create': { method: 'POST', path: '/v1/admin/stores', auth: 'admin', summary: 'Create a store.', body: StoreCreateSchema, response: StoreSchema, status: 201, errors: [...ADMIN, 'payload_too_large'] },
  'store-list': { method: 'GET', path: '/v1/admin/stores', auth: 'admin', summary: 'List stores.', response: z.object({ stores: z.array(StoreSchema) }), errors: ADMIN },
  'device-create': {
    method: 'POST',
    path: '/v1/admin/stores/:storeId/devices',
    auth: 'admin',
    summary: 'Create a device (a till) in a store and return its one-time pairing code (10 minutes).',
    params: StoreParams,
    body: DeviceCreateSchema,
    response: DeviceCreatedSchema,
    status: 201,
    errors: [...ADMIN, 'not_found', 'payload_too_large'],
  },
  'device-list': { method: 'GET', path: '/v1/admin/stores/:storeId/devices', auth: 'admin', summary: "List a store's devices.", params: StoreParams, response: z.object({ devices: z.array(DeviceSchema) }), errors: [...ADMIN, 'not_found'] },
  'device-pairing-code': {
    method: 'POST',
    path: '/v1/admin/devices/:deviceId/pairing-code',
    auth: 'admin',
    summary: 'A new one-time pairing code for a device (a replaced till, lost credentials). Earlier unused codes stop working.',
    params: DeviceParams,
    response: PairingSchema,
    status: 201,
    errors: [...ADMIN, 'not_found'],
  },
  'catalog-load': {
    method: 'PUT',
    path: '/v1/admin/stores/:storeId/catalog',
    auth: 'admin',
    summary: 'Load or change categories, taxes, tax classes and products; each change gets the next feed cursor.',
    params: StoreParams,
    body: CatalogLoadSchema,
    response: CatalogLoadResultSchema,
    errors: [...ADMIN, 'not_found', 'payload_too_large'],
  },
  'store-days': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/days',
    auth: 'admin',
    summary: 'Orders and totals per business day, per device and per tender method.',
    params: StoreParams,
    query: DaysQuerySchema,
    response: DaysSchema,
    errors: [...ADMIN, 'not_found'],
  },
  'store-day-orders': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/days/:businessDate/orders',
    auth: 'admin',
    summary: 'The orders of one business day, with lines and tenders.',
    params: z.strictObject({ storeId: Ulid, businessDate: BusinessDate }),
    query: DayOrdersQuerySchema,
    response: DayOrdersSchema,
    errors: [...ADMIN, 'not_found'],
  },
  'store-closures': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/closures',
    auth: 'admin',
    summary:
      "The store's Z closures (business date from…to, optionally one device's), each with its figures, totals and verification: the platform recomputes every closure from the events it holds for that device and seq range, and checks the number, seq range, last hash and grand total continue the previous closure.",
    params: StoreParams,
    query: ClosuresQuerySchema,
    response: ClosuresSchema,
    errors: [...ADMIN, 'not_found'],
  },
  'store-projection': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/projection',
    auth: 'admin',
    summary:
      "Where the projection of the store's events into the reporting tables stands: the events stored but not yet projected (projection_lag_events) and the age of the oldest of them (projection_lag_ms), per device too.",
    params: StoreParams,
    response: ProjectionStatusSchema,
    errors: [...ADMIN, 'not_found'],
  },

  pair: {
    method: 'POST',
    path: '/v1/pair',
    auth: 'none',
    summary: 'Exchange a one-time pairing code for device credentials.',
    body: PairRequestSchema,
    response: PairResponseSchema,
    errors: ['invalid_request', 'pairing_code_invalid', 'pairing_code_expired', 'device_journal_mismatch', 'rate_limited', 'payload_too_large', 'internal'],
  },
  'device-state': { method: 'GET', path: '/v1/device/state', auth: 'device', summary: "The device's last stored event and the platform clock.", response: DeviceStateSchema, errors: SIGNED },
  'events-ingest': {
    method: 'POST',
    path: '/v1/device/events',
    auth: 'device',
    summary: 'A batch of journal events, in sequence order. All or nothing; permanent dedupe on event id.',
    body: IngestRequestSchema,
    response: IngestResponseSchema,
    errors: [...SIGNED, 'payload_too_large', 'event_conflict', 'sequence_gap', 'chain_broken', 'hash_mismatch', 'event_invalid'],
  },
  'catalog-feed': {
    method: 'GET',
    path: '/v1/device/catalog',
    auth: 'device',
    summary: "A page of the store's catalog changes after a cursor (all of it from no cursor), oldest first.",
    query: CatalogPageQuerySchema,
    response: CatalogPageSchema,
    errors: SIGNED,
  },

  'payment-create': {
    method: 'POST',
    path: '/v1/device/payments',
    auth: 'device',
    summary:
      'Start a wallet payment: a merchant QR (answers with codeUrl) or a scanned customer code (the platform charges it). The paymentId is the out_trade_no: the same id with the same parameters answers with the payment as it stands; different parameters get payment_conflict.',
    body: PaymentCreateSchema,
    response: PaymentSchema,
    errors: [...SIGNED, 'payload_too_large', 'payment_conflict', 'payment_closed', 'card_number_refused', 'wallet_unavailable'],
  },
  'payment-get': {
    method: 'GET',
    path: '/v1/device/payments/:paymentId',
    auth: 'device',
    summary: 'A payment as it stands (the platform asks the provider when it does not know yet). With unlessState and waitMs, the answer waits until the state changes (long poll, at most 25 s).',
    params: PaymentParams,
    query: PaymentWaitQuerySchema,
    response: PaymentSchema,
    errors: [...SIGNED, 'not_found', 'wallet_unavailable'],
  },
  'payment-cancel': {
    method: 'POST',
    path: '/v1/device/payments/:paymentId/cancel',
    auth: 'device',
    summary:
      "Cancel: closes an unpaid payment, reverses (refunds in full) a paid one. An id the platform never saw is recorded as closed, so a create that arrives late is refused.",
    params: PaymentParams,
    body: z.strictObject({}),
    response: PaymentSchema,
    errors: [...SIGNED, 'payload_too_large', 'not_found', 'wallet_unavailable'],
  },
  'payment-refund': {
    method: 'POST',
    path: '/v1/device/payments/:paymentId/refunds',
    auth: 'device',
    summary: 'Refund part or all of a paid payment. The refundId is the out_request_no: the same id and amount again never refunds twice.',
    params: PaymentParams,
    body: RefundCreateSchema,
    response: PaymentRefundSchema,
    errors: [...SIGNED, 'payload_too_large', 'not_found', 'payment_not_refundable', 'refund_conflict', 'refund_exceeds', 'card_number_refused', 'wallet_unavailable'],
  },
  'payment-refund-get': {
    method: 'GET',
    path: '/v1/device/payments/:paymentId/refunds/:refundId',
    auth: 'device',
    summary: 'A refund as it stands.',
    params: z.strictObject({ paymentId: Ulid, refundId: Ulid }),
    response: PaymentRefundSchema,
    errors: [...SIGNED, 'not_found'],
  },
  'store-payments': {
    method: 'GET',
    path: '/v1/admin/stores/:storeId/payments',
    auth: 'admin',
    summary: "A store's wallet payments created on a day (UTC date of creation), with their refunds.",
    params: StoreParams,
    query: z.strictObject({ date: BusinessDate }),
    response: z.object({ payments: z.array(PaymentSchema.extend({ deviceId: Ulid, refunds: z.array(PaymentRefundSchema) })) }),
    errors: [...ADMIN, 'not_found'],
  },
  'sandbox-scenario': {
    method: 'PUT',
    path: '/v1/admin/sandbox/scenario',
    auth: 'admin',
    summary: 'Sandbox wallets only: the outcome of the next payment(s) of a wallet, overriding the amount rules. See src/platform/README.md "Sandbox wallets".',
    body: SandboxScenarioSchema,
    response: SandboxScenarioSchema,
    errors: [...ADMIN, 'payload_too_large'],
  },
  ...statementRoutes,
} as const satisfies Record<string, RouteSpec>

export type PlatformRoutes = typeof platformRoutes
export type PlatformRouteName = keyof PlatformRoutes

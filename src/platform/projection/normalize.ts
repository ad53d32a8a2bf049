import { z } from 'zod'
import { MASKED_PAN_PATTERN } from '../../shared/card-number'
import { CURRENCIES, MAX_MINOR } from '../../shared/money'
import {
  CashMovedDataSchema,
  CheckoutVoidedDataSchema,
  DayClosedDataSchema,
  RefundCompletedDataSchema,
  SaleCompletedDataSchema,
  ShiftClosedDataSchema,
  ShiftOpenedDataSchema,
  ShiftTakenOverDataSchema,
  type WireEvent,
} from '../../shared/platform-api'
import { verifyPendingClosures } from '../closures'
import { storeDate } from '../dates'
import type { Queryable } from '../db'
import { iso, type DeviceRow } from '../service'

/**
 * Normalization: the events of the event store into the reporting tables. Run by the projector
 * (projector.ts), per device in seq order, in the transaction that also advances the device's
 * projected position. Per event:
 *   `sale.completed` into orders / order_lines / order_tenders (with the tenders' flow, provider
 *   reference, masked card details and paid time when present); `refund.completed` into refunds (per
 *   tender and method), `checkout.voided` into voids; `shift.opened` / `shift.closed` /
 *   `shift.taken_over` / `cash.moved` into shifts / shift_closes / shift_takeovers / cash_movements,
 *   `day.closed` into closures (then verified: closures.ts); `refund.posted` fills refunds when it
 *   carries the fields named below; any other type is left as it came. A chain-valid event whose
 *   payload cannot be normalized (not an acceptable order, another currency than the store's, an
 *   order id already recorded, a shift never opened) stays in the event store — it is part of the
 *   till's hash chain, and refusing it would have blocked every later event — with the reason in
 *   events.normalize_error, and a warning is logged (without the payload).
 */


const Amount = z.number().int().min(-MAX_MINOR).max(MAX_MINOR)
const NonNeg = z.number().int().min(0).max(MAX_MINOR)
/** The order figures the platform sums must be exact integers in range, whatever the till's schema allows. */
const SaleAmountsSchema = z.object({
  currency: z.enum(CURRENCIES),
  subtotal: NonNeg,
  lineDiscounts: NonNeg,
  orderDiscount: NonNeg,
  taxTotal: NonNeg,
  total: NonNeg,
  lines: z.array(z.object({ unitPrice: NonNeg, total: NonNeg, tax: NonNeg.nullable() })),
  tenders: z.array(z.object({ amount: NonNeg, tendered: NonNeg, change: NonNeg })),
})

/** Minimal mapping, documented in README.md: filled when present; otherwise the event is kept raw. */
export const RefundPostedSchema = z.object({ id: z.string().min(1).max(64), orderId: z.string().min(1).max(64), businessDate: z.iso.date().optional(), currency: z.enum(CURRENCIES), amount: Amount })

const issuesText = (issues: readonly z.core.$ZodIssue[]): string => issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(data)'}: ${i.message}`).join('; ')

/** Where the projector reports an event it left without normalizing it (never the payload). */
export type NormalizeWarn = (fields: Record<string, unknown>, message: string) => void

/** The device as normalization needs it: with its store's currency and time zone. */
export type ProjectionDevice = DeviceRow & { currency: string; time_zone: string }

/** An event as the event store holds it (data: its canonical JSON text). */
export interface StoredEventRow extends Record<string, unknown> {
  event_id: string
  seq: number
  type: string
  at: string
  data: string
  received_at: Date
}

/**
 * Normalizes `stored` (the device's next events, consecutive, in seq order) into the reporting
 * tables, records why any could not be (events.normalize_error), and verifies the closures now
 * complete. The caller holds the device's projection row and advances it in the same transaction.
 */
export async function projectEvents(q: Queryable, device: ProjectionDevice & { pending_closures: boolean }, stored: StoredEventRow[], now: Date, warn: NormalizeWarn): Promise<void> {
  if (stored.length === 0) return
  const received = new Map(stored.map((r) => [r.event_id, iso(r.received_at)]))
  const events: WireEvent[] = stored.map((r) => ({ id: r.event_id, device: device.journal_device_id ?? '', seq: r.seq, type: r.type, at: r.at, data: JSON.parse(r.data) as unknown, prevHash: '', hash: '' }))
  const ids = (type: string, key: string): string[] =>
    events.flatMap((e) => {
      const id = e.type === type && e.data !== null && typeof e.data === 'object' ? (e.data as Record<string, unknown>)[key] : undefined
      return typeof id === 'string' && !id.includes('\u0000') ? [id] : []
    })
  const saleIds = ids('sale.completed', 'id')
  const recorded = new Set<string>()
  if (saleIds.length > 0) {
    for (const r of await q.query<{ id: string }>('SELECT id FROM orders WHERE device_id = $1 AND id = ANY($2::text[])', [device.id, saleIds])) recorded.add(r.id)
  }
  const refundIds = ids('refund.completed', 'refundId')
  const recordedRefunds = new Set<string>()
  if (refundIds.length > 0) {
    for (const r of await q.query<{ refund_id: string }>('SELECT refund_id FROM refunds WHERE device_id = $1 AND refund_id = ANY($2::text[])', [device.id, refundIds])) recordedRefunds.add(r.refund_id)
  }
  const known = await knownLedgerRecords(q, device.id, events)
  const rows = normalize(device, events, recorded, recordedRefunds, known, (e) => received.get(e.id)!)
  for (const [eventId, reason] of rows.errors) {
    const e = events.find((x) => x.id === eventId)!
    warn({ deviceId: device.id, eventId, seq: e.seq, type: e.type, reason }, 'event stored without normalization')
  }
  await writeRows(q, device, rows)
  // The closures just stored (and any still waiting for their range) are checked in this transaction.
  if (rows.closures.length > 0 || device.pending_closures) await verifyPendingClosures(q, device, now)
}



interface NormalizedRows {
  orders: Record<string, unknown>[]
  lines: Record<string, unknown>[]
  tenders: Record<string, unknown>[]
  refunds: Record<string, unknown>[]
  voids: Record<string, unknown>[]
  shifts: Record<string, unknown>[]
  shiftCloses: Record<string, unknown>[]
  takeovers: Record<string, unknown>[]
  movements: Record<string, unknown>[]
  closures: Record<string, unknown>[]
  /** event id → why its payload was not normalized */
  errors: Map<string, string>
}

/** The event types normalized into the shift, movement and closure tables. */
export const LEDGER_RECORD_TYPES = ['shift.opened', 'shift.taken_over', 'cash.moved', 'shift.closed', 'day.closed'] as const

/** The device's shift, movement, take-over and closure ids that a batch names and that are stored already. */
interface KnownLedgerRecords {
  shifts: Set<string>
  closedShifts: Set<string>
  movements: Set<string>
  takeovers: Set<string>
  closures: Set<string>
}

const emptyKnown = (): KnownLedgerRecords => ({ shifts: new Set(), closedShifts: new Set(), movements: new Set(), takeovers: new Set(), closures: new Set() })

/** A string field of an event's data that can be looked up (PostgreSQL text cannot hold U+0000). */
function idField(e: WireEvent, key: string): string[] {
  const v = e.data !== null && typeof e.data === 'object' ? (e.data as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' && v.length <= 64 && !v.includes('\u0000') ? [v] : []
}

/** One query, and only for a batch that carries ledger record events (sales-only batches skip it). */
async function knownLedgerRecords(q: Queryable, deviceId: string, events: WireEvent[]): Promise<KnownLedgerRecords> {
  const known = emptyKnown()
  const mine = events.filter((e) => (LEDGER_RECORD_TYPES as readonly string[]).includes(e.type))
  if (mine.length === 0) return known
  const of = (type: string, key: string): string[] => mine.flatMap((e) => (e.type === type ? idField(e, key) : []))
  const shiftIds = mine.flatMap((e) => (e.type === 'day.closed' ? [] : idField(e, 'shiftId')))
  const rows = await q.query<{ k: string; id: string }>(
    `SELECT 's' AS k, shift_id AS id FROM shifts WHERE device_id = $1 AND shift_id = ANY($2::text[])
     UNION ALL SELECT 'c', shift_id FROM shift_closes WHERE device_id = $1 AND shift_id = ANY($2::text[])
     UNION ALL SELECT 'm', movement_id FROM cash_movements WHERE device_id = $1 AND movement_id = ANY($3::text[])
     UNION ALL SELECT 't', takeover_id FROM shift_takeovers WHERE device_id = $1 AND takeover_id = ANY($4::text[])
     UNION ALL SELECT 'z', closure_id FROM closures WHERE device_id = $1 AND closure_id = ANY($5::text[])`,
    [deviceId, shiftIds, of('cash.moved', 'movementId'), of('shift.taken_over', 'takeoverId'), of('day.closed', 'closureId')],
  )
  const sets: Record<string, Set<string>> = { s: known.shifts, c: known.closedShifts, m: known.movements, t: known.takeovers, z: known.closures }
  for (const r of rows) sets[r.k]!.add(r.id)
  return known
}

/** JSON for jsonb: PostgreSQL cannot store U+0000 in jsonb or text, so it is dropped from every string. */
function jsonForDb(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.includes('\u0000') ? x.replaceAll('\u0000', '') : x))
}

/** The rows of the normalized tables for the new events, and why an event could not be normalized. */
function normalize(
  device: ProjectionDevice,
  events: WireEvent[],
  recorded: ReadonlySet<string>,
  recordedRefunds: ReadonlySet<string>,
  known: KnownLedgerRecords,
  receivedAt: (e: WireEvent) => string,
): NormalizedRows {
  const rows: NormalizedRows = { orders: [], lines: [], tenders: [], refunds: [], voids: [], shifts: [], shiftCloses: [], takeovers: [], movements: [], closures: [], errors: new Map() }
  const orderIds = new Set<string>()
  const refundIds = new Set<string>()
  for (const e of events) {
    if (e.type === 'sale.completed') {
      const parsed = SaleCompletedDataSchema.safeParse(e.data)
      const amounts = parsed.success ? SaleAmountsSchema.safeParse(e.data) : undefined
      let why: string | null = null
      if (!parsed.success || !amounts?.success) {
        const issues = (parsed.success ? amounts!.error! : parsed.error).issues.slice(0, 5)
        why = `not an acceptable order: ${issues.map((i) => `${i.path.map(String).join('.') || '(data)'}: ${i.message}`).join('; ')}`
      } else if (parsed.data.id.includes('\u0000')) why = 'the order id contains U+0000'
      else if (parsed.data.currency !== device.currency) why = `the order is in ${parsed.data.currency}, the store in ${device.currency}`
      else if (recorded.has(parsed.data.id) || orderIds.has(parsed.data.id)) why = `order ${parsed.data.id} is already recorded for this device`
      else if (new Set(parsed.data.lines.map((l) => l.lineNo)).size !== parsed.data.lines.length || new Set(parsed.data.tenders.map((t) => t.id)).size !== parsed.data.tenders.length) {
        why = 'the order repeats a line number or a tender id'
      } else if (parsed.data.tenders.some((t) => t.card && !MASKED_PAN_PATTERN.test(t.card.maskedPan))) {
        why = 'a card tender whose maskedPan is not masked (at most the first 6 and last 4 digits)'
      }
      if (why !== null || !parsed.success) {
        rows.errors.set(e.id, (why ?? 'not an acceptable order').replaceAll('\u0000', ''))
        continue
      }
      const o = parsed.data
      orderIds.add(o.id)
      rows.orders.push({
        id: o.id,
        event_id: e.id,
        received_at: receivedAt(e),
        receipt_no: o.receiptNo,
        business_date: o.businessDate,
        created_at: o.createdAt,
        currency: o.currency,
        subtotal: o.subtotal,
        discount_total: o.lineDiscounts + o.orderDiscount,
        tax_total: o.taxTotal,
        total: o.total,
        staff_name: o.staff.name,
        journal_seq: e.seq,
      })
      for (const l of o.lines) {
        rows.lines.push({ order_id: o.id, line_no: l.lineNo, product_id: l.productId, name_en: l.nameEn, name_zh: l.nameZh, quantity: l.quantity, unit_price: l.unitPrice, total: l.total, tax: l.tax })
      }
      for (const t of o.tenders) {
        rows.tenders.push({
          order_id: o.id,
          tender_id: t.id,
          method: t.method,
          amount: t.amount,
          tendered: t.tendered,
          change: t.change,
          flow: t.flow ?? null,
          provider_ref: t.providerRef ?? null,
          paid_at: t.paidAt ?? null,
          card_masked_pan: t.card?.maskedPan ?? null,
          card_brand: t.card?.brand ?? null,
          card_entry_mode: t.card?.entryMode ?? null,
          card_approval_code: t.card?.approvalCode ?? null,
          card_terminal_id: t.card?.terminalId ?? null,
        })
      }
    } else if (e.type === 'refund.completed') {
      const r = RefundCompletedDataSchema.safeParse(e.data)
      let why: string | null = null
      if (!r.success) why = `not an acceptable refund: ${issuesText(r.error.issues)}`
      else if (r.data.currency !== device.currency) why = `the refund is in ${r.data.currency}, the store in ${device.currency}`
      else if (recordedRefunds.has(r.data.refundId) || refundIds.has(r.data.refundId)) why = `refund ${r.data.refundId} is already recorded for this device`
      if (why !== null || !r.success) {
        rows.errors.set(e.id, (why ?? 'not an acceptable refund').replaceAll('\u0000', ''))
        continue
      }
      const x = r.data
      refundIds.add(x.refundId)
      rows.refunds.push({
        event_id: e.id,
        received_at: receivedAt(e),
        refund_id: x.refundId,
        order_id: x.orderId,
        // The till's business day (cut-off, days already closed) since the ledger; the store-local date before it.
        business_date: x.posting?.businessDate ?? storeDate(x.at, device.time_zone),
        currency: x.currency,
        amount: x.amount,
        receipt_no: x.receiptNo,
        tender_id: x.tenderId,
        method: x.method,
        reason: x.reason,
        staff_id: x.staff.id,
        staff_name: x.staff.name,
        approved_by_name: x.approvedBy?.name ?? null,
        provider_ref: x.providerRef,
        at: x.at,
      })
    } else if (e.type === 'checkout.voided') {
      const v = CheckoutVoidedDataSchema.safeParse(e.data)
      let why: string | null = null
      if (!v.success) why = `not an acceptable void: ${issuesText(v.error.issues)}`
      else if (v.data.currency !== device.currency) why = `the void is in ${v.data.currency}, the store in ${device.currency}`
      if (why !== null || !v.success) {
        rows.errors.set(e.id, (why ?? 'not an acceptable void').replaceAll('\u0000', ''))
        continue
      }
      const x = v.data
      rows.voids.push({
        event_id: e.id,
        received_at: receivedAt(e),
        checkout_id: x.checkoutId,
        business_date: x.posting?.businessDate ?? storeDate(e.at, device.time_zone),
        total: x.total,
        currency: x.currency,
        reason: x.reason,
        staff_id: x.staff.id,
        staff_name: x.staff.name,
        approved_by_name: x.approvedBy?.name ?? null,
        tenders: JSON.stringify(x.tenders),
        at: e.at,
      })
    } else if (e.type === 'refund.posted') {
      const r = RefundPostedSchema.safeParse(e.data)
      if (r.success) rows.refunds.push({ event_id: e.id, received_at: receivedAt(e), refund_id: r.data.id, order_id: r.data.orderId, business_date: r.data.businessDate ?? null, currency: r.data.currency, amount: r.data.amount })
    } else if ((LEDGER_RECORD_TYPES as readonly string[]).includes(e.type)) {
      const why = normalizeLedgerRecord(device, e, known, rows, receivedAt(e))
      if (why !== null) rows.errors.set(e.id, why.replaceAll('\u0000', ''))
    }
  }
  return rows
}

const personCols = (prefix: string, p: { id: string; name: string } | null): Record<string, string | null> => ({ [`${prefix}_id`]: p?.id ?? null, [`${prefix}_name`]: p?.name ?? null })

/**
 * A shift opening, take-over, close, cash movement or closure into its row; or why it cannot be
 * (its shape, another currency than the store's, an id already recorded, a shift never opened or
 * already closed). `known` is updated as the batch goes, so a batch may open and close a shift.
 */
function normalizeLedgerRecord(device: ProjectionDevice, e: WireEvent, known: KnownLedgerRecords, rows: NormalizedRows, receivedAt: string): string | null {
  const base = { event_id: e.id, journal_seq: e.seq, received_at: receivedAt }
  const currencyOf = (c: string): string | null => (c === device.currency ? null : `it is in ${c}, the store in ${device.currency}`)
  const openShift = (shiftId: string): string | null =>
    !known.shifts.has(shiftId) ? `shift ${shiftId} was never opened on this device` : known.closedShifts.has(shiftId) ? `shift ${shiftId} is already closed` : null
  switch (e.type) {
    case 'shift.opened': {
      const r = ShiftOpenedDataSchema.safeParse(e.data)
      if (!r.success) return `not an acceptable shift opening: ${issuesText(r.error.issues)}`
      const x = r.data
      const why = currencyOf(x.currency) ?? (known.shifts.has(x.shiftId) ? `shift ${x.shiftId} is already recorded for this device` : null)
      if (why) return `shift opening: ${why}`
      known.shifts.add(x.shiftId)
      rows.shifts.push({
        ...base,
        shift_id: x.shiftId,
        device_code: x.deviceCode,
        currency: x.currency,
        business_date: x.posting.businessDate,
        adjustment_of: x.posting.adjustmentOf,
        opened_at: e.at,
        ...personCols('opened_by', x.openedBy),
        float_amount: x.float,
        previous_left: x.previousLeft,
        opening_count: JSON.stringify(x.count),
      })
      return null
    }
    case 'shift.taken_over': {
      const r = ShiftTakenOverDataSchema.safeParse(e.data)
      if (!r.success) return `not an acceptable shift take-over: ${issuesText(r.error.issues)}`
      const x = r.data
      const why = openShift(x.shiftId) ?? (known.takeovers.has(x.takeoverId) ? `take-over ${x.takeoverId} is already recorded for this device` : null)
      if (why) return `shift take-over: ${why}`
      known.takeovers.add(x.takeoverId)
      rows.takeovers.push({ ...base, takeover_id: x.takeoverId, shift_id: x.shiftId, at: e.at, ...personCols('from', x.from), ...personCols('to', x.to) })
      return null
    }
    case 'cash.moved': {
      const r = CashMovedDataSchema.safeParse(e.data)
      if (!r.success) return `not an acceptable cash movement: ${issuesText(r.error.issues)}`
      const x = r.data
      const why = currencyOf(x.currency) ?? openShift(x.shiftId) ?? (known.movements.has(x.movementId) ? `movement ${x.movementId} is already recorded for this device` : null)
      if (why) return `cash movement: ${why}`
      known.movements.add(x.movementId)
      rows.movements.push({
        ...base,
        movement_id: x.movementId,
        shift_id: x.shiftId,
        business_date: x.posting.businessDate,
        adjustment_of: x.posting.adjustmentOf,
        kind: x.kind,
        amount: x.amount,
        currency: x.currency,
        reason: x.reason,
        note: x.note,
        ...personCols('staff', x.staff),
        ...personCols('approved_by', x.approvedBy),
        at: e.at,
      })
      return null
    }
    case 'shift.closed': {
      const r = ShiftClosedDataSchema.safeParse(e.data)
      if (!r.success) return `not an acceptable shift close: ${issuesText(r.error.issues)}`
      const x = r.data
      const why = currencyOf(x.currency) ?? openShift(x.shiftId)
      if (why) return `shift close: ${why}`
      known.closedShifts.add(x.shiftId)
      rows.shiftCloses.push({
        ...base,
        shift_id: x.shiftId,
        currency: x.currency,
        business_date: x.posting.businessDate,
        adjustment_of: x.posting.adjustmentOf,
        closed_at: e.at,
        ...personCols('closed_by', x.closedBy),
        expected: x.expected,
        counted: x.counted,
        over_short: x.overShort,
        left_in_drawer: x.left,
        closing_count: JSON.stringify(x.count),
        reason: x.reason,
        ...personCols('approved_by', x.approvedBy),
      })
      return null
    }
    case 'day.closed': {
      const r = DayClosedDataSchema.safeParse(e.data)
      if (!r.success) return `not an acceptable closure: ${issuesText(r.error.issues)}`
      const x = r.data
      const why = currencyOf(x.currency) ?? (known.closures.has(x.closureId) ? `closure ${x.closureId} is already recorded for this device` : null)
      if (why) return `closure: ${why}`
      known.closures.add(x.closureId)
      rows.closures.push({
        ...base,
        closure_id: x.closureId,
        number: x.number,
        device_code: x.deviceCode,
        store_name: x.storeName,
        currency: x.currency,
        business_date: x.businessDate,
        from_date: x.fromDate,
        first_seq: x.firstSeq,
        last_seq: x.lastSeq,
        last_hash: x.lastHash,
        closed_at: e.at,
        ...personCols('closed_by', x.closedBy),
        figures: JSON.stringify(x.figures),
        period_total: x.periodTotal,
        previous_grand_total: x.previousGrandTotal,
        grand_total: x.grandTotal,
      })
      return null
    }
  }
  return null
}

/**
 * Every write of a projection step in one statement (one round trip): the normalized rows through
 * jsonb_to_recordset as data-modifying CTEs, and the events that could not be normalized get their
 * reason (events.normalize_error). They all run, whatever the main query reads, and foreign keys
 * between them are checked at the end of the statement.
 */
async function writeRows(q: Queryable, device: DeviceRow, rows: NormalizedRows): Promise<void> {
  const params: unknown[] = [device.id, device.store_id]
  const p = (v: unknown): string => {
    params.push(v)
    return `$${params.length}`
  }
  const ctes: string[] = []
  if (rows.orders.length > 0) {
    ctes.push(`o AS (INSERT INTO orders (device_id, id, store_id, event_id, receipt_no, business_date, created_at, received_at, currency, subtotal, discount_total, tax_total, total, staff_name, journal_seq)
       SELECT $1, x.id, $2, x.event_id, x.receipt_no, x.business_date, x.created_at, x.received_at, x.currency, x.subtotal, x.discount_total, x.tax_total, x.total, x.staff_name, x.journal_seq
       FROM jsonb_to_recordset(${p(jsonForDb(rows.orders))}::jsonb) AS x(id text, event_id text, receipt_no text, business_date text, created_at text, received_at timestamptz, currency text,
         subtotal bigint, discount_total bigint, tax_total bigint, total bigint, staff_name text, journal_seq bigint))`)
  }
  if (rows.lines.length > 0) {
    ctes.push(`l AS (INSERT INTO order_lines (device_id, order_id, line_no, product_id, name_en, name_zh, quantity, unit_price, total, tax)
       SELECT $1, x.order_id, x.line_no, x.product_id, x.name_en, x.name_zh, x.quantity, x.unit_price, x.total, x.tax
       FROM jsonb_to_recordset(${p(jsonForDb(rows.lines))}::jsonb) AS x(order_id text, line_no int, product_id text, name_en text, name_zh text, quantity text, unit_price bigint, total bigint, tax bigint))`)
  }
  if (rows.tenders.length > 0) {
    ctes.push(`t AS (INSERT INTO order_tenders (device_id, order_id, tender_id, method, amount, tendered, change, flow, provider_ref, paid_at,
         card_masked_pan, card_brand, card_entry_mode, card_approval_code, card_terminal_id)
       SELECT $1, x.order_id, x.tender_id, x.method, x.amount, x.tendered, x.change, x.flow, x.provider_ref, x.paid_at,
         x.card_masked_pan, x.card_brand, x.card_entry_mode, x.card_approval_code, x.card_terminal_id
       FROM jsonb_to_recordset(${p(jsonForDb(rows.tenders))}::jsonb) AS x(order_id text, tender_id text, method text, amount bigint, tendered bigint, change bigint,
         flow text, provider_ref text, paid_at text, card_masked_pan text, card_brand text, card_entry_mode text, card_approval_code text, card_terminal_id text))`)
  }
  if (rows.refunds.length > 0) {
    ctes.push(`r AS (INSERT INTO refunds (event_id, store_id, device_id, refund_id, order_id, business_date, currency, amount, received_at,
         receipt_no, tender_id, method, reason, staff_id, staff_name, approved_by_name, provider_ref, at)
       SELECT x.event_id, $2, $1, x.refund_id, x.order_id, x.business_date, x.currency, x.amount, x.received_at,
         x.receipt_no, x.tender_id, x.method, x.reason, x.staff_id, x.staff_name, x.approved_by_name, x.provider_ref, x.at
       FROM jsonb_to_recordset(${p(jsonForDb(rows.refunds))}::jsonb) AS x(event_id text, refund_id text, order_id text, business_date text, currency text, amount bigint, received_at timestamptz,
         receipt_no text, tender_id text, method text, reason text, staff_id text, staff_name text, approved_by_name text, provider_ref text, at text))`)
  }
  if (rows.voids.length > 0) {
    ctes.push(`v AS (INSERT INTO voids (event_id, store_id, device_id, checkout_id, business_date, total, currency, reason, staff_id, staff_name, approved_by_name, tenders, at, received_at)
       SELECT x.event_id, $2, $1, x.checkout_id, x.business_date, x.total, x.currency, x.reason, x.staff_id, x.staff_name, x.approved_by_name, x.tenders, x.at, x.received_at
       FROM jsonb_to_recordset(${p(jsonForDb(rows.voids))}::jsonb) AS x(event_id text, checkout_id text, business_date text, total bigint, currency text, reason text,
         staff_id text, staff_name text, approved_by_name text, tenders text, at text, received_at timestamptz))`)
  }
  ctes.push(...ledgerCtes(rows, p))
  if (rows.errors.size > 0) {
    const errors = [...rows.errors].map(([event_id, why]) => ({ event_id, why }))
    ctes.push(`ne AS (UPDATE events SET normalize_error = x.why FROM jsonb_to_recordset(${p(jsonForDb(errors))}::jsonb) AS x(event_id text, why text) WHERE events.event_id = x.event_id)`)
  }
  // ($1 and $2 are typed here: a step whose events were all flagged has no insert using them.)
  if (ctes.length > 0) await q.query(`WITH ${ctes.join(',\n')}\nSELECT $1::text, $2::text`, params)
}

/** The inserts of the shift, movement and closure rows, as CTEs of one statement ($1 = device id, $2 = store id). */
function ledgerCtes(rows: NormalizedRows, p: (v: unknown) => string): string[] {
  const ctes: string[] = []
  const insert = (name: string, table: string, list: Record<string, unknown>[], columns: [string, string][]): void => {
    if (list.length === 0) return
    const names = columns.map(([c]) => c)
    ctes.push(`${name} AS (INSERT INTO ${table} (device_id, store_id, ${names.join(', ')})
       SELECT $1::text, $2::text, ${names.map((c) => `x.${c}`).join(', ')}
       FROM jsonb_to_recordset(${p(jsonForDb(list))}::jsonb) AS x(${columns.map(([c, t]) => `${c} ${t}`).join(', ')}))`)
  }
  const common: [string, string][] = [
    ['event_id', 'text'],
    ['journal_seq', 'bigint'],
    ['received_at', 'timestamptz'],
  ]
  const text = (...names: string[]): [string, string][] => names.map((n) => [n, 'text'])
  const bigint = (...names: string[]): [string, string][] => names.map((n) => [n, 'bigint'])
  insert('sh', 'shifts', rows.shifts, [
    ...common,
    ...text('shift_id', 'device_code', 'currency', 'business_date', 'adjustment_of', 'opened_at', 'opened_by_id', 'opened_by_name', 'opening_count'),
    ...bigint('float_amount', 'previous_left'),
  ])
  insert('sc', 'shift_closes', rows.shiftCloses, [
    ...common,
    ...text('shift_id', 'currency', 'business_date', 'adjustment_of', 'closed_at', 'closed_by_id', 'closed_by_name', 'closing_count', 'reason', 'approved_by_id', 'approved_by_name'),
    ...bigint('expected', 'counted', 'over_short', 'left_in_drawer'),
  ])
  insert('st', 'shift_takeovers', rows.takeovers, [...common, ...text('takeover_id', 'shift_id', 'at', 'from_id', 'from_name', 'to_id', 'to_name')])
  insert('cm', 'cash_movements', rows.movements, [
    ...common,
    ...text('movement_id', 'shift_id', 'business_date', 'adjustment_of', 'kind', 'currency', 'reason', 'note', 'staff_id', 'staff_name', 'approved_by_id', 'approved_by_name', 'at'),
    ...bigint('amount'),
  ])
  insert('c', 'closures', rows.closures, [
    ...common,
    ...text('closure_id', 'device_code', 'store_name', 'currency', 'business_date', 'from_date', 'last_hash', 'closed_at', 'closed_by_id', 'closed_by_name', 'figures'),
    ...bigint('number', 'first_seq', 'last_seq', 'period_total', 'previous_grand_total', 'grand_total'),
  ])
  return ctes
}

/**
 * Migration 4's data step: shift, movement and closure events an older platform stored as they
 * came (and closures it kept with their business date only) are normalized now, per device in seq
 * order, exactly as ingest would have; those that cannot be get their events.normalize_error. Then
 * each device's closures are verified. Idempotent: events that have their row are left alone.
 */
export async function normalizeStoredLedgerEvents(q: Queryable): Promise<void> {
  const stored = await q.query<{ event_id: string; device_id: string; seq: number; type: string; at: string; data: string; received_at: Date }>(
    `SELECT e.event_id, e.device_id, e.seq, e.type, e.at, e.data, e.received_at FROM events e
     WHERE e.type = ANY($1::text[]) AND e.normalize_error IS NULL
       AND NOT EXISTS (SELECT 1 FROM shifts x WHERE x.event_id = e.event_id)
       AND NOT EXISTS (SELECT 1 FROM shift_closes x WHERE x.event_id = e.event_id)
       AND NOT EXISTS (SELECT 1 FROM shift_takeovers x WHERE x.event_id = e.event_id)
       AND NOT EXISTS (SELECT 1 FROM cash_movements x WHERE x.event_id = e.event_id)
       AND NOT EXISTS (SELECT 1 FROM closures x WHERE x.event_id = e.event_id)
     ORDER BY e.device_id, e.seq`,
    [LEDGER_RECORD_TYPES],
  )
  const byDevice = new Map<string, typeof stored>()
  for (const r of stored) {
    const list = byDevice.get(r.device_id)
    if (list) list.push(r)
    else byDevice.set(r.device_id, [r])
  }
  for (const [deviceId, list] of byDevice) {
    const device = (await q.query<ProjectionDevice>('SELECT d.*, s.currency, s.time_zone FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1', [deviceId]))[0]!
    const received = new Map(list.map((r) => [r.event_id, iso(r.received_at)]))
    const events: WireEvent[] = list.map((r) => ({ id: r.event_id, device: device.journal_device_id ?? '', seq: r.seq, type: r.type, at: r.at, data: JSON.parse(r.data) as unknown, prevHash: '', hash: '' }))
    const rows = normalize(device, events, new Set(), new Set(), await knownLedgerRecords(q, device.id, events), (e) => received.get(e.id)!)
    const params: unknown[] = [device.id, device.store_id]
    const p = (v: unknown): string => {
      params.push(v)
      return `$${params.length}`
    }
    const ctes = ledgerCtes(rows, p)
    if (rows.errors.size > 0) {
      const errors = [...rows.errors].map(([event_id, why]) => ({ event_id, why }))
      ctes.push(`ne AS (UPDATE events SET normalize_error = x.why FROM jsonb_to_recordset(${p(jsonForDb(errors))}::jsonb) AS x(event_id text, why text) WHERE events.event_id = x.event_id)`)
    }
    // ($1 and $2 are typed here too: a device whose events were all flagged has no insert using them.)
    if (ctes.length > 0) await q.query(`WITH ${ctes.join(',\n')}\nSELECT $1::text, $2::text`, params)
    await verifyPendingClosures(q, device, new Date())
  }
}

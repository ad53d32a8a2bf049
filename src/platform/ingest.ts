import { z } from 'zod'
import { MASKED_PAN_PATTERN } from '../shared/card-number'
import { CURRENCIES, MAX_MINOR } from '../shared/money'
import { TENDER_METHODS } from '../shared/payments'
import { SaleCompletedDataSchema, type IngestResponse, type WireEvent } from '../shared/platform-api'
import { canonicalDataJson, canonicalEventJson, eventHashOf } from './canonical'
import type { Database, Queryable } from './db'
import { fail } from './errors'
import { iso, type DeviceRow } from './service'

/**
 * Event ingest, all or nothing. The device row is locked FOR UPDATE, so the batches of one device
 * apply one after the other; other devices proceed in parallel. Per event, in this order:
 *   1. its `device` must be the device's journal id (event_invalid);
 *   2. an id already stored: same device, seq and payload hash → 'duplicate' with the stored
 *      receivedAt; anything else → event_conflict. A seq already stored under another id → event_conflict;
 *   3. a new event must be lastSeq + 1 (sequence_gap, saying exactly which seqs are missing), point at
 *      the last hash (chain_broken), and carry its own correct hash (hash_mismatch);
 *   4. its payload is normalized: `sale.completed` into orders / order_lines / order_tenders (with the
 *      tenders' flow, provider reference, masked card details and paid time when present);
 *      `refund.completed` into refunds (per tender and method), `checkout.voided` into voids;
 *      `refund.posted` and `day.closed` fill refunds / closures when they carry the fields named below;
 *      any other type is stored as it came. A chain-valid event whose payload cannot be normalized (not
 *      an acceptable order, another currency than the store's, an order id already recorded) is still
 *      stored — it is part of the till's hash chain, and refusing it would block every later event —
 *      with the reason in events.normalize_error, and a warning is logged (without the payload).
 * Any refusal rolls the whole batch back; only chain-level problems are refused.
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
export const DayClosedSchema = z.object({ businessDate: z.iso.date() })

const StaffRef = z.object({ id: z.string().max(64), name: z.string().max(120) })
/** A refund the till completed (issue 4): counted against its tender method on the store-local day of `at`. */
export const RefundCompletedSchema = z.object({
  refundId: z.string().min(1).max(64),
  orderId: z.string().min(1).max(64),
  receiptNo: z.string().max(64),
  tenderId: z.string().min(1).max(64),
  method: z.enum(TENDER_METHODS),
  amount: z.number().int().min(1).max(MAX_MINOR),
  currency: z.enum(CURRENCIES),
  reason: z.string().max(500),
  staff: StaffRef,
  approvedBy: StaffRef.nullable(),
  providerRef: z.string().max(128).nullable(),
  at: z.iso.datetime({ offset: true }),
})
/** A checkout voided before its order was posted; what each tender did (given back, reversed…). */
export const CheckoutVoidedSchema = z.object({
  checkoutId: z.string().min(1).max(64),
  total: NonNeg,
  currency: z.enum(CURRENCIES),
  reason: z.string().max(500),
  staff: StaffRef,
  approvedBy: StaffRef.nullable(),
  tenders: z.array(z.object({ id: z.string().max(64), method: z.enum(TENDER_METHODS), amount: NonNeg, outcome: z.string().max(32) })).max(100),
})

/** The calendar date of an instant in the store's time zone (the business day of a refund or void). */
export function storeDate(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant))
}

const issuesText = (issues: readonly z.core.$ZodIssue[]): string => issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(data)'}: ${i.message}`).join('; ')

interface StoredEvent extends Record<string, unknown> {
  event_id: string
  device_id: string
  seq: number
  hash: string
  received_at: Date
}

type EventResult = IngestResponse['results'][number]

/** Where ingest reports an event it stored without normalizing it (never the payload). */
export type IngestWarn = (fields: Record<string, unknown>, message: string) => void

export async function ingest(db: Database, deviceId: string, events: WireEvent[], now: Date, warn: IngestWarn = () => {}): Promise<IngestResponse> {
  const receivedAt = now.toISOString()
  return db.tx(async (q) => {
    const device = (await q.query<DeviceRow & { currency: string; time_zone: string }>(
      'SELECT d.*, s.currency, s.time_zone FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1 FOR UPDATE OF d',
      [deviceId],
    ))[0]
    if (!device) fail('unknown_device', 'No paired device has this id.')

    // The batch itself: strictly consecutive seqs.
    for (let i = 1; i < events.length; i++) {
      const prev = events[i - 1]!
      const e = events[i]!
      if (e.seq > prev.seq + 1) {
        fail('sequence_gap', `The batch skips from event ${prev.seq} to ${e.seq}: events ${prev.seq + 1}–${e.seq - 1} are missing.`, {
          expectedSeq: prev.seq + 1,
          receivedSeq: e.seq,
          missingFrom: prev.seq + 1,
          missingTo: e.seq - 1,
        })
      }
      if (e.seq !== prev.seq + 1) fail('event_invalid', `Events must be in sequence order: ${e.seq} follows ${prev.seq}.`, { seq: e.seq })
    }

    const first = events[0]!.seq
    const last = events[events.length - 1]!.seq
    const stored = await q.query<StoredEvent>(
      'SELECT event_id, device_id, seq, hash, received_at FROM events WHERE event_id = ANY($1::text[]) OR (device_id = $2 AND seq BETWEEN $3 AND $4)',
      [events.map((e) => e.id), device.id, first, last],
    )
    const byId = new Map(stored.map((s) => [s.event_id, s]))
    const bySeq = new Map(stored.filter((s) => s.device_id === device.id).map((s) => [s.seq, s]))

    let lastSeq = device.last_seq
    let lastHash = device.last_hash
    const results: EventResult[] = []
    const fresh: { e: WireEvent; data: string }[] = []
    for (const e of events) {
      if (e.device !== device.journal_device_id) {
        fail('event_invalid', `Event ${e.seq} belongs to journal ${e.device}, not to this device's journal ${device.journal_device_id}.`, { seq: e.seq, eventId: e.id })
      }
      // The canonical text of the event, computed once: it is stored (data) and hashed (whole event).
      let data: string
      let hash: string
      try {
        data = canonicalDataJson(e.data)
        hash = eventHashOf(e.prevHash, canonicalEventJson(e, data))
      } catch (err) {
        fail('event_invalid', `Event ${e.seq}'s data cannot be hashed: ${(err as Error).message}.`, { seq: e.seq, eventId: e.id })
      }
      const dup = byId.get(e.id)
      if (dup) {
        const same = dup.device_id === device.id && dup.seq === e.seq && dup.hash === e.hash && hash === dup.hash
        if (!same) fail('event_conflict', `Event ${e.id} is already stored with a different payload.`, { eventId: e.id, seq: e.seq })
        if (fresh.length > 0) fail('event_invalid', `Event ${e.seq} is stored already but follows a new event in this batch.`, { seq: e.seq })
        results.push({ eventId: e.id, seq: e.seq, status: 'duplicate', receivedAt: iso(dup.received_at) })
        continue
      }
      const taken = bySeq.get(e.seq)
      if (taken) fail('event_conflict', `Event ${e.seq} is already stored under another id (${taken.event_id}).`, { eventId: e.id, seq: e.seq, storedEventId: taken.event_id })
      const expected = lastSeq + 1
      if (e.seq !== expected) {
        fail('sequence_gap', `Expected event ${expected} next but received ${e.seq}: events ${expected}–${e.seq - 1} are missing.`, {
          expectedSeq: expected,
          receivedSeq: e.seq,
          missingFrom: expected,
          missingTo: e.seq - 1,
        })
      }
      if (e.prevHash !== lastHash) {
        fail('chain_broken', `Event ${e.seq} does not point at the hash of event ${e.seq - 1}.`, { seq: e.seq, expectedPrevHash: lastHash, receivedPrevHash: e.prevHash })
      }
      if (hash !== e.hash) fail('hash_mismatch', `Event ${e.seq}'s hash is not the hash of its content.`, { seq: e.seq })
      lastSeq = e.seq
      lastHash = e.hash
      fresh.push({ e, data })
      results.push({ eventId: e.id, seq: e.seq, status: 'applied', receivedAt })
    }

    if (fresh.length > 0) {
      const saleIds = fresh.flatMap(({ e }) => {
        const id = e.type === 'sale.completed' && e.data !== null && typeof e.data === 'object' ? (e.data as { id?: unknown }).id : undefined
        return typeof id === 'string' && !id.includes('\u0000') ? [id] : []
      })
      const recorded = new Set<string>()
      if (saleIds.length > 0) {
        for (const r of await q.query<{ id: string }>('SELECT id FROM orders WHERE device_id = $1 AND id = ANY($2::text[])', [device.id, saleIds])) recorded.add(r.id)
      }
      const refundIds = fresh.flatMap(({ e }) => {
        const id = e.type === 'refund.completed' && e.data !== null && typeof e.data === 'object' ? (e.data as { refundId?: unknown }).refundId : undefined
        return typeof id === 'string' && !id.includes('\u0000') ? [id] : []
      })
      const recordedRefunds = new Set<string>()
      if (refundIds.length > 0) {
        for (const r of await q.query<{ refund_id: string }>('SELECT refund_id FROM refunds WHERE device_id = $1 AND refund_id = ANY($2::text[])', [device.id, refundIds])) recordedRefunds.add(r.refund_id)
      }
      const rows = normalize(device, fresh.map((f) => f.e), recorded, recordedRefunds)
      for (const [eventId, reason] of rows.errors) {
        const e = fresh.find((f) => f.e.id === eventId)!.e
        warn({ deviceId: device.id, eventId, seq: e.seq, type: e.type, reason }, 'event stored without normalization')
      }
      await write(q, device, fresh, rows, { lastSeq, lastHash, receivedAt })
    }
    return { results, lastSeq, lastHash, serverTime: now.toISOString() }
  })
}

interface NormalizedRows {
  orders: Record<string, unknown>[]
  lines: Record<string, unknown>[]
  tenders: Record<string, unknown>[]
  refunds: Record<string, unknown>[]
  closures: Record<string, unknown>[]
  voids: Record<string, unknown>[]
  /** event id → why its payload was not normalized */
  errors: Map<string, string>
}

/** JSON for jsonb: PostgreSQL cannot store U+0000 in jsonb or text, so it is dropped from every string. */
function jsonForDb(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.includes('\u0000') ? x.replaceAll('\u0000', '') : x))
}

/** The rows of the normalized tables for the new events, and why an event could not be normalized. */
function normalize(device: DeviceRow & { currency: string; time_zone: string }, events: WireEvent[], recorded: ReadonlySet<string>, recordedRefunds: ReadonlySet<string>): NormalizedRows {
  const rows: NormalizedRows = { orders: [], lines: [], tenders: [], refunds: [], closures: [], voids: [], errors: new Map() }
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
      const r = RefundCompletedSchema.safeParse(e.data)
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
        refund_id: x.refundId,
        order_id: x.orderId,
        business_date: storeDate(x.at, device.time_zone),
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
      const v = CheckoutVoidedSchema.safeParse(e.data)
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
        checkout_id: x.checkoutId,
        business_date: storeDate(e.at, device.time_zone),
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
      if (r.success) rows.refunds.push({ event_id: e.id, refund_id: r.data.id, order_id: r.data.orderId, business_date: r.data.businessDate ?? null, currency: r.data.currency, amount: r.data.amount })
    } else if (e.type === 'day.closed') {
      const c = DayClosedSchema.safeParse(e.data)
      if (c.success) rows.closures.push({ event_id: e.id, business_date: c.data.businessDate })
    }
  }
  return rows
}

/**
 * Every write of a batch in one statement (one round trip): the events as a multi-row VALUES (their
 * canonical data as plain text parameters, no JSON wrapping), the normalized rows through
 * jsonb_to_recordset, and the device's new head, as data-modifying CTEs. They all run, whatever
 * the main query reads, and foreign keys between them are checked at the end of the statement.
 */
async function write(
  q: Queryable,
  device: DeviceRow,
  fresh: { e: WireEvent; data: string }[],
  rows: NormalizedRows,
  head: { lastSeq: number; lastHash: string; receivedAt: string },
): Promise<void> {
  const params: unknown[] = [device.id, device.store_id, head.receivedAt, head.lastSeq, head.lastHash]
  const p = (v: unknown): string => {
    params.push(v)
    return `$${params.length}`
  }
  const values = fresh.map(
    ({ e, data }) => `(${p(e.id)}, $1, $2, ${p(e.seq)}, ${p(e.type)}, ${p(e.at)}, $3, ${p(data)}, ${p(e.prevHash)}, ${p(e.hash)}, ${p(rows.errors.get(e.id) ?? null)})`,
  )
  const ctes = [`ev AS (INSERT INTO events (event_id, device_id, store_id, seq, type, at, received_at, data, prev_hash, hash, normalize_error) VALUES ${values.join(', ')})`]
  if (rows.orders.length > 0) {
    ctes.push(`o AS (INSERT INTO orders (device_id, id, store_id, event_id, receipt_no, business_date, created_at, received_at, currency, subtotal, discount_total, tax_total, total, staff_name, journal_seq)
       SELECT $1, x.id, $2, x.event_id, x.receipt_no, x.business_date, x.created_at, $3, x.currency, x.subtotal, x.discount_total, x.tax_total, x.total, x.staff_name, x.journal_seq
       FROM jsonb_to_recordset(${p(jsonForDb(rows.orders))}::jsonb) AS x(id text, event_id text, receipt_no text, business_date text, created_at text, currency text,
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
       SELECT x.event_id, $2, $1, x.refund_id, x.order_id, x.business_date, x.currency, x.amount, $3,
         x.receipt_no, x.tender_id, x.method, x.reason, x.staff_id, x.staff_name, x.approved_by_name, x.provider_ref, x.at
       FROM jsonb_to_recordset(${p(jsonForDb(rows.refunds))}::jsonb) AS x(event_id text, refund_id text, order_id text, business_date text, currency text, amount bigint,
         receipt_no text, tender_id text, method text, reason text, staff_id text, staff_name text, approved_by_name text, provider_ref text, at text))`)
  }
  if (rows.voids.length > 0) {
    ctes.push(`v AS (INSERT INTO voids (event_id, store_id, device_id, checkout_id, business_date, total, currency, reason, staff_id, staff_name, approved_by_name, tenders, at, received_at)
       SELECT x.event_id, $2, $1, x.checkout_id, x.business_date, x.total, x.currency, x.reason, x.staff_id, x.staff_name, x.approved_by_name, x.tenders, x.at, $3
       FROM jsonb_to_recordset(${p(jsonForDb(rows.voids))}::jsonb) AS x(event_id text, checkout_id text, business_date text, total bigint, currency text, reason text,
         staff_id text, staff_name text, approved_by_name text, tenders text, at text))`)
  }
  if (rows.closures.length > 0) {
    ctes.push(`c AS (INSERT INTO closures (event_id, store_id, device_id, business_date, received_at)
       SELECT x.event_id, $2, $1, x.business_date, $3 FROM jsonb_to_recordset(${p(jsonForDb(rows.closures))}::jsonb) AS x(event_id text, business_date text))`)
  }
  await q.query(`WITH ${ctes.join(',\n')}\nUPDATE devices SET last_seq = $4, last_hash = $5, last_event_at = $3 WHERE id = $1`, params)
}

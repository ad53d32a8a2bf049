import type { Cart, CartQuote, Checkout, Order, Settings, Tender } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { TenderMethod, TenderFlow } from '../../../shared/payments'
import { settleCash } from '../../../shared/pricing'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { appendEvent } from '../journal'
import { personOrNull, readOrder } from '../orders'
import { postSale } from '../sales'
import { postingMeta, requireShiftForCash } from '../ledger/days'
import { readSettings } from '../settings'
import { attemptsOf, insertAttempt, patchAttempt, toAttempt, type AttemptRow } from './attempts'

/**
 * A checkout is an order being paid: Pay freezes the cart's price, tenders are taken against it
 * until they cover it exactly, and only then is the sale posted (one transaction: order, tenders,
 * journal event, outbox). Abandoning it gives every succeeded tender back; nothing is dropped.
 */

export interface CheckoutRow {
  id: string
  state: Checkout['state']
  cart_json: string
  quote_json: string
  currency: string
  total_minor: number
  staff_id: string
  staff_name: string
  approved_by_id: string | null
  approved_by_name: string | null
  order_id: string | null
  void_reason: string | null
  void_by_id: string | null
  void_by_name: string | null
  void_approved_by_id: string | null
  void_approved_by_name: string | null
  created_at: string
  updated_at: string
}

const IN_FLIGHT = new Set(['created', 'awaiting_customer', 'unknown'])

export function readCheckoutRow(db: Db, id: string): CheckoutRow | undefined {
  return stmt(db, 'SELECT * FROM checkouts WHERE id = ?').get(id) as CheckoutRow | undefined
}

export function mustCheckout(db: Db, id: string): CheckoutRow {
  const c = readCheckoutRow(db, id)
  if (!c) throw new DaybookError('not_found', 'No payment in progress with that number.')
  return c
}

export interface Sums {
  paid: number
  pending: number
  remaining: number
}

export function sums(c: CheckoutRow, attempts: readonly AttemptRow[]): Sums {
  let paid = 0
  let pending = 0
  for (const a of attempts) {
    // A payment being given back (cancel came too late, wrong amount) is not money the sale can keep.
    const givingBack = a.state === 'succeeded' && a.flow !== 'cash' && a.cancel_requested === 1 && a.failure_code !== 'reversal_refused'
    if (a.state === 'succeeded' && !givingBack) paid += a.amount_minor
    else if (IN_FLIGHT.has(a.state) || givingBack) pending += a.amount_minor
  }
  return { paid, pending, remaining: Math.max(0, c.total_minor - paid - pending) }
}

export function toCheckout(db: Db, c: CheckoutRow): Checkout {
  const attempts = attemptsOf(db, c.id)
  const s = sums(c, attempts)
  return {
    id: c.id,
    state: c.state,
    quote: JSON.parse(c.quote_json) as CartQuote,
    currency: c.currency,
    total: c.total_minor,
    paid: s.paid,
    pending: s.pending,
    remaining: c.state === 'open' ? s.remaining : 0,
    attempts: attempts.map(toAttempt),
    orderId: c.order_id,
    staff: { id: c.staff_id, name: c.staff_name },
    voidReason: c.void_reason,
    createdAt: c.created_at,
  }
}

export function readCheckout(db: Db, id: string): Checkout {
  return toCheckout(db, mustCheckout(db, id))
}

/**
 * The checkout the screen should resume: first one where money is in play (a tender taken, in
 * flight or being given back), oldest first, so a paid tender is never hidden behind a newer
 * cart; else the newest one still open.
 */
export function openCheckout(db: Db): Checkout | null {
  const c = (stmt(
    db,
    `SELECT c.* FROM checkouts c WHERE c.state IN ('open', 'voiding')
       AND EXISTS (SELECT 1 FROM tender_attempts a WHERE a.checkout_id = c.id AND a.state != 'failed')
     ORDER BY c.created_at, c.id LIMIT 1`,
  ).get() ?? stmt(db, "SELECT * FROM checkouts WHERE state IN ('open', 'voiding') ORDER BY created_at DESC, id DESC LIMIT 1").get()) as CheckoutRow | undefined
  return c ? toCheckout(db, c) : null
}

export interface StartInput {
  saleId: string
  cart: Cart
  quote: CartQuote
  staff: { id: string; name: string }
  approvedBy: { id: string; name: string } | null
  at: string
}

export function startCheckout(db: Db, input: StartInput): Checkout {
  return db
    .transaction((): Checkout => {
      const existing = readCheckoutRow(db, input.saleId)
      if (existing) return toCheckout(db, existing)
      if (stmt(db, 'SELECT 1 FROM orders WHERE id = ?').get(input.saleId)) {
        throw new DaybookError('checkout_closed', 'This sale is already complete.')
      }
      stmt(
        db,
        `INSERT INTO checkouts (id, state, cart_json, quote_json, currency, total_minor, staff_id, staff_name, approved_by_id, approved_by_name,
           created_at, updated_at) VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        input.saleId,
        JSON.stringify(input.cart),
        JSON.stringify(input.quote),
        input.quote.currency,
        input.quote.total,
        input.staff.id,
        input.staff.name,
        input.approvedBy?.id ?? null,
        input.approvedBy?.name ?? null,
        input.at,
        input.at,
      )
      return readCheckout(db, input.saleId)
    })
    .immediate()
}

function mustBeOpen(c: CheckoutRow): void {
  if (c.state !== 'open') {
    throw new DaybookError('checkout_closed', c.state === 'completed' ? 'This sale is already paid.' : 'This sale was cancelled; start it again from the cart.', {
      state: c.state,
    })
  }
}

/** Checks an amount against what is left; the same attemptId again means "already done". */
function guardNewAttempt(db: Db, c: CheckoutRow, attemptId: string, amount: number): 'exists' | Sums {
  const prior = stmt(db, 'SELECT checkout_id FROM tender_attempts WHERE id = ?').get(attemptId) as { checkout_id: string } | undefined
  if (prior) {
    if (prior.checkout_id !== c.id) throw new DaybookError('conflict', 'That payment attempt belongs to another sale.')
    return 'exists'
  }
  mustBeOpen(c)
  const s = sums(c, attemptsOf(db, c.id))
  if (amount > s.remaining) {
    throw new DaybookError('tender_exceeds_remaining', 'That is more than is left to pay.', { remaining: s.remaining, pending: s.pending, amount })
  }
  return s
}

export interface CashInput {
  checkoutId: string
  attemptId: string
  amount: number
  tendered: number
}

/**
 * Cash succeeds at once. Cash rounding applies only when this cash closes the order with nothing
 * else in flight (domain: rounding touches only cash); then the sale is posted in the same
 * transaction, so a crash cannot leave the cash taken and the order missing.
 */
export function addCash(db: Db, settings: Settings, device: Device, now: Date, input: CashInput): Checkout {
  return db
    .transaction((): Checkout => {
      const c = mustCheckout(db, input.checkoutId)
      const s = guardNewAttempt(db, c, input.attemptId, input.amount)
      if (s === 'exists') return toCheckout(db, c)
      requireShiftForCash(db)
      const closes = input.amount === s.remaining && s.pending === 0
      const applied = closes ? settleCash(s.remaining, input.tendered, settings.cashRounding) : null
      const amount = applied ? applied.roundedDue : input.amount
      if (input.tendered < amount) {
        throw new DaybookError('insufficient_tender', 'Not enough cash was given.', { due: amount, tendered: input.tendered, missing: amount - input.tendered })
      }
      if (amount <= 0) {
        // Cash rounding took a tiny remainder to zero: nothing to hand over, the order is paid.
        completeIfCovered(db, settings, device, now, c.id, -s.remaining)
        return readCheckout(db, c.id)
      }
      insertAttempt(db, {
        id: input.attemptId,
        checkoutId: c.id,
        method: 'cash',
        flow: 'cash',
        amount,
        currency: c.currency,
        state: 'succeeded',
        tendered: input.tendered,
        change: input.tendered - amount,
        at: now.toISOString(),
      })
      completeIfCovered(db, settings, device, now, c.id, applied ? applied.rounding : 0)
      return readCheckout(db, c.id)
    })
    .immediate()
}

export interface ReserveInput {
  checkoutId: string
  attemptId: string
  method: Exclude<TenderMethod, 'cash'>
  flow: Exclude<TenderFlow, 'cash'>
  amount: number
  serviceId?: string
  at: string
}

/**
 * Writes a QR or card attempt in `created` BEFORE anything leaves the till. Returns false when
 * the same attempt id was already written (a repeated tap): the caller must not call out again.
 */
export function reserveAttempt(db: Db, input: ReserveInput): boolean {
  return db
    .transaction((): boolean => {
      const c = mustCheckout(db, input.checkoutId)
      if (guardNewAttempt(db, c, input.attemptId, input.amount) === 'exists') return false
      insertAttempt(db, {
        id: input.attemptId,
        checkoutId: c.id,
        method: input.method,
        flow: input.flow,
        amount: input.amount,
        currency: c.currency,
        state: 'created',
        ...(input.serviceId ? { serviceId: input.serviceId } : {}),
        at: input.at,
      })
      return true
    })
    .immediate()
}

function toTender(a: AttemptRow): Tender {
  if (a.flow === 'cash') return { id: a.id, method: 'cash', amount: a.amount_minor, tendered: a.tendered_minor ?? a.amount_minor, change: a.change_minor ?? 0 }
  return {
    id: a.id,
    method: a.method,
    amount: a.amount_minor,
    tendered: a.amount_minor,
    change: 0,
    flow: a.flow,
    ...(a.provider_ref ? { providerRef: a.provider_ref } : {}),
    ...(a.masked_pan !== null || a.brand !== null
      ? {
          card: {
            maskedPan: a.masked_pan ?? '',
            brand: a.brand ?? '',
            entryMode: a.entry_mode ?? '',
            approvalCode: a.approval_code ?? '',
            terminalId: a.terminal_id ?? '',
          },
        }
      : {}),
    ...(a.paid_at ? { paidAt: a.paid_at } : {}),
  }
}

/**
 * Posts the sale when succeeded tenders cover the total exactly and nothing is in flight. Runs
 * inside the caller's transaction. `cashRounding` is what closing cash added (paid − total).
 */
export function completeIfCovered(db: Db, settings: Settings, device: Device, now: Date, checkoutId: string, cashRounding = 0): Order | null {
  if (!db.inTransaction) throw new Error('completeIfCovered must run inside a transaction')
  const c = mustCheckout(db, checkoutId)
  if (c.state !== 'open') return null
  const attempts = attemptsOf(db, c.id)
  const s = sums(c, attempts)
  if (s.pending !== 0 || s.paid !== c.total_minor + cashRounding) return null
  const quote = JSON.parse(c.quote_json) as CartQuote
  const succeeded = attempts.filter((a) => a.state === 'succeeded')
  const order = postSale(db, settings, device, now, {
    id: c.id,
    currency: quote.currency,
    priceMode: quote.priceMode,
    taxRounding: quote.taxRounding,
    roundingMode: quote.roundingMode,
    lines: quote.lines,
    subtotal: quote.subtotal,
    lineDiscounts: quote.lineDiscounts,
    orderDiscount: quote.orderDiscount,
    taxes: quote.taxes,
    taxTotal: quote.taxTotal,
    total: quote.total,
    staff: { id: c.staff_id, name: c.staff_name },
    approvedBy: personOrNull(c.approved_by_id, c.approved_by_name),
    cashRounding,
    tenders: succeeded.map(toTender),
    paid: s.paid,
    change: succeeded.reduce((sum, a) => sum + (a.change_minor ?? 0), 0),
  })
  stmt(db, "UPDATE checkouts SET state = 'completed', order_id = ?, updated_at = ? WHERE id = ?").run(c.id, now.toISOString(), c.id)
  return order
}

export interface VoidInput {
  checkoutId: string
  reason: string
  staff: { id: string; name: string }
  approvedBy: { id: string; name: string } | null
  at: string
}

/** Marks a checkout as being voided; the engine then gives back what was taken. */
export function beginVoid(db: Db, input: VoidInput): void {
  db.transaction(() => {
    const c = mustCheckout(db, input.checkoutId)
    if (c.state === 'voiding' || c.state === 'voided') return
    mustBeOpen(c)
    stmt(
      db,
      `UPDATE checkouts SET state = 'voiding', void_reason = ?, void_by_id = ?, void_by_name = ?, void_approved_by_id = ?, void_approved_by_name = ?,
         updated_at = ? WHERE id = ?`,
    ).run(input.reason, input.staff.id, input.staff.name, input.approvedBy?.id ?? null, input.approvedBy?.name ?? null, input.at, c.id)
    for (const a of attemptsOf(db, c.id)) {
      // Cash is handed straight back: nothing to ask anyone. The rest the engine gives back.
      if (a.flow === 'cash' && a.state === 'succeeded') patchAttempt(db, a.id, ['succeeded'], { state: 'reversed' }, input.at, 'cash handed back: sale voided')
      else if (a.state !== 'failed' && a.state !== 'reversed') patchAttempt(db, a.id, [a.state], { cancelRequested: true }, input.at)
    }
  }).immediate()
}

/**
 * Finishes a void once every attempt is failed or reversed: the journal records who voided, why,
 * and what happened to each tender. A checkout that never took a tender is closed without an event.
 */
export function finishVoidIfSettled(db: Db, deviceId: string, checkoutId: string, at: string): boolean {
  return db
    .transaction((): boolean => {
      const c = mustCheckout(db, checkoutId)
      if (c.state !== 'voiding') return c.state === 'voided'
      const attempts = attemptsOf(db, c.id)
      // Settled: every tender failed, was given back, or the terminal refused to give it back (recorded as such).
      if (attempts.some((a) => a.state !== 'failed' && a.state !== 'reversed' && a.failure_code !== 'reversal_refused')) return false
      if (attempts.length > 0) {
        appendEvent(db, deviceId, 'checkout.voided', at, {
          posting: postingMeta(db, new Date(at), readSettings(db)),
          checkoutId: c.id,
          total: c.total_minor,
          currency: c.currency,
          reason: c.void_reason ?? '',
          staff: { id: c.void_by_id ?? c.staff_id, name: c.void_by_name ?? c.staff_name },
          approvedBy: personOrNull(c.void_approved_by_id, c.void_approved_by_name),
          tenders: attempts.map((a) => ({
            id: a.id,
            method: a.method,
            amount: a.amount_minor,
            outcome: a.failure_code === 'reversal_refused' ? 'reversal_refused' : a.state,
            ...(a.provider_ref ? { providerRef: a.provider_ref } : {}),
          })),
        })
      }
      stmt(db, "UPDATE checkouts SET state = 'voided', updated_at = ? WHERE id = ?").run(at, c.id)
      return true
    })
    .immediate()
}

export function orderOf(db: Db, c: CheckoutRow): Order | undefined {
  return c.order_id ? readOrder(db, c.order_id) : undefined
}

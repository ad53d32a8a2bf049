import type { Refund } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { RefundState, TenderMethod } from '../../../shared/payments'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import { appendEvent } from '../journal'
import Decimal from 'decimal.js'
import { personOrNull } from '../orders'
import { postingMeta, requireShiftForCash } from '../ledger/days'
import { readSettings } from '../settings'

/**
 * Refunds against one tender of a completed order. Each has its own id, made by the screen and
 * reused on every retry, so the wallet (out_request_no) and the terminal can never pay it twice.
 * The row is written before anything leaves the till; the journal event `refund.completed` is
 * the posted record, written in the same transaction that marks it succeeded.
 */

export interface RefundRow {
  id: string
  order_id: string
  tender_id: string
  method: TenderMethod
  amount_minor: number
  currency: string
  state: RefundState
  reason: string
  staff_id: string
  staff_name: string
  approved_by_id: string | null
  approved_by_name: string | null
  service_id: string | null
  provider_ref: string | null
  failure_code: string | null
  failure_message: string | null
  created_at: string
  updated_at: string
  completed_at: string | null
  journal_seq: number | null
}

function toRefund(r: RefundRow): Refund {
  return {
    id: r.id,
    orderId: r.order_id,
    tenderId: r.tender_id,
    method: r.method,
    amount: r.amount_minor,
    state: r.state,
    reason: r.reason,
    staff: { id: r.staff_id, name: r.staff_name },
    approvedBy: personOrNull(r.approved_by_id, r.approved_by_name),
    providerRef: r.provider_ref,
    failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? '' } : null,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  }
}

export function listRefunds(db: Db, orderId: string): Refund[] {
  return (stmt(db, 'SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, id').all(orderId) as RefundRow[]).map(toRefund)
}

export function readRefund(db: Db, id: string): RefundRow | undefined {
  return stmt(db, 'SELECT * FROM refunds WHERE id = ?').get(id) as RefundRow | undefined
}

export function openRefunds(db: Db): RefundRow[] {
  return stmt(db, "SELECT * FROM refunds WHERE state IN ('created', 'pending', 'unknown') ORDER BY created_at, id").all() as RefundRow[]
}

interface TenderRow {
  id: string
  order_id: string
  method: TenderMethod
  amount_minor: number
}

/** What is left to refund on a tender: its amount less every refund that is not failed. */
export function refundable(db: Db, tenderId: string, exceptRefundId?: string): number {
  const t = stmt(db, 'SELECT amount_minor FROM order_tenders WHERE id = ?').get(tenderId) as { amount_minor: number } | undefined
  if (!t) return 0
  const { used } = stmt(db, "SELECT coalesce(sum(amount_minor), 0) AS used FROM refunds WHERE tender_id = ? AND state != 'failed' AND id != ?").get(tenderId, exceptRefundId ?? '') as {
    used: number
  }
  return t.amount_minor - used
}

export interface NewRefund {
  refundId: string
  orderId: string
  tenderId: string
  amount: number
  reason: string
  staff: { id: string; name: string }
  approvedBy: { id: string; name: string } | null
  at: string
  deviceId: string
}

/**
 * Writes the refund (or finds it again on a retry). Cash is handed over on the spot, so a cash
 * refund is posted at once. Returns the row; the engine drives QR and card refunds from there.
 */
export function createRefund(db: Db, r: NewRefund): RefundRow {
  return db
    .transaction((): RefundRow => {
      const tender = stmt(db, 'SELECT id, order_id, method, amount_minor FROM order_tenders WHERE id = ?').get(r.tenderId) as TenderRow | undefined
      if (!tender || tender.order_id !== r.orderId) throw new DaybookError('not_found', 'That payment is not part of this order.')
      // Cash leaves a drawer, and a drawer is counted by shift.
      if (tender.method === 'cash' && !readRefund(db, r.refundId)) requireShiftForCash(db)
      const prior = readRefund(db, r.refundId)
      if (prior) {
        if (prior.order_id !== r.orderId || prior.tender_id !== r.tenderId || prior.amount_minor !== r.amount) {
          throw new DaybookError('conflict', 'That refund number was already used for a different refund. Start a new refund.')
        }
        if (prior.state !== 'failed') return prior
        // A failed refund tried again keeps its id: the provider sees the same request number.
        checkRefundable(db, r.tenderId, r.amount, r.refundId)
        patchRefund(db, r.refundId, ['failed'], { state: 'created', failure: null }, r.at)
        return readRefund(db, r.refundId) as RefundRow
      }
      checkRefundable(db, r.tenderId, r.amount)
      const currency = (stmt(db, 'SELECT currency FROM orders WHERE id = ?').get(r.orderId) as { currency: string }).currency
      stmt(
        db,
        `INSERT INTO refunds (id, order_id, tender_id, method, amount_minor, currency, state, reason, staff_id, staff_name, approved_by_id,
           approved_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?, ?, ?, ?, ?, ?)`,
      ).run(r.refundId, r.orderId, r.tenderId, tender.method, r.amount, currency, r.reason, r.staff.id, r.staff.name, r.approvedBy?.id ?? null, r.approvedBy?.name ?? null, r.at, r.at)
      if (tender.method === 'cash') postRefund(db, r.deviceId, r.refundId, null, r.at)
      return readRefund(db, r.refundId) as RefundRow
    })
    .immediate()
}

function checkRefundable(db: Db, tenderId: string, amount: number, exceptRefundId?: string): void {
  const left = refundable(db, tenderId, exceptRefundId)
  if (amount > left) {
    throw new DaybookError('refund_exceeds', left === 0 ? 'This payment has been refunded in full already.' : 'That is more than is left to refund on this payment.', {
      refundable: left,
      amount,
    })
  }
}

export interface RefundPatch {
  state?: RefundState
  serviceId?: string
  providerRef?: string | null
  failure?: { code: string; message: string } | null
}

export function patchRefund(db: Db, id: string, from: readonly RefundState[], p: RefundPatch, at: string): boolean {
  const sets = ['updated_at = ?']
  const values: unknown[] = [at]
  const set = (col: string, v: unknown): void => {
    sets.push(`${col} = ?`)
    values.push(v)
  }
  if (p.state !== undefined) set('state', p.state)
  if (p.serviceId !== undefined) set('service_id', p.serviceId)
  if (p.providerRef !== undefined) set('provider_ref', p.providerRef)
  if (p.failure !== undefined) {
    set('failure_code', p.failure?.code ?? null)
    set('failure_message', p.failure?.message.slice(0, 300) ?? null)
  }
  const r = stmt(db, `UPDATE refunds SET ${sets.join(', ')} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`).run(...values, id, ...from)
  return r.changes > 0
}

/** Marks the refund succeeded and posts it: one transaction, so it is in the journal exactly once. */
export function postRefund(db: Db, deviceId: string, refundId: string, providerRef: string | null, at: string): boolean {
  return db.transaction((): boolean => {
    const r = readRefund(db, refundId)
    if (!r || r.state === 'succeeded' || r.state === 'failed') return false
    const o = stmt(db, 'SELECT receipt_no FROM orders WHERE id = ?').get(r.order_id) as { receipt_no: string }
    const ev = appendEvent(db, deviceId, 'refund.completed', at, {
      posting: postingMeta(db, new Date(at), readSettings(db)),
      taxes: refundTaxes(db, r),
      refundId: r.id,
      orderId: r.order_id,
      receiptNo: o.receipt_no,
      tenderId: r.tender_id,
      method: r.method,
      amount: r.amount_minor,
      currency: r.currency,
      reason: r.reason,
      staff: { id: r.staff_id, name: r.staff_name },
      approvedBy: personOrNull(r.approved_by_id, r.approved_by_name),
      providerRef,
      at,
    })
    stmt(db, "UPDATE refunds SET state = 'succeeded', provider_ref = ?, completed_at = ?, updated_at = ?, journal_seq = ?, failure_code = NULL, failure_message = NULL WHERE id = ?").run(
      providerRef,
      at,
      at,
      ev.seq,
      r.id,
    )
    return true
  })()
}

/**
 * The tax a refund gives back, per tax: the order's tax in proportion to what has been refunded,
 * cumulatively (rounded half-even), so the refunds of a whole order give back exactly its tax.
 */
export function refundTaxes(db: Db, r: RefundRow): { taxId: string; rate: string; amount: number }[] {
  const order = stmt(db, 'SELECT paid_minor FROM orders WHERE id = ?').get(r.order_id) as { paid_minor: number }
  if (order.paid_minor <= 0) return []
  const taxes = stmt(db, 'SELECT tax_id, rate, amount_minor FROM order_taxes WHERE order_id = ? ORDER BY position').all(r.order_id) as { tax_id: string; rate: string; amount_minor: number }[]
  const { before } = stmt(db, "SELECT coalesce(sum(amount_minor), 0) AS before FROM refunds WHERE order_id = ? AND state = 'succeeded' AND id != ?").get(r.order_id, r.id) as { before: number }
  const share = (refunded: number, tax: number): number => new Decimal(refunded).mul(tax).div(order.paid_minor).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber()
  const out = taxes
    .map((t) => ({ taxId: t.tax_id, rate: t.rate, amount: Math.max(0, share(before + r.amount_minor, t.amount_minor) - share(before, t.amount_minor)) }))
  // A refund of a cent can round two taxes up: never give back more tax than money.
  let over = out.reduce((s, t) => s + t.amount, 0) - r.amount_minor
  for (const t of out) {
    if (over <= 0) break
    const cut = Math.min(over, t.amount)
    t.amount -= cut
    over -= cut
  }
  return out.filter((t) => t.amount > 0)
}

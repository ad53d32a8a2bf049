import type { Order, OrderSummary, Tender } from '../../shared/contract'
import { DaybookError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'
import { appendEvent } from './journal'
import { listRefunds } from './payments/refunds'
import { postingMeta } from './ledger/days'
import { readSettings } from './settings'

/** A person stored as an id + name column pair that may be empty (who approved, when someone did). */
export function personOrNull(id: string | null, name: string | null): { id: string; name: string } | null {
  return id ? { id, name: name ?? '' } : null
}

/** A completed order as posted to the journal: everything but where it landed in the chain. */
export type OrderDocument = Omit<Order, 'journal' | 'reprints' | 'refunds'>

export function insertOrder(db: Db, o: OrderDocument, deviceId: string, daySeq: number, journalSeq: number): void {
  stmt(db, 
    `INSERT INTO orders (id, receipt_no, business_date, day_seq, created_at, device_id, device_code, staff_id, staff_name,
       approved_by_id, approved_by_name, currency, price_mode, tax_rounding, rounding_mode, subtotal_minor,
       line_discounts_minor, order_discount_minor, tax_minor, total_minor, cash_rounding_minor, paid_minor, change_minor,
       store_name, receipt_footer, journal_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    o.id,
    o.receiptNo,
    o.businessDate,
    daySeq,
    o.createdAt,
    deviceId,
    o.deviceCode,
    o.staff.id,
    o.staff.name,
    o.approvedBy?.id ?? null,
    o.approvedBy?.name ?? null,
    o.currency,
    o.priceMode,
    o.taxRounding,
    o.roundingMode,
    o.subtotal,
    o.lineDiscounts,
    o.orderDiscount,
    o.taxTotal,
    o.total,
    o.cashRounding,
    o.paid,
    o.change,
    o.storeName,
    o.receiptFooter,
    journalSeq,
  )
  const line = stmt(db, 
    `INSERT INTO order_lines (order_id, line_no, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor,
       line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (const l of o.lines) {
    line.run(o.id, l.lineNo, l.productId, l.nameEn, l.nameZh, l.unit, l.quantity, l.unitPrice, l.gross, l.lineDiscount, l.orderDiscount, l.total, l.tax, JSON.stringify(l.taxIds))
  }
  const tax = stmt(db, 'INSERT INTO order_taxes (order_id, position, tax_id, name, rate, base_minor, amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?)')
  o.taxes.forEach((t, i) => tax.run(o.id, i, t.taxId, t.name, t.rate, t.base, t.amount))
  const tender = stmt(db, 
    'INSERT INTO order_tenders (id, order_id, position, method, amount_minor, tendered_minor, change_minor, created_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  o.tenders.forEach((t, i) => {
    const detail = { flow: t.flow, providerRef: t.providerRef, card: t.card, paidAt: t.paidAt }
    const hasDetail = Object.values(detail).some((v) => v !== undefined)
    tender.run(t.id, o.id, i, t.method, t.amount, t.tendered, t.change, o.createdAt, hasDetail ? JSON.stringify(detail) : null)
  })
}

interface OrderRow {
  id: string
  receipt_no: string
  business_date: string
  created_at: string
  device_code: string
  staff_id: string
  staff_name: string
  approved_by_id: string | null
  approved_by_name: string | null
  currency: string
  price_mode: 'inclusive' | 'exclusive'
  tax_rounding: 'line' | 'document'
  rounding_mode: Order['roundingMode']
  subtotal_minor: number
  line_discounts_minor: number
  order_discount_minor: number
  tax_minor: number
  total_minor: number
  cash_rounding_minor: number
  paid_minor: number
  change_minor: number
  store_name: string
  receipt_footer: string
  journal_seq: number
  hash: string
  reprints: number
}

export function readOrder(db: Db, id: string): Order | undefined {
  const o = stmt(db, 
      `SELECT o.*, j.hash, (SELECT count(*) FROM reprints r WHERE r.order_id = o.id) AS reprints
       FROM orders o JOIN journal j ON j.seq = o.journal_seq WHERE o.id = ?`,
    )
    .get(id) as OrderRow | undefined
  if (!o) return undefined
  const lines = stmt(db, 'SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no').all(id) as Record<string, unknown>[]
  const taxes = stmt(db, 'SELECT * FROM order_taxes WHERE order_id = ? ORDER BY position').all(id) as Record<string, unknown>[]
  const tenders = stmt(db, 'SELECT * FROM order_tenders WHERE order_id = ? ORDER BY position').all(id) as Record<string, unknown>[]
  return {
    id: o.id,
    receiptNo: o.receipt_no,
    businessDate: o.business_date,
    createdAt: o.created_at,
    storeName: o.store_name,
    deviceCode: o.device_code,
    staff: { id: o.staff_id, name: o.staff_name },
    approvedBy: personOrNull(o.approved_by_id, o.approved_by_name),
    currency: o.currency,
    priceMode: o.price_mode,
    taxRounding: o.tax_rounding,
    roundingMode: o.rounding_mode,
    lines: lines.map((l) => ({
      lineNo: l.line_no as number,
      productId: l.product_id as string,
      nameEn: l.name_en as string,
      nameZh: l.name_zh as string,
      unit: l.unit as 'each' | 'kg',
      quantity: l.quantity as string,
      unitPrice: l.unit_price_minor as number,
      gross: l.gross_minor as number,
      lineDiscount: l.line_discount_minor as number,
      orderDiscount: l.order_discount_minor as number,
      total: l.total_minor as number,
      taxIds: JSON.parse(l.tax_ids as string) as string[],
      tax: l.tax_minor as number | null,
    })),
    subtotal: o.subtotal_minor,
    lineDiscounts: o.line_discounts_minor,
    orderDiscount: o.order_discount_minor,
    taxes: taxes.map((t) => ({
      taxId: t.tax_id as string,
      name: t.name as string,
      rate: t.rate as string,
      base: t.base_minor as number,
      amount: t.amount_minor as number,
    })),
    taxTotal: o.tax_minor,
    total: o.total_minor,
    cashRounding: o.cash_rounding_minor,
    tenders: tenders.map((t) => ({
      id: t.id as string,
      method: t.method as Tender['method'],
      amount: t.amount_minor as number,
      tendered: t.tendered_minor as number,
      change: t.change_minor as number,
      ...(t.detail ? (JSON.parse(t.detail as string) as Partial<Tender>) : {}),
    })),
    paid: o.paid_minor,
    change: o.change_minor,
    receiptFooter: o.receipt_footer,
    journal: { seq: o.journal_seq, hash: o.hash },
    reprints: o.reprints,
    refunds: listRefunds(db, id),
  }
}

/** Orders of one business day, newest first; a query narrows by receipt number (any part of it). */
export function listOrders(db: Db, date: string, query: string | undefined): OrderSummary[] {
  const q = query?.trim()
  const rows = stmt(db, 
      `SELECT o.id, o.receipt_no, o.created_at, o.business_date, o.staff_name, o.total_minor, o.currency,
         (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS line_count
       FROM orders o WHERE ${q ? "o.receipt_no LIKE '%' || ? || '%' ESCAPE '\\'" : 'o.business_date = ?'}
       ORDER BY o.created_at DESC LIMIT 500`,
    )
    .all(q ? q.replace(/[\\%_]/g, (c) => `\\${c}`) : date) as {
    id: string
    receipt_no: string
    created_at: string
    business_date: string
    staff_name: string
    total_minor: number
    currency: string
    line_count: number
  }[]
  return rows.map((r) => ({
    id: r.id,
    receiptNo: r.receipt_no,
    createdAt: r.created_at,
    businessDate: r.business_date,
    staffName: r.staff_name,
    total: r.total_minor,
    currency: r.currency,
    lineCount: r.line_count,
  }))
}

/** A reprint is itself posted: the journal shows every duplicate that left the printer, and who asked. */
export function reprintOrder(db: Db, id: string, deviceId: string, staffId: string, now: Date): Order {
  db.transaction(() => {
    const o = stmt(db, 'SELECT receipt_no, currency FROM orders WHERE id = ?').get(id) as { receipt_no: string; currency: string } | undefined
    if (!o) throw new DaybookError('not_found', 'No order with that number.')
    const at = now.toISOString()
    const reprintId = newId()
    const posting = postingMeta(db, now, readSettings(db))
    const ev = appendEvent(db, deviceId, 'receipt.reprinted', at, { reprintId, orderId: id, receiptNo: o.receipt_no, staffId, currency: o.currency, posting })
    stmt(db, 'INSERT INTO reprints (id, order_id, staff_id, created_at, journal_seq) VALUES (?, ?, ?, ?, ?)').run(reprintId, id, staffId, at, ev.seq)
  }).immediate()
  return readOrder(db, id) as Order
}

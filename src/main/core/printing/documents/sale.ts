import type { Order } from '../../../../shared/contract'
import { DocBuilder, type PrintDoc } from '../layout'
import { tenderName, taxName, type Fmt } from './strings'

/**
 * The sale receipt, with the content of the screen's receipt (src/renderer/src/screens/Receipt.tsx):
 * store, receipt number, date, till, cashier, lines, discounts, tax per rate, total, cash rounding,
 * tenders (masked card data only), change, refunds, footer and the receipt number's QR.
 * A reprint is marked DUPLICATE / 副本 with its number.
 */
export function saleReceipt(order: Order, f: Fmt, cols: number, duplicate: { n: number } | null = null): PrintDoc {
  const { w, money: m } = f
  const b = new DocBuilder(cols, f.clean)
  if (duplicate) {
    b.center(`*** ${w.duplicate} ***`, { bold: true })
    b.center(w.reprintNo.replace('{n}', String(duplicate.n)))
  }
  b.center(order.storeName, { bold: true, big: true })
  b.blank()
  b.row(w.receiptNo, order.receiptNo)
  b.row(w.date, f.dateTime(order.createdAt))
  b.row(w.till, order.deviceCode)
  b.row(w.cashier, order.staff.name)
  if (order.approvedBy) b.row(w.approvedBy, order.approvedBy.name)
  b.rule()
  for (const l of order.lines) {
    const name = (f.lang === 'zh' && f.cjk ? l.nameZh : l.nameEn) || l.nameEn || l.nameZh
    b.text(name)
    b.row(`  ${l.unit === 'kg' ? `${l.quantity} kg` : l.quantity} x ${m(l.unitPrice)}`, m(l.gross))
    if (l.lineDiscount > 0) b.row(w.lineDiscount, `-${m(l.lineDiscount)}`)
  }
  b.rule()
  b.row(w.subtotal, m(order.subtotal))
  if (order.lineDiscounts > 0) b.row(w.lineDiscounts, `-${m(order.lineDiscounts)}`)
  if (order.orderDiscount > 0) b.row(w.orderDiscount, `-${m(order.orderDiscount)}`)
  if (order.priceMode === 'exclusive') for (const t of order.taxes) b.row(`${w.taxAdded} ${taxName(t.name, t.rate)}`, m(t.amount))
  b.row(w.total, m(order.total), { bold: true, big: true })
  if (order.cashRounding !== 0) b.row(w.cashRounding, m(order.cashRounding))
  for (const t of order.tenders) {
    b.row(`${w.paid} ${tenderName(f, t)}`, m(t.amount))
    if (t.method === 'cash') b.row(w.tendered, m(t.tendered))
    if (t.card?.approvalCode) b.row(w.approvalCode, t.card.approvalCode)
    if (t.method !== 'cash' && t.providerRef) b.row(w.reference, t.providerRef)
  }
  b.row(w.change, m(order.change), { bold: true })
  const refunds = order.refunds.filter((r) => r.state !== 'failed')
  if (refunds.length > 0) {
    b.text(w.refunds)
    for (const r of refunds) b.row(`  ${r.state === 'succeeded' ? w.refundLine : w.refundPending} ${tenderName(f, { method: r.method })}`, `-${m(r.amount)}`)
  }
  if (order.priceMode === 'inclusive' && order.taxes.length > 0) {
    b.rule()
    for (const t of order.taxes) b.row(`${w.taxIncluded} ${taxName(t.name, t.rate)}`, m(t.amount))
  }
  b.rule()
  if (order.receiptFooter) b.center(order.receiptFooter)
  b.qr(order.receiptNo)
  b.center(order.receiptNo)
  return b.doc()
}

import type { Order, Refund } from '../../../../shared/contract'
import { DocBuilder, type PrintDoc } from '../layout'
import { tenderName, type Fmt } from './strings'

/** A refund slip: what went back, to which tender, why, by whom; the customer signs a cash refund. */
export function refundReceipt(order: Order, refund: Refund, f: Fmt, cols: number): PrintDoc {
  const { w, money: m } = f
  const b = new DocBuilder(cols, f.clean)
  b.center(order.storeName, { bold: true, big: true })
  b.center(w.refundTitle, { bold: true })
  b.blank()
  b.row(w.refundOf, order.receiptNo)
  b.row(w.date, f.dateTime(refund.completedAt ?? refund.createdAt))
  b.row(w.till, order.deviceCode)
  b.row(w.staff, refund.staff.name)
  if (refund.approvedBy) b.row(w.approvedBy, refund.approvedBy.name)
  b.rule()
  const tender = order.tenders.find((t) => t.id === refund.tenderId)
  b.row(w.refundMethod, tenderName(f, tender ?? { method: refund.method }))
  if (refund.providerRef) b.row(w.reference.trim(), refund.providerRef)
  b.row(w.reason, refund.reason)
  if (refund.state !== 'succeeded') b.row(w.state, refund.state === 'failed' ? `${w.refundPending} ✗` : w.refundPending)
  b.row(w.refundAmount, `-${m(refund.amount)}`, { bold: true, big: true })
  b.rule()
  if (refund.method === 'cash') {
    b.blank()
    b.text(`${w.signature}:`)
    b.blank()
    b.rule('_')
  }
  b.qr(order.receiptNo)
  b.center(order.receiptNo)
  return b.doc()
}

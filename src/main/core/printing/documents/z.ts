import type { Closure } from '../../../../shared/shifts-contract'
import { DocBuilder, type PrintDoc } from '../layout'
import { figuresBlock } from './figures'
import type { Fmt } from './strings'

/** The Z closure as closed: its number, range, figures, period and grand totals, last hash. */
export function zReportDoc(z: Closure, f: Fmt, cols: number): PrintDoc {
  const { w, money: m } = f
  const b = new DocBuilder(cols, f.clean)
  b.center(z.storeName, { bold: true })
  b.center(w.zTitle, { bold: true, big: true })
  b.blank()
  b.row(w.zNo, String(z.number), { bold: true })
  b.row(w.till, z.deviceCode)
  b.row(w.businessDate, z.businessDate)
  if (z.fromDate !== z.businessDate) b.row(w.from, z.fromDate)
  b.row(w.seqRange, `${z.firstSeq}-${z.lastSeq}`)
  b.row(w.zClosedAt, f.dateTime(z.closedAt))
  b.row(w.closedBy, z.closedBy.name)
  b.rule()
  figuresBlock(b, z.figures, f)
  b.rule()
  b.row(w.periodTotal, m(z.periodTotal))
  b.row(w.previousGrandTotal, m(z.previousGrandTotal))
  b.row(w.grandTotal, m(z.grandTotal), { bold: true })
  b.text(`${w.lastHash}:`)
  b.text(z.lastHash.slice(0, 32))
  return b.doc()
}

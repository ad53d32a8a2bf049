import type { DayReport } from '../../../../shared/shifts-contract'
import { DocBuilder, type PrintDoc } from '../layout'
import { figuresBlock } from './figures'
import type { Fmt } from './strings'

/** The X report: what the Z would show now, marked "X — not a closure". */
export function xReportDoc(x: DayReport, f: Fmt, cols: number): PrintDoc {
  const { w, money: m } = f
  const b = new DocBuilder(cols, f.clean)
  b.center(x.storeName, { bold: true })
  b.center(w.xTitle, { bold: true, big: true })
  b.center(`*** ${w.xNote} ***`, { bold: true })
  b.blank()
  b.row(w.till, x.deviceCode)
  b.row(w.businessDate, x.businessDate)
  if (x.fromDate !== x.businessDate) b.row(w.from, x.fromDate)
  b.row(w.seqRange, `${x.firstSeq}-${x.lastSeq}`)
  b.row(w.printedAt, f.dateTime(x.at))
  b.rule()
  if (x.figures) figuresBlock(b, x.figures, f)
  else b.text(w.blind)
  b.rule()
  if (x.periodTotal !== null) b.row(w.periodTotal, m(x.periodTotal))
  b.row(w.previousGrandTotal, m(x.previousGrandTotal))
  if (x.grandTotal !== null) b.row(w.grandTotal, m(x.grandTotal), { bold: true })
  b.row(w.shifts, String(x.shifts.length))
  if (x.blockers.length > 0) {
    b.rule()
    b.text(w.blockers, { bold: true })
    for (const k of x.blockers) b.text(`  ${k.label.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (iso) => f.dateTime(iso))}`)
  }
  if (x.unsynced > 0) b.row(w.unsynced, String(x.unsynced))
  b.center(`*** ${w.xNote} ***`, { bold: true })
  return b.doc()
}

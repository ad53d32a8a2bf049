import type { Shift } from '../../../../shared/shifts-contract'
import { DocBuilder, type PrintDoc } from '../layout'
import { figuresBlock } from './figures'
import type { Fmt } from './strings'

/** The shift report: who, when, float, the count against what was expected, and the shift's figures. */
export function shiftReport(shift: Shift, storeName: string, f: Fmt, cols: number, printedAt: string): PrintDoc {
  const { w, money: m } = f
  const b = new DocBuilder(cols, f.clean)
  b.center(storeName, { bold: true })
  b.center(w.shiftTitle, { bold: true, big: true })
  if (shift.state === 'open') b.center(w.shiftOpen)
  b.blank()
  b.row(w.till, shift.deviceCode)
  b.row(w.businessDate, shift.businessDate)
  b.row(w.opened, f.dateTime(shift.openedAt))
  b.row('', shift.openedBy.name)
  if (shift.closedAt) {
    b.row(w.closed, f.dateTime(shift.closedAt))
    if (shift.closedBy) b.row('', shift.closedBy.name)
  }
  b.row(w.holder, shift.holder.name)
  b.rule()
  b.row(w.float, m(shift.float))
  if (shift.expected !== null) b.row(w.expected, m(shift.expected))
  if (shift.counted !== null) b.row(w.counted, m(shift.counted))
  if (shift.overShort !== null) b.row(w.overShort, m(shift.overShort), { bold: true })
  if (shift.overShortReason) b.row(w.reason, shift.overShortReason)
  if (shift.approvedBy) b.row(w.approvedBy, shift.approvedBy.name)
  if (shift.left !== null) b.row(w.left, m(shift.left))
  b.rule()
  if (shift.figures) figuresBlock(b, shift.figures, f)
  else b.text(w.blind)
  b.rule()
  b.row(w.printedAt, f.dateTime(printedAt))
  return b.doc()
}

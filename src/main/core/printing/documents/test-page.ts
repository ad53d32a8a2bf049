import type { PrinterSettings } from '../../../../shared/printing-contract'
import { DocBuilder, type PrintDoc } from '../layout'
import type { Fmt } from './strings'

/** The test page: store, the settings in use, a ruler of the paper's columns, both scripts and a QR. */
export function testPage(storeName: string, s: PrinterSettings, f: Fmt, cols: number, at: string): PrintDoc {
  const b = new DocBuilder(cols, f.clean)
  b.center(storeName, { bold: true })
  b.center(f.w.testTitle, { bold: true, big: true })
  b.blank()
  b.text(f.w.testLine)
  b.row(f.w.testWidth, `${s.paperWidth} mm / ${cols}`)
  b.row(f.w.testCodePage, s.codePage)
  b.row(f.w.printedAt, f.dateTime(at))
  b.text('1234567890'.repeat(Math.ceil(cols / 10)).slice(0, cols))
  b.text('ABC abc 0123 ¥€$')
  if (s.codePage === 'gb18030') b.text('中文 日记本便利店')
  b.qr('Daybook')
  return b.doc()
}

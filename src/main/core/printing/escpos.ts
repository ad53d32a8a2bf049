import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder'
import iconv from 'iconv-lite'
import type { PrinterSettings } from '../../../shared/printing-contract'
import { charWidth, columnsFor, type PrintDoc } from './layout'

/**
 * A document → ESC/POS bytes, with @point-of-sale/receipt-printer-encoder for the commands
 * (initialize, code page, bold, size, QR by the printer, cut, drawer pulse).
 *
 * Chinese: the encoder's code pages are single-byte only (cp437, cp858, …, no GB18030), so for a
 * `gb18030` printer the till switches the printer to its Chinese character mode (FS &) and passes
 * each line, encoded to GB18030 by iconv-lite, through the encoder's `raw` call. ASCII is the same
 * bytes in GB18030, so English prints on such a printer too. On a Latin printer (cp437 / cp858) the
 * encoder encodes the text itself; a character the code page lacks prints as "?".
 */
export interface EncodeOptions {
  paperWidth: PrinterSettings['paperWidth']
  codePage: PrinterSettings['codePage']
  drawerPin: PrinterSettings['drawerPin']
  /** Kick the drawer after the document. */
  drawer: boolean
}

const FS_AND = [0x1c, 0x26] // FS &: Chinese (Kanji) character mode on
const LF = [0x0a]

/** The text a Latin code page can print: full-width characters become "?" (one column each: the layout counted them so). */
export function latinSafe(s: string): string {
  let out = ''
  for (const ch of s) out += charWidth(ch) === 2 ? '??' : ch
  return out
}

export function encodeDoc(doc: PrintDoc, o: EncodeOptions): Uint8Array {
  const e = new ReceiptPrinterEncoder({ language: 'esc-pos', columns: columnsFor(o.paperWidth), newline: '\n', feedBeforeCut: 4, codepageMapping: 'epson', errors: 'relaxed' })
  e.initialize()
  const chinese = o.codePage === 'gb18030'
  if (o.codePage === 'gb18030') e.raw(FS_AND)
  else e.codepage(o.codePage)
  for (const b of doc.blocks) {
    if (b.t === 'feed') {
      if (chinese) e.raw(LF)
      else e.newline()
      continue
    }
    if (b.t === 'qr') {
      // GS ( k: the printer draws the QR itself (model 2, 6-dot modules, error correction M).
      e.align('center').qrcode(b.data, { model: 2, size: 6, errorlevel: 'm' }).align('left')
      continue
    }
    if (b.bold) e.bold(true)
    if (b.big) e.size(2, 2)
    if (chinese) e.raw(iconv.encode(b.text, 'gb18030'))
    else e.text(latinSafe(b.text))
    if (b.big) e.size(1, 1)
    if (b.bold) e.bold(false)
    if (chinese) e.raw(LF)
    else e.newline()
  }
  if (doc.cut) e.cut('partial')
  // ESC p m t1 t2: m = 0 for pin 2, 1 for pin 5; 100 ms on, 500 ms off (the encoder halves them into units of 2 ms).
  if (o.drawer) e.pulse(o.drawerPin === 2 ? 0 : 1, 100, 500)
  return e.encode()
}

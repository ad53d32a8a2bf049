import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createCanvas, GlobalFonts } from '@napi-rs/canvas'
import QRCode from 'qrcode'
import type { Decoded } from './decode'

/**
 * A picture of the paper roll (PNG): 384 dots across on 58 mm paper, 576 on 80 mm (8 dots/mm,
 * 48/64 mm printable), each column 12 dots and each line 24 dots high (Font A), a Chinese character
 * two columns; GS ! sizes scale both. The QR is drawn from the `qrcode` package's matrix with the
 * module size the till asked for. Text uses Noto Sans Hans (from @embedpdf/fonts-sc).
 */
const COL = 12
const LINE = 24
const GAP = 6
const FONT = 'DaybookSimSans'
let fontReady: boolean | null = null

function registerFont(): boolean {
  if (fontReady !== null) return fontReady
  const candidates = [join(process.cwd(), 'node_modules/@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf'), join(__dirname, '../../../node_modules/@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf')]
  const file = candidates.find((f) => existsSync(f))
  fontReady = file ? GlobalFonts.registerFromPath(file, FONT) !== null : false
  return fontReady
}

const wideChar = (ch: string): boolean => {
  const c = ch.codePointAt(0) ?? 0
  return (c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || c >= 0x20000
}

export function paperDots(width: 58 | 80): number {
  return width === 58 ? 384 : 576
}

export async function renderPng(doc: Decoded, width: 58 | 80): Promise<Buffer> {
  const dots = paperDots(width)
  registerFont()
  const qrs = new Map<number, QRCode.QRCode>()
  // Pass 1: heights.
  let height = 16
  doc.items.forEach((it, k) => {
    if (it.t === 'line') height += LINE * it.tall + GAP
    else if (it.t === 'qr') {
      const q = QRCode.create(it.data || ' ', { errorCorrectionLevel: 'M' })
      qrs.set(k, q)
      height += (q.modules.size + 8) * it.module + GAP
    } else if (it.t === 'cut') height += 24
    else height += 20
  })
  height += 16
  const canvas = createCanvas(dots, height)
  const g = canvas.getContext('2d')
  g.fillStyle = '#ffffff'
  g.fillRect(0, 0, dots, height)
  g.fillStyle = '#000000'
  g.textBaseline = 'alphabetic'
  let y = 16
  doc.items.forEach((it, k) => {
    if (it.t === 'line') {
      const cw = COL * it.wide
      const lh = LINE * it.tall
      g.font = `${Math.round(21 * it.tall)}px ${FONT}`
      let used = 0
      for (const ch of it.text) used += wideChar(ch) ? 2 : 1
      const span = used * cw
      let x = it.align === 'center' ? Math.max(0, Math.floor((dots - span) / 2)) : it.align === 'right' ? Math.max(0, dots - span) : 0
      for (const ch of it.text) {
        const w = wideChar(ch) ? 2 * cw : cw
        if (ch !== ' ') {
          // Each character in its own cell, squeezed to the cell's width, as a printer's fixed pitch does.
          const m = g.measureText(ch).width
          g.save()
          g.translate(x, y + lh - Math.round(4 * it.tall))
          if (m > w) g.scale(w / m, 1)
          else g.translate((w - m) / 2, 0)
          g.fillText(ch, 0, 0)
          if (it.bold) g.fillText(ch, 1, 0)
          g.restore()
        }
        x += w
      }
      y += lh + GAP
    } else if (it.t === 'qr') {
      const q = qrs.get(k)!
      const n = q.modules.size
      const m = it.module
      const x0 = Math.floor((dots - n * m) / 2)
      const y0 = y + 4 * m
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (q.modules.get(r, c)) g.fillRect(x0 + c * m, y0 + r * m, m, m)
      y += (n + 8) * m + GAP
    } else if (it.t === 'cut') {
      g.fillStyle = '#888888'
      for (let x = 0; x < dots; x += 16) g.fillRect(x, y + 11, 8, 2)
      g.fillStyle = '#000000'
      y += 24
    } else {
      y += 20
    }
  })
  return canvas.encode('png')
}

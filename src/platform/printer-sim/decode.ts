import iconv from 'iconv-lite'

/**
 * Decodes the ESC/POS subset a till sends (what @point-of-sale/receipt-printer-encoder and the
 * till's own GB18030 text emit) into lines of text with their style, QR codes, cuts and drawer
 * kicks. Text is decoded in the code page the printer is in: GB18030 in Chinese mode (FS &),
 * otherwise the ESC t table (0 = cp437, 19 = cp858, as Epson numbers them).
 */
export type Align = 'left' | 'center' | 'right'
export type Item =
  | { t: 'line'; text: string; bold: boolean; wide: number; tall: number; align: Align }
  | { t: 'qr'; data: string; module: number }
  | { t: 'cut' }
  | { t: 'kick'; pin: 2 | 5; onMs: number; offMs: number }

export interface Decoded {
  items: Item[]
  text: string
  drawerKicks: number
  cuts: number
  qr: string[]
  /** The code page text was last printed in ('gb18030' in Chinese mode). */
  codePage: string
  /** Bytes that were not text or a command this decoder knows (0 on a clean job). */
  unknown: number
}

const CODE_TABLES: Record<number, string> = { 0: 'cp437', 2: 'cp850', 16: 'cp1252', 17: 'cp866', 19: 'cp858' }

export function decodeEscPos(bytes: Uint8Array): Decoded {
  const items: Item[] = []
  let kanji = false
  let table = 'cp437'
  let bold = false
  let wide = 1
  let tall = 1
  let align: Align = 'left'
  let unknown = 0
  let usedCodePage = 'cp437'
  // The line being built: decoded segments (the code page may change within a line) and raw bytes pending.
  let segments = ''
  let pending: number[] = []
  let lineBold = false
  let lineWide = 1
  let lineTall = 1
  let lineAlign: Align = 'left'
  let lineHasText = false
  let qrData = ''
  let qrModule = 3

  const enc = (): string => (kanji ? 'gb18030' : table)
  const flushBytes = (): void => {
    if (pending.length === 0) return
    const e = enc()
    segments += iconv.encodingExists(e) ? iconv.decode(Buffer.from(pending), e) : Buffer.from(pending).toString('latin1')
    usedCodePage = e
    pending = []
  }
  const textByte = (b: number): void => {
    if (!lineHasText) {
      lineHasText = true
      lineBold = bold
      lineWide = wide
      lineTall = tall
      lineAlign = align
    } else {
      lineBold ||= bold
      lineWide = Math.max(lineWide, wide)
      lineTall = Math.max(lineTall, tall)
    }
    pending.push(b)
  }
  // The line feed that ends a QR symbol's line is part of the symbol, not an empty line.
  let afterQr = false
  const newline = (): void => {
    flushBytes()
    if (afterQr && !lineHasText && segments.length === 0) {
      afterQr = false
      return
    }
    afterQr = false
    items.push({ t: 'line', text: segments, bold: lineHasText ? lineBold : false, wide: lineHasText ? lineWide : 1, tall: lineHasText ? lineTall : 1, align: lineHasText ? lineAlign : align })
    segments = ''
    lineHasText = false
  }
  const endLineIfAny = (): void => {
    if (lineHasText || pending.length > 0 || segments.length > 0) newline()
  }
  const setEncoding = (fn: () => void): void => {
    flushBytes()
    fn()
  }

  let i = 0
  const at = (k: number): number => bytes[i + k] ?? 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b === 0x0a) {
      newline()
      i += 1
    } else if (b === 0x0d || b === 0x09 || b === 0x00) {
      i += 1
    } else if (b === 0x0c) {
      endLineIfAny()
      i += 1
    } else if (b === 0x10) {
      // DLE EOT n (status) and DLE DC4 1 m t (real-time pulse)
      if (at(1) === 0x04) i += 3
      else if (at(1) === 0x14 && at(2) === 0x01) {
        items.push({ t: 'kick', pin: at(3) === 1 ? 5 : 2, onMs: at(4) * 100, offMs: at(4) * 100 })
        i += 5
      } else {
        unknown++
        i += 1
      }
    } else if (b === 0x1b) {
      const c = at(1)
      switch (c) {
        case 0x40: // ESC @
          endLineIfAny()
          setEncoding(() => {
            kanji = false
            table = 'cp437'
          })
          bold = false
          wide = 1
          tall = 1
          align = 'left'
          i += 2
          break
        case 0x45: // ESC E n
        case 0x47: // ESC G n
          bold = (at(2) & 1) === 1
          i += 3
          break
        case 0x21: // ESC ! n
          bold = (at(2) & 0x08) !== 0
          tall = at(2) & 0x10 ? 2 : 1
          wide = at(2) & 0x20 ? 2 : 1
          i += 3
          break
        case 0x74: // ESC t n
          setEncoding(() => (table = CODE_TABLES[at(2)] ?? `table${at(2)}`))
          i += 3
          break
        case 0x61: // ESC a n
          align = at(2) % 48 === 1 ? 'center' : at(2) % 48 === 2 ? 'right' : 'left'
          i += 3
          break
        case 0x70: // ESC p m t1 t2
          endLineIfAny()
          items.push({ t: 'kick', pin: at(2) % 48 === 1 ? 5 : 2, onMs: at(3) * 2, offMs: at(4) * 2 })
          i += 5
          break
        case 0x64: // ESC d n
          endLineIfAny()
          for (let k = 0; k < at(2); k++) newline()
          i += 3
          break
        case 0x69: // ESC i / ESC m: cut
        case 0x6d:
          endLineIfAny()
          items.push({ t: 'cut' })
          i += 2
          break
        case 0x32: // ESC 2
          i += 2
          break
        case 0x2d: // ESC - n, ESC M n, ESC 3 n, ESC J n, ESC R n, ESC { n, ESC V n, ESC SP n
        case 0x4d:
        case 0x33:
        case 0x4a:
        case 0x52:
        case 0x7b:
        case 0x56:
        case 0x20:
          i += 3
          break
        default:
          unknown++
          i += 2
      }
    } else if (b === 0x1d) {
      const c = at(1)
      if (c === 0x21) {
        // GS ! n: width × (high nibble + 1), height × (low nibble + 1)
        wide = (at(2) >> 4) + 1
        tall = (at(2) & 0x0f) + 1
        i += 3
      } else if (c === 0x56) {
        // GS V m [n]
        endLineIfAny()
        items.push({ t: 'cut' })
        i += at(2) === 65 || at(2) === 66 ? 4 : 3
      } else if (c === 0x28 && at(2) === 0x6b) {
        // GS ( k pL pH cn fn …: the QR symbol
        const len = at(3) + at(4) * 256
        const body = bytes.subarray(i + 5, i + 5 + len)
        const cn = body[0]
        const fn = body[1]
        if (cn === 49 && fn === 67) qrModule = body[2] ?? 3
        else if (cn === 49 && fn === 80) qrData = Buffer.from(body.subarray(3)).toString('latin1')
        else if (cn === 49 && fn === 81) {
          endLineIfAny()
          items.push({ t: 'qr', data: qrData, module: qrModule })
          afterQr = true
        }
        i += 5 + len
      } else if (c === 0x42 || c === 0x62 || c === 0x48 || c === 0x68 || c === 0x77 || c === 0x66 || c === 0x61) {
        i += 3
      } else if (c === 0x4c || c === 0x57) {
        i += 4
      } else {
        unknown++
        i += 2
      }
    } else if (b === 0x1c) {
      const c = at(1)
      if (c === 0x26) {
        setEncoding(() => (kanji = true))
        i += 2
      } else if (c === 0x2e) {
        setEncoding(() => (kanji = false))
        i += 2
      } else if (c === 0x21 || c === 0x43 || c === 0x2d || c === 0x57) {
        i += 3
      } else {
        unknown++
        i += 2
      }
    } else if (b < 0x20) {
      unknown++
      i += 1
    } else {
      textByte(b)
      i += 1
    }
  }
  endLineIfAny()

  // Feeds before a cut are paper, not lines of the document: drop blank lines right before a cut and at the end.
  const trimmed: Item[] = []
  for (const it of items) {
    if (it.t === 'cut' || it.t === 'kick') while (trimmed.length > 0 && isBlank(trimmed[trimmed.length - 1]!)) trimmed.pop()
    trimmed.push(it)
  }
  while (trimmed.length > 0 && isBlank(trimmed[trimmed.length - 1]!)) trimmed.pop()

  const text = trimmed
    .map((it) => {
      if (it.t === 'line') return it.text.trimEnd()
      if (it.t === 'qr') return `[QR ${it.data}]`
      if (it.t === 'cut') return '~~~~~~~~ cut ~~~~~~~~'
      return `[drawer kick: pin ${it.pin}]`
    })
    .join('\n')
  return {
    items: trimmed,
    text: text + '\n',
    drawerKicks: trimmed.filter((x) => x.t === 'kick').length,
    cuts: trimmed.filter((x) => x.t === 'cut').length,
    qr: trimmed.flatMap((x) => (x.t === 'qr' ? [x.data] : [])),
    codePage: usedCodePage,
    unknown,
  }
}

function isBlank(it: Item): boolean {
  return it.t === 'line' && it.text.trim() === ''
}

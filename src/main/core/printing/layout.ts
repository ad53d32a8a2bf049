/**
 * A printed document before it becomes ESC/POS bytes: lines already laid out to the paper's
 * columns (32 on 58 mm, 48 on 80 mm; a Chinese character takes two), so the text on paper, in the
 * simulator's decoded text and in the golden files is the same.
 */
export type Block =
  | { t: 'text'; text: string; bold?: boolean; big?: boolean }
  | { t: 'qr'; data: string }
  | { t: 'feed' }

export interface PrintDoc {
  blocks: Block[]
  /** Cut the paper at the end (false for a bare drawer kick). */
  cut: boolean
}

export const columnsFor = (paperWidth: 58 | 80): number => (paperWidth === 58 ? 32 : 48)

/** Printed width of one character: 2 for CJK (full-width) characters, 1 otherwise. */
export function charWidth(ch: string): number {
  const c = ch.codePointAt(0) ?? 0
  if (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd)
  ) {
    return 2
  }
  return 1
}

export function textWidth(s: string): number {
  let w = 0
  for (const ch of s) w += charWidth(ch)
  return w
}

/** Cuts text to at most `cols` columns. */
export function clip(s: string, cols: number): string {
  let out = ''
  let w = 0
  for (const ch of s) {
    const cw = charWidth(ch)
    if (w + cw > cols) break
    out += ch
    w += cw
  }
  return out
}

/** Breaks text into lines of at most `cols` columns (at spaces where it can, else anywhere). */
export function wrap(s: string, cols: number): string[] {
  const out: string[] = []
  let rest = s.trim()
  while (textWidth(rest) > cols) {
    let line = clip(rest, cols)
    const space = line.lastIndexOf(' ')
    if (space > 0 && rest[line.length] !== ' ' && space > line.length / 2) line = line.slice(0, space)
    out.push(line.trimEnd())
    rest = rest.slice(line.length).trimStart()
  }
  if (rest.length > 0 || out.length === 0) out.push(rest)
  return out
}

export function center(s: string, cols: number): string {
  const t = clip(s, cols)
  const pad = Math.floor((cols - textWidth(t)) / 2)
  return ' '.repeat(pad) + t
}

/** "left ……… right" on one line; the left side wraps above when both do not fit. */
export function row(left: string, right: string, cols: number): string[] {
  const rw = textWidth(right)
  if (textWidth(left) + 1 + rw <= cols) return [left + ' '.repeat(cols - textWidth(left) - rw) + right]
  const lines = wrap(left, cols)
  const last = lines[lines.length - 1] ?? ''
  if (textWidth(last) + 1 + rw <= cols) {
    lines[lines.length - 1] = last + ' '.repeat(cols - textWidth(last) - rw) + right
    return lines
  }
  return [...lines, ' '.repeat(Math.max(0, cols - rw)) + clip(right, cols)]
}

/** A small builder the document modules use. */
export class DocBuilder {
  readonly blocks: Block[] = []
  /** `clean` makes text printable on this printer (see documents/strings.ts latinText). */
  constructor(
    readonly cols: number,
    private readonly clean: (s: string) => string = (s) => s,
  ) {}

  text(s: string, o: { bold?: boolean } = {}): this {
    for (const l of wrap(this.clean(s), this.cols)) this.blocks.push({ t: 'text', text: l, ...(o.bold ? { bold: true } : {}) })
    return this
  }
  center(s: string, o: { bold?: boolean; big?: boolean } = {}): this {
    const cols = o.big ? Math.floor(this.cols / 2) : this.cols
    for (const l of wrap(this.clean(s), cols)) this.blocks.push({ t: 'text', text: center(l, cols), ...(o.bold ? { bold: true } : {}), ...(o.big ? { big: true } : {}) })
    return this
  }
  row(left: string, right: string, o: { bold?: boolean; big?: boolean } = {}): this {
    const cols = o.big ? Math.floor(this.cols / 2) : this.cols
    for (const l of row(this.clean(left), this.clean(right), cols)) this.blocks.push({ t: 'text', text: l, ...(o.bold ? { bold: true } : {}), ...(o.big ? { big: true } : {}) })
    return this
  }
  rule(ch = '-'): this {
    this.blocks.push({ t: 'text', text: ch.repeat(this.cols) })
    return this
  }
  blank(): this {
    this.blocks.push({ t: 'text', text: '' })
    return this
  }
  qr(data: string): this {
    this.blocks.push({ t: 'qr', data: this.clean(data) })
    return this
  }
  doc(cut = true): PrintDoc {
    return { blocks: this.blocks, cut }
  }
}

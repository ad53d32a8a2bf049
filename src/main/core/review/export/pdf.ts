import type PDFKitDocument from 'pdfkit'
import type { Currency } from '../../../../shared/money'
import type { ReviewDay } from '../../../../shared/review-contract'
import type { Closure } from '../../../../shared/shifts-contract'
import { MATCH_CLASSES } from '../../../../shared/settlement-contract'
import { loadCjkFont } from './font'
import { labelsOf, localeOf, type ExportLanguage, type Labels } from './labels'
import { currencyOf, moneyText } from './money-text'

/**
 * The PDF exports of the owner's settlement review (issue 12): the day report and the Z, made by
 * the core with pdfkit. One embedded font (Noto Sans Hans, subset by pdfkit/fontkit to the glyphs
 * used, CID-keyed with a ToUnicode map) carries Chinese and Latin text, so every word is text a
 * reader can search and copy (pdftotext extracts it). A4 portrait, tables break over pages with their
 * head repeated, and every page has a footer: store · till · business day, and "page n of N".
 *
 * What grows with the day: nothing with the number of orders (the report holds the Z's aggregated
 * figures); the shift list, the adjustments from closed days and the payout dates grow a row each,
 * and break over pages.
 */

export interface PdfOptions {
  /** IANA zone for times on the paper (the store's); the machine's zone when not given. */
  timeZone?: string
  /** Font file to embed instead of the one found by cjkFontPath(). */
  fontPath?: string
}

// A4 in points, and the frame the content stays in.
const PAGE = { width: 595.28, height: 841.89 }
const M = { top: 48, bottom: 64, left: 48, right: 48 }
const CONTENT_W = PAGE.width - M.left - M.right
const BOTTOM = PAGE.height - M.bottom

type Align = 'left' | 'right'
interface Column {
  head: string
  /** Share of the content width. */
  width: number
  align?: Align
}

/**
 * pdfkit (with fontkit) is loaded on the first PDF, not when the core starts: it is a large module
 * a till that never exports should not pay for at every start, and its data files are found
 * relative to its own module, which a bundled copy of the core would break at load time.
 */
let pdfkitModule: Promise<typeof PDFKitDocument> | null = null
const pdfkit = (): Promise<typeof PDFKitDocument> => (pdfkitModule ??= import('pdfkit').then((m) => m.default))

/** pdfkit plus a small layout: sections, label/value rows, tables with page breaks, footers. */
class Paper {
  readonly doc: PDFKit.PDFDocument
  private readonly chunks: Buffer[] = []
  private readonly done: Promise<void>
  y = M.top

  constructor(PDFDocument: typeof PDFKitDocument, font: Buffer, title: string, lang: ExportLanguage) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: M.top, bottom: M.bottom, left: M.left, right: M.right },
      bufferPages: true,
      autoFirstPage: true,
      font: font as unknown as string,
      lang,
      displayTitle: true,
      info: { Title: title, Producer: 'Daybook', Creator: 'Daybook' },
    })
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => this.chunks.push(c))
      this.doc.on('end', () => resolve())
      this.doc.on('error', reject)
    })
    this.doc.fillColor('#000')
  }

  private newPage(): void {
    this.doc.addPage()
    this.y = M.top
  }

  /** Room for `h` points, or a new page. */
  ensure(h: number): void {
    if (this.y + h > BOTTOM) this.newPage()
  }

  private put(text: string, x: number, y: number, width: number, size: number, opts: { align?: Align; strong?: boolean; color?: string } = {}): void {
    const d = this.doc
    d.fontSize(size).fillColor(opts.color ?? '#000')
    if (opts.strong) d.lineWidth(0.25).strokeColor(opts.color ?? '#000')
    d.text(text, x, y, { width, align: opts.align ?? 'left', lineBreak: true, stroke: !!opts.strong, fill: true })
  }

  private heightOf(text: string, width: number, size: number): number {
    return this.doc.fontSize(size).heightOfString(text || ' ', { width })
  }

  title(text: string): void {
    this.ensure(30)
    this.put(text, M.left, this.y, CONTENT_W, 16, { strong: true })
    this.y += this.heightOf(text, CONTENT_W, 16) + 6
  }

  /** A band across the page: the Z's mark. */
  mark(text: string): void {
    this.ensure(30)
    this.doc.rect(M.left, this.y, CONTENT_W, 24).lineWidth(1).strokeColor('#000').stroke()
    this.put(text, M.left + 8, this.y + 6, CONTENT_W - 16, 12, { align: 'left', strong: true })
    this.y += 32
  }

  section(text: string): void {
    this.ensure(44) // a head alone at the foot of a page moves on with its first row
    this.y += 8
    this.put(text, M.left, this.y, CONTENT_W, 11.5, { strong: true })
    this.y += this.heightOf(text, CONTENT_W, 11.5) + 2
    this.doc.moveTo(M.left, this.y).lineTo(M.left + CONTENT_W, this.y).lineWidth(0.6).strokeColor('#000').stroke()
    this.y += 4
  }

  /** Label left, value right (one line each, wrapped when long). */
  row(label: string, value: string, opts: { strong?: boolean; mono?: boolean } = {}): void {
    const size = 9.5
    const lw = CONTENT_W * 0.55
    const vw = CONTENT_W - lw
    const h = Math.max(this.heightOf(label, lw - 6, size), this.heightOf(value, vw, size)) + 3
    this.ensure(h)
    this.put(label, M.left, this.y, lw - 6, size, { strong: opts.strong })
    this.put(value, M.left + lw, this.y, vw, size, { align: 'right', strong: opts.strong })
    this.y += h
  }

  /** A long value (a hash): a narrow label and a wide value, smaller, so 64 hex digits fit one line. */
  wide(label: string, value: string): void {
    const size = 8
    const lw = CONTENT_W * 0.22
    const vw = CONTENT_W - lw
    const h = Math.max(this.heightOf(label, lw - 6, 9.5), this.heightOf(value, vw, size)) + 3
    this.ensure(h)
    this.put(label, M.left, this.y, lw - 6, 9.5)
    this.put(value, M.left + lw, this.y + 1, vw, size, { align: 'right' })
    this.y += h
  }

  note(text: string, size = 8.5): void {
    const h = this.heightOf(text, CONTENT_W, size) + 3
    this.ensure(h)
    this.put(text, M.left, this.y, CONTENT_W, size, { color: '#333' })
    this.y += h
  }

  /** A table; its head is repeated on every page it runs onto. */
  table(columns: Column[], rows: string[][], opts: { strongLast?: boolean } = {}): void {
    const size = 8.5
    const pad = 3
    const widths = columns.map((c) => c.width * CONTENT_W)
    const xs = widths.map((_, i) => M.left + widths.slice(0, i).reduce((a, w) => a + w, 0))
    const heightOfRow = (cells: string[]) => Math.max(...cells.map((t, i) => this.heightOf(t, widths[i]! - 2 * pad, size))) + 2 * pad
    const drawHead = () => {
      const h = heightOfRow(columns.map((c) => c.head))
      this.doc.rect(M.left, this.y, CONTENT_W, h).fillColor('#eeeeee').fill()
      columns.forEach((c, i) => this.put(c.head, xs[i]! + pad, this.y + pad, widths[i]! - 2 * pad, size, { align: c.align ?? 'left', strong: true }))
      this.y += h
    }
    const headH = heightOfRow(columns.map((c) => c.head))
    this.ensure(headH + (rows[0] ? heightOfRow(rows[0]) : 0))
    drawHead()
    rows.forEach((cells, r) => {
      const h = heightOfRow(cells)
      if (this.y + h > BOTTOM) {
        this.newPage()
        drawHead()
      }
      const strong = !!opts.strongLast && r === rows.length - 1
      cells.forEach((t, i) => this.put(t, xs[i]! + pad, this.y + pad, widths[i]! - 2 * pad, size, { align: columns[i]!.align ?? 'left', strong }))
      this.y += h
      this.doc.moveTo(M.left, this.y).lineTo(M.left + CONTENT_W, this.y).lineWidth(0.3).strokeColor('#999').stroke()
    })
  }

  space(h: number): void {
    this.y += h
  }

  /** Footers on every page, then the bytes. */
  async finish(footerLeft: string, page: (n: number, total: number) => string): Promise<Uint8Array> {
    const range = this.doc.bufferedPageRange()
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i)
      // Writing below the bottom margin would make pdfkit add a page: lift the margin for the footer.
      const margin = this.doc.page.margins.bottom
      this.doc.page.margins.bottom = 0
      const y = PAGE.height - M.bottom + 24
      this.doc.moveTo(M.left, y - 6).lineTo(M.left + CONTENT_W, y - 6).lineWidth(0.3).strokeColor('#999').stroke()
      this.doc.fontSize(8).fillColor('#333')
      this.doc.text(footerLeft, M.left, y, { width: CONTENT_W * 0.7, lineBreak: false })
      this.doc.text(page(i - range.start + 1, range.count), M.left + CONTENT_W * 0.7, y, { width: CONTENT_W * 0.3, align: 'right', lineBreak: false })
      this.doc.page.margins.bottom = margin
    }
    this.doc.end()
    await this.done
    return new Uint8Array(Buffer.concat(this.chunks))
  }
}

interface Fmt {
  L: Labels
  cur: Currency
  money: (minor: number) => string
  /** A deduction, shown negative: "-¥12.30" (Intl's own minus, like every other negative figure), "¥0.00" when none. */
  minus: (minor: number) => string
  date: (ymd: string) => string
  dateTime: (iso: string) => string
  time: (iso: string) => string
}

function formatter(lang: ExportLanguage, currency: string, timeZone: string | undefined): Fmt {
  const locale = localeOf(lang)
  const cur = currencyOf(currency)
  const money = (minor: number) => moneyText(minor, cur, locale)
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone })
  const tm = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone })
  const bd = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' })
  return {
    L: labelsOf(lang),
    cur,
    money,
    minus: (minor) => money(minor ? -minor : 0),
    date: (ymd) => bd.format(new Date(`${ymd}T12:00:00Z`)),
    dateTime: (iso) => dt.format(new Date(iso)),
    time: (iso) => tm.format(new Date(iso)),
  }
}

/** "vat13 13%", or the tax's id alone when it already names its rate. */
function taxText(taxId: string, rate: string): string {
  return taxId.includes(`${rate}%`) ? taxId : `${taxId} ${rate}%`
}

type Figures = ReviewDay['figures']

/** Counts, sales, tenders, taxes, cash, adjustments: what the Z and the X show (Reports.tsx FigureSections). */
function figureSections(p: Paper, f: Fmt, figures: Figures): void {
  const R = f.L.report
  const c = figures.counts
  p.section(R.counts)
  p.row(R.orders, String(c.orders))
  p.row(R.refundsCount, String(c.refunds))
  p.row(R.voids, String(c.voids))
  p.row(R.reprints, String(c.reprints))
  p.row(R.cashMovements, String(c.cashMovements))
  p.row(R.shifts, R.shiftsValue(c.shiftsOpened, c.shiftsClosed))

  p.section(R.sales)
  p.row(R.gross, f.money(figures.grossSales))
  p.row(R.discounts, f.minus(figures.discounts))
  p.row(R.refunds, f.minus(figures.refunds))
  p.row(R.rounding, f.money(figures.rounding))
  p.row(R.net, f.money(figures.net), { strong: true })

  p.section(R.tenders)
  if (figures.tenders.length === 0) p.note(R.none)
  else
    p.table(
      [
        { head: R.colMethod, width: 0.34 },
        { head: R.tenderSales, width: 0.22, align: 'right' },
        { head: R.tenderRefunds, width: 0.22, align: 'right' },
        { head: R.tenderNet, width: 0.22, align: 'right' },
      ],
      figures.tenders.map((t) => [f.L.method[t.method], f.money(t.sales), f.minus(t.refunds), f.money(t.net)]),
    )

  p.section(R.taxes)
  if (figures.taxes.length === 0) p.note(R.none)
  else
    p.table(
      [
        { head: R.colTax, width: 0.34 },
        { head: R.taxCollected, width: 0.22, align: 'right' },
        { head: R.taxRefunded, width: 0.22, align: 'right' },
        { head: R.taxNet, width: 0.22, align: 'right' },
      ],
      figures.taxes.map((t) => [taxText(t.taxId, t.rate), f.money(t.collected), f.minus(t.refunded), f.money(t.net)]),
    )

  const cash = figures.cash
  p.section(R.cash)
  p.row(R.cashReceived, f.money(cash.received))
  p.row(R.changeGiven, f.minus(cash.change))
  p.row(R.cashRefunds, f.minus(cash.refunds))
  p.row(R.payIns, f.money(cash.payIns))
  p.row(R.payOuts, f.minus(cash.payOuts))
  p.row(R.safeDrops, f.minus(cash.safeDrops))
  p.row(R.overShort, f.money(cash.overShort), { strong: true })

  if (figures.adjustments.length > 0) {
    p.section(R.adjustments)
    p.note(R.adjustmentsHelp)
    p.table(
      [
        { head: R.adjustments, width: 0.75 },
        { head: R.tenderNet, width: 0.25, align: 'right' },
      ],
      figures.adjustments.map((a) => [R.adjustment(a.seq, f.L.postingKind[a.kind] ?? a.kind, f.date(a.naturalDate)), f.money(a.amount)]),
    )
  }
}

function seqText(f: Fmt, first: number, last: number): string {
  return last >= first ? `${first}–${last}` : f.L.report.seqNone
}

/** The Z's head and totals: number, period, who, journal range and hashes, period and grand totals. */
function closureSections(p: Paper, f: Fmt, z: Closure): void {
  const R = f.L.report
  p.row(R.closureNo, String(z.number), { strong: true })
  p.row(R.period, z.fromDate === z.businessDate ? f.date(z.businessDate) : `${f.date(z.fromDate)} – ${f.date(z.businessDate)}`)
  p.row(R.closedAt, f.dateTime(z.closedAt))
  p.row(R.closedBy, z.closedBy.name)
  p.row(R.seqRange, seqText(f, z.firstSeq, z.lastSeq))
  p.wide(R.lastHash, z.lastHash)
  p.section(R.totals)
  p.row(R.periodTotal, f.money(z.periodTotal), { strong: true })
  p.row(R.previousGrandTotal, f.money(z.previousGrandTotal))
  p.row(R.grandTotal, f.money(z.grandTotal), { strong: true })
  p.space(4)
  p.wide(R.hash, z.hash)
  p.note(R.journal(z.journalSeq, z.hash.slice(0, 12)))
}

function footer(f: Fmt, storeName: string, deviceCode: string, businessDate: string, what: string): string {
  return `${storeName} · ${f.L.report.till} ${deviceCode} · ${f.L.report.businessDate} ${businessDate} · ${what}`
}

/**
 * The day report of the owner's review: the day's head and state, the Z's (or, while open, the X's)
 * figures, fees per provider and expected payouts, cash over/short per shift with who counted and
 * who approved, the reconciliation summary, and the Z's closure data.
 */
export async function dayReportPdf(day: ReviewDay, lang: ExportLanguage, opts: PdfOptions = {}): Promise<Uint8Array> {
  const f = formatter(lang, day.currency, opts.timeZone)
  const R = f.L.report
  const z = day.closure
  const p = new Paper(await pdfkit(), loadCjkFont(opts.fontPath), `${R.dayTitle} ${day.businessDate} ${day.storeName}`, lang)

  p.title(`${R.dayTitle} · ${day.storeName}`)
  p.row(R.store, day.storeName)
  p.row(R.till, day.deviceCode)
  p.row(R.businessDate, f.date(day.businessDate))
  p.row(R.state, z ? R.stateClosed(z.number) : R.stateOpen, { strong: true })

  figureSections(p, f, day.figures)

  p.section(R.fees)
  if (day.fees.length === 0) p.note(R.feesNone)
  else {
    const rows = day.fees.map((x) => [
      f.L.provider[x.provider],
      f.money(x.gross),
      f.money(x.fee),
      f.money(x.net),
      x.payouts.map((o) => `${o.date ? f.date(o.date) : R.payoutNoDate}: ${f.money(o.amount)}${o.received === null ? '' : ` (${R.payoutReceived} ${f.money(o.received)})`}`).join('\n') || '—',
    ])
    const sum = (k: 'gross' | 'fee' | 'net') => day.fees.reduce((a, x) => a + x[k], 0)
    rows.push([R.totals, f.money(sum('gross')), f.money(sum('fee')), f.money(sum('net')), ''])
    p.table(
      [
        { head: R.colProvider, width: 0.18 },
        { head: R.colGross, width: 0.17, align: 'right' },
        { head: R.colFee, width: 0.15, align: 'right' },
        { head: R.colNet, width: 0.17, align: 'right' },
        { head: R.colPayouts, width: 0.33, align: 'right' },
      ],
      rows,
      { strongLast: true },
    )
  }

  p.section(R.shiftsTitle)
  if (day.shifts.length === 0) p.note(R.none)
  else
    p.table(
      [
        { head: `${R.colHolder} / ${R.colTime}`, width: 0.17 },
        { head: `${R.colCountedBy} / ${R.colApprovedBy}`, width: 0.15 },
        { head: R.float, width: 0.11, align: 'right' },
        { head: R.expected, width: 0.11, align: 'right' },
        { head: R.counted, width: 0.11, align: 'right' },
        { head: R.overShort, width: 0.14, align: 'right' },
        { head: R.reason, width: 0.21 },
      ],
      day.shifts.map((s) => {
        const os = s.overShort
        return [
          `${s.holder.name}\n${f.time(s.openedAt)}–${s.closedAt ? f.time(s.closedAt) : R.shiftOpen}`,
          `${s.closedBy?.name ?? '—'}\n${s.approvedBy ? s.approvedBy.name : '—'}`,
          f.money(s.float),
          s.expected === null ? '—' : f.money(s.expected),
          s.counted === null ? R.notCounted : f.money(s.counted),
          os === null ? '—' : os === 0 ? R.exact : `${os < 0 ? R.short : R.over} ${f.money(Math.abs(os))}`,
          s.reason ?? '',
        ]
      }),
    )

  p.section(R.reconciliation)
  const rec = day.reconciliation
  if (!rec) p.note(R.reconciliationNone)
  else {
    p.row(R.runAt(f.dateTime(rec.at), rec.by.name), '')
    for (const cls of MATCH_CLASSES) p.row(f.L.matchClass[cls], String(rec.counts[cls] ?? 0), { strong: cls === 'matched' })
    p.row(R.unresolved, f.money(rec.unresolved), { strong: true })
  }

  p.section(R.closure)
  if (!z) p.note(R.notClosed)
  else closureSections(p, f, z)

  return p.finish(footer(f, day.storeName, day.deviceCode, day.businessDate, R.dayTitle), R.page)
}

/** The Z of the day as the Z report shows it (Reports.tsx DayPaper, kind Z). Refuses a day without a Z. */
export async function zReportPdf(day: ReviewDay, lang: ExportLanguage, opts: PdfOptions = {}): Promise<Uint8Array> {
  const z = day.closure
  if (!z) throw new Error(`Business day ${day.businessDate} has no Z yet: close the day before exporting its Z report.`)
  const f = formatter(lang, z.currency, opts.timeZone)
  const R = f.L.report
  const p = new Paper(await pdfkit(), loadCjkFont(opts.fontPath), `Z ${z.number} ${z.businessDate} ${z.storeName}`, lang)

  p.mark(R.zMark(z.number))
  p.title(z.storeName)
  p.row(R.till, z.deviceCode)
  p.row(R.businessDate, f.date(z.businessDate), { strong: true })
  if (z.fromDate !== z.businessDate) p.row(R.fromDate, f.date(z.fromDate))
  p.row(R.closureNo, String(z.number), { strong: true })
  p.row(R.closedAt, f.dateTime(z.closedAt))
  p.row(R.closedBy, z.closedBy.name)
  p.row(R.seqRange, seqText(f, z.firstSeq, z.lastSeq))
  p.wide(R.lastHash, z.lastHash)

  figureSections(p, f, z.figures)

  p.section(R.totals)
  p.row(R.periodTotal, f.money(z.periodTotal), { strong: true })
  p.row(R.previousGrandTotal, f.money(z.previousGrandTotal))
  p.row(R.grandTotal, f.money(z.grandTotal), { strong: true })
  p.space(6)
  p.wide(R.hash, z.hash)
  p.note(R.journal(z.journalSeq, z.hash.slice(0, 12)))

  return p.finish(footer(f, z.storeName, z.deviceCode, z.businessDate, R.zMark(z.number)), R.page)
}

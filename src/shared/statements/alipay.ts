import {
  BEIJING_OFFSET,
  columnIndex,
  csvLines,
  DuplicateGuard,
  formatAmount,
  fromLocal,
  money,
  parseAmount,
  lineSpan,
  parseCsvLines,
  parseCsvText,
  rowKey,
  splitLines,
  toLocal,
  zoneOffsetMinutes,
} from './common'
import { decodeGbk, encodeGbk } from './gbk'
import { StatementError, totalsOf, type Statement, type StatementRow } from './types'
import { readZip, writeZip } from './zip'

/**
 * Alipay's daily bill (payments-protocols.md §4.1): a ZIP of two GBK CSVs, names in GBK without the
 * ZIP UTF-8 flag — `<PID>_<yyyymmdd>_业务明细.csv` (the rows) and `<PID>_<yyyymmdd>_业务明细(汇总).csv`
 * (the summary). Lines end in CRLF; `#` lines are headers and trailers; identifier cells end in a
 * tab (an empty one is a lone tab). Times are Beijing time.
 *
 * Normalized: a 交易 row is a payment, a 退款 row a refund (negative amounts, the payment's
 * 支付宝交易号 and 商户订单号, 退款批次号/请求号 = our refund id). gross = 商家实收（元） — what the
 * merchant receives, and the figure the trailer (`#交易合计…商家实收共X元`) adds up; it equals
 * 订单金额（元） unless the buyer used a discount the merchant funds. fee = 服务费（元） as the file
 * signs it (charged positive; a fee given back on a refund is negative or 0).
 */

const CURRENCY = 'CNY' as const

export const ALIPAY_DETAIL_COLUMNS = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '商品名称',
  '创建时间',
  '完成时间',
  '门店编号',
  '门店名称',
  '操作员',
  '终端号',
  '对方账户',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝红包（元）',
  '集分宝（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '券核销金额（元）',
  '券名称',
  '商家红包消费金额（元）',
  '卡消费金额（元）',
  '退款批次号/请求号',
  '服务费（元）',
  '分润（元）',
  '备注',
] as const

export const ALIPAY_SUMMARY_COLUMNS = [
  '门店编号',
  '门店名称',
  '交易订单总笔数',
  '退款订单总笔数',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '卡消费金额（元）',
  '服务费（元）',
  '分润（元）',
  '实收净额（元）',
] as const

const DETAIL_TITLE = '#支付宝业务明细查询'
const SUMMARY_TITLE = '#支付宝业务汇总查询'
const DETAIL_BEGIN = '#-----------------------------------------业务明细列表----------------------------------------'
const DETAIL_END = '#-----------------------------------------业务明细列表结束------------------------------------'
const SUMMARY_BEGIN = '#-----------------------------------------业务汇总列表----------------------------------------'
const SUMMARY_END = '#----------------------------------------业务汇总列表结束-------------------------------------'
const CRLF = '\r\n'

const DETAIL_FILE = 'Alipay bill (业务明细)'
const SUMMARY_FILE = 'Alipay bill summary (业务明细(汇总))'

const ACCOUNT = /^#账号：\[(\d{1,32})\]\s*$/
const PERIOD = /^#起始日期：\[(\d{4})年(\d{2})月(\d{2})日 \d{2}:\d{2}:\d{2}\]\s+终止日期：\[\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}:\d{2}\]\s*$/
const PAY_TOTAL = /^#交易合计：(\d+)笔，商家实收共(-?\d+(?:\.\d+)?)元，商家优惠共(-?\d+(?:\.\d+)?)元\s*$/
const REFUND_TOTAL = /^#退款合计：(\d+)笔，商家实收退款共(-?\d+(?:\.\d+)?)元，商家优惠退款共(-?\d+(?:\.\d+)?)元\s*$/
const EXPORTED = /^#导出时间：\[\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}:\d{2}\]\s*$/

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`

/** A cell without its trailing tab (Alipay ends identifier cells in one so spreadsheets keep them as text). */
const cell = (s: string | undefined): string => (s ?? '').replace(/\t+$/, '').trim()

function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06)
}

function entryName(raw: Uint8Array): string {
  try {
    return new TextDecoder('gbk', { fatal: true }).decode(raw)
  } catch {
    return new TextDecoder('utf-8').decode(raw)
  }
}

/** A bill re-saved as UTF-8 by a spreadsheet: say so rather than complain about columns. */
function refuseUtf8(bytes: Uint8Array, file: string): void {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 64))
  if (head.startsWith('\uFEFF') || head.startsWith('#支付宝')) {
    throw new StatementError('encoding', `The ${file} is in UTF-8, not in the GBK encoding Alipay uses: it was re-saved by another program. Download it again from Alipay.`, 1)
  }
}

interface Header {
  merchantId: string
  date: string
}

function readHeader(lines: readonly string[], title: string, begin: string, file: string): Header {
  if (lines.length === 0) throw new StatementError('truncated', `The ${file} is empty.`, 1)
  if (lines[0]!.trim() !== title) throw new StatementError('unknown_format', `The ${file} does not start with "${title}".`, 1)
  if (lines.length < 4) throw new StatementError('truncated', `The ${file} ends inside its header lines.`, lines.length)
  const acct = ACCOUNT.exec(lines[1]!)
  if (!acct) throw new StatementError('bad_row', `The ${file} does not name the Alipay account ("#账号：[2088…]").`, 2)
  const period = PERIOD.exec(lines[2]!)
  if (!period) throw new StatementError('bad_row', `The ${file} does not give the days it covers ("#起始日期：[…]").`, 3)
  if (!/^#-+业务(明细|汇总)列表-+\s*$/.test(lines[3]!) || lines[3]!.trim().replace(/-+/g, '-') !== begin.replace(/-+/g, '-')) {
    throw new StatementError('bad_row', `The ${file} does not have the list title line where expected.`, 4)
  }
  return { merchantId: acct[1]!, date: `${period[1]}-${period[2]}-${period[3]}` }
}

function parseDetail(bytes: Uint8Array): { header: Header; rows: StatementRow[] } {
  refuseUtf8(bytes, DETAIL_FILE)
  const text = decodeGbk(bytes, DETAIL_FILE)
  const lines = splitLines(text)
  const header = readHeader(lines, DETAIL_TITLE, DETAIL_BEGIN, DETAIL_FILE)
  if (lines.length < 5) throw new StatementError('truncated', `The ${DETAIL_FILE} ends before its column names.`, lines.length)
  const headLine = 5
  const head = parseCsvLines([lines[4]!], headLine)[0]!.cells.map(cell)
  const col = columnIndex(head, ALIPAY_DETAIL_COLUMNS, headLine, DETAIL_FILE)
  if (head.length !== ALIPAY_DETAIL_COLUMNS.length) {
    throw new StatementError('missing_column', `The ${DETAIL_FILE} has ${head.length} columns; Alipay's has ${ALIPAY_DETAIL_COLUMNS.length}.`, headLine)
  }
  let end = -1
  for (let i = 5; i < lines.length; i++) {
    if (lines[i]!.startsWith('#')) {
      end = i
      break
    }
  }
  if (end === -1) throw new StatementError('truncated', `The ${DETAIL_FILE} stops before the end of its list: it was cut off.`, lines.length)
  if (!/^#-+业务明细列表结束-+\s*$/.test(lines[end]!)) {
    throw new StatementError('bad_row', `The ${DETAIL_FILE} has an unexpected "#" line inside its list.`, end + 1)
  }
  const payTotal = lines[end + 1] === undefined ? null : PAY_TOTAL.exec(lines[end + 1]!)
  const refundTotal = lines[end + 2] === undefined ? null : REFUND_TOTAL.exec(lines[end + 2]!)
  if (!payTotal || !refundTotal || lines[end + 3] === undefined || !EXPORTED.test(lines[end + 3]!)) {
    const at = !payTotal ? end + 2 : !refundTotal ? end + 3 : end + 4
    if (at > lines.length) throw new StatementError('truncated', `The ${DETAIL_FILE} stops before its totals lines: it was cut off.`, lines.length)
    throw new StatementError('bad_row', `The ${DETAIL_FILE} does not have its totals lines ("#交易合计…", "#退款合计…", "#导出时间…") after the list.`, at)
  }

  const rows: StatementRow[] = []
  const dup = new DuplicateGuard()
  const n = ALIPAY_DETAIL_COLUMNS.length
  for (const { line, cells } of parseCsvText(lineSpan(text, 5, end), 6)) {
    if (cells.length !== n) throw new StatementError('bad_row', `This row has ${cells.length} cells; an Alipay bill row has ${n}.`, line)
    const kind = cell(cells[col['业务类型']])
    if (kind !== '交易' && kind !== '退款') throw new StatementError('bad_row', `Unknown business type "${kind}" (expected 交易 or 退款).`, line)
    const type = kind === '交易' ? 'payment' : 'refund'
    const gross = parseAmount(cell(cells[col['商家实收（元）']]), CURRENCY, line, 'The amount received (商家实收)')
    parseAmount(cell(cells[col['订单金额（元）']]), CURRENCY, line, 'The order amount (订单金额)')
    const fee = parseAmount(cell(cells[col['服务费（元）']]), CURRENCY, line, 'The service fee (服务费)')
    if (type === 'payment' ? gross < 0 : gross > 0) {
      throw new StatementError('bad_amount', `A ${type === 'payment' ? 'payment' : 'refund'} with a ${gross < 0 ? 'negative' : 'positive'} amount (${money(gross, CURRENCY)}).`, line)
    }
    const providerRef = cell(cells[col['支付宝交易号']])
    if (!providerRef) throw new StatementError('bad_row', 'This row has no Alipay transaction number (支付宝交易号).', line)
    const merchantRef = cell(cells[col['商户订单号']]) || null
    const refundRef = type === 'refund' ? cell(cells[col['退款批次号/请求号']]) || null : null
    const t = fromLocal(cell(cells[col['完成时间']]), BEIJING_OFFSET, line, 'The completion time (完成时间)')
    const row: StatementRow = {
      line,
      type,
      providerRef,
      merchantRef,
      refundRef,
      gross,
      fee,
      net: gross - fee,
      currency: CURRENCY,
      providerTime: t.iso,
      providerDate: t.date,
      batch: null,
      payoutDate: null,
    }
    dup.check(rowKey(row), line, type === 'payment' ? `Payment ${providerRef}` : `Refund ${refundRef ?? ''} of ${providerRef}`)
    rows.push(row)
  }

  const totals = totalsOf(rows)
  const payCount = Number(payTotal[1])
  const payGross = parseAmount(payTotal[2]!, CURRENCY, end + 2, 'The payments total')
  const refundCount = Number(refundTotal[1])
  const refundGross = parseAmount(refundTotal[2]!, CURRENCY, end + 3, 'The refunds total')
  if (payCount !== totals.payments.count || payGross !== totals.payments.gross) {
    throw new StatementError(
      'totals',
      `The bill says ${count(payCount, 'payment')} of ${money(payGross, CURRENCY)} in all, but its rows are ${count(totals.payments.count, 'payment')} of ${money(totals.payments.gross, CURRENCY)}.`,
      end + 2,
    )
  }
  if (refundCount !== totals.refunds.count || refundGross !== totals.refunds.gross) {
    throw new StatementError(
      'totals',
      `The bill says ${count(refundCount, 'refund')} of ${money(refundGross, CURRENCY)} in all, but its rows are ${count(totals.refunds.count, 'refund')} of ${money(totals.refunds.gross, CURRENCY)}.`,
      end + 3,
    )
  }
  return { header, rows }
}

function checkSummary(bytes: Uint8Array, detail: Header, rows: readonly StatementRow[]): void {
  refuseUtf8(bytes, SUMMARY_FILE)
  const lines = splitLines(decodeGbk(bytes, SUMMARY_FILE))
  const header = readHeader(lines, SUMMARY_TITLE, SUMMARY_BEGIN, SUMMARY_FILE)
  if (header.merchantId !== detail.merchantId) {
    throw new StatementError('other_merchant', `The ${SUMMARY_FILE} is for Alipay account ${header.merchantId}, the bill for ${detail.merchantId}.`, 2)
  }
  if (lines.length < 5) throw new StatementError('truncated', `The ${SUMMARY_FILE} ends before its column names.`, lines.length)
  const head = parseCsvLines([lines[4]!], 5)[0]!.cells.map(cell)
  const col = columnIndex(head, ALIPAY_SUMMARY_COLUMNS, 5, SUMMARY_FILE)
  const end = lines.findIndex((l, i) => i >= 5 && l.startsWith('#'))
  if (end === -1 || !/^#-+业务汇总列表结束-+\s*$/.test(lines[end]!)) {
    throw new StatementError('truncated', `The ${SUMMARY_FILE} stops before the end of its list: it was cut off.`, lines.length)
  }
  if (lines[end + 1] === undefined || !EXPORTED.test(lines[end + 1]!)) {
    throw new StatementError('truncated', `The ${SUMMARY_FILE} stops before its export time line.`, lines.length)
  }
  const total = parseCsvLines(lines.slice(5, end), 6).find((r) => cell(r.cells[0]) === '合计')
  if (!total) throw new StatementError('truncated', `The ${SUMMARY_FILE} has no total row (合计).`, end + 1)
  const { line, cells } = total
  if (cells.length !== head.length) throw new StatementError('bad_row', `The total row has ${cells.length} cells; the summary has ${head.length} columns.`, line)
  const t = totalsOf(rows)
  const countOf = (k: '交易订单总笔数' | '退款订单总笔数'): number => {
    const v = cell(cells[col[k]])
    if (!/^\d+$/.test(v)) throw new StatementError('bad_amount', `The count "${v}" is not a number.`, line)
    return Number(v)
  }
  const amount = (k: '商家实收（元）' | '服务费（元）' | '实收净额（元）'): number => parseAmount(cell(cells[col[k]]), CURRENCY, line, k)
  const checks: [string, number, number, boolean][] = [
    ['payments', countOf('交易订单总笔数'), t.payments.count, false],
    ['refunds', countOf('退款订单总笔数'), t.refunds.count, false],
    ['the amount received (商家实收)', amount('商家实收（元）'), t.payments.gross + t.refunds.gross, true],
    ['the service fees (服务费)', amount('服务费（元）'), t.payments.fee + t.refunds.fee, true],
    ['the net amount (实收净额)', amount('实收净额（元）'), t.net, true],
  ]
  for (const [what, said, sum, isMoney] of checks) {
    if (said !== sum) {
      const f = (v: number): string => (isMoney ? money(v, CURRENCY) : String(v))
      throw new StatementError('totals', `The summary file says ${what} ${f(said)}, but the bill's rows add up to ${f(sum)}.`, line)
    }
  }
}

/** Parse Alipay's daily bill ZIP. Refuses the whole file with a StatementError when anything is off. */
export function parseAlipayBill(zip: Uint8Array): Statement {
  if (!isZip(zip)) throw new StatementError('bad_zip', 'This is not a ZIP file: an Alipay bill is downloaded as a .zip.')
  let entries
  try {
    entries = readZip(zip)
  } catch {
    throw new StatementError('bad_zip', 'This ZIP file is damaged or incomplete: download the Alipay bill again.')
  }
  const named = entries.map((e) => ({ name: entryName(e.name), data: e.data }))
  const detail = named.find((e) => /业务明细\.csv$/.test(e.name) && !e.name.includes('汇总'))
  const summary = named.find((e) => /业务明细\(汇总\)\.csv$/.test(e.name))
  if (!detail) throw new StatementError('bad_zip', 'The ZIP file does not contain the Alipay bill (a file ending in 业务明细.csv).')
  if (!summary) throw new StatementError('bad_zip', 'The ZIP file does not contain the bill summary (a file ending in 业务明细(汇总).csv): it is incomplete.')
  const { header, rows } = parseDetail(detail.data)
  checkSummary(summary.data, header, rows)
  return {
    provider: 'alipay',
    format: 'alipay_bill_zip',
    merchantId: header.merchantId,
    date: header.date,
    currency: CURRENCY,
    rows,
    totals: totalsOf(rows),
  }
}

// ---- writer --------------------------------------------------------------------------------------

export interface AlipayWriteMeta {
  /** When the bill was exported (the `#导出时间` line and the ZIP entries' time, in Beijing time). */
  exportedAt: Date
  /**
   * The bill's clock. Alipay's is always Beijing time: the option exists so a caller can state it,
   * and anything but Asia/Shanghai (or another zone at UTC+8 all year) is refused.
   */
  timeZone?: string
  /** 商品名称 of a row (the statement does not keep it); default "商品". Must be writable in GBK. */
  subject?: (row: StatementRow) => string
}

const cn = (iso: string): string => {
  const [d, t] = toLocal(iso, BEIJING_OFFSET).split(' ') as [string, string]
  const [y, m, day] = d.split('-')
  return `${y}年${m}月${day}日 ${t}`
}

function nextDay(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

/** Alipay's daily bill ZIP for a statement, byte for byte as the portal gives it. */
export function writeAlipayBill(s: Statement, meta: AlipayWriteMeta): Uint8Array {
  if (s.currency !== CURRENCY) throw new RangeError(`an Alipay bill is in CNY, not ${s.currency}`)
  if (meta.timeZone !== undefined && zoneOffsetMinutes(meta.timeZone, meta.exportedAt.getTime()) !== BEIJING_OFFSET) {
    throw new RangeError(`an Alipay bill is in Beijing time, not ${meta.timeZone}`)
  }
  const subject = meta.subject ?? (() => '商品')
  const ymd = s.date.replaceAll('-', '')
  const period = `#起始日期：[${s.date.slice(0, 4)}年${s.date.slice(5, 7)}月${s.date.slice(8, 10)}日 00:00:00]   终止日期：[${nextDay(s.date).slice(0, 4)}年${nextDay(s.date).slice(5, 7)}月${nextDay(s.date).slice(8, 10)}日 00:00:00]`
  const exported = `#导出时间：[${cn(meta.exportedAt.toISOString())}]`
  const a = (v: number): string => formatAmount(v, CURRENCY)
  const tab = (v: string | null): string => `${v ?? ''}\t`

  const body = s.rows.map((r) => {
    if (r.type !== 'payment' && r.type !== 'refund') throw new RangeError(`an Alipay bill has no ${r.type} rows`)
    const time = toLocal(r.providerTime, BEIJING_OFFSET)
    return [
      tab(r.providerRef),
      tab(r.merchantRef),
      tab(r.type === 'payment' ? '交易' : '退款'),
      subject(r),
      time,
      time,
      '\t',
      '\t',
      '\t',
      '\t',
      '\t',
      a(r.gross),
      a(r.gross),
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '',
      '0.00\t',
      '0.00',
      tab(r.type === 'refund' ? r.refundRef : null),
      a(r.fee),
      '0.00',
      '',
    ]
  })
  const t = totalsOf(s.rows)
  const detail =
    ['#支付宝业务明细查询', `#账号：[${s.merchantId}]`, period, DETAIL_BEGIN, ALIPAY_DETAIL_COLUMNS.join(',')].join(CRLF) +
    CRLF +
    csvLines(body, CRLF) +
    [
      DETAIL_END,
      `#交易合计：${t.payments.count}笔，商家实收共${a(t.payments.gross)}元，商家优惠共0.00元`,
      `#退款合计：${t.refunds.count}笔，商家实收退款共${a(t.refunds.gross)}元，商家优惠退款共0.00元`,
      exported,
    ].join(CRLF) +
    CRLF
  const gross = t.payments.gross + t.refunds.gross
  const summary =
    [
      '#支付宝业务汇总查询',
      `#账号：[${s.merchantId}]`,
      period,
      SUMMARY_BEGIN,
      ALIPAY_SUMMARY_COLUMNS.join(','),
      `合计,,${t.payments.count},${t.refunds.count},${a(gross)},${a(gross)},0.00,0.00,0.00,${a(t.payments.fee + t.refunds.fee)},0.00,${a(t.net)}`,
      SUMMARY_END,
      exported,
    ].join(CRLF) + CRLF
  const local = toLocal(meta.exportedAt.toISOString(), BEIJING_OFFSET)
  const [y, mo, d, h, mi, sec] = local.split(/[- :]/).map(Number) as [number, number, number, number, number, number]
  return writeZip(
    [
      { name: encodeGbk(`${s.merchantId}_${ymd}_业务明细.csv`), data: encodeGbk(detail) },
      { name: encodeGbk(`${s.merchantId}_${ymd}_业务明细(汇总).csv`), data: encodeGbk(summary) },
    ],
    { mtime: { y, mo, d, h, mi, s: sec } },
  )
}

import { CURRENCIES, type Currency } from '../money'
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
} from './common'
import { decodeStrict } from './gbk'
import { StatementError, totalsOf, type Statement, type StatementRow } from './types'

/**
 * WeChat Pay's trade bill (交易账单, bill_type ALL; payments-protocols.md §4.2): UTF-8 with or without
 * a BOM, CRLF or LF. A header line of 27 column names, then one line per payment (交易状态 SUCCESS)
 * or refund (REFUND), every cell prefixed with a backtick so spreadsheets keep long numbers as text;
 * then the trailer's column names (总交易单数,…) and its totals line, backticked too. Times are
 * Beijing time. Fees are printed with 5 decimals; rates like `0.60%`. A cell that lost its backtick
 * (a spreadsheet re-save) is read the same.
 *
 * Normalized: payment gross = 应结订单金额 (what is settled to the merchant: 订单金额 less vouchers
 * WeChat does not fund), refund gross = −退款金额; fee = 手续费 as signed in the file (a refund row's
 * negative fee is the part of the fee WeChat gives back). Refund rows carry the payment's 微信订单号
 * and 商户订单号, and 商户退款单号 = our refund id.
 *
 * Fees: WeChat charges whole fen (fee = amount × rate, rounded to the fen, §4.3); the 5 decimals are
 * padding (`0.27000`). A fee with a non-zero digit past the fen (`0.05940`) is refused as bad_amount:
 * it is not what WeChat bills, and rounding it ourselves would invent a figure the provider never
 * charged, which then could never reconcile to the fen.
 */

export const WECHAT_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const

export const WECHAT_TRAILER_COLUMNS = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const

const FILE = 'WeChat Pay bill'
/** Fee digits past the fen that WeChat prints (always zeros). */
const FEE_PAD = 3

/** A cell without the backtick WeChat puts before every value. */
const cell = (s: string | undefined): string => {
  const v = s ?? ''
  return (v.startsWith('`') ? v.slice(1) : v).trim()
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

const decodeUtf8 = (bytes: Uint8Array): string => decodeStrict(utf8, bytes, `The ${FILE} is not in UTF-8, the encoding WeChat Pay uses`)

export interface WechatParseExpect {
  /** The bill's day. Needed for a bill without rows (the file itself does not say its day). */
  date?: string
  /** The merchant the bill must be for (商户号). */
  merchantId?: string
}

/** Parse WeChat Pay's trade bill. Refuses the whole file with a StatementError when anything is off. */
export function parseWechatBill(bytes: Uint8Array, expect: WechatParseExpect = {}): Statement {
  // TextDecoder drops a leading BOM (ignoreBOM: false).
  const text = decodeUtf8(bytes)
  const lines = splitLines(text)
  if (lines.length === 0) throw new StatementError('truncated', `The ${FILE} is empty.`, 1)
  const head = parseCsvLines([lines[0]!], 1)[0]!.cells.map((c) => c.trim())
  if (head[0] !== '交易时间') throw new StatementError('unknown_format', `This is not a ${FILE}: it does not start with the column "交易时间".`, 1)
  const col = columnIndex(head, WECHAT_COLUMNS, 1, FILE)
  const n = WECHAT_COLUMNS.length
  if (head.length !== n) throw new StatementError('missing_column', `The ${FILE} has ${head.length} columns; WeChat Pay's has ${n}.`, 1)

  const end = lines.findIndex((l) => l.startsWith('总交易单数'))
  if (end === -1) throw new StatementError('truncated', `The ${FILE} stops before its totals lines (总交易单数…): it was cut off.`, lines.length)
  const trailerHead = parseCsvLines([lines[end]!], end + 1)[0]!.cells.map((c) => c.trim())
  const tcol = columnIndex(trailerHead, WECHAT_TRAILER_COLUMNS, end + 1, `${FILE} totals`)
  if (lines[end + 1] === undefined) throw new StatementError('truncated', `The ${FILE} stops before its totals line: it was cut off.`, lines.length)
  const trailer = parseCsvLines([lines[end + 1]!], end + 2)[0]!
  if (trailer.cells.length !== trailerHead.length) {
    throw new StatementError('bad_row', `The totals line has ${trailer.cells.length} cells for ${trailerHead.length} names.`, trailer.line)
  }
  if (lines.length > end + 2) throw new StatementError('bad_row', `The ${FILE} goes on after its totals line.`, end + 3)

  let currency: Currency | null = null
  let merchantId = expect.merchantId ?? null
  const rows: StatementRow[] = []
  const dup = new DuplicateGuard()
  let orderSum = 0
  let requestedRefundSum = 0
  const [iMch, iCur, iStatus, iSettled, iRefunded, iFee, iOrder, iRequested, iRef, iRefundRef, iTime, iOut] = (
    ['商户号', '货币种类', '交易状态', '应结订单金额', '退款金额', '手续费', '订单金额', '申请退款金额', '微信订单号', '商户退款单号', '交易时间', '商户订单号'] as const
  ).map((k) => col[k])
  for (const { line, cells } of parseCsvText(lineSpan(text, 1, end), 2)) {
    if (cells.length !== n) throw new StatementError('bad_row', `This row has ${cells.length} cells; a WeChat Pay bill row has ${n}.`, line)
    const mch = cell(cells[iMch!])
    if (merchantId === null) merchantId = mch
    else if (mch !== merchantId) throw new StatementError('other_merchant', `This row is for WeChat Pay merchant ${mch}, not ${merchantId}.`, line)
    const cur = cell(cells[iCur!])
    if (cur !== currency) {
      if (!(CURRENCIES as readonly string[]).includes(cur)) throw new StatementError('currency', `Currency "${cur}" is not one this shop can use.`, line)
      if (currency !== null) throw new StatementError('currency', `This row is in ${cur}; the bill's earlier rows are in ${currency}.`, line)
      currency = cur as Currency
    }
    const status = cell(cells[iStatus!])
    if (status !== 'SUCCESS' && status !== 'REFUND') throw new StatementError('bad_row', `Unknown transaction state "${status}" (expected SUCCESS or REFUND).`, line)
    const type = status === 'SUCCESS' ? 'payment' : 'refund'
    const settled = parseAmount(cell(cells[iSettled!]), currency, line, 'The settled amount (应结订单金额)')
    const refunded = parseAmount(cell(cells[iRefunded!]), currency, line, 'The refund amount (退款金额)')
    const fee = parseAmount(cell(cells[iFee!]), currency, line, 'The fee (手续费)', FEE_PAD)
    orderSum += parseAmount(cell(cells[iOrder!]), currency, line, 'The order amount (订单金额)')
    requestedRefundSum += parseAmount(cell(cells[iRequested!]), currency, line, 'The requested refund (申请退款金额)')
    if (settled < 0 || refunded < 0) throw new StatementError('bad_amount', 'A negative amount where WeChat Pay prints positive ones.', line)
    const gross = type === 'payment' ? settled : 0 - refunded
    const providerRef = cell(cells[iRef!])
    if (!providerRef) throw new StatementError('bad_row', 'This row has no WeChat Pay order number (微信订单号).', line)
    const refundRef = type === 'refund' ? cell(cells[iRefundRef!]) || null : null
    const when = cell(cells[iTime!])
    const t = fromLocal(when.length === 19 ? when : when.replace(/\s+/g, ' '), BEIJING_OFFSET, line, 'The time (交易时间)')
    const row: StatementRow = {
      line,
      type,
      providerRef,
      merchantRef: cell(cells[iOut!]) || null,
      refundRef,
      gross,
      fee,
      net: gross - fee,
      currency,
      providerTime: t.iso,
      providerDate: t.date,
      batch: null,
      payoutDate: null,
    }
    dup.check(rowKey(row), line, type === 'payment' ? `Payment ${providerRef}` : `Refund ${refundRef ?? ''} of ${providerRef}`)
    rows.push(row)
  }

  const cur: Currency = currency ?? 'CNY'
  const totals = totalsOf(rows)
  const tl = trailer.line
  const tc = (k: (typeof WECHAT_TRAILER_COLUMNS)[number]): string => cell(trailer.cells[tcol[k]])
  const count = tc('总交易单数')
  if (!/^\d+$/.test(count)) throw new StatementError('bad_amount', `The number of transactions "${count}" is not a number.`, tl)
  const checks: [string, number, number, boolean][] = [
    ['transactions', Number(count), rows.length, false],
    ['settled (应结订单总金额)', parseAmount(tc('应结订单总金额'), cur, tl, 'The settled total'), totals.payments.gross, true],
    ['refunded (退款总金额)', parseAmount(tc('退款总金额'), cur, tl, 'The refunds total'), -totals.refunds.gross, true],
    ['in fees (手续费总金额)', parseAmount(tc('手续费总金额'), cur, tl, 'The fees total', FEE_PAD), totals.payments.fee + totals.refunds.fee, true],
    ['ordered (订单总金额)', parseAmount(tc('订单总金额'), cur, tl, 'The orders total'), orderSum, true],
    ['requested in refunds (申请退款总金额)', parseAmount(tc('申请退款总金额'), cur, tl, 'The requested refunds total'), requestedRefundSum, true],
  ]
  parseAmount(tc('充值券退款总金额'), cur, tl, 'The voucher refunds total')
  for (const [what, said, sum, isMoney] of checks) {
    if (said !== sum) {
      const f = (v: number): string => (isMoney ? money(v, cur) : String(v))
      throw new StatementError('totals', `The bill's totals line says ${f(said)} ${what}, but its rows add up to ${f(sum)}.`, tl)
    }
  }
  const date = expect.date ?? rows.reduce<string | null>((d, r) => (d === null || r.providerDate < d ? r.providerDate : d), null)
  if (date === null) {
    throw new StatementError('bad_row', `This ${FILE} has no transactions and does not say which day it is for: choose the day when you upload it.`)
  }
  return {
    provider: 'wechat',
    format: 'wechat_trade_bill',
    merchantId: merchantId ?? '',
    date,
    currency: cur,
    rows,
    totals,
  }
}

// ---- writer --------------------------------------------------------------------------------------

export interface WechatWriteMeta {
  /** 公众账号ID (the app the payments went through). */
  appId: string
  /** Start with a UTF-8 BOM (as the merchant portal's download does); default true. */
  bom?: boolean
  /** Line ending; default CRLF. */
  eol?: '\r\n' | '\n'
  /** 交易类型; default MICROPAY (the till scans the customer's payment code). */
  tradeType?: string
  /** 费率 as printed; default 0.60%. */
  rate?: string
  /** 商品名称 of a row (the statement does not keep it); default "商品". */
  subject?: (row: StatementRow) => string
  /** 微信退款单号 of a refund row (the statement does not keep it); default derived from the row. */
  wechatRefundId?: (row: StatementRow) => string
}

/** WeChat Pay's trade bill for a statement, byte for byte as the merchant portal gives it. */
export function writeWechatBill(s: Statement, meta: WechatWriteMeta): Uint8Array {
  const cur = s.currency as Currency
  const eol = meta.eol ?? '\r\n'
  const a = (v: number): string => formatAmount(v, cur)
  const fee = (v: number): string => formatAmount(v, cur, FEE_PAD)
  const subject = meta.subject ?? (() => '商品')
  const refundId = meta.wechatRefundId ?? ((r: StatementRow) => `50${r.providerRef.replace(/\D/g, '').slice(-14).padStart(14, '0')}${String(r.line).padStart(6, '0')}`)
  let orderSum = 0
  let refundSum = 0
  const body = s.rows.map((r) => {
    if (r.type !== 'payment' && r.type !== 'refund') throw new RangeError(`a WeChat Pay bill has no ${r.type} rows`)
    const pay = r.type === 'payment'
    if (pay) orderSum += r.gross
    else refundSum -= r.gross
    return [
      toLocal(r.providerTime, BEIJING_OFFSET),
      meta.appId,
      s.merchantId,
      '0',
      '',
      r.providerRef,
      r.merchantRef ?? '',
      '',
      meta.tradeType ?? 'MICROPAY',
      pay ? 'SUCCESS' : 'REFUND',
      'OTHERS',
      cur,
      pay ? a(r.gross) : a(0),
      a(0),
      pay ? '0' : refundId(r),
      pay ? '0' : (r.refundRef ?? ''),
      pay ? a(0) : a(-r.gross),
      a(0),
      pay ? '' : 'ORIGINAL',
      pay ? '' : 'SUCCESS',
      subject(r),
      '',
      fee(r.fee),
      meta.rate ?? '0.60%',
      pay ? a(r.gross) : a(0),
      pay ? a(0) : a(-r.gross),
      '',
    ].map((v) => '`' + v)
  })
  const t = totalsOf(s.rows)
  const text =
    (meta.bom === false ? '' : '\uFEFF') +
    WECHAT_COLUMNS.join(',') +
    eol +
    csvLines(body, eol) +
    WECHAT_TRAILER_COLUMNS.join(',') +
    eol +
    [String(s.rows.length), a(t.payments.gross), a(-t.refunds.gross), a(0), fee(t.payments.fee + t.refunds.fee), a(orderSum), a(refundSum)].map((v) => '`' + v).join(',') +
    eol
  return new TextEncoder().encode(text)
}

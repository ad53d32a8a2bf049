import { parseAdyenSettlement } from './adyen'
import { parseAlipayBill } from './alipay'
import { StatementError, type Statement, type StatementFormat } from './types'
import { parseWechatBill, type WechatParseExpect } from './wechat'

export * from './types'
export { parseAlipayBill, writeAlipayBill, ALIPAY_DETAIL_COLUMNS, ALIPAY_SUMMARY_COLUMNS, type AlipayWriteMeta } from './alipay'
export { parseWechatBill, writeWechatBill, WECHAT_COLUMNS, WECHAT_TRAILER_COLUMNS, type WechatWriteMeta, type WechatParseExpect } from './wechat'
export { parseAdyenSettlement, writeAdyenSettlement, ADYEN_COLUMNS, type AdyenWriteMeta } from './adyen'

/** Which provider format a file is, from its first bytes. Throws StatementError('unknown_format') otherwise. */
export function detectStatementFormat(bytes: Uint8Array): StatementFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05)) return 'alipay_bill_zip'
  let start = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3
  // The first line, decoded leniently: enough to recognize the header.
  let end = bytes.indexOf(0x0a, start)
  if (end === -1) end = bytes.length
  const first = new TextDecoder('utf-8').decode(bytes.subarray(start, Math.min(end, start + 4096))).replace(/\r$/, '')
  if (first.startsWith('交易时间,') && first.includes('微信订单号')) return 'wechat_trade_bill'
  if (/^"?Company Account"?,/.test(first) || (first.includes('Psp Reference') && first.includes('Batch Number'))) return 'adyen_settlement_detail'
  if (first.startsWith('#支付宝')) {
    throw new StatementError('unknown_format', 'This is one CSV file taken out of an Alipay bill: upload the whole .zip file Alipay gives you.', 1)
  }
  throw new StatementError('unknown_format', 'This file is not an Alipay bill (.zip), a WeChat Pay trade bill or an Adyen settlement details report.', 1)
}

/** Parse a statement file of any supported format. `expect` is passed to the WeChat parser (a bill without rows needs its day). */
export function parseStatementFile(bytes: Uint8Array, expect: WechatParseExpect = {}): Statement {
  const format = detectStatementFormat(bytes)
  const s = format === 'alipay_bill_zip' ? parseAlipayBill(bytes) : format === 'wechat_trade_bill' ? parseWechatBill(bytes, expect) : parseAdyenSettlement(bytes)
  if (expect.merchantId !== undefined && s.merchantId !== expect.merchantId) {
    throw new StatementError('other_merchant', `This statement is for merchant account ${s.merchantId}, not ${expect.merchantId}.`)
  }
  return s
}

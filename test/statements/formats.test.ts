import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import {
  detectStatementFormat,
  parseAdyenSettlement,
  parseAlipayBill,
  parseStatementFile,
  parseWechatBill,
  StatementError,
  StatementSchema,
  writeAdyenSettlement,
  writeAlipayBill,
  writeWechatBill,
  type Statement,
  type StatementErrorReason,
  type StatementRow,
} from '../../src/shared/statements/index'
import { parseAmount } from '../../src/shared/statements/common'

const dir = fileURLToPath(new URL('../fixtures/statements/', import.meta.url))
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name))

const ALIPAY = 'alipay-2088102177890156_20261122.csv.zip'
const WECHAT_BOM_CRLF = 'wechat-1900000109-20261122.csv'
const WECHAT_LF = 'wechat-1900000109-20261123-lf.csv'
const ADYEN = 'adyen-settlement_detail_report_batch_42.csv'

type RowIn = Omit<StatementRow, 'net' | 'currency' | 'batch' | 'payoutDate'> & Partial<Pick<StatementRow, 'batch' | 'payoutDate'>>
const rowsOf = (currency: string, rows: RowIn[]): StatementRow[] =>
  rows.map((r) => ({ ...r, net: r.gross - r.fee, currency, batch: r.batch ?? null, payoutDate: r.payoutDate ?? null }))

function refused(f: () => unknown): StatementError {
  try {
    f()
  } catch (e) {
    if (e instanceof StatementError) return e
    throw e
  }
  throw new Error('the file was accepted')
}

describe('Alipay daily bill (GBK ZIP)', () => {
  const expected: Statement = {
    provider: 'alipay',
    format: 'alipay_bill_zip',
    merchantId: '2088102177890156',
    date: '2026-11-22',
    currency: 'CNY',
    rows: rowsOf('CNY', [
      // 00:00:05 Beijing time is still the previous day in UTC; the provider's day is the local one.
      { line: 6, type: 'payment', providerRef: '2026112222001458860515315453', merchantRef: 'DBK-T-01JA001', refundRef: null, gross: 1800, fee: 11, providerTime: '2026-11-21T16:00:05.000Z', providerDate: '2026-11-22' },
      { line: 7, type: 'payment', providerRef: '2026112222001458860515315454', merchantRef: 'DBK-T-01JA002', refundRef: null, gross: 6600, fee: 40, providerTime: '2026-11-22T04:05:41.000Z', providerDate: '2026-11-22' },
      // A partial refund: same 交易号 and 商户订单号 as its payment, 退款批次号 = our refund id, part of the fee given back.
      { line: 8, type: 'refund', providerRef: '2026112222001458860515315454', merchantRef: 'DBK-T-01JA002', refundRef: 'DBK-R-01JA101', gross: -2000, fee: -12, providerTime: '2026-11-22T06:00:05.000Z', providerDate: '2026-11-22' },
      { line: 9, type: 'payment', providerRef: '2026112222001458860515315455', merchantRef: 'DBK-T-01JA003', refundRef: null, gross: 2300, fee: 14, providerTime: '2026-11-22T09:20:01.000Z', providerDate: '2026-11-22' },
      // A full refund whose fee is not given back (服务费 0.00).
      { line: 10, type: 'refund', providerRef: '2026112222001458860515315453', merchantRef: 'DBK-T-01JA001', refundRef: 'DBK-R-01JA102', gross: -1800, fee: 0, providerTime: '2026-11-22T13:10:00.000Z', providerDate: '2026-11-22' },
    ]),
    totals: { payments: { count: 3, gross: 10700, fee: 65 }, refunds: { count: 2, gross: -3800, fee: -12 }, net: 6847 },
  }

  it('parses the portal ZIP to the exact normalized rows', () => {
    const s = parseAlipayBill(fixture(ALIPAY))
    expect(s).toEqual(expected)
    expect(StatementSchema.parse(s)).toEqual(s)
    expect(parseStatementFile(fixture(ALIPAY))).toEqual(expected)
  })

  it('the fixture is what the portal gives: GBK names without the UTF-8 flag, CRLF, trailing tabs', () => {
    const zip = fixture(ALIPAY)
    // The first local header: general purpose flags at offset 6, bit 11 = UTF-8 names.
    expect(zip[6]! & 0x08 ? 1 : 0).toBe(0)
    const names = Object.keys(unzipSync(zip))
    expect(names.map((n) => new TextDecoder('gbk').decode(Uint8Array.from(n, (c) => c.charCodeAt(0))))).toEqual([
      '2088102177890156_20261122_业务明细.csv',
      '2088102177890156_20261122_业务明细(汇总).csv',
    ])
    const detail = new TextDecoder('gbk').decode(Object.values(unzipSync(zip))[0]!)
    expect(detail.split('\r\n')[5]).toMatch(/^2026112222001458860515315453\t,DBK-T-01JA001\t,交易\t,美式咖啡,/)
  })

  it('writes the same bill back: the summary byte for byte, the detail line for line', () => {
    const s = parseAlipayBill(fixture(ALIPAY))
    const subjects: Record<number, string> = { 6: '美式咖啡', 7: '蛋糕套餐', 8: '蛋糕套餐', 9: '牛角包×2', 10: '美式咖啡' }
    const out = writeAlipayBill(s, { exportedAt: new Date('2026-11-22T21:46:49Z'), subject: (r) => subjects[r.line]!, timeZone: 'Asia/Shanghai' })
    expect(parseAlipayBill(out)).toEqual(s)
    const [wDetail, wSummary] = Object.values(unzipSync(out))
    const [fDetail, fSummary] = Object.values(unzipSync(fixture(ALIPAY)))
    expect(wSummary).toEqual(fSummary)
    const w = new TextDecoder('gbk').decode(wDetail).split('\r\n')
    const f = new TextDecoder('gbk').decode(fDetail).split('\r\n')
    expect(w.length).toBe(f.length)
    // Header and trailer lines are identical; data lines differ only in what a statement does not keep
    // (对方账户, 备注, 创建时间: the writer repeats 完成时间).
    for (const i of [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]) expect(w[i]).toBe(f[i])
    expect(w[6]).toBe(f[6]!.replace('*华(139****5678)', '').replace(/POS收银$/, '').replace('12:05:40', '12:05:41'))
  })

  it('refuses a bill in another time zone than Beijing time, and text GBK cannot hold', () => {
    const s = parseAlipayBill(fixture(ALIPAY))
    expect(() => writeAlipayBill(s, { exportedAt: new Date(), timeZone: 'Europe/Paris' })).toThrow(RangeError)
    expect(() => writeAlipayBill(s, { exportedAt: new Date(), subject: () => '咖啡😀' })).toThrow(/GBK/)
  })

  const bad: [string, StatementErrorReason, number | null][] = [
    ['alipay-not-a-zip.zip', 'bad_zip', null],
    ['alipay-cut-zip.zip', 'bad_zip', null],
    ['alipay-no-detail.zip', 'bad_zip', null],
    ['alipay-no-summary.zip', 'bad_zip', null],
    ['alipay-utf8.zip', 'encoding', 1],
    ['alipay-bad-gbk.zip', 'encoding', 8],
    ['alipay-renamed-column.zip', 'missing_column', 5],
    ['alipay-bad-amount.zip', 'bad_amount', 7],
    ['alipay-three-decimals.zip', 'bad_amount', 7],
    ['alipay-wrong-cells.zip', 'bad_row', 9],
    ['alipay-unknown-type.zip', 'bad_row', 9],
    ['alipay-cut-before-trailer.zip', 'truncated', 9],
    ['alipay-no-totals.zip', 'truncated', 11],
    ['alipay-summary-cut.zip', 'truncated', 6],
    ['alipay-totals.zip', 'totals', 12],
    ['alipay-refund-totals.zip', 'totals', 13],
    ['alipay-summary-totals.zip', 'totals', 6],
    ['alipay-duplicate.zip', 'duplicate_row', 10],
    ['alipay-summary-other-account.zip', 'other_merchant', 2],
  ]
  it.each(bad)('refuses %s as a whole: %s at line %s', (file, reason, line) => {
    const e = refused(() => parseAlipayBill(fixture(`bad/${file}`)))
    expect(e.reason).toBe(reason)
    expect(e.line).toBe(line)
    expect(e.message.length).toBeGreaterThan(20)
  })
})

describe('WeChat Pay trade bill', () => {
  const expected: Statement = {
    provider: 'wechat',
    format: 'wechat_trade_bill',
    merchantId: '1900000109',
    date: '2026-11-22',
    currency: 'CNY',
    rows: rowsOf('CNY', [
      { line: 2, type: 'payment', providerRef: '4200002345202611220123456789', merchantRef: 'DBK-T-01JW001', refundRef: null, gross: 2580, fee: 15, providerTime: '2026-11-22T01:15:02.000Z', providerDate: '2026-11-22' },
      { line: 3, type: 'payment', providerRef: '4200002345202611220123456790', merchantRef: 'DBK-T-01JW002', refundRef: null, gross: 12800, fee: 77, providerTime: '2026-11-22T02:03:44.000Z', providerDate: '2026-11-22' },
      { line: 4, type: 'payment', providerRef: '4200002345202611220123456791', merchantRef: 'DBK-T-01JW003', refundRef: null, gross: 990, fee: 6, providerTime: '2026-11-22T04:30:10.000Z', providerDate: '2026-11-22' },
      // REFUND rows: 应结订单金额 0.00, 退款金额 the refund, the fee given back negative (-0.30000).
      { line: 5, type: 'refund', providerRef: '4200002345202611220123456790', merchantRef: 'DBK-T-01JW002', refundRef: 'DBK-R-01JW101', gross: -5000, fee: -30, providerTime: '2026-11-22T07:20:00.000Z', providerDate: '2026-11-22' },
      { line: 6, type: 'refund', providerRef: '4200002345202611220123456791', merchantRef: 'DBK-T-01JW003', refundRef: 'DBK-R-01JW102', gross: -990, fee: -6, providerTime: '2026-11-22T10:45:31.000Z', providerDate: '2026-11-22' },
    ]),
    totals: { payments: { count: 3, gross: 16370, fee: 98 }, refunds: { count: 2, gross: -5990, fee: -36 }, net: 10318 },
  }

  it('parses a bill with BOM and CRLF to the exact normalized rows', () => {
    const bytes = fixture(WECHAT_BOM_CRLF)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(new TextDecoder().decode(bytes)).toContain('\r\n`2026-11-22 09:15:02,`')
    expect(parseWechatBill(bytes)).toEqual(expected)
    expect(parseStatementFile(bytes)).toEqual(expected)
  })

  it('parses a bill without BOM, with LF, across the Beijing midnight', () => {
    const s = parseWechatBill(fixture(WECHAT_LF))
    expect(s).toEqual({
      provider: 'wechat',
      format: 'wechat_trade_bill',
      merchantId: '1900000109',
      date: '2026-11-23',
      currency: 'CNY',
      rows: rowsOf('CNY', [
        { line: 2, type: 'payment', providerRef: '4200002345202611230000000001', merchantRef: 'DBK-T-01JX001', refundRef: null, gross: 128800, fee: 773, providerTime: '2026-11-22T16:00:07.000Z', providerDate: '2026-11-23' },
        { line: 3, type: 'payment', providerRef: '4200002345202611230000000002', merchantRef: 'DBK-T-01JX002', refundRef: null, gross: 1, fee: 0, providerTime: '2026-11-23T15:59:59.000Z', providerDate: '2026-11-23' },
      ]),
      totals: { payments: { count: 2, gross: 128801, fee: 773 }, refunds: { count: 0, gross: 0, fee: 0 }, net: 128028 },
    })
  })

  it('writes the same bill back: header and trailer byte for byte, BOM and CRLF or LF as asked', () => {
    const s = parseWechatBill(fixture(WECHAT_BOM_CRLF))
    const out = writeWechatBill(s, { appId: 'wx2421b1c4370ec43b' })
    expect(parseWechatBill(out)).toEqual(s)
    const w = new TextDecoder('utf-8', { ignoreBOM: true }).decode(out).split('\r\n')
    const f = new TextDecoder('utf-8', { ignoreBOM: true }).decode(fixture(WECHAT_BOM_CRLF)).split('\r\n')
    expect(w.length).toBe(f.length)
    for (const i of [0, 6, 7, 8]) expect(w[i]).toBe(f[i])
    const lf = writeWechatBill(parseWechatBill(fixture(WECHAT_LF)), { appId: 'wx2421b1c4370ec43b', bom: false, eol: '\n' })
    expect([...lf.subarray(0, 3)]).toEqual([...new TextEncoder().encode('交')])
    expect(new TextDecoder().decode(lf)).not.toContain('\r')
    expect(parseWechatBill(lf)).toEqual(parseWechatBill(fixture(WECHAT_LF)))
  })

  it('an empty bill needs its day from the caller', () => {
    const empty = writeWechatBill(
      { provider: 'wechat', format: 'wechat_trade_bill', merchantId: '1900000109', date: '2026-11-24', currency: 'CNY', rows: [], totals: { payments: { count: 0, gross: 0, fee: 0 }, refunds: { count: 0, gross: 0, fee: 0 }, net: 0 } },
      { appId: 'wx2421b1c4370ec43b' },
    )
    expect(new TextDecoder().decode(empty)).toMatch(/总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n$/)
    expect(refused(() => parseWechatBill(empty)).reason).toBe('bad_row')
    expect(parseWechatBill(empty, { date: '2026-11-24', merchantId: '1900000109' })).toMatchObject({ date: '2026-11-24', merchantId: '1900000109', rows: [] })
  })

  it('refuses a bill for another merchant than expected', () => {
    const e = refused(() => parseWechatBill(fixture(WECHAT_BOM_CRLF), { merchantId: '1900000999' }))
    expect([e.reason, e.line]).toEqual(['other_merchant', 2])
  })

  const bad: [string, StatementErrorReason, number | null][] = [
    ['wechat-not-utf8.csv', 'encoding', 3],
    ['wechat-renamed-column.csv', 'missing_column', 1],
    ['wechat-bad-amount.csv', 'bad_amount', 3],
    ['wechat-sub-fen-fee.csv', 'bad_amount', 4],
    ['wechat-wrong-cells.csv', 'bad_row', 4],
    ['wechat-no-trailer.csv', 'truncated', 6],
    ['wechat-no-totals-line.csv', 'truncated', 7],
    ['wechat-totals.csv', 'totals', 8],
    ['wechat-count.csv', 'totals', 8],
    ['wechat-duplicate.csv', 'duplicate_row', 3],
    ['wechat-other-merchant.csv', 'other_merchant', 4],
    ['wechat-currency.csv', 'currency', 4],
  ]
  it.each(bad)('refuses %s as a whole: %s at line %s', (file, reason, line) => {
    const e = refused(() => parseWechatBill(fixture(`bad/${file}`)))
    expect(e.reason).toBe(reason)
    expect(e.line).toBe(line)
  })
})

describe('Adyen Settlement details report', () => {
  const batch = { batch: '42', payoutDate: '2026-11-22' }
  const expected: Statement = {
    provider: 'card',
    format: 'adyen_settlement_detail',
    merchantId: 'DaybookShopNL',
    date: '2026-11-22',
    currency: 'EUR',
    rows: rowsOf('EUR', [
      // Creation Date is CET (UTC+1 in November).
      { line: 2, type: 'payment', providerRef: '8815930842671234', merchantRef: 'DBK-T-01JC001', refundRef: null, gross: 2450, fee: 40, providerTime: '2026-11-20T09:15:30.000Z', providerDate: '2026-11-20', ...batch },
      { line: 3, type: 'payment', providerRef: '8815930842671235', merchantRef: 'DBK-T-01JC002', refundRef: null, gross: 11800, fee: 130, providerTime: '2026-11-20T13:02:11.000Z', providerDate: '2026-11-20', ...batch },
      { line: 4, type: 'payment', providerRef: '8815930842671236', merchantRef: 'DBK-T-01JC003', refundRef: null, gross: 820, fee: 15, providerTime: '2026-11-21T08:45:00.000Z', providerDate: '2026-11-21', ...batch },
      { line: 5, type: 'refund', providerRef: '8815930842671235', merchantRef: 'DBK-T-01JC002', refundRef: 'DBK-R-01JC101', gross: -1800, fee: 0, providerTime: '2026-11-21T15:30:00.000Z', providerDate: '2026-11-21', ...batch },
      { line: 6, type: 'fee', providerRef: '', merchantRef: null, refundRef: null, gross: 0, fee: 12, providerTime: '2026-11-22T01:00:00.000Z', providerDate: '2026-11-22', ...batch },
      { line: 7, type: 'payout', providerRef: '', merchantRef: null, refundRef: null, gross: -13073, fee: 0, providerTime: '2026-11-22T01:00:00.000Z', providerDate: '2026-11-22', ...batch },
    ]),
    totals: { payments: { count: 3, gross: 15070, fee: 185 }, refunds: { count: 1, gross: -1800, fee: 0 }, net: 0 },
  }

  it('parses the report to the exact normalized rows; the batch foots to its payout', () => {
    expect(parseAdyenSettlement(fixture(ADYEN))).toEqual(expected)
    expect(parseStatementFile(fixture(ADYEN))).toEqual(expected)
  })

  it('writes the same report back, header byte for byte', () => {
    const s = parseAdyenSettlement(fixture(ADYEN))
    const out = writeAdyenSettlement(s, { companyAccount: 'DaybookBV', timeZone: 'Europe/Amsterdam' })
    expect(parseAdyenSettlement(out)).toEqual(s)
    const w = new TextDecoder().decode(out).split('\n')
    const f = new TextDecoder().decode(fixture(ADYEN)).split('\n')
    expect(w[0]).toBe(f[0])
    expect(w[6]).toBe('DaybookBV,DaybookShopNL,,,,2026-11-22 02:00:00,CET,MerchantPayout,,EUR,,,,EUR,130.73,,,,,,,,42,,,,,,,')
  })

  it('a day without a batch: a lone zero payout without a batch number round-trips', () => {
    const payout: StatementRow = { line: 2, type: 'payout', providerRef: '', merchantRef: null, refundRef: null, gross: 0, fee: 0, net: 0, currency: 'EUR', providerTime: '2026-11-23T12:00:00.000Z', providerDate: '2026-11-23', batch: null, payoutDate: '2026-11-23' }
    const s: Statement = { provider: 'card', format: 'adyen_settlement_detail', merchantId: 'DaybookShopNL', date: '2026-11-23', currency: 'EUR', rows: [payout], totals: { payments: { count: 0, gross: 0, fee: 0 }, refunds: { count: 0, gross: 0, fee: 0 }, net: 0 } }
    expect(parseAdyenSettlement(writeAdyenSettlement(s, { companyAccount: 'DaybookBV', timeZone: 'Asia/Kolkata' }))).toEqual(s)
  })

  const bad: [string, StatementErrorReason, number | null][] = [
    ['adyen-missing-column.csv', 'missing_column', 1],
    ['adyen-bad-amount.csv', 'bad_amount', 4],
    ['adyen-wrong-cells.csv', 'bad_row', 4],
    ['adyen-chargeback.csv', 'bad_row', 5],
    ['adyen-payout-mismatch.csv', 'totals', 7],
    ['adyen-duplicate.csv', 'duplicate_row', 5],
    ['adyen-other-merchant.csv', 'other_merchant', 4],
    ['adyen-two-currencies.csv', 'currency', 3],
  ]
  it.each(bad)('refuses %s as a whole: %s at line %s', (file, reason, line) => {
    const e = refused(() => parseAdyenSettlement(fixture(`bad/${file}`)))
    expect(e.reason).toBe(reason)
    expect(e.line).toBe(line)
  })
})

describe('format detection', () => {
  it('tells the formats apart by their first bytes', () => {
    expect(detectStatementFormat(fixture(ALIPAY))).toBe('alipay_bill_zip')
    expect(detectStatementFormat(fixture(WECHAT_BOM_CRLF))).toBe('wechat_trade_bill')
    expect(detectStatementFormat(fixture(WECHAT_LF))).toBe('wechat_trade_bill')
    expect(detectStatementFormat(fixture(ADYEN))).toBe('adyen_settlement_detail')
  })
  it('refuses anything else as unknown_format', () => {
    for (const text of ['', 'hello,world\n1,2\n', '%PDF-1.7\n', '#支付宝业务明细查询\r\n']) {
      expect(refused(() => parseStatementFile(new TextEncoder().encode(text))).reason).toBe('unknown_format')
    }
    expect(refused(() => parseStatementFile(fixture(ADYEN), { merchantId: 'SomeoneElse' })).reason).toBe('other_merchant')
  })
})

describe('exact amounts', () => {
  it('reads decimal text into minor units without a float', () => {
    expect(parseAmount('0.27000', 'CNY', 1, 'fee', 3)).toBe(27)
    expect(parseAmount('-0.27000', 'CNY', 1, 'fee', 3)).toBe(-27)
    expect(parseAmount('-0.00', 'CNY', 1, 'x')).toBe(0)
    expect(Object.is(parseAmount('-0.00', 'CNY', 1, 'x'), -0)).toBe(false)
    expect(parseAmount('999999999999.99', 'CNY', 1, 'x')).toBe(99999999999999)
    expect(parseAmount('0.1', 'CNY', 1, 'x')).toBe(10)
    expect(parseAmount('1234', 'JPY', 1, 'x')).toBe(1234)
    expect(parseAmount('1.234', 'KWD', 1, 'x')).toBe(1234)
    // 0.29 × 100 is 28.999999999999996 in floating point: the digits are placed, never multiplied.
    expect(parseAmount('0.29', 'CNY', 1, 'x')).toBe(29)
    for (const bad of ['1e5', '1,000.00', '.5', '1.', ' 1', '+1', '12.5O', '0.001', '1000000000000.01', '']) {
      expect(refused(() => parseAmount(bad, 'CNY', 3, 'x'))).toMatchObject({ reason: 'bad_amount', line: 3 })
    }
    expect(refused(() => parseAmount('0.05940', 'CNY', 4, 'fee', 3))).toMatchObject({ reason: 'bad_amount', line: 4 })
  })
})

import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { afterAll, describe, expect, it } from 'vitest'
import { formatMoney, minorToDecimalString, parseMajor } from '../../src/shared/money'
import { ReviewDaySchema, ReviewMatchSchema } from '../../src/shared/review-contract'
import { OrderSchema } from '../../src/shared/contract'
import { ordersCsv, reconciliationCsv, safeText, tendersCsv } from '../../src/main/core/review/export/csv'
import { dayReportPdf, zReportPdf } from '../../src/main/core/review/export/pdf'
import { CJK_FONT_FILE, cjkFontCandidates, cjkFontPath } from '../../src/main/core/review/export/font'
import { CLOSURE, DATE, FIGURES, FORMULA_NAME, HASH, LAST_HASH, NASTY_NAME, REFUND_REASON, STORE, dayOrders, matches, reviewDay } from './fixtures/review-day'

const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

function parse(bytes: Uint8Array): { text: string; header: string[]; rows: Record<string, string>[] } {
  const text = decoder.decode(bytes)
  const body = text.slice(1)
  const out = Papa.parse<Record<string, string>>(body, { header: true, newline: '\r\n', skipEmptyLines: true })
  expect(out.errors).toEqual([])
  return { text, header: out.meta.fields ?? [], rows: out.data }
}

/** Σ of a money column, back in minor units through the exact parser (no float). */
function sumColumn(rows: Record<string, string>[], col: string): number {
  return rows.reduce((a, r) => {
    const v = parseMajor(r[col]!, 'CNY')
    expect(v, `${col}: ${r[col]}`).not.toBeNull()
    return a + v!
  }, 0)
}

describe('fixtures', () => {
  it('are valid contract objects', () => {
    for (const o of dayOrders()) OrderSchema.parse(o)
    ReviewDaySchema.parse(reviewDay())
    for (const m of matches()) ReviewMatchSchema.parse(m)
  })
})

describe('CSV exports', () => {
  const orders = dayOrders()

  it('are UTF-8 with a BOM and CRLF line ends', () => {
    for (const bytes of [ordersCsv(orders, 'zh-CN'), tendersCsv(orders, 'en'), reconciliationCsv(matches(), 'zh-CN', 'CNY')]) {
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const text = decoder.decode(bytes)
      expect(text.endsWith('\r\n')).toBe(true)
      // Every LF outside a quoted cell is part of a CRLF: strip quoted cells, then look for a lone LF.
      const outside = text.replace(/"(?:[^"]|"")*"/g, '')
      expect(outside).not.toMatch(/[^\r]\n/)
    }
  })

  it('orders: header in Chinese, one row per order, every figure exact', () => {
    const { header, rows } = parse(ordersCsv(orders, 'zh-CN'))
    expect(header).toEqual([
      '小票号', '营业日', '时间', '收银员', '批准人', '行数', '商品', '小计', '单品折扣', '整单折扣',
      '税 VAT 13%', '税 VAT 9%', '税额合计', '合计', '现金抹零', '已收', '找零', '支付方式', '已退款',
    ])
    expect(rows).toHaveLength(orders.length)
    orders.forEach((o, i) => {
      const r = rows[i]!
      expect(r['小票号']).toBe(o.receiptNo)
      expect(r['合计']).toBe(minorToDecimalString(o.total, 'CNY'))
      expect(r['已收']).toBe(minorToDecimalString(o.paid, 'CNY'))
      expect(r['现金抹零']).toBe(minorToDecimalString(o.cashRounding, 'CNY'))
      expect(r['税额合计']).toBe(minorToDecimalString(o.taxTotal, 'CNY'))
    })
    expect(rows[0]!['合计']).toBe('40.40')
    expect(rows[0]!['找零']).toBe('9.60')
    expect(rows[0]!['税 VAT 13%']).toBe('1.82')
    expect(rows[0]!['税 VAT 9%']).toBe('2.03')
    expect(rows[4]!['现金抹零']).toBe('-0.07')
    expect(rows[2]!['已退款']).toBe('88.00')
    expect(rows[3]!['单品折扣']).toBe('10.00')
    expect(rows[3]!['支付方式']).toBe('银行卡')
    // The day's tax per rate sums down its column, to the Z's collected figures.
    expect(sumColumn(rows, '税 VAT 13%')).toBe(FIGURES.taxes[0]!.collected)
    expect(sumColumn(rows, '税 VAT 9%')).toBe(FIGURES.taxes[1]!.collected)
    // Σ totals − discounts-free gross check: totals + line discounts = the day's gross sales.
    expect(sumColumn(rows, '合计') + sumColumn(rows, '单品折扣')).toBe(FIGURES.grossSales)
    expect(rows[0]!['商品']).toBe('红烧牛肉面 ×1 = 15.80\n鲜牛奶 1L ×2 = 24.60')
  })

  it('orders: English header and English product names', () => {
    const { header, rows } = parse(ordersCsv(orders, 'en'))
    expect(header.slice(0, 7)).toEqual(['Receipt no.', 'Business day', 'Time', 'Cashier', 'Approved by', 'Lines', 'Items'])
    expect(header).toContain('Tax VAT 13%')
    expect(rows[0]!.Items).toBe('Braised beef noodles ×1 = 15.80\nFresh milk 1L ×2 = 24.60')
    expect(rows[1]!['Payment methods']).toBe('Alipay')
    expect(rows[0]!.Total).toBe('40.40')
  })

  it('quotes commas, quotes and line breaks in names, and they parse back exactly', () => {
    const bytes = ordersCsv(orders, 'zh-CN')
    const text = decoder.decode(bytes)
    // The raw text has the name inside one quoted cell, its quotes doubled.
    expect(text).toContain('苹果, ""红富士""\n特价')
    const { rows } = parse(bytes)
    expect(rows[1]!['商品']).toBe(`'${FORMULA_NAME} ×1 = 5.00\n${NASTY_NAME} ×1.5 kg = 14.97`)
    expect(rows[1]!['收银员']).toBe(`'+Sam "Chen", 陈`)
  })

  it('neutralizes formula injection in text cells, never in amounts', () => {
    expect(safeText('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(safeText('+86 138')).toBe("'+86 138")
    expect(safeText('-2+3+cmd')).toBe("'-2+3+cmd")
    expect(safeText('@SUM(1)')).toBe("'@SUM(1)")
    expect(safeText('\t=1')).toBe("'\t=1")
    expect(safeText('王小明')).toBe('王小明')
    expect(safeText(null)).toBe('')

    const { rows } = parse(tendersCsv(orders, 'zh-CN'))
    const refund = rows.find((r) => r['类型'] === '退款')!
    expect(refund['金额']).toBe('-88.00') // a number, no apostrophe
    expect(refund['原因']).toBe(`'${REFUND_REASON}`)
    expect(refund['批准人']).toBe('张经理')
    expect(refund['状态']).toBe('成功')

    const rec = parse(reconciliationCsv(matches(), 'zh-CN', 'CNY')).rows
    expect(rec[1]!['渠道单号']).toBe("'-2+3+cmd|/C calc!A0")
    expect(rec[1]!['处理说明']).toBe(`'=1+1 次日退款，已核实, "OK"`)
    expect(rec[1]!['交易额']).toBe('-10.00')
    expect(rec[1]!['手续费']).toBe('-0.06')
    // No cell that is not an amount starts with a formula character unless it carries the apostrophe.
    for (const r of rec) for (const v of Object.values(r)) if (/^[=+@\t\r]/.test(v) || (/^-/.test(v) && !/^-\d+(\.\d+)?$/.test(v))) throw new Error(`unsafe cell ${v}`)
  })

  it('tenders: every tender and refund, signed, summing to the net taken per method', () => {
    const { header, rows } = parse(tendersCsv(orders, 'en'))
    expect(header).toEqual(['Receipt no.', 'Business day', 'Time', 'Type', 'Method', 'Flow', 'Amount', 'Tendered', 'Change', 'Provider ref', 'Card', 'State', 'Cashier', 'Approved by', 'Reason'])
    expect(rows).toHaveLength(6)
    for (const t of FIGURES.tenders) {
      const label = { cash: 'Cash', alipay: 'Alipay', wechat: 'WeChat Pay', card: 'Card' }[t.method]
      expect(sumColumn(rows.filter((r) => r.Method === label), 'Amount'), t.method).toBe(t.net)
    }
    expect(sumColumn(rows, 'Amount')).toBe(FIGURES.tenders.reduce((a, t) => a + t.net, 0))
    const card = rows.find((r) => r.Method === 'Card')!
    expect(card.Card).toBe('UnionPay 6222 **** **** 1234')
    expect(card.Flow).toBe('Card terminal')
    const cash = rows.find((r) => r['Receipt no.'] === 'A01-000001')!
    expect([cash.Amount, cash.Tendered, cash.Change]).toEqual(['40.40', '50.00', '9.60'])
  })

  it('reconciliation: classes, statement and till sides, resolution; both languages; the exponent of the currency', () => {
    const zh = parse(reconciliationCsv(matches(), 'zh-CN', 'CNY')).rows
    expect(zh.map((r) => r['对账结果'])).toEqual(['已勾对', '渠道有我方无', '金额不符'])
    expect(zh[0]!['渠道']).toBe('支付宝')
    expect(zh[2]!['交易额']).toBe('131.50')
    expect(zh[2]!['收银台金额']).toBe('128.50')
    expect(zh[1]!['处理']).toBe('已说明')
    expect(zh[1]!['处理人']).toBe('张经理')
    expect(zh[1]!['收银台记录']).toBe('')
    const en = parse(reconciliationCsv(matches(), 'en', 'CNY'))
    expect(en.header.slice(0, 3)).toEqual(['Result', 'Provider', 'Bill line'])
    expect(en.rows[2]!.Result).toBe('Amount differs')
    expect(en.rows[0]!['Till state']).toBe('succeeded')
    // A yen store: no decimals. A dinar store: three.
    expect(parse(reconciliationCsv(matches(), 'en', 'JPY')).rows[2]!.Gross).toBe('13150')
    expect(parse(reconciliationCsv(matches(), 'en', 'KWD')).rows[2]!.Gross).toBe('13.150')
    expect(() => reconciliationCsv(matches(), 'en', 'XXX')).toThrow(/unknown currency/)
  })
})

// ---- PDF -----------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'daybook-export-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The PDF's text as a reader gets it: Debian's poppler-utils pdftotext (CI installs it). */
function pdfText(bytes: Uint8Array, name: string): string {
  const file = join(work, `${name}.pdf`)
  writeFileSync(file, bytes)
  const r = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
  if (r.error) throw new Error(`pdftotext is needed for these tests (apt-get install -y poppler-utils): ${r.error.message}`)
  expect(r.status, r.stderr).toBe(0)
  return r.stdout
}

function pdfInfo(bytes: Uint8Array, name: string): string {
  const file = join(work, `${name}-info.pdf`)
  writeFileSync(file, bytes)
  const r = spawnSync('pdffonts', [file], { encoding: 'utf8' })
  if (r.error) throw new Error(`pdffonts is needed (poppler-utils): ${r.error.message}`)
  return r.stdout
}

const TZ = { timeZone: 'Asia/Shanghai' }
/** pdftotext's layout drops or adds spaces between CJK and Latin: compare without white space. */
function expectText(text: string, wanted: string[]): void {
  const flat = text.replace(/\s+/g, '')
  for (const s of wanted) expect(flat, s).toContain(s.replace(/\s+/g, ''))
}
const zh = (m: number) => formatMoney(m, 'CNY', 'zh-CN')
const en = (m: number) => formatMoney(m, 'CNY', 'en')

describe('PDF exports', () => {
  it('the font is found: from the npm package in a dev tree, from <resources>/fonts in the packaged app', () => {
    const dev = cjkFontPath({})
    expect(dev).toMatch(/@embedpdf[\\/]fonts-sc[\\/]fonts[\\/]NotoSansHans-Regular\.otf$/)
    // The packaged app: electron-builder copies the font to <resources>/resources/fonts, and the main
    // process sets DAYBOOK_RESOURCES for the core host.
    const resources = join(work, 'packaged', 'resources')
    mkdirSync(join(resources, 'fonts'), { recursive: true })
    copyFileSync(dev, join(resources, 'fonts', CJK_FONT_FILE))
    expect(cjkFontPath({ DAYBOOK_RESOURCES: resources })).toBe(join(resources, 'fonts', CJK_FONT_FILE))
    expect(cjkFontPath({ DAYBOOK_CJK_FONT: dev, DAYBOOK_RESOURCES: resources })).toBe(dev)
    expect(cjkFontCandidates({ DAYBOOK_RESOURCES: '/nowhere' })[0]).toBe(join('/nowhere', 'fonts', CJK_FONT_FILE))
  })

  it('day report (zh-CN): a small PDF with an embedded, subset CJK font and every figure as text', async () => {
    const bytes = await dayReportPdf(reviewDay(), 'zh-CN', TZ)
    expect(Buffer.from(bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-')
    expect(bytes.length).toBeLessThan(1_000_000)
    expect(bytes.length).toBeLessThan(250_000)
    const fonts = pdfInfo(bytes, 'day-zh')
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSansHans-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/)

    const text = pdfText(bytes, 'day-zh')
    expectText(text, [
      '营业日报表',
      STORE,
      '收银台',
      'A01',
      '已日结（第 42 号）',
      '销售总额',
      zh(FIGURES.grossSales), // ¥310.34
      zh(-FIGURES.discounts), // -¥10.00
      zh(-FIGURES.refunds),
      zh(FIGURES.rounding), // -¥0.07
      zh(FIGURES.net), // ¥212.27
      '现金', '支付宝', '微信支付', '银行卡',
      zh(6380), zh(1997), zh(12850),
      'vat13 13%', 'vat9 9%', zh(2672), zh(1660), zh(562),
      '长短款', zh(-500),
      '手续费与预计到账', zh(12), zh(1985), zh(77), zh(12773), '日期未知',
      '王小明', '李娜', '张经理', '短款 ¥5.00', '无差额', '找零找错',
      '序号 988 · 退款',
      '对账', '已勾对', '渠道有我方无', '金额不符', '待处理（挂账）', zh(300),
      '日结编号', '42', '1001–1088', LAST_HASH, HASH,
      '本期合计', zh(21227), '上期累计总额', zh(12345678), '累计总额', zh(12366905),
      '第 1 页 / 共 3 页',
    ])
    expect(zh(12366905)).toBe('¥123,669.05')
  })

  it('day report (en): English labels, Chinese names kept', async () => {
    const text = pdfText(await dayReportPdf(reviewDay(), 'en', TZ), 'day-en')
    expectText(text, [
      'Day report',
      STORE,
      'Closed (Z no. 42)',
      'Gross sales', en(FIGURES.grossSales),
      'Net', en(FIGURES.net),
      'By payment method', 'Cash', 'Alipay', 'WeChat Pay', 'Card',
      'Taxes', 'vat13 13%',
      'Fees and expected payouts', 'date not given',
      'Shifts (cash over / short)', '王小明', '张经理', `Short ${en(500)}`,
      'Reconciliation', 'Matched', 'Missing at the till', 'Still open (suspense)',
      'Grand total', en(12366905),
      'Page 1 of 3',
    ])
    expect(en(12366905)).toBe('CN¥123,669.05')
  })

  it('day report of an open day: no Z, not reconciled', async () => {
    const day = reviewDay({ state: 'open', closure: null, reconciliation: null, fees: [] })
    const text = pdfText(await dayReportPdf(day, 'zh-CN', TZ), 'open-zh')
    expectText(text, ['营业中（未日结）', '本营业日尚未日结。', '尚未对账。'])
    expect(text).not.toContain(HASH)
  })

  it('Z report: the closure as the Z report shows it; refused without a Z', async () => {
    const bytes = await zReportPdf(reviewDay(), 'zh-CN', TZ)
    expect(Buffer.from(bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-')
    const text = pdfText(bytes, 'z-zh')
    expectText(text, ['Z 报表 · 第 42 号日结', STORE, '起始营业日', '日结人', '张经理', '1001–1088', LAST_HASH, HASH, `日结流水号 1089 · 哈希 ${HASH.slice(0, 12)}`, zh(CLOSURE.grandTotal), zh(CLOSURE.periodTotal), '销售总额', zh(FIGURES.net)])
    const enText = pdfText(await zReportPdf(reviewDay(), 'en', TZ), 'z-en')
    expectText(enText, ['Z REPORT · CLOSURE NO. 42', 'Previous grand total', en(CLOSURE.grandTotal)])
    await expect(zReportPdf(reviewDay({ state: 'open', closure: null }), 'en')).rejects.toThrow(/2026-12-05 has no Z yet/)
  })

  it('a 50,000-order day: the report holds aggregates; long shift and adjustment lists break over pages, fast', async () => {
    const base = reviewDay()
    const shift = base.shifts[0]!
    const big = reviewDay({
      figures: {
        ...FIGURES,
        counts: { ...FIGURES.counts, orders: 50_000, refunds: 612, shiftsOpened: 120, shiftsClosed: 120 },
        grossSales: 987_654_321,
        net: 950_000_000,
        taxes: Array.from({ length: 20 }, (_, i) => ({ taxId: `tax${i}`, rate: String(i + 1), collected: 1_000_000 + i, refunded: 1000, net: 999_000 + i })),
        adjustments: Array.from({ length: 300 }, (_, i) => ({ seq: 500 + i, kind: 'sale', refId: `o${i}`, naturalDate: '2026-12-04', amount: 1000 + i })),
      },
      shifts: Array.from({ length: 120 }, (_, i) => ({ ...shift, shiftId: `sh-${i}`, holder: { id: `s${i}`, name: `收银员${i}号` }, overShort: i % 7 === 0 ? -100 * i : 0 })),
    })
    const runs: number[] = []
    let bytes: Uint8Array = new Uint8Array()
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      bytes = await dayReportPdf(big, 'zh-CN', TZ)
      runs.push(performance.now() - t0)
    }
    const text = pdfText(bytes, 'big')
    const pages = Number(/共\s*(\d+)\s*页/.exec(text)?.[1])
    console.log(`dayReportPdf, 50,000-order day (120 shifts, 300 adjustments, 20 taxes): ${runs.map((r) => r.toFixed(0)).join(' / ')} ms, ${pages} pages, ${bytes.length} bytes`)
    expect(pages).toBeGreaterThan(3)
    expectText(text, [`第 ${pages} 页 / 共 ${pages} 页`, '收银员119号', '序号 799 · 销售', '50000'])
    // The table head is repeated on the pages a table runs onto.
    expect(text.split('当班人 / 时间').length - 1).toBeGreaterThan(1)
    expect(bytes.length).toBeLessThan(1_000_000)
    expect(Math.min(...runs)).toBeLessThan(3000)
  })
})

it('fixture dates are the business day', () => {
  expect(DATE).toBe(CLOSURE.businessDate)
})

/**
 * Benchmark: parsing a provider statement of 50,000 rows — Alipay's GBK ZIP bill and WeChat Pay's
 * trade bill, both built with our writers (so they are byte for byte the real formats). Beside each,
 * a bare baseline in the same run: the least any parser of that file must do — for Alipay, unzip and
 * decode the GBK text and split it into lines; for WeChat, decode the UTF-8 and split it into lines.
 * Target: parse p50 ≤ 1 s for each.
 */
import { performance } from 'node:perf_hooks'
import { unzipSync } from 'fflate'
import { parseAlipayBill, parseWechatBill, totalsOf, writeAlipayBill, writeWechatBill, type Statement, type StatementRow } from '../src/shared/statements/index'
import { atMost, result, type BenchResult } from './lib/results'
import { int, rng, summarize } from './lib/stats'

export interface StatementsParseOptions {
  rows: number
  runs: number
  log: (line: string) => void
}

const SUBJECTS = ['美式咖啡', '拿铁咖啡', '生日蛋糕（6寸）', '牛角包×2', '矿泉水', '年卡充值', '三明治套餐']

/** A day of payments (about one in ten partly refunded, part of the fee given back) in Beijing time. */
function day(rows: number, provider: 'alipay' | 'wechat'): Statement {
  const r = rng(11)
  const date = '2026-11-22'
  const start = Date.parse(`${date}T00:00:00+08:00`)
  const out: StatementRow[] = []
  const first = provider === 'alipay' ? 6 : 2
  for (let i = 0; out.length < rows; i++) {
    const gross = int(r, 1, 500_000)
    const fee = Math.floor((gross * 60 + 5000) / 10_000)
    const t = start + Math.floor(((out.length + 1) / (rows + 2)) * 86_399_000 / 1000) * 1000
    const ref = `${provider === 'alipay' ? '2026112222' : '4200002345'}${String(i).padStart(18, '0')}`
    const common = { providerRef: ref, merchantRef: `DBK-T-${String(i).padStart(8, '0')}`, currency: 'CNY', providerTime: new Date(t).toISOString(), providerDate: date, batch: null, payoutDate: null }
    out.push({ ...common, line: first + out.length, type: 'payment', refundRef: null, gross, fee, net: gross - fee })
    if (out.length < rows && int(r, 1, 10) === 1) {
      const amount = Math.max(1, Math.floor(gross / 2))
      const back = Math.floor((fee * amount) / gross)
      out.push({ ...common, line: first + out.length, type: 'refund', refundRef: `DBK-R-${String(i).padStart(8, '0')}`, gross: -amount, fee: 0 - back, net: back - amount })
    }
  }
  return {
    provider,
    format: provider === 'alipay' ? 'alipay_bill_zip' : 'wechat_trade_bill',
    merchantId: provider === 'alipay' ? '2088102177890156' : '1900000109',
    date,
    currency: 'CNY',
    rows: out,
    totals: totalsOf(out),
  }
}

function time(f: () => unknown): number {
  const s = performance.now()
  f()
  return performance.now() - s
}

export async function benchStatementsParse(o: StatementsParseOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const subject = (row: StatementRow): string => SUBJECTS[row.line % SUBJECTS.length]!

  const alipay = day(o.rows, 'alipay')
  const zip = writeAlipayBill(alipay, { exportedAt: new Date('2026-11-22T21:46:49Z'), subject })
  const wechat = day(o.rows, 'wechat')
  const bill = writeWechatBill(wechat, { appId: 'wx2421b1c4370ec43b', subject })
  o.log(`  built: Alipay ZIP ${(zip.length / 1024).toFixed(0)} KiB, WeChat bill ${(bill.length / 1024).toFixed(0)} KiB (${o.rows.toLocaleString('en')} rows each)`)

  const gbk = new TextDecoder('gbk')
  const utf8 = new TextDecoder('utf-8')
  const cases: { name: string; parse: () => Statement; bare: () => unknown; bareText: string }[] = [
    {
      name: `Alipay bill ZIP (GBK), ${o.rows.toLocaleString('en')} rows`,
      parse: () => parseAlipayBill(zip),
      bare: () => Object.values(unzipSync(zip)).map((b) => gbk.decode(b).split('\r\n').length),
      bareText: 'unzip + GBK decode + split into lines',
    },
    {
      name: `WeChat Pay trade bill, ${o.rows.toLocaleString('en')} rows`,
      parse: () => parseWechatBill(bill),
      bare: () => utf8.decode(bill).split('\r\n').length,
      bareText: 'UTF-8 decode + split into lines',
    },
  ]
  for (const c of cases) {
    const check = c.parse()
    if (check.rows.length !== o.rows) throw new Error(`${c.name}: parsed ${check.rows.length} rows, expected ${o.rows}`)
    // Interleaved, so both see the same machine noise; one warm-up each first.
    c.bare()
    const parse: number[] = []
    const bare: number[] = []
    for (let i = 0; i < o.runs; i++) {
      bare.push(time(c.bare))
      parse.push(time(c.parse))
    }
    const ps = summarize(parse)
    const bs = summarize(bare)
    results.push(result(`parse ${c.name}`, 'ms', ps, atMost(1000, ['p50'], 'ms')))
    results.push(result(`  bare: ${c.bareText}`, 'ms', bs, null, `parse / bare p50 = ${(ps.p50 / bs.p50).toFixed(1)}×`))
    o.log(`  ${c.name}: parse p50 ${ps.p50.toFixed(0)} ms · bare p50 ${bs.p50.toFixed(0)} ms`)
  }
  return results
}

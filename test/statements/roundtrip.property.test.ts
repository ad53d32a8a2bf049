import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CURRENCY_EXPONENT, type Currency } from '../../src/shared/money'
import { toLocal, zoneOffsetMinutes } from '../../src/shared/statements/common'
import {
  parseAdyenSettlement,
  parseAlipayBill,
  parseWechatBill,
  StatementSchema,
  totalsOf,
  writeAdyenSettlement,
  writeAlipayBill,
  writeWechatBill,
  type Statement,
  type StatementRow,
} from '../../src/shared/statements/index'

/**
 * Random statements through each writer and back: parse(write(s)) is exactly s, and the parser's own
 * totals check (trailer, summary file, Adyen payout) passes on what the writer wrote. Payments with
 * partial refunds that give part of the fee back, amounts up to ten billion yuan, Chinese subjects
 * (with commas and quotes, which CSV must quote), times anywhere in the day.
 */

const RUNS = 60
const DAY_MS = 86_400_000

const chinese = fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 })
const subject = fc.oneof(chinese, fc.tuple(chinese, fc.constantFrom(',', '"', '，', '（6寸）', ' x2'), chinese).map(([a, b, c]) => a + b + c))

interface Txn {
  amount: number
  feeBp: number
  refunds: { share: number; giveFeeBack: boolean }[]
  subject: string
  seconds: number[]
}

const txn = fc.record({
  amount: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1_000_000_000_000 })),
  feeBp: fc.constantFrom(0, 38, 60, 100),
  refunds: fc.array(fc.record({ share: fc.integer({ min: 1, max: 100 }), giveFeeBack: fc.boolean() }), { maxLength: 2 }),
  subject,
  seconds: fc.array(fc.integer({ min: 0, max: 86_399 }), { minLength: 3, maxLength: 3 }),
})

const roundHalfUp = (n: number, d: number): number => Math.floor((2 * n + d) / (2 * d))

/** Payments and their refunds on one Beijing-time day, in the wallets' normalized shape. */
function walletRows(txns: Txn[], date: string, currency: Currency, provider: 'alipay' | 'wechat'): { rows: StatementRow[]; subjects: string[] } {
  const dayStart = Date.parse(`${date}T00:00:00Z`) - 8 * 3_600_000
  const raw: (Omit<StatementRow, 'line'> & { subject: string; at: number })[] = []
  txns.forEach((t, i) => {
    const ref = `${provider === 'alipay' ? '2026' : '4200'}${String(i).padStart(24, '0')}`
    const fee = roundHalfUp(t.amount * t.feeBp, 10_000)
    const at = (s: number): number => dayStart + s * 1000
    const base = { providerRef: ref, merchantRef: `DBK-T-${i}`, currency, batch: null, payoutDate: null, subject: t.subject, providerDate: date }
    raw.push({ ...base, type: 'payment', refundRef: null, gross: t.amount, fee, net: t.amount - fee, providerTime: new Date(at(t.seconds[0]!)).toISOString(), at: at(t.seconds[0]!) })
    let left = t.amount
    let feeLeft = fee
    t.refunds.forEach((r, k) => {
      const amount = Math.max(1, Math.floor((left * r.share) / 100))
      if (left <= 0 || amount > left) return
      const back = r.giveFeeBack ? Math.min(feeLeft, roundHalfUp(fee * amount, t.amount)) : 0
      left -= amount
      feeLeft -= back
      const s = Math.max(t.seconds[0]!, t.seconds[k + 1]!)
      raw.push({ ...base, type: 'refund', refundRef: `DBK-R-${i}-${k}`, gross: -amount, fee: 0 - back, net: back - amount, providerTime: new Date(at(s)).toISOString(), at: at(s) })
    })
  })
  raw.sort((a, b) => a.at - b.at)
  const first = provider === 'alipay' ? 6 : 2
  const rows = raw.map(({ subject: _s, at: _a, ...r }, i) => ({ ...r, line: first + i }))
  return { rows, subjects: raw.map((r) => r.subject) }
}

const date = fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2035-12-31') }).map((ms) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10))

function statement(provider: 'alipay' | 'wechat', merchantId: string, d: string, currency: Currency, rows: StatementRow[]): Statement {
  return {
    provider,
    format: provider === 'alipay' ? 'alipay_bill_zip' : 'wechat_trade_bill',
    merchantId,
    date: d,
    currency,
    rows,
    totals: totalsOf(rows),
  }
}

describe('round trips through the writers and parsers', () => {
  it('Alipay: parse(writeAlipayBill(s)) is s, and the bill foots', () => {
    fc.assert(
      fc.property(fc.array(txn, { maxLength: 12 }), date, fc.integer({ min: 0, max: 9999 }), (txns, d, pid) => {
        const { rows, subjects } = walletRows(txns, d, 'CNY', 'alipay')
        const s = statement('alipay', `208810217789${String(pid).padStart(4, '0')}`, d, 'CNY', rows)
        const zip = writeAlipayBill(s, { exportedAt: new Date(Date.parse(`${d}T21:46:49Z`)), subject: (r) => subjects[r.line - 6]! })
        const back = parseAlipayBill(zip)
        expect(back).toEqual(s)
        expect(StatementSchema.parse(back)).toEqual(back)
        expect(back.totals.net).toBe(back.rows.reduce((a, r) => a + r.gross - r.fee, 0))
      }),
      { numRuns: RUNS },
    )
  })

  it('WeChat Pay: parse(writeWechatBill(s)) is s, with or without BOM, CRLF or LF', () => {
    fc.assert(
      fc.property(fc.array(txn, { minLength: 1, maxLength: 12 }), date, fc.boolean(), fc.constantFrom('\r\n', '\n') as fc.Arbitrary<'\r\n' | '\n'>, (txns, d, bom, eol) => {
        const { rows, subjects } = walletRows(txns, d, 'CNY', 'wechat')
        const s = statement('wechat', '1900000109', d, 'CNY', rows)
        const bytes = writeWechatBill(s, { appId: 'wx2421b1c4370ec43b', bom, eol, subject: (r) => subjects[r.line - 2]! })
        expect(parseWechatBill(bytes)).toEqual(s)
      }),
      { numRuns: RUNS },
    )
  })

  it('Adyen: parse(writeAdyenSettlement(s)) is s in any currency and time zone, and each batch foots to its payout', () => {
    const zones = ['Europe/Amsterdam', 'Europe/London', 'America/New_York', 'Asia/Hong_Kong', 'Asia/Kolkata', 'UTC', 'Australia/Sydney']
    const currencies: Currency[] = ['EUR', 'GBP', 'USD', 'JPY', 'KWD', 'CHF']
    const entry = fc.record({
      gross: fc.integer({ min: 1, max: 1_000_000_000 }),
      fee: fc.integer({ min: 0, max: 500 }),
      refund: fc.option(fc.record({ share: fc.integer({ min: 1, max: 100 }), fee: fc.integer({ min: -50, max: 50 }), named: fc.boolean() }), { nil: null }),
      seconds: fc.integer({ min: 0, max: 5 * 86_400 }),
    })
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 10 }),
        fc.constantFrom(...zones),
        fc.constantFrom(...currencies),
        fc.integer({ min: Date.parse('2021-01-01'), max: Date.parse('2034-01-01') }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 9999 }),
        (entries, zone, currency, start, monthlyFee, batchNo) => {
          const base = Math.floor(start / 1000) * 1000
          const local = (ms: number): string => toLocal(new Date(ms).toISOString(), zoneOffsetMinutes(zone, ms)).slice(0, 10)
          const batch = String(batchNo)
          const rows: Omit<StatementRow, 'line' | 'payoutDate'>[] = []
          entries.forEach((e, i) => {
            const at = base + e.seconds * 1000
            const psp = `88159308426${String(i).padStart(5, '0')}`
            const common = { providerRef: psp, merchantRef: `DBK-T-${i}`, currency, providerTime: new Date(at).toISOString(), providerDate: local(at), batch }
            rows.push({ ...common, type: 'payment', refundRef: null, gross: e.gross, fee: e.fee, net: e.gross - e.fee })
            if (e.refund) {
              const amount = Math.max(1, Math.floor((e.gross * e.refund.share) / 100))
              const t = at + 3_600_000
              rows.push({ ...common, providerTime: new Date(t).toISOString(), providerDate: local(t), type: 'refund', refundRef: e.refund.named ? `DBK-R-${i}` : null, gross: -amount, fee: e.refund.fee, net: -amount - e.refund.fee })
            }
          })
          const end = base + 6 * 86_400_000
          const common = { providerRef: '', merchantRef: null, refundRef: null, currency, providerTime: new Date(end).toISOString(), providerDate: local(end), batch }
          if (monthlyFee > 0) rows.push({ ...common, type: 'fee', gross: 0, fee: monthlyFee, net: -monthlyFee })
          const owed = rows.reduce((a, r) => a + r.net, 0)
          const hasPayout = owed > 0
          if (hasPayout) rows.push({ ...common, type: 'payout', gross: -owed, fee: 0, net: -owed })
          const full: StatementRow[] = rows.map((r, i) => ({ ...r, line: i + 2, payoutDate: hasPayout ? local(end) : null }))
          const s: Statement = {
            provider: 'card',
            format: 'adyen_settlement_detail',
            merchantId: 'DaybookShopNL',
            date: hasPayout ? local(end) : full.map((r) => r.providerDate).reduce((a, b) => (b > a ? b : a)),
            currency,
            rows: full,
            totals: totalsOf(full),
          }
          const bytes = writeAdyenSettlement(s, { companyAccount: 'DaybookBV', timeZone: zone })
          expect(parseAdyenSettlement(bytes)).toEqual(s)
          if (hasPayout) expect(totalsOf(full).net).toBe(0)
          expect(CURRENCY_EXPONENT[currency]).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: RUNS },
    )
  })
})

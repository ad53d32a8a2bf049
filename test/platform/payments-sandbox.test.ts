import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { divHalfEven, paymentFee, refundedFee } from '../../src/platform/payments/fees'
import type { ProviderCall } from '../../src/platform/payments/provider'
import { scenarioFor } from '../../src/platform/sandbox/books'
import { createSandboxWallets, type SandboxWallets } from '../../src/platform/sandbox/index'
import { PLATFORM_BACKENDS, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { authCode, codeBody, create, expectPayment, expectRefund, refund } from './payments-support'
import { pairDevice } from './support'

describe('wallet fees (exact integer arithmetic)', () => {
  it('fee = amount × bp / 10 000 rounded half-up', () => {
    expect(paymentFee(1000, 60)).toBe(6)
    expect(paymentFee(1234, 60)).toBe(7) // 7.404
    expect(paymentFee(25, 60)).toBe(0) // 0.15: under a fen, nothing
    expect(paymentFee(125, 60)).toBe(1) // 0.75
    expect(paymentFee(250, 60)).toBe(2) // 1.5 → 2 (half-up)
    expect(paymentFee(1e14, 10_000)).toBe(1e14) // past 2^53 in the middle, exact
    expect(paymentFee(99_999_999_999_999, 61)).toBe(610_000_000_000) // 609 999 999 999.9939
    expect(paymentFee(99_999_999_999_999, 50)).toBe(500_000_000_000) // 499 999 999 999.99995: a float product would not be exact here
    expect(() => paymentFee(-1, 60)).toThrow(RangeError)
    expect(() => paymentFee(1.5, 60)).toThrow(RangeError)
  })

  it('half-even division', () => {
    expect([5n, 15n, 25n, 26n, 24n].map((n) => divHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 3n, 2n])
  })

  it('refunded fee is proportional to what is left, half-even; refunds never return more than the fee (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        (amount, bp, weights, refundAll) => {
          const fee = paymentFee(amount, bp)
          let refunded = 0
          let feeRefunded = 0
          const total = weights.reduce((s, w) => s + w, 0)
          for (const [i, w] of weights.entries()) {
            const left = amount - refunded
            if (left === 0) break
            // a share of the amount, or all of what is left on the last refund
            let r = Math.max(1, Math.min(left, Math.floor((amount * (w / total)) / 1)))
            if (refundAll && i === weights.length - 1) r = left
            const f = refundedFee({ refund: r, amount, refundedBefore: refunded, fee, feeRefundedBefore: feeRefunded })
            expect(Number.isSafeInteger(f)).toBe(true)
            expect(f).toBeGreaterThanOrEqual(0)
            refunded += r
            feeRefunded += f
            expect(feeRefunded).toBeLessThanOrEqual(fee)
          }
          if (refunded === amount) expect(feeRefunded).toBe(fee)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('the known cases', () => {
    expect(refundedFee({ refund: 3333, amount: 10_000, refundedBefore: 0, fee: 60, feeRefundedBefore: 0 })).toBe(20)
    expect(refundedFee({ refund: 5000, amount: 10_000, refundedBefore: 0, fee: 45, feeRefundedBefore: 0 })).toBe(22) // 22.5 → 22 (even)
    expect(refundedFee({ refund: 5000, amount: 10_000, refundedBefore: 0, fee: 47, feeRefundedBefore: 0 })).toBe(24) // 23.5 → 24 (even)
    expect(() => refundedFee({ refund: 2, amount: 10, refundedBefore: 9, fee: 1, feeRefundedBefore: 0 })).toThrow(RangeError)
  })

  it('scenario rules: the code\'s last two digits, else the amount mod 100', () => {
    expect(scenarioFor(1091)).toBe('decline')
    expect(scenarioFor(92)).toBe('user_paying_then_success')
    expect(scenarioFor(1000, '280000000000000093')).toBe('user_paying_forever')
    expect(scenarioFor(1094, '280000000000000000')).toBe('system_error_then_success')
    expect(scenarioFor(1095)).toBe('timeout_then_success')
    expect(scenarioFor(1096)).toBe('success')
    expect(scenarioFor(9)).toBe('success')
  })
})

describe.each(PLATFORM_BACKENDS)('the sandbox wallets in their own terms on %s', (backend) => {
  let p: TestPlatform
  let w: SandboxWallets
  const now = new Date('2026-11-22T02:00:00.000Z')
  const call = (): ProviderCall => ({ q: p.db, now, publicUrl: 'http://pos.example' })
  beforeAll(async () => {
    p = await startTestPlatform(backend, { sandbox: { feeBasisPoints: { alipay: 38, wechat: 100 } } })
    w = createSandboxWallets({ feeBasisPoints: { alipay: 38, wechat: 100 } })
  })
  afterAll(async () => {
    await p?.close()
  })
  const trade = (amount: number) => ({ outTradeNo: newId(), amount, currency: 'CNY' as const, subject: 'T01' })

  it('Alipay: a precreate trade does not exist before the scan (ACQ.TRADE_NOT_EXIST); 10000 / TRADE_SUCCESS after', async () => {
    const t = trade(1000)
    const pre = await w.alipay.precreate(call(), { ...t, expiresAt: new Date(now.getTime() + 60_000) })
    expect(pre).toMatchObject({ code: '10000', outcome: 'waiting', tradeNo: null, tradeStatus: null })
    expect(pre.codeUrl).toMatch(/^http:\/\/pos\.example\/sandbox\/pay\/[A-Za-z0-9_-]{32}$/)
    expect(await w.alipay.query(call(), t.outTradeNo)).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST', outcome: 'not_found' })
    expect(await w.alipay.close(call(), t.outTradeNo)).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' })
  })

  it('Alipay: out_trade_no is [A-Za-z0-9_] up to 64; the same number with other parameters is ACQ.CONTEXT_INCONSISTENT', async () => {
    const code = authCode('alipay')
    expect(await w.alipay.pay(call(), { ...trade(1000), outTradeNo: 'order-1', authCode: code })).toMatchObject({ code: '40004', subCode: 'ACQ.INVALID_PARAMETER', outcome: 'refused' })
    expect(await w.alipay.pay(call(), { ...trade(1000), outTradeNo: 'x'.repeat(65), authCode: code })).toMatchObject({ outcome: 'refused' })
    const t = trade(1000)
    const paid = await w.alipay.pay(call(), { ...t, authCode: code })
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', outcome: 'paid', fee: 4 }) // 1000 × 38 bp = 3.8
    expect(await w.alipay.pay(call(), { ...t, authCode: code })).toMatchObject({ code: '10000', tradeNo: paid.tradeNo }) // replay
    expect(await w.alipay.pay(call(), { ...t, amount: 999, authCode: code })).toMatchObject({ code: '40004', subCode: 'ACQ.CONTEXT_INCONSISTENT', outcome: 'conflict' })
    expect(await w.alipay.close(call(), t.outTradeNo)).toMatchObject({ subCode: 'ACQ.TRADE_STATUS_ERROR' })
  })

  it('Alipay refunds: fund_change Y, then N for the same out_request_no; another amount is refused; refund_fee is cumulative', async () => {
    const t = trade(10_000)
    await w.alipay.pay(call(), { ...t, authCode: authCode('alipay') })
    const first = await w.alipay.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R1', amount: 4000 })
    expect(first).toMatchObject({ code: '10000', fundChange: 'Y', refundedTotal: 4000, feeRefunded: 15 }) // fee 38 × 0.4 = 15.2
    expect(await w.alipay.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R1', amount: 4000 })).toMatchObject({ fundChange: 'N', refundedTotal: 4000, feeRefunded: 15 })
    expect(await w.alipay.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R1', amount: 100 })).toMatchObject({ subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', outcome: 'conflict' })
    expect(await w.alipay.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R2', amount: 6001 })).toMatchObject({ subCode: 'ACQ.REASON_TRADE_REFUND_FEE_ERR', outcome: 'exceeds' })
    expect(await w.alipay.refundQuery(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R1' })).toMatchObject({ outcome: 'succeeded', amount: 4000 })
    expect(await w.alipay.refundQuery(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R9' })).toMatchObject({ code: '10000', outcome: 'not_found' })
    await w.alipay.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R2', amount: 6000 })
    // fully refunded: TRADE_CLOSED, told apart from "never paid" by the refund history
    expect(await w.alipay.query(call(), t.outTradeNo)).toMatchObject({ tradeStatus: 'TRADE_CLOSED', outcome: 'paid' })
  })

  it('WeChat: OUT_TRADE_NO_USED, ORDERNOTEXIST, out_trade_no 6–32, USERPAYING, PAYERROR, SYSTEMERROR, REFUND', async () => {
    const code = authCode('wechat')
    expect(await w.wechat.query(call(), newId())).toMatchObject({ code: 'ORDERNOTEXIST', outcome: 'not_found' })
    expect(await w.wechat.pay(call(), { ...trade(1000), outTradeNo: 'abc', authCode: code })).toMatchObject({ code: 'PARAM_ERROR' })
    expect(await w.wechat.pay(call(), { ...trade(3_000_000_000), authCode: code })).toMatchObject({ code: 'PARAM_ERROR' })
    const t = trade(1000)
    expect(await w.wechat.pay(call(), { ...t, authCode: code })).toMatchObject({ code: 'SUCCESS', tradeStatus: 'SUCCESS', fee: 10 })
    expect(await w.wechat.pay(call(), { ...t, subject: 'other', authCode: code })).toMatchObject({ code: 'OUT_TRADE_NO_USED', outcome: 'conflict' })
    expect(await w.wechat.pay(call(), { ...trade(1092), authCode: code })).toMatchObject({ code: 'USERPAYING', tradeStatus: 'USERPAYING', outcome: 'waiting' })
    expect(await w.wechat.pay(call(), { ...trade(1091), authCode: code })).toMatchObject({ code: 'NOTENOUGH', tradeStatus: 'PAYERROR', outcome: 'declined' })
    expect(await w.wechat.pay(call(), { ...trade(1094), authCode: code })).toMatchObject({ code: 'SYSTEMERROR', outcome: 'unknown' })
    expect(await w.wechat.pay(call(), { ...trade(1095), authCode: code })).toMatchObject({ timedOut: true, outcome: 'unknown' })
    await w.wechat.refund(call(), { outTradeNo: t.outTradeNo, outRequestNo: 'R1', amount: 10 })
    expect(await w.wechat.query(call(), t.outTradeNo)).toMatchObject({ tradeStatus: 'REFUND', outcome: 'paid' })
    const native = trade(500)
    expect(await w.wechat.precreate(call(), { ...native, expiresAt: new Date(now.getTime() + 60_000) })).toMatchObject({ code: 'SUCCESS', outcome: 'waiting' })
    expect(await w.wechat.query(call(), native.outTradeNo)).toMatchObject({ tradeStatus: 'NOTPAY' }) // a Native order exists at once
  })

  it('WeChat reverse: SYSTEMERROR with recall before 15 s after the pay call, REVOKED after, REVERSE_EXPIRE after 7 days', async () => {
    const t = trade(1000)
    await w.wechat.pay(call(), { ...t, authCode: authCode('wechat') })
    const early = await w.wechat.cancel(call(), t.outTradeNo)
    expect(early).toMatchObject({ code: 'SYSTEMERROR', retry: true, outcome: 'retry_later' })
    expect(early.retryAt?.toISOString()).toBe(new Date(now.getTime() + 15_000).toISOString())
    const later = { ...call(), now: new Date(now.getTime() + 15_000) }
    expect(await w.wechat.cancel(later, t.outTradeNo)).toMatchObject({ code: 'SUCCESS', action: 'refund', tradeStatus: 'REVOKED', outcome: 'reversed' })
    const old = trade(1000)
    await w.wechat.pay(call(), { ...old, authCode: authCode('wechat') })
    expect(await w.wechat.cancel({ ...call(), now: new Date(now.getTime() + 8 * 86_400_000) }, old.outTradeNo)).toMatchObject({ code: 'REVERSE_EXPIRE', outcome: 'too_late' })
  })

  it('fees are configurable per wallet through the platform options', async () => {
    const d = await pairDevice(p)
    expect(expectPayment(await create(d, codeBody('alipay', 10_000))).fee).toBe(38)
    const wx = expectPayment(await create(d, codeBody('wechat', 10_000)))
    expect(wx.fee).toBe(100)
    expect(expectRefund(await refund(d, wx.paymentId, { refundId: newId(), amount: 2500 })).feeRefunded).toBe(25)
    expect(() => createSandboxWallets({ feeBasisPoints: { alipay: 1.5 } })).toThrow(/whole basis points/)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endingAmount } from '../../src/platform/sandbox/bills'
import type { Checkout } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { adminCall, PLATFORM_BACKENDS, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { startCheckout, till, walletCode, type Till } from '../payments/helpers'
import type { TestClock } from '../platform/payments-support'
import { clockAt } from '../platform/statements-support'
import { fetchStatements, injectWallet, reconcile, shapeOf, type RecordedDifference, type WalletName } from './injected-support'

/**
 * Issue 11: "the sandbox can be told (admin endpoint, and scenario endings as today) to produce each
 * difference in its files". A wallet payment whose amount ends in 81–84 (minor units) is put in the
 * bill wrong, with no admin call: 81 left out, 82 one unit less, 83 on the next provider day, 84
 * listed twice. Each ¥20.00 sale is paid in two wallet tenders, the first with the ending under test.
 * The till must find exactly those four classes on exactly those tenders, and the admin listing must
 * show what the endings picked.
 */

const A = '2026-11-20'
const B = '2026-11-21'

async function payInTwo(t: Till, wallet: WalletName, first: number): Promise<{ first: string; second: string; total: number }> {
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
  const ids = [newId(), newId()]
  await t.call('tender-add', { checkoutId: c.id, attemptId: ids[0], flow: 'customer_code', authCode: walletCode(wallet), amount: first })
  await t.until(c.id, (x: Checkout) => x.attempts.some((a) => a.id === ids[0] && a.state === 'succeeded'))
  await t.call('tender-add', { checkoutId: c.id, attemptId: ids[1], flow: 'customer_code', authCode: walletCode(wallet), amount: c.total - first })
  await t.until(c.id, (x: Checkout) => x.state === 'completed')
  return { first: ids[0]!, second: ids[1]!, total: c.total }
}

describe.each(PLATFORM_BACKENDS)('statement differences picked by the amount ending, platform on %s → till', (backend) => {
  let p: TestPlatform
  let clock: TestClock

  beforeAll(async () => {
    clock = clockAt(A, 11)
    p = await startTestPlatform(backend, { now: clock.now })
  }, 60_000)
  afterAll(async () => {
    await p?.close()
  })

  it.each(['alipay', 'wechat'] as const)('%s: 81 missing, 82 amount, 83 next day, 84 duplicate, nothing else', async (wallet) => {
    const t = await till(p, { now: clock.now })
    try {
      const sales = []
      for (const first of [1081, 1082, 1083, 1084, 1000]) sales.push(await payInTwo(t, wallet, first))
      expect(sales.every((s) => s.total === 2000)).toBe(true)
      const [s81, s82, s83, s84] = sales as [(typeof sales)[0], (typeof sales)[0], (typeof sales)[0], (typeof sales)[0]]

      // No difference asked for: only the bills served at once.
      const listed = await injectWallet(p, t.storeId, wallet, A, [])
      await injectWallet(p, t.storeId, wallet, B, [])
      const byKind = (k: string): RecordedDifference => listed.find((d) => d.kind === k)!
      expect(listed.map((d) => [d.kind, d.outTradeNo, d.expectedClass, d.amount])).toEqual([
        ['missing_payment', s81.first, 'missing_at_provider', 1081],
        ['amount', s82.first, 'amount_mismatch', endingAmount(1082)],
        ['next_day', s83.first, 'date_mismatch', 1083],
        ['duplicate', s84.first, 'missing_locally', 1084],
      ])
      expect(endingAmount(1082)).toBe(982)
      expect(byKind('next_day').fileDate).toBe(B)
      // The same listing from the GET route.
      const got = await adminCall(p, 'GET', `/v1/admin/sandbox/statement-differences?storeId=${t.storeId}&wallet=${wallet}&date=${A}`)
      expect(got.status).toBe(200)
      expect(got.body.differences).toEqual(listed)

      const fetched = await fetchStatements(t, A)
      const fileA = fetched.statements.find((s) => s.provider === wallet && s.date === A)!
      // 10 tenders: 81 left out, 83 moved to B, 84 twice → 9 rows; 82 one unit less.
      expect(fileA.rows).toBe(9)
      expect(fileA.gross).toBe(5 * 2000 - 1081 - 100 - 1083 + 1084)
      const fileB = fetched.statements.find((s) => s.provider === wallet && s.date === B)!
      expect({ rows: fileB.rows, gross: fileB.gross }).toEqual({ rows: 1, gross: 1083 })

      const run = await reconcile(t, A)
      const diffs = run.differences.map(shapeOf).sort((x, y) => x.class.localeCompare(y.class))
      expect(diffs).toEqual([
        { class: 'amount_mismatch', provider: wallet, amount: -100, local: s82.first, row: { merchantRef: s82.first, providerRef: byKind('amount').providerRef, gross: 982, providerDate: A } },
        { class: 'date_mismatch', provider: wallet, amount: 0, local: s83.first, row: { merchantRef: s83.first, providerRef: byKind('next_day').providerRef, gross: 1083, providerDate: B } },
        { class: 'missing_at_provider', provider: wallet, amount: -1081, local: s81.first, row: null },
        { class: 'missing_locally', provider: wallet, amount: 1084, local: null, row: { merchantRef: s84.first, providerRef: byKind('duplicate').providerRef, gross: 1084, providerDate: A } },
      ])
      // Every other tender matched: 10 tenders, 81 and 82 differ, 83 is a date mismatch.
      expect(run.counts).toEqual({ matched: 7, missing_locally: 1, missing_at_provider: 1, amount_mismatch: 1, status_mismatch: 0, date_mismatch: 1 })

      // An admin difference on a trade takes the place of its ending: 82 asked to be left out instead.
      const replaced = await injectWallet(p, t.storeId, wallet, A, [{ kind: 'missing_payment', outTradeNo: s82.first }])
      expect(replaced.filter((d) => d.outTradeNo === s82.first).map((d) => d.kind)).toEqual(['missing_payment'])
      expect(replaced).toHaveLength(4)
    } finally {
      await t.core.close()
    }
  }, 60_000)
})

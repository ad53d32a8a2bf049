import { describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import type { ReviewDay, ReviewDays } from '../../src/shared/review-contract'
import type { Reconciliation } from '../../src/shared/settlement-contract'
import { call } from '../helpers/tmp'
import { openShift, till } from '../shifts/support'
import { hold, injectSale, statement } from './support'

const D = '2026-11-22'
const D1 = '2026-11-23'
const D2 = '2026-11-24'

/**
 * Issue 12: the day's payout, expected and received. Expected is the net of the day's statement rows
 * by payout date (from the day's latest run); received is what the providers' payout rows of that
 * date say they paid into the bank, from the statements the till holds — so it appears when the
 * statement that carries the paying arrives, and a newer statement replaces an older one.
 */
describe('payout expected and received', () => {
  it('is "not yet" until a payout row of the payout date arrives, then the amount it paid; a day paid with others shares that payout', async () => {
    const t = till('2026-11-22T02:00:00Z') // 10:00 in Shanghai, business day D
    openShift(t.core, t.supervisor, 10_000)
    const a = injectSale(t.core, new Date('2026-11-22T02:00:00Z'), 'alipay', 10_000)
    const c = injectSale(t.core, new Date('2026-11-22T02:10:00Z'), 'card', 5_000)
    // D's bills: Alipay pays D's money on D+1; the acquirer pays D's batch on D+2.
    hold(t.core, statement('alipay', D, [{ merchantRef: a.attemptId, gross: 10_000, fee: 60, payoutDate: D1 }]))
    hold(t.core, statement('card', D, [{ merchantRef: c.attemptId, gross: 5_000, fee: 55, payoutDate: D2 }]))
    t.setClock('2026-11-22T10:00:00Z') // later on D (sessions last 12 hours)
    call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)

    const summary = async () => (await call<ReviewDays>(t.core, 'review-days', {}, t.owner)).days.find((d) => d.businessDate === D)!.payout
    const payouts = async () => (await call<ReviewDay>(t.core, 'review-day', { businessDate: D }, t.owner)).fees.map((f) => [f.provider, f.payouts])
    expect(await summary()).toEqual({ expected: 9_940 + 4_945, dates: [D1, D2], due: 14_885, received: null })
    expect(await payouts()).toEqual([
      ['alipay', [{ date: D1, amount: 9_940, received: null }]],
      ['card', [{ date: D2, amount: 4_945, received: null }]],
    ])

    // D+1's Alipay file carries the paying of D's money (a payout row dated D+1): received.
    hold(t.core, statement('alipay', D1, [{ type: 'payout', providerRef: 'PO-A', gross: -9_940, fee: 0, payoutDate: D1 }]))
    expect(await summary()).toEqual({ expected: 14_885, dates: [D1, D2], due: 14_885, received: 9_940 })
    expect(await payouts()).toEqual([
      ['alipay', [{ date: D1, amount: 9_940, received: 9_940 }]],
      ['card', [{ date: D2, amount: 4_945, received: null }]],
    ])

    // The acquirer pays D's batch together with another day's money on D+2: the whole payout of that date is shown.
    hold(t.core, statement('card', D2, [{ type: 'payout', providerRef: 'PO-C', gross: -7_000, fee: 0, providerDate: D2 }]))
    expect(await summary()).toEqual({ expected: 14_885, dates: [D1, D2], due: 14_885, received: 9_940 + 7_000 })
    // A newer statement of D+2 replaces the older one (the till holds the latest of each provider and day).
    hold(t.core, statement('card', D2, [{ type: 'payout', providerRef: 'PO-C', gross: -4_945, fee: 0, providerDate: D2 }]))
    expect((await payouts())[1]).toEqual(['card', [{ date: D2, amount: 4_945, received: 4_945 }]])
    // A payout row of another provider, or of another date, is not this day's.
    hold(t.core, statement('wechat', D1, [{ type: 'payout', providerRef: 'PO-W', gross: -123, fee: 0, payoutDate: D1 }]))
    hold(t.core, statement('alipay', D2, [{ type: 'payout', providerRef: 'PO-A2', gross: -555, fee: 0, payoutDate: D2 }]))
    expect(await summary()).toEqual({ expected: 14_885, dates: [D1, D2], due: 14_885, received: 9_940 + 4_945 })
    await t.core.close()
  })
})

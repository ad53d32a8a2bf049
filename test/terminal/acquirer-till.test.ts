import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { parseAdyenSettlement } from '../../src/shared/statements/adyen'
import { startTerminalSim, type RunningTerminalSim } from '../../src/platform/terminal-sim'
import { startCheckout, till, type Till } from '../payments/helpers'

/**
 * The acquirer's report against what the real till keeps: a card sale, a refund and a void made
 * through the core (engine → Adyen driver → simulator), then every report row joins the till's own
 * rows — Merchant Reference = tender_attempts.id, Psp Reference = the end of tender_attempts.provider_ref,
 * refundRef = refunds.id for a refund and tender_attempts.id for a void.
 */

let sim: RunningTerminalSim
beforeAll(async () => {
  sim = await startTerminalSim({ customerMs: 30, acquirer: { merchantAccount: 'TillTestPOS', timeZone: 'Asia/Shanghai', commissionBp: 100, fixedFee: 0, reportPassword: 'pw' } })
}, 60_000)
afterAll(async () => {
  await sim?.close()
})

async function cardTill(): Promise<Till> {
  const t = await till(null)
  await t.call('terminal-settings-save', { endpoint: sim.endpoint, poiId: sim.poiId, keyIdentifier: sim.keyIdentifier, keyVersion: sim.keyVersion, passphrase: sim.passphrase, caCertPem: sim.caCertPem })
  return t
}

describe('the acquirer’s report joins the till’s own records', () => {
  it('payment, refund and void: merchantRef / providerRef / refundRef are the till’s ids', async () => {
    const t = await cardTill()
    // A ¥20.00 card sale, ¥5.00 of it refunded.
    const c = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
    const paid = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId: paid, flow: 'terminal', amount: 2000 })
    await t.until(c.id, (x) => x.state === 'completed')
    const refundId = newId()
    await t.call('refund-create', { refundId, orderId: c.id, tenderId: paid, amount: 500, reason: 'One item back' })
    const deadline = Date.now() + 10_000
    for (;;) {
      const o = await t.call<Order>('order-get', { id: c.id })
      if (o.refunds.find((r) => r.id === refundId)?.state === 'succeeded') break
      if (Date.now() > deadline) throw new Error(`refund not done: ${JSON.stringify(o.refunds)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
    // A part-paid sale voided: the card payment is reversed on the terminal.
    const c2 = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
    const voided = newId()
    await t.call('tender-add', { checkoutId: c2.id, attemptId: voided, flow: 'terminal', amount: 1200 })
    await t.until(c2.id, (x) => x.attempts[0]!.state === 'succeeded')
    await t.call('checkout-void', { checkoutId: c2.id, reason: 'Customer left' })
    await t.until(c2.id, (x) => x.state === 'voided')

    const attempts = t.core.db.prepare('SELECT id, service_id, reversal_service_id, provider_ref FROM tender_attempts WHERE id IN (?, ?)').all(paid, voided) as { id: string; service_id: string; reversal_service_id: string | null; provider_ref: string }[]
    const refunds = t.core.db.prepare('SELECT id, service_id, provider_ref FROM refunds WHERE id = ?').all(refundId) as { id: string; service_id: string; provider_ref: string }[]
    await t.core.close()
    const attempt = (id: string) => attempts.find((a) => a.id === id)!
    const pspOf = (providerRef: string) => providerRef.split('.')[1]!

    const closed = sim.acquirer.closeBatches()
    expect(closed).toHaveLength(1)
    const res = await fetch(`${sim.reportUrl}/reports/download/MerchantAccount/TillTestPOS/settlement_detail_report_batch_${closed[0]}.csv`, { headers: { Authorization: `Basic ${Buffer.from(`${sim.reportUser}:pw`).toString('base64')}` } })
    expect(res.status).toBe(200)
    const st = parseAdyenSettlement(new Uint8Array(await res.arrayBuffer()))
    const tx = st.rows.filter((r) => r.type !== 'payout').map((r) => ({ type: r.type, merchantRef: r.merchantRef, providerRef: r.providerRef, refundRef: r.refundRef, gross: r.gross, fee: r.fee }))
    expect(tx).toEqual([
      { type: 'payment', merchantRef: paid, providerRef: pspOf(attempt(paid).provider_ref), refundRef: null, gross: 2000, fee: 20 },
      { type: 'refund', merchantRef: paid, providerRef: pspOf(attempt(paid).provider_ref), refundRef: refundId, gross: -500, fee: 0 },
      { type: 'payment', merchantRef: voided, providerRef: pspOf(attempt(voided).provider_ref), refundRef: null, gross: 1200, fee: 12 },
      { type: 'refund', merchantRef: voided, providerRef: pspOf(attempt(voided).provider_ref), refundRef: voided, gross: -1200, fee: 0 },
    ])
    // The ServiceIDs the till sent are not in the report (Adyen does not report them).
    expect(refunds).toHaveLength(1)
    expect(attempt(voided).reversal_service_id).toBeTruthy()
  })
})

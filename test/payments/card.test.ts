import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Checkout, Order } from '../../src/shared/contract'
import { findCardNumber } from '../../src/shared/card-number'
import { newId } from '../../src/shared/ids'
import { startTerminalSim, type RunningTerminalSim } from '../../src/platform/terminal-sim'
import { final, startCheckout, till, type Till } from './helpers'

/**
 * Cards end to end through the core, the Adyen driver (@adyen/api-library, encrypted) and the
 * terminal simulator over HTTPS. The amount's last two digits pick what the terminal does.
 */

let sim: RunningTerminalSim
beforeAll(async () => {
  sim = await startTerminalSim({ customerMs: 30, slowMs: 600 })
}, 60_000)
afterAll(async () => {
  await sim?.close()
})

async function cardTill(): Promise<Till> {
  const t = await till(null)
  await t.call('terminal-settings-save', {
    endpoint: sim.endpoint,
    poiId: sim.poiId,
    keyIdentifier: sim.keyIdentifier,
    keyVersion: sim.keyVersion,
    passphrase: sim.passphrase,
    caCertPem: sim.caCertPem,
  })
  return t
}

/** A checkout of ¥20.00 paid by card for `amount`, the rest left open. */
async function card(t: Till, amount: number): Promise<{ c: Checkout; attemptId: string }> {
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
  const attemptId = newId()
  await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount })
  return { c, attemptId }
}

const paymentsOf = (id: string): ReturnType<RunningTerminalSim['processed']> => sim.processed().filter((p) => p.category === 'Payment' && p.transactionId === id)

describe('card payments through the terminal simulator', () => {
  it('approved: masked PAN, brand, entry mode, approval code, reference and terminal id — nothing more', async () => {
    const t = await cardTill()
    const status = await t.call<{ card: { available: boolean; terminalId: string } }>('payments-status', {})
    expect(status.card).toMatchObject({ available: true, terminalId: sim.poiId })
    const { c, attemptId } = await card(t, 2000)
    const done = await t.until(c.id, (x) => x.state === 'completed')
    const a = done.attempts[0]!
    expect(a.card?.maskedPan).toMatch(/^\d{6}\*+\d{4}$/)
    expect(a.card).toMatchObject({ terminalId: sim.poiId })
    expect(a.card?.brand).toBeTruthy()
    expect(a.card?.approvalCode).toBeTruthy()
    const order = await t.call<Order>('order-get', { id: c.id })
    expect(order.tenders[0]).toMatchObject({ id: attemptId, method: 'card', flow: 'terminal', amount: 2000 })
    expect(order.tenders[0]!.providerRef).toBeTruthy()
    expect(paymentsOf(attemptId)).toHaveLength(1)
    // Nothing in the ledger looks like a full card number.
    const dump = JSON.stringify(t.core.db.prepare('SELECT * FROM tender_attempts').all()) + JSON.stringify(t.core.db.prepare('SELECT payload FROM journal').all())
    expect(findCardNumber(dump)).toBeNull()
    await t.core.close()
  })

  it('declined, busy and cancelled on the terminal fail the attempt; the order is then paid another way', async () => {
    const t = await cardTill()
    t.openShift()
    for (const [amount, code] of [
      [1081, 'card_refusal'],
      [1082, 'terminal_busy'],
      [1083, 'card_cancel'],
    ] as const) {
      const { c } = await card(t, amount)
      const after = await t.until(c.id, (x) => final(x.attempts[0]!.state))
      expect(after.attempts[0]!.state).toBe('failed')
      expect(after.attempts[0]!.failure?.code, String(amount)).toBe(code)
      expect(after.remaining).toBe(2000)
      await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: 2000, tendered: 2000 })
    }
    await t.core.close()
  })

  it('an approval whose answer is dropped is recovered with TransactionStatus: succeeded, one payment at the terminal', async () => {
    const t = await cardTill()
    const { c, attemptId } = await card(t, 1084)
    const checking = await t.until(c.id, (x) => x.attempts[0]!.activity === 'checking' || x.attempts[0]!.state === 'succeeded')
    const done = await t.until(c.id, (x) => x.attempts[0]!.state === 'succeeded')
    expect(done.attempts[0]!.card?.maskedPan).toMatch(/\*/)
    expect(paymentsOf(attemptId)).toHaveLength(1)
    const history = t.core.db.prepare('SELECT to_state FROM tender_transitions WHERE attempt_id = ? ORDER BY rowid').all(attemptId).map((r) => (r as { to_state: string }).to_state)
    expect(history).toEqual(['created', 'awaiting_customer', 'unknown', 'succeeded'])
    expect(checking).toBeTruthy()
    await t.core.close()
  })

  it('a terminal that leaks a full card number in its answer: the till keeps no card details', async () => {
    const t = await cardTill()
    for (const amount of [1086, 1087, 1088]) {
      const { c } = await card(t, amount)
      const done = await t.until(c.id, (x) => final(x.attempts[0]!.state))
      expect(done.attempts[0]!.state).toBe('succeeded')
      expect(done.attempts[0]!.card?.maskedPan ?? '').not.toMatch(/\d{7}/)
      await t.call('checkout-void', { checkoutId: c.id, reason: 'test' })
      await t.until(c.id, (x) => x.state === 'voided')
    }
    const dump = JSON.stringify(t.core.db.prepare('SELECT * FROM tender_attempts').all())
    expect(dump).not.toMatch(/4111111111111111|5555444433331111/)
    await t.core.close()
  })

  it('the cashier cancels a card payment still waiting for the card: the terminal aborts it', async () => {
    const slow = await startTerminalSim({ customerMs: 3_000 })
    try {
      const t = await till(null)
      await t.call('terminal-settings-save', { endpoint: slow.endpoint, poiId: slow.poiId, keyIdentifier: slow.keyIdentifier, keyVersion: slow.keyVersion, passphrase: slow.passphrase, caCertPem: slow.caCertPem })
      const { c, attemptId } = await card(t, 2000)
      await t.until(c.id, (x) => x.attempts[0]!.state === 'awaiting_customer')
      await t.call('tender-cancel', { checkoutId: c.id, attemptId })
      const after = await t.until(c.id, (x) => final(x.attempts[0]!.state), 10_000)
      expect(after.attempts[0]!.state).toBe('failed')
      expect(slow.processed().filter((p) => p.category === 'Payment' && p.result === 'approved')).toHaveLength(0)
      await t.core.close()
    } finally {
      await slow.close()
    }
  })

  it('refunds the card tender in parts up to what it took, never one cent more; a void reverses a card tender', async () => {
    const t = await cardTill()
    const { c, attemptId } = await card(t, 2000)
    await t.until(c.id, (x) => x.state === 'completed')
    const untilRefund = async (id: string, state: string): Promise<Order> => {
      const deadline = Date.now() + 10_000
      for (;;) {
        const o = await t.call<Order>('order-get', { id: c.id })
        if (o.refunds.find((r) => r.id === id)?.state === state) return o
        if (Date.now() > deadline) throw new Error(`refund ${id} not ${state}: ${JSON.stringify(o.refunds)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    const r1 = newId()
    await t.call('refund-create', { refundId: r1, orderId: c.id, tenderId: attemptId, amount: 500, reason: 'One item back' })
    await untilRefund(r1, 'succeeded')
    await expect(t.call('refund-create', { refundId: newId(), orderId: c.id, tenderId: attemptId, amount: 1501, reason: 'x' })).rejects.toMatchObject({ code: 'refund_exceeds' })
    const r2 = newId()
    await t.call('refund-create', { refundId: r2, orderId: c.id, tenderId: attemptId, amount: 1500, reason: 'The rest' })
    await untilRefund(r2, 'succeeded')
    const reversals = sim.processed().filter((p) => p.category === 'Reversal' && p.result === 'approved' && p.transactionId && [r1, r2].includes(p.transactionId))
    expect(reversals.map((p) => p.amount).sort()).toEqual([1500, 500])

    // A void of a part-paid sale gives the card payment back on the terminal.
    const { c: c2, attemptId: a2 } = await card(t, 1200)
    await t.until(c2.id, (x) => x.attempts[0]!.state === 'succeeded')
    await t.call('checkout-void', { checkoutId: c2.id, reason: 'Customer left' })
    const voided = await t.until(c2.id, (x) => x.state === 'voided')
    expect(voided.attempts[0]!.state).toBe('reversed')
    const pay = paymentsOf(a2)[0]!
    expect(sim.processed().some((p) => p.category === 'Reversal' && p.result === 'approved' && p.originalPoiTransactionId === pay.poiTransactionId && p.amount === 1200)).toBe(true)
    await t.core.close()
  })
})

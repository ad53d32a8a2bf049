import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { startTerminalSim, type RunningTerminalSim } from '../../src/platform/terminal-sim'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { tempDir } from '../helpers/tmp'
import { startCheckout, till } from '../payments/helpers'
import { shell } from './ledger'

/**
 * Card sales carry what the terminal said (flow, reference, masked card, time) in order_tenders.detail;
 * card refunds and voids are posted when the terminal confirms. All of it rebuilds from the events.
 */
let sim: RunningTerminalSim
beforeAll(async () => {
  sim = await startTerminalSim({ customerMs: 30, slowMs: 600 })
}, 60_000)
afterAll(async () => {
  await sim?.close()
})

it('card sales, a card refund and a card void verify; a doctored card detail is named', async () => {
  const t = await till(null)
  t.openShift()
  await t.call('terminal-settings-save', {
    endpoint: sim.endpoint,
    poiId: sim.poiId,
    keyIdentifier: sim.keyIdentifier,
    keyVersion: sim.keyVersion,
    passphrase: sim.passphrase,
    caCertPem: sim.caCertPem,
  })
  // A split sale: card, then cash for the rest.
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
  const attemptId = newId()
  await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount: 1200 })
  await t.until(c.id, (x) => x.attempts[0]?.state === 'succeeded')
  await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: c.total - 1200, tendered: 1000 })
  await t.until(c.id, (x) => x.state === 'completed')
  const refundId = newId()
  await t.call('refund-create', { refundId, orderId: c.id, tenderId: attemptId, amount: 300, reason: 'One item back' })
  for (const deadline = Date.now() + 10_000; ; ) {
    const o = await t.call<Order>('order-get', { id: c.id })
    if (o.refunds.find((r) => r.id === refundId)?.state === 'succeeded') break
    if (Date.now() > deadline) throw new Error('the card refund did not succeed')
    await new Promise((r) => setTimeout(r, 20))
  }
  const v = await startCheckout(t, [{ productId: 'p1001', quantity: '5' }])
  await t.call('tender-add', { checkoutId: v.id, attemptId: newId(), flow: 'terminal', amount: 700 })
  await t.until(v.id, (x) => x.attempts[0]?.state === 'succeeded')
  await t.call('checkout-void', { checkoutId: v.id, reason: 'Customer left' })
  await t.until(v.id, (x) => x.state === 'voided')

  const report = verifyLedger(t.core.db)
  expect(report.problem).toBeNull()
  expect(report.rows).toMatchObject({ orders: 1, order_tenders: 2, refunds: 1, voids: 1 })
  const order = await t.call<Order>('order-get', { id: c.id })
  expect(order.tenders[0]!.card?.maskedPan).toBeTruthy()

  const file = join(tempDir(), 'card.sqlite')
  t.core.db.pragma('wal_checkpoint(TRUNCATE)')
  copyFileSync(join(t.dir, 'ledger.sqlite'), file)
  await t.core.close()
  const db = shell(file)
  db.prepare("UPDATE order_tenders SET detail = json_set(detail, '$.card.maskedPan', '4111 11** **** 1111') WHERE id = ?").run(attemptId)
  db.close()
  const ro = new Database(file, { readonly: true })
  const r = verifyLedger(ro)
  ro.close()
  expect(r.problem).toMatchObject({ kind: 'row_differs', seq: order.journal.seq, table: 'order_tenders' })
  expect(r.problem?.message).toContain('detail.card.maskedPan is "4111 11** **** 1111"')
})

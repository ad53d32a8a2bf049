import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Checkout, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { adminCall, createStoreAndDevice, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { startFaultProxy, type Fault } from '../sync/fault-proxy'
import { final, startCheckout, till, walletCode, type Till } from './helpers'

/**
 * QR wallets end to end through the core and a real platform with its sandbox wallets: the till's
 * attempt follows what the wallet did, whatever path it took.
 */

let platform: TestPlatform
beforeAll(async () => {
  platform = await startTestPlatform('pglite')
}, 60_000)
afterAll(async () => {
  await platform?.close()
})

async function pay(codeUrl: string, action: 'pay' | 'decline' = 'pay'): Promise<number> {
  await fetch(codeUrl) // the scan: the phone opens the page
  const res = await fetch(codeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `action=${action}` })
  await res.text()
  return res.status
}

async function platformPayment(t: Till, id: string): Promise<{ state: string; amount: number; refunded: number; refunds: { refundId: string; amount: number; state: string }[] } | undefined> {
  const day = new Date().toISOString().slice(0, 10)
  const res = await adminCall(platform, 'GET', `/v1/admin/stores/${t.storeId}/payments?date=${day}`)
  return (res.body.payments as { paymentId: string; state: string; amount: number; refunded: number; refunds: never[] }[]).find((p) => p.paymentId === id)
}

describe('merchant-presented QR', () => {
  it('shows the code, learns within a second that the customer paid, and completes the order', async () => {
    const t = await till(platform)
    const c = await startCheckout(t)
    const attemptId = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'merchant_qr', wallet: 'alipay', amount: c.total })
    const shown = await t.until(c.id, (x) => x.attempts[0]?.codeUrl != null)
    expect(shown.attempts[0]).toMatchObject({ state: 'awaiting_customer', activity: 'waiting_customer', method: 'alipay', flow: 'merchant_qr' })
    expect(shown.attempts[0]!.expiresAt).not.toBeNull()
    const at = Date.now()
    expect(await pay(shown.attempts[0]!.codeUrl!)).toBe(200)
    const done = await t.until(c.id, (x) => x.state === 'completed', 5_000)
    const latency = Date.now() - at
    expect(latency).toBeLessThan(1_000) // long poll: the platform answers as soon as it knows
    const order = await t.call<Order>('order-get', { id: c.id })
    expect(order.tenders).toMatchObject([{ id: attemptId, method: 'alipay', flow: 'merchant_qr', amount: c.total }])
    expect(order.tenders[0]!.providerRef).toBeTruthy()
    expect(done.attempts[0]!.state).toBe('succeeded')
    expect((await platformPayment(t, attemptId))?.state).toBe('succeeded')
    await t.core.close()
  })

  it('an unpaid QR expires, the platform closes the trade and the till takes another tender', async () => {
    const t = await till(platform)
    t.openShift()
    const owner = await t.call<Record<string, unknown>>('settings-get', {})
    await t.call('settings-update', { ...owner, qrTimeoutSeconds: 5 })
    const c = await startCheckout(t)
    const attemptId = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'merchant_qr', wallet: 'wechat', amount: c.total })
    const failed = await t.until(c.id, (x) => x.attempts[0]?.state === 'failed', 15_000)
    expect(failed.attempts[0]!.failure?.code).toBe('expired')
    expect(failed.remaining).toBe(c.total)
    expect((await platformPayment(t, attemptId))?.state).toBe('failed')
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: c.total, tendered: c.total })
    expect((await t.call<Checkout>('checkout-get', { id: c.id })).state).toBe('completed')
    await t.core.close()
  }, 30_000)

  it('the cashier cancels a shown QR: the trade is closed, nothing is charged', async () => {
    const t = await till(platform)
    const c = await startCheckout(t)
    const attemptId = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'merchant_qr', wallet: 'alipay', amount: c.total })
    const shown = await t.until(c.id, (x) => x.attempts[0]?.codeUrl != null)
    await t.call('tender-cancel', { checkoutId: c.id, attemptId })
    const after = await t.until(c.id, (x) => final(x.attempts[0]!.state), 5_000)
    expect(after.attempts[0]!.state).toBe('failed')
    // The phone can no longer pay it.
    await pay(shown.attempts[0]!.codeUrl!)
    expect((await platformPayment(t, attemptId))?.state).not.toBe('succeeded')
    await t.core.close()
  })
})

describe('customer-presented code', () => {
  it('routes a WeChat code and an Alipay code to their wallets and is paid at once', async () => {
    const t = await till(platform)
    for (const wallet of ['wechat', 'alipay'] as const) {
      const c = await startCheckout(t)
      await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'customer_code', authCode: walletCode(wallet), amount: c.total })
      const done = await t.until(c.id, (x) => x.state === 'completed')
      expect(done.attempts[0]).toMatchObject({ method: wallet, state: 'succeeded' })
    }
    await t.core.close()
  })

  it('the user-paying path: polls until the wallet says paid (third query), never a cashier button', async () => {
    const t = await till(platform)
    const c = await startCheckout(t)
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'customer_code', authCode: walletCode('alipay', '92'), amount: c.total })
    const paying = await t.until(c.id, (x) => x.attempts[0]?.activity === 'user_paying')
    expect(paying.attempts[0]!.state).toBe('awaiting_customer')
    const done = await t.until(c.id, (x) => x.state === 'completed')
    expect(done.attempts[0]!.polls).toBe(3)
    await t.core.close()
  })

  it('a wallet that never finishes is cancelled after the give-up time; declined and system-error paths end where the wallet says', async () => {
    const t = await till(platform)
    const cases: [string, string, string | null][] = [
      ['93', 'failed', null],
      ['91', 'failed', 'declined'],
      ['94', 'succeeded', null],
      ['95', 'succeeded', null],
    ]
    for (const [ending, state, code] of cases) {
      const c = await startCheckout(t)
      const attemptId = newId()
      await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: walletCode(ending === '93' ? 'alipay' : 'wechat', ending), amount: c.total })
      const after = await t.until(c.id, (x) => final(x.attempts[0]!.state), 15_000)
      expect(after.attempts[0]!.state, `code ending ${ending}`).toBe(state)
      if (code) expect(after.attempts[0]!.failure?.code).toBe(code)
      const p = await platformPayment(t, attemptId)
      expect(p?.state === 'succeeded').toBe(state === 'succeeded')
      if (state !== 'succeeded') await t.call('checkout-void', { checkoutId: c.id, reason: 'test' })
    }
    await t.core.close()
  }, 60_000)

  it('QR is unavailable while the platform cannot be reached (connection refused: nothing sent); cash still works', async () => {
    const t = await till(platform)
    t.openShift()
    // The platform's address stops answering: a port where nothing listens refuses the connection.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as AddressInfo).port
        srv.close(() => resolve(port))
      })
    })
    t.core.db.prepare('UPDATE sync_state SET platform_url = ?').run(`http://127.0.0.1:${closed}`)
    const c = await startCheckout(t)
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'customer_code', authCode: walletCode('alipay'), amount: c.total })
    const failed = await t.until(c.id, (x) => final(x.attempts[0]!.state))
    expect(failed.attempts[0]!.failure?.code).toBe('platform_unreachable')
    const status = await t.call<{ qr: { available: boolean; reason: string | null } }>('payments-status', {})
    expect(status.qr).toEqual({ available: false, reason: 'offline' })
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: c.total, tendered: c.total })
    expect((await t.call<Checkout>('checkout-get', { id: c.id })).state).toBe('completed')
    await t.core.close()
  })

  it('a request whose answer is lost stays unknown until a query says what happened: paid once, or never sent and closed', async () => {
    let fault: Fault = 'pass'
    const proxy = await startFaultProxy({ target: () => platform.url, choose: (req) => (req.method === 'POST' && req.path === '/v1/device/payments' ? fault : 'pass') })
    try {
      const t = await till(null)
      const s = await createStoreAndDevice(platform, 'Lossy Mart')
      await t.call('sync-pair', { platformUrl: proxy.url, code: s.code })
      t.storeId = s.storeId
      // The platform charged, the answer was lost: the query finds it paid — charged once.
      fault = 'drop-after'
      const c1 = await startCheckout(t)
      const a1 = newId()
      await t.call('tender-add', { checkoutId: c1.id, attemptId: a1, flow: 'customer_code', authCode: walletCode('wechat'), amount: c1.total })
      const done = await t.until(c1.id, (x) => x.state === 'completed')
      expect(done.attempts[0]!.state).toBe('succeeded')
      const history = t.core.db.prepare('SELECT to_state FROM tender_transitions WHERE attempt_id = ? ORDER BY rowid').all(a1).map((r) => (r as { to_state: string }).to_state)
      expect(history).toEqual(['created', 'unknown', 'succeeded'])
      // The request never arrived: the query finds nothing, the till closes the id and fails it.
      fault = 'drop-before'
      const c2 = await startCheckout(t)
      const a2 = newId()
      await t.call('tender-add', { checkoutId: c2.id, attemptId: a2, flow: 'customer_code', authCode: walletCode('alipay'), amount: c2.total })
      // The create leaves in the background: once the proxy has dropped it, let the rest through.
      for (let i = 0; proxy.counts['drop-before'] === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10))
      fault = 'pass'
      const failed = await t.until(c2.id, (x) => final(x.attempts[0]!.state))
      expect(failed.attempts[0]!.failure?.code).toBe('not_sent')
      // The id is closed at the platform: a late copy of the create cannot charge.
      expect((await platformPayment(t, a2))?.state ?? 'failed').toBe('failed')
      expect(proxy.counts['drop-after']).toBe(1)
      expect(proxy.counts['drop-before']).toBe(1)
      await t.core.close()
    } finally {
      await proxy.close()
    }
  })
})

describe('QR refunds and voids', () => {
  it('partial refunds up to the tender and one cent over; the same refund id again refunds once', async () => {
    const t = await till(platform)
    const c = await startCheckout(t) // ¥6.00
    const attemptId = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: walletCode('wechat'), amount: c.total })
    await t.until(c.id, (x) => x.state === 'completed')
    const refundId = newId()
    await t.call('refund-create', { refundId, orderId: c.id, tenderId: attemptId, amount: 250, reason: 'Damaged' })
    const untilRefund = async (id: string, state: string): Promise<Order> => {
      const deadline = Date.now() + 10_000
      for (;;) {
        const o = await t.call<Order>('order-get', { id: c.id })
        if (o.refunds.find((r) => r.id === id)?.state === state) return o
        if (Date.now() > deadline) throw new Error(`refund ${id} not ${state}: ${JSON.stringify(o.refunds)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    await untilRefund(refundId, 'succeeded')
    await t.call('refund-create', { refundId, orderId: c.id, tenderId: attemptId, amount: 250, reason: 'Damaged' })
    await expect(t.call('refund-create', { refundId: newId(), orderId: c.id, tenderId: attemptId, amount: 351, reason: 'Too much' })).rejects.toMatchObject({ code: 'refund_exceeds', details: { refundable: 350, amount: 351 } })
    const rest = newId()
    await t.call('refund-create', { refundId: rest, orderId: c.id, tenderId: attemptId, amount: 350, reason: 'Rest' })
    await untilRefund(rest, 'succeeded')
    const p = await platformPayment(t, attemptId)
    expect(p?.refunded).toBe(600)
    expect(p?.refunds.map((r) => r.amount).sort()).toEqual([250, 350])
    expect(t.core.db.prepare("SELECT count(*) AS n FROM journal WHERE type = 'refund.completed'").get()).toEqual({ n: 2 })
    await t.core.close()
  })

  it('voiding a sale with a paid QR tender reverses it at the wallet', async () => {
    const t = await till(platform)
    const c = await startCheckout(t, [{ productId: 'p1001', quantity: '5' }]) // ¥10.00
    const attemptId = newId()
    await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: walletCode('alipay'), amount: 400 })
    await t.until(c.id, (x) => x.attempts[0]?.state === 'succeeded')
    await t.call('checkout-void', { checkoutId: c.id, reason: 'Customer changed their mind' })
    const voided = await t.until(c.id, (x) => x.state === 'voided')
    expect(voided.attempts[0]!.state).toBe('reversed')
    expect((await platformPayment(t, attemptId))?.state).toBe('reversed')
    await t.core.close()
  })
})

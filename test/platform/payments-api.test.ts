import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { newId } from '../../src/shared/ids'
import { PaymentSchema } from '../../src/shared/payments'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import {
  TestClock,
  authCode,
  cancel,
  codeBody,
  create,
  expectError,
  expectPayment,
  expectRefund,
  get,
  luhnAlipayCode,
  paymentCounts,
  phone,
  qrBody,
  refund,
  refundGet,
} from './payments-support'
import { Chain, pairDevice, type TestDevice } from './support'

const CARD = '4111 1111 1111 1111'

describe.each(PLATFORM_BACKENDS)('wallet payments: the device API on %s', (backend) => {
  let p: TestPlatform
  let d: TestDevice
  let other: TestDevice
  const clock = new TestClock()
  beforeAll(async () => {
    p = await startTestPlatform(backend, { now: clock.now, logger: !!process.env.PLOG })
    d = await pairDevice(p, { now: clock.now, storeName: 'Store A' })
    other = await pairDevice(p, { now: clock.now, storeName: 'Store B' })
  })
  afterAll(async () => {
    await p?.close()
  })

  describe('create: the paymentId is the out_trade_no', () => {
    it('the same id and parameters answer the payment as it stands (no second charge); other parameters are payment_conflict', async () => {
      const b = codeBody('alipay', 1092) // user paying: the state moves only when queried
      const first = expectPayment(await create(d, b))
      const again = expectPayment(await create(d, b))
      expect({ ...again, serverTime: '' }).toEqual({ ...first, serverTime: '' })
      expect((await p.db.query('SELECT * FROM sandbox_trades WHERE out_trade_no = $1', [b.paymentId])).length).toBe(1)
      // a replay does not query the wallet: it is still the first query that counts
      const q = await p.db.query<{ queries: number }>('SELECT queries FROM sandbox_trades WHERE out_trade_no = $1', [b.paymentId])
      expect(q[0]!.queries).toBe(0)
      expectError(await create(d, { ...b, amount: 1093 }), 'payment_conflict', 409)
      expectError(await create(d, { ...b, subject: 'Another' }), 'payment_conflict', 409)
      expectError(await create(d, { ...b, authCode: authCode('alipay') }), 'payment_conflict', 409)
      // the same id from another store's till is a conflict too
      expectError(await create(other, b), 'payment_conflict', 409)
    })

    it('a merchant QR replay answers the same codeUrl', async () => {
      const b = qrBody('wechat', 2000)
      const first = expectPayment(await create(d, b))
      expect(expectPayment(await create(d, b)).codeUrl).toBe(first.codeUrl)
      expectError(await create(d, { ...b, expiresInSeconds: 60 }), 'payment_conflict', 409)
      expectError(await create(d, { ...b, wallet: 'alipay' }), 'payment_conflict', 409)
    })

    it('an id cancelled before it was created is a tombstone: the late create is payment_closed', async () => {
      const id = newId()
      const tomb = expectPayment(await cancel(d, id))
      expect(tomb).toMatchObject({ paymentId: id, state: 'failed', amount: 0, providerStatus: 'NOT_CREATED', failure: { code: 'cancelled' } })
      const before = await paymentCounts(p)
      expectError(await create(d, codeBody('alipay', 1000, authCode('alipay'), { paymentId: id })), 'payment_closed', 409)
      expectError(await create(d, qrBody('wechat', 1000, { paymentId: id })), 'payment_closed', 409)
      expect(await paymentCounts(p)).toEqual(before) // nothing charged at the wallet
      expect(expectPayment(await cancel(d, id)).state).toBe('failed') // cancelling again: the same answer
      expect(expectPayment(await get(d, id)).state).toBe('failed')
      expectError(await refund(d, id, { refundId: newId(), amount: 1 }), 'not_found', 404)
    })

    it('refuses wrong types, out-of-range amounts, NaN-like strings and unknown fields (invalid_request), storing nothing', async () => {
      const before = await paymentCounts(p)
      const bad: unknown[] = [
        { ...codeBody('alipay', 100), amount: '100' },
        { ...codeBody('alipay', 100), amount: -1 },
        { ...codeBody('alipay', 100), amount: 0 },
        { ...codeBody('alipay', 100), amount: 1.5 },
        { ...codeBody('alipay', 100), amount: 1e15 },
        { ...codeBody('alipay', 100), amount: 'NaN' },
        { ...codeBody('alipay', 100), amount: 'Infinity' },
        { ...codeBody('alipay', 100), amount: null },
        { ...codeBody('alipay', 100), paymentId: 'order-1' },
        { ...codeBody('alipay', 100), wallet: 'paypal' },
        { ...codeBody('alipay', 100), authCode: '28abc' },
        { ...codeBody('alipay', 100), extra: 1 },
        { ...codeBody('alipay', 100), currency: 'USD' }, // not the store's currency
        codeBody('alipay', 100, authCode('wechat')), // a WeChat code for Alipay
        codeBody('wechat', 100, '999999999999999999'), // no wallet's code
        { ...qrBody('alipay', 100), expiresInSeconds: 4 },
        { ...qrBody('alipay', 100), expiresInSeconds: 'soon' },
        { ...qrBody('alipay', 100), flow: 'terminal' },
        { ...qrBody('alipay', 100), subject: '' },
      ]
      for (const body of bad) expectError(await create(d, body), 'invalid_request', 400)
      expectError(await d.call('POST', '/v1/device/payments', { rawBody: '{"amount": NaN}' }), 'invalid_request', 400)
      const id = expectPayment(await create(d, codeBody('wechat', 100))).paymentId
      for (const q of ['?waitMs=abc', '?waitMs=-1', '?waitMs=25001', '?unlessState=paid&waitMs=10', '?other=1']) expectError(await get(d, id, q), 'invalid_request', 400)
      expectError(await get(d, 'not-a-ulid'), 'invalid_request', 400)
      expect((await paymentCounts(p)).wallet_payments).toBe(before.wallet_payments! + 1)
    })
  })

  describe('long poll', () => {
    it('wakes within a second of the customer paying on the page (real HTTP), and cleans up its waiter', async () => {
      const created = expectPayment(await create(d, qrBody('alipay', 3000)))
      await phone(created.codeUrl!)
      const started = Date.now()
      const poll = get(d, created.paymentId, '?unlessState=awaiting_customer&waitMs=20000')
      await vi.waitFor(() => expect(p.running.payments.notifier.size).toBe(1), { timeout: 5000, interval: 5 })
      const paid = await phone(created.codeUrl!, 'pay')
      const paidAt = Date.now()
      expect(paid.status).toBe(200)
      const answer = expectPayment(await poll)
      const woke = Date.now() - paidAt
      expect(answer.state).toBe('succeeded')
      expect(woke).toBeLessThan(1000)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(p.running.payments.notifier.size).toBe(0)
    })

    it('answers at once when the state already differs, and after waitMs when nothing changes', async () => {
      const created = expectPayment(await create(d, qrBody('wechat', 3000)))
      const t0 = Date.now()
      expect(expectPayment(await get(d, created.paymentId, '?unlessState=awaiting_customer&waitMs=20000')).state).toBe('pending_scan')
      expect(Date.now() - t0).toBeLessThan(2000)
      const t1 = Date.now()
      expect(expectPayment(await get(d, created.paymentId, '?unlessState=pending_scan&waitMs=300')).state).toBe('pending_scan')
      expect(Date.now() - t1).toBeGreaterThanOrEqual(290)
      expect(p.running.payments.notifier.size).toBe(0)
    })

    it('wakes on the page being opened (pending_scan → awaiting_customer) and on a cancel from another request', async () => {
      const created = expectPayment(await create(d, qrBody('wechat', 3000)))
      const poll = get(d, created.paymentId, '?unlessState=pending_scan&waitMs=20000')
      await vi.waitFor(() => expect(p.running.payments.notifier.size).toBe(1), { timeout: 5000, interval: 5 })
      await phone(created.codeUrl!)
      expect(expectPayment(await poll).state).toBe('awaiting_customer')
      const poll2 = get(d, created.paymentId, '?unlessState=awaiting_customer&waitMs=20000')
      await vi.waitFor(() => expect(p.running.payments.notifier.size).toBe(1), { timeout: 5000, interval: 5 })
      expect(expectPayment(await cancel(d, created.paymentId)).state).toBe('failed')
      expect(expectPayment(await poll2)).toMatchObject({ state: 'failed', failure: { code: 'cancelled' } })
    })

    it('stops holding when the client goes away', async () => {
      const created = expectPayment(await create(d, qrBody('alipay', 3000)))
      const ac = new AbortController()
      const path = `/v1/device/payments/${created.paymentId}?unlessState=pending_scan&waitMs=20000`
      const { signRequest } = await import('../../src/main/core/sync/signing')
      const headers = signRequest({ method: 'GET', path, body: '', deviceId: d.deviceId, secret: (d as unknown as { secret: string }).secret, now: clock.now() })
      const pending = fetch(p.url + path, { headers, signal: ac.signal }).catch(() => 'aborted')
      await vi.waitFor(() => expect(p.running.payments.notifier.size).toBe(1), { timeout: 5000, interval: 5 })
      ac.abort()
      expect(await pending).toBe('aborted')
      await vi.waitFor(() => expect(p.running.payments.notifier.size).toBe(0), { timeout: 5000, interval: 5 })
    })
  })

  describe('merchant QR expiry', () => {
    it('closes the trade when read after expiresInSeconds (platform clock); the page then refuses to pay', async () => {
      const created = expectPayment(await create(d, qrBody('alipay', 4000, { expiresInSeconds: 30 })))
      await phone(created.codeUrl!)
      clock.advance(29_000)
      expect(expectPayment(await get(d, created.paymentId)).state).toBe('awaiting_customer')
      clock.advance(1_000)
      const expired = expectPayment(await get(d, created.paymentId))
      expect(expired).toMatchObject({ state: 'failed', failure: { code: 'expired' }, providerStatus: 'TRADE_CLOSED' })
      const page = await phone(created.codeUrl!, 'pay')
      expect(page.status).toBe(409)
      expect(page.html).toContain('二维码已过期')
      const trade = await p.db.query<{ status: string }>('SELECT status FROM sandbox_trades WHERE out_trade_no = $1', [created.paymentId])
      expect(trade[0]!.status).toBe('closed')
    })

    it('an unscanned QR expires too (Alipay never had a trade), and a cancel after expiry says expired', async () => {
      const created = expectPayment(await create(d, qrBody('alipay', 4000, { expiresInSeconds: 10 })))
      clock.advance(10_000)
      expect(expectPayment(await cancel(d, created.paymentId))).toMatchObject({ state: 'failed', failure: { code: 'expired' } })
      expect((await phone(created.codeUrl!)).html).toContain('二维码已过期')
    })

    it('a long poll wakes at the expiry by itself (timer)', async () => {
      const created = expectPayment(await create(d, qrBody('wechat', 4000, { expiresInSeconds: 5 })))
      const t0 = Date.now()
      const answer = expectPayment(await get(d, created.paymentId, '?unlessState=pending_scan&waitMs=15000'))
      expect(answer).toMatchObject({ state: 'failed', failure: { code: 'expired' } })
      expect(Date.now() - t0).toBeLessThan(9000)
    })

    it('a customer who paid just before the expiry is paid, not expired', async () => {
      const created = expectPayment(await create(d, qrBody('wechat', 4094, { expiresInSeconds: 10 }))) // 94: the notify is lost
      await phone(created.codeUrl!, 'pay')
      clock.advance(11_000)
      expect(expectPayment(await get(d, created.paymentId)).state).toBe('succeeded')
    })
  })

  describe('cancel', () => {
    it('reverses a paid payment (Alipay cancel refunds it)', async () => {
      const paid = expectPayment(await create(d, codeBody('alipay', 5000)))
      expect(paid.state).toBe('succeeded')
      const r = expectPayment(await cancel(d, paid.paymentId))
      expect(r).toMatchObject({ state: 'reversed', refunded: 5000, providerStatus: 'TRADE_CLOSED' })
      expectError(await refund(d, paid.paymentId, { refundId: newId(), amount: 1 }), 'payment_not_refundable', 409)
    })

    it('WeChat reverses a paid micropay only 15 s after the pay call (the platform retries on the next read)', async () => {
      const paid = expectPayment(await create(d, codeBody('wechat', 5000)))
      expect(expectPayment(await cancel(d, paid.paymentId)).state).toBe('succeeded')
      clock.advance(14_000)
      expect(expectPayment(await get(d, paid.paymentId)).state).toBe('succeeded')
      clock.advance(1_000)
      expect(expectPayment(await get(d, paid.paymentId))).toMatchObject({ state: 'reversed', providerStatus: 'REVOKED', refunded: 5000 })
    })

    it('after Alipay\'s 24 h cancel window, a cancel refunds the rest instead', async () => {
      const paid = expectPayment(await create(d, codeBody('alipay', 5000)))
      expectRefund(await refund(d, paid.paymentId, { refundId: newId(), amount: 1000 }))
      clock.advance(24 * 3600_000 + 1000)
      expect(expectPayment(await cancel(d, paid.paymentId))).toMatchObject({ state: 'reversed', refunded: 5000 })
      const rows = await p.db.query<{ amount: number }>('SELECT amount FROM sandbox_refunds WHERE out_trade_no = $1 ORDER BY amount', [paid.paymentId])
      expect(rows.map((r) => r.amount)).toEqual([1000, 4000])
    })

    it('a WeChat merchant QR that was paid is reversed by a refund (Native orders have no reverse)', async () => {
      const created = expectPayment(await create(d, qrBody('wechat', 5000)))
      await phone(created.codeUrl!, 'pay')
      expect(expectPayment(await cancel(d, created.paymentId))).toMatchObject({ state: 'reversed', refunded: 5000, providerStatus: 'REFUND' })
    })
  })

  describe('refunds (the refundId is the out_request_no)', () => {
    it('partial refunds up to the limit; one minor unit over is refund_exceeds; the fee comes back proportionally', async () => {
      const paid = expectPayment(await create(d, codeBody('alipay', 10_000)))
      expect(paid.fee).toBe(60)
      const r1 = expectRefund(await refund(d, paid.paymentId, { refundId: newId(), amount: 3333, reason: 'damaged' }))
      expect(r1).toMatchObject({ state: 'succeeded', amount: 3333, refundedTotal: 3333, feeRefunded: 20 }) // 3333/10000 × 60 = 19.998
      const over = await refund(d, paid.paymentId, { refundId: newId(), amount: 6668 })
      expectError(over, 'refund_exceeds', 422)
      expect(over.body.error.details).toEqual({ refundable: 6667 })
      const r2 = expectRefund(await refund(d, paid.paymentId, { refundId: newId(), amount: 6666 }))
      expect(r2).toMatchObject({ refundedTotal: 9999, feeRefunded: 40 }) // 6666/6667 × 40 = 39.994
      expectError(await refund(d, paid.paymentId, { refundId: newId(), amount: 2 }), 'refund_exceeds', 422)
      const r3 = expectRefund(await refund(d, paid.paymentId, { refundId: newId(), amount: 1 }))
      expect(r3).toMatchObject({ refundedTotal: 10_000, feeRefunded: 0 }) // the rest of the fee: 60 − 20 − 40
      expectError(await refund(d, paid.paymentId, { refundId: newId(), amount: 1 }), 'refund_exceeds', 422)
      const after = expectPayment(await get(d, paid.paymentId))
      expect(after).toMatchObject({ state: 'succeeded', refunded: 10_000, providerStatus: 'TRADE_CLOSED' })
    })

    it('the same refund id again: no second refund and the same answer; another amount is refund_conflict', async () => {
      const paid = expectPayment(await create(d, codeBody('wechat', 8000)))
      const refundId = newId()
      const first = expectRefund(await refund(d, paid.paymentId, { refundId, amount: 2500 }))
      const again = expectRefund(await refund(d, paid.paymentId, { refundId, amount: 2500 }))
      expect({ ...again, serverTime: '' }).toEqual({ ...first, serverTime: '' })
      const rows = await p.db.query('SELECT * FROM sandbox_refunds WHERE out_trade_no = $1', [paid.paymentId])
      expect(rows).toHaveLength(1)
      expectError(await refund(d, paid.paymentId, { refundId, amount: 2400 }), 'refund_conflict', 409)
      const elsewhere = expectPayment(await create(d, codeBody('wechat', 8000)))
      expectError(await refund(d, elsewhere.paymentId, { refundId, amount: 2500 }), 'refund_conflict', 409)
      expect(expectRefund(await refundGet(d, paid.paymentId, refundId))).toMatchObject({ refundId, amount: 2500, state: 'succeeded', refundedTotal: 2500 })
      expectError(await refundGet(d, paid.paymentId, newId()), 'not_found', 404)
      expectError(await refundGet(d, elsewhere.paymentId, refundId), 'not_found', 404)
      expect(expectPayment(await get(d, paid.paymentId))).toMatchObject({ refunded: 2500, providerStatus: 'REFUND' })
    })

    it('refuses refunds of payments that are not paid, and of unknown payments', async () => {
      const qr = expectPayment(await create(d, qrBody('alipay', 1000)))
      expectError(await refund(d, qr.paymentId, { refundId: newId(), amount: 1 }), 'payment_not_refundable', 409)
      const declined = expectPayment(await create(d, codeBody('wechat', 1091)))
      expectError(await refund(d, declined.paymentId, { refundId: newId(), amount: 1 }), 'payment_not_refundable', 409)
      expectError(await refund(d, newId(), { refundId: newId(), amount: 1 }), 'not_found', 404)
      for (const body of [{ refundId: newId(), amount: 0 }, { refundId: newId(), amount: -5 }, { refundId: newId(), amount: '5' }, { refundId: 'r1', amount: 5 }, { refundId: newId() }]) {
        expectError(await refund(d, qr.paymentId, body), 'invalid_request', 400)
      }
    })

    it('a processing payment is resolved before its refund', async () => {
      const b = codeBody('alipay', 2094)
      expect(expectPayment(await create(d, b)).state).toBe('processing')
      expect(expectRefund(await refund(d, b.paymentId, { refundId: newId(), amount: 94 }))).toMatchObject({ state: 'succeeded', refundedTotal: 94 })
    })
  })

  describe('card numbers are refused everywhere, and nothing is stored', () => {
    it('in any field of a payment body, a refund, a query, an admin body or an event batch', async () => {
      const paid = expectPayment(await create(d, codeBody('alipay', 1000)))
      const before = await paymentCounts(p)
      const cases = [
        () => create(d, { ...codeBody('alipay', 1000), subject: `${CARD} (card)` }),
        () => create(d, { ...qrBody('wechat', 1000), subject: '4111111111111111' }),
        () => create(d, { ...codeBody('alipay', 1000), authCode: '4111111111111111' }), // a card where a wallet code belongs
        () => create(d, { ...codeBody('alipay', 1000), note: 'card:5500-0000-0000-0004' }), // even an unknown field
        () => refund(d, paid.paymentId, { refundId: newId(), amount: 1, reason: `refund to 4111111111111111` }),
        () => get(d, paid.paymentId, '?waitMs=4111111111111111'),
        () => adminCall(p, 'POST', '/v1/admin/stores', { name: `Shop/${CARD}` }),
        () => adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { scenario: '4111111111111111' }),
        () => {
          const c = new Chain(d.journalDeviceId)
          return d.call('POST', '/v1/device/events', { body: { events: [c.next('shift.opened', { by: 'Li Na', card: '4111111111111111' })] } })
        },
      ]
      for (const run of cases) {
        const r = await run()
        expectError(r, 'card_number_refused', 400)
        expect(JSON.stringify(r.body)).not.toContain('4111')
      }
      expect(await paymentCounts(p)).toEqual(before)
    })

    it('accepts an Alipay payment code that happens to pass Luhn in authCode, and GTIN barcodes in a catalog', async () => {
      const code = luhnAlipayCode()
      expect(expectPayment(await create(d, codeBody('alipay', 1000, code))).state).toBe('succeeded')
      expectError(await create(d, { ...codeBody('alipay', 1000), subject: code }), 'card_number_refused', 400)
      const r = await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/catalog`, {
        categories: [{ id: 'c1', nameEn: 'Drinks', nameZh: '饮料', sort: 0 }],
        taxes: [{ id: 'vat13', name: 'VAT 13%', rate: '13' }],
        taxClasses: [{ id: 'std', name: 'Standard', taxIds: ['vat13'] }],
        products: [{ id: 'p1', sku: 'S1', nameEn: 'Tea', nameZh: '茶', categoryId: 'c1', taxClassId: 'std', price: 300, unit: 'each', barcodes: ['6901234567892'], active: true }],
      })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
    })
  })

  describe('stores', () => {
    it("another store's device cannot read, cancel or refund a payment", async () => {
      const paid = expectPayment(await create(d, codeBody('wechat', 1000)))
      expectError(await get(other, paid.paymentId), 'not_found', 404)
      expectError(await cancel(other, paid.paymentId), 'not_found', 404)
      expectError(await refund(other, paid.paymentId, { refundId: newId(), amount: 1 }), 'not_found', 404)
      expect(expectPayment(await get(d, paid.paymentId)).state).toBe('succeeded')
    })

    it('store-payments lists a day of payments with their refunds (admin); tombstones are left out', async () => {
      const paid = expectPayment(await create(d, codeBody('alipay', 7000)))
      const refundId = newId()
      expectRefund(await refund(d, paid.paymentId, { refundId, amount: 700 }))
      await cancel(d, newId())
      const date = clock.now().toISOString().slice(0, 10)
      const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/payments?date=${date}`)
      expect(r.status).toBe(200)
      const mine = r.body.payments.find((x: { paymentId: string }) => x.paymentId === paid.paymentId)
      expect(PaymentSchema.parse(mine)).toBeTruthy()
      expect(mine).toMatchObject({ deviceId: d.deviceId, refunded: 700, refunds: [{ refundId, amount: 700, state: 'succeeded', feeRefunded: 4 }] })
      expect(r.body.payments.every((x: { providerStatus: string }) => x.providerStatus !== 'NOT_CREATED')).toBe(true)
      const b = await adminCall(p, 'GET', `/v1/admin/stores/${other.storeId}/payments?date=${date}`)
      expect(b.body.payments.find((x: { paymentId: string }) => x.paymentId === paid.paymentId)).toBeUndefined()
      expectError(await adminCall(p, 'GET', `/v1/admin/stores/${newId()}/payments?date=${date}`), 'not_found', 404)
      expectError(await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/payments?date=yesterday`), 'invalid_request', 400)
      expectError(await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/payments`), 'invalid_request', 400)
    })
  })

  it('a restart keeps payments, the wallets\' books and the customer page', async () => {
    const qr = expectPayment(await create(d, qrBody('alipay', 6000)))
    const paying = codeBody('wechat', 6092)
    expect(expectPayment(await create(d, paying)).state).toBe('awaiting_customer')
    expect(expectPayment(await get(d, paying.paymentId)).state).toBe('awaiting_customer') // query 1
    await p.restart()
    expect(expectPayment(await get(d, qr.paymentId))).toMatchObject({ state: 'pending_scan', codeUrl: qr.codeUrl })
    expect((await phone(qr.codeUrl!, 'pay')).status).toBe(200)
    expect(expectPayment(await get(d, qr.paymentId)).state).toBe('succeeded')
    expect(expectPayment(await get(d, paying.paymentId)).state).toBe('awaiting_customer') // query 2
    expect(expectPayment(await get(d, paying.paymentId)).state).toBe('succeeded') // query 3
  })
})

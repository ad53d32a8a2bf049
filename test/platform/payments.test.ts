import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { WALLETS, type Wallet } from '../../src/shared/payments'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import {
  TestClock,
  authCode,
  cancel,
  codeBody,
  create,
  expectError,
  expectPayment,
  get,
  phone,
  qrBody,
} from './payments-support'
import { pairDevice, type TestDevice } from './support'

const STATUS = {
  alipay: { paid: 'TRADE_SUCCESS', paying: 'WAIT_BUYER_PAY', systemError: 'ACQ.SYSTEM_ERROR', waitingQr: 'WAIT_BUYER_PAY' },
  wechat: { paid: 'SUCCESS', paying: 'USERPAYING', systemError: 'SYSTEMERROR', waitingQr: 'NOTPAY' },
} as const

describe.each(PLATFORM_BACKENDS)('wallet payments: sandbox scenarios on %s', (backend) => {
  let p: TestPlatform
  let d: TestDevice
  const clock = new TestClock()
  beforeAll(async () => {
    p = await startTestPlatform(backend, { now: clock.now, logger: !!process.env.PLOG })
    d = await pairDevice(p, { now: clock.now, storeName: '日记本便利店 Daybook Mart' })
  })
  afterAll(async () => {
    await p?.close()
  })

  describe.each(WALLETS)('%s, customer code', (wallet: Wallet) => {
    // (a) by amount and (b) by the code's last two digits give the same sequence of states
    const byAmount = (suffix: string) => codeBody(wallet, 1000 + Number(suffix))
    const byCode = (suffix: string) => codeBody(wallet, 1000, authCode(wallet, suffix))

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('success: paid at once, with the fee (by %s)', async (_how, body) => {
      const b = body('00')
      const pay = expectPayment(await create(d, b))
      expect(pay).toMatchObject({ paymentId: b.paymentId, wallet, flow: 'customer_code', state: 'succeeded', providerStatus: STATUS[wallet].paid, refunded: 0, failure: null, codeUrl: null })
      expect(pay.providerRef).toMatch(/^\d{28}$/)
      expect(pay.fee).toBe(6) // 1000 × 60 bp = 6.0
      expect(pay.paidAt).not.toBeNull()
    })

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('91 decline: failed, insufficient balance (by %s)', async (_how, body) => {
      const pay = expectPayment(await create(d, body('91')))
      expect(pay.state).toBe('failed')
      expect(pay.failure?.code).toBe('declined')
      expect(pay.failure?.message).toContain(wallet === 'alipay' ? 'ACQ.BUYER_BALANCE_NOT_ENOUGH' : 'NOTENOUGH')
      expect(pay.fee).toBe(0)
    })

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('92 user paying: awaiting_customer, then paid on the third query (by %s)', async (_how, body) => {
      const b = body('92')
      const states = [expectPayment(await create(d, b))]
      for (let i = 0; i < 3; i++) states.push(expectPayment(await get(d, b.paymentId)))
      expect(states.map((s) => s.state)).toEqual(['awaiting_customer', 'awaiting_customer', 'awaiting_customer', 'succeeded'])
      expect(states[0]!.providerStatus).toBe(STATUS[wallet].paying)
      expect(states[1]!.providerStatus).toBe(STATUS[wallet].paying)
      expect(states[3]!.providerStatus).toBe(STATUS[wallet].paid)
    })

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('93 user paying forever: awaiting until the till cancels (by %s)', async (_how, body) => {
      const b = body('93')
      expect(expectPayment(await create(d, b)).state).toBe('awaiting_customer')
      for (let i = 0; i < 5; i++) expect(expectPayment(await get(d, b.paymentId)).state).toBe('awaiting_customer')
      if (wallet === 'wechat') {
        // WeChat reverses only ≥15 s after the pay call: the cancel waits for the window, on the platform clock
        const early = expectPayment(await cancel(d, b.paymentId))
        expect(early.state).toBe('awaiting_customer')
        clock.advance(15_000)
      }
      const closed = expectPayment(await cancel(d, b.paymentId))
      expect(closed.state).toBe('failed')
      expect(closed.failure?.code).toBe('cancelled')
      expect(expectPayment(await get(d, b.paymentId)).state).toBe('failed')
    })

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('94 system error: processing, then one query finds it paid (by %s)', async (_how, body) => {
      const b = body('94')
      const first = expectPayment(await create(d, b))
      expect(first).toMatchObject({ state: 'processing', providerStatus: STATUS[wallet].systemError })
      expect(expectPayment(await get(d, b.paymentId))).toMatchObject({ state: 'succeeded', providerStatus: STATUS[wallet].paid })
    })

    it.each([
      ['amount', byAmount],
      ['code', byCode],
    ])('95 timeout: processing, then one query finds it paid (by %s)', async (_how, body) => {
      const b = body('95')
      expect(expectPayment(await create(d, b))).toMatchObject({ state: 'processing', providerStatus: 'NO_ANSWER', providerRef: null })
      const paid = expectPayment(await get(d, b.paymentId))
      expect(paid.state).toBe('succeeded')
      expect(paid.providerRef).toMatch(/^\d{28}$/)
    })
  })

  describe.each(WALLETS)('%s, merchant QR and the customer page', (wallet: Wallet) => {
    it('pending_scan → (page opened) awaiting_customer → (Pay) succeeded; the page shows store, amount, wallet', async () => {
      const b = qrBody(wallet, 1234)
      const created = expectPayment(await create(d, b))
      expect(created).toMatchObject({ state: 'pending_scan', providerRef: null, fee: 0 })
      expect(created.codeUrl).toMatch(new RegExp(`^${p.url.replace(/[.]/g, '\\.')}/sandbox/pay/[A-Za-z0-9_-]{32}$`))
      expect(new Date(created.expiresAt!).getTime() - new Date(created.serverTime).getTime()).toBe(120_000)
      expect(expectPayment(await get(d, b.paymentId)).state).toBe('pending_scan')
      if (wallet === 'alipay') {
        // before the scan, Alipay has no trade at all
        const trade = await p.db.query<{ status: string; scanned: boolean }>('SELECT status, scanned FROM sandbox_trades WHERE out_trade_no = $1', [b.paymentId])
        expect(trade[0]).toMatchObject({ status: 'unscanned', scanned: false })
      }
      const page = await phone(created.codeUrl!)
      expect(page.status).toBe(200)
      expect(page.html).toContain('日记本便利店 Daybook Mart')
      expect(page.html).toContain('¥12.34')
      expect(page.html).toContain(wallet === 'alipay' ? '支付宝 Alipay' : '微信支付 WeChat Pay')
      expect(page.html).toMatch(/付款 Pay/)
      expect(page.html).toMatch(/拒绝 Decline/)
      expect(expectPayment(await get(d, b.paymentId))).toMatchObject({ state: 'awaiting_customer', providerStatus: STATUS[wallet].waitingQr })
      const paid = await phone(created.codeUrl!, 'pay')
      expect(paid.status).toBe(200)
      expect(paid.html).toContain('支付成功')
      const after = expectPayment(await get(d, b.paymentId))
      expect(after).toMatchObject({ state: 'succeeded', providerStatus: STATUS[wallet].paid, fee: 7 }) // 1234 × 0.6 % = 7.404
      // paying again is refused, and the till's answer does not change
      expect((await phone(created.codeUrl!, 'pay')).status).toBe(409)
      expect(expectPayment(await get(d, b.paymentId)).state).toBe('succeeded')
    })

    it('Decline on the page: failed (declined)', async () => {
      const created = expectPayment(await create(d, qrBody(wallet, 500)))
      const r = await phone(created.codeUrl!, 'decline')
      expect(r.status).toBe(200)
      const after = expectPayment(await get(d, created.paymentId))
      expect(after.state).toBe('failed')
      expect(after.failure?.code).toBe('declined')
    })

    it('91: Pay is declined (insufficient balance)', async () => {
      const created = expectPayment(await create(d, qrBody(wallet, 591)))
      await phone(created.codeUrl!)
      expect((await phone(created.codeUrl!, 'pay')).html).toContain('余额不足')
      expect(expectPayment(await get(d, created.paymentId))).toMatchObject({ state: 'failed', failure: { code: 'declined' } })
    })

    it('92: after Pay, paid on the third query', async () => {
      const created = expectPayment(await create(d, qrBody(wallet, 592)))
      await phone(created.codeUrl!, 'pay')
      const states: string[] = []
      for (let i = 0; i < 3; i++) states.push(expectPayment(await get(d, created.paymentId)).state)
      expect(states).toEqual(['awaiting_customer', 'awaiting_customer', 'succeeded'])
    })

    it('93: after Pay, paying until the till cancels', async () => {
      const created = expectPayment(await create(d, qrBody(wallet, 593)))
      await phone(created.codeUrl!, 'pay')
      for (let i = 0; i < 4; i++) expect(expectPayment(await get(d, created.paymentId)).state).toBe('awaiting_customer')
      expect(expectPayment(await cancel(d, created.paymentId))).toMatchObject({ state: 'failed', failure: { code: 'cancelled' } })
    })

    it.each([594, 595])('%i: paid on the page, the notify is lost; the next query finds it', async (amount) => {
      const created = expectPayment(await create(d, qrBody(wallet, amount)))
      await phone(created.codeUrl!, 'pay')
      const trade = await p.db.query<{ status: string }>('SELECT status FROM sandbox_trades WHERE out_trade_no = $1', [created.paymentId])
      expect(trade[0]!.status).toBe('paid')
      expect(expectPayment(await get(d, created.paymentId)).state).toBe('succeeded')
    })
  })

  describe('(c) the admin override', () => {
    it('overrides the next N payments of a wallet, then the amount rules apply again', async () => {
      const r = await adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { wallet: 'alipay', scenario: 'decline', count: 2 })
      expect(r.status).toBe(200)
      expect(r.body).toEqual({ wallet: 'alipay', scenario: 'decline', count: 2 })
      expect(expectPayment(await create(d, codeBody('wechat', 1000))).state).toBe('succeeded') // the other wallet is not affected
      expect(expectPayment(await create(d, codeBody('alipay', 1000))).state).toBe('failed')
      expect(expectPayment(await create(d, codeBody('alipay', 1000))).state).toBe('failed')
      expect(expectPayment(await create(d, codeBody('alipay', 1000))).state).toBe('succeeded')
    })

    it('without a wallet it applies to either; it beats the amount and the code; count defaults to 1', async () => {
      expect((await adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { scenario: 'system_error_then_success' })).body).toEqual({ scenario: 'system_error_then_success', count: 1 })
      expect(expectPayment(await create(d, codeBody('wechat', 1091, authCode('wechat', '91')))).state).toBe('processing')
      expect(expectPayment(await create(d, codeBody('wechat', 1091))).state).toBe('failed')
    })

    it('applies to merchant QR payments too', async () => {
      await adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { wallet: 'wechat', scenario: 'user_paying_then_success', count: 1 })
      const created = expectPayment(await create(d, qrBody('wechat', 1000)))
      await phone(created.codeUrl!, 'pay')
      expect(expectPayment(await get(d, created.paymentId)).state).toBe('awaiting_customer')
    })

    it('refuses a bad scenario, and callers without the admin token', async () => {
      expectError(await adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { scenario: 'jackpot' }), 'invalid_request', 400)
      expectError(await adminCall(p, 'PUT', '/v1/admin/sandbox/scenario', { scenario: 'decline', count: 0 }), 'invalid_request', 400)
      expectError(await adminCall({ url: p.url, adminToken: 'x'.repeat(40) }, 'PUT', '/v1/admin/sandbox/scenario', { scenario: 'decline' }), 'unauthorized', 401)
    })
  })

  it('an unknown page token is 404; a POST without an action is 400', async () => {
    expect((await phone(`${p.url}/sandbox/pay/${'A'.repeat(32)}`)).status).toBe(404)
    const created = expectPayment(await create(d, qrBody('alipay', 1000)))
    const r = await fetch(created.codeUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=steal' })
    expect(r.status).toBe(400)
    expect(expectPayment(await get(d, created.paymentId)).state).toBe('pending_scan')
    // a JSON body works too
    const j = await fetch(created.codeUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pay' }) })
    expect(j.status).toBe(200)
    expect(expectPayment(await get(d, created.paymentId)).state).toBe('succeeded')
  })

  it('each payment gets its own unguessable page', async () => {
    const a = expectPayment(await create(d, qrBody('alipay', 1000)))
    const b = expectPayment(await create(d, qrBody('alipay', 1000)))
    expect(a.codeUrl).not.toBe(b.codeUrl)
    expect(newId()).not.toBe(a.paymentId)
  })
})

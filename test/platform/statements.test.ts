import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDailyStatement, sandboxMerchantId, writeBill } from '../../src/platform/sandbox/bills'
import { newId } from '../../src/shared/ids'
import type { Payment, PaymentRefund, Wallet } from '../../src/shared/payments'
import { ProviderLookupSchema, type StatementRow } from '../../src/shared/statements/types'
import { parseAlipayBill } from '../../src/shared/statements/alipay'
import { parseStatementFile } from '../../src/shared/statements/index'
import { parseWechatBill } from '../../src/shared/statements/wechat'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { authCode, cancel, codeBody, create, expectError, expectPayment, expectRefund, phone, qrBody, refund, type TestClock } from './payments-support'
import {
  alipayBillQuery,
  clockAt,
  download,
  downloadPathPattern,
  moveTo,
  only,
  refetch,
  rowsOf,
  statementsFor,
  wechatBillQuery,
  type RowKey,
} from './statements-support'
import { pairDevice, type TestDevice } from './support'

/**
 * The platform's provider statements (issue 11): fees per store and wallet, the sandbox wallets'
 * daily bills served the way the providers serve them (T+1 09:00, a download URL that works 30 s),
 * the statements the till fetches, equal to the trades the sandbox holds, and the differences the
 * sandbox puts in a bill on purpose.
 */

const A = '2026-11-20'
const B = '2026-11-21'
const C = '2026-11-22'

type StorePayment = Payment & { deviceId: string; refunds: PaymentRefund[] }

/** The rows a wallet's bill of `date` must hold for these payments (paid that day, refunds that day). */
function expectedRows(payments: StorePayment[], wallet: Wallet, date: string, payout: string): RowKey[] {
  const rows: StatementRow[] = []
  const base = { line: 0, currency: 'CNY' as const, providerDate: date, batch: null, payoutDate: payout }
  for (const p of payments.filter((x) => x.wallet === wallet && x.paidAt)) {
    rows.push({ ...base, type: 'payment', providerRef: p.providerRef!, merchantRef: p.paymentId, refundRef: null, gross: p.amount, fee: p.fee, net: p.amount - p.fee, providerTime: p.paidAt!.replace(/\.\d{3}Z$/, '.000Z') })
    for (const r of p.refunds.filter((x) => x.state === 'succeeded')) {
      rows.push({ ...base, type: 'refund', providerRef: p.providerRef!, merchantRef: p.paymentId, refundRef: r.refundId, gross: -r.amount, fee: -r.feeRefunded, net: -r.amount + r.feeRefunded, providerTime: '' })
    }
  }
  return rowsOf(rows)
}

/** Compares rows, provider times to the second (the bills print seconds), refund times not at all. */
function sameRows(actual: RowKey[], expected: RowKey[]): void {
  const strip = (rows: RowKey[]) => rows.map((r) => ({ ...r, providerTime: r.type === 'refund' ? '' : new Date(Math.floor(Date.parse(r.providerTime) / 1000) * 1000).toISOString() }))
  expect(strip(actual)).toEqual(strip(expected))
}

describe.each(PLATFORM_BACKENDS)('provider statements on %s', (backend) => {
  let p: TestPlatform
  let d: TestDevice
  let other: TestDevice
  let clock: TestClock
  const dayA: { alipay: string[]; wechat: string[] } = { alipay: [], wechat: [] }

  beforeAll(async () => {
    clock = clockAt(A, 11)
    p = await startTestPlatform(backend, { now: clock.now })
    d = await pairDevice(p, { now: clock.now, storeName: 'Statements Mart' })
    other = await pairDevice(p, { now: clock.now, storeName: 'Another Mart' })
  })
  afterAll(async () => {
    await p?.close()
  })

  const storePayments = async (date: string): Promise<StorePayment[]> => {
    const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/payments?date=${date}`)
    expect(r.status).toBe(200)
    return r.body.payments
  }

  it('fees per store and wallet: defaults, set, the sandbox charges them', async () => {
    const got = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/fees`)
    expect(got.status).toBe(200)
    expect(got.body.fees).toEqual([
      { provider: 'alipay', basisPoints: 60, rounding: 'half_up', source: 'default' },
      { provider: 'wechat', basisPoints: 60, rounding: 'half_up', source: 'default' },
    ])
    const set = await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/fees`, { provider: 'wechat', basisPoints: 54, rounding: 'down' })
    expect(set.status, JSON.stringify(set.body)).toBe(200)
    expect(set.body.fees[1]).toEqual({ provider: 'wechat', basisPoints: 54, rounding: 'down', source: 'store' })
    expectError(await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/fees`, { provider: 'wechat', basisPoints: 10_001 }), 'invalid_request', 400)
    expectError(await adminCall(p, 'PUT', `/v1/admin/stores/${d.storeId}/fees`, { provider: 'card', basisPoints: 10 }), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${newId()}/fees`), 'not_found', 404)

    // day A's trades: Alipay customer code, a merchant QR paid on the phone, a partial refund, a decline; WeChat at 54 bp rounded down
    const a1 = expectPayment(await create(d, codeBody('alipay', 1234)))
    expect(a1.fee).toBe(7) // 7.404
    const qr = expectPayment(await create(d, qrBody('alipay', 2500)))
    expect((await phone(qr.codeUrl!, 'pay')).status).toBe(200)
    const declined = expectPayment(await create(d, codeBody('alipay', 1091)))
    expect(declined.state).toBe('failed')
    expectRefund(await refund(d, a1.paymentId, { refundId: newId(), amount: 500 }))
    const w1 = expectPayment(await create(d, codeBody('wechat', 1999)))
    expect(w1.fee).toBe(10) // 10.7946 rounded down
    const w2 = expectPayment(await create(d, codeBody('wechat', 10_000)))
    expect(w2.fee).toBe(54)
    expect(expectRefund(await refund(d, w2.paymentId, { refundId: newId(), amount: 2500 })).feeRefunded).toBe(14) // 13.5 → 14 (half-even)
    // another store's trade never appears in this store's bills
    expectPayment(await create(other, codeBody('alipay', 4321)))
    dayA.alipay.push(a1.paymentId, qr.paymentId)
    dayA.wechat.push(w1.paymentId, w2.paymentId)
  })

  it('T+1: before D+1 09:00 Beijing (store) time the bill does not exist; the device route says not_yet_available', async () => {
    expect(await alipayBillQuery(p, d.storeId, A)).toMatchObject({ code: '40004', sub_code: 'isp.bill_not_exist' })
    expect(await wechatBillQuery(p, d.storeId, A)).toMatchObject({ status: 400, body: { code: 'NO_STATEMENT_EXIST' } })
    const s = await statementsFor(d, A)
    expect(s.statements).toEqual([])
    expect(s.missing).toEqual([
      { provider: 'alipay', reason: 'not_yet_available', availableAt: '2026-11-21T01:00:00.000Z', message: expect.stringContaining('isp.bill_not_exist') },
      { provider: 'wechat', reason: 'not_yet_available', availableAt: '2026-11-21T01:00:00.000Z', message: expect.stringContaining('NO_STATEMENT_EXIST') },
      { provider: 'card', reason: 'not_configured', availableAt: null, message: expect.any(String) },
    ])
    moveTo(clock, B, 8, 59, 59)
    expect(await alipayBillQuery(p, d.storeId, A)).toMatchObject({ sub_code: 'isp.bill_not_exist' })
    expect(await p.db.query('SELECT * FROM statements')).toEqual([])
  })

  it('after 09:00: a bill_download_url that works for 30 s (platform clock); the sandbox gateway checks its parameters', async () => {
    moveTo(clock, B, 9, 0, 0)
    const q = await alipayBillQuery(p, d.storeId, A)
    expect(q).toMatchObject({ code: '10000', msg: 'Success' })
    expect(q.bill_download_url).toMatch(downloadPathPattern)
    clock.advance(29_000)
    const ok = await download(q.bill_download_url!)
    expect(ok.status).toBe(200)
    expect(ok.contentType).toBe('application/zip')
    clock.advance(1_000)
    expect((await download(q.bill_download_url!)).status).toBe(403)
    expect((await download(`${p.url}/sandbox/bills/${'x'.repeat(32)}`)).status).toBe(404)

    const wx = await wechatBillQuery(p, d.storeId, A)
    expect(wx.status).toBe(200)
    expect(wx.body).toMatchObject({ hash_type: 'SHA1', download_url: expect.stringMatching(downloadPathPattern) })
    clock.advance(30_000)
    expect((await download(wx.body.download_url!)).status).toBe(403)

    expect(await alipayBillQuery(p, d.storeId, A, { method: 'alipay.trade.query' })).toMatchObject({ code: '40002', sub_code: 'isv.invalid-method' })
    expect(await alipayBillQuery(p, d.storeId, A, { billType: 'signcustomer' })).toMatchObject({ code: '40002' })
    expect(await alipayBillQuery(p, d.storeId, '2026-02-30')).toMatchObject({ code: '40002', sub_code: 'isv.invalid-bill-date' })
    expect(await alipayBillQuery(p, newId(), A)).toMatchObject({ code: '40002', sub_code: 'isv.invalid-app-id' })
    expect(await alipayBillQuery(p, d.storeId, A, { token: 'x'.repeat(40) })).toMatchObject({ status: '401' })
    expect(await wechatBillQuery(p, d.storeId, A, 'BOGUS')).toMatchObject({ status: 400, body: { code: 'PARAM_ERROR' } })
  })

  it("each wallet's statement of the day is exactly the store's paid trades and refunds, with the fees charged and payout T+1", async () => {
    const s = await statementsFor(d, A)
    expect(s.missing).toEqual([{ provider: 'card', reason: 'not_configured', availableAt: null, message: expect.any(String) }])
    const payments = await storePayments(A)
    for (const wallet of ['alipay', 'wechat'] as const) {
      const st = only(s, wallet)
      expect(st).toMatchObject({ source: 'provider', date: A, currency: 'CNY', merchantId: sandboxMerchantId(d.storeId, wallet), format: wallet === 'alipay' ? 'alipay_bill_zip' : 'wechat_trade_bill' })
      sameRows(rowsOf(st.rows), expectedRows(payments, wallet, A, B))
      expect(st.rows.map((r) => r.merchantRef).filter((x, i, a) => a.indexOf(x) === i).sort()).toEqual([...dayA[wallet]].sort())
      const pay = st.rows.filter((r) => r.type === 'payment')
      const ref = st.rows.filter((r) => r.type === 'refund')
      expect(st.totals).toEqual({
        payments: { count: pay.length, gross: pay.reduce((x, r) => x + r.gross, 0), fee: pay.reduce((x, r) => x + r.fee, 0) },
        refunds: { count: ref.length, gross: ref.reduce((x, r) => x + r.gross, 0), fee: ref.reduce((x, r) => x + r.fee, 0) },
        net: st.rows.reduce((x, r) => x + r.net, 0),
      })
      expect(st.rows.every((r) => r.line > 0 && r.net === r.gross - r.fee)).toBe(true)
    }
    // asked again: the stored statement, not a new one
    const again = await statementsFor(d, A)
    expect(again.statements.map((x) => x.id)).toEqual(s.statements.map((x) => x.id))
    // fetched again from the provider: the same file, so the same statement
    const re = await refetch(p, d.storeId, A)
    expect(re.statements.map((x) => x.id).sort()).toEqual(s.statements.map((x) => x.id).sort())
    const list = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/statements?date=${A}`)
    expect(list.body.statements).toHaveLength(2)
  })

  it("round trip: the sandbox's file of a day parses back to exactly the statement built from its books", async () => {
    const store = { id: d.storeId, currency: 'CNY', timeZone: 'Asia/Shanghai' }
    for (const wallet of ['alipay', 'wechat'] as const) {
      const built = await buildDailyStatement(p.db, store, wallet, A)
      expect(built.rows.length).toBeGreaterThan(0)
      const file = writeBill(built, store, { basisPoints: 54 })
      const parsed = wallet === 'alipay' ? parseAlipayBill(file.bytes) : parseWechatBill(file.bytes)
      expect(parseStatementFile(file.bytes)).toEqual(parsed)
      expect({ ...parsed, rows: rowsOf(parsed.rows) }).toEqual({ ...built, rows: rowsOf(built.rows.map((r) => ({ ...r, payoutDate: null }))) })
    }
  })

  it('differences on purpose: each one asked for is in the file, recorded with the class the till should find', async () => {
    // day B's trades, at 09:01 Beijing
    const mk = async (wallet: Wallet, amount: number) => expectPayment(await create(d, codeBody(wallet, amount, authCode(wallet))))
    const keep = await mk('alipay', 3000)
    const left = await mk('alipay', 1000)
    const changed = await mk('alipay', 2000)
    const late = await mk('alipay', 4000)
    const twice = await mk('alipay', 5000)
    const failed = await mk('alipay', 6091)
    expect(failed.state).toBe('failed')
    const theirs = expectPayment(await create(other, codeBody('alipay', 7000)))

    const put = (body: unknown) => adminCall(p, 'PUT', '/v1/admin/sandbox/statement-differences', body)
    // refused: another store's trade, an unpaid one for missing_payment, the same amount, a paid one for status
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: B, differences: [{ kind: 'missing_payment', outTradeNo: theirs.paymentId }] }), 'invalid_request', 400)
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: B, differences: [{ kind: 'missing_payment', outTradeNo: failed.paymentId }] }), 'invalid_request', 400)
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: B, differences: [{ kind: 'amount', outTradeNo: changed.paymentId, amount: 2000 }] }), 'invalid_request', 400)
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: B, differences: [{ kind: 'status', outTradeNo: keep.paymentId }] }), 'invalid_request', 400)
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: A, differences: [{ kind: 'next_day', outTradeNo: late.paymentId }] }), 'invalid_request', 400)
    expectError(await put({ storeId: newId(), wallet: 'alipay', date: B, differences: [] }), 'not_found', 404)
    expectError(await put({ storeId: d.storeId, wallet: 'alipay', date: B, differences: [{ kind: 'bogus' }] }), 'invalid_request', 400)

    const r = await put({
      storeId: d.storeId,
      wallet: 'alipay',
      date: B,
      availableNow: true,
      differences: [
        { kind: 'extra_payment', amount: 777 },
        { kind: 'missing_payment', outTradeNo: left.paymentId },
        { kind: 'amount', outTradeNo: changed.paymentId, amount: 2100 },
        { kind: 'status', outTradeNo: failed.paymentId },
        { kind: 'next_day', outTradeNo: late.paymentId },
        { kind: 'duplicate', outTradeNo: twice.paymentId },
      ],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const recorded = r.body.differences as { kind: string; outTradeNo: string; providerRef: string; amount: number; expectedClass: string; fileDate: string }[]
    expect(recorded.map((x) => [x.kind, x.expectedClass, x.fileDate])).toEqual([
      ['extra_payment', 'missing_locally', B],
      ['missing_payment', 'missing_at_provider', B],
      ['amount', 'amount_mismatch', B],
      ['status', 'status_mismatch', B],
      ['next_day', 'date_mismatch', C],
      ['duplicate', 'missing_locally', B],
    ])
    expect((await adminCall(p, 'GET', `/v1/admin/sandbox/statement-differences?storeId=${d.storeId}&wallet=alipay&date=${B}`)).body).toEqual(r.body)
    const extra = recorded[0]!
    const dup = recorded[5]!
    expect(extra.amount).toBe(777)
    expect(dup.providerRef).not.toBe(twice.providerRef)

    // availableNow: the bill of B is served at B 09:01, before B+1 09:00
    const s = only(await statementsFor(d, B), 'alipay')
    const byRef = (m: string) => s.rows.filter((x) => x.merchantRef === m)
    expect(byRef(keep.paymentId)).toMatchObject([{ type: 'payment', gross: 3000, fee: 18, providerRef: keep.providerRef }])
    expect(byRef(left.paymentId)).toEqual([])
    expect(byRef(changed.paymentId)).toMatchObject([{ gross: 2100, fee: 13, net: 2087, providerRef: changed.providerRef }])
    expect(byRef(failed.paymentId)).toMatchObject([{ type: 'payment', gross: 6091, fee: 37 }])
    expect(byRef(late.paymentId)).toEqual([])
    expect(byRef(twice.paymentId).map((x) => x.providerRef).sort()).toEqual([twice.providerRef, dup.providerRef].sort())
    expect(byRef(extra.outTradeNo)).toMatchObject([{ type: 'payment', gross: 777, fee: 5, providerRef: extra.providerRef }])
    expect(s.rows).toHaveLength(6)
    expect(s.rows.some((x) => x.merchantRef === theirs.paymentId)).toBe(false)

    // the trade dated to the next provider day is in C's file, just after midnight
    expect((await put({ storeId: d.storeId, wallet: 'alipay', date: C, availableNow: true, differences: [] })).status).toBe(200)
    const c = only(await statementsFor(d, C), 'alipay')
    expect(c.rows).toMatchObject([{ merchantRef: late.paymentId, providerRef: late.providerRef, gross: 4000, providerDate: C, providerTime: '2026-11-21T16:00:05.000Z', payoutDate: '2026-11-23' }])

    // ask again: the provider has the failed one paid, the extra one paid, the duplicate paid, nothing for an unknown id or another store's
    const ask = async (body: unknown) => {
      const x = await d.call('POST', '/v1/device/statements/lookup', { body })
      expect(x.status, JSON.stringify(x.body)).toBe(200)
      return ProviderLookupSchema.parse(x.body)
    }
    expect(await ask({ provider: 'alipay', merchantRef: failed.paymentId, providerRef: null })).toMatchObject({ status: 'paid', amount: 6091, fee: 37, merchantRef: failed.paymentId })
    expect(await ask({ provider: 'alipay', merchantRef: null, providerRef: extra.providerRef })).toMatchObject({ status: 'paid', amount: 777, merchantRef: extra.outTradeNo })
    expect(await ask({ provider: 'alipay', merchantRef: twice.paymentId, providerRef: dup.providerRef })).toMatchObject({ status: 'paid', amount: 5000, providerRef: dup.providerRef })
    expect(await ask({ provider: 'alipay', merchantRef: newId(), providerRef: null })).toMatchObject({ status: 'not_found', amount: null })
    expect(await ask({ provider: 'alipay', merchantRef: theirs.paymentId, providerRef: null })).toMatchObject({ status: 'not_found' })
    expect(await ask({ provider: 'card', merchantRef: newId(), providerRef: null })).toMatchObject({ status: 'unknown' })
    expect(await ask({ provider: 'alipay', merchantRef: dayA.alipay[0]!, providerRef: null })).toMatchObject({ status: 'partially_refunded', amount: 1234, refunded: 500, fee: 7 })

    // replacing the day's differences undoes them: the extra trade goes, the failed trade is unpaid again
    expect((await put({ storeId: d.storeId, wallet: 'alipay', date: B, availableNow: true, differences: [] })).body.differences).toEqual([])
    expect(await ask({ provider: 'alipay', merchantRef: failed.paymentId, providerRef: null })).toMatchObject({ status: 'closed' })
    // a paid payment cancelled (reversed) the same day: its payment row and a refund row without a refund id
    const reversed = await mk('alipay', 1500)
    expect(expectPayment(await cancel(d, reversed.paymentId)).state).toBe('reversed')
    const plain = only(await refetch(p, d.storeId, B), 'alipay')
    expect(plain.rows.filter((x) => x.type === 'payment').map((x) => x.merchantRef).sort()).toEqual([keep, left, changed, late, twice, reversed].map((x) => x.paymentId).sort())
    expect(plain.rows.filter((x) => x.type === 'refund')).toMatchObject([{ merchantRef: reversed.paymentId, providerRef: reversed.providerRef, refundRef: null, gross: -1500, fee: -9, net: -1491 }])
    // and B's file still parses back to exactly the books' statement
    const store = { id: d.storeId, currency: 'CNY', timeZone: 'Asia/Shanghai' }
    const built = await buildDailyStatement(p.db, store, 'alipay', B)
    const parsed = parseAlipayBill(writeBill(built, store, { basisPoints: 60 }).bytes)
    expect(rowsOf(parsed.rows)).toEqual(rowsOf(built.rows.map((r) => ({ ...r, payoutDate: null }))))
  })
})

import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { IngestResponseSchema } from '../../src/shared/platform-api'
import { STATEMENT_UPLOAD_LIMIT_BYTES } from '../../src/shared/statements-api'
import { writeAlipayBill } from '../../src/shared/statements/alipay'
import { totalsOf, type Statement, type StatementRow } from '../../src/shared/statements/types'
import { writeWechatBill } from '../../src/shared/statements/wechat'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { expectError } from './payments-support'
import { expectStored, rowsOf, statementCounts, upload } from './statements-support'
import { Chain, deviceClient, pairDevice, type TestDevice } from './support'

/** Owner uploads of bill files (whole or refused whole), the device routes' auth and input checks, the till's reconciliation events. */

const DAY = '2026-10-01'

function row(over: Partial<StatementRow>): StatementRow {
  const gross = over.gross ?? 1000
  const fee = over.fee ?? 6
  return {
    line: 0,
    type: 'payment',
    providerRef: `4200001234202610010${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`,
    merchantRef: newId(),
    refundRef: null,
    gross,
    fee,
    net: gross - fee,
    currency: 'CNY',
    providerTime: '2026-10-01T03:04:05.000Z',
    providerDate: DAY,
    batch: null,
    payoutDate: null,
    ...over,
  }
}

function statement(provider: 'alipay' | 'wechat', rows: StatementRow[], date = DAY): Statement {
  return { provider, format: provider === 'alipay' ? 'alipay_bill_zip' : 'wechat_trade_bill', merchantId: provider === 'alipay' ? '2088000011112222' : '1900000109', date, currency: 'CNY', rows, totals: totalsOf(rows) }
}

const wechatFile = (s: Statement): Uint8Array => writeWechatBill(s, { appId: 'wx0000000000000001' })
const alipayFile = (s: Statement): Uint8Array => writeAlipayBill(s, { exportedAt: new Date('2026-10-02T01:00:00Z') })
const text = (b: Uint8Array): string => new TextDecoder().decode(b)
const bytes = (t: string): Uint8Array => new TextEncoder().encode(t)

describe.each(PLATFORM_BACKENDS)('statement uploads and the statement routes on %s', (backend) => {
  let p: TestPlatform
  let d: TestDevice
  let storeId: string

  beforeAll(async () => {
    p = await startTestPlatform(backend)
    d = await pairDevice(p, { storeName: 'Upload Mart' })
    storeId = d.storeId
  })
  afterAll(async () => {
    await p?.close()
  })

  it('a good WeChat bill and a good Alipay bill are stored with source upload; the same file twice is the same statement', async () => {
    const wx = statement('wechat', [row({}), row({ gross: 2000, fee: 11 }), row({ type: 'refund', gross: -500, fee: -3, net: -497, refundRef: newId(), providerTime: '2026-10-01T05:00:00.000Z' })])
    wx.rows[2]!.providerRef = wx.rows[1]!.providerRef
    wx.rows[2]!.merchantRef = wx.rows[1]!.merchantRef
    wx.totals = totalsOf(wx.rows)
    const file = wechatFile(wx)
    const stored = expectStored(await upload(p, storeId, file, { contentType: 'text/csv', fileName: 'wechat-20261001.csv' }))
    expect(stored).toMatchObject({ provider: 'wechat', source: 'upload', date: DAY, fileName: 'wechat-20261001.csv', merchantId: '1900000109', totals: wx.totals })
    expect(stored.fileSha256).toMatch(/^[0-9a-f]{64}$/)
    // the file does not say when it is paid out: wallet rows get T+1
    expect(rowsOf(stored.rows)).toEqual(rowsOf(wx.rows.map((r) => ({ ...r, payoutDate: '2026-10-02' }))))
    const before = await statementCounts(p)
    const again = expectStored(await upload(p, storeId, file))
    expect(again.id).toBe(stored.id)
    expect(await statementCounts(p)).toEqual(before)

    const ali = expectStored(await upload(p, storeId, alipayFile(statement('alipay', [row({ providerRef: '2026100122001458860515315453' })])), { contentType: 'application/zip' }))
    expect(ali).toMatchObject({ provider: 'alipay', format: 'alipay_bill_zip', source: 'upload', merchantId: '2088000011112222' })

    const list = await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/statements?date=${DAY}`)
    expect(list.body.statements.map((s: { id: string }) => s.id).sort()).toEqual([stored.id, ali.id].sort())
    expect((await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/statements?provider=alipay`)).body.statements.map((s: { id: string }) => s.id)).toEqual([ali.id])
    // the device sees the uploaded statements of the day
    const dev = await d.call('GET', `/v1/device/statements?date=${DAY}`)
    expect(dev.status).toBe(200)
    expect(dev.body.statements.map((s: { id: string }) => s.id).sort()).toEqual([stored.id, ali.id].sort())
  })

  it('bad files are refused whole: statement_refused with the reason and the line, nothing stored', async () => {
    const before = await statementCounts(p)
    const refusedWith = async (b: Uint8Array | string, reason: string, line: number | null | 'any') => {
      const r = await upload(p, storeId, b)
      expectError(r, 'statement_refused', 422)
      expect(r.body.error.details.reason, JSON.stringify(r.body)).toBe(reason)
      if (line !== 'any') expect(r.body.error.details.line, JSON.stringify(r.body)).toBe(line)
      return r.body.error
    }
    await refusedWith('hello, this is not a bill\n', 'unknown_format', 1)
    const good = wechatFile(statement('wechat', [row({}), row({ gross: 2000, fee: 11 })]))
    const lines = text(good).split('\r\n')
    // a row's amount changed: the rows no longer add up to the trailer
    const tampered = lines.map((l, i) => (i === 1 ? l.replace('`10.00', '`10.50') : l)).join('\r\n')
    expect(tampered).not.toBe(text(good))
    const totals = await refusedWith(bytes(tampered), 'totals', 'any')
    expect(typeof totals.details.line).toBe('number')
    // an amount with three decimals, on line 2
    await refusedWith(bytes(lines.map((l, i) => (i === 1 ? l.replace('`10.00', '`10.005') : l)).join('\r\n')), 'bad_amount', 2)
    // the trailer cut off
    await refusedWith(bytes(lines.slice(0, 3).join('\r\n')), 'truncated', 'any')
    // an Alipay ZIP cut in half
    const zip = alipayFile(statement('alipay', [row({ providerRef: '2026100122001458860515315454' })]))
    await refusedWith(zip.subarray(0, Math.floor(zip.length / 2)), 'bad_zip', 'any')
    // another currency than the store's
    const usd = await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Dollar Shop', currency: 'USD', timeZone: 'America/New_York' })
    const r = await upload(p, usd.body.id, good)
    expectError(r, 'statement_refused', 422)
    expect(r.body.error.details).toEqual({ reason: 'currency', line: null })
    expect(await statementCounts(p)).toEqual(before)
  })

  it('upload input: empty body 400, over 32 MiB 413, unknown store 404, no admin token 401', async () => {
    expectError(await upload(p, storeId, new Uint8Array(0)), 'invalid_request', 400)
    const big = await upload(p, storeId, new Uint8Array(STATEMENT_UPLOAD_LIMIT_BYTES + 1))
    expectError(big, 'payload_too_large', 413)
    expect(big.body.error.message).toContain(String(STATEMENT_UPLOAD_LIMIT_BYTES))
    expectError(await upload(p, newId(), 'x'), 'not_found', 404)
    const res = await fetch(`${p.url}/v1/admin/stores/${storeId}/statements`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/csv' } })
    expect(res.status).toBe(401)
    // JSON routes keep the 1 MiB limit
    const huge = await d.call('POST', '/v1/device/statements/lookup', { rawBody: JSON.stringify({ provider: 'alipay', merchantRef: 'x'.repeat(1_100_000), providerRef: null }) })
    expectError(huge, 'payload_too_large', 413)
  })

  it('device routes: unsigned or forged requests are refused; bad dates, providers and bodies are typed 400s', async () => {
    const unsigned = await fetch(`${p.url}/v1/device/statements?date=${DAY}`)
    expect(unsigned.status).toBe(401)
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('bad_signature')
    const forged = deviceClient(p, { storeId, deviceId: d.deviceId, secret: randomBytes(32).toString('base64url'), journalDeviceId: d.journalDeviceId })
    expectError(await forged.call('GET', `/v1/device/statements?date=${DAY}`), 'bad_signature', 401)
    expectError(await forged.call('POST', '/v1/device/statements/lookup', { body: { provider: 'alipay', merchantRef: newId(), providerRef: null } }), 'bad_signature', 401)
    const stranger = deviceClient(p, { storeId, deviceId: newId(), secret: randomBytes(32).toString('base64url'), journalDeviceId: newId() })
    expectError(await stranger.call('GET', `/v1/device/statements?date=${DAY}`), 'unknown_device', 401)

    for (const q of ['', '?date=2026-13-01', '?date=2026-02-30', '?date=20261001', `?date=${DAY}&provider=alipay`]) {
      expectError(await d.call('GET', `/v1/device/statements${q}`), 'invalid_request', 400)
    }
    const lookup = (body: unknown) => d.call('POST', '/v1/device/statements/lookup', { body })
    expectError(await lookup({ provider: 'paypal', merchantRef: newId(), providerRef: null }), 'invalid_request', 400)
    expectError(await lookup({ provider: 'alipay', merchantRef: null, providerRef: null }), 'invalid_request', 400)
    expectError(await lookup({ provider: 'alipay', merchantRef: '', providerRef: null }), 'invalid_request', 400)
    expectError(await lookup({ provider: 'alipay', merchantRef: newId() }), 'invalid_request', 400)
    expectError(await d.call('POST', '/v1/device/statements/lookup', { rawBody: '{"provider":' }), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/statements?date=yesterday`), 'invalid_request', 400)
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${storeId}/statements?provider=paypal`), 'invalid_request', 400)
  })

  it("the till's reconciliation.completed and reconciliation.resolved events are stored as they came", async () => {
    const c = new Chain(d.journalDeviceId)
    const posting = { businessDate: DAY, shiftId: null, adjustmentOf: null }
    const runId = newId()
    const completed = c.next('reconciliation.completed', {
      runId,
      currency: 'CNY',
      confirmed: [{ provider: 'alipay', method: 'alipay', gross: 1000, fee: 6, net: 994 }],
      fees: [],
      payouts: [],
      differences: [{ id: 'd1', class: 'missing_locally', provider: 'alipay', method: 'alipay', amount: 777, row: { gross: 777, fee: 5, net: 772 }, localGross: null }],
      posting,
    })
    const resolved = c.next('reconciliation.resolved', { resolutionId: newId(), runId, differenceId: 'd1', currency: 'CNY', amount: 777, posting })
    // a newer till's shape the platform does not know yet is kept too
    const odd = c.next('reconciliation.completed', { runId: newId(), someFutureField: true })
    const r = await d.call('POST', '/v1/device/events', { body: { events: [completed, resolved, odd] } })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(IngestResponseSchema.parse(r.body).results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied'])
    const stored = await p.db.query<{ type: string; data: string }>('SELECT type, data FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(stored.map((s) => s.type)).toEqual(['reconciliation.completed', 'reconciliation.resolved', 'reconciliation.completed'])
    expect(JSON.parse(stored[1]!.data)).toEqual(resolved.data)
  })
})

describe('the card acquirer option', () => {
  it('without it the card statement is not_configured; with an acquirer that does not answer it is failed, and the wallets are unaffected', async () => {
    const { startPlatform } = await import('../../src/platform/app')
    const adminToken = randomBytes(24).toString('base64url')
    const running = await startPlatform({
      database: { kind: 'pglite', dataDir: null },
      adminToken,
      now: () => new Date('2026-10-05T02:00:00Z'),
      // a port nothing listens on
      acquirer: { reportUrl: 'http://127.0.0.1:9', username: 'report@Company.Daybook', password: 'secret', merchantAccount: 'DaybookMart' },
    })
    try {
      const p = { url: running.url, adminToken }
      const store = await adminCall(p, 'POST', '/v1/admin/stores', { name: 'Card Mart' })
      const s = await adminCall(p, 'POST', `/v1/admin/stores/${store.body.id}/statements/fetch?date=${DAY}`, {})
      expect(s.status, JSON.stringify(s.body)).toBe(200)
      expect(s.body.missing).toEqual([{ provider: 'card', reason: 'failed', availableAt: null, message: expect.any(String) }])
      expect(s.body.statements.map((x: { provider: string; rows: unknown[] }) => [x.provider, x.rows.length])).toEqual([
        ['alipay', 0],
        ['wechat', 0],
      ])
    } finally {
      await running.close()
    }
  })
})

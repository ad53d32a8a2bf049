import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { TerminalOutcome } from '../../src/main/core/payments/terminal/driver'
import { storeDate } from '../../src/platform/dates'
import { paymentFee } from '../../src/platform/payments/fees'
import { createCardStatementAdapter } from '../../src/platform/statements/card'
import type { StatementCall } from '../../src/platform/statements/adapter'
import { startOfDay } from '../../src/platform/terminal-sim/acquirer'
import type { TerminalSim, TerminalSimOptions } from '../../src/platform/terminal-sim'
import { parseAdyenSettlement } from '../../src/shared/statements/adyen'
import type { Statement, StatementRow } from '../../src/shared/statements/types'
import { disposeDrivers, driverFor, sid, startSim } from './helpers'

/**
 * The terminal simulator plays the acquirer: what the till sells through it (the Adyen driver,
 * encrypted nexo over HTTPS) is booked to settlement batches and served as Adyen's Settlement
 * details report over basic auth; the platform's card statement adapter fetches and parses it.
 */

const TZ = 'Asia/Shanghai'
const BP = 150
const FIXED = 5
const USER = 'report@Company.DaybookTest'
const PASSWORD = 'report-secret-1'

const sims: TerminalSim[] = []
afterEach(async () => {
  disposeDrivers()
  await Promise.all(sims.splice(0).map((s) => s.close()))
})

async function sim(o: TerminalSimOptions['acquirer'] = {}): Promise<TerminalSim> {
  const s = await startSim({ customerMs: 0, acquirer: { merchantAccount: 'DaybookTestPOS', companyAccount: 'DaybookTest', timeZone: TZ, commissionBp: BP, fixedFee: FIXED, reportUser: USER, reportPassword: PASSWORD, ...o } })
  sims.push(s)
  return s
}

type Approved = Extract<TerminalOutcome, { kind: 'approved' }>
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const AUTH = { Authorization: basic(USER, PASSWORD) }
const psp = (poiTransactionId: string): string => poiTransactionId.split('.')[1]!
const fee = (amount: number): number => paymentFee(amount, BP) + FIXED
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

let n = 0
/** A till-like attempt id (ULID-shaped) for SaleTransactionID.TransactionID. */
const attemptId = (): string => `01JACQ${String(process.pid % 10000).padStart(4, '0')}${String(++n).padStart(6, '0')}`.padEnd(26, 'X')

async function pay(s: TerminalSim, amount: number, currency = 'CNY'): Promise<{ transactionId: string; out: TerminalOutcome }> {
  const { driver } = driverFor(s)
  const transactionId = attemptId()
  return { transactionId, out: await driver.pay({ serviceId: sid(), transactionId, amount, currency, at: new Date() }) }
}

async function approvedPay(s: TerminalSim, amount: number, currency = 'CNY'): Promise<Approved & { transactionId: string }> {
  const { transactionId, out } = await pay(s, amount, currency)
  expect(out.kind, JSON.stringify(out)).toBe('approved')
  return { ...(out as Approved), transactionId }
}

async function refund(s: TerminalSim, p: Approved, amount: number, refundId: string): Promise<Approved> {
  const { driver } = driverFor(s)
  const out = await driver.refund({ serviceId: sid(), refundId, originalPoiTransactionId: p.providerRef, originalPoiTimestamp: p.providerTimestamp, amount, currency: 'CNY', at: new Date() })
  expect(out.kind, JSON.stringify(out)).toBe('approved')
  return out as Approved
}

async function control(s: TerminalSim, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

async function closeBatch(s: TerminalSim): Promise<number> {
  const { status, json } = await control(s, 'POST', '/acquirer/close')
  expect(status).toBe(200)
  const closed = json.closed as number[]
  expect(closed).toHaveLength(1)
  return closed[0]!
}

const reportPath = (s: TerminalSim, batch: number): string => `${s.reportUrl}/reports/download/MerchantAccount/${s.merchantAccount}/settlement_detail_report_batch_${batch}.csv`

async function download(s: TerminalSim, batch: number): Promise<{ bytes: Uint8Array; text: string }> {
  const res = await fetch(reportPath(s, batch), { headers: AUTH })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
  const bytes = new Uint8Array(await res.arrayBuffer())
  return { bytes, text: new TextDecoder().decode(bytes) }
}

/** The rows as the till would match them, without the file's line numbers and times. */
const shape = (r: StatementRow) => ({ type: r.type, providerRef: r.providerRef, merchantRef: r.merchantRef, refundRef: r.refundRef, gross: r.gross, fee: r.fee, net: r.net, currency: r.currency })
const transactions = (s: Statement) => s.rows.filter((r) => r.type === 'payment' || r.type === 'refund')

function call(now: Date, currency = 'CNY'): StatementCall {
  return { q: null as unknown as StatementCall['q'], now, store: { id: 's1', name: 'Shop', currency, timeZone: TZ } }
}

describe('acquirer: settlement batches from what the terminal processed', () => {
  it('books payments, a refund and a reversal; the batch report parses back to exactly those, with their fees; payout booked at close, at the bank T+1', async () => {
    const s = await sim()
    const a = await approvedPay(s, 1000)
    const b = await approvedPay(s, 2550)
    const c = await approvedPay(s, 999)
    // Declined, cancelled and busy payments are not settled.
    expect((await pay(s, 1281)).out.kind).toBe('declined')
    expect((await pay(s, 1283)).out.kind).toBe('declined')
    expect((await pay(s, 1282)).out.kind).toBe('busy')
    // Another currency goes to its own batch.
    await approvedPay(s, 700, 'EUR')
    // The till's refund (its refund id) and the till's void of a sale (the attempt id again).
    await refund(s, b, 550, '01JREFUND00000000000000001')
    await refund(s, c, 999, c.transactionId)

    const day0 = s.acquirer.today()
    // Two open batches (CNY, EUR): closing closes both.
    expect((await control(s, 'POST', '/acquirer/close')).json.closed).toEqual([1, 2])
    const { json } = await control(s, 'GET', '/acquirer')
    const batches = json.batches as { batch: number; currency: string; closed: boolean; bookings: number; bankPayoutDate: string }[]
    expect(batches.map((x) => x.bankPayoutDate)).toEqual([nextDay(day0), nextDay(day0)]) // the money reaches the bank T+1
    expect(batches.map((x) => [x.currency, x.closed, x.bookings])).toEqual([
      ['CNY', true, 5],
      ['EUR', true, 1],
    ])
    const cny = batches[0]!.batch
    const { bytes } = await download(s, cny)
    const st = parseAdyenSettlement(bytes)
    const day = storeDate(new Date().toISOString(), TZ)
    // The report is the statement of the batch's day (its payout row is booked when the batch closes).
    expect(st).toMatchObject({ provider: 'card', format: 'adyen_settlement_detail', merchantId: 'DaybookTestPOS', currency: 'CNY', date: day })
    expect(transactions(st).map(shape)).toEqual([
      { type: 'payment', providerRef: psp(a.providerRef), merchantRef: a.transactionId, refundRef: null, gross: 1000, fee: fee(1000), net: 1000 - fee(1000), currency: 'CNY' },
      { type: 'payment', providerRef: psp(b.providerRef), merchantRef: b.transactionId, refundRef: null, gross: 2550, fee: fee(2550), net: 2550 - fee(2550), currency: 'CNY' },
      { type: 'payment', providerRef: psp(c.providerRef), merchantRef: c.transactionId, refundRef: null, gross: 999, fee: fee(999), net: 999 - fee(999), currency: 'CNY' },
      { type: 'refund', providerRef: psp(b.providerRef), merchantRef: b.transactionId, refundRef: '01JREFUND00000000000000001', gross: -550, fee: FIXED, net: -550 - FIXED, currency: 'CNY' },
      { type: 'refund', providerRef: psp(c.providerRef), merchantRef: c.transactionId, refundRef: c.transactionId, gross: -999, fee: FIXED, net: -999 - FIXED, currency: 'CNY' },
    ])
    expect(fee(1000)).toBe(20) // 1.50 % of 10.00 + 0.05
    for (const r of st.rows) {
      expect(r.batch).toBe(String(cny))
      expect(r.payoutDate).toBe(day)
    }
    for (const r of transactions(st)) expect(r.providerDate).toBe(day)
    // The batch ends with the payout of its net; the file foots.
    const net = transactions(st).reduce((x, r) => x + r.net, 0)
    expect(st.rows.filter((r) => r.type === 'payout').map((r) => [r.gross, r.fee, r.net])).toEqual([[-net, 0, -net]])
    expect(st.totals.payments).toEqual({ count: 3, gross: 4549, fee: fee(1000) + fee(2550) + fee(999) })
    expect(st.totals.refunds).toEqual({ count: 2, gross: -1549, fee: 2 * FIXED })
    // What the simulator wrote is exactly what it parses back to: lines, times, everything.
    expect(st.rows).toEqual((await s.acquirer.report(cny))!.statement.rows)

    // New bookings open the next batch, numbered on.
    await approvedPay(s, 300)
    expect(await closeBatch(s)).toBe(batches[1]!.batch + 1)
  })

  it('report downloads need the report user’s basic auth; a batch not closed or not there is 404', async () => {
    const s = await sim()
    await approvedPay(s, 1200)
    const url = `${s.reportUrl}/reports/list/MerchantAccount/${s.merchantAccount}`
    for (const headers of [{}, { Authorization: basic(USER, 'wrong') }, { Authorization: basic('someone', PASSWORD) }, { Authorization: 'Bearer x' }]) {
      const res = await fetch(url, { headers })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
      expect((await fetch(reportPath(s, 1), { headers })).status).toBe(401)
    }
    // The open batch has no report yet; a batch that never was has none either.
    expect((await fetch(reportPath(s, 1), { headers: AUTH })).status).toBe(404)
    expect((await fetch(reportPath(s, 99), { headers: AUTH })).status).toBe(404)
    expect((await fetch(`${s.reportUrl}/reports/download/MerchantAccount/Other/settlement_detail_report_batch_1.csv`, { headers: AUTH })).status).toBe(404)
    const day = s.acquirer.today()
    const before = (await (await fetch(`${url}?date=${day}`, { headers: AUTH })).json()) as Record<string, unknown>
    expect(before).toMatchObject({ date: day, complete: false, reports: [], availableAt: startOfDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), TZ).toISOString() })
    const batch = await closeBatch(s)
    const after = (await (await fetch(`${url}?date=${day}`, { headers: AUTH })).json()) as Record<string, unknown>
    expect(after).toMatchObject({ date: day, complete: true, availableAt: null, reports: [{ batch, day, currency: 'CNY', fileName: `settlement_detail_report_batch_${batch}.csv` }] })
    expect((await fetch(reportPath(s, batch), { headers: AUTH })).status).toBe(200)
  })

  it('a batch closes by itself when the acquirer’s day is over', async () => {
    let now = new Date()
    const s = await sim({ now: () => now, timeZone: 'UTC' })
    const p = await approvedPay(s, 4321)
    const day = s.acquirer.today()
    expect(s.acquirer.batchList()).toMatchObject([{ day, closed: false }])
    now = new Date(startOfDay(day, 'UTC').getTime() + 86_400_000 + 1000)
    expect(s.acquirer.batchList()).toMatchObject([{ day, closed: true }])
    const st = parseAdyenSettlement((await download(s, 1)).bytes)
    expect(transactions(st).map((r) => r.merchantRef)).toEqual([p.transactionId])
    // Closed at the end of its day: the payout row is booked 23:59:59 that day, and the statement is that day's.
    expect(st.date).toBe(day)
    expect(st.rows.filter((r) => r.type === 'payout').map((r) => r.providerTime)).toEqual([`${day}T23:59:59.000Z`])
  })
})

describe('acquirer: differences on purpose', () => {
  it('puts each asked-for difference into the next report', async () => {
    const s = await sim()
    const p1 = await approvedPay(s, 1000)
    const p2 = await approvedPay(s, 2000)
    const p3 = await approvedPay(s, 3000)
    const dec = await pay(s, 4081) // declined by the terminal…
    expect(dec.out.kind).toBe('declined')
    const ask = (body: unknown) => control(s, 'POST', '/acquirer/difference', body)
    expect((await ask({ kind: 'extra_payment', amount: 777 })).status).toBe(200)
    expect((await ask({ kind: 'missing_payment', ref: p1.transactionId })).status).toBe(200)
    expect((await ask({ kind: 'amount', ref: p2.transactionId, amount: 2100 })).status).toBe(200)
    expect((await ask({ kind: 'status' })).status).toBe(200) // …settled by the acquirer
    expect((await ask({ kind: 'next_day', ref: psp(p3.providerRef) })).status).toBe(200)
    // Refused: unknown kind, nothing to apply to.
    expect((await ask({ kind: 'nonsense' })).status).toBe(400)
    expect((await ask({ kind: 'amount', ref: 'no-such-ref' })).status).toBe(409)
    expect((await ask({ kind: 'status' })).status).toBe(409) // the only decline is used up
    const { json } = await control(s, 'GET', '/acquirer')
    expect((json.batches as { differences: string[] }[])[0]!.differences).toEqual(['extra_payment', 'missing_payment', 'amount', 'status', 'next_day'])

    const batch = await closeBatch(s)
    const { bytes, text } = await download(s, batch)
    const st = parseAdyenSettlement(bytes)
    const rows = transactions(st)
    const byRef = (ref: string) => rows.filter((r) => r.merchantRef === ref)
    // missing: p1 is not in the file at all.
    expect(byRef(p1.transactionId)).toEqual([])
    expect(text).not.toContain(psp(p1.providerRef))
    // amount: p2 settled for 21.00, its fee on that amount.
    expect(byRef(p2.transactionId).map(shape)).toEqual([{ type: 'payment', providerRef: psp(p2.providerRef), merchantRef: p2.transactionId, refundRef: null, gross: 2100, fee: fee(2100), net: 2100 - fee(2100), currency: 'CNY' }])
    // next_day: p3 dated 00:00:01 the next day in the acquirer's zone.
    const day = storeDate(new Date().toISOString(), TZ)
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    expect(byRef(p3.transactionId).map((r) => [r.providerDate, r.providerTime])).toEqual([[next, new Date(startOfDay(next, TZ).getTime() + 1000).toISOString()]])
    // status: the payment the terminal declined is settled, under the till's attempt id.
    const settledDecline = byRef(dec.transactionId)
    expect(settledDecline.map((r) => [r.type, r.gross, r.fee])).toEqual([['payment', 4081, fee(4081)]])
    // extra: a payment the till never sent.
    expect(rows.filter((r) => r.merchantRef === 'SIM-EXTRA-1').map((r) => [r.type, r.gross, r.fee])).toEqual([['payment', 777, fee(777)]])
    expect(rows).toHaveLength(4)
    // The differences were for that report only.
    await approvedPay(s, 500)
    const again = parseAdyenSettlement((await download(s, await closeBatch(s))).bytes)
    expect(transactions(again).map((r) => r.gross)).toEqual([500])
  })

  it('a duplicate row: the same transaction twice in the file', async () => {
    const s = await sim()
    const p = await approvedPay(s, 1500)
    expect((await control(s, 'POST', '/acquirer/difference', { kind: 'duplicate' })).json).toMatchObject({ kind: 'duplicate', target: { merchantRef: p.transactionId } })
    const { text, bytes } = await download(s, await closeBatch(s))
    const lines = text.split('\n').filter((l) => l.includes(psp(p.providerRef)))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toBe(lines[1])
    // The same entry twice, Modification Reference and all: the parser refuses the whole file.
    expect(() => parseAdyenSettlement(bytes)).toThrow(expect.objectContaining({ name: 'StatementError', reason: 'duplicate_row', line: 3 }))
  })

  it('DELETE /acquirer/difference drops the differences not yet reported', async () => {
    const s = await sim()
    const p = await approvedPay(s, 1100)
    await control(s, 'POST', '/acquirer/difference', { kind: 'missing_payment' })
    expect((await control(s, 'DELETE', '/acquirer/difference')).status).toBe(200)
    const st = parseAdyenSettlement((await download(s, await closeBatch(s))).bytes)
    expect(transactions(st).map((r) => r.merchantRef)).toEqual([p.transactionId])
  })
})

describe('platform card statement adapter against the simulator', () => {
  const adapterFor = (s: TerminalSim, password = PASSWORD) => createCardStatementAdapter({ reportUrl: s.reportUrl, username: USER, password, merchantAccount: s.merchantAccount })

  it('not yet available while the day’s batch is open; then the report file, parsed', async () => {
    const s = await sim()
    const a = await approvedPay(s, 1800)
    await approvedPay(s, 900, 'EUR')
    const adapter = adapterFor(s)
    expect(adapter).toMatchObject({ provider: 'card', format: 'adyen_settlement_detail' })
    const day = s.acquirer.today()
    const early = await adapter.fetch(call(new Date()), day)
    expect(early).toMatchObject({ kind: 'not_yet_available' })
    expect(early.kind === 'not_yet_available' && early.availableAt.toISOString()).toBe(startOfDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), TZ).toISOString())

    await control(s, 'POST', '/acquirer/close')
    const got = await adapter.fetch(call(new Date()), day)
    expect(got.kind).toBe('file')
    if (got.kind !== 'file') return
    expect(got.fileName).toBe('settlement_detail_report_batch_1.csv') // the CNY batch; EUR is batch 2
    expect(Buffer.from(got.bytes).equals(Buffer.from((await s.acquirer.report(1))!.bytes))).toBe(true)
    const st = adapter.parse(got.bytes)
    expect(transactions(st).map(shape)).toEqual([{ type: 'payment', providerRef: psp(a.providerRef), merchantRef: a.transactionId, refundRef: null, gross: 1800, fee: fee(1800), net: 1800 - fee(1800), currency: 'CNY' }])
    // The EUR store gets the EUR batch.
    const eur = await adapter.fetch(call(new Date(), 'EUR'), day)
    expect(eur).toMatchObject({ kind: 'file', fileName: 'settlement_detail_report_batch_2.csv' })
  })

  it('joins two batches of one day; a finished day without sales is an empty statement', async () => {
    const s = await sim()
    const a = await approvedPay(s, 1000)
    await closeBatch(s)
    const b = await approvedPay(s, 2000)
    await closeBatch(s)
    const adapter = adapterFor(s)
    const day = s.acquirer.today()
    const got = await adapter.fetch(call(new Date()), day)
    expect(got).toMatchObject({ kind: 'file', fileName: 'settlement_detail_report_batch_1+2.csv' })
    if (got.kind !== 'file') return
    const st = adapter.parse(got.bytes)
    expect(st.date).toBe(day)
    expect(st.rows.map((r) => [r.type, r.merchantRef, r.batch])).toEqual([
      ['payment', a.transactionId, '1'],
      ['payout', null, '1'],
      ['payment', b.transactionId, '2'],
      ['payout', null, '2'],
    ])
    // A finished day without any batch: nothing settled, a zero payout only.
    const empty = await adapter.fetch(call(new Date()), '2020-01-01')
    expect(empty).toMatchObject({ kind: 'file', fileName: 'settlement_detail_report_2020-01-01_none.csv' })
    if (empty.kind !== 'file') return
    const none = adapter.parse(empty.bytes)
    expect(none).toMatchObject({ merchantId: s.merchantAccount, currency: 'CNY', totals: { payments: { count: 0 }, refunds: { count: 0 }, net: 0 } })
    expect(none).toMatchObject({ date: '2020-01-01' })
    expect(none.rows.map((r) => [r.type, r.gross, r.net, r.providerDate])).toEqual([['payout', 0, 0, '2020-01-01']])
  })

  it('failed, with a clear message: wrong credentials, a server error, nobody listening', async () => {
    const s = await sim()
    const day = s.acquirer.today()
    const denied = await adapterFor(s, 'wrong').fetch(call(new Date()), day)
    expect(denied).toMatchObject({ kind: 'failed' })
    expect(denied.kind === 'failed' && denied.message).toMatch(/credentials.*401/)

    const broken = createServer((_req, res) => res.writeHead(503).end('maintenance'))
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r))
    const port = (broken.address() as AddressInfo).port
    try {
      const e5 = await createCardStatementAdapter({ reportUrl: `http://127.0.0.1:${port}`, username: USER, password: PASSWORD, merchantAccount: 'X' }).fetch(call(new Date()), day)
      expect(e5).toMatchObject({ kind: 'failed' })
      expect(e5.kind === 'failed' && e5.message).toMatch(/HTTP 503/)
    } finally {
      await new Promise((r) => broken.close(r))
    }
    const gone = await createCardStatementAdapter({ reportUrl: `http://127.0.0.1:${port}`, username: USER, password: PASSWORD, merchantAccount: 'X' }).fetch(call(new Date()), day)
    expect(gone).toMatchObject({ kind: 'failed' })
    expect(gone.kind === 'failed' && gone.message).toMatch(/did not answer/)
    expect(await createCardStatementAdapter({ reportUrl: '', username: '', password: '', merchantAccount: '' }).fetch(call(new Date()), day)).toMatchObject({ kind: 'not_configured' })
  })
})

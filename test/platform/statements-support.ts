import { expect } from 'vitest'
import { BILL_DOWNLOAD_PATH, sandboxMerchantId, zonedTime } from '../../src/platform/sandbox/bills'
import type { Wallet } from '../../src/shared/payments'
import { StatementsForDateSchema, StoredStatementSchema, type StatementRow, type StatementsForDate, type StoredStatement } from '../../src/shared/statements/types'
import { adminCall, type CallResult, type TestPlatform } from '../helpers/platform'
import type { TestDevice } from './support'
import { TestClock } from './payments-support'

/** Helpers for the provider-statement tests: a clock set to a Beijing time, the sandbox's bill calls, row comparisons. */

/** A TestClock showing `date` hh:mm in Beijing (the wallets' clock) now. */
export function clockAt(date: string, hour: number, minute = 0): TestClock {
  const c = new TestClock()
  c.offsetMs = zonedTime(date, hour, minute, 'Asia/Shanghai').getTime() - Date.now()
  return c
}

/** Moves the clock to `date` hh:mm:ss Beijing time (never backwards). */
export function moveTo(c: TestClock, date: string, hour: number, minute = 0, second = 0): void {
  const target = zonedTime(date, hour, minute, 'Asia/Shanghai').getTime() + second * 1000
  const delta = target - c.now().getTime()
  if (delta < 0) throw new Error(`the clock would go back to ${date} ${hour}:${minute}`)
  c.advance(delta)
}

/** alipay.data.dataservice.bill.downloadurl.query at the platform's sandbox gateway. */
export async function alipayBillQuery(p: TestPlatform, storeId: string, date: string, opts: { token?: string; method?: string; billType?: string } = {}): Promise<Record<string, string>> {
  const form = new URLSearchParams({
    method: opts.method ?? 'alipay.data.dataservice.bill.downloadurl.query',
    app_id: sandboxMerchantId(storeId, 'alipay'),
    biz_content: JSON.stringify({ bill_type: opts.billType ?? 'trade', bill_date: date }),
  })
  const res = await fetch(`${p.url}/sandbox/alipay/gateway.do`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token ?? p.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  })
  const body = (await res.json()) as Record<string, Record<string, string>>
  return { status: String(res.status), ...(body.alipay_data_dataservice_bill_downloadurl_query_response ?? body.error_response ?? body.error ?? {}) }
}

/** GET /v3/bill/tradebill at the platform's sandbox. */
export async function wechatBillQuery(p: TestPlatform, storeId: string, date: string, billType = 'ALL'): Promise<{ status: number; body: Record<string, string> }> {
  const q = new URLSearchParams({ bill_date: date, bill_type: billType, mchid: sandboxMerchantId(storeId, 'wechat') })
  const res = await fetch(`${p.url}/sandbox/wechat/v3/bill/tradebill?${q}`, { headers: { authorization: `Bearer ${p.adminToken}` } })
  return { status: res.status, body: (await res.json()) as Record<string, string> }
}

export async function download(url: string): Promise<{ status: number; bytes: Uint8Array; contentType: string | null }> {
  const res = await fetch(url)
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('content-type') }
}

export const downloadPathPattern = new RegExp(`${BILL_DOWNLOAD_PATH.replace(':token', '[A-Za-z0-9_-]{32}')}$`)

/** A row without its file line (rows built from the books have line 0), for comparing. */
export type RowKey = Omit<StatementRow, 'line'>
export function rowsOf(rows: readonly StatementRow[]): RowKey[] {
  return rows
    .map(({ line: _line, ...r }) => r)
    .sort((a, b) => a.type.localeCompare(b.type) || (a.merchantRef ?? '').localeCompare(b.merchantRef ?? '') || (a.refundRef ?? '').localeCompare(b.refundRef ?? '') || a.providerRef.localeCompare(b.providerRef))
}

export async function statementsFor(d: TestDevice, date: string): Promise<StatementsForDate> {
  const r = await d.call('GET', `/v1/device/statements?date=${date}`)
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return StatementsForDateSchema.parse(r.body)
}

export async function refetch(p: TestPlatform, storeId: string, date: string): Promise<StatementsForDate> {
  const r = await adminCall(p, 'POST', `/v1/admin/stores/${storeId}/statements/fetch?date=${date}`, {})
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return StatementsForDateSchema.parse(r.body)
}

export function only(s: StatementsForDate, provider: Wallet | 'card'): StoredStatement {
  const found = s.statements.filter((x) => x.provider === provider)
  expect(found, JSON.stringify(s.missing)).toHaveLength(1)
  return found[0]!
}

/** POST a raw bill file to the admin upload route. */
export async function upload(p: TestPlatform, storeId: string, bytes: Uint8Array | string, opts: { contentType?: string; fileName?: string } = {}): Promise<CallResult> {
  const res = await fetch(`${p.url}/v1/admin/stores/${storeId}/statements${opts.fileName ? `?fileName=${encodeURIComponent(opts.fileName)}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': opts.contentType ?? 'application/octet-stream' },
    body: typeof bytes === 'string' ? bytes : Buffer.from(bytes),
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // keep the text
  }
  return { status: res.status, body, headers: res.headers }
}

export function expectStored(r: CallResult): StoredStatement {
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return StoredStatementSchema.parse(r.body)
}

/** Row counts of the statement tables (a refused file stores nothing). */
export async function statementCounts(p: TestPlatform): Promise<{ statements: number; rows: number }> {
  const s = (await p.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM statements'))[0]!.n
  const r = (await p.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM statement_rows'))[0]!.n
  return { statements: s, rows: r }
}

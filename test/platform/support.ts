import { randomBytes } from 'node:crypto'
import { GENESIS_HASH, eventHash } from '../../src/main/core/journal'
import { signRequest } from '../../src/main/core/sync/signing'
import { newId } from '../../src/shared/ids'
import type { SaleCompletedData, WireEvent } from '../../src/shared/platform-api'
import { createStoreAndDevice, type CallResult, type TestPlatform } from '../helpers/platform'

/** A paired test device: signs its requests like the till does (src/main/core/sync/signing.ts). */
export interface TestDevice {
  storeId: string
  deviceId: string
  secret: string
  journalDeviceId: string
  /** Signed request; `path` includes the query; `rawBody` wins over `body`. */
  call(method: string, path: string, opts?: { body?: unknown; rawBody?: string; now?: Date; nonce?: string; headers?: (h: Record<string, string>) => Record<string, string> }): Promise<CallResult>
}

async function asResult(res: Response): Promise<CallResult> {
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // keep the text
  }
  return { status: res.status, body, headers: res.headers }
}

export async function post(p: { url: string }, path: string, body: unknown): Promise<CallResult> {
  return asResult(await fetch(p.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }))
}

export async function pairDevice(p: TestPlatform, opts: { storeName?: string; now?: () => Date } = {}): Promise<TestDevice> {
  const { storeId, deviceId, code } = await createStoreAndDevice(p, opts.storeName)
  const journalDeviceId = newId()
  const r = await post(p, '/v1/pair', { code, journalDeviceId, deviceCode: 'T01', appVersion: '0.1.0' })
  if (r.status !== 200) throw new Error(`pair: ${r.status} ${JSON.stringify(r.body)}`)
  return deviceClient(p, { storeId, deviceId, secret: r.body.secret, journalDeviceId }, opts.now)
}

export function deviceClient(p: { url: string }, d: { storeId: string; deviceId: string; secret: string; journalDeviceId: string }, clock: () => Date = () => new Date()): TestDevice {
  return {
    ...d,
    async call(method, path, opts = {}) {
      const body = opts.rawBody ?? (opts.body === undefined ? '' : JSON.stringify(opts.body))
      let headers = signRequest({ method, path, body, deviceId: d.deviceId, secret: d.secret, now: opts.now ?? clock(), nonce: opts.nonce })
      if (opts.headers) headers = opts.headers(headers)
      const res = await fetch(p.url + path, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body || undefined })
      return asResult(res)
    },
  }
}

/** Builds a valid journal chain for a device, exactly like src/main/core/journal.ts. */
export class Chain {
  seq = 0
  hash = GENESIS_HASH
  readonly events: WireEvent[] = []
  constructor(readonly journalDeviceId: string) {}

  next(type: string, data: unknown, at = new Date().toISOString()): WireEvent {
    const seq = this.seq + 1
    const base = { id: newId(), device: this.journalDeviceId, seq, type, at, data }
    const hash = eventHash(this.hash, base)
    const e: WireEvent = { ...base, prevHash: this.hash, hash }
    this.seq = seq
    this.hash = hash
    this.events.push(e)
    return e
  }

  sale(opts: Partial<{ total: number; businessDate: string; lines: number }> = {}): WireEvent {
    return this.next('sale.completed', saleData(opts))
  }
}

/** Re-hash an event after changing it (a "valid" event with other content). */
export function rehash(e: WireEvent): WireEvent {
  return { ...e, hash: eventHash(e.prevHash, { id: e.id, device: e.device, seq: e.seq, type: e.type, at: e.at, data: e.data }) }
}

export function saleData(opts: Partial<{ total: number; businessDate: string; lines: number; currency: string }> = {}): SaleCompletedData {
  const total = opts.total ?? 1130
  const n = opts.lines ?? 1
  const per = Math.floor(total / n)
  const lines = Array.from({ length: n }, (_, i) => {
    const lineTotal = i === n - 1 ? total - per * (n - 1) : per
    return {
      lineNo: i + 1,
      productId: `p${1001 + i}`,
      nameEn: `Product ${i + 1}`,
      nameZh: `商品 ${i + 1}`,
      quantity: '1',
      unit: 'each' as const,
      unitPrice: lineTotal,
      gross: lineTotal,
      lineDiscount: 0,
      orderDiscount: 0,
      total: lineTotal,
      taxIds: ['vat13'],
      tax: Math.floor((lineTotal * 13) / 113),
    }
  })
  const taxTotal = lines.reduce((s, l) => s + l.tax, 0)
  return {
    currency: opts.currency ?? 'CNY',
    priceMode: 'inclusive',
    taxRounding: 'line',
    roundingMode: 'half_up',
    lines,
    subtotal: total,
    lineDiscounts: 0,
    orderDiscount: 0,
    taxes: [{ taxId: 'vat13', name: 'VAT 13%', rate: '13', base: total - taxTotal, amount: taxTotal }],
    taxTotal,
    total,
    id: newId(),
    receiptNo: `T01-20261122-${randomBytes(2).toString('hex')}`,
    businessDate: opts.businessDate ?? '2026-11-22',
    createdAt: new Date().toISOString(),
    storeName: 'Test Store',
    deviceCode: 'T01',
    staff: { id: 'staff-1', name: '李娜 Li Na' },
    approvedBy: null,
    cashRounding: 0,
    tenders: [{ id: newId(), method: 'cash', amount: total, tendered: total + 870, change: 870 }],
    paid: total,
    change: 870,
    receiptFooter: 'Thank you!',
  } as SaleCompletedData
}

/** Row counts of everything ingest writes, to prove a refused batch stored nothing. */
export async function counts(p: TestPlatform): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const t of ['events', 'orders', 'order_lines', 'order_tenders', 'refunds', 'closures']) {
    const r = await settled(p).query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${t}`)
    out[t] = r[0]!.n
  }
  return out
}

/**
 * The platform's database, read once the projector has caught up: ingest acknowledges a batch when
 * it is in the event store, and the reporting tables (orders, refunds, closures…, and
 * events.normalize_error) are filled from it asynchronously.
 */
export function settled(p: TestPlatform): { query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> } {
  return {
    query: async <T extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> => {
      await p.running.projector.idle()
      return p.db.query<T>(sql, params)
    },
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { DaysSchema, IngestResponseSchema, type WireEvent } from '../../src/shared/platform-api'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { expectError } from './payments-support'
import { Chain, pairDevice, saleData, type TestDevice, settled } from './support'

const send = (d: TestDevice, events: WireEvent[]) => d.call('POST', '/v1/device/events', { body: { events } })

/** A sale paid 1000 by Alipay (merchant QR), 800 by card and the rest in cash. */
function walletSale(total = 2500, businessDate = '2026-11-22') {
  const s = saleData({ total, businessDate })
  const qr = newId()
  const card = newId()
  const cash = newId()
  s.tenders = [
    { id: qr, method: 'alipay', amount: 1000, tendered: 1000, change: 0, flow: 'merchant_qr', providerRef: '2026112222001412345678901234', paidAt: '2026-11-22T03:04:05.000Z' },
    {
      id: card,
      method: 'card',
      amount: 800,
      tendered: 800,
      change: 0,
      flow: 'terminal',
      providerRef: 'V400m-123456789.8816178914841234',
      card: { maskedPan: '411111******1111', brand: 'visa', entryMode: 'Contactless', approvalCode: '123456', terminalId: 'V400m-123456789' },
      paidAt: '2026-11-22T03:05:00.000Z',
    },
    { id: cash, method: 'cash', amount: total - 1800, tendered: total - 1800, change: 0, flow: 'cash' },
  ]
  s.paid = total
  s.change = 0
  return { sale: s, qr, card, cash }
}

const staff = { id: 'staff-1', name: '李娜 Li Na' }
const refundData = (over: Record<string, unknown>) => ({
  refundId: newId(),
  orderId: 'o1',
  receiptNo: 'T01-20261122-0001',
  tenderId: 't1',
  method: 'alipay',
  amount: 300,
  currency: 'CNY',
  reason: 'damaged',
  staff,
  approvedBy: null,
  providerRef: null,
  // 2026-11-22 23:30 in Shanghai
  at: '2026-11-22T15:30:00.000Z',
  ...over,
})

describe.each(PLATFORM_BACKENDS)('ingest of issue 4 tenders, refunds and voids on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend, { logger: !!process.env.PLOG })
  })
  afterAll(async () => {
    await p?.close()
  })

  it('normalizes wallet and card tenders with flow, provider reference, masked card and paid time', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const { sale, qr, card } = walletSale()
    expect((await send(d, [c.next('sale.completed', sale)])).status).toBe(200)
    const rows = await settled(p).query<Record<string, unknown>>('SELECT * FROM order_tenders WHERE device_id = $1 ORDER BY method', [d.deviceId])
    expect(rows.map((r) => r.method)).toEqual(['alipay', 'card', 'cash'])
    expect(rows.find((r) => r.tender_id === qr)).toMatchObject({ flow: 'merchant_qr', provider_ref: '2026112222001412345678901234', paid_at: '2026-11-22T03:04:05.000Z', card_masked_pan: null })
    expect(rows.find((r) => r.tender_id === card)).toMatchObject({
      flow: 'terminal',
      card_masked_pan: '411111******1111',
      card_brand: 'visa',
      card_entry_mode: 'Contactless',
      card_approval_code: '123456',
      card_terminal_id: 'V400m-123456789',
    })
    // old cash sales (no flow) still normalize, with NULL details
    expect((await send(d, [c.sale()])).status).toBe(200)
    const old = await settled(p).query<{ flow: string | null }>("SELECT flow FROM order_tenders WHERE device_id = $1 AND method = 'cash' ORDER BY flow NULLS LAST", [d.deviceId])
    expect(old.map((r) => r.flow)).toEqual(['cash', null])
  })

  it('refund.completed fills refunds, and the days report subtracts refunds per tender method on the refund\'s store-local day', async () => {
    const d = await pairDevice(p, { storeName: 'Refunds' })
    const c = new Chain(d.journalDeviceId)
    const { sale, qr, card } = walletSale(2500)
    const r1 = refundData({ tenderId: qr, orderId: sale.id, amount: 300, providerRef: '2026112222001412345678901234', approvedBy: { id: 's2', name: 'Boss' } })
    const r2 = refundData({ tenderId: card, orderId: sale.id, method: 'card', amount: 800 })
    // the next day in Shanghai (00:30 on the 23rd)
    const r3 = refundData({ tenderId: qr, orderId: sale.id, amount: 100, at: '2026-11-22T16:30:00.000Z' })
    const res = await send(d, [c.next('sale.completed', sale), c.next('refund.completed', r1), c.next('refund.completed', r2), c.next('refund.completed', r3)])
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const stored = await settled(p).query<Record<string, unknown>>('SELECT * FROM refunds WHERE device_id = $1 ORDER BY at', [d.deviceId])
    expect(stored).toHaveLength(3)
    expect(stored[0]).toMatchObject({
      refund_id: r1.refundId,
      order_id: sale.id,
      tender_id: qr,
      method: 'alipay',
      amount: 300,
      business_date: '2026-11-22',
      receipt_no: 'T01-20261122-0001',
      reason: 'damaged',
      staff_name: '李娜 Li Na',
      approved_by_name: 'Boss',
      provider_ref: '2026112222001412345678901234',
    })
    expect(stored[2]).toMatchObject({ business_date: '2026-11-23', amount: 100 })
    const days = DaysSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days`)).body)
    expect(days.days.map((x) => [x.businessDate, x.byTender])).toEqual([
      [
        '2026-11-22',
        [
          { method: 'alipay', amount: 700 },
          { method: 'card', amount: 0 },
          { method: 'cash', amount: 700 },
        ],
      ],
      ['2026-11-23', [{ method: 'alipay', amount: -100 }]],
    ])
    expect(days.days[0]).toMatchObject({ orders: 1, total: 2500 })
  })

  it('a refund and a void after midnight but before the cut-off count on the till\'s business day (posting), not the calendar date', async () => {
    const d = await pairDevice(p, { storeName: 'Late refunds' })
    const c = new Chain(d.journalDeviceId)
    const { sale, card } = walletSale(2500)
    const posting = { businessDate: '2026-11-22', shiftId: null, adjustmentOf: null }
    // 00:30 on the 23rd in Shanghai, still the 22nd's business day at the till (cut-off 04:00)
    const at = '2026-11-22T16:30:00.000Z'
    const refund = refundData({ tenderId: card, orderId: sale.id, method: 'card', amount: 800, at, posting })
    const voided = { checkoutId: newId(), total: 500, currency: 'CNY', reason: 'customer left', staff, approvedBy: null, tenders: [{ id: newId(), method: 'card', amount: 500, outcome: 'reversed' }], posting }
    const res = await send(d, [c.next('sale.completed', sale), c.next('refund.completed', refund, at), c.next('checkout.voided', voided, at)])
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(await settled(p).query('SELECT business_date FROM refunds WHERE device_id = $1', [d.deviceId])).toEqual([{ business_date: '2026-11-22' }])
    expect(await settled(p).query('SELECT business_date FROM voids WHERE device_id = $1', [d.deviceId])).toEqual([{ business_date: '2026-11-22' }])
    const days = DaysSchema.parse((await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/days`)).body)
    expect(days.days.map((x) => x.businessDate)).toEqual(['2026-11-22'])
    expect(days.days[0]!.byTender.find((t) => t.method === 'card')).toEqual({ method: 'card', amount: 0 })
  })

  it('checkout.voided is stored in voids', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const data = {
      checkoutId: newId(),
      total: 1500,
      currency: 'CNY',
      reason: 'customer left',
      staff,
      approvedBy: { id: 's2', name: 'Boss' },
      tenders: [
        { id: newId(), method: 'wechat', amount: 1000, outcome: 'reversed' },
        { id: newId(), method: 'cash', amount: 500, outcome: 'returned' },
      ],
    }
    expect((await send(d, [c.next('checkout.voided', data, '2026-11-22T04:00:00.000Z')])).status).toBe(200)
    const v = await settled(p).query<Record<string, unknown>>('SELECT * FROM voids WHERE device_id = $1', [d.deviceId])
    expect(v[0]).toMatchObject({ checkout_id: data.checkoutId, business_date: '2026-11-22', total: 1500, reason: 'customer left', staff_name: '李娜 Li Na', approved_by_name: 'Boss' })
    expect(JSON.parse(String(v[0]!.tenders))).toEqual(data.tenders)
  })

  it('stores and flags (never refuses) refunds, voids and sales it cannot normalize', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const dupId = newId()
    const { sale } = walletSale()
    const unmasked = { ...sale, id: newId(), tenders: sale.tenders.map((t) => (t.card ? { ...t, card: { ...t.card, maskedPan: '4111111111' } } : t)) }
    const events = [
      c.next('refund.completed', refundData({ amount: -5 })),
      c.next('refund.completed', refundData({ currency: 'USD' })),
      c.next('refund.completed', refundData({ method: 'bitcoin' })),
      c.next('refund.completed', refundData({ refundId: dupId })),
      c.next('refund.completed', refundData({ refundId: dupId })),
      c.next('checkout.voided', { checkoutId: 'x', total: 'lots' }),
      c.next('sale.completed', unmasked),
    ]
    const r = await send(d, events)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(IngestResponseSchema.parse(r.body).results.every((x) => x.status === 'applied')).toBe(true)
    const flagged = await settled(p).query<{ seq: number; normalize_error: string | null }>('SELECT seq, normalize_error FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(flagged.map((f) => f.normalize_error === null)).toEqual([false, false, false, true, false, false, false])
    expect(flagged[1]!.normalize_error).toBe('the refund is in USD, the store in CNY')
    expect(flagged[4]!.normalize_error).toContain('already recorded')
    expect(flagged[6]!.normalize_error).toContain('maskedPan')
    expect((await settled(p).query('SELECT * FROM refunds WHERE device_id = $1', [d.deviceId])).length).toBe(1)
    // a refund id recorded by an earlier batch is flagged too
    const again = await send(d, [c.next('refund.completed', refundData({ refundId: dupId }))])
    expect(again.status).toBe(200)
    expect((await settled(p).query<{ normalize_error: string }>('SELECT normalize_error FROM events WHERE device_id = $1 AND seq = 8', [d.deviceId]))[0]!.normalize_error).toContain('already recorded')
  })

  it('refuses a batch with a full card number anywhere (card_number_refused), storing nothing of it', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const { sale } = walletSale()
    const withPan = { ...sale, tenders: sale.tenders.map((t) => (t.card ? { ...t, card: { ...t.card, maskedPan: '4111111111111111' } } : t)) }
    const before = await settled(p).query<{ n: number }>('SELECT count(*)::bigint AS n FROM events')
    expectError(await send(d, [c.next('sale.completed', withPan)]), 'card_number_refused', 400)
    expect(await settled(p).query<{ n: number }>('SELECT count(*)::bigint AS n FROM events')).toEqual(before)
  })
})

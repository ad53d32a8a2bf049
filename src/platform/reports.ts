import type { z } from 'zod'
import type { DaysSchema, DayOrdersSchema, PlatformOrder } from '../shared/platform-api'
import type { Queryable } from './db'
import { getStore, iso } from './service'

/**
 * The read API: a store's days (totals per day, per device, per tender method net of completed
 * refunds) and a day's orders.
 */

type Days = z.output<typeof DaysSchema>
type DayTotals = Days['days'][number]

export async function storeDays(db: Queryable, storeId: string, from: string | undefined, to: string | undefined): Promise<Days> {
  const store = await getStore(db, storeId)
  const range = [storeId, from ?? '0000-01-01', to ?? '9999-12-31']
  const perDevice = await db.query<{ business_date: string; device_id: string; device_name: string; orders: number; total: number; tax_total: number }>(
    `SELECT o.business_date, o.device_id, d.name AS device_name, count(*)::bigint AS orders, sum(o.total)::bigint AS total, sum(o.tax_total)::bigint AS tax_total
     FROM orders o JOIN devices d ON d.id = o.device_id
     WHERE o.store_id = $1 AND o.business_date BETWEEN $2 AND $3
     GROUP BY o.business_date, o.device_id, d.name ORDER BY o.business_date, d.name, o.device_id`,
    range,
  )
  const perTender = await db.query<{ business_date: string; method: string; amount: number }>(
    `SELECT o.business_date, t.method, sum(t.amount)::bigint AS amount
     FROM orders o JOIN order_tenders t ON t.device_id = o.device_id AND t.order_id = o.id
     WHERE o.store_id = $1 AND o.business_date BETWEEN $2 AND $3
     GROUP BY o.business_date, t.method ORDER BY o.business_date, t.method`,
    range,
  )
  // Completed refunds count against their tender method on their own (store-local) day.
  const refunds = await db.query<{ business_date: string; method: string; amount: number }>(
    `SELECT r.business_date, r.method, sum(r.amount)::bigint AS amount FROM refunds r
     WHERE r.store_id = $1 AND r.method IS NOT NULL AND r.business_date BETWEEN $2 AND $3
     GROUP BY r.business_date, r.method ORDER BY r.business_date, r.method`,
    range,
  )
  const days = new Map<string, DayTotals>()
  const day = (d: string): DayTotals => {
    let v = days.get(d)
    if (!v) {
      v = { businessDate: d, currency: store.currency, orders: 0, total: 0, taxTotal: 0, byDevice: [], byTender: [] }
      days.set(d, v)
    }
    return v
  }
  for (const r of perDevice) {
    const d = day(r.business_date)
    d.orders += r.orders
    d.total += r.total
    d.taxTotal += r.tax_total
    d.byDevice.push({ deviceId: r.device_id, deviceName: r.device_name, orders: r.orders, total: r.total, taxTotal: r.tax_total })
  }
  for (const r of perTender) day(r.business_date).byTender.push({ method: r.method, amount: r.amount })
  for (const r of refunds) {
    const d = day(r.business_date)
    const t = d.byTender.find((x) => x.method === r.method)
    if (t) t.amount -= r.amount
    else d.byTender.push({ method: r.method, amount: -r.amount })
    d.byTender.sort((a, b) => a.method.localeCompare(b.method))
  }
  return { storeId, days: [...days.values()].sort((a, b) => a.businessDate.localeCompare(b.businessDate)) }
}

export async function dayOrders(db: Queryable, storeId: string, businessDate: string, deviceId: string | undefined): Promise<z.output<typeof DayOrdersSchema>> {
  await getStore(db, storeId)
  const params = deviceId ? [storeId, businessDate, deviceId] : [storeId, businessDate]
  const filter = deviceId ? ' AND o.device_id = $3' : ''
  const orders = await db.query<Record<string, unknown> & { id: string; device_id: string }>(
    `SELECT o.* FROM orders o WHERE o.store_id = $1 AND o.business_date = $2${filter} ORDER BY o.created_at, o.device_id, o.journal_seq`,
    params,
  )
  const lines = await db.query<Record<string, unknown> & { device_id: string; order_id: string }>(
    `SELECT l.* FROM order_lines l JOIN orders o ON o.device_id = l.device_id AND o.id = l.order_id
     WHERE o.store_id = $1 AND o.business_date = $2${filter} ORDER BY l.line_no`,
    params,
  )
  const tenders = await db.query<Record<string, unknown> & { device_id: string; order_id: string }>(
    `SELECT t.* FROM order_tenders t JOIN orders o ON o.device_id = t.device_id AND o.id = t.order_id
     WHERE o.store_id = $1 AND o.business_date = $2${filter} ORDER BY t.tender_id`,
    params,
  )
  const key = (device: string, order: string): string => `${device}\n${order}`
  const byOrder = new Map<string, PlatformOrder>()
  const out: PlatformOrder[] = orders.map((o) => {
    const order: PlatformOrder = {
      id: o.id,
      storeId,
      deviceId: o.device_id,
      receiptNo: String(o.receipt_no),
      businessDate: String(o.business_date),
      createdAt: String(o.created_at),
      receivedAt: iso(o.received_at),
      currency: o.currency as PlatformOrder['currency'],
      subtotal: Number(o.subtotal),
      discountTotal: Number(o.discount_total),
      taxTotal: Number(o.tax_total),
      total: Number(o.total),
      staffName: String(o.staff_name),
      journalSeq: Number(o.journal_seq),
      lines: [],
      tenders: [],
    }
    byOrder.set(key(o.device_id, o.id), order)
    return order
  })
  for (const l of lines) {
    byOrder.get(key(l.device_id, l.order_id))?.lines.push({
      lineNo: Number(l.line_no),
      productId: String(l.product_id),
      name: String(l.name_en || l.name_zh),
      quantity: String(l.quantity),
      unitPrice: Number(l.unit_price),
      total: Number(l.total),
    })
  }
  for (const t of tenders) byOrder.get(key(t.device_id, t.order_id))?.tenders.push({ id: String(t.tender_id), method: String(t.method), amount: Number(t.amount) })
  return { storeId, businessDate, orders: out }
}

import type { Core } from '../../src/main/core/service'
import { appendEvent } from '../../src/main/core/journal'
import { postingMeta } from '../../src/main/core/ledger/days'
import { readSettings } from '../../src/main/core/settings'
import { storeStatement } from '../../src/main/core/settlement/statements'
import { newId } from '../../src/shared/ids'
import type { Statement, StatementRow } from '../../src/shared/statements/types'

/**
 * Helpers for the review tests. QR and card sales need a platform or a terminal; here they are
 * posted as the payment engine would leave them: a `sale.completed` event whose tender is the
 * wallet or the card (the ledger rule posts it, in the event's transaction), and the tender attempt
 * the reconciliation reads. Refunds of them likewise (`refund.completed`). Cash goes through the core.
 */

export type Provider = 'alipay' | 'wechat' | 'card'

export interface Injected {
  orderId: string
  attemptId: string
  method: Provider
  amount: number
  businessDate: string
}

export function injectSale(core: Core, now: Date, method: Provider, amount: number): Injected {
  const db = core.db
  const settings = readSettings(db)
  const orderId = newId()
  const attemptId = newId()
  const at = now.toISOString()
  let businessDate = ''
  db.transaction(() => {
    const posting = postingMeta(db, now, settings)
    businessDate = posting.businessDate
    const tax = Math.round((amount * 13) / 113)
    appendEvent(db, core.device.id, 'sale.completed', at, {
      id: orderId,
      currency: 'CNY',
      lineDiscounts: 0,
      orderDiscount: 0,
      total: amount,
      cashRounding: 0,
      paid: amount,
      taxes: [{ taxId: 'vat13', rate: '13', amount: tax }],
      tenders: [{ method, amount, tendered: amount, change: 0 }],
      businessDate,
      posting,
    })
    const checkoutId = newId()
    db.prepare(
      `INSERT INTO checkouts (id, state, cart_json, quote_json, currency, total_minor, staff_id, staff_name, order_id, created_at, updated_at)
       VALUES (?, 'completed', '{}', '{}', 'CNY', ?, 's', 'S', NULL, ?, ?)`,
    ).run(checkoutId, amount, at, at)
    db.prepare(
      `INSERT INTO tender_attempts (id, checkout_id, position, method, flow, amount_minor, currency, state, service_id, provider_ref, paid_at, created_at, updated_at)
       VALUES (?, ?, 0, ?, ?, ?, 'CNY', 'succeeded', NULL, ?, ?, ?, ?)`,
    ).run(attemptId, checkoutId, method, method === 'card' ? 'terminal' : 'customer_code', amount, `P${attemptId}`, at, at, at)
  })()
  return { orderId, attemptId, method, amount, businessDate }
}

export function injectRefund(core: Core, now: Date, sale: Injected, amount: number): void {
  const db = core.db
  const settings = readSettings(db)
  db.transaction(() => {
    appendEvent(db, core.device.id, 'refund.completed', now.toISOString(), {
      refundId: newId(),
      orderId: sale.orderId,
      method: sale.method,
      amount,
      currency: 'CNY',
      taxes: [{ taxId: 'vat13', rate: '13', amount: Math.floor((amount * 13) / 113) }],
      posting: postingMeta(db, now, settings),
    })
  })()
}

let lineNo = 0
/** A provider's statement of a day (rows sum to its totals). */
export function statement(provider: Provider, date: string, rows: Partial<StatementRow>[]): Statement {
  const full = rows.map((r): StatementRow => {
    const gross = r.gross ?? 0
    const fee = r.fee ?? 0
    return { line: ++lineNo, type: 'payment', providerRef: `X${lineNo}`, merchantRef: null, refundRef: null, currency: 'CNY', providerTime: `${date}T06:00:00Z`, providerDate: date, batch: null, payoutDate: null, ...r, gross, fee, net: gross - fee }
  })
  const format = provider === 'alipay' ? 'alipay_bill_zip' : provider === 'wechat' ? 'wechat_trade_bill' : 'adyen_settlement_detail'
  const pay = full.filter((r) => r.type === 'payment')
  const ref = full.filter((r) => r.type === 'refund')
  const sum = (xs: StatementRow[], k: 'gross' | 'fee'): number => xs.reduce((a, r) => a + r[k], 0)
  return {
    provider,
    format,
    merchantId: `M-${provider}`,
    date,
    currency: 'CNY',
    rows: full,
    totals: { payments: { count: pay.length, gross: sum(pay, 'gross'), fee: sum(pay, 'fee') }, refunds: { count: ref.length, gross: sum(ref, 'gross'), fee: sum(ref, 'fee') }, net: full.reduce((a, r) => a + r.net, 0) },
  }
}

export function hold(core: Core, s: Statement): void {
  storeStatement(core.db, s, { source: 'platform', fileName: `${s.provider}-${s.date}.csv`, fileSha256: newId().padEnd(64, '0'), at: '2026-11-21T02:00:00Z', currency: 'CNY' })
}

import { createHash } from 'node:crypto'
import type { Payment, PaymentRefund } from '../../../shared/payments'
import type { FetchFn } from '../sync/client'
import type { TerminalDriver, TerminalOutcome } from '../payments/terminal/driver'

/**
 * The providers at the edge, played in-process while the demo history is seeded: a stand-in for the
 * platform's wallet routes (pairing, payment create/get/cancel, refunds — answered as the sandbox
 * wallets answer a code that pays at once) and a card terminal that approves every request. The
 * till's own code drives them exactly as it drives the real ones (PlatformClient over `fetch`, the
 * TerminalDriver interface), so every tender, refund and posting is the core's own. Nothing here is
 * used once the history is seeded: the till is unpaired and the terminal forgotten again.
 */

/** Basis points the demo providers charge (the platform sandbox's default for wallets, the terminal simulator's acquirer for cards). */
export const DEMO_FEE_BASIS_POINTS = { alipay: 60, wechat: 60, card: 110 } as const

export interface DemoProviderLog {
  payments: Map<string, Payment>
  refunds: Map<string, PaymentRefund>
}

/** Half-up fee of a payment in minor units. */
export function demoFee(amount: number, basisPoints: number): number {
  return Math.floor((amount * basisPoints + 5000) / 10_000)
}

function digits(seed: string, n: number): string {
  // Deterministic digits from an id: provider trade numbers look like theirs, and never repeat.
  let out = ''
  for (let i = 0; out.length < n; i++) {
    for (const c of createHash('sha256').update(`${seed}:${i}`).digest()) if (c < 250 && out.length < n) out += String(c % 10)
  }
  return out
}

const ymd = (iso: string): string => iso.slice(0, 10).replaceAll('-', '')

/** A wallet's own trade number: Alipay 支付宝交易号 (28 digits), WeChat 微信订单号 (4200…, 28 digits). */
export function tradeNo(wallet: 'alipay' | 'wechat', id: string, at: string): string {
  return wallet === 'alipay' ? `${ymd(at)}2200${digits(id, 16)}` : `4200${digits(id, 4)}${ymd(at)}${digits(id + 'w', 12)}`
}

export const DEMO_STORE_ID = '01JDEMQ0000000000000000000'
export const DEMO_PLATFORM_URL = 'http://demo-history.invalid'

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const notFound = (what: string): Response => json(404, { error: { code: 'not_found', message: `no such ${what}` } })

/** The platform's device routes a till needs for wallet payments, answered in memory. */
export function demoPlatformFetch(now: () => Date, log: DemoProviderLog): FetchFn {
  return async (url, init) => {
    const path = new URL(url).pathname
    const at = now().toISOString()
    const body = init.body ? (JSON.parse(init.body) as Record<string, unknown>) : {}
    if (init.method === 'POST' && path === '/v1/pair') {
      return json(200, {
        deviceId: '01JDEMQ0000000000000000001',
        secret: 'ZGVtby1oaXN0b3J5LWRldmljZS1zZWNyZXQtMDAwMDA',
        store: { id: DEMO_STORE_ID, name: 'Daybook Mart (demo history)', currency: 'CNY', timeZone: 'Asia/Shanghai', createdAt: at },
        lastSeq: 0,
        lastHash: '0'.repeat(64),
        serverTime: at,
      })
    }
    let m = /^\/v1\/device\/payments$/.exec(path)
    if (m && init.method === 'POST') {
      const id = String(body.paymentId)
      const known = log.payments.get(id)
      if (known) return json(200, { ...known, serverTime: at })
      const wallet = body.wallet as 'alipay' | 'wechat'
      const amount = Number(body.amount)
      const p: Payment = {
        paymentId: id,
        wallet,
        flow: body.flow as 'merchant_qr' | 'customer_code',
        amount,
        currency: String(body.currency),
        state: 'succeeded',
        codeUrl: null,
        expiresAt: null,
        providerRef: tradeNo(wallet, id, at),
        paidAt: at,
        refunded: 0,
        fee: demoFee(amount, DEMO_FEE_BASIS_POINTS[wallet]),
        failure: null,
        providerStatus: wallet === 'alipay' ? 'TRADE_SUCCESS' : 'SUCCESS',
        serverTime: at,
      }
      log.payments.set(id, p)
      return json(200, p)
    }
    m = /^\/v1\/device\/payments\/([^/]+)(\/cancel)?$/.exec(path)
    if (m) {
      const p = log.payments.get(decodeURIComponent(m[1] as string))
      if (!p) return notFound('payment')
      if (m[2]) {
        const reversed: Payment = { ...p, state: 'reversed', providerStatus: 'REVERSED', serverTime: at }
        log.payments.set(p.paymentId, reversed)
        return json(200, reversed)
      }
      return json(200, { ...p, serverTime: at })
    }
    m = /^\/v1\/device\/payments\/([^/]+)\/refunds(?:\/([^/]+))?$/.exec(path)
    if (m) {
      const p = log.payments.get(decodeURIComponent(m[1] as string))
      if (!p) return notFound('payment')
      const refundId = m[2] ? decodeURIComponent(m[2]) : String(body.refundId)
      const known = log.refunds.get(refundId)
      if (known || m[2]) return known ? json(200, { ...known, serverTime: at }) : notFound('refund')
      const amount = Number(body.amount)
      const refundedTotal = p.refunded + amount
      const r: PaymentRefund = { refundId, paymentId: p.paymentId, amount, state: 'succeeded', refundedTotal, feeRefunded: demoFee(amount, DEMO_FEE_BASIS_POINTS[p.wallet]), failure: null, serverTime: at }
      log.payments.set(p.paymentId, { ...p, refunded: refundedTotal })
      log.refunds.set(refundId, r)
      return json(200, r)
    }
    return json(503, { error: { code: 'unavailable', message: `the demo provider does not serve ${init.method} ${path}` } })
  }
}

/** A card terminal that approves every payment and refund at once (POI "DEMO-P400"). */
export function demoTerminal(now: () => Date): TerminalDriver {
  let n = 0
  const approved = (amount: number, ref: string): TerminalOutcome => {
    n++
    // Letters between short digit groups: no run of digits in a reference can look like a card number.
    const d = digits(ref, 12)
    const psp = `DM${d.slice(0, 3)}K${d.slice(3, 6)}Q${d.slice(6, 9)}X${d.slice(9, 12)}`
    return {
      kind: 'approved',
      card: { maskedPan: `**** ${digits(ref + 'pan', 4)}`, brand: n % 3 === 0 ? 'mc' : n % 3 === 1 ? 'visa' : 'cup', entryMode: 'Contactless', approvalCode: digits(ref + 'ok', 6) },
      providerRef: `T${digits(ref + 't', 8)}.${psp}`,
      providerTimestamp: now().toISOString(),
      amount,
    }
  }
  return {
    terminalId: 'DEMO-P400',
    pay: async (req) => approved(req.amount, req.transactionId),
    refund: async (req) => approved(req.amount, req.refundId),
    status: async () => ({ kind: 'not_found' }),
    abort: async () => {},
  }
}

/** The Psp Reference of a card providerRef ("tenderRef.pspReference"), as the acquirer's report names it. */
export const pspOf = (providerRef: string): string => providerRef.split('.').pop() ?? providerRef

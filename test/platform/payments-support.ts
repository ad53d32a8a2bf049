import { expect } from 'vitest'
import { luhnValid } from '../../src/shared/card-number'
import { newId } from '../../src/shared/ids'
import { PaymentRefundSchema, PaymentSchema, type Payment, type Wallet } from '../../src/shared/payments'
import { PlatformErrorSchema } from '../../src/shared/platform-api'
import type { CallResult, TestPlatform } from '../helpers/platform'
import type { TestDevice } from './support'

/** Helpers for the wallet-payment tests: payment codes that pick a scenario, calls, assertions. */

/** A customer payment code of the wallet ending in `suffix` (two digits; 00 = no scenario). */
export function authCode(wallet: Wallet, suffix = '00'): string {
  const middle = String(Math.floor(Math.random() * 1e12)).padStart(14, '0')
  return wallet === 'alipay' ? `28${middle}${suffix}` : `13${middle}${suffix}`
}

/** An Alipay payment code that also passes Luhn and starts with 2 (a card-number look-alike the authCode field accepts). */
export function luhnAlipayCode(): string {
  for (let i = 0; ; i++) {
    const c = `2800000000${String(i).padStart(6, '0')}`
    if (luhnValid(c)) return c
  }
}

export function expectError(r: CallResult, code: string, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expect(PlatformErrorSchema.parse(r.body).error.code).toBe(code)
}

export function expectPayment(r: CallResult): Payment {
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return PaymentSchema.parse(r.body)
}

export const qrBody = (wallet: Wallet, amount: number, extra: Record<string, unknown> = {}) => ({
  paymentId: newId(),
  wallet,
  flow: 'merchant_qr',
  amount,
  currency: 'CNY',
  subject: 'Daybook Mart T01',
  expiresInSeconds: 120,
  ...extra,
})

export const codeBody = (wallet: Wallet, amount: number, code = authCode(wallet), extra: Record<string, unknown> = {}) => ({
  paymentId: newId(),
  wallet,
  flow: 'customer_code',
  amount,
  currency: 'CNY',
  subject: 'Daybook Mart T01',
  authCode: code,
  ...extra,
})

export const create = (d: TestDevice, body: unknown) => d.call('POST', '/v1/device/payments', { body })
export const get = (d: TestDevice, id: string, query = '') => d.call('GET', `/v1/device/payments/${id}${query}`)
export const cancel = (d: TestDevice, id: string) => d.call('POST', `/v1/device/payments/${id}/cancel`, { body: {} })
export const refund = (d: TestDevice, id: string, body: unknown) => d.call('POST', `/v1/device/payments/${id}/refunds`, { body })
export const refundGet = (d: TestDevice, id: string, refundId: string) => d.call('GET', `/v1/device/payments/${id}/refunds/${refundId}`)

export function expectRefund(r: CallResult) {
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return PaymentRefundSchema.parse(r.body)
}

/** The customer's phone: open (scan) the QR's page, or press Pay / Decline on it. */
export async function phone(codeUrl: string, action?: 'pay' | 'decline'): Promise<{ status: number; html: string }> {
  const res = action
    ? await fetch(codeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `action=${action}` })
    : await fetch(codeUrl)
  return { status: res.status, html: await res.text() }
}

/** Row counts of the payment tables (to prove a refused request stored nothing). */
export async function paymentCounts(p: TestPlatform): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const t of ['wallet_payments', 'wallet_refunds', 'sandbox_trades', 'sandbox_refunds', 'events', 'stores']) {
    out[t] = (await p.db.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${t}`))[0]!.n
  }
  return out
}

/** A clock the test moves: the platform and the device sign with it. */
export class TestClock {
  offsetMs = 0
  readonly now = (): Date => new Date(Date.now() + this.offsetMs)
  advance(ms: number): void {
    this.offsetMs += ms
  }
}

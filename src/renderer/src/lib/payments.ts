import type { TFunction } from 'i18next'
import type { Attempt, Checkout, Order, PaymentsStatus, Refund, Tender } from '../../../shared/contract'
import { findCardNumber } from '../../../shared/card-number'
import { OPEN_ATTEMPT_STATES, walletForCode, type CardDetails, type TenderMethod, type Wallet } from '../../../shared/payments'
import { quickCashAmounts, settleCash } from '../../../shared/pricing'
import { exponentOf } from '../../../shared/money'
import { isCurrency } from './format'

/** Still in flight: the till is waiting for the customer, the wallet or the terminal. */
export function isPending(a: Pick<Attempt, 'state'>): boolean {
  return OPEN_ATTEMPT_STATES.includes(a.state)
}

export function methodLabel(t: TFunction, method: TenderMethod): string {
  return t(`pay.method.${method}`)
}

/** "VISA ****1111" — brand and masked PAN as the terminal gave them. */
export function cardLabel(card: CardDetails): string {
  const last4 = /(\d{4})$/.exec(card.maskedPan)?.[1]
  return `${card.brand.toUpperCase()} ${last4 ? `****${last4}` : card.maskedPan}`.trim()
}

/** A tender in words: "Cash", "Alipay", "Card VISA ****1111". */
export function tenderLabel(t: TFunction, tender: Pick<Tender, 'method' | 'card'>): string {
  if (tender.method === 'card' && tender.card) {
    const last4 = /(\d{4})$/.exec(tender.card.maskedPan)?.[1]
    return t('receipt.tenderCard', { brand: tender.card.brand.toUpperCase(), pan: last4 ? `****${last4}` : tender.card.maskedPan })
  }
  return methodLabel(t, tender.method)
}

const KNOWN_FAILURES = [
  'declined',
  'expired',
  'closed',
  'cancelled',
  'not_sent',
  'not_processed',
  'qr_unavailable',
  'platform_unreachable',
  'terminal_busy',
  'terminal_not_configured',
  'reversal_refused',
  'insufficient_funds',
  'card_refusal',
  'card_cancel',
  'card_aborted',
  'refund_failed',
] as const

/** Why an attempt failed, in the screen's language; the core's English sentence when the code is new to us. */
export function failureText(t: TFunction, failure: { code: string; message: string }, lang: string): string {
  const code = failure.code.toLowerCase()
  if ((KNOWN_FAILURES as readonly string[]).includes(code)) return t(`pay.failure.${code as (typeof KNOWN_FAILURES)[number]}`)
  if (lang === 'en' && failure.message) return failure.message
  return t('pay.failure.other', { code: failure.code })
}

/** What the till is doing about an attempt now, as a sentence ("Waiting for the customer to scan"). */
export function attemptActivityText(t: TFunction, a: Attempt, lang: string): string {
  const card = a.flow === 'terminal'
  switch (a.activity) {
    case 'contacting':
      return card ? t('pay.activity.contacting_card') : t('pay.activity.contacting_qr')
    case 'waiting_customer':
      return card ? t('pay.activity.waiting_card') : a.flow === 'merchant_qr' ? t('pay.activity.waiting_qr') : t('pay.activity.waiting_code')
    case 'user_paying':
      return t('pay.activity.user_paying', { count: Math.max(1, a.polls) })
    case 'checking':
      return card ? t('pay.activity.checking_card') : t('pay.activity.checking_qr')
    case 'cancelling':
      return card ? t('pay.activity.cancelling_card') : t('pay.activity.cancelling_qr')
    case 'reversing':
      return t('pay.activity.reversing')
    case 'none':
      break
  }
  switch (a.state) {
    case 'created':
      return t('pay.activity.created')
    case 'awaiting_customer':
      return card ? t('pay.activity.waiting_card') : a.flow === 'merchant_qr' ? t('pay.activity.waiting_qr') : t('pay.activity.waiting_code')
    case 'unknown':
      return card ? t('pay.activity.checking_card') : t('pay.activity.unknown')
    case 'succeeded':
      return t('pay.activity.paid')
    case 'failed':
      return a.failure ? failureText(t, a.failure, lang) : t('pay.activity.failed')
    case 'reversed':
      return t('pay.activity.reversed')
  }
}

/** Can the cashier stop it? Only QR and card attempts still in flight and not already being stopped. */
export function canCancel(a: Attempt): boolean {
  return a.flow !== 'cash' && isPending(a) && a.activity !== 'cancelling' && a.activity !== 'reversing'
}

/** Seconds left on a merchant QR (never negative), or null when it has no expiry. */
export function secondsLeft(expiresAt: string | null, now: number): number | null {
  if (!expiresAt) return null
  const end = Date.parse(expiresAt)
  if (Number.isNaN(end)) return null
  return Math.max(0, Math.ceil((end - now) / 1000))
}

export function clockText(seconds: number): string {
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${m}:${String(s).padStart(2, '0')}`
}

/** The merchant QR the customer should scan now (the newest one still waiting), if any. */
export function liveQr(c: Checkout | null): Attempt | null {
  if (!c) return null
  const qrs = c.attempts.filter((a) => a.flow === 'merchant_qr' && isPending(a) && a.codeUrl)
  return qrs[qrs.length - 1] ?? null
}

/**
 * Cash for `amount`: when it closes the order (all of what is left, nothing in flight) the store's
 * cash rounding applies, as the core will apply it. Display only: the core records the figures.
 */
export function cashFigures(c: Checkout, amount: number, cashRounding: { increment: number; mode: 'half_up' | 'half_even' | 'down' | 'up' } | null) {
  const closes = amount === c.remaining && c.pending === 0
  const noCashYet = c.attempts.every((a) => a.state !== 'succeeded')
  // the whole order in cash: the quote already says what cash is due
  if (closes && noCashYet && amount === c.total) return { closes, due: c.quote.cashDue, rounding: c.quote.cashRounding, quick: c.quote.quickCash }
  if (closes && cashRounding) {
    const s = settleCash(amount, 0, cashRounding)
    return { closes, due: s.roundedDue, rounding: s.rounding, quick: quickCashAmounts(s.roundedDue, notes(c.currency)) }
  }
  return { closes, due: amount, rounding: 0, quick: quickCashAmounts(amount, notes(c.currency)) }
}

function notes(currency: string): number[] {
  const unit = isCurrency(currency) ? 10 ** exponentOf(currency) : 100
  return [1, 5, 10, 20, 50, 100].map((n) => n * unit)
}

/** Cash taken so far on a checkout (what must be handed back if it is voided). */
export function cashTaken(c: Checkout): number {
  return c.attempts.filter((a) => a.method === 'cash' && a.state === 'succeeded').reduce((sum, a) => sum + a.amount, 0)
}

export type ScanVerdict = { kind: 'wallet'; wallet: Wallet; code: string } | { kind: 'card' } | { kind: 'other' }

/**
 * A scanned or typed code in the pay view. A wallet payment code is what this field is for, so it
 * is recognised first (an Alipay code can pass the Luhn check); anything else that looks like a
 * card number is refused and never sent anywhere.
 */
export function classifyScan(raw: string): ScanVerdict {
  const code = raw.trim()
  const wallet = walletForCode(code)
  if (wallet) return { kind: 'wallet', wallet, code }
  if (findCardNumber(code) !== null) return { kind: 'card' }
  return { kind: 'other' }
}

/** Why QR buttons are off, as an i18n key, or null when QR payments are available. */
export function qrBlockedKey(s: PaymentsStatus | null): 'pay.status.qrUnpaired' | 'pay.status.qrOffline' | 'pay.status.qrRecovering' | null {
  if (!s || s.qr.available) return null
  if (s.qr.reason === 'unpaired') return 'pay.status.qrUnpaired'
  if (s.qr.reason === 'recovering') return 'pay.status.qrRecovering'
  return 'pay.status.qrOffline'
}

export function cardBlockedKey(s: PaymentsStatus | null): 'pay.status.cardNotConfigured' | 'pay.status.cardRecovering' | null {
  if (!s || s.card.available) return null
  return s.card.reason === 'recovering' ? 'pay.status.cardRecovering' : 'pay.status.cardNotConfigured'
}

/** Refunds that hold money: every one not failed (the core counts the same way). */
export function refundsOf(order: Order, tenderId: string): Refund[] {
  return order.refunds.filter((r) => r.tenderId === tenderId)
}

export function refundableOf(order: Order, tenderId: string): number {
  const tender = order.tenders.find((x) => x.id === tenderId)
  if (!tender) return 0
  const used = refundsOf(order, tenderId)
    .filter((r) => r.state !== 'failed')
    .reduce((sum, r) => sum + r.amount, 0)
  return Math.max(0, tender.amount - used)
}

export function isRefundOpen(r: Pick<Refund, 'state'>): boolean {
  return r.state === 'created' || r.state === 'pending' || r.state === 'unknown'
}

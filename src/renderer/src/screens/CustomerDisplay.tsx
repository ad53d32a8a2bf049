import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Checkout } from '../../../shared/contract'
import { getSessionToken, invoke, onEvent } from '../api'
import { money, toLanguage } from '../lib/format'
import { isPending, liveQr } from '../lib/payments'
import i18n, { LANGUAGE_KEY } from '../i18n'
import { MerchantQr } from './checkout/PayParts'

/** How often the display asks for the till's open checkout besides the events (a new sale sends none). */
const FOLLOW_MS = 2_000
/** How long "Paid — thank you" (or "cancelled") stays before the welcome screen. */
const FAREWELL_MS = 12_000

export type DisplayView =
  | { kind: 'idle' }
  | { kind: 'signed-out' }
  | { kind: 'checkout'; checkout: Checkout }
  | { kind: 'done'; checkout: Checkout }

/**
 * The customer-facing screen (`#/customer-display`): the store's name, the sale's total and what
 * is left, the QR to scan with its wallet and amount, and "Paid — thank you" at the end. It
 * follows the till's open checkout; it never changes anything.
 */
export function CustomerDisplay() {
  const [storeName, setStoreName] = useState('')
  const [view, setView] = useState<DisplayView>({ kind: 'idle' })
  const last = useRef<{ id: string; at: number } | null>(null)

  useEffect(() => {
    let live = true
    let busy = false
    void invoke('app-info', {}).then((r) => {
      if (live && r.ok) setStoreName(r.value.storeName)
    })
    const follow = async () => {
      if (busy) return
      if (!getSessionToken()) {
        setView({ kind: 'signed-out' })
        return
      }
      busy = true
      try {
        const r = await invoke('checkout-open', {})
        if (!live) return
        if (!r.ok) {
          if (r.error.code === 'not_signed_in') setView({ kind: 'signed-out' })
          return
        }
        if (r.value) {
          last.current = { id: r.value.id, at: Date.now() }
          setView({ kind: 'checkout', checkout: r.value })
          return
        }
        // Nothing open: the sale we showed was paid or voided. Say which, for a while.
        const prev = last.current
        if (!prev) {
          setView({ kind: 'idle' })
          return
        }
        const done = await invoke('checkout-get', { id: prev.id })
        if (!live) return
        if (done.ok && (done.value.state === 'completed' || done.value.state === 'voided') && Date.now() - prev.at < FAREWELL_MS) {
          setView({ kind: 'done', checkout: done.value })
        } else {
          last.current = null
          setView({ kind: 'idle' })
        }
      } finally {
        busy = false
      }
    }
    void follow()
    const off = onEvent('payments-changed', () => void follow())
    const timer = setInterval(() => void follow(), FOLLOW_MS)
    // the till's language switch (same origin, other window) applies here too
    const onStorage = (e: StorageEvent) => {
      if (e.key === LANGUAGE_KEY && (e.newValue === 'en' || e.newValue === 'zh-CN')) void i18n.changeLanguage(e.newValue)
    }
    window.addEventListener('storage', onStorage)
    return () => {
      live = false
      off()
      clearInterval(timer)
      window.removeEventListener('storage', onStorage)
    }
  }, [])

  return <CustomerDisplayView storeName={storeName} view={view} now={useNow()} />
}

function useNow(): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  return now
}

/** What the customer sees, from what the till told (no store, no effects: tests render it as it is). */
export function CustomerDisplayView({ storeName, view, now }: { storeName: string; view: DisplayView; now: number }) {
  const { t, i18n } = useTranslation()
  const lang = toLanguage(i18n.language)
  const m = (minor: number, currency: string) => money(minor, currency, lang)
  let body: React.ReactNode
  if (view.kind === 'checkout') {
    const c = view.checkout
    const qr = liveQr(c)
    const card = c.attempts.find((a) => a.flow === 'terminal' && isPending(a))
    const code = c.attempts.find((a) => a.flow === 'customer_code' && isPending(a))
    body = (
      <div className="cd-sale">
        <div className="cd-amounts">
          <div>
            <span className="label">{t('customer.total')}</span>
            <span className="cd-total money" data-testid="cd-total" data-minor={c.total}>
              {m(c.total, c.currency)}
            </span>
          </div>
          {c.paid > 0 ? (
            <div>
              <span className="label">{t('customer.paid')}</span>
              <span className="cd-paid money" data-minor={c.paid}>
                {m(c.paid, c.currency)}
              </span>
            </div>
          ) : null}
          <div>
            <span className="label">{t('customer.remaining')}</span>
            <span className="cd-remaining money" data-testid="cd-remaining" data-minor={c.remaining + c.pending}>
              {m(c.remaining + c.pending, c.currency)}
            </span>
          </div>
          <ul className="cd-lines">
            {c.quote.lines.slice(0, 8).map((l) => (
              <li key={l.lineNo}>
                <span>{lang === 'zh-CN' ? l.nameZh || l.nameEn : l.nameEn || l.nameZh}</span>
                <span className="muted">{l.unit === 'kg' ? `${l.quantity} kg` : `× ${l.quantity}`}</span>
                <span>{m(l.total, c.currency)}</span>
              </li>
            ))}
            {c.quote.lines.length > 8 ? <li className="muted">…</li> : null}
          </ul>
        </div>
        <div className="cd-pay">
          {qr ? (
            <MerchantQr attempt={qr} currency={c.currency} now={now} size={320} forCustomer />
          ) : card ? (
            <div className="cd-message" data-testid="cd-card">
              <span className="tender-mark mark-card big" aria-hidden="true" />
              {t('customer.cardTap')}
            </div>
          ) : code ? (
            <div className="cd-message">{code.activity === 'user_paying' ? t('customer.userPaying') : t('customer.processing')}</div>
          ) : (
            <div className="cd-message muted">{t('customer.welcome')}</div>
          )}
        </div>
      </div>
    )
  } else if (view.kind === 'done') {
    const c = view.checkout
    body =
      view.checkout.state === 'completed' ? (
        <div className="cd-done" data-testid="cd-thanks">
          <span className="cd-check" aria-hidden="true">
            ✔
          </span>
          <strong>{t('customer.thanks')}</strong>
          <span className="cd-total money">{m(c.total, c.currency)}</span>
        </div>
      ) : (
        <div className="cd-done voided" data-testid="cd-voided">
          <strong>{t('customer.voided')}</strong>
        </div>
      )
  } else {
    body = (
      <div className="cd-idle">
        <strong>{t('customer.welcome')}</strong>
        {view.kind === 'signed-out' ? <small className="muted">{t('customer.notSignedIn')}</small> : null}
      </div>
    )
  }
  return (
    <div className="customer-display" data-testid="customer-display" data-view={view.kind}>
      <header className="cd-head">
        <h1>{storeName}</h1>
      </header>
      <main className="cd-body">{body}</main>
    </div>
  )
}

import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Checkout } from '../../../shared/contract'
import type { DisplayCart, DisplayState } from '../../../shared/display-contract'
import { getSessionToken, invoke, onEvent } from '../api'
import { money, toLanguage } from '../lib/format'
import { isPending, liveQr } from '../lib/payments'
import i18n, { LANGUAGE_KEY } from '../i18n'
import { MerchantQr } from './checkout/PayParts'

/** How often the display asks for the till's open checkout besides the events (a new sale sends none). */
const FOLLOW_MS = 2_000
/** How long "Paid — thank you" (or "cancelled") stays before the welcome screen. */
const FAREWELL_MS = 12_000

/** How many cart lines fit on the display; the newest are shown, the older ones summed up. */
export const CART_LINES_SHOWN = 8

export type DisplayView =
  | { kind: 'idle' }
  | { kind: 'signed-out' }
  | { kind: 'cart'; cart: DisplayCart }
  | { kind: 'checkout'; checkout: Checkout }
  | { kind: 'done'; checkout: Checkout }
  | { kind: 'thanks'; thanks: Extract<DisplayState, { kind: 'thanks' }>['thanks'] }

/**
 * What the display shows, from what it learnt: the sale being paid first; then what the till
 * said (the thank-you with the change, or the cart being built); then the end of a sale it saw
 * being paid (paid or cancelled, for a while); else the welcome.
 */
export function chooseView(open: Checkout | null, state: DisplayState | null, finished: Checkout | null, signedIn: boolean): DisplayView {
  if (open) return { kind: 'checkout', checkout: open }
  if (state?.kind === 'thanks') return { kind: 'thanks', thanks: state.thanks }
  if (state?.kind === 'cart' && state.cart.lines.length > 0) return { kind: 'cart', cart: state.cart }
  if (finished) return { kind: 'done', checkout: finished }
  return signedIn ? { kind: 'idle' } : { kind: 'signed-out' }
}

/**
 * The customer-facing screen (`#/customer-display`): the store's name, the cart as the cashier
 * builds it (display-get: the till feeds it, no sign-in needed here), then the sale's total and
 * what is left with the QR to scan (the till's open checkout), and a thank-you with the change at
 * the end. It never changes anything.
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
    let again = false
    const follow = async (): Promise<void> => {
      if (busy) {
        again = true
        return
      }
      busy = true
      try {
        const signedIn = getSessionToken() !== null
        const [state, open] = await Promise.all([invoke('display-get', {}), signedIn ? invoke('checkout-open', {}) : Promise.resolve(null)])
        if (!live) return
        const display = state.ok ? state.value : null
        const stillSignedIn = signedIn && !(open && !open.ok && open.error.code === 'not_signed_in')
        const current = open && open.ok ? open.value : null
        let finished: Checkout | null = null
        if (current) {
          last.current = { id: current.id, at: Date.now() }
        } else if (last.current && stillSignedIn) {
          // Nothing open: the sale we showed was paid or voided. Say which, for a while.
          const prev = last.current
          const done = await invoke('checkout-get', { id: prev.id })
          if (!live) return
          if (done.ok && (done.value.state === 'completed' || done.value.state === 'voided') && Date.now() - prev.at < FAREWELL_MS) finished = done.value
          else last.current = null
        }
        setView(chooseView(current, display, finished, stillSignedIn))
      } finally {
        busy = false
        if (again && live) {
          again = false
          void follow()
        }
      }
    }
    void follow()
    const off = onEvent('payments-changed', () => void follow())
    const offDisplay = onEvent('display-changed', () => void follow())
    const timer = setInterval(() => void follow(), FOLLOW_MS)
    // the till's language switch (same origin, other window) applies here too
    const onStorage = (e: StorageEvent) => {
      if (e.key === LANGUAGE_KEY && (e.newValue === 'en' || e.newValue === 'zh-CN')) void i18n.changeLanguage(e.newValue)
    }
    window.addEventListener('storage', onStorage)
    return () => {
      live = false
      off()
      offDisplay()
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
  } else if (view.kind === 'cart') {
    body = <CartView cart={view.cart} />
  } else if (view.kind === 'thanks') {
    const th = view.thanks
    body = (
      <div className="cd-done cd-thanks" data-testid="cd-thanks" data-change={th.change}>
        <span className="cd-check" aria-hidden="true">
          ✔
        </span>
        <strong>{t('cdisplay.thanksTitle')}</strong>
        <div className="cd-thanks-figures">
          <span>
            <span className="label">{t('cdisplay.paidTotal')}</span>
            <span className="money" data-testid="cd-thanks-total" data-minor={th.total}>
              {m(th.total, th.currency)}
            </span>
          </span>
          {th.change > 0 ? (
            <span className="cd-change">
              <span className="label">{t('cdisplay.change')}</span>
              <span className="money" data-testid="cd-change" data-minor={th.change}>
                {m(th.change, th.currency)}
              </span>
            </span>
          ) : null}
        </div>
        <small className="muted">{t('cdisplay.comeAgain')}</small>
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

/** The cart as it is built: the newest lines (the last one marked), the item count, savings and the total. */
function CartView({ cart }: { cart: DisplayCart }) {
  const { t, i18n } = useTranslation()
  const lang = toLanguage(i18n.language)
  const m = (minor: number) => money(minor, cart.currency, lang)
  const shown = cart.lines.slice(-CART_LINES_SHOWN)
  const hidden = cart.more + cart.lines.length - shown.length
  const items = cart.more + cart.lines.length
  return (
    <div className="cd-cart" data-testid="cd-cart" data-lines={items}>
      <ol className="cd-cart-lines" data-testid="cd-cart-lines">
        {hidden > 0 ? <li className="muted cd-more">{t('cdisplay.more', { count: hidden })}</li> : null}
        {shown.map((l, i) => (
          <li key={`${items - shown.length + i}`} className={i === shown.length - 1 ? 'cd-line newest' : 'cd-line'} data-testid="cd-line" data-minor={l.amount}>
            <span className="cd-line-name">{lang === 'zh-CN' ? l.nameZh || l.nameEn : l.nameEn || l.nameZh}</span>
            <span className="cd-line-qty">{l.unit === 'kg' ? `${l.quantity} kg` : `× ${l.quantity}`}</span>
            <span className="cd-line-amount money">{m(l.amount)}</span>
          </li>
        ))}
      </ol>
      <div className="cd-cart-sum">
        <span className="label">{t('cdisplay.items', { count: items })}</span>
        {cart.discount > 0 ? (
          <span className="cd-save" data-testid="cd-save" data-minor={cart.discount}>
            {t('cdisplay.youSave')} {m(cart.discount)}
          </span>
        ) : null}
        <span className="label">{t('customer.total')}</span>
        <span className="cd-cart-total money" data-testid="cd-cart-total" data-minor={cart.total}>
          {m(cart.total)}
        </span>
      </div>
    </div>
  )
}

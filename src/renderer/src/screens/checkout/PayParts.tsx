import { useTranslation } from 'react-i18next'
import type { Attempt, Checkout, PaymentsStatus } from '../../../../shared/contract'
import { Money } from '../../components/Money'
import { QrImage } from '../../components/QrImage'
import { useFormat } from '../../lib/format'
import {
  attemptActivityText,
  canCancel,
  cardBlockedKey,
  cardLabel,
  clockText,
  isPending,
  methodLabel,
  qrBlockedKey,
  secondsLeft,
} from '../../lib/payments'

/**
 * The pieces of the pay view that only show what they are given (no store, no effects), so tests
 * can render them as they are and the customer display can reuse the QR.
 */

export type TenderKey = 'cash' | 'alipay' | 'wechat' | 'card' | 'scan'
export const TENDER_KEYS: Record<TenderKey, string> = { cash: 'F2', alipay: 'F3', wechat: 'F4', card: 'F7', scan: 'F8' }

export function TenderButtons({
  status,
  mode,
  disabled,
  onPick,
}: {
  status: PaymentsStatus | null
  mode: 'cash' | 'scan'
  disabled: boolean
  onPick: (key: TenderKey) => void
}) {
  const { t } = useTranslation()
  const qrOff = qrBlockedKey(status) !== null
  const cardOff = cardBlockedKey(status) !== null
  const buttons: { key: TenderKey; label: string; off: boolean; active: boolean }[] = [
    { key: 'cash', label: t('pay.button.cash'), off: false, active: mode === 'cash' },
    { key: 'alipay', label: t('pay.button.alipayQr'), off: qrOff, active: false },
    { key: 'wechat', label: t('pay.button.wechatQr'), off: qrOff, active: false },
    { key: 'card', label: t('pay.button.card'), off: cardOff, active: false },
    { key: 'scan', label: t('pay.button.scan'), off: qrOff, active: mode === 'scan' },
  ]
  return (
    <div className="tenders" role="group" aria-label={t('pay.title')}>
      {buttons.map((b) => (
        <button
          key={b.key}
          type="button"
          className={`tender tender-${b.key}${b.active ? ' active' : ''}`}
          aria-pressed={b.key === 'cash' || b.key === 'scan' ? b.active : undefined}
          data-testid={`tender-${b.key}`}
          disabled={b.off || disabled}
          onClick={() => onPick(b.key)}
        >
          <span className={`tender-mark mark-${b.key}`} aria-hidden="true" />
          {b.label}
          <kbd>{TENDER_KEYS[b.key]}</kbd>
        </button>
      ))}
    </div>
  )
}

/** Why some tenders are off, in plain words; nothing when everything works. */
export function PaymentsNotes({ status }: { status: PaymentsStatus | null }) {
  const { t } = useTranslation()
  const qr = qrBlockedKey(status)
  const card = cardBlockedKey(status)
  if (!qr && !card && !status?.unresolved) return null
  return (
    <ul className="pay-notes" data-testid="payments-notes">
      {qr ? (
        <li data-testid="qr-unavailable" data-reason={status?.qr.reason ?? ''}>
          {t(qr)}
        </li>
      ) : null}
      {card ? <li data-testid="card-unavailable">{t(card)}</li> : null}
      {status && status.unresolved > 0 ? <li>{t('pay.status.unresolved', { count: status.unresolved })}</li> : null}
    </ul>
  )
}

function AttemptDetail({ a, currency }: { a: Attempt; currency: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  const parts: string[] = []
  if (a.flow === 'cash' && a.tendered !== null && a.change !== null && a.change > 0) {
    parts.push(t('pay.cashDetail', { tendered: f.money(a.tendered, currency), change: f.money(a.change, currency) }))
  }
  if (a.card) {
    parts.push(cardLabel(a.card))
    if (a.card.approvalCode) parts.push(t('pay.approvalCode', { code: a.card.approvalCode }))
  }
  if (parts.length === 0) return null
  return <small className="attempt-detail">{parts.join(' · ')}</small>
}

/** Every tender of this sale with its method, amount, state and what the till is doing about it. */
export function TenderList({ checkout, busyIds, onCancel }: { checkout: Checkout; busyIds?: readonly string[]; onCancel?: (attemptId: string) => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (checkout.attempts.length === 0) return <p className="muted tender-empty">{t('pay.noTenders')}</p>
  return (
    <ol className="tender-list" data-testid="tender-list">
      {checkout.attempts.map((a) => {
        const pending = isPending(a)
        return (
          <li
            key={a.id}
            className={`attempt state-${a.state}`}
            data-testid="attempt"
            data-attempt-id={a.id}
            data-state={a.state}
            data-activity={a.activity}
            data-method={a.method}
          >
            <span className={`tender-mark mark-${a.method}`} aria-hidden="true" />
            <div className="attempt-main">
              <div className="attempt-head">
                <strong>{methodLabel(t, a.method)}</strong>
                {a.flow !== 'cash' ? <span className="muted small">{t(`pay.flow.${a.flow}`)}</span> : null}
                <span className={`state-chip chip-${a.state}`}>{t(`pay.state.${a.state}`)}</span>
              </div>
              {a.state !== 'succeeded' || a.activity !== 'none' ? (
                <span className="attempt-activity" data-testid="attempt-activity">
                  {pending ? <span className="spinner small" aria-hidden="true" /> : null}
                  {attemptActivityText(t, a, f.lang)}
                </span>
              ) : null}
              <AttemptDetail a={a} currency={checkout.currency} />
            </div>
            <Money minor={a.amount} currency={checkout.currency} className="attempt-amount" />
            {onCancel && canCancel(a) ? (
              <button
                type="button"
                className="btn secondary small"
                data-testid={`cancel-${a.id}`}
                disabled={busyIds?.includes(a.id)}
                onClick={() => onCancel(a.id)}
              >
                {t('pay.cancelAttempt')}
              </button>
            ) : null}
          </li>
        )
      })}
    </ol>
  )
}

/** The merchant QR, big, with its wallet, amount and a countdown (seconds from `now`). */
export function MerchantQr({
  attempt,
  currency,
  now,
  size = 240,
  forCustomer = false,
  action,
}: {
  attempt: Attempt
  currency: string
  now: number
  size?: number
  forCustomer?: boolean
  /** The cashier's button under it (Cancel); none on the customer display. */
  action?: React.ReactNode
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const left = secondsLeft(attempt.expiresAt, now)
  const wallet = methodLabel(t, attempt.method)
  return (
    <div className={`merchant-qr wallet-${attempt.method}`} data-testid="merchant-qr" data-wallet={attempt.method}>
      <div className="qr-wallet">
        <span className={`tender-mark mark-${attempt.method}`} aria-hidden="true" />
        {forCustomer ? t('customer.scanWith', { wallet }) : t('pay.qrScan', { wallet })}
      </div>
      {attempt.codeUrl ? <QrImage text={attempt.codeUrl} size={size} className="qr-image" testId="merchant-qr-image" alt={wallet} /> : null}
      <Money minor={attempt.amount} currency={currency} className="qr-amount" testId="merchant-qr-amount" />
      {left !== null ? (
        <div className={left <= 15 ? 'qr-countdown soon' : 'qr-countdown'} data-testid="qr-countdown" data-seconds={left}>
          {left > 0 ? t('pay.qrExpiresIn', { time: clockText(left) }) : t('pay.qrExpired')}
        </div>
      ) : null}
      {forCustomer ? null : <div className="attempt-activity">{attemptActivityText(t, attempt, f.lang)}</div>}
      {action}
    </div>
  )
}

/** Amounts of the sale: total, what is paid, what is in flight, and what is left. */
export function PaySummary({ checkout }: { checkout: Checkout }) {
  const { t } = useTranslation()
  const c = checkout
  return (
    <div className="pay-summary">
      {c.remaining === 0 && c.pending > 0 ? (
        // everything left is in flight: show that, not a bare zero
        <div className="pay-due waiting">
          <span className="label">{t('pay.pending')}</span>
          <Money minor={c.pending} currency={c.currency} testId="pay-waiting" className="huge-amount" />
          <Money minor={0} currency={c.currency} testId="pay-remaining" className="visually-hidden" />
        </div>
      ) : (
        <div className="pay-due">
          <span className="label">{c.attempts.length === 0 ? t('pay.due') : t('pay.remaining')}</span>
          <Money minor={c.remaining} currency={c.currency} testId="pay-remaining" className="huge-amount" />
        </div>
      )}
      <dl className="pay-breakdown">
        <dt>{t('pay.total')}</dt>
        <dd>
          <Money minor={c.total} currency={c.currency} testId="pay-total" />
        </dd>
        {c.paid > 0 ? (
          <>
            <dt>{t('pay.paid')}</dt>
            <dd>
              <Money minor={c.paid} currency={c.currency} testId="pay-paid" />
            </dd>
          </>
        ) : null}
        {c.pending > 0 ? (
          <>
            <dt>{t('pay.pending')}</dt>
            <dd>
              <Money minor={c.pending} currency={c.currency} testId="pay-pending" />
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  )
}

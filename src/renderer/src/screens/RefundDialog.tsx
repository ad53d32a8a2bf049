import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Order, Refund } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { minorToDecimalString, parseMajor } from '../../../shared/money'
import { invoke } from '../api'
import { Dialog } from '../components/Dialog'
import { ErrorNote } from '../components/ErrorNote'
import { Money } from '../components/Money'
import { SupervisorApproval } from '../components/SupervisorApproval'
import { isCurrency, useFormat } from '../lib/format'
import { failureText, isRefundOpen, refundableOf, tenderLabel } from '../lib/payments'
import { useApp } from '../store'

export interface RefundSent {
  refundId: string
  amount: number
  reason: string
}

/**
 * Refund part or all of one tender. The refund id is made when the dialog opens and kept for
 * every retry (a lost answer, an unknown outcome), so the customer can never be paid twice; only
 * a refund that failed outright is followed by a new one with a new id.
 */
export function RefundDialog({ order, tenderId, onClose }: { order: Order; tenderId: string; onClose: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const setReceiptOrder = useApp((s) => s.setReceiptOrder)
  const tender = order.tenders.find((x) => x.id === tenderId)
  const currency = order.currency
  const refundable = refundableOf(order, tenderId)
  const [refundId, setRefundId] = useState(() => newId())
  const [amountText, setAmountText] = useState(() => (isCurrency(currency) ? minorToDecimalString(refundable, currency) : String(refundable)))
  const [reason, setReason] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [approval, setApproval] = useState<{ amount: number } | null>(null)
  const [sent, setSent] = useState<RefundSent | null>(null)

  if (!tender) return null
  const refund: Refund | null = sent ? (order.refunds.find((r) => r.id === sent.refundId) ?? null) : null
  const parsed = amountText.trim() === '' ? null : isCurrency(currency) ? parseMajor(amountText, currency) : null
  // before anything was sent, the limit is what is left now; after, the figures of the sent refund stand
  const amountIssue =
    parsed === null ? t('refund.invalidAmount') : parsed <= 0 ? t('refund.zero') : parsed > refundable ? t('refund.tooMuch', { amount: f.money(refundable, currency) }) : null
  const reasonMissing = reason.trim() === ''

  const send = async (request: RefundSent, approvalId?: string) => {
    setBusy(true)
    setError(null)
    const r = await invoke(
      'refund-create',
      approvalId
        ? { refundId: request.refundId, orderId: order.id, tenderId, amount: request.amount, reason: request.reason, approvalId }
        : { refundId: request.refundId, orderId: order.id, tenderId, amount: request.amount, reason: request.reason },
    )
    setBusy(false)
    if (r.ok) {
      setApproval(null)
      setSent(request)
      setReceiptOrder(r.value)
      return
    }
    if (r.error.code === 'approval_required' || r.error.code === 'approval_invalid') {
      const d = r.error.details as { amount?: unknown } | undefined
      setApproval({ amount: typeof d?.amount === 'number' ? d.amount : request.amount })
      if (r.error.code === 'approval_invalid') setError(r.error)
      return
    }
    // The core answered "no": nothing was sent, the form stays. A lost answer keeps `sent` for the retry.
    if (r.error.code !== 'internal') setSent(null)
    else setSent(request)
    setError(r.error)
  }

  const submit = () => {
    setTouched(true)
    if (busy || amountIssue || reasonMissing || parsed === null) return
    void send({ refundId, amount: parsed, reason: reason.trim() })
  }

  const startOver = () => {
    setRefundId(newId())
    setSent(null)
    setError(null)
    setAmountText(isCurrency(currency) ? minorToDecimalString(refundableOf(order, tenderId), currency) : '')
  }

  const lostAnswer = sent !== null && refund === null && error?.code === 'internal'
  let body: React.ReactNode
  if (approval && sent === null) {
    body = (
      <SupervisorApproval
        reason="refund"
        amount={approval.amount}
        currency={currency}
        onApproved={(id) => parsed !== null && void send({ refundId, amount: parsed, reason: reason.trim() }, id)}
      />
    )
  } else if (refund || lostAnswer) {
    body = (
      <div className="refund-progress" data-testid="refund-progress" data-state={refund?.state ?? 'unknown'}>
        <RefundProgress refund={refund} sent={sent} currency={currency} cash={tender.method === 'cash'} />
        {error ? <ErrorNote error={error} ctx={{ refund: true, money: (m) => f.money(m, currency) }} testId="refund-error" /> : null}
        <div className="row-actions">
          {lostAnswer || refund?.state === 'unknown' ? (
            <>
              <small className="muted">{t('refund.retryNote')}</small>
              <button type="button" className="btn primary" data-testid="refund-retry" disabled={busy} onClick={() => sent && void send(sent)}>
                {busy ? t('refund.sending') : t('refund.retry')}
              </button>
            </>
          ) : null}
          {refund?.state === 'failed' && refundableOf(order, tenderId) > 0 ? (
            <button type="button" className="btn secondary" data-testid="refund-new" onClick={startOver}>
              {t('refund.newRefund')}
            </button>
          ) : null}
          <button type="button" className={refund && !isRefundOpen(refund) ? 'btn primary' : 'btn secondary'} data-testid="refund-close" onClick={onClose}>
            {t('refund.close')} <kbd>{t('common.esc')}</kbd>
          </button>
        </div>
      </div>
    )
  } else {
    body = (
      <form
        className="refund-form"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <div className="refund-tender">
          <span className={`tender-mark mark-${tender.method}`} aria-hidden="true" />
          <strong>{tenderLabel(t, tender)}</strong>
          <Money minor={tender.amount} currency={currency} />
          <span className="spacer" />
          <span className="muted">{t('refund.refundable', { amount: f.money(refundable, currency) })}</span>
        </div>
        <label className="field">
          <span>{t('refund.amount')}</span>
          <input
            data-testid="refund-amount"
            className="big-input"
            inputMode="decimal"
            autoComplete="off"
            value={amountText}
            onFocus={(e) => e.target.select()}
            onChange={(e) => {
              setAmountText(e.target.value)
              setError(null)
            }}
            aria-invalid={touched && amountIssue !== null}
          />
          {touched && amountIssue ? <span className="field-error">{amountIssue}</span> : null}
        </label>
        <label className="field">
          <span>{t('refund.reason')}</span>
          <input
            data-testid="refund-reason"
            data-autofocus
            value={reason}
            maxLength={200}
            placeholder={t('refund.reasonPlaceholder')}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={touched && reasonMissing}
          />
          {touched && reasonMissing ? <span className="field-error">{t('refund.reasonRequired')}</span> : null}
        </label>
        {error ? <ErrorNote error={error} ctx={{ refund: true, approvalFor: 'refund', money: (m) => f.money(m, currency) }} testId="refund-error" /> : null}
        <div className="row-actions">
          <button type="button" className="btn secondary" onClick={onClose}>
            {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
          </button>
          <button type="submit" className="btn primary" data-testid="refund-submit" disabled={busy}>
            {busy ? t('refund.sending') : t('refund.submit', { amount: parsed !== null && parsed > 0 ? f.money(parsed, currency) : '' })} <kbd>Enter</kbd>
          </button>
        </div>
      </form>
    )
  }

  return (
    <Dialog title={`${t('refund.title')} · ${tenderLabel(t, tender)}`} onClose={onClose} testId="refund-dialog" size={approval && sent === null ? 'large' : 'medium'}>
      {body}
    </Dialog>
  )
}

function RefundProgress({ refund, sent, currency, cash }: { refund: Refund | null; sent: RefundSent | null; currency: string; cash: boolean }) {
  const { t } = useTranslation()
  const f = useFormat()
  const state = refund?.state ?? 'unknown'
  const amount = refund?.amount ?? sent?.amount ?? 0
  return (
    <div className={`refund-state state-${state}`}>
      <div className="refund-state-head">
        {isRefundOpen({ state }) ? <span className="spinner small" aria-hidden="true" /> : <span aria-hidden="true">{state === 'succeeded' ? '✔' : '✕'}</span>}
        <strong data-testid="refund-state-text">{t(`refund.progress.${state}`, { amount: f.money(amount, currency) })}</strong>
      </div>
      {cash && state === 'succeeded' ? <p className="banner-info">{t('refund.cashHandOut', { amount: f.money(amount, currency) })}</p> : null}
      {state === 'failed' && refund?.failure ? <p className="field-error">{failureText(t, refund.failure, f.lang)}</p> : null}
    </div>
  )
}

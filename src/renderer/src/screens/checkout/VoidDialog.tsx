import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Checkout } from '../../../../shared/contract'
import type { ErrorData } from '../../../../shared/errors'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { SupervisorApproval } from '../../components/SupervisorApproval'
import { useFormat } from '../../lib/format'
import { cashTaken, isPending, methodLabel } from '../../lib/payments'
import { useApp } from '../../store'

const REASONS = ['changedMind', 'wrongItems', 'cannotPay'] as const

/**
 * Voiding a sale that has tenders: the cashier says why; over the store limit a supervisor
 * approves with their PIN. What was taken is given back by the core (cash: by hand).
 */
export function VoidDialog({ checkout, onClose }: { checkout: Checkout; onClose: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const voidCheckout = useApp((s) => s.voidCheckout)
  const paying = useApp((s) => s.paying)
  const [reason, setReason] = useState('')
  const [touched, setTouched] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [approval, setApproval] = useState<{ amount: number } | null>(null)

  const cash = cashTaken(checkout)
  const others = checkout.attempts.filter((a) => a.method !== 'cash' && (a.state === 'succeeded' || isPending(a)))
  const missing = reason.trim() === ''

  const submit = async (approvalId?: string) => {
    setTouched(true)
    if (missing || paying) return
    setError(null)
    const r = await voidCheckout(reason.trim(), approvalId)
    if (r.ok) {
      onClose()
      return
    }
    if (r.error.code === 'approval_required' || r.error.code === 'approval_invalid') {
      const d = r.error.details as { amount?: unknown } | undefined
      setApproval({ amount: typeof d?.amount === 'number' ? d.amount : checkout.total })
      if (r.error.code === 'approval_invalid') setError(r.error)
      return
    }
    setError(r.error)
  }

  return (
    <Dialog title={t('pay.voidTitle')} onClose={onClose} testId="void-dialog" size={approval ? 'large' : 'medium'}>
      {approval ? (
        <SupervisorApproval reason="void" amount={approval.amount} currency={checkout.currency} onApproved={(id) => void submit(id)} />
      ) : (
        <form
          className="void-form"
          onSubmit={(e) => {
            e.preventDefault()
            void submit()
          }}
        >
          <p className="banner-warn">{t('pay.voidWarn')}</p>
          {cash > 0 || others.length > 0 ? (
            <ul className="void-list">
              {cash > 0 ? <li data-testid="void-cash">{t('pay.handBack', { amount: f.money(cash, checkout.currency) })}</li> : null}
              {others.map((a) => (
                <li key={a.id}>
                  {methodLabel(t, a.method)} · {f.money(a.amount, checkout.currency)}
                </li>
              ))}
            </ul>
          ) : null}
          <span className="field-label">{t('pay.voidWhy')}</span>
          <div className="reason-chips">
            {REASONS.map((k) => (
              <button key={k} type="button" className={reason === t(`pay.voidReasons.${k}`) ? 'btn secondary active' : 'btn secondary'} onClick={() => setReason(t(`pay.voidReasons.${k}`))}>
                {t(`pay.voidReasons.${k}`)}
              </button>
            ))}
          </div>
          <label className="field">
            <input
              data-testid="void-reason"
              data-autofocus
              value={reason}
              maxLength={200}
              placeholder={t('pay.voidReasonPlaceholder')}
              aria-invalid={touched && missing}
              onChange={(e) => setReason(e.target.value)}
            />
            {touched && missing ? <span className="field-error">{t('pay.voidReasonRequired')}</span> : null}
          </label>
          {error ? <ErrorNote error={error} ctx={{ approvalFor: 'void' }} testId="void-error" /> : null}
          <div className="row-actions">
            <button type="button" className="btn secondary" onClick={onClose}>
              {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
            </button>
            <button type="submit" className="btn primary danger" data-testid="void-confirm" disabled={paying}>
              {paying ? t('pay.voiding') : t('pay.voidConfirm')} <kbd>Enter</kbd>
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}

import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { minorToDecimalString, parseMajor } from '../../../../shared/money'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import type { ErrorContext } from '../../lib/errors'
import { isCurrency, useFormat } from '../../lib/format'
import { useApp } from '../../store'

/**
 * Cash payment. The sale id was made when this dialog opened; pressing Complete again after a
 * lost answer resends the same id, so the core returns the same order instead of selling twice.
 */
export function PayDialog() {
  const { t } = useTranslation()
  const f = useFormat()
  const quote = useApp((s) => s.quote)
  const completing = useApp((s) => s.completing)
  const completeSale = useApp((s) => s.completeSale)
  const closeDialog = useApp((s) => s.closeDialog)
  const openDialog = useApp((s) => s.openDialog)
  const dropApproval = useApp((s) => s.dropApproval)
  const [text, setText] = useState('')
  const [error, setError] = useState<{ error: ErrorData; ctx: ErrorContext } | null>(null)
  const completeRef = useRef<HTMLButtonElement>(null)

  if (!quote) return null
  const currency = quote.currency
  const due = quote.cashDue
  const tendered = text.trim() === '' ? due : isCurrency(currency) ? parseMajor(text, currency) : null
  const invalid = tendered === null || tendered < 0
  // Display only: the core decides the change it records; this is the same subtraction of whole minor units.
  const change = invalid ? null : tendered - due
  const shortBy = change !== null && change < 0 ? -change : 0

  const complete = async () => {
    if (completing || invalid || shortBy > 0) return
    setError(null)
    const r = await completeSale(tendered)
    if (r.ok) return
    const code = r.error.code
    if (code === 'approval_required' || code === 'approval_invalid') {
      dropApproval()
      openDialog({ kind: 'approval', then: 'pay', revert: null })
      return
    }
    setError({ error: r.error, ctx: code === 'insufficient_tender' ? { shortBy: f.money(shortBy, currency) } : { sale: true } })
  }

  const quick = (amount: number) => {
    setText(isCurrency(currency) ? minorToDecimalString(amount, currency) : String(amount))
    setError(null)
    completeRef.current?.focus()
  }

  return (
    <Dialog
      title={t('pay.title')}
      onClose={closeDialog}
      testId="pay-dialog"
      size="large"
      footer={
        <>
          <button type="button" className="btn secondary" onClick={closeDialog} disabled={completing}>
            {t('pay.cancel')}
          </button>
          <button
            type="button"
            ref={completeRef}
            className="btn primary huge"
            data-testid="pay-complete"
            disabled={completing || invalid || shortBy > 0}
            onClick={() => void complete()}
          >
            {completing ? t('pay.completing') : t('pay.complete')} <kbd>Enter</kbd>
          </button>
        </>
      }
    >
      <div className="pay-grid">
        <section className="pay-left">
          <div className="pay-due">
            <span className="label">{t('pay.due')}</span>
            <Money minor={due} currency={currency} testId="pay-due" className="huge-amount" />
          </div>
          {quote.cashRounding !== 0 ? (
            <dl className="pay-breakdown">
              <dt>{t('pay.total')}</dt>
              <dd>
                <Money minor={quote.total} currency={currency} testId="pay-total" />
              </dd>
              <dt>{t('pay.rounding')}</dt>
              <dd>
                <Money minor={quote.cashRounding} currency={currency} testId="pay-rounding" />
              </dd>
            </dl>
          ) : null}
          <div className="tenders" role="group">
            <button type="button" className="tender active" aria-pressed="true" data-testid="tender-cash">
              {t('pay.cash')}
            </button>
            <button type="button" className="tender" disabled title={t('pay.comingSoon')}>
              {t('pay.qr')}
              <small>{t('pay.comingSoon')}</small>
            </button>
            <button type="button" className="tender" disabled title={t('pay.comingSoon')}>
              {t('pay.card')}
              <small>{t('pay.comingSoon')}</small>
            </button>
          </div>
        </section>
        <section className="pay-right">
          <span className="field-label">{t('pay.quick')}</span>
          <div className="quick-cash">
            {quote.quickCash.map((amount, i) => (
              <button key={`${amount}-${i}`} type="button" className="btn quick" data-testid={`quick-${amount}`} onClick={() => quick(amount)}>
                {amount === due ? <small>{t('pay.exact')}</small> : null}
                {f.money(amount, currency)}
              </button>
            ))}
          </div>
          <label className="field">
            <span>{t('pay.tendered')}</span>
            <input
              data-testid="pay-tendered"
              data-autofocus
              className="big-input"
              inputMode="decimal"
              autoComplete="off"
              value={text}
              placeholder={t('pay.tenderedPlaceholder', { amount: f.money(due, currency) })}
              onChange={(e) => {
                setText(e.target.value)
                setError(null)
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault()
                  void complete()
                }
              }}
              aria-invalid={invalid}
            />
          </label>
          {invalid ? (
            <p className="field-error" role="alert">
              {t('pay.invalidAmount')}
            </p>
          ) : shortBy > 0 ? (
            <p className="field-error" role="alert" data-testid="pay-short">
              {t('pay.notEnough', { amount: f.money(shortBy, currency) })}
            </p>
          ) : (
            <div className="pay-change">
              <span className="label">{t('pay.change')}</span>
              <Money minor={change ?? 0} currency={currency} testId="pay-change" className="huge-amount accent" />
            </div>
          )}
          {error ? <ErrorNote error={error.error} ctx={error.ctx} testId="pay-error" /> : null}
        </section>
      </div>
    </Dialog>
  )
}

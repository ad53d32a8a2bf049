import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { PercentSchema } from '../../../../shared/contract'
import { minorToDecimalString, parseMajor } from '../../../../shared/money'
import { Dialog } from '../../components/Dialog'
import { isCurrency, useFormat } from '../../lib/format'
import { useApp } from '../../store'
import type { Discount } from '../../store/cart'

type Target = 'line' | 'order'
type Kind = Discount['kind']

/** Line or order discount, as an amount or a percent. Over the limit, a supervisor approves. */
export function DiscountDialog() {
  const { t } = useTranslation()
  const f = useFormat()
  const cart = useApp((s) => s.cart)
  const selected = useApp((s) => s.selected)
  const quote = useApp((s) => s.quote)
  const settings = useApp((s) => s.settings)
  const approval = useApp((s) => s.approval)
  const closeDialog = useApp((s) => s.closeDialog)
  const openDialog = useApp((s) => s.openDialog)
  const setLineDiscount = useApp((s) => s.setLineDiscount)
  const setOrderDiscount = useApp((s) => s.setOrderDiscount)
  const productCache = useApp((s) => s.productCache)

  const line = cart.lines[selected]
  const [target, setTarget] = useState<Target>(line ? 'line' : 'order')
  const existing = target === 'line' ? line?.discount : cart.orderDiscount
  const [kind, setKind] = useState<Kind>(existing?.kind ?? 'percent')
  const [text, setText] = useState(() => initialText(existing, f.currency))
  const [invalid, setInvalid] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  function initialText(d: Discount | undefined, currency: string): string {
    if (!d) return ''
    if (d.kind === 'percent') return d.percent
    return isCurrency(currency) ? minorToDecimalString(d.amount, currency) : String(d.amount)
  }

  const switchTarget = (next: Target) => {
    setTarget(next)
    const d = next === 'line' ? line?.discount : cart.orderDiscount
    setKind(d?.kind ?? 'percent')
    setText(initialText(d, f.currency))
    setInvalid(null)
  }

  const apply = async (discount: Discount | undefined) => {
    if (target === 'line' && !line) {
      setInvalid(t('discount.noLine'))
      return
    }
    const before = cart
    setBusy(true)
    const q = target === 'line' ? await setLineDiscount(selected, discount) : await setOrderDiscount(discount)
    setBusy(false)
    if (q && q.needsApproval && !approval) {
      openDialog({ kind: 'approval', then: 'keep', revert: before })
      return
    }
    closeDialog()
  }

  const submit = () => {
    const raw = text.trim()
    if (kind === 'percent') {
      const p = PercentSchema.safeParse(raw.replace(/%$/, ''))
      if (!p.success) {
        setInvalid(t('discount.invalidPercent'))
        return
      }
      void apply({ kind: 'percent', percent: p.data })
    } else {
      const amount = isCurrency(f.currency) ? parseMajor(raw, f.currency) : null
      if (amount === null || amount < 0) {
        setInvalid(t('discount.invalidAmount'))
        return
      }
      void apply({ kind: 'amount', amount })
    }
  }

  const lineName = line ? (quote?.lines[selected] ? f.name(quote.lines[selected]) : productCache[line.productId] ? f.name(productCache[line.productId]!) : line.productId) : ''

  return (
    <Dialog
      title={t('discount.title')}
      onClose={closeDialog}
      testId="discount-dialog"
      footer={
        <>
          {existing ? (
            <button type="button" className="btn secondary" data-testid="discount-remove" disabled={busy} onClick={() => void apply(undefined)}>
              {t('discount.remove')}
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="btn secondary" onClick={closeDialog}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn primary" data-testid="discount-apply" disabled={busy} onClick={submit}>
            {t('discount.apply')} <kbd>Enter</kbd>
          </button>
        </>
      }
    >
      <div className="field">
        <span>{t('discount.target')}</span>
        <div className="segmented">
          <button
            type="button"
            className={target === 'line' ? 'seg active' : 'seg'}
            data-testid="discount-target-line"
            disabled={!line}
            onClick={() => switchTarget('line')}
          >
            {t('discount.line')}
            {line ? <small className="seg-sub">{lineName}</small> : null}
          </button>
          <button
            type="button"
            className={target === 'order' ? 'seg active' : 'seg'}
            data-testid="discount-target-order"
            onClick={() => switchTarget('order')}
          >
            {t('discount.order')}
          </button>
        </div>
      </div>
      <div className="field">
        <span>{t('discount.kind')}</span>
        <div className="segmented">
          <button
            type="button"
            className={kind === 'percent' ? 'seg active' : 'seg'}
            data-testid="discount-kind-percent"
            onClick={() => {
              setKind('percent')
              setInvalid(null)
            }}
          >
            {t('discount.percent')} %
          </button>
          <button
            type="button"
            className={kind === 'amount' ? 'seg active' : 'seg'}
            data-testid="discount-kind-amount"
            onClick={() => {
              setKind('amount')
              setInvalid(null)
            }}
          >
            {t('discount.amount')} {f.currencySymbol}
          </button>
        </div>
      </div>
      <label className="field">
        <span>{t('discount.value')}</span>
        <div className="input-with-unit">
          <input
            data-testid="discount-value"
            className="big-input"
            inputMode="decimal"
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setInvalid(null)
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                submit()
              }
            }}
            aria-invalid={invalid !== null}
          />
          <span className="unit">{kind === 'percent' ? '%' : f.currencySymbol}</span>
        </div>
      </label>
      {invalid ? (
        <p className="field-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {settings ? <p className="muted small">{t('discount.limitNote', { limit: settings.discountLimitPercent })}</p> : null}
    </Dialog>
  )
}

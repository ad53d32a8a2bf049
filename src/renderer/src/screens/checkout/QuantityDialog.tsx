import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Dialog } from '../../components/Dialog'
import { parseQuantity, type Unit } from '../../lib/qty'

interface Props {
  name: string
  unit: Unit
  initial: string
  onApply: (quantity: string) => void
  onClose: () => void
}

/** Quantity of a line: whole numbers for pieces, up to 3 decimals for goods sold by the kg. */
export function QuantityDialog({ name, unit, initial, onApply, onClose }: Props) {
  const { t } = useTranslation()
  const [text, setText] = useState(initial)
  const [invalid, setInvalid] = useState(false)

  const apply = () => {
    const q = parseQuantity(text, unit)
    if (q === null) {
      setInvalid(true)
      return
    }
    onApply(q)
  }

  return (
    <Dialog
      title={unit === 'kg' ? t('qty.weightTitle') : t('qty.title')}
      onClose={onClose}
      testId="quantity-dialog"
      size="small"
      footer={
        <>
          <button type="button" className="btn secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn primary" data-testid="quantity-apply" onClick={apply}>
            {t('qty.apply')} <kbd>Enter</kbd>
          </button>
        </>
      }
    >
      <label className="field">
        <span>{t('qty.label', { name })}</span>
        <div className="input-with-unit">
          <input
            data-testid="quantity-input"
            className="big-input"
            inputMode={unit === 'kg' ? 'decimal' : 'numeric'}
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setInvalid(false)
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                apply()
              }
            }}
            aria-invalid={invalid}
          />
          <span className="unit">{unit === 'kg' ? 'kg' : '×'}</span>
        </div>
      </label>
      {invalid ? (
        <p className="field-error" role="alert">
          {unit === 'kg' ? t('qty.invalidKg') : t('qty.invalidEach')}
        </p>
      ) : null}
    </Dialog>
  )
}

import { useEffect, useRef, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

interface PinPadProps {
  label: string
  enterLabel?: string
  busy?: boolean
  onSubmit: (pin: string) => void
  error?: ReactNode
}

const MAX = 8
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const

/** A big touch PIN pad that also takes typed digits, Backspace and Enter. */
export function PinPad({ label, enterLabel, busy = false, onSubmit, error }: PinPadProps) {
  const { t } = useTranslation()
  const [pin, setPin] = useState('')
  const inputRef = useRef<HTMLInputElement>(null)

  // The input is disabled while a PIN is checked; give it the focus back for the next try.
  useEffect(() => {
    if (!busy) inputRef.current?.focus()
  }, [busy])

  const submit = () => {
    if (busy || pin.length < 4) return
    onSubmit(pin)
    setPin('')
  }
  const press = (d: string) => setPin((p) => (p.length >= MAX ? p : p + d))
  const refocus = () => inputRef.current?.focus()

  return (
    <div className="pinpad">
      <label className="pin-label">
        <span>{label}</span>
        <input
          ref={inputRef}
          data-testid="pin-input"
          data-autofocus
          className="pin-input"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={MAX}
          value={pin}
          readOnly={busy}
          autoFocus
          onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, MAX))}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              e.stopPropagation()
              submit()
            }
          }}
        />
      </label>
      <p className="hint">{t('signin.pinHint')}</p>
      {error}
      <div className="pin-keys" onMouseUp={refocus}>
        {KEYS.map((d) => (
          <button key={d} type="button" className="pin-key" data-testid={`pin-key-${d}`} disabled={busy} onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="pin-key muted" disabled={busy} onClick={() => setPin('')}>
          {t('signin.clear')}
        </button>
        <button type="button" className="pin-key" data-testid="pin-key-0" disabled={busy} onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className="pin-key muted"
          aria-label={t('signin.delete')}
          disabled={busy}
          onClick={() => setPin((p) => p.slice(0, -1))}
        >
          ⌫
        </button>
        <button type="button" className="pin-key enter" data-testid="pin-enter" disabled={busy || pin.length < 4} onClick={submit}>
          {busy ? t('common.loading') : (enterLabel ?? t('signin.enter'))}
        </button>
      </div>
    </div>
  )
}

import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { newId } from '../../../../shared/ids'
import { minorToDecimalString } from '../../../../shared/money'
import type { Shift } from '../../../../shared/shifts-contract'
import { invoke } from '../../api'
import { DenominationGrid } from '../../components/DenominationGrid'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { AMOUNT_KEY, draftLines, draftTotal } from '../../lib/count'
import { isCurrency, useFormat } from '../../lib/format'
import { useApp } from '../../store'

/**
 * Open this till's shift: the float is counted into the drawer by denomination. The last close's
 * "left in the drawer" is offered (one tap takes it as it is). The shift id is made when the
 * dialog opens and kept for a retry, so a lost answer never opens two shifts.
 */
export function OpenShiftDialog({ onClose, onOpened }: { onClose: () => void; onOpened?: (shift: Shift) => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const till = useApp((s) => s.till)
  const loadTill = useApp((s) => s.loadTill)
  const dayChanged = useApp((s) => s.dayChanged)
  const info = useApp((s) => s.info)
  const currency = f.currency
  const [shiftId] = useState(() => newId())
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const submitRef = useRef<HTMLButtonElement>(null)

  const total = draftTotal(currency, draft)
  const suggested = till?.suggestedFloat ?? 0

  const submit = async () => {
    const count = draftLines(currency, draft)
    if (busy || count === null || total === null) return
    setBusy(true)
    setError(null)
    const r = await invoke('shift-open', { shiftId, count })
    setBusy(false)
    if (!r.ok) {
      setError(r.error)
      if (r.error.code === 'shift_already_open') void loadTill()
      return
    }
    await loadTill()
    dayChanged()
    info(t('shift.opened', { amount: f.money(r.value.float, currency) }))
    onOpened?.(r.value)
    onClose()
  }

  const live = useRef(submit)
  live.current = submit
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F12') return
      e.preventDefault()
      e.stopPropagation()
      void live.current()
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const useSuggested = () => {
    if (!isCurrency(currency)) return
    setDraft({ [AMOUNT_KEY]: minorToDecimalString(suggested, currency) })
    requestAnimationFrame(() => submitRef.current?.focus())
  }

  const footer = (
    <>
      <button type="button" className="btn secondary" onClick={onClose}>
        {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
      </button>
      <span className="spacer" />
      <button type="button" ref={submitRef} className="btn primary big" data-testid="open-shift-submit" disabled={busy || total === null} onClick={() => void submit()}>
        {busy ? t('shift.opening') : t('shift.openWith', { amount: f.money(total ?? 0, currency) })} <kbd>F12</kbd>
      </button>
    </>
  )

  return (
    <Dialog title={t('shift.openTitle')} onClose={onClose} testId="open-shift-dialog" size="large" footer={footer}>
      <p className="help">{t('shift.openHelp')}</p>
      {suggested > 0 && draft[AMOUNT_KEY] === undefined ? (
        <div className="suggested-float" data-testid="suggested-float" data-minor={suggested}>
          <span>{t('shift.suggested', { amount: f.money(suggested, currency) })}</span>
          <button type="button" className="btn secondary small" data-testid="use-suggested" onClick={useSuggested}>
            {t('shift.useIt')}
          </button>
        </div>
      ) : null}
      <DenominationGrid
        currency={currency}
        draft={draft}
        onChange={setDraft}
        autoFocus
        testId="float"
        totalLabel={t('shift.floatTotal')}
        amountLabel={t('shift.amountAsLeft')}
        onDone={() => submitRef.current?.focus()}
      />
      {error ? <ErrorNote error={error} testId="open-shift-error" /> : null}
    </Dialog>
  )
}

import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { useFormat } from '../../lib/format'
import { useApp } from '../../store'

export function ParkDialog() {
  const { t } = useTranslation()
  const f = useFormat()
  const cart = useApp((s) => s.cart)
  const parked = useApp((s) => s.parked)
  const park = useApp((s) => s.park)
  const resume = useApp((s) => s.resume)
  const loadParked = useApp((s) => s.loadParked)
  const closeDialog = useApp((s) => s.closeDialog)
  const info = useApp((s) => s.info)
  const [label, setLabel] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const hasCart = cart.lines.length > 0

  useEffect(() => {
    void loadParked()
  }, [loadParked])

  const doPark = async () => {
    setBusy(true)
    const err = await park(label)
    setBusy(false)
    if (err) {
      setError(err)
      return
    }
    info(t('park.parkedOk'))
    closeDialog()
  }

  const doResume = async (id: string) => {
    setBusy(true)
    const err = await resume(id)
    setBusy(false)
    if (err) {
      setError(err)
      return
    }
    closeDialog()
  }

  return (
    <Dialog title={t('park.title')} onClose={closeDialog} testId="park-dialog" size="large">
      {hasCart ? (
        <div className="park-form">
          <label className="field grow">
            <span>{t('park.label')}</span>
            <input
              data-testid="park-label"
              value={label}
              maxLength={60}
              placeholder={t('park.labelPlaceholder')}
              onChange={(e) => setLabel(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault()
                  void doPark()
                }
              }}
            />
          </label>
          <button type="button" className="btn primary" data-testid="park-confirm" disabled={busy} onClick={() => void doPark()}>
            {t('park.parkThis')} <kbd>Enter</kbd>
          </button>
        </div>
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
      <h3>{t('park.parked')}</h3>
      {parked.length === 0 ? <p className="muted">{t('park.none')}</p> : null}
      {hasCart && parked.length > 0 ? <p className="muted small">{t('park.resumeBlocked')}</p> : null}
      <ul className="parked-list">
        {parked.map((p) => (
          <li key={p.id} className="parked-item">
            <div>
              <strong>{p.label || f.time(p.createdAt)}</strong>
              <small>
                {f.time(p.createdAt)} · {p.staffName} · {t('park.lines', { count: p.lineCount })}
              </small>
            </div>
            <button
              type="button"
              className="btn secondary"
              data-testid={`resume-${p.id}`}
              disabled={busy || hasCart}
              onClick={() => void doResume(p.id)}
            >
              {t('park.resume')}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  )
}

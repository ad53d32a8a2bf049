import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData, Result } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { NO_SALE_REASONS, type PrintJob } from '../../../shared/printing-contract'
import { jobFailureText, noSaleReasonLabel, printErrorText, type NoSaleReason } from '../lib/printing'
import { SCAN_AVG_GAP_MS, SCAN_BREAK_MS, SCAN_MIN_LENGTH } from '../lib/scanner'
import { useApp } from '../store'
import { usePrinting } from '../store/printing'
import { Dialog } from './Dialog'

/**
 * "No sale": opens the cash drawer with nothing sold, for a reason from the short list and an
 * optional note; the core journals it (owners watch for these). It needs an open shift — without
 * one it says so plainly and offers to open one. The event id is made when the dialog opens and
 * kept for a retry after a lost answer, so one press never opens the drawer twice.
 * Keys: 1–5 pick a reason, Enter opens, Esc closes.
 */
export function NoSaleDialog({ onClose, onOpenShift }: { onClose: () => void; onOpenShift: () => void }) {
  const till = useApp((s) => s.till)
  const info = useApp((s) => s.info)
  const printer = usePrinting((s) => s.printer)
  const openDrawer = usePrinting((s) => s.openDrawer)
  return (
    <NoSaleDialogView
      noShift={till !== null && till.shift === null}
      noPrinter={printer !== null && !printer.enabled}
      drawerOff={printer !== null && printer.enabled && !printer.drawerEnabled}
      openDrawer={openDrawer}
      onOpened={info}
      onClose={onClose}
      onOpenShift={onOpenShift}
    />
  )
}

/** The dialog itself, from what it is told (tests render it as it is). */
export function NoSaleDialogView({
  noShift,
  noPrinter,
  drawerOff = false,
  openDrawer,
  onOpened,
  onClose,
  onOpenShift,
}: {
  noShift: boolean
  noPrinter: boolean
  /** The drawer is turned off in Settings → Printer: the core refuses, so Open is off and it says why. */
  drawerOff?: boolean
  openDrawer: (eventId: string, reason: NoSaleReason, note: string) => Promise<Result<PrintJob>>
  onOpened: (text: string) => void
  onClose: () => void
  onOpenShift: () => void
}) {
  const { t } = useTranslation()
  const [eventId, setEventId] = useState(() => newId())
  const [reason, setReason] = useState<NoSaleReason | null>(null)
  const [note, setNote] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [failed, setFailed] = useState<PrintJob | null>(null)
  /**
   * A barcode scanned while the dialog is open is a burst of digits and Enter: it must neither pick
   * reasons nor open the drawer. The keys of a run are timed; an Enter ending a scanner-fast run is
   * dropped and the reason and note go back to what they were before it.
   */
  const run = useRef<{ times: number[]; reason: NoSaleReason | null; note: string }>({ times: [], reason: null, note: '' })
  const current = useRef({ reason, note })
  current.current = { reason, note }

  const submit = async () => {
    setTouched(true)
    if (busy || noShift || noPrinter || drawerOff || reason === null) return
    setBusy(true)
    setError(null)
    setFailed(null)
    const r = await openDrawer(eventId, reason, note)
    setBusy(false)
    if (!r.ok) {
      // only a lost answer keeps the id: the same press again is answered with what the core did
      if (r.error.code !== 'internal') setEventId(newId())
      setError(r.error)
      return
    }
    if (r.value.state === 'failed') {
      setFailed(r.value)
      setEventId(newId())
      return
    }
    onOpened(t('noSale.opened', { reason: noSaleReasonLabel(t, reason) }))
    onClose()
  }

  return (
    <Dialog title={t('noSale.title')} onClose={onClose} testId="no-sale-dialog" size="medium">
      {noShift ? (
        <div className="no-sale-refused" data-testid="no-sale-no-shift">
          <p className="banner-warn">{t('noSale.noShift')}</p>
          <div className="row-actions">
            <button type="button" className="btn secondary" onClick={onClose}>
              {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
            </button>
            <button type="button" className="btn primary" data-testid="no-sale-open-shift" onClick={onOpenShift}>
              {t('noSale.openShift')}
            </button>
          </div>
        </div>
      ) : (
        <form
          className="no-sale-form"
          onSubmit={(e) => {
            e.preventDefault()
            void submit()
          }}
          onKeyDown={(e) => {
            const now = e.timeStamp || performance.now()
            const r0 = run.current
            const last = r0.times[r0.times.length - 1]
            if (last === undefined || now - last > SCAN_BREAK_MS) run.current = { times: [now], reason: current.current.reason, note: current.current.note }
            else r0.times.push(now)
            if (e.key === 'Enter') {
              const times = run.current.times
              const span = (times[times.length - 1] ?? 0) - (times[0] ?? 0)
              if (times.length > SCAN_MIN_LENGTH && span / (times.length - 1) <= SCAN_AVG_GAP_MS) {
                e.preventDefault()
                setReason(run.current.reason)
                setNote(run.current.note)
                run.current = { times: [], reason: run.current.reason, note: run.current.note }
                return
              }
            }
            const inNote = (e.target as HTMLElement).tagName === 'INPUT'
            if (!inNote && /^[1-9]$/.test(e.key)) {
              const r = NO_SALE_REASONS[Number(e.key) - 1]
              if (r) {
                e.preventDefault()
                setReason(r)
              }
            } else if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'BUTTON' && (e.target as HTMLButtonElement).type !== 'submit') {
              // Enter on a reason chip picks it and opens: one key, like the rest of the till
              e.preventDefault()
              void submit()
            }
          }}
        >
          <p className="help">{t('noSale.help')}</p>
          {noPrinter ? (
            <p className="banner-warn" data-testid="no-sale-no-printer">
              {t('noSale.noPrinter')}
            </p>
          ) : null}
          {drawerOff ? (
            <p className="banner-warn" data-testid="no-sale-drawer-off">
              {t('printer.drawerOffError')}
            </p>
          ) : null}
          <fieldset className="field">
            <legend>{t('noSale.reason')}</legend>
            <div className="reason-chips no-sale-reasons" role="radiogroup" aria-label={t('noSale.reason')}>
              {NO_SALE_REASONS.map((r, i) => (
                <button
                  key={r}
                  type="button"
                  role="radio"
                  aria-checked={reason === r}
                  className={reason === r ? 'btn active' : 'btn'}
                  data-testid={`no-sale-reason-${r}`}
                  {...(i === 0 ? { 'data-autofocus': true } : {})}
                  onClick={() => {
                    setReason(r)
                    setError(null)
                  }}
                >
                  <kbd>{i + 1}</kbd> {noSaleReasonLabel(t, r)}
                </button>
              ))}
            </div>
            {touched && reason === null ? (
              <span className="field-error" data-testid="no-sale-choose">
                {t('noSale.chooseReason')}
              </span>
            ) : null}
          </fieldset>
          <label className="field">
            <span>{t('noSale.note')}</span>
            <input data-testid="no-sale-note" value={note} maxLength={200} autoComplete="off" placeholder={t('noSale.notePlaceholder')} onChange={(e) => setNote(e.target.value)} />
          </label>
          {failed ? (
            <p className="field-error" role="alert" data-testid="no-sale-failed" data-failure={failed.failure?.code ?? ''}>
              {jobFailureText(t, failed)}
            </p>
          ) : null}
          {error ? (
            <p className="field-error" role="alert" data-testid="no-sale-error" data-code={error.code}>
              {printErrorText(t, error)}
              {error.code === 'no_open_shift' ? (
                <button type="button" className="btn primary small" data-testid="no-sale-open-shift" onClick={onOpenShift}>
                  {t('noSale.openShift')}
                </button>
              ) : null}
            </p>
          ) : null}
          <div className="row-actions">
            <button type="button" className="btn secondary" onClick={onClose}>
              {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
            </button>
            <button type="submit" className="btn primary big" data-testid="no-sale-submit" disabled={busy || noPrinter || drawerOff}>
              {busy ? t('noSale.opening') : t('noSale.open')} <kbd>Enter</kbd>
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}

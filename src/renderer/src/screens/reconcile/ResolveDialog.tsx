import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { newId } from '../../../../shared/ids'
import type { Difference } from '../../../../shared/settlement-contract'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { useFormat } from '../../lib/format'
import { NOTE_MAX, noteIssue, RESOLUTION_KINDS, type ResolutionKind } from '../../lib/reconcile'
import { useApp } from '../../store'
import { ClassChip, diffSentence } from './parts'
import { useReconcile } from './store'

const KIND_KEYS: Record<ResolutionKind, string> = { explained: 'F2', corrected: 'F3', written_off: 'F4' }

/**
 * Resolves one difference: how it is settled (explained / corrected / written off) and a note of
 * at least 3 characters. The resolution id is made when the dialog opens and kept for a retry
 * after a lost answer (the core answers a repeat with the resolution it already posted).
 * F2–F4 pick the kind, F12 or Ctrl+Enter resolves, Esc closes.
 */
export function ResolveDialog({ difference, onClose }: { difference: Difference; onClose: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const info = useApp((s) => s.info)
  const resolve = useReconcile((s) => s.resolve)
  const [resolutionId, setResolutionId] = useState(() => newId())
  const [kind, setKind] = useState<ResolutionKind>('explained')
  const taxes = useApp((s) => s.settings?.taxes ?? [])
  // Provider money the till never booked can be put right as a correction sale (with "corrected").
  const correctable = (difference.class === 'missing_locally' || difference.class === 'status_mismatch') && difference.amount > 0
  const [saleTax, setSaleTax] = useState<string | null>(null)
  const [note, setNote] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const noteRef = useRef<HTMLTextAreaElement>(null)

  const issue = noteIssue(note)
  const issueText = issue === 'empty' ? t('reconcile.noteEmpty') : issue === 'short' ? t('reconcile.noteShort') : issue === 'long' ? t('reconcile.noteLong') : null

  const submit = async () => {
    setTouched(true)
    if (busy || issue) {
      noteRef.current?.focus()
      return
    }
    setBusy(true)
    setError(null)
    const correctionSale = kind === 'corrected' && correctable && saleTax ? { taxId: saleTax } : undefined
    const r = await resolve({ resolutionId, differenceId: difference.id, kind, note: note.trim(), ...(correctionSale ? { correctionSale } : {}) })
    setBusy(false)
    if (r.ok) {
      info(t('reconcile.resolved', { kind: t(`reconcile.kind.${kind}`) }))
      onClose()
      return
    }
    // refused outright: nothing was posted, so the next try is a new resolution
    if (r.error.code !== 'internal') setResolutionId(newId())
    setError(r.error)
  }

  const live = useRef(submit)
  live.current = submit
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = RESOLUTION_KINDS.find((x) => KIND_KEYS[x] === e.key)
      if (k) {
        e.preventDefault()
        e.stopPropagation()
        setKind(k)
      } else if (e.key === 'F12' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
        e.preventDefault()
        e.stopPropagation()
        void live.current()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const count = [...note.trim()].length

  return (
    <Dialog title={t('reconcile.resolveTitle')} onClose={onClose} testId="resolve-dialog" size="medium">
      <form
        className="rec-resolve"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <div className="rec-resolve-what">
          <ClassChip cls={difference.class} />
          <strong>{t(`reconcile.provider.${difference.provider}`)}</strong>
          <Money minor={difference.amount} className="rec-amount" />
          <p className="help" title={difference.detail || undefined}>
            {t(`reconcile.explain.${difference.class}`)} {diffSentence(t, f, difference)}
          </p>
        </div>
        <fieldset className="field">
          <legend>{t('reconcile.kindLabel')}</legend>
          <div className="segmented rec-kinds" role="radiogroup" aria-label={t('reconcile.kindLabel')}>
            {RESOLUTION_KINDS.map((k) => (
              <button
                key={k}
                type="button"
                role="radio"
                aria-checked={kind === k}
                className={kind === k ? 'seg active' : 'seg'}
                data-testid={`resolve-kind-${k}`}
                onClick={() => setKind(k)}
              >
                <span>
                  {t(`reconcile.kind.${k}`)} <kbd>{KIND_KEYS[k]}</kbd>
                </span>
              </button>
            ))}
          </div>
          <p className="help" data-testid="resolve-kind-help">
            {t(`reconcile.kindHelp.${kind}`)}
          </p>
        </fieldset>
        {kind === 'corrected' && correctable ? (
          <fieldset className="field" data-testid="resolve-correction">
            <legend>{t('reconcile.correction.label')}</legend>
            <div className="segmented rec-kinds" role="radiogroup" aria-label={t('reconcile.correction.label')}>
              <button type="button" role="radio" aria-checked={saleTax === null} className={saleTax === null ? 'seg active' : 'seg'} data-testid="correction-none" onClick={() => setSaleTax(null)}>
                {t('reconcile.correction.none')}
              </button>
              {taxes.map((x) => (
                <button
                  key={x.id}
                  type="button"
                  role="radio"
                  aria-checked={saleTax === x.id}
                  className={saleTax === x.id ? 'seg active' : 'seg'}
                  data-testid={`correction-tax-${x.id}`}
                  onClick={() => setSaleTax(x.id)}
                >
                  {t('reconcile.correction.sale', { tax: x.name })}
                </button>
              ))}
            </div>
            <p className="help">{t('reconcile.correction.help')}</p>
          </fieldset>
        ) : null}
        <label className="field">
          <span>{t('reconcile.note')}</span>
          <textarea
            ref={noteRef}
            data-testid="resolve-note"
            data-autofocus
            className="rec-note"
            rows={3}
            maxLength={NOTE_MAX + 20}
            value={note}
            placeholder={t('reconcile.notePlaceholder')}
            aria-invalid={touched && issue !== null}
            onChange={(e) => {
              setNote(e.target.value)
              setError(null)
            }}
          />
          <span className="rec-note-foot">
            {touched && issueText ? (
              <span className="field-error" data-testid="resolve-note-error" data-issue={issue}>
                {issueText}
              </span>
            ) : (
              <span className="help">{t('reconcile.stays')}</span>
            )}
            <small className={count > NOTE_MAX ? 'field-error' : 'muted'}>{t('reconcile.noteCount', { count })}</small>
          </span>
        </label>
        {error ? <ErrorNote error={error} testId="resolve-error" /> : null}
        <div className="row-actions">
          <button type="button" className="btn secondary" onClick={onClose}>
            {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
          </button>
          <button type="submit" className="btn primary big" data-testid="resolve-submit" disabled={busy}>
            {busy ? t('reconcile.sending') : `${t('reconcile.submit')} · ${t(`reconcile.kind.${kind}`)}`} <kbd>F12</kbd>
          </button>
        </div>
      </form>
    </Dialog>
  )
}

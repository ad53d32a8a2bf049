import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { newId } from '../../../../shared/ids'
import { parseMajor } from '../../../../shared/money'
import { MOVEMENT_REASONS, type Movement } from '../../../../shared/shifts-contract'
import { invoke } from '../../api'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { SupervisorApproval } from '../../components/SupervisorApproval'
import { movementKindLabel, movementReasonLabel, type MovementKind, type MovementReason } from '../../lib/day'
import { fieldIssues } from '../../lib/errors'
import { isCurrency, useFormat } from '../../lib/format'
import { useApp } from '../../store'

export const MOVEMENT_KINDS_SHOWN: readonly MovementKind[] = ['pay_in', 'pay_out', 'safe_drop']
const DEFAULT_REASON: Record<MovementKind, MovementReason> = { pay_in: 'change_float', pay_out: 'petty_expense', safe_drop: 'bank_deposit' }
const KIND_KEYS: Record<MovementKind, string> = { pay_in: 'F2', pay_out: 'F3', safe_drop: 'F4' }

interface Sent {
  kind: MovementKind
  amount: number
  reason: MovementReason
  note: string
}

/**
 * A pay-in, pay-out or safe drop: amount, a reason from the short list and a note. Over the store
 * limit a supervisor approves with their PIN. The movement id is made when the dialog opens and
 * kept for a retry (the core answers a repeat with the movement it already posted).
 */
export function CashMoveDialog({ initialKind = 'pay_out', onClose, onDone }: { initialKind?: MovementKind; onClose: () => void; onDone?: (m: Movement) => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const currency = f.currency
  const info = useApp((s) => s.info)
  const dayChanged = useApp((s) => s.dayChanged)
  const [movementId, setMovementId] = useState(() => newId())
  const [kind, setKind] = useState<MovementKind>(initialKind)
  const [amountText, setAmountText] = useState('')
  const [reason, setReason] = useState<MovementReason>(DEFAULT_REASON[initialKind])
  const [note, setNote] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [approval, setApproval] = useState<Sent | null>(null)
  const amountRef = useRef<HTMLInputElement>(null)

  const amount = amountText.trim() === '' ? null : isCurrency(currency) ? parseMajor(amountText, currency) : null
  const amountIssue = amount === null ? t('move.invalidAmount') : amount <= 0 ? t('move.zero') : null
  const noteMissing = reason === 'other' && note.trim() === ''

  const send = async (req: Sent, approvalId?: string) => {
    setBusy(true)
    setError(null)
    const r = await invoke('cash-move', { movementId, kind: req.kind, amount: req.amount, reason: req.reason, note: req.note, ...(approvalId ? { approvalId } : {}) })
    setBusy(false)
    if (r.ok) {
      dayChanged()
      info(t('move.done', { kind: movementKindLabel(t, r.value.kind), amount: f.money(r.value.amount, currency) }))
      onDone?.(r.value)
      onClose()
      return
    }
    if (r.error.code === 'approval_required' || r.error.code === 'approval_invalid') {
      setApproval(req)
      if (r.error.code === 'approval_invalid') setError(r.error)
      return
    }
    setApproval(null)
    // refused outright: nothing was posted, so the next try is a new movement
    if (r.error.code !== 'internal') setMovementId(newId())
    setError(r.error)
  }

  const submit = () => {
    setTouched(true)
    if (busy || amountIssue || noteMissing || amount === null) return
    void send({ kind, amount, reason, note: note.trim() })
  }

  const live = useRef({ submit, approval })
  live.current = { submit, approval }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (live.current.approval) return
      const k = MOVEMENT_KINDS_SHOWN.find((x) => KIND_KEYS[x] === e.key)
      if (k) {
        e.preventDefault()
        e.stopPropagation()
        setKind(k)
        setReason(DEFAULT_REASON[k])
        amountRef.current?.focus()
      } else if (e.key === 'F12') {
        e.preventDefault()
        e.stopPropagation()
        live.current.submit()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const tooMuch = error?.code === 'invalid_input' ? fieldIssues(error.details).find((i) => i.path === 'amount') : undefined
  const atMost = tooMuch ? /(\d+)/.exec(tooMuch.message)?.[1] : undefined

  return (
    <Dialog title={t('move.title')} onClose={onClose} testId="cash-move-dialog" size={approval ? 'large' : 'medium'}>
      {approval ? (
        <SupervisorApproval
          reason="cash_movement"
          amount={approval.amount}
          currency={currency}
          why={t('move.needsApproval', { kind: movementKindLabel(t, approval.kind), amount: f.money(approval.amount, currency) })}
          onApproved={(id) => void send(approval, id)}
        />
      ) : (
        <form
          className="move-form"
          onSubmit={(e) => {
            e.preventDefault()
            submit()
          }}
        >
          <div className="segmented move-kinds" role="radiogroup" aria-label={t('move.kindLabel')}>
            {MOVEMENT_KINDS_SHOWN.map((k) => (
              <button
                key={k}
                type="button"
                role="radio"
                aria-checked={kind === k}
                className={kind === k ? 'seg active' : 'seg'}
                data-testid={`move-kind-${k}`}
                onClick={() => {
                  setKind(k)
                  setReason(DEFAULT_REASON[k])
                }}
              >
                <span>
                  {movementKindLabel(t, k)} <kbd>{KIND_KEYS[k]}</kbd>
                </span>
                <span className="seg-sub">{t(`move.kindHelp.${k}`)}</span>
              </button>
            ))}
          </div>
          <label className="field">
            <span>{t('move.amount')}</span>
            <input
              ref={amountRef}
              data-testid="move-amount"
              data-autofocus
              className="big-input"
              inputMode="decimal"
              autoComplete="off"
              value={amountText}
              placeholder="0.00"
              onChange={(e) => {
                setAmountText(e.target.value)
                setError(null)
              }}
              aria-invalid={touched && amountIssue !== null}
            />
            {touched && amountIssue ? <span className="field-error">{amountIssue}</span> : null}
            {atMost !== undefined ? (
              <span className="field-error" data-testid="move-too-much">
                {t('move.tooMuch', { amount: f.money(Number(atMost), currency) })}
              </span>
            ) : null}
          </label>
          <fieldset className="field">
            <legend>{t('move.reasonLabel')}</legend>
            <div className="reason-chips">
              {MOVEMENT_REASONS.map((r) => (
                <button
                  key={r}
                  type="button"
                  className={reason === r ? 'btn small active' : 'btn small'}
                  aria-pressed={reason === r}
                  data-testid={`move-reason-${r}`}
                  onClick={() => setReason(r)}
                >
                  {movementReasonLabel(t, r)}
                </button>
              ))}
            </div>
          </fieldset>
          <label className="field">
            <span>{reason === 'other' ? t('move.noteRequired') : t('move.note')}</span>
            <input data-testid="move-note" value={note} maxLength={200} placeholder={t('move.notePlaceholder')} onChange={(e) => setNote(e.target.value)} aria-invalid={touched && noteMissing} />
            {touched && noteMissing ? <span className="field-error">{t('move.noteMissing')}</span> : null}
          </label>
          {error && atMost === undefined ? <ErrorNote error={error} ctx={{ approvalFor: 'cash_movement' }} testId="move-error" /> : null}
          <div className="row-actions">
            <button type="button" className="btn secondary" onClick={onClose}>
              {t('common.cancel')} <kbd>{t('common.esc')}</kbd>
            </button>
            <button type="submit" className="btn primary big" data-testid="move-submit" disabled={busy}>
              {busy ? t('move.sending') : t('move.submit', { kind: movementKindLabel(t, kind), amount: amount !== null && amount > 0 ? f.money(amount, currency) : '' })}{' '}
              <kbd>Enter</kbd>
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}

import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { minorToDecimalString, parseMajor } from '../../../../shared/money'
import type { Shift } from '../../../../shared/shifts-contract'
import { invoke } from '../../api'
import { DenominationGrid } from '../../components/DenominationGrid'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { SupervisorApproval } from '../../components/SupervisorApproval'
import { draftLines, draftTotal } from '../../lib/count'
import { fieldIssues } from '../../lib/errors'
import { isCurrency, useFormat } from '../../lib/format'
import { useApp } from '../../store'

/** What the core said when the difference is over the store threshold. */
export interface OverShort {
  expected: number
  counted: number
  overShort: number
  threshold: number | null
}

export function overShortOf(details: unknown): OverShort | null {
  if (!details || typeof details !== 'object') return null
  const d = details as Record<string, unknown>
  if (typeof d.expected !== 'number' || typeof d.counted !== 'number' || typeof d.overShort !== 'number') return null
  return { expected: d.expected, counted: d.counted, overShort: d.overShort, threshold: typeof d.threshold === 'number' ? d.threshold : null }
}

/** Short by, over by, or exact: the difference in words and its tone. */
export function DifferenceLine({ overShort, currency, testId = 'close-difference' }: { overShort: number; currency: string; testId?: string }) {
  const { t } = useTranslation()
  const tone = overShort < 0 ? 'short' : overShort > 0 ? 'over' : 'exact'
  return (
    <div className={`difference tone-${tone}`} data-testid={testId} data-minor={overShort}>
      <span>{tone === 'short' ? t('close.short') : tone === 'over' ? t('close.over') : t('close.exact')}</span>
      {tone === 'exact' ? null : (
        <>
          {' '}
          <Money minor={Math.abs(overShort)} currency={currency} className="big-amount" />
        </>
      )}
    </div>
  )
}

/**
 * What the drawer should hold, while counting: hidden on a blind count (the core does not even
 * send it), else the expected amount and, once something is counted, the difference as it stands.
 */
export function ExpectedFigure({ blind, expected, counted, currency }: { blind: boolean; expected: number | null; counted: number | null; currency: string }) {
  const { t } = useTranslation()
  if (blind || expected === null) {
    return (
      <p className="blind-note" data-testid="blind-note">
        {t('close.blindNote')}
      </p>
    )
  }
  return (
    <div className="close-figures">
      <div className="r-row">
        <span>{t('close.expected')}</span>
        <Money minor={expected} currency={currency} testId="close-expected" className="big-amount" />
      </div>
      {counted !== null && counted > 0 ? <DifferenceLine overShort={counted - expected} currency={currency} testId="close-live-difference" /> : null}
    </div>
  )
}

/** After the count is in: expected, counted and the difference, and the store's threshold. */
export function RevealedFigures({ diff, currency }: { diff: OverShort; currency: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <div className="close-figures revealed" data-testid="close-revealed">
      <div className="r-row">
        <span>{t('close.expected')}</span>
        <Money minor={diff.expected} currency={currency} testId="close-expected" />
      </div>
      <div className="r-row">
        <span>{t('close.counted')}</span>
        <Money minor={diff.counted} currency={currency} testId="close-counted" />
      </div>
      <DifferenceLine overShort={diff.overShort} currency={currency} />
      {diff.threshold !== null ? <p className="help">{t('close.overThreshold', { amount: f.money(diff.threshold, currency) })}</p> : null}
    </div>
  )
}

const REASONS = ['wrongChange', 'miscount', 'wrongKey', 'unknown'] as const

/**
 * Closing the shift: the drawer counted by denomination (blind when the store says so: what is
 * expected shows only once the count is in), what stays in the drawer for the next shift, then —
 * over the store's threshold — the difference, a reason and a supervisor's PIN.
 */
export function CloseShiftView({ shiftId, onClosed, onBack }: { shiftId: string; onClosed: (shift: Shift) => void; onBack: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const till = useApp((s) => s.till)
  const session = useApp((s) => s.session)
  const dayVersion = useApp((s) => s.dayVersion)
  const dayChanged = useApp((s) => s.dayChanged)
  const [shift, setShift] = useState<Shift | null>(null)
  const [loadError, setLoadError] = useState<ErrorData | null>(null)
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [leftText, setLeftText] = useState<string | null>(null)
  const [phase, setPhase] = useState<'count' | 'reason' | 'pin'>('count')
  const [diff, setDiff] = useState<OverShort | null>(null)
  const [reason, setReason] = useState('')
  const [reasonTouched, setReasonTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const leftRef = useRef<HTMLInputElement>(null)
  const submitRef = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    let live = true
    void invoke('shift-get', { shiftId }).then((r) => {
      if (!live) return
      if (r.ok) setShift(r.value)
      else setLoadError(r.error)
    })
    return () => {
      live = false
    }
  }, [shiftId, dayVersion])

  const currency = shift?.currency ?? f.currency
  const blind = shift ? shift.state === 'open' && shift.expected === null : (till?.blindCount ?? false)
  const counted = draftTotal(currency, draft)
  const left = leftText === null ? Math.min(shift?.float ?? 0, counted ?? 0) : isCurrency(currency) ? parseMajor(leftText, currency) : null
  const leftIssue = left === null || left < 0 ? t('close.leftInvalid') : counted !== null && left > counted ? t('close.leftTooMuch', { amount: f.money(counted, currency) }) : null
  const supervisor = session?.staff.role === 'supervisor' || session?.staff.role === 'owner'

  const submit = async (approvalId?: string) => {
    const count = draftLines(currency, draft)
    if (!shift || busy || count === null || counted === null || left === null || leftIssue) return
    setBusy(true)
    setError(null)
    const withReason = phase !== 'count' && reason.trim() !== ''
    const r = await invoke('shift-close', { shiftId: shift.id, count, left, ...(withReason ? { reason: reason.trim() } : {}), ...(approvalId ? { approvalId } : {}) })
    setBusy(false)
    if (r.ok) {
      dayChanged()
      onClosed(r.value)
      return
    }
    if (r.error.code === 'approval_required' || r.error.code === 'approval_invalid') {
      const d = overShortOf(r.error.details)
      if (d) setDiff(d)
      if (phase === 'count') setPhase('reason')
      else if (phase === 'reason' && withReason && !supervisor) setPhase('pin')
      if (r.error.code === 'approval_invalid') setError(r.error)
      return
    }
    setError(r.error)
  }

  const live = useRef({ submit, phase })
  live.current = { submit, phase }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F12' || live.current.phase !== 'count') return
      e.preventDefault()
      e.stopPropagation()
      void live.current.submit()
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  if (loadError) return <ErrorNote error={loadError} />
  if (!shift) return <p className="muted">{t('common.loading')}</p>
  if (shift.state === 'closed') {
    return (
      <div className="banner-info">
        {t('close.alreadyClosed')}{' '}
        <button type="button" className="btn secondary small" onClick={() => onClosed(shift)}>
          {t('close.showReport')}
        </button>
      </div>
    )
  }

  const leftIssues = error?.code === 'invalid_input' ? fieldIssues(error.details).filter((i) => i.path === 'left') : []
  const giveReason = () => {
    setReasonTouched(true)
    if (reason.trim() === '') return
    if (supervisor) void submit()
    else setPhase('pin')
  }

  return (
    <div className="close-shift" data-testid="close-shift" data-phase={phase} data-blind={blind ? 'yes' : 'no'}>
      <section className="card close-count">
        <h2>{t('close.countTitle')}</h2>
        <p className="help">{t('close.countHelp')}</p>
        <DenominationGrid
          currency={currency}
          draft={draft}
          onChange={(d) => {
            setDraft(d)
            setError(null)
          }}
          autoFocus
          disabled={phase !== 'count'}
          testId="close-count"
          totalLabel={t('close.counted')}
          onDone={() => leftRef.current?.focus()}
        />
      </section>
      <section className="card close-side">
        <div className="close-who">
          <strong>{t('close.shiftOf', { name: shift.holder.name })}</strong>
          <span className="muted">{t('close.openedAt', { time: f.dateTime(shift.openedAt) })}</span>
          <span className="muted">
            {t('close.float')} {f.money(shift.float, currency)}
          </span>
        </div>
        {phase === 'count' ? (
          <>
            <ExpectedFigure blind={blind} expected={shift.expected} counted={counted} currency={currency} />
            <label className="field">
              <span>{t('close.left')}</span>
              <input
                ref={leftRef}
                data-testid="close-left"
                className="big-input"
                inputMode="decimal"
                autoComplete="off"
                value={leftText ?? (isCurrency(currency) && left !== null ? minorToDecimalString(left, currency) : '')}
                onFocus={(e) => e.target.select()}
                onChange={(e) => {
                  setLeftText(e.target.value)
                  setError(null)
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault()
                    submitRef.current?.focus()
                  }
                }}
                aria-invalid={leftIssue !== null}
              />
              <small className="help">{t('close.leftHelp')}</small>
              {leftIssue ? <span className="field-error">{leftIssue}</span> : null}
              {leftIssues.length > 0 ? <span className="field-error">{t('close.leftTooMuch', { amount: f.money(counted ?? 0, currency) })}</span> : null}
            </label>
            <div className="quick-left">
              <button type="button" className="btn secondary small" data-testid="left-float" onClick={() => setLeftText(isCurrency(currency) ? minorToDecimalString(shift.float, currency) : '')}>
                {t('close.leftSameFloat', { amount: f.money(shift.float, currency) })}
              </button>
              <button type="button" className="btn secondary small" data-testid="left-none" onClick={() => setLeftText('0')}>
                {t('close.leftNone')}
              </button>
            </div>
            {counted !== null && left !== null && !leftIssue ? (
              <div className="r-row muted">
                <span>{t('close.toSafe')}</span>
                <Money minor={counted - left} currency={currency} testId="close-to-safe" />
              </div>
            ) : null}
            {error ? <ErrorNote error={error} ctx={{ closingShift: true, approvalFor: 'over_short' }} testId="close-error" /> : null}
            <div className="row-actions">
              <button type="button" className="btn secondary" onClick={onBack}>
                {t('day.back')} <kbd>{t('common.esc')}</kbd>
              </button>
              <button
                type="button"
                ref={submitRef}
                className="btn primary big"
                data-testid="close-submit"
                disabled={busy || counted === null || leftIssue !== null}
                onClick={() => void submit()}
              >
                {busy ? t('close.closing') : blind ? t('close.submitBlind') : t('close.submit')} <kbd>F12</kbd>
              </button>
            </div>
          </>
        ) : (
          <div className="close-approval" data-testid="close-approval">
            {diff ? (
              <RevealedFigures diff={diff} currency={currency} />
            ) : blind ? (
              // A blind count refused: the core kept this first count and says nothing of what was expected.
              <p className="blind-note" data-testid="close-blind-kept">
                {t('close.blindKept')}
              </p>
            ) : null}
            {phase === 'reason' ? (
              <form
                className="close-reason"
                onSubmit={(e) => {
                  e.preventDefault()
                  giveReason()
                }}
              >
                <label className="field">
                  <span>{t('close.reason')}</span>
                  <input
                    data-testid="close-reason"
                    autoFocus
                    value={reason}
                    maxLength={200}
                    placeholder={t('close.reasonPlaceholder')}
                    onChange={(e) => setReason(e.target.value)}
                    aria-invalid={reasonTouched && reason.trim() === ''}
                  />
                  {reasonTouched && reason.trim() === '' ? <span className="field-error">{t('close.reasonRequired')}</span> : null}
                </label>
                <div className="reason-chips">
                  {REASONS.map((r) => (
                    <button key={r} type="button" className="btn small" data-testid={`close-reason-${r}`} onClick={() => setReason(t(`close.reasons.${r}`))}>
                      {t(`close.reasons.${r}`)}
                    </button>
                  ))}
                </div>
                {error ? <ErrorNote error={error} ctx={{ closingShift: true, approvalFor: 'over_short' }} testId="close-error" /> : null}
                <div className="row-actions">
                  {blind ? null : (
                    <button
                      type="button"
                      className="btn secondary"
                      data-testid="close-recount"
                      onClick={() => {
                        setPhase('count')
                        setDiff(null)
                        setError(null)
                      }}
                    >
                      {t('close.recount')}
                    </button>
                  )}
                  <button type="submit" className="btn primary big" data-testid="close-reason-submit" disabled={busy}>
                    {supervisor ? t('close.closeWithReason') : t('close.askSupervisor')} <kbd>Enter</kbd>
                  </button>
                </div>
              </form>
            ) : (
              <>
                <p className="muted">
                  {t('close.reason')}: <strong data-testid="close-reason-given">{reason}</strong>
                </p>
                <Dialog title={t('close.approvalTitle')} onClose={() => setPhase('reason')} testId="close-approval-dialog" size="large">
                  <SupervisorApproval
                    reason="over_short"
                    amount={Math.abs(diff?.overShort ?? 0)}
                    currency={currency}
                    why={diff ? t('close.supervisorWhyAmount', { diff: `${diff.overShort < 0 ? t('close.short') : t('close.over')} ${f.money(Math.abs(diff.overShort), currency)}`, reason }) : t('close.supervisorWhy')}
                    onApproved={(id) => void submit(id)}
                  />
                  {error ? <ErrorNote error={error} ctx={{ closingShift: true, approvalFor: 'over_short' }} testId="close-error" /> : null}
                </Dialog>
              </>
            )}
          </div>
        )}
      </section>
    </div>
  )
}

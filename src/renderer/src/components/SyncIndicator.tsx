import type { TFunction } from 'i18next'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Role, SyncStatus } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { agoText, clockWarning, indicatorText, syncErrorText, syncView, type SyncView } from '../lib/sync'
import { useApp } from '../store'
import { ErrorNote } from './ErrorNote'

/**
 * The sync dot in the top bar: grey (no platform), green (all sent), amber (records waiting),
 * red (a failure, or records waiting over 15 minutes). A tap opens a small panel with the
 * details and "Sync now". It never takes the focus (mousedown is not allowed to move it), so a
 * scan right after a tap still lands in the checkout; Esc or a tap elsewhere closes the panel.
 */
export function SyncIndicator() {
  const sync = useApp((s) => s.sync)
  const now = useApp((s) => s.syncClock)
  const role = useApp((s) => s.session?.staff.role)
  const dialog = useApp((s) => s.dialog)
  const [open, setOpen] = useState(false)
  const openRef = useRef(open)
  openRef.current = open
  const wrapRef = useRef<HTMLDivElement>(null)

  // Registered once, at mount: the top bar mounts before the checkout, so this runs first and an
  // Esc that closes the panel is not also taken by the checkout (which would clear the search).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !openRef.current) return
      e.preventDefault()
      e.stopImmediatePropagation()
      setOpen(false)
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  useEffect(() => {
    if (!open) return
    const close = (e: MouseEvent) => {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false)
    }
    window.addEventListener('mousedown', close)
    return () => window.removeEventListener('mousedown', close)
  }, [open])

  // A dialog (pay, discount…) always wins over the panel.
  useEffect(() => {
    if (dialog) setOpen(false)
  }, [dialog])

  if (!sync) return null
  return (
    <div className="sync" ref={wrapRef}>
      <SyncChip status={sync} now={now} open={open} onToggle={() => setOpen((o) => !o)} />
      {open ? <SyncPanel status={sync} now={now} role={role ?? 'cashier'} onClose={() => setOpen(false)} /> : null}
    </div>
  )
}

export function SyncDot({ tone }: { tone: SyncView['tone'] }) {
  return <span className={`sync-dot tone-${tone}`} aria-hidden="true" />
}

/** The button in the top bar (exported for the unit tests). */
export function SyncChip({ status, now, open, onToggle }: { status: SyncStatus; now: number; open: boolean; onToggle: () => void }) {
  const { t } = useTranslation()
  const v = syncView(status, now)
  const { label, detail, short } = indicatorText(t, v)
  const full = detail ? `${label} · ${detail}` : label
  return (
    <button
      type="button"
      className={`sync-chip tone-${v.tone}`}
      data-testid="sync-indicator"
      data-state={v.kind}
      data-tone={v.tone}
      data-pending={v.pending}
      aria-haspopup="dialog"
      aria-expanded={open}
      aria-label={t('sync.open', { state: full })}
      title={full}
      // keep the focus where it is (the search box, or nowhere for the scanner)
      onMouseDown={(e) => e.preventDefault()}
      onClick={onToggle}
    >
      <SyncDot tone={v.tone} />
      <span className="sync-wide" data-testid="sync-label">
        <span className="sync-label">{label}</span>
        {detail ? <span className="sync-detail"> · {detail}</span> : null}
      </span>
      <span className="sync-narrow">{short}</span>
    </button>
  )
}

/** "Sync now", in the panel and in Settings → Platform: clears the caller's error, then reports the answer's. */
export function SyncNowButton({ testId, onResult }: { testId: string; onResult: (error: ErrorData | null) => void }) {
  const { t } = useTranslation()
  const syncNow = useApp((s) => s.syncNow)
  const sending = useApp((s) => s.syncSending)
  return (
    <button
      type="button"
      className="btn primary"
      data-testid={testId}
      disabled={sending}
      onClick={() => {
        onResult(null)
        void syncNow().then(onResult)
      }}
    >
      {sending ? t('sync.syncing') : t('sync.syncNow')}
    </button>
  )
}

/** The details panel (exported for the unit tests). */
export function SyncPanel({ status, now, role, onClose }: { status: SyncStatus; now: number; role: Role; onClose: () => void }) {
  const { t } = useTranslation()
  const openSettings = useApp((s) => s.openSettings)
  const [error, setError] = useState<ErrorData | null>(null)
  const v = syncView(status, now)
  const { label } = indicatorText(t, v)
  const clock = clockWarning(t, status.clockOffsetMs)

  return (
    <div
      className="sync-panel"
      role="dialog"
      aria-label={t('sync.title')}
      data-testid="sync-panel"
      // taps inside the panel do not move the focus either (the buttons still work)
      onMouseDown={(e) => e.preventDefault()}
    >
      <header className="sync-panel-head">
        <SyncDot tone={v.tone} />
        <strong>{label}</strong>
        <span className="spacer" />
        <button type="button" className="btn ghost small" onClick={onClose} aria-label={t('common.close')}>
          ✕<kbd>{t('common.esc')}</kbd>
        </button>
      </header>
      {v.kind === 'unpaired' ? (
        <>
          <p className="sync-help">{t('sync.unpairedHelp')}</p>
          {status.pending > 0 ? <p className="sync-help">{t('platform.pendingUnpaired', { count: status.pending })}</p> : null}
          {role === 'owner' ? (
            <button
              type="button"
              className="btn primary"
              data-testid="sync-setup"
              onClick={() => {
                onClose()
                openSettings('platform')
              }}
            >
              {t('sync.setUp')}
            </button>
          ) : (
            <p className="sync-help">{t('sync.unpairedAskOwner')}</p>
          )}
        </>
      ) : (
        <>
          <dl className="sync-facts">
            <dt>{t('sync.pending')}</dt>
            <dd data-testid="sync-pending" data-pending={status.pending}>
              {status.pending === 0 ? t('sync.allSent') : t('sync.pendingCount', { count: status.pending })}
            </dd>
            {status.pending > 0 ? (
              <>
                <dt>{t('sync.oldestPending')}</dt>
                <dd className={v.kind === 'delayed' ? 'bad' : undefined}>{agoText(t, status.oldestPendingAt, now) ?? '—'}</dd>
              </>
            ) : null}
            <dt>{t('sync.lastSuccess')}</dt>
            <dd data-testid="sync-last-success">{agoText(t, status.lastSuccessAt, now) ?? t('sync.never')}</dd>
            {v.error ? (
              <>
                <dt>{t('sync.lastError')}</dt>
                <dd className="bad" data-testid="sync-last-error" data-code={v.error.code}>
                  {syncErrorText(t, v.error.code)} <small className="muted">({agoText(t, v.error.at, now)})</small>
                </dd>
              </>
            ) : null}
            {status.state === 'backoff' && status.nextAttemptAt ? (
              <>
                <dt>{t('sync.nextAttempt')}</dt>
                <dd>{nextText(t, status.nextAttemptAt, now)}</dd>
              </>
            ) : null}
          </dl>
          {v.kind === 'delayed' ? <p className="sync-warn">{t('sync.tooOld')}</p> : null}
          {clock ? (
            <p className="sync-warn" data-testid="sync-clock-warning">
              ⚠ {clock}
            </p>
          ) : null}
          <p className="sync-help">{t('sync.keepSelling')}</p>
          {error ? <ErrorNote error={error} testId="sync-now-error" /> : null}
          <SyncNowButton testId="sync-now" onResult={setError} />
        </>
      )}
    </div>
  )
}

function nextText(t: TFunction, iso: string, now: number): string {
  const at = Date.parse(iso)
  if (Number.isNaN(at) || at <= now) return t('sync.justNow')
  const s = Math.ceil((at - now) / 1000)
  return s < 60 ? t('sync.age.s', { count: s }) : t('sync.age.min', { count: Math.ceil(s / 60) })
}

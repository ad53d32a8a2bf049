import type { TFunction } from 'i18next'
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { SyncStatus } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { Dialog } from '../components/Dialog'
import { ErrorNote } from '../components/ErrorNote'
import { SyncDot, SyncNowButton } from '../components/SyncIndicator'
import { describeError } from '../lib/errors'
import { useFormat } from '../lib/format'
import {
  agoText,
  ageText,
  checkPairForm,
  clockWarning,
  CLOCK_WARN_MS,
  formatPairingCodeInput,
  indicatorText,
  pairErrorIssue,
  syncErrorText,
  syncView,
  type PairField,
  type PairIssue,
} from '../lib/sync'
import { useApp } from '../store'

export const PLATFORM_URL_PLACEHOLDER = 'http://127.0.0.1:4320'

/** Settings → Platform: pair this till (unpaired), or see how sync is doing and unpair (paired). */
export function PlatformSettings() {
  const { t } = useTranslation()
  const sync = useApp((s) => s.sync)
  const loadSync = useApp((s) => s.loadSync)
  const [note, setNote] = useState<string | null>(null)
  // After an unpair the core forgets the address; the form offers it again.
  const [lastUrl, setLastUrl] = useState('')
  const knownUrl = sync?.platformUrl ?? null

  useEffect(() => {
    void loadSync()
  }, [loadSync])
  useEffect(() => {
    if (knownUrl) setLastUrl(knownUrl)
  }, [knownUrl])

  if (!sync) return <p className="muted">{t('common.loading')}</p>
  return (
    <div className="platform-settings" data-testid="platform-settings" data-state={sync.state}>
      {note ? (
        <p className="ok-note" data-testid="platform-note">
          ✔ {note}
        </p>
      ) : null}
      {sync.state === 'unpaired' ? (
        <PairForm status={sync} lastUrl={lastUrl} onPaired={(s) => setNote(t('platform.pairedOk', { store: s.storeName ?? s.platformUrl ?? '' }))} />
      ) : (
        <PlatformDetails status={sync} onUnpaired={() => setNote(t('platform.unpairedOk'))} />
      )}
    </div>
  )
}

// ---- unpaired: the pairing form -----------------------------------------------------------------

function PairForm({ status, lastUrl, onPaired }: { status: SyncStatus; lastUrl: string; onPaired: (s: SyncStatus) => void }) {
  const pairPlatform = useApp((s) => s.pairPlatform)
  const [platformUrl, setPlatformUrl] = useState(status.platformUrl ?? lastUrl)
  const [code, setCode] = useState('')
  const [issues, setIssues] = useState<PairIssue[]>([])
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    if (busy) return
    const check = checkPairForm(platformUrl, code)
    if (!check.ok) {
      setIssues(check.issues)
      return
    }
    setIssues([])
    setBusy(true)
    const r = await pairPlatform(check.platformUrl, check.code)
    setBusy(false)
    if (r.ok) {
      setCode('')
      onPaired(r.value)
      return
    }
    setIssues([pairErrorIssue(r.error)])
  }

  return (
    <PairFormView
      platformUrl={platformUrl}
      code={code}
      busy={busy}
      issues={issues}
      pending={status.pending}
      onUrl={(v) => {
        setPlatformUrl(v)
        setIssues((list) => list.filter((i) => i.field !== 'platformUrl' && i.field !== 'form'))
      }}
      onCode={(v) => {
        setCode(formatPairingCodeInput(v))
        setIssues((list) => list.filter((i) => i.field !== 'code' && i.field !== 'form'))
      }}
      onSubmit={() => void submit()}
    />
  )
}

export interface PairFormViewProps {
  platformUrl: string
  code: string
  busy: boolean
  issues: PairIssue[]
  pending: number
  onUrl: (v: string) => void
  onCode: (v: string) => void
  onSubmit: () => void
}

/** The form itself, without state (the unit tests render it with given issues). */
export function PairFormView({ platformUrl, code, busy, issues, pending, onUrl, onCode, onSubmit }: PairFormViewProps) {
  const { t } = useTranslation()
  const textOf = (i: PairIssue) => ('key' in i ? t(`platform.issues.${i.key}`) : describeError(t, i.error))
  const under = (field: PairField) => {
    const mine = issues.filter((i) => i.field === field)
    if (mine.length === 0) return null
    const first = mine[0]
    const code = first && 'error' in first ? first.error.code : undefined
    return (
      <span className="field-error" role="alert" data-testid={`pair-error-${field}`} data-code={code}>
        {mine.map(textOf).join(' ')}
      </span>
    )
  }
  const hasIssue = (field: PairField) => issues.some((i) => i.field === field)
  return (
    <form
      className="card pair-form"
      data-testid="pair-form"
      aria-busy={busy}
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit()
      }}
    >
      <h2>{t('platform.tab')}</h2>
      <p className="help">{t('platform.intro')}</p>
      <p className="help">{t('platform.howTo')}</p>
      {pending > 0 ? (
        <p className="banner-info" data-testid="pending-unpaired">
          ℹ {t('platform.pendingUnpaired', { count: pending })}
        </p>
      ) : null}
      <div className="pair-fields">
        <label className="field">
          <span>{t('platform.url')}</span>
          <input
            data-testid="pair-url"
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder={PLATFORM_URL_PLACEHOLDER}
            value={platformUrl}
            maxLength={200}
            disabled={busy}
            aria-invalid={hasIssue('platformUrl') || undefined}
            onChange={(e) => onUrl(e.target.value)}
          />
          <small className="help">{t('platform.urlHelp')}</small>
          {under('platformUrl')}
        </label>
        <label className="field">
          <span>{t('platform.code')}</span>
          <input
            data-testid="pair-code"
            className="pair-code"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="XXXX-XXXX"
            value={code}
            maxLength={12}
            disabled={busy}
            aria-invalid={hasIssue('code') || undefined}
            onChange={(e) => onCode(e.target.value)}
          />
          <small className="help">{t('platform.codeHelp')}</small>
          {under('code')}
        </label>
      </div>
      {under('form')}
      <div className="row-actions start">
        <button type="submit" className="btn primary big" data-testid="pair-submit" disabled={busy}>
          {busy ? (
            <>
              <span className="spinner small" aria-hidden="true" />
              {t('platform.pairing')}
            </>
          ) : (
            t('platform.pair')
          )}
        </button>
      </div>
    </form>
  )
}

// ---- paired: the details ------------------------------------------------------------------------

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  )
}

export function PlatformDetails({ status, onUnpaired }: { status: SyncStatus; onUnpaired: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const now = useApp((s) => s.syncClock)
  const unpairPlatform = useApp((s) => s.unpairPlatform)
  const [error, setError] = useState<ErrorData | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [unpairing, setUnpairing] = useState(false)
  const v = syncView(status, now)
  const { label, detail } = indicatorText(t, v)
  const clock = clockWarning(t, status.clockOffsetMs)
  const none = t('platform.unknown')
  const when = (iso: string | null, fallback = none) => {
    if (!iso) return fallback
    return `${f.dateTime(iso)} (${agoText(t, iso, now) ?? ''})`
  }

  const unpair = async () => {
    setUnpairing(true)
    const r = await unpairPlatform()
    setUnpairing(false)
    setConfirming(false)
    if (r.ok) onUnpaired()
    else setError(r.error)
  }

  return (
    <>
      <section className="card">
        <div className="platform-status">
          <SyncDot tone={v.tone} />
          <strong data-testid="platform-status">{detail ? `${label} · ${detail}` : label}</strong>
        </div>
        <dl className="details">
          <Row label={t('platform.storeName')} testId="platform-store">
            {status.storeName ?? none}
          </Row>
          <Row label={t('platform.platformUrl')} testId="platform-url">
            <span className="mono">{status.platformUrl ?? none}</span>
          </Row>
          <Row label={t('platform.deviceId')} testId="platform-device">
            <span className="mono">{status.platformDeviceId ?? none}</span>
          </Row>
          <Row label={t('platform.pairedAt')}>{when(status.pairedAt)}</Row>
        </dl>
      </section>

      <section className="card">
        <h2>{t('platform.sending')}</h2>
        <dl className="details">
          <Row label={t('platform.status')}>{t(`platform.state.${status.state}`)}</Row>
          <Row label={t('platform.pending')} testId="platform-pending">
            {status.pending === 0 ? t('sync.allSent') : t('sync.pendingCount', { count: status.pending })}
          </Row>
          <Row label={t('platform.oldestPending')}>{status.pending > 0 ? when(status.oldestPendingAt) : none}</Row>
          <Row label={t('platform.lastSuccess')} testId="platform-last-success">
            {when(status.lastSuccessAt, t('sync.never'))}
          </Row>
          <Row label={t('platform.lastAttempt')}>{when(status.lastAttemptAt, t('sync.never'))}</Row>
          {status.state === 'backoff' && status.nextAttemptAt ? <Row label={t('platform.nextAttempt')}>{f.time(status.nextAttemptAt)}</Row> : null}
          <Row label={t('platform.lastError')} testId="platform-last-error">
            {status.lastError ? (
              <span className={v.error ? 'bad' : undefined}>
                {syncErrorText(t, status.lastError.code)} <small className="muted mono">({status.lastError.code})</small>
                <br />
                <small className="muted">{when(status.lastError.at)}</small>
              </span>
            ) : (
              t('platform.noProblem')
            )}
          </Row>
          <Row label={t('platform.clockOffset')} testId="platform-clock">
            {status.clockOffsetMs === null ? none : offsetText(t, status.clockOffsetMs)}
          </Row>
        </dl>
        {clock ? (
          <p className="sync-warn" data-testid="platform-clock-warning">
            ⚠ {clock}
          </p>
        ) : null}
        {error ? <ErrorNote error={error} testId="platform-error" /> : null}
        <div className="row-actions start">
          <SyncNowButton testId="platform-sync-now" onResult={setError} />
        </div>
      </section>

      <section className="card">
        <h2>{t('platform.catalog')}</h2>
        <dl className="details">
          <Row label={t('platform.catalogCursor')}>
            <span className="mono">{status.catalogCursor ?? none}</span>
          </Row>
          <Row label={t('platform.lastCatalog')}>{when(status.lastCatalogAt, t('sync.never'))}</Row>
        </dl>
      </section>

      <div className="row-actions start">
        <button type="button" className="btn secondary danger" data-testid="platform-unpair" onClick={() => setConfirming(true)}>
          {t('platform.unpair')}
        </button>
      </div>

      {confirming ? (
        <Dialog
          title={t('platform.unpairTitle')}
          onClose={() => !unpairing && setConfirming(false)}
          testId="unpair-dialog"
          size="small"
          footer={
            <>
              <button type="button" className="btn secondary" data-autofocus disabled={unpairing} onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn primary danger" data-testid="unpair-confirm" disabled={unpairing} onClick={() => void unpair()}>
                {unpairing ? t('platform.unpairing') : t('platform.unpairConfirm')}
              </button>
            </>
          }
        >
          <p>{t('platform.unpairBody', { url: status.platformUrl ?? '' })}</p>
          <p className="banner-info">{t('platform.unpairPending', { count: status.pending })}</p>
        </Dialog>
      ) : null}
    </>
  )
}

function offsetText(t: TFunction, offsetMs: number): string {
  const abs = Math.abs(offsetMs)
  const value = abs < 60_000 ? t('sync.age.s', { count: Math.round(abs / 1000) }) : ageText(t, abs)
  if (abs <= CLOCK_WARN_MS) return t('platform.clockOk', { value })
  return offsetMs > 0 ? t('platform.clockAhead', { value }) : t('platform.clockBehind', { value })
}

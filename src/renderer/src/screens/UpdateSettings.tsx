import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
import type { UnsafeReason, UpdateSettings, UpdateStatus } from '../../../shared/updates-contract'
import { invoke, onEvent } from '../api'
import { ErrorNote } from '../components/ErrorNote'
import { fieldIssues, type FieldIssue } from '../lib/errors'
import { useApp } from '../store'

const WINDOWS = [30, 60, 120, 180, 360]
/** What an address looks like: https (the till refuses plain http to anything but itself). */
export const UPDATE_URL_EXAMPLE = 'https://platform.example.com/v1/updates/stable'

export interface Draft {
  serverUrl: string
  installAt: string
  windowMinutes: number
}

const toDraft = (s: UpdateSettings): Draft => ({ serverUrl: s.serverUrl ?? '', installAt: s.installAt ?? '', windowMinutes: s.windowMinutes })

/**
 * Settings → Updates (a panel of the store tab): the update server, the owner's install time, and
 * what the updater is doing. The rule itself is the core's (core/updates/safe-moment.ts): an update
 * installs only when nothing is in progress, at quit or in this window, after a checked backup.
 */
export function UpdateSettingsPanel() {
  const role = useApp((s) => s.session?.staff.role)
  const [status, setStatus] = useState<UpdateStatus | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [issues, setIssues] = useState<FieldIssue[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  // Only the owner changes them (the core refuses anyone else); a supervisor or a cashier may read them.
  const canEdit = role === 'owner'

  useEffect(() => {
    let live = true
    const load = (first: boolean) =>
      void invoke('update-status', {}).then((r) => {
        if (!live) return
        if (!r.ok) return setError(r.error)
        setStatus(r.value)
        if (first) setDraft(toDraft(r.value.settings))
      })
    load(true)
    const off = onEvent('settings-changed', () => load(false))
    // what the updater is doing changes on its own: look again now and then while the panel is open
    const timer = setInterval(() => load(false), 30_000)
    return () => {
      live = false
      off()
      clearInterval(timer)
    }
  }, [])

  if (!status || !draft) return error ? <ErrorNote error={error} testId="updates-error" /> : null

  const save = async () => {
    if (busy) return
    setBusy(true)
    setSaved(false)
    setError(null)
    const r = await invoke('update-settings-save', {
      serverUrl: draft.serverUrl.trim() === '' ? null : draft.serverUrl.trim(),
      installAt: draft.installAt === '' ? null : draft.installAt,
      windowMinutes: draft.windowMinutes,
    })
    setBusy(false)
    if (r.ok) {
      setIssues([])
      setSaved(true)
      setDraft(toDraft(r.value))
      return
    }
    setError(r.error)
    setIssues(fieldIssues(r.error.details))
  }
  return (
    <UpdateSettingsView
      status={status}
      draft={draft}
      canEdit={canEdit}
      busy={busy}
      saved={saved}
      issues={issues}
      error={error}
      onDraft={setDraft}
      onSave={() => void save()}
    />
  )
}

export interface UpdateSettingsViewProps {
  status: UpdateStatus
  draft: Draft
  canEdit: boolean
  busy: boolean
  saved: boolean
  issues: FieldIssue[]
  error: ErrorData | null
  onDraft: (d: Draft) => void
  onSave: () => void
}

/** The panel itself, without state (the tests render it with a given status). */
export function UpdateSettingsView({ status, draft, canEdit, busy, saved, issues, error, onDraft, onSave }: UpdateSettingsViewProps) {
  const { t } = useTranslation()
  const issue = (path: string) => {
    const mine = issues.filter((i) => i.path === path)
    return mine.length > 0 ? (
      <span className="field-error" role="alert" data-testid={`updates-error-${path}`}>
        {mine.map((i) => i.message).join(' · ')}
      </span>
    ) : null
  }
  const reasons = status.atQuit.reasons.map((r: UnsafeReason) => t(`updates.reasons.${r}`)).join(' · ')
  const report = status.report

  return (
    <section className="card" data-testid="update-settings">
      <h2>{t('updates.title')}</h2>
      <p className="help">{t('updates.intro')}</p>
      <div className="form-grid">
        <label className="field">
          <span>{t('updates.serverUrl')}</span>
          <input
            data-testid="updates-server-url"
            type="url"
            inputMode="url"
            spellCheck={false}
            placeholder={UPDATE_URL_EXAMPLE}
            maxLength={300}
            value={draft.serverUrl}
            disabled={!canEdit || busy}
            onChange={(e) => onDraft({ ...draft, serverUrl: e.target.value })}
          />
          <small className="help">{t('updates.serverUrlHelp', { example: UPDATE_URL_EXAMPLE })}</small>
          <small className="help">{t('updates.serverUrlHttps')}</small>
          {issue('serverUrl')}
        </label>
        <label className="field">
          <span>{t('updates.installAt')}</span>
          <input
            data-testid="updates-install-at"
            type="time"
            value={draft.installAt}
            disabled={!canEdit || busy}
            onChange={(e) => onDraft({ ...draft, installAt: e.target.value })}
          />
          <small className="help">{t('updates.installAtHelp')}</small>
          {issue('installAt')}
        </label>
        <label className="field">
          <span>{t('updates.windowMinutes')}</span>
          <select
            data-testid="updates-window"
            value={draft.windowMinutes}
            disabled={!canEdit || busy || draft.installAt === ''}
            onChange={(e) => onDraft({ ...draft, windowMinutes: Number(e.target.value) })}
          >
            {[...new Set([...WINDOWS, draft.windowMinutes])].sort((a, b) => a - b).map((m) => (
              <option key={m} value={m}>
                {t('updates.minutes', { count: m })}
              </option>
            ))}
          </select>
        </label>
      </div>
      {canEdit ? (
        <div className="row-actions start">
          <button type="button" className="btn primary" data-testid="updates-save" disabled={busy} onClick={onSave}>
            {busy ? t('updates.saving') : t('updates.save')}
          </button>
          {saved ? <span className="ok-note" data-testid="updates-saved">✔ {t('updates.saved')}</span> : null}
        </div>
      ) : (
        <p className="muted">{t('updates.ownerOnly')}</p>
      )}
      {error ? <ErrorNote error={error} testId="updates-error" /> : null}
      <p className="muted" data-testid="updates-state" data-state={report?.state ?? 'idle'}>
        {t(`updates.states.${report?.state ?? 'idle'}`)}
        {report?.availableVersion ? ` · ${t('updates.available', { version: report.availableVersion })}` : ''}
        {report?.message ? ` · ${report.message}` : ''}
      </p>
      <p className="muted" data-testid="updates-at-quit" data-safe={status.atQuit.safe}>
        {status.atQuit.safe ? t('updates.atQuitSafe') : t('updates.atQuitWaiting', { reasons })}
      </p>
      <p className="muted">{t('updates.dataFolder', { path: status.dataFolder })}</p>
      <p className="muted">{t('updates.backupFolder', { path: status.backupFolder })}</p>
    </section>
  )
}

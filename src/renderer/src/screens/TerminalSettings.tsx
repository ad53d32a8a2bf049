import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ChannelInput, TerminalSettings } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { invoke } from '../api'
import { ErrorNote } from '../components/ErrorNote'
import { fieldIssues, type FieldIssue } from '../lib/errors'
import { useApp } from '../store'

type Draft = Omit<ChannelInput<'terminal-settings-save'>, 'keyVersion' | 'passphrase'> & { keyVersion: string; passphrase: string }

function toDraft(s: TerminalSettings): Draft {
  return {
    endpoint: s.endpoint,
    poiId: s.poiId,
    keyIdentifier: s.keyIdentifier,
    keyVersion: String(s.keyVersion),
    passphrase: '',
    caCertPem: s.caCertPem,
  }
}

function Issue({ issues, path }: { issues: FieldIssue[]; path: string }) {
  const mine = issues.filter((i) => i.path === path)
  if (mine.length === 0) return null
  return (
    <span className="field-error" role="alert" data-testid={`terminal-error-${path}`}>
      {mine.map((i) => i.message).join(' · ')}
    </span>
  )
}

/**
 * Settings → Card terminal (owner): where the terminal is, its id, the shared key (the passphrase
 * is write-only: the form only says whether one is saved) and the CA that signed its certificate.
 */
export function TerminalSettingsForm() {
  const { t } = useTranslation()
  const status = useApp((s) => s.paymentsStatus)
  const loadPaymentsStatus = useApp((s) => s.loadPaymentsStatus)
  const [saved, setSaved] = useState<TerminalSettings | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [issues, setIssues] = useState<FieldIssue[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [ok, setOk] = useState(false)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    void invoke('terminal-settings-get', {}).then((r) => {
      if (!live) return
      if (r.ok) {
        setSaved(r.value)
        setDraft(toDraft(r.value))
      } else setError(r.error)
    })
    void loadPaymentsStatus()
    return () => {
      live = false
    }
  }, [loadPaymentsStatus])

  if (!draft) return error ? <ErrorNote error={error} /> : <p className="muted">{t('common.loading')}</p>

  const patch = (p: Partial<Draft>) => {
    setDraft({ ...draft, ...p })
    setOk(false)
  }

  const save = async () => {
    setBusy(true)
    setError(null)
    setIssues([])
    setOk(false)
    const keyVersion = /^\d{1,7}$/.test(draft.keyVersion.trim()) ? Number(draft.keyVersion.trim()) : -1
    const input: ChannelInput<'terminal-settings-save'> = {
      endpoint: draft.endpoint,
      poiId: draft.poiId,
      keyIdentifier: draft.keyIdentifier,
      keyVersion,
      caCertPem: draft.caCertPem,
      ...(draft.passphrase ? { passphrase: draft.passphrase } : {}),
    }
    const r = await invoke('terminal-settings-save', input)
    setBusy(false)
    if (r.ok) {
      setSaved(r.value)
      setDraft(toDraft(r.value))
      setOk(true)
      void loadPaymentsStatus()
      return
    }
    setError(r.error)
    setIssues(fieldIssues(r.error.details))
  }

  const card = status?.card
  const stateText = !saved?.configured
    ? t('terminal.notConfigured')
    : card?.available
      ? t('terminal.ready', { id: card.terminalId ?? saved.poiId })
      : card?.reason === 'recovering'
        ? t('terminal.recovering')
        : t('terminal.configured')

  return (
    <form
      className="settings-form terminal-settings"
      data-testid="terminal-settings"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <section className="card">
        <h2>{t('terminal.title')}</h2>
        <p className="help">{t('terminal.intro')}</p>
        <p>
          <span className="muted">{t('terminal.status')}: </span>
          <strong data-testid="terminal-state" data-configured={saved?.configured ? 'yes' : 'no'}>
            {stateText}
          </strong>
        </p>
        <div className="form-grid">
          <label className="field">
            <span>{t('terminal.endpoint')}</span>
            <input data-testid="terminal-endpoint" value={draft.endpoint} placeholder="https://192.168.1.20" onChange={(e) => patch({ endpoint: e.target.value })} />
            <small className="help">{t('terminal.endpointHelp')}</small>
            <Issue issues={issues} path="endpoint" />
          </label>
          <label className="field">
            <span>{t('terminal.poiId')}</span>
            <input data-testid="terminal-poiId" value={draft.poiId} placeholder="V400m-123456789" onChange={(e) => patch({ poiId: e.target.value })} />
            <small className="help">{t('terminal.poiIdHelp')}</small>
            <Issue issues={issues} path="poiId" />
          </label>
          <label className="field">
            <span>{t('terminal.keyIdentifier')}</span>
            <input data-testid="terminal-keyIdentifier" value={draft.keyIdentifier} onChange={(e) => patch({ keyIdentifier: e.target.value })} />
            <Issue issues={issues} path="keyIdentifier" />
          </label>
          <label className="field">
            <span>{t('terminal.keyVersion')}</span>
            <input data-testid="terminal-keyVersion" inputMode="numeric" value={draft.keyVersion} onChange={(e) => patch({ keyVersion: e.target.value.replace(/\D/g, '') })} />
            <Issue issues={issues} path="keyVersion" />
          </label>
          <label className="field">
            <span>{t('terminal.passphrase')}</span>
            <input
              data-testid="terminal-passphrase"
              type="password"
              autoComplete="new-password"
              value={draft.passphrase}
              placeholder={saved?.hasPassphrase ? t('terminal.passphraseKeep') : ''}
              onChange={(e) => patch({ passphrase: e.target.value })}
            />
            <small className="help">{t('terminal.passphraseHelp')}</small>
            <Issue issues={issues} path="passphrase" />
          </label>
        </div>
        <label className="field">
          <span>{t('terminal.caCert')}</span>
          <textarea
            data-testid="terminal-caCert"
            className="mono pem"
            rows={6}
            spellCheck={false}
            value={draft.caCertPem}
            placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
            onChange={(e) => patch({ caCertPem: e.target.value })}
          />
          <small className="help">{t('terminal.caCertHelp')}</small>
          <Issue issues={issues} path="caCertPem" />
        </label>
      </section>
      <div className="save-bar">
        {error ? <ErrorNote error={error} testId="terminal-save-error" /> : null}
        {ok ? (
          <span className="ok-note" data-testid="terminal-saved">
            ✔ {t('terminal.saved')}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="submit" className="btn primary" data-testid="terminal-save" disabled={busy}>
          {busy ? t('terminal.saving') : t('terminal.save')}
        </button>
      </div>
    </form>
  )
}

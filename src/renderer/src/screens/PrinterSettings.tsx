import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
import { CODE_PAGES, PAPER_WIDTHS, type PrinterSettings, type PrintJob } from '../../../shared/printing-contract'
import { invoke } from '../api'
import { ErrorNote } from '../components/ErrorNote'
import { PrintStatus } from '../components/PrintStatus'
import { fieldIssues, type FieldIssue } from '../lib/errors'
import { jobFailureText, printErrorText } from '../lib/printing'
import { usePrinting, wirePrinting } from '../store/printing'

/** The form as typed: the port stays text until it is saved. */
export type PrinterDraft = Omit<PrinterSettings, 'host' | 'port'> & { host: string; port: string }

export function toPrinterDraft(s: PrinterSettings): PrinterDraft {
  return { ...s, host: s.host ?? '', port: String(s.port) }
}

/** What the form sends, or the local problems that keep it from being sent (by field). */
export function fromPrinterDraft(d: PrinterDraft): { value: PrinterSettings | null; problems: Record<string, 'invalidPort' | 'hostRequired'> } {
  const problems: Record<string, 'invalidPort' | 'hostRequired'> = {}
  const portText = d.port.trim()
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 1 && port <= 65_535)) problems.port = 'invalidPort'
  const host = d.host.trim()
  if (d.enabled && host === '') problems.host = 'hostRequired'
  if (Object.keys(problems).length > 0) return { value: null, problems }
  return { value: { ...d, host: host === '' ? null : host, port }, problems }
}

function sameSettings(a: PrinterDraft, b: PrinterSettings | null): boolean {
  if (!b) return false
  const x = toPrinterDraft(b)
  return (Object.keys(x) as (keyof PrinterDraft)[]).every((k) => String(a[k]).trim() === String(x[k]).trim())
}

function Issue({ issues, path }: { issues: FieldIssue[]; path: string }) {
  const mine = issues.filter((i) => i.path === path)
  if (mine.length === 0) return null
  return (
    <span className="field-error" role="alert" data-testid={`printer-error-${path}`}>
      {mine.map((i) => i.message).join(' · ')}
    </span>
  )
}

/**
 * Settings → Printer (owner): this till's receipt printer on the network and the drawer wired to
 * it — address, port, paper width, character set, the receipt's language, the drawer's pin, when
 * the drawer opens and whether receipts print by themselves; a test page and a drawer test.
 */
export function PrinterSettingsForm() {
  const { t } = useTranslation()
  const loadPrinter = usePrinting((s) => s.loadPrinter)
  const [saved, setSaved] = useState<PrinterSettings | null>(null)
  const [draft, setDraft] = useState<PrinterDraft | null>(null)
  const [issues, setIssues] = useState<FieldIssue[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [ok, setOk] = useState(false)
  const [busy, setBusy] = useState<null | 'save' | 'test' | 'drawer'>(null)
  const [test, setTest] = useState<{ what: 'test' | 'drawer'; job: PrintJob | null; error: ErrorData | null } | null>(null)

  useEffect(() => {
    let live = true
    wirePrinting()
    void invoke('printer-settings-get', {}).then((r) => {
      if (!live) return
      if (r.ok) {
        setSaved(r.value)
        setDraft(toPrinterDraft(r.value))
      } else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [])

  if (!draft) return error ? <ErrorNote error={error} testId="printer-load-error" /> : <p className="muted">{t('common.loading')}</p>

  const local = fromPrinterDraft(draft)
  const dirty = !sameSettings(draft, saved)
  const patch = (p: Partial<PrinterDraft>) => {
    setDraft({ ...draft, ...p })
    setOk(false)
  }

  const save = async () => {
    if (!local.value || busy) return
    setBusy('save')
    setError(null)
    setIssues([])
    setOk(false)
    const r = await invoke('printer-settings-save', local.value)
    setBusy(null)
    if (r.ok) {
      setSaved(r.value)
      setDraft(toPrinterDraft(r.value))
      setOk(true)
      void loadPrinter()
      return
    }
    setError(r.error)
    setIssues(fieldIssues(r.error.details))
  }

  const runTest = async (what: 'test' | 'drawer') => {
    if (busy) return
    setBusy(what)
    setTest(null)
    const r = await invoke('printer-test', what === 'drawer' ? { drawer: true } : {})
    setBusy(null)
    setTest(r.ok ? { what, job: r.value, error: null } : { what, job: null, error: r.error })
    if (r.ok) usePrinting.getState().noteJob(r.value)
  }

  const localIssue = (path: 'host' | 'port') =>
    local.problems[path] ? (
      <span className="field-error" role="alert" data-testid={`printer-local-${path}`}>
        {t(`printer.${local.problems[path]}`)}
      </span>
    ) : null

  return (
    <form
      className="settings-form printer-settings"
      data-testid="printer-settings"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <section className="card">
        <h2>{t('printer.title')}</h2>
        <p className="help">{t('printer.intro')}</p>
        <p>
          <span className="muted">{t('printer.status')}: </span>
          <strong data-testid="printer-state" data-enabled={saved?.enabled ? 'yes' : 'no'}>
            {saved?.enabled && saved.host ? t('printer.statusOn', { host: saved.host, port: saved.port }) : t('printer.statusOff')}
          </strong>
        </p>
        <div className="field">
          <label className="check">
            <input type="checkbox" data-testid="printer-enabled" checked={draft.enabled} onChange={(e) => patch({ enabled: e.target.checked })} />
            <strong>{t('printer.enabled')}</strong>
          </label>
          <small className="help">{t('printer.enabledHelp')}</small>
          <Issue issues={issues} path="enabled" />
        </div>
        <div className="form-grid">
          <label className="field">
            <span>{t('printer.host')}</span>
            <input
              data-testid="printer-host"
              value={draft.host}
              placeholder="192.168.1.50"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={local.problems.host !== undefined || issues.some((i) => i.path === 'host')}
              onChange={(e) => patch({ host: e.target.value })}
            />
            {localIssue('host') ?? <small className="help">{t('printer.hostHelp')}</small>}
            <Issue issues={issues} path="host" />
          </label>
          <label className="field">
            <span>{t('printer.port')}</span>
            <input
              data-testid="printer-port"
              inputMode="numeric"
              value={draft.port}
              aria-invalid={local.problems.port !== undefined}
              onChange={(e) => patch({ port: e.target.value.replace(/[^\d]/g, '').slice(0, 5) })}
            />
            {localIssue('port') ?? <small className="help">{t('printer.portHelp')}</small>}
            <Issue issues={issues} path="port" />
          </label>
          <div className="field">
            <span className="field-label">{t('printer.paperWidth')}</span>
            <div className="segmented" role="radiogroup" aria-label={t('printer.paperWidth')}>
              {PAPER_WIDTHS.map((w) => (
                <button
                  key={w}
                  type="button"
                  role="radio"
                  aria-checked={draft.paperWidth === w}
                  className={draft.paperWidth === w ? 'seg active' : 'seg'}
                  data-testid={`printer-paper-${w}`}
                  onClick={() => patch({ paperWidth: w })}
                >
                  <span>{t(`printer.paper_${w}`)}</span>
                  <span className="seg-sub">{t(`printer.paperChars_${w}`)}</span>
                </button>
              ))}
            </div>
            <Issue issues={issues} path="paperWidth" />
          </div>
          <label className="field">
            <span>{t('printer.codePage')}</span>
            <select data-testid="printer-codePage" value={draft.codePage} onChange={(e) => patch({ codePage: e.target.value as PrinterDraft['codePage'] })}>
              {CODE_PAGES.map((c) => (
                <option key={c} value={c}>
                  {t(`printer.codePage_${c}`)}
                </option>
              ))}
            </select>
            <small className="help">{t('printer.codePageHelp')}</small>
            <Issue issues={issues} path="codePage" />
          </label>
          <div className="field">
            <span className="field-label">{t('printer.language')}</span>
            <div className="segmented" role="radiogroup" aria-label={t('printer.language')}>
              {(['zh', 'en'] as const).map((l) => (
                <button
                  key={l}
                  type="button"
                  role="radio"
                  aria-checked={draft.language === l}
                  className={draft.language === l ? 'seg active' : 'seg'}
                  data-testid={`printer-language-${l}`}
                  onClick={() => patch({ language: l })}
                >
                  {t(`printer.language_${l}`)}
                </button>
              ))}
            </div>
            {draft.language === 'zh' && draft.codePage !== 'gb18030' ? <small className="field-error">{t('printer.codePageHelp')}</small> : null}
            <Issue issues={issues} path="language" />
          </div>
        </div>
        <div className="field printer-auto">
          <label className="check">
            <input type="checkbox" data-testid="printer-autoPrint" checked={draft.autoPrint} onChange={(e) => patch({ autoPrint: e.target.checked })} />
            {t('printer.autoPrint')}
          </label>
          <small className="help">{t('printer.autoPrintHelp')}</small>
        </div>
      </section>
      <section className="card">
        <h2>{t('printer.drawer')}</h2>
        <div className="form-grid">
          <div className="field">
            <label className="check">
              <input type="checkbox" data-testid="printer-drawerEnabled" checked={draft.drawerEnabled} onChange={(e) => patch({ drawerEnabled: e.target.checked })} />
              {t('printer.drawerEnabled')}
            </label>
            <Issue issues={issues} path="drawerEnabled" />
          </div>
          <label className="field">
            <span>{t('printer.drawerPin')}</span>
            <select data-testid="printer-drawerPin" value={draft.drawerPin} onChange={(e) => patch({ drawerPin: e.target.value === '5' ? 5 : 2 })}>
              {([2, 5] as const).map((p) => (
                <option key={p} value={p}>
                  {t(`printer.drawerPin_${p}`)}
                </option>
              ))}
            </select>
            <Issue issues={issues} path="drawerPin" />
          </label>
        </div>
      </section>
      <section className="card printer-tests">
        <div className="row-actions left">
          <button type="button" className="btn secondary" data-testid="printer-test" disabled={busy !== null || dirty || !saved?.enabled} onClick={() => void runTest('test')}>
            {busy === 'test' ? t('printer.testing') : t('printer.test')}
          </button>
          <button type="button" className="btn secondary" data-testid="printer-test-drawer" disabled={busy !== null || dirty || !saved?.enabled || !saved.drawerEnabled} onClick={() => void runTest('drawer')}>
            {busy === 'drawer' ? t('printer.testing') : t('printer.testDrawer')}
          </button>
          {dirty ? <small className="muted">{t('printer.saveFirst')}</small> : null}
          {test ? (
            test.job && test.job.state === 'done' ? (
              <span className="ok-note" data-testid="printer-test-ok" role="status">
                ✔ {test.what === 'drawer' ? t('printer.drawerOk') : t('printer.testOk')}
              </span>
            ) : test.job ? (
              <span className="field-error" data-testid="printer-test-failed" role="alert" data-failure={test.job.failure?.code ?? ''}>
                {jobFailureText(t, test.job)}
              </span>
            ) : test.error ? (
              <span className="field-error" data-testid="printer-test-error" role="alert" data-code={test.error.code}>
                {printErrorText(t, test.error)}
              </span>
            ) : null
          ) : null}
        </div>
        <PrintStatus testId="printer-jobs" />
      </section>
      <div className="save-bar">
        {error ? <ErrorNote error={error} testId="printer-save-error" /> : null}
        {ok ? (
          <span className="ok-note" data-testid="printer-saved">
            ✔ {t('printer.saved')}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="submit" className="btn primary" data-testid="printer-save" disabled={busy !== null || local.value === null}>
          {busy === 'save' ? t('printer.saving') : t('printer.save')}
        </button>
      </div>
    </form>
  )
}

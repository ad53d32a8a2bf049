import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { RoleSchema, type Role, type Staff } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { CURRENCIES, minorToDecimalString, parseMajor, ROUNDING_MODES, type RoundingMode } from '../../../shared/money'
import { ErrorNote } from '../components/ErrorNote'
import { fieldIssues, type FieldIssue } from '../lib/errors'
import { isCurrency, taxLabel } from '../lib/format'
import { useApp } from '../store'
import type { SettingsInput } from '../store/settings'
import type { SettingsTab } from '../store/ui'
import { PlatformSettings } from './PlatformSettings'
import { TerminalSettingsForm } from './TerminalSettings'
import { UpdateSettingsPanel } from './UpdateSettings'
import { PrinterSettingsForm } from './PrinterSettings'

const PRESETS: { key: 'none' | '005' | 'jiao' | 'yuan'; increment: number; mode: RoundingMode }[] = [
  { key: 'none', increment: 1, mode: 'half_up' },
  { key: '005', increment: 5, mode: 'half_up' },
  { key: 'jiao', increment: 10, mode: 'down' },
  { key: 'yuan', increment: 100, mode: 'down' },
]

const MONEY_FIELDS = ['refundApprovalLimit', 'cashMovementApprovalLimit', 'overShortThreshold'] as const
type MoneyField = (typeof MONEY_FIELDS)[number]
/** The contract's defaults, shown until the owner saves a figure. */
const MONEY_DEFAULTS: Record<MoneyField, number> = { refundApprovalLimit: 10_000, cashMovementApprovalLimit: 20_000, overShortThreshold: 100 }

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Europe/London', 'America/New_York']
  }
}

function FieldErr({ issues, path }: { issues: FieldIssue[]; path: string }) {
  const mine = issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`))
  if (mine.length === 0) return null
  return (
    <span className="field-error" role="alert" data-testid={`field-error-${path}`}>
      {mine.map((i) => i.message).join(' · ')}
    </span>
  )
}

function StoreSettings() {
  const { t } = useTranslation()
  const settings = useApp((s) => s.settings)
  const saveSettings = useApp((s) => s.saveSettings)
  const loadSettings = useApp((s) => s.loadSettings)
  const [draft, setDraft] = useState<SettingsInput | null>(settings)
  const [issues, setIssues] = useState<FieldIssue[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  const [zones] = useState(timeZones)
  /** Money fields as typed (refund limit, cash movement limit, over/short threshold); absent shows the saved figure. */
  const [moneyText, setMoneyText] = useState<Partial<Record<MoneyField, string>>>({})

  useEffect(() => {
    void loadSettings()
  }, [loadSettings])
  useEffect(() => {
    setDraft(settings)
    setMoneyText({})
  }, [settings])

  if (!draft) return <p className="muted">{t('common.loading')}</p>

  const patch = (p: Partial<SettingsInput>) => {
    setDraft({ ...draft, ...p })
    setSaved(false)
  }
  const preset = PRESETS.find((p) => p.increment === draft.cashRounding.increment && (p.increment === 1 || p.mode === draft.cashRounding.mode))

  const moneyInvalid = (field: MoneyField): boolean => {
    const text = moneyText[field]
    return text !== undefined && (!isCurrency(draft.currency) || parseMajor(text, draft.currency) === null || (parseMajor(text, draft.currency) ?? 0) < 0)
  }
  const limitInvalid = MONEY_FIELDS.some(moneyInvalid)
  const moneyField = (field: MoneyField, testId: string, label: string, help: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        data-testid={testId}
        inputMode="decimal"
        value={moneyText[field] ?? (isCurrency(draft.currency) ? minorToDecimalString(draft[field] ?? MONEY_DEFAULTS[field], draft.currency) : '')}
        onChange={(e) => {
          setMoneyText({ ...moneyText, [field]: e.target.value })
          const v = isCurrency(draft.currency) ? parseMajor(e.target.value, draft.currency) : null
          if (v !== null && v >= 0) patch({ [field]: v })
        }}
        aria-invalid={moneyInvalid(field)}
      />
      {moneyInvalid(field) ? <span className="field-error">{t('pay.invalidAmount')}</span> : <small className="help">{help}</small>}
      <FieldErr issues={issues} path={field} />
    </label>
  )

  const save = async () => {
    if (limitInvalid) return
    setBusy(true)
    setError(null)
    setIssues([])
    setSaved(false)
    const r = await saveSettings(draft)
    setBusy(false)
    if (r.ok) {
      setSaved(true)
      return
    }
    setError(r.error)
    setIssues(fieldIssues(r.error.details))
    // bring the first marked field into view (the save bar sits over the bottom of the form)
    requestAnimationFrame(() => document.querySelector('.settings-form [data-testid^="field-error-"]')?.scrollIntoView({ block: 'center' }))
  }

  return (
    <form
      className="settings-form"
      data-testid="settings-form"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <section className="card">
        <h2>{t('settings.store')}</h2>
        <div className="form-grid">
          <label className="field">
            <span>{t('settings.storeName')}</span>
            <input data-testid="set-storeName" value={draft.storeName} maxLength={80} onChange={(e) => patch({ storeName: e.target.value })} />
            <FieldErr issues={issues} path="storeName" />
          </label>
          <label className="field">
            <span>{t('settings.currency')}</span>
            <select value={draft.currency} onChange={(e) => patch({ currency: e.target.value })}>
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <FieldErr issues={issues} path="currency" />
          </label>
          <label className="field">
            <span>{t('settings.timeZone')}</span>
            <input list="tz-list" value={draft.timeZone} onChange={(e) => patch({ timeZone: e.target.value })} />
            <datalist id="tz-list">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            <FieldErr issues={issues} path="timeZone" />
          </label>
          <label className="field">
            <span>{t('settings.cutoff')}</span>
            <select value={draft.businessDayCutoffHour} onChange={(e) => patch({ businessDayCutoffHour: Number(e.target.value) })}>
              {Array.from({ length: 24 }, (_, h) => (
                <option key={h} value={h}>
                  {String(h).padStart(2, '0')}:00
                </option>
              ))}
            </select>
            <small className="help">{t('settings.cutoffHelp')}</small>
            <FieldErr issues={issues} path="businessDayCutoffHour" />
          </label>
        </div>
      </section>

      <section className="card">
        <h2>{t('settings.pricing')}</h2>
        <div className="form-grid">
          <fieldset className="field">
            <legend>{t('settings.priceMode')}</legend>
            {(['inclusive', 'exclusive'] as const).map((m) => (
              <label key={m} className="radio">
                <input type="radio" name="priceMode" checked={draft.priceMode === m} onChange={() => patch({ priceMode: m })} />
                {t(`settings.${m}`)}
              </label>
            ))}
          </fieldset>
          <fieldset className="field">
            <legend>{t('settings.taxRounding')}</legend>
            {(['line', 'document'] as const).map((m) => (
              <label key={m} className="radio">
                <input type="radio" name="taxRounding" checked={draft.taxRounding === m} onChange={() => patch({ taxRounding: m })} />
                {m === 'line' ? t('settings.perLine') : t('settings.perDocument')}
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>{t('settings.roundingMode')}</span>
            <select value={draft.roundingMode} onChange={(e) => patch({ roundingMode: e.target.value as RoundingMode })}>
              {ROUNDING_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`settings.mode_${m}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('settings.discountLimit')}</span>
            <input
              data-testid="set-discountLimit"
              inputMode="decimal"
              value={draft.discountLimitPercent}
              onChange={(e) => patch({ discountLimitPercent: e.target.value })}
            />
            <small className="help">{t('settings.discountLimitHelp')}</small>
            <FieldErr issues={issues} path="discountLimitPercent" />
          </label>
        </div>
      </section>

      <section className="card">
        <h2>{t('settings.cashRounding')}</h2>
        <p className="help">{t('settings.cashRoundingHelp')}</p>
        <div className="segmented wrap">
          {PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className={preset?.key === p.key ? 'seg active' : 'seg'}
              onClick={() => patch({ cashRounding: { increment: p.increment, mode: p.mode } })}
            >
              {t(`settings.preset_${p.key}`)}
            </button>
          ))}
          <span className={preset ? 'seg static' : 'seg static active'}>{t('settings.preset_custom')}</span>
        </div>
        <div className="form-grid">
          <label className="field">
            <span>{t('settings.increment')}</span>
            <input
              type="number"
              min={1}
              max={100000}
              step={1}
              value={draft.cashRounding.increment}
              onChange={(e) => patch({ cashRounding: { ...draft.cashRounding, increment: Math.trunc(Number(e.target.value)) } })}
            />
            <FieldErr issues={issues} path="cashRounding" />
          </label>
          <label className="field">
            <span>{t('settings.mode')}</span>
            <select
              value={draft.cashRounding.mode}
              onChange={(e) => patch({ cashRounding: { ...draft.cashRounding, mode: e.target.value as RoundingMode } })}
            >
              {ROUNDING_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`settings.mode_${m}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </section>

      <section className="card">
        <h2>{t('settings.taxes')}</h2>
        <table className="edit-table">
          <thead>
            <tr>
              <th>{t('settings.taxName')}</th>
              <th>{t('settings.taxRate')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {draft.taxes.map((tax, i) => (
              <tr key={tax.id}>
                <td>
                  <input
                    value={tax.name}
                    maxLength={40}
                    onChange={(e) => patch({ taxes: draft.taxes.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
                  />
                  <FieldErr issues={issues} path={`taxes.${i}.name`} />
                </td>
                <td>
                  <input
                    inputMode="decimal"
                    value={tax.rate}
                    onChange={(e) => patch({ taxes: draft.taxes.map((x, j) => (j === i ? { ...x, rate: e.target.value } : x)) })}
                  />
                  <FieldErr issues={issues} path={`taxes.${i}.rate`} />
                </td>
                <td>
                  {!settings?.taxes.some((s) => s.id === tax.id) ? (
                    <button type="button" className="btn ghost small" onClick={() => patch({ taxes: draft.taxes.filter((_, j) => j !== i) })}>
                      {t('settings.removeRow')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FieldErr issues={issues} path="taxes" />
        <button type="button" className="btn secondary small" onClick={() => patch({ taxes: [...draft.taxes, { id: newId(), name: '', rate: '' }] })}>
          + {t('settings.addTax')}
        </button>

        <h2 className="section-gap">{t('settings.taxClasses')}</h2>
        <table className="edit-table">
          <thead>
            <tr>
              <th>{t('settings.className')}</th>
              <th>{t('settings.classTaxes')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {draft.taxClasses.map((cls, i) => (
              <tr key={cls.id}>
                <td>
                  <input
                    value={cls.name}
                    maxLength={40}
                    onChange={(e) => patch({ taxClasses: draft.taxClasses.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
                  />
                  <small className="muted mono">{cls.id}</small>
                  <FieldErr issues={issues} path={`taxClasses.${i}.name`} />
                </td>
                <td>
                  <div className="checks">
                    {draft.taxes.map((tax) => (
                      <label key={tax.id} className="check">
                        <input
                          type="checkbox"
                          checked={cls.taxIds.includes(tax.id)}
                          onChange={(e) =>
                            patch({
                              taxClasses: draft.taxClasses.map((x, j) =>
                                j === i
                                  ? { ...x, taxIds: e.target.checked ? [...x.taxIds, tax.id] : x.taxIds.filter((id) => id !== tax.id) }
                                  : x,
                              ),
                            })
                          }
                        />
                        {tax.name ? taxLabel(tax.name, tax.rate) : '…'}
                      </label>
                    ))}
                  </div>
                  <FieldErr issues={issues} path={`taxClasses.${i}.taxIds`} />
                </td>
                <td>
                  {!settings?.taxClasses.some((s) => s.id === cls.id) ? (
                    <button
                      type="button"
                      className="btn ghost small"
                      onClick={() => patch({ taxClasses: draft.taxClasses.filter((_, j) => j !== i) })}
                    >
                      {t('settings.removeRow')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          type="button"
          className="btn secondary small"
          onClick={() => patch({ taxClasses: [...draft.taxClasses, { id: newId(), name: '', taxIds: [] }] })}
        >
          + {t('settings.addClass')}
        </button>
      </section>

      <section className="card">
        <h2>{t('settings.payments')}</h2>
        <div className="form-grid">
          {moneyField('refundApprovalLimit', 'set-refundLimit', t('settings.refundLimit'), t('settings.refundLimitHelp'))}
          <label className="field">
            <span>{t('settings.qrTimeout')}</span>
            <input
              data-testid="set-qrTimeout"
              type="number"
              min={5}
              max={900}
              step={1}
              value={draft.qrTimeoutSeconds ?? 120}
              onChange={(e) => patch({ qrTimeoutSeconds: Math.trunc(Number(e.target.value)) })}
            />
            <small className="help">{t('settings.qrTimeoutHelp')}</small>
            <FieldErr issues={issues} path="qrTimeoutSeconds" />
          </label>
        </div>
      </section>

      <section className="card" data-testid="settings-cash">
        <h2>{t('settings.cashControl')}</h2>
        <div className="form-grid">
          {moneyField('cashMovementApprovalLimit', 'set-cashMovementLimit', t('settings.cashMovementLimit'), t('settings.cashMovementLimitHelp'))}
          {moneyField('overShortThreshold', 'set-overShortThreshold', t('settings.overShortThreshold'), t('settings.overShortThresholdHelp'))}
          <div className="field">
            <label className="check">
              <input type="checkbox" data-testid="set-blindCount" checked={draft.blindCount ?? false} onChange={(e) => patch({ blindCount: e.target.checked })} />
              {t('settings.blindCount')}
            </label>
            <small className="help">{t('settings.blindCountHelp')}</small>
            <FieldErr issues={issues} path="blindCount" />
          </div>
        </div>
      </section>

      <section className="card">
        <h2>{t('settings.footer')}</h2>
        <label className="field">
          <textarea rows={2} maxLength={200} value={draft.receiptFooter} onChange={(e) => patch({ receiptFooter: e.target.value })} />
          <FieldErr issues={issues} path="receiptFooter" />
        </label>
      </section>

      <div className="save-bar">
        {error ? <ErrorNote error={error} testId="settings-error" /> : null}
        {issues.length > 0 ? <span className="field-error">{t('settings.fixErrors')}</span> : null}
        {saved ? (
          <span className="ok-note" data-testid="settings-saved">
            ✔ {t('settings.saved')}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" className="btn secondary" disabled={busy} onClick={() => {
          setDraft(settings)
          setMoneyText({})
        }}>
          {t('settings.revert')}
        </button>
        <button type="submit" className="btn primary" data-testid="settings-save" disabled={busy}>
          {busy ? t('settings.saving') : t('settings.save')}
        </button>
      </div>
    </form>
  )
}

interface StaffDraft {
  id?: string
  name: string
  role: Role
  pin: string
  active: boolean
}

function StaffSettings() {
  const { t } = useTranslation()
  const staffList = useApp((s) => s.staffList)
  const saveStaff = useApp((s) => s.saveStaff)
  const [editing, setEditing] = useState<StaffDraft | null>(null)
  const [issues, setIssues] = useState<FieldIssue[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const edit = (s: Staff | null) => {
    setEditing(s ? { id: s.id, name: s.name, role: s.role, pin: '', active: s.active } : { name: '', role: 'cashier', pin: '', active: true })
    setIssues([])
    setError(null)
    setNote(null)
  }

  const save = async () => {
    if (!editing) return
    if (!editing.id && !/^\d{4,8}$/.test(editing.pin)) {
      setIssues([{ path: 'pin', message: t('settings.pinRequired') }])
      return
    }
    setBusy(true)
    setError(null)
    setIssues([])
    const base = { name: editing.name.trim(), role: editing.role, active: editing.active }
    const withId = editing.id ? { ...base, id: editing.id } : base
    const r = await saveStaff(editing.pin ? { ...withId, pin: editing.pin } : withId)
    setBusy(false)
    if (!r.ok) {
      setError(r.error)
      setIssues(fieldIssues(r.error.details))
      return
    }
    setNote(t('settings.staffSaved', { name: r.value.name }))
    setEditing(null)
  }

  return (
    <section className="card">
      <h2>{t('settings.staff')}</h2>
      <table className="edit-table staff-table">
        <thead>
          <tr>
            <th>{t('settings.staffName')}</th>
            <th>{t('settings.role')}</th>
            <th>{t('settings.active')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {staffList.map((s) => (
            <tr key={s.id} data-testid={`staff-row-${s.id}`}>
              <td>{s.name}</td>
              <td>{t(`roles.${s.role}`)}</td>
              <td>{s.active ? t('settings.active') : t('settings.inactive')}</td>
              <td>
                <button type="button" className="btn ghost small" onClick={() => edit(s)}>
                  {t('settings.editStaff')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {note ? <p className="ok-note">✔ {note}</p> : null}
      {editing ? (
        <form
          className="staff-form"
          data-testid="staff-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
          <div className="form-grid">
            <label className="field">
              <span>{t('settings.staffName')}</span>
              <input value={editing.name} maxLength={60} onChange={(e) => setEditing({ ...editing, name: e.target.value })} />
              <FieldErr issues={issues} path="name" />
            </label>
            <label className="field">
              <span>{t('settings.role')}</span>
              <select value={editing.role} onChange={(e) => setEditing({ ...editing, role: RoleSchema.parse(e.target.value) })}>
                {RoleSchema.options.map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('settings.newPin')}</span>
              <input
                type="password"
                inputMode="numeric"
                autoComplete="new-password"
                maxLength={8}
                placeholder={editing.id ? t('settings.pinKeep') : ''}
                value={editing.pin}
                onChange={(e) => setEditing({ ...editing, pin: e.target.value.replace(/\D/g, '') })}
              />
              <FieldErr issues={issues} path="pin" />
            </label>
            <label className="field check-field">
              <span>{t('settings.active')}</span>
              <input type="checkbox" checked={editing.active} onChange={(e) => setEditing({ ...editing, active: e.target.checked })} />
            </label>
          </div>
          {error ? <ErrorNote error={error} /> : null}
          <div className="row-actions">
            <button type="button" className="btn secondary" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn primary" disabled={busy}>
              {t('settings.saveStaff')}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="btn secondary" data-testid="add-staff" onClick={() => edit(null)}>
          + {t('settings.addStaff')}
        </button>
      )}
    </section>
  )
}

export function SettingsScreen() {
  const { t } = useTranslation()
  const session = useApp((s) => s.session)
  const appInfo = useApp((s) => s.appInfo)
  const tab = useApp((s) => s.settingsTab)
  const openSettings = useApp((s) => s.openSettings)
  if (session?.staff.role !== 'owner') {
    return (
      <div className="settings-screen">
        <p className="field-error">{t('settings.ownerOnly')}</p>
      </div>
    )
  }
  const tabs: { id: SettingsTab; label: string }[] = [
    { id: 'store', label: t('platform.storeTab') },
    { id: 'platform', label: t('platform.tab') },
    { id: 'terminal', label: t('platform.terminalTab') },
    { id: 'printer', label: t('printer.tab') },
  ]
  return (
    <div className="settings-screen" data-testid="settings">
      <div className="settings-head">
        <div className="settings-title">
          <h1>{t('settings.title')}</h1>
          <div className="segmented settings-tabs" role="tablist">
            {tabs.map((x) => (
              <button
                key={x.id}
                type="button"
                role="tab"
                aria-selected={tab === x.id}
                className={tab === x.id ? 'seg active' : 'seg'}
                data-testid={`settings-tab-${x.id}`}
                onClick={() => openSettings(x.id)}
              >
                {x.label}
              </button>
            ))}
          </div>
        </div>
        {tab === 'store' ? (
          <p className="banner-info" data-testid="new-sales-only">
            ℹ {t('settings.newSalesOnly')}
          </p>
        ) : null}
      </div>
      {tab === 'platform' ? (
        <PlatformSettings />
      ) : tab === 'terminal' ? (
        <TerminalSettingsForm />
      ) : tab === 'printer' ? (
        <PrinterSettingsForm />
      ) : (
        <>
          <StoreSettings />
          <StaffSettings />
          <UpdateSettingsPanel />
          {appInfo ? (
            <section className="card about">
              <h2>{t('settings.app')}</h2>
              <p className="muted">
                {t('settings.version', { version: appInfo.version })} · {t('settings.device', { code: appInfo.deviceCode, id: appInfo.deviceId })}
              </p>
            </section>
          ) : null}
        </>
      )}
    </div>
  )
}

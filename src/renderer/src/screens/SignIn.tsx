import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
import { ErrorNote } from '../components/ErrorNote'
import { PinPad } from '../components/PinPad'
import { StaffTile } from '../components/StaffTile'
import { LanguageSwitch } from '../components/TopBar'
import { useApp } from '../store'

export function SignIn() {
  const { t } = useTranslation()
  const appInfo = useApp((s) => s.appInfo)
  const staffList = useApp((s) => s.staffList)
  const lockedStaffId = useApp((s) => s.lockedStaffId)
  const signIn = useApp((s) => s.signIn)
  const [chosen, setChosen] = useState<string | null>(lockedStaffId)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)

  const active = staffList.filter((s) => s.active)
  const person = staffList.find((s) => s.id === chosen) ?? null

  const submit = async (pin: string) => {
    if (!person) return
    setBusy(true)
    setError(null)
    const err = await signIn(person.id, pin)
    setBusy(false)
    if (err) setError(err)
  }

  return (
    <div className="signin" data-testid="signin">
      <header className="signin-head">
        <div className="brand">
          <strong className="store-name">{appInfo?.storeName ?? t('app.name')}</strong>
          {appInfo ? <span className="till">{t('topbar.till', { code: appInfo.deviceCode })}</span> : null}
        </div>
        <LanguageSwitch />
      </header>
      {person ? (
        <section className="signin-pin card">
          {lockedStaffId === person.id ? <p className="locked-note">{t('signin.locked', { name: person.name })}</p> : null}
          <div className="who">
            <span className="avatar big" aria-hidden="true">
              {person.name.slice(0, 1)}
            </span>
            <div>
              <div className="who-name">{person.name}</div>
              <small>{t(`roles.${person.role}`)}</small>
            </div>
            <button
              type="button"
              className="btn secondary"
              data-testid="signin-back"
              onClick={() => {
                setChosen(null)
                setError(null)
              }}
            >
              ← {t('signin.back')}
            </button>
          </div>
          <PinPad
            label={t('signin.pinFor', { name: person.name })}
            busy={busy}
            onSubmit={(pin) => void submit(pin)}
            error={error ? <ErrorNote error={error} testId="signin-error" /> : null}
          />
        </section>
      ) : (
        <section className="signin-tiles">
          <h1>{t('signin.title')}</h1>
          <p className="muted">{t('signin.subtitle')}</p>
          {active.length === 0 ? <p>{t('signin.noStaff')}</p> : null}
          <div className="staff-tiles">
            {active.map((s) => (
              <StaffTile
                key={s.id}
                staff={s}
                size="big"
                testId={`staff-tile-${s.id}`}
                onPick={() => {
                  setChosen(s.id)
                  setError(null)
                }}
              />
            ))}
          </div>
        </section>
      )}
    </div>
  )
}

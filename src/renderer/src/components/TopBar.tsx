import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { setLanguage, type Language } from '../i18n'
import { useFormat } from '../lib/format'
import { useApp } from '../store'
import type { Screen } from '../store/ui'
import { SyncIndicator } from './SyncIndicator'
import '../screens/review/review-nav.css'

function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}

export function LanguageSwitch() {
  const { t, i18n } = useTranslation()
  const langs: { code: Language; label: string }[] = [
    { code: 'zh-CN', label: t('lang.zh') },
    { code: 'en', label: t('lang.en') },
  ]
  return (
    <div className="lang-switch" role="group" aria-label={t('lang.label')}>
      {langs.map((l) => (
        <button
          key={l.code}
          type="button"
          className={i18n.language === l.code ? 'seg active' : 'seg'}
          aria-pressed={i18n.language === l.code}
          data-testid={`lang-${l.code}`}
          onClick={() => setLanguage(l.code)}
        >
          {l.label}
        </button>
      ))}
    </div>
  )
}

export function TopBar() {
  const { t } = useTranslation()
  const f = useFormat()
  const now = useNow(1000)
  const appInfo = useApp((s) => s.appInfo)
  const session = useApp((s) => s.session)
  const screen = useApp((s) => s.screen)
  const receiptFrom = useApp((s) => s.receipt?.from)
  const go = useApp((s) => s.go)
  const signOut = useApp((s) => s.signOut)
  const loadAppInfo = useApp((s) => s.loadAppInfo)
  const loadTill = useApp((s) => s.loadTill)
  const till = useApp((s) => s.till)
  const openDay = useApp((s) => s.openDay)
  const [menuOpen, setMenuOpen] = useState(false)
  const menuRef = useRef<HTMLDivElement>(null)

  // The business day turns over at the store's cut-off hour: ask again every minute.
  useEffect(() => {
    const id = setInterval(() => {
      void loadAppInfo()
      void loadTill()
    }, 60_000)
    return () => clearInterval(id)
  }, [loadAppInfo, loadTill])

  useEffect(() => {
    if (!menuOpen) return
    const close = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setMenuOpen(false)
    }
    window.addEventListener('mousedown', close)
    return () => window.removeEventListener('mousedown', close)
  }, [menuOpen])

  const active: Screen = screen === 'receipt' ? (receiptFrom === 'orders' ? 'orders' : 'checkout') : screen
  const nav: { screen: Screen; label: string; show: boolean }[] = [
    { screen: 'checkout', label: t('topbar.checkout'), show: true },
    { screen: 'orders', label: t('topbar.orders'), show: true },
    { screen: 'day', label: t('topbar.day'), show: session !== null },
    { screen: 'reconcile', label: t('reconcile.nav'), show: session?.staff.role === 'supervisor' || session?.staff.role === 'owner' },
    { screen: 'review', label: t('review.nav'), show: session?.staff.role === 'supervisor' || session?.staff.role === 'owner' },
    { screen: 'settings', label: t('topbar.settings'), show: session?.staff.role === 'owner' },
  ]

  return (
    <header className="topbar">
      <div className="brand">
        <strong className="store-name" data-testid="store-name">
          {appInfo?.storeName ?? t('app.name')}
        </strong>
        <span className="till">{appInfo ? t('topbar.till', { code: appInfo.deviceCode }) : ''}</span>
      </div>
      <nav className="nav">
        {nav
          .filter((n) => n.show)
          .map((n) => (
            <button
              key={n.screen}
              type="button"
              className={active === n.screen ? 'nav-btn active' : 'nav-btn'}
              aria-current={active === n.screen ? 'page' : undefined}
              data-testid={`nav-${n.screen}`}
              onClick={() => (n.screen === 'day' ? openDay() : go(n.screen))}
            >
              {n.label}
            </button>
          ))}
      </nav>
      <div className="status">
        {session ? <SyncIndicator /> : null}
        {session && till ? (
          <button
            type="button"
            className={`business-day day-chip status-${till.dayStatus}`}
            data-testid="business-day"
            data-day-status={till.dayStatus}
            data-shift={till.shift ? 'open' : 'none'}
            data-holder={till.shift?.holder.name ?? ''}
            title={t('topbar.dayChip', {
              date: f.businessDate(till.businessDate),
              status: t(`day.status.${till.dayStatus}`),
              shift: till.shift ? t('topbar.shiftOf', { name: till.shift.holder.name }) : t('topbar.noShift'),
            })}
            onClick={() => openDay()}
          >
            <small>
              {f.businessDate(till.businessDate)} · <span className="day-dot" aria-hidden="true" />
              {t(`topbar.dayStatus.${till.dayStatus}`)}
            </small>
            <span className="day-shift" data-testid="topbar-shift">
              {till.shift ? till.shift.holder.name : t('topbar.noShift')}
            </span>
          </button>
        ) : appInfo ? (
          <span className="business-day" title={t('topbar.businessDay')} data-testid="business-day">
            <small>{t('topbar.businessDay')}</small>
            {f.businessDate(appInfo.businessDate)}
          </span>
        ) : null}
        <time className="clock" data-testid="clock">
          {f.clock(now)}
        </time>
        <LanguageSwitch />
        {session ? (
          <div className="staff-menu" ref={menuRef}>
            <button
              type="button"
              className="staff-btn"
              data-testid="staff-button"
              aria-haspopup="menu"
              aria-expanded={menuOpen}
              title={t('topbar.staffMenu', { name: session.staff.name })}
              onClick={() => setMenuOpen((o) => !o)}
            >
              <span className="avatar" aria-hidden="true">
                {session.staff.name.slice(0, 1)}
              </span>
              <span className="staff-text">
                <span className="staff-name">{session.staff.name}</span>
                <small>{t(`roles.${session.staff.role}`)}</small>
              </span>
            </button>
            {menuOpen ? (
              <div className="menu" role="menu">
                <button
                  type="button"
                  role="menuitem"
                  data-testid="lock-button"
                  onClick={() => {
                    setMenuOpen(false)
                    void signOut('lock')
                  }}
                >
                  {t('topbar.lock')}
                </button>
                <button
                  type="button"
                  role="menuitem"
                  data-testid="signout-button"
                  onClick={() => {
                    setMenuOpen(false)
                    void signOut('switch')
                  }}
                >
                  {t('topbar.switchUser')}
                </button>
              </div>
            ) : null}
          </div>
        ) : null}
      </div>
    </header>
  )
}

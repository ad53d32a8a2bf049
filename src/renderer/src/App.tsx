import { lazy, Suspense, useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorNote } from './components/ErrorNote'
import { ConnectionBanner, NoticeBar } from './components/Notices'
import { TopBar } from './components/TopBar'
import { Checkout } from './screens/checkout/Checkout'
import { DayScreen } from './screens/day/DayScreen'
import { Orders } from './screens/Orders'
import { ReceiptScreen } from './screens/Receipt'
import { ReconcileScreen } from './screens/reconcile/ReconcileScreen'
import { SettingsScreen } from './screens/Settings'
import { SignIn } from './screens/SignIn'
import { useApp, wireStore } from './store'

/** The owner's review carries the chart library: loaded when first opened, not with the checkout. */
const ReviewScreen = lazy(() => import('./screens/review/ReviewScreen').then((m) => ({ default: m.ReviewScreen })))

export function App() {
  const { t } = useTranslation()
  const booted = useApp((s) => s.booted)
  const bootError = useApp((s) => s.bootError)
  const session = useApp((s) => s.session)
  const screen = useApp((s) => s.screen)
  const boot = useApp((s) => s.boot)

  useEffect(() => {
    wireStore()
    void boot()
  }, [boot])

  if (!booted) {
    return (
      <div className="splash" data-testid="splash">
        <div className="spinner" aria-hidden="true" />
        <p>{t('app.loading')}</p>
        <ConnectionBanner />
      </div>
    )
  }
  if (bootError) {
    return (
      <div className="splash">
        <ErrorNote error={bootError} />
        <button type="button" className="btn primary" onClick={() => void boot()}>
          {t('common.retry')}
        </button>
      </div>
    )
  }
  if (!session) {
    return (
      <>
        <SignIn />
        <ConnectionBanner />
      </>
    )
  }
  return (
    <div className="app" data-screen={screen}>
      <TopBar />
      <NoticeBar />
      <ConnectionBanner />
      <main className="main">
        {screen === 'checkout' ? <Checkout /> : null}
        {screen === 'orders' ? <Orders /> : null}
        {screen === 'settings' ? <SettingsScreen /> : null}
        {screen === 'receipt' ? <ReceiptScreen /> : null}
        {screen === 'day' ? <DayScreen /> : null}
        {screen === 'reconcile' ? <ReconcileScreen /> : null}
        {screen === 'review' ? (
          <Suspense fallback={<p className="muted splash">{t('common.loading')}</p>}>
            <ReviewScreen />
          </Suspense>
        ) : null}
      </main>
    </div>
  )
}

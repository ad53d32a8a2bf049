import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useApp } from '../store'
import { ErrorNote } from './ErrorNote'

/** The one-line notice under the top bar (scan results, errors), and the connection banner. */
export function NoticeBar() {
  const { t } = useTranslation()
  const notice = useApp((s) => s.notice)
  const clear = useApp((s) => s.clearNotice)
  useEffect(() => {
    if (!notice) return
    const id = setTimeout(clear, notice.kind === 'info' ? 2500 : 8000)
    return () => clearTimeout(id)
  }, [notice, clear])
  if (!notice) return null
  return (
    <div className={`notice notice-${notice.kind}`} data-testid="notice">
      {notice.kind === 'info' ? <span>{notice.text}</span> : <ErrorNote error={notice.error} ctx={notice.ctx} testId="notice-error" />}
      <button type="button" className="btn ghost small" onClick={clear} aria-label={t('common.close')}>
        ✕
      </button>
    </div>
  )
}

export function ConnectionBanner() {
  const { t } = useTranslation()
  const connection = useApp((s) => s.connection)
  if (connection !== 'closed') return null
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      {t('app.connectionLost')}
    </div>
  )
}

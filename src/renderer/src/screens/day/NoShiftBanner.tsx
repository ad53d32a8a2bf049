import { useTranslation } from 'react-i18next'
import { useApp } from '../../store'

/**
 * Cash needs an open shift: said plainly where cash is taken (the checkout, the pay view), with
 * the way to open one right there. Card and QR payments do not need a shift.
 */
export function NoShiftBanner({ onOpen, testId }: { onOpen: () => void; testId: string }) {
  const { t } = useTranslation()
  const till = useApp((s) => s.till)
  if (!till || till.shift) return null
  return (
    <div className="no-shift" role="status" data-testid={testId}>
      <span>
        <strong>{t('shift.noShiftTitle')}</strong> {t('shift.noShiftCash')}
      </span>
      <button type="button" className="btn primary small" data-testid={`${testId}-open`} onClick={onOpen}>
        {t('shift.openNow')}
      </button>
    </div>
  )
}

import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
import { describeError, type ErrorContext } from '../lib/errors'

/** An error as a sentence a cashier understands, with its stable code small for support. */
export function ErrorNote({ error, ctx, testId = 'error' }: { error: ErrorData; ctx?: ErrorContext; testId?: string }) {
  const { t } = useTranslation()
  return (
    <div className="error-note" role="alert" data-testid={testId} data-code={error.code}>
      <span>{describeError(t, error, ctx)}</span>
      <small className="code">{t('common.errorCode', { code: error.code })}</small>
    </div>
  )
}

import { useFormat } from '../lib/format'

/** Money as text, with the exact minor units in data-minor (for tests and support). */
export function Money({ minor, currency, testId, className }: { minor: number; currency?: string; testId?: string; className?: string }) {
  const f = useFormat()
  return (
    <span className={className ? `money ${className}` : 'money'} data-minor={minor} data-testid={testId}>
      {f.money(minor, currency)}
    </span>
  )
}

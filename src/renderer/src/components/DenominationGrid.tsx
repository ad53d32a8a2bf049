import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { exponentOf, minorToDecimalString } from '../../../shared/money'
import { AMOUNT_KEY, bumpCount, countRows, draftTotal, gridKey, rowTotal, sanitizeCount, type CountDraft, type CountRow, type GridFocus } from '../lib/count'
import { isCurrency, useFormat } from '../lib/format'
import { Money } from './Money'

/** "¥100", "¥0.50": a note or coin as it is printed on it (no decimals when it has none). */
export function denominationText(value: number, currency: string, locale: string): string {
  if (!isCurrency(currency)) return `${value} ${currency}`
  const e = exponentOf(currency)
  const whole = value % 10 ** e === 0
  const nf = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: whole ? 0 : e, maximumFractionDigits: whole ? 0 : e })
  return nf.format(minorToDecimalString(value, currency) as unknown as number)
}

/** The grid's rows: the currency's notes and coins, and the amount row when the draft holds one. */
export function gridRows(currency: string, draft: CountDraft): CountRow[] {
  const rows = countRows(currency)
  if (draft[AMOUNT_KEY] !== undefined && !rows.some((r) => r.key === AMOUNT_KEY)) rows.push({ key: AMOUNT_KEY, value: 0, kind: 'amount' })
  return rows
}

interface GridProps {
  currency: string
  draft: CountDraft
  onChange: (draft: Record<string, string>) => void
  /** Enter or ↓ on the last row: the next field (or the submit button) takes the focus. */
  onDone?: () => void
  autoFocus?: boolean
  disabled?: boolean
  testId?: string
  /** Shown for the amount row (e.g. "Left at the last close, not counted"). */
  amountLabel?: string
  totalLabel?: string
}

/**
 * The drawer count: one row per note and coin of the store's currency, the count typed or tapped
 * with − / +, the line total and the total live, in exact minor units. Keyboard-first: digits type
 * the count (the first one replaces it), ↑/↓ and Enter move between rows, Tab too (the counts are
 * the grid's only tab stops), + and − add or take one.
 */
export function DenominationGrid({ currency, draft, onChange, onDone, autoFocus = false, disabled = false, testId = 'count', amountLabel, totalLabel }: GridProps) {
  const { t } = useTranslation()
  const f = useFormat()
  const rows = gridRows(currency, draft)
  const inputs = useRef<(HTMLInputElement | null)[]>([])
  const focus = useRef<GridFocus>({ index: 0, fresh: true })
  const total = draftTotal(currency, draft, rows)
  const hasTable = rows.some((r) => r.kind !== 'amount')

  const set = (key: string, text: string) => onChange({ ...draft, [key]: text })

  // Counting starts at the first row (a dialog also does this for its [data-autofocus]).
  useEffect(() => {
    if (autoFocus) inputs.current[0]?.focus()
  }, [autoFocus])

  const onKeyDown = (i: number, e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const r = gridKey(rows, draft, { ...focus.current, index: i }, e.key)
    if (!r) return
    e.preventDefault()
    e.stopPropagation()
    if (r.kind === 'edit') {
      focus.current = r.focus
      set(r.key, r.text)
    } else if (r.kind === 'move') {
      inputs.current[r.focus.index]?.focus()
    } else onDone?.()
  }

  const rowNode = (row: CountRow, i: number) => {
    const text = draft[row.key] ?? ''
    const line = rowTotal(row, text, currency)
    const face = row.kind === 'amount' ? '' : denominationText(row.value, currency, f.locale)
    const label = row.kind === 'amount' ? (amountLabel ?? t('count.amount')) : t(row.kind === 'note' ? 'count.note' : 'count.coin', { value: face })
    // What the typed-amount field and a count field share: focus, keys, test id, state.
    const inputProps = {
      ref: (el: HTMLInputElement | null) => {
        inputs.current[i] = el
      },
      'data-testid': `${testId}-${row.key}`,
      autoComplete: 'off',
      value: text,
      disabled,
      'aria-invalid': line === null,
      'aria-label': label,
      'data-autofocus': autoFocus && i === 0 ? true : undefined,
      onFocus: (e: React.FocusEvent<HTMLInputElement>) => {
        focus.current = { index: i, fresh: true }
        e.target.select()
      },
      onKeyDown: (e: React.KeyboardEvent<HTMLInputElement>) => onKeyDown(i, e),
    }
    return (
      <div
        key={row.key}
        className={`count-row kind-${row.kind}${line === null ? ' invalid' : ''}`}
        data-testid={`${testId}-row-${row.key}`}
        data-kind={row.kind}
        data-value={row.value}
      >
        {row.kind === 'amount' ? (
          <span className="count-label">{label}</span>
        ) : (
          // the column says notes or coins; the face value is what the cashier looks for
          <span className="count-label" title={label}>
            <span aria-hidden="true">{face}</span>
            <span className="visually-hidden">{label}</span>
          </span>
        )}
        {row.kind === 'amount' ? (
          <span className="count-amount-field">
            <input
              {...inputProps}
              className="count-input amount"
              inputMode="decimal"
              onChange={(e) => set(row.key, e.target.value.replace(/[^\d.]/g, '').slice(0, 16))}
            />
            {hasTable && !disabled ? (
              <button
                type="button"
                className="btn ghost small"
                tabIndex={-1}
                data-testid={`${testId}-amount-remove`}
                aria-label={t('count.removeAmount')}
                onClick={() => {
                  const next = { ...draft }
                  delete next[AMOUNT_KEY]
                  onChange(next)
                }}
              >
                ✕
              </button>
            ) : null}
          </span>
        ) : (
          <>
            <button
              type="button"
              className="btn count-step"
              tabIndex={-1}
              disabled={disabled || (line ?? 0) === 0}
              aria-label={t('count.less', { label })}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => set(row.key, bumpCount(text, -1))}
            >
              −
            </button>
            <input
              {...inputProps}
              className="count-input"
              inputMode="numeric"
              placeholder="0"
              onChange={(e) => {
                focus.current = { index: i, fresh: false }
                set(row.key, sanitizeCount(e.target.value))
              }}
            />
            <button
              type="button"
              className="btn count-step"
              tabIndex={-1}
              disabled={disabled}
              aria-label={t('count.more', { label })}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => set(row.key, bumpCount(text, 1))}
            >
              +
            </button>
          </>
        )}
        <span className="count-line">
          {line === null ? <span className="field-error">{t('count.invalid')}</span> : <Money minor={line} currency={currency} testId={`${testId}-line-${row.key}`} />}
        </span>
      </div>
    )
  }

  const notes = rows.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'note')
  const coins = rows.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'coin')
  const amounts = rows.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'amount')

  return (
    <div className="count-grid" data-testid={testId} data-total={total ?? ''}>
      {hasTable ? (
        <div className="count-cols">
          <section className="count-col" aria-label={t('count.notes')}>
            <h3>{t('count.notes')}</h3>
            {notes.map(([r, i]) => rowNode(r, i))}
          </section>
          <section className="count-col" aria-label={t('count.coins')}>
            <h3>{t('count.coins')}</h3>
            {coins.map(([r, i]) => rowNode(r, i))}
          </section>
        </div>
      ) : null}
      {amounts.length > 0 ? <div className="count-amounts">{amounts.map(([r, i]) => rowNode(r, i))}</div> : null}
      <div className="count-total">
        <span>{totalLabel ?? t('count.total')}</span>
        {total === null ? <span className="field-error">{t('count.fix')}</span> : <Money minor={total} currency={currency} testId={`${testId}-total`} className="big-amount" />}
      </div>
      <p className="help keys-hint">{t('count.keys')}</p>
    </div>
  )
}

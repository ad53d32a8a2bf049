import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import type { Difference, MatchClass, Reconciliation } from '../../../../shared/settlement-contract'
import type { StatementProvider } from '../../../../shared/statements/types'
import { Money } from '../../components/Money'
import { useFormat } from '../../lib/format'
import { CLASS_COLOUR, FILTERS, matchedPercent, segments, type DifferenceFilter } from '../../lib/reconcile'
import { methodLabel } from '../../lib/payments'

/** Keys of the reconcile screen (shown on its buttons). */
export const RECONCILE_KEYS = { fetch: 'F2', import: 'F3', run: 'F4', ask: 'F6', resolve: 'F7' } as const
/** The filter chips' keys: 1…7 in the chips' order. */
export const FILTER_KEYS: Record<DifferenceFilter, string> = Object.fromEntries(FILTERS.map((f, i) => [f, String(i + 1)])) as Record<DifferenceFilter, string>

export function ClassChip({ cls }: { cls: MatchClass }) {
  const { t } = useTranslation()
  return (
    <span className={`rec-chip cls-${cls}`} data-class={cls}>
      <span className="rec-dot" style={{ background: CLASS_COLOUR[cls] }} aria-hidden="true" />
      {t(`reconcile.class.${cls}`)}
    </span>
  )
}

export function providerLabel(t: TFunction, p: StatementProvider): string {
  return t(`reconcile.provider.${p}`)
}

/** Matched vs each class of difference, as a ring; the matched share in the middle. */
export function Donut({ counts, size = 132 }: { counts: Reconciliation['counts']; size?: number }) {
  const { t } = useTranslation()
  const segs = segments(counts)
  const pct = matchedPercent(counts)
  const r = 42
  const c = 2 * Math.PI * r
  const label = segs.map((s) => `${t(`reconcile.class.${s.cls}`)} ${s.count}`).join(', ')
  return (
    <svg className="rec-donut" data-testid="reconcile-donut" data-matched={counts.matched ?? 0} width={size} height={size} viewBox="0 0 100 100" role="img" aria-label={label}>
      <circle cx="50" cy="50" r={r} fill="none" stroke="#e5e7eb" strokeWidth="14" />
      {segs.map((s) => (
        <circle
          key={s.cls}
          cx="50"
          cy="50"
          r={r}
          fill="none"
          stroke={CLASS_COLOUR[s.cls]}
          strokeWidth="14"
          strokeDasharray={`${Math.max(s.share * c - (segs.length > 1 ? 0.8 : 0), 0.6)} ${c}`}
          strokeDashoffset={-s.start * c}
          transform="rotate(-90 50 50)"
        />
      ))}
      <text x="50" y="50" textAnchor="middle" className="rec-donut-pct">
        {pct === null ? '–' : `${pct}%`}
      </text>
      <text x="50" y="64" textAnchor="middle" className="rec-donut-sub">
        {t('reconcile.matchedShare')}
      </text>
    </svg>
  )
}

/** The filter chips: every difference, the open ones, and each class with its count and colour. */
export function FilterChips({ counts, filter, onFilter }: { counts: Record<DifferenceFilter, number>; filter: DifferenceFilter; onFilter: (f: DifferenceFilter) => void }) {
  const { t } = useTranslation()
  return (
    <div className="rec-filters" role="group" aria-label={t('reconcile.filters')}>
      {FILTERS.map((f) => {
        const label = f === 'all' || f === 'open' ? t(`reconcile.filter.${f}`) : t(`reconcile.class.${f}`)
        const n = counts[f]
        return (
          <button
            key={f}
            type="button"
            className={`rec-filter${filter === f ? ' active' : ''}${n === 0 && f !== 'all' ? ' empty' : ''}`}
            aria-pressed={filter === f}
            data-testid={`reconcile-filter-${f}`}
            data-count={n}
            onClick={() => onFilter(f)}
          >
            {f !== 'all' && f !== 'open' ? <span className="rec-dot" style={{ background: CLASS_COLOUR[f] }} aria-hidden="true" /> : null}
            <span>{label}</span>
            <strong className="rec-count">{n}</strong>
            <kbd>{FILTER_KEYS[f]}</kbd>
          </button>
        )
      })}
    </div>
  )
}

/** Each class as a bar beside the ring: how many, against the largest. */
export function ClassBars({ counts }: { counts: Reconciliation['counts'] }) {
  const { t } = useTranslation()
  const segs = segments(counts)
  const max = Math.max(1, ...segs.map((s) => s.count))
  return (
    <ul className="rec-bars">
      {segs.map((s) => (
        <li key={s.cls} data-class={s.cls}>
          <span className="rec-bar-label">{t(`reconcile.class.${s.cls}`)}</span>
          <span className="rec-bar-track">
            <span className="rec-bar" style={{ width: `${Math.max(3, (s.count / max) * 100)}%`, background: CLASS_COLOUR[s.cls] }} />
          </span>
          <strong className="rec-bar-n">{s.count}</strong>
        </li>
      ))}
    </ul>
  )
}

export function ProvidersTable({ run }: { run: Reconciliation }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (run.providers.length === 0) return null
  return (
    <table className="rec-table rec-providers" data-testid="reconcile-providers">
      <thead>
        <tr>
          <th>{t('reconcile.colProvider')}</th>
          <th className="num">{t('reconcile.colRows')}</th>
          <th className="num">{t('reconcile.colLocal')}</th>
          <th className="num">{t('reconcile.colMatched')}</th>
          <th className="num">{t('reconcile.gross')}</th>
          <th className="num">{t('reconcile.fee')}</th>
          <th className="num">{t('reconcile.net')}</th>
          <th>{t('reconcile.payouts')}</th>
        </tr>
      </thead>
      <tbody>
        {run.providers.map((p) => (
          <tr key={p.provider} data-testid="reconcile-provider" data-provider={p.provider}>
            <td>
              <strong>{providerLabel(t, p.provider)}</strong>
            </td>
            <td className="num">{p.rows}</td>
            <td className="num">{p.local}</td>
            <td className="num">{p.matched}</td>
            <td className="num">
              <Money minor={p.gross} />
            </td>
            <td className="num">
              <Money minor={p.fee} />
            </td>
            <td className="num">
              <Money minor={p.net} testId={`reconcile-net-${p.provider}`} />
            </td>
            <td className="small">
              {p.payouts.length === 0
                ? '–'
                : p.payouts.map((x) => (
                    <div key={x.date ?? 'none'}>
                      {x.date ? t('reconcile.payoutOn', { date: f.businessDate(x.date), amount: f.money(x.amount) }) : t('reconcile.payoutNoDate', { amount: f.money(x.amount) })}
                    </div>
                  ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Cash is reconciled by the shift counts: each closed shift's over (长款) or short (短款). */
export function CashList({ run }: { run: Reconciliation }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (run.cash.length === 0) return <p className="muted small">{t('reconcile.noCash')}</p>
  return (
    <ul className="rec-cash" data-testid="reconcile-cash">
      {run.cash.map((c) => {
        const tone = c.overShort === null ? 'none' : c.overShort > 0 ? 'over' : c.overShort < 0 ? 'short' : 'exact'
        return (
          <li key={c.shiftId} data-testid="reconcile-cash-shift" data-minor={c.overShort ?? ''} className={`tone-${tone}`}>
            <span>
              <span className="avatar" aria-hidden="true">
                {c.holder.name.slice(0, 1)}
              </span>
              {c.holder.name}
            </span>
            <strong>
              {c.overShort === null
                ? t('reconcile.cashNotCounted')
                : c.overShort > 0
                  ? t('reconcile.over', { amount: f.money(c.overShort) })
                  : c.overShort < 0
                    ? t('reconcile.short', { amount: f.money(-c.overShort) })
                    : t('reconcile.exact')}
            </strong>
          </li>
        )
      })}
    </ul>
  )
}

function stateLabel(t: TFunction, state: string): string {
  const known = ['succeeded', 'failed', 'unknown', 'reversed', 'pending', 'created'] as const
  return (known as readonly string[]).includes(state) ? t(`reconcile.state.${state as (typeof known)[number]}`) : state
}

/** What differs, in one sentence of the screen's language, from both sides (the core's own line stays as a tooltip). */
export function diffSentence(t: TFunction, f: ReturnType<typeof useFormat>, d: Difference): string {
  const provider = providerLabel(t, d.provider)
  const r = d.row
  const l = d.local
  const tillSigned = l ? (l.kind === 'tender' ? l.amount : -l.amount) : 0
  switch (d.class) {
    case 'amount_mismatch':
      return r && l ? t('reconcile.says.amount', { provider, bill: f.money(r.gross), till: f.money(tillSigned) }) : d.detail
    case 'status_mismatch':
      return r && l ? t('reconcile.says.status', { provider, type: t(`reconcile.rowType.${r.type}`), bill: f.money(r.gross), state: stateLabel(t, l.state) }) : d.detail
    case 'date_mismatch':
      return r && l ? t('reconcile.says.date', { pday: f.businessDate(r.providerDate), bday: f.businessDate(l.businessDate) }) : d.detail
    case 'missing_locally':
      return r ? t('reconcile.says.missingLocally', { provider, type: t(`reconcile.rowType.${r.type}`), bill: f.money(r.gross), time: f.time(r.providerTime) }) : d.detail
    case 'missing_at_provider':
      return l ? t('reconcile.says.missingAtProvider', { provider, till: f.money(tillSigned), receipt: l.receiptNo ?? t('reconcile.noReceipt') }) : d.detail
  }
}

/** The provider's side of a difference: its reference, line, type, time and own day. */
export function StatementSide({ d }: { d: Difference }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (!d.row) return <span className="muted rec-absent">{t('reconcile.notInBill')}</span>
  const r = d.row
  return (
    <div className="rec-side-cell" data-testid="difference-row-ref" data-ref={r.providerRef}>
      <span className="mono rec-ref" title={r.merchantRef ?? undefined}>
        {r.providerRef || r.merchantRef || '–'}
      </span>
      <small className="muted">
        {t('reconcile.line', { line: r.line })} · {t(`reconcile.rowType.${r.type}`)} · {f.time(r.providerTime)}
      </small>
      <small className="muted">
        {t('reconcile.providerDay', { date: f.businessDate(r.providerDate) })} · <Money minor={r.net} />
      </small>
    </div>
  )
}

/** The till's side: receipt number, method, state and business day. */
export function TillSide({ d }: { d: Difference }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (!d.local) return <span className="muted rec-absent">{t('reconcile.notAtTill')}</span>
  const l = d.local
  return (
    <div className="rec-side-cell" data-testid="difference-local" data-receipt={l.receiptNo ?? ''}>
      <span className="mono">{l.receiptNo ? t('reconcile.receipt', { no: l.receiptNo }) : t('reconcile.noReceipt')}</span>
      <small className="muted">
        {methodLabel(t, l.method)} · {t(`reconcile.localKind.${l.kind}`)} · {stateLabel(t, l.state)}
      </small>
      <small className="muted">
        {t('reconcile.businessDay', { date: f.businessDate(l.businessDate) })} · <Money minor={l.amount} />
      </small>
    </div>
  )
}

import { useTranslation } from 'react-i18next'
import type { Attempt } from '../../../../shared/contract'
import type { ReviewMatch } from '../../../../shared/review-contract'
import type { Difference } from '../../../../shared/settlement-contract'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { useFormat } from '../../lib/format'
import { failureText, methodLabel } from '../../lib/payments'
import { CLASS_COLOUR } from '../../lib/reconcile'
import { MATCH_FILTERS, matchKey, type MatchFilter } from '../../lib/review'
import { ClassChip, providerLabel, StatementSide, TillSide } from '../reconcile/parts'
import { useReconcile } from '../reconcile/store'
import { useReview, type Drill } from './store'

/** Keys of the table's filter chips: 1…9 in the chips' order. */
export const MATCH_FILTER_KEYS: Record<MatchFilter, string> = Object.fromEntries(MATCH_FILTERS.map((f, i) => [f, String(i + 1)])) as Record<MatchFilter, string>
/** The same keys as the Reconcile screen's. */
export const ACTION_KEYS = { ask: 'F6', resolve: 'F7' } as const

/** The Reconcile screen's two sides read a difference's row and till record; a line of the table has both. */
function sides(m: ReviewMatch): Difference {
  return { row: m.row, local: m.local } as Difference
}

export function MatchFilterChips({ counts, filter, onFilter }: { counts: Record<MatchFilter, number>; filter: MatchFilter; onFilter: (f: MatchFilter) => void }) {
  const { t } = useTranslation()
  return (
    <div className="rec-filters" role="group" aria-label={t('reconcile.filters')}>
      {MATCH_FILTERS.map((f) => {
        const label = f === 'all' || f === 'differences' || f === 'open' ? t(`review.filter.${f}`) : t(`reconcile.class.${f}`)
        const n = counts[f]
        return (
          <button
            key={f}
            type="button"
            className={`rec-filter${filter === f ? ' active' : ''}${n === 0 && f !== 'all' ? ' empty' : ''}`}
            aria-pressed={filter === f}
            data-testid={`review-filter-${f}`}
            data-count={n}
            onClick={() => onFilter(f)}
          >
            {f !== 'all' && f !== 'differences' && f !== 'open' ? <span className="rec-dot" style={{ background: CLASS_COLOUR[f] }} aria-hidden="true" /> : null}
            <span>{label}</span>
            <strong className="rec-count">{n}</strong>
            <kbd>{MATCH_FILTER_KEYS[f]}</kbd>
          </button>
        )
      })}
    </div>
  )
}

/** Who resolved it, how, when and why. */
export function ResolutionNote({ res }: { res: NonNullable<ReviewMatch['resolution']> }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <div className="rec-resolution" data-testid="review-resolution" data-kind={res.kind}>
      <strong>✔ {t('reconcile.resolvedBy', { kind: t(`reconcile.kind.${res.kind}`), name: res.by.name, time: f.dateTime(res.at) })}</strong>
      <span className="rec-note-text">“{res.note}”</span>
    </div>
  )
}

/** What the provider said when asked again (kept in the Reconcile screen's store, not posted). */
function Lookup({ differenceId }: { differenceId: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  const runId = useReview((s) => s.runId)
  const d = useReconcile((s) => (s.run?.id === runId ? s.run?.differences.find((x) => x.id === differenceId) : undefined))
  if (!d?.lookup) return null
  return (
    <div className="rec-lookup small" data-testid="review-lookup" data-status={d.lookup.status}>
      {t('reconcile.lookup', { provider: providerLabel(t, d.lookup.provider), status: t(`reconcile.lookupStatus.${d.lookup.status}`) })}
      {d.lookup.amount !== null ? ` · ${f.money(d.lookup.amount)}` : ''}
      <small className="muted"> · {t('reconcile.lookupChecked', { time: f.time(d.lookup.checkedAt) })}</small>
    </div>
  )
}

export function MatchRow({ m, selected, asking, onDetails, onResolve, onAsk }: { m: ReviewMatch; selected: boolean; asking: boolean; onDetails: () => void; onResolve: () => void; onAsk: () => void }) {
  const { t } = useTranslation()
  const select = useReview((s) => s.select)
  const key = matchKey(m)
  const diff = m.class !== 'matched'
  return (
    <tr
      className={`rec-diff rv-match${selected ? ' selected' : ''}${m.resolution ? ' resolved' : ''}${diff ? ' is-diff' : ''}`}
      tabIndex={0}
      data-key={key}
      data-testid="review-match"
      data-class={m.class}
      data-provider={m.provider}
      data-difference={m.differenceId ?? ''}
      data-order={m.local?.orderId ?? ''}
      data-resolved={m.resolution ? m.resolution.kind : ''}
      aria-selected={selected}
      onClick={() => select(key)}
      onFocus={() => select(key)}
      onDoubleClick={onDetails}
    >
      <td className="rv-class-cell">
        <ClassChip cls={m.class} />
        <div className="rec-provider">{providerLabel(t, m.provider)}</div>
      </td>
      <td>
        <StatementSide d={sides(m)} />
      </td>
      <td>
        <TillSide d={sides(m)} />
      </td>
      <td className="rec-action-cell">
        {m.resolution ? <ResolutionNote res={m.resolution} /> : null}
        {m.differenceId ? <Lookup differenceId={m.differenceId} /> : null}
        <div className="rec-buttons">
          <button
            type="button"
            className="btn secondary small"
            data-testid="review-details"
            onClick={(e) => {
              e.stopPropagation()
              onDetails()
            }}
          >
            {t('review.details')}
            {selected ? <kbd>↵</kbd> : null}
          </button>
          {diff && m.differenceId && !m.resolution ? (
            <>
              <button
                type="button"
                className="btn secondary small"
                data-testid="review-ask"
                disabled={asking}
                title={t('reconcile.askHelp')}
                onClick={(e) => {
                  e.stopPropagation()
                  onAsk()
                }}
              >
                {asking ? t('reconcile.asking') : t('reconcile.ask')}
                {selected ? <kbd>{ACTION_KEYS.ask}</kbd> : null}
              </button>
              <button
                type="button"
                className="btn primary small"
                data-testid="review-resolve"
                onClick={(e) => {
                  e.stopPropagation()
                  onResolve()
                }}
              >
                {t('reconcile.resolve')}
                {selected ? <kbd>{ACTION_KEYS.resolve}</kbd> : null}
              </button>
            </>
          ) : null}
        </div>
      </td>
    </tr>
  )
}

/**
 * Every try the till made to take the order's money: a declined card, an expired QR, the one that
 * went through. The attempt the line's till record is (a payment or its reversal) is marked.
 */
function AttemptList({ attempts, currency, local }: { attempts: readonly Attempt[]; currency: string; local: ReviewMatch['local'] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const thisId = local && local.kind !== 'refund' ? local.id : null
  if (attempts.length === 0) return <p className="muted small">{t('review.noAttempts')}</p>
  return (
    <ol className="rv-tenders rv-attempts" data-testid="review-drill-attempts">
      {attempts.map((a) => {
        const mine = a.id === thisId
        const [from, to] = [f.time(a.createdAt), f.time(a.updatedAt)]
        return (
          <li
            key={a.id}
            data-testid="review-drill-attempt"
            data-attempt-id={a.id}
            data-state={a.state}
            data-method={a.method}
            data-flow={a.flow}
            data-amount={a.amount}
            data-ref={a.providerRef ?? ''}
            data-this={mine ? 'true' : undefined}
            className={mine ? 'this' : undefined}
          >
            <span className="rv-attempt-main">
              <span className={`state-chip chip-${a.state}`}>{t(`pay.state.${a.state}`)}</span> {methodLabel(t, a.method)}
              {a.flow !== 'cash' ? <small className="muted"> · {t(`pay.flow.${a.flow}`)}</small> : null}
              <small className="muted"> · {from === to ? from : `${from}–${to}`}</small>
              {a.providerRef ? <small className="mono muted"> {a.providerRef}</small> : null}
              {mine ? <small className="rv-this"> ← {t('review.thisLine')}</small> : null}
              {a.failure ? (
                <small className="rv-attempt-failure" data-testid="review-drill-attempt-failure" data-code={a.failure.code}>
                  {failureText(t, a.failure, f.lang)}
                </small>
              ) : null}
            </span>
            <Money minor={a.amount} currency={currency} />
          </li>
        )
      })}
    </ol>
  )
}

/** The order behind a line (its tenders, the attempts to take them, its refunds) beside the statement row behind it. */
export function DrillDialog({ drill, onClose, onResolve, onAsk, asking }: { drill: Drill; onClose: () => void; onResolve: () => void; onAsk: () => void; asking: boolean }) {
  const { t } = useTranslation()
  const f = useFormat()
  const m = drill.match
  const o = drill.order
  const r = m.row
  return (
    <Dialog title={o ? t('review.orderTitle', { no: o.receiptNo }) : t('review.lineTitle')} onClose={onClose} testId="review-drill" size="large">
      <div className="rv-drill">
        <div className="rv-drill-what">
          <ClassChip cls={m.class} />
          <strong>{providerLabel(t, m.provider)}</strong>
          {m.class !== 'matched' ? <span className="help">{t(`reconcile.explain.${m.class}`)}</span> : null}
        </div>
        <div className="rv-drill-sides">
          <section className="rv-drill-side" data-testid="review-drill-order" data-order={o?.id ?? ''} data-total={o?.total ?? ''}>
            <h3>{t('review.tillSide')}</h3>
            {drill.loading ? <p className="muted">{t('common.loading')}</p> : null}
            {drill.error ? <ErrorNote error={drill.error} testId="review-drill-error" /> : null}
            {!m.local ? <p className="muted rec-absent">{t('reconcile.notAtTill')}</p> : null}
            {m.local && !m.local.orderId ? <TillSide d={sides(m)} /> : null}
            {o ? (
              <>
                <dl className="rv-figs">
                  <div className="rv-fig">
                    <dt>{t('review.receipt')}</dt>
                    <dd className="mono">{o.receiptNo}</dd>
                  </div>
                  <div className="rv-fig">
                    <dt>{t('review.soldAt')}</dt>
                    <dd>{t('review.soldBy', { time: f.dateTime(o.createdAt), name: o.staff.name })}</dd>
                  </div>
                  <div className="rv-fig strong">
                    <dt>{t('review.orderTotal')}</dt>
                    <dd>
                      <Money minor={o.total} currency={o.currency} testId="review-drill-total" />
                    </dd>
                  </div>
                </dl>
                <h4>{t('review.tenders')}</h4>
                <ul className="rv-tenders">
                  {o.tenders.map((x) => (
                    <li key={x.id} data-testid="review-drill-tender" data-method={x.method} data-amount={x.amount} className={m.local?.id === x.id ? 'this' : undefined}>
                      <span>
                        {methodLabel(t, x.method)}
                        {x.providerRef ? <small className="mono muted"> {x.providerRef}</small> : null}
                        {m.local?.id === x.id ? <small className="rv-this"> ← {t('review.thisLine')}</small> : null}
                      </span>
                      <Money minor={x.amount} currency={o.currency} />
                    </li>
                  ))}
                </ul>
                {drill.attempts ? (
                  <>
                    <h4>{t('review.attempts')}</h4>
                    <AttemptList attempts={drill.attempts} currency={o.currency} local={m.local} />
                  </>
                ) : null}
                {drill.attemptsError ? <ErrorNote error={drill.attemptsError} testId="review-drill-attempts-error" /> : null}
                {o.refunds.length > 0 ? (
                  <>
                    <h4>{t('review.orderRefunds')}</h4>
                    <ul className="rv-tenders">
                      {o.refunds.map((x) => (
                        <li key={x.id}>
                          <span>
                            {methodLabel(t, x.method)} · {x.state}
                          </span>
                          <Money minor={-x.amount} currency={o.currency} />
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </>
            ) : null}
          </section>
          <section className="rv-drill-side" data-testid="review-drill-row" data-ref={r?.providerRef ?? ''}>
            <h3>{t('review.billSide')}</h3>
            {!r ? (
              <p className="muted rec-absent">{t('reconcile.notInBill')}</p>
            ) : (
              <dl className="rv-figs">
                <div className="rv-fig">
                  <dt>{t('review.providerRef')}</dt>
                  <dd className="mono small rec-ref">{r.providerRef || '–'}</dd>
                </div>
                {r.merchantRef ? (
                  <div className="rv-fig">
                    <dt>{t('review.merchantRef')}</dt>
                    <dd className="mono small rec-ref">{r.merchantRef}</dd>
                  </div>
                ) : null}
                <div className="rv-fig">
                  <dt>{t('review.rowLine')}</dt>
                  <dd>
                    {t('reconcile.line', { line: r.line })} · {t(`reconcile.rowType.${r.type}`)}
                  </dd>
                </div>
                <div className="rv-fig">
                  <dt>{t('review.rowTime')}</dt>
                  <dd>
                    {f.dateTime(r.providerTime)} · {t('reconcile.providerDay', { date: f.businessDate(r.providerDate) })}
                  </dd>
                </div>
                <div className="rv-fig">
                  <dt>{t('review.colGross')}</dt>
                  <dd>
                    <Money minor={r.gross} testId="review-drill-row-gross" />
                  </dd>
                </div>
                <div className="rv-fig">
                  <dt>{t('review.colFee')}</dt>
                  <dd>
                    <Money minor={-r.fee} />
                  </dd>
                </div>
                <div className="rv-fig strong">
                  <dt>{t('review.colNet')}</dt>
                  <dd>
                    <Money minor={r.net} />
                  </dd>
                </div>
              </dl>
            )}
          </section>
        </div>
        {m.resolution ? <ResolutionNote res={m.resolution} /> : null}
        {m.differenceId ? <Lookup differenceId={m.differenceId} /> : null}
        <div className="row-actions">
          <button type="button" className="btn secondary" onClick={onClose}>
            {t('common.close')} <kbd>{t('common.esc')}</kbd>
          </button>
          {m.differenceId && !m.resolution ? (
            <>
              <button type="button" className="btn secondary big" data-testid="review-drill-ask" disabled={asking} onClick={onAsk}>
                {asking ? t('reconcile.asking') : t('reconcile.ask')} <kbd>{ACTION_KEYS.ask}</kbd>
              </button>
              <button type="button" className="btn primary big" data-testid="review-drill-resolve" onClick={onResolve}>
                {t('reconcile.resolve')} <kbd>{ACTION_KEYS.resolve}</kbd>
              </button>
            </>
          ) : null}
        </div>
      </div>
    </Dialog>
  )
}

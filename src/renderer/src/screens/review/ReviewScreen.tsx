import { useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExportKind, ReviewMatch } from '../../../../shared/review-contract'
import type { Difference } from '../../../../shared/settlement-contract'
import { onEvent } from '../../api'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { useFormat } from '../../lib/format'
import { canReview, dayStatus, EXPORTS, filterMatches, MATCH_FILTERS, matchCounts, matchKey, trendShares, type DayStatus } from '../../lib/review'
import { useApp } from '../../store'
import '../reconcile/reconcile.css'
import { ResolveDialog } from '../reconcile/ResolveDialog'
import { useReconcile } from '../reconcile/store'
import { TrendChart } from './Charts'
import { CashShifts, ChartsRow, ClosureCard, Headline, Payouts, Takings } from './DayDetail'
import { ACTION_KEYS, DrillDialog, MATCH_FILTER_KEYS, MatchFilterChips, MatchRow } from './Matches'
import { useReview } from './store'
import './review.css'

const get = useApp.getState
const rv = useReview.getState

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)
}

export function StatusChip({ status }: { status: DayStatus }) {
  const { t } = useTranslation()
  const f = useFormat()
  const z = status.kind !== 'open' && status.z !== null ? t('review.zNo', { number: status.z }) : null
  let text: string
  switch (status.kind) {
    case 'open':
      text = t('review.status.open')
      break
    case 'closed':
      text = t('review.status.closed')
      break
    case 'reconciled':
      text = t('review.status.reconciled')
      break
    case 'differences':
      text = t('review.status.differences', { count: status.differences, open: status.unresolved, amount: f.money(status.amount) })
  }
  return (
    <span className={`rv-status st-${status.kind}`} data-testid="review-status" data-status={status.kind}>
      {z ? <span className="rv-z-no">{z}</span> : null}
      <span>{text}</span>
    </span>
  )
}

/**
 * 经营回顾: the owner (a supervisor may look) goes through the business days — each with its
 * status and net, the last 30 days as a chart — and one day explained: takings by tender, deductions
 * and tax, fees and expected payouts per provider, cash per shift, the Z, charts of sales by hour
 * and the tender mix; the reconciliation table with every statement row and till record, each
 * line down to its order, with the Reconcile screen's ask and resolve; and exports (CSV, PDF).
 * Keyboard: PgUp/PgDn the day, F2–F4 CSV, F8/F9 PDF, ↑/↓ a line, Enter its order, F6 ask,
 * F7 resolve, 1–9 filters, Esc closes a dialog.
 */
export function ReviewScreen() {
  const { t, i18n } = useTranslation()
  const f = useFormat()
  const session = useApp((s) => s.session)
  const s = useReview()
  const asking = useReconcile((x) => x.asking)
  const [resolving, setResolving] = useState<Difference | null>(null)
  const tableRef = useRef<HTMLTableSectionElement>(null)
  const allowed = canReview(session?.staff.role)

  useEffect(() => {
    if (allowed) void rv().loadDays()
  }, [allowed])
  useEffect(() => {
    const reload = () => {
      if (!canReview(get().session?.staff.role)) return
      void rv().loadDays()
      void rv().reloadDay()
    }
    const offs = [onEvent('settlement-changed', reload), onEvent('day-changed', reload)]
    return () => offs.forEach((off) => off())
  }, [])

  const shown = useMemo(() => filterMatches(s.matches, s.filter), [s.matches, s.filter])
  const counts = useMemo(() => matchCounts(s.matches), [s.matches])
  const shares = useMemo(() => trendShares(s.days), [s.days])
  const selected = shown.find((m) => matchKey(m) === s.selected) ?? null
  const summary = s.days.find((d) => d.businessDate === s.date) ?? null

  const lang = i18n.language === 'zh-CN' ? 'zh-CN' : 'en'
  const doExport = async (kind: ExportKind) => {
    const name = await rv().exportFile(kind, lang)
    if (name) get().info(t('review.exported', { file: name }))
  }
  const openResolve = async (m: ReviewMatch) => {
    if (!m.differenceId || m.resolution) return
    const d = await rv().difference(m.differenceId)
    if (d) setResolving(d)
  }
  const closeResolve = () => {
    setResolving(null)
    void rv().reloadDay().then(() => {
      // the drill-down shows the line again, now with its resolution
      const dr = rv().drill
      if (!dr) return
      const now = rv().matches.find((x) => matchKey(x) === matchKey(dr.match))
      if (now) useReview.setState({ drill: { ...dr, match: now } })
    })
    void rv().loadDays()
  }
  const ask = (m: ReviewMatch) => {
    if (m.differenceId && !m.resolution) void rv().ask(m.differenceId)
  }
  const focusRow = (key: string) => {
    requestAnimationFrame(() => {
      const el = tableRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)
      el?.focus({ preventScroll: true })
      el?.scrollIntoView({ block: 'center' })
    })
  }

  const live = useRef({ shown, selected, resolving, doExport, openResolve, ask, focusRow })
  live.current = { shown, selected, resolving, doExport, openResolve, ask, focusRow }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return
      const app = get()
      if (app.screen !== 'review' || app.dialog || live.current.resolving) return
      if (!canReview(app.session?.staff.role)) return
      const r = rv()
      const { shown: list, selected: sel } = live.current
      const target = r.drill?.match ?? sel
      const act = (fn: () => void) => {
        e.preventDefault()
        fn()
      }
      if (e.key === ACTION_KEYS.ask) return act(() => target && live.current.ask(target))
      if (e.key === ACTION_KEYS.resolve) return act(() => target && void live.current.openResolve(target))
      if (r.drill) return
      const exp = EXPORTS.find((x) => x.key === e.key)
      if (exp) return act(() => void live.current.doExport(exp.kind))
      if (e.key === 'PageUp' || e.key === 'PageDown') return act(() => void r.step(e.key === 'PageUp' ? 1 : -1))
      if (typing(e.target)) return
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (list.length === 0) return
        e.preventDefault()
        const i = sel ? list.findIndex((m) => matchKey(m) === matchKey(sel)) : -1
        const next = list[Math.min(list.length - 1, Math.max(0, e.key === 'ArrowDown' ? i + 1 : i < 0 ? 0 : i - 1))]
        if (next) {
          r.select(matchKey(next))
          live.current.focusRow(matchKey(next))
        }
        return
      }
      if (e.key === 'Enter' && sel && e.target instanceof HTMLTableRowElement) return act(() => void r.openDrill(sel))
      const filter = MATCH_FILTERS.find((x) => MATCH_FILTER_KEYS[x] === e.key)
      if (filter) act(() => r.setFilter(filter))
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (!allowed) {
    return (
      <div className="rec-screen rv-screen" data-testid="review-screen">
        <p className="banner-warn" data-testid="review-not-allowed">
          {t('review.onlyOwner')}
        </p>
      </div>
    )
  }

  const day = s.day?.businessDate === s.date ? s.day : null
  const idx = s.days.findIndex((d) => d.businessDate === s.date)
  const currency = s.currency ?? f.currency

  return (
    <div className="rec-screen rv-screen" data-testid="review-screen" data-busy={s.busy ?? ''} data-date={s.date ?? ''}>
      <header className="rec-head">
        <div className="rec-title">
          <h1>{t('review.title')}</h1>
          <small className="muted">{t('review.subtitle')}</small>
        </div>
        <div className="rec-date rv-date" role="group" aria-label={t('review.day')}>
          <button type="button" className="btn secondary small" aria-label={t('review.olderDay')} title={t('review.olderDay')} data-testid="review-older" disabled={idx < 0 || idx >= s.days.length - 1} onClick={() => void s.step(1)}>
            ‹<kbd>PgUp</kbd>
          </button>
          <strong className="rv-date-label" data-testid="review-date">
            {s.date ? f.businessDate(s.date) : '–'}
          </strong>
          <button type="button" className="btn secondary small" aria-label={t('review.newerDay')} title={t('review.newerDay')} data-testid="review-newer" disabled={idx <= 0} onClick={() => void s.step(-1)}>
            <kbd>PgDn</kbd>›
          </button>
        </div>
        <div className="rv-exports" role="group" aria-label={t('review.exports')}>
          {EXPORTS.map((x) => (
            <button
              key={x.kind}
              type="button"
              className={`btn secondary rv-export${x.kind.startsWith('pdf') ? ' pdf' : ''}`}
              data-testid={`review-export-${x.kind}`}
              disabled={!s.date || s.exporting !== null || (x.kind === 'pdf_z' && day !== null && day.closure === null)}
              title={t(`review.exportHelp.${x.kind}`)}
              onClick={() => void doExport(x.kind)}
            >
              <span className="rv-export-type">{x.kind.startsWith('pdf') ? 'PDF' : 'CSV'}</span>
              <span>{s.exporting === x.kind ? t('review.exporting') : t(`review.export.${x.kind}`)}</span>
              <kbd>{x.key}</kbd>
            </button>
          ))}
        </div>
      </header>

      {s.error ? <ErrorNote error={s.error} testId="review-error" /> : null}

      <div className="rv-body">
        <aside className="rv-aside">
          <section className="card rv-trend-card">
            <h2>
              {t('review.trend')} <small className="muted">{f.currencySymbol}</small>
            </h2>
            <TrendChart trend={s.trend} selected={s.date} currency={currency} onPick={(d) => s.days.some((x) => x.businessDate === d) && void s.setDate(d)} />
          </section>
          <section className="card rv-days" data-testid="review-days">
            <h2>{t('review.days')}</h2>
            {s.days.length === 0 ? <p className="muted small">{s.busy === 'days' ? t('common.loading') : t('review.noDays')}</p> : null}
            <ul>
              {s.days.map((d, i) => (
                <li key={d.businessDate}>
                  <button
                    type="button"
                    className={`rv-day${d.businessDate === s.date ? ' active' : ''}`}
                    aria-current={d.businessDate === s.date ? 'true' : undefined}
                    data-testid="review-day"
                    data-date={d.businessDate}
                    data-net={d.net}
                    onClick={() => void s.setDate(d.businessDate)}
                  >
                    <span className="rv-day-top">
                      <strong>{f.businessDate(d.businessDate)}</strong>
                      <Money minor={d.net} currency={currency} className="rv-day-net" />
                    </span>
                    <span className="rv-day-bar" aria-hidden="true">
                      <span style={{ width: `${Math.round((shares[i] ?? 0) * 100)}%` }} />
                    </span>
                    <StatusChip status={dayStatus(d)} />
                    {d.payout ? (
                      <small className="muted rv-day-payout">
                        {d.payout.dates.length > 0
                          ? t('review.payoutExpected', { amount: f.money(d.payout.expected, currency), dates: d.payout.dates.map((x) => f.businessDate(x)).join(', ') })
                          : t('review.payoutExpectedNoDate', { amount: f.money(d.payout.expected, currency) })}
                        {d.payout.received !== null ? (
                          <>
                            {' · '}
                            {d.payout.received >= d.payout.due
                              ? t('review.payoutReceived', { amount: f.money(d.payout.received, currency) })
                              : t('review.payoutReceivedOf', { amount: f.money(d.payout.received, currency), due: f.money(d.payout.due, currency) })}
                          </>
                        ) : null}
                      </small>
                    ) : null}
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <p className="muted small rec-keys">{t('review.keysHelp')}</p>
        </aside>

        <div className="rv-main">
          {!day ? (
            <section className="card rec-empty" data-testid="review-no-day">
              <p className="muted">{s.busy ? t('common.loading') : t('review.pickDay')}</p>
            </section>
          ) : (
            <>
              <div className="rv-day-title">
                <h2>
                  {f.businessDate(day.businessDate)} · {day.storeName} · {t('topbar.till', { code: day.deviceCode })}
                </h2>
                {summary ? <StatusChip status={dayStatus(summary)} /> : null}
              </div>
              <Headline day={day} />
              <ChartsRow day={day} />
              <div className="rv-grid">
                <Takings day={day} />
                <div className="rv-col">
                  <Payouts day={day} />
                  <CashShifts day={day} />
                  <ClosureCard day={day} />
                </div>
              </div>

              <section className="card rec-diffs rv-matches" data-testid="review-matches" data-run={s.runId ?? ''}>
                <div className="rec-diffs-head">
                  <h2>{t('review.table')}</h2>
                  {day.reconciliation ? (
                    <small className="muted">{t('reconcile.runAt', { time: f.dateTime(day.reconciliation.at), name: day.reconciliation.by.name })}</small>
                  ) : null}
                </div>
                {s.runId === null ? (
                  <p className="muted empty" data-testid="review-no-run">
                    {t('review.noRun')}
                  </p>
                ) : (
                  <>
                    <MatchFilterChips counts={counts} filter={s.filter} onFilter={s.setFilter} />
                    {shown.length === 0 ? (
                      <p className="muted empty" data-testid="review-none-in-filter">
                        {t('reconcile.noneInFilter')}
                      </p>
                    ) : (
                      <table className="rec-table rec-diff-table rv-match-table">
                        <thead>
                          <tr>
                            <th>{t('reconcile.colClass')}</th>
                            <th>{t('reconcile.colStatement')}</th>
                            <th>{t('reconcile.colTill')}</th>
                            <th>{t('reconcile.colAction')}</th>
                          </tr>
                        </thead>
                        <tbody ref={tableRef}>
                          {shown.map((m) => (
                            <MatchRow
                              key={matchKey(m)}
                              m={m}
                              selected={selected !== null && matchKey(selected) === matchKey(m)}
                              asking={m.differenceId !== null && asking.includes(m.differenceId)}
                              onDetails={() => void s.openDrill(m)}
                              onResolve={() => void openResolve(m)}
                              onAsk={() => ask(m)}
                            />
                          ))}
                        </tbody>
                      </table>
                    )}
                  </>
                )}
              </section>
            </>
          )}
        </div>
      </div>
      {s.drill && !resolving ? (
        <DrillDialog
          drill={s.drill}
          onClose={s.closeDrill}
          asking={s.drill.match.differenceId !== null && asking.includes(s.drill.match.differenceId)}
          onAsk={() => s.drill && ask(s.drill.match)}
          onResolve={() => s.drill && void openResolve(s.drill.match)}
        />
      ) : null}
      {resolving ? <ResolveDialog difference={resolving} onClose={closeResolve} /> : null}
    </div>
  )
}

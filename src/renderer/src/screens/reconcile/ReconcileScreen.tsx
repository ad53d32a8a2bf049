import { useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Difference } from '../../../../shared/settlement-contract'
import { STATEMENT_ERROR_REASONS, STATEMENT_PROVIDERS } from '../../../../shared/statements/types'
import { onEvent } from '../../api'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { useFormat } from '../../lib/format'
import { defaultReconcileDate, filterCounts, filterDifferences, FILTERS, refusalOf, shiftDay, toBase64 } from '../../lib/reconcile'
import { useApp } from '../../store'
import { CashList, ClassBars, ClassChip, diffSentence, Donut, FilterChips, FILTER_KEYS, ProvidersTable, providerLabel, RECONCILE_KEYS, StatementSide, TillSide } from './parts'
import { ResolveDialog } from './ResolveDialog'
import { useReconcile, type Missing } from './store'
import './reconcile.css'

const get = useApp.getState
const rec = useReconcile.getState

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)
}

/**
 * 对账: the morning after, a supervisor or the owner picks a business day (the last closed one by
 * default), gets the providers' statements from the platform or imports a bill file, and
 * reconciles: the counts per class (a ring and bars), per provider gross / fee / net / payouts, cash
 * per shift, and every difference with both sides, a plain explanation, "ask again" and "resolve".
 * Keyboard: F2 statements, F3 import, F4 reconcile, ↑/↓ pick, F6 ask, F7 resolve, 1–7 filters,
 * PgUp/PgDn the day, Esc closes the dialog.
 */
export function ReconcileScreen() {
  const { t } = useTranslation()
  const f = useFormat()
  const session = useApp((s) => s.session)
  const till = useApp((s) => s.till)
  const s = useReconcile()
  const [resolving, setResolving] = useState<Difference | null>(null)
  const fileRef = useRef<HTMLInputElement>(null)
  const tableRef = useRef<HTMLTableSectionElement>(null)
  const allowed = session?.staff.role === 'supervisor' || session?.staff.role === 'owner'
  const maxDate = till?.businessDate ?? null

  // the last closed day, once the till's status is known (kept when coming back to the screen)
  const fallback = defaultReconcileDate(till)
  useEffect(() => {
    if (!allowed) return
    const date = rec().date ?? fallback
    if (date) void rec().setDate(date)
  }, [allowed, fallback])

  // statements imported or runs made elsewhere (another window): the lists follow
  useEffect(() => onEvent('settlement-changed', () => void rec().reload()), [])

  const diffs = useMemo(() => s.run?.differences ?? [], [s.run])
  const shown = useMemo(() => filterDifferences(diffs, s.filter), [diffs, s.filter])
  const counts = useMemo(() => filterCounts(diffs), [diffs])
  const selected = shown.find((d) => d.id === s.selected) ?? null

  /** Puts the keyboard on a difference, scrolled to the middle of the screen (clear of the notices at the bottom). */
  const focusRow = (id: string) => {
    requestAnimationFrame(() => {
      const el = tableRef.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`)
      el?.focus({ preventScroll: true })
      el?.scrollIntoView({ block: 'center' })
    })
  }
  const pickFile = () => fileRef.current?.click()
  /** Reconciles, then puts the keyboard on the first difference (↑/↓, F6, F7 and the filter keys work from there). */
  const doRun = async () => {
    const run = await rec().runReconcile()
    const first = run?.differences[0]
    if (first) focusRow(first.id)
    else if (run && document.activeElement instanceof HTMLElement) document.activeElement.blur()
  }
  const onFile = async (file: File | undefined) => {
    if (!file) return
    const bytes = new Uint8Array(await file.arrayBuffer())
    const st = await rec().importFile(file.name, toBase64(bytes))
    if (fileRef.current) fileRef.current.value = ''
    if (st) get().info(t('reconcile.imported', { file: file.name, provider: providerLabel(t, st.provider), date: f.businessDate(st.date), rows: st.rows }))
  }

  const live = useRef({ shown, selected, resolving, maxDate, doRun, focusRow })
  live.current = { shown, selected, resolving, maxDate, doRun, focusRow }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return
      const app = get()
      if (app.screen !== 'reconcile' || app.dialog || live.current.resolving) return
      const r = rec()
      const { shown: list, selected: sel } = live.current
      const act = (fn: () => void) => {
        e.preventDefault()
        fn()
      }
      switch (e.key) {
        case RECONCILE_KEYS.fetch:
          return act(() => void r.fetchStatements())
        case RECONCILE_KEYS.import:
          return act(() => fileRef.current?.click())
        case RECONCILE_KEYS.run:
          return act(() => void live.current.doRun())
        case RECONCILE_KEYS.ask:
          return act(() => {
            if (sel && sel.resolution === null) void r.ask(sel.id)
          })
        case RECONCILE_KEYS.resolve:
          return act(() => {
            if (sel && sel.resolution === null) setResolving(sel)
          })
        case 'PageUp':
        case 'PageDown':
          return act(() => {
            if (!r.date) return
            const next = shiftDay(r.date, e.key === 'PageUp' ? -1 : 1)
            if (!live.current.maxDate || next <= live.current.maxDate) void r.setDate(next)
          })
      }
      if (typing(e.target)) return
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (list.length === 0) return
        e.preventDefault()
        const i = sel ? list.findIndex((d) => d.id === sel.id) : -1
        const next = list[Math.min(list.length - 1, Math.max(0, e.key === 'ArrowDown' ? i + 1 : i < 0 ? 0 : i - 1))]
        if (next) {
          r.select(next.id)
          live.current.focusRow(next.id)
        }
        return
      }
      if (e.key === 'Enter' && sel && sel.resolution === null && e.target instanceof HTMLTableRowElement) {
        e.preventDefault()
        setResolving(sel)
        return
      }
      const filter = FILTERS.find((x) => FILTER_KEYS[x] === e.key)
      if (filter) {
        e.preventDefault()
        r.setFilter(filter)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (!allowed) {
    return (
      <div className="rec-screen" data-testid="reconcile-screen">
        <p className="banner-warn" data-testid="reconcile-not-allowed">
          {t('reconcile.onlySupervisor')}
        </p>
      </div>
    )
  }

  const busy = s.busy === 'fetch' || s.busy === 'import' || s.busy === 'run'
  const refusal = s.refused ? refusalOf(s.refused.error) : null
  const run = s.run

  return (
    <div className="rec-screen" data-testid="reconcile-screen" data-busy={s.busy ?? ''}>
      <header className="rec-head">
        <div className="rec-title">
          <h1>{t('reconcile.title')}</h1>
          <small className="muted">{t('reconcile.subtitle')}</small>
        </div>
        <div className="rec-date" role="group" aria-label={t('reconcile.day')}>
          <button
            type="button"
            className="btn secondary small"
            aria-label={t('reconcile.prevDay')}
            title={t('reconcile.prevDay')}
            data-testid="reconcile-prev"
            disabled={!s.date}
            onClick={() => s.date && void s.setDate(shiftDay(s.date, -1))}
          >
            ‹<kbd>PgUp</kbd>
          </button>
          <label className="rec-date-field">
            <span className="muted small">{t('reconcile.day')}</span>
            <input
              type="date"
              data-testid="reconcile-date"
              value={s.date ?? ''}
              max={maxDate ?? undefined}
              onChange={(e) => {
                if (/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) void s.setDate(e.target.value)
              }}
            />
          </label>
          <button
            type="button"
            className="btn secondary small"
            aria-label={t('reconcile.nextDay')}
            title={t('reconcile.nextDay')}
            data-testid="reconcile-next"
            disabled={!s.date || (maxDate !== null && shiftDay(s.date, 1) > maxDate)}
            onClick={() => s.date && void s.setDate(shiftDay(s.date, 1))}
          >
            <kbd>PgDn</kbd>›
          </button>
        </div>
        <div className="rec-actions">
          <button type="button" className="btn secondary big" data-testid="reconcile-fetch" disabled={busy || !s.date} onClick={() => void s.fetchStatements()}>
            {s.busy === 'fetch' ? t('reconcile.fetching') : t('reconcile.fetch')} <kbd>{RECONCILE_KEYS.fetch}</kbd>
          </button>
          <button type="button" className="btn secondary big" data-testid="reconcile-import" disabled={busy} onClick={pickFile} title={t('reconcile.importHelp')}>
            {s.busy === 'import' ? t('reconcile.importing') : t('reconcile.importFile')} <kbd>{RECONCILE_KEYS.import}</kbd>
          </button>
          <input ref={fileRef} type="file" accept=".zip,.csv,application/zip,text/csv" hidden data-testid="reconcile-file" onChange={(e) => void onFile(e.target.files?.[0])} />
          <button type="button" className="btn primary big" data-testid="reconcile-run" disabled={busy || !s.date} onClick={() => void doRun()} title={t('reconcile.runHelp')}>
            {s.busy === 'run' ? t('reconcile.running') : t('reconcile.run')} <kbd>{RECONCILE_KEYS.run}</kbd>
          </button>
        </div>
      </header>

      {s.error ? <ErrorNote error={s.error} testId="reconcile-error" /> : null}
      {s.refused && refusal ? (
        <div className="rec-refused" role="alert" data-testid="reconcile-refused" data-reason={refusal.reason ?? ''} data-line={refusal.line ?? ''}>
          <strong>⚠ {t('reconcile.refusedTitle', { file: s.refused.fileName })}</strong>
          <span>{t(`reconcile.refusedReason.${(STATEMENT_ERROR_REASONS as readonly string[]).includes(refusal.reason ?? '') ? (refusal.reason as (typeof STATEMENT_ERROR_REASONS)[number]) : 'other'}`)}</span>
          <span className="rec-refused-line">
            {refusal.line !== null ? <strong data-testid="reconcile-refused-line">{t('reconcile.refusedLine', { line: refusal.line })}</strong> : null}
            <span className="mono small">{refusal.message}</span>
          </span>
          <small className="code">{t('common.errorCode', { code: s.refused.error.code })}</small>
        </div>
      ) : s.refused ? (
        <ErrorNote error={s.refused.error} testId="reconcile-refused" />
      ) : null}

      <div className="rec-body">
        <aside className="rec-aside">
          <section className="card rec-statements" data-testid="reconcile-statements">
            <h2>{t('reconcile.statements')}</h2>
            <StatementList missing={s.missing} arrived={s.arrived} />
          </section>
          <section className="card rec-runs" data-testid="reconcile-runs">
            <h2>{t('reconcile.runs')}</h2>
            {s.runs.length === 0 ? <p className="muted small">{t('reconcile.noRuns')}</p> : null}
            <ul>
              {s.runs.map((r) => (
                <li key={r.id}>
                  <button
                    type="button"
                    className={`rec-run${run?.id === r.id ? ' active' : ''}`}
                    aria-current={run?.id === r.id ? 'true' : undefined}
                    data-testid="reconcile-run-item"
                    data-run={r.id}
                    onClick={() => void s.openRun(r.id)}
                  >
                    <span>{t('reconcile.runBy', { time: f.time(r.at), name: r.by.name })}</span>
                    <small className="muted">
                      {t('reconcile.differences', { count: Object.entries(r.counts).reduce((n, [k, v]) => (k === 'matched' ? n : n + v), 0) })}
                      {r.unresolved !== 0 ? ` · ${f.money(r.unresolved)}` : ''}
                    </small>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <p className="muted small rec-keys">{t('reconcile.keysHelp')}</p>
        </aside>

        <div className="rec-main">
          {!run ? (
            <section className="card rec-empty" data-testid="reconcile-no-result">
              <p className="muted">{s.busy === 'load' || s.busy === 'open' ? t('common.loading') : t('reconcile.noResult')}</p>
            </section>
          ) : (
            <>
              <section className="card rec-summary" data-testid="reconcile-result" data-run={run.id} data-unresolved={run.unresolved}>
                <Donut counts={run.counts} />
                <div className="rec-summary-text">
                  <h2>
                    {t('reconcile.matchedOf', {
                      matched: run.counts.matched ?? 0,
                      total: Object.values(run.counts).reduce((a, b) => a + b, 0),
                    })}
                  </h2>
                  <p className="muted small">{t('reconcile.runAt', { time: f.dateTime(run.at), name: run.by.name })}</p>
                  {diffs.length === 0 ? (
                    <p className="ok-note" data-testid="reconcile-all-matched">
                      ✔ {t('reconcile.allMatched')}
                    </p>
                  ) : counts.open === 0 ? (
                    <p className="ok-note">✔ {t('reconcile.unresolvedNone')}</p>
                  ) : (
                    <p className="rec-suspense" data-testid="reconcile-unresolved">
                      {t('reconcile.unresolved', { amount: f.money(run.unresolved) })}
                    </p>
                  )}
                </div>
                <ClassBars counts={run.counts} />
              </section>

              <div className="rec-figures">
                <section className="card">
                  <h2>{t('reconcile.providers')}</h2>
                  <ProvidersTable run={run} />
                </section>
                <section className="card rec-cash-card">
                  <h2>{t('reconcile.cash')}</h2>
                  <CashList run={run} />
                </section>
              </div>

              <section className="card rec-diffs" data-testid="reconcile-differences">
                <div className="rec-diffs-head">
                  <h2>{t('reconcile.table')}</h2>
                  <FilterChips counts={counts} filter={s.filter} onFilter={s.setFilter} />
                </div>
                {shown.length === 0 ? (
                  <p className="muted empty" data-testid="reconcile-none-in-filter">
                    {diffs.length === 0 ? t('reconcile.allMatched') : t('reconcile.noneInFilter')}
                  </p>
                ) : (
                  <table className="rec-table rec-diff-table">
                    <thead>
                      <tr>
                        <th>{t('reconcile.colClass')}</th>
                        <th className="num">{t('reconcile.colAmount')}</th>
                        <th>{t('reconcile.colStatement')}</th>
                        <th>{t('reconcile.colTill')}</th>
                        <th>{t('reconcile.colAction')}</th>
                      </tr>
                    </thead>
                    <tbody ref={tableRef}>
                      {shown.map((d) => (
                        <DifferenceRow key={d.id} d={d} selected={selected?.id === d.id} asking={s.asking.includes(d.id)} onResolve={() => setResolving(d)} />
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            </>
          )}
        </div>
      </div>
      {resolving ? <ResolveDialog difference={resolving} onClose={() => setResolving(null)} /> : null}
    </div>
  )
}

function DifferenceRow({ d, selected, asking, onResolve }: { d: Difference; selected: boolean; asking: boolean; onResolve: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const select = useReconcile((s) => s.select)
  const ask = useReconcile((s) => s.ask)
  const res = d.resolution
  return (
    <tr
      className={`rec-diff${selected ? ' selected' : ''}${res ? ' resolved' : ''}`}
      tabIndex={0}
      data-id={d.id}
      data-testid="difference-row"
      data-class={d.class}
      data-provider={d.provider}
      data-minor={d.amount}
      data-resolved={res ? res.kind : ''}
      aria-selected={selected}
      onClick={() => select(d.id)}
      onFocus={() => select(d.id)}
    >
      <td className="rec-class-cell">
        <div className="rec-class-line">
          <ClassChip cls={d.class} />
          <span className="rec-provider">{providerLabel(t, d.provider)}</span>
        </div>
        <div className="rec-explain">{t(`reconcile.explain.${d.class}`)}</div>
        <div className="muted small rec-detail" data-testid="difference-detail" title={d.detail || undefined}>
          {diffSentence(t, f, d)}
        </div>
      </td>
      <td className="num">
        <Money minor={d.amount} className={d.amount < 0 ? 'rec-amount neg' : 'rec-amount'} />
      </td>
      <td>
        <StatementSide d={d} />
      </td>
      <td>
        <TillSide d={d} />
      </td>
      <td className="rec-action-cell">
        {res ? (
          <div className="rec-resolution" data-testid="difference-resolution" data-kind={res.kind}>
            <strong>✔ {t('reconcile.resolvedBy', { kind: t(`reconcile.kind.${res.kind}`), name: res.by.name, time: f.dateTime(res.at) })}</strong>
            <span className="rec-note-text">“{res.note}”</span>
            {res.correction ? (
              <span className="help" data-testid="difference-correction">
                {t('reconcile.correction.posted', { amount: f.money(d.amount), tax: f.money(res.correction.tax), rate: res.correction.rate, date: f.businessDate(res.correction.businessDate) })}
              </span>
            ) : null}
          </div>
        ) : (
          <div className="rec-buttons">
            <button
              type="button"
              className="btn secondary small"
              data-testid="difference-ask"
              disabled={asking}
              title={t('reconcile.askHelp')}
              onClick={(e) => {
                e.stopPropagation()
                select(d.id)
                void ask(d.id)
              }}
            >
              {asking ? t('reconcile.asking') : t('reconcile.ask')}
              {selected ? <kbd>{RECONCILE_KEYS.ask}</kbd> : null}
            </button>
            <button
              type="button"
              className="btn primary small"
              data-testid="difference-resolve"
              onClick={(e) => {
                e.stopPropagation()
                select(d.id)
                onResolve()
              }}
            >
              {t('reconcile.resolve')}
              {selected ? <kbd>{RECONCILE_KEYS.resolve}</kbd> : null}
            </button>
          </div>
        )}
        {d.lookup ? (
          <div className="rec-lookup small" data-testid="difference-lookup" data-status={d.lookup.status}>
            {t('reconcile.lookup', { provider: providerLabel(t, d.lookup.provider), status: t(`reconcile.lookupStatus.${d.lookup.status}`) })}
            {d.lookup.amount !== null ? ` · ${f.money(d.lookup.amount)}` : ''}
            {d.lookup.refunded ? ` · ${t('reconcile.lookupRefunded', { amount: f.money(d.lookup.refunded) })}` : ''}
            <small className="muted"> · {t('reconcile.lookupChecked', { time: f.time(d.lookup.checkedAt) })}</small>
          </div>
        ) : null}
      </td>
    </tr>
  )
}

/** The statements the till holds for the day, per provider, and what the last fetch said is missing. */
function StatementList({ missing, arrived }: { missing: Missing[] | null; arrived: string[] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const statements = useReconcile((s) => s.statements)
  const timeZone = useApp((s) => s.appInfo?.timeZone)
  const dayOf = (iso: string) => {
    try {
      return new Intl.DateTimeFormat(f.locale, { month: 'short', day: 'numeric', timeZone }).format(new Date(iso))
    } catch {
      return iso.slice(0, 10)
    }
  }
  const missingText = (m: Missing) => {
    const provider = providerLabel(t, m.provider)
    const date = f.businessDate(m.date)
    if (m.reason === 'not_yet_available')
      return m.availableAt ? t('reconcile.missingNotYet', { provider, date, time: f.time(m.availableAt), day: dayOf(m.availableAt) }) : t('reconcile.missingNotYetNoTime', { provider, date })
    if (m.reason === 'not_configured') return t('reconcile.missingNotConfigured', { provider, date })
    return t('reconcile.missingFailed', { provider, date, message: m.message })
  }
  const byProvider = STATEMENT_PROVIDERS.map((p) => ({ p, list: statements.filter((x) => x.provider === p) })).filter((x) => x.list.length > 0)
  return (
    <>
      {byProvider.length === 0 ? <p className="muted small">{t('reconcile.noStatements')}</p> : null}
      <ul className="rec-statement-list">
        {byProvider.map(({ p, list }) =>
          list.map((st) => (
            <li key={st.id} data-testid="reconcile-statement" data-provider={p} data-rows={st.rows} data-source={st.source} className={arrived.includes(st.id) ? 'arrived' : ''}>
              <div className="rec-st-head">
                <strong>{providerLabel(t, p)}</strong>
                <span className="muted small">
                  {f.businessDate(st.date)} · {t('reconcile.rows', { count: st.rows })} · {t(st.source === 'platform' ? 'reconcile.fromPlatform' : 'reconcile.fromFile')}
                </span>
                {arrived.includes(st.id) ? <span className="rec-new">{t('reconcile.arrived')}</span> : null}
              </div>
              <dl className="rec-st-figures">
                <dt>{t('reconcile.gross')}</dt>
                <dd>
                  <Money minor={st.gross} />
                </dd>
                <dt>{t('reconcile.fee')}</dt>
                <dd>
                  <Money minor={st.fee} />
                </dd>
                <dt>{t('reconcile.net')}</dt>
                <dd>
                  <Money minor={st.net} />
                </dd>
              </dl>
              {st.source === 'file' ? (
                <small className="muted mono rec-file" title={st.fileSha256}>
                  {st.fileName}
                </small>
              ) : null}
            </li>
          )),
        )}
      </ul>
      {missing && missing.length > 0 ? (
        <div className="rec-missing" data-testid="reconcile-missing">
          <h3>{t('reconcile.missingTitle')}</h3>
          <ul>
            {missing.map((m) => (
              <li key={`${m.provider}-${m.date}`} data-testid="reconcile-missing-item" data-provider={m.provider} data-reason={m.reason}>
                {missingText(m)}
              </li>
            ))}
          </ul>
        </div>
      ) : missing && missing.length === 0 ? (
        <p className="ok-note small">✔ {t('reconcile.allArrived')}</p>
      ) : null}
    </>
  )
}

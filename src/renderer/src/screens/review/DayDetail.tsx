import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ReviewDay } from '../../../../shared/review-contract'
import { Money } from '../../components/Money'
import { shortHash, taxName } from '../../lib/day'
import { useFormat } from '../../lib/format'
import { methodLabel } from '../../lib/payments'
import { useApp } from '../../store'
import { providerLabel } from '../reconcile/parts'
import { HourChart, TenderMixChart } from './Charts'

/**
 * One business day explained, every figure as the core gave it (the Z's, or the X's while open):
 * the headline, sales by hour and the tender mix, takings by tender, deductions and tax, fees and
 * payouts per provider, cash per shift, adjustments from closed days, and the Z itself.
 */

function Fig({ label, minor, currency, testId, neg = false, strong = false }: { label: ReactNode; minor: number; currency: string; testId?: string; neg?: boolean; strong?: boolean }) {
  return (
    <div className={strong ? 'rv-fig strong' : 'rv-fig'}>
      <dt>{label}</dt>
      <dd>
        {neg && minor !== 0 ? '−' : ''}
        <Money minor={minor} currency={currency} testId={testId} />
      </dd>
    </div>
  )
}

export function Headline({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  const fig = day.figures
  const c = day.currency
  return (
    <section className="card rv-headline" data-testid="review-headline">
      <div className="rv-kpi main">
        <small>{t('review.net')}</small>
        <Money minor={fig.net} currency={c} testId="review-net" className="rv-big" />
      </div>
      <div className="rv-kpi">
        <small>{t('review.gross')}</small>
        <Money minor={fig.grossSales} currency={c} testId="review-gross" />
      </div>
      <div className="rv-kpi">
        <small>{t('review.orders')}</small>
        <strong data-testid="review-orders">{fig.counts.orders}</strong>
      </div>
      <div className="rv-kpi">
        <small>{t('review.refunds')}</small>
        <span>
          {fig.refunds !== 0 ? '−' : ''}
          <Money minor={fig.refunds} currency={c} testId="review-refunds" />
        </span>
      </div>
      <div className="rv-kpi">
        <small>{t('review.discounts')}</small>
        <span>
          {fig.discounts !== 0 ? '−' : ''}
          <Money minor={fig.discounts} currency={c} testId="review-discounts" />
        </span>
      </div>
    </section>
  )
}

export function ChartsRow({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  return (
    <div className="rv-charts">
      <section className="card">
        <h2>{t('review.byHour')}</h2>
        <HourChart byHour={day.byHour} currency={day.currency} />
      </section>
      <section className="card">
        <h2>{t('review.tenderMix')}</h2>
        <TenderMixChart mix={day.tenderMix} currency={day.currency} />
      </section>
    </div>
  )
}

export function Takings({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  const settings = useApp((s) => s.settings)
  const fig = day.figures
  const c = day.currency
  return (
    <section className="card rv-takings" data-testid="review-takings">
      <h2>{t('review.takings')}</h2>
      <table className="rec-table">
        <thead>
          <tr>
            <th>{t('review.colMethod')}</th>
            <th className="num">{t('review.colSales')}</th>
            <th className="num">{t('review.colRefunds')}</th>
            <th className="num">{t('review.colNet')}</th>
          </tr>
        </thead>
        <tbody>
          {fig.tenders.map((x) => (
            <tr key={x.method} data-testid="review-tender" data-method={x.method} data-sales={x.sales} data-refunds={x.refunds} data-net={x.net}>
              <td>{methodLabel(t, x.method)}</td>
              <td className="num">
                <Money minor={x.sales} currency={c} />
              </td>
              <td className="num">{x.refunds !== 0 ? <Money minor={-x.refunds} currency={c} /> : '–'}</td>
              <td className="num">
                <strong>
                  <Money minor={x.net} currency={c} />
                </strong>
              </td>
            </tr>
          ))}
          {fig.tenders.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                {t('review.noSales')}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <dl className="rv-figs">
        <Fig label={t('review.gross')} minor={fig.grossSales} currency={c} />
        <Fig label={t('review.discounts')} minor={fig.discounts} currency={c} neg />
        <Fig label={t('review.refunds')} minor={fig.refunds} currency={c} neg />
        <Fig label={t('review.rounding')} minor={fig.rounding} currency={c} testId="review-rounding" />
        <Fig label={t('review.net')} minor={fig.net} currency={c} strong />
      </dl>
      {fig.taxes.length > 0 ? (
        <>
          <h3>{t('review.taxes')}</h3>
          <dl className="rv-figs">
            {fig.taxes.map((x) => (
              <Fig key={`${x.taxId}-${x.rate}`} label={taxName(settings, x.taxId, x.rate)} minor={x.net} currency={c} />
            ))}
          </dl>
        </>
      ) : null}
    </section>
  )
}

export function Payouts({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = day.currency
  return (
    <section className="card rv-payouts" data-testid="review-payouts">
      <h2>{t('review.payouts')}</h2>
      {day.fees.length === 0 ? (
        <p className="muted small">{t('review.noRun')}</p>
      ) : (
        <table className="rec-table">
          <thead>
            <tr>
              <th>{t('review.colProvider')}</th>
              <th className="num">{t('review.colGross')}</th>
              <th className="num">{t('review.colFee')}</th>
              <th className="num">{t('review.colPayout')}</th>
              <th>{t('review.colPayoutDate')}</th>
            </tr>
          </thead>
          <tbody>
            {day.fees.map((p) => (
              <tr key={p.provider} data-testid="review-fee" data-provider={p.provider} data-gross={p.gross} data-fee={p.fee} data-net={p.net}>
                <td>
                  <strong>{providerLabel(t, p.provider)}</strong>
                </td>
                <td className="num">
                  <Money minor={p.gross} currency={c} />
                </td>
                <td className="num">
                  <Money minor={-p.fee} currency={c} />
                </td>
                <td className="num">
                  <strong>
                    <Money minor={p.net} currency={c} />
                  </strong>
                </td>
                <td className="small">
                  {p.payouts.length === 0
                    ? '–'
                    : p.payouts.map((x) => (
                        <div key={x.date ?? 'none'}>
                          {x.date ? t('review.payoutOn', { date: f.businessDate(x.date), amount: f.money(x.amount, c) }) : t('review.payoutNoDate', { amount: f.money(x.amount, c) })}{' '}
                          {x.date ? (
                            <small className={x.received === null ? 'muted' : 'rv-received'} data-testid="review-payout-received">
                              {x.received === null ? t('review.payoutNotYet') : t('review.payoutReceived', { amount: f.money(x.received, c) })}
                            </small>
                          ) : null}
                        </div>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export function CashShifts({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = day.currency
  return (
    <section className="card rv-cash" data-testid="review-cash">
      <h2>{t('review.cash')}</h2>
      {day.shifts.length === 0 ? <p className="muted small">{t('review.noShifts')}</p> : null}
      <ul>
        {day.shifts.map((s) => {
          const tone = s.overShort === null ? 'none' : s.overShort > 0 ? 'over' : s.overShort < 0 ? 'short' : 'exact'
          return (
            <li key={s.shiftId} className={`tone-${tone}`} data-testid="review-shift" data-minor={s.overShort ?? ''}>
              <div className="rv-shift-head">
                <span className="avatar" aria-hidden="true">
                  {s.holder.name.slice(0, 1)}
                </span>
                <strong>{s.holder.name}</strong>
                <span className="rv-os">
                  {s.overShort === null
                    ? s.closedAt
                      ? t('reconcile.cashNotCounted')
                      : t('review.shiftOpen')
                    : s.overShort > 0
                      ? t('reconcile.over', { amount: f.money(s.overShort, c) })
                      : s.overShort < 0
                        ? t('reconcile.short', { amount: f.money(-s.overShort, c) })
                        : t('reconcile.exact')}
                </span>
              </div>
              <small className="muted">
                {t('review.shiftTimes', { from: f.time(s.openedAt), to: s.closedAt ? f.time(s.closedAt) : '…' })}
                {s.counted !== null ? ` · ${t('review.counted', { amount: f.money(s.counted, c), expected: s.expected === null ? '–' : f.money(s.expected, c) })}` : ''}
              </small>
              <small className="muted">
                {s.closedBy ? t('review.countedBy', { name: s.closedBy.name }) : ''}
                {s.approvedBy ? ` · ${t('review.approvedBy', { name: s.approvedBy.name })}` : ''}
                {s.reason ? ` · “${s.reason}”` : ''}
              </small>
            </li>
          )
        })}
      </ul>
      {day.figures.adjustments.length > 0 ? (
        <>
          <h3>{t('review.adjustments')}</h3>
          <ul className="rv-adjust" data-testid="review-adjustments">
            {day.figures.adjustments.map((a) => (
              <li key={a.seq}>
                <span>{t('review.adjustment', { kind: t(`report.postingKind.${a.kind as 'sale'}`, { defaultValue: a.kind }), date: f.businessDate(a.naturalDate.slice(0, 10)) })}</span>
                <Money minor={a.amount} currency={c} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}

export function ClosureCard({ day }: { day: ReviewDay }) {
  const { t } = useTranslation()
  const f = useFormat()
  const z = day.closure
  const c = day.currency
  return (
    <section className="card rv-z" data-testid="review-z" data-number={z?.number ?? ''}>
      <h2>{z ? t('review.zTitle', { number: z.number }) : t('review.zNone')}</h2>
      {z ? (
        <dl className="rv-figs">
          <div className="rv-fig">
            <dt>{t('review.zPeriod')}</dt>
            <dd>{z.fromDate === z.businessDate ? f.businessDate(z.businessDate) : `${f.businessDate(z.fromDate)} – ${f.businessDate(z.businessDate)}`}</dd>
          </div>
          <div className="rv-fig">
            <dt>{t('review.zClosed')}</dt>
            <dd>{t('review.zClosedBy', { time: f.dateTime(z.closedAt), name: z.closedBy.name })}</dd>
          </div>
          <Fig label={t('review.periodTotal')} minor={z.periodTotal} currency={c} testId="review-period-total" />
          <Fig label={t('review.previousGrand')} minor={z.previousGrandTotal} currency={c} />
          <Fig label={t('review.grandTotal')} minor={z.grandTotal} currency={c} strong testId="review-grand-total" />
          <div className="rv-fig">
            <dt>{t('review.journal')}</dt>
            <dd className="mono small">{t('review.journalRange', { first: z.firstSeq, last: z.lastSeq })}</dd>
          </div>
          <div className="rv-fig">
            <dt>{t('review.hash')}</dt>
            <dd className="mono small" title={z.hash} data-testid="review-z-hash">
              {shortHash(z.hash)}…
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted small">{t('review.zOpenHelp')}</p>
      )}
    </section>
  )
}

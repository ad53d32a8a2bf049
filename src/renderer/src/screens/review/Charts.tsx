import { useTranslation } from 'react-i18next'
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { ReviewDay, ReviewDays } from '../../../../shared/review-contract'
import { CURRENCY_EXPONENT } from '../../../../shared/money'
import { Money } from '../../components/Money'
import { isCurrency, useFormat } from '../../lib/format'
import { methodLabel } from '../../lib/payments'
import { hourSeries, METHOD_COLOUR, tenderMix, trendSeries, type HourPoint, type TrendPoint } from '../../lib/review'

/**
 * The review's pictures, drawn with Recharts (SVG, no eval, so the page's CSP holds): the last 30
 * days' net, sales by hour and the tender mix. Every chart has its figures as text beside or in
 * its label too, and its data in data-* attributes for the tests.
 */

const ACCENT = '#0f766e'
const ACCENT_SOFT = '#8fc9c1'
const AXIS = { fontSize: 12, fill: '#5b6472' }

function exponentOf(currency: string): number {
  return isCurrency(currency) ? CURRENCY_EXPONENT[currency] : 2
}

/** Axis ticks in whole units, shortened (¥1.2k / ¥1.2万). */
function useAxisMoney() {
  const f = useFormat()
  return (v: number) => `${f.currencySymbol}${new Intl.NumberFormat(f.locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v)}`
}

interface TipProps<P> {
  active?: boolean
  payload?: readonly { payload?: P }[]
}

function TrendTip({ active, payload }: TipProps<TrendPoint>) {
  const f = useFormat()
  const p = payload?.[0]?.payload
  if (!active || !p) return null
  return (
    <div className="rv-tip">
      <strong>{f.businessDate(p.businessDate)}</strong>
      <span>{f.money(p.net)}</span>
    </div>
  )
}

/** The last 30 business days' net sales; the day on screen darker; a click opens a day. */
export function TrendChart({ trend, selected, currency, onPick, height = 120 }: { trend: ReviewDays['trend']; selected: string | null; currency: string; onPick: (date: string) => void; height?: number }) {
  const { t } = useTranslation()
  const f = useFormat()
  const data = trendSeries(trend, selected, exponentOf(currency))
  // a narrow card: the axis in plain compact numbers (the title says what they are)
  const axisNumber = (v: number) => new Intl.NumberFormat(f.locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v)
  const total = data.reduce((s, p) => s + p.net, 0)
  return (
    <figure className="rv-chart rv-trend" data-testid="review-trend" data-points={data.length} data-total={total} aria-label={t('review.trendLabel', { total: f.money(total) })}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 240, height }}>
        <BarChart data={data} margin={{ top: 6, right: 4, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="#eef0f3" />
          <XAxis dataKey="businessDate" tick={AXIS} tickLine={false} axisLine={false} interval="preserveStartEnd" minTickGap={14} tickFormatter={(d: string) => String(Number(d.slice(8)))} />
          <YAxis tick={AXIS} tickLine={false} axisLine={false} width={40} tickFormatter={axisNumber} tickCount={3} />
          <Tooltip content={<TrendTip />} cursor={{ fill: 'rgba(15,118,110,0.08)' }} isAnimationActive={false} />
          <Bar dataKey="value" radius={[3, 3, 0, 0]} isAnimationActive={false} onClick={(_: unknown, i: number) => data[i] && onPick(data[i].businessDate)} cursor="pointer">
            {data.map((p) => (
              <Cell key={p.businessDate} fill={p.selected ? ACCENT : ACCENT_SOFT} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  )
}

function HourTip({ active, payload }: TipProps<HourPoint>) {
  const { t } = useTranslation()
  const f = useFormat()
  const p = payload?.[0]?.payload
  if (!active || !p) return null
  return (
    <div className="rv-tip">
      <strong>{t('review.hourRange', { from: p.label, to: String(p.hour + 1).padStart(2, '0') })}</strong>
      <span>{f.money(p.net)}</span>
      <small>{t('review.ordersCount', { count: p.orders })}</small>
    </div>
  )
}

/** Net sales by hour of the day (the store's clock), trimmed to the hours traded. */
export function HourChart({ byHour, currency, height = 190 }: { byHour: ReviewDay['byHour']; currency: string; height?: number }) {
  const { t } = useTranslation()
  const axisMoney = useAxisMoney()
  const data = hourSeries(byHour, exponentOf(currency))
  const peak = data.reduce<HourPoint | null>((best, h) => (h.net > (best?.net ?? 0) ? h : best), null)
  return (
    <figure className="rv-chart" data-testid="review-hours" data-hours={data.map((h) => `${h.hour}:${h.net}`).join(',')} aria-label={t('review.hoursLabel')}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 400, height }}>
        <BarChart data={data} margin={{ top: 8, right: 6, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="#eef0f3" />
          <XAxis dataKey="label" tick={AXIS} tickLine={false} axisLine={{ stroke: '#d5d9e0' }} interval={data.length > 16 ? 2 : data.length > 10 ? 1 : 0} />
          <YAxis tick={AXIS} tickLine={false} axisLine={false} width={52} tickFormatter={axisMoney} tickCount={4} />
          <Tooltip content={<HourTip />} cursor={{ fill: 'rgba(15,118,110,0.08)' }} isAnimationActive={false} />
          <Bar dataKey="value" radius={[3, 3, 0, 0]} isAnimationActive={false}>
            {data.map((h) => (
              <Cell key={h.hour} fill={peak && h.hour === peak.hour ? ACCENT : ACCENT_SOFT} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      {peak ? (
        <figcaption className="muted small" data-testid="review-peak">
          {t('review.peak', { from: peak.label, to: String(peak.hour + 1).padStart(2, '0'), count: peak.orders })}
        </figcaption>
      ) : (
        <figcaption className="muted small">{t('review.noSales')}</figcaption>
      )}
    </figure>
  )
}

/** The tender mix: a ring of each method's net takings, with the figures and shares beside it. */
export function TenderMixChart({ mix, currency, size = 150 }: { mix: ReviewDay['tenderMix']; currency: string; size?: number }) {
  const { t } = useTranslation()
  const slices = tenderMix(mix, exponentOf(currency))
  if (slices.length === 0) return <p className="muted small">{t('review.noSales')}</p>
  return (
    <div className="rv-mix" data-testid="review-mix">
      <div className="rv-mix-ring" style={{ width: size, height: size }}>
        <PieChart width={size} height={size}>
          <Pie data={slices} dataKey="value" nameKey="method" innerRadius={size * 0.3} outerRadius={size * 0.48} paddingAngle={slices.length > 1 ? 1.5 : 0} stroke="none" isAnimationActive={false}>
            {slices.map((s) => (
              <Cell key={s.method} fill={METHOD_COLOUR[s.method]} />
            ))}
          </Pie>
        </PieChart>
      </div>
      <ul className="rv-mix-legend">
        {slices.map((s) => (
          <li key={s.method} data-testid="review-mix-item" data-method={s.method} data-net={s.net}>
            <span className="rec-dot" style={{ background: METHOD_COLOUR[s.method] }} aria-hidden="true" />
            <span className="rv-mix-name">{methodLabel(t, s.method)}</span>
            <Money minor={s.net} currency={currency} />
            <small className="muted">{Math.round(s.share * 100)}%</small>
          </li>
        ))}
      </ul>
    </div>
  )
}

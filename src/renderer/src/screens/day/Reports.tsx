import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { Settings } from '../../../../shared/contract'
import { countTotal } from '../../../../shared/denominations'
import type { Closure, DayReport, Shift } from '../../../../shared/shifts-contract'
import { denominationText } from '../../components/DenominationGrid'
import { Money } from '../../components/Money'
import { movementKindLabel, movementReasonLabel, shortHash, taxName } from '../../lib/day'
import { useFormat } from '../../lib/format'
import { methodLabel } from '../../lib/payments'

/**
 * The printed reports of the end of the day: the X (any time, not a closure), the Z (the
 * closure) and the shift report. They only show what they are given, so tests render them as
 * they are; each prints on 80 mm paper or on A4 (`format`).
 */

export type PaperFormat = '80mm' | 'a4'

type Figures = NonNullable<DayReport['figures']>

/** What an X and a Z have in common, as the paper shows it. */
export interface DayPaperData {
  kind: 'X' | 'Z'
  storeName: string
  deviceCode: string
  currency: string
  businessDate: string
  fromDate: string
  firstSeq: number
  lastSeq: number
  /** When the X was made, or the Z closed. */
  at: string
  /** Null (with the totals) on an X a cashier sees while a shift is open on a blind count. */
  figures: Figures | null
  periodTotal: number | null
  previousGrandTotal: number
  grandTotal: number | null
  closure: { number: number; lastHash: string; hash: string; closedBy: string; journalSeq: number } | null
  shifts: Shift[]
}

export function fromReport(x: DayReport): DayPaperData {
  return { ...x, kind: 'X', closure: null }
}

export function fromClosure(c: Closure): DayPaperData {
  return {
    kind: 'Z',
    storeName: c.storeName,
    deviceCode: c.deviceCode,
    currency: c.currency,
    businessDate: c.businessDate,
    fromDate: c.fromDate,
    firstSeq: c.firstSeq,
    lastSeq: c.lastSeq,
    at: c.closedAt,
    figures: c.figures,
    periodTotal: c.periodTotal,
    previousGrandTotal: c.previousGrandTotal,
    grandTotal: c.grandTotal,
    closure: { number: c.number, lastHash: c.lastHash, hash: c.hash, closedBy: c.closedBy.name, journalSeq: c.journalSeq },
    shifts: [],
  }
}

function Row({ label, minor, currency, testId, neg = false, strong = false, extra }: { label: ReactNode; minor: number; currency: string; testId?: string; neg?: boolean; strong?: boolean; extra?: Record<string, string | number> }) {
  return (
    <div className={strong ? 'r-row rp-strong' : 'r-row'} data-testid={testId ? `${testId}-row` : undefined} {...Object.fromEntries(Object.entries(extra ?? {}).map(([k, v]) => [`data-${k}`, v]))}>
      <span>{label}</span>
      <span>
        {neg && minor !== 0 ? '−' : ''}
        <Money minor={minor} currency={currency} testId={testId} />
      </span>
    </div>
  )
}

function Plain({ label, value, testId }: { label: ReactNode; value: ReactNode; testId?: string }) {
  return (
    <div className="r-row">
      <span>{label}</span>
      <span data-testid={testId}>{value}</span>
    </div>
  )
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="rp-section" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </section>
  )
}

/** In place of figures a blind count keeps from a cashier until the count is in. */
export function HiddenUntilCounted() {
  const { t } = useTranslation()
  return (
    <p className="rp-none blind-hidden" data-testid="blind-hidden">
      {t('report.hiddenBlind')}
    </p>
  )
}

/** The figures every report shows: counts, sales, tenders, taxes, cash, adjustments. */
export function FigureSections({ figures, currency, settings }: { figures: Figures; currency: string; settings: Settings | null }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = figures.counts
  const cash = figures.cash
  return (
    <>
      <Section title={t('report.counts')} testId="report-counts">
        <Plain label={t('report.orders')} value={c.orders} testId="report-count-orders" />
        <Plain label={t('report.refundsCount')} value={c.refunds} testId="report-count-refunds" />
        <Plain label={t('report.voids')} value={c.voids} testId="report-count-voids" />
        <Plain label={t('report.reprints')} value={c.reprints} testId="report-count-reprints" />
        <Plain label={t('report.cashMovements')} value={c.cashMovements} testId="report-count-movements" />
        <Plain label={t('report.shifts')} value={t('report.shiftsValue', { opened: c.shiftsOpened, closed: c.shiftsClosed })} />
      </Section>
      <Section title={t('report.sales')} testId="report-sales">
        <Row label={t('report.gross')} minor={figures.grossSales} currency={currency} testId="report-gross" />
        <Row label={t('report.discounts')} minor={figures.discounts} currency={currency} testId="report-discounts" neg />
        <Row label={t('report.refunds')} minor={figures.refunds} currency={currency} testId="report-refunds" neg />
        <Row label={t('report.rounding')} minor={figures.rounding} currency={currency} testId="report-rounding" />
        <Row label={t('report.net')} minor={figures.net} currency={currency} testId="report-net" strong />
      </Section>
      <Section title={t('report.tenders')} testId="report-tenders">
        <InOutNetTable
          head={[t('report.method'), t('report.tenderSales'), t('report.tenderRefunds'), t('report.tenderNet')]}
          currency={currency}
          rows={figures.tenders.map((x) => ({
            key: x.method,
            label: methodLabel(t, x.method),
            in: x.sales,
            out: x.refunds,
            net: x.net,
            attrs: { 'data-testid': 'report-tender', 'data-method': x.method, 'data-sales': x.sales, 'data-refunds': x.refunds, 'data-net': x.net },
          }))}
        />
      </Section>
      <Section title={t('report.taxes')} testId="report-taxes">
        <InOutNetTable
          head={[t('report.tax'), t('report.taxCollected'), t('report.taxRefunded'), t('report.taxNet')]}
          currency={currency}
          rows={figures.taxes.map((x) => ({
            key: `${x.taxId}-${x.rate}`,
            label: taxName(settings, x.taxId, x.rate),
            in: x.collected,
            out: x.refunded,
            net: x.net,
            attrs: { 'data-testid': 'report-tax', 'data-tax-id': x.taxId, 'data-rate': x.rate, 'data-net': x.net },
          }))}
        />
      </Section>
      <Section title={t('report.cash')} testId="report-cash">
        <Row label={t('report.cashReceived')} minor={cash.received} currency={currency} testId="report-cash-received" />
        <Row label={t('report.changeGiven')} minor={cash.change} currency={currency} testId="report-cash-change" neg />
        <Row label={t('report.cashRefunds')} minor={cash.refunds} currency={currency} testId="report-cash-refunds" neg />
        <Row label={t('report.payIns')} minor={cash.payIns} currency={currency} testId="report-cash-payins" />
        <Row label={t('report.payOuts')} minor={cash.payOuts} currency={currency} testId="report-cash-payouts" neg />
        <Row label={t('report.safeDrops')} minor={cash.safeDrops} currency={currency} testId="report-cash-safedrops" neg />
        <Row label={t('report.overShort')} minor={cash.overShort} currency={currency} testId="report-over-short" strong />
      </Section>
      {figures.adjustments.length > 0 ? (
        <Section title={t('report.adjustments')} testId="report-adjustments">
          <p className="rp-note">{t('report.adjustmentsHelp')}</p>
          {figures.adjustments.map((a) => (
            <div className="r-row" key={a.seq} data-testid="report-adjustment">
              <span>{t('report.adjustment', { seq: a.seq, kind: t(`report.postingKind.${a.kind as 'sale'}`, { defaultValue: a.kind }), date: f.businessDate(a.naturalDate) })}</span>
              <span>{f.money(a.amount, currency)}</span>
            </div>
          ))}
        </Section>
      ) : null}
    </>
  )
}

/** The X or the Z on paper. */
export function DayPaper({ data, format, settings, duplicate = false }: { data: DayPaperData; format: PaperFormat; settings: Settings | null; duplicate?: boolean }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = data.currency
  const z = data.closure
  return (
    <article
      className={`report-paper paper-${format} report-${data.kind.toLowerCase()}`}
      data-testid={data.kind === 'X' ? 'x-report' : 'z-report'}
      data-format={format}
      data-closure-number={z?.number}
    >
      {duplicate ? (
        <div className="duplicate" data-testid="z-duplicate">
          {t('report.duplicate')}
        </div>
      ) : null}
      {data.kind === 'X' ? (
        <div className="x-mark" data-testid="x-mark">
          {t('report.xMark')}
          <small>{t('report.xMarkHelp')}</small>
        </div>
      ) : (
        <div className="z-mark" data-testid="z-mark">
          {t('report.zMark', { number: z?.number ?? '' })}
        </div>
      )}
      <header className="r-head">
        <h2 className="r-store">{data.storeName}</h2>
        <div className="r-meta">
          <div>
            <span>{t('report.till')}</span>
            <span>{data.deviceCode}</span>
          </div>
          <div>
            <span>{t('report.businessDate')}</span>
            <strong data-testid="report-business-date" data-date={data.businessDate}>
              {f.businessDate(data.businessDate)}
            </strong>
          </div>
          {data.fromDate !== data.businessDate ? (
            <div>
              <span>{t('report.fromDate')}</span>
              <span>{f.businessDate(data.fromDate)}</span>
            </div>
          ) : null}
          {z ? (
            <div>
              <span>{t('report.closureNo')}</span>
              <strong data-testid="report-closure-number">{z.number}</strong>
            </div>
          ) : null}
          <div>
            <span>{z ? t('report.closedAt') : t('report.madeAt')}</span>
            <span>{f.dateTime(data.at)}</span>
          </div>
          {z ? (
            <div>
              <span>{t('report.closedBy')}</span>
              <span>{z.closedBy}</span>
            </div>
          ) : null}
          <div>
            <span>{t('report.seqRange')}</span>
            <span data-testid="report-seq" className="mono">
              {data.lastSeq >= data.firstSeq ? t('report.seqValue', { first: data.firstSeq, last: data.lastSeq }) : t('report.seqNone')}
            </span>
          </div>
          {z ? (
            <div>
              <span>{t('report.lastHash')}</span>
              <span className="mono" data-testid="report-last-hash" title={z.lastHash}>
                {shortHash(z.lastHash)}
              </span>
            </div>
          ) : null}
        </div>
      </header>
      <div className="rp-body">
        {data.figures ? <FigureSections figures={data.figures} currency={c} settings={settings} /> : <HiddenUntilCounted />}
        {data.kind === 'X' && data.shifts.length > 0 ? (
          <Section title={t('report.shiftsTitle')} testId="report-shifts">
            {data.shifts.map((s) => (
              <div key={s.id} className="rp-shift" data-testid="report-shift" data-state={s.state}>
                <div className="r-row">
                  <strong>{s.holder.name}</strong>
                  <span>{s.state === 'open' ? t('report.shiftOpenSince', { time: f.time(s.openedAt) }) : t('report.shiftClosedAt', { time: f.time(s.closedAt ?? s.openedAt) })}</span>
                </div>
                <Row label={t('report.float')} minor={s.float} currency={c} />
                {s.overShort !== null ? <Row label={t('report.overShort')} minor={s.overShort} currency={c} /> : null}
              </div>
            ))}
          </Section>
        ) : null}
        <Section title={t('report.totals')} testId="report-totals">
          {data.periodTotal !== null ? <Row label={t('report.periodTotal')} minor={data.periodTotal} currency={c} testId="report-period-total" strong /> : null}
          <Row label={t('report.previousGrandTotal')} minor={data.previousGrandTotal} currency={c} testId="report-previous-grand-total" />
          {data.grandTotal !== null ? (
            <Row label={data.kind === 'X' ? t('report.grandTotalIf') : t('report.grandTotal')} minor={data.grandTotal} currency={c} testId="report-grand-total" strong />
          ) : (
            <HiddenUntilCounted />
          )}
        </Section>
      </div>
      {z ? (
        <p className="r-journal" data-testid="report-journal">
          {t('report.journal', { seq: z.journalSeq, hash: shortHash(z.hash) })}
        </p>
      ) : (
        <p className="r-journal">{t('report.xFooter')}</p>
      )}
    </article>
  )
}

/** What the drawer should hold: the float and every cash line of the shift, to the expected amount. */
export function ExpectedBreakdown({ shift, expected }: { shift: Shift; expected: number | null }) {
  const { t } = useTranslation()
  const c = shift.currency
  if (!shift.figures) return <HiddenUntilCounted />
  const cash = shift.figures.cash
  return (
    <div className="rp-breakdown" data-testid="expected-breakdown">
      <Row label={t('report.float')} minor={shift.float} currency={c} />
      <Row label={`+ ${t('report.cashReceived')}`} minor={cash.received} currency={c} />
      <Row label={`− ${t('report.changeGiven')}`} minor={cash.change} currency={c} />
      <Row label={`− ${t('report.cashRefunds')}`} minor={cash.refunds} currency={c} />
      <Row label={`+ ${t('report.payIns')}`} minor={cash.payIns} currency={c} />
      <Row label={`− ${t('report.payOuts')}`} minor={cash.payOuts} currency={c} />
      <Row label={`− ${t('report.safeDrops')}`} minor={cash.safeDrops} currency={c} />
      {expected !== null ? <Row label={`= ${t('report.expected')}`} minor={expected} currency={c} testId="shift-expected" strong /> : null}
    </div>
  )
}

/** The shift report: who, when, the float, the takings, the drawer's expected, counted and over/short, what stays. */
export function ShiftPaper({ shift, format, settings, storeName }: { shift: Shift; format: PaperFormat; settings: Settings | null; storeName: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = shift.currency
  const toSafe = shift.counted !== null && shift.left !== null ? shift.counted - shift.left : null
  return (
    <article className={`report-paper paper-${format} report-shift`} data-testid="shift-report" data-format={format} data-shift-id={shift.id} data-state={shift.state}>
      <div className="z-mark">{shift.state === 'closed' ? t('report.shiftTitle') : t('report.shiftTitleOpen')}</div>
      <header className="r-head">
        <h2 className="r-store">{storeName}</h2>
        <div className="r-meta">
          <div>
            <span>{t('report.till')}</span>
            <span>{shift.deviceCode}</span>
          </div>
          <div>
            <span>{t('report.businessDate')}</span>
            <span>{f.businessDate(shift.businessDate)}</span>
          </div>
          <div>
            <span>{t('report.shiftNo')}</span>
            <span className="mono">{shift.id.slice(-8)}</span>
          </div>
          <div>
            <span>{t('report.openedBy')}</span>
            <span>
              {shift.openedBy.name} · {f.dateTime(shift.openedAt)}
            </span>
          </div>
          {shift.holder.id !== shift.openedBy.id ? (
            <div>
              <span>{t('report.heldBy')}</span>
              <span>{shift.holder.name}</span>
            </div>
          ) : null}
          {shift.closedAt ? (
            <div>
              <span>{t('report.shiftClosedBy')}</span>
              <span>
                {shift.closedBy?.name ?? ''} · {f.dateTime(shift.closedAt)}
              </span>
            </div>
          ) : null}
        </div>
      </header>
      <div className="rp-body">
        <Section title={t('report.drawer')} testId="shift-drawer">
          <ExpectedBreakdown shift={shift} expected={shift.expected} />
          {shift.firstCount ? (
            <>
              <Row label={t('report.firstCount')} minor={shift.firstCount.counted} currency={c} testId="shift-first-count" />
              {shift.firstCount.overShort !== null ? (
                <Row label={t('report.firstOverShort')} minor={shift.firstCount.overShort} currency={c} testId="shift-first-over-short" extra={{ signed: shift.firstCount.overShort }} />
              ) : null}
            </>
          ) : null}
          {shift.counted !== null ? <Row label={shift.firstCount ? t('report.finalCount') : t('report.counted')} minor={shift.counted} currency={c} testId="shift-counted" strong /> : null}
          {shift.overShort !== null ? (
            <Row
              label={shift.overShort < 0 ? t('report.short') : shift.overShort > 0 ? t('report.over') : t('report.overShort')}
              minor={Math.abs(shift.overShort)}
              currency={c}
              testId="shift-over-short"
              strong
              extra={{ signed: shift.overShort }}
            />
          ) : null}
          {shift.overShortReason ? <Plain label={t('report.reason')} value={shift.overShortReason} testId="shift-reason" /> : null}
          {shift.approvedBy ? <Plain label={t('report.approvedBy')} value={shift.approvedBy.name} testId="shift-approved-by" /> : null}
          {shift.left !== null ? <Row label={t('report.left')} minor={shift.left} currency={c} testId="shift-left" /> : null}
          {toSafe !== null ? <Row label={t('report.toSafe')} minor={toSafe} currency={c} testId="shift-to-safe" /> : null}
        </Section>
        {shift.closingCount && shift.closingCount.length > 0 ? (
          <Section title={t('report.closingCount')} testId="shift-count">
            <CountTable lines={shift.closingCount} currency={c} />
          </Section>
        ) : null}
        <Section title={t('report.openingCount')}>
          {shift.openingCount.length === 0 ? <p className="rp-none">{t('report.none')}</p> : <CountTable lines={shift.openingCount} currency={c} />}
        </Section>
        <Section title={t('report.movements')} testId="shift-movements">
          {shift.movements.length === 0 ? <p className="rp-none">{t('report.none')}</p> : null}
          {shift.movements.map((m) => (
            <div key={m.id} className="rp-movement" data-testid="shift-movement" data-kind={m.kind} data-minor={m.amount}>
              <div className="r-row">
                <span>
                  {f.time(m.at)} {movementKindLabel(t, m.kind)} · {movementReasonLabel(t, m.reason)}
                </span>
                <span>
                  {m.kind === 'pay_in' ? '' : '−'}
                  {f.money(m.amount, c)}
                </span>
              </div>
              <div className="r-row r-sub">
                <span>
                  {m.note ? `${m.note} · ` : ''}
                  {m.staff.name}
                  {m.approvedBy ? ` · ${t('report.approvedByShort', { name: m.approvedBy.name })}` : ''}
                </span>
              </div>
            </div>
          ))}
        </Section>
        {shift.figures ? <FigureSections figures={shift.figures} currency={c} settings={settings} /> : null}
      </div>
    </article>
  )
}

function CountTable({ lines, currency }: { lines: Shift['openingCount']; currency: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <table className="rp-table count-table">
      <tbody>
        {lines.map((l, i) => (
          <tr key={`${l.kind}-${l.value}-${i}`}>
            <td>{l.kind === 'amount' ? t('count.amount') : t(l.kind === 'note' ? 'count.note' : 'count.coin', { value: denominationText(l.value, currency, f.locale) })}</td>
            <td className="num">{l.kind === 'amount' ? '' : `× ${l.count}`}</td>
            <td className="num">{f.money(countTotal([l]), currency)}</td>
          </tr>
        ))}
        <tr className="rp-strong">
          <td>{t('count.total')}</td>
          <td />
          <td className="num">{f.money(countTotal(lines), currency)}</td>
        </tr>
      </tbody>
    </table>
  )
}

/** Money in, money back and net per row (takings by payment method, tax by tax), or "none". */
function InOutNetTable(props: {
  head: [string, string, string, string]
  currency: string
  rows: { key: string; label: string; in: number; out: number; net: number; attrs: Record<string, string | number> }[]
}): React.JSX.Element {
  const { t } = useTranslation()
  const f = useFormat()
  const { currency } = props
  if (props.rows.length === 0) return <p className="rp-none">{t('report.none')}</p>
  return (
    <table className="rp-table">
      <thead>
        <tr>
          <th>{props.head[0]}</th>
          <th className="num">{props.head[1]}</th>
          <th className="num">{props.head[2]}</th>
          <th className="num">{props.head[3]}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key} {...r.attrs}>
            <td>{r.label}</td>
            <td className="num">{f.money(r.in, currency)}</td>
            <td className="num">{r.out ? `−${f.money(r.out, currency)}` : f.money(0, currency)}</td>
            <td className="num">{f.money(r.net, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

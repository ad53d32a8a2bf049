import { Fragment, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../../shared/errors'
import { newId } from '../../../../shared/ids'
import type { Closure, DayBlocker, DayReport, Shift } from '../../../../shared/shifts-contract'
import { invoke } from '../../api'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { blockerHint, blockerText, movementKindLabel, movementReasonLabel } from '../../lib/day'
import { useFormat } from '../../lib/format'
import { methodLabel } from '../../lib/payments'
import { useApp } from '../../store'
import type { DayView } from '../../store/day'
import { CashMoveDialog } from './CashMoveDialog'
import { CloseShiftView, DifferenceLine } from './CloseShift'
import { OpenShiftDialog } from './OpenShiftDialog'
import { DayPaper, fromClosure, fromReport, HiddenUntilCounted, ShiftPaper, type PaperFormat } from './Reports'
import { NoSaleDialog } from '../../components/NoSaleDialog'
import { PrintOnPrinterButton, usePrinterOn } from '../../components/PrintButton'
import { PrintStatus } from '../../components/PrintStatus'

const get = useApp.getState

/** Keys of the day screen's overview (shown on its buttons). */
export const DAY_KEYS = { open: 'F2', move: 'F3', x: 'F4', close: 'F6', takeOver: 'F7', z: 'F8', closures: 'F9' } as const
/** Keys of a printable report. */
export const PRINT_KEYS = { '80mm': 'F6', a4: 'F7' } as const

type LocalDialog = null | 'open' | 'move' | 'no-sale'

/**
 * Shifts, cash and the daily close: the business day's status, this till's shift and who holds
 * it, and the actions — open a shift, pay in / pay out / safe drop, the X, close the shift, take
 * over, the Z and the past Zs. Reached from the nav and from the day status in the top bar.
 */
export function DayScreen() {
  const view = useApp((s) => s.dayView)
  const setDayView = useApp((s) => s.setDayView)
  const [dialog, setDialog] = useState<LocalDialog>(null)
  const dialogRef = useRef(dialog)
  dialogRef.current = dialog

  // Esc leaves a report or a count for the overview (dialogs close themselves first).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || dialogRef.current || e.defaultPrevented) return
      const s = get()
      if (s.screen !== 'day' || s.dialog) return
      const v = s.dayView
      if (v.kind === 'home') return
      e.preventDefault()
      s.setDayView(v.kind === 'z-report' && v.from === 'list' ? { kind: 'closures' } : { kind: 'home' })
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  let body: React.ReactNode
  switch (view.kind) {
    case 'home':
      body = <DayHome dialogOpen={dialog !== null} onDialog={setDialog} />
      break
    case 'x':
      body = <XView />
      break
    case 'close-shift':
      body = <CloseShiftView shiftId={view.shiftId} onBack={() => setDayView({ kind: 'home' })} onClosed={(shift) => setDayView({ kind: 'shift-report', shift })} />
      break
    case 'shift-report':
      body = <ShiftReportView shift={view.shift} />
      break
    case 'z':
      body = <ZView />
      break
    case 'z-report':
      body = <ZReportView closure={view.closure} from={view.from} />
      break
    case 'closures':
      body = <ClosuresView />
      break
  }

  return (
    <div className="day-screen" data-testid="day-screen" data-view={view.kind}>
      <DayHeader view={view} />
      <div className="day-body">{body}</div>
      {dialog === 'open' ? <OpenShiftDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'move' ? <CashMoveDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'no-sale' ? <NoSaleDialog onClose={() => setDialog(null)} onOpenShift={() => setDialog('open')} /> : null}
    </div>
  )
}

function DayHeader({ view }: { view: DayView }) {
  const { t } = useTranslation()
  const f = useFormat()
  const till = useApp((s) => s.till)
  const setDayView = useApp((s) => s.setDayView)
  const titles: Record<DayView['kind'], string> = {
    home: t('day.title'),
    x: t('day.xTitle'),
    'close-shift': t('day.closeShiftTitle'),
    'shift-report': t('day.shiftReportTitle'),
    z: t('day.zTitle'),
    'z-report': t('day.zReportTitle'),
    closures: t('day.closuresTitle'),
  }
  return (
    <header className="day-head no-print">
      {view.kind !== 'home' ? (
        <button
          type="button"
          className="btn secondary"
          data-testid="day-back"
          onClick={() => setDayView(view.kind === 'z-report' && view.from === 'list' ? { kind: 'closures' } : { kind: 'home' })}
        >
          ← {t('day.back')} <kbd>{t('common.esc')}</kbd>
        </button>
      ) : null}
      <h1>{titles[view.kind]}</h1>
      {till ? (
        <span className={`day-status status-${till.dayStatus}`} data-testid="day-status" data-status={till.dayStatus}>
          {t('day.businessDayIs', { date: f.businessDate(till.businessDate) })} · {t(`day.status.${till.dayStatus}`)}
        </span>
      ) : null}
      {till?.lastClosure ? (
        <span className="muted small">{t('day.lastZ', { number: till.lastClosure.number, date: f.businessDate(till.lastClosure.businessDate) })}</span>
      ) : till ? (
        <span className="muted small">{t('day.noZ')}</span>
      ) : null}
    </header>
  )
}

// ---- overview ------------------------------------------------------------------------------------

function DayHome({ dialogOpen, onDialog }: { dialogOpen: boolean; onDialog: (d: LocalDialog) => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const till = useApp((s) => s.till)
  const session = useApp((s) => s.session)
  const dayVersion = useApp((s) => s.dayVersion)
  const setDayView = useApp((s) => s.setDayView)
  const dayChanged = useApp((s) => s.dayChanged)
  const info = useApp((s) => s.info)
  const [shift, setShift] = useState<Shift | null>(null)
  const [shifts, setShifts] = useState<Shift[]>([])
  const [error, setError] = useState<ErrorData | null>(null)
  const [busy, setBusy] = useState(false)

  const shiftId = till?.shift?.id ?? null
  const businessDate = till?.businessDate
  useEffect(() => {
    let live = true
    if (shiftId) {
      void invoke('shift-get', { shiftId }).then((r) => {
        if (live && r.ok) setShift(r.value)
      })
    } else setShift(null)
    void invoke('shift-list', businessDate ? { businessDate } : {}).then((r) => {
      if (live && r.ok) setShifts(r.value)
    })
    return () => {
      live = false
    }
  }, [shiftId, businessDate, dayVersion])

  const me = session?.staff
  const supervisor = me?.role === 'supervisor' || me?.role === 'owner'
  const open = till?.shift ?? null
  const mine = open !== null && open.holder.id === me?.id
  const canAct = open !== null && (mine || supervisor)

  const takeOver = async () => {
    if (!open || busy) return
    setBusy(true)
    setError(null)
    const r = await invoke('shift-takeover', { shiftId: open.id })
    setBusy(false)
    if (!r.ok) {
      setError(r.error)
      return
    }
    dayChanged()
    info(t('day.tookOver', { name: r.value.openedBy.name }))
  }

  const actions: { id: keyof typeof DAY_KEYS; label: string; show: boolean; enabled: boolean; run: () => void; primary?: boolean; note?: string }[] = [
    { id: 'open', label: t('day.openShift'), show: open === null, enabled: open === null, run: () => onDialog('open'), primary: true },
    { id: 'move', label: t('day.cashMove'), show: true, enabled: canAct, run: () => onDialog('move') },
    { id: 'x', label: t('day.xReport'), show: true, enabled: true, run: () => setDayView({ kind: 'x' }) },
    { id: 'close', label: t('day.closeShift'), show: open !== null, enabled: canAct, run: () => open && setDayView({ kind: 'close-shift', shiftId: open.id }), primary: true },
    { id: 'takeOver', label: t('day.takeOver'), show: open !== null && !mine && supervisor, enabled: !busy, run: () => void takeOver() },
    {
      id: 'z',
      label: t('day.closeDay'),
      show: true,
      enabled: supervisor,
      run: () => setDayView({ kind: 'z' }),
      primary: open === null && till?.dayStatus === 'closing',
      note: supervisor ? undefined : t('day.zOnlySupervisor'),
    },
    { id: 'closures', label: t('day.closures'), show: true, enabled: true, run: () => setDayView({ kind: 'closures' }) },
  ]

  const live = useRef({ actions, dialogOpen })
  live.current = { actions, dialogOpen }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (live.current.dialogOpen || e.ctrlKey || e.metaKey || e.altKey) return
      const s = get()
      if (s.screen !== 'day' || s.dialog || s.dayView.kind !== 'home') return
      const a = live.current.actions.find((x) => DAY_KEYS[x.id] === e.key)
      if (!a) return
      e.preventDefault()
      if (a.show && a.enabled) a.run()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const closed = shifts.filter((s) => s.state === 'closed')

  return (
    <div className="day-home">
      <section className="card shift-card" data-testid="shift-card" data-state={open ? 'open' : 'none'}>
        {open === null ? (
          <div className="no-shift-card">
            <h2>{t('day.noShift')}</h2>
            <p className="help">{t('day.noShiftHelp')}</p>
            {till && till.suggestedFloat > 0 ? <p className="muted">{t('shift.suggested', { amount: f.money(till.suggestedFloat) })}</p> : null}
            <button type="button" className="btn primary big open-cta" data-testid="day-open-cta" onClick={() => onDialog('open')}>
              {t('day.openShift')} <kbd>{DAY_KEYS.open}</kbd>
            </button>
          </div>
        ) : (
          <>
            <div className="shift-head">
              <h2>{t('day.shiftOpen')}</h2>
              <span className="holder" data-testid="shift-holder">
                <span className="avatar" aria-hidden="true">
                  {open.holder.name.slice(0, 1)}
                </span>
                {open.holder.name}
              </span>
            </div>
            {!mine ? (
              <p className="banner-warn" data-testid="not-holder">
                {supervisor ? t('day.notHolderSupervisor', { name: open.holder.name }) : t('day.notHolder', { name: open.holder.name })}
              </p>
            ) : null}
            <dl className="details shift-details">
              <dt>{t('day.openedAt')}</dt>
              <dd>
                {f.dateTime(open.openedAt)}
                {shift && shift.openedBy.id !== open.holder.id ? ` · ${t('day.openedBy', { name: shift.openedBy.name })}` : ''}
              </dd>
              <dt>{t('day.float')}</dt>
              <dd>
                <Money minor={open.float} testId="shift-float" />
              </dd>
              {shift ? (
                <>
                  <dt>{t('day.cashTaken')}</dt>
                  <dd data-testid="day-cash-taken">
                    {shift.figures ? <Money minor={shift.figures.cash.received - shift.figures.cash.change} /> : <span className="muted">{t('day.expectedBlind')}</span>}
                  </dd>
                  <dt>{t('day.expected')}</dt>
                  <dd data-testid="day-expected">{shift.expected === null ? <span className="muted">{t('day.expectedBlind')}</span> : <Money minor={shift.expected} />}</dd>
                  <dt>{t('day.sales')}</dt>
                  <dd data-testid="day-sales">
                    {shift.figures ? (
                      <>
                        {t('day.salesValue', { count: shift.figures.counts.orders, amount: f.money(shift.figures.net) })}
                        {shift.figures.tenders.length > 0 ? (
                          <small className="muted tender-split">{shift.figures.tenders.map((x) => `${methodLabel(t, x.method)} ${f.money(x.net)}`).join(' · ')}</small>
                        ) : null}
                      </>
                    ) : (
                      <span className="muted">{t('day.expectedBlind')}</span>
                    )}
                  </dd>
                </>
              ) : null}
            </dl>
            {shift ? (
              <div className="movements">
                <h3>{t('day.movements')}</h3>
                {canAct ? (
                  <button type="button" className="btn secondary small no-sale-button" data-testid="day-no-sale" onClick={() => onDialog('no-sale')}>
                    {t('noSale.button')}
                  </button>
                ) : null}
                {shift.movements.length === 0 ? <p className="muted small">{t('day.noMovements')}</p> : null}
                <ul className="movement-list" data-testid="movement-list">
                  {shift.movements.map((m) => (
                    <li key={m.id} data-testid="movement" data-kind={m.kind} data-minor={m.amount}>
                      <span>
                        {f.time(m.at)} · <strong>{movementKindLabel(t, m.kind)}</strong> · {movementReasonLabel(t, m.reason)}
                        {m.note ? ` · ${m.note}` : ''}
                        {m.approvedBy ? <small className="muted"> · {t('report.approvedByShort', { name: m.approvedBy.name })}</small> : null}
                      </span>
                      <span>
                        {m.kind === 'pay_in' ? '+' : '−'}
                        {f.money(m.amount)}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </>
        )}
        {error ? <ErrorNote error={error} testId="day-error" /> : null}
      </section>

      <section className="card day-actions" data-testid="day-actions">
        {actions
          .filter((a) => a.show)
          .map((a) => (
            <div key={a.id} className="day-action">
              <button
                type="button"
                className={a.primary && a.enabled ? 'btn primary big' : 'btn secondary big'}
                data-testid={`day-${a.id}`}
                disabled={!a.enabled}
                onClick={a.run}
              >
                <span>{a.label}</span>
                <kbd>{DAY_KEYS[a.id]}</kbd>
              </button>
              {a.note ? <small className="muted">{a.note}</small> : null}
            </div>
          ))}
      </section>

      <section className="card shifts-today">
        <h2>{t('day.shiftsToday')}</h2>
        {closed.length === 0 ? <p className="muted small">{t('day.noClosedShifts')}</p> : null}
        <ul className="shift-list">
          {closed.map((s) => (
            <li key={s.id}>
              <button type="button" className="shift-row" data-testid={`closed-shift-${s.id}`} onClick={() => setDayView({ kind: 'shift-report', shift: s })}>
                <span>
                  <strong>{s.holder.name}</strong> · {f.time(s.openedAt)}–{s.closedAt ? f.time(s.closedAt) : ''}
                </span>
                {s.overShort !== null ? <DifferenceLine overShort={s.overShort} currency={s.currency} testId={`closed-shift-diff-${s.id}`} /> : null}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  )
}

// ---- printing ------------------------------------------------------------------------------------

/** Print 80 mm or A4: the paper on screen takes the format, then the browser's print runs. */
function PrintButtons({ format, onFormat, what }: { format: PaperFormat; onFormat: (f: PaperFormat) => void; what: string }) {
  const { t } = useTranslation()
  const print = (fmt: PaperFormat) => {
    onFormat(fmt)
    // let the paper take its format before the print dialog reads the page
    requestAnimationFrame(() => requestAnimationFrame(() => window.print()))
  }
  const live = useRef(print)
  live.current = print
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (get().dialog || e.ctrlKey || e.metaKey || e.altKey) return
      const fmt = (Object.keys(PRINT_KEYS) as PaperFormat[]).find((k) => PRINT_KEYS[k] === e.key)
      if (!fmt) return
      e.preventDefault()
      live.current(fmt)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  return (
    <div className="print-buttons" role="group" aria-label={t('report.print', { what })}>
      <div className="segmented paper-switch" role="radiogroup" aria-label={t('report.paper')}>
        {(['80mm', 'a4'] as const).map((fmt) => (
          <button key={fmt} type="button" role="radio" aria-checked={format === fmt} className={format === fmt ? 'seg active' : 'seg'} data-testid={`paper-${fmt}`} onClick={() => onFormat(fmt)}>
            {t(`report.paper_${fmt}`)}
          </button>
        ))}
      </div>
      <button type="button" className={format === '80mm' ? 'btn primary' : 'btn secondary'} data-testid="print-80mm" onClick={() => print('80mm')}>
        {t('report.print80')} <kbd>{PRINT_KEYS['80mm']}</kbd>
      </button>
      <button type="button" className={format === 'a4' ? 'btn primary' : 'btn secondary'} data-testid="print-a4" onClick={() => print('a4')}>
        {t('report.printA4')} <kbd>{PRINT_KEYS.a4}</kbd>
      </button>
    </div>
  )
}

/** The report on the receipt printer (print-document), beside the browser's print; only with a printer on. */
function ReportPrinterButton({ doc }: { doc: { kind: 'x' } | { kind: 'shift'; shiftId: string } | { kind: 'z'; closureId: string } }) {
  const { t } = useTranslation()
  const on = usePrinterOn()
  if (!on) return null
  return (
    <>
      <PrintOnPrinterButton doc={doc} label={t('printer.printOnPrinter')} testId={`printer-print-${doc.kind}`} primary />
      <PrintStatus testId={`print-status-${doc.kind}`} />
    </>
  )
}

// ---- X -------------------------------------------------------------------------------------------

function useDayX(): { x: DayReport | null; error: ErrorData | null; reload: () => void } {
  const [x, setX] = useState<DayReport | null>(null)
  const [error, setError] = useState<ErrorData | null>(null)
  const [n, setN] = useState(0)
  useEffect(() => {
    let live = true
    void invoke('day-x', {}).then((r) => {
      if (!live) return
      if (r.ok) {
        setX(r.value)
        setError(null)
      } else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [n])
  return { x, error, reload: () => setN((v) => v + 1) }
}

export function BlockerList({ blockers, x }: { blockers: DayBlocker[]; x: DayReport | null }) {
  const { t } = useTranslation()
  const f = useFormat()
  const till = useApp((s) => s.till)
  const setDayView = useApp((s) => s.setDayView)
  const go = useApp((s) => s.go)
  const resumeCheckout = useApp((s) => s.resumeCheckout)
  return (
    <ul className="blockers" data-testid="z-blockers">
      {blockers.map((b) => (
        <li key={`${b.kind}-${b.id}`} data-testid="z-blocker" data-kind={b.kind}>
          <span className="blocker-text">{blockerText(t, b, { money: (m) => f.money(m), time: (iso) => f.dateTime(iso), shifts: x?.shifts })}</span>
          <small className="muted">{blockerHint(t, b)}</small>
          {b.kind === 'open_shift' && till?.shift?.id === b.id ? (
            <button type="button" className="btn secondary small" data-testid="blocker-close-shift" onClick={() => setDayView({ kind: 'close-shift', shiftId: b.id })}>
              {t('day.closeShift')}
            </button>
          ) : null}
          {b.kind === 'open_checkout' || b.kind === 'unresolved_attempt' || b.kind === 'unresolved_void' ? (
            <button
              type="button"
              className="btn secondary small"
              onClick={() => {
                go('checkout')
                void resumeCheckout()
              }}
            >
              {t('z.toCheckout')}
            </button>
          ) : null}
          {b.kind === 'unresolved_refund' ? (
            <button type="button" className="btn secondary small" onClick={() => go('orders')}>
              {t('z.toOrders')}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

function UnsyncedNote({ count }: { count: number }) {
  const { t } = useTranslation()
  const unpaired = useApp((s) => s.sync?.state === 'unpaired')
  if (count <= 0) return null
  return (
    <p className="banner-warn" data-testid="z-unsynced" data-count={count}>
      ⚠ {unpaired ? t('z.unsyncedUnpaired', { count }) : t('z.unsynced', { count })}
    </p>
  )
}

function XView() {
  const { t } = useTranslation()
  const settings = useApp((s) => s.settings)
  const { x, error, reload } = useDayX()
  const [format, setFormat] = useState<PaperFormat>('80mm')
  if (error) return <ErrorNote error={error} />
  if (!x) return <p className="muted">{t('common.loading')}</p>
  return (
    <div className="report-screen" data-testid="x-view">
      <div className="report-side no-print">
        <p className="x-banner" data-testid="x-banner">
          {t('report.xMark')}
          <br />
          <small>{t('report.xMarkHelp')}</small>
        </p>
        <div className="report-actions">
          <PrintButtons format={format} onFormat={setFormat} what="X" />
          <ReportPrinterButton doc={{ kind: 'x' }} />
          <button type="button" className="btn secondary" data-testid="x-refresh" onClick={reload}>
            {t('report.refresh')}
          </button>
        </div>
        {x.blockers.length > 0 ? (
          <div className="report-notes">
            <p className="muted small">{t('z.blockersNow')}</p>
            <BlockerList blockers={x.blockers} x={x} />
          </div>
        ) : null}
        <UnsyncedNote count={x.unsynced} />
      </div>
      <div className="report-scroll">
        <DayPaper data={fromReport(x)} format={format} settings={settings} />
      </div>
    </div>
  )
}

// ---- shift report --------------------------------------------------------------------------------

function ShiftReportView({ shift }: { shift: Shift }) {
  const { t } = useTranslation()
  const settings = useApp((s) => s.settings)
  const appInfo = useApp((s) => s.appInfo)
  const [format, setFormat] = useState<PaperFormat>('80mm')
  return (
    <div className="report-screen" data-testid="shift-report-view">
      <div className="report-side no-print">
        {shift.state === 'closed' ? (
          <h2 className="sale-done" data-testid="shift-closed">
            ✔ {t('day.shiftClosed')}
          </h2>
        ) : null}
        <div className="report-actions">
          <PrintButtons format={format} onFormat={setFormat} what={t('day.shiftReportTitle')} />
          <ReportPrinterButton doc={{ kind: 'shift', shiftId: shift.id }} />
        </div>
      </div>
      <div className="report-scroll">
        <ShiftPaper shift={shift} format={format} settings={settings} storeName={settings?.storeName ?? appInfo?.storeName ?? ''} />
      </div>
    </div>
  )
}

// ---- Z -------------------------------------------------------------------------------------------

function ZView() {
  const { t } = useTranslation()
  const f = useFormat()
  const session = useApp((s) => s.session)
  const setDayView = useApp((s) => s.setDayView)
  const dayChanged = useApp((s) => s.dayChanged)
  const settings = useApp((s) => s.settings)
  const { x, error: loadError, reload } = useDayX()
  const [closureId, setClosureId] = useState(() => newId())
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [refused, setRefused] = useState<DayBlocker[] | null>(null)
  const supervisor = session?.staff.role === 'supervisor' || session?.staff.role === 'owner'

  const blockers = refused ?? x?.blockers ?? []

  const close = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    const r = await invoke('day-close', { closureId })
    setBusy(false)
    if (r.ok) {
      dayChanged()
      setDayView({ kind: 'z-report', closure: r.value, from: 'close' })
      return
    }
    setConfirming(false)
    if (r.error.code === 'day_blocked') {
      const d = r.error.details as { blockers?: DayBlocker[] } | undefined
      setRefused(Array.isArray(d?.blockers) ? d.blockers : [])
      reload()
    }
    // only a lost answer keeps the id: the same Z again is answered with the closure it made
    if (r.error.code !== 'internal') setClosureId(newId())
    setError(r.error)
  }

  const live = useRef({ confirming, close, canClose: false })
  const canClose = supervisor && x !== null && blockers.length === 0
  live.current = { confirming, close, canClose }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (get().dialog || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'F12' && live.current.canClose) {
        e.preventDefault()
        if (live.current.confirming) void live.current.close()
        else setConfirming(true)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (loadError) return <ErrorNote error={loadError} />
  if (!x) return <p className="muted">{t('common.loading')}</p>
  const fig = x.figures
  return (
    <div className="z-view" data-testid="z-view" data-blocked={blockers.length > 0 ? 'yes' : 'no'}>
      <section className="card z-check">
        <h2>{t('z.checkTitle', { date: f.businessDate(x.businessDate) })}</h2>
        {!supervisor ? (
          <p className="banner-warn" data-testid="z-not-allowed">
            {t('day.zOnlySupervisor')}
          </p>
        ) : null}
        {blockers.length > 0 ? (
          <div className="z-blocked" data-testid="z-blocked">
            <p className="field-error">{t('z.blocked', { count: blockers.length })}</p>
            <BlockerList blockers={blockers} x={x} />
            <button
              type="button"
              className="btn secondary small"
              data-testid="z-recheck"
              onClick={() => {
                setRefused(null)
                setError(null)
                reload()
              }}
            >
              {t('z.recheck')}
            </button>
          </div>
        ) : (
          <p className="ok-note" data-testid="z-ready">
            ✔ {t('z.ready')}
          </p>
        )}
        <UnsyncedNote count={x.unsynced} />
        {error && error.code !== 'day_blocked' ? <ErrorNote error={error} testId="z-error" /> : null}
        {fig === null || x.grandTotal === null ? (
          <HiddenUntilCounted />
        ) : (
          <dl className="details z-summary">
            <dt>{t('z.orders')}</dt>
            <dd>{fig.counts.orders}</dd>
            <dt>{t('report.net')}</dt>
            <dd>
              <Money minor={fig.net} testId="z-preview-net" />
            </dd>
            {fig.tenders.map((x2) => (
              <Fragment key={x2.method}>
                <dt>{methodLabel(t, x2.method)}</dt>
                <dd>
                  <Money minor={x2.net} />
                </dd>
              </Fragment>
            ))}
            <dt>{t('report.overShort')}</dt>
            <dd>
              <Money minor={fig.cash.overShort} />
            </dd>
            <dt>{t('report.grandTotalAfter')}</dt>
            <dd>
              <Money minor={x.grandTotal} />
            </dd>
          </dl>
        )}
        {confirming ? (
          <div className="z-confirm" data-testid="z-confirm">
            <p>
              <strong>{t('z.confirmTitle', { date: f.businessDate(x.businessDate) })}</strong>
            </p>
            <p className="help">{t('z.confirmHelp')}</p>
            <div className="row-actions">
              <button type="button" className="btn secondary" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn primary big danger" data-testid="z-confirm-close" disabled={busy} onClick={() => void close()}>
                {busy ? t('z.closing') : t('z.confirm')} <kbd>F12</kbd>
              </button>
            </div>
          </div>
        ) : (
          <div className="row-actions">
            <button type="button" className="btn primary big" data-testid="z-close" disabled={!canClose} onClick={() => setConfirming(true)}>
              {t('z.close', { date: f.businessDate(x.businessDate) })} <kbd>F12</kbd>
            </button>
          </div>
        )}
      </section>
      <div className="report-scroll z-preview">
        <DayPaper data={fromReport(x)} format="80mm" settings={settings} />
      </div>
    </div>
  )
}

function ZReportView({ closure, from }: { closure: Closure; from: 'close' | 'list' }) {
  const { t } = useTranslation()
  const settings = useApp((s) => s.settings)
  const [format, setFormat] = useState<PaperFormat>('80mm')
  return (
    <div className="report-screen" data-testid="z-report-view">
      <div className="report-side no-print">
        {from === 'close' ? (
          <h2 className="sale-done" data-testid="z-done">
            ✔ {t('z.done', { number: closure.number })}
          </h2>
        ) : null}
        <div className="report-actions">
          <PrintButtons format={format} onFormat={setFormat} what="Z" />
          <ReportPrinterButton doc={{ kind: 'z', closureId: closure.id }} />
        </div>
      </div>
      <div className="report-scroll">
        <DayPaper data={fromClosure(closure)} format={format} settings={settings} duplicate={from === 'list'} />
      </div>
    </div>
  )
}

function ClosuresView() {
  const { t } = useTranslation()
  const f = useFormat()
  const setDayView = useApp((s) => s.setDayView)
  const dayVersion = useApp((s) => s.dayVersion)
  const [list, setList] = useState<Closure[] | null>(null)
  const [error, setError] = useState<ErrorData | null>(null)
  useEffect(() => {
    let live = true
    void invoke('closure-list', { limit: 400 }).then((r) => {
      if (!live) return
      if (r.ok) setList(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [dayVersion])
  if (error) return <ErrorNote error={error} />
  if (!list) return <p className="muted">{t('common.loading')}</p>
  return (
    <div className="orders-table-wrap closures" data-testid="closures">
      <table className="orders-table">
        <thead>
          <tr>
            <th>{t('z.number')}</th>
            <th>{t('report.businessDate')}</th>
            <th>{t('report.closedAt')}</th>
            <th>{t('report.closedBy')}</th>
            <th className="num">{t('report.orders')}</th>
            <th className="num">{t('report.net')}</th>
            <th className="num">{t('report.grandTotal')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr
              key={c.id}
              className="order-row"
              tabIndex={0}
              data-testid={`closure-row-${c.number}`}
              onClick={() => setDayView({ kind: 'z-report', closure: c, from: 'list' })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') setDayView({ kind: 'z-report', closure: c, from: 'list' })
              }}
            >
              <td className="mono">Z {c.number}</td>
              <td>{f.businessDate(c.businessDate)}</td>
              <td>{f.dateTime(c.closedAt)}</td>
              <td>{c.closedBy.name}</td>
              <td className="num">{c.figures.counts.orders}</td>
              <td className="num">
                <Money minor={c.periodTotal} currency={c.currency} />
              </td>
              <td className="num">
                <Money minor={c.grandTotal} currency={c.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length === 0 ? <p className="muted empty">{t('z.noneYet')}</p> : null}
    </div>
  )
}

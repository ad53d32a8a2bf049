import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Order, OrderSummary } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { TENDER_METHODS, type TenderMethod } from '../../../shared/payments'
import { invoke } from '../api'
import { methodLabel } from '../lib/payments'
import { ErrorNote } from '../components/ErrorNote'
import { Money } from '../components/Money'
import { useFormat } from '../lib/format'
import { useApp } from '../store'

export function Orders() {
  const { t } = useTranslation()
  const f = useFormat()
  const appInfo = useApp((s) => s.appInfo)
  const ordersDate = useApp((s) => s.ordersDate)
  const ordersQuery = useApp((s) => s.ordersQuery)
  const orders = useApp((s) => s.orders)
  const loading = useApp((s) => s.ordersLoading)
  const ordersError = useApp((s) => s.ordersError)
  const setOrdersDate = useApp((s) => s.setOrdersDate)
  const setOrdersQuery = useApp((s) => s.setOrdersQuery)
  const loadOrders = useApp((s) => s.loadOrders)
  const openOrder = useApp((s) => s.openOrder)
  const [error, setError] = useState<ErrorData | null>(null)
  const [opening, setOpening] = useState<string | null>(null)

  useEffect(() => {
    void loadOrders()
  }, [loadOrders])

  const day = ordersDate ?? appInfo?.businessDate ?? ''
  const searching = ordersQuery.trim() !== ''

  const open = async (id: string) => {
    setOpening(id)
    setError(null)
    const err = await openOrder(id)
    setOpening(null)
    if (err) setError(err)
  }

  return (
    <div className="orders-screen" data-testid="orders">
      <div className="orders-toolbar">
        <h1>{t('orders.title')}</h1>
        <label className="field inline">
          <span>{t('orders.date')}</span>
          <input
            type="date"
            data-testid="orders-date"
            value={day}
            max={appInfo?.businessDate}
            onChange={(e) => setOrdersDate(e.target.value || null)}
          />
        </label>
        <button type="button" className="btn secondary" disabled={ordersDate === null} onClick={() => setOrdersDate(null)}>
          {t('orders.today')}
        </button>
        <form
          className="orders-search"
          onSubmit={(e) => {
            e.preventDefault()
            void loadOrders()
          }}
        >
          <input
            type="search"
            data-testid="orders-search"
            placeholder={t('orders.search')}
            value={ordersQuery}
            maxLength={64}
            onChange={(e) => {
              setOrdersQuery(e.target.value)
              if (e.target.value === '') void loadOrders()
            }}
          />
          <button type="submit" className="btn primary" data-testid="orders-search-button">
            {t('orders.searchButton')}
          </button>
        </form>
      </div>
      {ordersError ? <ErrorNote error={ordersError} /> : null}
      {error ? <ErrorNote error={error} /> : null}
      <div className="orders-summary muted">
        {loading ? t('common.loading') : t('orders.count', { count: orders.length })}
        {!searching && day ? ` · ${f.businessDate(day)}` : ''}
      </div>
      {!searching && orders.length > 0 ? <DayTotals key={`${day}-${orders.length}`} orders={orders} /> : null}
      <div className="orders-table-wrap">
        <table className="orders-table">
          <thead>
            <tr>
              <th>{t('orders.receiptNo')}</th>
              <th>{t('orders.time')}</th>
              <th>{t('orders.cashier')}</th>
              <th className="num">{t('orders.lines')}</th>
              <th className="num">{t('orders.total')}</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr
                key={o.id}
                className="order-row"
                data-testid={`order-row-${o.receiptNo}`}
                tabIndex={0}
                aria-busy={opening === o.id}
                onClick={() => void open(o.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void open(o.id)
                }}
              >
                <td className="mono">{o.receiptNo}</td>
                <td>{searching ? `${f.businessDate(o.businessDate)} ` : ''}{f.time(o.createdAt)}</td>
                <td>{o.staffName}</td>
                <td className="num">{o.lineCount}</td>
                <td className="num">
                  <Money minor={o.total} currency={o.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && orders.length === 0 ? <p className="muted empty">{searching ? t('orders.noneFound') : t('orders.none')}</p> : null}
      </div>
    </div>
  )
}

export interface MethodTotal {
  method: TenderMethod
  paid: number
  refunded: number
  net: number
}

/** The day's orders summed by payment method: what each method took, what was refunded on it, and net. */
export function totalsByMethod(orders: readonly Order[]): { total: number; methods: MethodTotal[] } {
  const by = new Map<TenderMethod, MethodTotal>()
  const of = (m: TenderMethod): MethodTotal => {
    let x = by.get(m)
    if (!x) by.set(m, (x = { method: m, paid: 0, refunded: 0, net: 0 }))
    return x
  }
  let total = 0
  for (const o of orders) {
    total += o.total
    for (const tender of o.tenders) {
      const x = of(tender.method)
      x.paid += tender.amount
      x.net += tender.amount
    }
    for (const r of o.refunds) {
      if (r.state !== 'succeeded') continue
      const x = of(r.method)
      x.refunded += r.amount
      x.net -= r.amount
    }
  }
  return { total, methods: [...by.values()].sort((a, b) => TENDER_METHODS.indexOf(a.method) - TENDER_METHODS.indexOf(b.method)) }
}

/**
 * Totals of the listed day by payment method, on request: it opens every order of the day (the
 * list itself carries only totals), so the owner can hold the day against the X or the Z.
 */
function DayTotals({ orders }: { orders: OrderSummary[] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const [result, setResult] = useState<ReturnType<typeof totalsByMethod> | null>(null)
  const [loaded, setLoaded] = useState<number | null>(null)
  const [error, setError] = useState<ErrorData | null>(null)

  const load = async () => {
    setError(null)
    setLoaded(0)
    const full: Order[] = []
    for (const o of orders) {
      const r = await invoke('order-get', { id: o.id })
      if (!r.ok) {
        setError(r.error)
        setLoaded(null)
        return
      }
      full.push(r.value)
      setLoaded(full.length)
    }
    setResult(totalsByMethod(full))
    setLoaded(null)
  }

  const currency = orders[0]?.currency
  return (
    <div className="orders-totals" data-testid="orders-totals">
      {result ? (
        <dl className="totals-by-method" data-testid="orders-by-method" data-total={result.total}>
          <div>
            <dt>{t('orders.sum')}</dt>
            <dd>
              <Money minor={result.total} currency={currency} testId="orders-sum" />
            </dd>
          </div>
          {result.methods.map((m) => (
            <div key={m.method} data-testid="orders-method" data-method={m.method} data-paid={m.paid} data-refunded={m.refunded} data-net={m.net}>
              <dt>{methodLabel(t, m.method)}</dt>
              <dd>
                {f.money(m.paid, currency)}
                {m.refunded > 0 ? <small className="muted"> {t('orders.refundedShort', { amount: f.money(m.refunded, currency) })}</small> : null}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <button type="button" className="btn secondary small" data-testid="orders-by-method-button" disabled={loaded !== null} onClick={() => void load()}>
          {loaded !== null ? t('orders.summing', { done: loaded, count: orders.length }) : t('orders.byMethod')}
        </button>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </div>
  )
}

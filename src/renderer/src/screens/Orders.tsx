import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
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

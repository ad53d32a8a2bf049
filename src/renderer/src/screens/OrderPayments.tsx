import { useTranslation } from 'react-i18next'
import type { Order, Refund, Tender } from '../../../shared/contract'
import { Money } from '../components/Money'
import { useFormat } from '../lib/format'
import { failureText, refundableOf, refundsOf, tenderLabel } from '../lib/payments'

function RefundRow({ r, currency }: { r: Refund; currency: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <li className={`refund-row state-${r.state}`} data-testid="refund-row" data-refund-id={r.id} data-state={r.state}>
      <div className="refund-main">
        <span className={`state-chip chip-refund-${r.state}`}>{t(`refund.state.${r.state}`)}</span>
        <Money minor={r.amount} currency={currency} />
        <span className="muted small">{f.dateTime(r.createdAt)}</span>
      </div>
      <div className="refund-why">
        {r.reason} · {t('refund.by', { name: r.staff.name })}
        {r.approvedBy ? ` · ${t('refund.approvedBy', { name: r.approvedBy.name })}` : ''}
      </div>
      {r.state === 'failed' && r.failure ? <div className="field-error small">{failureText(t, r.failure, f.lang)}</div> : null}
    </li>
  )
}

function TenderCard({ order, tender, onRefund }: { order: Order; tender: Tender; onRefund?: (tenderId: string) => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const refunds = refundsOf(order, tender.id)
  const left = refundableOf(order, tender.id)
  const rows: [string, string][] = []
  if (tender.flow) rows.push([t('orders.method'), t(`pay.flow.${tender.flow}`)])
  if (tender.method === 'cash') rows.push([t('receipt.tendered'), f.money(tender.tendered, order.currency)])
  if (tender.card) {
    rows.push([t('orders.card'), `${tender.card.brand.toUpperCase()} ${tender.card.maskedPan}`])
    if (tender.card.entryMode) rows.push([t('orders.entryMode'), tender.card.entryMode])
    if (tender.card.approvalCode) rows.push([t('orders.approvalCode'), tender.card.approvalCode])
    if (tender.card.terminalId) rows.push([t('orders.terminal'), tender.card.terminalId])
  }
  if (tender.providerRef) rows.push([t('orders.providerRef'), tender.providerRef])
  if (tender.paidAt) rows.push([t('orders.paidAt'), f.dateTime(tender.paidAt)])
  return (
    <section className="order-tender" data-testid="order-tender" data-tender-id={tender.id} data-method={tender.method}>
      <header>
        <span className={`tender-mark mark-${tender.method}`} aria-hidden="true" />
        <strong>{tenderLabel(t, tender)}</strong>
        <span className="spacer" />
        <Money minor={tender.amount} currency={order.currency} className="tender-amount" />
      </header>
      {rows.length > 0 ? (
        <dl className="tender-facts">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono">{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {refunds.length > 0 ? (
        <ul className="refund-list">
          {refunds.map((r) => (
            <RefundRow key={r.id} r={r} currency={order.currency} />
          ))}
        </ul>
      ) : null}
      <footer>
        <span className="muted">{t('orders.refundable')}</span>
        <Money minor={left} currency={order.currency} testId={`refundable-${tender.id}`} />
        <span className="spacer" />
        {onRefund ? (
          <button type="button" className="btn secondary" data-testid={`refund-${tender.id}`} disabled={left === 0} onClick={() => onRefund(tender.id)}>
            {left === 0 ? t('refund.nothingLeft') : t('orders.refund')}
          </button>
        ) : null}
      </footer>
    </section>
  )
}

/** An order's tenders with everything the till kept of them, their refunds, and what is left to refund. */
export function OrderPayments({ order, onRefund }: { order: Order; onRefund?: (tenderId: string) => void }) {
  const { t } = useTranslation()
  return (
    <aside className="order-payments" data-testid="order-payments">
      <h2>{t('orders.payments')}</h2>
      {order.tenders.map((tender) => (
        <TenderCard key={tender.id} order={order} tender={tender} onRefund={onRefund} />
      ))}
      {order.refunds.length === 0 ? <p className="muted small">{t('orders.noRefunds')}</p> : null}
    </aside>
  )
}

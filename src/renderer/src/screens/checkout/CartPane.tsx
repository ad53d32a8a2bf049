import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { CartQuote } from '../../../../shared/contract'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import { taxLabel, useFormat } from '../../lib/format'
import { useApp } from '../../store'

interface Props {
  onPay: () => void
  onDiscount: () => void
}

function TaxRows({ quote }: { quote: CartQuote }) {
  const { t } = useTranslation()
  return (
    <>
      {quote.taxes.map((tax) => (
        <div className="total-row tax" key={tax.taxId} data-testid={`tax-${tax.taxId}`}>
          <span>
            {quote.priceMode === 'inclusive'
              ? t('checkout.taxIncluded', { name: taxLabel(tax.name, tax.rate) })
              : t('checkout.taxAdded', { name: taxLabel(tax.name, tax.rate) })}
          </span>
          <Money minor={tax.amount} currency={quote.currency} />
        </div>
      ))}
    </>
  )
}

export function CartPane({ onPay, onDiscount }: Props) {
  const { t } = useTranslation()
  const f = useFormat()
  const cart = useApp((s) => s.cart)
  const selected = useApp((s) => s.selected)
  const quote = useApp((s) => s.quote)
  const quoting = useApp((s) => s.quoting)
  const quoteError = useApp((s) => s.quoteError)
  const approval = useApp((s) => s.approval)
  const productCache = useApp((s) => s.productCache)
  const select = useApp((s) => s.select)
  const bumpQuantity = useApp((s) => s.bumpQuantity)
  const removeLine = useApp((s) => s.removeLine)
  const openDialog = useApp((s) => s.openDialog)
  const clearCart = useApp((s) => s.clearCart)
  const listRef = useRef<HTMLOListElement>(null)

  useEffect(() => {
    listRef.current?.querySelector('.cart-line.selected')?.scrollIntoView({ block: 'nearest' })
  }, [selected, cart.lines.length])

  // A quote belongs to this cart only if it has the same lines in the same order.
  const fresh = quote !== null && quote.lines.length === cart.lines.length && quote.lines.every((l, i) => l.productId === cart.lines[i]?.productId)
  const empty = cart.lines.length === 0
  const hasLine = selected >= 0 && selected < cart.lines.length

  return (
    <aside className="cart-pane" data-testid="cart">
      <div className="cart-head">
        <h2>
          {t('checkout.cart')}
          {!empty ? <small className="muted"> · {t('checkout.items', { count: cart.lines.length })}</small> : null}
        </h2>
        <div className="cart-head-actions">
          <button type="button" className="btn secondary small" data-testid="park-button" onClick={() => openDialog({ kind: 'park' })}>
            {t('checkout.park')} <kbd>F4</kbd>
          </button>
          {!empty ? (
            <button
              type="button"
              className="btn ghost small"
              data-testid="clear-cart"
              onClick={() => {
                if (window.confirm(t('checkout.clearConfirm'))) clearCart()
              }}
            >
              {t('checkout.newSale')}
            </button>
          ) : null}
        </div>
      </div>

      {empty ? (
        <div className="cart-empty">
          <span className="scan-icon" aria-hidden="true">
            ▥
          </span>
          <p>{t('checkout.emptyCart')}</p>
        </div>
      ) : (
        <ol className="cart-lines" ref={listRef} data-testid="cart-lines">
          {cart.lines.map((line, i) => {
            const ql = fresh ? quote.lines[i] : undefined
            const product = productCache[line.productId]
            const name = ql ? f.name(ql) : product ? f.name(product) : line.productId
            const unit = ql?.unit ?? product?.unit ?? 'each'
            const unitPrice = ql?.unitPrice ?? product?.price
            return (
              <li
                key={`${line.productId}-${i}`}
                className={i === selected ? 'cart-line selected' : 'cart-line'}
                data-testid="cart-line"
                data-product-id={line.productId}
                data-qty={line.quantity}
                aria-selected={i === selected}
                onClick={() => select(i)}
                onDoubleClick={() => openDialog({ kind: 'quantity', lineIndex: i })}
              >
                <div className="line-main">
                  <span className="line-name">{name}</span>
                  <span className="line-total">
                    {ql ? <Money minor={ql.total} currency={quote?.currency} testId="line-total" /> : <span className="muted">…</span>}
                  </span>
                </div>
                <div className="line-sub">
                  <span className="line-qty">
                    {unit === 'kg' ? `${line.quantity} kg` : line.quantity} ×{' '}
                    {unitPrice !== undefined ? f.money(unitPrice, quote?.currency) : '…'}
                    {unit === 'kg' ? t('checkout.perKg') : ''}
                  </span>
                  {ql && ql.lineDiscount > 0 ? (
                    <span className="line-discount">
                      {t('checkout.lineDiscount')}
                      {line.discount?.kind === 'percent' ? ` ${line.discount.percent}%` : ''} −{f.money(ql.lineDiscount, quote?.currency)}
                    </span>
                  ) : null}
                  {ql && ql.orderDiscount > 0 ? (
                    <span className="line-discount muted">
                      {t('checkout.orderDiscountShare')} −{f.money(ql.orderDiscount, quote?.currency)}
                    </span>
                  ) : null}
                </div>
              </li>
            )
          })}
        </ol>
      )}

      <div className="cart-actions">
        <button type="button" className="btn tool" disabled={!hasLine} onClick={() => bumpQuantity(-1)} aria-label="−1">
          − <kbd>−</kbd>
        </button>
        <button type="button" className="btn tool" disabled={!hasLine} onClick={() => bumpQuantity(1)} aria-label="+1">
          + <kbd>+</kbd>
        </button>
        <button
          type="button"
          className="btn tool"
          data-testid="qty-button"
          disabled={!hasLine}
          onClick={() => openDialog({ kind: 'quantity', lineIndex: selected })}
        >
          {t('checkout.quantity')}
        </button>
        <button type="button" className="btn tool" data-testid="remove-button" disabled={!hasLine} onClick={() => removeLine(selected)}>
          {t('checkout.remove')} <kbd>Del</kbd>
        </button>
        <button type="button" className="btn tool" data-testid="discount-button" disabled={empty} onClick={onDiscount}>
          {t('checkout.discount')} <kbd>F8</kbd>
        </button>
      </div>

      <div className={quoting ? 'totals stale' : 'totals'} data-testid="totals">
        {quoteError ? <ErrorNote error={quoteError} testId="quote-error" /> : null}
        {quote && !empty ? (
          <>
            <div className="total-row">
              <span>{t('checkout.subtotal')}</span>
              <Money minor={quote.subtotal} currency={quote.currency} testId="subtotal" />
            </div>
            {quote.lineDiscounts > 0 ? (
              <div className="total-row discount">
                <span>{t('checkout.lineDiscounts')}</span>
                <span>−{f.money(quote.lineDiscounts, quote.currency)}</span>
              </div>
            ) : null}
            {quote.orderDiscount > 0 ? (
              <div className="total-row discount">
                <span>
                  {t('checkout.orderDiscount')}
                  {cart.orderDiscount?.kind === 'percent' ? ` ${cart.orderDiscount.percent}%` : ''}
                </span>
                <span>−{f.money(quote.orderDiscount, quote.currency)}</span>
              </div>
            ) : null}
            <TaxRows quote={quote} />
            {quote.cashRounding !== 0 ? (
              <div className="total-row">
                <span>
                  {t('checkout.cashRounding')} ({t('checkout.cashDue')} {f.money(quote.cashDue, quote.currency)})
                </span>
                <Money minor={quote.cashRounding} currency={quote.currency} testId="cash-rounding" />
              </div>
            ) : null}
            {quote.needsApproval && !approval ? (
              <p className="approval-needed" data-testid="needs-approval">
                ⚠ {t('checkout.needsApproval')}
              </p>
            ) : null}
            {approval && quote.needsApproval ? (
              <p className="approved" data-testid="approved">
                ✔ {t('checkout.approvedBy', { name: approval.supervisorName })}
              </p>
            ) : null}
          </>
        ) : null}
      </div>

      <div className="grand-total">
        <span>{t('checkout.total')}</span>
        {quote && !empty ? <Money minor={quote.total} currency={quote.currency} testId="cart-total" /> : <span className="money">{f.money(0)}</span>}
      </div>
      <button type="button" className="btn pay-button" data-testid="pay-button" disabled={empty || !quote || quoting} onClick={onPay}>
        <span>{t('checkout.pay')}</span>
        <kbd>F12</kbd>
      </button>
    </aside>
  )
}

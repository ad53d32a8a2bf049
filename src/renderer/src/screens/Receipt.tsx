import QRCode from 'qrcode'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Order } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { ErrorNote } from '../components/ErrorNote'
import { WedgeScanner } from '../lib/scanner'
import { Money } from '../components/Money'
import { taxLabel, useFormat } from '../lib/format'
import { methodLabel, tenderLabel } from '../lib/payments'
import { useApp } from '../store'
import { OrderPayments } from './OrderPayments'
import { RefundDialog } from './RefundDialog'
import { PrintOnPrinterButton, usePrinterOn } from '../components/PrintButton'
import { PrintStatus } from '../components/PrintStatus'
import { usePrinting } from '../store/printing'
import { receiptPrintButton } from '../lib/printing'

function ReceiptQr({ text }: { text: string }) {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    QRCode.toDataURL(text, { margin: 1, width: 200, errorCorrectionLevel: 'M' })
      .then((url) => {
        if (live) setSrc(url)
      })
      .catch(() => {
        if (live) setSrc(null)
      })
    return () => {
      live = false
    }
  }, [text])
  return src ? <img className="receipt-qr" src={src} alt={text} data-testid="receipt-qr" /> : null
}

/** The printable receipt: 80 mm wide on paper, a paper-like card on screen. */
export function ReceiptPaper({ order, showJournal }: { order: Order; showJournal: boolean }) {
  const { t } = useTranslation()
  const f = useFormat()
  const c = order.currency
  const m = (minor: number) => f.money(minor, c)
  // A refund that failed gave nothing back: the receipt shows the ones that did or still may.
  const refunds = order.refunds.filter((r) => r.state !== 'failed')
  return (
    <article className="receipt-paper" data-testid="receipt" data-receipt-no={order.receiptNo}>
      {order.reprints > 0 ? (
        <div className="duplicate" data-testid="duplicate">
          {t('receipt.duplicate')}
          <small>{t('receipt.reprintCount', { count: order.reprints })}</small>
        </div>
      ) : null}
      <header className="r-head">
        <h2 className="r-store">{order.storeName}</h2>
        <div className="r-meta">
          <div>
            <span>{t('receipt.receiptNo')}</span>
            <strong data-testid="receipt-no">{order.receiptNo}</strong>
          </div>
          <div>
            <span>{t('receipt.date')}</span>
            <span data-testid="receipt-date">{f.dateTime(order.createdAt)}</span>
          </div>
          <div>
            <span>{t('receipt.till')}</span>
            <span>{order.deviceCode}</span>
          </div>
          <div>
            <span>{t('receipt.cashier')}</span>
            <span data-testid="receipt-cashier">{order.staff.name}</span>
          </div>
          {order.approvedBy ? (
            <div>
              <span>{t('receipt.approvedBy')}</span>
              <span>{order.approvedBy.name}</span>
            </div>
          ) : null}
        </div>
      </header>
      <ol className="r-lines">
        {order.lines.map((l) => (
          <li key={l.lineNo} className="r-line">
            <div className="r-name">{f.name(l)}</div>
            <div className="r-row">
              <span>
                {l.unit === 'kg' ? `${l.quantity} kg` : l.quantity} × {m(l.unitPrice)}
              </span>
              <span>{m(l.gross)}</span>
            </div>
            {l.lineDiscount > 0 ? (
              <div className="r-row r-sub">
                <span>{t('receipt.lineDiscount')}</span>
                <span>−{m(l.lineDiscount)}</span>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      <div className="r-totals">
        <div className="r-row">
          <span>{t('receipt.subtotal')}</span>
          <span>{m(order.subtotal)}</span>
        </div>
        {order.lineDiscounts > 0 ? (
          <div className="r-row">
            <span>{t('receipt.lineDiscounts')}</span>
            <span>−{m(order.lineDiscounts)}</span>
          </div>
        ) : null}
        {order.orderDiscount > 0 ? (
          <div className="r-row">
            <span>{t('receipt.orderDiscount')}</span>
            <span>−{m(order.orderDiscount)}</span>
          </div>
        ) : null}
        {order.priceMode === 'exclusive'
          ? order.taxes.map((tax) => (
              <div className="r-row" key={tax.taxId}>
                <span>{t('receipt.taxAdded', { name: taxLabel(tax.name, tax.rate) })}</span>
                <span>{m(tax.amount)}</span>
              </div>
            ))
          : null}
        <div className="r-row r-total">
          <span>{t('receipt.total')}</span>
          <Money minor={order.total} currency={c} testId="receipt-total" />
        </div>
        {order.cashRounding !== 0 ? (
          <div className="r-row">
            <span>{t('receipt.cashRounding')}</span>
            <Money minor={order.cashRounding} currency={c} testId="receipt-rounding" />
          </div>
        ) : null}
        {order.tenders.map((tender) => (
          <div key={tender.id} className="r-tender" data-testid="receipt-tender" data-method={tender.method}>
            <div className="r-row">
              <span>
                {t('receipt.paid')} · {tenderLabel(t, tender)}
              </span>
              <span>{m(tender.amount)}</span>
            </div>
            {tender.method === 'cash' ? (
              <div className="r-row">
                <span>{t('receipt.tendered')}</span>
                <Money minor={tender.tendered} currency={c} testId="receipt-tendered" />
              </div>
            ) : null}
            {tender.card?.approvalCode ? (
              <div className="r-row r-sub">
                <span>{t('receipt.approvalCode')}</span>
                <span className="mono">{tender.card.approvalCode}</span>
              </div>
            ) : null}
            {tender.method !== 'cash' && tender.providerRef ? (
              <div className="r-row r-sub">
                <span>{t('orders.providerRef')}</span>
                <span className="mono r-ref">{tender.providerRef}</span>
              </div>
            ) : null}
          </div>
        ))}
        <div className="r-row r-change">
          <span>{t('receipt.change')}</span>
          <Money minor={order.change} currency={c} testId="receipt-change" />
        </div>
        {refunds.length > 0 ? (
          <div className="r-refunds" data-testid="receipt-refunds">
            <div className="r-row r-sub">
              <span>{t('receipt.refunds')}</span>
            </div>
            {refunds.map((r) => (
              <div className="r-row" key={r.id} data-state={r.state}>
                <span>
                  {r.state === 'succeeded' ? t('receipt.refundLine', { method: methodLabel(t, r.method) }) : t('receipt.refundPending', { method: methodLabel(t, r.method) })}
                </span>
                <span>−{m(r.amount)}</span>
              </div>
            ))}
          </div>
        ) : null}
        {order.priceMode === 'inclusive' && order.taxes.length > 0 ? (
          <div className="r-taxes">
            {order.taxes.map((tax) => (
              <div className="r-row r-sub" key={tax.taxId}>
                <span>{t('receipt.taxIncluded', { name: taxLabel(tax.name, tax.rate) })}</span>
                <span>{m(tax.amount)}</span>
              </div>
            ))}
          </div>
        ) : null}
      </div>
      {order.receiptFooter ? <p className="r-footer">{order.receiptFooter}</p> : null}
      <div className="r-qr">
        <ReceiptQr text={order.receiptNo} />
        <small>{order.receiptNo}</small>
      </div>
      {showJournal ? (
        <p className="r-journal" data-testid="receipt-journal">
          {t('receipt.journal', { seq: order.journal.seq, hash: order.journal.hash.slice(0, 16) })}
        </p>
      ) : null}
    </article>
  )
}

export function ReceiptScreen() {
  const { t } = useTranslation()
  const receipt = useApp((s) => s.receipt)
  const go = useApp((s) => s.go)
  const reprint = useApp((s) => s.reprint)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const [refundTender, setRefundTender] = useState<string | null>(null)
  // with a receipt printer on, Print and Reprint go to it (print-document); without one, the browser's print dialog
  const printerOn = usePrinterOn()
  const autoPrint = usePrinting((s) => s.printer?.autoPrint ?? false)
  // the order whose receipt this screen printed (a second press is a duplicate)
  const [printedFor, setPrintedFor] = useState<string | null>(null)
  const refreshReceipt = useApp((s) => s.refreshReceipt)
  const f = useFormat()

  useEffect(() => {
    if (receipt?.from !== 'sale') return
    const get = useApp.getState
    // A scan on the receipt starts the next sale with that product; typing starts a search.
    const scanner = new WedgeScanner({
      enabled: () => get().screen === 'receipt' && get().dialog === null,
      searchInput: () => null,
      getSearch: () => '',
      setSearch: () => undefined,
      typeIntoSearch: (text) => {
        get().go('checkout')
        get().setQuery(text)
      },
      submitSearch: () => undefined,
      onScan: (code) => {
        get().go('checkout')
        void get().scanBarcode(code)
      },
    })
    // Enter or Esc starts the next sale straight away.
    const onKey = (e: KeyboardEvent) => {
      if (scanner.handleKeyDown(e)) return
      if (e.key === 'Enter' || e.key === 'Escape') {
        const target = e.target as HTMLElement | null
        if (target && target !== document.body && target.tagName === 'BUTTON') return
        e.preventDefault()
        go('checkout')
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => {
      window.removeEventListener('keydown', onKey, true)
      scanner.reset()
    }
  }, [receipt?.from, go])

  if (!receipt) return null
  const { order, from } = receipt
  const printButton = receiptPrintButton(from, order.id, { autoPrint, printedHere: printedFor === order.id })

  const doReprint = async () => {
    setBusy(true)
    setError(null)
    const err = await reprint(order.id)
    setBusy(false)
    if (err) {
      setError(err)
      return
    }
    // the DUPLICATE mark is on screen now; print it
    requestAnimationFrame(() => window.print())
  }

  return (
    <div className="receipt-screen" data-testid="receipt-screen">
      <div className="receipt-actions no-print">
        {from === 'sale' ? (
          <h2 className="sale-done" data-testid="sale-done">
            ✔ {t('receipt.saleDone')}
          </h2>
        ) : (
          <button type="button" className="btn secondary" data-testid="back-to-orders" onClick={() => go('orders')}>
            ← {t('receipt.back')}
          </button>
        )}
        <span className="spacer" />
        {printerOn ? (
          <PrintOnPrinterButton
            doc={printButton.doc}
            label={t(printButton.label)}
            testId="printer-print-receipt"
            onPrinted={() => {
              setPrintedFor(order.id)
              void refreshReceipt()
            }}
          />
        ) : (
          <button type="button" className="btn secondary" data-testid="print-button" onClick={() => window.print()}>
            {t('receipt.print')}
          </button>
        )}
        {from === 'orders' && !printerOn ? (
          <button type="button" className="btn secondary" data-testid="reprint-button" disabled={busy} onClick={() => void doReprint()}>
            {t('receipt.reprint')}
          </button>
        ) : null}
        <button type="button" className="btn primary big" data-testid="new-sale" onClick={() => go('checkout')}>
          {t('receipt.newSale')}
          {from === 'sale' ? <kbd>Enter</kbd> : null}
        </button>
      </div>
      {error ? <ErrorNote error={error} /> : null}
      <PrintStatus />
      {printerOn && from === 'orders' && order.refunds.some((r) => r.state === 'succeeded') ? (
        <div className="refund-prints no-print" data-testid="refund-prints">
          {order.refunds
            .filter((r) => r.state === 'succeeded')
            .map((r) => (
              <PrintOnPrinterButton key={r.id} doc={{ kind: 'refund', refundId: r.id }} label={`${t('printer.printRefund')} · ${f.money(r.amount, order.currency)}`} testId={`printer-print-refund-${r.id}`} />
            ))}
        </div>
      ) : null}
      {from === 'sale' ? (
        <div className="change-banner no-print">
          <span>{t('receipt.change')}</span>
          <Money minor={order.change} currency={order.currency} testId="sale-change" className="huge-amount accent" />
        </div>
      ) : null}
      {from === 'orders' ? (
        <div className="order-detail">
          <div className="receipt-scroll">
            <ReceiptPaper order={order} showJournal />
          </div>
          <OrderPayments order={order} onRefund={setRefundTender} />
        </div>
      ) : (
        <div className="receipt-scroll">
          <ReceiptPaper order={order} showJournal={false} />
        </div>
      )}
      {refundTender ? <RefundDialog order={order} tenderId={refundTender} onClose={() => setRefundTender(null)} /> : null}
    </div>
  )
}

import { useCallback, useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorNote } from '../../components/ErrorNote'
import { isTextField, WedgeScanner } from '../../lib/scanner'
import { useFormat } from '../../lib/format'
import { useApp } from '../../store'
import { NoShiftBanner } from '../day/NoShiftBanner'
import { OpenShiftDialog } from '../day/OpenShiftDialog'
import { ApprovalDialog } from './ApprovalDialog'
import { CartPane } from './CartPane'
import { DiscountDialog } from './DiscountDialog'
import { ParkDialog } from './ParkDialog'
import { PayView } from './PayView'
import { QuantityDialog } from './QuantityDialog'
import { NoSaleDialog } from '../../components/NoSaleDialog'
import { PrintStatus } from '../../components/PrintStatus'
import { usePrinterOn } from '../../components/PrintButton'
import { wireDisplayFeed } from '../../store/display'

const get = useApp.getState

/** F12, Enter on an empty search, or the Pay button. */
async function startPay(): Promise<void> {
  await get().pay()
}

function openDiscount(): void {
  const s = get()
  if (s.cart.lines.length === 0) return
  s.openDialog({ kind: 'discount' })
}

function ProductPane({ searchRef, onSubmitSearch }: { searchRef: React.RefObject<HTMLInputElement | null>; onSubmitSearch: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const query = useApp((s) => s.query)
  const categoryId = useApp((s) => s.categoryId)
  const categories = useApp((s) => s.categories)
  const products = useApp((s) => s.products)
  const searchError = useApp((s) => s.searchError)
  const setQuery = useApp((s) => s.setQuery)
  const setCategory = useApp((s) => s.setCategory)
  const addProduct = useApp((s) => s.addProduct)
  const openDialog = useApp((s) => s.openDialog)

  return (
    <section className="catalog-pane">
      <NoShiftBanner testId="checkout-no-shift" onOpen={() => openDialog({ kind: 'open-shift' })} />
      <PrintStatus />
      <div className="search-row">
        <div className="search-box">
          <span className="search-icon" aria-hidden="true">
            ⌕
          </span>
          <input
            ref={searchRef}
            data-testid="search"
            className="search"
            type="search"
            autoComplete="off"
            spellCheck={false}
            placeholder={t('checkout.searchPlaceholder')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && query.trim() !== '') {
                e.preventDefault()
                onSubmitSearch()
              }
            }}
          />
          {query ? (
            <button type="button" className="btn ghost small clear-search" aria-label={t('common.cancel')} onClick={() => setQuery('')}>
              ✕
            </button>
          ) : null}
        </div>
        <button type="button" className="btn secondary no-sale-button" data-testid="no-sale-button" onClick={() => openDialog({ kind: 'no-sale' })}>
          {t('noSale.button')} <kbd>F6</kbd>
        </button>
      </div>
      <div className="category-tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={categoryId === null}
          className={categoryId === null ? 'tab active' : 'tab'}
          onClick={() => setCategory(null)}
        >
          {t('checkout.allCategories')}
        </button>
        {categories.map((c) => (
          <button
            key={c.id}
            type="button"
            role="tab"
            aria-selected={categoryId === c.id}
            className={categoryId === c.id ? 'tab active' : 'tab'}
            data-testid={`category-${c.id}`}
            onClick={() => setCategory(c.id)}
          >
            {f.name(c)}
          </button>
        ))}
      </div>
      {searchError ? <ErrorNote error={searchError} /> : null}
      <div className="product-grid" data-testid="product-grid">
        {products.length === 0 ? <p className="muted empty-grid">{t('checkout.noProducts')}</p> : null}
        {products.map((p) => (
          <button
            key={p.id}
            type="button"
            className="product-tile"
            data-testid={`product-${p.id}`}
            onClick={() => addProduct(p)}
            title={p.barcodes[0] ?? p.sku}
          >
            <span className="product-name">{f.name(p)}</span>
            <span className="product-price">
              {f.money(p.price)}
              {p.unit === 'kg' ? <small>{t('checkout.perKg')}</small> : null}
            </span>
          </button>
        ))}
      </div>
    </section>
  )
}

export function Checkout() {
  const dialog = useApp((s) => s.dialog)
  const cart = useApp((s) => s.cart)
  const quote = useApp((s) => s.quote)
  const productCache = useApp((s) => s.productCache)
  const closeDialog = useApp((s) => s.closeDialog)
  const setQuantity = useApp((s) => s.setQuantity)
  const addProduct = useApp((s) => s.addProduct)
  const f = useFormat()
  const searchRef = useRef<HTMLInputElement>(null)
  // the printer's settings (the No-sale dialog says when there is none), and the customer display's feed
  usePrinterOn()
  useEffect(() => wireDisplayFeed(useApp), [])

  const submitSearch = useCallback(async () => {
    const s = get()
    const q = s.query.trim()
    if (!q) return
    if (/^\d{6,}$/.test(q)) {
      // a barcode typed by hand
      if (await s.lookupBarcode(q)) s.setQuery('')
      return
    }
    await s.search()
    const first = get().products[0]
    if (first) {
      get().addProduct(first)
      get().setQuery('')
    }
  }, [])

  useEffect(() => {
    const scanner = new WedgeScanner({
      enabled: () => {
        const s = get()
        return s.session !== null && s.screen === 'checkout' && s.dialog === null
      },
      searchInput: () => searchRef.current,
      getSearch: () => get().query,
      setSearch: (text) => get().setQuery(text),
      typeIntoSearch: (text) => {
        const next = get().query + text
        const input = searchRef.current
        if (input) {
          // set the box now, caret at the end, so the keys that follow land after this one
          input.focus()
          input.value = next
          input.setSelectionRange(next.length, next.length)
        }
        get().setQuery(next)
      },
      submitSearch: () => void submitSearch(),
      onScan: (code) => void get().scanBarcode(code),
    })

    const onKey = (e: KeyboardEvent) => {
      if (scanner.handleKeyDown(e)) return
      if (e.defaultPrevented) return
      const s = get()
      if (!s.session || s.screen !== 'checkout' || s.dialog) return
      const inSearch = e.target === searchRef.current
      if (!inSearch && isTextField(e.target)) return
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const searchEmpty = s.query === ''
      switch (e.key) {
        case 'ArrowUp':
        case 'ArrowDown':
          e.preventDefault()
          s.moveSelection(e.key === 'ArrowUp' ? -1 : 1)
          break
        case '+':
        case '-':
          if (!inSearch || searchEmpty) {
            e.preventDefault()
            s.bumpQuantity(e.key === '+' ? 1 : -1)
          }
          break
        case 'Delete':
          if (!inSearch || searchEmpty) {
            e.preventDefault()
            s.removeLine(s.selected)
          }
          break
        case 'F4':
          e.preventDefault()
          s.openDialog({ kind: 'park' })
          break
        case 'F8':
          e.preventDefault()
          openDiscount()
          break
        case 'F6':
          e.preventDefault()
          s.openDialog({ kind: 'no-sale' })
          break
        case 'F12':
          e.preventDefault()
          void startPay()
          break
        case 'Enter': {
          const focusedElsewhere = !inSearch && e.target !== document.body && e.target !== document.documentElement
          if (focusedElsewhere) break
          if (inSearch && !searchEmpty) break // the search box handles it
          e.preventDefault()
          void startPay()
          break
        }
        case 'Escape':
          if (inSearch) {
            e.preventDefault()
            s.setQuery('')
            searchRef.current?.blur()
          }
          break
        default:
          break
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => {
      window.removeEventListener('keydown', onKey, true)
      scanner.reset()
    }
  }, [submitSearch])

  let dialogNode: React.ReactNode = null
  if (dialog?.kind === 'quantity') {
    const line = cart.lines[dialog.lineIndex]
    if (line) {
      const ql = quote?.lines[dialog.lineIndex]
      const product = productCache[line.productId]
      const name = ql ? f.name(ql) : product ? f.name(product) : line.productId
      const unit = ql?.unit ?? product?.unit ?? 'each'
      dialogNode = (
        <QuantityDialog
          name={name}
          unit={unit}
          initial={line.quantity}
          onClose={closeDialog}
          onApply={(q) => {
            setQuantity(dialog.lineIndex, q)
            closeDialog()
          }}
        />
      )
    }
  } else if (dialog?.kind === 'weight') {
    dialogNode = (
      <QuantityDialog
        name={f.name(dialog.product)}
        unit="kg"
        initial=""
        onClose={closeDialog}
        onApply={(q) => {
          closeDialog()
          addProduct(dialog.product, q)
        }}
      />
    )
  } else if (dialog?.kind === 'discount') {
    dialogNode = <DiscountDialog />
  } else if (dialog?.kind === 'approval') {
    dialogNode = <ApprovalDialog then={dialog.then} revert={dialog.revert} />
  } else if (dialog?.kind === 'park') {
    dialogNode = <ParkDialog />
  } else if (dialog?.kind === 'pay') {
    dialogNode = <PayView />
  } else if (dialog?.kind === 'open-shift') {
    dialogNode = <OpenShiftDialog onClose={closeDialog} />
  } else if (dialog?.kind === 'no-sale') {
    dialogNode = <NoSaleDialog onClose={closeDialog} onOpenShift={() => useApp.getState().openDialog({ kind: 'open-shift' })} />
  }

  return (
    <div className="checkout" data-testid="checkout">
      <ProductPane searchRef={searchRef} onSubmitSearch={() => void submitSearch()} />
      <CartPane onPay={() => void startPay()} onDiscount={openDiscount} />
      {dialogNode}
    </div>
  )
}

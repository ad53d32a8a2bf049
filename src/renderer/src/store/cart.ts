import type { Cart, CartLine, CartQuote, ChannelOutput, Order, Product } from '../../../shared/contract'
import type { ErrorData, Result } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { invoke } from '../api'
import { addQuantity } from '../lib/qty'
import type { Slice } from './types'

export type Discount = NonNullable<Cart['orderDiscount']>
export type ParkedCart = ChannelOutput<'cart-parked-list'>[number]

export interface Approval {
  approvalId: string
  supervisorName: string
}

export interface CartSlice {
  cart: Cart
  selected: number
  quote: CartQuote | null
  quoteError: ErrorData | null
  quoting: boolean
  approval: Approval | null
  /** The sale's id, made when Pay is first pressed for this cart; a retry reuses it. */
  saleId: string | null
  completing: boolean
  parked: ParkedCart[]
  addProduct: (product: Product, weighed?: string) => void
  scanBarcode: (code: string) => Promise<void>
  lookupBarcode: (code: string) => Promise<boolean>
  setQuantity: (index: number, quantity: string) => void
  bumpQuantity: (delta: 1 | -1) => void
  removeLine: (index: number) => void
  select: (index: number) => void
  moveSelection: (delta: 1 | -1) => void
  setLineDiscount: (index: number, discount: Discount | undefined) => Promise<CartQuote | null>
  setOrderDiscount: (discount: Discount | undefined) => Promise<CartQuote | null>
  /** Put back an earlier cart (a cancelled over-limit discount). */
  restoreCart: (cart: Cart) => void
  clearCart: () => void
  requote: () => Promise<CartQuote | null>
  grantApproval: (staffId: string, pin: string) => Promise<ErrorData | null>
  dropApproval: () => void
  ensureSaleId: () => string
  completeSale: (cashTendered: number) => Promise<Result<Order>>
  loadParked: () => Promise<void>
  park: (label: string) => Promise<ErrorData | null>
  resume: (id: string) => Promise<ErrorData | null>
}

const EMPTY: Cart = { lines: [] }
let quoteSeq = 0

export const createCartSlice: Slice<CartSlice> = (set, get) => {
  /** Every cart change goes through here: a new cart means a new sale id and a fresh quote. */
  function change(cart: Cart, selected: number): Promise<CartQuote | null> {
    set({ cart, selected, saleId: null })
    return get().requote()
  }

  function addOrBump(product: Product, weighed: string | undefined): void {
    const { cart } = get()
    get().rememberProducts([product])
    const at = weighed === undefined ? cart.lines.findIndex((l) => l.productId === product.id) : -1
    if (at >= 0) {
      const line = cart.lines[at]
      if (!line) return
      const q = addQuantity(line.quantity, 1)
      if (q === null) return
      const lines = cart.lines.map((l, i) => (i === at ? { ...l, quantity: q } : l))
      void change({ ...cart, lines }, at)
      return
    }
    const line: CartLine = { productId: product.id, quantity: weighed ?? '1' }
    const lines = [...cart.lines, line]
    void change({ ...cart, lines }, lines.length - 1)
  }

  return {
    cart: EMPTY,
    selected: -1,
    quote: null,
    quoteError: null,
    quoting: false,
    approval: null,
    saleId: null,
    completing: false,
    parked: [],

    addProduct(product, weighed) {
      if (product.unit === 'kg' && weighed === undefined) {
        get().rememberProducts([product])
        get().openDialog({ kind: 'weight', product })
        return
      }
      addOrBump(product, weighed)
    },

    async scanBarcode(code) {
      await get().lookupBarcode(code)
    },

    async lookupBarcode(code) {
      const r = await invoke('catalog-barcode', { code })
      if (!r.ok) {
        get().fail(r.error, { barcode: code })
        return false
      }
      get().clearNotice()
      get().addProduct(r.value)
      return true
    },

    setQuantity(index, quantity) {
      const { cart } = get()
      if (!cart.lines[index]) return
      const lines = cart.lines.map((l, i) => (i === index ? { ...l, quantity } : l))
      void change({ ...cart, lines }, index)
    },

    bumpQuantity(delta) {
      const { cart, selected } = get()
      const line = cart.lines[selected]
      if (!line) return
      const q = addQuantity(line.quantity, delta)
      if (q === null) return
      get().setQuantity(selected, q)
    },

    removeLine(index) {
      const { cart } = get()
      if (!cart.lines[index]) return
      const lines = cart.lines.filter((_, i) => i !== index)
      const next: Cart = lines.length === 0 ? { lines } : { ...cart, lines }
      void change(next, Math.min(index, lines.length - 1))
    },

    select(index) {
      const n = get().cart.lines.length
      if (index >= 0 && index < n) set({ selected: index })
    },

    moveSelection(delta) {
      const { selected, cart } = get()
      const n = cart.lines.length
      if (n === 0) return
      const next = selected < 0 ? (delta > 0 ? 0 : n - 1) : Math.max(0, Math.min(n - 1, selected + delta))
      set({ selected: next })
    },

    setLineDiscount(index, discount) {
      const { cart } = get()
      const line = cart.lines[index]
      if (!line) return Promise.resolve(get().quote)
      const updated: CartLine = discount ? { ...line, discount } : { productId: line.productId, quantity: line.quantity }
      const lines = cart.lines.map((l, i) => (i === index ? updated : l))
      return change({ ...cart, lines }, index)
    },

    setOrderDiscount(discount) {
      const { cart, selected } = get()
      return change(discount ? { ...cart, orderDiscount: discount } : { lines: cart.lines }, selected)
    },

    restoreCart(cart) {
      void change(cart, Math.min(Math.max(get().selected, 0), cart.lines.length - 1))
    },

    clearCart() {
      quoteSeq++
      set({ cart: EMPTY, selected: -1, quote: null, quoteError: null, quoting: false, approval: null, saleId: null })
    },

    async requote() {
      const seq = ++quoteSeq
      const { cart } = get()
      if (cart.lines.length === 0) {
        set({ quote: null, quoteError: null, quoting: false })
        return null
      }
      set({ quoting: true })
      const r = await invoke('cart-price', cart)
      if (seq !== quoteSeq) return get().quote
      if (r.ok) {
        set({ quote: r.value, quoteError: null, quoting: false })
        return r.value
      }
      set({ quoteError: r.error, quoting: false })
      return null
    },

    async grantApproval(staffId, pin) {
      const r = await invoke('approval-grant', { staffId, pin, reason: 'discount', cart: get().cart })
      if (!r.ok) return r.error
      set({ approval: { approvalId: r.value.approvalId, supervisorName: r.value.supervisor.name } })
      return null
    },

    dropApproval() {
      set({ approval: null })
    },

    ensureSaleId() {
      const existing = get().saleId
      if (existing) return existing
      const id = newId()
      set({ saleId: id })
      return id
    },

    async completeSale(cashTendered) {
      const saleId = get().ensureSaleId()
      const { cart, approval, quote } = get()
      const approvalId = approval && quote?.needsApproval !== false ? approval.approvalId : undefined
      set({ completing: true })
      const r = await invoke(
        'sale-complete',
        approvalId ? { saleId, cart, cashTendered, approvalId } : { saleId, cart, cashTendered },
      )
      set({ completing: false })
      if (r.ok) {
        get().clearCart()
        get().showReceipt({ order: r.value, from: 'sale' })
      }
      return r
    },

    async loadParked() {
      const r = await invoke('cart-parked-list', {})
      if (r.ok) set({ parked: r.value })
    },

    async park(label) {
      const { cart } = get()
      if (cart.lines.length === 0) return { code: 'empty_cart', message: 'The cart is empty.' }
      const text = label.trim()
      const r = await invoke('cart-park', text ? { cart, label: text } : { cart })
      if (!r.ok) return r.error
      get().clearCart()
      await get().loadParked()
      return null
    },

    async resume(id) {
      const r = await invoke('cart-resume', { id })
      if (!r.ok) return r.error
      get().clearCart()
      void change(r.value, r.value.lines.length > 0 ? 0 : -1)
      await get().loadParked()
      return null
    },
  }
}

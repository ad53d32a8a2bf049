import type { Cart, Checkout, PaymentsStatus } from '../../../shared/contract'
import type { ErrorData, Result } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { invoke } from '../api'
import type { Slice } from './types'

/** One tap on a tender button, as the core takes it (the screen adds the ids). */
export type TenderRequest =
  | { flow: 'cash'; amount: number; tendered: number }
  | { flow: 'merchant_qr'; wallet: 'alipay' | 'wechat'; amount: number }
  | { flow: 'customer_code'; authCode: string; amount: number }
  | { flow: 'terminal'; amount: number }

export interface PaymentsSlice {
  /** The order being paid (frozen price, tenders so far); null when no pay view is open. */
  checkout: Checkout | null
  /** It was found open after a reload or restart (the pay view says so). */
  checkoutResumed: boolean
  paymentsStatus: PaymentsStatus | null
  /** A tender-add, tender-cancel or checkout-void is on its way. */
  paying: boolean
  /** Pay pressed: freeze the cart's price into a checkout and open the pay view. */
  pay: () => Promise<ErrorData | null>
  /** After sign-in or a reconnect: the till's open checkout, if any, comes back on screen. */
  resumeCheckout: () => Promise<void>
  refreshCheckout: () => Promise<void>
  applyCheckout: (c: Checkout) => void
  addTender: (request: TenderRequest) => Promise<Result<Checkout>>
  cancelTender: (attemptId: string) => Promise<ErrorData | null>
  voidCheckout: (reason: string, approvalId?: string) => Promise<Result<Checkout>>
  /** Close the pay view of a voided checkout and go back to the cart (a new sale id next time). */
  leaveCheckout: () => void
  loadPaymentsStatus: () => Promise<void>
}

/**
 * The last tender tap whose answer did not arrive: the same tap again reuses its attempt id,
 * so the core answers with what it already did instead of charging twice.
 */
let lastTry: { key: string; attemptId: string } | null = null
/** Answers apply in the order their requests were made: a slow old answer never hides a newer one. */
let requestSeq = 0
let appliedSeq = 0
let fetchingOrder: string | null = null

/** The cart a resumed checkout was priced from, as near as the quote tells it (amount discounts). */
export function cartFromCheckout(c: Checkout): Cart {
  const lines = c.quote.lines.map((l) =>
    l.lineDiscount > 0
      ? { productId: l.productId, quantity: l.quantity, discount: { kind: 'amount' as const, amount: l.lineDiscount } }
      : { productId: l.productId, quantity: l.quantity },
  )
  return c.quote.orderDiscount > 0 ? { lines, orderDiscount: { kind: 'amount', amount: c.quote.orderDiscount } } : { lines }
}

export const createPaymentsSlice: Slice<PaymentsSlice> = (set, get) => {
  async function track<T extends Checkout>(p: Promise<Result<T>>, seq: number): Promise<Result<T>> {
    const r = await p
    if (r.ok && seq >= appliedSeq) {
      appliedSeq = seq
      get().applyCheckout(r.value)
    }
    return r
  }

  return {
    checkout: null,
    checkoutResumed: false,
    paymentsStatus: null,
    paying: false,

    async pay() {
      let s = get()
      if (s.cart.lines.length === 0 || s.dialog) return null
      if (s.quoting || !s.quote) await s.requote()
      s = get()
      const quote = s.quote
      if (!quote || s.quoteError) return s.quoteError
      if (quote.needsApproval && !s.approval) {
        s.openDialog({ kind: 'approval', then: 'pay', revert: null })
        return null
      }
      void get().loadPaymentsStatus()
      for (let round = 0; round < 2; round++) {
        const saleId = get().ensureSaleId()
        const { cart, approval } = get()
        const approvalId = approval && quote.needsApproval ? approval.approvalId : undefined
        const seq = ++requestSeq
        set({ paying: true })
        const r = await invoke('checkout-start', approvalId ? { saleId, cart, approvalId } : { saleId, cart })
        set({ paying: false })
        if (!r.ok) {
          if (r.error.code === 'approval_required' || r.error.code === 'approval_invalid') {
            get().dropApproval()
            get().openDialog({ kind: 'approval', then: 'pay', revert: null })
            return null
          }
          get().fail(r.error, { sale: true })
          return r.error
        }
        // This sale id was voided earlier (the cashier backed out): the cart is a new sale.
        if (r.value.state === 'voided') {
          set({ saleId: null })
          continue
        }
        appliedSeq = Math.max(appliedSeq, seq)
        set({ checkoutResumed: false })
        get().applyCheckout(r.value)
        if (r.value.state === 'open' || r.value.state === 'voiding') get().openDialog({ kind: 'pay' })
        return null
      }
      return null
    },

    async resumeCheckout() {
      if (!get().session) return
      const seq = ++requestSeq
      const r = await invoke('checkout-open', {})
      if (!r.ok || !r.value || seq < appliedSeq) return
      appliedSeq = seq
      const c = r.value
      const known = get().checkout?.id === c.id
      if (!known) {
        if (get().cart.lines.length === 0) {
          set({ cart: cartFromCheckout(c), selected: 0, saleId: null })
          void get().requote()
        }
        set({ checkoutResumed: true })
      }
      get().applyCheckout(c)
      if (get().screen !== 'checkout') get().go('checkout')
      get().openDialog({ kind: 'pay' })
      void get().loadPaymentsStatus()
    },

    async refreshCheckout() {
      const id = get().checkout?.id
      if (!id) return
      const seq = ++requestSeq
      const r = await invoke('checkout-get', { id })
      if (r.ok && seq >= appliedSeq && get().checkout?.id === id) {
        appliedSeq = seq
        get().applyCheckout(r.value)
      }
    },

    applyCheckout(c) {
      set({ checkout: c })
      if (c.state === 'completed' && c.orderId && fetchingOrder !== c.orderId) {
        const orderId = c.orderId
        fetchingOrder = orderId
        void invoke('order-get', { id: orderId }).then((r) => {
          fetchingOrder = null
          if (get().checkout?.id !== c.id) return
          if (!r.ok) {
            get().fail(r.error)
            return
          }
          lastTry = null
          set({ checkout: null, checkoutResumed: false })
          get().clearCart()
          get().showReceipt({ order: r.value, from: 'sale' })
        })
      }
    },

    async addTender(request) {
      const c = get().checkout
      if (!c) return { ok: false, error: { code: 'checkout_closed', message: 'No sale is being paid.' } }
      const key = `${c.id}:${JSON.stringify(request)}`
      const attemptId = lastTry?.key === key ? lastTry.attemptId : newId()
      lastTry = { key, attemptId }
      const seq = ++requestSeq
      set({ paying: true })
      const r = await track(invoke('tender-add', { ...request, checkoutId: c.id, attemptId }), seq)
      set({ paying: false })
      // Only a lost answer keeps the id; any answer from the core settles this tap.
      if (r.ok || r.error.code !== 'internal') lastTry = null
      return r
    },

    async cancelTender(attemptId) {
      const c = get().checkout
      if (!c) return null
      const seq = ++requestSeq
      const r = await track(invoke('tender-cancel', { checkoutId: c.id, attemptId }), seq)
      return r.ok ? null : r.error
    },

    async voidCheckout(reason, approvalId) {
      const c = get().checkout
      if (!c) return { ok: false, error: { code: 'checkout_closed', message: 'No sale is being paid.' } }
      const seq = ++requestSeq
      set({ paying: true })
      const r = await track(invoke('checkout-void', approvalId ? { checkoutId: c.id, reason, approvalId } : { checkoutId: c.id, reason }), seq)
      set({ paying: false })
      return r
    },

    leaveCheckout() {
      lastTry = null
      set({ checkout: null, checkoutResumed: false, saleId: null, dialog: null })
    },

    async loadPaymentsStatus() {
      if (!get().session) return
      const r = await invoke('payments-status', {})
      if (r.ok) set({ paymentsStatus: r.value })
    },
  }
}

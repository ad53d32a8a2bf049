import type { Order, OrderSummary } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { invoke } from '../api'
import type { Slice } from './types'

export interface OrdersSlice {
  /** null: the current business day. */
  ordersDate: string | null
  ordersQuery: string
  orders: OrderSummary[]
  ordersLoading: boolean
  ordersError: ErrorData | null
  setOrdersDate: (date: string | null) => void
  setOrdersQuery: (query: string) => void
  loadOrders: () => Promise<void>
  openOrder: (id: string) => Promise<ErrorData | null>
  reprint: (id: string) => Promise<ErrorData | null>
  /** The order on screen changed (a refund moved on): show it as it is now. */
  refreshReceipt: () => Promise<void>
  setReceiptOrder: (order: Order) => void
}

let ordersSeq = 0

export const createOrdersSlice: Slice<OrdersSlice> = (set, get) => ({
  ordersDate: null,
  ordersQuery: '',
  orders: [],
  ordersLoading: false,
  ordersError: null,

  setOrdersDate(date) {
    set({ ordersDate: date })
    void get().loadOrders()
  },

  setOrdersQuery(query) {
    set({ ordersQuery: query })
  },

  async loadOrders() {
    if (!get().session) return
    const seq = ++ordersSeq
    const query = get().ordersQuery.trim()
    const businessDate = get().ordersDate ?? get().appInfo?.businessDate
    // A receipt number names its own day, so a search looks across every day.
    const input = query ? { query } : businessDate ? { businessDate } : {}
    set({ ordersLoading: true })
    const r = await invoke('order-list', input)
    if (seq !== ordersSeq) return
    if (r.ok) set({ orders: r.value, ordersError: null, ordersLoading: false })
    else set({ ordersError: r.error, ordersLoading: false })
  },

  async openOrder(id) {
    const r = await invoke('order-get', { id })
    if (!r.ok) return r.error
    get().showReceipt({ order: r.value, from: 'orders' })
    return null
  },

  async refreshReceipt() {
    const view = get().receipt
    if (!view || !get().session) return
    const r = await invoke('order-get', { id: view.order.id })
    if (r.ok) get().setReceiptOrder(r.value)
  },

  setReceiptOrder(order) {
    const view = get().receipt
    // only the same order, and never an older reprint count over a newer one
    if (view && view.order.id === order.id) set({ receipt: { ...view, order: { ...order, reprints: Math.max(order.reprints, view.order.reprints) } } })
  },

  async reprint(id) {
    const r = await invoke('order-reprint', { id })
    if (!r.ok) return r.error
    const from = get().receipt?.from ?? 'orders'
    get().showReceipt({ order: r.value, from })
    return null
  },
})

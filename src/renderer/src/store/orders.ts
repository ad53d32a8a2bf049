import type { OrderSummary } from '../../../shared/contract'
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

  async reprint(id) {
    const r = await invoke('order-reprint', { id })
    if (!r.ok) return r.error
    const from = get().receipt?.from ?? 'orders'
    get().showReceipt({ order: r.value, from })
    return null
  },
})

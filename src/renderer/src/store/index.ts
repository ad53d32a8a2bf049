import { create } from 'zustand'
import { connectionStatus, onConnectionStatus, onEvent, onSignedOut } from '../api'
import { createCartSlice } from './cart'
import { createCatalogSlice } from './catalog'
import { createDaySlice } from './day'
import { createOrdersSlice } from './orders'
import { createPaymentsSlice } from './payments'
import { createSessionSlice } from './session'
import { createSettingsSlice } from './settings'
import { createSyncSlice, SYNC_TICK_MS } from './sync'
import type { AppState } from './types'
import { createUiSlice } from './ui'

export type { AppState } from './types'

export const useApp = create<AppState>()((...a) => ({
  ...createUiSlice(...a),
  ...createSessionSlice(...a),
  ...createCatalogSlice(...a),
  ...createCartSlice(...a),
  ...createOrdersSlice(...a),
  ...createSettingsSlice(...a),
  ...createSyncSlice(...a),
  ...createPaymentsSlice(...a),
  ...createDaySlice(...a),
}))

let wired = false

/** Subscribe the store to the core's change events and the connection, once. */
export function wireStore(): void {
  if (wired) return
  wired = true
  const get = useApp.getState
  onSignedOut(() => get().sessionLost())
  onEvent('orders-changed', () => {
    if (get().session) get().dayChanged()
    if (get().screen === 'orders') void get().loadOrders()
    if (get().screen === 'receipt') void get().refreshReceipt()
  })
  onEvent('settings-changed', () => {
    void get().loadAppInfo()
    if (!get().session) return
    void get().loadSettings()
    if (get().cart.lines.length > 0) void get().requote()
  })
  onEvent('catalog-changed', () => {
    if (!get().session) return
    void get().loadCategories()
    void get().search()
    if (get().cart.lines.length > 0) void get().requote()
  })
  onEvent('staff-changed', () => void get().loadStaff())
  onEvent('sync-changed', (payload) => {
    get().applySync(payload)
    // QR payments come and go with the platform
    if (get().session) void get().loadPaymentsStatus()
  })
  onEvent('payments-changed', (payload) => {
    if (!get().session) return
    get().dayChanged()
    void get().loadPaymentsStatus()
    const id = payload && typeof payload === 'object' ? (payload as { checkoutId?: unknown }).checkoutId : undefined
    const current = get().checkout
    if (current && (id === undefined || id === current.id)) void get().refreshCheckout()
    // a refund moving on is a payments change of the order on screen
    if (get().screen === 'receipt') void get().refreshReceipt()
  })
  // shifts, cash movements, X and Z: the top bar's day status and the day screen follow
  onEvent('day-changed', () => {
    if (get().session) get().dayChanged()
  })
  // relative ages ("oldest 4 min") move on even when nothing changes
  setInterval(() => get().tickSync(), SYNC_TICK_MS)

  get().setConnection(connectionStatus())
  let openedBefore = connectionStatus() === 'open'
  onConnectionStatus((status) => {
    get().setConnection(status)
    if (status !== 'open') return
    if (openedBefore) {
      // Back after a drop: anything may have changed while we were away.
      void get().loadAppInfo()
      void get().loadStaff()
      if (get().session) void get().afterSignIn()
    }
    openedBefore = true
  })
}

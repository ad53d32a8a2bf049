import type { Cart, Order, Product } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import type { ErrorContext } from '../lib/errors'
import type { ConnectionStatus } from '../ws-bridge'
import type { Slice } from './types'

export type Screen = 'checkout' | 'orders' | 'settings' | 'receipt' | 'day' | 'reconcile' | 'review'
export type SettingsTab = 'store' | 'platform' | 'terminal' | 'printer'

export type Dialog =
  | { kind: 'quantity'; lineIndex: number }
  | { kind: 'weight'; product: Product }
  | { kind: 'discount' }
  | { kind: 'approval'; then: 'keep' | 'pay'; revert: Cart | null }
  | { kind: 'park' }
  | { kind: 'pay' }
  | { kind: 'open-shift' }
  | { kind: 'no-sale' }

export type Notice =
  | { id: number; kind: 'info'; text: string }
  | { id: number; kind: 'error'; error: ErrorData; ctx?: ErrorContext }

export interface ReceiptView {
  order: Order
  from: 'sale' | 'orders'
}

export interface UiSlice {
  screen: Screen
  settingsTab: SettingsTab
  dialog: Dialog | null
  notice: Notice | null
  connection: ConnectionStatus
  receipt: ReceiptView | null
  go: (screen: Screen) => void
  openSettings: (tab: SettingsTab) => void
  openDialog: (dialog: Dialog) => void
  closeDialog: () => void
  info: (text: string) => void
  fail: (error: ErrorData, ctx?: ErrorContext) => void
  clearNotice: () => void
  setConnection: (status: ConnectionStatus) => void
  showReceipt: (view: ReceiptView) => void
}

let noticeSeq = 0

export const createUiSlice: Slice<UiSlice> = (set) => ({
  screen: 'checkout',
  settingsTab: 'store',
  dialog: null,
  notice: null,
  connection: 'connecting',
  receipt: null,
  go: (screen) => set({ screen, dialog: null, notice: null }),
  openSettings: (settingsTab) => set({ screen: 'settings', settingsTab, dialog: null, notice: null }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  info: (text) => set({ notice: { id: ++noticeSeq, kind: 'info', text } }),
  fail: (error, ctx) => set({ notice: ctx ? { id: ++noticeSeq, kind: 'error', error, ctx } : { id: ++noticeSeq, kind: 'error', error } }),
  clearNotice: () => set({ notice: null }),
  setConnection: (connection) => set({ connection }),
  showReceipt: (receipt) => set({ receipt, screen: 'receipt', dialog: null, notice: null }),
})

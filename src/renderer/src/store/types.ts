import type { StateCreator } from 'zustand'
import type { CartSlice } from './cart'
import type { CatalogSlice } from './catalog'
import type { DaySlice } from './day'
import type { OrdersSlice } from './orders'
import type { PaymentsSlice } from './payments'
import type { SessionSlice } from './session'
import type { SettingsSlice } from './settings'
import type { SyncSlice } from './sync'
import type { UiSlice } from './ui'

export type AppState = UiSlice & SessionSlice & CatalogSlice & CartSlice & OrdersSlice & SettingsSlice & SyncSlice & PaymentsSlice & DaySlice

/** A slice sees the whole state (to read other slices) but only defines its own part. */
export type Slice<T> = StateCreator<AppState, [], [], T>

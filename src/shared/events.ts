/** Events the core pushes to every window after a change it made, so views refetch. No imports: the preload bundles this. */
export const EVENT_NAMES = ['orders-changed', 'settings-changed', 'catalog-changed', 'staff-changed', 'sync-changed', 'payments-changed', 'day-changed', 'settlement-changed', 'printer-changed', 'display-changed'] as const
export type EventName = (typeof EVENT_NAMES)[number]

/** Prefix of every Electron IPC channel Daybook uses; the preload refuses any other. */
export const IPC_PREFIX = 'daybook:'
export const IPC_INVOKE = 'daybook:invoke'
export const IPC_EVENT = 'daybook:event'

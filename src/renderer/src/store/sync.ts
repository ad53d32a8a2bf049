import { SyncStatusSchema, type SyncStatus } from '../../../shared/contract'
import type { ErrorData, Result } from '../../../shared/errors'
import { invoke } from '../api'
import { UNPAIRED } from '../lib/sync'
import type { Slice } from './types'

/** Relative ages ("oldest 4 min") are recomputed this often; the status itself comes by event. */
export const SYNC_TICK_MS = 15_000

export interface SyncSlice {
  /** null until the first answer. */
  sync: SyncStatus | null
  /** The time relative ages are shown against, refreshed every SYNC_TICK_MS (display only). */
  syncClock: number
  /** A "Sync now" is on its way. */
  syncSending: boolean
  loadSync: () => Promise<void>
  /** A 'sync-changed' payload (or any status the core sent back). */
  applySync: (payload: unknown) => void
  tickSync: () => void
  syncNow: () => Promise<ErrorData | null>
  pairPlatform: (platformUrl: string, code: string) => Promise<Result<SyncStatus>>
  unpairPlatform: () => Promise<Result<SyncStatus>>
}

/** Bumped on every status that arrives, so an older answer never overwrites a newer event. */
let syncVersion = 0

export const createSyncSlice: Slice<SyncSlice> = (set, get) => ({
  sync: null,
  syncClock: Date.now(),
  syncSending: false,

  async loadSync() {
    if (!get().session) return
    const version = ++syncVersion
    const r = await invoke('sync-status', {})
    if (version !== syncVersion) return
    if (r.ok) set({ sync: r.value, syncClock: Date.now() })
    // Before the relay exists (or with nothing paired) the core may answer not_paired: that is "unpaired".
    else if (r.error.code === 'not_paired') set({ sync: UNPAIRED, syncClock: Date.now() })
  },

  applySync(payload) {
    const parsed = SyncStatusSchema.safeParse(payload)
    if (!parsed.success) {
      void get().loadSync()
      return
    }
    syncVersion++
    set({ sync: parsed.data, syncClock: Date.now() })
  },

  tickSync() {
    set({ syncClock: Date.now() })
  },

  async syncNow() {
    set({ syncSending: true })
    const r = await invoke('sync-now', {})
    set({ syncSending: false })
    if (r.ok) {
      get().applySync(r.value)
      return null
    }
    if (r.error.code === 'not_paired') get().applySync(UNPAIRED)
    return r.error
  },

  async pairPlatform(platformUrl, code) {
    const r = await invoke('sync-pair', { platformUrl, code })
    if (r.ok) get().applySync(r.value)
    else void get().loadSync()
    return r
  },

  async unpairPlatform() {
    const r = await invoke('sync-unpair', {})
    if (r.ok) get().applySync(r.value)
    else if (r.error.code === 'not_paired') get().applySync(UNPAIRED)
    return r
  },
})

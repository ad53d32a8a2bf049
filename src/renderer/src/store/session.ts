import type { AppInfo, Session, Staff } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { getSessionToken, invoke, setSessionToken } from '../api'
import type { Slice } from './types'

export interface SessionSlice {
  booted: boolean
  bootError: ErrorData | null
  appInfo: AppInfo | null
  staffList: Staff[]
  session: Session | null
  /** Set when the till was locked: the sign-in screen goes straight to this person's PIN. */
  lockedStaffId: string | null
  boot: () => Promise<void>
  loadAppInfo: () => Promise<void>
  loadStaff: () => Promise<void>
  signIn: (staffId: string, pin: string) => Promise<ErrorData | null>
  /** lock: keep the cart, ask for the same PIN; switch/signout: back to the staff tiles. */
  signOut: (mode: 'lock' | 'switch') => Promise<void>
  /** The core said the session is gone. */
  sessionLost: () => void
  /** Everything a signed-in screen needs, fetched after sign-in and after a reconnect. */
  afterSignIn: () => Promise<void>
}

export const createSessionSlice: Slice<SessionSlice> = (set, get) => ({
  booted: false,
  bootError: null,
  appInfo: null,
  staffList: [],
  session: null,
  lockedStaffId: null,

  async boot() {
    const [info, staff] = await Promise.all([invoke('app-info', {}), invoke('staff-list', {})])
    if (!info.ok) {
      set({ bootError: info.error, booted: true })
      return
    }
    set({ appInfo: info.value, staffList: staff.ok ? staff.value : [], bootError: null })
    const token = getSessionToken()
    if (token) {
      const s = await invoke('session-get', {})
      if (s.ok && s.value) {
        set({ session: s.value })
        await get().afterSignIn()
      } else {
        setSessionToken(null)
      }
    }
    set({ booted: true })
  },

  async loadAppInfo() {
    const r = await invoke('app-info', {})
    if (r.ok) set({ appInfo: r.value })
  },

  async loadStaff() {
    const r = await invoke('staff-list', {})
    if (r.ok) set({ staffList: r.value })
  },

  async signIn(staffId, pin) {
    const r = await invoke('session-signin', { staffId, pin })
    if (!r.ok) return r.error
    setSessionToken(r.value.token)
    set({ session: r.value, lockedStaffId: null })
    await get().afterSignIn()
    return null
  },

  async signOut(mode) {
    const staffId = get().session?.staff.id ?? null
    await invoke('session-signout', {})
    setSessionToken(null)
    set({ session: null, lockedStaffId: mode === 'lock' ? staffId : null, dialog: null })
    if (mode === 'switch') {
      set({ screen: 'checkout', receipt: null, dayView: { kind: 'home' } })
    }
  },

  sessionLost() {
    set({ session: null, dialog: null })
  },

  async afterSignIn() {
    const s = get()
    await Promise.all([s.loadCategories(), s.search(), s.loadSettings(), s.loadParked(), s.loadAppInfo(), s.loadSync(), s.loadTill()])
    if (get().cart.lines.length > 0) await get().requote()
    await Promise.all([get().loadPaymentsStatus(), get().resumeCheckout()])
  },
})

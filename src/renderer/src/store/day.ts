import type { Closure, Shift, TillStatus } from '../../../shared/shifts-contract'
import { invoke } from '../api'
import type { Slice } from './types'

/** Where the day screen is: its overview, or one of the reports and counts reached from it. */
export type DayView =
  | { kind: 'home' }
  | { kind: 'x' }
  | { kind: 'close-shift'; shiftId: string }
  | { kind: 'shift-report'; shift: Shift }
  | { kind: 'z' }
  | { kind: 'z-report'; closure: Closure; from: 'close' | 'list' }
  | { kind: 'closures' }

export interface DaySlice {
  /** The business day and this till's shift, as the top bar and the checkout show them; null until known. */
  till: TillStatus | null
  dayView: DayView
  /** Bumped on every change that moves the day's figures (sales, payments, shifts, movements, closes). */
  dayVersion: number
  loadTill: () => Promise<void>
  /** Go to the day screen, at its overview or at one of its views. */
  openDay: (view?: DayView) => void
  setDayView: (view: DayView) => void
  dayChanged: () => void
}

let tillSeq = 0

export const createDaySlice: Slice<DaySlice> = (set, get) => ({
  till: null,
  dayView: { kind: 'home' },
  dayVersion: 0,

  async loadTill() {
    if (!get().session) return
    const seq = ++tillSeq
    const r = await invoke('till-status', {})
    if (seq !== tillSeq) return
    if (r.ok) set({ till: r.value })
  },

  openDay(view = { kind: 'home' }) {
    set({ screen: 'day', dayView: view, dialog: null, notice: null })
  },

  setDayView(view) {
    set({ dayView: view })
  },

  dayChanged() {
    set({ dayVersion: get().dayVersion + 1 })
    void get().loadTill()
  },
})

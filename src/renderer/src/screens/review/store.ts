import { create } from 'zustand'
import type { Attempt, Order } from '../../../../shared/contract'
import type { ErrorData } from '../../../../shared/errors'
import type { ExportKind, ReviewDay, ReviewDays, ReviewMatch } from '../../../../shared/review-contract'
import type { Difference } from '../../../../shared/settlement-contract'
import { invoke } from '../../api'
import { filterMatches, matchKey, review, saveExport, type MatchFilter } from '../../lib/review'
import { useReconcile } from '../reconcile/store'

/**
 * The review screen's state (only this screen needs it): the business days and the 30-day trend,
 * the day on screen, its reconciliation table with the filter and the line picked, the order behind
 * a line, and an export in progress. Every figure comes from the core; nothing here adds up money.
 */

export type ReviewBusy = null | 'days' | 'day'

export interface Drill {
  match: ReviewMatch
  order: Order | null
  /**
   * Every try the till made to take the order's money (its checkout's attempts), oldest first;
   * null until known, and for an order paid without a checkout (a cash sale before issue 4).
   */
  attempts: Attempt[] | null
  loading: boolean
  error: ErrorData | null
  /** The attempts could not be read (the order itself could). */
  attemptsError: ErrorData | null
}

export interface ReviewState {
  days: ReviewDays['days']
  trend: ReviewDays['trend']
  currency: string | null
  date: string | null
  day: ReviewDay | null
  runId: string | null
  matches: ReviewMatch[]
  filter: MatchFilter
  selected: string | null
  drill: Drill | null
  busy: ReviewBusy
  exporting: ExportKind | null
  error: ErrorData | null
  loadDays: () => Promise<void>
  setDate: (date: string) => Promise<void>
  /** The day before (older, +1) or after (newer, −1) in the list. */
  step: (by: 1 | -1) => Promise<void>
  reloadDay: () => Promise<void>
  setFilter: (filter: MatchFilter) => void
  select: (key: string | null) => void
  openDrill: (match: ReviewMatch) => Promise<void>
  closeDrill: () => void
  /** Puts the day's run in the reconcile store (its ask and resolve act there) and returns the difference. */
  difference: (differenceId: string) => Promise<Difference | null>
  ask: (differenceId: string) => Promise<void>
  exportFile: (kind: ExportKind, language: 'zh-CN' | 'en') => Promise<string | null>
  clearError: () => void
  reset: () => void
}

const initial = {
  days: [],
  trend: [],
  currency: null,
  date: null,
  day: null,
  runId: null,
  matches: [],
  filter: 'all' as MatchFilter,
  selected: null,
  drill: null,
  busy: null as ReviewBusy,
  exporting: null,
  error: null,
}

let daySeq = 0

export const useReview = create<ReviewState>()((set, get) => ({
  ...initial,

  async loadDays() {
    set({ busy: get().busy ?? 'days' })
    const r = await review('review-days', { limit: 60 })
    set({ busy: get().busy === 'days' ? null : get().busy })
    if (!r.ok) {
      set({ error: r.error })
      return
    }
    set({ days: r.value.days, trend: r.value.trend, currency: r.value.currency })
    const date = get().date
    const first = r.value.days[0]
    if ((!date || !r.value.days.some((d) => d.businessDate === date)) && first) await get().setDate(first.businessDate)
  },

  async setDate(date) {
    if (get().date !== date) set({ date, day: null, matches: [], runId: null, selected: null, filter: 'all', drill: null, error: null })
    await get().reloadDay()
  },

  async step(by) {
    const { days, date } = get()
    const i = days.findIndex((d) => d.businessDate === date)
    const next = days[i < 0 ? 0 : i + by]
    if (next && next.businessDate !== date) await get().setDate(next.businessDate)
  },

  async reloadDay() {
    const date = get().date
    if (!date) return
    const seq = ++daySeq
    set({ busy: 'day' })
    const [d, m] = await Promise.all([review('review-day', { businessDate: date }), review('review-matches', { businessDate: date })])
    if (seq !== daySeq) return
    const patch: Partial<ReviewState> = { busy: null }
    if (d.ok) patch.day = d.value
    if (m.ok) {
      patch.matches = m.value.matches
      patch.runId = m.value.runId
      const sel = get().selected
      const shown = filterMatches(m.value.matches, get().filter)
      if (!shown.some((x) => matchKey(x) === sel)) patch.selected = null
    }
    const err = !d.ok ? d.error : !m.ok ? m.error : null
    if (err) patch.error = err
    set(patch)
  },

  setFilter(filter) {
    const shown = filterMatches(get().matches, filter)
    const sel = get().selected
    set({ filter, selected: shown.some((m) => matchKey(m) === sel) ? sel : (shown[0] ? matchKey(shown[0]) : null) })
  },

  select(selected) {
    set({ selected })
  },

  async openDrill(match) {
    set({ drill: { match, order: null, attempts: null, loading: match.local?.orderId != null, error: null, attemptsError: null }, selected: matchKey(match) })
    const id = match.local?.orderId
    if (!id) return
    // An order is posted from its checkout under the checkout's own id, so the order id opens it.
    const [r, c] = await Promise.all([invoke('order-get', { id }), invoke('checkout-get', { id })])
    const now = get().drill
    if (!now || now.match !== match) return
    if (!r.ok) {
      set({ drill: { ...now, loading: false, error: r.error } })
      return
    }
    // not_found: the order was paid without a checkout (cash through sale-complete), so no attempts were kept.
    const attemptsError = !c.ok && c.error.code !== 'not_found' ? c.error : null
    set({ drill: { ...now, order: r.value, attempts: c.ok ? c.value.attempts : null, loading: false, attemptsError } })
  },

  closeDrill() {
    set({ drill: null })
  },

  async difference(differenceId) {
    const { date, runId } = get()
    if (!date || !runId) return null
    const rec = useReconcile.getState()
    if (rec.date !== date) await rec.setDate(date)
    if (useReconcile.getState().run?.id !== runId) await useReconcile.getState().openRun(runId)
    const run = useReconcile.getState().run
    if (!run || run.id !== runId) {
      set({ error: useReconcile.getState().error ?? { code: 'not_found', message: 'The reconciliation could not be opened.' } })
      return null
    }
    return run.differences.find((d) => d.id === differenceId) ?? null
  },

  async ask(differenceId) {
    const d = await get().difference(differenceId)
    if (!d) return
    await useReconcile.getState().ask(differenceId)
    const err = useReconcile.getState().error
    if (err) set({ error: err })
  },

  async exportFile(kind, language) {
    const date = get().date
    if (!date || get().exporting) return null
    set({ exporting: kind, error: null })
    const r = await review('review-export', { businessDate: date, kind, language })
    set({ exporting: null })
    if (!r.ok) {
      set({ error: r.error })
      return null
    }
    return saveExport(r.value)
  },

  clearError() {
    set({ error: null })
  },

  reset() {
    daySeq++
    set({ ...initial })
  },
}))

import { create } from 'zustand'
import type { ErrorData } from '../../../../shared/errors'
import { newId } from '../../../../shared/ids'
import type { Difference, Reconciliation, ReconciliationSummary, TillStatement } from '../../../../shared/settlement-contract'
import { filterDifferences, settle, unresolvedSum, type DifferenceFilter, type ResolutionKind, type SettlementOutput } from '../../lib/reconcile'

/**
 * The reconcile screen's state, apart from the app store (only this screen needs it): the day, the
 * statements the till holds for it, what the last fetch said is missing, the runs of the day and
 * the one on screen, the table's filter and selection. Every action goes to the core; nothing here
 * edits a posted record — an ask or a resolution replaces the difference with the core's answer.
 */

export type Missing = SettlementOutput<'statement-fetch'>['missing'][number]
export type Busy = null | 'load' | 'fetch' | 'import' | 'run' | 'open'

export interface ReconcileState {
  date: string | null
  statements: TillStatement[]
  /** From the last "Get statements" of this day; null before one. */
  missing: Missing[] | null
  /** The statements the last fetch or import brought (highlighted). */
  arrived: string[]
  runs: ReconciliationSummary[]
  run: Reconciliation | null
  filter: DifferenceFilter
  selected: string | null
  busy: Busy
  /** Differences being asked about right now. */
  asking: string[]
  error: ErrorData | null
  /** The last import refused: the file's name and the core's error (shown with its line). */
  refused: { fileName: string; error: ErrorData } | null
  setDate: (date: string) => Promise<void>
  reload: () => Promise<void>
  fetchStatements: () => Promise<void>
  importFile: (fileName: string, base64: string) => Promise<TillStatement | null>
  runReconcile: () => Promise<Reconciliation | null>
  openRun: (runId: string) => Promise<void>
  ask: (differenceId: string) => Promise<void>
  /** Sends a resolution; the answer (ok or the error) goes back to the dialog. */
  resolve: (req: { resolutionId: string; differenceId: string; kind: ResolutionKind; note: string; correctionSale?: { taxId: string } }) => Promise<{ ok: true; value: Difference } | { ok: false; error: ErrorData }>
  setFilter: (filter: DifferenceFilter) => void
  select: (id: string | null) => void
  clearError: () => void
  reset: () => void
}

const initial = {
  date: null,
  statements: [],
  missing: null,
  arrived: [],
  runs: [],
  run: null,
  filter: 'all' as DifferenceFilter,
  selected: null,
  busy: null as Busy,
  asking: [],
  error: null,
  refused: null,
}

let loadSeq = 0
/** While a day is being read, wait for it (a read that starts meanwhile is waited for too). */
async function settledWith(busy: () => Busy): Promise<void> {
  while (busy() === 'load') await loading
}

/** The latest read of a day's statements and runs (a date just picked): F2/F3/F4 wait for it rather than being dropped. */
let loading: Promise<void> = Promise.resolve()
/** A run id is kept until the core has answered, so a lost answer retried is the same run. */
let pendingRunId: string | null = null

function replaceDifference(run: Reconciliation, d: Difference): Reconciliation {
  const differences = run.differences.map((x) => (x.id === d.id ? d : x))
  return { ...run, differences, unresolved: unresolvedSum(differences) }
}

export const useReconcile = create<ReconcileState>()((set, get) => ({
  ...initial,

  async setDate(date) {
    if (get().date !== date) set({ date, missing: null, arrived: [], run: null, runs: [], statements: [], selected: null, refused: null, error: null, filter: 'all' })
    await get().reload()
  },

  async reload() {
    const date = get().date
    if (!date) return
    const seq = ++loadSeq
    set({ busy: get().busy ?? 'load' })
    const read = Promise.all([settle('statement-list', { businessDate: date }), settle('reconcile-list', { businessDate: date })])
    loading = read.then(
      () => undefined,
      () => undefined,
    )
    const [st, rl] = await read
    if (seq !== loadSeq) return
    const patch: Partial<ReconcileState> = { busy: get().busy === 'load' ? null : get().busy }
    if (st.ok) patch.statements = st.value
    if (rl.ok) patch.runs = [...rl.value].sort((a, b) => b.at.localeCompare(a.at))
    const err = !st.ok ? st.error : !rl.ok ? rl.error : null
    if (err) patch.error = err
    set(patch)
    // the latest run of the day opens by itself
    const latest = patch.runs?.[0]
    if (latest && !get().run) await get().openRun(latest.id)
  },

  async fetchStatements() {
    await settledWith(() => get().busy)
    const date = get().date
    if (!date || get().busy) return
    set({ busy: 'fetch', error: null })
    const r = await settle('statement-fetch', { businessDate: date })
    if (get().date !== date) return
    if (!r.ok) {
      set({ busy: null, error: r.error })
      return
    }
    set({ busy: null, missing: r.value.missing, arrived: r.value.statements.map((s) => s.id) })
    await get().reload()
  },

  async importFile(fileName, base64) {
    await settledWith(() => get().busy)
    if (get().busy) return null
    set({ busy: 'import', error: null, refused: null })
    const r = await settle('statement-import', { fileName, base64 })
    if (!r.ok) {
      if (r.error.code === 'statement_refused' || r.error.code === 'invalid_input') set({ busy: null, refused: { fileName, error: r.error } })
      else set({ busy: null, error: r.error })
      return null
    }
    set({ busy: null, arrived: [r.value.id] })
    await get().reload()
    return r.value
  },

  async runReconcile() {
    await settledWith(() => get().busy)
    const date = get().date
    if (!date || get().busy) return null
    pendingRunId ??= newId()
    set({ busy: 'run', error: null })
    const r = await settle('reconcile-run', { runId: pendingRunId, businessDate: date })
    // only a lost answer keeps the id: the same run again is answered with the run it made
    if (r.ok || r.error.code !== 'internal') pendingRunId = null
    if (!r.ok) {
      set({ busy: null, error: r.error })
      return null
    }
    set({ busy: null, run: r.value, selected: r.value.differences[0]?.id ?? null, filter: 'all' })
    await get().reload()
    return r.value
  },

  async openRun(runId) {
    set({ busy: get().busy ?? 'open' })
    const r = await settle('reconcile-get', { runId })
    set({ busy: get().busy === 'open' ? null : get().busy })
    if (!r.ok) {
      set({ error: r.error })
      return
    }
    if (get().date && r.value.businessDate !== get().date) return
    set({ run: r.value, selected: r.value.differences[0]?.id ?? null, filter: 'all' })
  },

  async ask(differenceId) {
    const run = get().run
    if (!run || get().asking.includes(differenceId)) return
    set({ asking: [...get().asking, differenceId], error: null })
    const r = await settle('difference-ask', { runId: run.id, differenceId })
    set({ asking: get().asking.filter((x) => x !== differenceId) })
    if (!r.ok) {
      set({ error: r.error })
      return
    }
    const now = get().run
    if (now?.id === run.id) set({ run: replaceDifference(now, r.value) })
  },

  async resolve(req) {
    const run = get().run
    if (!run) return { ok: false, error: { code: 'not_found', message: 'No reconciliation on screen.' } }
    const r = await settle('difference-resolve', { runId: run.id, ...req })
    if (!r.ok) return r
    const now = get().run
    if (now?.id === run.id) set({ run: replaceDifference(now, r.value) })
    return r
  },

  setFilter(filter) {
    const run = get().run
    set({ filter })
    if (!run) return
    const sel = get().selected
    const shown = filterDifferences(run.differences, filter)
    if (!shown.some((d) => d.id === sel)) set({ selected: shown[0]?.id ?? null })
  },

  select(selected) {
    set({ selected })
  },

  clearError() {
    set({ error: null })
  },

  reset() {
    loadSeq++
    pendingRunId = null
    set({ ...initial })
  },
}))

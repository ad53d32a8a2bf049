import { create } from 'zustand'
import type { ChannelInput } from '../../../shared/contract'
import type { Result } from '../../../shared/errors'
import type { PrinterSettings, PrintJob } from '../../../shared/printing-contract'
import { invoke, onEvent } from '../api'
import type { NoSaleReason } from '../lib/printing'

/**
 * The receipt printer as the screens see it: this till's printer settings (is one on?) and the
 * print jobs that did not print yet, with Retry. Its own small store: the core owns every job and
 * rule; this only shows them and refetches when the core says `printer-changed`.
 */
export interface PrintingState {
  /** null until known (or when the core could not say: then screens behave as with no printer). */
  printer: PrinterSettings | null
  /** Jobs not done: pending, sending or failed, as print-jobs gives them. */
  jobs: PrintJob[]
  /** Job ids with a Retry on its way. */
  retrying: string[]
  loadPrinter: () => Promise<void>
  loadJobs: () => Promise<void>
  retry: (jobId: string) => Promise<Result<PrintJob>>
  printDocument: (doc: ChannelInput<'print-document'>) => Promise<Result<PrintJob>>
  /** "No sale": the drawer opens with a reason; the dialog keeps its event id for a retry after a lost answer. */
  openDrawer: (eventId: string, reason: NoSaleReason, note: string) => Promise<Result<PrintJob>>
  /** A job the screen just got back (printed or not) is shown at once, before the refetch. */
  noteJob: (job: PrintJob) => void
}

let jobsSeq = 0
let printerSeq = 0

export const usePrinting = create<PrintingState>()((set, get) => ({
  printer: null,
  jobs: [],
  retrying: [],

  async loadPrinter() {
    const seq = ++printerSeq
    const r = await invoke('printer-settings-get', {})
    if (seq !== printerSeq) return
    set({ printer: r.ok ? r.value : null })
  },

  async loadJobs() {
    const seq = ++jobsSeq
    const r = await invoke('print-jobs', {})
    if (seq !== jobsSeq) return
    // No answer (no printer code yet, signed out, a dropped connection) shows nothing: never in the way of selling.
    if (r.ok) set({ jobs: r.value.filter((j) => j.state !== 'done') })
  },

  async retry(jobId) {
    if (get().retrying.includes(jobId)) return { ok: false, error: { code: 'conflict', message: 'A retry of this job is on its way.' } }
    set({ retrying: [...get().retrying, jobId] })
    const r = await invoke('print-retry', { jobId })
    set({ retrying: get().retrying.filter((id) => id !== jobId) })
    if (r.ok) get().noteJob(r.value)
    void get().loadJobs()
    return r
  },

  async printDocument(doc) {
    const r = await invoke('print-document', doc)
    if (r.ok) get().noteJob(r.value)
    void get().loadJobs()
    return r
  },

  async openDrawer(eventId, reason, note) {
    const text = note.trim()
    const r = await invoke('drawer-open', text ? { eventId, reason, note: text } : { eventId, reason })
    if (r.ok) get().noteJob(r.value)
    void get().loadJobs()
    return r
  },

  noteJob(job) {
    const others = get().jobs.filter((j) => j.id !== job.id)
    set({ jobs: job.state === 'done' ? others : [job, ...others] })
  },
}))

let wired = false

/** Refetch on the core's word, once per window. */
export function wirePrinting(): void {
  if (wired) return
  wired = true
  onEvent('printer-changed', () => {
    void usePrinting.getState().loadJobs()
    void usePrinting.getState().loadPrinter()
  })
  // a sale, a refund or a Z may have queued a job
  onEvent('orders-changed', () => void usePrinting.getState().loadJobs())
  onEvent('day-changed', () => void usePrinting.getState().loadJobs())
}

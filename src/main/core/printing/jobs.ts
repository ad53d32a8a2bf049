import type { Settings } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import type { PrintFailure, PrintJob, PrintKind, PrinterSettings } from '../../../shared/printing-contract'
import { DayReportSchema } from '../../../shared/shifts-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { readOrder } from '../orders'
import { readShift } from '../shifts/shifts'
import { readClosure } from '../closures/closures'
import { PRINT_MESSAGES, type PrinterDriver } from './driver'
import { encodeDoc } from './escpos'
import { columnsFor, type PrintDoc } from './layout'
import { readPrinterSettings } from './settings'
import { fmt } from './documents/strings'
import { saleReceipt } from './documents/sale'
import { refundReceipt } from './documents/refund'
import { shiftReport } from './documents/shift'
import { xReportDoc } from './documents/x'
import { zReportDoc } from './documents/z'
import { testPage } from './documents/test-page'

/**
 * Print jobs, written ahead like tender attempts. A job is recorded `pending` after what it prints
 * is committed (never in its transaction: printing can never block or undo a sale), then claimed
 * `sending` by one sender, then `done` or `failed` with a reason the cashier reads and a Retry.
 *
 * Exactly once:
 * - the sale's job has an id made from the order (`sale-<orderId>`) and is inserted OR IGNOREd by a
 *   scan of the orders committed after `printer_settings.scanned_seq`, which moves on in the same
 *   transaction; the scan runs after every commit and when the core starts, so a crash between the
 *   sale's commit and its job leaves the job to be made at the next start — once;
 * - a job found `sending` at start may have printed: it is marked failed (`interrupted`, "check the
 *   roll") and never sent again by itself; only a person's Retry sends it;
 * - a Retry of a done job answers the job as it is.
 *
 * The drawer kicks only for what happens now, with someone at the counter: at start, the jobs left
 * pending by an earlier run (and the jobs made at start for orders committed before it) print but do
 * not kick — the sale may be hours old and nobody stands at the till — and a drawer-only job left
 * pending is settled without sending anything. A Retry of a job `interrupted` while sending (it may
 * have printed and kicked) prints again without the kick unless the person asks for it.
 */
export interface PrintingDeps {
  db: Db
  device: Device
  now: () => Date
  settings: () => Settings
  makePrinter: (s: PrinterSettings) => PrinterDriver
  log: (line: string) => void
  onChange: (job: PrintJob | null) => void
}

interface JobRow {
  id: string
  kind: PrintKind
  ref_id: string | null
  print: number
  drawer: number
  payload: string | null
  state: PrintJob['state']
  attempts: number
  failure_code: PrintFailure | null
  failure_message: string | null
  created_at: string
  done_at: string | null
}

const COLUMNS = 'id, kind, ref_id, print, drawer, payload, state, attempts, failure_code, failure_message, created_at, done_at'

function toJob(r: JobRow): PrintJob {
  return {
    id: r.id,
    kind: r.kind,
    refId: r.ref_id,
    drawer: r.drawer === 1,
    state: r.state,
    attempts: r.attempts,
    failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? PRINT_MESSAGES[r.failure_code] } : null,
    createdAt: r.created_at,
    doneAt: r.done_at,
  }
}

export interface NewJob {
  id?: string
  kind: PrintKind
  refId: string | null
  print: boolean
  drawer: boolean
  payload?: unknown
}

export class PrintService {
  private readonly db: Db
  /** One job at a time goes to the printer, in the order asked. */
  private chain: Promise<unknown> = Promise.resolve()
  private scheduled = false
  private stopped = false
  private printer: { key: string; driver: PrinterDriver } | null = null
  /** Stops a send in flight when the core closes (the job then fails and waits for a Retry). */
  private readonly closing = new AbortController()
  /** The journal's end when this run started: orders up to it were committed by an earlier run (no kick). */
  private startSeq = 0
  /** Jobs left pending by an earlier run, and interrupted jobs retried without the kick: they never kick by themselves. */
  private readonly noKick = new Set<string>()

  constructor(private readonly deps: PrintingDeps) {
    this.db = deps.db
  }

  /** At core start: what a crash left sending may have printed (never re-sent by itself); then make and send what is missing. */
  start(): void {
    const at = this.deps.now().toISOString()
    this.startSeq = (stmt(this.db, 'SELECT coalesce(max(seq), 0) AS seq FROM journal').get() as { seq: number }).seq
    const left = stmt(this.db, "SELECT id FROM print_jobs WHERE state = 'pending' AND drawer = 1").all() as { id: string }[]
    for (const j of left) this.noKick.add(j.id)
    if (left.length > 0) this.deps.log(`printing: ${left.length} job(s) left by the last run will not open the drawer (${at})`)
    const r = stmt(this.db, "UPDATE print_jobs SET state = 'failed', failure_code = 'interrupted', failure_message = ?, done_at = NULL WHERE state = 'sending'").run(PRINT_MESSAGES.interrupted)
    if (r.changes > 0) this.deps.log(`printing: ${r.changes} job(s) were being sent when the till stopped; marked for a check and Retry (${at})`)
    this.afterCommit()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.closing.abort()
    await this.chain.catch(() => undefined)
  }

  settings(): PrinterSettings {
    return readPrinterSettings(this.db)
  }

  private driver(s: PrinterSettings): PrinterDriver | null {
    if (!s.enabled || !s.host) return null
    const key = `${s.host}|${s.port}`
    if (this.printer?.key !== key) this.printer = { key, driver: this.deps.makePrinter(s) }
    return this.printer.driver
  }

  /** Called after anything that may have committed an order: makes its job and sends what is pending, in the background. */
  afterCommit(): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.stopped || !this.db.open) return
      try {
        this.scan()
        this.pump()
      } catch (e) {
        this.deps.log(`printing: ${e instanceof Error ? e.message : String(e)}`)
      }
    })
  }

  /** A pay-in, pay-out or safe drop committed: the drawer opens, once per movement. */
  drawerForMovement(movementId: string): void {
    const s = this.settings()
    if (!s.enabled || !s.host || !s.drawerEnabled) return
    this.insert({ id: `move-${movementId}`, kind: 'drawer', refId: movementId, print: false, drawer: true })
    this.afterCommit()
  }

  /** Gives every order committed since the last scan its job (print and/or drawer), once. */
  scan(): number {
    const s = this.settings()
    if (!s.enabled) return 0 // no printer: no write lock taken after every sale
    return this.db
      .transaction(() => {
        const row = stmt(this.db, 'SELECT scanned_seq FROM printer_settings WHERE id = 1').get() as { scanned_seq: number } | undefined
        if (!row || !s.enabled) return 0
        const orders = stmt(
          this.db,
          `SELECT o.id, o.journal_seq, o.created_at, EXISTS (SELECT 1 FROM order_tenders t WHERE t.order_id = o.id AND t.method = 'cash') AS cash
             FROM orders o WHERE o.journal_seq > ? ORDER BY o.journal_seq`,
        ).all(row.scanned_seq) as { id: string; journal_seq: number; created_at: string; cash: number }[]
        let made = 0
        for (const o of orders) {
          // an order committed before this run started (a crash before its job was made): no kick now
          const drawer = s.drawerEnabled && o.cash === 1 && o.journal_seq > this.startSeq
          if (!s.autoPrint && !drawer) continue
          made += this.insert({ id: `sale-${o.id}`, kind: s.autoPrint ? 'sale' : 'drawer', refId: o.id, print: s.autoPrint, drawer }) ? 1 : 0
        }
        const end = (stmt(this.db, 'SELECT coalesce(max(seq), 0) AS seq FROM journal').get() as { seq: number }).seq
        if (end > row.scanned_seq) stmt(this.db, 'UPDATE printer_settings SET scanned_seq = ? WHERE id = 1').run(end)
        return made
      })
      .immediate()
  }

  private insert(j: NewJob): boolean {
    const r = stmt(
      this.db,
      `INSERT OR IGNORE INTO print_jobs (id, kind, ref_id, print, drawer, payload, state, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)`,
    ).run(j.id ?? newId(), j.kind, j.refId, j.print ? 1 : 0, j.drawer ? 1 : 0, j.payload === undefined ? null : JSON.stringify(j.payload), this.deps.now().toISOString())
    return r.changes > 0
  }

  /** Records a job (pending) and returns it; the same id again returns the job already made. */
  create(j: NewJob & { id: string }): PrintJob {
    this.insert(j)
    return this.get(j.id) as PrintJob
  }

  /** The job printing an order's original receipt (auto-printed `sale-<id>`, or asked `receipt-<id>`), if any. */
  originalReceipt(orderId: string): PrintJob | undefined {
    const r = stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE ref_id = ? AND kind = 'sale' AND print = 1 ORDER BY created_at, id LIMIT 1`).get(orderId) as JobRow | undefined
    return r ? toJob(r) : undefined
  }

  get(id: string): PrintJob | undefined {
    const r = stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id) as JobRow | undefined
    return r ? toJob(r) : undefined
  }

  list(all: boolean): PrintJob[] {
    const rows = all
      ? (stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs ORDER BY created_at DESC, id DESC LIMIT 50`).all() as JobRow[])
      : (stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE state != 'done' ORDER BY created_at DESC, id DESC LIMIT 200`).all() as JobRow[])
    return rows.map(toJob)
  }

  /** Sends every pending job, oldest first (failed ones wait for a Retry). */
  pump(): void {
    const pending = stmt(this.db, "SELECT id FROM print_jobs WHERE state = 'pending' ORDER BY created_at, id").all() as { id: string }[]
    for (const p of pending) void this.send(p.id)
  }

  /**
   * Sends one job (pending, or failed on a Retry); answers the job as it ended. A done or sending job
   * is answered as it is. `kickAgain`: a Retry of an interrupted job kicks the drawer again (asked by a person).
   */
  send(id: string, retry = false, kickAgain = false): Promise<PrintJob> {
    const next = this.chain.then(() => this.sendNow(id, retry, kickAgain))
    this.chain = next.catch(() => undefined)
    return next
  }

  /** Waits until every job asked for so far has been sent (tests; the core's stop). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.scheduled) await new Promise<void>((r) => setImmediate(r))
      const c = this.chain
      await c
      if (c === this.chain && !this.scheduled) return
    }
  }

  /** Whether sending this job now kicks the drawer (see the class comment); read before the job is claimed. */
  private kicks(job: JobRow, retry: boolean, kickAgain: boolean): boolean {
    if (job.drawer !== 1) return false
    if (retry && job.state === 'failed' && job.failure_code === 'interrupted') {
      if (!kickAgain) this.noKick.add(job.id) // it may have kicked already: a later Retry after another failure does not either
      else this.noKick.delete(job.id)
      return kickAgain
    }
    return !this.noKick.has(job.id) || (retry && kickAgain)
  }

  private async sendNow(id: string, retry: boolean, kickAgain = false): Promise<PrintJob> {
    if (!this.db.open) throw new DaybookError('internal', 'The till is closing.')
    // Closing: what is still pending stays pending, and prints at the next start.
    if (this.stopped) {
      const now = this.get(id)
      if (!now) throw new DaybookError('not_found', 'There is no such print job.')
      return now
    }
    const before = stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id) as JobRow | undefined
    if (!before) throw new DaybookError('not_found', 'There is no such print job.')
    const states = retry ? "('pending', 'failed')" : "('pending')"
    if (before.state !== 'pending' && !(retry && before.state === 'failed')) return toJob(before)
    const kick = this.kicks(before, retry, kickAgain)
    if (before.print === 0 && !kick) {
      // a drawer-only job that must not kick now: nothing to send
      const r = stmt(this.db, `UPDATE print_jobs SET state = 'done', attempts = attempts + 1, failure_code = NULL, failure_message = NULL, done_at = ? WHERE id = ? AND state IN ${states}`).run(
        this.deps.now().toISOString(),
        id,
      )
      if (r.changes > 0) this.deps.log(`printing: job ${id} (${before.kind}) settled without opening the drawer (left by an earlier run, or a Retry after an interruption)`)
      const ended = this.get(id) as PrintJob
      if (r.changes > 0) this.deps.onChange(ended)
      return ended
    }
    const claimed = stmt(this.db, `UPDATE print_jobs SET state = 'sending', attempts = attempts + 1, failure_code = NULL, failure_message = NULL, sent_at = ? WHERE id = ? AND state IN ${states}`).run(
      this.deps.now().toISOString(),
      id,
    )
    const job = stmt(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id) as JobRow | undefined
    if (!job) throw new DaybookError('not_found', 'There is no such print job.')
    if (claimed.changes === 0) return toJob(job)
    this.deps.onChange(toJob(job))
    const s = this.settings()
    const driver = this.driver(s)
    let failure: { code: PrintFailure; message: string } | null = null
    if (!driver) failure = { code: 'not_configured', message: PRINT_MESSAGES.not_configured }
    else {
      let bytes: Uint8Array
      try {
        bytes = encodeDoc(this.render(job, s), { paperWidth: s.paperWidth, codePage: s.codePage, drawerPin: s.drawerPin, drawer: kick })
      } catch (e) {
        this.deps.log(`printing: job ${id} cannot be laid out: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
        bytes = new Uint8Array()
        failure = { code: 'refused', message: 'This document could not be laid out for the printer.' }
      }
      if (!failure) {
        // a job that prints nothing (a bare kick) is not held back by an empty roll or an open cover
        const out = await driver.send(bytes, this.closing.signal, { printsNothing: job.print === 0 })
        if (!out.ok) failure = { code: out.code, message: out.message }
      }
    }
    if (!this.db.open) return toJob({ ...job, state: failure ? 'failed' : 'done' })
    const at = this.deps.now().toISOString()
    if (failure) {
      stmt(this.db, "UPDATE print_jobs SET state = 'failed', failure_code = ?, failure_message = ? WHERE id = ?").run(failure.code, failure.message, id)
      this.deps.log(`printing: job ${id} (${job.kind}) failed: ${failure.code}`)
    } else {
      stmt(this.db, "UPDATE print_jobs SET state = 'done', done_at = ? WHERE id = ?").run(at, id)
    }
    const ended = this.get(id) as PrintJob
    this.deps.onChange(ended)
    return ended
  }

  /** The document a job prints, made from what it refers to (posted records never change). */
  render(job: Pick<JobRow, 'kind' | 'ref_id' | 'print' | 'payload'>, s: PrinterSettings): PrintDoc {
    const cols = columnsFor(s.paperWidth)
    if (job.print === 0) return { blocks: [], cut: false }
    const store = this.deps.settings()
    const f = (currency: string): ReturnType<typeof fmt> => fmt(s.language, currency, store.timeZone, s.codePage)
    const ref = job.ref_id ?? ''
    switch (job.kind) {
      case 'sale':
      case 'reprint': {
        const order = readOrder(this.db, ref)
        if (!order) throw new Error(`order ${ref} not found`)
        const n = job.kind === 'reprint' ? ((job.payload ? (JSON.parse(job.payload) as { n?: number }).n : undefined) ?? Math.max(1, order.reprints)) : null
        return saleReceipt(order, f(order.currency), cols, n === null ? null : { n })
      }
      case 'refund': {
        const row = stmt(this.db, 'SELECT order_id FROM refunds WHERE id = ?').get(ref) as { order_id: string } | undefined
        const order = row ? readOrder(this.db, row.order_id) : undefined
        const refund = order?.refunds.find((r) => r.id === ref)
        if (!order || !refund) throw new Error(`refund ${ref} not found`)
        return refundReceipt(order, refund, f(order.currency), cols)
      }
      case 'shift': {
        const shift = readShift(this.db, ref, store, this.deps.device.code)
        if (!shift) throw new Error(`shift ${ref} not found`)
        const at = job.payload ? (JSON.parse(job.payload) as { at: string }).at : this.deps.now().toISOString()
        return shiftReport(shift, store.storeName, f(shift.currency), cols, at)
      }
      case 'x': {
        const x = DayReportSchema.parse(JSON.parse(job.payload ?? 'null'))
        return xReportDoc(x, f(x.currency), cols)
      }
      case 'z': {
        const z = readClosure(this.db, ref, this.deps.device.code, store.storeName)
        if (!z) throw new Error(`closure ${ref} not found`)
        return zReportDoc(z, f(z.currency), cols)
      }
      case 'test': {
        const at = job.payload ? (JSON.parse(job.payload) as { at: string }).at : this.deps.now().toISOString()
        return testPage(store.storeName, s, f(store.currency), cols, at)
      }
      case 'drawer':
        return { blocks: [], cut: false }
    }
  }
}

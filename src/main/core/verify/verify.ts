import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { extname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { canonicalJson } from '../../../shared/canonical-json'
import type { JournalReport } from '../../../shared/contract'
import { addFigures, sumFigures, type DayFigures } from '../../../shared/ledger'
import type { Db } from '../db/sqlite'
import { jsonDifference, plain, show, VerifyProblem } from './problem'
import { digestChunk, digestTasks, fingerprint, joinDigests, readSeal, SEAL_FORMAT, sealKey, sealPath, verifyKeyFile, writeSeal, type ClosureState, type DigestTask } from './seal'
import { checkSchema, GENESIS, versionOf, Walk, type ClosingData, type WalkResult, type ProblemData, type Range } from './walk'

/**
 * `npm run daybook -- verify <db>` and the 'journal-verify' channel. Proves, in one pass over the
 * journal, that
 *  1. the journal is a gap-free hash chain (gap, broken link, bad hash, bad payload);
 *  2. every table the reports read agrees with it: each posted row (orders and their lines, taxes
 *     and tenders, refunds, voided checkouts, reprints, shifts, shift closes and take-overs, cash
 *     movements, closures, postings and ledger lines, outbox rows) is rebuilt from the event that
 *     wrote it and compared, and the first row that differs, is missing, or has no event is named
 *     (walk.ts);
 *  3. every posting balances (debits = credits), in the ledger_lines table and in its event;
 *  4. the closures: numbers 1, 2, 3… without a gap, contiguous seq ranges from event 1, each
 *     closing at the journal's hash just before it, on a later business day than the one before,
 *     grand total = previous grand total + period total, period total = net, and figures equal to
 *     sumFigures replayed over the events the closure covers — from the journal, through
 *     postingFor, never from the postings table, so a tampered table cannot vouch for itself;
 *     and nothing after a closure posts into a day it closed;
 *  5. the journal was not cut short: no posted row, outbox row or closure row points past its end
 *     (a paired till's outbox says what the platform acknowledged, sent_at), no completed checkout
 *     or refund names an order that is not there, no order line, tax or tender is left without its
 *     order.
 *
 * What it cannot see: a journal tail removed together with every row that points into it (the
 * posted rows, their outbox rows, the checkouts and refunds of those sales, any closure row) looks
 * exactly like a till that stopped earlier; only the platform, which keeps what it acknowledged, or
 * a printed receipt or Z can tell. Likewise a chain re-hashed from a tampered event on (the hash is
 * not keyed) with every closure after it rewritten to match. Working state that is not posted (open
 * checkouts, attempts in flight, parked carts, settings, staff) is no copy of an event and is not
 * checked, beyond the references in 5. Checked only in part: a voided checkout's attempts (their
 * id, method and amount, not the state they reached); the outbox's sent_at (the sync's to write:
 * only used to find the acknowledged end); and the business day migration 7 gave the refunds,
 * voids and reprints posted before the ledger existed (the store's time zone of that day is not
 * recorded anywhere, so only its form is checked; a sale's is its receipt's day).
 *
 * Speed: one cursor per table, ordered by journal seq and merge-joined with the journal cursor (no
 * query per row; better-sqlite3 keeps them all open on one connection), rows as arrays, JSON.parse
 * once per event, the hash computed from the stored text. The file command (verifyLedgerFile)
 * splits the journal into ranges walked by worker threads and joins their results here; a
 * closure whose period spans ranges is checked against the per-range sums merged (figures.ts).
 * Measured on the 2-vCPU bench VM (bench/results/verify-2026-12-06.json), 1,000,000 orders: 127 s in
 * one thread (≈ 125 µs an event; the chain-only walk this replaces took ≈ 140 µs an event), 74 s
 * with two worker threads — not the 10 s the issue asks for; `npm run bench -- --only verify`.
 */

export interface VerifyOptions {
  /** Only walk the chain (what verifyJournal did before the ledger): no tables, closures or end. */
  chainOnly?: boolean
}

/** Verifies an open ledger in this thread. Never writes; the connection may be read-only. */
export function verifyLedger(db: Db, options: VerifyOptions = {}): JournalReport {
  const version = versionOf(db)
  const chainOnly = options.chainOnly === true
  if (!chainOnly) {
    try {
      checkSchema(db, version)
    } catch (e) {
      if (e instanceof VerifyProblem) return emptyReport(e)
      throw e
    }
  }
  const walk = new Walk(db, version, { from: 1, to: null }, chainOnly)
  return combine(db, version, [walk.run()], chainOnly, null).report
}

function emptyReport(p: VerifyProblem): JournalReport {
  return { ok: false, events: 0, lastSeq: 0, lastHash: GENESIS, problem: { kind: p.kind, seq: p.seq, message: p.message, table: p.table, row: p.row } }
}

export interface FileOptions {
  /**
   * Worker threads, each walking an equal range of the journal. Default: one per CPU (at most 8),
   * fewer for a small ledger (a thread is not worth it under 50,000 events), 1 = this thread only.
   */
  workers?: number
  /** Ignore the seal beside the ledger and walk every event (`verify --full`). A clean walk still writes one. */
  full?: boolean
  /** Write no seal (default: a clean walk seals its last closure beside the ledger, seal.ts). */
  noSeal?: boolean
  /** Seal the last closure at or before this event, not the last one (the bench: a day left to walk). */
  sealAtOrBefore?: number
}

/** Fewer events than this per worker are not worth a thread. */
const MIN_EVENTS_PER_WORKER = 50_000

/** How many threads verifyLedgerFile walks a journal of `events` events with. */
export function workersFor(events: number, options: FileOptions = {}): number {
  return Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 8, Math.floor(events / MIN_EVENTS_PER_WORKER)), events))
}

/** What a walk resumes from: a seal's state (events 1…closure.seq proved), or nothing. */
interface Base {
  events: number
  rows: Record<string, number>
  voided: string[]
  closure: ClosureState
  acknowledged: number | null
}

/** The last closure a clean walk proved, with what a seal made there records. */
interface Sealable {
  seq: number
  hash: string
  rows: Record<string, number>
  voided: string[]
  closure: ClosureState
}

/**
 * Verifies a ledger file, opened read-only (never migrated), splitting the journal between worker
 * threads. Same answer as verifyLedger on the same file. With a seal beside it (seal.ts) whose MAC
 * and digest still match, only the events after the sealed closure are walked; a clean walk leaves a
 * new seal, whose digest is taken before the walk (so what it vouches for is what the walk then read).
 */
export async function verifyLedgerFile(file: string, options: FileOptions = {}): Promise<JournalReport> {
  const db = openReadOnly(file)
  try {
    const version = versionOf(db)
    try {
      checkSchema(db, version)
    } catch (e) {
      if (e instanceof VerifyProblem) return emptyReport(e)
      throw e
    }
    const last = (db.prepare('SELECT max(seq) AS s FROM journal').get() as { s: number | null }).s ?? 0
    const key = options.noSeal && options.full ? null : sealKey(verifyKeyFile(), !options.noSeal)
    const digests = new Map<string, string | null>()
    let base: Base | null = null
    let walkedAhead: WalkResult[] | null = null
    let evidence: ProblemData | null = null
    let sealed: NonNullable<JournalReport['seal']> = { outcome: options.full ? 'ignored' : 'none', seq: null, madeAt: null, written: null }
    // Where a new seal would go: the last closure up to sealAtOrBefore (the walk must then prove it).
    const candidate = (db.prepare('SELECT max(journal_seq) AS s FROM closures WHERE journal_seq <= ?').get(Math.min(options.sealAtOrBefore ?? last, last)) as { s: number | null }).s
    const found = options.full ? null : readSeal(file, version, key)
    if (found && !found.seal) sealed = { ...sealed, outcome: found.why }
    const seal = found?.seal ?? null
    if (seal) {
      sealed = { outcome: 'mismatch', seq: seal.seq, madeAt: seal.madeAt, written: null }
      const at = db.prepare('SELECT hash FROM journal WHERE seq = ?').get(seal.seq) as { hash: string } | undefined
      if (!at || at.hash !== seal.hash) {
        // What the seal proves is gone: the journal was cut or rewritten since (or an older copy put back).
        const where = `${sealPath(file)}: the verify of ${seal.madeAt} proved the journal up to event ${seal.seq} (closure #${seal.closure.number})`
        evidence = at
          ? { kind: 'bad_hash', seq: seal.seq, message: `event ${seal.seq} is not the event it was when ${where}: the journal was rewritten from there or before`, table: null, row: null }
          : { kind: 'truncated', seq: seal.seq, message: `the journal ends at event ${last}, but ${where}: its tail was cut off (if this is an older backup put back, delete the seal)`, table: null, row: null }
      } else {
        // A short tail is walked (and the acknowledged end read) in this thread while the others start
        // on the digest: used if the digest matches, dropped if not.
        // Not when this run will seal a newer closure: that seal's digest must be taken before any walk.
        let early: { tail: WalkResult; acknowledged: number | null } | null = null
        const ahead =
          workersFor(last - seal.seq, options) === 1 && (options.noSeal || !key || candidate === null || candidate <= seal.seq)
            ? () => {
                early = { acknowledged: acknowledgedThrough(db, version, seal.seq), tail: new Walk(db, version, { from: seal.seq + 1, to: null }).run() }
              }
            : undefined
        if ((await digestOf(file, version, digestTasks(version, seal.seq), workersFor(seal.seq, options), digests, ahead)) === seal.digest) {
          const e = early as { tail: WalkResult; acknowledged: number | null } | null
          base = { events: seal.seq, rows: { ...seal.rows }, voided: seal.voided, closure: seal.closure, acknowledged: e ? e.acknowledged : acknowledgedThrough(db, version, seal.seq) }
          walkedAhead = e ? [e.tail] : null
          sealed = { ...sealed, outcome: 'used' }
        }
      }
    }
    // The next seal's digest, before the walk: at the last closure (up to sealAtOrBefore) the walk will reach.
    let next: { seq: number; digest: string | null } | null = null
    if (!options.noSeal && !evidence && key && candidate !== null && candidate !== base?.closure.seq) {
      next = { seq: candidate, digest: await digestOf(file, version, digestTasks(version, candidate), workersFor(candidate, options), digests) }
    }
    const from = base ? base.closure.seq! + 1 : 1
    const n = workersFor(last - from + 1, options)
    let partials: WalkResult[]
    if (walkedAhead) partials = walkedAhead
    else if (n === 1) partials = [new Walk(db, version, { from, to: null }).run()]
    else {
      const ranges: Range[] = []
      const span = last - from + 1
      for (let i = 0; i < n; i++) {
        const lo = from + Math.floor((span * i) / n)
        const hi = i === n - 1 ? null : from + Math.floor((span * (i + 1)) / n) - 1
        ranges.push({ from: lo, to: hi })
      }
      partials = await shared(ranges.map((range): WorkerJob => ({ kind: 'walk', file, version, range })), (job) => new Walk(db, version, (job as { range: Range }).range).run())
    }
    const { report, sealables } = combine(db, version, partials, false, base)
    if (evidence && report.ok) return { ...report, ok: false, problem: evidence, seal: sealed }
    if (report.ok && next?.digest && key) {
      const at = sealables.find((x) => x.seq === next.seq)
      if (at) {
        const fields = { format: SEAL_FORMAT, schema: version, fingerprint: fingerprint(version), seq: at.seq, hash: at.hash, digest: next.digest, madeAt: new Date().toISOString(), rows: at.rows, voided: at.voided, closure: at.closure }
        sealed = { ...sealed, written: writeSeal(file, fields, key) ? at.seq : null }
      }
    }
    return { ...report, seal: sealed }
  } finally {
    db.close()
  }
}

/** The last event up to `seq` the platform acknowledged: what the walk would have found in the outbox. */
function acknowledgedThrough(db: Db, version: number, seq: number): number | null {
  if (version < 1) return null
  return (db.prepare('SELECT max(seq) AS s FROM outbox WHERE seq <= ? AND sent_at IS NOT NULL').get(seq) as { s: number | null }).s
}

/**
 * The digest of these chunks, shared between `workers` threads (this one among them) that each take
 * the next chunk not yet taken (an Atomics counter), so a thread that started late or got the slower
 * chunks does less. Chunks already digested in this run (`done`, keyed by source and range) are not
 * read again. `first` runs in this thread after the other threads are started, before it takes chunks.
 */
async function digestOf(file: string, version: number, tasks: DigestTask[], workers: number, done: Map<string, string | null>, first?: () => void): Promise<string | null> {
  const keyOf = (t: DigestTask): string => `${t.source}:${t.lo}:${t.hi}`
  const todo = tasks.filter((t) => !done.has(keyOf(t)))
  const next = new Int32Array(new SharedArrayBuffer(4))
  const w = Math.max(1, Math.min(workers, todo.length))
  const db = openReadOnly(file)
  try {
    const job: WorkerJob = { kind: 'digest', file, version, tasks: todo, next }
    const parts = await shared(Array.from({ length: w }, () => job), () => {
      first?.()
      return digestShare(db, version, todo, next)
    })
    for (const share of parts) for (const [i, digest] of share) done.set(keyOf(todo[i]!), digest)
    return joinDigests(tasks.map((t) => done.get(keyOf(t))!))
  } finally {
    db.close()
  }
}

/** A chunk's index in the list and its digest. */
export type DigestPart = [index: number, digest: string | null]

/** Takes chunks from the shared counter until none is left; what this thread digested. */
export function digestShare(db: Db, version: number, tasks: readonly DigestTask[], next: Int32Array): DigestPart[] {
  const mine: DigestPart[] = []
  for (let i = Atomics.add(next, 0, 1); i < tasks.length; i = Atomics.add(next, 0, 1)) mine.push([i, digestChunk(db, version, tasks[i]!)])
  return mine
}

/**
 * Runs the first job in this thread and the others in worker threads, started first so that they
 * load while this one works: on two cores, two threads and not three.
 */
async function shared<T>(jobs: WorkerJob[], here: (job: WorkerJob) => T): Promise<T[]> {
  const away = jobs.slice(1).map((job) => runWorker<T>(job))
  // A worker that fails while this thread works is reported after it, not left unhandled.
  for (const p of away) p.catch(() => {})
  const mine = here(jobs[0]!)
  return [mine, ...(await Promise.all(away))]
}

/** A read-only connection with room to read a million orders fast (both pragmas are per connection). */
export function openReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  db.pragma('cache_size = -131072')
  // As much as SQLite maps (its limit is just under 2 GiB); a million orders is a 4 GiB file.
  db.pragma('mmap_size = 2147418112')
  return db
}

/** What a worker thread does (worker.ts): walk one range of the journal, or digest some chunks of a seal. */
export type WorkerJob =
  | { kind: 'walk'; file: string; version: number; range: Range }
  | { kind: 'digest'; file: string; version: number; tasks: DigestTask[]; next: Int32Array }

function runWorker<T>(job: WorkerJob): Promise<T> {
  // This directory's worker.js when built; worker.ts when run from source (npm run daybook, the
  // bench: tsx), and then the thread needs tsx's loader too, which a worker does not inherit.
  const ts = extname(__filename) === '.ts'
  const script = join(__dirname, ts ? 'worker.ts' : 'worker.js')
  const execArgv = ts ? ['--require', createRequire(__filename).resolve('tsx/cjs')] : undefined
  const what = job.kind === 'walk' ? `events ${job.range.from}–${job.range.to ?? 'end'}` : `${job.tasks.length} digest chunks`
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: job, ...(execArgv ? { execArgv } : {}) })
    let done = false
    w.once('message', (p: T) => {
      done = true
      resolve(p)
    })
    w.once('error', reject)
    w.once('exit', (code) => {
      if (!done) reject(new Error(`verify worker for ${what} exited with ${code}`))
    })
  })
}

// ---- joining the ranges ------------------------------------------------------------------------

/**
 * Joins the walks of consecutive ranges into the report: the first problem by seq wins. Closures
 * are checked in order against their periods (the segments' sums merged), then what needs the
 * whole ledger: order rows read through orders that are gone, and working rows naming posted ones.
 */
function combine(db: Db, version: number, partials: WalkResult[], chainOnly: boolean, base: Base | null): { report: JournalReport; sealables: Sealable[] } {
  const rows: Record<string, number> = { ...(base?.rows ?? {}) }
  let events = base?.events ?? 0
  let lastSeq = 0
  let lastHash = GENESIS
  let acknowledged: number | null = base?.acknowledged ?? null
  let state: ClosureState = base?.closure ?? { count: 0, number: 0, lastSeq: 0, grandTotal: 0, businessDate: null, seq: null, entry: null }
  let period: DayFigures | null = null
  let problem: ProblemData | null = null
  const voided = new Set<string>(base?.voided ?? [])
  // The closures proved on the way, each with the rows counted through it (a seal can be made there).
  const sealables: Sealable[] = []
  const addRows = (into: Record<string, number>, more: Record<string, number>): Record<string, number> => {
    for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v
    return into
  }
  for (const p of partials) {
    const before = { ...rows }
    const voidedBefore = [...voided]
    events += p.events
    lastSeq = p.lastSeq
    lastHash = p.lastHash
    addRows(rows, p.rows)
    if (p.acknowledged !== null) acknowledged = p.acknowledged
    for (const id of p.voided) voided.add(id)
    try {
      for (const seg of p.segments) {
        if (seg.earliest && state.businessDate !== null && seg.earliest.date <= state.businessDate) {
          throw new VerifyProblem(
            'bad_closure',
            seg.earliest.seq,
            `event ${seg.earliest.seq} (${seg.earliest.type}) posts into business day ${seg.earliest.date}, which closure #${state.number} already closed: it should have gone to the next open day`,
            'postings',
            `posting of event ${seg.earliest.seq}`,
          )
        }
        period = period ? addFigures(period, seg.figures) : seg.figures
        if (seg.closing) {
          const figures = state.entry ? addFigures(sumFigures([state.entry]), period) : period
          state = checkClosure(seg.closing, figures, state)
          period = null
          const c = seg.closing
          sealables.push({ seq: c.seq, hash: c.hash, rows: addRows({ ...before }, c.rows), voided: [...new Set([...voidedBefore, ...p.voided.slice(0, c.voided)])], closure: state })
        }
      }
    } catch (e) {
      if (!(e instanceof VerifyProblem)) throw e
      problem = { kind: e.kind, seq: e.seq, message: e.message, table: e.table, row: e.row }
    }
    if (problem || p.problem) {
      // A closure problem comes from segments walked before the range's own problem: it is first.
      problem = problem ?? p.problem
      break
    }
  }
  if (!problem && !chainOnly) {
    try {
      finish(db, version, rows, lastSeq)
      finishPayments(db, version, voided, lastSeq)
    } catch (e) {
      if (!(e instanceof VerifyProblem)) throw e
      problem = { kind: e.kind, seq: e.seq, message: e.message, table: e.table, row: e.row }
    }
  }
  const report: JournalReport = { ok: problem === null, events, lastSeq, lastHash, problem }
  if (chainOnly) return { report, sealables }
  return {
    report: {
      ...report,
      rows,
      closures: { count: state.count, lastNumber: state.count ? state.number : null, lastBusinessDate: state.businessDate, lastSeq: state.seq, grandTotal: state.grandTotal },
      acknowledgedSeq: acknowledged,
    },
    sealables,
  }
}

function checkClosure(c: ClosingData, figures: DayFigures, prev: ClosureState): ClosureState {
  const d = c.data
  const seq = c.seq
  const name = `closure #${plain(d.number)} (business day ${plain(d.businessDate)}, event ${seq})`
  const bad = (what: string): never => {
    throw new VerifyProblem('bad_closure', seq, `${name}: ${what}`, 'closures', `closure #${plain(d.number)}`)
  }
  if (d.number !== prev.number + 1) bad(`closure numbers run 1, 2, 3… without a gap: this one should be #${prev.number + 1}`)
  if (d.firstSeq !== prev.lastSeq + 1) bad(`its first event is ${show(d.firstSeq)}, but ${prev.count ? `closure #${prev.number} ended at event ${prev.lastSeq}` : 'the first closure starts at event 1'}`)
  if (d.lastSeq !== seq - 1) bad(`it covers events up to ${show(d.lastSeq)}, but was written as event ${seq}: it must cover every event before it`)
  if (d.lastHash !== c.prevHash) bad(`its last hash is not the journal's hash at event ${seq - 1}`)
  if (prev.businessDate !== null && !(typeof d.businessDate === 'string' && d.businessDate > prev.businessDate)) {
    bad(`it closes a business day not after ${prev.businessDate}, which closure #${prev.number} closed`)
  }
  if (d.previousGrandTotal !== prev.grandTotal) bad(`its previous grand total is ${show(d.previousGrandTotal)}, but closure #${prev.number} ended at ${prev.grandTotal}`)
  const own = d.figures as { net?: unknown } | undefined
  if (d.periodTotal !== own?.net) bad(`its period total ${show(d.periodTotal)} is not its figures' net ${show(own?.net)}`)
  if (typeof d.grandTotal !== 'number' || typeof d.periodTotal !== 'number' || d.grandTotal !== prev.grandTotal + d.periodTotal) {
    bad(`its grand total ${show(d.grandTotal)} is not the previous grand total ${prev.grandTotal} plus the period total ${show(d.periodTotal)}`)
  }
  let differs: string | null
  try {
    differs = canonicalJson(d.figures) === canonicalJson(figures) ? null : jsonDifference(d.figures, figures, 'figures')
  } catch {
    differs = 'they are not JSON the till writes'
  }
  if (differs) bad(`its figures are not a recomputation from the events it covers (${show(d.firstSeq)}–${show(d.lastSeq)}): ${differs.replace('the event says', 'the events say')}`)
  return { count: prev.count + 1, number: d.number as number, lastSeq: seq - 1, grandTotal: d.grandTotal as number, businessDate: d.businessDate as string, seq, entry: c.entry }
}

/**
 * Lines, taxes and tenders were read through their orders: those whose order is gone were not.
 * Counted on a read made after the walk (the till may be writing meanwhile), less the rows of
 * sales posted after the last event walked.
 */
function finish(db: Db, version: number, rows: Record<string, number>, end: number): void {
  if (version < 1) return
  for (const [table, key] of [
    ['order_lines', 'line_no'],
    ['order_taxes', 'position'],
    ['order_tenders', 'position'],
  ] as const) {
    const { n } = db
      .prepare(`SELECT (SELECT count(*) FROM ${table}) - (SELECT count(*) FROM orders o JOIN ${table} x ON x.order_id = o.id WHERE o.journal_seq > ?) AS n`)
      .get(end) as { n: number }
    if (n === (rows[table] ?? 0)) continue
    const r = db.prepare(`SELECT order_id, ${key} AS k FROM ${table} x WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = x.order_id) LIMIT 1`).get() as
      | { order_id: string; k: number }
      | undefined
    const row = r ? `${key === 'line_no' ? 'line' : `${table === 'order_taxes' ? 'tax' : 'tender'} at position`} ${r.k} of order ${r.order_id}` : `${n - (rows[table] ?? 0)} rows`
    throw new VerifyProblem('row_without_event', 0, `${table}: ${row} belongs to no order in the ledger: its order and sale event are gone`, table, row)
  }
}

/** Working rows that name a posted record: the record must be there. */
function finishPayments(db: Db, version: number, voided: ReadonlySet<string>, end: number): void {
  if (version < 6) return
  const refund = db
    .prepare(
      `SELECT r.id, r.order_id, r.state, r.journal_seq FROM refunds r
       WHERE (r.state = 'succeeded' AND r.journal_seq IS NULL)
          OR NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_id)
          OR NOT EXISTS (SELECT 1 FROM order_tenders t WHERE t.id = r.tender_id AND t.order_id = r.order_id)
       LIMIT 1`,
    )
    .get() as { id: string; order_id: string; state: string; journal_seq: number | null } | undefined
  if (refund) {
    const name = `refund ${refund.id}`
    if (refund.state === 'succeeded' && refund.journal_seq === null) throw new VerifyProblem('row_without_event', 0, `refunds: ${name} says it succeeded, but no event posted it`, 'refunds', name)
    throw new VerifyProblem('row_without_event', 0, `refunds: ${name} is against order ${refund.order_id} (or a tender of it) that is not in the ledger: that sale was removed`, 'refunds', name)
  }
  const completed = db.prepare("SELECT c.id, c.order_id FROM checkouts c WHERE c.state = 'completed' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = c.order_id) LIMIT 1").get() as
    | { id: string; order_id: string | null }
    | undefined
  if (completed) {
    throw new VerifyProblem('row_missing', 0, `orders: checkout ${completed.id} was completed as order ${show(completed.order_id)}, which is not in the ledger: the sale was removed`, 'orders', `order ${show(completed.order_id)}`)
  }
  const voids = db.prepare("SELECT c.id FROM checkouts c WHERE c.state = 'voided' AND EXISTS (SELECT 1 FROM tender_attempts a WHERE a.checkout_id = c.id)").all() as { id: string }[]
  // A void the till posted after the last event walked is not one without an event.
  const later = db.prepare("SELECT 1 FROM journal WHERE seq > ? AND type = 'checkout.voided' AND json_extract(payload, '$.checkoutId') = ? LIMIT 1")
  for (const v of voids) {
    if (!voided.has(v.id) && !later.get(end, v.id)) throw new VerifyProblem('row_without_event', 0, `checkouts: checkout ${v.id} says it was voided after taking a tender, but no checkout.voided event posted it`, 'checkouts', `checkout ${v.id}`)
  }
}

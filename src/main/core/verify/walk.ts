import type { Statement } from 'better-sqlite3'
import { LedgerError, POSTING_EVENT_KIND, postingFor, sumFigures, type DayFigures, type PostedEntry, type Posting, type PostingMeta } from '../../../shared/ledger'
import type { JournalProblemKind } from '../../../shared/contract'
import type { Db } from '../db/sqlite'
import { isCanonical, storedEventHash } from './chain'
import { jsonDifference, plain, show, VerifyProblem } from './problem'
import {
  closureRow,
  differenceRows,
  firstDifference,
  items,
  lineRows,
  movementRow,
  orderRow,
  outboxRow,
  reconciliationRow,
  refundRow,
  reprintRow,
  resolutionRow,
  shiftCloseRow,
  shiftRow,
  TABLES,
  takeoverRow,
  taxRows,
  tenderRows,
  type Ev,
  type Row,
  type TableName,
  type TableSpec,
} from './tables'

/**
 * One pass over a range of the journal (all of it, or one worker's share): the chain, and every
 * posted row of those events rebuilt from its event and compared, by merge-joining the journal
 * cursor with one cursor per table, each ordered by journal seq. What needs the whole journal
 * (closures, which may span ranges; rows whose order is gone; working rows that name a posted
 * record) is left to verify.ts, from what the walk hands back: a WalkResult, plain data that a worker
 * thread can post.
 */

export const GENESIS = '0'.repeat(64)
const LEGACY_META: PostingMeta = { businessDate: '', shiftId: null, adjustmentOf: null }

/** The tables each event type writes rows into (postings and ledger lines follow postingFor). */
const WRITES: Readonly<Record<string, readonly TableName[]>> = {
  'sale.completed': ['orders', 'order_lines', 'order_taxes', 'order_tenders'],
  'refund.completed': ['refunds'],
  'receipt.reprinted': ['reprints'],
  'shift.opened': ['shifts'],
  'shift.closed': ['shift_closes'],
  'shift.taken_over': ['shift_takeovers'],
  'cash.moved': ['cash_movements'],
  'day.closed': ['closures'],
  'reconciliation.completed': ['reconciliations', 'reconciliation_differences'],
  'reconciliation.resolved': ['reconciliation_resolutions'],
}

/** Tables that must exist from each schema version on (migrations.ts), besides TABLES' own. */
export const WORKING_TABLES: readonly { table: string; since: number }[] = [
  { table: 'checkouts', since: 6 },
  { table: 'tender_attempts', since: 6 },
]

export interface ProblemData {
  kind: JournalProblemKind
  seq: number
  message: string
  table: string | null
  row: string | null
}

/** A closure event met by the walk: verify.ts checks it against the periods before it. */
export interface ClosingData {
  seq: number
  /** The journal's hash at seq − 1 (this event's checked prev_hash), and this event's own. */
  prevHash: string
  hash: string
  data: Record<string, unknown>
  entry: PostedEntry
  /** What the walk had counted through this closure, in its own range: what a seal made here records. */
  rows: Record<string, number>
  /** How many of the range's voided checkouts were posted by then. */
  voided: number
}

/** The postings between two closures (or a range's ends), summed; and the earliest day posted into. */
export interface Segment {
  figures: DayFigures
  closing: ClosingData | null
  earliest: { date: string; seq: number; type: string } | null
}

export interface WalkResult {
  from: number
  /** The last event walked, its hash, and how many were walked. */
  lastSeq: number
  lastHash: string
  events: number
  problem: ProblemData | null
  rows: Record<string, number>
  segments: Segment[]
  voided: string[]
  voids: number
  /** The last event of the range the platform acknowledged (outbox.sent_at), if any. */
  acknowledged: number | null
}

export interface Range {
  /** First seq of the range; the walk starts from the stored hash of from − 1. */
  from: number
  /** Last seq, or null: to the end (and then rows past the end are looked for). */
  to: number | null
}

type JournalRaw = [seq: number, eventId: string, deviceId: string, type: string, createdAt: string, payload: string, prevHash: string, hash: string]

/** A table's rows in journal-seq order, read one ahead. */
class Cursor {
  private readonly it: IterableIterator<Row>
  head: Row | null = null
  constructor(
    readonly name: TableName,
    readonly describe: (r: Row) => { table: string; row: string },
    statement: Statement,
  ) {
    this.it = statement.raw(true).iterate() as IterableIterator<Row>
    this.advance()
  }
  get seq(): number {
    if (this.head === null) return Infinity
    const s = this.head[0]
    return typeof s === 'number' ? s : -Infinity
  }
  private advance(): void {
    const r = this.it.next()
    this.head = r.done ? null : r.value
  }
  /** Every row of event `seq`. */
  take(seq: number): Row[] {
    if (this.head === null || this.head[0] !== seq) return EMPTY
    const out: Row[] = []
    while (this.head !== null && this.head[0] === seq) {
      out.push(this.head)
      this.advance()
    }
    return out
  }
  close(): void {
    this.it.return?.()
  }
}
const EMPTY: Row[] = []

export function versionOf(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** The posted tables this ledger's schema has, or the problem of one that should be there and is not. */
export function checkSchema(db: Db, version: number): void {
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name))
  const need = [...WORKING_TABLES, ...Object.values(TABLES).map((t) => ({ table: t.table, since: t.since }))]
  for (const w of need) {
    if (version >= w.since && !present.has(w.table)) throw new VerifyProblem('row_missing', 0, `the table ${w.table} is missing (schema ${version} has it)`, w.table)
  }
}

export class Walk {
  private readonly cursors: Cursor[] = []
  private readonly byName = new Map<TableName, Cursor>()
  private readonly rowCounts: Record<string, number> = {}
  private journal: IterableIterator<JournalRaw> | null = null
  private peeked: JournalRaw | null = null
  private events = 0
  private lastSeq: number
  private lastHash: string
  private readonly segments: Segment[] = []
  private closing: ClosingData | null = null
  private earliest: Segment['earliest'] = null
  private voids = 0
  private readonly voided: string[] = []
  private acknowledged: number | null = null
  private checkout: Statement | null = null
  private attempt: Statement | null = null
  private readonly hi: number | null
  private readonly lo: number | null

  constructor(
    private readonly db: Db,
    private readonly version: number,
    private readonly range: Range = { from: 1, to: null },
    private readonly chainOnly = false,
  ) {
    this.lo = range.from > 1 ? range.from : null
    this.hi = range.to
    this.lastSeq = range.from - 1
    this.lastHash = GENESIS
    for (const name of Object.keys(TABLES)) if (!chainOnly) this.rowCounts[name] = 0
  }

  /** Prepares every statement, then opens the journal and the table cursors. */
  private open(): void {
    const { db, version, range } = this
    if (range.from > 1) {
      // The previous range checks that this hash is its last event's true hash.
      const prev = db.prepare('SELECT hash FROM journal WHERE seq = ?').get(range.from - 1) as { hash: string } | undefined
      this.lastHash = prev?.hash ?? ''
    }
    if (this.chainOnly) {
      this.openJournal()
      return
    }
    if (version >= 6) {
      this.checkout = db.prepare('SELECT state, total_minor, currency, void_reason, staff_id, void_by_id, staff_name, void_by_name, void_approved_by_id, void_approved_by_name FROM checkouts WHERE id = ?')
      this.attempt = db.prepare('SELECT checkout_id, method, amount_minor FROM tender_attempts WHERE id = ?')
    }
    const open: [TableName, (r: Row) => { table: string; row: string }, string][] = []
    for (const [name, s] of Object.entries(TABLES) as [TableName, TableSpec][]) {
      if (version >= s.since) open.push([name, (r) => ({ table: s.table, row: s.name(r) }), s.sql(this.lo, this.hi)])
    }
    // Prepared before any cursor opens (better-sqlite3 refuses a pragma while a read is open).
    const statements = open.map(([name, describe, sql]): [TableName, (r: Row) => { table: string; row: string }, Statement] => {
      try {
        return [name, describe, db.prepare(sql)]
      } catch (e) {
        throw new VerifyProblem('row_missing', 0, `${name} cannot be read as the till writes it: ${e instanceof Error ? e.message : String(e)}`, name)
      }
    })
    this.openJournal()
    for (const [name, describe, st] of statements) {
      const c = new Cursor(name, describe, st)
      this.cursors.push(c)
      this.byName.set(name, c)
    }
  }

  close(): void {
    for (const c of this.cursors) c.close()
    this.journal?.return?.()
  }

  /** Walks the range; a problem stops it and is part of what comes back. */
  run(): WalkResult {
    let problem: ProblemData | null = null
    try {
      this.open()
      this.walk()
    } catch (e) {
      if (!(e instanceof VerifyProblem)) throw e
      problem = { kind: e.kind, seq: e.seq, message: e.message, table: e.table, row: e.row }
      // What was walked of the open segment: verify.ts still checks the days it posted into.
      this.segments.push({ figures: sumFigures([]), closing: null, earliest: this.earliest })
    } finally {
      this.close()
    }
    return {
      from: this.range.from,
      lastSeq: this.lastSeq,
      lastHash: this.lastHash,
      events: this.events,
      problem,
      rows: { ...this.rowCounts, ...(this.version >= 6 && !this.chainOnly ? { voids: this.voids } : {}) },
      segments: this.segments,
      voided: this.voided,
      voids: this.voids,
      acknowledged: this.acknowledged,
    }
  }

  private walk(): void {
    if (this.chainOnly) {
      while (this.next());
    } else {
      // Segment by segment: sumFigures pulls the postings of the events up to the next closure out
      // of the walk itself, so nothing is held in memory whatever the size of a period.
      for (;;) {
        this.closing = null
        this.earliest = null
        const figures = sumFigures(this.period())
        const closing = this.closing as ClosingData | null
        this.segments.push({ figures, closing, earliest: this.earliest })
        if (!closing) break
      }
    }
    this.end()
  }

  /**
   * Starts the journal cursor and reads its first row, before any table cursor opens: while a
   * statement is being stepped its connection keeps one read snapshot, so every table is read as
   * of the same moment as the journal, even with the till writing to the file meanwhile.
   */
  private openJournal(): void {
    const where = ['seq >= ?', ...(this.hi !== null ? ['seq <= ?'] : [])]
    this.journal = this.db
      .prepare(`SELECT seq, event_id, device_id, type, created_at, payload, prev_hash, hash FROM journal WHERE ${where.join(' AND ')} ORDER BY seq`)
      .raw(true)
      .iterate(...[this.range.from, ...(this.hi !== null ? [this.hi] : [])]) as IterableIterator<JournalRaw>
    const first = this.journal.next()
    this.peeked = first.done ? null : first.value
  }

  /** The next event, its chain checked; null at the end of the range. */
  private next(): { ev: Ev; data: unknown; prevHash: string } | null {
    let row: JournalRaw
    if (this.peeked) {
      row = this.peeked
      this.peeked = null
    } else {
      const n = this.journal!.next()
      if (n.done) return null
      row = n.value
    }
    const [seq, id, device, type, at, payload, prevHash, hash] = row
    const expected = this.lastSeq + 1
    if (seq !== expected) throw new VerifyProblem('gap', seq, `expected event ${expected} but found ${seq}: events ${expected}–${seq - 1} are missing`)
    if (prevHash !== this.lastHash) throw new VerifyProblem('broken_link', seq, `event ${seq} does not point at the hash of event ${seq - 1}`)
    let data: unknown
    try {
      data = JSON.parse(payload)
    } catch {
      throw new VerifyProblem('bad_payload', seq, `event ${seq} payload is not valid JSON`)
    }
    if (!isCanonical(payload, data)) throw new VerifyProblem('bad_payload', seq, `event ${seq} payload is not in canonical form`)
    if (storedEventHash(prevHash, id, device, seq, type, at, payload) !== hash) throw new VerifyProblem('bad_hash', seq, `event ${seq} does not match its hash: it was altered`)
    this.lastSeq = seq
    this.lastHash = hash
    this.events++
    return { ev: { seq, id, device, type, at }, data, prevHash }
  }

  /** The postings of one segment, each event checked on the way; stops after a closure. */
  private *period(): Generator<PostedEntry> {
    for (;;) {
      const e = this.next()
      if (!e) return
      const { ev, data } = e
      const record = typeof data === 'object' && data !== null && !Array.isArray(data)
      if (!record && (WRITES[ev.type] || POSTING_EVENT_KIND[ev.type] || ev.type === 'checkout.voided')) {
        throw new VerifyProblem('bad_payload', ev.seq, `event ${ev.seq} (${ev.type}) payload is not a record`)
      }
      const doc = (record ? data : {}) as Record<string, unknown>
      const p = this.posting(ev, doc)
      this.checkRows(ev, doc, p)
      if (!p) continue
      const entry: PostedEntry = { seq: ev.seq, kind: p.kind, refId: p.refId, meta: p.meta ?? LEGACY_META, lines: p.lines }
      if (p.kind === 'closure') {
        const rows = { ...this.rowCounts, ...(this.version >= 6 ? { voids: this.voids } : {}) }
        this.closing = { seq: ev.seq, prevHash: e.prevHash, hash: this.lastHash, data: doc, entry, rows, voided: this.voided.length }
        return
      }
      if (p.meta && (this.earliest === null || p.meta.businessDate < this.earliest.date)) this.earliest = { date: p.meta.businessDate, seq: ev.seq, type: ev.type }
      yield entry
    }
  }

  private posting(ev: Ev, data: Record<string, unknown>): Posting | null {
    try {
      return postingFor(ev.type, data)
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e
      throw new VerifyProblem(/balance/.test(e.message) ? 'unbalanced' : 'bad_payload', ev.seq, `event ${ev.seq} (${ev.type}) cannot be posted: ${e.message}`)
    }
  }

  /** At the end of the range: a range that stops short is a gap; past the end of the journal, nothing may point. */
  private end(): void {
    if (this.hi !== null) {
      if (this.lastSeq < this.hi) {
        const next = this.db.prepare('SELECT min(seq) AS s FROM journal WHERE seq > ?').get(this.lastSeq) as { s: number | null }
        const found = next.s ?? this.hi + 1
        throw new VerifyProblem('gap', found, `expected event ${this.lastSeq + 1} but found ${found}: events ${this.lastSeq + 1}–${found - 1} are missing`)
      }
      return
    }
    if (this.chainOnly) return
    // Anything still pointing past the last event: the journal's tail was cut off.
    let first: Cursor | null = null
    for (const c of this.cursors) if (c.head !== null && (first === null || c.seq < first.seq)) first = c
    if (!first) return
    const r = first.head!
    const { table, row } = first.describe(r)
    const acked = first.name === 'outbox' && r[3] != null
    throw new VerifyProblem(
      'truncated',
      first.seq,
      acked
        ? `the platform acknowledged event ${show(r[0])} (outbox: sent ${show(r[3])}), but the journal ends at event ${this.lastSeq}: its tail was cut off`
        : `${table}: ${row} points at event ${show(r[0])}, but the journal ends at event ${this.lastSeq}: its tail was cut off`,
      table,
      row,
    )
  }

  // ---- rows ------------------------------------------------------------------------------------

  private checkRows(ev: Ev, d: Record<string, unknown>, p: Posting | null): void {
    switch (ev.type) {
      case 'sale.completed':
        this.checkSale(ev, d)
        break
      case 'refund.completed':
        this.match('refunds', ev, [refundRow(ev, d)])
        break
      case 'receipt.reprinted':
        this.match('reprints', ev, [reprintRow(ev, d)])
        break
      case 'checkout.voided':
        this.checkVoid(ev, d)
        break
      case 'shift.opened':
        this.match('shifts', ev, [shiftRow(ev, d)])
        break
      case 'shift.closed':
        this.match('shift_closes', ev, [shiftCloseRow(ev, d)])
        break
      case 'shift.taken_over':
        this.match('shift_takeovers', ev, [takeoverRow(ev, d)])
        break
      case 'cash.moved':
        this.match('cash_movements', ev, [movementRow(ev, d)])
        break
      case 'day.closed':
        this.match('closures', ev, [closureRow(ev, d)])
        break
      case 'reconciliation.completed':
        this.match('reconciliations', ev, [reconciliationRow(ev, d)])
        this.match('reconciliation_differences', ev, differenceRows(ev, d))
        break
      case 'reconciliation.resolved':
        this.match('reconciliation_resolutions', ev, [resolutionRow(ev, d)])
        break
    }
    if (this.byName.has('postings')) this.checkPosting(ev, d, p)
    this.match('outbox', ev, [outboxRow(ev)])
    // Whatever is left at this seq (or before it) in any table has no event of its own.
    for (const cur of this.cursors) {
      if (cur.seq <= ev.seq) this.orphan(cur, ev)
    }
  }

  /** The sale's order, lines, taxes and tenders. */
  private checkSale(ev: Ev, d: Record<string, unknown>): void {
    this.match('orders', ev, [orderRow(ev, d)])
    this.match('order_lines', ev, lineRows(ev, d))
    this.match('order_taxes', ev, taxRows(ev, d))
    this.match('order_tenders', ev, tenderRows(ev, d))
  }

  /** Compares the rows a table holds for an event with the rows rebuilt from it. */
  private match(name: TableName, ev: Ev, expected: Row[]): void {
    const cur = this.byName.get(name)
    if (!cur) return
    const got = cur.take(ev.seq)
    if (name === 'outbox' && got[0]?.[3] != null) this.acknowledged = ev.seq
    this.rowCounts[name]! += this.compare(name, ev, expected, got)
  }

  /** Names the first row missing, differing or extra; returns how many rows were found equal. */
  private compare(name: TableName, ev: Ev, expected: readonly Row[], actual: readonly Row[]): number {
    const s = TABLES[name] as TableSpec
    if (actual.length === expected.length && actual.every((a, i) => firstDifference(name, s, a, expected[i]!) < 0)) return actual.length
    const sameKey = (a: Row, e: Row): boolean => s.key.every((k) => a[k] === e[k])
    const used = new Array<boolean>(actual.length).fill(false)
    for (const e of expected) {
      const i = actual.findIndex((a, j) => !used[j] && sameKey(a, e))
      if (i < 0) throw new VerifyProblem('row_missing', ev.seq, `${s.table}: ${s.name(e)}, posted by event ${ev.seq} (${ev.type}), is missing`, s.table, s.name(e))
      used[i] = true
      const a = actual[i]!
      const col = firstDifference(name, s, a, e)
      if (col >= 0) {
        const column = s.columns[col]!
        const jsonDiff = s.json.includes(col) && typeof a[col] === 'string' && typeof e[col] === 'string' ? jsonText(a[col], e[col], column) : null
        throw new VerifyProblem(
          'row_differs',
          ev.seq,
          `${s.table}: ${s.name(e)} differs from event ${ev.seq} (${ev.type}) that posted it: ${jsonDiff ?? `${column} is ${show(a[col])}, the event says ${show(e[col])}`}`,
          s.table,
          s.name(e),
        )
      }
    }
    const extra = actual.findIndex((_, j) => !used[j])
    if (extra >= 0) {
      const r = actual[extra]!
      throw new VerifyProblem('row_without_event', ev.seq, `${s.table}: ${s.name(r)} says event ${ev.seq} (${ev.type}) posted it, but that event did not`, s.table, s.name(r))
    }
    return actual.length
  }

  /** A row left at or before the current seq: its seq points at an event that wrote no such row. */
  private orphan(cur: Cursor, ev: Ev): never {
    const r = cur.head!
    const seq = r[0]
    const { table, row } = cur.describe(r)
    const what =
      seq === ev.seq
        ? `event ${ev.seq}, which is a ${ev.type} event${WRITES[ev.type]?.includes(cur.name) ? ' that wrote only one such row' : ' and wrote no such row'}`
        : `event ${show(seq)}, which is not in the journal`
    throw new VerifyProblem('row_without_event', typeof seq === 'number' && seq > 0 ? seq : ev.seq, `${table}: ${row} has no event of its own: it points at ${what}`, table, row)
  }

  private checkPosting(ev: Ev, d: Record<string, unknown>, p: Posting | null): void {
    const pRows = this.byName.get('postings')!.take(ev.seq)
    const lRows = this.byName.get('ledger_lines')!.take(ev.seq)
    if (!p) {
      this.compare('postings', ev, [], pRows)
      this.compare('ledger_lines', ev, [], lRows)
      return
    }
    const legacy = p.meta === null
    const expected: Row = legacy ? this.legacyPosting(ev, d, p, pRows[0]) : [ev.seq, p.kind, p.refId, p.meta!.businessDate, p.meta!.adjustmentOf, p.meta!.shiftId, p.currency]
    this.rowCounts.postings! += this.compare('postings', ev, [expected], pRows)
    const lines: Row[] = p.lines.map((l, i) => [ev.seq, i + 1, l.account, l.tag, l.amount > 0 ? l.amount : 0, l.amount < 0 ? -l.amount : 0, l.rate])
    if (lRows.length === lines.length && lRows.every((a, i) => firstDifference('ledger_lines', TABLES.ledger_lines, a, lines[i]!) < 0)) {
      this.rowCounts.ledger_lines! += lines.length
      return
    }
    // The table's own lines must balance, whatever the event says.
    let debit = 0
    let credit = 0
    for (const l of lRows) {
      debit += typeof l[4] === 'number' ? l[4] : 0
      credit += typeof l[5] === 'number' ? l[5] : 0
    }
    if (debit !== credit) {
      throw new VerifyProblem(
        'unbalanced',
        ev.seq,
        `ledger_lines: the posting of event ${ev.seq} (${p.kind} ${p.refId}) does not balance: debits ${debit}, credits ${credit}` +
          (lRows.length !== lines.length ? ` (${lRows.length} lines; the event posts ${lines.length})` : ''),
        'ledger_lines',
        `posting of event ${ev.seq}`,
      )
    }
    this.rowCounts.ledger_lines! += this.compare('ledger_lines', ev, lines, lRows)
  }

  /**
   * An event written before the ledger existed carries no posting day: migration 7 gave it one
   * (ledger/backfill.ts). A sale keeps its receipt's day; the others took the day of their time in
   * the store's time zone of that moment, which a later settings change makes unknowable, so for
   * them only the form of the date is checked. No shift, no adjustment; the currency is the
   * event's, or (a reprint, which had none) the store's.
   */
  private legacyPosting(ev: Ev, d: Record<string, unknown>, p: Posting, row: Row | undefined): Row {
    const stored = row?.[3]
    const date = p.kind === 'sale' ? d.businessDate : typeof stored === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(stored) ? stored : 'a yyyy-mm-dd date'
    const currency = p.currency !== '' ? p.currency : typeof row?.[6] === 'string' && /^[A-Z]{3}$/.test(row[6]) ? row[6] : 'the store currency'
    return [ev.seq, p.kind, p.refId, date, null, null, currency]
  }

  /**
   * A voided checkout has no table of its own: the checkouts row (working state until then) must
   * say voided, with the event's total, currency, reason and who, and each tender the event lists
   * must be an attempt of that checkout for that method and amount. One lookup per void: voids
   * are rare.
   */
  private checkVoid(ev: Ev, d: Record<string, unknown>): void {
    if (!this.checkout || !this.attempt) return
    const id = d.checkoutId
    const name = `checkout ${plain(id)}`
    const c = this.checkout.get(id) as
      | {
          state: string
          total_minor: number
          currency: string
          void_reason: string | null
          staff_id: string
          void_by_id: string | null
          staff_name: string
          void_by_name: string | null
          void_approved_by_id: string | null
          void_approved_by_name: string | null
        }
      | undefined
    if (!c) throw new VerifyProblem('row_missing', ev.seq, `checkouts: ${name}, voided by event ${ev.seq}, is missing`, 'checkouts', name)
    const staff = d.staff as { id?: unknown; name?: unknown } | undefined
    const approved = d.approvedBy as { id?: unknown; name?: unknown } | null | undefined
    const checks: [string, unknown, unknown][] = [
      ['state', c.state, 'voided'],
      ['total_minor', c.total_minor, d.total],
      ['currency', c.currency, d.currency],
      ['void_reason', c.void_reason ?? '', d.reason],
      ['void_by_id', c.void_by_id ?? c.staff_id, staff?.id],
      ['void_by_name', c.void_by_name ?? c.staff_name, staff?.name],
      ['void_approved_by_id', c.void_approved_by_id, approved ? approved.id : null],
      ['void_approved_by_name', c.void_approved_by_id ? (c.void_approved_by_name ?? '') : null, approved ? approved.name : null],
    ]
    for (const [column, actual, expected] of checks) {
      if (actual !== expected) {
        throw new VerifyProblem('row_differs', ev.seq, `checkouts: ${name} differs from event ${ev.seq} (checkout.voided): ${column} is ${show(actual)}, the event says ${show(expected)}`, 'checkouts', name)
      }
    }
    for (const t of items(d.tenders, "the void's tenders", ev.seq)) {
      const a = this.attempt.get(t.id) as { checkout_id: string; method: string; amount_minor: number } | undefined
      const what = `tender attempt ${plain(t.id)} of ${name}`
      if (!a) throw new VerifyProblem('row_missing', ev.seq, `tender_attempts: ${what}, listed by event ${ev.seq} (checkout.voided), is missing`, 'tender_attempts', what)
      const diff =
        a.checkout_id !== id
          ? `checkout_id is ${show(a.checkout_id)}`
          : a.method !== t.method
            ? `method is ${show(a.method)}, the event says ${show(t.method)}`
            : a.amount_minor !== t.amount
              ? `amount_minor is ${a.amount_minor}, the event says ${show(t.amount)}`
              : null
      if (diff) throw new VerifyProblem('row_differs', ev.seq, `tender_attempts: ${what} differs from event ${ev.seq} (checkout.voided): ${diff}`, 'tender_attempts', what)
    }
    if (typeof id === 'string') this.voided.push(id)
    this.voids++
  }
}

function jsonText(actual: string, expected: string, column: string): string | null {
  try {
    return jsonDifference(JSON.parse(actual), JSON.parse(expected), column)
  } catch {
    return null
  }
}

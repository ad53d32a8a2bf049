import {
  adjustmentAmount,
  figuresFromSums,
  LedgerError,
  postingFor,
  type DayFigures,
  type LedgerLine,
  type LineSum,
  type LineTag,
  type PostedEntry,
  type Posting,
  type PostingCounts,
  type PostingKind,
  type PostingMeta,
} from '../../../shared/ledger'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'

/**
 * Writes an event's posting (src/shared/ledger.ts) into `postings` and `ledger_lines`. Called by
 * appendEvent inside the event's own transaction, so a posted record and its lines exist together
 * or not at all. A posting event written now must say which day and shift it belongs to.
 */
export function recordPosting(db: Db, seq: number, type: string, data: unknown, fallback?: (p: Posting) => PostingMeta): Posting | null {
  const p = postingFor(type, data)
  if (!p) return null
  const meta = p.meta ?? fallback?.(p)
  if (!meta) throw new LedgerError(`${type} was written without its posting day and shift`)
  stmt(db, 'INSERT INTO postings (journal_seq, kind, ref_id, business_date, adjustment_of, shift_id, currency) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    seq,
    p.kind,
    p.refId,
    meta.businessDate,
    meta.adjustmentOf,
    meta.shiftId,
    p.currency,
  )
  // The lines go in as few statements as possible (a sale's 8 lines: one), in line order.
  const lines = p.lines
  for (let start = 0; start < lines.length; start += LINES_PER_INSERT) {
    const n = Math.min(LINES_PER_INSERT, lines.length - start)
    const values: unknown[] = []
    for (let i = start; i < start + n; i++) {
      const l = lines[i] as LedgerLine
      values.push(seq, i + 1, l.account, l.tag, l.amount > 0 ? l.amount : 0, l.amount < 0 ? -l.amount : 0, l.rate)
    }
    stmt(db, lineInsertSql(n)).run(values)
  }
  return p
}

/** Rows per multi-row INSERT into ledger_lines (7 parameters each: far below SQLite's limit). */
const LINES_PER_INSERT = 32
const lineInsertSqls: string[] = []
function lineInsertSql(n: number): string {
  let sql = lineInsertSqls[n]
  if (!sql) {
    sql = `INSERT INTO ledger_lines (journal_seq, line_no, account, tag, debit_minor, credit_minor, rate) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`
    lineInsertSqls[n] = sql
  }
  return sql
}

interface EntryRow {
  journal_seq: number
  kind: PostingKind
  ref_id: string
  business_date: string
  adjustment_of: string | null
  shift_id: string | null
  line_no: number | null
  account: string | null
  tag: LineTag | null
  debit_minor: number | null
  credit_minor: number | null
  rate: string | null
}

/** Postings and their lines, in seq order, for a WHERE clause on the postings table (`p`). */
export function* readEntries(db: Db, where: string, ...params: unknown[]): Generator<PostedEntry> {
  const rows = db
    .prepare(
      `SELECT p.journal_seq, p.kind, p.ref_id, p.business_date, p.adjustment_of, p.shift_id,
         l.line_no, l.account, l.tag, l.debit_minor, l.credit_minor, l.rate
       FROM postings p LEFT JOIN ledger_lines l ON l.journal_seq = p.journal_seq
       WHERE ${where} ORDER BY p.journal_seq, l.line_no`,
    )
    .iterate(...params) as Iterable<EntryRow>
  let cur: PostedEntry | null = null
  let lines: LedgerLine[] = []
  for (const r of rows) {
    if (!cur || cur.seq !== r.journal_seq) {
      if (cur) yield cur
      lines = []
      cur = {
        seq: r.journal_seq,
        kind: r.kind,
        refId: r.ref_id,
        meta: { businessDate: r.business_date, shiftId: r.shift_id, adjustmentOf: r.adjustment_of },
        lines,
      }
    }
    if (r.account !== null) lines.push({ account: r.account, tag: r.tag as LineTag, amount: (r.debit_minor ?? 0) - (r.credit_minor ?? 0), rate: r.rate })
  }
  if (cur) yield cur
}

/**
 * The figures of the postings a WHERE clause on `postings p` selects, with the database summing
 * the lines by kind, account, tag and rate first (the same rules as summing them one by one, see
 * figuresFromSums): a day of 50,000 sales is a few hundred grouped rows, not half a million.
 */
export function figuresWhere(db: Db, where: string, ...params: unknown[]): DayFigures {
  const counts: PostingCounts = {}
  for (const r of db.prepare(`SELECT p.kind, count(*) AS n FROM postings p WHERE ${where} GROUP BY p.kind`).all(...params) as { kind: PostingKind; n: number }[]) counts[r.kind] = r.n
  const sums: LineSum[] = []
  const grouped = db
    .prepare(
      `SELECT p.kind, l.account, l.tag, l.rate, sum(l.debit_minor) AS dr, sum(l.credit_minor) AS cr
       FROM postings p JOIN ledger_lines l ON l.journal_seq = p.journal_seq WHERE ${where} GROUP BY p.kind, l.account, l.tag, l.rate`,
    )
    .all(...params) as { kind: PostingKind; account: string; tag: LineTag; rate: string | null; dr: number; cr: number }[]
  for (const g of grouped) {
    if (g.dr > 0) sums.push({ kind: g.kind, account: g.account, tag: g.tag, rate: g.rate, amount: g.dr })
    if (g.cr > 0) sums.push({ kind: g.kind, account: g.account, tag: g.tag, rate: g.rate, amount: -g.cr })
  }
  const adjustments = [...readEntries(db, `(${where}) AND p.adjustment_of IS NOT NULL`, ...params)].map((e) => ({
    seq: e.seq,
    kind: e.kind,
    refId: e.refId,
    naturalDate: e.meta.adjustmentOf as string,
    amount: adjustmentAmount(e.lines),
  }))
  return figuresFromSums(counts, sums, adjustments)
}

import { canonicalJson } from '../../../shared/canonical-json'
import { VerifyProblem } from './problem'

/**
 * The posted tables, each read as one cursor ordered by the journal seq of the event that wrote
 * its rows, and the rows each event writes, rebuilt from the event alone: the same expressions
 * the code that posts them uses (orders.ts insertOrder, refunds.ts postRefund, orders.ts
 * reprintOrder, shifts.ts, closures.ts closeDay). Column 0 of every row is that journal seq.
 */

export type Row = unknown[]

export interface TableSpec {
  table: string
  /** Schema version that created the table (older ledgers are verified without it). */
  since: number
  /** Selected columns; the first is the journal seq. */
  columns: readonly string[]
  /** The query, for events from `lo` to `hi` (either open when null). */
  sql(lo: number | null, hi: number | null): string
  /**
   * The same rows, for the events from the first bound parameter to the second, as one text for a
   * seal's digest (seal.ts): each row a JSON array of its columns (less those the till may still
   * write, `unsealed`), one row a line. No ORDER BY: the aggregate would sort them all; the scan's
   * own order is the same for the same rows.
   */
  digestSql(): string
  /**
   * Lines, taxes and tenders (rows read through their order): digestSql takes the lowest and the
   * highest order id of the events' orders instead of seqs, and reads the child table alone over that
   * key range (no join, no journal seq column: the order's row has it). Order ids are ULIDs, so the
   * range holds those orders' rows, and any other order's rows in it are digested too (then a later
   * order whose id fell inside only costs a seal that does not match).
   */
  byOrder: boolean
  /** Columns that identify a row among the rows of one event (none: one row per event). */
  key: readonly number[]
  /** Columns holding JSON text, compared as canonical JSON. */
  json: readonly number[]
  /** How a message names the row. */
  name(r: Row): string
}

/** `col >= lo AND col <= hi`, either side left out when open. */
function seqRange(col: string, lo: number | null, hi: number | null): string[] {
  const out: string[] = []
  if (lo !== null) out.push(`${col} >= ${Math.trunc(lo)}`)
  if (hi !== null) out.push(`${col} <= ${Math.trunc(hi)}`)
  return out
}

function spec(
  table: string,
  since: number,
  columns: readonly string[],
  opts: {
    from?: string
    alias?: string
    order?: string
    where?: string
    seq?: string
    key?: readonly string[]
    json?: readonly string[]
    /** Columns the till still writes after posting (the outbox's sent_at): not in a seal's digest. */
    unsealed?: readonly string[]
    name: (r: Record<string, unknown>) => string
  },
): TableSpec {
  const alias = opts.alias ?? ''
  const seq = opts.seq ?? (opts.from ? 'o.journal_seq' : 'journal_seq')
  const col = (c: string): string => (c === 'journal_seq' && opts.from ? 'o.journal_seq' : `${alias}${c}`)
  const idx = (c: string): number => {
    const i = columns.indexOf(c)
    if (i < 0) throw new Error(`${table}.${c} is not selected`)
    return i
  }
  return {
    table,
    since,
    columns,
    sql: (lo, hi) => {
      const where = [...(opts.where ? [opts.where] : []), ...seqRange(seq, lo, hi)]
      return `SELECT ${columns.map(col).join(', ')} FROM ${opts.from ?? table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${opts.order ?? seq}`
    },
    digestSql: () => {
      if (opts.from) {
        const sealed = columns.filter((c) => c !== 'journal_seq' && !(opts.unsealed ?? []).includes(c)).map((c) => `x.${c}`)
        return `SELECT CAST(group_concat(json_array(${sealed.join(', ')}), char(10)) AS BLOB) FROM ${table} x WHERE x.order_id >= ? AND x.order_id <= ?`
      }
      const sealed = columns.filter((c) => !(opts.unsealed ?? []).includes(c)).map(col)
      const where = [...(opts.where ? [opts.where] : []), `${seq} >= ?`, `${seq} <= ?`]
      return `SELECT CAST(group_concat(json_array(${sealed.join(', ')}), char(10)) AS BLOB) FROM ${table} WHERE ${where.join(' AND ')}`
    },
    byOrder: opts.from !== undefined,
    key: (opts.key ?? []).map(idx),
    json: (opts.json ?? []).map(idx),
    name: (r) => opts.name(Object.fromEntries(columns.map((c, i) => [c, r[i]]))),
  }
}

const ORDER_COLUMNS = [
  'journal_seq',
  'id',
  'receipt_no',
  'business_date',
  'day_seq',
  'created_at',
  'device_id',
  'device_code',
  'staff_id',
  'staff_name',
  'approved_by_id',
  'approved_by_name',
  'currency',
  'price_mode',
  'tax_rounding',
  'rounding_mode',
  'subtotal_minor',
  'line_discounts_minor',
  'order_discount_minor',
  'tax_minor',
  'total_minor',
  'cash_rounding_minor',
  'paid_minor',
  'change_minor',
  'store_name',
  'receipt_footer',
] as const

// Lines, taxes and tenders carry no seq of their own: they are read through their order, in the
// order's seq order (a nested loop on the orders seq index and the child's order_id key, no sort).
const CHILD = 'orders o JOIN'

export const TABLES = {
  orders: spec('orders', 1, ORDER_COLUMNS, { name: (r) => `order ${String(r.id)} (receipt ${String(r.receipt_no)})` }),
  order_lines: spec(
    'order_lines',
    1,
    [
      'journal_seq',
      'order_id',
      'line_no',
      'product_id',
      'name_en',
      'name_zh',
      'unit',
      'quantity',
      'unit_price_minor',
      'gross_minor',
      'line_discount_minor',
      'order_discount_minor',
      'total_minor',
      'tax_minor',
      'tax_ids',
    ],
    { from: `${CHILD} order_lines l ON l.order_id = o.id`, alias: 'l.', order: 'o.journal_seq, l.line_no', key: ['line_no'], name: (r) => `line ${String(r.line_no)} of order ${String(r.order_id)}` },
  ),
  order_taxes: spec('order_taxes', 1, ['journal_seq', 'order_id', 'position', 'tax_id', 'name', 'rate', 'base_minor', 'amount_minor'], {
    from: `${CHILD} order_taxes t ON t.order_id = o.id`,
    alias: 't.',
    order: 'o.journal_seq, t.position',
    key: ['position'],
    name: (r) => `tax ${String(r.position)} (${String(r.tax_id)}) of order ${String(r.order_id)}`,
  }),
  order_tenders: spec('order_tenders', 1, ['journal_seq', 'id', 'order_id', 'position', 'method', 'amount_minor', 'tendered_minor', 'change_minor', 'created_at', 'detail'], {
    from: `${CHILD} order_tenders t ON t.order_id = o.id`,
    alias: 't.',
    // Tenders are found through their order_id index; a sale has one to a few, so only those few are
    // sorted, never the whole table (SQLite sorts the right part of an ORDER BY per outer row).
    order: 'o.journal_seq, t.position',
    key: ['position'],
    json: ['detail'],
    name: (r) => `tender ${String(r.id)} (position ${String(r.position)}) of order ${String(r.order_id)}`,
  }),
  refunds: spec(
    'refunds',
    6,
    [
      'journal_seq',
      'id',
      'order_id',
      'tender_id',
      'method',
      'amount_minor',
      'currency',
      'state',
      'reason',
      'staff_id',
      'staff_name',
      'approved_by_id',
      'approved_by_name',
      'provider_ref',
      'completed_at',
    ],
    // A refund row exists from the moment it is asked for; it is posted (and gets its seq) when it succeeds.
    { where: 'journal_seq IS NOT NULL', name: (r) => `refund ${String(r.id)}` },
  ),
  reprints: spec('reprints', 3, ['journal_seq', 'id', 'order_id', 'staff_id', 'created_at'], { name: (r) => `reprint ${String(r.id)} of order ${String(r.order_id)}` }),
  shifts: spec(
    'shifts',
    7,
    ['journal_seq', 'id', 'device_id', 'currency', 'business_date', 'opened_at', 'opened_by_id', 'opened_by_name', 'float_minor', 'previous_left_minor', 'opening_count'],
    { json: ['opening_count'], name: (r) => `shift ${String(r.id)}` },
  ),
  shift_closes: spec(
    'shift_closes',
    7,
    [
      'journal_seq',
      'shift_id',
      'closed_at',
      'closed_by_id',
      'closed_by_name',
      'expected_minor',
      'counted_minor',
      'over_short_minor',
      'left_minor',
      'closing_count',
      'reason',
      'approved_by_id',
      'approved_by_name',
    ],
    { json: ['closing_count'], name: (r) => `close of shift ${String(r.shift_id)}` },
  ),
  shift_takeovers: spec('shift_takeovers', 7, ['journal_seq', 'id', 'shift_id', 'at', 'from_id', 'from_name', 'to_id', 'to_name'], {
    name: (r) => `take-over ${String(r.id)} of shift ${String(r.shift_id)}`,
  }),
  cash_movements: spec(
    'cash_movements',
    7,
    ['journal_seq', 'id', 'shift_id', 'kind', 'amount_minor', 'currency', 'reason', 'note', 'staff_id', 'staff_name', 'approved_by_id', 'approved_by_name', 'created_at'],
    { name: (r) => `cash movement ${String(r.id)} (${String(r.kind)})` },
  ),
  closures: spec(
    'closures',
    7,
    [
      'journal_seq',
      'id',
      'number',
      'device_id',
      'business_date',
      'from_date',
      'first_seq',
      'last_seq',
      'last_hash',
      'closed_at',
      'closed_by_id',
      'closed_by_name',
      'currency',
      'figures',
      'period_total',
      'previous_grand_total',
      'grand_total',
    ],
    { json: ['figures'], name: (r) => `closure #${String(r.number)} (business day ${String(r.business_date)})` },
  ),
  // Settlement (migration 8). The statements (till_statements, till_statement_rows) are not here:
  // they are inputs from the platform or a file, not written by journal events, so there is no
  // event to rebuild them from; a run names the statements it read (id and sha256) in its event.
  reconciliations: spec(
    'reconciliations',
    8,
    ['journal_seq', 'id', 'business_date', 'at', 'by_id', 'by_name', 'currency', 'statements', 'counts', 'providers', 'cash', 'difference_count'],
    { json: ['statements', 'counts', 'providers', 'cash'], name: (r) => `reconciliation ${String(r.id)} (business day ${String(r.business_date)})` },
  ),
  reconciliation_differences: spec(
    'reconciliation_differences',
    8,
    ['journal_seq', 'id', 'run_id', 'position', 'class', 'provider', 'method', 'amount_minor', 'detail', 'row_ref', 'local_ref'],
    { order: 'journal_seq, position', key: ['position'], json: ['row_ref', 'local_ref'], name: (r) => `difference ${String(r.id)} (${String(r.class)})` },
  ),
  reconciliation_resolutions: spec(
    'reconciliation_resolutions',
    8,
    ['journal_seq', 'id', 'run_id', 'difference_id', 'kind', 'note', 'amount_minor', 'by_id', 'by_name', 'at'],
    { name: (r) => `resolution ${String(r.id)} of difference ${String(r.difference_id)}` },
  ),
  postings: spec('postings', 7, ['journal_seq', 'kind', 'ref_id', 'business_date', 'adjustment_of', 'shift_id', 'currency'], {
    name: (r) => `posting of event ${String(r.journal_seq)} (${String(r.kind)} ${String(r.ref_id)})`,
  }),
  ledger_lines: spec('ledger_lines', 7, ['journal_seq', 'line_no', 'account', 'tag', 'debit_minor', 'credit_minor', 'rate'], {
    order: 'journal_seq, line_no',
    key: ['line_no'],
    json: [],
    name: (r) => `ledger line ${String(r.line_no)} of event ${String(r.journal_seq)} (${String(r.account)})`,
  }),
  outbox: spec('outbox', 1, ['seq', 'event_id', 'created_at', 'sent_at'], { seq: 'seq', key: [], unsealed: ['sent_at'], name: (r) => `outbox row of event ${String(r.seq)}` }),
} satisfies Record<string, TableSpec>

export type TableName = keyof typeof TABLES

// ---- rows rebuilt from events --------------------------------------------------------------------

/** Payload fields, read loosely: a value of the wrong type simply fails the comparison. */
interface Person {
  id?: unknown
  name?: unknown
}
type Doc = Record<string, unknown> & { staff?: Person; approvedBy?: Person | null }

const nul = (v: unknown): unknown => (v === undefined ? null : v)
const personId = (p: Person | null | undefined): unknown => (p ? nul(p.id) : null)
const personName = (p: Person | null | undefined): unknown => (p ? nul(p.name) : null)

/** An array of objects in the payload, or the payload is not one the till writes. */
export function items(v: unknown, what: string, seq: number): Doc[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null)) throw new VerifyProblem('bad_payload', seq, `event ${seq}: ${what} is not a list of records`)
  return v as Doc[]
}

/** The event as the rebuilders need it. */
export interface Ev {
  seq: number
  id: string
  device: string
  type: string
  at: string
}

/** The receipt's day sequence: the number after the last '-' of the receipt number (business-day.ts receiptNumber). */
function daySeqOf(receiptNo: unknown): unknown {
  if (typeof receiptNo !== 'string') return undefined
  const n = Number(receiptNo.slice(receiptNo.lastIndexOf('-') + 1))
  return Number.isSafeInteger(n) ? n : undefined
}

export function orderRow(ev: Ev, o: Doc): Row {
  return [
    ev.seq,
    o.id,
    o.receiptNo,
    o.businessDate,
    daySeqOf(o.receiptNo),
    o.createdAt,
    ev.device,
    o.deviceCode,
    o.staff?.id,
    o.staff?.name,
    personId(o.approvedBy),
    personName(o.approvedBy),
    o.currency,
    o.priceMode,
    o.taxRounding,
    o.roundingMode,
    o.subtotal,
    o.lineDiscounts,
    o.orderDiscount,
    o.taxTotal,
    o.total,
    o.cashRounding,
    o.paid,
    o.change,
    o.storeName,
    o.receiptFooter,
  ]
}

export function lineRows(ev: Ev, o: Doc): Row[] {
  return items(o.lines, 'the sale\'s lines', ev.seq).map((l) => [
    ev.seq,
    o.id,
    l.lineNo,
    l.productId,
    l.nameEn,
    l.nameZh,
    l.unit,
    l.quantity,
    l.unitPrice,
    l.gross,
    l.lineDiscount,
    l.orderDiscount,
    l.total,
    nul(l.tax),
    Array.isArray(l.taxIds) ? JSON.stringify(l.taxIds) : undefined,
  ])
}

export function taxRows(ev: Ev, o: Doc): Row[] {
  return items(o.taxes, 'the sale\'s taxes', ev.seq).map((t, i) => [ev.seq, o.id, i, t.taxId, t.name, t.rate, t.base, t.amount])
}

export function tenderRows(ev: Ev, o: Doc): Row[] {
  return items(o.tenders, 'the sale\'s tenders', ev.seq).map((t, i) => {
    // The key order checkout.ts toTender gives the card details, so the stored text usually matches as is.
    const c = typeof t.card === 'object' && t.card !== null ? (t.card as Record<string, unknown>) : undefined
    const card = c ? { maskedPan: c.maskedPan, brand: c.brand, entryMode: c.entryMode, approvalCode: c.approvalCode, terminalId: c.terminalId, ...c } : t.card
    const detail = { flow: t.flow, providerRef: t.providerRef, card, paidAt: t.paidAt }
    const hasDetail = Object.values(detail).some((v) => v !== undefined)
    return [ev.seq, t.id, o.id, i, t.method, t.amount, t.tendered, t.change, o.createdAt, hasDetail ? JSON.stringify(detail) : null]
  })
}

export function refundRow(ev: Ev, r: Doc): Row {
  return [
    ev.seq,
    r.refundId,
    r.orderId,
    r.tenderId,
    r.method,
    r.amount,
    r.currency,
    'succeeded',
    r.reason,
    r.staff?.id,
    r.staff?.name,
    personId(r.approvedBy),
    personName(r.approvedBy),
    nul(r.providerRef),
    r.at,
  ]
}

export function reprintRow(ev: Ev, r: Doc): Row {
  return [ev.seq, r.reprintId, r.orderId, r.staffId, ev.at]
}

const posting = (d: Doc): Doc => (typeof d.posting === 'object' && d.posting !== null ? (d.posting as Doc) : {})

export function shiftRow(ev: Ev, s: Doc): Row {
  const by = s.openedBy as Person | undefined
  return [ev.seq, s.shiftId, ev.device, s.currency, posting(s).businessDate, ev.at, by?.id, by?.name, s.float, s.previousLeft, s.count === undefined ? undefined : JSON.stringify(s.count)]
}

export function shiftCloseRow(ev: Ev, s: Doc): Row {
  const by = s.closedBy as Person | undefined
  return [
    ev.seq,
    s.shiftId,
    ev.at,
    by?.id,
    by?.name,
    s.expected,
    s.counted,
    s.overShort,
    s.left,
    s.count === undefined ? undefined : JSON.stringify(s.count),
    nul(s.reason),
    personId(s.approvedBy),
    personName(s.approvedBy),
  ]
}

export function takeoverRow(ev: Ev, t: Doc): Row {
  const from = t.from as Person | undefined
  const to = t.to as Person | undefined
  return [ev.seq, t.takeoverId, t.shiftId, ev.at, from?.id, from?.name, to?.id, to?.name]
}

export function movementRow(ev: Ev, m: Doc): Row {
  return [
    ev.seq,
    m.movementId,
    m.shiftId,
    m.kind,
    m.amount,
    m.currency,
    m.reason,
    m.note,
    m.staff?.id,
    m.staff?.name,
    personId(m.approvedBy),
    personName(m.approvedBy),
    ev.at,
  ]
}

export function closureRow(ev: Ev, c: Doc): Row {
  const by = c.closedBy as Person | undefined
  return [
    ev.seq,
    c.closureId,
    c.number,
    ev.device,
    c.businessDate,
    c.fromDate,
    c.firstSeq,
    c.lastSeq,
    c.lastHash,
    ev.at,
    by?.id,
    by?.name,
    c.currency,
    c.figures === undefined ? undefined : JSON.stringify(c.figures),
    c.periodTotal,
    c.previousGrandTotal,
    c.grandTotal,
  ]
}

const json = (v: unknown): unknown => (v === undefined ? undefined : JSON.stringify(v))

export function reconciliationRow(ev: Ev, r: Doc): Row {
  const by = r.by as Person | undefined
  return [
    ev.seq,
    r.runId,
    r.businessDate,
    ev.at,
    by?.id,
    by?.name,
    r.currency,
    json(r.statements),
    json(r.counts),
    json(r.providers),
    json(r.cash),
    Array.isArray(r.differences) ? r.differences.length + (Array.isArray(r.shifted) ? r.shifted.length : 0) : undefined,
  ]
}

export function differenceRows(ev: Ev, r: Doc): Row[] {
  const full = items(r.differences, "the run's differences", ev.seq)
  const rows: Row[] = full.map((d, i) => [
    ev.seq,
    d.id,
    r.runId,
    i + 1,
    d.class,
    d.provider,
    d.method,
    d.amount,
    d.detail,
    d.row === null ? null : json(d.row),
    d.local === null ? null : json(d.local),
  ])
  // Date mismatches by keys (settlement/run.ts ShiftedRef): [statement index, position, kind, id].
  const shifted = r.shifted === undefined ? [] : r.shifted
  if (!Array.isArray(shifted)) throw new VerifyProblem('bad_payload', ev.seq, `event ${ev.seq}: the run's date mismatches are not a list`)
  const statements = Array.isArray(r.statements) ? (r.statements as Doc[]) : []
  shifted.forEach((x: unknown, k) => {
    const [si, position, kind, id] = Array.isArray(x) ? (x as unknown[]) : []
    const s = typeof si === 'number' ? statements[si] : undefined
    rows.push([
      ev.seq,
      `${String(r.runId)}-${full.length + k + 1}`,
      r.runId,
      full.length + k + 1,
      'date_mismatch',
      s?.provider,
      s?.provider,
      0,
      '',
      JSON.stringify({ statementId: s?.id, position }),
      JSON.stringify({ kind, id }),
    ])
  })
  return rows
}

export function resolutionRow(ev: Ev, r: Doc): Row {
  const by = r.by as Person | undefined
  return [ev.seq, r.resolutionId, r.runId, r.differenceId, r.kind, r.note, r.amount, by?.id, by?.name, ev.at]
}

export function outboxRow(ev: Ev): Row {
  return [ev.seq, ev.id, ev.at, undefined]
}

// ---- comparing -----------------------------------------------------------------------------------

/** Outbox: sent_at is the sync's to write; only the event id and time are the event's. */
const IGNORED: Partial<Record<TableName, readonly number[]>> = { outbox: [3] }

/** Canonical JSON of a JSON text, or null when it is not JSON. */
function canonicalText(text: unknown): string | null {
  if (typeof text !== 'string') return null
  try {
    return canonicalJson(JSON.parse(text))
  } catch {
    return null
  }
}

/** Index of the first column where the stored row and the rebuilt one differ, or -1. */
export function firstDifference(name: TableName, s: TableSpec, actual: Row, expected: Row): number {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]
    const e = expected[i]
    if (a === e) continue
    if (IGNORED[name]?.includes(i)) continue
    if (s.json.includes(i) && a !== null && e !== null && e !== undefined) {
      const ca = canonicalText(a)
      if (ca !== null && ca === canonicalText(e)) continue
    }
    return i
  }
  return -1
}

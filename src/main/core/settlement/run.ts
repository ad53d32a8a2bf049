import type { Settings } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { Difference, DifferenceClass, MatchClass, Reconciliation, ReconciliationSummary, Resolution } from '../../../shared/settlement-contract'
import type { ProviderLookup, StatementProvider } from '../../../shared/statements/types'
import Decimal from 'decimal.js'
import { minorToDecimalString, roundMinor, type Currency } from '../../../shared/money'
import { businessDate } from '../business-day'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { appendEvent } from '../journal'
import { postingMeta } from '../ledger/days'
import { classify, expectedGross, MATCH_ORDER, nextDay, type Classed, type Classification, type LocalRecord, type ReconciledMethod, type SourcedRow } from './classify'
import { localRecords } from './locals'
import { currentStatements, statementRows } from './statements'

/**
 * A reconciliation run and the resolution of its differences: posted records. A run is the journal
 * event `reconciliation.completed` (its counts, the statements it read with their sha256, every
 * difference with the row's and the till record's key fields, and the money its posting moves),
 * a `reconciliations` row and one `reconciliation_differences` row per difference, written in one
 * transaction. A later run is a new run, never an edit. A resolution is `reconciliation.resolved`
 * and a `reconciliation_resolutions` row; a difference is resolved once.
 */

type Person = { id: string; name: string }
type Staff = Person & { role: string }

/** What a run's differences may take of its event (the platform refuses a body over 1 MiB). */
const MAX_DIFFERENCE_BYTES = 700_000

const PROVIDER_NAME: Record<StatementProvider, string> = { alipay: 'Alipay', wechat: 'WeChat Pay', card: 'The card acquirer' }

export interface RunInput {
  runId: string
  businessDate: string
  staff: Staff
}

interface RowRef {
  statementId: string
  line: number
  type: SourcedRow['type']
  providerRef: string
  merchantRef: string | null
  refundRef: string | null
  gross: number
  fee: number
  net: number
  providerTime: string
  providerDate: string
}
interface LocalRef {
  kind: LocalRecord['kind']
  id: string
  method: ReconciledMethod
  orderId: string | null
  receiptNo: string | null
  amount: number
  state: string
  businessDate: string
  providerRef: string | null
}

/** The statement row behind a match or a difference, as the screens and the review show it. */
export const rowRef = (r: SourcedRow): RowRef => ({
  statementId: r.statementId,
  line: r.line,
  type: r.type,
  providerRef: r.providerRef,
  merchantRef: r.merchantRef,
  refundRef: r.refundRef,
  gross: r.gross,
  fee: r.fee,
  net: r.net,
  providerTime: r.providerTime,
  providerDate: r.providerDate,
})
/** The till's record behind a match or a difference. */
export const localRef = (l: LocalRecord): LocalRef => ({
  kind: l.kind,
  id: l.id,
  method: l.method,
  orderId: l.orderId,
  receiptNo: l.receiptNo,
  amount: l.amount,
  state: l.state,
  businessDate: l.businessDate,
  providerRef: l.providerRef,
})

/** One line a person reads: what differs. */
export function describe(i: Classed, currency: string): string {
  const who = PROVIDER_NAME[i.provider]
  const m = (n: number): string => `${currency} ${minorToDecimalString(n, currency as Currency)}`
  const what = (l: LocalRecord | null): string => (l ? `${l.kind === 'tender' ? 'payment' : l.kind} ${l.receiptNo ?? l.id}` : 'a transaction')
  switch (i.class as DifferenceClass) {
    case 'missing_locally':
      return `${who} has ${i.row!.type === 'payment' ? 'a payment' : 'a refund'} of ${m(i.row!.gross)} (${i.row!.providerRef || i.row!.merchantRef || 'no reference'}) the till does not have.`
    case 'missing_at_provider':
      return `The till has ${what(i.local)} of ${m(expectedGross(i.local!))}; ${who} has no such row on that day or the next.`
    case 'amount_mismatch':
      return `${who} has ${m(i.row!.gross)}, the till ${m(expectedGross(i.local!))} for ${what(i.local)}.`
    case 'status_mismatch':
      return `The till has ${what(i.local)} as ${i.local!.state}; ${who} has it ${i.row!.type === 'payment' ? 'paid' : 'refunded'} (${m(i.row!.gross)}).`
    case 'date_mismatch':
      return `${who} books ${what(i.local)} (${m(i.row!.gross)}) on ${i.row!.day}, the till on ${i.local!.businessDate}.`
  }
}

interface RunPayloadParts {
  confirmed: { provider: string; method: ReconciledMethod; gross: number; fee: number; net: number }[]
  fees: { provider: string; gross: number; fee: number; net: number }[]
  payouts: { provider: string; amount: number }[]
}

/**
 * A date_mismatch as the run's event carries it: [index of its statement in the event's
 * `statements`, the row's position in that statement, the record's kind, the record's id]. Its
 * money is in `confirmed` (the next day's file confirms it) and it puts nothing in suspense, so the
 * event names it by keys only: a day of 50,000 sales has thousands sold after midnight, and an
 * event must stay well under the platform's 1 MiB body limit. Its id is the run id and its position.
 */
export type ShiftedRef = [statement: number, position: number, kind: LocalRecord['kind'], id: string]

/** The differences a run records and posts: every item that is not matched, numbered in order (date mismatches last, by keys). */
export function differencesOf(c: Classification, runId: string, currency: string, statements: readonly { id: string }[] = []) {
  const full = c.items
    .filter((i) => i.class !== 'matched' && i.class !== 'date_mismatch')
    .map((i, n) => ({
      id: `${runId}-${n + 1}`,
      class: i.class as DifferenceClass,
      provider: i.provider,
      method: (i.local?.method ?? i.provider) as ReconciledMethod,
      amount: i.amount,
      detail: describe(i, currency),
      row: i.row ? rowRef(i.row) : null,
      local: i.local ? localRef(i.local) : null,
      localGross: i.local && i.local.settled ? expectedGross(i.local) : null,
    }))
  const index = new Map(statements.map((s, k) => [s.id, k]))
  const shifted: ShiftedRef[] = c.items
    .filter((i) => i.class === 'date_mismatch')
    .map((i) => [index.get(i.row!.statementId) ?? -1, i.row!.position ?? i.row!.line, i.local!.kind, i.local!.id])
  return { differences: full, shifted }
}

/** The money the run's posting moves, summed (src/shared/ledger.ts reconciliation rule). */
export function postingParts(c: Classification): RunPayloadParts {
  const confirmed = new Map<string, RunPayloadParts['confirmed'][number]>()
  for (const i of c.items) {
    // Matched, and matched on the next day's file (date_mismatch): what the statements confirm.
    if ((i.class !== 'matched' && i.class !== 'date_mismatch') || !i.row || !i.local) continue
    const k = `${i.provider}\u0000${i.local.method}`
    let x = confirmed.get(k)
    if (!x) confirmed.set(k, (x = { provider: i.provider, method: i.local.method, gross: 0, fee: 0, net: 0 }))
    x.gross += i.row.gross
    x.fee += i.row.fee
    x.net += i.row.net
  }
  const fees = new Map<string, RunPayloadParts['fees'][number]>()
  for (const r of c.feeRows) {
    let x = fees.get(r.provider)
    if (!x) fees.set(r.provider, (x = { provider: r.provider, gross: 0, fee: 0, net: 0 }))
    x.gross += r.gross
    x.fee += r.fee
    x.net += r.net
  }
  const payouts = new Map<string, number>()
  for (const r of c.payoutRows) payouts.set(r.provider, (payouts.get(r.provider) ?? 0) - r.net)
  const sorted = <T extends { provider: string }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (a.provider + String((a as { method?: string }).method)).localeCompare(b.provider + String((b as { method?: string }).method)))
  return {
    confirmed: sorted(confirmed.values()).filter((x) => x.gross !== 0 || x.fee !== 0),
    fees: sorted(fees.values()),
    payouts: sorted([...payouts.entries()].map(([provider, amount]) => ({ provider, amount }))),
  }
}

/** Each closed shift's over/short on the day: cash is reconciled by the count. */
function cashOfDay(db: Db, date: string): Reconciliation['cash'] {
  const rows = stmt(
    db,
    `SELECT s.id, coalesce((SELECT to_id FROM shift_takeovers t WHERE t.shift_id = s.id ORDER BY t.journal_seq DESC LIMIT 1), s.opened_by_id) AS holder_id,
       coalesce((SELECT to_name FROM shift_takeovers t WHERE t.shift_id = s.id ORDER BY t.journal_seq DESC LIMIT 1), s.opened_by_name) AS holder_name,
       c.over_short_minor FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.business_date = ? ORDER BY s.journal_seq`,
  ).all(date) as { id: string; holder_id: string; holder_name: string; over_short_minor: number | null }[]
  return rows.map((r) => ({ shiftId: r.id, holder: { id: r.holder_id, name: r.holder_name }, overShort: r.over_short_minor }))
}

/**
 * The business day a settlement posting goes into: the till's open day — the one the next Z closes.
 * When the open period already has postings of an earlier day than today's (yesterday, not yet
 * closed), that day; else today's (the day after the last Z, when today is closed). Never an
 * adjustment of a closed day, and no shift: settlement is not a drawer's.
 */
export function settlementMeta(db: Db, now: Date, settings: Settings): { businessDate: string; shiftId: null; adjustmentOf: null } {
  const meta = postingMeta(db, now, settings)
  const pending = (
    stmt(
      db,
      "SELECT max(business_date) AS d FROM postings WHERE journal_seq > coalesce((SELECT max(last_seq) FROM closures), 0) AND kind != 'closure'",
    ).get() as { d: string | null }
  ).d
  const businessDate = pending !== null && pending < meta.businessDate ? pending : meta.businessDate
  return { businessDate, shiftId: null, adjustmentOf: null }
}

/**
 * A correction sale is a sale of the day it is posted (its tax and takings are in that day's X and Z),
 * an adjustment of the reconciled day when that is another one.
 */
function correctionMeta(db: Db, now: Date, settings: Settings, reconciledDay: string): { businessDate: string; shiftId: null; adjustmentOf: string | null } {
  const meta = settlementMeta(db, now, settings)
  return { ...meta, adjustmentOf: reconciledDay === meta.businessDate ? null : reconciledDay }
}

/** Reconciles a business day against the statements the till holds, and posts the run. Supervisor or owner. */
export function runReconciliation(db: Db, settings: Settings, device: Device, now: Date, input: RunInput): Reconciliation {
  if (input.staff.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can reconcile a day.')
  const done = stmt(db, 'SELECT business_date FROM reconciliations WHERE id = ?').get(input.runId) as { business_date: string } | undefined
  if (done) {
    if (done.business_date !== input.businessDate) throw new DaybookError('conflict', 'That run number was already used for another day. Start a new run.')
    return readRun(db, input.runId, settings.currency) as Reconciliation
  }
  const today = businessDate(now, settings.timeZone, settings.businessDayCutoffHour)
  if (input.businessDate > today) throw new DaybookError('invalid_input', 'That business day has not happened yet.', [{ path: ['businessDate'], message: `at most ${today}` }])
  let made: Reconciliation | null = null
  db.transaction(() => {
    if (stmt(db, 'SELECT 1 FROM reconciliations WHERE id = ?').get(input.runId)) return
    const D = input.businessDate
    const D1 = nextDay(D)
    const ofDay = currentStatements(db, D)
    if (ofDay.length === 0) {
      throw new DaybookError('statement_not_ready', `There is no statement for ${D} yet: fetch it from the platform or import the provider's file first.`, { businessDate: D })
    }
    // Only the providers with a statement of the day are reconciled (the others have nothing to compare with yet).
    const providers = new Set(ofDay.map((s) => s.provider))
    const read = [...ofDay, ...currentStatements(db, D1).filter((s) => providers.has(s.provider))]
    const rows = read.flatMap((s) => statementRows(db, s))
    const locals = localRecords(db, settings, D, D1, [...providers] as ReconciledMethod[])
    const c = classify(D, D1, locals, rows)
    const at = now.toISOString()
    const statementsRead = read.map((s) => ({ id: s.id, provider: s.provider, date: s.date, fileSha256: s.fileSha256 }))
    const { differences, shifted } = differencesOf(c, input.runId, settings.currency, statementsRead)
    // An event must sync: far under the platform's 1 MiB body limit. Thousands of real differences mean the wrong statement.
    const size = JSON.stringify(differences).length + JSON.stringify(shifted).length
    if (size > MAX_DIFFERENCE_BYTES) {
      throw new DaybookError('statement_refused', `${differences.length + shifted.length} differences: check that the statements are this store's, for ${D}.`, {
        reason: 'too_many_differences',
        line: null,
      })
    }
    const parts = postingParts(c)
    const by = { id: input.staff.id, name: input.staff.name }
    const statements = statementsRead
    const cash = cashOfDay(db, D)
    const ev = appendEvent(db, device.id, 'reconciliation.completed', at, {
      runId: input.runId,
      businessDate: D,
      currency: settings.currency,
      by,
      statements,
      counts: c.counts,
      providers: c.providers,
      cash,
      ...parts,
      differences,
      shifted,
      posting: settlementMeta(db, now, settings),
    })
    insertRun(db, ev.seq, at, { runId: input.runId, businessDate: D, currency: settings.currency, by, statements, counts: c.counts, providers: c.providers, cash, differences, shifted })
    // The answer from what was just written (what readRun reads back), without reading thousands of rows again.
    const all = c.items.filter((i) => i.class !== 'matched')
    const full = all.filter((i) => i.class !== 'date_mismatch')
    const late = all.filter((i) => i.class === 'date_mismatch')
    made = {
      id: input.runId,
      businessDate: D,
      at,
      by,
      counts: c.counts,
      providers: c.providers,
      cash,
      differences: [
        ...differences.map((d) => ({ id: d.id, class: d.class, provider: d.provider, amount: d.amount, detail: d.detail, row: d.row, local: d.local, resolution: null, lookup: null })),
        ...late.map((i, k) => ({
          id: `${input.runId}-${full.length + k + 1}`,
          class: i.class as DifferenceClass,
          provider: i.provider,
          amount: 0,
          detail: describe(i, settings.currency),
          row: rowRef(i.row!),
          local: localRef(i.local!),
          resolution: null,
          lookup: null,
        })),
      ],
      unresolved: differences.reduce((a, d) => a + d.amount, 0),
      journalSeq: ev.seq,
    }
  }).immediate()
  return made ?? (readRun(db, input.runId, settings.currency) as Reconciliation)
}

interface RunRecord {
  runId: string
  businessDate: string
  currency: string
  by: Person
  statements: unknown
  counts: unknown
  providers: unknown
  cash: unknown
  differences: { id: string; class: string; provider: string; method: string; amount: number; detail: string; row: unknown; local: unknown }[]
  shifted: ShiftedRef[]
}

/** The difference rows of a run, full ones then date mismatches by keys: also what the verifier rebuilds (verify/tables.ts differenceRows). */
export function differenceRowsOf(r: Pick<RunRecord, 'runId' | 'statements' | 'differences' | 'shifted'>): [string, string, string, string, number, string, string | null, string | null][] {
  const out: [string, string, string, string, number, string, string | null, string | null][] = r.differences.map((d) => [
    d.id,
    d.class,
    d.provider,
    d.method,
    d.amount,
    d.detail,
    d.row === null ? null : JSON.stringify(d.row),
    d.local === null ? null : JSON.stringify(d.local),
  ])
  const statements = r.statements as { id: string; provider: string }[]
  r.shifted.forEach(([si, position, kind, id], k) => {
    const s = statements[si]!
    out.push([`${r.runId}-${r.differences.length + k + 1}`, 'date_mismatch', s.provider, s.provider, 0, '', JSON.stringify({ statementId: s.id, position }), JSON.stringify({ kind, id })])
  })
  return out
}

/** The rows a run writes: also what the verifier rebuilds from the event (verify/tables.ts). */
function insertRun(db: Db, seq: number, at: string, r: RunRecord): void {
  stmt(
    db,
    `INSERT INTO reconciliations (id, business_date, at, by_id, by_name, currency, statements, counts, providers, cash, difference_count, journal_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.runId, r.businessDate, at, r.by.id, r.by.name, r.currency, JSON.stringify(r.statements), JSON.stringify(r.counts), JSON.stringify(r.providers), JSON.stringify(r.cash), r.differences.length + r.shifted.length, seq)
  const ins = stmt(
    db,
    `INSERT INTO reconciliation_differences (id, run_id, position, class, provider, method, amount_minor, detail, row_ref, local_ref, journal_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  differenceRowsOf(r).forEach(([id, cls, provider, method, amount, detail, row, local], i) => ins.run(id, r.runId, i + 1, cls, provider, method, amount, detail, row, local, seq))
}

export interface ResolveInput {
  resolutionId: string
  runId: string
  differenceId: string
  kind: Resolution['kind']
  note: string
  /** With `corrected`: post the provider's money as a correction sale at this tax. */
  correctionSale?: { taxId: string }
  staff: Staff
}

/** The classes where the provider holds money the till never booked: the ones a correction sale can settle. */
const CORRECTABLE: ReadonlySet<DifferenceClass> = new Set(['missing_locally', 'status_mismatch'])

/** The VAT in a tax-inclusive amount at `rate` percent: amount × rate / (100 + rate), rounded as the store rounds tax. */
export function inclusiveTax(amount: number, rate: string, mode: Settings['roundingMode']): number {
  const r = new Decimal(rate)
  return roundMinor(new Decimal(amount).times(r).dividedBy(r.plus(100)), mode)
}

function correctionOf(settings: Settings, d: { class: DifferenceClass; method: string; amount_minor: number }, taxId: string): { method: ReconciledMethod; taxId: string; rate: string; tax: number } {
  if (!CORRECTABLE.has(d.class) || d.amount_minor <= 0)
    throw new DaybookError('conflict', 'Only a payment the provider has and the till never booked can be posted as a correction sale.', { class: d.class })
  const tax = settings.taxes.find((t) => t.id === taxId)
  if (!tax) throw new DaybookError('invalid_input', `There is no tax ${taxId} in this store's settings.`, { issues: [{ path: ['correctionSale', 'taxId'], message: 'unknown tax' }] })
  return { method: d.method as ReconciledMethod, taxId: tax.id, rate: tax.rate, tax: inclusiveTax(d.amount_minor, tax.rate, settings.roundingMode) }
}

/** Resolves a difference with a note; posts `reconciliation.resolved`. The same resolutionId again returns it; a second resolution is refused. */
export function resolveDifference(db: Db, settings: Settings, device: Device, now: Date, input: ResolveInput): Difference {
  if (input.staff.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can resolve a reconciliation difference.')
  db.transaction(() => {
    const prior = stmt(db, 'SELECT difference_id FROM reconciliation_resolutions WHERE id = ?').get(input.resolutionId) as { difference_id: string } | undefined
    if (prior) {
      if (prior.difference_id !== input.differenceId) throw new DaybookError('conflict', 'That resolution number was already used for another difference.')
      return
    }
    const d = stmt(
      db,
      'SELECT d.id, d.run_id, d.amount_minor, d.class, d.method, run.business_date FROM reconciliation_differences d JOIN reconciliations run ON run.id = d.run_id WHERE d.id = ? AND d.run_id = ?',
    ).get(input.differenceId, input.runId) as { id: string; run_id: string; amount_minor: number; class: DifferenceClass; method: string; business_date: string } | undefined
    if (!d) throw new DaybookError('not_found', 'There is no such difference in that run.')
    if (input.correctionSale && input.kind !== 'corrected') throw new DaybookError('invalid_input', 'A correction sale is a “corrected” resolution.', { issues: [{ path: ['kind'], message: 'must be corrected' }] })
    const correction = input.correctionSale ? correctionOf(settings, d, input.correctionSale.taxId) : null
    const other = stmt(db, 'SELECT by_name, at FROM reconciliation_resolutions WHERE difference_id = ?').get(d.id) as { by_name: string; at: string } | undefined
    if (other) throw new DaybookError('conflict', `This difference was already resolved by ${other.by_name} at ${other.at}.`, { resolvedBy: other.by_name, at: other.at })
    const at = now.toISOString()
    const by = { id: input.staff.id, name: input.staff.name }
    const note = input.note.trim()
    const ev = appendEvent(db, device.id, 'reconciliation.resolved', at, {
      resolutionId: input.resolutionId,
      runId: d.run_id,
      differenceId: d.id,
      kind: input.kind,
      note,
      by,
      currency: settings.currency,
      amount: d.amount_minor,
      ...(correction ? { correction } : {}),
      posting: correction ? correctionMeta(db, now, settings, d.business_date) : settlementMeta(db, now, settings),
    })
    stmt(
      db,
      'INSERT INTO reconciliation_resolutions (id, run_id, difference_id, kind, note, amount_minor, by_id, by_name, at, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(input.resolutionId, d.run_id, d.id, input.kind, note, d.amount_minor, by.id, by.name, at, ev.seq)
  }).immediate()
  return readDifference(db, input.differenceId) as Difference
}

// ---- reading ---------------------------------------------------------------------------------

interface RunRow {
  id: string
  business_date: string
  at: string
  by_id: string
  by_name: string
  currency: string
  statements: string
  counts: string
  providers: string
  cash: string
  difference_count: number
  journal_seq: number
}
interface DifferenceRow {
  id: string
  run_id: string
  class: DifferenceClass
  provider: StatementProvider
  amount_minor: number
  detail: string
  row_ref: string | null
  local_ref: string | null
  r_id: string | null
  r_kind: Resolution['kind'] | null
  r_note: string | null
  r_by_id: string | null
  r_by_name: string | null
  r_at: string | null
  r_seq: number | null
  /** The resolution's journal payload, read for a `corrected` one (its correction sale, if any). */
  r_payload: string | null
  r_date: string | null
  lookup: string | null
  run_date: string
}

const DIFFERENCE_SQL = `SELECT d.id, d.run_id, d.class, d.provider, d.amount_minor, d.detail, d.row_ref, d.local_ref,
    r.id AS r_id, r.kind AS r_kind, r.note AS r_note, r.by_id AS r_by_id, r.by_name AS r_by_name, r.at AS r_at, r.journal_seq AS r_seq, l.answer AS lookup,
    CASE WHEN r.kind = 'corrected' THEN (SELECT j.payload FROM journal j WHERE j.seq = r.journal_seq) END AS r_payload,
    (SELECT p.business_date FROM postings p WHERE p.journal_seq = r.journal_seq) AS r_date
    , run.business_date AS run_date, run.currency
  FROM reconciliation_differences d JOIN reconciliations run ON run.id = d.run_id
    LEFT JOIN reconciliation_resolutions r ON r.difference_id = d.id LEFT JOIN difference_lookups l ON l.difference_id = d.id`

/**
 * A date mismatch is recorded by keys (see ShiftedRef): its row and record are read back from the
 * statement the till holds and from the tender or refund, and its line is worded now.
 */
function expand(db: Db, r: DifferenceRow, currency: string): DifferenceRow {
  if (r.class !== 'date_mismatch' || r.row_ref === null || r.local_ref === null) return r
  const rk = JSON.parse(r.row_ref) as { statementId?: string; position?: number; type?: string }
  if (rk.type !== undefined) return r
  const lk = JSON.parse(r.local_ref) as { kind: LocalRecord['kind']; id: string }
  const row = stmt(
    db,
    `SELECT r.statement_id AS statementId, r.line, r.type, r.provider_ref AS providerRef, r.merchant_ref AS merchantRef, r.refund_ref AS refundRef,
       r.gross_minor AS gross, r.fee_minor AS fee, r.net_minor AS net, r.provider_time AS providerTime, r.provider_date AS providerDate, s.statement_date AS day
     FROM till_statement_rows r JOIN till_statements s ON s.id = r.statement_id WHERE r.statement_id = ? AND r.position = ?`,
  ).get(rk.statementId, rk.position) as (RowRef & { day: string }) | undefined
  const local = (
    lk.kind === 'refund'
      ? stmt(db, 'SELECT r.id, r.method, r.order_id AS orderId, o.receipt_no AS receiptNo, r.amount_minor AS amount, r.state, r.provider_ref AS providerRef FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.id = ?').get(lk.id)
      : stmt(
          db,
          `SELECT a.id, a.method, o.id AS orderId, o.receipt_no AS receiptNo, a.amount_minor AS amount, a.state, a.provider_ref AS providerRef
           FROM tender_attempts a JOIN checkouts c ON c.id = a.checkout_id LEFT JOIN orders o ON o.id = c.order_id WHERE a.id = ?`,
        ).get(lk.id)
  ) as Omit<LocalRef, 'kind' | 'businessDate'> | undefined
  if (!row || !local) return r
  const l: LocalRef = { kind: lk.kind, ...local, state: lk.kind === 'reversal' ? 'succeeded' : local.state, businessDate: r.run_date, providerRef: lk.kind === 'reversal' ? null : local.providerRef }
  const { day, ...rowRefOnly } = row
  const what = `${l.kind === 'tender' ? 'payment' : l.kind} ${l.receiptNo ?? l.id}`
  const detail = `${PROVIDER_NAME[r.provider]} books ${what} (${currency} ${minorToDecimalString(row.gross, currency as Currency)}) on ${day}, the till on ${r.run_date}.`
  return { ...r, row_ref: JSON.stringify(rowRefOnly), local_ref: JSON.stringify(l), detail }
}

function correctionRead(r: DifferenceRow): Resolution['correction'] {
  if (!r.r_payload) return null
  const c = (JSON.parse(r.r_payload) as { correction?: { method: ReconciledMethod; taxId: string; rate: string; tax: number } }).correction
  return c ? { method: c.method, taxId: c.taxId, rate: c.rate, tax: c.tax, businessDate: r.r_date! } : null
}

function toDifference(r: DifferenceRow): Difference {
  return {
    id: r.id,
    class: r.class,
    provider: r.provider,
    amount: r.amount_minor,
    detail: r.detail,
    row: r.row_ref ? (JSON.parse(r.row_ref) as Difference['row']) : null,
    local: r.local_ref ? (JSON.parse(r.local_ref) as Difference['local']) : null,
    resolution: r.r_id
      ? { id: r.r_id, differenceId: r.id, kind: r.r_kind!, note: r.r_note!, by: { id: r.r_by_id!, name: r.r_by_name! }, at: r.r_at!, journalSeq: r.r_seq!, correction: correctionRead(r) }
      : null,
    lookup: r.lookup ? (JSON.parse(r.lookup) as ProviderLookup) : null,
  }
}

export function readDifference(db: Db, id: string): Difference | undefined {
  const r = stmt(db, `${DIFFERENCE_SQL} WHERE d.id = ?`).get(id) as (DifferenceRow & { currency: string }) | undefined
  return r ? toDifference(expand(db, r, r.currency)) : undefined
}

function unresolvedOf(db: Db, runId: string): number {
  return (
    stmt(db, 'SELECT coalesce(sum(d.amount_minor), 0) AS n FROM reconciliation_differences d WHERE d.run_id = ? AND NOT EXISTS (SELECT 1 FROM reconciliation_resolutions r WHERE r.difference_id = d.id)').get(runId) as {
      n: number
    }
  ).n
}

function summary(db: Db, r: RunRow): ReconciliationSummary {
  return {
    id: r.id,
    businessDate: r.business_date,
    at: r.at,
    by: { id: r.by_id, name: r.by_name },
    counts: JSON.parse(r.counts) as Record<MatchClass, number>,
    unresolved: unresolvedOf(db, r.id),
    journalSeq: r.journal_seq,
  }
}

export function readRun(db: Db, id: string, _currency?: string): Reconciliation | undefined {
  const r = stmt(db, 'SELECT * FROM reconciliations WHERE id = ?').get(id) as RunRow | undefined
  if (!r) return undefined
  const differences = (stmt(db, `${DIFFERENCE_SQL} WHERE d.run_id = ? ORDER BY d.position`).all(id) as DifferenceRow[]).map((d) => toDifference(expand(db, d, r.currency)))
  const counts = JSON.parse(r.counts) as Record<MatchClass, number>
  for (const k of MATCH_ORDER) counts[k] ??= 0
  return {
    ...summary(db, r),
    counts,
    providers: JSON.parse(r.providers) as Reconciliation['providers'],
    cash: JSON.parse(r.cash) as Reconciliation['cash'],
    differences,
  }
}

export function listRuns(db: Db, date?: string): ReconciliationSummary[] {
  const rows = (
    date
      ? stmt(db, 'SELECT * FROM reconciliations WHERE business_date = ? ORDER BY journal_seq DESC').all(date)
      : stmt(db, 'SELECT * FROM reconciliations ORDER BY journal_seq DESC LIMIT 200').all()
  ) as RunRow[]
  return rows.map((r) => summary(db, r))
}

/** Keeps the provider's latest "ask again" answer beside the difference (not a posted record). */
export function keepLookup(db: Db, differenceId: string, answer: ProviderLookup, at: string): void {
  stmt(db, 'INSERT INTO difference_lookups (difference_id, answer, asked_at) VALUES (?, ?, ?) ON CONFLICT (difference_id) DO UPDATE SET answer = excluded.answer, asked_at = excluded.asked_at').run(
    differenceId,
    JSON.stringify(answer),
    at,
  )
}

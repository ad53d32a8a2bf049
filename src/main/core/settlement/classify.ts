import type { DifferenceClass, MatchClass } from '../../../shared/settlement-contract'
import type { StatementProvider, StatementRow } from '../../../shared/statements/types'

/**
 * The reconciliation (对账) of one business day D, as a pure function: the till's records against
 * the statement rows of provider days D and D+1 (the provider's day ends at midnight, the store's
 * business day at its cut-off, e.g. 04:00 — a sale at 01:00 is the store's D and the provider's D+1).
 *
 * Matching: a payment row is matched to a tender by our reference first (merchantRef = the attempt
 * id, or a card payment's nexo ServiceID), then by the provider's reference; a refund row to a refund
 * or a voided sale's reversal by our refund reference (refundRef = refund id, the refund's or the
 * reversal's ServiceID, or a reversed wallet payment's attempt id), then by the provider reference
 * when only one refund has it. Rows of D are matched before rows of D+1; a record is matched once.
 *
 * Classes (every row and every local record of the run ends in exactly one; a matched pair counts once):
 *   - status_mismatch: the till has it failed / unknown / closed (a tender never paid, a refund not
 *     succeeded), the provider has it paid (refunded). Checked first.
 *   - amount_mismatch: both have it, for different gross amounts. Checked second.
 *   - date_mismatch: both have it for the same amount, but the row is in the D+1 file, or the provider
 *     dates the row itself to another day than D (an acquirer's batch of D holding a payment it dates
 *     D+1). Checked last.
 *   - matched: both agree. A till record that never moved money (failed, unknown, closed) with no row
 *     either is matched too: both sides agree that nothing happened.
 *   - missing_locally: a payment / refund row of day D that matches nothing the till has.
 *   - missing_at_provider: a succeeded record of day D with no row in D or D+1.
 * Not counted (another day's run classes them): rows of D+1 that match nothing or a record of another
 * business day, and rows of D that match a record of another business day.
 * Fee and payout rows are never matched: they are summed (fees into the fee figure, payouts into
 * the bank), in the statement of D only.
 *
 * Amounts follow the statement's signs: a payment's gross +, a refund's −. A difference's `amount` is
 * what goes to suspense (挂账): the provider's effect minus the till's (date_mismatch: 0, the D+1 file
 * confirms the money; missing_at_provider: minus the till's amount).
 */

export type LocalKind = 'tender' | 'refund' | 'reversal'
export type ReconciledMethod = 'alipay' | 'wechat' | 'card'

export interface LocalRecord {
  kind: LocalKind
  /** Attempt id (tender, reversal) or refund id. */
  id: string
  method: ReconciledMethod
  orderId: string | null
  receiptNo: string | null
  /** Positive minor units, as the till holds it. */
  amount: number
  /** The till's state of it: succeeded, failed, unknown, reversed… */
  state: string
  /** Whether, as the till has it, money moved at the provider (a paid tender — also one later reversed —, a succeeded refund or reversal). */
  settled: boolean
  businessDate: string
  /** Our references the provider may quote: attempt id + card ServiceID; refund id + its ServiceID; reversal ServiceID + attempt id. */
  refs: readonly string[]
  providerRef: string | null
}

export interface SourcedRow extends StatementRow {
  statementId: string
  provider: StatementProvider
  /** The provider day of the file the row is in (the statement's date): what D and D+1 mean here. */
  day: string
  /** The row's place in its statement as the till holds it (0-based; absent for rows not yet stored). */
  position?: number
}

export interface Classed {
  class: MatchClass
  provider: StatementProvider
  row: SourcedRow | null
  local: LocalRecord | null
  /** Suspense amount (see above); 0 for matched. */
  amount: number
}

export interface ProviderFigures {
  provider: StatementProvider
  statementIds: string[]
  rows: number
  local: number
  matched: number
  gross: number
  fee: number
  net: number
  payouts: { date: string | null; amount: number }[]
}

export interface Classification {
  businessDate: string
  /** One entry per matched pair, unmatched row or unmatched record, in a stable order (rows first, by statement and line; then records). */
  items: Classed[]
  counts: Record<MatchClass, number>
  /** Fee and payout rows of day D (summed, not matched). */
  feeRows: SourcedRow[]
  payoutRows: SourcedRow[]
  providers: ProviderFigures[]
}

export const MATCH_ORDER: readonly MatchClass[] = ['matched', 'missing_locally', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'date_mismatch']

const providerOf = (m: ReconciledMethod): StatementProvider => m

/** The signed gross a record should show in a statement: payments +, refunds and reversals −. */
export function expectedGross(l: LocalRecord): number {
  return l.kind === 'tender' ? l.amount : -l.amount
}

/**
 * Classes the till's records of business day `date` (`locals` may hold records of other days too:
 * they are what lets a row be recognised as another day's) against the statement rows of provider
 * days `date` and the day after (`rows`, each with its statement and provider).
 */
export function classify(date: string, nextDate: string, locals: readonly LocalRecord[], rows: readonly SourcedRow[]): Classification {
  // Indexes, one per provider: tenders by our references and by the provider's; refunds and reversals likewise.
  interface Index {
    tenderRef: Map<string, LocalRecord>
    tenderPsp: Map<string, LocalRecord>
    refundRef: Map<string, LocalRecord>
    /** null: more than one refund has that provider reference. */
    refundPsp: Map<string, LocalRecord | null>
    /** A reversal by its own and its tender's references. */
    reversalOf: Map<string, LocalRecord>
  }
  const indexes = new Map<string, Index>()
  const indexOf = (provider: string): Index => {
    let x = indexes.get(provider)
    if (!x) indexes.set(provider, (x = { tenderRef: new Map(), tenderPsp: new Map(), refundRef: new Map(), refundPsp: new Map(), reversalOf: new Map() }))
    return x
  }
  for (const l of locals) {
    const x = indexOf(providerOf(l.method))
    if (l.kind === 'tender') {
      for (const r of l.refs) x.tenderRef.set(r, l)
      if (l.providerRef) x.tenderPsp.set(l.providerRef, l)
    } else {
      for (const r of l.refs) {
        x.refundRef.set(r, l)
        if (l.kind === 'reversal') x.reversalOf.set(r, l)
      }
      if (l.providerRef) x.refundPsp.set(l.providerRef, x.refundPsp.has(l.providerRef) ? null : l)
    }
  }
  const claimed = new Set<LocalRecord>()
  const free = (l: LocalRecord | null | undefined): LocalRecord | undefined => (l && !claimed.has(l) ? l : undefined)
  const find = (row: SourcedRow): LocalRecord | undefined => {
    const x = indexes.get(row.provider)
    if (!x) return undefined
    const m = row.merchantRef
    const p = row.providerRef || null
    if (row.type === 'payment') return free(m === null ? undefined : x.tenderRef.get(m)) ?? free(p === null ? undefined : x.tenderPsp.get(p))
    const byRef = row.refundRef === null ? undefined : x.refundRef.get(row.refundRef)
    return (
      free(byRef) ??
      // A reversal often carries no refund reference of ours (or one we do not know): the payment's reference names it.
      (byRef === undefined && m !== null ? free(x.reversalOf.get(m)) : undefined) ??
      free(p === null ? undefined : x.refundPsp.get(p))
    )
  }

  const items: Classed[] = []
  const feeRows: SourcedRow[] = []
  const payoutRows: SourcedRow[] = []
  // Rows of D first, then of D+1: a record is matched to its own day's row before the next day's.
  for (const pass of [date, nextDate]) {
    for (const row of rows) {
      if (row.day !== pass) continue
      if (row.type === 'fee' || row.type === 'payout') {
        if (pass === date) (row.type === 'fee' ? feeRows : payoutRows).push(row)
        continue
      }
      const l = find(row)
      if (!l) {
        if (pass === date) items.push({ class: 'missing_locally', provider: row.provider, row, local: null, amount: row.gross })
        continue
      }
      claimed.add(l)
      if (l.businessDate !== date) continue // another day's run
      items.push(pairClass(row, l, date))
    }
  }
  for (const l of locals) {
    if (l.businessDate !== date || claimed.has(l)) continue
    items.push(
      l.settled
        ? { class: 'missing_at_provider', provider: providerOf(l.method), row: null, local: l, amount: -expectedGross(l) }
        : { class: 'matched', provider: providerOf(l.method), row: null, local: l, amount: 0 },
    )
  }

  const counts = Object.fromEntries(MATCH_ORDER.map((c) => [c, 0])) as Record<MatchClass, number>
  for (const i of items) counts[i.class]++
  return { businessDate: date, items, counts, feeRows, payoutRows, providers: figures(date, items, rows) }
}

/** The class of a row and a record of the run's day that were matched: status > amount > date. */
function pairClass(row: SourcedRow, l: LocalRecord, date: string): Classed {
  const expected = expectedGross(l)
  const [cls, amount]: [MatchClass, number] = !l.settled
    ? ['status_mismatch', row.gross]
    : row.gross !== expected
      ? ['amount_mismatch', row.gross - expected]
      : row.day !== date || row.providerDate !== date
        ? ['date_mismatch', 0]
        : ['matched', 0]
  return { class: cls, provider: row.provider, row, local: l, amount }
}

/** Per provider: what the run classed, and the statement of day D's own figures (every row of it). */
function figures(date: string, items: readonly Classed[], rows: readonly SourcedRow[]): ProviderFigures[] {
  const by = new Map<StatementProvider, ProviderFigures & { ids: Set<string>; payoutMap: Map<string | null, number> }>()
  const get = (p: StatementProvider): ProviderFigures & { ids: Set<string>; payoutMap: Map<string | null, number> } => {
    let f = by.get(p)
    if (!f) by.set(p, (f = { provider: p, statementIds: [], rows: 0, local: 0, matched: 0, gross: 0, fee: 0, net: 0, payouts: [], ids: new Set(), payoutMap: new Map() }))
    return f
  }
  const next = nextDay(date)
  for (const r of rows) {
    if (r.day !== date && r.day !== next) continue
    const f = get(r.provider)
    f.ids.add(r.statementId)
    // The day's takings at the provider (payments, refunds, fees) and what they are to be paid out, by
    // payout date; a payout row is the paying itself (receivable → bank), not takings.
    if (r.day !== date || r.type === 'payout') continue
    f.gross += r.gross
    f.fee += r.fee
    f.net += r.net
    f.payoutMap.set(r.payoutDate, (f.payoutMap.get(r.payoutDate) ?? 0) + r.net)
  }
  for (const i of items) {
    const f = get(i.provider)
    if (i.row) f.rows++
    if (i.local) f.local++
    if (i.class === 'matched') f.matched++
  }
  return [...by.values()]
    .sort((a, b) => a.provider.localeCompare(b.provider))
    .map(({ ids, payoutMap, ...f }) => ({
      ...f,
      statementIds: [...ids].sort(),
      payouts: [...payoutMap.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([d, amount]) => ({ date: d, amount })),
    }))
}

/** The day after a yyyy-mm-dd date (or `days` days on). */
export function nextDay(date: string, days = 1): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

export type { DifferenceClass }

import { z } from 'zod'
import { TENDER_METHODS, type TenderMethod } from './payments'
import { DIFFERENCE_CLASSES } from './settlement-contract'

/**
 * The one ledger. Every posted journal event becomes one *posting*: balanced double-entry lines in
 * integer minor units. The rules live here, as pure functions of the event's own payload, so the
 * till (which writes the lines in the event's transaction), the verifier (which rebuilds them from
 * the journal) and the platform (which recomputes a closure from the events it holds) cannot
 * disagree. Every report — shift, X, Z, review — sums these lines; none keeps a second copy.
 *
 * A line's amount is signed: positive = debit, negative = credit. Debits equal credits in every
 * posting (the lines sum to zero), enforced when a posting is built.
 */

export const ACCOUNTS = {
  /** What each tender method took; cash passes through it (received, less change). */
  clearing: (m: TenderMethod) => `clearing:${m}` as const,
  revenue: 'revenue',
  /** Discounts given (contra-revenue, a debit). */
  discounts: 'discounts',
  /** Refunds given (contra-revenue, net of the tax they give back). */
  refunds: 'refunds',
  taxPayable: (taxId: string) => `tax_payable:${taxId}` as const,
  /** Cash rounding: a credit when the customer paid more than the total (0.05 rounding up). */
  rounding: 'rounding',
  /** The cash in this till's drawer. */
  drawer: 'drawer',
  /** The shop's safe (floats come from it, drops and closing cash go to it). */
  safe: 'safe',
  /** Pay-ins (money put into the drawer from outside) and pay-outs (petty expenses). */
  paidIn: 'cash_paid_in',
  paidOut: 'cash_paid_out',
  /** Counted minus expected at a shift close: a credit when over, a debit when short. */
  overShort: 'cash_over_short',
  /** Money a voided sale kept because the terminal refused to give it back: owed to the customer. */
  customerPayable: 'customer_payable',
  /** What a provider owes the shop for what its statement confirmed, until it pays it out (reconciliation). */
  receivable: (provider: string) => `receivable:${provider}` as const,
  /** The providers' fees (手续费) their statements charge (a debit) or give back (a credit). */
  feeExpense: 'fee_expense',
  /** The shop's bank account: where a provider's payout lands. */
  bank: 'bank',
  /** Reconciliation differences (挂账) until someone resolves them: a credit when the provider has more than the till. */
  suspense: 'suspense',
  /** Where a resolved difference goes out of suspense. */
  settlementAdjustments: 'settlement_adjustments',
} as const

/** What a line is for, so reports can tell cash received from change given on the same account. */
export const LINE_TAGS = [
  'tender',
  'cash_received',
  'change_given',
  'sale',
  'tax',
  'refund',
  'cash_refund',
  'float',
  'pay_in',
  'pay_out',
  'safe_drop',
  'over_short',
  'to_safe',
  'void_kept',
  // Settlement (reconciliation) lines: none of these is read by the shift, X or Z figures.
  'settlement',
  'settlement_fee',
  'payout',
  'suspense',
  'suspense_resolved',
] as const
export type LineTag = (typeof LINE_TAGS)[number]

export interface LedgerLine {
  account: string
  tag: LineTag
  /** Positive: debit. Negative: credit. Never zero. */
  amount: number
  /** The tax rate of a tax line ("13"), else null. */
  rate: string | null
}

export const POSTING_KINDS = ['sale', 'refund', 'void', 'reprint', 'shift_open', 'shift_close', 'cash_movement', 'closure', 'reconciliation', 'reconciliation_resolution'] as const
export type PostingKind = (typeof POSTING_KINDS)[number]

/** A calendar date yyyy-mm-dd that exists (no 2026-13-45). */
const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date')

/** Which business day and shift a posting belongs to: written into the event payload itself. */
export const PostingMetaSchema = z.object({
  businessDate: CalendarDate,
  shiftId: z.string().max(64).nullable(),
  /** The business day the event would naturally have fallen into, when that day was already closed. */
  adjustmentOf: CalendarDate.nullable(),
})
export type PostingMeta = z.infer<typeof PostingMetaSchema>

export interface Posting {
  kind: PostingKind
  /** The record the posting is about: order, refund, checkout, shift, movement or closure id. */
  refId: string
  currency: string
  lines: LedgerLine[]
  /** Null for events written before the ledger existed (the migration supplies their day). */
  meta: PostingMeta | null
  /** Kind-specific figures reports need besides money lines (a shift's float, a count…). */
  extra: Record<string, unknown>
}

/** The event types that are postings, and the kind each one posts. */
export const POSTING_EVENT_KIND: Readonly<Record<string, PostingKind>> = {
  'sale.completed': 'sale',
  'refund.completed': 'refund',
  'checkout.voided': 'void',
  'receipt.reprinted': 'reprint',
  'shift.opened': 'shift_open',
  'shift.closed': 'shift_close',
  'cash.moved': 'cash_movement',
  'day.closed': 'closure',
  'reconciliation.completed': 'reconciliation',
  'reconciliation.resolved': 'reconciliation_resolution',
}

export class LedgerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LedgerError'
  }
}

const Minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const Signed = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)
const Meta = PostingMetaSchema.optional()

const SalePayload = z.object({
  id: z.string(),
  currency: z.string(),
  lineDiscounts: Minor,
  orderDiscount: Minor,
  total: Minor,
  cashRounding: Signed,
  paid: Minor,
  taxes: z.array(z.object({ taxId: z.string(), rate: z.string(), amount: Signed })),
  tenders: z.array(z.object({ method: z.enum(TENDER_METHODS), amount: Minor, tendered: Minor, change: Minor })),
  businessDate: z.string(),
  posting: Meta,
})
const RefundPayload = z.object({
  refundId: z.string(),
  orderId: z.string(),
  method: z.enum(TENDER_METHODS),
  amount: Minor,
  currency: z.string(),
  /** The tax the refund gives back, per tax (absent on refunds posted before the ledger). */
  taxes: z.array(z.object({ taxId: z.string(), rate: z.string(), amount: Minor })).optional(),
  posting: Meta,
})
const VoidPayload = z.object({
  checkoutId: z.string(),
  currency: z.string(),
  tenders: z.array(z.object({ method: z.enum(TENDER_METHODS), amount: Minor, outcome: z.string() })).default([]),
  posting: Meta,
})
const ReprintPayload = z.object({ reprintId: z.string(), currency: z.string().optional(), posting: Meta })
export const MOVEMENT_KINDS = ['pay_in', 'pay_out', 'safe_drop'] as const
export type MovementKind = (typeof MOVEMENT_KINDS)[number]
const ShiftOpenedPayload = z.object({ shiftId: z.string(), currency: z.string(), float: Minor, previousLeft: Minor, posting: PostingMetaSchema })
const MovedPayload = z.object({ movementId: z.string(), kind: z.enum(MOVEMENT_KINDS), amount: Minor, currency: z.string(), posting: PostingMetaSchema })
const ShiftClosedPayload = z.object({
  shiftId: z.string(),
  currency: z.string(),
  expected: Signed,
  counted: Minor,
  overShort: Signed,
  left: Minor,
  posting: PostingMetaSchema,
})
const ClosurePayload = z.object({ closureId: z.string(), currency: z.string(), posting: PostingMetaSchema })

// ---- settlement: a reconciliation run and the resolution of one of its differences -------------------

const SETTLED_METHODS = ['alipay', 'wechat', 'card'] as const
const SignedMinor = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)
/** Gross, fee and net of statement rows (net = gross − fee, checked). */
const Money3 = z.object({ gross: SignedMinor, fee: SignedMinor, net: SignedMinor })
const SettlementProvider = z.string().min(1).max(32)
const DifferencePosting = z.object({
  id: z.string().min(1).max(64),
  class: z.enum(DIFFERENCE_CLASSES),
  provider: SettlementProvider,
  method: z.enum(SETTLED_METHODS),
  amount: SignedMinor,
  /** The statement row's money (null: the provider has no row). */
  row: Money3.nullable(),
  /** The till's signed gross of the record (payments +, refunds and reversals −; null: the till has no record, or one that moved no money). */
  localGross: SignedMinor.nullable(),
})
const ReconciliationPayload = z.object({
  runId: z.string().min(1).max(64),
  currency: z.string(),
  /** What the statements confirm, per provider and method (matched and date_mismatch pairs, summed). */
  confirmed: z.array(Money3.extend({ provider: SettlementProvider, method: z.enum(SETTLED_METHODS) })),
  /** Fee rows of the day (summed, not matched), per provider. */
  fees: z.array(Money3.extend({ provider: SettlementProvider })),
  /** Payout rows of the day: what each provider paid into the bank (positive). */
  payouts: z.array(z.object({ provider: SettlementProvider, amount: SignedMinor })),
  differences: z.array(DifferencePosting),
  posting: PostingMetaSchema,
})
const ResolutionPayload = z.object({
  resolutionId: z.string().min(1).max(64),
  runId: z.string(),
  differenceId: z.string(),
  currency: z.string(),
  /** The difference's suspense amount (as the run posted it): moved to settlement adjustments. */
  amount: SignedMinor,
  /**
   * A correction sale instead (provider money the till never booked): the amount is sold at the tax
   * (VAT-inclusive, `tax` of it) through the provider's method, and its clearing settled out of suspense.
   */
  correction: z.object({ method: z.enum(SETTLED_METHODS), taxId: z.string().min(1), rate: z.string(), tax: Minor }).optional(),
  posting: PostingMetaSchema,
})

function checkNet(m: { gross: number; fee: number; net: number }, what: string): void {
  if (m.gross - m.fee !== m.net) throw new LedgerError(`${what}: net ${m.net} is not gross ${m.gross} less fee ${m.fee}`)
}

/**
 * A run moves what the statements confirm out of clearing into the provider's receivable and the
 * fee expense, parks each difference in suspense, and moves the day's payouts from receivable to
 * the bank. Each difference's suspense line is minus its amount (the provider's effect minus the
 * till's): a credit when the provider has more.
 */
function reconciliationLines(r: z.infer<typeof ReconciliationPayload>): LedgerLine[] {
  const l = new Lines()
  const rowMoney = (p: string, m: { gross: number; fee: number; net: number }, what: string): void => {
    checkNet(m, what)
    l.dr(ACCOUNTS.receivable(p), 'settlement', m.net).dr(ACCOUNTS.feeExpense, 'settlement', m.fee)
  }
  for (const c of r.confirmed) {
    rowMoney(c.provider, c, `run ${r.runId} ${c.provider}`)
    l.cr(ACCOUNTS.clearing(c.method), 'settlement', c.gross)
  }
  for (const f of r.fees) {
    checkNet(f, `run ${r.runId} ${f.provider} fees`)
    l.dr(ACCOUNTS.receivable(f.provider), 'settlement_fee', f.net).dr(ACCOUNTS.feeExpense, 'settlement_fee', f.fee).cr(ACCOUNTS.settlementAdjustments, 'settlement_fee', f.gross)
  }
  for (const p of r.payouts) l.dr(ACCOUNTS.bank, 'payout', p.amount).cr(ACCOUNTS.receivable(p.provider), 'payout', p.amount)
  for (const d of r.differences) {
    const what = `run ${r.runId} difference ${d.id}`
    const needRow = (): { gross: number; fee: number; net: number } => {
      if (!d.row) throw new LedgerError(`${what} (${d.class}) has no statement row`)
      return d.row
    }
    const needLocal = (): number => {
      if (d.localGross === null) throw new LedgerError(`${what} (${d.class}) has no till record`)
      return d.localGross
    }
    let expected: number
    switch (d.class) {
      case 'missing_locally':
      case 'status_mismatch': {
        const m = needRow()
        rowMoney(d.provider, m, what)
        expected = m.gross
        break
      }
      case 'missing_at_provider': {
        const local = needLocal()
        l.cr(ACCOUNTS.clearing(d.method), 'settlement', local)
        expected = -local
        break
      }
      case 'amount_mismatch': {
        const m = needRow()
        const local = needLocal()
        rowMoney(d.provider, m, what)
        l.cr(ACCOUNTS.clearing(d.method), 'settlement', local)
        expected = m.gross - local
        break
      }
      case 'date_mismatch': {
        // The next day's file confirms it: it settles like a match, nothing is left in suspense.
        const m = needRow()
        rowMoney(d.provider, m, what)
        l.cr(ACCOUNTS.clearing(d.method), 'settlement', m.gross)
        expected = 0
        break
      }
    }
    if (d.amount !== expected) throw new LedgerError(`${what} (${d.class}): its amount ${d.amount} is not the ${expected} its row and record make`)
    l.cr(ACCOUNTS.suspense, 'suspense', d.amount)
  }
  return l.done(`reconciliation ${r.runId}`)
}

// ---- a sale's payload, checked without zod: every sale is posted in its own commit ------------------

type SaleFields = z.infer<typeof SalePayload>

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isMinorInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isCalendarDate = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)

/**
 * The sale payload as SalePayload.parse would return it, when the payload certainly passes it;
 * otherwise null and the schema decides (and words the error). Every test here is the schema's own
 * rule, never a looser one, and the result carries the same fields (the posting meta rebuilt
 * with only its three keys, as the schema strips the rest).
 */
export function saleFast(d: unknown): SaleFields | null {
  if (!isObject(d)) return null
  const { id, currency, lineDiscounts, orderDiscount, total, cashRounding, paid, taxes, tenders, businessDate, posting } = d
  if (typeof id !== 'string' || typeof currency !== 'string' || typeof businessDate !== 'string') return null
  if (!isMinorInt(lineDiscounts) || !isMinorInt(orderDiscount) || !isMinorInt(total) || !isMinorInt(paid)) return null
  if (typeof cashRounding !== 'number' || !Number.isSafeInteger(cashRounding)) return null
  if (!Array.isArray(taxes) || !Array.isArray(tenders)) return null
  const outTaxes: SaleFields['taxes'] = []
  for (let i = 0; i < taxes.length; i++) {
    const t: unknown = taxes[i]
    if (!isObject(t)) return null
    const { taxId, rate, amount } = t
    if (typeof taxId !== 'string' || typeof rate !== 'string' || typeof amount !== 'number' || !Number.isSafeInteger(amount)) return null
    outTaxes.push({ taxId, rate, amount })
  }
  const outTenders: SaleFields['tenders'] = []
  for (let i = 0; i < tenders.length; i++) {
    const t: unknown = tenders[i]
    if (!isObject(t)) return null
    const { method, amount, tendered, change } = t
    if (typeof method !== 'string' || !(TENDER_METHODS as readonly string[]).includes(method)) return null
    if (!isMinorInt(amount) || !isMinorInt(tendered) || !isMinorInt(change)) return null
    outTenders.push({ method: method as TenderMethod, amount, tendered, change })
  }
  let meta: PostingMeta | undefined
  if (posting !== undefined) {
    if (!isObject(posting)) return null
    const { businessDate: day, shiftId, adjustmentOf } = posting
    if (!isCalendarDate(day)) return null
    if (shiftId !== null && (typeof shiftId !== 'string' || shiftId.length > 64)) return null
    if (adjustmentOf !== null && !isCalendarDate(adjustmentOf)) return null
    meta = { businessDate: day, shiftId, adjustmentOf }
  }
  return { id, currency, lineDiscounts, orderDiscount, total, cashRounding, paid, taxes: outTaxes, tenders: outTenders, businessDate, posting: meta }
}

/** The schema's own answer for a sale payload (test/core/commit-fast-paths.test.ts holds saleFast to it). */
export function saleBySchema(data: unknown): { success: true; data: SaleFields } | { success: false } {
  const r = SalePayload.safeParse(data)
  return r.success ? { success: true, data: r.data } : { success: false }
}

function parse<T>(schema: z.ZodType<T>, type: string, data: unknown): T {
  const r = schema.safeParse(data)
  if (!r.success) {
    const i = r.error.issues[0]
    throw new LedgerError(`${type} payload cannot be posted: ${i ? `${i.path.join('.') || '(data)'} ${i.message}` : 'invalid'}`)
  }
  return r.data
}

/** Collects lines, dropping zero amounts, and checks the sum is zero when done. */
class Lines {
  readonly lines: LedgerLine[] = []
  dr(account: string, tag: LineTag, amount: number, rate: string | null = null): this {
    if (amount !== 0) this.lines.push({ account, tag, amount, rate })
    return this
  }
  cr(account: string, tag: LineTag, amount: number, rate: string | null = null): this {
    return this.dr(account, tag, -amount, rate)
  }
  done(what: string): LedgerLine[] {
    let sum = 0
    for (const l of this.lines) {
      if (!Number.isSafeInteger(l.amount)) throw new LedgerError(`${what}: a line is not a whole number of minor units`)
      sum += l.amount
    }
    if (sum !== 0) throw new LedgerError(`${what} does not balance: debits and credits differ by ${sum}`)
    return this.lines
  }
}

/**
 * The posting an event makes, or null when the event type is not a posting (sync bookkeeping,
 * settings…). Throws LedgerError when the payload cannot be posted or would not balance.
 */
export function postingFor(type: string, data: unknown): Posting | null {
  const kind = POSTING_EVENT_KIND[type]
  if (!kind) return null
  switch (kind) {
    case 'sale': {
      const s = saleFast(data) ?? parse(SalePayload, type, data)
      const l = new Lines()
      for (const t of s.tenders) {
        // What a tender pays is what was handed over less the change: anything else is not a sale we can post.
        if (t.tendered - t.change !== t.amount) throw new LedgerError(`sale ${s.id}: a ${t.method} tender of ${t.amount} was handed ${t.tendered} with ${t.change} change`)
        l.dr(ACCOUNTS.clearing(t.method), 'tender', t.amount)
        if (t.method === 'cash') {
          // The drawer sees what was handed over and what went back; change is not cash received.
          l.dr(ACCOUNTS.drawer, 'cash_received', t.tendered).cr(ACCOUNTS.clearing('cash'), 'cash_received', t.tendered)
          l.dr(ACCOUNTS.clearing('cash'), 'change_given', t.change).cr(ACCOUNTS.drawer, 'change_given', t.change)
        }
      }
      const discounts = s.lineDiscounts + s.orderDiscount
      const tax = s.taxes.reduce((sum, t) => sum + t.amount, 0)
      l.dr(ACCOUNTS.discounts, 'sale', discounts)
      for (const t of s.taxes) l.cr(ACCOUNTS.taxPayable(t.taxId), 'tax', t.amount, t.rate)
      l.cr(ACCOUNTS.revenue, 'sale', s.total + discounts - tax)
      l.cr(ACCOUNTS.rounding, 'sale', s.cashRounding)
      return { kind, refId: s.id, currency: s.currency, lines: l.done(`sale ${s.id}`), meta: s.posting ?? null, extra: {} }
    }
    case 'refund': {
      const r = parse(RefundPayload, type, data)
      const l = new Lines()
      l.cr(ACCOUNTS.clearing(r.method), 'tender', r.amount)
      if (r.method === 'cash') l.dr(ACCOUNTS.clearing('cash'), 'cash_refund', r.amount).cr(ACCOUNTS.drawer, 'cash_refund', r.amount)
      const taxes = r.taxes ?? []
      const tax = taxes.reduce((sum, t) => sum + t.amount, 0)
      if (tax > r.amount) throw new LedgerError(`refund ${r.refundId} gives back more tax than its amount`)
      for (const t of taxes) l.dr(ACCOUNTS.taxPayable(t.taxId), 'tax', t.amount, t.rate)
      l.dr(ACCOUNTS.refunds, 'refund', r.amount - tax)
      return { kind, refId: r.refundId, currency: r.currency, lines: l.done(`refund ${r.refundId}`), meta: r.posting ?? null, extra: { orderId: r.orderId } }
    }
    case 'void': {
      // Nothing was posted for a voided checkout, and what it took was given back: no money moves —
      // except a payment the terminal refused to reverse. The shop holds that money and owes it to
      // the customer until it is returned another way: the provider's clearing shows it (so the
      // statement still matches), against a debt to the customer.
      const v = parse(VoidPayload, type, data)
      const l = new Lines()
      for (const t of v.tenders) {
        if (t.outcome === 'reversal_refused') l.dr(ACCOUNTS.clearing(t.method), 'void_kept', t.amount).cr(ACCOUNTS.customerPayable, 'void_kept', t.amount)
      }
      return { kind, refId: v.checkoutId, currency: v.currency, lines: l.done(`void ${v.checkoutId}`), meta: v.posting ?? null, extra: {} }
    }
    case 'reprint': {
      const p = parse(ReprintPayload, type, data)
      return { kind, refId: p.reprintId, currency: p.currency ?? '', lines: [], meta: p.posting ?? null, extra: {} }
    }
    case 'shift_open': {
      const s = parse(ShiftOpenedPayload, type, data)
      // The drawer held what the last close left in it; a different float was topped up from (or
      // returned to) the safe.
      const l = new Lines().dr(ACCOUNTS.drawer, 'float', s.float - s.previousLeft).cr(ACCOUNTS.safe, 'float', s.float - s.previousLeft)
      return { kind, refId: s.shiftId, currency: s.currency, lines: l.done(`shift ${s.shiftId} opening`), meta: s.posting, extra: { float: s.float } }
    }
    case 'cash_movement': {
      const m = parse(MovedPayload, type, data)
      const l = new Lines()
      if (m.kind === 'pay_in') l.dr(ACCOUNTS.drawer, 'pay_in', m.amount).cr(ACCOUNTS.paidIn, 'pay_in', m.amount)
      else if (m.kind === 'pay_out') l.dr(ACCOUNTS.paidOut, 'pay_out', m.amount).cr(ACCOUNTS.drawer, 'pay_out', m.amount)
      else l.dr(ACCOUNTS.safe, 'safe_drop', m.amount).cr(ACCOUNTS.drawer, 'safe_drop', m.amount)
      return { kind, refId: m.movementId, currency: m.currency, lines: l.done(`cash movement ${m.movementId}`), meta: m.posting, extra: { movement: m.kind } }
    }
    case 'shift_close': {
      const s = parse(ShiftClosedPayload, type, data)
      if (s.counted - s.expected !== s.overShort) throw new LedgerError(`shift ${s.shiftId} close: over/short is not counted minus expected`)
      if (s.left > s.counted) throw new LedgerError(`shift ${s.shiftId} close: more left in the drawer than was counted`)
      const l = new Lines()
      l.dr(ACCOUNTS.drawer, 'over_short', s.overShort).cr(ACCOUNTS.overShort, 'over_short', s.overShort)
      l.dr(ACCOUNTS.safe, 'to_safe', s.counted - s.left).cr(ACCOUNTS.drawer, 'to_safe', s.counted - s.left)
      return { kind, refId: s.shiftId, currency: s.currency, lines: l.done(`shift ${s.shiftId} close`), meta: s.posting, extra: { left: s.left } }
    }
    case 'closure': {
      // A closure moves no money: its figures are the sum of the postings it covers.
      const c = parse(ClosurePayload, type, data)
      return { kind, refId: c.closureId, currency: c.currency, lines: [], meta: c.posting, extra: {} }
    }
    case 'reconciliation': {
      const r = parse(ReconciliationPayload, type, data)
      return { kind, refId: r.runId, currency: r.currency, lines: reconciliationLines(r), meta: r.posting, extra: { differences: r.differences.length } }
    }
    case 'reconciliation_resolution': {
      // A resolved difference leaves suspense for the settlement adjustments (the note says why).
      const r = parse(ResolutionPayload, type, data)
      const l = new Lines().dr(ACCOUNTS.suspense, 'suspense_resolved', r.amount)
      const c = r.correction
      if (c) {
        // A sale like any other (tender, revenue net of tax, tax), whose clearing the statement already settled: out of suspense.
        if (r.amount <= 0 || c.tax > r.amount) throw new LedgerError(`resolution ${r.resolutionId}: a correction sale of ${r.amount} with tax ${c.tax}`)
        l.dr(ACCOUNTS.clearing(c.method), 'tender', r.amount)
          .cr(ACCOUNTS.revenue, 'sale', r.amount - c.tax)
          .cr(ACCOUNTS.taxPayable(c.taxId), 'tax', c.tax, c.rate)
          .cr(ACCOUNTS.clearing(c.method), 'settlement', r.amount)
      } else l.cr(ACCOUNTS.settlementAdjustments, 'suspense_resolved', r.amount)
      return { kind, refId: r.resolutionId, currency: r.currency, lines: l.done(`resolution ${r.resolutionId}`), meta: r.posting, extra: { runId: r.runId, differenceId: r.differenceId } }
    }
  }
}

// ---- figures: what a shift report, an X and a Z show, summed from postings ------------------------

export interface TenderFigure {
  method: TenderMethod
  sales: number
  refunds: number
  net: number
}
export interface TaxFigure {
  taxId: string
  rate: string
  /** Collected on sales, less given back on refunds. */
  collected: number
  refunded: number
  net: number
}
export interface AdjustmentFigure {
  seq: number
  kind: PostingKind
  refId: string
  naturalDate: string
  amount: number
}
export interface DayFigures {
  counts: { orders: number; refunds: number; voids: number; reprints: number; cashMovements: number; shiftsOpened: number; shiftsClosed: number }
  /** Sales totals before discounts, tax included. */
  grossSales: number
  discounts: number
  refunds: number
  /** Cash rounding kept (+) or given away (−). */
  rounding: number
  /** Gross − discounts − refunds + rounding; equals the tenders' net total. */
  net: number
  tenders: TenderFigure[]
  taxes: TaxFigure[]
  cash: CashFigures
  adjustments: AdjustmentFigure[]
}
export interface CashFigures {
  received: number
  change: number
  refunds: number
  payIns: number
  payOuts: number
  safeDrops: number
  /** Counted − expected, summed over the shifts closed in the period. */
  overShort: number
}

/** A posting as reports read it: the rows of the ledger tables, or an event replayed. */
export interface PostedEntry {
  seq: number
  kind: PostingKind
  refId: string
  meta: PostingMeta
  lines: readonly LedgerLine[]
}

const emptyCash = (): CashFigures => ({ received: 0, change: 0, refunds: 0, payIns: 0, payOuts: 0, safeDrops: 0, overShort: 0 })

/**
 * A sum of ledger lines of one kind of posting, account, tag and rate, all of one sign (debits and
 * credits summed apart). Every figure is linear in the lines, so a report may sum lines one by one
 * (`sumFigures`) or let the database group them first (`figuresFromSums`): the same rules either way.
 */
export interface LineSum {
  kind: PostingKind
  account: string
  tag: LineTag
  rate: string | null
  amount: number
}

export type PostingCounts = Partial<Record<PostingKind, number>>

/** The amount an adjustment is listed with: a sale's or refund's tendered amount, else the money it moved. */
export function adjustmentAmount(lines: readonly LedgerLine[]): number {
  const tendered = lines.filter((l) => l.tag === 'tender').reduce((a, l) => a + Math.abs(l.amount), 0)
  return tendered > 0 ? tendered : lines.reduce((a, l) => a + (l.amount > 0 ? l.amount : 0), 0)
}

/** The figures from per-kind posting counts, signed line sums, and the adjustments of the period. */
export function figuresFromSums(postings: PostingCounts, sums: Iterable<LineSum>, adjustments: AdjustmentFigure[]): DayFigures {
  const n = (k: PostingKind): number => postings[k] ?? 0
  const counts = {
    orders: n('sale'),
    refunds: n('refund'),
    voids: n('void'),
    reprints: n('reprint'),
    cashMovements: n('cash_movement'),
    shiftsOpened: n('shift_open'),
    shiftsClosed: n('shift_close'),
  }
  const tenders = new Map<TenderMethod, TenderFigure>()
  const taxes = new Map<string, TaxFigure>()
  const cash = emptyCash()
  let grossSales = 0
  let discounts = 0
  let refunds = 0
  let rounding = 0
  for (const l of sums) {
    if (l.account.startsWith('clearing:') && l.tag === 'tender') {
      const m = l.account.slice('clearing:'.length) as TenderMethod
      let t = tenders.get(m)
      if (!t) tenders.set(m, (t = { method: m, sales: 0, refunds: 0, net: 0 }))
      if (l.amount > 0) t.sales += l.amount
      else t.refunds -= l.amount
      t.net += l.amount
      if (l.kind === 'refund') refunds -= l.amount
    } else if (l.account.startsWith('tax_payable:')) {
      const taxId = l.account.slice('tax_payable:'.length)
      const key = taxKey({ taxId, rate: l.rate })
      let t = taxes.get(key)
      if (!t) taxes.set(key, (t = { taxId, rate: l.rate ?? '', collected: 0, refunded: 0, net: 0 }))
      if (l.amount < 0) t.collected -= l.amount
      else t.refunded += l.amount
      t.net -= l.amount
      // A sale's tax is part of its gross; so is a correction sale's (posted by a reconciliation resolution).
      if (l.kind === 'sale' || l.kind === 'reconciliation_resolution') grossSales -= l.amount
    } else if (l.account === ACCOUNTS.revenue) grossSales -= l.amount
    else if (l.account === ACCOUNTS.discounts) discounts += l.amount
    else if (l.account === ACCOUNTS.rounding) rounding -= l.amount
    else if (l.account === ACCOUNTS.overShort) cash.overShort -= l.amount
    if (l.account === ACCOUNTS.drawer) {
      if (l.tag === 'cash_received') cash.received += l.amount
      else if (l.tag === 'change_given') cash.change -= l.amount
      else if (l.tag === 'cash_refund') cash.refunds -= l.amount
      else if (l.tag === 'pay_in') cash.payIns += l.amount
      else if (l.tag === 'pay_out') cash.payOuts -= l.amount
      else if (l.tag === 'safe_drop') cash.safeDrops -= l.amount
    }
  }
  return assembleFigures({ counts, grossSales, discounts, refunds, rounding, tenders: tenders.values(), taxes: taxes.values(), cash, adjustments })
}

const taxKey = (t: { taxId: string; rate: string | null }): string => `${t.taxId}\u0000${t.rate ?? ''}`

/** The one place figures take their shape: net derived, tenders in method order, taxes by id and rate, adjustments by seq. */
function assembleFigures(p: {
  counts: DayFigures['counts']
  grossSales: number
  discounts: number
  refunds: number
  rounding: number
  tenders: Iterable<TenderFigure>
  taxes: Iterable<TaxFigure>
  cash: CashFigures
  adjustments: AdjustmentFigure[]
}): DayFigures {
  const methodOrder = (m: TenderMethod): number => TENDER_METHODS.indexOf(m)
  return {
    counts: p.counts,
    grossSales: p.grossSales,
    discounts: p.discounts,
    refunds: p.refunds,
    rounding: p.rounding,
    net: p.grossSales - p.discounts - p.refunds + p.rounding,
    tenders: [...p.tenders].sort((a, b) => methodOrder(a.method) - methodOrder(b.method)),
    taxes: [...p.taxes].sort((a, b) => (a.taxId === b.taxId ? a.rate.localeCompare(b.rate) : a.taxId.localeCompare(b.taxId))),
    cash: p.cash,
    adjustments: [...p.adjustments].sort((a, b) => a.seq - b.seq),
  }
}

/**
 * The figures of two runs of postings together: every figure is a sum, so
 *   addFigures(sumFigures(a), sumFigures(b)) equals sumFigures([...a, ...b])
 * (a property test holds it so). The verifier replays a closure's period in pieces, one per worker.
 */
export function addFigures(a: DayFigures, b: DayFigures): DayFigures {
  const counts = { ...a.counts }
  for (const k of Object.keys(counts) as (keyof DayFigures['counts'])[]) counts[k] += b.counts[k]
  const cash = { ...a.cash }
  for (const k of Object.keys(cash) as (keyof CashFigures)[]) cash[k] += b.cash[k]
  const tenders = new Map<TenderMethod, TenderFigure>()
  for (const t of [...a.tenders, ...b.tenders]) {
    const x = tenders.get(t.method)
    tenders.set(t.method, x ? { method: t.method, sales: x.sales + t.sales, refunds: x.refunds + t.refunds, net: x.net + t.net } : { ...t })
  }
  const taxes = new Map<string, TaxFigure>()
  for (const t of [...a.taxes, ...b.taxes]) {
    const x = taxes.get(taxKey(t))
    taxes.set(taxKey(t), x ? { taxId: t.taxId, rate: t.rate, collected: x.collected + t.collected, refunded: x.refunded + t.refunded, net: x.net + t.net } : { ...t })
  }
  return assembleFigures({
    counts,
    grossSales: a.grossSales + b.grossSales,
    discounts: a.discounts + b.discounts,
    refunds: a.refunds + b.refunds,
    rounding: a.rounding + b.rounding,
    tenders: tenders.values(),
    taxes: taxes.values(),
    cash,
    adjustments: [...a.adjustments, ...b.adjustments],
  })
}

/** Sums postings one by one into the figures every report shows. Pure: the till, verifier and platform call it. */
export function sumFigures(entries: Iterable<PostedEntry>): DayFigures {
  const counts: PostingCounts = {}
  const sums: LineSum[] = []
  const adjustments: AdjustmentFigure[] = []
  for (const e of entries) {
    counts[e.kind] = (counts[e.kind] ?? 0) + 1
    for (const l of e.lines) sums.push({ kind: e.kind, account: l.account, tag: l.tag, rate: l.rate, amount: l.amount })
    if (e.meta.adjustmentOf) adjustments.push({ seq: e.seq, kind: e.kind, refId: e.refId, naturalDate: e.meta.adjustmentOf, amount: adjustmentAmount(e.lines) })
  }
  return figuresFromSums(counts, sums, adjustments)
}

/** Expected cash in a drawer: the float plus every drawer line of the shift's sales, refunds and movements. */
export function expectedCash(float: number, cash: CashFigures): number {
  return float + cash.received - cash.change - cash.refunds + cash.payIns - cash.payOuts - cash.safeDrops
}

import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CURRENCIES } from '../../shared/money'
import { totalsOf, type Statement, type StatementRow } from '../../shared/statements/types'
import { storeDate } from '../dates'
import { paymentFee } from '../payments/fees'
import type { ProcessedRecord } from './terminal'

/**
 * The acquirer behind the simulated terminal: every approved payment and reversal (refund or
 * void) the terminal processes is booked to a settlement batch, with the acquirer's fee, and each
 * closed batch is served as Adyen's "Settlement details report" CSV
 * (`settlement_detail_report_batch_<N>.csv`) over basic auth, the way Adyen's report download
 * works (`GET /reports/download/MerchantAccount/<account>/<file>`).
 *
 * - One open batch per currency (a Statement has one currency). Batch numbers increase across
 *   currencies. A batch covers one day in the acquirer's time zone: it closes when the day is over
 *   (checked lazily, on every booking and every report request) or when asked (`closeBatches`).
 * - Fees: payment = round_half_up(amount × commissionBp / 10 000) + fixedFee; refund = fixedFee
 *   (the commission is not given back). Each batch ends with its MerchantPayout row, booked when
 *   the batch closes (on its day); the money reaches the bank the day after (T+1, `bankPayoutDate`),
 *   which Adyen's file does not show: the parser reads payoutDate and the statement's date from the
 *   payout row, so a report parses as the statement of the batch's day.
 * - References (what the till can match): Merchant Reference = the payment's
 *   SaleTransactionID.TransactionID (the till's tender attempt id); a refund row keeps the
 *   payment's Merchant Reference and Psp Reference, and its refundRef (Modification Merchant
 *   Reference) is the ReversalRequest's SaleTransactionID.TransactionID (the till's refund id, or
 *   the attempt id again when the till voids the whole payment). Psp Reference = the part after the
 *   '.' of the POI transaction id ("tenderRef.pspReference").
 * - Differences on purpose (`addDifference`): rows the next report of a batch gets wrong.
 */

export const DIFFERENCE_KINDS = [
  'extra_payment', // a settled payment the till never recorded
  'missing_payment', // a booked transaction left out of the report
  'amount', // a booked transaction settled for another amount
  'status', // a payment the terminal declined, settled anyway
  'next_day', // a booked transaction dated to the next day (00:00:0n in the acquirer's zone)
  'duplicate', // a booked transaction's row twice
] as const
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number]

export interface DifferenceRequest {
  kind: DifferenceKind
  /**
   * Which transaction (all kinds but extra_payment): its Merchant Reference (the till's
   * SaleTransactionID.TransactionID), refund reference, ServiceID, POI transaction id or Psp
   * Reference. Default: the last payment booked in an open batch; for `status`, the last payment
   * the terminal declined.
   */
  ref?: string
  /** extra_payment: its amount (minor units, default 1000); amount: the settled amount (default booked + 100). */
  amount?: number
  /** extra_payment: currency (default: the last booking's). */
  currency?: string
  /** extra_payment: its Merchant Reference (default `SIM-EXTRA-<n>`, unknown to the till); null for none. */
  merchantRef?: string | null
}

export interface AcquirerOptions {
  /** Adyen Merchant Account. Default DaybookSimPOS. */
  merchantAccount?: string
  /** Adyen Company Account. Default DaybookSim. */
  companyAccount?: string
  /** The acquirer's day (batch cut-off at midnight) and the report's TimeZone. Default UTC. */
  timeZone?: string
  /** Commission on payments, basis points. Default 110 (1.10 %). */
  commissionBp?: number
  /** Fixed fee per payment and per refund, minor units. Default 0. */
  fixedFee?: number
  /** Report user for basic auth. Default `report@Company.<companyAccount>`. */
  reportUser?: string
  /** Default: random (returned). */
  reportPassword?: string
  /** The acquirer's clock (day roll-over); tests move it. Default: the system clock. */
  now?: () => Date
  log?: (line: string) => void
}

export interface Booking {
  category: 'payment' | 'refund'
  merchantRef: string | null
  refundRef: string | null
  serviceId: string
  poiTransactionId: string
  /** Psp Reference: the payment's (refunds too, as Adyen's Refunded rows show). */
  psp: string
  /** Modification Reference: this capture's or refund's own reference (the psp part of its POI transaction id). */
  modRef: string
  /** Minor units, positive (a refund's amount is given back). */
  amount: number
  currency: string
  at: string
}

interface Difference {
  kind: DifferenceKind
  target: Booking | null
  amount: number | null
  extra: Booking | null
}

export interface BatchInfo {
  batch: number
  day: string
  currency: string
  closed: boolean
  closedAt: string | null
  bookings: number
  differences: DifferenceKind[]
  fileName: string
  /** When the payout reaches the merchant's bank: the day after the batch's day (T+1). Not in Adyen's file. */
  bankPayoutDate: string
}

interface Batch {
  number: number
  day: string
  currency: string
  bookings: Booking[]
  differences: Difference[]
  closedAt: string | null
  statement: Statement | null
  /** Modification Reference of each row: the capture's / refund's own psp reference. */
  modRefs: WeakMap<StatementRow, string>
  bytes: Uint8Array | null
}

export interface ReportListing {
  merchantAccount: string
  companyAccount: string
  timeZone: string
  /** The day asked for; null when every report was listed. */
  date: string | null
  /** Every batch of that day is closed and no more can open (the day is over, or its batches were closed on request). */
  complete: boolean
  /** When the day's reports will be complete (midnight after it, acquirer's zone), while they are not. */
  availableAt: string | null
  reports: { batch: number; day: string; currency: string; fileName: string; path: string; closedAt: string }[]
}

export const reportFileName = (batch: number): string => `settlement_detail_report_batch_${batch}.csv`

const KNOWN_CURRENCIES: readonly string[] = CURRENCIES

type Writer = (s: Statement, meta: { companyAccount: string; timeZone: string; modificationRef?: (row: StatementRow) => string }) => Uint8Array
let writer: Promise<Writer> | null = null
/** The shared Adyen writer, loaded when the first report is written (the terminal itself runs without it). */
function loadWriter(): Promise<Writer> {
  writer ??= import('../../shared/statements/adyen').then((m) => m.writeAdyenSettlement)
  return writer
}

function psp(): string {
  return `88${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 6)).padStart(6, '0')}`
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/** The instant `day` 00:00 starts in `timeZone` (found by correcting the UTC guess by the zone's offset, twice for DST). */
export function startOfDay(day: string, timeZone: string): Date {
  let t = Date.parse(`${day}T00:00:00Z`)
  for (let i = 0; i < 3; i++) {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]))
    const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
    const want = Date.parse(`${day}T00:00:00Z`)
    if (local === want) break
    t += want - local
  }
  return new Date(t)
}

export class Acquirer {
  readonly merchantAccount: string
  readonly companyAccount: string
  readonly timeZone: string
  readonly commissionBp: number
  readonly fixedFee: number
  readonly reportUser: string
  readonly reportPassword: string
  private readonly now: () => Date
  private readonly batches: Batch[] = []
  private readonly payments = new Map<string, Booking>()
  private readonly declined: Booking[] = []
  private lastCurrency: string | null = null
  private extras = 0

  constructor(private readonly o: AcquirerOptions = {}) {
    this.merchantAccount = o.merchantAccount ?? 'DaybookSimPOS'
    this.companyAccount = o.companyAccount ?? 'DaybookSim'
    this.timeZone = o.timeZone ?? 'UTC'
    this.commissionBp = o.commissionBp ?? 110
    this.fixedFee = o.fixedFee ?? 0
    this.reportUser = o.reportUser ?? `report@Company.${this.companyAccount}`
    this.reportPassword = o.reportPassword ?? randomBytes(12).toString('base64url')
    this.now = o.now ?? (() => new Date())
    for (const [k, v] of [['merchantAccount', this.merchantAccount], ['companyAccount', this.companyAccount]] as const) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v)) throw new RangeError(`${k} must be 1–64 letters, digits, '_', '.' or '-'`)
    }
    if (!Number.isSafeInteger(this.commissionBp) || this.commissionBp < 0 || this.commissionBp > 10_000) throw new RangeError('commissionBp must be a whole number 0..10000')
    if (!Number.isSafeInteger(this.fixedFee) || this.fixedFee < 0) throw new RangeError('fixedFee must be a whole number of minor units ≥ 0')
    if (this.reportUser.length === 0 || this.reportPassword.length === 0 || this.reportUser.includes(':')) throw new RangeError('report user and password must not be empty; the user has no ":"')
    try {
      new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone })
    } catch {
      throw new RangeError(`unknown time zone ${JSON.stringify(this.timeZone)}`)
    }
  }

  /** The acquirer's day now. */
  today(): string {
    return storeDate(this.now().toISOString(), this.timeZone)
  }

  /** The fee of a payment of `amount` minor units. */
  paymentFee(amount: number): number {
    return paymentFee(amount, this.commissionBp) + this.fixedFee
  }

  /** Books what the terminal processed: approved payments and reversals; declined payments are kept for the `status` difference. */
  book(r: ProcessedRecord): void {
    if (r.category === 'Payment' && r.result === 'declined' && r.poiTransactionId) {
      this.declined.push(this.bookingOf(r, 'payment'))
      return
    }
    if (r.result !== 'approved' || !r.poiTransactionId) return
    if (!KNOWN_CURRENCIES.includes(r.currency)) {
      this.o.log?.(`Acquirer: ${r.currency} is not a settlement currency; ${r.poiTransactionId} is not booked`)
      return
    }
    let b: Booking
    if (r.category === 'Payment') {
      b = { ...this.bookingOf(r, 'payment'), modRef: psp() }
      this.payments.set(r.poiTransactionId, b)
    } else {
      const original = r.originalPoiTransactionId ? this.payments.get(r.originalPoiTransactionId) : undefined
      b = {
        ...this.bookingOf(r, 'refund'),
        merchantRef: original?.merchantRef ?? null,
        refundRef: r.transactionId || null,
        psp: original?.psp ?? this.bookingOf(r, 'refund').psp,
      }
    }
    this.lastCurrency = r.currency
    this.openBatch(r.currency, storeDate(r.at, this.timeZone)).bookings.push(b)
  }

  /** Closes the open batches (of one currency, or all); returns the batch numbers closed. */
  closeBatches(currency?: string): number[] {
    this.rollover()
    const closed: number[] = []
    for (const b of this.batches) {
      if (b.closedAt === null && (currency === undefined || b.currency === currency)) {
        this.close(b)
        closed.push(b.number)
      }
    }
    return closed
  }

  /** Puts a difference into the next report of the open batch it concerns. Throws RangeError when it has nothing to apply to. */
  addDifference(d: DifferenceRequest): { batch: number; kind: DifferenceKind; target: Booking | null } {
    this.rollover()
    if (!(DIFFERENCE_KINDS as readonly string[]).includes(d.kind)) throw new RangeError(`kind must be one of ${DIFFERENCE_KINDS.join(', ')}`)
    if (d.amount !== undefined && (!Number.isSafeInteger(d.amount) || d.amount <= 0)) throw new RangeError('amount must be a whole number of minor units > 0')
    const today = this.today()
    if (d.kind === 'extra_payment') {
      const currency = d.currency ?? this.lastCurrency
      if (!currency || !KNOWN_CURRENCIES.includes(currency)) throw new RangeError('extra_payment needs a settlement currency (none booked yet)')
      this.extras++
      const p = psp()
      const extra: Booking = {
        category: 'payment',
        merchantRef: d.merchantRef === undefined ? `SIM-EXTRA-${this.extras}` : d.merchantRef,
        refundRef: null,
        serviceId: '',
        poiTransactionId: `EXTRA${String(this.extras).padStart(5, '0')}.${p}`,
        psp: p,
        modRef: psp(),
        amount: d.amount ?? 1000,
        currency,
        at: this.now().toISOString(),
      }
      const batch = this.openBatch(currency, today)
      batch.differences.push({ kind: d.kind, target: null, amount: null, extra })
      return { batch: batch.number, kind: d.kind, target: extra }
    }
    if (d.kind === 'status') {
      const target = d.ref === undefined ? this.declined[this.declined.length - 1] : this.declined.find((b) => matches(b, d.ref!))
      if (!target) throw new RangeError(d.ref === undefined ? 'no declined payment to settle' : `no declined payment ${d.ref}`)
      if (!KNOWN_CURRENCIES.includes(target.currency)) throw new RangeError(`${target.currency} is not a settlement currency`)
      this.declined.splice(this.declined.indexOf(target), 1)
      const batch = this.openBatch(target.currency, today)
      batch.differences.push({ kind: d.kind, target, amount: null, extra: null })
      return { batch: batch.number, kind: d.kind, target }
    }
    const open = this.batches.filter((b) => b.closedAt === null)
    let found: { batch: Batch; target: Booking } | null = null
    for (const batch of open) {
      for (const b of batch.bookings) {
        if (d.ref === undefined ? b.category === 'payment' && (!found || b.at >= found.target.at) : matches(b, d.ref)) found = { batch, target: b }
      }
    }
    if (!found) throw new RangeError(d.ref === undefined ? 'no payment booked in an open batch' : `nothing booked in an open batch matches ${d.ref}`)
    found.batch.differences.push({ kind: d.kind, target: found.target, amount: d.kind === 'amount' ? (d.amount ?? found.target.amount + 100) : null, extra: null })
    return { batch: found.batch.number, kind: d.kind, target: found.target }
  }

  /** Drops every difference not yet in a report. */
  clearDifferences(): void {
    for (const b of this.batches) if (b.closedAt === null) b.differences.length = 0
  }

  batchList(): BatchInfo[] {
    this.rollover()
    return this.batches.map((b) => ({
      batch: b.number,
      day: b.day,
      currency: b.currency,
      closed: b.closedAt !== null,
      closedAt: b.closedAt,
      bookings: b.bookings.length,
      differences: b.differences.map((d) => d.kind),
      fileName: reportFileName(b.number),
      bankPayoutDate: nextDay(b.day),
    }))
  }

  /** A closed batch's report: its statement and the CSV bytes (written once); null when there is no such closed batch. */
  async report(batch: number): Promise<{ statement: Statement; bytes: Uint8Array } | null> {
    this.rollover()
    const b = this.batches.find((x) => x.number === batch)
    if (!b?.statement) return null
    b.bytes ??= (await loadWriter())(b.statement, { companyAccount: this.companyAccount, timeZone: this.timeZone, modificationRef: (r) => b.modRefs.get(r) ?? '' })
    return { statement: b.statement, bytes: b.bytes }
  }

  /** The reports of one day (or all), and whether that day is complete. */
  listing(date: string | null): ReportListing {
    this.rollover()
    const of = date === null ? this.batches : this.batches.filter((b) => b.day === date)
    const today = this.today()
    const complete = date === null ? true : date < today || (of.length > 0 && of.every((b) => b.closedAt !== null))
    return {
      merchantAccount: this.merchantAccount,
      companyAccount: this.companyAccount,
      timeZone: this.timeZone,
      date,
      complete,
      availableAt: complete || date === null ? null : startOfDay(nextDay(date), this.timeZone).toISOString(),
      reports: of
        .filter((b) => b.closedAt !== null)
        .map((b) => ({
          batch: b.number,
          day: b.day,
          currency: b.currency,
          fileName: reportFileName(b.number),
          path: `/reports/download/MerchantAccount/${encodeURIComponent(this.merchantAccount)}/${reportFileName(b.number)}`,
          closedAt: b.closedAt!,
        })),
    }
  }

  /** Basic auth check (constant time). */
  authorized(header: string | undefined): boolean {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
    if (!m) return false
    const given = Buffer.from(m[1]!, 'base64')
    const want = Buffer.from(`${this.reportUser}:${this.reportPassword}`, 'utf8')
    return given.length === want.length && timingSafeEqual(given, want)
  }

  /**
   * The report server's routes, all behind basic auth:
   *   GET /reports/download/MerchantAccount/<account>/settlement_detail_report_batch_<N>.csv
   *   GET /reports/list/MerchantAccount/<account>[?date=YYYY-MM-DD]
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'application/json', extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': type, ...extra }).end(body)
    }
    const error = (status: number, message: string, extra: Record<string, string> = {}): void => send(status, JSON.stringify({ status, message }), 'application/json', extra)
    if (!this.authorized(req.headers.authorization)) return error(401, 'Unauthorized: basic auth with the report user and password', { 'WWW-Authenticate': 'Basic realm="Adyen Reports"' })
    if (req.method !== 'GET') return error(405, 'GET only')
    const url = new URL(req.url ?? '/', 'http://acquirer')
    const account = encodeURIComponent(this.merchantAccount)
    const download = /^\/reports\/download\/MerchantAccount\/([^/]+)\/settlement_detail_report_batch_(\d{1,9})\.csv$/.exec(url.pathname)
    if (download) {
      if (download[1] !== account) return error(404, `no merchant account ${download[1]!}`)
      const r = await this.report(Number(download[2]))
      if (!r) return error(404, `no report for batch ${download[2]!} (not closed yet, or no such batch)`)
      res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${reportFileName(Number(download[2]))}"` }).end(Buffer.from(r.bytes))
      return
    }
    const list = /^\/reports\/list\/MerchantAccount\/([^/]+)$/.exec(url.pathname)
    if (list) {
      if (list[1] !== account) return error(404, `no merchant account ${list[1]!}`)
      const date = url.searchParams.get('date')
      if (date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return error(400, 'date must be YYYY-MM-DD')
      return send(200, JSON.stringify(this.listing(date)))
    }
    return error(404, 'GET /reports/download/MerchantAccount/<account>/settlement_detail_report_batch_<N>.csv or /reports/list/MerchantAccount/<account>?date=YYYY-MM-DD')
  }

  // ---- batches -----------------------------------------------------------------------------------

  private bookingOf(r: ProcessedRecord, category: Booking['category']): Booking {
    const poi = r.poiTransactionId ?? ''
    return {
      category,
      merchantRef: category === 'payment' ? r.transactionId || null : null,
      refundRef: null,
      serviceId: r.serviceId,
      poiTransactionId: poi,
      psp: poi.includes('.') ? poi.slice(poi.lastIndexOf('.') + 1) : poi,
      modRef: poi.includes('.') ? poi.slice(poi.lastIndexOf('.') + 1) : poi,
      amount: r.amount,
      currency: r.currency,
      // Adyen's reports show whole seconds.
      at: new Date(Math.floor(Date.parse(r.at) / 1000) * 1000).toISOString(),
    }
  }

  /** Closes batches whose day is over. */
  private rollover(): void {
    const today = this.today()
    for (const b of this.batches) if (b.closedAt === null && b.day < today) this.close(b)
  }

  private openBatch(currency: string, day: string): Batch {
    this.rollover()
    const open = this.batches.find((b) => b.closedAt === null && b.currency === currency)
    if (open && open.day >= day) return open
    if (open) this.close(open)
    const b: Batch = { number: this.batches.length + 1, day, currency, bookings: [], differences: [], closedAt: null, statement: null, modRefs: new WeakMap(), bytes: null }
    this.batches.push(b)
    this.o.log?.(`Acquirer: batch ${b.number} opened (${currency}, ${day})`)
    return b
  }

  private close(b: Batch): void {
    const closedAt = this.now().toISOString()
    const statement = this.statementOf(b, closedAt)
    b.closedAt = closedAt
    b.statement = statement
    this.o.log?.(`Acquirer: batch ${b.number} closed (${b.currency}, ${b.day}): ${statement.rows.length} rows → ${reportFileName(b.number)}`)
  }

  private row(b: Batch, x: Booking, amount = x.amount, at = x.at): StatementRow {
    const fee = x.category === 'payment' ? this.paymentFee(amount) : this.fixedFee
    const gross = x.category === 'payment' ? amount : -amount
    const row: StatementRow = {
      line: 0,
      type: x.category,
      providerRef: x.psp,
      merchantRef: x.merchantRef,
      refundRef: x.category === 'refund' ? x.refundRef : null,
      gross,
      fee,
      net: gross - fee,
      currency: b.currency,
      providerTime: at,
      providerDate: storeDate(at, this.timeZone),
      batch: String(b.number),
      // What the report says: the day of the batch's MerchantPayout row.
      payoutDate: b.day,
    }
    b.modRefs.set(row, x.modRef)
    return row
  }

  private statementOf(b: Batch, closedAt: string): Statement {
    const rowOf = new Map<Booking, StatementRow>()
    const rows: StatementRow[] = []
    for (const x of b.bookings) {
      const r = this.row(b, x)
      rowOf.set(x, r)
      rows.push(r)
    }
    let late = 0
    for (const d of b.differences) {
      const at = d.target ? rowOf.get(d.target) : undefined
      switch (d.kind) {
        case 'extra_payment':
          rows.push(this.row(b, d.extra!))
          break
        case 'status':
          rows.push(this.row(b, d.target!))
          break
        case 'missing_payment':
          if (at) rows.splice(rows.indexOf(at), 1)
          break
        case 'amount':
          if (at) {
            const r = this.row(b, d.target!, d.amount!)
            rows.splice(rows.indexOf(at), 1, r)
            rowOf.set(d.target!, r)
          }
          break
        case 'next_day':
          if (at) {
            late++
            const time = new Date(startOfDay(nextDay(storeDate(at.providerTime, this.timeZone)), this.timeZone).getTime() + late * 1000).toISOString()
            const r = { ...at, providerTime: time, providerDate: storeDate(time, this.timeZone) }
            b.modRefs.set(r, d.target!.modRef)
            rows.splice(rows.indexOf(at), 1, r)
            rowOf.set(d.target!, r)
          }
          break
        case 'duplicate':
          if (at) {
            // The same entry again, Modification Reference and all.
            const r = { ...at }
            b.modRefs.set(r, d.target!.modRef)
            rows.push(r)
          }
          break
      }
    }
    // Adyen ends a batch with the payout to the merchant's bank, booked when the batch closes (within
    // the batch's day: a batch closed by the day's end closes at 23:59:59); the bank has it T+1.
    const net = rows.reduce((s, r) => s + r.net, 0)
    const endOfDay = startOfDay(nextDay(b.day), this.timeZone).getTime() - 1000
    const payoutAt = new Date(Math.min(Math.floor(Date.parse(closedAt) / 1000) * 1000, endOfDay)).toISOString()
    rows.push({
      line: 0,
      type: 'payout',
      providerRef: '',
      merchantRef: null,
      refundRef: null,
      gross: -net,
      fee: 0,
      net: -net,
      currency: b.currency,
      providerTime: payoutAt,
      providerDate: b.day,
      batch: String(b.number),
      payoutDate: b.day,
    })
    // Each row's line in the file (the header is line 1), as the parser will number them.
    rows.forEach((r, i) => (r.line = i + 2))
    return { provider: 'card', format: 'adyen_settlement_detail', merchantId: this.merchantAccount, date: b.day, currency: b.currency, rows, totals: totalsOf(rows) }
  }
}

function matches(b: Booking, ref: string): boolean {
  return b.merchantRef === ref || b.refundRef === ref || b.serviceId === ref || b.poiTransactionId === ref || b.psp === ref
}

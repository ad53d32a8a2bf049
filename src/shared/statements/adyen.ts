import { CURRENCIES, type Currency } from '../money'
import { columnIndex, csvLines, DuplicateGuard, formatAmount, fromLocal, parseAmount, parseCsvText, splitLines, toLocal, zoneOffsetMinutes, money } from './common'
import { StatementError, totalsOf, type Statement, type StatementRow, type StatementRowType } from './types'

/**
 * Adyen's Settlement details report (settlement_detail_report_batch_<n>.csv): one header line, then one
 * line per journal entry of a settlement (payout) batch — transactions (Settled, Refunded, …), the
 * batch's fees (Fee, MiscCosts, …) and the payout itself (MerchantPayout). UTF-8 CSV, LF or CRLF.
 * Columns are found by name (Adyen lets a merchant add columns or reorder them); the 30 standard
 * ones, in Adyen's default order, are ADYEN_COLUMNS below, which the writer produces.
 *
 * Amounts: a Gross Debit (GC) / Gross Credit (GC) pair in the gross currency and a Net Debit (NC) /
 * Net Credit (NC) pair in the net currency, one cell of each pair filled. Credits are money to the
 * merchant, debits money from it. Commission / Markup / Scheme Fees / Interchange (NC) split what
 * Adyen kept; we take the fee as gross − net (their split is not needed, and is not checked).
 *
 * Normalized, in the merchant's signs (types.ts):
 * - Settled → payment: gross = Gross Credit − Gross Debit, net = Net Credit − Net Debit, fee = gross − net.
 * - Refunded → refund: the same arithmetic (debits, so negative gross; a refund's own cost makes the net
 *   debit larger than the gross debit, a positive fee). providerRef = Psp Reference (the payment's);
 *   refundRef = Modification Merchant Reference (our refund id, the reference the till sent with the
 *   refund), null when that column is empty or the report was set up without it.
 * - Fee, MiscCosts, InvoiceDeduction, DepositCorrection, PaymentCost → fee: gross 0, net as the row
 *   says, fee = −net (a fee charged is a net debit, so positive).
 * - MerchantPayout → payout: gross = net = Net Credit − Net Debit (a payout is a debit: negative), fee 0.
 * - Chargebacks and the other journal types are refused for now (bad_row): they need their own row type.
 * merchantRef = Merchant Reference; batch = Batch Number; providerTime = Creation Date in the row's
 * TimeZone column; payoutDate = the local date of the batch's MerchantPayout row, null without one (a
 * MerchantPayout row without a batch number carries its own date).
 *
 * The report has no totals of its own. What "foots" means here: for every batch that has a
 * MerchantPayout row, the net of all its other rows (Settled, Refunded, fees) must equal what was paid
 * out to the fen (Σ net of the batch, payout included, is 0). A batch without a payout row (its
 * balance carried into the next batch) is not checked.
 */

export const ADYEN_COLUMNS = [
  'Company Account',
  'Merchant Account',
  'Psp Reference',
  'Merchant Reference',
  'Payment Method',
  'Creation Date',
  'TimeZone',
  'Type',
  'Modification Reference',
  'Gross Currency',
  'Gross Debit (GC)',
  'Gross Credit (GC)',
  'Exchange Rate',
  'Net Currency',
  'Net Debit (NC)',
  'Net Credit (NC)',
  'Commission (NC)',
  'Markup (NC)',
  'Scheme Fees (NC)',
  'Interchange (NC)',
  'Payment Method Variant',
  'Modification Merchant Reference',
  'Batch Number',
  'Reserved4',
  'Reserved5',
  'Reserved6',
  'Reserved7',
  'Reserved8',
  'Reserved9',
  'Reserved10',
] as const
type Column = (typeof ADYEN_COLUMNS)[number]

const REQUIRED: readonly Column[] = [
  'Merchant Account',
  'Psp Reference',
  'Merchant Reference',
  'Creation Date',
  'TimeZone',
  'Type',
  'Gross Currency',
  'Gross Debit (GC)',
  'Gross Credit (GC)',
  'Net Currency',
  'Net Debit (NC)',
  'Net Credit (NC)',
  'Batch Number',
]
const OPTIONAL: readonly Column[] = ['Modification Merchant Reference', 'Modification Reference']

const FILE = 'Adyen settlement details report'

const FEE_TYPES = new Set(['Fee', 'MiscCosts', 'InvoiceDeduction', 'DepositCorrection', 'PaymentCost'])

/**
 * The TimeZone column holds the account's zone as an abbreviation (CET, CEST, BST, …) or an offset.
 * Only unambiguous abbreviations are read (CST, IST… mean different zones and are refused).
 */
const ZONE_ABBREVIATIONS: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  GST: 240,
  SGT: 480,
  HKT: 480,
  AWST: 480,
  JST: 540,
  KST: 540,
  ACST: 570,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  EST: -300,
  EDT: -240,
  PST: -480,
  PDT: -420,
  MST: -420,
  MDT: -360,
  AKST: -540,
  AKDT: -480,
  HST: -600,
}

function zoneOffset(name: string, line: number): number {
  const known = ZONE_ABBREVIATIONS[name]
  if (known !== undefined) return known
  const m = /^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name)
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? '0'))
  throw new StatementError('bad_row', `Unknown time zone "${name}": set a time zone like CET or GMT+8 in the report settings.`, line)
}

/** The name the writer puts in the TimeZone column for an offset: the zone's own abbreviation when it is in our table. */
function zoneName(timeZone: string, ms: number): string {
  const offset = zoneOffsetMinutes(timeZone, ms)
  const short = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value
  if (short !== undefined && ZONE_ABBREVIATIONS[short] === offset) return short
  if (offset === 0) return 'UTC'
  const a = Math.abs(offset)
  return `GMT${offset < 0 ? '-' : '+'}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, '0')}` : ''}`
}

/** Parse Adyen's Settlement details report. Refuses the whole file with a StatementError when anything is off. */
export function parseAdyenSettlement(bytes: Uint8Array): Statement {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new StatementError('encoding', `The ${FILE} is not in UTF-8.`)
  }
  const lines = splitLines(text)
  if (lines.length === 0) throw new StatementError('truncated', `The ${FILE} is empty.`, 1)
  const parsed = parseCsvText(text, 1)
  const head = parsed[0]!.cells.map((c) => c.trim())
  if (!head.includes('Psp Reference') || !head.includes('Type')) throw new StatementError('unknown_format', `This is not an ${FILE}: its first line is not the report's column names.`, 1)
  const col = columnIndex(head, [...REQUIRED, ...OPTIONAL], 1, FILE, OPTIONAL)
  const n = head.length

  let merchantId: string | null = null
  let currency: Currency | null = null
  const rows: StatementRow[] = []
  const dup = new DuplicateGuard()
  const payoutDates = new Map<string, string>()
  for (const { line, cells } of parsed.slice(1)) {
    if (cells.length !== n) throw new StatementError('bad_row', `This row has ${cells.length} cells; the report has ${n} columns.`, line)
    const c = (k: Column): string => (col[k] === -1 ? '' : (cells[col[k]] ?? '').trim())
    const account = c('Merchant Account')
    if (merchantId === null) merchantId = account
    else if (account !== merchantId) throw new StatementError('other_merchant', `This row is for merchant account ${account}, not ${merchantId}.`, line)
    const gc = c('Gross Currency')
    const nc = c('Net Currency')
    for (const cur of [gc, nc]) {
      if (cur && !(CURRENCIES as readonly string[]).includes(cur)) throw new StatementError('currency', `Currency "${cur}" is not one this shop can use.`, line)
    }
    if (gc && nc && gc !== nc) throw new StatementError('currency', `This row was settled from ${gc} into ${nc}; a statement has one currency.`, line)
    const cur = (nc || gc) as Currency
    if (!cur) throw new StatementError('currency', 'This row names no currency.', line)
    if (currency === null) currency = cur
    else if (cur !== currency) throw new StatementError('currency', `This row is in ${cur}; the report's earlier rows are in ${currency}.`, line)

    const kind = c('Type')
    let type: StatementRowType
    if (kind === 'Settled') type = 'payment'
    else if (kind === 'Refunded') type = 'refund'
    else if (kind === 'MerchantPayout') type = 'payout'
    else if (FEE_TYPES.has(kind)) type = 'fee'
    else throw new StatementError('bad_row', `A "${kind}" entry: Daybook cannot import this kind of entry yet, so the report was not imported.`, line)

    const amt = (k: Column): number => {
      const v = c(k)
      return v === '' ? 0 : parseAmount(v, cur, line, k)
    }
    const grossCells = c('Gross Debit (GC)') !== '' || c('Gross Credit (GC)') !== ''
    const netCells = c('Net Debit (NC)') !== '' || c('Net Credit (NC)') !== ''
    if (!netCells) throw new StatementError('bad_amount', 'This row has neither a Net Debit nor a Net Credit amount.', line)
    if ((type === 'payment' || type === 'refund') && !grossCells) throw new StatementError('bad_amount', 'This transaction has neither a Gross Debit nor a Gross Credit amount.', line)
    for (const [d, cr] of [
      ['Gross Debit (GC)', 'Gross Credit (GC)'],
      ['Net Debit (NC)', 'Net Credit (NC)'],
    ] as const) {
      if (c(d) !== '' && c(cr) !== '') throw new StatementError('bad_amount', `This row has both a ${d} and a ${cr} amount.`, line)
      if (c(d).startsWith('-') || c(cr).startsWith('-')) throw new StatementError('bad_amount', 'A negative debit or credit: Adyen prints both as positive amounts.', line)
    }
    const net = amt('Net Credit (NC)') - amt('Net Debit (NC)')
    const gross = type === 'fee' ? 0 : type === 'payout' ? net : amt('Gross Credit (GC)') - amt('Gross Debit (GC)')
    const t = fromLocal(c('Creation Date'), zoneOffset(c('TimeZone'), line), line, 'The creation date')
    const batch = c('Batch Number') || null
    const psp = c('Psp Reference')
    if ((type === 'payment' || type === 'refund') && !psp) throw new StatementError('bad_row', 'This transaction has no Psp Reference.', line)
    const row: StatementRow = {
      line,
      type,
      providerRef: psp,
      merchantRef: c('Merchant Reference') || null,
      refundRef: type === 'refund' ? c('Modification Merchant Reference') || null : null,
      gross,
      fee: gross - net,
      net,
      currency: cur,
      providerTime: t.iso,
      providerDate: t.date,
      batch,
      payoutDate: null,
    }
    if (type === 'payment' || type === 'refund') {
      // Two partial refunds of one payment share the Psp Reference: the modification references tell them apart.
      dup.check(`${type}\u0000${psp}\u0000${c('Modification Reference')}\u0000${row.refundRef ?? ''}`, line, `${kind} ${psp}`)
    }
    if (type === 'payout') {
      row.payoutDate = t.date
      const prev = payoutDates.get(batch ?? '')
      if (prev === undefined || t.date > prev) payoutDates.set(batch ?? '', t.date)
    }
    rows.push(row)
  }
  if (merchantId === null || currency === null) throw new StatementError('truncated', `The ${FILE} has no rows.`, lines.length)

  // Foots: per batch with a payout, Σ net of everything (the payout's net is negative) is 0.
  const perBatch = new Map<string, { net: number; payoutLine: number; payout: number }>()
  for (const r of rows) {
    const b = r.batch ?? ''
    const e = perBatch.get(b) ?? { net: 0, payoutLine: 0, payout: 0 }
    if (r.type === 'payout') {
      e.payoutLine = r.line
      e.payout -= r.net
    } else e.net += r.net
    perBatch.set(b, e)
  }
  for (const [b, e] of perBatch) {
    if (e.payoutLine && e.net !== e.payout) {
      throw new StatementError(
        'totals',
        `Batch ${b || '(none)'} paid out ${money(e.payout, currency)}, but its payments, refunds and fees add up to ${money(e.net, currency)}.`,
        e.payoutLine,
      )
    }
  }
  for (const r of rows) if (r.batch !== null) r.payoutDate = payoutDates.get(r.batch) ?? null
  const dates = rows.map((r) => r.providerDate)
  const payoutDays = [...payoutDates.values()]
  const date = (payoutDays.length ? payoutDays : dates).reduce((a, b) => (b > a ? b : a))
  return {
    provider: 'card',
    format: 'adyen_settlement_detail',
    merchantId,
    date,
    currency,
    rows,
    totals: totalsOf(rows),
  }
}

// ---- writer --------------------------------------------------------------------------------------

export interface AdyenWriteMeta {
  companyAccount: string
  /** The account's time zone (IANA, e.g. Europe/Amsterdam): Creation Date is written in it. */
  timeZone: string
  /** Payment Method / Payment Method Variant of a transaction row; default visa / visa. */
  paymentMethod?: (row: StatementRow) => { method: string; variant: string }
  /** Modification Reference (Adyen's reference of the capture or refund); default derived from the row. */
  modificationRef?: (row: StatementRow) => string
}

/** Adyen's Settlement details report for a statement, as Adyen's Customer Area exports it (LF lines). */
export function writeAdyenSettlement(s: Statement, meta: AdyenWriteMeta): Uint8Array {
  const cur = s.currency as Currency
  const a = (v: number): string => formatAmount(v, cur)
  const dc = (v: number): [string, string] => (v < 0 ? [a(-v), ''] : ['', a(v)])
  const pm = meta.paymentMethod ?? (() => ({ method: 'visa', variant: 'visa' }))
  const modRef = meta.modificationRef ?? ((r: StatementRow) => (r.type === 'payment' || r.type === 'refund' ? `${r.providerRef.slice(0, 10)}${String(r.line).padStart(6, '0')}` : ''))
  const body = s.rows.map((r) => {
    const ms = Date.parse(r.providerTime)
    const offset = zoneOffsetMinutes(meta.timeZone, ms)
    const txn = r.type === 'payment' || r.type === 'refund'
    const kind = r.type === 'payment' ? 'Settled' : r.type === 'refund' ? 'Refunded' : r.type === 'fee' ? 'Fee' : 'MerchantPayout'
    const [gd, gcr] = txn ? dc(r.gross) : ['', '']
    const [nd, ncr] = dc(r.net)
    const m = txn ? pm(r) : { method: '', variant: '' }
    const cells: Record<Column, string> = {
      'Company Account': meta.companyAccount,
      'Merchant Account': s.merchantId,
      'Psp Reference': r.providerRef,
      'Merchant Reference': r.merchantRef ?? '',
      'Payment Method': m.method,
      'Creation Date': toLocal(r.providerTime, offset),
      TimeZone: zoneName(meta.timeZone, ms),
      Type: kind,
      'Modification Reference': r.type === 'fee' ? 'Transaction Fees' : modRef(r),
      'Gross Currency': cur,
      'Gross Debit (GC)': gd,
      'Gross Credit (GC)': gcr,
      'Exchange Rate': txn ? '1' : '',
      'Net Currency': cur,
      'Net Debit (NC)': nd,
      'Net Credit (NC)': ncr,
      'Commission (NC)': txn ? a(r.fee) : '',
      'Markup (NC)': '',
      'Scheme Fees (NC)': '',
      'Interchange (NC)': '',
      'Payment Method Variant': m.variant,
      'Modification Merchant Reference': r.type === 'refund' ? (r.refundRef ?? '') : '',
      'Batch Number': r.batch ?? '',
      Reserved4: '',
      Reserved5: '',
      Reserved6: '',
      Reserved7: '',
      Reserved8: '',
      Reserved9: '',
      Reserved10: '',
    }
    return ADYEN_COLUMNS.map((k) => cells[k])
  })
  return new TextEncoder().encode(ADYEN_COLUMNS.join(',') + '\n' + csvLines(body, '\n'))
}

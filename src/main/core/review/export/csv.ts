import Papa from 'papaparse'
import type { Order } from '../../../../shared/contract'
import type { Currency } from '../../../../shared/money'
import type { ReviewMatch } from '../../../../shared/review-contract'
import { labelsOf, type ExportLanguage } from './labels'
import { currencyOf, decimalText } from './money-text'

/**
 * The CSV exports of the owner's settlement review (issue 12), made by the core.
 *
 * - UTF-8 with a BOM (EF BB BF), so that Excel opens the Chinese text as UTF-8, not the ANSI code page.
 * - CRLF line ends; every quote, comma, CR/LF in a cell quoted by Papa.unparse (RFC 4180).
 * - The header row in the chosen language.
 * - Money is exact decimal text in major units ("12.30", "-12.30"), from integer minor units and the
 *   currency's exponent (minorToDecimalString): no float, no thousands separator, no symbol.
 * - Dates and times as the ledger holds them: business days "YYYY-MM-DD", instants ISO 8601 (UTC).
 *
 * Formula injection (CWE-1236): a cell Excel or LibreOffice would run as a formula — one that starts
 * with = + - @, a tab or a CR — gets a leading apostrophe, which makes it text. This applies to
 * every cell that carries text from outside the code: product names, staff names, receipt numbers,
 * references, notes, reasons. It does NOT apply to amounts: those cells are made here from integer
 * minor units and are always /^-?\d+(\.\d+)?$/, so a refund's "-12.30" stays a number Excel can sum.
 * (A negative number is not an injection: "-12.30" has no formula in it.)
 */

export type Cell = string | number

const FORMULA_START = /^[=+\-@\t\r]/

/** Text from outside the code, made safe for a spreadsheet: a leading apostrophe before = + - @ tab CR. */
export function safeText(value: string | null | undefined): string {
  const s = value ?? ''
  return FORMULA_START.test(s) ? `'${s}` : s
}

const BOM = '\uFEFF'

/** Header and rows to UTF-8 bytes with BOM and CRLF; quoting by Papa.unparse. */
export function toCsvBytes(header: string[], rows: Cell[][]): Uint8Array {
  const text = Papa.unparse({ fields: header, data: rows }, { newline: '\r\n', quotes: false, escapeFormulae: false, header: true })
  return new TextEncoder().encode(`${BOM}${text}\r\n`)
}

function name(nameZh: string, nameEn: string, lang: ExportLanguage): string {
  const n = lang === 'zh-CN' ? nameZh : nameEn
  return n || nameEn || nameZh
}

/** "VAT 13%" stays as it is; "VAT" with rate 13 becomes "VAT 13%" (as the screens show it). */
function taxLabel(taxName: string, rate: string): string {
  return taxName.includes(`${rate}%`) ? taxName : `${taxName} ${rate}%`.trim()
}

/**
 * One row per order (receipt), in the order given. The items are one cell ("name ×qty" per line,
 * lines separated by a line break: Excel shows them in one cell); each tax (by id and rate) found in
 * the orders gets its own column, so the day's tax per rate sums down a column. `refunded` is the sum
 * of the order's succeeded refunds (refunds are listed one by one in the tenders CSV).
 */
export function ordersCsv(orders: Order[], lang: ExportLanguage): Uint8Array {
  const L = labelsOf(lang)
  const c = L.csv
  const taxes = new Map<string, string>()
  for (const o of orders) for (const t of o.taxes) if (!taxes.has(`${t.taxId}|${t.rate}`)) taxes.set(`${t.taxId}|${t.rate}`, taxLabel(t.name, t.rate))
  const taxKeys = [...taxes.keys()]
  const header = [
    c.receiptNo,
    c.businessDate,
    c.createdAt,
    c.staff,
    c.approvedBy,
    c.lineCount,
    c.items,
    c.subtotal,
    c.lineDiscounts,
    c.orderDiscount,
    ...taxKeys.map((k) => c.tax(taxes.get(k)!)),
    c.taxTotal,
    c.total,
    c.cashRounding,
    c.paid,
    c.change,
    c.methods,
    c.refunded,
  ]
  const rows = orders.map((o) => {
    const cur = currencyOf(o.currency)
    const m = (minor: number) => decimalText(minor, cur)
    const items = o.lines.map((l) => `${name(l.nameZh, l.nameEn, lang)} ×${l.quantity}${l.unit === 'kg' ? ' kg' : ''} = ${m(l.total)}`).join('\n')
    const byTax = new Map(o.taxes.map((t) => [`${t.taxId}|${t.rate}`, t.amount]))
    const refunded = o.refunds.filter((r) => r.state === 'succeeded').reduce((a, r) => a + r.amount, 0)
    const methods = [...new Set(o.tenders.map((t) => t.method))].map((x) => L.method[x]).join(' + ')
    return [
      safeText(o.receiptNo),
      o.businessDate,
      o.createdAt,
      safeText(o.staff.name),
      safeText(o.approvedBy?.name),
      o.lines.length,
      safeText(items),
      m(o.subtotal),
      m(o.lineDiscounts),
      m(o.orderDiscount),
      ...taxKeys.map((k) => m(byTax.get(k) ?? 0)),
      m(o.taxTotal),
      m(o.total),
      m(o.cashRounding),
      m(o.paid),
      m(o.change),
      methods,
      m(refunded),
    ]
  })
  return toCsvBytes(header, rows)
}

/**
 * One row per tender of each order, then one per refund of it (any state; a refund's amount is
 * negative, so the Amount column sums to the net taken). Tender amounts are what was applied to the
 * order (after cash rounding); "tendered"/"change" are what the customer handed over and got back.
 */
export function tendersCsv(orders: Order[], lang: ExportLanguage): Uint8Array {
  const L = labelsOf(lang)
  const c = L.csv
  const header = [c.receiptNo, c.businessDate, c.createdAt, c.type, c.method, c.flow, c.amount, c.tendered, c.change, c.providerRef, c.card, c.state, c.staff, c.approvedBy, c.reason]
  const rows: Cell[][] = []
  for (const o of orders) {
    const cur = currencyOf(o.currency)
    const m = (minor: number) => decimalText(minor, cur)
    for (const t of o.tenders) {
      const card = t.card ? `${t.card.brand} ${t.card.maskedPan}`.trim() : ''
      rows.push([
        safeText(o.receiptNo),
        o.businessDate,
        t.paidAt ?? o.createdAt,
        L.tenderKind.payment,
        L.method[t.method],
        t.flow ? (L.flow[t.flow] ?? t.flow) : '',
        m(t.amount),
        m(t.tendered),
        m(t.change),
        safeText(t.providerRef),
        safeText(card),
        L.refundState.succeeded ?? 'succeeded',
        safeText(o.staff.name),
        safeText(o.approvedBy?.name),
        '',
      ])
    }
    for (const r of o.refunds) {
      rows.push([
        safeText(o.receiptNo),
        o.businessDate,
        r.completedAt ?? r.createdAt,
        L.tenderKind.refund,
        L.method[r.method],
        '',
        m(-r.amount),
        '',
        '',
        safeText(r.providerRef),
        '',
        L.refundState[r.state] ?? r.state,
        safeText(r.staff.name),
        safeText(r.approvedBy?.name),
        safeText(r.reason),
      ])
    }
  }
  return toCsvBytes(header, rows)
}

/**
 * The reconciliation table: one row per statement row and/or till record, with its class and, for a
 * difference, its resolution. Statement amounts are in the merchant's signs (refunds and fees as the
 * statement has them). `currency` is the store's (a match carries none): it sets the exponent.
 */
export function reconciliationCsv(matches: ReviewMatch[], lang: ExportLanguage, currency: Currency | string): Uint8Array {
  const L = labelsOf(lang)
  const c = L.csv
  const cur = currencyOf(currency)
  const m = (minor: number | null | undefined) => (minor == null ? '' : decimalText(minor, cur))
  const header = [
    c.class,
    c.provider,
    c.statementLine,
    c.rowType,
    c.providerRef,
    c.merchantRef,
    c.refundRef,
    c.providerDate,
    c.providerTime,
    c.gross,
    c.fee,
    c.net,
    c.localKind,
    c.receiptNo,
    c.localMethod,
    c.localAmount,
    c.localState,
    c.localDate,
    c.localProviderRef,
    c.differenceId,
    c.resolution,
    c.resolutionNote,
    c.resolvedBy,
    c.resolvedAt,
  ]
  const rows = matches.map((x): Cell[] => {
    const r = x.row
    const l = x.local
    const s = x.resolution
    return [
      L.matchClass[x.class],
      L.provider[x.provider],
      r ? r.line : '',
      r ? (L.rowType[r.type] ?? r.type) : '',
      safeText(r?.providerRef),
      safeText(r?.merchantRef),
      safeText(r?.refundRef),
      r?.providerDate ?? '',
      safeText(r?.providerTime),
      m(r?.gross),
      m(r?.fee),
      m(r?.net),
      l ? (L.localKind[l.kind] ?? l.kind) : '',
      safeText(l?.receiptNo),
      l ? L.method[l.method] : '',
      m(l?.amount),
      l ? (L.tillState[l.state] ?? safeText(l.state)) : '',
      l?.businessDate ?? '',
      safeText(l?.providerRef),
      safeText(x.differenceId),
      s ? (L.resolutionKind[s.kind] ?? s.kind) : '',
      safeText(s?.note),
      safeText(s?.by.name),
      s?.at ?? '',
    ]
  })
  return toCsvBytes(header, rows)
}

import Decimal from 'decimal.js'
import type { Cart, CartQuote, Order, Settings } from '../../shared/contract'
import { DaybookError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { priceCart, discountPercent, PricingError, quickCashAmounts, settleCash, type PricedCart, type PricingLine, type TaxRate } from '../../shared/pricing'
import { exponentOf, type Currency } from '../../shared/money'
import { receiptNumber } from './business-day'
import { postingMeta, requireShiftForCash } from './ledger/days'
import type { Transaction } from 'better-sqlite3'
import type { Db } from './db/sqlite'
import { rawStmt, stmt } from './db/statements'
import type { Device } from './device'
import { appendEvent } from './journal'
import { insertOrder, readOrder, type OrderDocument } from './orders'

interface ResolvedLine {
  pricing: PricingLine
  nameEn: string
  nameZh: string
  unit: 'each' | 'kg'
}

interface SaleProduct {
  id: string
  name_en: string
  name_zh: string
  tax_class_id: string
  price_minor: number
  unit: 'each' | 'kg'
}

/** Products per lookup statement: a cart's products in one query (a 5-line sale: one statement, not five). */
const PRODUCTS_PER_LOOKUP = 100
const productLookupSqls: string[] = []
function productLookupSql(n: number): string {
  let sql = productLookupSqls[n]
  if (!sql) {
    sql = `SELECT id, name_en, name_zh, tax_class_id, price_minor, unit FROM products WHERE active = 1 AND id IN (${Array.from({ length: n }, () => '?').join(', ')})`
    productLookupSqls[n] = sql
  }
  return sql
}

/** The active products of a cart by id (what catalog.ts productById finds, without the barcodes a sale does not need). */
function cartProducts(db: Db, cart: Cart): Map<string, SaleProduct> {
  const ids = [...new Set(cart.lines.map((l) => l.productId))]
  const found = new Map<string, SaleProduct>()
  for (let start = 0; start < ids.length; start += PRODUCTS_PER_LOOKUP) {
    const chunk = ids.length <= PRODUCTS_PER_LOOKUP ? ids : ids.slice(start, start + PRODUCTS_PER_LOOKUP)
    // Rows as arrays (rawStmt), in the column order of productLookupSql.
    for (const r of rawStmt(db, productLookupSql(chunk.length)).all(chunk) as [string, string, string, string, number, 'each' | 'kg'][]) {
      found.set(r[0], { id: r[0], name_en: r[1], name_zh: r[2], tax_class_id: r[3], price_minor: r[4], unit: r[5] })
    }
  }
  return found
}

/** Looks every line up in the catalog: the till never trusts a price sent by the screen. */
function resolveLines(db: Db, cart: Cart, settings: Settings): ResolvedLine[] {
  const taxes = new Map(settings.taxes.map((t) => [t.id, t]))
  const classes = new Map(settings.taxClasses.map((c) => [c.id, c]))
  const products = cartProducts(db, cart)
  return cart.lines.map((l, i) => {
    const p = products.get(l.productId)
    if (!p) throw new DaybookError('unknown_product', 'This product is not in the catalog any more.', { line: i, productId: l.productId })
    if (p.unit === 'each' && l.quantity.includes('.') && !/\.0*$/.test(l.quantity)) {
      throw new DaybookError('invalid_input', `${p.name_en} is sold by the piece; the quantity must be whole.`, [
        { path: ['lines', i, 'quantity'], message: 'whole number expected' },
      ])
    }
    const cls = classes.get(p.tax_class_id)
    const lineTaxes: TaxRate[] = (cls?.taxIds ?? []).flatMap((id) => {
      const t = taxes.get(id)
      return t ? [{ id: t.id, name: t.name, rate: t.rate }] : []
    })
    return {
      pricing: { productId: p.id, unitPrice: p.price_minor, quantity: l.quantity, taxes: lineTaxes, discount: l.discount },
      nameEn: p.name_en,
      nameZh: p.name_zh,
      unit: p.unit,
    }
  })
}

/** Notes for quick cash: 1, 5, 10, 20, 50, 100 major units of the currency. */
function noteValues(currency: Currency): number[] {
  const unit = 10 ** exponentOf(currency)
  return [1, 5, 10, 20, 50, 100].map((n) => n * unit)
}

function price(db: Db, cart: Cart, settings: Settings) {
  const lines = resolveLines(db, cart, settings)
  try {
    const priced = priceCart(
      lines.map((l) => l.pricing),
      cart.orderDiscount,
      settings,
    )
    return { lines, priced }
  } catch (e) {
    if (e instanceof PricingError) throw new DaybookError('invalid_input', e.message, [{ path: e.field.split('.'), message: e.message }])
    throw e
  }
}

export function quoteCart(db: Db, cart: Cart, settings: Settings): CartQuote {
  const { lines, priced } = price(db, cart, settings)
  const cash = settleCash(priced.total, 0, settings.cashRounding)
  const pct = discountPercent(priced)
  return merged(priced, {
    lines: orderLines(priced, lines),
    cashDue: cash.roundedDue,
    cashRounding: cash.rounding,
    discountPercent: pct.toDecimalPlaces(2).toString(),
    needsApproval: pct.gt(new Decimal(settings.discountLimitPercent)),
    quickCash: quickCashAmounts(cash.roundedDue, noteValues(settings.currency)),
  })
}

/** The priced lines as an order shows them: numbered from 1, with the names and unit they were sold under. */
function orderLines(priced: PricedCart, lines: readonly ResolvedLine[]) {
  return priced.lines.map((l, i) => merged(l, { lineNo: i + 1, nameEn: lines[i]!.nameEn, nameZh: lines[i]!.nameZh, unit: lines[i]!.unit }))
}

/**
 * `{ ...base, ...extra }`: the same keys in the same order with the same values. Written out
 * because on Node 20 an object spread followed by more properties takes a slow path in V8 (tens
 * of µs for one order document, several for each order line: measured while profiling
 * bench/commit.ts), more than some of the sale's SQL. Plain data only: no `__proto__` key (which
 * an assignment would take as the prototype), as on every record here.
 */
function merged<T extends object, U extends object>(base: T, extra: U): Omit<T, keyof U> & U {
  // Built up from an empty object, key by key: V8 then reuses the same hidden-class transitions
  // for every sale (a clone's, by spread or Object.assign, gets fresh ones each time).
  const out: Record<string, unknown> = {}
  const from = base as Record<string, unknown>
  const more = extra as Record<string, unknown>
  for (const k of Object.keys(from)) out[k] = from[k]
  for (const k of Object.keys(more)) out[k] = more[k]
  return out as Omit<T, keyof U> & U
}

export interface SaleContext {
  device: Device
  staff: { id: string; name: string; role: string }
  /** A supervisor's approval of a discount over the limit, up to the percent they saw. */
  approval: { by: { id: string; name: string }; maxPercent: string } | null
  now: Date
}

export interface SaleInput {
  saleId: string
  cart: Cart
  cashTendered: number
}

/**
 * Completes a cash sale in ONE SQLite transaction: order, lines, taxes, tender, journal event
 * and outbox row. Only after it commits does anything print. The same saleId again returns the
 * order already made, so a double click or a retried message can never sell twice.
 *
 * The checks and lookups run inside that transaction too: one read snapshot for the whole sale
 * instead of one per statement, and what was checked is what is posted. A refused sale rolls back
 * a transaction that wrote nothing.
 */
export function completeSale(db: Db, input: SaleInput, settings: Settings, ctx: SaleContext): Order {
  let txn = saleTransactions.get(db)
  if (!txn) {
    txn = db.transaction((i: SaleInput, s: Settings, c: SaleContext) => completeSaleInTransaction(db, i, s, c))
    saleTransactions.set(db, txn)
  }
  return txn.immediate(input, settings, ctx)
}

type SaleTransaction = Transaction<(input: SaleInput, settings: Settings, ctx: SaleContext) => Order>
/** One transaction function per connection (better-sqlite3 builds a new wrapper on every db.transaction call). */
const saleTransactions = new WeakMap<Db, SaleTransaction>()

function completeSaleInTransaction(db: Db, input: SaleInput, settings: Settings, ctx: SaleContext): Order {
  if (stmt(db, 'SELECT 1 FROM orders WHERE id = ?').get(input.saleId)) return readOrder(db, input.saleId) as Order
  if (input.cart.lines.length === 0) throw new DaybookError('empty_cart', 'The cart is empty.')
  const { lines, priced } = price(db, input.cart, settings)
  const pct = discountPercent(priced)
  const overLimit = pct.gt(new Decimal(settings.discountLimitPercent)) && ctx.staff.role === 'cashier'
  if (overLimit && !ctx.approval) {
    throw new DaybookError('approval_required', 'This discount is over the store limit: a supervisor must approve it.', {
      discountPercent: pct.toDecimalPlaces(2).toString(),
      limitPercent: settings.discountLimitPercent,
    })
  }
  if (overLimit && ctx.approval && pct.toDecimalPlaces(2).gt(new Decimal(ctx.approval.maxPercent))) {
    throw new DaybookError('approval_invalid', 'The discount grew after the supervisor approved it. Ask the supervisor again.', {
      approvedPercent: ctx.approval.maxPercent,
      discountPercent: pct.toDecimalPlaces(2).toString(),
    })
  }
  const approvedBy = overLimit && ctx.approval ? ctx.approval.by : null
  const shiftId = requireShiftForCash(db)
  const cash = settleCash(priced.total, input.cashTendered, settings.cashRounding)
  if (cash.change < 0) {
    throw new DaybookError('insufficient_tender', 'Not enough cash was given.', { due: cash.roundedDue, tendered: cash.tendered, missing: -cash.change })
  }
  const body: SaleBody = merged(priced, {
    lines: orderLines(priced, lines),
    id: input.saleId,
    staff: { id: ctx.staff.id, name: ctx.staff.name },
    approvedBy,
    cashRounding: cash.rounding,
    tenders: [{ id: newId(), method: 'cash' as const, amount: cash.roundedDue, tendered: cash.tendered, change: cash.change }],
    paid: cash.roundedDue,
    change: cash.change,
  })
  return postSale(db, settings, ctx.device, ctx.now, body, shiftId)
}

/** What a sale brings to posting; the till adds its receipt number, day, time and store texts. */
export type SaleBody = Omit<OrderDocument, 'receiptNo' | 'businessDate' | 'createdAt' | 'storeName' | 'deviceCode' | 'receiptFooter'>

/**
 * Posts a sale: order, lines, taxes, tenders, journal event and outbox row. Must run inside the
 * caller's transaction (a cash sale's own, or the one that records a checkout's last tender).
 */
export function postSale(db: Db, settings: Settings, device: Device, now: Date, body: SaleBody, openShiftId?: string | null): Order {
  const at = now.toISOString()
  // The open business day: a sale that would fall into a closed day goes to the next one.
  const posting = postingMeta(db, now, settings, openShiftId)
  const date = posting.businessDate
  const { n } = stmt(db, 'SELECT coalesce(max(day_seq), 0) + 1 AS n FROM orders WHERE business_date = ?').get(date) as { n: number }
  const doc: OrderDocument = merged(body, {
    receiptNo: receiptNumber(device.code, date, n),
    businessDate: date,
    createdAt: at,
    storeName: settings.storeName,
    deviceCode: device.code,
    receiptFooter: settings.receiptFooter,
  })
  const event = appendEvent(db, device.id, 'sale.completed', at, merged(doc, { posting }))
  insertOrder(db, doc, device.id, n, event.seq)
  return merged(doc, { journal: { seq: event.seq, hash: event.hash }, reprints: 0, refunds: [] as Order['refunds'] })
}

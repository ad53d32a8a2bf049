import Decimal from 'decimal.js'
import type { Cart, CartQuote, Order, Settings } from '../../shared/contract'
import { DaybookError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { priceCart, discountPercent, PricingError, quickCashAmounts, settleCash, type PricingLine, type TaxRate } from '../../shared/pricing'
import { exponentOf, type Currency } from '../../shared/money'
import { receiptNumber } from './business-day'
import { postingMeta, requireShiftForCash } from './ledger/days'
import { productById } from './catalog'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'
import type { Device } from './device'
import { appendEvent } from './journal'
import { insertOrder, readOrder, type OrderDocument } from './orders'

interface ResolvedLine {
  pricing: PricingLine
  nameEn: string
  nameZh: string
  unit: 'each' | 'kg'
}

/** Looks every line up in the catalog: the till never trusts a price sent by the screen. */
function resolveLines(db: Db, cart: Cart, settings: Settings): ResolvedLine[] {
  const taxes = new Map(settings.taxes.map((t) => [t.id, t]))
  const classes = new Map(settings.taxClasses.map((c) => [c.id, c]))
  return cart.lines.map((l, i) => {
    const p = productById(db, l.productId)
    if (!p) throw new DaybookError('unknown_product', 'This product is not in the catalog any more.', { line: i, productId: l.productId })
    if (p.unit === 'each' && l.quantity.includes('.') && !/\.0*$/.test(l.quantity)) {
      throw new DaybookError('invalid_input', `${p.nameEn} is sold by the piece; the quantity must be whole.`, [
        { path: ['lines', i, 'quantity'], message: 'whole number expected' },
      ])
    }
    const cls = classes.get(p.taxClassId)
    const lineTaxes: TaxRate[] = (cls?.taxIds ?? []).flatMap((id) => {
      const t = taxes.get(id)
      return t ? [{ id: t.id, name: t.name, rate: t.rate }] : []
    })
    return {
      pricing: { productId: p.id, unitPrice: p.price, quantity: l.quantity, taxes: lineTaxes, discount: l.discount },
      nameEn: p.nameEn,
      nameZh: p.nameZh,
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
  return {
    ...priced,
    lines: priced.lines.map((l, i) => ({ ...l, lineNo: i + 1, nameEn: lines[i]!.nameEn, nameZh: lines[i]!.nameZh, unit: lines[i]!.unit })),
    cashDue: cash.roundedDue,
    cashRounding: cash.rounding,
    discountPercent: pct.toDecimalPlaces(2).toString(),
    needsApproval: pct.gt(new Decimal(settings.discountLimitPercent)),
    quickCash: quickCashAmounts(cash.roundedDue, noteValues(settings.currency)),
  }
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
 */
export function completeSale(db: Db, input: SaleInput, settings: Settings, ctx: SaleContext): Order {
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
  requireShiftForCash(db)
  const cash = settleCash(priced.total, input.cashTendered, settings.cashRounding)
  if (cash.change < 0) {
    throw new DaybookError('insufficient_tender', 'Not enough cash was given.', { due: cash.roundedDue, tendered: cash.tendered, missing: -cash.change })
  }
  return db.transaction(() =>
    postSale(db, settings, ctx.device, ctx.now, {
      ...priced,
      lines: priced.lines.map((l, i) => ({ ...l, lineNo: i + 1, nameEn: lines[i]!.nameEn, nameZh: lines[i]!.nameZh, unit: lines[i]!.unit })),
      id: input.saleId,
      staff: { id: ctx.staff.id, name: ctx.staff.name },
      approvedBy,
      cashRounding: cash.rounding,
      tenders: [{ id: newId(), method: 'cash', amount: cash.roundedDue, tendered: cash.tendered, change: cash.change }],
      paid: cash.roundedDue,
      change: cash.change,
    }),
  ).immediate()
}

/** What a sale brings to posting; the till adds its receipt number, day, time and store texts. */
export type SaleBody = Omit<OrderDocument, 'receiptNo' | 'businessDate' | 'createdAt' | 'storeName' | 'deviceCode' | 'receiptFooter'>

/**
 * Posts a sale: order, lines, taxes, tenders, journal event and outbox row. Must run inside the
 * caller's transaction (a cash sale's own, or the one that records a checkout's last tender).
 */
export function postSale(db: Db, settings: Settings, device: Device, now: Date, body: SaleBody): Order {
  const at = now.toISOString()
  // The open business day: a sale that would fall into a closed day goes to the next one.
  const posting = postingMeta(db, now, settings)
  const date = posting.businessDate
  const { n } = stmt(db, 'SELECT coalesce(max(day_seq), 0) + 1 AS n FROM orders WHERE business_date = ?').get(date) as { n: number }
  const doc: OrderDocument = {
    ...body,
    receiptNo: receiptNumber(device.code, date, n),
    businessDate: date,
    createdAt: at,
    storeName: settings.storeName,
    deviceCode: device.code,
    receiptFooter: settings.receiptFooter,
  }
  const event = appendEvent(db, device.id, 'sale.completed', at, { ...doc, posting })
  insertOrder(db, doc, device.id, n, event.seq)
  return { ...doc, journal: { seq: event.seq, hash: event.hash }, reprints: 0, refunds: [] }
}

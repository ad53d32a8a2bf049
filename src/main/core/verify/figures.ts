import type { AdjustmentFigure, DayFigures, TaxFigure, TenderFigure } from '../../../shared/ledger'
import { TENDER_METHODS } from '../../../shared/payments'

/**
 * sumFigures (src/shared/ledger.ts) of two consecutive runs of postings, joined: every figure is a
 * sum (net too, being gross − discounts − refunds + rounding), tenders and taxes are keyed sums in
 * sumFigures' own order, adjustments follow one another in seq order. So
 *   mergeFigures(sumFigures(a), sumFigures(b)) equals sumFigures([...a, ...b])
 * (a property test holds it so), which lets the verifier replay a closure's period in pieces, one
 * per worker, without keeping the postings.
 */
export function mergeFigures(a: DayFigures, b: DayFigures): DayFigures {
  const counts = { ...a.counts }
  for (const k of Object.keys(counts) as (keyof DayFigures['counts'])[]) counts[k] += b.counts[k]
  const cash = { ...a.cash }
  for (const k of Object.keys(cash) as (keyof DayFigures['cash'])[]) cash[k] += b.cash[k]
  const tenders = new Map<string, TenderFigure>()
  for (const t of [...a.tenders, ...b.tenders]) {
    const x = tenders.get(t.method)
    if (x) tenders.set(t.method, { method: t.method, sales: x.sales + t.sales, refunds: x.refunds + t.refunds, net: x.net + t.net })
    else tenders.set(t.method, { ...t })
  }
  const taxes = new Map<string, TaxFigure>()
  for (const t of [...a.taxes, ...b.taxes]) {
    const key = `${t.taxId}\u0000${t.rate}`
    const x = taxes.get(key)
    if (x) taxes.set(key, { taxId: t.taxId, rate: t.rate, collected: x.collected + t.collected, refunded: x.refunded + t.refunded, net: x.net + t.net })
    else taxes.set(key, { ...t })
  }
  const methodOrder = (m: string): number => (TENDER_METHODS as readonly string[]).indexOf(m)
  const adjustments: AdjustmentFigure[] = [...a.adjustments, ...b.adjustments]
  const grossSales = a.grossSales + b.grossSales
  const discounts = a.discounts + b.discounts
  const refunds = a.refunds + b.refunds
  const rounding = a.rounding + b.rounding
  return {
    counts,
    grossSales,
    discounts,
    refunds,
    rounding,
    net: grossSales - discounts - refunds + rounding,
    tenders: [...tenders.values()].sort((x, y) => methodOrder(x.method) - methodOrder(y.method)),
    taxes: [...taxes.values()].sort((x, y) => (x.taxId === y.taxId ? x.rate.localeCompare(y.rate) : x.taxId.localeCompare(y.taxId))),
    cash,
    adjustments,
  }
}

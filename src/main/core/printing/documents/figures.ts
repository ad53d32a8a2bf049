import type { z } from 'zod'
import type { DayFiguresSchema } from '../../../../shared/shifts-contract'
import type { DocBuilder } from '../layout'
import { METHODS, type Fmt } from './strings'

type Figures = z.infer<typeof DayFiguresSchema>

/** The figures block the shift report, the X and the Z share (the same as the screens'). */
export function figuresBlock(b: DocBuilder, fig: Figures, f: Fmt): void {
  const { w, money: m } = f
  b.row(w.orders, String(fig.counts.orders))
  b.row(w.grossSales, m(fig.grossSales))
  b.row(w.discounts, m(fig.discounts))
  b.row(w.refundsTotal, m(fig.refunds))
  b.row(w.rounding, m(fig.rounding))
  b.row(w.net, m(fig.net), { bold: true })
  if (fig.tenders.length > 0) {
    b.rule()
    b.text(w.tenders, { bold: true })
    for (const t of fig.tenders) b.row(`  ${METHODS[f.lang][t.method]}`, m(t.net))
  }
  if (fig.taxes.length > 0) {
    b.rule()
    b.text(w.taxes, { bold: true })
    for (const t of fig.taxes) b.row(`  ${t.rate}%`, m(t.net))
  }
  b.rule()
  b.text(w.cash, { bold: true })
  b.row(`  ${w.received}`, m(fig.cash.received))
  b.row(`  ${w.changeGiven}`, m(fig.cash.change))
  b.row(`  ${w.cashRefunds}`, m(fig.cash.refunds))
  b.row(`  ${w.payIns}`, m(fig.cash.payIns))
  b.row(`  ${w.payOuts}`, m(fig.cash.payOuts))
  b.row(`  ${w.safeDrops}`, m(fig.cash.safeDrops))
  b.row(`  ${w.overShort}`, m(fig.cash.overShort))
}

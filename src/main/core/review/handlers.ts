import type { Order, Settings, Staff } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { ExportFile, ExportKind, reviewChannels } from '../../../shared/review-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { readOrder } from '../orders'
import { mustScope, reviewDay, type ReviewCtx } from './day'
import { reviewDays } from './days'
import { reviewMatches } from './matches'
import { ordersCsv, reconciliationCsv, tendersCsv } from './export/csv'
import { dayReportPdf, zReportPdf } from './export/pdf'
import type { CallContext, HandlersOf } from '../handler-types'

/**
 * The owner's settlement review (src/shared/review-contract.ts). The owner sees everything, a
 * supervisor may look; a cashier is refused here, in the core, whatever the screen shows.
 */

export type ReviewHandlers = HandlersOf<typeof reviewChannels>

export interface ReviewDeps {
  db: Db
  device: Device
  now: () => Date
  settings: () => Settings
  must: (ctx: CallContext) => Staff
}

/** review-export makes PDFs asynchronously (Core.invoke only). */
export const REVIEW_ASYNC = ['review-export'] as const

function mayReview(deps: ReviewDeps, ctx: CallContext): void {
  const staff = deps.must(ctx)
  if (staff.role !== 'owner' && staff.role !== 'supervisor') throw new DaybookError('forbidden', 'Only the owner or a supervisor can review the settlement.')
}

/** The orders of a business date, in receipt order. */
export function ordersOfDay(db: Db, date: string): Order[] {
  const ids = stmt(db, 'SELECT id FROM orders WHERE business_date = ? ORDER BY day_seq').all(date) as { id: string }[]
  return ids.map((r) => readOrder(db, r.id)!)
}

const FILE: Record<ExportKind, { suffix: string; mime: ExportFile['mime'] }> = {
  csv_orders: { suffix: 'orders.csv', mime: 'text/csv' },
  csv_tenders: { suffix: 'tenders.csv', mime: 'text/csv' },
  csv_reconciliation: { suffix: 'reconciliation.csv', mime: 'text/csv' },
  pdf_day: { suffix: 'day-report.pdf', mime: 'application/pdf' },
  pdf_z: { suffix: 'z-report.pdf', mime: 'application/pdf' },
}

export async function exportFile(c: ReviewCtx, date: string, kind: ExportKind, lang: 'zh-CN' | 'en'): Promise<ExportFile> {
  const scope = mustScope(c, date)
  let bytes: Uint8Array
  switch (kind) {
    case 'csv_orders':
      bytes = ordersCsv(ordersOfDay(c.db, date), lang)
      break
    case 'csv_tenders':
      bytes = tendersCsv(ordersOfDay(c.db, date), lang)
      break
    case 'csv_reconciliation':
      bytes = reconciliationCsv(reviewMatches(c, date, undefined, undefined).matches, lang, c.settings.currency)
      break
    case 'pdf_day':
      bytes = await dayReportPdf(reviewDay(c, date), lang, { timeZone: c.settings.timeZone })
      break
    case 'pdf_z':
      if (scope.state !== 'closed') throw new DaybookError('not_found', `${date} is not closed yet: there is no Z to print. Print the day report instead.`, { businessDate: date })
      bytes = await zReportPdf(reviewDay(c, date), lang, { timeZone: c.settings.timeZone })
      break
  }
  const f = FILE[kind]
  return { fileName: `daybook-${date}-${f.suffix}`, mime: f.mime, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }
}

export function reviewHandlers(deps: ReviewDeps): ReviewHandlers {
  const ctxOf = (): ReviewCtx => ({ db: deps.db, settings: deps.settings(), device: deps.device, now: deps.now() })
  return {
    'review-days': (input, ctx) => {
      mayReview(deps, ctx)
      return reviewDays(ctxOf(), input.limit ?? 60)
    },
    'review-day': ({ businessDate }, ctx) => {
      mayReview(deps, ctx)
      return reviewDay(ctxOf(), businessDate)
    },
    'review-matches': ({ businessDate, runId, class: only }, ctx) => {
      mayReview(deps, ctx)
      return reviewMatches(ctxOf(), businessDate, runId, only)
    },
    'review-export': async ({ businessDate, kind, language }, ctx) => {
      mayReview(deps, ctx)
      return exportFile(ctxOf(), businessDate, kind, language)
    },
  }
}

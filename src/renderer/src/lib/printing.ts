import type { TFunction } from 'i18next'
import type { ChannelInput } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { NO_SALE_REASONS, type PrintJob, type PrintKind } from '../../../shared/printing-contract'
import { describeError } from './errors'

export type NoSaleReason = (typeof NO_SALE_REASONS)[number]

/** "Receipt", "Z report", "Cash drawer"… */
export function printKindLabel(t: TFunction, kind: PrintKind): string {
  return t(`printer.kind_${kind}`)
}

export function noSaleReasonLabel(t: TFunction, reason: NoSaleReason): string {
  return t(`noSale.reason_${reason}`)
}

/** Why a job did not print, in words a cashier acts on; the printer's own message when we have none. */
export function jobFailureText(t: TFunction, job: PrintJob): string {
  if (!job.failure) return ''
  return t(`printer.failure_${job.failure.code}`, { defaultValue: job.failure.message })
}

/**
 * The receipt screen's print button on the receipt printer. Right after a sale it asks for the
 * original receipt (`sale`: the core prints the original when it never printed — auto-print off —
 * and a journaled DUPLICATE only when it did); from Orders it is a reprint. The label says which.
 */
export function receiptPrintButton(
  from: 'sale' | 'orders',
  orderId: string,
  o: { autoPrint: boolean; printedHere: boolean },
): { doc: ChannelInput<'print-document'>; label: 'printer.printReceipt' | 'printer.printDuplicate' } {
  if (from === 'sale') return { doc: { kind: 'sale', orderId }, label: o.autoPrint || o.printedHere ? 'printer.printDuplicate' : 'printer.printReceipt' }
  return { doc: { kind: 'reprint', orderId }, label: 'printer.printDuplicate' }
}

/** An error from a printing channel: our sentence when the code is known, else the core's own message. */
export function printErrorText(t: TFunction, error: ErrorData): string {
  // the drawer turned off in Settings → Printer (the printer itself is there)
  if (error.code === 'printer_not_configured' && (error.details as { drawer?: string } | undefined)?.drawer === 'off') return t('printer.drawerOffError')
  const known = t(`errors.${error.code}`, { defaultValue: '' })
  if (!known && error.message) return error.message
  return describeError(t, error)
}

/** Failed first, then the rest; newest first within each. */
export function sortJobs(jobs: PrintJob[]): PrintJob[] {
  const rank = (j: PrintJob) => (j.state === 'failed' ? 0 : 1)
  return [...jobs].sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt))
}

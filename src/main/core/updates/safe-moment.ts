import type { InstallTrigger, UnsafeReason, UpdateSettings } from '../../../shared/updates-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'

/** What is in progress on the till, read from the ledger and the sync relay. */
export interface TillActivity {
  /** Checkouts still open (a sale being paid). */
  openCheckouts: number
  /** Tender attempts not in a final state: created, awaiting the customer, unknown, or a succeeded one being given back. */
  attemptsInFlight: number
  /** Refunds not final (created, pending, unknown). */
  refundsPending: number
  /** Voids still reversing their tenders (checkout state 'voiding'). */
  voidsPending: number
  /** The relay has a batch on the wire whose answer is not saved yet. */
  outboxSending: boolean
}

export interface SafeMomentInput {
  activity: TillActivity
  trigger: InstallTrigger
  now: Date
  settings: UpdateSettings
  /** The store's time zone: the owner's install time is a time on the shop's clock. */
  timeZone: string
}

/**
 * The rule for installing an update, as a pure function: only when nothing is in progress — no
 * open checkout, no tender attempt in flight, no refund or void pending, nothing mid-send to the
 * platform — and either Daybook is quitting or it is within the owner's install window. Returns
 * every reason that holds, so the till can say what it is waiting for.
 */
export function safeMoment(i: SafeMomentInput): { safe: boolean; reasons: UnsafeReason[] } {
  const reasons: UnsafeReason[] = []
  const a = i.activity
  if (a.openCheckouts > 0) reasons.push('open_checkout')
  if (a.attemptsInFlight > 0) reasons.push('attempt_in_flight')
  if (a.refundsPending > 0) reasons.push('refund_pending')
  if (a.voidsPending > 0) reasons.push('void_pending')
  if (a.outboxSending) reasons.push('outbox_sending')
  if (i.trigger === 'scheduled') {
    if (i.settings.installAt === null) reasons.push('no_window')
    else if (!inWindow(i.now, i.settings.installAt, i.settings.windowMinutes, i.timeZone)) reasons.push('outside_window')
  }
  return { safe: reasons.length === 0, reasons }
}

/** Minutes since midnight on the store's clock. */
export function minuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at)
  const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0')
  return n('hour') * 60 + n('minute')
}

/** Whether `at` is within [start, start + minutes) on the store's clock; the window may run past midnight. */
export function inWindow(at: Date, start: string, minutes: number, timeZone: string): boolean {
  const [h, m] = start.split(':').map(Number) as [number, number]
  const from = h * 60 + m
  const now = minuteOfDay(at, timeZone)
  const since = (now - from + 1440) % 1440
  return since < minutes
}

/**
 * Reads what is in progress from the ledger (the payment states of payments/checkout.ts and
 * attempts.ts: an attempt is final when succeeded, failed or reversed — except a succeeded
 * non-cash attempt whose give-back was asked and not refused, which is still being reversed).
 */
export function tillActivity(db: Db, outboxSending: boolean): TillActivity {
  const n = (sql: string): number => (stmt(db, sql).get() as { n: number }).n
  return {
    openCheckouts: n("SELECT count(*) AS n FROM checkouts WHERE state = 'open'"),
    voidsPending: n("SELECT count(*) AS n FROM checkouts WHERE state = 'voiding'"),
    attemptsInFlight: n(
      `SELECT count(*) AS n FROM tender_attempts WHERE state IN ('created', 'awaiting_customer', 'unknown')
         OR (state = 'succeeded' AND flow != 'cash' AND cancel_requested = 1 AND coalesce(failure_code, '') != 'reversal_refused')`,
    ),
    refundsPending: n("SELECT count(*) AS n FROM refunds WHERE state IN ('created', 'pending', 'unknown')"),
    outboxSending,
  }
}

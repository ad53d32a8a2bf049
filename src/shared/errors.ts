/**
 * Errors cross every boundary as data, never as thrown exceptions with stack traces.
 * Codes are stable: support staff and tests key on them, so never rename one.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_channel',
  'not_signed_in',
  'forbidden',
  'wrong_pin',
  'locked_out',
  'not_found',
  'unknown_product',
  'approval_required',
  'approval_invalid',
  'insufficient_tender',
  'empty_cart',
  'conflict',
  'db_newer_than_app',
  'migration_failed',
  'posted_record_immutable',
  'platform_unreachable',
  'platform_refused',
  'not_paired',
  'already_paired',
  'checkout_closed',
  'tender_exceeds_remaining',
  'qr_unavailable',
  'terminal_not_configured',
  'payments_recovering',
  'refund_exceeds',
  'card_number_refused',
  'no_open_shift',
  'shift_already_open',
  'shift_closed',
  'day_blocked',
  'day_already_closed',
  'statement_refused',
  'statement_not_ready',
  'printer_not_configured',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorData {
  code: ErrorCode
  message: string
  details?: unknown
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData }

/** A domain error: thrown inside the core, caught at the boundary and turned into data. */
export class DaybookError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'DaybookError'
    this.code = code
    this.details = details
  }
  toData(): ErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(code: ErrorCode, message: string, details?: unknown): { ok: false; error: ErrorData } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } }
}

/** Anything thrown that is not a DaybookError is an internal fault: its text never reaches a cashier. */
export function toErrorData(e: unknown): ErrorData {
  if (e instanceof DaybookError) return e.toData()
  return { code: 'internal', message: 'Something went wrong inside Daybook. The sale was not changed.' }
}

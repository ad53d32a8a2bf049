import type { TFunction } from 'i18next'
import type { ErrorData } from '../../../shared/errors'

/** What the screen knows that the error itself may not say. */
export interface ErrorContext {
  /** The barcode that was looked up (not_found on a scan). */
  barcode?: string
  /** Formatted amount still missing (insufficient_tender). */
  shortBy?: string
  /** The action was a sale completion: an internal error may mean "unknown outcome". */
  sale?: boolean
  /** A tender or a refund was sent: an internal error means "not confirmed, the same tap is safe again". */
  tender?: boolean
  refund?: boolean
  /** What an approval_required is about (the plain code means a discount). */
  approvalFor?: 'refund' | 'void' | 'cash_movement' | 'over_short'
  /** A shift was being closed: a conflict means a sale is still being paid at the till. */
  closingShift?: boolean
  /** Formats an amount in the sale's currency (for refund_exceeds / tender_exceeds_remaining details). */
  money?: (minor: number) => string
}

function numberIn(details: unknown, keys: readonly string[]): number | null {
  if (!details || typeof details !== 'object') return null
  const rec = details as Record<string, unknown>
  for (const k of keys) {
    const v = rec[k]
    if (typeof v === 'number' && Number.isFinite(v)) return v
  }
  return null
}

function holderIn(details: unknown): string | null {
  if (!details || typeof details !== 'object') return null
  const h = (details as Record<string, unknown>).holder
  if (!h || typeof h !== 'object') return null
  const name = (h as Record<string, unknown>).name
  return typeof name === 'string' && name !== '' ? name : null
}

function stringIn(details: unknown, key: string): string | null {
  if (!details || typeof details !== 'object') return null
  const v = (details as Record<string, unknown>)[key]
  return typeof v === 'string' && v !== '' ? v : null
}

/** Platform refusals that get their own sentence (the rest say the platform's code). */
export const REFUSALS = [
  'pairing_code_invalid',
  'pairing_code_expired',
  'device_journal_mismatch',
  'rate_limited',
  'clock_skew',
  'unknown_device',
  'bad_signature',
  'unauthorized',
  'invalid_request',
  'not_ready',
  'internal',
] as const
type Refusal = (typeof REFUSALS)[number]

/** A sentence a cashier understands, in the current language; never a stack trace. */
export function describeError(t: TFunction, error: ErrorData, ctx: ErrorContext = {}): string {
  switch (error.code) {
    case 'wrong_pin': {
      const left = numberIn(error.details, ['triesLeft', 'attemptsLeft', 'remainingAttempts', 'remaining', 'left'])
      return left === null ? t('errors.wrong_pin') : t('errors.wrong_pin_tries', { count: left })
    }
    case 'locked_out': {
      const ms = numberIn(error.details, ['retryAfterMs', 'lockedForMs'])
      const s = ms !== null ? Math.ceil(ms / 1000) : numberIn(error.details, ['retryAfterSeconds', 'retryAfter', 'seconds'])
      return s !== null && s > 0 && s !== 60 ? t('errors.locked_out_seconds', { count: s }) : t('errors.locked_out')
    }
    case 'not_found':
      return ctx.barcode ? t('errors.barcode_not_found', { code: ctx.barcode }) : t('errors.not_found')
    case 'insufficient_tender':
      return ctx.shortBy ? t('errors.insufficient_tender_amount', { amount: ctx.shortBy }) : t('errors.insufficient_tender')
    case 'platform_unreachable': {
      const url = stringIn(error.details, 'url')
      // it answered, but not like a Daybook platform (a web page, a proxy's error)
      if (url && numberIn(error.details, ['status']) !== null) return t('errors.platform_not_daybook', { url })
      return url ? t('errors.platform_unreachable_url', { url }) : t('errors.platform_unreachable')
    }
    case 'platform_refused': {
      const code = stringIn(error.details, 'code')
      if (code && (REFUSALS as readonly string[]).includes(code)) return t(`errors.refused.${code as Refusal}`)
      return code ? t('errors.platform_refused_code', { code }) : t('errors.platform_refused')
    }
    case 'approval_required':
      if (ctx.approvalFor === 'refund') return t('errors.approval_required_refund')
      if (ctx.approvalFor === 'void') return t('errors.approval_required_void')
      if (ctx.approvalFor === 'cash_movement') return t('errors.approval_required_cash_movement')
      if (ctx.approvalFor === 'over_short') return t('errors.approval_required_over_short')
      return t('errors.approval_required')
    case 'forbidden': {
      const holder = holderIn(error.details)
      return holder ? t('errors.forbidden_shift', { name: holder }) : t('errors.forbidden')
    }
    case 'shift_already_open': {
      const holder = holderIn(error.details)
      return holder ? t('errors.shift_already_open_name', { name: holder }) : t('errors.shift_already_open')
    }
    case 'day_blocked': {
      const blockers = error.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>).blockers : undefined
      return Array.isArray(blockers) && blockers.length > 0 ? t('errors.day_blocked_count', { count: blockers.length }) : t('errors.day_blocked')
    }
    case 'conflict':
      return ctx.closingShift ? t('errors.conflict_close_shift') : t('errors.conflict')
    case 'tender_exceeds_remaining': {
      const left = numberIn(error.details, ['remaining'])
      return left !== null && ctx.money ? t('errors.tender_exceeds_remaining_amount', { amount: ctx.money(left) }) : t('errors.tender_exceeds_remaining')
    }
    case 'refund_exceeds': {
      const left = numberIn(error.details, ['refundable'])
      return left !== null && ctx.money ? t('errors.refund_exceeds_amount', { amount: ctx.money(left) }) : t('errors.refund_exceeds')
    }
    case 'internal':
      if (ctx.sale) return t('errors.sale_retry')
      if (ctx.tender) return t('errors.tender_retry')
      if (ctx.refund) return t('errors.refund_retry')
      return /connection|reachable/i.test(error.message) ? t('errors.connection') : t('errors.internal')
    default:
      return t(`errors.${error.code}`)
  }
}

export interface FieldIssue {
  path: string
  message: string
}

/** zod issues from `details` ({path, message}[]) as "a.b.0" → message. */
export function fieldIssues(details: unknown): FieldIssue[] {
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    const inner = (details as Record<string, unknown>).issues
    if (Array.isArray(inner)) return fieldIssues(inner)
  }
  if (!Array.isArray(details)) return []
  const out: FieldIssue[] = []
  for (const d of details) {
    if (!d || typeof d !== 'object') continue
    const rec = d as Record<string, unknown>
    const path = Array.isArray(rec.path) ? rec.path.map(String).join('.') : typeof rec.path === 'string' ? rec.path : ''
    const message = typeof rec.message === 'string' ? rec.message : ''
    if (message) out.push({ path, message })
  }
  return out
}

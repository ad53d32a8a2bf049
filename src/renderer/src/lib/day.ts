import type { TFunction } from 'i18next'
import type { Settings } from '../../../shared/contract'
import { TENDER_METHODS, type TenderMethod } from '../../../shared/payments'
import type { DayBlocker, DayReport, Movement } from '../../../shared/shifts-contract'
import { MOVEMENT_REASONS } from '../../../shared/shifts-contract'
import { methodLabel } from './payments'

/** Words for the shifts, the drawer, X and Z: shared by the day screen, the top bar and the tests. */

export type MovementKind = Movement['kind']
export type MovementReason = (typeof MOVEMENT_REASONS)[number]

export function movementKindLabel(t: TFunction, kind: MovementKind): string {
  return t(`move.kind.${kind}`)
}

export function movementReasonLabel(t: TFunction, reason: string): string {
  return (MOVEMENT_REASONS as readonly string[]).includes(reason) ? t(`move.reason.${reason as MovementReason}`) : reason
}

function isMethod(m: string | null): m is TenderMethod {
  return m !== null && (TENDER_METHODS as readonly string[]).includes(m)
}

export interface BlockerWords {
  money: (minor: number) => string
  time: (iso: string) => string
  /** The shifts of the X, to name who holds an open shift and since when. */
  shifts?: DayReport['shifts']
}

/** One thing that stops the Z, in a sentence a supervisor acts on. */
export function blockerText(t: TFunction, b: DayBlocker, w: BlockerWords): string {
  const method = isMethod(b.method) ? methodLabel(t, b.method) : (b.method ?? '')
  const amount = b.amount !== null ? w.money(b.amount) : ''
  switch (b.kind) {
    case 'open_shift': {
      const s = w.shifts?.find((x) => x.id === b.id)
      if (s) return t('z.blocker.open_shift', { name: s.holder.name, time: w.time(s.openedAt) })
      return t('z.blocker.open_shift_label', { label: b.label })
    }
    case 'open_checkout':
      return t('z.blocker.open_checkout', { amount })
    case 'unresolved_attempt': {
      const state = ['created', 'awaiting_customer', 'unknown'].includes(b.label) ? t(`z.attemptState.${b.label as 'created' | 'awaiting_customer' | 'unknown'}`) : b.label
      return t('z.blocker.unresolved_attempt', { method, amount, state })
    }
    case 'unresolved_refund':
      return t('z.blocker.unresolved_refund', { method, amount, receipt: b.label })
    case 'unresolved_void':
      return amount ? t('z.blocker.unresolved_void', { method: method || t('z.blocker.payments'), amount }) : t('z.blocker.unresolved_void_short')
  }
}

/** What to do about a blocker, in a few words (the button or the hint beside it). */
export function blockerHint(t: TFunction, b: DayBlocker): string {
  return t(`z.hint.${b.kind}`)
}

/** "VAT 13% (vat13)": the tax's name from the settings when it still exists, its id and rate always. */
export function taxName(settings: Settings | null, taxId: string, rate: string): string {
  const name = settings?.taxes.find((x) => x.id === taxId)?.name
  const r = `${rate}%`
  if (!name) return `${taxId} ${r}`
  return name.includes(r) ? `${name} (${taxId})` : `${name} ${r} (${taxId})`
}

/** The first characters of a hash, enough to compare by eye. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12)
}

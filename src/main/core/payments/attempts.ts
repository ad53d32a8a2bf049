import type { Attempt } from '../../../shared/contract'
import type { AttemptState, CardDetails, TenderFlow, TenderMethod } from '../../../shared/payments'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'

/** A tender attempt as stored: written before any call leaves the till (architecture rule 7). */
export interface AttemptRow {
  id: string
  checkout_id: string
  position: number
  method: TenderMethod
  flow: TenderFlow
  amount_minor: number
  currency: string
  state: AttemptState
  activity: Attempt['activity']
  tendered_minor: number | null
  change_minor: number | null
  service_id: string | null
  reversal_service_id: string | null
  code_url: string | null
  expires_at: string | null
  provider_ref: string | null
  provider_timestamp: string | null
  masked_pan: string | null
  brand: string | null
  entry_mode: string | null
  approval_code: string | null
  terminal_id: string | null
  failure_code: string | null
  failure_message: string | null
  polls: number
  cancel_requested: number
  paid_at: string | null
  created_at: string
  updated_at: string
}

export function readAttempt(db: Db, id: string): AttemptRow | undefined {
  return stmt(db, 'SELECT * FROM tender_attempts WHERE id = ?').get(id) as AttemptRow | undefined
}

export function attemptsOf(db: Db, checkoutId: string): AttemptRow[] {
  return stmt(db, 'SELECT * FROM tender_attempts WHERE checkout_id = ? ORDER BY position').all(checkoutId) as AttemptRow[]
}

/** Attempts a crash or a lost answer left unfinished, oldest first. */
export function openAttempts(db: Db): AttemptRow[] {
  return stmt(db, "SELECT * FROM tender_attempts WHERE state IN ('created', 'awaiting_customer', 'unknown') ORDER BY created_at, id").all() as AttemptRow[]
}

export interface NewAttempt {
  id: string
  checkoutId: string
  method: TenderMethod
  flow: TenderFlow
  amount: number
  currency: string
  state: AttemptState
  tendered?: number
  change?: number
  serviceId?: string
  at: string
}

export function insertAttempt(db: Db, a: NewAttempt): void {
  const { n } = stmt(db, 'SELECT coalesce(max(position), -1) + 1 AS n FROM tender_attempts WHERE checkout_id = ?').get(a.checkoutId) as { n: number }
  stmt(
    db,
    `INSERT INTO tender_attempts (id, checkout_id, position, method, flow, amount_minor, currency, state, activity, tendered_minor, change_minor,
       service_id, paid_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    a.id,
    a.checkoutId,
    n,
    a.method,
    a.flow,
    a.amount,
    a.currency,
    a.state,
    a.flow === 'cash' ? 'none' : 'contacting',
    a.tendered ?? null,
    a.change ?? null,
    a.serviceId ?? null,
    a.state === 'succeeded' ? a.at : null,
    a.at,
    a.at,
  )
  stmt(db, 'INSERT INTO tender_transitions (attempt_id, at, from_state, to_state, note) VALUES (?, ?, NULL, ?, ?)').run(a.id, a.at, a.state, null)
}

export interface AttemptPatch {
  state?: AttemptState
  activity?: Attempt['activity']
  codeUrl?: string | null
  expiresAt?: string | null
  providerRef?: string | null
  providerTimestamp?: string | null
  card?: CardDetails | null
  failure?: { code: string; message: string } | null
  polls?: number
  cancelRequested?: boolean
  paidAt?: string | null
  changeMinor?: number
  reversalServiceId?: string
}

const COLUMNS: Record<Exclude<keyof AttemptPatch, 'card' | 'failure'>, string> = {
  state: 'state',
  activity: 'activity',
  codeUrl: 'code_url',
  expiresAt: 'expires_at',
  providerRef: 'provider_ref',
  providerTimestamp: 'provider_timestamp',
  polls: 'polls',
  cancelRequested: 'cancel_requested',
  paidAt: 'paid_at',
  changeMinor: 'change_minor',
  reversalServiceId: 'reversal_service_id',
}

/**
 * Moves an attempt on, but only from one of the states the caller saw (`from`): two paths
 * racing (a long poll answering as the cashier cancels) cannot both win. Returns whether it
 * moved. A state change is also written to tender_transitions, the attempt's history.
 */
export function patchAttempt(db: Db, id: string, from: readonly AttemptState[], patch: AttemptPatch, at: string, note?: string): boolean {
  const sets: string[] = ['updated_at = ?']
  const values: unknown[] = [at]
  for (const [k, col] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
    if (patch[k] === undefined) continue
    sets.push(`${col} = ?`)
    const v = patch[k]
    values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v)
  }
  if (patch.card !== undefined) {
    sets.push('masked_pan = ?', 'brand = ?', 'entry_mode = ?', 'approval_code = ?', 'terminal_id = ?')
    const c = patch.card
    values.push(c?.maskedPan ?? null, c?.brand ?? null, c?.entryMode ?? null, c?.approvalCode ?? null, c?.terminalId ?? null)
  }
  if (patch.failure !== undefined) {
    sets.push('failure_code = ?', 'failure_message = ?')
    values.push(patch.failure?.code ?? null, patch.failure?.message.slice(0, 300) ?? null)
  }
  const placeholders = from.map(() => '?').join(', ')
  const before = stmt(db, 'SELECT state FROM tender_attempts WHERE id = ?').get(id) as { state: AttemptState } | undefined
  if (!before || !from.includes(before.state)) return false
  const r = stmt(db, `UPDATE tender_attempts SET ${sets.join(', ')} WHERE id = ? AND state IN (${placeholders})`).run(...values, id, ...from)
  if (r.changes === 0) return false
  if (patch.state !== undefined && patch.state !== before.state) {
    stmt(db, 'INSERT INTO tender_transitions (attempt_id, at, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)').run(id, at, before.state, patch.state, note ?? null)
  }
  return true
}

export function toAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id,
    method: r.method,
    flow: r.flow,
    amount: r.amount_minor,
    state: r.state,
    tendered: r.tendered_minor,
    change: r.change_minor,
    codeUrl: r.code_url,
    expiresAt: r.expires_at,
    providerRef: r.provider_ref,
    card:
      r.masked_pan !== null || r.brand !== null
        ? { maskedPan: r.masked_pan ?? '', brand: r.brand ?? '', entryMode: r.entry_mode ?? '', approvalCode: r.approval_code ?? '', terminalId: r.terminal_id ?? '' }
        : null,
    failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? '' } : null,
    activity: r.activity,
    polls: r.polls,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

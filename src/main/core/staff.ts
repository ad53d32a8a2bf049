import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import type { Role, Staff } from '../../shared/contract'
import { DaybookError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'

/** scrypt parameters: N=2^14 keeps a sign-in near 50 ms on a till while making a stolen hash costly. */
const N = 16384
const R = 8
const P = 1
const KEYLEN = 32
export const MAX_PIN_TRIES = 5
export const LOCKOUT_MS = 60_000

export function hashPin(pin: string): string {
  const salt = randomBytes(16)
  const key = scryptSync(pin, salt, KEYLEN, { N, r: R, p: P })
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

export function pinMatches(pin: string, stored: string): boolean {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) })
  return timingSafeEqual(expected, actual)
}

interface StaffRow {
  id: string
  name: string
  role: Role
  pin_hash: string
  active: number
  failed_attempts: number
  locked_until: number
}

const toStaff = (r: StaffRow): Staff => ({ id: r.id, name: r.name, role: r.role, active: r.active === 1 })

export function listStaff(db: Db, includeInactive = false): Staff[] {
  const rows = stmt(db, `SELECT * FROM staff ${includeInactive ? '' : 'WHERE active = 1'} ORDER BY created_at, rowid`).all() as StaffRow[]
  return rows.map(toStaff)
}

export function staffById(db: Db, id: string): Staff | undefined {
  const r = stmt(db, 'SELECT * FROM staff WHERE id = ?').get(id) as StaffRow | undefined
  return r && toStaff(r)
}

/**
 * Checks a PIN for one person. Five wrong tries lock that person out for a minute; the count
 * lives in SQLite so restarting the app does not reset it.
 */
export function checkPin(db: Db, staffId: string, pin: string, now: number): Staff {
  const r = stmt(db, 'SELECT * FROM staff WHERE id = ? AND active = 1').get(staffId) as StaffRow | undefined
  if (!r) throw new DaybookError('not_found', 'That person is not on the staff list.')
  if (r.locked_until > now) {
    throw new DaybookError('locked_out', 'Too many wrong PINs. Try again in a minute.', {
      retryAfterSeconds: Math.ceil((r.locked_until - now) / 1000),
    })
  }
  if (pinMatches(pin, r.pin_hash)) {
    if (r.failed_attempts !== 0 || r.locked_until !== 0) stmt(db, 'UPDATE staff SET failed_attempts = 0, locked_until = 0 WHERE id = ?').run(staffId)
    return toStaff(r)
  }
  const failed = r.failed_attempts + 1
  if (failed >= MAX_PIN_TRIES) {
    stmt(db, 'UPDATE staff SET failed_attempts = 0, locked_until = ? WHERE id = ?').run(now + LOCKOUT_MS, staffId)
    throw new DaybookError('locked_out', 'Too many wrong PINs. Try again in a minute.', { retryAfterSeconds: LOCKOUT_MS / 1000 })
  }
  stmt(db, 'UPDATE staff SET failed_attempts = ? WHERE id = ?').run(failed, staffId)
  throw new DaybookError('wrong_pin', 'That PIN is not right.', { triesLeft: MAX_PIN_TRIES - failed })
}

export interface StaffInput {
  id?: string | undefined
  name: string
  role: Role
  pin?: string | undefined
  active: boolean
}

export function saveStaff(db: Db, input: StaffInput, at: string): Staff {
  if (input.id) {
    const existing = stmt(db, 'SELECT id FROM staff WHERE id = ?').get(input.id)
    if (!existing) throw new DaybookError('not_found', 'That person is not on the staff list.')
    db.transaction(() => {
      stmt(db, 'UPDATE staff SET name = ?, role = ?, active = ? WHERE id = ?').run(input.name, input.role, input.active ? 1 : 0, input.id)
      if (input.pin) stmt(db, 'UPDATE staff SET pin_hash = ?, failed_attempts = 0, locked_until = 0 WHERE id = ?').run(hashPin(input.pin), input.id)
      assertAnOwnerRemains(db)
    })()
    return staffById(db, input.id) as Staff
  }
  if (!input.pin) throw new DaybookError('invalid_input', 'A new staff member needs a PIN.', [{ path: ['pin'], message: 'required' }])
  const id = newId()
  stmt(db, 'INSERT INTO staff (id, name, role, pin_hash, active, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    input.name,
    input.role,
    hashPin(input.pin),
    input.active ? 1 : 0,
    at,
  )
  return staffById(db, id) as Staff
}

/** A store without an active owner could never change its settings again. */
function assertAnOwnerRemains(db: Db): void {
  const n = stmt(db, "SELECT count(*) AS n FROM staff WHERE role = 'owner' AND active = 1").get() as { n: number }
  if (n.n === 0) throw new DaybookError('conflict', 'The store must keep at least one active owner.')
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach } from 'vitest'
import { openCore } from '../../src/main/core/open-core'
import type { Core } from '../../src/main/core/service'
import { newId } from '../../src/shared/ids'
import { POSTING_EVENT_KIND } from '../../src/shared/ledger'
import type { Shift } from '../../src/shared/shifts-contract'

const POSTED_TYPES = Object.keys(POSTING_EVENT_KIND)

export const REPO = resolve(__dirname, '../..')
export const RESOURCES = join(REPO, 'resources')

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A fresh folder under the OS temp dir, removed after the test. */
export function tempDir(prefix = 'daybook-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

/** A demo store on a real SQLite file, with a settable clock. */
export function demoCore(now: () => Date = () => new Date('2026-11-22T03:00:00Z')): { core: Core; file: string; dir: string } {
  const dir = tempDir()
  const { core, file } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, now })
  return { core, file, dir }
}

/** Calls the core the way every transport does, and unwraps a success or fails the test. */
export function call<T = unknown>(core: Core, channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.details ?? '')}`)
  return r.value as T
}

export function signIn(core: Core, name: string, pin: string): string {
  const staff = call<{ id: string; name: string }[]>(core, 'staff-list', {})
  const s = staff.find((x) => x.name.includes(name))
  if (!s) throw new Error(`no staff ${name}`)
  return call<{ token: string }>(core, 'session-signin', { staffId: s.id, pin }).token
}

/**
 * Opens a shift at the till with `float` counted into the drawer (whole ¥100 notes, the rest as one
 * typed amount): cash can only be taken inside an open shift. Returns the shift as the core gives it.
 */
export function openShift(core: Core, session: string, float = 10_000): Shift {
  const hundreds = Math.floor(float / 10_000)
  const rest = float - hundreds * 10_000
  const count = [...(hundreds > 0 ? [{ value: 10_000, kind: 'note' as const, count: hundreds }] : []), ...(rest > 0 ? [{ value: rest, kind: 'amount' as const, count: 1 }] : [])]
  return call<Shift>(core, 'shift-open', { shiftId: newId(), count }, session)
}

/** Every posting's ledger lines balance: debits equal credits, per journal event. Returns how many postings there are. */
export function expectBalancedPostings(core: Core | { db: Core['db'] }): number {
  const db = core.db
  const unbalanced = db
    .prepare('SELECT journal_seq AS seq, sum(debit_minor) AS dr, sum(credit_minor) AS cr FROM ledger_lines GROUP BY journal_seq HAVING dr != cr')
    .all()
  if (unbalanced.length > 0) throw new Error(`unbalanced postings: ${JSON.stringify(unbalanced)}`)
  const missing = db
    .prepare(`SELECT j.seq, j.type FROM journal j LEFT JOIN postings p ON p.journal_seq = j.seq WHERE p.journal_seq IS NULL AND j.type IN (${POSTED_TYPES.map(() => '?').join(', ')})`)
    .all(...POSTED_TYPES)
  if (missing.length > 0) throw new Error(`posted events without a posting: ${JSON.stringify(missing)}`)
  return (db.prepare('SELECT count(*) AS n FROM postings').get() as { n: number }).n
}

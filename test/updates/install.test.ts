import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { checkBackup, writeBackup } from '../../src/main/core/backup/backup'
import { reserveAttempt } from '../../src/main/core/payments/checkout'
import type { Core } from '../../src/main/core/service'
import { UpdateError } from '../../src/main/core/updates/errors'
import { prepareInstall, type UpdatesDeps } from '../../src/main/core/updates/handlers'
import { inWindow, safeMoment, tillActivity, type TillActivity } from '../../src/main/core/updates/safe-moment'
import { readSettings } from '../../src/main/core/settings'
import type { Checkout } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { DEFAULT_UPDATE_SETTINGS, type UpdateSettings } from '../../src/shared/updates-contract'
import { call, demoCore, openShift, signIn } from '../helpers/tmp'

const cores: Core[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
})

/** A demo till on a real SQLite file, 11:00 in Shanghai, a shift open for Li Na. */
function till() {
  const t = demoCore()
  cores.push(t.core)
  const cashier = signIn(t.core, 'Li Na', '1111')
  const supervisor = signIn(t.core, 'Zhang Wei', '2222')
  const owner = signIn(t.core, 'Wang Fang', '9999')
  openShift(t.core, cashier)
  return { ...t, cashier, supervisor, owner, backups: join(t.dir, 'backups') }
}

/** The shell's updater asking (Core.invokeFromShell: a window may not), on version 0.1.0. */
async function prepare(core: Core, trigger: 'quit' | 'scheduled', version = '0.1.0') {
  const r = await core.invokeFromShell({ channel: 'update-prepare-install', input: { trigger, version } })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as { safe: boolean; reasons: string[]; backup: { file: string; userVersion: number; events: number } | null }
}

function startCheckout(core: Core, session: string): Checkout {
  return call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '2' }] } }, session)
}

const QUIET: TillActivity = { openCheckouts: 0, attemptsInFlight: 0, refundsPending: 0, voidsPending: 0, outboxSending: false }
const at = (iso: string) => new Date(iso)
const moment = (o: Partial<TillActivity>, trigger: 'quit' | 'scheduled', now: Date, settings: Partial<UpdateSettings> = {}) =>
  safeMoment({ activity: { ...QUIET, ...o }, trigger, now, settings: { ...DEFAULT_UPDATE_SETTINGS, ...settings }, timeZone: 'Asia/Shanghai' })

describe('the safe moment to install (pure rule)', () => {
  it('quit with nothing in progress is safe; each thing in progress is named', () => {
    const now = at('2026-11-22T03:00:00Z')
    expect(moment({}, 'quit', now)).toEqual({ safe: true, reasons: [] })
    expect(moment({ openCheckouts: 1 }, 'quit', now).reasons).toEqual(['open_checkout'])
    expect(moment({ attemptsInFlight: 1 }, 'quit', now).reasons).toEqual(['attempt_in_flight'])
    expect(moment({ refundsPending: 2 }, 'quit', now).reasons).toEqual(['refund_pending'])
    expect(moment({ voidsPending: 1 }, 'quit', now).reasons).toEqual(['void_pending'])
    expect(moment({ outboxSending: true }, 'quit', now).reasons).toEqual(['outbox_sending'])
    expect(moment({ openCheckouts: 1, outboxSending: true }, 'quit', now)).toEqual({ safe: false, reasons: ['open_checkout', 'outbox_sending'] })
  })

  it('scheduled: only inside the owner\'s window on the shop\'s clock, never without one', () => {
    // 19:30Z = 03:30 in Shanghai
    expect(moment({}, 'scheduled', at('2026-11-22T19:30:00Z')).reasons).toEqual(['no_window'])
    expect(moment({}, 'scheduled', at('2026-11-22T19:30:00Z'), { installAt: '03:00', windowMinutes: 60 })).toEqual({ safe: true, reasons: [] })
    expect(moment({}, 'scheduled', at('2026-11-22T20:00:00Z'), { installAt: '03:00', windowMinutes: 60 }).reasons).toEqual(['outside_window'])
    expect(moment({}, 'scheduled', at('2026-11-22T18:59:00Z'), { installAt: '03:00', windowMinutes: 60 }).reasons).toEqual(['outside_window'])
    // a window in progress still waits for an open checkout
    expect(moment({ openCheckouts: 1 }, 'scheduled', at('2026-11-22T19:30:00Z'), { installAt: '03:00' }).reasons).toEqual(['open_checkout'])
    // quit ignores the window
    expect(moment({}, 'quit', at('2026-11-22T12:00:00Z'), { installAt: '03:00' }).safe).toBe(true)
  })

  it('a window may run past midnight', () => {
    // 23:30–00:30 Shanghai; 16:15Z = 00:15 next day in Shanghai, 15:29Z = 23:29
    expect(inWindow(at('2026-11-22T16:15:00Z'), '23:30', 60, 'Asia/Shanghai')).toBe(true)
    expect(inWindow(at('2026-11-22T15:29:00Z'), '23:30', 60, 'Asia/Shanghai')).toBe(false)
    expect(inWindow(at('2026-11-22T16:30:00Z'), '23:30', 60, 'Asia/Shanghai')).toBe(false)
  })
})

describe('installing on a real ledger: what is in progress, and the backup first', () => {
  it('nothing in progress: quit is safe, after a backup written and checked', async () => {
    const t = till()
    call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 10_000 }, t.cashier)
    const r = await prepare(t.core, 'quit')
    expect(r).toMatchObject({ safe: true, reasons: [] })
    expect(r.backup!.file.startsWith(t.backups)).toBe(true)
    expect(readdirSync(t.backups)).toEqual([r.backup!.file.slice(t.backups.length + 1)])
    expect(r.backup!.file).toMatch(/ledger-before-update-2026-11-22T03-00-00-000Z-from-0\.1\.0\.sqlite$/)
    // the copy is a ledger of its own: same schema, same journal, opens read-only without a -wal
    const copy = new Database(r.backup!.file, { readonly: true })
    const live = t.core.db
    expect(copy.pragma('user_version', { simple: true })).toBe(live.pragma('user_version', { simple: true }))
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
    const last = (db: Database.Database) => db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get()
    expect(last(copy)).toEqual(last(live))
    expect(r.backup!.events).toBe((live.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n)
    copy.close()
  })

  it('an open checkout holds the install back, and no backup is made; paid in cash, it may go', async () => {
    const t = till()
    const c = startCheckout(t.core, t.cashier)
    expect(await prepare(t.core, 'quit')).toEqual({ safe: false, reasons: ['open_checkout'], backup: null })
    expect(() => readdirSync(t.backups)).toThrow()
    const paid = call<Checkout>(t.core, 'tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: c.total, tendered: c.total }, t.cashier)
    expect(paid.state).toBe('completed')
    expect((await prepare(t.core, 'quit')).safe).toBe(true)
  })

  it('a tender attempt in flight (written ahead, not final) holds the install back', async () => {
    const t = till()
    const c = startCheckout(t.core, t.cashier)
    reserveAttempt(t.core.db, { checkoutId: c.id, attemptId: newId(), method: 'card', flow: 'terminal', amount: c.total, at: new Date().toISOString() })
    expect(tillActivity(t.core.db, false)).toMatchObject({ openCheckouts: 1, attemptsInFlight: 1 })
    expect(await prepare(t.core, 'quit')).toEqual({ safe: false, reasons: ['open_checkout', 'attempt_in_flight'], backup: null })
  })

  it('a batch mid-send to the platform holds the install back', async () => {
    const t = till()
    const deps: UpdatesDeps = { db: t.core.db, now: () => at('2026-11-22T03:00:00Z'), settings: () => readSettings(t.core.db), must: () => { throw new Error('unused') }, outboxSending: () => true }
    expect(await prepareInstall(deps, 'quit', '0.1.0')).toEqual({ safe: false, reasons: ['outbox_sending'], backup: null })
    expect((await prepareInstall({ ...deps, outboxSending: () => false }, 'quit', '0.1.0')).safe).toBe(true)
  })

  it('scheduled: the owner\'s window, set by the owner only; a bad address changes nothing', async () => {
    const t = till()
    // the demo clock is 03:00Z = 11:00 in Shanghai
    expect(await prepare(t.core, 'scheduled')).toMatchObject({ safe: false, reasons: ['no_window'] })
    for (const session of [t.cashier, t.supervisor, undefined]) {
      const denied = t.core.handle({ channel: 'update-settings-save', input: { serverUrl: 'https://updates.example.com/daybook', installAt: '10:30', windowMinutes: 60 }, session })
      expect(denied).toMatchObject({ ok: false, error: { code: session ? 'forbidden' : 'not_signed_in' } })
    }
    const bad = t.core.handle({ channel: 'update-settings-save', input: { serverUrl: 'ftp://user:pw@x/', installAt: '25:00', windowMinutes: 60 }, session: t.owner })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(readSettings(t.core.db).updates).toEqual(DEFAULT_UPDATE_SETTINGS)
    // a supervisor may still read them
    expect(call<{ settings: UpdateSettings }>(t.core, 'update-status', {}, t.supervisor).settings).toEqual(DEFAULT_UPDATE_SETTINGS)
    const saved = call(t.core, 'update-settings-save', { serverUrl: 'https://updates.example.com/daybook', installAt: '10:30', windowMinutes: 60 }, t.owner)
    expect(saved).toEqual({ serverUrl: 'https://updates.example.com/daybook', installAt: '10:30', windowMinutes: 60 })
    expect(call(t.core, 'update-config', {})).toEqual({ settings: saved, timeZone: 'Asia/Shanghai' })
    // the store settings keep it (and the owner's store form round-trips it)
    expect(call<{ updates: unknown }>(t.core, 'settings-get', {}, t.owner).updates).toEqual(saved)
    expect((await prepare(t.core, 'scheduled')).safe).toBe(true)
    call(t.core, 'update-settings-save', { ...(saved as UpdateSettings), installAt: '11:30' }, t.owner)
    expect(await prepare(t.core, 'scheduled')).toMatchObject({ safe: false, reasons: ['outside_window'], backup: null })
  })

  it("'update-status' says what an install at quit would wait for, the folders, and the updater's last report", async () => {
    const t = till()
    type Status = { atQuit: { safe: boolean; reasons: string[] }; dataFolder: string; backupFolder: string; report: { state: string; availableVersion: string | null } | null }
    expect(call<Status>(t.core, 'update-status', {}, t.cashier)).toMatchObject({ atQuit: { safe: true, reasons: [] }, dataFolder: t.dir, backupFolder: t.backups, report: null })
    startCheckout(t.core, t.cashier)
    expect(call<Status>(t.core, 'update-status', {}, t.cashier).atQuit).toEqual({ safe: false, reasons: ['open_checkout'] })
    expect(await t.core.invokeFromShell({ channel: 'update-report', input: { state: 'downloaded', currentVersion: '0.1.0', availableVersion: '0.2.0', message: null, at: '2026-11-22T03:00:00Z' } })).toEqual({ ok: true, value: null })
    expect(call<Status>(t.core, 'update-status', {}, t.cashier).report).toMatchObject({ state: 'downloaded', availableVersion: '0.2.0' })
    // a report that does not fit the contract changes nothing
    expect(await t.core.invokeFromShell({ channel: 'update-report', input: { state: 'hacked', currentVersion: '0.1.0', availableVersion: null, message: null, at: 'x' } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(call<Status>(t.core, 'update-status', {}, t.cashier).report).toMatchObject({ state: 'downloaded' })
  })

  it('a backup that fails its check is refused and deleted: no install', async () => {
    const t = till()
    call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: '3' }] }, cashTendered: 10_000 }, t.cashier)
    const corrupting: typeof writeBackup = async (db, dir, o) => {
      const file = await writeBackup(db, dir, o)
      // overwrite the middle of the file (table pages), as a failing disk would
      const bytes = readFileSync(file)
      bytes.fill(0x5a, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 8192)
      writeFileSync(file, bytes)
      return file
    }
    const deps: UpdatesDeps = { db: t.core.db, now: () => at('2026-11-22T03:00:00Z'), settings: () => readSettings(t.core.db), must: () => { throw new Error('unused') }, outboxSending: () => false, writeBackup: corrupting }
    const e = await prepareInstall(deps, 'quit', '0.1.0').then(
      () => null,
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(UpdateError)
    expect((e as UpdateError).reason).toBe('backup_corrupt')
    expect(readdirSync(t.backups)).toEqual([])
  })

  it('a backup of another schema version, or a tampered journal, fails the check', async () => {
    const t = till()
    call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1003', quantity: '1' }] }, cashTendered: 10_000 }, t.cashier)
    const v = t.core.db.pragma('user_version', { simple: true }) as number
    const a = await writeBackup(t.core.db, t.backups, { now: () => at('2026-11-22T03:00:00Z') })
    await expect(checkBackup(a, { userVersion: v + 1 })).rejects.toMatchObject({ reason: 'backup_corrupt' })
    const b = await writeBackup(t.core.db, t.backups, { now: () => at('2026-11-22T03:00:01Z') })
    const db = new Database(b)
    db.pragma('foreign_keys = OFF')
    // the journal refuses updates (triggers): drop them on the copy, as tampering would
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal'").all() as { name: string }[]) db.exec(`DROP TRIGGER ${name}`)
    const changed = db.prepare("UPDATE journal SET payload = replace(payload, '\"quantity\":\"1\"', '\"quantity\":\"9\"') WHERE type = 'sale.completed'").run().changes
    expect(changed).toBe(1)
    db.close()
    await expect(checkBackup(b, { userVersion: v })).rejects.toMatchObject({ reason: 'backup_corrupt' })
    expect(readdirSync(t.backups)).toEqual([])
  })
})

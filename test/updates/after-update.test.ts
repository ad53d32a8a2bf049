import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backupLedger } from '../../src/main/core/backup/backup'
import { MIGRATIONS } from '../../src/main/core/db/migrations'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { LEDGER_FILE, openCore } from '../../src/main/core/open-core'
import type { Core } from '../../src/main/core/service'
import { startFailureAdvice } from '../../src/main/core/updates/after-update'
import { newId } from '../../src/shared/ids'
import { call, demoCore, openShift, RESOURCES, signIn, tempDir } from '../helpers/tmp'

const cores: Core[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
})

/** A demo ledger with a sale in it, closed again; returns its data folder. */
function ledgerWithASale(): string {
  const t = demoCore()
  const cashier = signIn(t.core, 'Li Na', '1111')
  openShift(t.core, cashier)
  call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 10_000 }, cashier)
  t.core.db.close()
  return t.dir
}

describe('after an update', () => {
  it('a migration that fails: openDatabase refuses, nothing changed, and the advice names the copy it took', async () => {
    const dir = ledgerWithASale()
    const file = join(dir, LEDGER_FILE)
    const before = readFileSync(file)
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'the next version', up: () => { throw new Error('boom') } }]
    expect(() => openDatabase(file, { migrations: broken })).toThrow(expect.objectContaining({ code: 'migration_failed' }))
    const advice = startFailureAdvice(dir)
    expect(advice.migrationBackups).toHaveLength(1)
    expect(advice.migrationBackups[0]).toMatch(new RegExp(`ledger\\.sqlite\\.v${latest}\\..*\\.bak$`))
    expect(advice.text).toContain(advice.migrationBackups[0]!)
    // the copy is the ledger as it was; the ledger itself still opens on the old schema
    expect(readFileSync(advice.migrationBackups[0]!).length).toBeGreaterThanOrEqual(before.length)
    const db = openDatabase(file)
    expect(db.pragma('user_version', { simple: true })).toBe(latest)
    db.close()
  })

  it('the advice also names the checked backup taken before the install', async () => {
    const dir = ledgerWithASale()
    const db = openDatabase(join(dir, LEDGER_FILE))
    const made = (await backupLedger(db, join(dir, 'backups'), { prefix: 'ledger-before-update', tag: 'from-0.1.0', now: () => new Date('2026-11-22T03:00:00Z') })).file
    db.close()
    const advice = startFailureAdvice(dir)
    expect(advice.updateBackup).toBe(made)
    expect(advice.text).toContain(made)
    expect(startFailureAdvice(tempDir()).text).toContain('untouched')
  })

  it('a ledger from a newer Daybook is refused (never a downgrade onto it)', () => {
    const dir = ledgerWithASale()
    const file = join(dir, LEDGER_FILE)
    expect(() => openDatabase(file, { migrations: MIGRATIONS.slice(0, -1) })).toThrow(expect.objectContaining({ code: 'db_newer_than_app' }))
  })

  it("'update-after-start' runs the verifier on the ledger the new version opened", async () => {
    const dir = ledgerWithASale()
    const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false })
    cores.push(core)
    const answer = await core.invokeFromShell({ channel: 'update-after-start', input: { version: '0.2.0', previousVersion: '0.1.0' } })
    if (!answer.ok) throw new Error(answer.error.message)
    const r = answer.value as { ok: boolean; message: string; backupFolder: string }
    expect(r.ok).toBe(true)
    expect(r.message).toMatch(/checked after the update, \d+ events, nothing wrong/)
    expect(r.backupFolder).toBe(join(dir, 'backups'))
    expect(existsSync(join(dir, LEDGER_FILE))).toBe(true)
  })
})

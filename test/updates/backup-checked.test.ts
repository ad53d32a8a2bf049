import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backupLedger, checkBackup, writeBackup } from '../../src/main/core/backup/backup'
import type { Core } from '../../src/main/core/service'
import { readSettings } from '../../src/main/core/settings'
import { newestBackup, startFailureAdvice } from '../../src/main/core/updates/after-update'
import { prepareInstall, type UpdatesDeps } from '../../src/main/core/updates/handlers'
import { newId } from '../../src/shared/ids'
import { call, demoCore, openShift, signIn, tempDir } from '../helpers/tmp'

/**
 * A pre-update backup gets its final name only after its check passed; nothing presents an
 * unchecked copy as "the checked backup"; and a till whose update keeps not installing does not
 * gather a full copy of its ledger at every quit.
 */

const cores: Core[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
})

function till() {
  const t = demoCore()
  cores.push(t.core)
  const cashier = signIn(t.core, 'Li Na', '1111')
  openShift(t.core, cashier)
  call(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 10_000 }, cashier)
  return { ...t, cashier, backups: join(t.dir, 'backups') }
}

function deps(t: ReturnType<typeof till>, o: Partial<UpdatesDeps> = {}): UpdatesDeps {
  let tick = 0
  return {
    db: t.core.db,
    // each backup a second later: distinct names
    now: () => new Date(Date.UTC(2026, 10, 22, 3, 0, tick++)),
    settings: () => readSettings(t.core.db),
    must: () => {
      throw new Error('unused')
    },
    outboxSending: () => false,
    ...o,
  }
}

const names = (dir: string) => readdirSync(dir).sort()

describe('the pre-update backup is named only once checked', () => {
  it('a copy whose check is cut off (the shell gives up and quits) is never "the checked backup"', async () => {
    const t = till()
    let checking = false
    // a check that never ends: what the core host being killed mid-check leaves on disk
    const never: typeof checkBackup = () => {
      checking = true
      return new Promise(() => {})
    }
    void prepareInstall(deps(t, { checkBackup: never }), 'quit', '0.1.0')
    await expect.poll(() => checking, { timeout: 10_000 }).toBe(true)
    const left = names(t.backups)
    expect(left).toHaveLength(1)
    expect(left[0]).toMatch(/^ledger-before-update-.*-from-0\.1\.0\.sqlite\.part$/)
    expect(newestBackup(t.backups)).toBeNull()
    const advice = startFailureAdvice(t.dir)
    expect(advice.updateBackup).toBeNull()
    expect(advice.text).not.toContain('checked backup')
    // the next attempt removes the unchecked leftover and leaves one checked backup
    const next = await prepareInstall(deps(t), 'quit', '0.1.0')
    expect(next.safe).toBe(true)
    expect(names(t.backups)).toEqual([next.backup!.file.slice(t.backups.length + 1)])
    expect(newestBackup(t.backups)).toBe(next.backup!.file)
    expect(startFailureAdvice(t.dir).updateBackup).toBe(next.backup!.file)
  })

  it('writeBackup alone gives an unchecked .part; backupLedger renames it only after the check, and deletes it when the check throws', async () => {
    const t = till()
    const part = await writeBackup(t.core.db, t.backups, { prefix: 'ledger-before-update', now: () => new Date('2026-11-22T03:00:00Z') })
    expect(part.endsWith('.sqlite.part')).toBe(true)
    expect(newestBackup(t.backups)).toBeNull()
    const broken: typeof checkBackup = () => Promise.reject(new Error('the disk went away'))
    await expect(backupLedger(t.core.db, t.backups, { prefix: 'ledger-before-update', now: () => new Date('2026-11-22T03:00:01Z'), check: broken })).rejects.toMatchObject({ reason: 'backup_failed' })
    // only the first .part (written by hand above) is left; the failed one is gone and nothing is named
    expect(names(t.backups)).toEqual([part.slice(t.backups.length + 1)])
    let seen: string | null = null
    const spying: typeof checkBackup = (file, expected) => {
      seen = file
      expect(names(t.backups)).toContain(file.slice(t.backups.length + 1)) // checked under its unchecked name
      return checkBackup(file, expected)
    }
    const ok = await backupLedger(t.core.db, t.backups, { prefix: 'ledger-before-update', now: () => new Date('2026-11-22T03:00:02Z'), check: spying })
    expect(seen).toMatch(/\.sqlite\.part$/)
    expect(ok.file).toBe(join(t.backups, 'ledger-before-update-2026-11-22T03-00-02-000Z.sqlite'))
    expect(newestBackup(t.backups)).toBe(ok.file)
  })

  it('a file merely named like a backup with anything after .sqlite is not one', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ledger-before-update-2026-11-22T03-00-00-000Z.sqlite.part'), 'x')
    writeFileSync(join(dir, 'ledger-before-update-2026-11-22T03-00-00-000Z.sqlite.tmp'), 'x')
    expect(newestBackup(dir)).toBeNull()
    writeFileSync(join(dir, 'ledger-before-update-2026-11-22T02-00-00-000Z-from-0.1.0.sqlite'), 'x')
    writeFileSync(join(dir, 'ledger-before-update-2026-11-22T01-00-00-000Z.sqlite'), 'x')
    expect(newestBackup(dir)).toBe(join(dir, 'ledger-before-update-2026-11-22T02-00-00-000Z-from-0.1.0.sqlite'))
  })
})

describe('no new full copy at each quit when the install does not happen', () => {
  it('quitting again and again on the same version keeps only the newest backup; one taken before an install to another version stays', async () => {
    const t = till()
    const d = deps(t)
    const files: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await prepareInstall(d, 'quit', '0.1.0')
      expect(r.safe).toBe(true)
      files.push(r.backup!.file)
      // the shell did not install (it gave up, or the installer failed): still 0.1.0
      expect(names(t.backups)).toEqual([r.backup!.file.slice(t.backups.length + 1)])
    }
    expect(new Set(files).size).toBe(3)
    // now the install to 0.2.0 happened; on 0.2.0 the next update's backup does not touch 0.1.0's
    const on2 = await prepareInstall(d, 'quit', '0.2.0')
    expect(names(t.backups)).toEqual([files[2]!, on2.backup!.file].map((f) => f.slice(t.backups.length + 1)).sort())
    const again = await prepareInstall(d, 'quit', '0.2.0')
    expect(names(t.backups)).toEqual([files[2]!, again.backup!.file].map((f) => f.slice(t.backups.length + 1)).sort())
  })

  it('a backup after which the till is no longer quiet (something started meanwhile) is deleted: no install, no copy', async () => {
    const t = till()
    let asked = 0
    // quiet when first asked, sending by the time the backup is done
    const r = await prepareInstall(deps(t, { outboxSending: () => asked++ > 0 }), 'quit', '0.1.0')
    expect(r).toEqual({ safe: false, reasons: ['outbox_sending'], backup: null })
    expect(names(t.backups)).toEqual([])
  })
})

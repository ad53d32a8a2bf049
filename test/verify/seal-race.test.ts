import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { sealPath } from '../../src/main/core/verify/seal'
import { verifyLedgerFile } from '../../src/main/core/verify/verify'
import { makeLedger, shell, type Made } from './ledger'

/**
 * A new seal vouches for the bytes the walk proved, not for a later read: its digest is taken
 * before the walk, so a change landing between the two is either in the digest and seen by the walk
 * (then nothing is sealed), or after both (then the next verify's digest differs). Here the change
 * lands right when the digest is about to be taken (a hook on digestTasks).
 */
const hook: { fn: (() => void) | null } = { fn: null }
vi.mock('../../src/main/core/verify/seal', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/main/core/verify/seal')>()
  return {
    ...orig,
    digestTasks: (version: number, seq: number) => {
      const f = hook.fn
      hook.fn = null
      f?.()
      return orig.digestTasks(version, seq)
    },
  }
})

let dir: string
let made: Made
beforeAll(() => {
  made = makeLedger({ openDaySales: 2 })
  dir = mkdtempSync(join(tmpdir(), 'daybook-seal-race-'))
  process.env.DAYBOOK_VERIFY_KEY_FILE = join(dir, 'verify-seal.key')
  made.core.db.pragma('wal_checkpoint(TRUNCATE)')
  copyFileSync(made.file, join(dir, 'base.sqlite'))
})
afterAll(() => {
  made.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a row changed while a seal is being made', () => {
  it('is seen by the walk, and nothing is sealed', async () => {
    const file = join(dir, 'race.sqlite')
    copyFileSync(join(dir, 'base.sqlite'), file)
    hook.fn = () => {
      const db = shell(file)
      db.prepare('UPDATE orders SET total_minor = total_minor + 1 WHERE journal_seq = (SELECT min(journal_seq) FROM orders)').run()
      db.close()
    }
    const first = await verifyLedgerFile(file, { workers: 1 })
    expect(hook.fn).toBeNull()
    expect(first.ok).toBe(false)
    expect(first.problem?.kind).toBe('row_differs')
    expect(first.seal?.written).toBeNull()
    expect(existsSync(sealPath(file))).toBe(false)
  })
})

// The benchmarks' generated ledger (bench/ledger-gen.ts) must be a ledger the till itself accepts:
// `npm run daybook -- verify` passes on it and the core opens it and answers from it. Its cache is
// keyed, and a stale or foreign file is rebuilt, never reused.
import { spawnSync } from 'node:child_process'
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureLedger } from '../../bench/ledger-gen'
import { openCore } from '../../src/main/core/open-core'
import { DEMO_STAFF } from '../../src/main/core/seed'
import { REPO, RESOURCES, tempDir } from '../helpers/tmp'

const ORDERS = 1500 // two business days: one closed with its Z, the last one still open

describe('bench/ledger-gen.ts', () => {
  it('builds a ledger that `npm run daybook -- verify` passes and the till opens, order list and X report included', async () => {
    const cache = tempDir('daybook-bench-cache-')
    const lines: string[] = []
    const info = ensureLedger({ orders: ORDERS, resourcesDir: RESOURCES, log: (l) => lines.push(l), cacheDir: cache })
    expect(info.reused).toBe(false)
    expect(info.orders).toBe(ORDERS)
    expect(info.closures).toBeGreaterThanOrEqual(1)
    expect(info.file.startsWith(cache)).toBe(true)

    // The CLI, as a user runs it (`npm run daybook` is `tsx src/main/core/cli.ts`).
    const cli = spawnSync(join(REPO, 'node_modules/.bin/tsx'), [join(REPO, 'src/main/core/cli.ts'), 'verify', info.file], { cwd: REPO, encoding: 'utf8', timeout: 120_000 })
    expect(cli.stderr).toBe('')
    expect(cli.status).toBe(0)
    expect(cli.stdout).toMatch(/Journal intact: \d+ events/)
    expect(cli.stdout).toContain(`${ORDERS.toLocaleString('en')} orders`)

    // The till opens a copy (opening may write: the cache stays as built) on the last business day.
    const dataDir = tempDir()
    copyFileSync(info.file, join(dataDir, 'ledger.sqlite'))
    const now = new Date(`${info.lastBusinessDate}T22:30:00.000+08:00`)
    const { core, seeded } = openCore({ dataDir, demo: true, resourcesDir: RESOURCES, startSync: false, now: () => now })
    try {
      expect(seeded).toBeNull() // a ledger with staff is left alone
      const staff = core.handle({ channel: 'staff-list', input: {} })
      if (!staff.ok) throw new Error(JSON.stringify(staff))
      const people = staff.value as { id: string; role: string }[]
      const sup = people.find((p) => p.role === 'supervisor')
      const pin = DEMO_STAFF.find((s) => s.role === 'supervisor')?.pin
      const session = core.handle({ channel: 'session-signin', input: { staffId: sup?.id, pin } })
      if (!session.ok) throw new Error(JSON.stringify(session))
      const token = (session.value as { token: string }).token
      const list = core.handle({ channel: 'order-list', input: { businessDate: info.lastBusinessDate }, session: token })
      if (!list.ok) throw new Error(JSON.stringify(list))
      const orders = list.value as { id: string }[]
      expect(orders.length).toBeGreaterThan(0)
      const one = core.handle({ channel: 'order-get', input: { id: orders[0]?.id }, session: token })
      if (!one.ok) throw new Error(JSON.stringify(one))
      expect(one.value).toMatchObject({ id: orders[0]?.id, businessDate: info.lastBusinessDate })
      const x = core.handle({ channel: 'day-x', input: {}, session: token })
      if (!x.ok) throw new Error(JSON.stringify(x))
      expect(JSON.stringify(x.value)).toContain(info.lastBusinessDate)
      expect((x.value as { shifts: unknown[] }).shifts.length).toBe(1)
    } finally {
      await core.close()
    }
  }, 180_000)

  it('reuses its cached file only when the key and the re-check agree; a foreign or damaged file is rebuilt', () => {
    const cache = tempDir('daybook-bench-cache-')
    const o = { orders: 300, resourcesDir: RESOURCES, log: () => {}, cacheDir: cache }
    const first = ensureLedger(o)
    expect(first.reused).toBe(false)
    const again = ensureLedger(o)
    expect(again).toMatchObject({ reused: true, file: first.file, key: first.key })

    // An info file that names another key (another generator, schema or size): rebuilt.
    const infoFile = `${first.file}.json`
    writeFileSync(infoFile, JSON.stringify({ ...JSON.parse(readFileSync(infoFile, 'utf8')), key: 'orders300-schema1-000000000000' }))
    expect(ensureLedger(o).reused).toBe(false)

    // A file that is not the ledger its info describes (a foreign ledger copied over it): rebuilt.
    const other = ensureLedger({ ...o, orders: 301 })
    copyFileSync(other.file, first.file)
    expect(ensureLedger(o).reused).toBe(false)

    // Garbage: rebuilt.
    writeFileSync(first.file, 'not a ledger')
    const rebuilt = ensureLedger(o)
    expect(rebuilt.reused).toBe(false)
    expect(ensureLedger(o).reused).toBe(true)
  }, 180_000)
})

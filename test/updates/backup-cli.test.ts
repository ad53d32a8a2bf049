import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { REPO, RESOURCES, tempDir } from '../helpers/tmp'

// tsx's CLI run by this Node (not node_modules/.bin/tsx: a .cmd on Windows runners)
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli')
const children: ChildProcess[] = []
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill('SIGTERM')
      await exited
    }
  }
})

/** Starts the seller; `committed()` is how many sales it has said are committed so far. */
function startSeller(dataDir: string) {
  const child = spawn(process.execPath, [TSX_CLI, join(__dirname, 'seller.ts'), dataDir, RESOURCES], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let committed = 0
  let buf = ''
  let err = ''
  const waiters: { n: number; resolve: () => void }[] = []
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.startsWith('committed ')) committed = Number(line.slice(10))
    }
    for (const w of waiters.splice(0)) if (committed >= w.n) w.resolve()
    else waiters.push(w)
  })
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  /** Resolves once `n` sales are committed; fails on exit or after `ms`. */
  const until = (n: number, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (committed >= n) return resolve()
      const timer = setTimeout(() => reject(new Error(`the seller committed only ${committed} of ${n} in ${ms} ms: ${err.slice(0, 500)}`)), ms)
      child.once('exit', (code) => reject(new Error(`the seller exited (${code}): ${err.slice(0, 500)}`)))
      waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) })
    })
  return { child, until, committed: () => committed }
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX_CLI, join(REPO, 'src/main/core/cli.ts'), ...args], { cwd: REPO, timeout: 120_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('npm run daybook -- backup <db> <dir>', () => {
  it('copies a ledger another process is selling into, consistently, checks it and prints its path', async () => {
    const data = tempDir()
    const out = join(tempDir(), 'backups')
    const seller = startSeller(data)
    await seller.until(30)
    const before = seller.committed()
    const r = await cli(['backup', join(data, 'ledger.sqlite'), out])
    const after = seller.committed()
    expect(r.stderr).toMatch(/Checked: integrity ok, schema \d+, \d+ journal events verified/)
    expect(r.code).toBe(0)
    const file = r.stdout.trim()
    expect(file.startsWith(out)).toBe(true)
    expect(basename(file)).toMatch(/^ledger-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.sqlite$/)
    expect(existsSync(file)).toBe(true)
    // the till kept selling while the copy was made
    await seller.until(after + 5)
    expect(after).toBeGreaterThan(before)

    // the copy: a whole ledger of one moment, at least every sale committed before the backup began
    const db = new Database(file, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const orders = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
      expect(orders).toBeGreaterThanOrEqual(before)
      expect(orders).toBeLessThan(seller.committed() + 1)
      const report = verifyLedger(db)
      expect(report.problem).toBeNull()
      expect(report.ok).toBe(true)
    } finally {
      db.close()
    }
  })

  it('refuses a missing ledger with a message and exit 1, and bad usage with 2', async () => {
    const dir = tempDir()
    const r = await cli(['backup', join(dir, 'nope.sqlite'), join(dir, 'out')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/There is no ledger at/)
    expect(existsSync(join(dir, 'out'))).toBe(false)
    expect((await cli(['backup', join(dir, 'nope.sqlite')])).code).toBe(2)
  })
})

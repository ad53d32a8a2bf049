import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { buildSync } from 'esbuild'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LEDGER_FILE, openCore } from '../../src/main/core/open-core'
import type { PrintJob } from '../../src/shared/printing-contract'
import { startPrinterSim, type PrinterSim } from '../../src/platform/printer-sim'
import { REPO, RESOURCES, tempDir } from '../helpers/tmp'
import { ask, settled } from './support'

/**
 * A REAL crash (SIGKILL of a child process) between a sale's commit and its print: after the
 * restart the receipt prints, exactly once — however many times the till starts again — but the
 * drawer does not spring open for that old sale. A crash while the job was being sent is not
 * re-sent by itself (it may have printed): the job waits, failed with "check the roll", for a
 * person's Retry, which prints it once, without kicking the drawer a second time.
 */
let seller = ''
const sims: PrinterSim[] = []
beforeAll(() => {
  const outDir = join(REPO, 'node_modules', '.cache', 'daybook-printing-crash')
  mkdirSync(outDir, { recursive: true })
  seller = join(outDir, 'crash-seller.cjs')
  buildSync({ entryPoints: [join(__dirname, 'crash-seller.ts')], bundle: true, platform: 'node', format: 'cjs', external: ['better-sqlite3'], outfile: seller, logLevel: 'error' })
})
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

/** Runs the seller; once it says its sale committed, `killWhen` decides when to SIGKILL it. Resolves with the order id. */
function sellAndKill(dataDir: string, sim: PrinterSim, mode: 'block' | 'run', killWhen: () => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [seller, dataDir, RESOURCES, sim.host, String(sim.port), mode], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let orderId = ''
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /committed (\S+)\n/.exec(out)
      if (m && !orderId) {
        orderId = m[1]!
        killWhen().then(
          () => child.kill('SIGKILL'),
          (e: unknown) => {
            child.kill('SIGKILL')
            reject(e instanceof Error ? e : new Error(String(e)))
          },
        )
      }
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline)
      if (signal !== 'SIGKILL' || !orderId) reject(new Error(`the seller ended on its own (${signal}): ${err.slice(0, 800)}`))
      else resolve(orderId)
    })
  })
}

function jobsInFile(dir: string): { id: string; state: string; failure_code: string | null }[] {
  const db = new Database(join(dir, LEDGER_FILE), { readonly: true })
  try {
    return db.prepare('SELECT id, state, failure_code FROM print_jobs ORDER BY id').all() as { id: string; state: string; failure_code: string | null }[]
  } finally {
    db.close()
  }
}

/** Starts the till again on the same ledger, lets it print what it finds, and stops it. */
async function restart(dir: string, also?: (core: ReturnType<typeof openCore>['core']) => Promise<void>): Promise<void> {
  const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false })
  await settled(core)
  if (also) await also(core)
  await core.close()
}

/** Polls the ledger file (read-only) until `pred`; bounded. */
async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting for the seller')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a crash between the sale and its receipt', () => {
  it('killed after the commit, before the print: the receipt prints after the restart, exactly once', async () => {
    const sim = await startPrinterSim({ width: 58 })
    sims.push(sim)
    const dir = tempDir('daybook-print-crash-')
    const orderId = await sellAndKill(dir, sim, 'block', async () => undefined)
    // The sale is in the ledger; nothing printed and no job made.
    expect(sim.jobs()).toHaveLength(0)
    expect(jobsInFile(dir)).toEqual([])
    await restart(dir)
    expect(jobsInFile(dir)).toEqual([{ id: `sale-${orderId}`, state: 'done', failure_code: null }])
    expect(sim.jobs()).toHaveLength(1)
    // the receipt, without the kick: the cash sale was made by the run that died, maybe hours ago
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 0, cuts: 1, qr: [expect.any(String)] })
    // starting again (and again) prints nothing more
    await restart(dir)
    await restart(dir)
    expect(sim.jobs()).toHaveLength(1)
  }, 60_000)

  it('killed while sending: marked "may have printed", never re-sent by itself; Retry prints it once', async () => {
    const sim = await startPrinterSim({ width: 58 })
    sims.push(sim)
    sim.setMode('slow', 60_000) // the status answer never comes before the kill
    const dir = tempDir('daybook-print-crash-')
    const orderId = await sellAndKill(dir, sim, 'run', () => until(() => jobsInFile(dir).some((j) => j.state === 'sending')))
    expect(jobsInFile(dir)).toEqual([{ id: `sale-${orderId}`, state: 'sending', failure_code: null }])
    sim.setMode('online')
    await restart(dir, async (core) => {
      const job = core.printing.get(`sale-${orderId}`)!
      expect(job).toMatchObject({ state: 'failed', failure: { code: 'interrupted' } })
      expect(job.failure!.message).toMatch(/may have printed — check the roll/)
      expect(sim.jobs()).toHaveLength(0)
      const owner = core.handle({ channel: 'session-signin', input: { staffId: (core.db.prepare("SELECT id FROM staff WHERE role = 'owner'").get() as { id: string }).id, pin: '9999' } })
      const session = owner.ok ? (owner.value as { token: string }).token : ''
      expect(await ask<PrintJob>(core, 'print-retry', { jobId: `sale-${orderId}` }, session)).toMatchObject({ state: 'done', attempts: 2 })
    })
    expect(sim.jobs()).toHaveLength(1)
    // the interrupted send may have kicked already: the Retry prints without kicking again
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 0, cuts: 1 })
    await restart(dir)
    expect(sim.jobs()).toHaveLength(1)
    expect(jobsInFile(dir)).toEqual([{ id: `sale-${orderId}`, state: 'done', failure_code: null }])
  }, 60_000)
})

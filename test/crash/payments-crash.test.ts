import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildSync } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { verifyJournal } from '../../src/main/core/journal'
import { LEDGER_FILE, openCore } from '../../src/main/core/open-core'
import { startTerminalSim, type RunningTerminalSim } from '../../src/platform/terminal-sim'
import { adminCall, createStoreAndDevice, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { expectBalancedPostings, REPO, RESOURCES, tempDir } from '../helpers/tmp'

/**
 * The customer is charged exactly once, whatever moment the till dies at. A bundled child pays
 * orders by card (the terminal simulator, Adyen Terminal API with encryption) and by customer
 * QR code (the platform's sandbox wallets, every scenario) and is SIGKILLed at random moments —
 * during a payment, during recovery — at least 100 times. After each restart it resolves what
 * was left open by asking; at the end every attempt in the ledger must agree with what the
 * provider did, and no attempt may have been charged twice.
 */

const KILLS = Number(process.env.DAYBOOK_PAY_CRASH_KILLS ?? 120)
let payer = ''
let platform: TestPlatform
let sim: RunningTerminalSim
let storeId = ''
let seed = Number(process.env.DAYBOOK_PAY_CRASH_SEED ?? Date.now() % 100_000)

function rnd(n: number): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed % n
}

beforeAll(async () => {
  const outDir = join(REPO, 'node_modules', '.cache', 'daybook-crash')
  mkdirSync(outDir, { recursive: true })
  payer = join(outDir, 'payer.cjs')
  buildSync({ entryPoints: [join(__dirname, 'payer.ts')], bundle: true, platform: 'node', format: 'cjs', external: ['better-sqlite3'], outfile: payer, logLevel: 'error' })
  platform = await startTestPlatform('pglite')
  sim = await startTerminalSim({ customerMs: 20 })
}, 120_000)

afterAll(async () => {
  await sim?.close()
  await platform?.close()
})

interface Run {
  lines: string[]
  killed: boolean
  exit: string
}

function run(dataDir: string, mode: 'pay' | 'recover', killAfterMs: number | null, killEarly: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [payer, dataDir, RESOURCES, String(rnd(1_000_000)), mode], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: string[] = []
    let buf = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    const kill = (): void => {
      child.kill('SIGKILL')
    }
    if (killAfterMs !== null && killEarly) timer = setTimeout(kill, killAfterMs)
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        lines.push(line)
        if (line === 'recovered' && killAfterMs !== null && !killEarly) timer = setTimeout(kill, killAfterMs)
      }
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    // Bounded: a run that neither finishes nor gets killed is a failure, not a hang.
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearTimeout(guard)
      resolve({ lines, killed: signal === 'SIGKILL', exit: signal === 'SIGKILL' ? '' : `exit ${code}: ${err.slice(0, 800)}` })
    })
  })
}

describe('payments survive SIGKILL at any step', () => {
  it(`charges exactly once across ${KILLS} random kills`, async () => {
    const dataDir = tempDir('daybook-paycrash-')
    const { storeId: sid, code } = await createStoreAndDevice(platform, 'Crash Mart')
    storeId = sid
    // Pair and configure the terminal once, as the owner would.
    {
      const { core } = openCore({ dataDir, demo: true, resourcesDir: RESOURCES, startSync: false })
      const staff = core.handle({ channel: 'staff-list', input: {} })
      const owner = (staff.ok ? (staff.value as { id: string; name: string }[]) : []).find((s) => s.name.includes('Wang Fang'))!
      const signin = core.handle({ channel: 'session-signin', input: { staffId: owner.id, pin: '9999' } })
      const session = signin.ok ? (signin.value as { token: string }).token : ''
      const paired = await core.invoke({ channel: 'sync-pair', input: { platformUrl: platform.url, code }, session })
      expect(paired.ok).toBe(true)
      const t = core.handle({
        channel: 'terminal-settings-save',
        input: { endpoint: sim.endpoint, poiId: sim.poiId, keyIdentifier: sim.keyIdentifier, keyVersion: sim.keyVersion, passphrase: sim.passphrase, caCertPem: sim.caCertPem },
        session,
      })
      expect(t.ok).toBe(true)
      await core.close()
    }

    let killsDuringRecovery = 0
    let attemptsSeen = 0
    for (let k = 0; k < KILLS; k++) {
      const early = rnd(5) === 0
      const r = await run(dataDir, 'pay', early ? rnd(400) : rnd(700), early)
      expect(r.exit, `run ${k}`).toBe('')
      if (!r.lines.includes('recovered')) killsDuringRecovery++
      attemptsSeen += r.lines.filter((l) => l.startsWith('attempt ')).length
    }
    const last = await run(dataDir, 'recover', null, false)
    expect(last.exit).toBe('exit 0: ')

    // ---- the verdict: the ledger against the providers ----------------------------------
    const db = openDatabase(join(dataDir, LEDGER_FILE), { readonly: true })
    try {
      expect(verifyJournal(db).problem).toBeNull()
      const attempts = db.prepare("SELECT id, checkout_id, method, flow, amount_minor, state FROM tender_attempts WHERE flow != 'cash'").all() as {
        id: string
        checkout_id: string
        method: string
        flow: string
        amount_minor: number
        state: string
      }[]
      expect(attempts.length).toBeGreaterThanOrEqual(KILLS / 2)
      expect(attempts.filter((a) => ['created', 'awaiting_customer', 'unknown'].includes(a.state))).toEqual([])

      // Cards: the terminal processed at most one payment per attempt, and the till agrees with it.
      const processed = sim.processed().filter((p) => p.category === 'Payment')
      const byTx = new Map<string, typeof processed>()
      for (const p of processed) byTx.set(p.transactionId, [...(byTx.get(p.transactionId) ?? []), p])
      for (const a of attempts.filter((x) => x.flow === 'terminal')) {
        const got = byTx.get(a.id) ?? []
        expect(got.length, `card attempt ${a.id}`).toBeLessThanOrEqual(1)
        const approved = got.some((p) => p.result === 'approved')
        expect(a.state === 'succeeded', `card attempt ${a.id}: till ${a.state}, terminal ${JSON.stringify(got)}`).toBe(approved)
        if (approved) expect(got[0]!.amount).toBe(a.amount_minor)
      }

      // QR: the platform's payment (the out_trade_no is the attempt id) says the same as the till.
      const days = [...new Set(db.prepare("SELECT substr(created_at, 1, 10) AS d FROM tender_attempts WHERE flow = 'customer_code'").all().map((r) => (r as { d: string }).d))]
      const payments = new Map<string, { state: string; amount: number }>()
      for (const d of days) {
        const res = await adminCall(platform, 'GET', `/v1/admin/stores/${storeId}/payments?date=${d}`)
        expect(res.status).toBe(200)
        for (const p of res.body.payments as { paymentId: string; state: string; amount: number }[]) payments.set(p.paymentId, p)
      }
      for (const a of attempts.filter((x) => x.flow === 'customer_code')) {
        const p = payments.get(a.id)
        const paid = p?.state === 'succeeded'
        expect(a.state === 'succeeded', `QR attempt ${a.id}: till ${a.state}, platform ${JSON.stringify(p)}`).toBe(paid)
        if (paid) expect(p!.amount).toBe(a.amount_minor)
      }

      // Every completed order is covered exactly once by its tenders.
      const bad = db
        .prepare('SELECT o.id FROM orders o WHERE o.paid_minor != (SELECT sum(amount_minor) FROM order_tenders t WHERE t.order_id = o.id) OR o.paid_minor < o.total_minor + o.cash_rounding_minor')
        .all()
      expect(bad).toEqual([])
      const orphans = db.prepare("SELECT count(*) AS n FROM checkouts WHERE state = 'open'").get() as { n: number }
      expect(orphans.n).toBe(0)

      // Every posted event has its balanced posting; cash went into the one shift the payer opened.
      expectBalancedPostings({ db })
      expect(db.prepare('SELECT count(*) AS n FROM shifts').get()).toEqual({ n: 1 })
      const cashOutsideShift = db
        .prepare("SELECT count(*) AS n FROM order_tenders t JOIN orders o ON o.id = t.order_id JOIN postings p ON p.journal_seq = o.journal_seq WHERE t.method = 'cash' AND p.shift_id IS NULL")
        .get() as { n: number }
      expect(cashOutsideShift.n).toBe(0)
      console.log(
        `payments crash: ${KILLS} kills (${killsDuringRecovery} during recovery), ${attemptsSeen} attempts started, ${attempts.length} in the ledger, ` +
          `${attempts.filter((a) => a.state === 'succeeded').length} paid, ${processed.length} terminal payments, ${payments.size} platform payments`,
      )
    } finally {
      db.close()
    }
  }, 1_200_000)
})

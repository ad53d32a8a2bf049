import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { seedDemoHistory, type DemoHistoryResult } from '../../src/main/core/demo/history'
import { openCore } from '../../src/main/core/open-core'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { MemorySecretStore } from '../../src/main/core/sync/secret-store'
import { locateCardNumber } from '../../src/shared/card-number'
import type { Closure } from '../../src/shared/shifts-contract'
import type { Reconciliation, ReconciliationSummary } from '../../src/shared/settlement-contract'
import { adminCall, createStoreAndDevice, startTestPlatform } from '../helpers/platform'
import { call, expectBalancedPostings, RESOURCES, signIn, tempDir } from '../helpers/tmp'

/** 11:00 in Shanghai on 2026-11-22: business day 2026-11-22 is "today". */
const NOW = new Date('2026-11-22T03:00:00Z')
const TODAY = '2026-11-22'

const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

function verifyFile(file: string): ReturnType<typeof verifyLedger> {
  const ro = new Database(file, { readonly: true })
  try {
    return verifyLedger(ro)
  } finally {
    ro.close()
  }
}

async function seeded(days: number): Promise<{ dir: string; file: string; result: DemoHistoryResult }> {
  const dir = tempDir('daybook-history-')
  const file = join(dir, 'ledger.sqlite')
  const result = await seedDemoHistory({ file, resourcesDir: RESOURCES, days, now: NOW })
  return { dir, file, result }
}

/** Opens the seeded ledger as `npm run serve -- --demo` would, at NOW. */
function open(dir: string): ReturnType<typeof openCore>['core'] {
  return openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, now: () => NOW, startSync: false }).core
}

function checkHistory(dir: string, file: string, days: number, result: DemoHistoryResult): void {
  const dates = Array.from({ length: days }, (_, i) => addDays(TODAY, i - days))
  expect(result).toMatchObject({ seeded: true, createdDemo: true, firstDate: dates[0], lastDate: dates[days - 1], closures: days })
  const core = open(dir)
  try {
    const db = core.db
    const n = (sql: string, ...p: unknown[]): number => (db.prepare(sql).get(...p) as { n: number }).n
    const session = signIn(core, 'Zhang Wei', '2222')

    // One Z a day, numbered without gaps, each on its day; the grand total runs on.
    const zs = call<Closure[]>(core, 'closure-list', { limit: 400 }, session).sort((a, b) => a.number - b.number)
    expect(zs.map((z) => z.number)).toEqual(dates.map((_, i) => i + 1))
    expect(zs.map((z) => z.businessDate)).toEqual(dates)
    let grand = 0
    for (const z of zs) {
      const f = z.figures
      // The Z is balanced in itself…
      expect(f.tenders.reduce((a, x) => a + x.net, 0)).toBe(f.net)
      expect(f.grossSales - f.discounts - f.refunds + f.rounding).toBe(f.net)
      expect(z.periodTotal).toBe(f.net)
      expect(z.previousGrandTotal).toBe(grand)
      grand = z.grandTotal
      expect(z.grandTotal).toBe(z.previousGrandTotal + z.periodTotal)
      // …and agrees with the postings of its day.
      expect(f.counts.orders).toBeGreaterThanOrEqual(40)
      expect(f.counts.orders).toBeLessThanOrEqual(121)
      expect(f.counts.orders).toBe(n("SELECT count(*) AS n FROM postings WHERE business_date = ? AND kind = 'sale'", z.businessDate))
      expect(f.grossSales - f.discounts).toBe(n('SELECT coalesce(sum(total_minor), 0) AS n FROM orders WHERE business_date = ?', z.businessDate))
      expect(f.counts.shiftsOpened).toBe(1)
      expect(f.counts.shiftsClosed).toBe(1)
      for (const t of f.tenders) {
        const clearing = n(
          "SELECT coalesce(sum(l.debit_minor - l.credit_minor), 0) AS n FROM ledger_lines l JOIN postings p ON p.journal_seq = l.journal_seq WHERE p.business_date = ? AND l.tag = 'tender' AND l.account = ?",
          z.businessDate,
          `clearing:${t.method}`,
        )
        expect([t.method, t.net]).toEqual([t.method, clearing])
      }
    }
    expectBalancedPostings(core)

    // Every tender kind, a few refunds and voids, cash movements, over/short approved by the supervisor.
    expect(db.prepare("SELECT DISTINCT method FROM tender_attempts WHERE state = 'succeeded' ORDER BY method").all()).toEqual(['alipay', 'card', 'cash', 'wechat'].map((method) => ({ method })))
    expect(db.prepare("SELECT DISTINCT flow FROM tender_attempts WHERE state = 'succeeded' ORDER BY flow").all()).toEqual(['cash', 'customer_code', 'merchant_qr', 'terminal'].map((flow) => ({ flow })))
    expect(n("SELECT count(*) AS n FROM orders o WHERE (SELECT count(DISTINCT method) FROM order_tenders t WHERE t.order_id = o.id) > 1")).toBeGreaterThan(0)
    expect(n("SELECT count(*) AS n FROM order_tenders WHERE method = 'cash' AND change_minor > 0")).toBeGreaterThan(0)
    expect(n("SELECT count(*) AS n FROM refunds WHERE state = 'succeeded'")).toBe(result.refunds)
    expect(result.refunds).toBeGreaterThan(0)
    expect(n("SELECT count(*) AS n FROM checkouts WHERE state = 'voided'")).toBe(result.voids)
    expect(result.voids).toBeGreaterThan(0)
    expect(n('SELECT count(*) AS n FROM cash_movements')).toBeGreaterThan(0)
    expect(n('SELECT count(*) AS n FROM shift_closes WHERE over_short_minor != 0')).toBeGreaterThan(0)
    expect(n("SELECT count(*) AS n FROM checkouts WHERE state IN ('open', 'voiding')")).toBe(0)

    // Statements imported at the till, reconciliation runs with the differences put in, some resolved.
    expect(n("SELECT count(*) AS n FROM journal WHERE type = 'reconciliation.completed'")).toBe(result.runs)
    expect(result.runs).toBeGreaterThanOrEqual(days - 1)
    const classes = new Set<string>()
    for (const d of dates.slice(0, -1)) {
      const runs = call<ReconciliationSummary[]>(core, 'reconcile-list', { businessDate: d }, session)
      expect(runs.length).toBeGreaterThan(0)
      for (const s of runs) for (const x of call<Reconciliation>(core, 'reconcile-get', { runId: s.id }, session).differences) classes.add(x.class)
    }
    expect([...classes].sort()).toEqual(expect.arrayContaining(['amount_mismatch', 'date_mismatch', 'missing_at_provider', 'missing_locally']))
    expect(n("SELECT count(*) AS n FROM journal WHERE type = 'reconciliation.resolved'")).toBe(result.resolved)
    expect(result.resolved).toBeGreaterThan(0)

    // Today is open and empty; the till is not paired and has no usable terminal.
    expect(n('SELECT count(*) AS n FROM postings WHERE business_date >= ?', TODAY)).toBe(0)
    expect(n('SELECT count(*) AS n FROM shifts WHERE business_date >= ?', TODAY)).toBe(0)
    expect(call<{ businessDate: string }>(core, 'app-info', {}).businessDate).toBe(TODAY)
    expect(call<unknown[]>(core, 'order-list', {}, session)).toEqual([])
    expect(core.sync.status().state).toBe('unpaired')
    expect(call<{ card: { available: boolean } }>(core, 'payments-status', {}, session).card.available).toBe(false)
    expect(call<{ ok: boolean }>(core, 'journal-verify', {}, session).ok).toBe(true)
    // Nothing the providers at the edge answered looks like a card number (a platform refuses such events).
    for (const j of db.prepare('SELECT seq, payload FROM journal').all() as { seq: number; payload: string }[]) {
      expect([j.seq, locateCardNumber(JSON.parse(j.payload))]).toEqual([j.seq, null])
    }
  } finally {
    void core.close()
  }
  expect(verifyFile(file)).toMatchObject({ ok: true })
}

describe('demo history (npm run serve -- --demo --history N)', () => {
  it('seeds 5 past days through the core: Zs, every tender, statements and reconciliations; today open; verify passes; a second seed is refused', async () => {
    const { dir, file, result } = await seeded(5)
    checkHistory(dir, file, 5, result)
    const before = (new Database(file, { readonly: true }).prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n
    const again = await seedDemoHistory({ file, resourcesDir: RESOURCES, days: 5, now: NOW })
    expect(again).toMatchObject({ seeded: false, orders: 0 })
    expect(again.reason).toMatch(/already has/)
    expect((new Database(file, { readonly: true }).prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(before)
  }, 60_000)

  it('is deterministic: the same seed sells the same days', async () => {
    const shape = async (): Promise<unknown[]> => {
      const dir = tempDir('daybook-history-')
      const file = join(dir, 'ledger.sqlite')
      await seedDemoHistory({ file, resourcesDir: RESOURCES, days: 2, now: NOW, seed: 7 })
      const db = new Database(file, { readonly: true })
      try {
        return db
          .prepare(
            `SELECT o.business_date, o.day_seq, o.created_at, o.total_minor, (SELECT group_concat(t.method || ':' || t.amount_minor, ' ') FROM order_tenders t WHERE t.order_id = o.id) AS tenders
             FROM orders o ORDER BY o.business_date, o.day_seq`,
          )
          .all()
      } finally {
        db.close()
      }
    }
    const a = await shape()
    expect(a.length).toBeGreaterThan(80)
    expect(await shape()).toEqual(a)
  }, 60_000)

  it('refuses a ledger that has sold, and leaves it alone', async () => {
    const dir = tempDir('daybook-history-')
    const core = open(dir)
    const session = signIn(core, 'Li Na', '1111')
    call(core, 'shift-open', { shiftId: '01JDEMQ0000000000000000AAA', count: [{ value: 10_000, kind: 'note', count: 1 }] }, session)
    await core.close()
    const r = await seedDemoHistory({ file: join(dir, 'ledger.sqlite'), resourcesDir: RESOURCES, days: 3, now: NOW })
    expect(r).toMatchObject({ seeded: false, createdDemo: false })
  })

  // The seeded ledger, paired with a fresh platform, sends its whole history and every Z verifies there.
  it('a seeded ledger paired with a platform syncs its history; the platform verifies every Z', async () => {
    const dir = tempDir('daybook-history-')
    const r = await seedDemoHistory({ file: join(dir, 'ledger.sqlite'), resourcesDir: RESOURCES, days: 3 })
    expect(r.seeded).toBe(true)
    const p = await startTestPlatform('pglite')
    const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, secrets: new MemorySecretStore() })
    try {
      const s = await createStoreAndDevice(p, 'Demo')
      const paired = await core.invoke({ channel: 'sync-pair', input: { platformUrl: p.url, code: s.code }, session: signIn(core, 'Wang Fang', '9999') })
      expect(paired.ok).toBe(true)
      const deadline = Date.now() + 60_000
      while (Date.now() < deadline && core.sync.status().pending > 0 && !core.sync.status().lastError) await new Promise((res) => setTimeout(res, 200))
      expect(core.sync.status()).toMatchObject({ pending: 0, lastError: null })
      const zs = (await adminCall(p, 'GET', `/v1/admin/stores/${s.storeId}/closures`)).body as { closures: { verification: { state: string } }[] }
      expect(zs.closures.map((z) => z.verification.state)).toEqual(['verified', 'verified', 'verified'])
    } finally {
      await core.close()
      await p.close()
    }
  }, 120_000)
})

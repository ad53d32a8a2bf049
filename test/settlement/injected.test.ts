import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessDate } from '../../src/main/core/business-day'
import { nextDay } from '../../src/main/core/settlement/classify'
import { paymentFeeWith } from '../../src/platform/payments/fees'
import type { TerminalSim } from '../../src/platform/terminal-sim'
import type { Reconciliation } from '../../src/shared/settlement-contract'
import { PLATFORM_BACKENDS, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { till, type Till } from '../payments/helpers'
import type { TestClock } from '../platform/payments-support'
import { clockAt } from '../platform/statements-support'
import { startSim } from '../terminal/helpers'
import {
  fetchStatements,
  injectWallet,
  reconcile,
  declineCard,
  sellCard,
  sellWallet,
  shapeOf,
  startCardPlatform,
  type CardPlatform,
  type RecordedDifference,
  type Sale,
  type WalletName,
} from './injected-support'

/**
 * Issue 11, end to end: "for each injected difference class, the till reports exactly that class on
 * exactly those rows and nothing else". A real platform (PGlite; PostgreSQL too with
 * DAYBOOK_TEST_PG_URL) and, per case, a fresh store with a real till core on its own SQLite file,
 * paired. The till sells through the sandbox wallets (customer codes), the sandbox is told to put one
 * difference into the store's bill of the day, the till fetches the statements (statement-fetch) and
 * reconciles the day (reconcile-run). The run must hold exactly that one difference on exactly that
 * payment / row, every other tender matched (a declined sale included: both sides agree nothing
 * happened), the suspense amount the difference implies, and per provider the statement's own fee
 * and net.
 *
 * Clock: the platform and every till share one TestClock at 11:00 Beijing on A (03:00 UTC): the
 * store's business day (04:00 cut-off) and the wallets' provider day (Beijing midnight to midnight)
 * are both A whatever the wall clock says. The bills are served at once with availableNow (B's too
 * when a payment is moved to the next provider day).
 *
 * Card: the terminal simulator plays the acquirer and the platform reads its Settlement details
 * reports. The simulated terminal books a payment at the wall clock (terminal.ts `new Date()`), so the
 * card cases run on the wall clock; the acquirer's zone is Asia/Dubai (UTC+4, no DST), whose midnight
 * is the till's 04:00 Shanghai cut-off, so the acquirer's day is the till's business day at any time
 * of day (a case would only break if it ran across 20:00:00 UTC itself).
 */

const A = '2026-11-20'
const B = '2026-11-21'
const FEE_BP = 60 // the sandbox wallets' default rate, half-up

type Kind = 'extra_payment' | 'missing_payment' | 'amount' | 'status' | 'next_day' | 'duplicate'

interface Day {
  /** Paid on the wallet under test: s1 and s2 (s2 is the one a difference acts on). */
  s1: Sale
  s2: Sale
  /** Paid on the other wallet. */
  other: Sale
  /** Declined on the wallet under test (failed at the till, closed at the wallet). */
  declined: Sale
}

interface Expected {
  /** What the run's differences must be, exactly. */
  differences: ReturnType<typeof shapeOf>[]
  /** The gross payment amounts of the wallet's file of A (one per row). */
  rowsOfA: number[]
  matched: number
}

const CASES: { kind: Kind; diff: (d: Day) => Record<string, unknown>; expected: (d: Day, w: WalletName, rec: RecordedDifference) => Expected }[] = [
  {
    kind: 'extra_payment',
    diff: () => ({ kind: 'extra_payment', amount: 777 }),
    expected: (d, w, rec) => ({
      differences: [{ class: 'missing_locally', provider: w, amount: 777, local: null, row: { merchantRef: rec.outTradeNo, providerRef: rec.providerRef, gross: 777, providerDate: A } }],
      rowsOfA: [d.s1.amount, d.s2.amount, 777],
      matched: 4,
    }),
  },
  {
    kind: 'missing_payment',
    diff: (d) => ({ kind: 'missing_payment', outTradeNo: d.s2.attemptId }),
    expected: (d, w) => ({
      differences: [{ class: 'missing_at_provider', provider: w, amount: -d.s2.amount, local: d.s2.attemptId, row: null }],
      rowsOfA: [d.s1.amount],
      matched: 3,
    }),
  },
  {
    kind: 'amount',
    diff: (d) => ({ kind: 'amount', outTradeNo: d.s2.attemptId, amount: d.s2.amount + 150 }),
    expected: (d, w, rec) => ({
      differences: [{ class: 'amount_mismatch', provider: w, amount: 150, local: d.s2.attemptId, row: { merchantRef: d.s2.attemptId, providerRef: rec.providerRef, gross: d.s2.amount + 150, providerDate: A } }],
      rowsOfA: [d.s1.amount, d.s2.amount + 150],
      matched: 3,
    }),
  },
  {
    kind: 'status',
    diff: (d) => ({ kind: 'status', outTradeNo: d.declined.attemptId }),
    expected: (d, w, rec) => ({
      differences: [
        { class: 'status_mismatch', provider: w, amount: d.declined.amount, local: d.declined.attemptId, row: { merchantRef: d.declined.attemptId, providerRef: rec.providerRef, gross: d.declined.amount, providerDate: A } },
      ],
      rowsOfA: [d.s1.amount, d.s2.amount, d.declined.amount],
      matched: 3,
    }),
  },
  {
    kind: 'next_day',
    diff: (d) => ({ kind: 'next_day', outTradeNo: d.s2.attemptId }),
    expected: (d, w, rec) => ({
      differences: [{ class: 'date_mismatch', provider: w, amount: 0, local: d.s2.attemptId, row: { merchantRef: d.s2.attemptId, providerRef: rec.providerRef, gross: d.s2.amount, providerDate: B } }],
      rowsOfA: [d.s1.amount],
      matched: 3,
    }),
  },
  {
    // The sandbox's duplicate is the trade listed a second time under a new trade number (paid twice):
    // the file is well formed (its rows are distinct), the second row is a payment the till never took.
    kind: 'duplicate',
    diff: (d) => ({ kind: 'duplicate', outTradeNo: d.s2.attemptId }),
    expected: (d, w, rec) => ({
      differences: [{ class: 'missing_locally', provider: w, amount: d.s2.amount, local: null, row: { merchantRef: d.s2.attemptId, providerRef: rec.providerRef, gross: d.s2.amount, providerDate: A } }],
      rowsOfA: [d.s1.amount, d.s2.amount, d.s2.amount],
      matched: 4,
    }),
  },
]

/** The run's counts: `matched` matched, one of `cls`, nothing else. */
function countsOf(matched: number, cls: string): Record<string, number> {
  const c: Record<string, number> = { matched, missing_locally: 0, missing_at_provider: 0, amount_mismatch: 0, status_mismatch: 0, date_mismatch: 0 }
  c[cls]! += 1
  return c
}

/** Every provider the run reconciled shows its statement of the day's own fee and net. */
function expectProviderFigures(run: Reconciliation, statements: { provider: string; date: string; fee: number; net: number; id: string }[], date: string): void {
  const ofDay = statements.filter((s) => s.date === date)
  expect(run.providers.map((p) => p.provider).sort()).toEqual(ofDay.map((s) => s.provider).sort())
  for (const pr of run.providers) {
    const s = ofDay.find((x) => x.provider === pr.provider)!
    expect({ provider: pr.provider, fee: pr.fee, net: pr.net }).toEqual({ provider: s.provider, fee: s.fee, net: s.net })
    expect(pr.statementIds).toContain(s.id)
  }
}

describe.each(PLATFORM_BACKENDS)('injected wallet differences, platform on %s → till', (backend) => {
  let p: TestPlatform
  let clock: TestClock

  beforeAll(async () => {
    clock = clockAt(A, 11)
    p = await startTestPlatform(backend, { now: clock.now })
  }, 60_000)
  afterAll(async () => {
    await p?.close()
  })

  const walletCases = CASES.flatMap((c) => (['alipay', 'wechat'] as const).map((wallet) => ({ ...c, wallet, name: `${c.kind} on ${wallet}` })))

  it.each(walletCases)('$name: exactly that class on exactly that row, everything else matched', async ({ kind, wallet, diff, expected }) => {
    const otherWallet: WalletName = wallet === 'alipay' ? 'wechat' : 'alipay'
    const t: Till = await till(p, { now: clock.now })
    try {
      // The day's sales (business day A, provider day A): two paid and one declined on the wallet under test, one on the other.
      const s1 = await sellWallet(t, wallet, 2)
      const s2 = await sellWallet(t, wallet, 3)
      const other = await sellWallet(t, otherWallet, 4)
      const declined = await sellWallet(t, wallet, 5, '91')
      expect([s1.state, s2.state, other.state, declined.state]).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed'])
      const day: Day = { s1, s2, other, declined }

      // Exactly one difference in the wallet's bill of A; the other wallet's bill as it is; B's bill out too when a payment moves there.
      const recorded = await injectWallet(p, t.storeId, wallet, A, [diff(day)])
      expect(recorded).toHaveLength(1)
      const rec = recorded[0]!
      await injectWallet(p, t.storeId, otherWallet, A, [])
      if (kind === 'next_day') await injectWallet(p, t.storeId, wallet, B, [])

      const fetched = await fetchStatements(t, A)
      const want = [`${wallet} ${A}`, `${otherWallet} ${A}`, ...(kind === 'next_day' ? [`${wallet} ${B}`] : [])].sort()
      expect(fetched.statements.map((s) => `${s.provider} ${s.date}`).sort()).toEqual(want)
      expect(fetched.missing.filter((m) => m.date === A)).toMatchObject([{ provider: 'card', reason: 'not_configured' }])

      // The wallet's file of A holds what the difference implies: these payments, each with its fee (60 bp, half-up).
      const exp = expected(day, wallet, rec)
      const fileA = fetched.statements.find((s) => s.provider === wallet && s.date === A)!
      const fee = exp.rowsOfA.reduce((x, g) => x + paymentFeeWith(g, FEE_BP, 'half_up'), 0)
      const gross = exp.rowsOfA.reduce((x, g) => x + g, 0)
      expect({ rows: fileA.rows, gross: fileA.gross, fee: fileA.fee, net: fileA.net }).toEqual({ rows: exp.rowsOfA.length, gross, fee, net: gross - fee })
      const otherFile = fetched.statements.find((s) => s.provider === otherWallet)!
      expect({ rows: otherFile.rows, gross: otherFile.gross }).toEqual({ rows: 1, gross: other.amount })

      const run = await reconcile(t, A)
      expect(run.differences.map(shapeOf)).toEqual(exp.differences)
      expect(run.differences[0]!.class).toBe(rec.expectedClass)
      expect(run.counts).toEqual(countsOf(exp.matched, exp.differences[0]!.class))
      // Suspense: what the difference implies (a date mismatch puts nothing there: the next day's file confirms the money).
      expect(run.unresolved).toBe(exp.differences[0]!.amount)
      expectProviderFigures(run, fetched.statements, A)
      // The other wallet's tender is matched, and nothing of it differs.
      expect(run.differences.some((d) => d.provider === otherWallet)).toBe(false)
      expect(run.providers.find((x) => x.provider === otherWallet)).toMatchObject({ rows: 1, local: 1, matched: 1 })
      // Read back as stored (the date mismatch is kept by keys and rebuilt): the same differences.
      const got = await t.call<Reconciliation>('reconcile-get', { runId: run.id })
      expect(got.differences.map(shapeOf)).toEqual(exp.differences)
    } finally {
      await t.core.close()
    }
  }, 30_000)
})

// ---- cards: the terminal simulator as the acquirer ----------------------------------------------------------

describe.each(PLATFORM_BACKENDS)('injected card differences, acquirer = terminal simulator, platform on %s → till', (backend) => {
  let sim: TerminalSim | undefined
  let cp: CardPlatform | undefined
  let t: Till | undefined
  const REPORT_PASSWORD = 'injected-pw'
  const COMMISSION_BP = 100

  /** A fresh acquirer (its batches are in memory), a platform reading its reports, a till paying on its terminal. */
  async function setUp(): Promise<Till> {
    sim = await startSim({ customerMs: 0, acquirer: { timeZone: 'Asia/Dubai', commissionBp: COMMISSION_BP, fixedFee: 0, reportPassword: REPORT_PASSWORD } })
    cp = await startCardPlatform(backend, { reportUrl: sim.reportUrl, username: sim.reportUser, password: REPORT_PASSWORD, merchantAccount: sim.merchantAccount })
    const tt = await till({ ...cp, backend, db: cp.running.db, running: cp.running, restart: async () => {} })
    await tt.call('terminal-settings-save', { endpoint: sim.endpoint, poiId: sim.poiId, keyIdentifier: sim.keyIdentifier, keyVersion: sim.keyVersion, passphrase: sim.passphrase, caCertPem: sim.caCertPem })
    t = tt
    return tt
  }
  const tearDown = async (): Promise<void> => {
    await t?.core.close()
    await cp?.close()
    await sim?.close()
    t = undefined
    cp = undefined
    sim = undefined
  }
  afterAll(tearDown)

  interface CardDay {
    s1: Sale
    s2: Sale
    s3: Sale
    /** ¥10.81 of a ¥20.00 sale, declined by the terminal (amounts ending in 81): failed at the till. */
    declined: Sale
  }
  const CARD_CASES: { kind: Exclude<Kind, 'duplicate'>; diff: (d: CardDay) => Parameters<TerminalSim['acquirer']['addDifference']>[0]; expected: (d: CardDay, D: string) => Expected }[] = [
    {
      kind: 'extra_payment',
      diff: () => ({ kind: 'extra_payment', amount: 777 }),
      expected: (d, D) => ({
        differences: [{ class: 'missing_locally', provider: 'card', amount: 777, local: null, row: { merchantRef: 'SIM-EXTRA-1', providerRef: expect.any(String), gross: 777, providerDate: D } }],
        rowsOfA: [d.s1.amount, d.s2.amount, d.s3.amount, 777],
        matched: 4,
      }),
    },
    {
      kind: 'missing_payment',
      diff: (d) => ({ kind: 'missing_payment', ref: d.s2.attemptId }),
      expected: (d) => ({ differences: [{ class: 'missing_at_provider', provider: 'card', amount: -d.s2.amount, local: d.s2.attemptId, row: null }], rowsOfA: [d.s1.amount, d.s3.amount], matched: 3 }),
    },
    {
      kind: 'amount',
      diff: (d) => ({ kind: 'amount', ref: d.s2.attemptId, amount: d.s2.amount + 250 }),
      expected: (d, D) => ({
        differences: [{ class: 'amount_mismatch', provider: 'card', amount: 250, local: d.s2.attemptId, row: { merchantRef: d.s2.attemptId, providerRef: pspOf(d.s2), gross: d.s2.amount + 250, providerDate: D } }],
        rowsOfA: [d.s1.amount, d.s2.amount + 250, d.s3.amount],
        matched: 3,
      }),
    },
    {
      kind: 'status',
      diff: (d) => ({ kind: 'status', ref: d.declined.attemptId }),
      expected: (d, D) => ({
        differences: [{ class: 'status_mismatch', provider: 'card', amount: d.declined.amount, local: d.declined.attemptId, row: { merchantRef: d.declined.attemptId, providerRef: expect.any(String), gross: d.declined.amount, providerDate: D } }],
        rowsOfA: [d.s1.amount, d.s2.amount, d.s3.amount, d.declined.amount],
        matched: 3,
      }),
    },
    {
      // The simulator dates the transaction 00:00:01 the next day (acquirer's zone) but keeps it in this batch, i.e. in D's
      // file (statement date = the batch's payout day D, the row's providerDate D+1). The till classes a pair by the file's
      // day only (classify.ts pairClass: row.day), so today it reports no difference at all and this case FAILS: the
      // acquirer moved the payment to the next day and nobody is told. See the issue-11 end-to-end report.
      kind: 'next_day',
      diff: (d) => ({ kind: 'next_day', ref: d.s2.attemptId }),
      expected: (d, D) => ({
        differences: [{ class: 'date_mismatch', provider: 'card', amount: 0, local: d.s2.attemptId, row: { merchantRef: d.s2.attemptId, providerRef: pspOf(d.s2), gross: d.s2.amount, providerDate: nextDay(D) } }],
        rowsOfA: [d.s1.amount, d.s2.amount, d.s3.amount],
        matched: 3,
      }),
    },
  ]
  const psps = new Map<string, string>()
  /** The Psp Reference the acquirer reports for a card sale: the part after the '.' of the till's provider_ref. */
  const pspOf = (s: Sale): string => psps.get(s.attemptId)!

  it.each(CARD_CASES)('$kind: exactly that class on exactly that card row, everything else matched', async ({ diff, expected }) => {
    const tt = await setUp()
    try {
      const D = businessDate(new Date(), 'Asia/Shanghai', 4)
      expect(sim!.acquirer.today()).toBe(D)
      const s1 = await sellCard(tt, 2)
      const s2 = await sellCard(tt, 3)
      const s3 = await sellCard(tt, 4)
      const declined = await declineCard(tt)
      expect([s1.state, s2.state, s3.state, declined.state]).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed'])
      for (const s of [s1, s2, s3]) psps.set(s.attemptId, (tt.core.db.prepare('SELECT provider_ref FROM tender_attempts WHERE id = ?').get(s.attemptId) as { provider_ref: string }).provider_ref.split('.')[1]!)
      const day: CardDay = { s1, s2, s3, declined }
      sim!.acquirer.addDifference(diff(day))
      expect(sim!.acquirer.closeBatches()).toHaveLength(1)

      const fetched = await fetchStatements(tt, D)
      expect(fetched.statements.map((s) => `${s.provider} ${s.date}`)).toEqual([`card ${D}`])
      const card = fetched.statements[0]!
      const exp = expected(day, D)
      const fee = exp.rowsOfA.reduce((x, g) => x + paymentFeeWith(g, COMMISSION_BP, 'half_up'), 0)
      expect({ gross: card.gross, fee: card.fee }).toEqual({ gross: exp.rowsOfA.reduce((x, g) => x + g, 0), fee })

      const run = await reconcile(tt, D)
      expect(run.differences.map(shapeOf)).toEqual(exp.differences)
      expect(run.counts).toEqual(countsOf(exp.matched, exp.differences[0]!.class))
      expect(run.unresolved).toBe(exp.differences[0]!.amount)
      expectProviderFigures(run, fetched.statements, D)
    } finally {
      await tearDown()
    }
  }, 40_000)

  it('duplicate: the acquirer lists a card payment twice, identically → the file is refused, the till imports nothing for that day', async () => {
    const tt = await setUp()
    try {
      const D = businessDate(new Date(), 'Asia/Shanghai', 4)
      expect(sim!.acquirer.today()).toBe(D)
      const s1 = await sellCard(tt, 2)
      await sellCard(tt, 3)
      sim!.acquirer.addDifference({ kind: 'duplicate', ref: s1.attemptId })
      expect(sim!.acquirer.closeBatches()).toHaveLength(1)

      const fetched = await fetchStatements(tt, D)
      expect(fetched.statements).toEqual([])
      expect(fetched.missing.filter((m) => m.provider === 'card' && m.date === D)).toEqual([
        { provider: 'card', date: D, reason: 'failed', availableAt: null, message: expect.stringMatching(/refused.*twice/) },
      ])
      expect(await tt.call('statement-list', { businessDate: D })).toEqual([])
      expect((tt.core.db.prepare('SELECT count(*) AS n FROM till_statement_rows').get() as { n: number }).n).toBe(0)
      // Nothing to reconcile the day against.
      await expect(reconcile(tt, D)).rejects.toMatchObject({ code: 'statement_not_ready' })
    } finally {
      await tearDown()
    }
  }, 40_000)
})

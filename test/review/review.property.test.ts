import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addFigures, type DayFigures } from '../../src/shared/ledger'
import { newId } from '../../src/shared/ids'
import type { ReviewDay, ReviewDays, ReviewMatch } from '../../src/shared/review-contract'
import type { Reconciliation } from '../../src/shared/settlement-contract'
import type { Closure, DayReport, Shift } from '../../src/shared/shifts-contract'
import type { Checkout, Order } from '../../src/shared/contract'
import { call, signIn } from '../helpers/tmp'
import { notes, till } from '../shifts/support'
import { hold, injectRefund, injectSale, statement, type Injected, type Provider } from './support'

/**
 * Randomized business days — cash sales through the core, QR and card sales, refunds of both, voids,
 * pay-ins/outs and drops, shifts counted over or short (a cashier's approved by a supervisor),
 * some days closed by their own Z, some left for a later Z that covers several days, the last one
 * maybe still open, and reconciliation runs against statements with missing, extra and wrong rows —
 * then the review must agree with the one ledger: a day's figures are its Z's (the covered days of a
 * Z add up to it) or the X's, fees and net are the statement's to the minor unit, byHour sums to the
 * day's net, the tender mix to the tenders' net, review-days to review-day, and the reconciliation
 * table holds every class the run counted.
 */

const PRODUCTS = ['p1001', 'p1002', 'p1025'] as const
const opArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('cash' as const), product: fc.integer({ min: 0, max: 2 }), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('qr' as const), method: fc.constantFrom<Provider>('alipay', 'wechat', 'card'), amount: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), pick: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), kind: fc.constantFrom('pay_in' as const, 'pay_out' as const, 'safe_drop' as const), amount: fc.integer({ min: 1, max: 3000 }) }) },
)
const shiftArb = fc.record({ cashier: fc.boolean(), float: fc.integer({ min: 5000, max: 30_000 }), ops: fc.array(opArb, { maxLength: 8 }), diff: fc.integer({ min: -300, max: 300 }), gap: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 8, maxLength: 8 }) })
const dayArb = fc.record({
  shifts: fc.array(shiftArb, { minLength: 1, maxLength: 2 }),
  close: fc.boolean(),
  recon: fc.option(fc.record({ drop: fc.boolean(), bump: fc.boolean(), extra: fc.boolean(), feeRow: fc.integer({ min: 0, max: 50 }), rate: fc.integer({ min: 0, max: 60 }), resolve: fc.boolean() }), { nil: null }),
})
const runArb = fc.record({ days: fc.array(dayArb, { minLength: 2, maxLength: 3 }), lastOpen: fc.boolean() })

type Plan = typeof runArb extends fc.Arbitrary<infer P> ? P : never

const FIRST = '2026-11-20'
const dayAt = (k: number, hhmmZ: string): string => {
  const d = new Date(`${FIRST}T${hhmmZ}:00Z`)
  d.setUTCDate(d.getUTCDate() + k)
  return d.toISOString()
}
const sumFig = (xs: ReviewDay['figures'][]): DayFigures => (xs as DayFigures[]).reduce((a, b) => addFigures(a, b))

/** What the generated runs exercised (checked after them, so a generator change cannot make the property vacuous). */
const seen = { resolved: 0, multiDayZ: 0, singleDayZ: 0, openDays: 0, runs: 0, differences: 0, qrMethods: new Set<string>() }

async function play(plan: Plan): Promise<void> {
  const t = till(dayAt(0, '01:00'))
  let now = new Date(dayAt(0, '01:00'))
  const setClock = (iso: string): void => {
    now = new Date(iso)
    t.setClock(iso)
    t.cashier = signIn(t.core, 'Li Na', '1111')
    t.supervisor = signIn(t.core, 'Zhang Wei', '2222')
    t.owner = signIn(t.core, 'Wang Fang', '9999')
  }
  const tick = (minutes: number): void => setClock(new Date(now.getTime() + minutes * 60_000).toISOString())
  const dates: string[] = []
  const closures = new Map<string, Closure>() // by each date it covers
  const shiftsOf = new Map<string, { diff: number; approved: boolean }[]>()
  const statements = new Map<string, { provider: Provider; fee: number; gross: number; net: number }[]>()
  const runs = new Map<string, Reconciliation>()
  const pending: string[] = [] // dates not yet closed
  for (let k = 0; k < plan.days.length; k++) {
    const day = plan.days[k]!
    setClock(dayAt(k, '01:00')) // 09:00 in Shanghai
    const date = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
    dates.push(date)
    pending.push(date)
    const qr: Injected[] = []
    const cash: Order[] = []
    for (const s of day.shifts) {
      const session = s.cashier ? t.cashier : t.supervisor
      const shift = call<Shift>(t.core, 'shift-open', { shiftId: newId(), count: notes(s.float) }, session)
      s.ops.forEach((op, i) => {
        tick(s.gap[i] ?? 5)
        const sess = s.cashier ? t.cashier : t.supervisor
        const expected = (): number => call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected ?? 0
        if (op.op === 'cash') {
          cash.push(call<Order>(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: PRODUCTS[op.product], quantity: String(op.qty) }] }, cashTendered: 100_000 }, sess))
        } else if (op.op === 'qr') {
          qr.push(injectSale(t.core, now, op.method, op.amount))
        } else if (op.op === 'refund' && !s.cashier) {
          const pool = [...qr.map((x) => ({ qr: x })), ...cash.map((o) => ({ cash: o }))]
          if (pool.length === 0) return
          const p = pool[op.pick % pool.length]!
          if ('qr' in p) {
            const amount = Math.max(1, Math.floor((p.qr.amount * op.part) / 200))
            injectRefund(t.core, now, p.qr, amount)
          } else {
            const o = call<Order>(t.core, 'order-get', { id: p.cash.id }, sess)
            const tender = o.tenders[0]!
            const left = tender.amount - o.refunds.filter((r) => r.tenderId === tender.id && r.state === 'succeeded').reduce((a, r) => a + r.amount, 0)
            const amount = Math.min(left, Math.max(1, Math.floor((tender.amount * op.part) / 100)), 9000)
            if (amount <= 0 || amount > expected()) return
            call(t.core, 'refund-create', { refundId: newId(), orderId: o.id, tenderId: tender.id, amount, reason: 'returned' }, sess)
          }
        } else if (op.op === 'void') {
          const c = call<Checkout>(t.core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] } }, sess)
          call(t.core, 'checkout-void', { checkoutId: c.id, reason: 'customer left' }, sess)
        } else if (op.op === 'move' && !s.cashier) {
          if (op.kind !== 'pay_in' && op.amount > expected()) return
          call(t.core, 'cash-move', { movementId: newId(), kind: op.kind, amount: op.amount, reason: 'other', note: '' }, sess)
        }
      })
      tick(10)
      const expected = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected!
      const counted = Math.max(0, expected + s.diff)
      const diff = counted - expected
      const needs = Math.abs(diff) > 100
      const sess = s.cashier ? t.cashier : t.supervisor
      const approvalId = needs && s.cashier ? t.approve('over_short', Math.abs(diff), t.cashier) : undefined
      call(t.core, 'shift-close', { shiftId: shift.id, count: notes(counted), left: 0, ...(needs ? { reason: 'miscounted change' } : {}), ...(approvalId ? { approvalId } : {}) }, sess)
      shiftsOf.set(date, [...(shiftsOf.get(date) ?? []), { diff, approved: needs }])
    }
    const last = k === plan.days.length - 1
    if (day.close && !(last && plan.lastOpen)) {
      tick(5)
      const z = call<Closure>(t.core, 'day-close', { closureId: newId() }, t.supervisor)
      for (const d of pending.splice(0)) closures.set(d, z)
    }
    // The statements of the day arrive the next morning; a supervisor reconciles.
    if (day.recon && qr.length > 0) {
      setClock(dayAt(k + 1, '00:30'))
      const r = day.recon
      const byProvider = new Map<Provider, Injected[]>()
      for (const x of qr) byProvider.set(x.method, [...(byProvider.get(x.method) ?? []), x])
      const held: { provider: Provider; fee: number; gross: number; net: number }[] = []
      let first = true
      for (const [provider, sales] of byProvider) {
        const rows = sales.map((x) => ({ merchantRef: x.attemptId, gross: x.amount, fee: Math.round((x.amount * r.rate) / 10_000), payoutDate: dates[k]! }))
        if (first && r.drop && rows.length > 1) rows.pop()
        if (first && r.bump) rows[0]!.gross += 1
        if (first && r.extra) rows.push({ merchantRef: 'NOT-OURS', gross: 321, fee: 2, payoutDate: dates[k]! })
        const all = [...rows, ...(first && r.feeRow > 0 ? [{ type: 'fee' as const, gross: 0, fee: r.feeRow, payoutDate: dates[k]! }] : [])]
        first = false
        const s = statement(provider, date, all)
        hold(t.core, s)
        held.push({ provider, gross: s.rows.reduce((a, x) => a + x.gross, 0), fee: s.rows.reduce((a, x) => a + x.fee, 0), net: s.rows.reduce((a, x) => a + x.net, 0) })
      }
      statements.set(date, held)
      const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: date }, t.supervisor)
      // A difference resolved with a note stays in the table, with its resolution.
      const toResolve = run.differences.find((d) => d.class !== 'date_mismatch')
      if (r.resolve && toResolve) call(t.core, 'difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: toResolve.id, kind: 'explained', note: 'customer paid twice' }, t.supervisor)
      runs.set(date, call<Reconciliation>(t.core, 'reconcile-get', { runId: run.id }, t.supervisor))
    }
  }

  // ---- the review against the ledger ----
  const review = (d: string): ReviewDay => call<ReviewDay>(t.core, 'review-day', { businessDate: d }, t.owner)
  const x = call<DayReport>(t.core, 'day-x', {}, t.owner)
  const reviewed = new Map(dates.map((d) => [d, review(d)]))
  const byZ = new Map<string, ReviewDay[]>()
  for (const d of dates) {
    const rd = reviewed.get(d)!
    const z = closures.get(d)
    if (z) {
      expect(rd.state).toBe('closed')
      expect(rd.closure?.id).toBe(z.id)
      byZ.set(z.id, [...(byZ.get(z.id) ?? []), rd])
      if (z.fromDate === z.businessDate) expect(rd.figures).toEqual(z.figures)
    } else {
      expect(rd.state).toBe('open')
      expect(rd.closure).toBeNull()
    }
    // byHour and the tender mix, summed by SQL, agree with the figures.
    expect(rd.byHour).toHaveLength(24)
    expect(rd.byHour.reduce((a, h) => a + h.net, 0)).toBe(rd.figures.net)
    expect(rd.byHour.reduce((a, h) => a + h.orders, 0)).toBe(rd.figures.counts.orders)
    expect(rd.tenderMix).toEqual(rd.figures.tenders.map((tf) => ({ method: tf.method, net: tf.net })))
    expect(rd.figures.tenders.reduce((a, tf) => a + tf.net, 0)).toBe(rd.figures.net)
    // Shifts from the shift tables: every shift of the day, with its over/short and who approved it.
    const planned = shiftsOf.get(d) ?? []
    expect(rd.shifts.map((s) => s.overShort)).toEqual(planned.map((p) => p.diff))
    rd.shifts.forEach((s, i) => {
      expect(s.counted! - s.expected!).toBe(s.overShort)
      expect(s.closedBy).not.toBeNull()
      expect(s.approvedBy !== null).toBe(planned[i]!.approved)
    })
    // Fees, gross and net: the statement's own, to the minor unit.
    const run = runs.get(d)
    if (run) {
      expect(rd.reconciliation?.id).toBe(run.id)
      const held = statements.get(d)!
      expect(rd.fees.map((f) => ({ provider: f.provider, gross: f.gross, fee: f.fee, net: f.net }))).toEqual([...held].sort((a, b) => a.provider.localeCompare(b.provider)))
      for (const f of rd.fees) expect(f.payouts.reduce((a, p) => a + p.amount, 0)).toBe(f.net - 0)
      // The reconciliation table: every class the run counted, and a difference once each.
      const m = call<{ runId: string; matches: ReviewMatch[] }>(t.core, 'review-matches', { businessDate: d }, t.owner)
      expect(m.runId).toBe(run.id)
      const counts: Record<string, number> = {}
      for (const x of m.matches) counts[x.class] = (counts[x.class] ?? 0) + 1
      for (const [cls, n] of Object.entries(run.counts)) expect(counts[cls] ?? 0, cls).toBe(n)
      expect(m.matches.filter((x) => x.differenceId !== null).map((x) => x.differenceId).sort()).toEqual(run.differences.map((x) => x.id).sort())
      for (const dif of run.differences) expect(m.matches.find((x) => x.differenceId === dif.id)!.resolution?.id ?? null).toBe(dif.resolution?.id ?? null)
      const only = call<{ matches: ReviewMatch[] }>(t.core, 'review-matches', { businessDate: d, class: 'amount_mismatch' }, t.owner).matches
      expect(only.length).toBe(run.counts.amount_mismatch)
    } else {
      expect(rd.fees).toEqual([])
      expect(rd.reconciliation).toBeNull()
    }
  }
  // A Z that covered several days: the days' figures add up to it.
  for (const [, days] of byZ) {
    const z = days[0]!.closure!
    if (z.fromDate !== z.businessDate) {
      expect(sumFig(days.map((rd) => rd.figures))).toEqual(z.figures)
      seen.multiDayZ++
    } else seen.singleDayZ++
  }
  seen.openDays += dates.filter((d) => !closures.has(d)).length
  seen.runs += runs.size
  for (const r of runs.values()) seen.differences += r.differences.length
  for (const rd of reviewed.values()) for (const m of rd.tenderMix) seen.qrMethods.add(m.method)
  // The open days: the X's figures (summed when yesterday still waits for its Z beside today).
  const open = dates.filter((d) => !closures.has(d)).map((d) => reviewed.get(d)!.figures)
  if (open.length > 0) expect(sumFig(open)).toEqual(x.figures)

  // review-days agrees with review-day, newest first, and its trend with the days.
  const list = call<ReviewDays>(t.core, 'review-days', {}, t.owner)
  expect(list.days.map((d) => d.businessDate)).toEqual([...list.days.map((d) => d.businessDate)].sort().reverse())
  for (const s of list.days) {
    const rd = reviewed.get(s.businessDate) ?? review(s.businessDate)
    expect(s).toMatchObject({ state: rd.state, closureNumber: rd.closure?.number ?? null, orders: rd.figures.counts.orders, grossSales: rd.figures.grossSales, net: rd.figures.net })
    expect(s.reconciliation?.runId ?? null).toBe(rd.reconciliation?.id ?? null)
    if (s.reconciliation) {
      const run = runs.get(s.businessDate)!
      expect(s.reconciliation.differences).toBe(run.differences.length)
      expect(s.reconciliation.unresolvedAmount).toBe(run.differences.filter((x) => !x.resolution).reduce((a, x) => a + x.amount, 0))
      expect(s.reconciliation.unresolved).toBe(run.differences.filter((x) => !x.resolution && x.class !== 'date_mismatch').length)
      seen.resolved += run.differences.filter((x) => x.resolution).length
      expect(s.payout!.expected).toBe(rd.fees.reduce((a, f) => a + f.payouts.reduce((b, p) => b + p.amount, 0), 0))
    }
  }
  for (const d of dates) if (reviewed.get(d)!.figures.counts.orders > 0 || closures.has(d)) expect(list.days.some((s) => s.businessDate === d)).toBe(true)
  expect(list.trend).toHaveLength(30)
  expect(list.trend.at(-1)!.businessDate).toBe(list.days[0]!.businessDate)
  for (const p of list.trend) expect(p.net).toBe(list.days.find((s) => s.businessDate === p.businessDate)?.net ?? 0)
  await t.core.close()
}

describe('the settlement review, on randomized days', () => {
  it('agrees with the Z, the X, the statements and itself', async () => {
    await fc.assert(fc.asyncProperty(runArb, play), { numRuns: 12, seed: 20261206 })
    expect(seen.multiDayZ).toBeGreaterThan(0)
    expect(seen.singleDayZ).toBeGreaterThan(0)
    expect(seen.openDays).toBeGreaterThan(0)
    expect(seen.runs).toBeGreaterThan(0)
    expect(seen.differences).toBeGreaterThan(0)
    expect(seen.resolved).toBeGreaterThan(0)
    expect([...seen.qrMethods].sort()).toEqual(['alipay', 'card', 'cash', 'wechat'])
  }, 240_000)
})

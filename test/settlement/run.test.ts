import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { storeStatement } from '../../src/main/core/settlement/statements'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { newId } from '../../src/shared/ids'
import type { Difference, Reconciliation, ReconciliationSummary, TillStatement } from '../../src/shared/settlement-contract'
import type { DayReport } from '../../src/shared/shifts-contract'
import type { Statement, StatementRow } from '../../src/shared/statements/types'
import { writeWechatBill } from '../../src/shared/statements'
import { expectBalancedPostings } from '../helpers/tmp'
import { call, signIn } from '../helpers/tmp'
import { closeDay, count, fail, openShift, sellCash, till, WATER, type Till } from '../shifts/support'

const D = '2026-11-20'
const D1 = '2026-11-21'

/**
 * QR and card tenders as the payment engine leaves them, attached to real (cash-posted) sales: the
 * reconciliation reads tender_attempts, whatever took the money. A completed checkout names its order,
 * so the attempt takes the order's business day.
 */
function attach(t: Till, orderId: string, method: 'alipay' | 'wechat' | 'card', amount: number, state: string, at: string, serviceId: string | null = null): string {
  const db = t.core.db
  const checkoutId = newId()
  const id = newId()
  db.prepare(
    `INSERT INTO checkouts (id, state, cart_json, quote_json, currency, total_minor, staff_id, staff_name, order_id, created_at, updated_at)
     VALUES (?, 'completed', '{}', '{}', 'CNY', ?, 's', 'S', ?, ?, ?)`,
  ).run(checkoutId, amount, orderId, at, at)
  db.prepare(
    `INSERT INTO tender_attempts (id, checkout_id, position, method, flow, amount_minor, currency, state, service_id, provider_ref, paid_at, created_at, updated_at)
     VALUES (?, ?, 0, ?, ?, ?, 'CNY', ?, ?, ?, ?, ?, ?)`,
  ).run(id, checkoutId, method, method === 'card' ? 'terminal' : 'customer_code', amount, state, serviceId, state === 'succeeded' ? `P${id}` : null, state === 'succeeded' ? at : null, at, at)
  return id
}

let lineNo = 0
function statement(provider: Statement['provider'], date: string, rows: Partial<StatementRow>[]): Statement {
  const full = rows.map((r): StatementRow => {
    const gross = r.gross ?? 0
    const fee = r.fee ?? 0
    return { line: ++lineNo, type: 'payment', providerRef: `X${lineNo}`, merchantRef: null, refundRef: null, currency: 'CNY', providerTime: `${date}T06:00:00Z`, providerDate: date, batch: null, payoutDate: null, ...r, gross, fee, net: gross - fee }
  })
  const format = provider === 'alipay' ? 'alipay_bill_zip' : provider === 'wechat' ? 'wechat_trade_bill' : 'adyen_settlement_detail'
  const pay = full.filter((r) => r.type === 'payment')
  const ref = full.filter((r) => r.type === 'refund')
  const sum = (xs: StatementRow[], k: 'gross' | 'fee'): number => xs.reduce((a, r) => a + r[k], 0)
  return {
    provider,
    format,
    merchantId: `M-${provider}`,
    date,
    currency: 'CNY',
    rows: full,
    totals: { payments: { count: pay.length, gross: sum(pay, 'gross'), fee: sum(pay, 'fee') }, refunds: { count: ref.length, gross: sum(ref, 'gross'), fee: sum(ref, 'fee') }, net: full.reduce((a, r) => a + r.net, 0) },
  }
}
const hold = (t: Till, s: Statement): TillStatement =>
  storeStatement(t.core.db, s, { source: 'platform', fileName: `${s.provider}-${s.date}.csv`, fileSha256: `${s.provider}${s.date}`.padEnd(64, '0'), at: '2026-11-21T02:00:00Z', currency: 'CNY' })

/** A day D: four sales (one after midnight, before the 04:00 cut-off) with QR and card tenders, and the providers' statements of D and D+1. */
function dayWithStatements(): { t: Till; ids: Record<string, string> } {
  const t = till('2026-11-20T02:00:00Z') // 10:00 in Shanghai, business day D
  openShift(t.core, t.supervisor, 10_000)
  const sale = (): string => sellCash(t.core, t.supervisor, [{ productId: WATER, quantity: '1' }], 200).id
  const at = '2026-11-20T02:00:00.000Z'
  const ids: Record<string, string> = {}
  ids.a1 = attach(t, sale(), 'alipay', 1000, 'succeeded', at)
  ids.a2 = attach(t, sale(), 'card', 2500, 'succeeded', at, 'SVC-2')
  const o3 = sale()
  ids.a3 = attach(t, o3, 'wechat', 700, 'failed', at)
  ids.a4 = attach(t, o3, 'wechat', 800, 'succeeded', at)
  clock(t, '2026-11-20T17:00:00Z') // 01:00 on the 21st in Shanghai: still business day D
  ids.a5 = attach(t, sale(), 'alipay', 1500, 'succeeded', '2026-11-20T17:00:00.000Z')
  hold(t, statement('alipay', D, [{ merchantRef: ids.a1, gross: 1000, fee: 6 }, { merchantRef: 'NOT-OURS', gross: 300, fee: 2 }, { type: 'fee', gross: 0, fee: 10 }]))
  hold(t, statement('alipay', D1, [{ merchantRef: ids.a5, gross: 1500, fee: 9 }]))
  hold(t, statement('wechat', D, [{ merchantRef: ids.a4, gross: 900, fee: 5 }, { merchantRef: ids.a3, gross: 700, fee: 4 }]))
  hold(t, statement('card', D, [{ type: 'payout', providerRef: 'PO1', gross: -5000, fee: 0 }]))
  return { t, ids }
}

/** Moves the clock and signs the three people in again (a session lasts 12 hours). */
function clock(t: Till, iso: string): void {
  t.setClock(iso)
  t.cashier = signIn(t.core, 'Li Na', '1111')
  t.supervisor = signIn(t.core, 'Zhang Wei', '2222')
  t.owner = signIn(t.core, 'Wang Fang', '9999')
}

const verifyFile = (t: Till): ReturnType<typeof verifyLedger> => {
  const ro = new Database(t.file, { readonly: true })
  try {
    return verifyLedger(ro)
  } finally {
    ro.close()
  }
}
const journalCount = (t: Till): number => count(t.core, 'SELECT count(*) AS n FROM journal')

describe('a reconciliation run at the till', () => {
  it('classes the day, posts one run (journal + outbox + balanced lines), and the same runId again is the same run', () => {
    const { t, ids } = dayWithStatements()
    clock(t, '2026-11-21T02:00:00Z') // 10:00 on D+1: the bills are out
    expect(fail(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.cashier).code).toBe('forbidden')
    const runId = newId()
    const before = journalCount(t)
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId, businessDate: D }, t.supervisor)
    expect(run.counts).toEqual({ matched: 1, missing_locally: 1, missing_at_provider: 1, amount_mismatch: 1, status_mismatch: 1, date_mismatch: 1 })
    const byClass = Object.fromEntries(run.differences.map((d) => [d.class, d]))
    expect(byClass.missing_at_provider!.local).toMatchObject({ id: ids.a2, method: 'card', amount: 2500, state: 'succeeded', businessDate: D })
    expect(byClass.missing_at_provider!.amount).toBe(-2500)
    expect(byClass.amount_mismatch!.amount).toBe(100)
    expect(byClass.status_mismatch!.local).toMatchObject({ id: ids.a3, state: 'failed' })
    expect(byClass.date_mismatch!.row).toMatchObject({ merchantRef: ids.a5, providerDate: D1 })
    expect(byClass.missing_locally!.row).toMatchObject({ merchantRef: 'NOT-OURS', gross: 300 })
    expect(run.unresolved).toBe(300 - 2500 + 100 + 700)
    const alipay = run.providers.find((p) => p.provider === 'alipay')!
    expect(alipay).toMatchObject({ gross: 1300, fee: 18, net: 1282 })
    expect(run.cash).toHaveLength(1)

    expect(journalCount(t)).toBe(before + 1)
    const ev = t.core.db.prepare("SELECT j.seq, j.payload, o.seq AS outbox FROM journal j JOIN outbox o ON o.seq = j.seq WHERE j.type = 'reconciliation.completed'").get() as { seq: number; payload: string; outbox: number }
    const payload = JSON.parse(ev.payload) as { statements: { fileSha256: string }[]; differences: unknown[]; shifted: unknown[]; counts: unknown }
    expect(payload.statements).toHaveLength(4)
    // Full differences, and the date mismatch by its keys (its money is confirmed by the next day's file).
    expect(payload.differences).toHaveLength(4)
    expect(payload.shifted).toHaveLength(1)
    expect(byClass.date_mismatch!.local).toMatchObject({ kind: 'tender', id: ids.a5, method: 'alipay', amount: 1500, state: 'succeeded', businessDate: D })
    expect(byClass.date_mismatch!.detail).toContain('2026-11-21')
    expect(run.journalSeq).toBe(ev.seq)
    expectBalancedPostings(t.core)
    const lines = t.core.db.prepare('SELECT account, sum(debit_minor) - sum(credit_minor) AS n FROM ledger_lines WHERE journal_seq = ? GROUP BY account').all(ev.seq) as { account: string; n: number }[]
    const acc = Object.fromEntries(lines.map((l) => [l.account, l.n]))
    expect(acc.suspense).toBe(-run.unresolved)
    expect(acc.bank).toBe(5000)

    // A retry returns the run made; the same id for another day is refused.
    expect(call<Reconciliation>(t.core, 'reconcile-run', { runId, businessDate: D }, t.supervisor)).toEqual(run)
    expect(journalCount(t)).toBe(before + 1)
    expect(fail(t.core, 'reconcile-run', { runId, businessDate: '2026-11-19' }, t.supervisor).code).toBe('conflict')
    // A later run is a new record; both are listed.
    const again = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.owner)
    expect(again.counts).toEqual(run.counts)
    expect(call<ReconciliationSummary[]>(t.core, 'reconcile-list', { businessDate: D }, t.cashier).map((r) => r.id)).toEqual([again.id, run.id])
    expect(call<Reconciliation>(t.core, 'reconcile-get', { runId }, t.cashier)).toEqual(run)
    expect(fail(t.core, 'reconcile-get', { runId: 'nope' }, t.cashier).code).toBe('not_found')
    // Posted rows cannot be edited.
    expect(() => t.core.db.prepare('UPDATE reconciliation_differences SET amount_minor = 0').run()).toThrow(/append-only/)
    expect(() => t.core.db.prepare('DELETE FROM reconciliations').run()).toThrow(/append-only/)
    expect(verifyFile(t).ok).toBe(true)
  })

  it('resolves a difference once (who, when, why); a retry returns it, a second resolution is refused; verify rebuilds it all', () => {
    const { t } = dayWithStatements()
    clock(t, '2026-11-21T02:00:00Z')
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    const d = run.differences.find((x) => x.class === 'amount_mismatch')!
    const input = { resolutionId: newId(), runId: run.id, differenceId: d.id, kind: 'explained', note: 'Customer tipped ¥1 on the wallet' }
    expect(fail(t.core, 'difference-resolve', input, t.cashier).code).toBe('forbidden')
    const before = journalCount(t)
    const resolved = call<Difference>(t.core, 'difference-resolve', input, t.supervisor)
    expect(resolved.resolution).toMatchObject({ kind: 'explained', note: input.note, by: { name: expect.stringContaining('Zhang Wei') as string } })
    expect(resolved.amount).toBe(d.amount)
    expect(call<Difference>(t.core, 'difference-resolve', input, t.supervisor)).toEqual(resolved)
    expect(journalCount(t)).toBe(before + 1)
    expect(fail(t.core, 'difference-resolve', { ...input, resolutionId: newId() }, t.owner).code).toBe('conflict')
    expect(fail(t.core, 'difference-resolve', { ...input, differenceId: run.differences[0]!.id }, t.owner).code).toBe('conflict')
    const after = call<Reconciliation>(t.core, 'reconcile-get', { runId: run.id }, t.cashier)
    expect(after.differences.find((x) => x.id === d.id)!.resolution!.id).toBe(input.resolutionId)
    expect(after.unresolved).toBe(run.unresolved - d.amount)
    const lines = t.core.db.prepare("SELECT account, debit_minor, credit_minor FROM ledger_lines l JOIN postings p USING (journal_seq) WHERE p.kind = 'reconciliation_resolution'").all()
    expect(lines).toEqual([
      { account: 'suspense', debit_minor: 100, credit_minor: 0 },
      { account: 'settlement_adjustments', debit_minor: 0, credit_minor: 100 },
    ])
    expectBalancedPostings(t.core)
    const report = verifyFile(t)
    expect(report.problem).toBeNull()
    expect(report.rows).toMatchObject({ reconciliations: 1, reconciliation_differences: 5, reconciliation_resolutions: 1 })

    // A tampered difference is caught by the verifier (triggers dropped, as an attacker would).
    const raw = new Database(t.file)
    raw.exec('DROP TRIGGER reconciliation_differences_no_update')
    raw.prepare('UPDATE reconciliation_differences SET amount_minor = 1 WHERE id = ?').run(d.id)
    raw.close()
    const tampered = verifyFile(t)
    expect(tampered.ok).toBe(false)
    expect(tampered.problem).toMatchObject({ kind: 'row_differs', table: 'reconciliation_differences' })
  })

  it('posts a correction sale for provider money the till never booked: in the X as a sale at the chosen tax, out of suspense; wrong uses refused, changing nothing', () => {
    const { t } = dayWithStatements()
    clock(t, '2026-11-21T02:00:00Z') // business day D+1 in Shanghai; D has no Z yet, so settlement posts into D
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    const extra = run.differences.find((x) => x.class === 'missing_locally')!
    const status = run.differences.find((x) => x.class === 'status_mismatch')!
    const amount = run.differences.find((x) => x.class === 'amount_mismatch')!
    expect([extra.amount, status.amount]).toEqual([300, 700])
    const x0 = call<DayReport>(t.core, 'day-x', {}, t.supervisor)
    const before = journalCount(t)
    const base = { runId: run.id, kind: 'corrected', note: 'Customer paid by Alipay, sale not rung up' }

    // Refused, nothing posted: a cashier; a difference where the till has the money; an unknown tax; a correction that is not "corrected".
    expect(fail(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: extra.id, correctionSale: { taxId: 'vat13' } }, t.cashier).code).toBe('forbidden')
    expect(fail(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: amount.id, correctionSale: { taxId: 'vat13' } }, t.owner).code).toBe('conflict')
    expect(fail(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: extra.id, correctionSale: { taxId: 'nope' } }, t.owner).code).toBe('invalid_input')
    expect(fail(t.core, 'difference-resolve', { ...base, kind: 'explained', resolutionId: newId(), differenceId: extra.id, correctionSale: { taxId: 'vat13' } }, t.owner).code).toBe('invalid_input')
    expect(fail(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: extra.id, correctionSale: { taxId: 'vat13', extra: 1 } }, t.owner).code).toBe('invalid_input')
    expect(journalCount(t)).toBe(before)

    // ¥3.00 at 13% VAT inclusive: tax 300 × 13 / 113 = 34.51… → 35 (half up).
    const r1 = call<Difference>(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: extra.id, correctionSale: { taxId: 'vat13' } }, t.owner)
    expect(r1.resolution).toMatchObject({ kind: 'corrected', correction: { method: 'alipay', taxId: 'vat13', rate: '13', tax: 35, businessDate: D } })
    // The failed WeChat attempt the provider has paid: ¥7.00 at 9% → 700 × 9 / 109 = 57.79… → 58.
    const r2 = call<Difference>(t.core, 'difference-resolve', { ...base, resolutionId: newId(), differenceId: status.id, correctionSale: { taxId: 'vat9' } }, t.supervisor)
    expect(r2.resolution!.correction).toEqual({ method: 'wechat', taxId: 'vat9', rate: '9', tax: 58, businessDate: D })
    expect(journalCount(t)).toBe(before + 2)

    const lines = t.core.db
      .prepare("SELECT account, tag, debit_minor, credit_minor, rate FROM ledger_lines l JOIN postings p USING (journal_seq) WHERE p.kind = 'reconciliation_resolution' AND p.ref_id = ? ORDER BY line_no")
      .all(r1.resolution!.id)
    expect(lines).toEqual([
      { account: 'suspense', tag: 'suspense_resolved', debit_minor: 300, credit_minor: 0, rate: null },
      { account: 'clearing:alipay', tag: 'tender', debit_minor: 300, credit_minor: 0, rate: null },
      { account: 'revenue', tag: 'sale', debit_minor: 0, credit_minor: 265, rate: null },
      { account: 'tax_payable:vat13', tag: 'tax', debit_minor: 0, credit_minor: 35, rate: '13' },
      { account: 'clearing:alipay', tag: 'settlement', debit_minor: 0, credit_minor: 300, rate: null },
    ])
    expectBalancedPostings(t.core)

    // The X of D: two more sales' worth in gross, net, the tenders and the taxes; the cash untouched.
    const x1 = call<DayReport>(t.core, 'day-x', {}, t.supervisor)
    const f0 = x0.figures!
    const f1 = x1.figures!
    expect(x1.businessDate).toBe(D)
    expect([f1.grossSales - f0.grossSales, f1.net - f0.net]).toEqual([1000, 1000])
    const tender = (f: typeof f0, m: string) => f.tenders.find((x) => x.method === m)?.sales ?? 0
    expect([tender(f1, 'alipay') - tender(f0, 'alipay'), tender(f1, 'wechat') - tender(f0, 'wechat')]).toEqual([300, 700])
    const tax = (f: typeof f0, id: string) => f.taxes.find((x) => x.taxId === id)?.collected ?? 0
    expect([tax(f1, 'vat13') - tax(f0, 'vat13'), tax(f1, 'vat9') - tax(f0, 'vat9')]).toEqual([35, 58])
    expect(f1.cash).toEqual(f0.cash)
    expect(f1.net).toBe(f1.tenders.reduce((a, x) => a + x.net, 0))
    // Read back: the suspense the run left shrinks by both; verify rebuilds the lot.
    const after = call<Reconciliation>(t.core, 'reconcile-get', { runId: run.id }, t.supervisor)
    expect(after.unresolved).toBe(run.unresolved - 1000)
    expect(after.differences.find((x) => x.id === extra.id)!.resolution!.correction!.tax).toBe(35)
    expect(verifyFile(t).problem).toBeNull()
  })

  it('leaves the X and the Z of the day exactly as they are without it', () => {
    const { t } = dayWithStatements()
    clock(t, '2026-11-20T19:00:00Z') // 03:00 in Shanghai: the day is still D, before its Z
    const x0 = call<DayReport>(t.core, 'day-x', {}, t.supervisor)
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    call(t.core, 'difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: run.differences[0]!.id, kind: 'written_off', note: 'Provider fee adjustment' }, t.owner)
    const x1 = call<DayReport>(t.core, 'day-x', {}, t.supervisor)
    expect(x1.figures).toEqual(x0.figures)
    expect(x1.businessDate).toBe(x0.businessDate)
    expect(x1.grandTotal).toBe(x0.grandTotal)
    // Close the drawer and the day: the Z is the X from before the run.
    const shift = t.core.db.prepare('SELECT id FROM shifts').get() as { id: string }
    const expected = call<{ expected: number }>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected
    call(t.core, 'shift-close', { shiftId: shift.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 0 }, t.supervisor)
    const z = closeDay(t.core, t.supervisor)
    expect(z.businessDate).toBe(D)
    const x2 = call<DayReport>(t.core, 'day-x', {}, t.supervisor)
    void x2
    const zFig = { ...z.figures, counts: { ...z.figures.counts, shiftsClosed: 0 } }
    const xFig = { ...x0.figures!, counts: { ...x0.figures!.counts, shiftsClosed: 0 } } // a supervisor's X: never hidden
    expect(zFig).toEqual(xFig)
    expect(z.periodTotal).toBe(x0.periodTotal)
    expect(verifyFile(t).ok).toBe(true)
    // After the Z, a run posts into the next open day, never the closed one.
    const later = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    const day = t.core.db.prepare('SELECT business_date, adjustment_of, shift_id FROM postings WHERE journal_seq = ?').get(later.journalSeq)
    expect(day).toEqual({ business_date: D1, adjustment_of: null, shift_id: null })
    expect(verifyFile(t).ok).toBe(true)
  })

  it('refuses a day with no statement yet, a day to come, and bad input through the contract — changing nothing', () => {
    const { t } = dayWithStatements()
    clock(t, '2026-11-21T02:00:00Z')
    const before = journalCount(t)
    expect(fail(t.core, 'reconcile-run', { runId: newId(), businessDate: '2026-11-18' }, t.supervisor).code).toBe('statement_not_ready')
    expect(fail(t.core, 'reconcile-run', { runId: newId(), businessDate: '2026-11-25' }, t.supervisor).code).toBe('invalid_input')
    const bad: [string, unknown][] = [
      ['reconcile-run', { runId: 'not-a-ulid', businessDate: D }],
      ['reconcile-run', { runId: newId(), businessDate: 20261120 }],
      ['reconcile-run', { runId: newId(), businessDate: D, extra: 1 }],
      ['reconcile-get', { runId: 'x'.repeat(65) }],
      ['statement-list', { businessDate: 'yesterday' }],
      ['statement-import', { fileName: '', base64: 'AAAA' }],
      ['statement-import', { fileName: 'a.csv', base64: 12 }],
      ['difference-resolve', { resolutionId: newId(), runId: 'r', differenceId: 'd', kind: 'forgiven', note: 'fine' }],
      ['difference-resolve', { resolutionId: newId(), runId: 'r', differenceId: 'd', kind: 'explained', note: 'x'.repeat(501) }],
      ['difference-resolve', { resolutionId: newId(), runId: 'r', differenceId: 'd', kind: 'explained', note: '  ' }],
      ['difference-resolve', { resolutionId: NaN, runId: 'r', differenceId: 'd', kind: 'explained', note: 'fine' }],
      ['difference-ask', { runId: -1, differenceId: 'd' }],
    ]
    for (const [channel, input] of bad) expect({ channel, code: fail(t.core, channel, input, t.supervisor).code }).toEqual({ channel, code: 'invalid_input' })
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    const card = fail(t.core, 'difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: run.differences[0]!.id, kind: 'explained', note: 'paid with 4111 1111 1111 1111' }, t.supervisor)
    expect(card.code).toBe('card_number_refused')
    expect(fail(t.core, 'difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: 'nope', kind: 'explained', note: 'fine' }, t.supervisor).code).toBe('not_found')
    expect(journalCount(t)).toBe(before + 1)
    expect(count(t.core, 'SELECT count(*) AS n FROM reconciliation_resolutions')).toBe(0)
  })

  it('imports a statement file once (by sha256); a file it cannot read is refused with the reason and line, and nothing is stored', () => {
    const { t } = dayWithStatements()
    const s = statement('wechat', '2026-11-22', [{ merchantRef: 'A-1', providerRef: '4200000001202611220000000001', gross: 1000, fee: 6 }])
    const bytes = writeWechatBill(s, { appId: 'wx0000000000000000' })
    const base64 = Buffer.from(bytes).toString('base64')
    const held = count(t.core, 'SELECT count(*) AS n FROM till_statements')
    const first = call<TillStatement>(t.core, 'statement-import', { fileName: 'bill.csv', base64 }, t.cashier)
    expect(first).toMatchObject({ provider: 'wechat', date: '2026-11-22', source: 'file', rows: 1, gross: 1000, fee: 6, net: 994 })
    expect(call<TillStatement>(t.core, 'statement-import', { fileName: 'again.csv', base64 }, t.cashier).id).toBe(first.id)
    expect(count(t.core, 'SELECT count(*) AS n FROM till_statements')).toBe(held + 1)
    expect(call<TillStatement[]>(t.core, 'statement-list', { businessDate: '2026-11-22' }, t.cashier).map((x) => x.id)).toEqual([first.id])

    const broken = fail(t.core, 'statement-import', { fileName: 'x.csv', base64: Buffer.from('hello,world\n1,2\n').toString('base64') }, t.cashier)
    expect(broken.code).toBe('statement_refused')
    expect(broken.details).toMatchObject({ reason: expect.any(String) as string })
    expect(fail(t.core, 'statement-import', { fileName: 'x.csv', base64: '@@@@' }, t.cashier).code).toBe('invalid_input')
    expect(count(t.core, 'SELECT count(*) AS n FROM till_statements')).toBe(held + 1)
  })

  it('asks the platform only when paired', async () => {
    const { t } = dayWithStatements()
    clock(t, '2026-11-21T02:00:00Z')
    const run = call<Reconciliation>(t.core, 'reconcile-run', { runId: newId(), businessDate: D }, t.supervisor)
    const ask = await t.core.invoke({ channel: 'difference-ask', input: { runId: run.id, differenceId: run.differences[0]!.id }, session: t.supervisor })
    expect(ask.ok ? null : ask.error.code).toBe('not_paired')
    const fetch = await t.core.invoke({ channel: 'statement-fetch', input: { businessDate: D }, session: t.supervisor })
    expect(fetch.ok ? null : fetch.error.code).toBe('not_paired')
  })
})

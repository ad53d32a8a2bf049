/**
 * Benchmark: reconciling a business day of 50,000 card and QR tenders against a 50,000-row
 * normalized statement, on a real SQLite ledger through the core's `reconcile-run` channel — reading
 * the till's tenders and the held statements' rows, matching, classing, and posting the run (journal
 * event, outbox, ledger lines, run and difference rows) in one transaction. The download and import
 * of the statement are not timed (they happen once, before). Beside it, a bare baseline in the same
 * run: the plain SELECTs of the day's tenders and of the statement's rows, the least a run must read.
 *
 * The day: tender attempts as the payment engine leaves them (≈97 % succeeded, the rest failed or
 * unknown; ≈10 % sold after midnight, before the 04:00 cut-off, so booked by the provider on the next
 * day), each on its own checkout, written straight into the schema in one transaction (the checkouts
 * are left open, with no order: a run reads the attempts, and the verifier then has no sale to look
 * for); the
 * providers' statements of the day and the next agree except for ≈0.2 % injected differences.
 */
import { performance } from 'node:perf_hooks'
import { newId } from '../src/shared/ids'
import type { Reconciliation } from '../src/shared/settlement-contract'
import type { Statement, StatementRow } from '../src/shared/statements/types'
import { openCore } from '../src/main/core/open-core'
import { recordWindow } from '../src/main/core/settlement/locals'
import { storeStatement } from '../src/main/core/settlement/statements'
import { atMost, result, type BenchResult } from './lib/results'
import { int, pick, rng, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface ReconcileOptions {
  tenders: number
  runs: number
  resourcesDir: string
  log: (line: string) => void
}

const D = '2026-11-20'
const D1 = '2026-11-21'

function must<T>(r: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

export async function benchReconcile(o: ReconcileOptions): Promise<BenchResult[]> {
  const dir = scratchPath('reconcile')
  let now = new Date('2026-11-20T02:00:00Z')
  const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: o.resourcesDir, now: () => now, startSync: false })
  const db = core.db
  const r = rng(11)
  const methods = ['alipay', 'wechat', 'card'] as const
  // Business day D in Shanghai runs from 20:00Z on the 19th (04:00 local) to 20:00Z on the 20th.
  const dayStart = Date.parse('2026-11-19T20:00:00Z')
  const fill = performance.now()
  const rows = new Map<string, StatementRow[]>()
  const push = (provider: string, date: string, row: StatementRow): void => {
    const k = `${provider}\u0000${date}`
    let xs = rows.get(k)
    if (!xs) rows.set(k, (xs = []))
    xs.push(row)
  }
  let line = 0
  let injected = 0
  db.transaction(() => {
    const checkout = db.prepare(
      `INSERT INTO checkouts (id, state, cart_json, quote_json, currency, total_minor, staff_id, staff_name, created_at, updated_at) VALUES (?, 'open', '{}', '{}', 'CNY', ?, 'bench', 'Bench', ?, ?)`,
    )
    const attempt = db.prepare(
      `INSERT INTO tender_attempts (id, checkout_id, position, method, flow, amount_minor, currency, state, service_id, provider_ref, paid_at, created_at, updated_at)
       VALUES (?, ?, 0, ?, ?, ?, 'CNY', ?, ?, ?, ?, ?, ?)`,
    )
    for (let i = 0; i < o.tenders; i++) {
      const method = pick(r, methods)
      const amount = int(r, 100, 50_000)
      const roll = r()
      const state = roll < 0.97 ? 'succeeded' : roll < 0.99 ? 'failed' : 'unknown'
      // Mostly daytime; one in ten between midnight and the 04:00 cut-off (local), i.e. 16:00–20:00Z.
      const t = r() < 0.1 ? dayStart + (20 + r() * 3.99) * 3_600_000 : dayStart + (4 + r() * 15.9) * 3_600_000
      const at = new Date(t).toISOString()
      const id = newId()
      const cid = newId()
      const serviceId = method === 'card' ? `S${i}` : null
      const psp = state === 'succeeded' ? `P${i}` : null
      checkout.run(cid, amount, at, at)
      attempt.run(id, cid, method, method === 'card' ? 'terminal' : 'customer_code', amount, state, serviceId, psp, state === 'succeeded' ? at : null, at, at)
      if (state !== 'succeeded') continue
      const providerDate = at >= '2026-11-20T16:00:00.000Z' ? D1 : D
      let gross = amount
      if (r() < 0.002) {
        injected++
        if (r() < 0.5) continue // missing at the provider
        gross += 1 // amount mismatch
      }
      const fee = Math.round((gross * 60) / 10_000)
      push(method, providerDate, {
        line: ++line,
        type: 'payment',
        providerRef: psp ?? `X${i}`,
        merchantRef: method === 'card' && i % 2 === 0 ? serviceId : id,
        refundRef: null,
        gross,
        fee,
        net: gross - fee,
        currency: 'CNY',
        providerTime: at,
        providerDate,
        batch: null,
        payoutDate: D1,
      })
    }
  })()
  // Payments the till never saw, and the providers' fee and payout rows.
  for (const m of methods) {
    for (let k = 0; k < 10; k++) {
      injected++
      push(m, D, { line: ++line, type: 'payment', providerRef: `G${m}${k}`, merchantRef: `GHOST-${m}-${k}`, refundRef: null, gross: 1000, fee: 6, net: 994, currency: 'CNY', providerTime: `${D}T06:00:00Z`, providerDate: D, batch: null, payoutDate: D1 })
    }
    push(m, D, { line: ++line, type: 'fee', providerRef: '', merchantRef: null, refundRef: null, gross: 0, fee: 500, net: -500, currency: 'CNY', providerTime: `${D}T15:00:00Z`, providerDate: D, batch: null, payoutDate: null })
    push(m, D, { line: ++line, type: 'payout', providerRef: `PO-${m}`, merchantRef: null, refundRef: null, gross: -1_000_000, fee: 0, net: -1_000_000, currency: 'CNY', providerTime: `${D}T02:00:00Z`, providerDate: D, batch: null, payoutDate: D })
  }
  let statementRows = 0
  for (const [k, xs] of rows) {
    const [provider, date] = k.split('\u0000') as [Statement['provider'], string]
    const pay = xs.filter((x) => x.type === 'payment')
    const s: Statement = {
      provider,
      format: provider === 'alipay' ? 'alipay_bill_zip' : provider === 'wechat' ? 'wechat_trade_bill' : 'adyen_settlement_detail',
      merchantId: `M-${provider}`,
      date,
      currency: 'CNY',
      rows: xs,
      totals: {
        payments: { count: pay.length, gross: pay.reduce((a, x) => a + x.gross, 0), fee: pay.reduce((a, x) => a + x.fee, 0) },
        refunds: { count: 0, gross: 0, fee: 0 },
        net: xs.reduce((a, x) => a + x.net, 0),
      },
    }
    storeStatement(db, s, { source: 'platform', fileName: `${provider}-${date}`, fileSha256: `${provider}-${date}`.padEnd(64, '0'), at: new Date().toISOString(), currency: 'CNY' })
    statementRows += xs.length
  }
  o.log(`  day of ${o.tenders.toLocaleString('en')} tenders and ${statementRows.toLocaleString('en')} statement rows written in ${((performance.now() - fill) / 1000).toFixed(1)} s (not timed)`)

  now = new Date('2026-11-21T02:00:00Z') // 10:00 the next day: the bills are out
  const staff = must<{ id: string; role: string }[]>(core.handle({ channel: 'staff-list', input: {} }))
  const sup = must<{ token: string }>(core.handle({ channel: 'session-signin', input: { staffId: staff.find((s) => s.role === 'supervisor')!.id, pin: '2222' } })).token

  const bareTenders = db.prepare(
    `SELECT a.id, a.method, a.amount_minor, a.state, a.service_id, a.reversal_service_id, a.provider_ref, a.paid_at, a.created_at, c.order_id
     FROM tender_attempts a JOIN checkouts c ON c.id = a.checkout_id WHERE a.created_at >= ? AND a.created_at < ?`,
  )
  const bareRows = db.prepare('SELECT r.* FROM till_statement_rows r JOIN till_statements s ON s.id = r.statement_id WHERE s.statement_date IN (?, ?)')
  // The same time window as the run reads the tenders in (provider days D and D+1).
  const w = recordWindow(D, D1, 4)
  const bare: number[] = []
  const run: number[] = []
  let last: Reconciliation | null = null
  for (let i = 0; i < o.runs; i++) {
    const b0 = performance.now()
    const n = bareTenders.all(w.lo, w.hi).length + bareRows.all(D, D1).length
    bare.push(performance.now() - b0)
    if (n === 0) throw new Error('the baseline read nothing')
    const t0 = performance.now()
    last = must<Reconciliation>(core.handle({ channel: 'reconcile-run', input: { runId: newId(), businessDate: D }, session: sup }))
    run.push(performance.now() - t0)
  }
  const verify = must<{ ok: boolean; problem: unknown }>(core.handle({ channel: 'journal-verify', input: {}, session: sup }))
  if (!verify.ok) throw new Error(`the ledger does not verify after the runs: ${JSON.stringify(verify)}`)
  const c = last!.counts
  o.log(`  counts: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')} (${injected} injected, plus ${c.date_mismatch} sold after midnight)`)
  await core.close()
  const note = `${o.tenders.toLocaleString('en')} tenders, ${statementRows.toLocaleString('en')} rows; ${last!.differences.length} differences`
  return [
    result('reconcile: bare SELECT of the tenders and rows', 'ms', summarize(bare), null),
    result('reconcile: reconcile-run (match + classify + post)', 'ms', summarize(run), atMost(1000, ['p50', 'p95'], 'ms'), note),
  ]
}

/**
 * Benchmark: the X report and the Z close (writing the closure included) for a business day of
 * 5,000 and of 50,000 orders, on a ledger that also holds 1,000,000 older orders (the generated
 * history of bench/ledger-gen.ts, closed by a first Z before timing starts). Beside each, a bare
 * baseline in the same run: one SQL pass summing the same day's ledger lines by account, the least
 * any report of that day must read.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Cart } from '../src/shared/contract'
import { newId } from '../src/shared/ids'
import type { Closure, DayReport } from '../src/shared/shifts-contract'
import { openDatabase } from '../src/main/core/db/sqlite'
import { Core } from '../src/main/core/service'
import { ensureLedger } from './ledger-gen'
import { atMost, result, single, type BenchResult } from './lib/results'
import { int, pick, rng, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface DayCloseOptions {
  history: number
  days: number[]
  xRuns: number
  resourcesDir: string
  log: (line: string) => void
}

function must<T>(r: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

export async function benchDayClose(o: DayCloseOptions): Promise<BenchResult[]> {
  const ledger = ensureLedger({ orders: o.history, resourcesDir: o.resourcesDir, log: o.log })
  const file = join(scratchPath('day-close'), 'ledger.sqlite')
  copyFileSync(ledger.file, file)
  const db = openDatabase(file)
  // The clock: the day after the generated history, then one day per measured size.
  let now = new Date(`${ledger.lastBusinessDate}T12:00:00+08:00`)
  const core = new Core({ db, now: () => now })
  const staff = must<{ id: string; name: string; role: string }[]>(core.handle({ channel: 'staff-list', input: {} }))
  const signIn = (role: string, pin: string): string =>
    must<{ token: string }>(core.handle({ channel: 'session-signin', input: { staffId: staff.find((s) => s.role === role)!.id, pin } })).token
  let sup = signIn('supervisor', '2222')
  // The generated history leaves its last day's shift open: count it out, then close the history.
  const open = must<{ shift: { id: string } | null }>(core.handle({ channel: 'till-status', input: {}, session: sup })).shift
  if (open) {
    const expected = must<{ expected: number }>(core.handle({ channel: 'shift-get', input: { shiftId: open.id }, session: sup })).expected
    must(core.handle({ channel: 'shift-close', input: { shiftId: open.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 0 }, session: sup }))
  }
  const t0 = performance.now()
  const first = must<Closure>(core.handle({ channel: 'day-close', input: { closureId: newId() }, session: sup }))
  o.log(`  history: ${ledger.orders.toLocaleString('en')} orders closed by Z ${first.number} (${first.figures.counts.orders.toLocaleString('en')} orders, not timed: ${((performance.now() - t0) / 1000).toFixed(1)} s)`)

  const products = db.prepare("SELECT id FROM products WHERE active = 1 AND unit = 'each' ORDER BY id").all() as { id: string }[]
  const r = rng(7)
  const cart = (): Cart => ({ lines: Array.from({ length: int(r, 1, 5) }, () => ({ productId: pick(r, products).id, quantity: String(int(r, 1, 3)) })) })
  const results: BenchResult[] = []
  for (const size of o.days) {
    now = new Date(now.getTime() + 86_400_000)
    sup = signIn('supervisor', '2222')
    const shift = must<{ id: string }>(core.handle({ channel: 'shift-open', input: { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, session: sup }))
    // The day's sales through the real core, a thousand to a transaction so filling the day takes seconds, not an fsync each.
    const fill = performance.now()
    for (let done = 0; done < size; ) {
      const n = Math.min(1000, size - done)
      db.transaction(() => {
        for (let i = 0; i < n; i++) must(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: cart(), cashTendered: 100_000_00 }, session: sup }))
      })()
      done += n
    }
    const expected = must<{ expected: number }>(core.handle({ channel: 'shift-get', input: { shiftId: shift.id }, session: sup })).expected
    must(core.handle({ channel: 'shift-close', input: { shiftId: shift.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 10000 }, session: sup }))
    o.log(`  day of ${size.toLocaleString('en')} orders sold in ${((performance.now() - fill) / 1000).toFixed(1)} s`)

    const prevLast = (db.prepare('SELECT max(last_seq) AS s FROM closures').get() as { s: number }).s
    const bare: number[] = []
    const x: number[] = []
    let report: DayReport | null = null
    for (let i = 0; i < o.xRuns; i++) {
      let s = performance.now()
      db.prepare('SELECT account, tag, sum(debit_minor) AS d, sum(credit_minor) AS c FROM ledger_lines WHERE journal_seq > ? GROUP BY account, tag').all(prevLast)
      bare.push(performance.now() - s)
      s = performance.now()
      report = must<DayReport>(core.handle({ channel: 'day-x', input: {}, session: sup }))
      x.push(performance.now() - s)
    }
    if (report?.figures?.counts.orders !== size) throw new Error(`X counted ${report?.figures?.counts.orders} orders, expected ${size}`)
    const zStart = performance.now()
    const z = must<Closure>(core.handle({ channel: 'day-close', input: { closureId: newId() }, session: sup }))
    const zMs = performance.now() - zStart
    if (z.figures.counts.orders !== size || z.grandTotal !== z.previousGrandTotal + z.periodTotal) throw new Error('the Z does not add up')
    const target = size <= 5000 ? 250 : 2000
    const label = `${size.toLocaleString('en')} orders, ${ledger.orders.toLocaleString('en')} older`
    const xs = summarize(x)
    const bs = summarize(bare)
    results.push(single(`Z close, day of ${label}`, 'ms', Math.round(zMs * 10) / 10, atMost(target, ['p50'], 'ms')))
    results.push(result(`X report, day of ${label}`, 'ms', xs, atMost(target, ['p50'], 'ms')))
    results.push(result(`  bare: one SQL pass summing that day's ledger lines by account`, 'ms', bs, null, `X / bare p50 = ${(xs.p50 / bs.p50).toFixed(1)}×`))
    o.log(`  Z ${zMs.toFixed(0)} ms · X p50 ${xs.p50.toFixed(0)} ms · bare p50 ${bs.p50.toFixed(0)} ms`)
  }
  await core.close()
  return results
}

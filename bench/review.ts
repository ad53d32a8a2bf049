/**
 * Benchmark: the owner's settlement review on a ledger of 1,000,000 older orders (bench/ledger-gen.ts,
 * closed by a first Z before timing starts) plus a day of 5,000 and a day of 50,000 orders sold
 * through the real core. Timed: review-day of the big day while it is open (the X's sums) and once
 * closed (the Z's figures; first open, then the median of 5), switching between the two days,
 * review-days over the thousand-odd closures, and the PDF day report of the big day. Beside them, a
 * bare baseline in the same run: the one SQL pass summing the big day's ledger lines by account.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Cart } from '../src/shared/contract'
import { newId } from '../src/shared/ids'
import type { ReviewDay, ReviewDays } from '../src/shared/review-contract'
import type { Closure } from '../src/shared/shifts-contract'
import { openDatabase } from '../src/main/core/db/sqlite'
import { Core } from '../src/main/core/service'
import { ensureLedger } from './ledger-gen'
import { atMost, result, single, type BenchResult } from './lib/results'
import { int, pick, rng, summarize } from './lib/stats'
import { scratchPath } from './lib/tmp'

export interface ReviewOptions {
  history: number
  /** The small day, then the big one. */
  days: [number, number]
  runs: number
  resourcesDir: string
  log: (line: string) => void
}

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }
function must<T>(r: Answer): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

export async function benchReview(o: ReviewOptions): Promise<BenchResult[]> {
  const ledger = ensureLedger({ orders: o.history, resourcesDir: o.resourcesDir, log: o.log })
  const file = join(scratchPath('review'), 'ledger.sqlite')
  copyFileSync(ledger.file, file)
  const db = openDatabase(file)
  const noon = Date.parse(`${ledger.lastBusinessDate}T12:00:00+08:00`)
  let now = new Date(noon)
  const core = new Core({ db, now: () => now })
  const staff = must<{ id: string; role: string }[]>(core.handle({ channel: 'staff-list', input: {} }))
  const signIn = (role: string, pin: string): string => must<{ token: string }>(core.handle({ channel: 'session-signin', input: { staffId: staff.find((s) => s.role === role)!.id, pin } })).token
  let sup = signIn('supervisor', '2222')
  let owner = signIn('owner', '9999')
  const open = must<{ shift: { id: string } | null }>(core.handle({ channel: 'till-status', input: {}, session: sup })).shift
  if (open) {
    const expected = must<{ expected: number }>(core.handle({ channel: 'shift-get', input: { shiftId: open.id }, session: sup })).expected
    must(core.handle({ channel: 'shift-close', input: { shiftId: open.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 0 }, session: sup }))
  }
  must<Closure>(core.handle({ channel: 'day-close', input: { closureId: newId() }, session: sup }))

  const products = db.prepare("SELECT id FROM products WHERE active = 1 AND unit = 'each' ORDER BY id").all() as { id: string }[]
  const r = rng(11)
  const cart = (): Cart => ({ lines: Array.from({ length: int(r, 1, 5) }, () => ({ productId: pick(r, products).id, quantity: String(int(r, 1, 3)) })) })
  const review = (date: string): ReviewDay => must<ReviewDay>(core.handle({ channel: 'review-day', input: { businessDate: date }, session: owner }))
  const time = <T>(fn: () => T): [number, T] => {
    const s = performance.now()
    const v = fn()
    return [performance.now() - s, v]
  }
  const dates: string[] = []
  const results: BenchResult[] = []
  let openMs: number[] = []
  let bare: number[] = []
  for (const [k, size] of o.days.entries()) {
    now = new Date(noon + (k + 1) * 86_400_000)
    sup = signIn('supervisor', '2222')
    owner = signIn('owner', '9999')
    const shift = must<{ id: string; businessDate: string }>(core.handle({ channel: 'shift-open', input: { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, session: sup }))
    dates.push(shift.businessDate)
    const fill = performance.now()
    // Spread over the trading hours, so byHour has hours to fill.
    const start = now.getTime() - 3 * 3_600_000
    for (let done = 0; done < size; ) {
      const n = Math.min(1000, size - done)
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          now = new Date(start + Math.floor(((done + i) / size) * 11 * 3_600_000))
          must(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: cart(), cashTendered: 100_000_00 }, session: sup }))
        }
      })()
      done += n
    }
    const expected = must<{ expected: number }>(core.handle({ channel: 'shift-get', input: { shiftId: shift.id }, session: sup })).expected
    must(core.handle({ channel: 'shift-close', input: { shiftId: shift.id, count: [{ value: expected, kind: 'amount', count: 1 }], left: 10000 }, session: sup }))
    o.log(`  day ${shift.businessDate} of ${size.toLocaleString('en')} orders sold in ${((performance.now() - fill) / 1000).toFixed(1)} s`)
    if (k === o.days.length - 1) {
      // The big day while it is still open: the X's sums, by business date.
      const prevLast = (db.prepare('SELECT max(last_seq) AS s FROM closures').get() as { s: number }).s
      openMs = []
      bare = []
      for (let i = 0; i < o.runs; i++) {
        bare.push(time(() => db.prepare('SELECT account, tag, sum(debit_minor) AS d, sum(credit_minor) AS c FROM ledger_lines WHERE journal_seq > ? GROUP BY account, tag').all(prevLast))[0])
        const [ms, day] = time(() => review(shift.businessDate))
        if (day.figures.counts.orders !== size || day.state !== 'open') throw new Error(`open review counted ${day.figures.counts.orders} orders`)
        openMs.push(ms)
      }
    }
    must<Closure>(core.handle({ channel: 'day-close', input: { closureId: newId() }, session: sup }))
  }
  const [small, big] = [dates[0]!, dates[1]!]
  const label = `${o.days[1].toLocaleString('en')} orders, ${ledger.orders.toLocaleString('en')} older`
  const [firstMs, first] = time(() => review(big))
  if (first.figures.counts.orders !== o.days[1] || first.state !== 'closed') throw new Error('the closed review does not add up')
  if (first.byHour.reduce((a, h) => a + h.net, 0) !== first.figures.net) throw new Error('byHour does not sum to the net')
  const closed: number[] = []
  for (let i = 0; i < o.runs; i++) closed.push(time(() => review(big))[0])
  // Switching: the screen on one day asks for the other; each direction timed on its own.
  const toSmall: number[] = []
  const toBig: number[] = []
  for (let i = 0; i < o.runs; i++) {
    toSmall.push(time(() => review(small))[0])
    toBig.push(time(() => review(big))[0])
  }
  const daysMs: number[] = []
  for (let i = 0; i < o.runs; i++) daysMs.push(time(() => must<ReviewDays>(core.handle({ channel: 'review-days', input: { limit: 60 }, session: owner })))[0])
  const pdfStart = performance.now()
  const pdf = await core.invoke({ channel: 'review-export', input: { businessDate: big, kind: 'pdf_day', language: 'zh-CN' }, session: owner })
  const pdfMs = performance.now() - pdfStart
  const bs = summarize(bare)
  const cs = summarize(closed)
  results.push(single(`review-day, first open, closed day of ${label}`, 'ms', Math.round(firstMs * 10) / 10, atMost(1000, ['p50'], 'ms')))
  results.push(result(`review-day, closed day of ${label}`, 'ms', cs, atMost(1000, ['p50'], 'ms'), `review / bare p50 = ${(cs.p50 / bs.p50).toFixed(1)}×`))
  results.push(result(`review-day, open day of ${label} (the X's sums)`, 'ms', summarize(openMs), atMost(1000, ['p50'], 'ms')))
  results.push(result(`review-day, switching to the ${o.days[1].toLocaleString('en')}-order day (from the other)`, 'ms', summarize(toBig), atMost(300, ['p50'], 'ms')))
  // The bare pass below sums the big day: no baseline for the small day, the days list or the PDF.
  results.push({ ...result(`review-day, switching to the ${o.days[0].toLocaleString('en')}-order day (from the other)`, 'ms', summarize(toSmall), atMost(300, ['p50'], 'ms')), baseline: null })
  results.push({ ...result(`review-days (60 days, 30-day trend) over ${ledger.closures.toLocaleString('en')}+ closures`, 'ms', summarize(daysMs), null), baseline: null })
  if (pdf.ok) results.push({ ...single(`review-export pdf_day of the ${o.days[1].toLocaleString('en')}-order day`, 'ms', Math.round(pdfMs), null), baseline: null })
  else {
    // A missing figure: the run reports it as a failure.
    o.log(`  pdf export failed: ${pdf.error.code} ${pdf.error.message}`)
    results.push({ ...single(`review-export pdf_day of the ${o.days[1].toLocaleString('en')}-order day`, 'ms', Number.NaN, null, `failed: ${pdf.error.code} ${pdf.error.message}`), baseline: null })
  }
  results.push(result(`  bare: one SQL pass summing that day's ledger lines by account`, 'ms', bs, null))
  o.log(`  review closed p50 ${cs.p50.toFixed(0)} ms (first ${firstMs.toFixed(0)}) · open p50 ${summarize(openMs).p50.toFixed(0)} ms · switch p50 ${summarize(toBig).p50.toFixed(0)} / ${summarize(toSmall).p50.toFixed(0)} ms · days p50 ${summarize(daysMs).p50.toFixed(0)} ms · pdf ${pdfMs.toFixed(0)} ms · bare p50 ${bs.p50.toFixed(0)} ms`)
  await core.close()
  return results
}

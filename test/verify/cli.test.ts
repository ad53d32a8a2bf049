import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JournalReport } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { verifyCommand } from '../../src/main/core/verify/command'
import { verifyLedger, verifyLedgerFile } from '../../src/main/core/verify/verify'
import { call, signIn } from '../helpers/tmp'
import { daybookCli, deleteTail, makeLedger, rehash, shell, type Made } from './ledger'

let dir: string
let base: string
let made: Made
let n = 0

beforeAll(() => {
  made = makeLedger({ openDaySales: 8 })
  // The helpers' temp dirs go after each test: keep a copy of the file here.
  dir = mkdtempSync(join(tmpdir(), 'daybook-verify-cli-'))
  base = join(dir, 'base.sqlite')
  made.core.db.pragma('wal_checkpoint(TRUNCATE)')
  copyFileSync(made.file, base)
})

afterAll(() => {
  made.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A copy of the ledger as it stands, changed through a shell connection. */
function copy(tamper?: (db: Database.Database) => void): string {
  const file = join(dir, `c${++n}.sqlite`)
  copyFileSync(base, file)
  if (tamper) {
    const db = shell(file)
    db.pragma('foreign_keys = OFF')
    tamper(db)
    db.close()
  }
  return file
}

function inThread(file: string): JournalReport {
  const db = new Database(file, { readonly: true })
  try {
    return verifyLedger(db)
  } finally {
    db.close()
  }
}

const cli = daybookCli

describe('the journal-verify channel', () => {
  it('answers the full verify, with the counts and closures', () => {
    const tok = signIn(made.core, 'Li Na', '1111')
    const r = call<JournalReport>(made.core, 'journal-verify', {}, tok)
    expect(r).toMatchObject({ ok: true, problem: null, closures: { count: 2, lastNumber: 2 } })
    expect(r.rows?.orders).toBe(made.orders.length)
  })
})

describe('npm run daybook -- verify', () => {
  it('exits 0 on a clean ledger and says what it checked', () => {
    const { status, out } = cli('verify', copy())
    expect(status).toBe(0)
    expect(out).toMatch(/^Journal intact: \d+ events/)
    expect(out).toContain(`Tables agree with the journal: ${made.orders.length} orders`)
    expect(out).toContain('every posting balances')
    expect(out).toContain('Closures: 2, numbered 1–2 without a gap')
  })

  it('exits 1 and names the problem', () => {
    const o = made.orders[made.orders.length - 3]!
    const { status, out } = cli('verify', copy((db) => db.prepare('UPDATE orders SET total_minor = 1 WHERE id = ?').run(o.id)))
    expect(status).toBe(1)
    expect(out.split('\n')[0]).toBe(
      `Ledger BROKEN at event ${o.journal.seq} (row_differs, orders): orders: order ${o.id} (receipt ${o.receiptNo}) differs from event ${o.journal.seq} (sale.completed) that posted it: total_minor is 1, the event says ${o.total}`,
    )
  })

  it('exits 1 on a journal whose tail was cut off', () => {
    const { status, out } = cli('verify', copy((db) => db.prepare('DELETE FROM journal WHERE seq > 40').run()), '--workers', '2')
    expect(status).toBe(1)
    expect(out).toMatch(/^Ledger BROKEN at event 41 \(truncated, orders\): orders: order \S+ \(receipt \S+\) points at event 41, but the journal ends at event 40/)
  })

  it('refuses an unknown option', () => {
    expect(cli('verify', copy(), '--fast').status).toBe(2)
  })
})

describe('split between worker threads, the answer is the same', () => {
  const cases: [string, ((db: Database.Database) => void) | undefined][] = [
    ['a clean ledger', undefined],
    ['an order total changed late in the journal', (db) => db.prepare('UPDATE orders SET total_minor = 1 WHERE journal_seq = (SELECT max(journal_seq) FROM orders)').run()],
    ['a ledger line removed early', (db) => db.prepare('DELETE FROM ledger_lines WHERE journal_seq = 2 AND line_no = 1').run()],
    ['a closure whose figures do not add up (its period split between threads)', (db) =>
      rehash(db, 34, (seq, _t, data) => {
        if (seq !== 34) return
        ;(data.figures as { discounts: number }).discounts += 1
        db.prepare('UPDATE closures SET figures = ? WHERE journal_seq = 34').run(JSON.stringify(data.figures))
      })],
    ['a sale posted into a closed day', (db) =>
      rehash(db, 36, (seq, _t, data) => {
        if (seq === 36) (data.posting as { businessDate: string }).businessDate = '2026-11-20'
        if (seq === 36) db.prepare("UPDATE postings SET business_date = '2026-11-20' WHERE journal_seq = 36").run()
      })],
    ['the tail cut with its rows', (db) => deleteTail(db, 30, { outbox: true, keep: ['closures'] })],
    ['an order line without its order', (db) =>
      db.prepare("INSERT INTO order_lines SELECT 'GONE', line_no, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines LIMIT 1").run()],
    ['a gap at the end of a thread\'s range', (db) => db.prepare('DELETE FROM journal WHERE seq = (SELECT max(seq) / 3 FROM journal)').run()],
    ['a gap at the start of a thread\'s range', (db) => db.prepare('DELETE FROM journal WHERE seq = (SELECT max(seq) / 3 + 1 FROM journal)').run()],
    ['an event altered at the start of a thread\'s range', (db) => db.prepare("UPDATE journal SET created_at = 'x' WHERE seq = (SELECT max(seq) / 3 + 1 FROM journal)").run()],
  ]
  it.each(cases)('%s', async (what, tamper) => {
    const file = copy(tamper)
    const one = inThread(file)
    // Three threads put a boundary inside each of the two closed days' periods.
    for (const workers of what === 'a clean ledger' ? [2, 3, 5] : [3]) {
      // No seal: every run walks the whole journal (seal.test.ts covers runs that resume from one).
      const { seal, ...split } = await verifyLedgerFile(file, { workers, noSeal: true })
      expect(seal).toEqual({ outcome: 'none', seq: null, madeAt: null, written: null })
      expect({ workers, problem: split.problem }).toEqual({ workers, problem: one.problem })
      expect(split).toEqual(one)
    }
  })

  it('verifies a ledger the till is writing to meanwhile', async () => {
    const live = makeLedger({ openDaySales: 3 })
    const tok = signIn(live.core, 'Li Na', '1111')
    let done = false
    const pending = verifyLedgerFile(live.file, { workers: 3 }).finally(() => (done = true))
    // The workers read while this thread keeps selling into the same file, until they are done.
    let sold = 0
    while (!done && sold < 2000) {
      call(live.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 1000 }, tok)
      sold++
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    const r = await pending
    expect(sold).toBeGreaterThan(10)
    expect(r.problem).toBeNull()
    expect(verifyLedger(live.core.db).problem).toBeNull()
    live.close()
  })

  it('verifyCommand prints the same report', async () => {
    const lines: string[] = []
    expect(await verifyCommand(copy(), (l) => lines.push(l), { workers: 3 })).toBe(0)
    expect(lines[0]).toMatch(/^Journal intact/)
  })
})

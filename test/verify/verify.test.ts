import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JournalReport, Order } from '../../src/shared/contract'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { deleteTail, makeLedger, rehash, shell } from './ledger'

/**
 * Tampering as a new user would, with a SQLite shell on the ledger file: the append-only triggers
 * dropped first, then one change. Each must be named by verify — the table, the row, the event.
 */

let dir: string
let base: string
let orders: Order[]
let n = 0

beforeAll(() => {
  // Day 1 and day 2 closed (Z #1 at event 17, Z #2 at event 34), day 3 open with 60 more sales.
  const made = makeLedger({ openDaySales: 60 })
  made.close()
  dir = mkdtempSync(join(tmpdir(), 'daybook-verify-'))
  base = join(dir, 'base.sqlite')
  copyFileSync(made.file, base)
  orders = made.orders
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A fresh copy of the ledger, changed by `tamper` through a shell connection, then verified read-only. */
function verifyAfter(tamper: (db: Database.Database) => void): JournalReport {
  const file = join(dir, `t${++n}.sqlite`)
  copyFileSync(base, file)
  const db = shell(file)
  db.pragma('foreign_keys = OFF')
  tamper(db)
  db.close()
  const ro = new Database(file, { readonly: true })
  try {
    return verifyLedger(ro)
  } finally {
    ro.close()
  }
}

const one = <T>(db: Database.Database, sql: string, ...args: unknown[]): T => db.prepare(sql).get(...args) as T
/** Orders of the open day (no refund or reprint points at them). */
const lateOrder = (): Order => orders[orders.length - 20]!

describe('a clean ledger', () => {
  it('verifies, with every table counted', () => {
    const r = verifyAfter(() => {})
    expect(r.problem).toBeNull()
    expect(r.ok).toBe(true)
    const db = new Database(base, { readonly: true })
    const count = (t: string): number => one<{ n: number }>(db, `SELECT count(*) AS n FROM ${t}`).n
    expect(r.events).toBe(count('journal'))
    expect(r.lastSeq).toBe(r.events)
    for (const t of ['orders', 'order_lines', 'order_taxes', 'order_tenders', 'reprints', 'shifts', 'shift_closes', 'shift_takeovers', 'cash_movements', 'closures', 'postings', 'ledger_lines', 'outbox']) {
      expect({ t, n: r.rows?.[t] }).toEqual({ t, n: count(t) })
    }
    expect(r.rows?.refunds).toBe(one<{ n: number }>(db, "SELECT count(*) AS n FROM refunds WHERE state = 'succeeded'").n)
    expect(r.rows?.voids).toBe(2)
    expect(r.rows?.orders).toBe(orders.length)
    expect(r.closures).toEqual({
      count: 2,
      lastNumber: 2,
      lastBusinessDate: '2026-11-21',
      lastSeq: 34,
      grandTotal: one<{ g: number }>(db, 'SELECT grand_total AS g FROM closures WHERE number = 2').g,
    })
    expect(r.acknowledgedSeq).toBeNull()
    db.close()
  })

  it('answers the journal-verify shape when only the chain is asked for', () => {
    const db = new Database(base, { readonly: true })
    const r = verifyLedger(db, { chainOnly: true })
    db.close()
    expect(r).toEqual({ ok: true, events: r.lastSeq, lastSeq: r.lastSeq, lastHash: r.lastHash, problem: null })
  })
})

describe('tampered tables are named', () => {
  it("an order's total changed", () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare('UPDATE orders SET total_minor = total_minor - 100 WHERE id = ?').run(o.id))
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: o.journal.seq, table: 'orders', row: `order ${o.id} (receipt ${o.receiptNo})` })
    expect(r.problem?.message).toContain(`total_minor is ${o.total - 100}, the event says ${o.total}`)
  })

  it('a tender row deleted', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare('DELETE FROM order_tenders WHERE order_id = ?').run(o.id))
    expect(r.problem).toMatchObject({ kind: 'row_missing', seq: o.journal.seq, table: 'order_tenders' })
    expect(r.problem?.message).toContain(`tender ${o.tenders[0]!.id} (position 0) of order ${o.id}`)
  })

  it('a whole order deleted, with its lines, taxes and tenders', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => {
      for (const t of ['order_lines', 'order_taxes', 'order_tenders']) db.prepare(`DELETE FROM ${t} WHERE order_id = ?`).run(o.id)
      db.prepare('DELETE FROM orders WHERE id = ?').run(o.id)
    })
    expect(r.problem).toMatchObject({ kind: 'row_missing', seq: o.journal.seq, table: 'orders', row: `order ${o.id} (receipt ${o.receiptNo})` })
  })

  it('a whole order deleted with its postings and ledger lines too', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => {
      for (const t of ['order_lines', 'order_taxes', 'order_tenders']) db.prepare(`DELETE FROM ${t} WHERE order_id = ?`).run(o.id)
      db.prepare('DELETE FROM orders WHERE id = ?').run(o.id)
      db.prepare('DELETE FROM ledger_lines WHERE journal_seq = ?').run(o.journal.seq)
      db.prepare('DELETE FROM postings WHERE journal_seq = ?').run(o.journal.seq)
    })
    expect(r.problem).toMatchObject({ kind: 'row_missing', seq: o.journal.seq, table: 'orders' })
  })

  it('an order line added', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare("INSERT INTO order_lines SELECT order_id, 99, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines WHERE order_id = ? AND line_no = 1").run(o.id))
    expect(r.problem).toMatchObject({ kind: 'row_without_event', seq: o.journal.seq, table: 'order_lines', row: `line 99 of order ${o.id}` })
  })

  it('an order line whose order is not in the ledger', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare("INSERT INTO order_lines SELECT 'NOSUCHORDER', line_no, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines WHERE order_id = ?").run(o.id))
    expect(r.problem).toMatchObject({ kind: 'row_without_event', table: 'order_lines', row: 'line 1 of order NOSUCHORDER' })
  })

  it('an order moved onto an event that is not a sale', () => {
    const db = new Database(base, { readonly: true })
    const refundSeq = one<{ s: number }>(db, "SELECT min(seq) AS s FROM journal WHERE type = 'refund.completed'").s
    db.close()
    const o = orders.find((x) => x.journal.seq > refundSeq)!
    const r = verifyAfter((t) => t.prepare('UPDATE orders SET journal_seq = ? WHERE id = ?').run(refundSeq, o.id))
    expect(r.problem).toMatchObject({ kind: 'row_without_event', seq: refundSeq, table: 'orders', row: `order ${o.id} (receipt ${o.receiptNo})` })
    expect(r.problem?.message).toMatch(/refund\.completed event and wrote no such row/)
  })

  it('a ledger line removed', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare('DELETE FROM ledger_lines WHERE journal_seq = ? AND line_no = 1').run(o.journal.seq))
    expect(r.problem).toMatchObject({ kind: 'unbalanced', seq: o.journal.seq, table: 'ledger_lines' })
    expect(r.problem?.message).toMatch(/does not balance/)
  })

  it('a ledger line amount changed', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare('UPDATE ledger_lines SET debit_minor = debit_minor + 100 WHERE journal_seq = ? AND line_no = 1').run(o.journal.seq))
    expect(r.problem).toMatchObject({ kind: 'unbalanced', seq: o.journal.seq, table: 'ledger_lines' })
  })

  it('a ledger line amount changed on both sides, so it still balances', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => {
      const debit = one<{ line_no: number }>(db, 'SELECT line_no FROM ledger_lines WHERE journal_seq = ? AND debit_minor > 0 ORDER BY line_no LIMIT 1', o.journal.seq)
      const credit = one<{ line_no: number }>(db, 'SELECT line_no FROM ledger_lines WHERE journal_seq = ? AND credit_minor > 0 ORDER BY line_no LIMIT 1', o.journal.seq)
      db.prepare('UPDATE ledger_lines SET debit_minor = debit_minor + 100 WHERE journal_seq = ? AND line_no = ?').run(o.journal.seq, debit.line_no)
      db.prepare('UPDATE ledger_lines SET credit_minor = credit_minor + 100 WHERE journal_seq = ? AND line_no = ?').run(o.journal.seq, credit.line_no)
    })
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: o.journal.seq, table: 'ledger_lines' })
  })

  it("a posting moved to another business day", () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare("UPDATE postings SET business_date = '2026-11-23' WHERE journal_seq = ?").run(o.journal.seq))
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: o.journal.seq, table: 'postings' })
    expect(r.problem?.message).toContain('business_date is "2026-11-23", the event says "2026-11-22"')
  })

  it('a closure figure altered in the figures JSON', () => {
    const r = verifyAfter((db) => db.prepare("UPDATE closures SET figures = json_set(figures, '$.net', json_extract(figures, '$.net') - 500) WHERE number = 1").run())
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: 17, table: 'closures', row: 'closure #1 (business day 2026-11-20)' })
    expect(r.problem?.message).toMatch(/figures\.net is \d+, the event says \d+/)
  })

  it("a closure's grand total altered", () => {
    const r = verifyAfter((db) => db.prepare('UPDATE closures SET grand_total = grand_total + 10000 WHERE number = 2').run())
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: 34, table: 'closures', row: 'closure #2 (business day 2026-11-21)' })
    expect(r.problem?.message).toContain('grand_total')
  })

  it('a closure row deleted', () => {
    const r = verifyAfter((db) => db.prepare('DELETE FROM closures WHERE number = 2').run())
    expect(r.problem).toMatchObject({ kind: 'row_missing', seq: 34, table: 'closures', row: 'closure #2 (business day 2026-11-21)' })
  })

  it('a refund row altered', () => {
    const db = new Database(base, { readonly: true })
    const refund = one<{ id: string; journal_seq: number; amount_minor: number }>(db, "SELECT id, journal_seq, amount_minor FROM refunds WHERE state = 'succeeded' ORDER BY journal_seq LIMIT 1")
    db.close()
    const r = verifyAfter((t) => t.prepare('UPDATE refunds SET amount_minor = amount_minor + 1000 WHERE id = ?').run(refund.id))
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: refund.journal_seq, table: 'refunds', row: `refund ${refund.id}` })
    expect(r.problem?.message).toContain(`amount_minor is ${refund.amount_minor + 1000}, the event says ${refund.amount_minor}`)
  })

  it('a refund marked succeeded that no event posted', () => {
    const r = verifyAfter((db) => {
      const o = lateOrder()
      db.prepare(
        `INSERT INTO refunds (id, order_id, tender_id, method, amount_minor, currency, state, reason, staff_id, staff_name, created_at, updated_at)
         VALUES ('FAKEREFUND', ?, ?, 'cash', 100, 'CNY', 'succeeded', 'x', 's', 's', 'x', 'x')`,
      ).run(o.id, o.tenders[0]!.id)
    })
    expect(r.problem).toMatchObject({ kind: 'row_without_event', table: 'refunds', row: 'refund FAKEREFUND' })
  })

  it('a cash movement amount changed', () => {
    const db = new Database(base, { readonly: true })
    const m = one<{ id: string; journal_seq: number; kind: string }>(db, 'SELECT id, journal_seq, kind FROM cash_movements ORDER BY journal_seq LIMIT 1')
    db.close()
    const r = verifyAfter((t) => t.prepare('UPDATE cash_movements SET amount_minor = amount_minor + 5000 WHERE id = ?').run(m.id))
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: m.journal_seq, table: 'cash_movements', row: `cash movement ${m.id} (${m.kind})` })
  })

  it("a shift's float changed", () => {
    const r = verifyAfter((db) => db.prepare('UPDATE shifts SET float_minor = float_minor + 100 WHERE journal_seq = 18').run())
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: 18, table: 'shifts' })
    expect(r.problem?.message).toContain('float_minor')
  })

  it("a shift close's count changed", () => {
    const r = verifyAfter((db) => db.prepare("UPDATE shift_closes SET closing_count = '[]' WHERE journal_seq = 16").run())
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq: 16, table: 'shift_closes' })
    expect(r.problem?.message).toContain('closing_count has 0 entries, the event says 1')
  })

  it('a reprint deleted', () => {
    const r = verifyAfter((db) => db.prepare('DELETE FROM reprints WHERE journal_seq = (SELECT min(journal_seq) FROM reprints)').run())
    expect(r.problem).toMatchObject({ kind: 'row_missing', table: 'reprints' })
  })

  it('a voided checkout turned back into an open one', () => {
    const db = new Database(base, { readonly: true })
    const seq = one<{ s: number }>(db, "SELECT min(seq) AS s FROM journal WHERE type = 'checkout.voided'").s
    db.close()
    const r = verifyAfter((t) => t.prepare("UPDATE checkouts SET state = 'open' WHERE id = json_extract((SELECT payload FROM journal WHERE seq = ?), '$.checkoutId')").run(seq))
    expect(r.problem).toMatchObject({ kind: 'row_differs', seq, table: 'checkouts' })
    expect(r.problem?.message).toContain('state is "open", the event says "voided"')
  })

  it('an outbox row deleted', () => {
    const o = lateOrder()
    const r = verifyAfter((db) => db.prepare('DELETE FROM outbox WHERE seq = ?').run(o.journal.seq))
    expect(r.problem).toMatchObject({ kind: 'row_missing', seq: o.journal.seq, table: 'outbox' })
  })
})

describe("the journal's tail cut off", () => {
  const last = (): number => {
    const db = new Database(base, { readonly: true })
    const s = one<{ s: number }>(db, 'SELECT max(seq) AS s FROM journal').s
    db.close()
    return s
  }

  it('the last 50 events and their outbox rows deleted: the posted rows still point past the end', () => {
    const end = last() - 50
    const r = verifyAfter((db) => {
      db.prepare('DELETE FROM outbox WHERE seq > ?').run(end)
      db.prepare('DELETE FROM journal WHERE seq > ?').run(end)
    })
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: end + 1 })
    expect(r.problem?.message).toContain(`but the journal ends at event ${end}`)
    expect(r.lastSeq).toBe(end)
  })

  it('the last 50 events deleted with every row they wrote, on a paired till: the acknowledged outbox says so', () => {
    const end = last() - 50
    const r = verifyAfter((db) => {
      db.prepare("UPDATE sync_state SET platform_url = 'https://platform.example', platform_device_id = 'dev-1' WHERE id = 1").run()
      db.prepare("UPDATE outbox SET sent_at = '2026-11-22T09:00:00.000Z', received_at = '2026-11-22T09:00:00.000Z'").run()
      deleteTail(db, end, { outbox: false })
    })
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: end + 1, table: 'outbox' })
    expect(r.problem?.message).toContain(`the platform acknowledged event ${end + 1}`)
  })

  it('cut before the last Z, the closure row deleted too: the rows of the day still point past the end', () => {
    const r = verifyAfter((db) => {
      db.prepare('DELETE FROM closures WHERE number = 2').run()
      db.prepare('DELETE FROM outbox WHERE seq > 30').run()
      db.prepare('DELETE FROM journal WHERE seq > 30').run()
    })
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: 31 })
  })

  it('cut before the last Z with every row of the cut events deleted but the closure row: the closure says so', () => {
    const r = verifyAfter((db) => deleteTail(db, 30, { outbox: true, keep: ['closures'] }))
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: 34, table: 'closures', row: 'closure #2 (business day 2026-11-21)' })
  })

  it('cannot see a tail removed with every row and outbox row that points into it (only the platform or a printed receipt can)', () => {
    const end = last() - 50
    const r = verifyAfter((db) => deleteTail(db, end, { outbox: true }))
    // What the file then holds is exactly a till that stopped at `end`: nothing in it says otherwise.
    expect(r).toMatchObject({ ok: true, lastSeq: end })
  })
})

describe('closures that do not add up, in a chain re-hashed to match (the hash is not keyed)', () => {
  it("closure #1's figures are not what its events add up to", () => {
    const r = verifyAfter((db) =>
      rehash(db, 17, (seq, _type, data) => {
        if (seq !== 17) return
        const f = data.figures as { grossSales: number }
        f.grossSales += 100
        db.prepare('UPDATE closures SET figures = ? WHERE journal_seq = 17').run(JSON.stringify(data.figures))
      }),
    )
    expect(r.problem).toMatchObject({ kind: 'bad_closure', seq: 17, table: 'closures', row: 'closure #1' })
    expect(r.problem?.message).toMatch(/figures are not a recomputation from the events it covers \(1–16\): figures\.grossSales is \d+, the events say \d+/)
  })

  it("closure #2's grand total does not continue closure #1's", () => {
    const r = verifyAfter((db) =>
      rehash(db, 34, (seq, _type, data) => {
        if (seq !== 34) return
        ;(data as { previousGrandTotal: number }).previousGrandTotal += 100
        ;(data as { grandTotal: number }).grandTotal += 100
        db.prepare('UPDATE closures SET previous_grand_total = previous_grand_total + 100, grand_total = grand_total + 100 WHERE journal_seq = 34').run()
      }),
    )
    expect(r.problem).toMatchObject({ kind: 'bad_closure', seq: 34 })
    expect(r.problem?.message).toMatch(/previous grand total is \d+, but closure #1 ended at \d+/)
  })

  it('a closure number skipped', () => {
    const r = verifyAfter((db) =>
      rehash(db, 34, (seq, _type, data) => {
        if (seq !== 34) return
        data.number = 3
        db.prepare('UPDATE closures SET number = 3 WHERE journal_seq = 34').run()
      }),
    )
    expect(r.problem).toMatchObject({ kind: 'bad_closure', seq: 34 })
    expect(r.problem?.message).toContain('this one should be #2')
  })

  it('a sale after a Z posted into the day it closed', () => {
    const o = orders.find((x) => x.journal.seq > 34)!
    const r = verifyAfter((db) =>
      rehash(db, o.journal.seq, (seq, _type, data) => {
        if (seq !== o.journal.seq) return
        ;(data.posting as { businessDate: string }).businessDate = '2026-11-21'
        db.prepare("UPDATE postings SET business_date = '2026-11-21' WHERE journal_seq = ?").run(seq)
      }),
    )
    expect(r.problem).toMatchObject({ kind: 'bad_closure', seq: o.journal.seq })
    expect(r.problem?.message).toContain('posts into business day 2026-11-21, which closure #2 already closed')
  })
})

import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { canonicalJson } from '../../src/shared/canonical-json'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { MIGRATIONS } from '../../src/main/core/db/migrations'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { ensureDevice } from '../../src/main/core/device'
import { eventHash, GENESIS_HASH } from '../../src/main/core/journal'
import { insertOrder, type OrderDocument } from '../../src/main/core/orders'
import { seedDemo } from '../../src/main/core/seed'
import { listStaff } from '../../src/main/core/staff'
import { verifyLedger } from '../../src/main/core/verify/verify'
import { call, demoCore, RESOURCES, signIn, tempDir } from '../helpers/tmp'
import { shell } from './ledger'

/**
 * A ledger written before the ledger existed (schema 6: sales, a refund and a reprint whose events
 * carry no posting day), migrated: migration 7 gives those events postings and lines, and verify
 * checks them as such (kind, record, lines; a sale's receipt day; no shift, no adjustment).
 */
function legacyLedger(): { file: string; docs: OrderDocument[]; refundSeq: number; reprintSeq: number } {
  // Real sale documents, sold through today's core on a scratch ledger.
  const { core } = demoCore()
  const tok = signIn(core, 'Li Na', '1111')
  call(core, 'shift-open', { shiftId: newId(), count: [{ value: 20000, kind: 'amount', count: 1 }] }, tok)
  const sold = [1, 2, 3].map((q) => call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: String(q) }, { productId: 'p1001', quantity: '1' }] }, cashTendered: 10_000 }, tok))
  core.db.close()

  const file = join(tempDir(), 'v6.sqlite')
  const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 6) })
  seedDemo(db, join(RESOURCES, 'demo-catalog.json'), '2026-11-22T00:00:00.000Z')
  const device = ensureDevice(db)
  const cashier = listStaff(db).find((s) => s.role === 'cashier')!
  const docs: OrderDocument[] = sold.map(({ journal: _j, reprints: _r, refunds: _f, ...doc }) => ({ ...doc, staff: { id: cashier.id, name: cashier.name } }))
  let seq = 0
  let prev = GENESIS_HASH
  const append = (type: string, at: string, data: unknown): number => {
    seq++
    const id = newId()
    const hash = eventHash(prev, { id, device: device.id, seq, type, at, data })
    db.prepare('INSERT INTO journal (seq, event_id, device_id, type, created_at, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      seq,
      id,
      device.id,
      type,
      at,
      canonicalJson(data),
      prev,
      hash,
    )
    db.prepare('INSERT INTO outbox (event_id, seq, created_at) VALUES (?, ?, ?)').run(id, seq, at)
    prev = hash
    return seq
  }
  let refundSeq = 0
  let reprintSeq = 0
  db.transaction(() => {
    docs.forEach((d, i) => insertOrder(db, d, device.id, i + 1, append('sale.completed', d.createdAt, d)))
    // What refunds.ts and orders.ts posted before the ledger: no posting, no taxes, no currency on a reprint.
    const o = docs[0]!
    const t = o.tenders[0]!
    const at = '2026-11-22T05:00:00.000Z'
    db.prepare(
      `INSERT INTO refunds (id, order_id, tender_id, method, amount_minor, currency, state, reason, staff_id, staff_name, created_at, updated_at)
       VALUES ('R1', ?, ?, 'cash', 100, 'CNY', 'created', 'damaged', ?, ?, ?, ?)`,
    ).run(o.id, t.id, cashier.id, cashier.name, at, at)
    refundSeq = append('refund.completed', at, {
      refundId: 'R1',
      orderId: o.id,
      receiptNo: o.receiptNo,
      tenderId: t.id,
      method: 'cash',
      amount: 100,
      currency: 'CNY',
      reason: 'damaged',
      staff: { id: cashier.id, name: cashier.name },
      approvedBy: null,
      providerRef: null,
      at,
    })
    db.prepare("UPDATE refunds SET state = 'succeeded', completed_at = ?, journal_seq = ? WHERE id = 'R1'").run(at, refundSeq)
    reprintSeq = append('receipt.reprinted', at, { reprintId: 'P1', orderId: o.id, receiptNo: o.receiptNo, staffId: cashier.id })
    db.prepare("INSERT INTO reprints (id, order_id, staff_id, created_at, journal_seq) VALUES ('P1', ?, ?, ?, ?)").run(o.id, cashier.id, at, reprintSeq)
  })()
  db.close()
  // Today's Daybook opens it: migration 7 backfills the postings.
  openDatabase(file).close()
  return { file, docs, refundSeq, reprintSeq }
}

function verifyFile(file: string): ReturnType<typeof verifyLedger> {
  const db = new Database(file, { readonly: true })
  try {
    return verifyLedger(db)
  } finally {
    db.close()
  }
}

it('a migrated ledger verifies, its backfilled postings checked against their events', () => {
  const { file } = legacyLedger()
  const r = verifyFile(file)
  expect(r.problem).toBeNull()
  expect(r.rows).toMatchObject({ orders: 3, refunds: 1, reprints: 1, postings: 5 })
})

it("a backfilled sale posting moved off its receipt's day is named", () => {
  const { file, docs } = legacyLedger()
  const db = shell(file)
  db.prepare("UPDATE postings SET business_date = '2020-01-01' WHERE journal_seq = 2").run()
  db.close()
  expect(verifyFile(file).problem).toMatchObject({ kind: 'row_differs', seq: 2, table: 'postings' })
  expect(verifyFile(file).problem?.message).toContain(`business_date is "2020-01-01", the event says "${docs[1]!.businessDate}"`)
})

it('a backfilled refund posting given a shift is named', () => {
  const { file, refundSeq } = legacyLedger()
  const db = shell(file)
  db.prepare("UPDATE postings SET shift_id = 'S1' WHERE journal_seq = ?").run(refundSeq)
  db.close()
  expect(verifyFile(file).problem).toMatchObject({ kind: 'row_differs', seq: refundSeq, table: 'postings' })
})

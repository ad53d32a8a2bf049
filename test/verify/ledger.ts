import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { canonicalJson } from '../../src/shared/canonical-json'
import type { Order } from '../../src/shared/contract'
import { eventHash } from '../../src/main/core/journal'
import { newId } from '../../src/shared/ids'
import type { Core } from '../../src/main/core/service'
import { call, demoCore, REPO, signIn } from '../helpers/tmp'

/**
 * A real ledger made through the core's channels, with every kind of posted record: two business
 * days, each with a shift (opened with a counted float, sales in cash with change, a split cash
 * checkout, a void of a checkout that took cash, a refund, a reprint, pay-in, pay-out and safe drop,
 * closed with a count), a take-over, and a Z; then a third day left open with a few more sales.
 */
export interface Made {
  core: Core
  file: string
  dir: string
  orders: Order[]
  /** Closes the core's connection (the file is then the user's). */
  close(): void
}

const at = (iso: string): Date => new Date(iso)

export function makeLedger(opts: { salesPerDay?: number; openDaySales?: number } = {}): Made {
  const perDay = opts.salesPerDay ?? 6
  let now = at('2026-11-20T02:00:00Z') // 10:00 in Shanghai
  const { core, file, dir } = demoCore(() => now)
  let cashier = ''
  let sup = ''
  // Sessions end after 12 idle hours: sign in again each morning.
  const morning = (d: string): void => {
    now = at(`${d}T02:00:00Z`)
    cashier = signIn(core, 'Li Na', '1111')
    sup = signIn(core, 'Zhang Wei', '2222')
  }
  const orders: Order[] = []
  const tick = (minutes = 3): void => {
    now = new Date(now.getTime() + minutes * 60_000)
  }
  const sell = (tok: string, i: number): Order => {
    tick()
    const o = call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: String((i % 3) + 1) }, { productId: 'p1001', quantity: '1' }] }, cashTendered: 10_000 }, tok)
    orders.push(o)
    return o
  }
  const day = (d: string, last: boolean): void => {
    morning(d)
    const shift = call<{ id: string }>(core, 'shift-open', { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 2 }, { value: 50, kind: 'coin', count: 4 }] }, cashier)
    const sold: Order[] = []
    for (let i = 0; i < perDay; i++) sold.push(sell(cashier, i))
    // A checkout paid in two cash parts.
    tick()
    const co = call<{ id: string; total: number }>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1003', quantity: '2' }] } }, cashier)
    const half = Math.floor(co.total / 2)
    call(core, 'tender-add', { checkoutId: co.id, attemptId: newId(), flow: 'cash', amount: half, tendered: half }, cashier)
    call(core, 'tender-add', { checkoutId: co.id, attemptId: newId(), flow: 'cash', amount: co.total - half, tendered: 5000 }, cashier)
    orders.push(call<Order>(core, 'order-get', { id: co.id }, cashier))
    // A checkout that took cash, then was voided (the cash handed back).
    tick()
    const v = call<{ id: string; total: number }>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '3' }] } }, sup)
    call(core, 'tender-add', { checkoutId: v.id, attemptId: newId(), flow: 'cash', amount: 100, tendered: 100 }, sup)
    call(core, 'checkout-void', { checkoutId: v.id, reason: 'customer changed mind' }, sup)
    // A refund of part of a cash sale, a reprint, cash movements.
    tick()
    const first = sold[0]!
    call(core, 'refund-create', { refundId: newId(), orderId: first.id, tenderId: first.tenders[0]!.id, amount: 200, reason: 'damaged' }, sup)
    tick()
    call(core, 'order-reprint', { id: sold[1]!.id }, cashier)
    tick()
    call(core, 'cash-move', { movementId: newId(), kind: 'pay_in', amount: 5000, reason: 'change_float', note: 'coins from the bank' }, cashier)
    call(core, 'cash-move', { movementId: newId(), kind: 'pay_out', amount: 300, reason: 'petty_expense', note: 'milk' }, cashier)
    call(core, 'cash-move', { movementId: newId(), kind: 'safe_drop', amount: 10000, reason: 'other', note: 'midday drop' }, cashier)
    // The supervisor takes the drawer over and closes it, counted exactly.
    tick()
    call(core, 'shift-takeover', { shiftId: shift.id }, sup)
    const open = call<{ expected: number }>(core, 'shift-get', { shiftId: shift.id }, sup)
    tick(60)
    call(core, 'shift-close', { shiftId: shift.id, count: [{ value: open.expected, kind: 'amount', count: 1 }], left: Math.min(open.expected, 20_000) }, sup)
    if (!last) {
      tick(10)
      call(core, 'day-close', { closureId: newId() }, sup)
    }
  }
  day('2026-11-20', false)
  day('2026-11-21', false)
  // A third day, still open: sales after the last Z.
  morning('2026-11-22')
  call(core, 'shift-open', { shiftId: newId(), count: [{ value: 20000, kind: 'amount', count: 1 }] }, cashier)
  for (let i = 0; i < (opts.openDaySales ?? 3); i++) sell(cashier, i)
  return { core, file, dir, orders, close: () => core.db.close() }
}

/** The file opened as a user with a SQLite shell would: the append-only triggers dropped first. */
export function shell(file: string): Database.Database {
  const db = new Database(file)
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`)
  return db
}

/** Rewrites event payloads from `from` on and re-hashes the chain after them, as a script could (the hash is not keyed). */
export function rehash(db: Database.Database, from: number, edit: (seq: number, type: string, data: Record<string, unknown>) => void): void {
  const rows = db.prepare('SELECT * FROM journal WHERE seq >= ? ORDER BY seq').all(from) as {
    seq: number
    event_id: string
    device_id: string
    type: string
    created_at: string
    payload: string
    prev_hash: string
  }[]
  let prev = rows[0]!.prev_hash
  const update = db.prepare('UPDATE journal SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?')
  for (const r of rows) {
    const data = JSON.parse(r.payload) as Record<string, unknown>
    if (r.type === 'day.closed') {
      // A closure names the hash before it: rewritten too, in its event and its row.
      data.lastHash = prev
      db.prepare('UPDATE closures SET last_hash = ? WHERE journal_seq = ?').run(prev, r.seq)
    }
    edit(r.seq, r.type, data)
    const hash = eventHash(prev, { id: r.event_id, device: r.device_id, seq: r.seq, type: r.type, at: r.created_at, data })
    update.run(canonicalJson(data), prev, hash, r.seq)
    prev = hash
  }
}

/** Deletes the journal after `end` and every posted row that points into the cut part (the outbox rows too, or not). */
export function deleteTail(db: Database.Database, end: number, o: { outbox: boolean; keep?: string[] }): void {
  const keep = new Set(o.keep ?? [])
  const cut = 'SELECT id FROM orders WHERE journal_seq > ?'
  for (const t of ['order_lines', 'order_taxes', 'order_tenders']) db.prepare(`DELETE FROM ${t} WHERE order_id IN (${cut})`).run(end)
  db.prepare(`DELETE FROM refunds WHERE order_id IN (${cut}) OR journal_seq > ?`).run(end, end)
  db.prepare(`DELETE FROM checkouts WHERE id IN (${cut}) OR updated_at > (SELECT created_at FROM journal WHERE seq = ?)`).run(end, end)
  for (const t of ['orders', 'reprints', 'shifts', 'shift_closes', 'shift_takeovers', 'cash_movements', 'closures', 'ledger_lines', 'postings']) {
    if (!keep.has(t)) db.prepare(`DELETE FROM ${t} WHERE journal_seq > ?`).run(end)
  }
  if (o.outbox) db.prepare('DELETE FROM outbox WHERE seq > ?').run(end)
  db.prepare('DELETE FROM journal WHERE seq > ?').run(end)
}

/** `npm run daybook -- …` as a user runs it: its exit status and what it printed. */
export function daybookCli(...args: string[]): { status: number; out: string } {
  try {
    return { status: 0, out: execFileSync(join(REPO, 'node_modules/.bin/tsx'), ['src/main/core/cli.ts', ...args], { cwd: REPO, encoding: 'utf8' }) }
  } catch (e) {
    const x = e as { status: number; stdout: string }
    return { status: x.status, out: x.stdout }
  }
}

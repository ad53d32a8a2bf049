import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { verifyJournal } from '../../src/main/core/journal'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { call, demoCore, openShift, REPO, signIn } from '../helpers/tmp'

/** A shift's opening (event 1), then `n` cash sales (events 2…n + 1). */
function sellSome(n: number) {
  const env = demoCore()
  const tok = signIn(env.core, 'Li Na', '1111')
  openShift(env.core, tok)
  const orders: Order[] = []
  for (let i = 0; i < n; i++) {
    orders.push(call<Order>(env.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: String(i + 1) }] }, cashTendered: 100_000 }, tok))
  }
  return { ...env, tok, orders }
}

describe('posted records are append-only', () => {
  it.each([
    ['orders', "UPDATE orders SET total_minor = 1"],
    ['orders', 'DELETE FROM orders'],
    ['order_lines', "UPDATE order_lines SET quantity = '99'"],
    ['order_lines', 'DELETE FROM order_lines'],
    ['order_taxes', 'UPDATE order_taxes SET amount_minor = 0'],
    ['order_tenders', 'UPDATE order_tenders SET amount_minor = 0'],
    ['order_tenders', 'DELETE FROM order_tenders'],
    ['journal', "UPDATE journal SET payload = '{}'"],
    ['journal', 'DELETE FROM journal WHERE seq = 2'],
    ['reprints', 'DELETE FROM reprints'],
    ['postings', "UPDATE postings SET business_date = '2000-01-01'"],
    ['postings', 'DELETE FROM postings'],
    ['ledger_lines', 'UPDATE ledger_lines SET debit_minor = debit_minor + 1'],
    ['ledger_lines', 'DELETE FROM ledger_lines'],
    ['shifts', 'UPDATE shifts SET float_minor = 0'],
    ['shifts', 'DELETE FROM shifts'],
  ])('%s refuses: %s', (table, sql) => {
    const { core, orders, tok } = sellSome(2)
    call(core, 'order-reprint', { id: orders[0]!.id }, tok)
    expect(() => core.db.prepare(sql).run()).toThrow(new RegExp(`append-only: ${table}`))
    expect(verifyJournal(core.db).ok).toBe(true)
  })
})

describe('journal verify', () => {
  it('passes an intact chain', () => {
    const { core } = sellSome(5)
    expect(verifyJournal(core.db)).toMatchObject({ ok: true, events: 6, lastSeq: 6, problem: null })
  })

  it('finds a tampered row: the first event whose content no longer matches its hash', () => {
    const { core, file, orders } = sellSome(5)
    core.db.close()
    const seq = orders[2]!.journal.seq // the third sale: 3 colas, 10.50
    expect(seq).toBe(4)
    const raw = new Database(file)
    raw.exec('DROP TRIGGER journal_no_update') // what an attacker with the file would do
    const row = raw.prepare('SELECT payload FROM journal WHERE seq = ?').get(seq) as { payload: string }
    expect(row.payload).toContain('"total":1050')
    raw.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run(row.payload.replace('"total":1050', '"total":50'), seq)
    const report = verifyJournal(raw)
    expect(report.ok).toBe(false)
    expect(report.problem).toMatchObject({ kind: 'bad_hash', seq })
    expect(report.lastSeq).toBe(seq - 1)
    raw.close()
  })

  it('finds a gap', () => {
    const { core, file } = sellSome(5)
    core.db.close()
    const raw = new Database(file)
    raw.pragma('foreign_keys = OFF')
    raw.exec('DROP TRIGGER journal_no_delete')
    raw.prepare('DELETE FROM journal WHERE seq = 4').run()
    expect(verifyJournal(raw).problem).toMatchObject({ kind: 'gap', seq: 5 })
    raw.close()
  })

  it('finds a re-hashed row whose link to its predecessor is broken', () => {
    const { core, file } = sellSome(3)
    core.db.close()
    const raw = new Database(file)
    raw.exec('DROP TRIGGER journal_no_update')
    raw.prepare("UPDATE journal SET prev_hash = ? WHERE seq = 2").run('f'.repeat(64))
    expect(verifyJournal(raw).problem).toMatchObject({ kind: 'broken_link', seq: 2 })
    raw.close()
  })

  it('is a command: npm run daybook -- verify <db> exits 0 on a good ledger and 1 on a bad one', () => {
    const { core, file } = sellSome(3)
    core.db.close()
    const tsx = `${REPO}/node_modules/.bin/tsx`
    const good = execFileSync(tsx, ['src/main/core/cli.ts', 'verify', file], { cwd: REPO, encoding: 'utf8' })
    expect(good).toMatch(/intact: 4 events/)
    const raw = new Database(file)
    raw.exec('DROP TRIGGER journal_no_update')
    raw.prepare("UPDATE journal SET created_at = 'x' WHERE seq = 2").run()
    raw.close()
    let status = 0
    let out = ''
    try {
      execFileSync(tsx, ['src/main/core/cli.ts', 'verify', file], { cwd: REPO, encoding: 'utf8' })
    } catch (e) {
      status = (e as { status: number }).status
      out = (e as { stdout: string }).stdout
    }
    expect(status).toBe(1)
    expect(out).toMatch(/event 2/)
  })
})

import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JournalReport, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { sealPath, type Seal } from '../../src/main/core/verify/seal'
import { verifyLedger, verifyLedgerFile } from '../../src/main/core/verify/verify'
import { call, REPO, signIn } from '../helpers/tmp'
import { deleteTail, makeLedger, rehash, shell, type Made } from './ledger'

/**
 * The seal beside a ledger (core/verify/seal.ts): a clean verify seals its last closure; the next
 * walks only the events after it when every sealed byte is as it was, and otherwise walks them all
 * and names the same first problem a walk without a seal names.
 */

let dir: string
let base: string
let made: Made
let lastClosure: number
let n = 0

beforeAll(() => {
  made = makeLedger({ openDaySales: 5 })
  dir = mkdtempSync(join(tmpdir(), 'daybook-verify-seal-'))
  base = join(dir, 'base.sqlite')
  made.core.db.pragma('wal_checkpoint(TRUNCATE)')
  copyFileSync(made.file, base)
  lastClosure = (made.core.db.prepare('SELECT max(journal_seq) AS s FROM closures').get() as { s: number }).s
})

afterAll(() => {
  made.close()
  rmSync(dir, { recursive: true, force: true })
})

function copy(): string {
  const file = join(dir, `s${++n}.sqlite`)
  copyFileSync(base, file)
  return file
}

function tamper(file: string, change: (db: Database.Database) => void): void {
  const db = shell(file)
  db.pragma('foreign_keys = OFF')
  change(db)
  db.close()
}

/** The walk without a seal, in this thread: what every answer must equal. */
function walked(file: string): JournalReport {
  const db = new Database(file, { readonly: true })
  try {
    return verifyLedger(db)
  } finally {
    db.close()
  }
}

async function verify(file: string, workers = 1): Promise<JournalReport> {
  return verifyLedgerFile(file, { workers })
}

const withoutSeal = ({ seal: _seal, ...rest }: JournalReport): JournalReport => rest

describe('a clean verify leaves a seal, and the next one resumes from it', () => {
  it('seals the last closure, then walks only the events after it, with the same answer', async () => {
    const file = copy()
    const first = await verify(file)
    expect(first.ok).toBe(true)
    expect(first.seal).toEqual({ outcome: 'none', seq: null, madeAt: null, written: lastClosure })
    const seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
    expect(seal.seq).toBe(lastClosure)
    expect(seal.closure).toMatchObject({ count: 2, number: 2, seq: lastClosure })

    for (const workers of [1, 3]) {
      const again = await verify(file, workers)
      expect(again.seal).toEqual({ outcome: 'used', seq: lastClosure, madeAt: seal.madeAt, written: null })
      expect(withoutSeal(again)).toEqual(walked(file))
      expect(withoutSeal(again)).toEqual(withoutSeal(first))
    }
  })

  it('walks what the till posted after the seal and seals the newer closure', async () => {
    const live = makeLedger({ openDaySales: 2 })
    try {
      const r1 = await verify(live.file)
      expect(r1.seal?.written).not.toBeNull()
      const tok = signIn(live.core, 'Li Na', '1111')
      const o = call<Order>(live.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '2' }] }, cashTendered: 10_000 }, tok)
      const r2 = await verify(live.file)
      expect(r2.seal?.outcome).toBe('used')
      expect(r2.ok).toBe(true)
      expect(r2.lastSeq).toBe(o.journal.seq)
      expect(r2.rows?.orders).toBe((r1.rows?.orders ?? 0) + 1)
      expect(withoutSeal(r2)).toEqual(walked(live.file))
    } finally {
      live.close()
    }
  })

  it('keeps matching when the sync marks sealed events acknowledged', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => db.prepare("UPDATE outbox SET sent_at = '2026-11-22T01:00:00.000Z' WHERE seq <= 10").run())
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('used')
    expect(r.acknowledgedSeq).toBe(10)
    expect(withoutSeal(r)).toEqual(walked(file))
  })
})

describe('a sealed byte changed: every event is walked and the first problem named as without a seal', () => {
  const cases: [string, (db: Database.Database) => void][] = [
    ['an early order total', (db) => db.prepare('UPDATE orders SET total_minor = total_minor + 1 WHERE journal_seq = (SELECT min(journal_seq) FROM orders)').run()],
    ['a ledger line removed', (db) => db.prepare('DELETE FROM ledger_lines WHERE journal_seq = (SELECT min(journal_seq) FROM orders) AND line_no = 1').run()],
    ['a tender removed', (db) => db.prepare('DELETE FROM order_tenders WHERE order_id = (SELECT id FROM orders ORDER BY journal_seq LIMIT 1)').run()],
    [
      'a line added to a sealed order',
      (db) =>
        db
          .prepare(
            'INSERT INTO order_lines SELECT order_id, line_no + 100, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines WHERE order_id = (SELECT id FROM orders ORDER BY journal_seq LIMIT 1) LIMIT 1',
          )
          .run(),
    ],
    ['an event payload edited, its hash left', (db) => db.prepare("UPDATE journal SET payload = replace(payload, '\"currency\":\"CNY\"', '\"currency\":\"HKD\"') WHERE seq = 3").run()],
    ['an event time edited', (db) => db.prepare("UPDATE journal SET created_at = '2026-11-20T02:00:00.000Z' WHERE seq = 4").run()],
    [
      'the chain re-hashed from an early sale with its row',
      (db) =>
        rehash(db, 3, (seq, type, data) => {
          if (seq === 3 && type === 'sale.completed') data.receiptNo = 'X-1'
        }),
    ],
    ['the journal cut inside the sealed part, its outbox rows left', (db) => deleteTail(db, 12, { outbox: false })],
  ]
  it.each(cases)('%s', async (_what, change) => {
    const file = copy()
    expect((await verify(file)).seal?.written).toBe(lastClosure)
    tamper(file, change)
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('mismatch')
    expect(r.ok).toBe(false)
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('a row cut after the seal is found by the walk that resumes from it', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => db.prepare('UPDATE orders SET total_minor = 1 WHERE journal_seq = (SELECT max(journal_seq) FROM orders)').run())
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('used')
    expect(r.problem?.kind).toBe('row_differs')
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('a journal tail cut after the seal, rows left pointing at it, is named', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => db.prepare('DELETE FROM journal WHERE seq > ?').run(lastClosure + 2))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('used')
    expect(r.problem?.kind).toBe('truncated')
    expect(withoutSeal(r)).toEqual(walked(file))
  })
})

describe('a seal that cannot be trusted is not used', () => {
  it('one whose digest was edited', async () => {
    const file = copy()
    await verify(file)
    const seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
    writeFileSync(sealPath(file), JSON.stringify({ ...seal, digest: seal.digest.replace(/^./, (c) => (c === '0' ? '1' : '0')) }))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('mismatch')
    expect(withoutSeal(r)).toEqual(walked(file))
    // The walk was clean, so it sealed again, correctly this time.
    expect((await verify(file)).seal?.outcome).toBe('used')
  })

  it('one moved to an earlier closure without its digest', async () => {
    const file = copy()
    await verify(file)
    const seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
    const db = new Database(file, { readonly: true })
    const first = db.prepare('SELECT journal_seq AS s, (SELECT hash FROM journal WHERE seq = journal_seq) AS h FROM closures ORDER BY number LIMIT 1').get() as { s: number; h: string }
    db.close()
    writeFileSync(sealPath(file), JSON.stringify({ ...seal, seq: first.s, hash: first.h, closure: { ...seal.closure, seq: first.s } }))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('mismatch')
    expect(r.ok).toBe(true)
  })

  it('one that is not a seal at all', async () => {
    const file = copy()
    writeFileSync(sealPath(file), '{"format": 1, "seq": "all"}')
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('none')
    expect(r.ok).toBe(true)
  })
})

describe('npm run daybook -- verify, with a seal', () => {
  function cli(...args: string[]): { status: number; out: string } {
    try {
      return { status: 0, out: execFileSync(join(REPO, 'node_modules/.bin/tsx'), ['src/main/core/cli.ts', ...args], { cwd: REPO, encoding: 'utf8' }) }
    } catch (e) {
      const x = e as { status: number; stdout: string }
      return { status: x.status, out: x.stdout }
    }
  }

  it('says what it sealed, what it resumed from, and walks everything with --full; --no-seal writes none', () => {
    const file = copy()
    const once = cli('verify', file, '--no-seal')
    expect(once.status).toBe(0)
    expect(existsSync(sealPath(file))).toBe(false)
    const first = cli('verify', file)
    expect(first.status).toBe(0)
    expect(first.out).toContain(`Sealed through closure event ${lastClosure} for the next run.`)
    const second = cli('verify', file, '--workers', '2')
    expect(second.out).toMatch(new RegExp(`Seal: events 1–${lastClosure} are byte for byte as the verify of \\S+ proved them; events ${lastClosure + 1}–\\d+ were walked\\.`))
    const full = cli('verify', file, '--full')
    expect(full.status).toBe(0)
    expect(full.out).toContain('Seal: ignored (--full); every event was walked.')
    expect(cli('verify', file, '--workers', '0').status).toBe(2)
  })
})

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JournalReport, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { digestChunk, digestTasks, joinDigests, sealPath, type Seal } from '../../src/main/core/verify/seal'
import { verifyLedger, verifyLedgerFile } from '../../src/main/core/verify/verify'
import { call, signIn } from '../helpers/tmp'
import { daybookCli, deleteTail, makeLedger, rehash, shell, type Made } from './ledger'

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
  // This file's own key (the CLI runs below inherit it): the user's ~/.daybook is left alone.
  process.env.DAYBOOK_VERIFY_KEY_FILE = join(dir, 'verify-seal.key')
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

/**
 * Changes the ledger as someone careful would: the triggers dropped, the change made, the triggers
 * put back as they were, so that the schema the seal also digests is the same and only the rows differ.
 */
function tamper(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file)
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[]
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`)
  db.pragma('foreign_keys = OFF')
  change(db)
  for (const t of triggers) db.exec(t.sql)
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
    ['a sealed void: its checkout row edited', (db) => db.prepare("UPDATE checkouts SET void_reason = 'nothing to see', total_minor = total_minor + 1 WHERE state = 'voided'").run()],
    ['a sealed void: the tender attempt it lists deleted', (db) => db.prepare("DELETE FROM tender_attempts WHERE checkout_id IN (SELECT id FROM checkouts WHERE state = 'voided')").run()],
    ['a posted row put in with seq 0', (db) => db.prepare("INSERT INTO reprints (id, order_id, staff_id, created_at, journal_seq) SELECT id || '-forged', order_id, staff_id, created_at, 0 FROM reprints LIMIT 1").run()],
    ['an outbox row put in with seq -1', (db) => db.prepare("INSERT INTO outbox (event_id, seq, created_at, sent_at) SELECT event_id || '-forged', -1, created_at, NULL FROM outbox WHERE seq = 1").run()],
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

  it('an order line put in for no order (no seq, so no digest has it): the whole-table count after the walk names it', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) =>
      db.prepare("INSERT INTO order_lines SELECT 'ghost-order', line_no, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines LIMIT 1").run(),
    )
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('used')
    expect(r.problem?.kind).toBe('row_without_event')
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('the triggers dropped (the schema the seal digests changed): every event is walked', async () => {
    const file = copy()
    await verify(file)
    const db = shell(file)
    db.close()
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('mismatch')
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('a payload stored as a BLOB of the same bytes (the journal made loose first) is not the sealed payload', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => {
      db.pragma('legacy_alter_table = ON')
      const ddl = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'journal'").get() as { sql: string }).sql
      db.exec(ddl.replace('CREATE TABLE journal', 'CREATE TABLE journal_loose').replace(/\)\s*STRICT\s*$/, ')'))
      db.exec('INSERT INTO journal_loose SELECT * FROM journal; DROP TABLE journal; ALTER TABLE journal_loose RENAME TO journal')
      db.prepare('UPDATE journal SET payload = CAST(payload AS BLOB) WHERE seq = 3').run()
    })
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('mismatch')
    expect(r.ok).toBe(false)
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('the journal cut exactly at the sealed closure, rows and all: the same answer as a walk', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => deleteTail(db, lastClosure, { outbox: true }))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('used')
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
    expect(r.seal?.outcome).toBe('untrusted')
    expect(withoutSeal(r)).toEqual(walked(file))
    // The walk was clean, so it sealed again, correctly this time.
    expect((await verify(file)).seal?.outcome).toBe('used')
  })

  it('one whose counts were edited to hide an orphan order line', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) =>
      db.prepare("INSERT INTO order_lines SELECT 'ghost-order', line_no, product_id, name_en, name_zh, unit, quantity, unit_price_minor, gross_minor, line_discount_minor, order_discount_minor, total_minor, tax_minor, tax_ids FROM order_lines LIMIT 1").run(),
    )
    const seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
    writeFileSync(sealPath(file), JSON.stringify({ ...seal, rows: { ...seal.rows, order_lines: (seal.rows.order_lines ?? 0) + 1 } }))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('untrusted')
    expect(r.problem?.kind).toBe('row_without_event')
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('one whose digest was recomputed over tampered rows with the public digest code (no key)', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) => db.prepare('UPDATE orders SET total_minor = total_minor - 100 WHERE journal_seq = (SELECT min(journal_seq) FROM orders)').run())
    const seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
    const db = new Database(file, { readonly: true })
    const digest = joinDigests(digestTasks(seal.schema, seal.seq).map((t) => digestChunk(db, seal.schema, t)))
    db.close()
    expect(digest).not.toBe(seal.digest)
    writeFileSync(sealPath(file), JSON.stringify({ ...seal, digest }))
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('untrusted')
    expect(r.problem?.kind).toBe('row_differs')
    expect(withoutSeal(r)).toEqual(walked(file))
  })

  it('one signed with another key', async () => {
    const file = copy()
    await verify(file)
    const mine = process.env.DAYBOOK_VERIFY_KEY_FILE
    process.env.DAYBOOK_VERIFY_KEY_FILE = join(dir, 'another.key')
    try {
      const r = await verify(file)
      expect(r.seal?.outcome).toBe('untrusted')
      expect(r.ok).toBe(true)
    } finally {
      process.env.DAYBOOK_VERIFY_KEY_FILE = mine
    }
  })

  it('one that is not a seal at all', async () => {
    const file = copy()
    writeFileSync(sealPath(file), '{"format": 1, "seq": "all"}')
    const r = await verify(file)
    expect(r.seal?.outcome).toBe('none')
    expect(r.ok).toBe(true)
  })
})

describe('what a seal proved stays proved', () => {
  it('a journal cut below the sealed closure, rows and all, is named, and the seal is kept', async () => {
    const file = copy()
    await verify(file)
    const before = readFileSync(sealPath(file), 'utf8')
    const db = new Database(file, { readonly: true })
    const firstClosure = (db.prepare('SELECT min(journal_seq) AS s FROM closures').get() as { s: number }).s
    db.close()
    tamper(file, (d) => deleteTail(d, firstClosure + 3, { outbox: true }))
    // A walk alone cannot tell this from a till that stopped earlier.
    expect(walked(file).ok).toBe(true)
    const r = await verify(file)
    expect(r.ok).toBe(false)
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: lastClosure })
    expect(r.problem?.message).toMatch(new RegExp(`the journal ends at event ${firstClosure + 3}, but .*proved the journal up to event ${lastClosure}`))
    expect(readFileSync(sealPath(file), 'utf8')).toBe(before)
  })

  it('a chain re-hashed through the sealed closure is named', async () => {
    const file = copy()
    await verify(file)
    tamper(file, (db) =>
      rehash(db, 3, (seq, type, data) => {
        if (seq === 3 && type === 'sale.completed') data.receiptNo = 'X-1'
      }),
    )
    const r = await verify(file)
    expect(r.ok).toBe(false)
    expect(r.problem?.kind).not.toBe(null)
  })
})

describe('npm run daybook -- verify, with a seal', () => {
  const cli = daybookCli

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

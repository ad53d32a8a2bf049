import { describe, expect, it } from 'vitest'
import { till } from '../shifts/support'

/** The print_jobs table (migration 9): STRICT, never deleted, a printed job never changes, what a job prints is fixed. */
describe('print_jobs', () => {
  it('refuses a delete, any change to a done job, and a change of what a job prints', async () => {
    const t = till()
    const db = t.core.db
    const insert = db.prepare("INSERT INTO print_jobs (id, kind, ref_id, print, drawer, state, attempts, created_at) VALUES (?, 'test', NULL, 1, 0, ?, 0, '2026-11-22T03:00:00Z')")
    insert.run('a', 'pending')
    insert.run('b', 'pending')
    expect(() => db.prepare("DELETE FROM print_jobs WHERE id = 'a'").run()).toThrow(/print jobs are kept/)
    expect(() => db.prepare("UPDATE print_jobs SET kind = 'sale' WHERE id = 'a'").run()).toThrow(/never changes/)
    expect(() => db.prepare("UPDATE print_jobs SET drawer = 1 WHERE id = 'a'").run()).toThrow(/never changes/)
    expect(() => db.prepare("UPDATE print_jobs SET state = 'failed' WHERE id = 'a'").run()).toThrow(/CHECK constraint/) // a failure needs its code
    db.prepare("UPDATE print_jobs SET state = 'done', done_at = 'x' WHERE id = 'b'").run()
    expect(() => db.prepare("UPDATE print_jobs SET state = 'pending' WHERE id = 'b'").run()).toThrow(/printed job never changes/)
    expect(() => insert.run('c', 'printed')).toThrow(/CHECK constraint/)
    expect(() => db.prepare("INSERT INTO print_jobs (id, kind, ref_id, print, drawer, state, attempts, created_at) VALUES ('d', 'fax', NULL, 1, 0, 'pending', 0, 'x')").run()).toThrow(/CHECK constraint/)
    expect(() => db.prepare("INSERT INTO print_jobs (id, kind, ref_id, print, drawer, state, attempts, created_at) VALUES ('e', 'test', NULL, '1', 0, 'pending', 0, 'x')").run()).not.toThrow() // STRICT coerces '1' to 1 (an INTEGER column)
    expect(() => db.prepare("INSERT INTO print_jobs (id, kind, ref_id, print, drawer, state, attempts, created_at) VALUES ('f', 'test', NULL, 'yes', 0, 'pending', 0, 'x')").run()).toThrow(/cannot store TEXT value in INTEGER column/)
    await t.core.close()
  })
})

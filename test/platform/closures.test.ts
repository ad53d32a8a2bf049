import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyClosure } from '../../src/platform/closures'
import { openDatabase, migrate, type Database } from '../../src/platform/db'
import { MIGRATIONS } from '../../src/platform/migrations'
import { canonicalJson } from '../../src/shared/canonical-json'
import { newId } from '../../src/shared/ids'
import { postingFor, sumFigures } from '../../src/shared/ledger'
import { ClosuresSchema, PlatformErrorSchema, type PlatformClosure, type WireEvent } from '../../src/shared/platform-api'
import { PLATFORM_BACKENDS, adminCall, startTestPlatform, type PlatformBackend, type TestPlatform } from '../helpers/platform'
import { Chain, pairDevice, type TestDevice, settled } from './support'
import { asAnotherTill, pairJournal, runTill, sendAll, type TillRun } from './till-support'

/**
 * The ledger events on the platform (issue 10): shifts, take-overs, cash movements, shift closes and
 * Z closures from a real till's journal, each closure recomputed from the events of its range and
 * checked against the closure before it; the closures read API.
 */

/** Orders in the big closure (DAYBOOK_BIG_CLOSURE=50000 for the figure quoted in src/platform/README.md). */
const BIG = Number(process.env.DAYBOOK_BIG_CLOSURE ?? 5000)

type Row = Record<string, unknown>
type Data = Record<string, unknown>
type Figures = { net: number; tenders: { method: string; net: number }[] }

function expectError(r: { status: number; body: unknown }, code: string, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status)
  expect(PlatformErrorSchema.parse(r.body).error.code).toBe(code)
}

let till: TillRun
beforeAll(() => {
  till = runTill()
})

describe.each(PLATFORM_BACKENDS)('shifts, cash movements and closures on %s', (backend) => {
  let p: TestPlatform
  beforeAll(async () => {
    p = await startTestPlatform(backend, { logger: !!process.env.PLOG })
  })
  afterAll(async () => {
    await p?.close()
  })

  const rows = (sql: string, params: unknown[] = []): Promise<Row[]> => settled(p).query(sql, params)
  const closuresOf = async (d: TestDevice, query = ''): Promise<PlatformClosure[]> => {
    const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/closures${query}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return ClosuresSchema.parse(r.body).closures
  }
  /** Ingests a copy of the till's journal, with `edit` applied to each event's data (chain hashes stay correct). */
  const ingestCopy = async (edit?: (e: WireEvent, data: Data) => void, batch = 500): Promise<TestDevice> => {
    const events = asAnotherTill(till.events, edit)
    const d = await pairJournal(p, events[0]!.device)
    await sendAll(d, events, batch)
    return d
  }
  const closureNumber = (e: WireEvent, data: Data, n: number): boolean => e.type === 'day.closed' && data.number === n

  it("stores a real till's shifts, take-over, cash movements, shift closes and closures, and verifies every closure", async () => {
    const d = await pairJournal(p, till.journalDeviceId)
    // Batches of 7: a closure arrives with part of its range, the rest came in earlier batches.
    await sendAll(d, till.events, 7)
    const flagged = await rows("SELECT seq, type, normalize_error FROM events WHERE device_id = $1 AND normalize_error IS NOT NULL", [d.deviceId])
    expect(flagged).toEqual([])

    const shifts = await rows(
      `SELECT s.shift_id, s.float_amount, s.previous_left, s.opened_by_name, s.business_date, s.adjustment_of, c.expected, c.counted, c.over_short, c.left_in_drawer, c.reason, c.approved_by_name, c.closed_by_name
       FROM shifts s LEFT JOIN shift_closes c ON c.device_id = s.device_id AND c.shift_id = s.shift_id WHERE s.device_id = $1 ORDER BY s.journal_seq`,
      [d.deviceId],
    )
    expect(shifts).toEqual(
      till.shifts.map((s) => ({
        shift_id: s.id,
        float_amount: s.float,
        previous_left: expect.any(Number),
        opened_by_name: s.openedBy.name,
        business_date: s.businessDate,
        adjustment_of: s.businessDate === '2026-11-24' ? '2026-11-23' : null,
        expected: s.expected,
        counted: s.counted,
        over_short: s.overShort,
        left_in_drawer: s.left,
        reason: s.overShortReason,
        approved_by_name: s.approvedBy?.name ?? null,
        closed_by_name: s.closedBy!.name,
      })),
    )
    expect(shifts[0]).toMatchObject({ over_short: -200, reason: 'miscounted change', approved_by_name: '张伟 Zhang Wei', closed_by_name: '张伟 Zhang Wei' })
    expect(shifts.map((s) => s.previous_left)).toEqual([0, 10_000, 10_000])

    const takeovers = await rows('SELECT shift_id, from_name, to_name FROM shift_takeovers WHERE device_id = $1', [d.deviceId])
    expect(takeovers).toEqual([{ shift_id: till.shifts[0]!.id, from_name: '李娜 Li Na', to_name: '张伟 Zhang Wei' }])
    const movements = await rows('SELECT shift_id, kind, amount, reason, note, staff_name, business_date FROM cash_movements WHERE device_id = $1 ORDER BY journal_seq', [d.deviceId])
    expect(movements).toEqual(
      till.shifts[0]!.movements.map((m) => ({ shift_id: m.shiftId, kind: m.kind, amount: m.amount, reason: m.reason, note: m.note, staff_name: m.staff.name, business_date: '2026-11-22' })),
    )
    expect(movements.map((m) => [m.kind, m.amount])).toEqual([
      ['pay_in', 5000],
      ['pay_out', 300],
      ['safe_drop', 10_000],
    ])

    const closures = await closuresOf(d)
    expect(closures).toHaveLength(3)
    for (const [i, c] of closures.entries()) {
      const t = till.closures[i]!
      expect(c.verification, JSON.stringify(c.verification)).toMatchObject({ state: 'verified', differences: [] })
      expect(c).toMatchObject({
        id: t.id,
        storeId: d.storeId,
        deviceId: d.deviceId,
        deviceName: 'Till 1',
        deviceCode: 'T01',
        number: t.number,
        businessDate: t.businessDate,
        fromDate: t.fromDate,
        firstSeq: t.firstSeq,
        lastSeq: t.lastSeq,
        lastHash: t.lastHash,
        journalSeq: t.journalSeq,
        currency: 'CNY',
        figures: t.figures,
        periodTotal: t.periodTotal,
        previousGrandTotal: t.previousGrandTotal,
        grandTotal: t.grandTotal,
        closedBy: t.closedBy,
        closedAt: t.closedAt,
      })
    }
    expect(closures.map((c) => [c.number, c.businessDate, c.periodTotal, c.grandTotal])).toEqual([
      [1, '2026-11-22', 1000, 1000],
      [2, '2026-11-23', 1000, 2000],
      [3, '2026-11-24', 400, 2400],
    ])
    // The third closure lists the postings moved out of the closed 2026-11-23 as adjustments.
    expect(closures[2]!.figures.adjustments.map((a) => [a.kind, a.naturalDate])).toEqual([
      ['shift_open', '2026-11-23'],
      ['sale', '2026-11-23'],
    ])
    // Re-sending the whole journal is all duplicates and changes nothing.
    await sendAll(d, till.events, 500)
    expect(await closuresOf(d)).toEqual(closures)
  })

  it('a doctored closure (cash net + 100, chain hashes correct) is a mismatch naming the field; the closures after it verify', async () => {
    const d = await ingestCopy((e, data) => {
      if (closureNumber(e, data, 1)) (data.figures as Figures).tenders.find((t) => t.method === 'cash')!.net += 100
    })
    const [z1, z2, z3] = await closuresOf(d)
    expect(z1!.verification.state).toBe('mismatch')
    expect(z1!.verification.differences).toEqual([{ field: 'figures.tenders.cash.net', closure: 1100, recomputed: 1000, message: expect.stringContaining('figures.tenders.cash.net') }])
    expect([z2!.verification.state, z3!.verification.state]).toEqual(['verified', 'verified'])
  })

  it('a closure whose totals were all raised consistently is caught, and so is the next one that continues the real grand total', async () => {
    const d = await ingestCopy((e, data) => {
      if (!closureNumber(e, data, 1)) return
      const f = data.figures as Figures
      f.net += 100
      f.tenders[0]!.net += 100
      data.periodTotal = (data.periodTotal as number) + 100
      data.grandTotal = (data.grandTotal as number) + 100
    })
    const [z1, z2, z3] = await closuresOf(d)
    expect(z1!.verification.differences.map((x) => [x.field, x.closure, x.recomputed])).toEqual([
      ['figures.net', 1100, 1000],
      ['figures.tenders.cash.net', 1100, 1000],
      ['periodTotal', 1100, 1000],
      ['grandTotal', 1100, 1000],
    ])
    // The till's second closure continued its own (real) grand total, not the one it sent.
    expect(z2!.verification.state).toBe('mismatch')
    expect(z2!.verification.differences.map((x) => [x.field, x.closure, x.recomputed])).toEqual([
      ['previousGrandTotal', 1000, 1100],
      ['grandTotal', 2000, 2100],
    ])
    expect(z3!.verification.state).toBe('verified')
  })

  it('flags a grand total that does not continue the previous closure', async () => {
    const d = await ingestCopy((e, data) => {
      if (closureNumber(e, data, 2)) {
        data.previousGrandTotal = 0
        data.grandTotal = 1000
      }
    })
    const [z1, z2, z3] = await closuresOf(d)
    expect(z1!.verification.state).toBe('verified')
    expect(z2!.verification).toMatchObject({ state: 'mismatch' })
    expect(z2!.verification.differences.map((x) => [x.field, x.closure, x.recomputed])).toEqual([
      ['previousGrandTotal', 0, 1000],
      ['grandTotal', 1000, 2000],
    ])
    expect(z2!.verification.differences[0]!.message).toContain("previous closure's grand total is 1000")
    // The third continues the real 2000, not the 1000 the second stated.
    expect(z3!.verification.differences.map((x) => [x.field, x.closure, x.recomputed])).toEqual([
      ['previousGrandTotal', 2000, 1000],
      ['grandTotal', 2400, 1400],
    ])
  })

  it('flags a gap in the closure numbers (and only there)', async () => {
    const d = await ingestCopy((e, data) => {
      if (e.type === 'day.closed' && (data.number as number) >= 2) data.number = (data.number as number) + 1
    })
    const [z1, z2, z3] = await closuresOf(d)
    expect([z1!.number, z2!.number, z3!.number]).toEqual([1, 3, 4])
    expect(z1!.verification.state).toBe('verified')
    expect(z2!.verification.differences.map((x) => [x.field, x.closure, x.recomputed])).toEqual([['number', 3, 2]])
    expect(z3!.verification.state).toBe('verified')
  })

  it('flags a range that does not start after the previous one, and a last hash that is not the hash of its last event', async () => {
    const d = await ingestCopy((e, data) => {
      if (closureNumber(e, data, 2)) {
        data.firstSeq = (data.firstSeq as number) + 1
        data.lastHash = 'f'.repeat(64)
      }
    })
    const [, z2] = await closuresOf(d)
    expect(z2!.verification.differences.map((x) => x.field)).toEqual(['firstSeq', 'lastHash'])
    expect(z2!.verification.differences[0]).toMatchObject({ closure: 14, recomputed: 13 })
  })

  it('verifies closures over events journaled before the ledger (no posting meta, a reprint without currency)', async () => {
    const z1 = till.closures[0]!
    const d = await ingestCopy((e, data) => {
      if (e.seq > z1.lastSeq || !['sale.completed', 'refund.completed', 'receipt.reprinted', 'checkout.voided'].includes(e.type)) return
      delete data.posting
      if (e.type === 'receipt.reprinted') delete data.currency
    })
    const legacy = await rows("SELECT count(*)::int AS n FROM events WHERE device_id = $1 AND type != 'shift.taken_over' AND data NOT LIKE '%\"posting\"%'", [d.deviceId])
    expect(legacy[0]!.n).toBe(6)
    const closures = await closuresOf(d)
    expect(closures.map((c) => c.verification.state)).toEqual(['verified', 'verified', 'verified'])
    expect((await rows('SELECT count(*)::int AS n FROM orders WHERE device_id = $1', [d.deviceId]))[0]!.n).toBe(6)
  })

  it('a closure whose range is not all here is pending, and is checked again with the next batch', async () => {
    const d = await ingestCopy()
    const device = { id: d.deviceId, time_zone: 'Asia/Shanghai' }
    const z3 = (await rows('SELECT * FROM closures WHERE device_id = $1 AND number = 3', [d.deviceId]))[0]!
    const head = z3.journal_seq as number
    // A fourth closure (as a row) covering events head+1…head+5 that are not stored.
    const z4 = { ...z3, number: 4, first_seq: head, last_seq: head + 5, journal_seq: head + 6, previous_grand_total: z3.grand_total, business_date: '2026-11-25', from_date: '2026-11-25' }
    const v = await verifyClosure(p.db, device, z4 as never)
    expect(v).toEqual({ state: 'pending', differences: [] })

    // A stored closure marked pending is verified again when the device's next batch arrives.
    await p.db.query("UPDATE closures SET verification = 'pending', differences = '[]' WHERE device_id = $1", [d.deviceId])
    const c = new Chain(d.journalDeviceId)
    c.seq = till.events.length
    c.hash = (await rows('SELECT last_hash FROM devices WHERE id = $1', [d.deviceId]))[0]!.last_hash as string
    await sendAll(d, [c.next('note.added', { text: 'hello' })])
    expect((await closuresOf(d)).map((x) => x.verification.state)).toEqual(['verified', 'verified', 'verified'])
  })

  it('stores a chain-valid shift, movement or closure event it cannot normalize, with the reason, and refuses nothing', async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const template = (type: string): Data => structuredClone(till.events.find((e) => e.type === type)!.data) as Data
    const shiftId = newId()
    const opened = { ...template('shift.opened'), shiftId, posting: { businessDate: '2026-11-22', shiftId, adjustmentOf: null } }
    const closed = { ...template('shift.closed'), shiftId, posting: { businessDate: '2026-11-22', shiftId, adjustmentOf: null } }
    const closure = { ...template('day.closed'), closureId: newId(), number: 1, firstSeq: 1 }
    const events = [
      c.next('shift.opened', { by: 'Li Na' }),
      c.next('shift.opened', opened),
      c.next('shift.opened', opened), // the same shift id again
      c.next('cash.moved', { ...template('cash.moved'), movementId: newId(), shiftId: 'NOPE' }),
      c.next('shift.taken_over', { ...template('shift.taken_over'), takeoverId: newId(), shiftId: 'NOPE' }),
      c.next('shift.closed', { ...closed, overShort: 1 }),
      c.next('shift.closed', closed),
      c.next('shift.closed', closed), // closed twice
      c.next('cash.moved', { ...template('cash.moved'), movementId: newId(), shiftId }), // after the close
      c.next('day.closed', { ...closure, currency: 'HKD' }),
      c.next('day.closed', closure),
      c.next('day.closed', closure), // the same closure id again
      c.next('day.closed', { businessDate: '2026-11-22' }),
    ]
    const r = await d.call('POST', '/v1/device/events', { body: { events } })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const errors = await rows('SELECT seq, normalize_error FROM events WHERE device_id = $1 ORDER BY seq', [d.deviceId])
    expect(errors.map((e) => [e.seq, e.normalize_error])).toEqual([
      [1, expect.stringMatching(/^not an acceptable shift opening: shiftId: /)],
      [2, null],
      [3, `shift opening: shift ${shiftId} is already recorded for this device`],
      [4, 'cash movement: shift NOPE was never opened on this device'],
      [5, 'shift take-over: shift NOPE was never opened on this device'],
      [6, 'not an acceptable shift close: overShort: overShort must be counted − expected'],
      [7, null],
      [8, `shift close: shift ${shiftId} is already closed`],
      [9, `cash movement: shift ${shiftId} is already closed`],
      [10, 'closure: it is in HKD, the store in CNY'],
      [11, null],
      [12, `closure: closure ${closure.closureId} is already recorded for this device`],
      [13, expect.stringMatching(/^not an acceptable closure: /)],
    ])
    expect((await rows('SELECT count(*)::int AS n FROM shifts WHERE device_id = $1', [d.deviceId]))[0]!.n).toBe(1)
    expect((await rows('SELECT count(*)::int AS n FROM shift_closes WHERE device_id = $1', [d.deviceId]))[0]!.n).toBe(1)
    // The one closure stored does not agree with these events: verified as a mismatch, not refused.
    const [z] = await closuresOf(d)
    expect(z!.verification.state).toBe('mismatch')
    expect(z!.verification.differences.map((x) => x.field)).toContain('figures.net')
  })

  it(`verifies a closure of ${BIG.toLocaleString('en')} orders in the batch that brings it, quickly`, async () => {
    const d = await pairDevice(p)
    const c = new Chain(d.journalDeviceId)
    const template = (type: string): Data => structuredClone(till.events.find((e) => e.type === type)!.data) as Data
    const shiftId = newId()
    const posting = { businessDate: '2026-11-22', shiftId, adjustmentOf: null }
    c.next('shift.opened', { ...template('shift.opened'), shiftId, previousLeft: 0, posting })
    const sale = template('sale.completed')
    const lines = sale.lines as Data[]
    sale.lines = Array.from({ length: 5 }, (_, i) => ({ ...lines[0]!, lineNo: i + 1 })) // a realistic payload size (lines are not posted)
    for (let i = 0; i < BIG; i++) c.next('sale.completed', { ...sale, id: newId(), receiptNo: `T01-20261122-${i}`, posting })
    const range = c.events.slice()
    const entries = range.map((e) => {
      const x = postingFor(e.type, e.data)!
      return { seq: e.seq, kind: x.kind, refId: x.refId, meta: x.meta!, lines: x.lines }
    })
    const figures = sumFigures(entries)
    const closure = { ...template('day.closed'), closureId: newId(), number: 1, firstSeq: 1, lastSeq: c.seq, lastHash: c.hash, fromDate: '2026-11-22', businessDate: '2026-11-22' }
    Object.assign(closure, { figures, periodTotal: figures.net, previousGrandTotal: 0, grandTotal: figures.net })
    const z = c.next('day.closed', closure)
    let t0 = performance.now()
    await sendAll(d, range, 300) // under the 1 MiB body limit, like the relay
    const ingestMs = performance.now() - t0
    t0 = performance.now()
    await sendAll(d, [z])
    const closeMs = performance.now() - t0
    const [stored] = await closuresOf(d)
    expect(stored!.verification).toMatchObject({ state: 'verified', differences: [] })
    expect(stored!.figures.counts.orders).toBe(BIG)
    console.log(`${backend}: ${BIG} orders ingested in ${ingestMs.toFixed(0)} ms; the batch with their closure (verified) took ${closeMs.toFixed(0)} ms`)
    expect(closeMs).toBeLessThan(BIG * 0.4 + 2000)
  }, 600_000)

  it('GET closures: from/to, one device, admin token, and the platform error shape for bad input', async () => {
    const a = await ingestCopy()
    const other = asAnotherTill(till.events)
    const b = await pairJournal(p, other[0]!.device, { storeId: a.storeId })
    await sendAll(b, other)
    const list = (q: string): Promise<string[]> => closuresOf(a, q).then((cs) => cs.map((c) => `${c.businessDate}/${c.deviceId === a.deviceId ? 'a' : 'b'}${c.number}`))
    expect(await list('')).toEqual(['2026-11-22/a1', '2026-11-22/b1', '2026-11-23/a2', '2026-11-23/b2', '2026-11-24/a3', '2026-11-24/b3'].sort())
    expect(await list('?from=2026-11-23&to=2026-11-23')).toEqual(['2026-11-23/a2', '2026-11-23/b2'])
    expect(await list('?from=2026-11-23')).toHaveLength(4)
    expect(await list('?to=2026-11-22')).toHaveLength(2)
    expect(await list('?from=2026-11-25')).toEqual([])
    expect(await list(`?deviceId=${b.deviceId}&from=2026-11-24`)).toEqual(['2026-11-24/b3'])

    const path = `/v1/admin/stores/${a.storeId}/closures`
    const none = await fetch(p.url + path)
    expectError({ status: none.status, body: await none.json() }, 'unauthorized', 401)
    expectError(await adminCall({ url: p.url, adminToken: `${p.adminToken}x` }, 'GET', path), 'unauthorized', 401)
    for (const q of ['?from=2026-13-01', '?to=yesterday', '?from=2026-11-24&to=2026-11-22', '?deviceId=till-1', '?limit=5', '?from=2026-11-2']) {
      const r = await adminCall(p, 'GET', path + q)
      expectError(r, 'invalid_request', 400)
      expect(r.body.error.details, q).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.arrayContaining(['query']) })]))
    }
    expectError(await adminCall(p, 'GET', `/v1/admin/stores/${newId()}/closures`), 'not_found', 404)
    expectError(await adminCall(p, 'GET', '/v1/admin/stores/not-a-store/closures'), 'invalid_request', 400)
  })
})

/** A database of an older platform (migrations 1–3) on the backend, dropped at the end. */
async function olderPlatformDatabase(backend: PlatformBackend): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { migrateTo: 3 })
    return { db, drop: () => db.close() }
  }
  const url = process.env.DAYBOOK_TEST_PG_URL!
  const schema = `t_${randomBytes(8).toString('hex')}`
  const db = await openDatabase({ kind: 'postgres', url, schema }, { migrateTo: 3 })
  return {
    db,
    drop: async () => {
      await db.close()
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end())
    },
  }
}

describe.each(PLATFORM_BACKENDS)('upgrading a platform database that already holds ledger events on %s', (backend) => {
  it('migration 4 normalizes the shift, movement and closure events an older platform kept raw, and verifies the closures', async () => {
    const { db, drop } = await olderPlatformDatabase(backend)
    try {
      expect((await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual([1, 2, 3])
      const at = '2026-11-24T08:00:00.000Z'
      await db.query("INSERT INTO stores (id, name, currency, time_zone, created_at) VALUES ('S1', 'Old', 'CNY', 'Asia/Shanghai', $1)", [at])
      const insertDevice = (id: string, journal: string, events: WireEvent[]): Promise<unknown> =>
        db.query("INSERT INTO devices (id, store_id, name, created_at, journal_device_id, last_seq, last_hash) VALUES ($1, 'S1', $1, $2, $3, $4, $5)", [
          id,
          at,
          journal,
          events.length,
          events[events.length - 1]!.hash,
        ])
      const insertEvents = async (deviceId: string, events: WireEvent[]): Promise<void> => {
        for (const e of events) {
          await db.query("INSERT INTO events (event_id, device_id, store_id, seq, type, at, received_at, data, prev_hash, hash) VALUES ($1, $2, 'S1', $3, $4, $5, $6, $7, $8, $9)", [
            e.id,
            deviceId,
            e.seq,
            e.type,
            e.at,
            at,
            canonicalJson(e.data),
            e.prevHash,
            e.hash,
          ])
          // What migrations 1–3 made of a day.closed: its business date only.
          if (e.type === 'day.closed') await db.query("INSERT INTO closures (event_id, store_id, device_id, business_date, received_at) VALUES ($1, 'S1', $2, $3, $4)", [e.id, deviceId, (e.data as Data).businessDate, at])
        }
      }
      const real = asAnotherTill(till.events)
      await insertDevice('D1', real[0]!.device, real)
      await insertEvents('D1', real)
      const c = new Chain(newId())
      const odd = [c.next('shift.opened', { by: 'Li Na' }), c.next('day.closed', { businessDate: '2026-11-22' })]
      await insertDevice('D2', c.journalDeviceId, odd)
      await insertEvents('D2', odd)

      expect(await migrate(db)).toEqual(MIGRATIONS.slice(3).map((_, i) => i + 4))
      const closures = await db.query<{ device_id: string; number: number; verification: string; differences: string; figures: string }>(
        'SELECT device_id, number, verification, differences, figures FROM closures ORDER BY device_id, number',
      )
      expect(closures.map((r) => [r.device_id, r.number, r.verification, r.differences])).toEqual([
        ['D1', 1, 'verified', '[]'],
        ['D1', 2, 'verified', '[]'],
        ['D1', 3, 'verified', '[]'],
      ])
      expect(closures.map((r) => JSON.parse(r.figures))).toEqual(till.closures.map((z) => z.figures))
      const counts = await db.query<{ t: string; n: number }>(
        `SELECT 'shifts' AS t, count(*)::int AS n FROM shifts UNION ALL SELECT 'closes', count(*)::int FROM shift_closes
         UNION ALL SELECT 'takeovers', count(*)::int FROM shift_takeovers UNION ALL SELECT 'movements', count(*)::int FROM cash_movements`,
      )
      expect(Object.fromEntries(counts.map((r) => [r.t, r.n]))).toEqual({ shifts: 3, closes: 3, takeovers: 1, movements: 3 })
      const errors = await db.query<{ device_id: string; seq: number; normalize_error: string }>('SELECT device_id, seq, normalize_error FROM events WHERE normalize_error IS NOT NULL ORDER BY device_id, seq')
      expect(errors.map((e) => [e.device_id, e.seq, e.normalize_error.split(':')[0]])).toEqual([
        ['D2', 1, 'not an acceptable shift opening'],
        ['D2', 2, 'not an acceptable closure'],
      ])
      expect(await migrate(db)).toEqual([])
    } finally {
      await drop()
    }
  })
})

import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/platform/db'
import { ingest } from '../../src/platform/ingest'
import { Projector, projectStep, projectStepIn } from '../../src/platform/projection/projector'
import { createDevice, createStore } from '../../src/platform/service'
import type { WireEvent } from '../../src/shared/platform-api'
import { freshPgSchema, PLATFORM_BACKENDS, type PlatformBackend } from '../helpers/platform'
import { asAnotherTill, runTill, type TillRun } from '../platform/till-support'
import { fromScratch, positions, snapshot } from './support'

/**
 * Issue 14: ingest only appends to the event store; the projector fills the reporting tables from it.
 * Whatever the interleaving of ingest (re-sent batches included) and projection steps (of any size,
 * some dying before they commit, some run by a projector started and stopped at any point, some at
 * the same time as an ingest), once everything is stored and projected the reporting tables are
 * exactly what a projection from scratch makes of the event store.
 */

const NOW = new Date('2026-11-25T08:00:00Z')

type Op =
  | { k: 'ingest'; d: number; n: number; resend: number }
  | { k: 'project'; d: number; limit: number }
  | { k: 'crash'; d: number; limit: number }
  | { k: 'both'; d: number; n: number; limit: number }
  | { k: 'projector'; settle: boolean }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('ingest' as const), d: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 40 }), resend: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ k: fc.constant('project' as const), d: fc.integer({ min: 0, max: 1 }), limit: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ k: fc.constant('crash' as const), d: fc.integer({ min: 0, max: 1 }), limit: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ k: fc.constant('both' as const), d: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 40 }), limit: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ k: fc.constant('projector' as const), settle: fc.boolean() }),
)

/** Doctored copies of the till's journal: some sales in another currency, some repeating an earlier order id (flagged, not normalized). */
const tweakArb = fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('currency', 'dupOrder') }), { maxLength: 3 })

class Crash extends Error {}

async function openBackend(backend: PlatformBackend): Promise<{ db: Database; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dataDir: null })
    return { db, drop: () => db.close() }
  }
  const fresh = freshPgSchema()
  const db = await openDatabase(fresh.database)
  return {
    db,
    drop: async () => {
      await db.close()
      await fresh.drop()
    },
  }
}

let till: TillRun
beforeAll(() => {
  till = runTill()
})

describe.each(PLATFORM_BACKENDS)('asynchronous projection on %s', (backend) => {
  let db: Database
  let drop: () => Promise<void>
  beforeAll(async () => {
    ;({ db, drop } = await openBackend(backend))
  })
  afterAll(async () => {
    await drop?.()
  })

  function chainOf(tweaks: { at: number; kind: string }[]): WireEvent[] {
    const sales = till.events.filter((e) => e.type === 'sale.completed').map((e) => e.id)
    const picked = new Map(tweaks.map((t) => [sales[t.at % sales.length]!, t.kind]))
    let firstSaleId: string | null = null
    return asAnotherTill(till.events, (e, data) => {
      if (e.type !== 'sale.completed') return
      const kind = picked.get(till.events[e.seq - 1]!.id)
      if (kind === 'currency') data.currency = 'USD'
      else if (kind === 'dupOrder' && firstSaleId !== null) data.id = firstSaleId
      firstSaleId ??= data.id as string
    })
  }

  it('any interleaving of ingest and projection, with re-sent batches, failed steps and restarts, ends equal to a projection from scratch', async () => {
    let runs = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), tweakArb, tweakArb, async (ops, tweaksA, tweaksB) => {
        runs++
        const store = await createStore(db, { name: `P${runs}`, currency: 'CNY', timeZone: 'Asia/Shanghai' }, NOW)
        const chains = [chainOf(tweaksA), chainOf(tweaksB)]
        const ids: string[] = []
        for (const [i, c] of chains.entries()) {
          const { device } = await createDevice(db, store.id, `Till ${i + 1}`, NOW)
          await db.query('UPDATE devices SET journal_device_id = $2, paired_at = $3 WHERE id = $1', [device.id, c[0]!.device, NOW.toISOString()])
          ids.push(device.id)
        }
        const sent = [0, 0]
        const send = async (d: number, n: number, resend = 0): Promise<void> => {
          const from = Math.max(0, sent[d]! - resend)
          const to = Math.min(chains[d]!.length, sent[d]! + n)
          if (to <= from) return
          const r = await ingest(db, ids[d]!, { events: chains[d]!.slice(from, to) }, NOW)
          expect(r.lastSeq).toBe(to)
          sent[d] = to
        }
        const step = (d: number, limit: number): Promise<number> => projectStep(db, ids[d]!, { now: NOW, warn: () => {}, limit })
        for (const op of ops) {
          switch (op.k) {
            case 'ingest':
              await send(op.d, op.n, op.resend)
              break
            case 'project':
              await step(op.d, op.limit)
              break
            case 'crash':
              // The step does all its work, then the process "dies" before the commit: nothing of it stays.
              await db
                .tx(async (q) => {
                  await projectStepIn(q, ids[op.d]!, { now: NOW, warn: () => {}, limit: op.limit })
                  throw new Crash()
                })
                .catch((e: unknown) => {
                  if (!(e instanceof Crash)) throw e
                })
              break
            case 'both':
              await Promise.all([send(op.d, op.n), step(op.d, op.limit), step(1 - op.d, op.limit)])
              break
            case 'projector': {
              // A platform's projector, started (as at a restart) and stopped at once or once caught up.
              const errors: unknown[] = []
              const projector = new Projector(db, { clock: () => NOW, warn: () => {}, error: (e) => errors.push(e), stepEvents: 7 })
              projector.wake()
              if (op.settle) await projector.idle()
              await projector.close()
              expect(errors).toEqual([])
              break
            }
          }
        }
        // Everything stored, then everything projected.
        for (const d of [0, 1]) while (sent[d]! < chains[d]!.length) await send(d, 100)
        for (const d of [0, 1]) while ((await step(d, 1000)) > 0);
        expect((await positions(db, ids)).map((p) => p.projected_seq)).toEqual((await positions(db, ids)).map((p) => p.last_seq))
        const projected = await snapshot(db, ids)
        expect(projected.orders!.length).toBeGreaterThan(0)
        expect(projected.closures!.length).toBeGreaterThan(0)
        expect(await fromScratch(db, ids, NOW)).toEqual(projected)
      }),
      { numRuns: backend === 'pglite' ? 12 : 20 },
    )
  }, 240_000)
})

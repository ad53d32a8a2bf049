import { afterEach, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { IngestPool } from '../../src/platform/ingest-pool'
import { prepareRequest } from '../../src/platform/ingest-prepare'
import { Chain } from './support'

const TZ = 'Asia/Shanghai'
const PARTS = { query: {}, params: {} }
const KEY = 'device-1'
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8')

function batchText(n: number): string {
  const c = new Chain(newId())
  const events = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? c.next('shift.opened', { by: 'Li Na' }) : c.sale({ total: 100 + i, lines: 1 + (i % 3) })))
  return JSON.stringify({ events })
}

/** Bodies the checks refuse, each for another reason. */
function refusedBodies(): string[] {
  const good = JSON.parse(batchText(2)) as { events: Record<string, unknown>[] }
  return [
    '',
    '{"events":[',
    JSON.stringify({ events: 'no' }),
    JSON.stringify({ events: [{ ...good.events[0], seq: -1 }] }),
    JSON.stringify({ events: [{ ...good.events[0], data: { note: 'card 4111 1111 1111 1111' } }] }),
    JSON.stringify({ events: [{ ...good.events[0], extra: true }] }),
  ]
}

describe('the ingest pool (worker threads that check and hash event batches)', () => {
  let pool: IngestPool | null = null
  afterEach(async () => {
    await pool?.close()
    pool = null
  })

  it('gives exactly what the main thread gives, for good batches and for every refusal', async () => {
    pool = new IngestPool(1)
    for (const text of [batchText(1), batchText(40), ...refusedBodies()]) {
      const here = prepareRequest(bytes(text), TZ, PARTS)
      const there = await pool.prepare(KEY, bytes(text), TZ, PARTS)
      expect(there).toEqual(here)
    }
    const good = await pool.prepare(KEY, bytes(batchText(5)), TZ, PARTS)
    expect(good.ok).toBe(true)
    const refusals = await Promise.all(refusedBodies().map((t) => pool!.prepare(KEY, bytes(t), TZ, PARTS)))
    expect(refusals.map((r) => (!r.ok && 'refusal' in r ? r.refusal.code : 'accepted'))).toEqual([
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'card_number_refused',
      'invalid_request',
    ])
    // It ran in a thread of its own.
    expect((pool as unknown as { slots: unknown[] }).slots.filter((x) => x)).toHaveLength(1)
  })

  it('prepares a batch whose event cannot be hashed, naming why, for the checks to report in order', async () => {
    pool = new IngestPool(1)
    const text = batchText(2).replace(/"data":\{/, '"data":{"float":1.5,')
    const r = await pool.prepare(KEY, bytes(text), TZ, PARTS)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.prepared[0]).toEqual({ error: 'canonical JSON takes safe integers only, got 1.5' })
    expect(r.prepared[1]).toMatchObject({ hash: r.events[1]!.hash })
  })

  it('loses no batch when its thread dies: the batches it held are prepared in the main thread, and a new thread takes the next', async () => {
    pool = new IngestPool(1)
    const texts = Array.from({ length: 8 }, () => batchText(30))
    await pool.prepare(KEY, bytes(texts[0]!), TZ, PARTS)
    const slots = (pool as unknown as { slots: ({ worker: { terminate(): Promise<number> } } | undefined)[] }).slots
    const inFlight = texts.map((t) => pool!.prepare(KEY, bytes(t), TZ, PARTS))
    await slots.find((x) => x)!.worker.terminate()
    const answers = await Promise.all(inFlight)
    expect(answers).toEqual(texts.map((t) => prepareRequest(bytes(t), TZ, PARTS)))
    const next = await pool.prepare(KEY, bytes(texts[1]!), TZ, PARTS)
    expect(next).toEqual(prepareRequest(bytes(texts[1]!), TZ, PARTS))
    expect(slots.filter((x) => x)).toHaveLength(1)
  })

  it('with no threads, or once closed, prepares in the calling thread', async () => {
    pool = new IngestPool(0)
    const text = batchText(3)
    expect(await pool.prepare(KEY, bytes(text), TZ, PARTS)).toEqual(prepareRequest(bytes(text), TZ, PARTS))
    const other = new IngestPool(2)
    await other.close()
    expect(await other.prepare(KEY, bytes(text), TZ, PARTS)).toEqual(prepareRequest(bytes(text), TZ, PARTS))
  })

  it("sends every batch of a device to the same thread, so a till's batches reach their turn in the order they came", async () => {
    pool = new IngestPool(4)
    const slots = (pool as unknown as { slots: (object | undefined)[] }).slots
    const texts = Array.from({ length: 6 }, () => batchText(5))
    const answers = await Promise.all(texts.map((t) => pool!.prepare('one-till', bytes(t), TZ, PARTS)))
    expect(answers).toEqual(texts.map((t) => prepareRequest(bytes(t), TZ, PARTS)))
    expect(slots.filter((x) => x)).toHaveLength(1)
    // Other tills spread over the threads.
    await Promise.all(Array.from({ length: 40 }, (_, i) => pool!.prepare(`till-${i}`, bytes(texts[0]!), TZ, PARTS)))
    expect(slots.filter((x) => x).length).toBeGreaterThan(1)
  })

  it("checks the query for card numbers before the body's schema, as for every route, and refuses a body nested too deep on both threads alike", async () => {
    pool = new IngestPool(1)
    const withCard = { query: { ref: '4111111111111111' }, params: {} }
    for (const r of [prepareRequest(bytes('{"events":[]}'), TZ, withCard), await pool.prepare(KEY, bytes('{"events":[]}'), TZ, withCard)]) {
      expect(!r.ok && 'refusal' in r && r.refusal.code).toBe('card_number_refused')
    }
    // 10,000 levels: more than the main thread's stack would take in canonical JSON, fine in a thread's.
    const good = JSON.parse(batchText(1)) as { events: Record<string, unknown>[] }
    const deep = JSON.stringify({ events: [{ ...good.events[0], data: null }] }).replace('"data":null', `"data":${'['.repeat(10_000)}${']'.repeat(10_000)}`)
    for (const r of [prepareRequest(bytes(deep), TZ, PARTS), await pool.prepare(KEY, bytes(deep), TZ, PARTS)]) {
      expect(!r.ok && 'refusal' in r && r.refusal).toMatchObject({ code: 'invalid_request', message: 'The body is nested deeper than 64 levels.' })
    }
  })

  it('stops starting threads that keep dying: their batches are prepared in the main thread, and said', async () => {
    const deaths: unknown[] = []
    pool = new IngestPool(1, (e) => deaths.push(e))
    const slots = (pool as unknown as { slots: ({ worker: { terminate(): Promise<number> } } | undefined)[] }).slots
    const text = batchText(3)
    for (let i = 0; i < 3; i++) {
      await pool.prepare(KEY, bytes(text), TZ, PARTS)
      await slots[0]!.worker.terminate()
    }
    expect(deaths).toHaveLength(3)
    expect(await pool.prepare(KEY, bytes(text), TZ, PARTS)).toEqual(prepareRequest(bytes(text), TZ, PARTS))
    expect(slots.filter((x) => x)).toHaveLength(0)
  })
})

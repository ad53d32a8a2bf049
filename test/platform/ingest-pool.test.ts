import { afterEach, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { IngestPool } from '../../src/platform/ingest-pool'
import { prepareRequest } from '../../src/platform/ingest-prepare'
import { Chain } from './support'

const TZ = 'Asia/Shanghai'
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
      const here = prepareRequest(bytes(text), TZ)
      const there = await pool.prepare(bytes(text), TZ)
      expect(there).toEqual(here)
    }
    const good = await pool.prepare(bytes(batchText(5)), TZ)
    expect(good.ok).toBe(true)
    const refusals = await Promise.all(refusedBodies().map((t) => pool!.prepare(bytes(t), TZ)))
    expect(refusals.map((r) => (!r.ok && 'refusal' in r ? r.refusal.code : 'accepted'))).toEqual([
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'card_number_refused',
      'invalid_request',
    ])
    // It ran in a thread of its own.
    expect((pool as unknown as { slots: unknown[] }).slots).toHaveLength(1)
  })

  it('prepares a batch whose event cannot be hashed, naming why, for the checks to report in order', async () => {
    pool = new IngestPool(1)
    const text = batchText(2).replace(/"data":\{/, '"data":{"float":1.5,')
    const r = await pool.prepare(bytes(text), TZ)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.prepared[0]).toEqual({ error: 'canonical JSON takes safe integers only, got 1.5' })
    expect(r.prepared[1]).toMatchObject({ hash: r.events[1]!.hash })
  })

  it('loses no batch when its thread dies: the batches it held are prepared in the main thread, and a new thread takes the next', async () => {
    pool = new IngestPool(1)
    const texts = Array.from({ length: 8 }, () => batchText(30))
    await pool.prepare(bytes(texts[0]!), TZ)
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots
    const inFlight = texts.map((t) => pool!.prepare(bytes(t), TZ))
    await slots[0]!.worker.terminate()
    const answers = await Promise.all(inFlight)
    expect(answers).toEqual(texts.map((t) => prepareRequest(bytes(t), TZ)))
    const next = await pool.prepare(bytes(texts[1]!), TZ)
    expect(next).toEqual(prepareRequest(bytes(texts[1]!), TZ))
    expect(slots).toHaveLength(1)
  })

  it('with no threads, or once closed, prepares in the calling thread', async () => {
    pool = new IngestPool(0)
    const text = batchText(3)
    expect(await pool.prepare(bytes(text), TZ)).toEqual(prepareRequest(bytes(text), TZ))
    const other = new IngestPool(2)
    await other.close()
    expect(await other.prepare(bytes(text), TZ)).toEqual(prepareRequest(bytes(text), TZ))
  })
})

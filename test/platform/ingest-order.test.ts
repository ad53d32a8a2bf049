import { describe, expect, it } from 'vitest'
import { IngestOrder } from '../../src/platform/ingest-order'

/** The gate that keeps a device's batches in order when its till sends two at once (src/platform/ingest-order.ts). */
describe('IngestOrder', () => {
  const head = (n: number) => () => Promise.resolve(n)

  it('lets a batch that continues the head go at once, and one behind a batch in flight go when that one ends', async () => {
    const gate = new IngestOrder({ maxWaitMs: 10_000, arriveMs: 10_000 })
    const order: string[] = []
    const leave1 = await gate.enter('d', 1, head(0))
    order.push('1 in')
    const second = gate.enter('d', 41, head(0)).then((leave) => {
      order.push('41 in')
      return leave
    })
    await new Promise((r) => setTimeout(r, 30))
    expect(order).toEqual(['1 in'])
    order.push('1 out')
    leave1(40)
    const leave2 = await second
    expect(order).toEqual(['1 in', '1 out', '41 in'])
    leave2(80)
    // The head is now 80: a batch from 81 goes at once.
    const t0 = Date.now()
    ;(await gate.enter('d', 81, head(0)))(120)
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  it('holds a batch that overtook its predecessor on the wire until that one arrives and ends', async () => {
    const gate = new IngestOrder({ maxWaitMs: 10_000, arriveMs: 5_000 })
    const order: string[] = []
    const early = gate.enter('d', 41, head(0)).then((leave) => {
      order.push('41 in')
      return leave
    })
    await new Promise((r) => setTimeout(r, 30))
    const leave1 = await gate.enter('d', 1, head(0))
    order.push('1 in')
    await new Promise((r) => setTimeout(r, 30))
    expect(order).toEqual(['1 in'])
    leave1(40)
    ;(await early)(80)
    expect(order).toEqual(['1 in', '41 in'])
  })

  it('lets a batch that follows a failed one go (it gets its sequence_gap), and never waits past its bounds', async () => {
    const gate = new IngestOrder({ maxWaitMs: 200, arriveMs: 50 })
    const leave1 = await gate.enter('d', 1, head(0))
    const second = gate.enter('d', 41, head(0))
    leave1(null)
    // The batch in front failed: nothing is in flight, and nothing arrives: it goes after arriveMs.
    const t0 = Date.now()
    ;(await second)(null)
    expect(Date.now() - t0).toBeLessThan(1_000)
    // A real gap on a device with nothing in flight waits arriveMs only.
    const t1 = Date.now()
    ;(await gate.enter('e', 500, head(10)))(null)
    const waited = Date.now() - t1
    expect(waited).toBeGreaterThanOrEqual(40)
    expect(waited).toBeLessThan(1_000)
    // Behind a batch that never ends, at most maxWaitMs.
    await gate.enter('f', 1, head(0))
    const t2 = Date.now()
    ;(await gate.enter('f', 41, head(0)))(null)
    expect(Date.now() - t2).toBeGreaterThanOrEqual(190)
  })

  it('keeps devices apart', async () => {
    const gate = new IngestOrder({ maxWaitMs: 10_000, arriveMs: 10_000 })
    await gate.enter('a', 1, head(0))
    const t0 = Date.now()
    ;(await gate.enter('b', 1, head(0)))(40)
    expect(Date.now() - t0).toBeLessThan(1_000)
  })
})

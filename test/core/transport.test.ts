import { describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { demoCore, signIn } from '../helpers/tmp'
import { memoryBridge } from '../helpers/memory-bridge'

describe('the in-memory transport', () => {
  it('carries a whole sale and its change event, like IPC and the WebSocket do', async () => {
    const { core } = demoCore()
    const bridge = memoryBridge(core)
    const session = signIn(core, 'Li Na', '1111')
    const events: unknown[] = []
    bridge.on('orders-changed', (p) => events.push(p))
    const r = await bridge.invoke({ channel: 'sale-complete', session, input: { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '3' }] }, cashTendered: 1000 } })
    expect(r).toMatchObject({ ok: true, value: { total: 600, change: 400 } })
    expect(events).toHaveLength(1)
    expect(await bridge.invoke({ channel: 'nope', input: {} })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    bridge.close()
  })
})

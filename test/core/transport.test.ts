import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { demoCore, openShift, signIn } from '../helpers/tmp'
import { memoryBridge } from '../helpers/memory-bridge'

describe('the in-memory transport', () => {
  it('carries a whole sale and its change event, like IPC and the WebSocket do', async () => {
    const { core } = demoCore()
    const bridge = memoryBridge(core)
    const session = signIn(core, 'Li Na', '1111')
    openShift(core, session)
    const events: unknown[] = []
    bridge.on('orders-changed', (p) => events.push(p))
    const r = await bridge.invoke({ channel: 'sale-complete', session, input: { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '3' }] }, cashTendered: 1000 } })
    expect(r).toMatchObject({ ok: true, value: { total: 600, change: 400 } })
    expect(events).toHaveLength(1)
    expect(await bridge.invoke({ channel: 'nope', input: {} })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    bridge.close()
  })

  it('carries an asynchronous channel too: its answer comes when the platform has answered, others do not wait', async () => {
    const { core } = demoCore()
    const bridge = memoryBridge(core)
    const owner = signIn(core, 'Wang Fang', '9999')
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
    await new Promise((r) => srv.close(r))
    const order: string[] = []
    const pairing = bridge.invoke({ channel: 'sync-pair', session: owner, input: { platformUrl: url, code: 'ABCD-EFGH' } }).then((r) => {
      order.push('pair')
      return r
    })
    const status = bridge.invoke({ channel: 'sync-status', session: owner, input: {} }).then((r) => {
      order.push('status')
      return r
    })
    expect(await status).toMatchObject({ ok: true, value: { state: 'unpaired' } })
    expect(await pairing).toMatchObject({ ok: false, error: { code: 'platform_unreachable', details: { url } } })
    expect(order).toEqual(['status', 'pair'])
    bridge.close()
    await core.close()
  })
})

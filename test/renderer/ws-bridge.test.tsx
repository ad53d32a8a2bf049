import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WireToCore } from '../../src/shared/bridge'
import { createWsBridge } from '../../src/renderer/src/ws-bridge'

class FakeSocket {
  static all: FakeSocket[] = []
  readyState = 0
  sent: WireToCore[] = []
  onopen: (() => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as WireToCore)
  }
  close() {
    this.drop()
  }
  open() {
    this.readyState = 1
    this.onopen?.()
  }
  drop() {
    this.readyState = 3
    this.onclose?.()
  }
  reply(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) })
  }
}

function make() {
  return createWsBridge('ws://127.0.0.1:1/ws', { createSocket: (u) => new FakeSocket(u) as unknown as WebSocket, queueTimeoutMs: 5_000 })
}

describe('WebSocket bridge (browser mode)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeSocket.all = []
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('queues invokes until the socket opens, then answers them by id', async () => {
    const bridge = make()
    const p = bridge.invoke({ channel: 'app-info', input: {} })
    const sock = FakeSocket.all[0]!
    expect(sock.sent).toEqual([])
    sock.open()
    expect(sock.sent).toHaveLength(1)
    const id = sock.sent[0]!.id
    sock.reply({ kind: 'result', id, result: { ok: true, value: 42 } })
    await expect(p).resolves.toEqual({ ok: true, value: 42 })
    bridge.close()
  })

  it('answers sent-but-unanswered invokes with an internal error when the connection drops, and reconnects', async () => {
    const bridge = make()
    const statuses: string[] = []
    bridge.onStatus((s) => statuses.push(s))
    FakeSocket.all[0]!.open()
    const p = bridge.invoke({ channel: 'sale-complete', input: {} })
    FakeSocket.all[0]!.drop()
    const r = await p
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('internal')
    expect(statuses).toContain('closed')
    vi.advanceTimersByTime(15_000)
    expect(FakeSocket.all.length).toBeGreaterThanOrEqual(2)
    FakeSocket.all.at(-1)!.open()
    expect(bridge.status()).toBe('open')
    bridge.close()
  })

  it('fails a queued invoke if no connection comes in time', async () => {
    const bridge = make()
    const p = bridge.invoke({ channel: 'app-info', input: {} })
    vi.advanceTimersByTime(6_000)
    const r = await p
    expect(r.ok).toBe(false)
    bridge.close()
  })

  it('delivers core events to listeners until they unsubscribe', () => {
    const bridge = make()
    const sock = FakeSocket.all[0]!
    sock.open()
    const seen: unknown[] = []
    const off = bridge.on('orders-changed', (p) => seen.push(p))
    sock.reply({ kind: 'event', event: 'orders-changed', payload: { id: 'x' } })
    off()
    sock.reply({ kind: 'event', event: 'orders-changed', payload: { id: 'y' } })
    expect(seen).toEqual([{ id: 'x' }])
    bridge.close()
  })
})

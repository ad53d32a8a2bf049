import type { DaybookBridge, WireFromCore, WireToCore } from '../../shared/bridge'
import type { EventName, InvokeEnvelope } from '../../shared/contract'
import type { Result } from '../../shared/errors'

/**
 * The browser-mode bridge (`npm run serve`): the same two functions the Electron preload exposes,
 * carried over a WebSocket to `/ws` on the same host. Authentication is the HttpOnly cookie the
 * server set when the app URL was opened; this module never sees a token.
 *
 * - invokes made while the socket is not open are queued and sent once it opens;
 * - invokes already sent when the socket drops are answered with an `internal` error (the caller
 *   may retry: sale-complete is idempotent on its saleId);
 * - the socket reconnects with exponential backoff and jitter.
 */

export type ConnectionStatus = 'connecting' | 'open' | 'closed'

/** WebSocket.OPEN, spelled out so the module also loads where WebSocket is not a global (tests). */
const OPEN = 1

export interface WsBridge extends DaybookBridge {
  status: () => ConnectionStatus
  onStatus: (listener: (status: ConnectionStatus) => void) => () => void
  close: () => void
}

export interface WsBridgeOptions {
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number
  /** How long an invoke may wait in the queue for a connection before it fails. */
  queueTimeoutMs?: number
  /** Injected for tests. */
  createSocket?: (url: string) => WebSocket
}

function connectionLost(message: string): Result<unknown> {
  return { ok: false, error: { code: 'internal', message } }
}

export function defaultWsUrl(): string {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws'
}

export function createWsBridge(url: string, options: WsBridgeOptions = {}): WsBridge {
  const maxBackoffMs = options.maxBackoffMs ?? 10_000
  const queueTimeoutMs = options.queueTimeoutMs ?? 20_000
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u))

  let socket: WebSocket | null = null
  let current: ConnectionStatus = 'connecting'
  let attempt = 0
  let closedForGood = false
  let nextId = 1
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null

  /** Every invoke not yet answered, sent or not. */
  const pending = new Map<number, (result: Result<unknown>) => void>()
  /** Invokes waiting for the socket to open, in order. */
  const queue: { id: number; text: string; timer: ReturnType<typeof setTimeout> }[] = []
  /** Ids written to the current socket and not yet answered. */
  const sent = new Set<number>()
  const eventListeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const statusListeners = new Set<(status: ConnectionStatus) => void>()

  function setStatus(status: ConnectionStatus): void {
    if (status === current) return
    current = status
    for (const l of statusListeners) l(status)
  }

  function answer(id: number, result: Result<unknown>): void {
    const resolve = pending.get(id)
    if (!resolve) return
    pending.delete(id)
    sent.delete(id)
    resolve(result)
  }

  function flush(): void {
    while (socket && socket.readyState === OPEN && queue.length > 0) {
      const item = queue.shift()
      if (!item) break
      clearTimeout(item.timer)
      socket.send(item.text)
      sent.add(item.id)
    }
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return
    let msg: WireFromCore
    try {
      msg = JSON.parse(data) as WireFromCore
    } catch {
      return
    }
    if (msg.kind === 'result') {
      answer(msg.id, msg.result)
    } else if (msg.kind === 'event') {
      const set = eventListeners.get(msg.event)
      if (set) for (const l of [...set]) l(msg.payload)
    }
  }

  function scheduleReconnect(): void {
    if (closedForGood || reconnectTimer) return
    const ceiling = Math.min(maxBackoffMs, 250 * 2 ** Math.min(attempt, 10))
    attempt++
    const delay = ceiling / 2 + Math.random() * (ceiling / 2)
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null
      connect()
    }, delay)
  }

  function connect(): void {
    if (closedForGood) return
    setStatus('connecting')
    let ws: WebSocket
    try {
      ws = createSocket(url)
    } catch {
      setStatus('closed')
      scheduleReconnect()
      return
    }
    socket = ws
    ws.onopen = () => {
      attempt = 0
      setStatus('open')
      flush()
    }
    ws.onmessage = (ev: MessageEvent) => onMessage(ev.data)
    ws.onclose = () => {
      if (socket === ws) socket = null
      for (const id of [...sent]) answer(id, connectionLost('The connection to Daybook was lost before it answered.'))
      sent.clear()
      setStatus('closed')
      scheduleReconnect()
    }
    ws.onerror = () => {
      // a close event always follows; reconnecting happens there
    }
  }

  connect()

  return {
    invoke(envelope: InvokeEnvelope): Promise<Result<unknown>> {
      return new Promise((resolve) => {
        const id = nextId++
        const msg: WireToCore = { kind: 'invoke', id, envelope }
        const text = JSON.stringify(msg)
        pending.set(id, resolve)
        if (socket && socket.readyState === OPEN) {
          socket.send(text)
          sent.add(id)
          return
        }
        const timer = setTimeout(() => {
          const i = queue.findIndex((q) => q.id === id)
          if (i >= 0) queue.splice(i, 1)
          answer(id, connectionLost('Daybook is not reachable right now.'))
        }, queueTimeoutMs)
        queue.push({ id, text, timer })
      })
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      let set = eventListeners.get(event)
      if (!set) {
        set = new Set()
        eventListeners.set(event, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    status: () => current,
    onStatus(listener) {
      statusListeners.add(listener)
      return () => {
        statusListeners.delete(listener)
      }
    },
    close() {
      closedForGood = true
      if (reconnectTimer) clearTimeout(reconnectTimer)
      socket?.close()
    },
  }
}

import type { DaybookBridge, WireFromCore } from '../../src/shared/bridge'
import type { Result } from '../../src/shared/errors'
import type { Core } from '../../src/main/core/service'
import { connectWire } from '../../src/main/core/wire'

/**
 * The in-memory transport: the same wire messages as Electron IPC and the WebSocket, carried by
 * function calls (serialised through JSON, as a real carrier would) instead of a socket.
 */
export function memoryBridge(core: Core): DaybookBridge & { close(): void } {
  let nextId = 1
  const pending = new Map<number, (r: Result<unknown>) => void>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const wire = connectWire(core, (msg: WireFromCore) => {
    const m = JSON.parse(JSON.stringify(msg)) as WireFromCore
    if (m.kind === 'result') {
      pending.get(m.id)?.(m.result)
      pending.delete(m.id)
    } else for (const l of listeners.get(m.event) ?? []) l(m.payload)
  })
  return {
    invoke(envelope) {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        queueMicrotask(() => wire.receive(JSON.parse(JSON.stringify({ kind: 'invoke', id, envelope }))))
      })
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener)
      return () => set.delete(listener)
    },
    close: () => wire.close(),
  }
}

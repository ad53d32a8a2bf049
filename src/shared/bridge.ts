import type { EventName, InvokeEnvelope } from './contract'
import type { Result } from './errors'

/**
 * What the renderer sees of the core, whatever carries it: the Electron preload exposes exactly
 * this as `window.daybook`; in `npm run serve` a WebSocket client provides the same two functions.
 */
export interface DaybookBridge {
  invoke(envelope: InvokeEnvelope): Promise<Result<unknown>>
  on(event: EventName, listener: (payload: unknown) => void): () => void
}

/** Messages on a duplex transport (WebSocket, MessagePort, utility process). */
export type WireToCore = { kind: 'invoke'; id: number; envelope: InvokeEnvelope }
export type WireFromCore = { kind: 'result'; id: number; result: Result<unknown> } | { kind: 'event'; event: EventName; payload: unknown }

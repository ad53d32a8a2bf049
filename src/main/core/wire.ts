import { z } from 'zod'
import type { WireFromCore } from '../../shared/bridge'
import { fail } from '../../shared/errors'
import type { Core } from './service'

/** 'shell-invoke': the Electron shell's own call (its updater), honoured only on a wire opened with `shell: true`. */
const WireToCoreSchema = z.object({ kind: z.enum(['invoke', 'shell-invoke']), id: z.number().int().nonnegative(), envelope: z.unknown() })

export interface WireOptions {
  /**
   * Whether whoever writes to this wire is the Electron main process itself: only then is a
   * 'shell-invoke' message run, as Core.invokeFromShell (the shell-only update channels). True only
   * for the core host's parent port (core-host.ts), which windows reach solely through the main
   * process's guarded 'invoke'. Never for `npm run serve`'s browsers.
   */
  shell?: boolean
}

/**
 * One end of a duplex transport to the core. Electron's utility process, the WebSocket server of
 * `npm run serve` and the in-memory pair of the tests all hand raw messages to `receive` and pass
 * `send` for the way back: only the carrier differs.
 */
export function connectWire(core: Core, send: (msg: WireFromCore) => void, o: WireOptions = {}): { receive(raw: unknown): void; close(): void } {
  const off = core.onEvent((event, payload) => send({ kind: 'event', event, payload }))
  let closed = false
  return {
    receive(raw: unknown) {
      const msg = WireToCoreSchema.safeParse(raw)
      if (!msg.success) {
        const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1
        send({ kind: 'result', id, result: fail('invalid_input', 'The message was not understood.') })
        return
      }
      const id = msg.data.id
      if (msg.data.kind === 'shell-invoke' && o.shell !== true) {
        send({ kind: 'result', id, result: fail('forbidden', 'Only Daybook itself (its updater) may ask that.') })
        return
      }
      // invoke runs a synchronous handler at once (so messages keep their order) and answers
      // an asynchronous one (sync-pair) when the platform has.
      const answer = msg.data.kind === 'shell-invoke' ? core.invokeFromShell(msg.data.envelope) : core.invoke(msg.data.envelope)
      void answer.then((result) => {
        if (!closed) send({ kind: 'result', id, result })
      })
    },
    close() {
      closed = true
      off()
    },
  }
}

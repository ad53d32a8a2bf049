import { z } from 'zod'
import type { WireFromCore } from '../../shared/bridge'
import { fail } from '../../shared/errors'
import type { Core } from './service'

const WireToCoreSchema = z.object({ kind: z.literal('invoke'), id: z.number().int().nonnegative(), envelope: z.unknown() })

/**
 * One end of a duplex transport to the core. Electron's utility process, the WebSocket server of
 * `npm run serve` and the in-memory pair of the tests all hand raw messages to `receive` and pass
 * `send` for the way back: only the carrier differs.
 */
export function connectWire(core: Core, send: (msg: WireFromCore) => void): { receive(raw: unknown): void; close(): void } {
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
      // invoke runs a synchronous handler at once (so messages keep their order) and answers
      // an asynchronous one (sync-pair) when the platform has.
      void core.invoke(msg.data.envelope).then((result) => {
        if (!closed) send({ kind: 'result', id, result })
      })
    },
    close() {
      closed = true
      off()
    },
  }
}

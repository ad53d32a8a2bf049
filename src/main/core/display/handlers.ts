import type { EventName } from '../../../shared/contract'
import { DISPLAY_THANKS_MS, type DisplayState, type displayChannels } from '../../../shared/display-contract'
import type { HandlersOf } from '../handler-types'

/**
 * The customer display's state (src/shared/display-contract.ts): what the till last said the
 * customer should see. In memory only — a view of the counter, not a record — so a restart shows
 * the welcome screen until the till sends its cart again. Every change emits `display-changed`.
 */

export type DisplayHandlers = HandlersOf<typeof displayChannels>

export interface DisplayDeps {
  now: () => Date
  emit: (event: EventName, payload?: unknown) => void
}

export function displayHandlers(deps: DisplayDeps): DisplayHandlers {
  let state: DisplayState = { kind: 'idle', seq: 0, at: deps.now().toISOString() }

  /** A thank-you is for the customer who just paid: after a while the display greets the next one. */
  const current = (): DisplayState => {
    if (state.kind === 'thanks' && deps.now().getTime() - Date.parse(state.at) > DISPLAY_THANKS_MS) {
      return { kind: 'idle', seq: state.seq, at: state.at }
    }
    return state
  }

  return {
    'display-set': (input) => {
      const seq = state.seq + 1
      const at = deps.now().toISOString()
      state = input.kind === 'cart' ? { kind: 'cart', seq, at, cart: input.cart } : input.kind === 'thanks' ? { kind: 'thanks', seq, at, thanks: input.thanks } : { kind: 'idle', seq, at }
      deps.emit('display-changed', { seq })
      return state
    },
    'display-get': () => current(),
  }
}

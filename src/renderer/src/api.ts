import type { z } from 'zod'
import type { DaybookBridge } from '../../shared/bridge'
import {
  channels,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type EventName,
  type InvokeEnvelope,
} from '../../shared/contract'
import type { ErrorData, Result } from '../../shared/errors'
import { createWsBridge, defaultWsUrl, type ConnectionStatus, type WsBridge } from './ws-bridge'

/**
 * The renderer's only way to the core: typed `invoke` over whichever bridge exists (the Electron
 * preload's `window.daybook`, or the WebSocket in browser mode), with the session token in every
 * envelope and every answer validated against the contract before a screen sees it.
 */

const SESSION_KEY = 'daybook.session'

let bridge: DaybookBridge | null = null
let wsBridge: WsBridge | null = null

function getBridge(): DaybookBridge {
  if (bridge) return bridge
  if (window.daybook) {
    bridge = window.daybook
  } else {
    wsBridge = createWsBridge(defaultWsUrl())
    bridge = wsBridge
  }
  return bridge
}

export function getSessionToken(): string | null {
  try {
    return sessionStorage.getItem(SESSION_KEY)
  } catch {
    return null
  }
}

export function setSessionToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(SESSION_KEY, token)
    else sessionStorage.removeItem(SESSION_KEY)
  } catch {
    // storage unavailable: the session lasts until the page closes
  }
}

const signedOutListeners = new Set<() => void>()

/** Called when the core says the session is gone (expired, revoked, core restarted). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener)
  return () => {
    signedOutListeners.delete(listener)
  }
}

function internal(message: string, details?: unknown): { ok: false; error: ErrorData } {
  return { ok: false, error: details === undefined ? { code: 'internal', message } : { code: 'internal', message, details } }
}

export async function invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
  const token = getSessionToken()
  const envelope: InvokeEnvelope = token ? { channel, input, session: token } : { channel, input }
  let result: Result<unknown>
  try {
    result = await getBridge().invoke(envelope)
  } catch {
    return internal('The connection to Daybook failed.')
  }
  if (!result || typeof result !== 'object') return internal('Daybook gave an answer that could not be read.')
  if (!result.ok) {
    if (result.error.code === 'not_signed_in' && token) {
      setSessionToken(null)
      for (const l of [...signedOutListeners]) l()
    }
    return result
  }
  const schema: z.ZodType = channels[channel].output
  const parsed = schema.safeParse(result.value)
  if (!parsed.success) {
    return internal('Daybook gave an answer that could not be read.', parsed.error.issues)
  }
  return { ok: true, value: parsed.data as ChannelOutput<C> }
}

export function onEvent(name: EventName, listener: (payload: unknown) => void): () => void {
  return getBridge().on(name, listener)
}

/** Connection state of the bridge; the Electron bridge is always 'open'. */
export function connectionStatus(): ConnectionStatus {
  getBridge()
  return wsBridge ? wsBridge.status() : 'open'
}

export function onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void {
  getBridge()
  return wsBridge ? wsBridge.onStatus(listener) : () => undefined
}

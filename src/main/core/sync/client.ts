import type { z } from 'zod'
import { PLATFORM_ERROR_CODES, PlatformErrorSchema, platformRoutes, type PlatformErrorCode, type PlatformRouteName, type PlatformRoutes, type RouteSpec } from '../../../shared/platform-api'
import { signRequest } from './signing'

/** What the relay needs of `fetch`: tests pass a wrapper that fails on purpose. */
export type FetchFn = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The longest delay setTimeout takes; a longer one overflows and fires at once (Node, browsers). */
export const MAX_TIMER_MS = 2 ** 31 - 1

export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS))
    // The relay never keeps a process alive on its own: serve and Electron have their own reasons to live.
    t.unref?.()
    return t
  },
  clearTimeout(h) {
    clearTimeout(h as ReturnType<typeof setTimeout>)
  },
}

export interface Credentials {
  deviceId: string
  secret: string
}

type Out<N extends PlatformRouteName> = z.output<PlatformRoutes[N]['response']>

export interface CallTiming {
  /** Till clock when the request left and when the answer was read. */
  sentAt: number
  answeredAt: number
}

export type CallResult<T> =
  | ({ ok: true; status: number; value: T } & CallTiming)
  | ({ ok: false; kind: 'network'; message: string; timedOut: boolean } & CallTiming)
  | ({
      ok: false
      kind: 'http'
      status: number
      /** The platform's error code, or null when the answer was not a platform error (a proxy's 502 page). */
      code: PlatformErrorCode | null
      message: string
      details: unknown
      /** From Retry-After, in ms from now; null without one. */
      retryAfterMs: number | null
    } & CallTiming)
  | ({ ok: false; kind: 'invalid_response'; status: number; message: string } & CallTiming)

export interface CallInput {
  params?: Record<string, string>
  query?: Record<string, string | number | undefined>
  /** The exact body text (the relay builds batch bodies itself to count their bytes). */
  bodyText?: string
  body?: unknown
}

export interface PlatformClientOptions {
  baseUrl: string
  fetch: FetchFn
  now: () => Date
  timers: Timers
  timeoutMs: number
  credentials?: Credentials | undefined
  /**
   * Platform clock − till clock, as last learnt (pairing, ingest answers, clock_skew details).
   * A signature carries the platform's time as the till knows it, so a till whose own clock is
   * off still syncs; sentAt/answeredAt stay in till time (the offset is measured against them).
   */
  clockOffsetMs?: number | null | undefined
}

/**
 * A client for the /v1 contract, built from `platformRoutes`: the path, the method, whether it
 * is signed and the schema its answer must match all come from the route table. It never
 * throws for anything the network or the platform does; every outcome is a value.
 */
export class PlatformClient {
  readonly baseUrl: string
  constructor(private readonly o: PlatformClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '')
  }

  async call<N extends PlatformRouteName>(name: N, input: CallInput = {}, signal?: AbortSignal): Promise<CallResult<Out<N>>> {
    const route: RouteSpec = platformRoutes[name]
    let path: string = route.path.replace(/:([A-Za-z]+)/g, (_m, p: string) => encodeURIComponent(input.params?.[p] ?? ''))
    if (input.query) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(input.query)) if (v !== undefined) q.set(k, String(v))
      const text = q.toString()
      if (text) path += `?${text}`
    }
    const body = input.bodyText ?? (input.body === undefined ? '' : JSON.stringify(input.body))
    const headers: Record<string, string> = { accept: 'application/json' }
    if (route.method !== 'GET') headers['content-type'] = 'application/json'
    const sentAt = this.o.now().getTime()
    if (route.auth === 'device') {
      const c = this.o.credentials
      if (!c) return { ok: false, kind: 'network', message: 'no device credentials', timedOut: false, sentAt, answeredAt: sentAt }
      Object.assign(headers, signRequest({ method: route.method, path, body, deviceId: c.deviceId, secret: c.secret, now: new Date(sentAt + (this.o.clockOffsetMs ?? 0)) }))
    }

    const controller = new AbortController()
    let timedOut = false
    const timer = this.o.timers.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.o.timeoutMs)
    const onOuterAbort = (): void => controller.abort()
    signal?.addEventListener('abort', onOuterAbort, { once: true })
    const answeredAt = (): number => this.o.now().getTime()
    try {
      const res = await this.o.fetch(this.baseUrl + path, {
        method: route.method,
        headers,
        ...(route.method === 'GET' ? {} : { body }),
        signal: controller.signal,
      })
      const text = await res.text()
      const at = answeredAt()
      let json: unknown
      try {
        json = text ? JSON.parse(text) : undefined
      } catch {
        json = undefined
      }
      const expected = route.status ?? 200
      if (res.status === expected) {
        const parsed = route.response.safeParse(json)
        if (!parsed.success) return { ok: false, kind: 'invalid_response', status: res.status, message: `the answer to ${name} does not match the contract`, sentAt, answeredAt: at }
        return { ok: true, status: res.status, value: parsed.data as Out<N>, sentAt, answeredAt: at }
      }
      const err = PlatformErrorSchema.safeParse(json)
      const code = err.success && (PLATFORM_ERROR_CODES as readonly string[]).includes(err.data.error.code) ? err.data.error.code : null
      return {
        ok: false,
        kind: 'http',
        status: res.status,
        code,
        message: err.success ? err.data.error.message.slice(0, 300) : `HTTP ${res.status}`,
        details: err.success ? err.data.error.details : undefined,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), at),
        sentAt,
        answeredAt: at,
      }
    } catch (e) {
      const message = timedOut ? `no answer within ${Math.round(this.o.timeoutMs / 1000)} s` : describeNetworkError(e)
      return { ok: false, kind: 'network', message, timedOut, sentAt, answeredAt: answeredAt() }
    } finally {
      this.o.timers.clearTimeout(timer)
      signal?.removeEventListener('abort', onOuterAbort)
    }
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const t = Date.parse(v)
  if (Number.isNaN(t)) return null
  return Math.max(0, t - nowMs)
}

function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return 'the request failed'
  const cause = (e as Error & { cause?: unknown }).cause
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : null
  if (e.name === 'AbortError') return 'the request was cancelled'
  return code ? `${e.message} (${code})` : e.message
}

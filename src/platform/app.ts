import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { PaymentCreate, PaymentState } from '../shared/payments'
import {
  BODY_LIMIT_BYTES,
  PROJECTION_LAG_HEADERS,
  SIGNATURE_HEADERS,
  platformRoutes,
  type PlatformRouteName,
  type RouteSpec,
} from '../shared/platform-api'
import { checkAdmin, pruneNonces, verifyDevice, type VerifiedDevice } from './auth'
import { openDatabase, type Database, type PlatformDatabase } from './db'
import { PlatformHttpError, fail } from './errors'
import { ingest, type IngestBatch } from './ingest'
import { IngestPool } from './ingest-pool'
import type { IngestEvent } from './ingest-prepare'
import { checkRequest, type CheckedRequest } from './request-checks'
import { IngestOrder } from './ingest-order'
import { Projector } from './projection/projector'
import { projectionStatus, waitForProjection } from './projection/wait'
import { PaymentNotifier } from './payments/notifier'
import { PaymentService } from './payments/service'
import { setScenarioOverride } from './sandbox/books'
import { createSandboxWallets, type SandboxOptions } from './sandbox/index'
import { registerCustomerPage } from './sandbox/page'
import { registerSandboxBills } from './sandbox/bills'
import { registerUpdates } from './updates/routes'
import { createStatementAdapters, type AcquirerOptions } from './statements/index'
import { statementHandlers } from './statements/routes'
import { StatementService } from './statements/service'
import { storeClosures } from './closures'
import { dayOrders, storeDays } from './reports'
import * as svc from './service'

export type { PlatformDatabase } from './db'

export const PLATFORM_VERSION = '0.1.0'

export interface PlatformOptions {
  database: PlatformDatabase
  adminToken: string
  /** The platform clock (tests skew it). */
  now?: () => Date
  /** Per device (per IP for /v1/pair); default 600 per minute. */
  rateLimit?: { max: number; timeWindowMs: number }
  /** fastify/pino structured logs to stdout; default false. */
  logger?: boolean
  /** Where the logs go instead of stdout (tests capture them); only with logger: true. */
  logStream?: { write(line: string): void }
  /**
   * The URL customers' phones reach the platform at (a merchant QR's codeUrl starts with it). Unset:
   * taken from each request's Host header.
   */
  publicUrl?: string
  /** The sandbox wallets (fees per wallet in basis points). */
  sandbox?: SandboxOptions
  /** The card acquirer's settlement reports (statements); without it the card statement is not_configured. */
  acquirer?: AcquirerOptions
  /** Serve the tills' update feed and installers from this folder (GET /v1/updates/:channel/:file); unset = no update route. */
  updatesDir?: string
  /**
   * Worker threads that check and hash event batches (ingest-pool.ts); 0 (the default here) does it
   * in the main thread. `npm run platform` uses one less than the machine's cores (at least 1).
   */
  ingestWorkers?: number
  /** The projector's tuning (projection/projector.ts): events per step, devices at once. */
  projection?: { stepEvents?: number; concurrency?: number }
}

export const MIN_ADMIN_TOKEN_LENGTH = 32

/**
 * Errors are logged by message, code and stack only: a database error carries the SQL and its
 * parameters (a device secret, a whole batch of events), and pino would copy them into the log.
 */
export function serializeError(e: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!(e instanceof Error)) return { type: typeof e, message: String(e), stack: '' }
  const x = e as Error & { code?: unknown }
  return { type: x.name, message: x.message, ...(typeof x.code === 'string' ? { code: x.code } : {}), stack: x.stack ?? '' }
}

export interface RunningPlatform {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  /** The open database, for the CLI's demo and for tests that count rows. */
  db: Database
  /** The wallet payments (the long-poll notifier included: tests check it is cleaned up). */
  payments: PaymentService
  /** Fills the reporting tables from the event store (`idle()`: wait until it has caught up). */
  projector: Projector
  /** Stops accepting, finishes requests in flight, closes the database. Idempotent. */
  close(): Promise<void>
}

interface Ctx {
  db: Database
  now: Date
  device: svc.DeviceRow | null
  payments: PaymentService
  /** This platform's public base URL, for merchant QR codes. */
  publicUrl: string
  /** Aborted when the client goes away (a long poll stops holding). */
  signal: AbortSignal
  params: Record<string, string>
  query: Record<string, unknown>
  body: unknown
  log: FastifyBaseLogger
  /** The exact body bytes (an uploaded bill file). */
  raw: Buffer
  statements: StatementService
  projector: Projector
  /** Holds a device's batch that arrived before the one in front of it (a relay with two in flight). */
  ingestOrder: IngestOrder
  /** Sets a response header (the read API's projection lag). */
  header: (name: string, value: string) => void
  clock: () => Date
}

type Handler = (c: Ctx) => Promise<unknown>

const MAX_BIGINT = 9_223_372_036_854_775_807n

const handlers: Record<PlatformRouteName, Handler> = {
  health: async () => ({ status: 'ok', version: PLATFORM_VERSION }),
  ready: async (c) => {
    try {
      await c.db.query('SELECT 1')
    } catch (e) {
      c.log.error({ err: e }, 'readiness: the database does not answer')
      fail('not_ready', 'The database does not answer.')
    }
    return { status: 'ready', database: c.db.kind }
  },
  'store-create': async (c) => svc.createStore(c.db, c.body as never, c.now),
  'store-list': async (c) => ({ stores: await svc.listStores(c.db) }),
  'device-create': async (c) => svc.createDevice(c.db, c.params.storeId!, (c.body as { name: string }).name, c.now),
  'device-list': async (c) => ({ devices: await svc.listDevices(c.db, c.params.storeId!) }),
  'device-pairing-code': async (c) => svc.newPairingCodeFor(c.db, c.params.deviceId!, c.now),
  'catalog-load': async (c) => svc.loadCatalog(c.db, c.params.storeId!, c.body as never, c.now),
  'store-days': async (c) => {
    const q = c.query as { from?: string; to?: string }
    await projected(c)
    return storeDays(c.db, c.params.storeId!, q.from, q.to)
  },
  'store-day-orders': async (c) => {
    await projected(c, (c.query as { deviceId?: string }).deviceId)
    return dayOrders(c.db, c.params.storeId!, c.params.businessDate!, (c.query as { deviceId?: string }).deviceId)
  },
  'store-closures': async (c) => {
    const q = c.query as { from?: string; to?: string; deviceId?: string }
    await projected(c, q.deviceId)
    return storeClosures(c.db, c.params.storeId!, { from: q.from, to: q.to, deviceId: q.deviceId })
  },
  'store-projection': async (c) => projectionStatus(c.db, c.params.storeId!, c.now),
  pair: async (c) => svc.pair(c.db, c.body as never, c.now),
  'device-state': async (c) => svc.deviceState(c.db, c.device!, c.now),
  'events-ingest': async (c) => {
    // Checked and prepared already (ingest-pool.ts), before the device's turn: while the batch in front of it is written.
    const batch = c.body as IngestBatch & { events: IngestEvent[] }
    const device = c.device!
    // The device row was read for this request's signature: its last_seq is the head as of now.
    const leave = await c.ingestOrder.enter(device.id, batch.events[0]?.seq ?? 0, () => Promise.resolve(device.last_seq))
    let head: number | null = null
    try {
      const answer = await ingest(c.db, device.id, batch, c.now)
      head = answer.lastSeq
      // Acknowledged once durably appended; the reporting tables follow.
      if (answer.results.some((r) => r.status === 'applied')) c.projector.wake()
      return answer
    } finally {
      leave(head)
    }
  },
  'catalog-feed': async (c) => {
    const q = c.query as { cursor?: string; limit?: number }
    if (q.cursor !== undefined && BigInt(q.cursor) > MAX_BIGINT) fail('invalid_request', 'The cursor is out of range.', [{ path: ['cursor'], message: 'out of range' }])
    const store = await svc.getStore(c.db, c.device!.store_id)
    const page = await svc.catalogPage(c.db, store.id, q.cursor, q.limit ?? 500)
    return { ...page, currency: store.currency, serverTime: c.now.toISOString() }
  },
  'payment-create': async (c) => c.payments.create(c.device!, c.body as PaymentCreate, c.now, c.publicUrl),
  'payment-get': async (c) =>
    c.payments.get(c.device!, c.params.paymentId!, c.query as { unlessState?: PaymentState; waitMs?: number }, c.publicUrl, c.signal),
  'payment-cancel': async (c) => c.payments.cancel(c.device!, c.params.paymentId!, c.now, c.publicUrl),
  'payment-refund': async (c) => c.payments.refund(c.device!, c.params.paymentId!, c.body as never, c.now, c.publicUrl),
  'payment-refund-get': async (c) => c.payments.refundGet(c.device!, c.params.paymentId!, c.params.refundId!, c.now, c.publicUrl),
  'store-payments': async (c) => c.payments.storePayments(c.params.storeId!, (c.query as { date: string }).date, c.now),
  'sandbox-scenario': async (c) => {
    const b = c.body as { wallet?: 'alipay' | 'wechat'; scenario: never; count: number }
    await setScenarioOverride(c.db, b.wallet, b.scenario, b.count)
    return b
  },
  ...statementHandlers,
}

/**
 * A read of the reporting tables first waits (bounded) for the projection to reach what it must see
 * (projection/wait.ts), then says in its headers what lag is left.
 */
async function projected(c: Ctx, deviceId?: string): Promise<void> {
  const store = c.params.storeId!
  const q = c.query as { position?: string; waitMs?: number }
  await svc.getStore(c.db, store)
  const lag = await waitForProjection(c.db, c.projector, { storeId: store, deviceId, position: q.position, waitMs: q.waitMs }, { clock: c.clock, signal: c.signal })
  c.header(PROJECTION_LAG_HEADERS.events, String(lag.events))
  c.header(PROJECTION_LAG_HEADERS.ms, String(lag.ms))
}

/** The base URL a customer's phone can reach: the option, else this request's Host (checked to be a plain host[:port]). */
function publicUrlOf(req: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '')
  const host = req.headers.host ?? ''
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? `${req.protocol}://${host}` : 'http://127.0.0.1'
}

/** Builds the Fastify app on an open database (not listening yet). */
export async function buildApp(db: Database, o: Omit<PlatformOptions, 'database'>): Promise<{ app: FastifyInstance; payments: PaymentService; projector: Projector }> {
  const clock = o.now ?? (() => new Date())
  const ingestOrder = new IngestOrder()
  const ingestPool = new IngestPool(o.ingestWorkers ?? 0, (err) => app.log.error({ err: serializeError(err) }, 'an ingest worker thread died; its batches are prepared in the main thread'))
  const wallets = createSandboxWallets(o.sandbox)
  const payments = new PaymentService({ db, providers: wallets, notifier: new PaymentNotifier(), clock })
  const app = Fastify({
    logger: o.logger
      ? {
          level: 'info',
          redact: [`req.headers["${SIGNATURE_HEADERS.signature}"]`, 'req.headers.authorization', 'err.params', 'err.query', 'err.queryOptions'],
          serializers: { err: serializeError },
          ...(o.logStream ? { stream: o.logStream } : {}),
        }
      : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Keep-alive connections idle at shutdown are closed; requests in flight finish first.
    forceCloseConnections: 'idle',
    // Errors Fastify raises before routing (a malformed URL, say) keep the platform's error shape.
    frameworkErrors: (err, _req, reply) => {
      const e = new PlatformHttpError('invalid_request', err.message)
      void (reply as unknown as FastifyReply).code(e.status).send(e.toBody())
    },
  })

  // Every body is kept as its exact bytes: the signature covers them, and JSON is parsed after.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  const limit = o.rateLimit ?? { max: 600, timeWindowMs: 60_000 }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new PlatformHttpError('rate_limited', `Too many requests; retry in ${ctx.after}.`, { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) }),
  })

  // Provider statements: the adapters fetch the sandbox wallets' bills from this platform itself.
  const ownUrl = (): string => {
    const a = app.server.address()
    if (!a || typeof a !== 'object') return o.publicUrl ?? 'http://127.0.0.1'
    const host = a.family === 'IPv6' ? `[${a.address === '::' ? '::1' : a.address}]` : a.address === '0.0.0.0' ? '127.0.0.1' : a.address
    return `http://${host}:${a.port}`
  }
  const statements = new StatementService({
    db,
    wallets,
    adapters: createStatementAdapters({ sandbox: { baseUrl: ownUrl, adminToken: o.adminToken }, acquirer: o.acquirer }),
    warn: (fields, msg) => app.log.warn(fields, msg),
  })
  registerSandboxBills(app, { db, clock, adminToken: o.adminToken, defaultBasisPoints: { alipay: wallets.alipay.books.feeBasisPoints, wechat: wallets.wechat.books.feeBasisPoints } })

  const projector = new Projector(db, {
    ...o.projection,
    clock,
    warn: (fields, msg) => app.log.warn(fields, msg),
    error: (err, deviceId) => app.log.error({ err, deviceId }, 'projection step failed; it will be retried'),
  })

  // Long polls answer now rather than hold the shutdown.
  app.addHook('preClose', async () => payments.notifier.close())
  // The projector stops after its step in flight (committed or rolled back: a restart resumes).
  app.addHook('onClose', async () => {
    await projector.close()
    await ingestPool.close()
  })
  registerCustomerPage(app, { db, wallets, payments, clock, publicUrl: (req) => publicUrlOf(req, o.publicUrl) })
  if (o.updatesDir) registerUpdates(app, { dir: o.updatesDir })

  app.setNotFoundHandler((req, reply) => {
    const err = new PlatformHttpError('not_found', `No route ${req.method} ${req.url.split('?')[0]}.`)
    void reply.code(err.status).send(err.toBody())
  })

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let e: PlatformHttpError
    if (err instanceof PlatformHttpError) e = err
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new PlatformHttpError('payload_too_large', `The body is over ${req.routeOptions.bodyLimit ?? BODY_LIMIT_BYTES} bytes.`)
    else if (err.statusCode === 429) e = new PlatformHttpError('rate_limited', 'Too many requests.')
    else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) e = new PlatformHttpError('invalid_request', err.message)
    else {
      req.log.error({ err }, 'internal error')
      e = new PlatformHttpError('internal', 'Something went wrong on the platform; it was logged.')
    }
    if (e.status >= 500 && e.code !== 'internal') req.log.warn({ code: e.code }, e.message)
    void reply.code(e.status).send(e.toBody())
  })

  // Device requests are verified in a preHandler (the body is needed for the digest), before the
  // rate limit, so that only a verified device counts against its own quota; a request that fails
  // verification counts against its IP instead (a spoofed x-daybook-device header cannot exhaust
  // another till's quota), and its error is answered by the handler after the limit.
  const verified = new WeakMap<FastifyRequest, { now: Date; device: VerifiedDevice | null; error: unknown }>()
  const verifyHook = async (req: FastifyRequest): Promise<void> => {
    const now = clock()
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    try {
      verified.set(req, { now, device: await verifyDevice(db, { method: req.method, url: req.url, headers: req.headers, rawBody: raw }, now), error: null })
    } catch (error) {
      verified.set(req, { now, device: null, error })
    }
  }

  for (const [name, spec] of Object.entries(platformRoutes) as [PlatformRouteName, RouteSpec][]) {
    const handler = handlers[name]
    const device = spec.auth === 'device'
    const limited = device || name === 'pair'
    app.route({
      method: spec.method,
      url: spec.path,
      ...((spec as { bodyLimit?: number }).bodyLimit ? { bodyLimit: (spec as { bodyLimit?: number }).bodyLimit } : {}),
      ...(device ? { preHandler: [verifyHook] } : {}),
      // The projector gives way to event batches from their arrival to their answer (or the client going away).
      ...(name === 'events-ingest'
        ? {
            onRequest: async (_req: FastifyRequest, reply: FastifyReply) => {
              projector.beginIngest()
              reply.raw.once('close', () => projector.endIngest())
            },
          }
        : {}),
      config: limited
        ? {
            rateLimit: {
              max: limit.max,
              timeWindow: limit.timeWindowMs,
              // after verifyHook for device routes (the plugin appends its hook to the route's own)
              hook: device ? 'preHandler' : 'onRequest',
              keyGenerator: (req: FastifyRequest) => {
                const v = verified.get(req)
                return v?.device ? `device:${v.device.id}` : `ip:${req.ip}`
              },
            },
          }
        : {},
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const v = verified.get(req)
        if (v?.error) throw v.error
        const now = v?.now ?? clock()
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
        if (spec.auth === 'admin') checkAdmin(req.headers.authorization, o.adminToken)
        if (device && !v?.device) fail('internal', 'The device request was not verified.')
        const parts = { query: { ...(req.query as object) }, params: (req.params ?? {}) as Record<string, unknown> }
        let checked: CheckedRequest
        if (name === 'events-ingest' && v?.device) {
          // checkRequest, then each event's hash and posting, in the ingest pool; a device's batches
          // in one thread, in the order they came.
          const timeZone = v.device.store_time_zone
          const r = await ingestPool.prepare(v.device.id, raw, timeZone, parts)
          if (!r.ok) {
            if ('crash' in r) throw new Error(`preparing an event batch failed: ${r.crash}`)
            throw new PlatformHttpError(r.refusal.code, r.refusal.message, r.refusal.details)
          }
          checked = { params: r.params, query: r.query, body: { events: r.events, prepared: r.prepared, timeZone } satisfies IngestBatch }
        } else {
          checked = checkRequest(name, spec, raw, parts)
        }
        const { body, params, query } = checked
        const aborted = new AbortController()
        reply.raw.once('close', () => aborted.abort())
        const result = await handler({
          db,
          now,
          device: v?.device ?? null,
          params,
          query,
          body,
          log: req.log,
          payments,
          publicUrl: publicUrlOf(req, o.publicUrl),
          signal: aborted.signal,
          raw,
          statements,
          projector,
          ingestOrder,
          header: (name, value) => void reply.header(name, value),
          clock,
        })
        return reply.code(spec.status ?? 200).send(result)
      },
    })
  }
  return { app, payments, projector }
}

export async function startPlatform(o: PlatformOptions & { host?: string; port?: number }): Promise<RunningPlatform> {
  if (o.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) throw new Error(`The admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters.`)
  const db = await openDatabase(o.database)
  let app: FastifyInstance
  let payments: PaymentService
  let projector: Projector
  try {
    ;({ app, payments, projector } = await buildApp(db, o))
    await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 })
  } catch (e) {
    await db.close()
    throw e
  }
  const clock = o.now ?? (() => new Date())
  const prune = (): void => {
    pruneNonces(db, clock()).catch((err: unknown) => app.log.warn({ err }, 'nonce pruning failed'))
  }
  prune()
  // Whatever was stored and not yet projected when the platform last stopped.
  projector.wake()
  const timer = setInterval(prune, 60_000)
  timer.unref()
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0)
  const host = o.host ?? '127.0.0.1'
  let closing: Promise<void> | null = null
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    db,
    payments,
    projector,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer)
        await app.close()
        await db.close()
      })()
      return closing
    },
  }
}

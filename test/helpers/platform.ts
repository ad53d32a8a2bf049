import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { startPlatform, type PlatformDatabase, type RunningPlatform } from '../../src/platform/app'
import { openDatabase, type Database } from '../../src/platform/db'

/**
 * A real platform server on 127.0.0.1 (free port) over its own empty database: a fresh PGlite data
 * folder, or a fresh schema on the PostgreSQL server named by DAYBOOK_TEST_PG_URL (dropped on close).
 */

export type PlatformBackend = 'pglite' | 'postgres'

const PG_URL = process.env.DAYBOOK_TEST_PG_URL
export const PLATFORM_BACKENDS: PlatformBackend[] = PG_URL ? ['pglite', 'postgres'] : ['pglite']

export interface TestPlatform {
  url: string
  adminToken: string
  backend: PlatformBackend
  /** The open database of the running server (count rows, check nothing was stored). */
  readonly db: Database
  /** The running server itself (its payment service and long-poll notifier). */
  readonly running: RunningPlatform
  close(): Promise<void>
  /** Stops the HTTP server and the database, then starts again on the same data and the same port. */
  restart(): Promise<void>
}

export interface TestPlatformOptions {
  now?: () => Date
  rateLimit?: { max: number; timeWindowMs: number }
  port?: number
  logger?: boolean
  /** The sandbox wallets' options (fees per wallet). */
  sandbox?: { feeBasisPoints?: Partial<Record<'alipay' | 'wechat', number>> }
  /** Event batches checked and hashed in this many worker threads (0, the default: in the main thread). */
  ingestWorkers?: number
}

// A PGlite data folder takes ~3 s to initialise; an initialised and migrated one copies in ~0.1 s.
let template: Promise<string> | null = null
const tempDirs: string[] = []
process.on('exit', () => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
})

function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybook-platform-template-'))
    tempDirs.push(dir)
    const db = await openDatabase({ kind: 'pglite', dataDir: dir })
    await db.close()
    return dir
  })()
  return template
}

export async function startTestPlatform(backend: PlatformBackend, opts: TestPlatformOptions = {}): Promise<TestPlatform> {
  const adminToken = randomBytes(24).toString('base64url')
  let database: PlatformDatabase
  let cleanup: () => Promise<void>
  if (backend === 'pglite') {
    const tpl = await pgliteTemplate()
    const dir = mkdtempSync(join(tmpdir(), 'daybook-platform-'))
    tempDirs.push(dir)
    cpSync(tpl, dir, { recursive: true })
    database = { kind: 'pglite', dataDir: dir }
    // Removing a data folder takes seconds here: it goes in the background (and at exit, if still there).
    cleanup = async () => {
      rm(dir, { recursive: true, force: true }).catch(() => {})
    }
  } else {
    if (!PG_URL) throw new Error('DAYBOOK_TEST_PG_URL is not set')
    const fresh = freshPgSchema()
    database = fresh.database
    cleanup = fresh.drop
  }
  const start = (port: number | undefined): Promise<RunningPlatform> =>
    startPlatform({ database, adminToken, now: opts.now, rateLimit: opts.rateLimit, logger: opts.logger ?? false, port, sandbox: opts.sandbox, ingestWorkers: opts.ingestWorkers })
  let running = await start(opts.port)
  const port = running.port
  let closed = false
  return {
    get url() {
      return running.url
    },
    adminToken,
    backend,
    get db() {
      return running.db
    },
    get running() {
      return running
    },
    close: async () => {
      if (closed) return
      closed = true
      await running.close()
      await cleanup()
    },
    restart: async () => {
      await running.close()
      running = await start(port)
    },
  }
}

export interface CallResult {
  status: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  headers: Headers
}

/** An admin API call with the platform's token; the body is sent as JSON when given. */
export async function adminCall(p: { url: string; adminToken: string }, method: string, path: string, body?: unknown): Promise<CallResult> {
  const res = await fetch(p.url + path, {
    method,
    headers: { authorization: `Bearer ${p.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

/** A store and a device in it, with the device's one-time pairing code (XXXX-XXXX). */
export async function createStoreAndDevice(p: { url: string; adminToken: string }, name = 'Test Store'): Promise<{ storeId: string; deviceId: string; code: string }> {
  const store = await adminCall(p, 'POST', '/v1/admin/stores', { name })
  if (store.status !== 201) throw new Error(`store-create: ${store.status} ${JSON.stringify(store.body)}`)
  const dev = await adminCall(p, 'POST', `/v1/admin/stores/${store.body.id}/devices`, { name: 'Till 1' })
  if (dev.status !== 201) throw new Error(`device-create: ${dev.status} ${JSON.stringify(dev.body)}`)
  return { storeId: store.body.id, deviceId: dev.body.device.id, code: dev.body.pairing.code }
}

/** A PostgreSQL schema of its own on the test server (DAYBOOK_TEST_PG_URL), and what drops it. */
export function freshPgSchema(): { database: { kind: 'postgres'; url: string; schema: string }; drop: () => Promise<void> } {
  if (!PG_URL) throw new Error('DAYBOOK_TEST_PG_URL is not set')
  const url = PG_URL
  const schema = `t_${randomBytes(8).toString('hex')}`
  return {
    database: { kind: 'postgres', url, schema },
    drop: async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await c.end()
      }
    },
  }
}

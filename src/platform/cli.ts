import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { MIN_ADMIN_TOKEN_LENGTH, startPlatform, type PlatformDatabase } from './app'
import { openDatabase } from './db'
import { catalogFromFile, ensureDemo } from './demo'
import { getStore, loadCatalog } from './service'

/**
 * npm run platform -- [--port 4320] [--host 127.0.0.1] [--data .daybook-platform] [--demo] [--public-url URL] [--fee-bp 60 | --fee-bp alipay=60,wechat=54]
 *   [--updates-dir DIR]   serve the tills' update feeds and installers: GET /v1/updates/<channel>/<file> from DIR/<channel>/<file>
 *   [--acquirer-url URL --acquirer-user USER --acquirer-account ACCOUNT] (password: DAYBOOK_ACQUIRER_PASSWORD)
 * npm run platform -- seed-catalog --store <storeId> <catalog.json> [--data .daybook-platform]
 *
 * DATABASE_URL=postgres://… uses a PostgreSQL server; otherwise PGlite in <data>/pgdata.
 * The admin token is DAYBOOK_ADMIN_TOKEN if set, else <data>/admin-token (made on first start, mode 0600).
 */

const USAGE = `Usage:
  npm run platform -- [--port 4320] [--host 127.0.0.1] [--data .daybook-platform] [--demo] [--public-url URL] [--fee-bp 60 | --fee-bp alipay=60,wechat=54]
      [--acquirer-url URL --acquirer-user USER --acquirer-account ACCOUNT]   card settlement reports (password: DAYBOOK_ACQUIRER_PASSWORD)
      [--updates-dir DIR]   update feeds and installers for the tills: GET /v1/updates/<channel>/<file> serves DIR/<channel>/<file>
      [--ingest-workers N]   threads that check and hash event batches (default: the machine's cores less one, at least 1; 0: none)
  npm run platform -- seed-catalog --store <storeId> <catalog.json> [--data .daybook-platform]
Environment: DATABASE_URL=postgres://… (default: PGlite in <data>/pgdata), DAYBOOK_ADMIN_TOKEN, DAYBOOK_ACQUIRER_PASSWORD, LOG=0 to silence logs,
  DAYBOOK_PROJECTION_STEP=500 (events per projection step: one transaction of the reporting tables' projection).`

/** The card acquirer's report server (statements): all of URL, user and account, or none; the password from the environment. */
function acquirerOption(v: { url?: string; user?: string; account?: string }): { reportUrl: string; username: string; password: string; merchantAccount: string } | undefined {
  if (v.url === undefined && v.user === undefined && v.account === undefined) return undefined
  if (!v.url || !v.user || !v.account) throw new Error('--acquirer-url, --acquirer-user and --acquirer-account go together')
  return { reportUrl: v.url, username: v.user, password: process.env.DAYBOOK_ACQUIRER_PASSWORD ?? '', merchantAccount: v.account }
}

function projectionStep(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`DAYBOOK_PROJECTION_STEP must be 1–100000, not ${v}`)
  return n
}

const DEMO_CATALOG = resolve(__dirname, '../../resources/demo-catalog.json')

function database(dataDir: string): { db: PlatformDatabase; label: string } {
  const url = process.env.DATABASE_URL
  if (url) return { db: { kind: 'postgres', url }, label: `PostgreSQL ${url.replace(/:[^:@/]*@/, ':***@')}` }
  const dir = join(dataDir, 'pgdata')
  return { db: { kind: 'pglite', dataDir: dir }, label: `PGlite (embedded) in ${dir}` }
}

function adminToken(dataDir: string): { token: string; where: string } {
  const env = process.env.DAYBOOK_ADMIN_TOKEN
  if (env) {
    if (env.length < MIN_ADMIN_TOKEN_LENGTH) throw new Error(`DAYBOOK_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (for example: openssl rand -base64 32).`)
    return { token: env, where: 'the DAYBOOK_ADMIN_TOKEN environment variable' }
  }
  const file = join(dataDir, 'admin-token')
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  return { token: readFileSync(file, 'utf8').trim(), where: file }
}

/** PGlite is one process's database: a lock file stops a second process from opening the same folder. */
function lockPglite(dataDir: string): () => void {
  const file = join(dataDir, 'pglite.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'))
    let alive = false
    try {
      process.kill(pid, 0)
      alive = pid !== process.pid
    } catch {
      alive = false
    }
    if (alive) throw new Error(`Another platform process (pid ${pid}) has ${dataDir} open. Stop it first, or use the admin API.`)
  }
  writeFileSync(file, String(process.pid))
  return () => rmSync(file, { force: true })
}

async function seedCatalog(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { store: { type: 'string' }, data: { type: 'string', default: '.daybook-platform' } }, allowPositionals: true })
  const file = positionals[0]
  if (!values.store || !file) throw new Error(USAGE)
  const dataDir = resolve(values.data)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const { db: cfg, label } = database(dataDir)
  const unlock = cfg.kind === 'pglite' ? lockPglite(dataDir) : () => {}
  const db = await openDatabase(cfg)
  try {
    await getStore(db, values.store)
    const r = await loadCatalog(db, values.store, catalogFromFile(resolve(file)), new Date())
    console.log(`Loaded ${file} into store ${values.store} (${label}): ${r.changes} changes, cursor ${r.cursor}`)
  } finally {
    await db.close()
    unlock()
  }
}

/** --fee-bp 60 (both wallets) or alipay=60,wechat=54. */
function feeOption(text: string | undefined): Partial<Record<'alipay' | 'wechat', number>> | undefined {
  if (text === undefined) return undefined
  const parse = (v: string): number => {
    if (!/^\d{1,5}$/.test(v)) throw new Error(`--fee-bp takes whole basis points, not ${v}`)
    return Number(v)
  }
  if (!text.includes('=')) return { alipay: parse(text), wechat: parse(text) }
  const out: Partial<Record<'alipay' | 'wechat', number>> = {}
  for (const part of text.split(',')) {
    const [wallet, v] = part.split('=')
    if (wallet !== 'alipay' && wallet !== 'wechat') throw new Error(`--fee-bp: unknown wallet ${wallet}`)
    out[wallet] = parse(v ?? '')
  }
  return out
}

/** Ingest's worker threads (ingest-pool.ts): by default one core is left to the main thread. */
function ingestWorkers(v: string | undefined): number {
  if (v === undefined) return Math.max(1, availableParallelism() - 1)
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`--ingest-workers must be 0–64, not ${v}`)
  return n
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4320' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: '.daybook-platform' },
      demo: { type: 'boolean', default: false },
      'public-url': { type: 'string' },
      'fee-bp': { type: 'string' },
      'acquirer-url': { type: 'string' },
      'acquirer-user': { type: 'string' },
      'acquirer-account': { type: 'string' },
      'updates-dir': { type: 'string' },
      'ingest-workers': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, not ${values.port}`)
  const dataDir = resolve(values.data)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const { db, label } = database(dataDir)
  const token = adminToken(dataDir)
  const unlock = db.kind === 'pglite' ? lockPglite(dataDir) : () => {}
  let platform
  try {
    platform = await startPlatform({
      database: db,
      adminToken: token.token,
      host: values.host,
      port,
      logger: process.env.LOG !== '0',
      publicUrl: values['public-url'],
      sandbox: { feeBasisPoints: feeOption(values['fee-bp']) },
      acquirer: acquirerOption({ url: values['acquirer-url'], user: values['acquirer-user'], account: values['acquirer-account'] }),
      ...(values['updates-dir'] ? { updatesDir: resolve(values['updates-dir']) } : {}),
      projection: { stepEvents: projectionStep(process.env.DAYBOOK_PROJECTION_STEP) },
      ingestWorkers: ingestWorkers(values['ingest-workers']),
    })
  } catch (e) {
    unlock()
    throw e
  }
  console.log(`Daybook platform: ${platform.url}`)
  console.log(`Admin token: ${token.where}`)
  console.log(`Database: ${label}`)
  if (values['updates-dir']) console.log(`Updates: ${resolve(values['updates-dir'])} served at ${platform.url}/v1/updates/<channel>/ (a till's update address: ${platform.url}/v1/updates/stable)`)
  console.log(`Sandbox wallets: customer page ${values['public-url']?.replace(/\/+$/, '') ?? platform.url}/sandbox/pay/<token> (each merchant QR's codeUrl; open it on a phone and press Pay)`)
  if (values.demo) {
    const demo = await ensureDemo(platform.db, DEMO_CATALOG, new Date())
    const expires = new Date(demo.pairing.expiresAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false })
    console.log(`Demo store: ${demo.storeId} (device ${demo.deviceId}, ${demo.catalogChanges} catalog changes loaded)`)
    console.log(`Pairing code: ${demo.pairing.code} (expires ${expires})`)
  }

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      console.error(`${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    console.log(`${signal}: finishing requests in flight, then closing the database`)
    platform
      .close()
      .then(() => {
        unlock()
        console.log('Daybook platform stopped')
        process.exit(0)
      })
      .catch((e: unknown) => {
        console.error(e)
        unlock()
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

const [first, ...rest] = process.argv.slice(2)
const run = first === 'seed-catalog' ? seedCatalog(rest) : serve(process.argv.slice(2))
run.catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

import { mkdirSync } from 'node:fs'
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite'
import pg from 'pg'
import { MIGRATIONS } from './migrations'

/**
 * One small database layer over the two PostgreSQLs the platform runs on: embedded PGlite (a data
 * folder, or memory) and a PostgreSQL server through a pg Pool. The same SQL and the same
 * migrations run on both. bigint columns come back as JS numbers: every amount is at most
 * MAX_MINOR (1e14 < 2^53), and a value outside the safe range is refused loudly, never rounded.
 */

export type PlatformDatabase = { kind: 'pglite'; dataDir: string | null /* null = in memory */ } | { kind: 'postgres'; url: string; schema?: string }

export type Row = Record<string, unknown>

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /** Runs fn in one transaction (READ COMMITTED; ingest takes the device row FOR UPDATE). */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

const INT8 = 20

function parseInt8(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} is outside the safe integer range`)
  return n
}

/** Opens the database and brings its schema up to date (`migrateTo`: only that far, for upgrade tests). */
export async function openDatabase(cfg: PlatformDatabase, opts: { migrateTo?: number } = {}): Promise<Database> {
  const db = cfg.kind === 'pglite' ? await openPglite(cfg.dataDir) : await openPostgres(cfg.url, cfg.schema)
  try {
    await migrate(db, opts.migrateTo)
  } catch (e) {
    await db.close()
    throw e
  }
  return db
}

async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const opts = { parsers: { [INT8]: parseInt8, [pgliteTypes.TIMESTAMPTZ]: (s: string) => new Date(s) } }
  const lite = dataDir ? await PGlite.create(dataDir, opts) : await PGlite.create(opts)
  const run = async <T extends Row>(q: { query: PGlite['query'] }, sql: string, params?: readonly unknown[]): Promise<T[]> => {
    const r = await q.query<T>(sql, params as unknown[] | undefined)
    return r.rows
  }
  return {
    kind: 'pglite',
    query: (sql, params) => run(lite, sql, params),
    tx: (fn) => lite.transaction((t) => fn({ query: (sql, params) => run(t, sql, params) })),
    close: async () => {
      if (!lite.closed) await lite.close()
    },
  }
}

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`)
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    options: schema ? `-c search_path=${schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  let closed = false
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params as unknown[] | undefined)).rows,
    tx: async (fn) => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn({ query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows })
        await client.query('COMMIT')
        return result
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {})
        throw e
      } finally {
        client.release()
      }
    },
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

/** A constant key for pg_advisory_xact_lock: one migrator at a time per database. */
const MIGRATION_LOCK = 4_320_001

/** Forward-only: applies the migrations not yet in schema_migrations (then their data steps), all in one transaction. */
export async function migrate(db: Database, upTo: number = MIGRATIONS.length): Promise<number[]> {
  return db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await q.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version))
    const newest = Math.max(0, ...done)
    if (newest > MIGRATIONS.length) throw new Error(`the database is at schema version ${newest}, newer than this platform (${MIGRATIONS.length})`)
    const applied: number[] = []
    for (const [i, m] of MIGRATIONS.entries()) {
      const version = i + 1
      if (done.has(version) || version > upTo) continue
      for (const stmt of m.sql) await q.query(stmt)
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, m.name])
      applied.push(version)
    }
    // Data steps run on the newest schema, in migration order, in the same transaction.
    for (const version of applied) await MIGRATIONS[version - 1]!.data?.(q)
    return applied
  })
}

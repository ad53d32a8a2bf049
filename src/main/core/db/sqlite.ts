import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { DaybookError } from '../../../shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

export type Db = Database.Database

export interface OpenOptions {
  /** Path of a better-sqlite3 build for this runtime's ABI (Electron's); undefined = the default Node build. */
  nativeBinding?: string | undefined
  /** Migrations to apply, for tests of a single migration step; defaults to all. */
  migrations?: readonly Migration[]
  readonly?: boolean
}

/**
 * Opens the ledger with the durability pragmas every connection needs, then brings the schema
 * forward. A database written by a newer Daybook is refused rather than guessed at.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const existed = file !== ':memory:' && existsSync(file)
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (!options.readonly) migrate(db, file, existed, options.migrations ?? MIGRATIONS)
    return db
  } catch (e) {
    db.close()
    throw e
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

function migrate(db: Db, file: string, existed: boolean, migrations: readonly Migration[]): void {
  const current = schemaVersion(db)
  const latest = migrations.length === 0 ? 0 : (migrations[migrations.length - 1]?.version ?? 0)
  if (current > latest) {
    throw new DaybookError(
      'db_newer_than_app',
      `This ledger was written by a newer version of Daybook (schema ${current}, this app knows ${latest}). Update Daybook to open it.`,
      { current, latest },
    )
  }
  const pending = migrations.filter((m) => m.version > current)
  if (pending.length === 0) return
  // A copy of the ledger as it was, before any schema change touches it.
  if (existed && current > 0) backupBeforeMigration(db, file, current)
  for (const m of pending) {
    const step = db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })
    try {
      step()
    } catch (e) {
      throw new DaybookError('migration_failed', `Updating the ledger to schema ${m.version} (${m.name}) failed; nothing was changed.`, {
        version: m.version,
        reason: e instanceof Error ? e.message : String(e),
      })
    }
  }
}

function backupBeforeMigration(db: Db, file: string, version: number): void {
  db.pragma('wal_checkpoint(TRUNCATE)')
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  copyFileSync(file, `${file}.v${version}.${stamp}.bak`)
}

/** Asserts migrations are numbered 1, 2, 3… with no gap: forward-only means never renumbered. */
export function assertMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`)
  })
}

import { existsSync } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import Database from 'better-sqlite3'
import type { BackupInfo } from '../../../shared/updates-contract'
import type { Db } from '../db/sqlite'
import { betterSqliteBinding } from '../native-binding'
import { UpdateError } from '../updates/errors'
import { verifyLedger } from '../verify/verify'

/**
 * Consistent copies of a live ledger with SQLite's online backup API (better-sqlite3 `db.backup`),
 * each checked before it counts: opened read-only, `PRAGMA integrity_check`, the same schema
 * version as the ledger it came from, and the verifier (hash chain, every posted row, the ledger
 * and the closures, src/main/core/verify) finds nothing wrong. A copy that fails any of these is
 * deleted and refused with UpdateError('backup_corrupt').
 */

/** The better-sqlite3 build for this runtime: the Electron app's core host names its root in the environment. */
function defaultBinding(): string | undefined {
  const root = process.env.DAYBOOK_NATIVE_ROOT
  return root ? betterSqliteBinding(root) : undefined
}

/** `2026-12-06T19-40-00-123Z`: sortable, and legal in a Windows file name. */
export function fileStamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-')
}

export interface WriteOptions {
  now?: () => Date
  /** The file name's first part (default: the ledger's own name, `ledger`). */
  prefix?: string
}

/**
 * Writes an online backup of an open ledger into `dir` (`<prefix>-<timestamp>.sqlite`) and makes it
 * a self-contained file (rollback journal, no -wal beside it). All pages are copied in one step,
 * under one read transaction: a copy of one moment even while another connection keeps writing
 * (SQLite would restart a backup made in small steps each time the ledger changed). Not checked yet.
 */
export async function writeBackup(db: Db, dir: string, o: WriteOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true })
  const prefix = o.prefix ?? basename(db.name, extname(db.name))
  const file = join(dir, `${prefix}-${fileStamp((o.now ?? (() => new Date()))())}.sqlite`)
  if (existsSync(file)) throw new UpdateError('backup_failed', `${file} exists already; not overwritten.`, { file })
  const part = `${file}.part`
  try {
    await db.backup(part, { progress: () => 0x7fffffff })
    const copy = new Database(part, { fileMustExist: true, ...nativeOption(undefined) })
    try {
      copy.pragma('journal_mode = DELETE')
    } finally {
      copy.close()
    }
    await rename(part, file)
    return file
  } catch (e) {
    await rm(part, { force: true })
    if (e instanceof UpdateError) throw e
    throw new UpdateError('backup_failed', `The ledger could not be copied to ${dir}: ${(e as Error).message}`, { dir })
  }
}

function nativeOption(nativeBinding: string | undefined): { nativeBinding?: string } {
  const b = nativeBinding ?? defaultBinding()
  return b ? { nativeBinding: b } : {}
}

/**
 * Checks a backup file; returns what it holds, or deletes it and throws UpdateError('backup_corrupt').
 * `userVersion`: the schema version it must have (the ledger's at the time of the copy).
 */
export async function checkBackup(file: string, expected: { userVersion: number; nativeBinding?: string; now?: () => Date }): Promise<BackupInfo> {
  let problem: string | null = null
  let events = 0
  let userVersion = -1
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, ...nativeOption(expected.nativeBinding) })
    try {
      const integrity = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]
      const verdict = integrity.map((r) => r.integrity_check)
      userVersion = db.pragma('user_version', { simple: true }) as number
      if (verdict.length !== 1 || verdict[0] !== 'ok') problem = `integrity_check: ${verdict.slice(0, 3).join('; ')}`
      else if (userVersion !== expected.userVersion) problem = `schema version ${userVersion}, the ledger has ${expected.userVersion}`
      else {
        const report = verifyLedger(db)
        events = report.events
        if (!report.ok) problem = `the verifier: ${report.problem?.kind ?? 'problem'} at event ${report.problem?.seq ?? '?'}: ${report.problem?.message ?? ''}`
      }
    } finally {
      db.close()
    }
  } catch (e) {
    problem = (e as Error).message
  }
  if (problem !== null) {
    await rm(file, { force: true })
    throw new UpdateError('backup_corrupt', `The backup failed its check and was deleted (${problem}).`, { file, problem })
  }
  return { file, bytes: (await stat(file)).size, userVersion, events, checkedAt: (expected.now ?? (() => new Date()))().toISOString() }
}

/** Writes a backup of an open ledger and checks it: the whole "backup taken and checked". */
export async function backupLedger(db: Db, dir: string, o: WriteOptions & { write?: typeof writeBackup } = {}): Promise<BackupInfo> {
  const userVersion = db.pragma('user_version', { simple: true }) as number
  const file = await (o.write ?? writeBackup)(db, dir, o)
  return checkBackup(file, { userVersion, ...(o.now ? { now: o.now } : {}) })
}

/**
 * `npm run daybook -- backup <ledger> <dir>`: a consistent copy of a ledger file that may be open
 * and written by a running till, checked after writing. Never migrates or writes the source.
 */
export async function backupFile(source: string, dir: string, o: { now?: () => Date } = {}): Promise<BackupInfo> {
  if (!existsSync(source)) throw new UpdateError('backup_failed', `There is no ledger at ${source}.`, { source })
  const db = new Database(source, { readonly: true, fileMustExist: true, ...nativeOption(undefined) })
  try {
    db.pragma('busy_timeout = 5000')
    return await backupLedger(db, dir, o)
  } finally {
    db.close()
  }
}

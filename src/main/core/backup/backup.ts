import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
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
 *
 * A copy is written and checked under `<name>.sqlite.part` and gets its final name `<name>.sqlite`
 * only after the check passed (a rename, which is atomic): a file with the final name is a checked
 * backup. A check that is cut off (the process killed) leaves only a `.part`, which nothing
 * presents as a backup (after-update.ts's newestBackup) and the next pre-update backup removes.
 */

/** The suffix of a copy not checked yet (being written, or being checked). */
export const UNCHECKED_SUFFIX = '.part'

/** The name a checked copy gets: its unchecked name without `.part`. */
export function checkedName(unchecked: string): string {
  return unchecked.endsWith(UNCHECKED_SUFFIX) ? unchecked.slice(0, -UNCHECKED_SUFFIX.length) : unchecked
}

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
  /** A last part after the time (`from-0.1.0`): `<prefix>-<time>-<tag>.sqlite`. */
  tag?: string
}

/**
 * Writes an online backup of an open ledger into `dir` and makes it a self-contained file
 * (rollback journal, no -wal beside it). All pages are copied in one step, under one read
 * transaction: a copy of one moment even while another connection keeps writing (SQLite would
 * restart a backup made in small steps each time the ledger changed). **Not checked yet**: it is
 * `<prefix>-<timestamp>.sqlite.part`, and returned under that name; backupLedger checks it and
 * only then gives it its final name (checkedName). On a failure nothing is left behind.
 */
export async function writeBackup(db: Db, dir: string, o: WriteOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true })
  const prefix = o.prefix ?? basename(db.name, extname(db.name))
  const file = join(dir, `${prefix}-${fileStamp((o.now ?? (() => new Date()))())}${o.tag ? `-${o.tag}` : ''}.sqlite`)
  const part = `${file}${UNCHECKED_SUFFIX}`
  if (existsSync(file) || existsSync(part)) throw new UpdateError('backup_failed', `${file} exists already; not overwritten.`, { file })
  try {
    await db.backup(part, { progress: () => 0x7fffffff })
    const copy = new Database(part, { fileMustExist: true, ...nativeOption(undefined) })
    try {
      copy.pragma('journal_mode = DELETE')
    } finally {
      copy.close()
    }
    return part
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

/**
 * Writes a backup of an open ledger and checks it: the whole "backup taken and checked". The copy
 * gets its final name only once the check passed; if the check fails (or throws) the unchecked
 * copy is deleted. Returns the checked backup under its final name.
 */
export async function backupLedger(db: Db, dir: string, o: WriteOptions & { write?: typeof writeBackup; check?: typeof checkBackup } = {}): Promise<BackupInfo> {
  const userVersion = db.pragma('user_version', { simple: true }) as number
  const unchecked = await (o.write ?? writeBackup)(db, dir, o)
  const final = checkedName(unchecked)
  try {
    const info = await (o.check ?? checkBackup)(unchecked, { userVersion, ...(o.now ? { now: o.now } : {}) })
    if (final !== unchecked) {
      if (existsSync(final)) throw new UpdateError('backup_failed', `${final} exists already; not overwritten.`, { file: final })
      await rename(unchecked, final)
    }
    return { ...info, file: final }
  } catch (e) {
    await rm(unchecked, { force: true })
    if (e instanceof UpdateError) throw e
    throw new UpdateError('backup_failed', `The backup could not be checked: ${(e as Error).message}`, { file: unchecked })
  }
}

/**
 * Deletes the unchecked copies (`<prefix>-….sqlite.part`) a cut-off backup left in `dir`: they were
 * never checked and are no backup. Only for a prefix no other backup is being written under at
 * the same time (the pre-update backups, one at a time). Returns what it deleted.
 */
export async function removeUnchecked(dir: string, prefix: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const gone: string[] = []
  for (const n of names) {
    if (!n.startsWith(`${prefix}-`) || !n.endsWith(`.sqlite${UNCHECKED_SUFFIX}`)) continue
    try {
      await rm(join(dir, n), { force: true })
      gone.push(join(dir, n))
    } catch {
      // in use (another Daybook on the same folder, on Windows): left for the next time
    }
  }
  return gone
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

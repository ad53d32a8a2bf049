import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Settings, Staff } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { BackupInfo, InstallTrigger, UnsafeReason, UpdaterReport, updatesChannels } from '../../../shared/updates-contract'
import { backupLedger, removeUnchecked, type checkBackup, type writeBackup } from '../backup/backup'
import type { Db } from '../db/sqlite'
import { verifyJournal } from '../journal'
import { writeSettings } from '../settings'
import { checkedBackups, newestBackup, PRE_UPDATE_PREFIX } from './after-update'
import { safeMoment, tillActivity } from './safe-moment'
import type { CallContext, HandlersOf } from '../handler-types'

/**
 * The update channels (src/shared/updates-contract.ts). The decision to install is the core's:
 * the shell's updater (src/main/updater.ts) asks 'update-prepare-install' and calls
 * electron-updater's quitAndInstall only on `safe: true`, which comes after a backup of the
 * ledger was written and checked.
 */

export type UpdatesHandlers = HandlersOf<typeof updatesChannels>

export interface UpdatesDeps {
  db: Db
  now: () => Date
  settings: () => Settings
  must: (ctx: CallContext) => Staff
  /** Whether the sync relay has a batch on the wire (its answer not saved yet). */
  outboxSending: () => boolean
  /** Where pre-update backups go; default `<data folder>/backups`. */
  backupDir?: string
  /** Writes the copy (tests put a corrupting writer here); default writeBackup. */
  writeBackup?: typeof writeBackup
  /** Checks the copy (tests put one here that never ends, as a killed check); default checkBackup. */
  checkBackup?: typeof checkBackup
  /** After the update settings are saved (the windows reload the settings). */
  changed?: () => void
}

/** Channels that wait (the backup is asynchronous): Core.invoke only. */
export const UPDATES_ASYNC = ['update-prepare-install'] as const

/**
 * Where pre-update backups go. Kept there: every backup that was followed by an install (the one
 * taken on each version before it was replaced). Deleted: a copy whose check was cut off (`.part`,
 * never checked), a backup taken when the install then did not happen (something started during
 * the backup), and, when a new one is taken, older ones taken on the same running version — their
 * install did not happen either, or this would be another version. So a till whose update keeps
 * waiting does not gather a full copy of its ledger at every quit.
 */
export function backupFolder(db: Db, override?: string): string {
  return override ?? join(dirname(db.name), 'backups')
}

export interface PrepareResult {
  safe: boolean
  reasons: UnsafeReason[]
  backup: BackupInfo | null
}

/**
 * The moment before an install: if nothing is in progress (safeMoment), take a backup of the
 * ledger and check it; only a checked backup makes it safe. A failed backup or check throws
 * UpdateError and the install does not happen. `version` is the running app's: the backup is
 * named after it (`ledger-before-update-<time>-from-<version>.sqlite`).
 */
export async function prepareInstall(deps: UpdatesDeps, trigger: InstallTrigger, version: string): Promise<PrepareResult> {
  const s = deps.settings()
  const moment = safeMoment({ activity: tillActivity(deps.db, deps.outboxSending()), trigger, now: deps.now(), settings: s.updates, timeZone: s.timeZone })
  if (!moment.safe) return { ...moment, backup: null }
  const folder = backupFolder(deps.db, deps.backupDir)
  // A copy left unchecked by a backup that was cut off (the shell gave up and quit) is no backup.
  await removeUnchecked(folder, PRE_UPDATE_PREFIX)
  const backup = await backupLedger(deps.db, folder, {
    now: deps.now,
    prefix: PRE_UPDATE_PREFIX,
    tag: `from-${version}`,
    ...(deps.writeBackup ? { write: deps.writeBackup } : {}),
    ...(deps.checkBackup ? { check: deps.checkBackup } : {}),
  })
  // The backup took time (and yielded to the event loop): anything that started meanwhile waits too.
  const again = safeMoment({ activity: tillActivity(deps.db, deps.outboxSending()), trigger, now: deps.now(), settings: s.updates, timeZone: s.timeZone })
  if (!again.safe) {
    // No install now: this copy would only be the first of one per quit. The next attempt takes its own.
    await rm(backup.file, { force: true })
    return { ...again, backup: null }
  }
  // Older backups taken on this same version were for installs that did not happen (we still run it).
  for (const b of checkedBackups(folder)) {
    if (b.fromVersion === version && b.file !== backup.file) await rm(b.file, { force: true })
  }
  return { ...again, backup }
}

export function updatesHandlers(deps: UpdatesDeps): UpdatesHandlers {
  const { db } = deps
  let report: UpdaterReport | null = null
  let preparing: Promise<unknown> = Promise.resolve()
  return {
    'update-status': () => {
      const s = deps.settings()
      return {
        settings: s.updates,
        report,
        atQuit: safeMoment({ activity: tillActivity(db, deps.outboxSending()), trigger: 'quit', now: deps.now(), settings: s.updates, timeZone: s.timeZone }),
        dataFolder: dirname(db.name),
        backupFolder: backupFolder(db, deps.backupDir),
      }
    },
    'update-settings-save': (input, ctx) => {
      const staff = deps.must(ctx)
      // The contract says 'owner' already (Core refuses anyone else first); kept here for any other caller.
      if (staff.role !== 'owner') throw new DaybookError('forbidden', 'Only the owner can change how this till updates.')
      const saved = writeSettings(db, { ...deps.settings(), updates: input }, deps.now().toISOString(), staff.id)
      deps.changed?.()
      return saved.updates
    },
    'update-config': () => {
      const s = deps.settings()
      return { settings: s.updates, timeZone: s.timeZone }
    },
    // Kept for 'update-status' only: no change event (that would reload the owner's open settings form).
    'update-report': (input) => {
      report = input
      return null
    },
    // One at a time (a quit and the window's minute may ask together): each may delete the other's copies.
    'update-prepare-install': ({ trigger, version }) => {
      const run = preparing.then(() => prepareInstall(deps, trigger, version))
      preparing = run.catch(() => undefined)
      return run
    },
    'update-after-start': ({ version, previousVersion }) => {
      const folder = backupFolder(db, deps.backupDir)
      const r = verifyJournal(db)
      if (r.ok) return { ok: true, message: `Daybook ${version}${previousVersion ? ` (was ${previousVersion})` : ''}: the ledger was checked after the update, ${r.events} events, nothing wrong.`, backupFolder: folder }
      const latest = newestBackup(folder)
      return {
        ok: false,
        message: `After the update to ${version} the ledger check found a problem (${r.problem?.kind ?? 'problem'} at event ${r.problem?.seq ?? '?'}: ${r.problem?.message ?? ''}). Keep selling is not advised: call support.${latest ? ` The ledger as it was before the update is in ${latest}.` : ''}`,
        backupFolder: folder,
      }
    },
  }
}

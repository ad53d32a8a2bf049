import { dirname, join } from 'node:path'
import type { z } from 'zod'
import type { ChannelOutput, Settings, Staff } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { BackupInfo, InstallTrigger, UnsafeReason, UpdaterReport, updatesChannels } from '../../../shared/updates-contract'
import { backupLedger, writeBackup } from '../backup/backup'
import type { Db } from '../db/sqlite'
import { verifyJournal } from '../journal'
import { writeSettings } from '../settings'
import { newestBackup } from './after-update'
import { safeMoment, tillActivity } from './safe-moment'

/**
 * The update channels (src/shared/updates-contract.ts). The decision to install is the core's:
 * the shell's updater (src/main/updater.ts) asks 'update-prepare-install' and calls
 * electron-updater's quitAndInstall only on `safe: true`, which comes after a backup of the
 * ledger was written and checked.
 */

type Channels = typeof updatesChannels
type Name = keyof Channels
interface Ctx {
  token: string | undefined
  staff: Staff | undefined
}
export type UpdatesHandlers = { [C in Name]: (input: z.output<Channels[C]['input']>, ctx: Ctx) => ChannelOutput<C> | Promise<ChannelOutput<C>> }

export interface UpdatesDeps {
  db: Db
  now: () => Date
  settings: () => Settings
  must: (ctx: Ctx) => Staff
  /** Whether the sync relay has a batch on the wire (its answer not saved yet). */
  outboxSending: () => boolean
  /** Where pre-update backups go; default `<data folder>/backups`. */
  backupDir?: string
  /** Writes the copy (tests put a corrupting writer here); default writeBackup. */
  writeBackup?: typeof writeBackup
  /** After the update settings are saved (the windows reload the settings). */
  changed?: () => void
}

/** Channels that wait (the backup is asynchronous): Core.invoke only. */
export const UPDATES_ASYNC = ['update-prepare-install'] as const

/** Where pre-update backups go (none is ever deleted here: that is the owner's choice). */
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
 * UpdateError and the install does not happen.
 */
export async function prepareInstall(deps: UpdatesDeps, trigger: InstallTrigger): Promise<PrepareResult> {
  const s = deps.settings()
  const moment = safeMoment({ activity: tillActivity(deps.db, deps.outboxSending()), trigger, now: deps.now(), settings: s.updates, timeZone: s.timeZone })
  if (!moment.safe) return { ...moment, backup: null }
  const backup = await backupLedger(deps.db, backupFolder(deps.db, deps.backupDir), { now: deps.now, prefix: 'ledger-before-update', ...(deps.writeBackup ? { write: deps.writeBackup } : {}) })
  // The backup took time (and yielded to the event loop): anything that started meanwhile waits too.
  const again = safeMoment({ activity: tillActivity(deps.db, deps.outboxSending()), trigger, now: deps.now(), settings: s.updates, timeZone: s.timeZone })
  return { ...again, backup }
}

export function updatesHandlers(deps: UpdatesDeps): UpdatesHandlers {
  const { db } = deps
  let report: UpdaterReport | null = null
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
      if (staff.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can change how this till updates.')
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
    'update-prepare-install': ({ trigger }) => prepareInstall(deps, trigger),
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

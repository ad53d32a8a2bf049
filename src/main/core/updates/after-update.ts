import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * When the core cannot open the ledger after an update (a migration failed, or the ledger is from
 * a newer Daybook): what to tell the person at the till. openDatabase has already copied the ledger
 * to `<ledger>.v<schema>.<time>.bak` before migrating, and the updater took a checked copy into
 * `<data>/backups/` before installing; both are named here so nobody has to look for them.
 */
export function startFailureAdvice(dataDir: string, ledgerFile = 'ledger.sqlite'): { migrationBackups: string[]; updateBackup: string | null; text: string } {
  let migrationBackups: string[] = []
  try {
    migrationBackups = readdirSync(dataDir)
      .filter((n) => n.startsWith(`${ledgerFile}.v`) && n.endsWith('.bak'))
      .sort()
      .map((n) => join(dataDir, n))
  } catch {
    migrationBackups = []
  }
  const updateBackup = newestBackup(join(dataDir, 'backups'))
  const lines = ['Daybook could not open its ledger after the update. No sale was changed.']
  const lastMigration = migrationBackups[migrationBackups.length - 1]
  if (lastMigration) lines.push(`The ledger as it was just before the update changed it: ${lastMigration}`)
  if (updateBackup) lines.push(`The checked backup taken before the update was installed: ${updateBackup}`)
  if (!lastMigration && !updateBackup) lines.push(`The ledger is untouched in ${join(dataDir, ledgerFile)}.`)
  lines.push('Install the previous version of Daybook again, or call support with this message. See "Installers, updates and backups" in the README for restoring a backup.')
  return { migrationBackups, updateBackup, text: lines.join('\n') }
}

/** The name the pre-update backups start with (backups/ledger-before-update-<time>-from-<version>.sqlite). */
export const PRE_UPDATE_PREFIX = 'ledger-before-update'

/**
 * A checked pre-update backup's name: the prefix, the time (fileStamp), optionally the version it
 * was taken on, `.sqlite` — and nothing after it (a `.part` is a copy not checked yet, or whose
 * check was cut off: backup.ts renames a copy to this name only after it passed its check).
 */
const CHECKED_BACKUP = new RegExp(`^${PRE_UPDATE_PREFIX}-(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-\\d{3}Z)(?:-from-([0-9A-Za-z.+-]{1,64}))?\\.sqlite$`)

/** The checked pre-update backups in a folder, oldest first, with the version each was taken on (null: not named). */
export function checkedBackups(folder: string): { file: string; at: string; fromVersion: string | null }[] {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return []
  }
  const found: { file: string; at: string; fromVersion: string | null }[] = []
  for (const n of names) {
    const m = CHECKED_BACKUP.exec(n)
    if (m) found.push({ file: join(folder, n), at: m[1]!, fromVersion: m[2] ?? null })
  }
  return found.sort((a, b) => (a.at === b.at ? a.file.localeCompare(b.file) : a.at < b.at ? -1 : 1))
}

/** The newest checked pre-update backup in a folder, if any (never an unchecked `.part`). */
export function newestBackup(folder: string): string | null {
  const all = checkedBackups(folder)
  return all[all.length - 1]?.file ?? null
}

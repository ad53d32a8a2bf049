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

/** The newest pre-update backup in a folder, if any. */
export function newestBackup(folder: string): string | null {
  try {
    const names = readdirSync(folder).filter((n) => n.startsWith('ledger-before-update-') && n.endsWith('.sqlite')).sort()
    const last = names[names.length - 1]
    return last ? join(folder, last) : null
  } catch {
    return null
  }
}

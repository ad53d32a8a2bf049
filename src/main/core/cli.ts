/**
 * npm run daybook -- <command>
 *   verify <ledger.sqlite> [--workers N]
 *                            walk the journal and prove the tables the reports read agree with it
 *                            (rows, ledger lines, closures, the journal's end); exit 1 and name
 *                            the first problem (verify/verify.ts says what is and is not checked).
 *                            Big ledgers are split between worker threads (default: one per CPU).
 *   seed-demo <data dir>     create the demo store in a data folder
 *   backup <ledger.sqlite> <dir>
 *                            a consistent copy of a ledger, even one a running till is writing (SQLite's
 *                            online backup), named <ledger>-<timestamp>.sqlite, checked after writing
 *                            (integrity_check, schema version, the verifier); prints its path.
 */
import { resolve } from 'node:path'
import { openCore } from './open-core'
import { verifyCommand } from './verify/command'
import { backupFile } from './backup/backup'

function main(argv: string[]): number | Promise<number> {
  const [cmd, arg, ...rest] = argv
  if (cmd === 'verify' && arg) {
    const workers = rest[0] === '--workers' && /^\d+$/.test(rest[1] ?? '') ? Number(rest[1]) : undefined
    if (rest.length > 0 && !workers) {
      console.log('Usage: npm run daybook -- verify <ledger.sqlite> [--workers N]')
      return 2
    }
    // Read-only: verifying must never migrate or otherwise touch the ledger it inspects.
    return verifyCommand(resolve(arg), console.log, workers ? { workers } : {})
  }
  if (cmd === 'backup' && arg && rest[0] && rest.length === 1) {
    return backupFile(resolve(arg), resolve(rest[0])).then((b) => {
      console.log(b.file)
      console.error(`Checked: integrity ok, schema ${b.userVersion}, ${b.events} journal events verified, ${b.bytes} bytes`)
      return 0
    }, (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e))
      return 1
    })
  }
  if (cmd === 'seed-demo' && arg) {
    const { file, seeded, core } = openCore({ dataDir: resolve(arg), demo: true, resourcesDir: resolve(__dirname, '../../../resources'), startSync: false })
    core.db.close()
    console.log(seeded ? `Demo store created in ${file}` : `${file} already has a store; left alone`)
    return 0
  }
  console.log('Usage: npm run daybook -- verify <ledger.sqlite> [--workers N] | seed-demo <data dir> | backup <ledger.sqlite> <dir>')
  return 2
}

void Promise.resolve(main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e))
    process.exitCode = 2
  },
)

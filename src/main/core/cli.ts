/**
 * npm run daybook -- <command>
 *   verify <ledger.sqlite> [--full] [--no-seal] [--workers N]
 *                            walk the journal and prove the tables the reports read agree with it
 *                            (rows, ledger lines, closures, the journal's end); exit 1 and name
 *                            the first problem (verify/verify.ts says what is and is not checked).
 *                            Big ledgers are split between worker threads (default: one per CPU).
 *                            A clean run seals its last closure in <ledger>.seal.json; the next run
 *                            checks the sealed events byte for byte against it and walks only the
 *                            events after (verify/seal.ts). --full ignores the seal; --no-seal
 *                            writes none.
 *   seed-demo <data dir>     create the demo store in a data folder
 *   backup <ledger.sqlite> <dir>
 *                            a consistent copy of a ledger, even one a running till is writing (SQLite's
 *                            online backup), named <ledger>-<timestamp>.sqlite, checked after writing
 *                            (integrity_check, schema version, the verifier); prints its path.
 */
import { resolve } from 'node:path'
import { openCore } from './open-core'
import { verifyCommand } from './verify/command'
import type { FileOptions } from './verify/verify'
import { backupFile } from './backup/backup'

/** verify's flags, or null when one is not understood. */
function verifyOptions(args: string[]): FileOptions | null {
  const options: FileOptions = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--full') options.full = true
    else if (a === '--no-seal') options.noSeal = true
    else if (a === '--workers' && /^[1-9]\d{0,2}$/.test(args[i + 1] ?? '')) options.workers = Number(args[++i])
    else return null
  }
  return options
}

function main(argv: string[]): number | Promise<number> {
  const [cmd, arg, ...rest] = argv
  if (cmd === 'verify' && arg) {
    const options = verifyOptions(rest)
    if (!options) {
      console.log('Usage: npm run daybook -- verify <ledger.sqlite> [--full] [--no-seal] [--workers N]')
      return 2
    }
    // Read-only: verifying must never migrate or otherwise touch the ledger it inspects (the seal is a file beside it).
    return verifyCommand(resolve(arg), console.log, options)
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
  console.log('Usage: npm run daybook -- verify <ledger.sqlite> [--full] [--no-seal] [--workers N] | seed-demo <data dir> | backup <ledger.sqlite> <dir>')
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

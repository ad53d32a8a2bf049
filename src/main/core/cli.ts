/**
 * npm run daybook -- <command>
 *   verify <ledger.sqlite>   walk the journal; exit 1 and name the first gap or broken link
 *   seed-demo <data dir>     create the demo store in a data folder
 */
import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import { verifyJournal } from './journal'
import { openCore } from './open-core'

function main(argv: string[]): number {
  const [cmd, arg] = argv
  if (cmd === 'verify' && arg) {
    // Read-only: verifying must never migrate or otherwise touch the ledger it inspects.
    const db = new Database(arg, { readonly: true, fileMustExist: true })
    const report = verifyJournal(db)
    db.close()
    if (report.ok) {
      console.log(`Journal intact: ${report.events} events, last seq ${report.lastSeq}, last hash ${report.lastHash}`)
      return 0
    }
    console.log(`Journal BROKEN at event ${report.problem?.seq} (${report.problem?.kind}): ${report.problem?.message}`)
    console.log(`Last good event: ${report.lastSeq}, hash ${report.lastHash}`)
    return 1
  }
  if (cmd === 'seed-demo' && arg) {
    const { file, seeded, core } = openCore({ dataDir: resolve(arg), demo: true, resourcesDir: resolve(__dirname, '../../../resources'), startSync: false })
    core.db.close()
    console.log(seeded ? `Demo store created in ${file}` : `${file} already has a store; left alone`)
    return 0
  }
  console.log('Usage: npm run daybook -- verify <ledger.sqlite> | seed-demo <data dir>')
  return 2
}

process.exitCode = main(process.argv.slice(2))

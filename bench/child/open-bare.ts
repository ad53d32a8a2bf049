/**
 * Baseline child of benchmark 3: the same runtime (node + tsx) only opens the ledger with
 * better-sqlite3 and runs SELECT 1. Prints the same kind of JSON line as open-core.ts.
 */
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'

const [file] = process.argv.slice(2)
if (!file) throw new Error('usage: open-bare.ts <ledger file>')
const loaded = performance.now()
const db = new Database(file)
db.prepare('SELECT 1').get()
const done = performance.now()
const rss = process.memoryUsage().rss
process.stdout.write(`${JSON.stringify({ loaded, toAnswersMs: done - loaded, sinceStartMs: done, rss })}\n`)
db.close()

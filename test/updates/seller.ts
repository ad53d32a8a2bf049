/**
 * A till that sells for cash in a loop until it is stopped, for the backup test: opens the demo
 * ledger in a data folder, opens a shift, then sells and prints `committed <n>` after each commit.
 */
import { openCore } from '../../src/main/core/open-core'
import { newId } from '../../src/shared/ids'

const [dataDir, resourcesDir] = process.argv.slice(2)
if (!dataDir || !resourcesDir) throw new Error('usage: seller <dataDir> <resourcesDir>')
const { core } = openCore({ dataDir, demo: true, resourcesDir, startSync: false })

function ask<T>(channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
  return r.value as T
}
const staff = ask<{ id: string; name: string }[]>('staff-list', {})
const cashier = ask<{ token: string }>('session-signin', { staffId: staff.find((s) => s.name.includes('Li Na'))!.id, pin: '1111' }).token
ask('shift-open', { shiftId: newId(), count: [{ value: 10_000, kind: 'note', count: 1 }] }, cashier)
process.stdout.write('ready\n')

let n = 0
function sell(): void {
  ask('sale-complete', { saleId: newId(), cart: { lines: [{ productId: `p${1001 + (n % 20)}`, quantity: '1' }] }, cashTendered: 100_000 }, cashier)
  n++
  process.stdout.write(`committed ${n}\n`)
  setImmediate(sell)
}
process.on('SIGTERM', () => {
  core.db.close()
  process.exit(0)
})
sell()

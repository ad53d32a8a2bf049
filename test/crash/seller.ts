/**
 * The victim of the crash test: opens the ledger, opens a shift if none is open (cash is only taken
 * inside one; a kill may land in that too), and sells in a tight loop until it is killed. After
 * each sale commits it prints the sale id, so the test knows what must have survived.
 */
import { openCore } from '../../src/main/core/open-core'
import { newId } from '../../src/shared/ids'

const [dataDir, resourcesDir, seedText] = process.argv.slice(2)
if (!dataDir || !resourcesDir) throw new Error('usage: seller <dataDir> <resourcesDir> <seed>')
const { core } = openCore({ dataDir, demo: true, resourcesDir })
const staff = core.handle({ channel: 'staff-list', input: {} })
if (!staff.ok) throw new Error('no staff')
const cashier = (staff.value as { id: string; name: string }[]).find((s) => s.name.includes('Li Na'))!
const signin = core.handle({ channel: 'session-signin', input: { staffId: cashier.id, pin: '1111' } })
if (!signin.ok) throw new Error(signin.error.message)
const session = (signin.value as { token: string }).token
const status = core.handle({ channel: 'till-status', input: {}, session })
if (!status.ok) throw new Error(`till-status failed: ${status.error.message}`)
if (!(status.value as { shift: unknown }).shift) {
  const opened = core.handle({ channel: 'shift-open', input: { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, session })
  if (!opened.ok) throw new Error(`shift-open failed: ${opened.error.code} ${opened.error.message}`)
}

// A small deterministic PRNG so a failing run can be replayed from its seed.
let state = Number(seedText ?? 1) >>> 0 || 1
const rnd = (n: number): number => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

process.stdout.write('ready\n')
for (;;) {
  const lines = Array.from({ length: 1 + rnd(5) }, () => {
    const id = 1001 + rnd(55)
    const kg = id >= 1025 && id <= 1031
    return { productId: `p${id}`, quantity: kg ? `${rnd(3)}.${String(1 + rnd(999)).padStart(3, '0')}` : String(1 + rnd(3)) }
  })
  const saleId = newId()
  const r = core.handle({ channel: 'sale-complete', input: { saleId, cart: { lines }, cashTendered: 10_000_000 }, session })
  if (!r.ok) throw new Error(`sale failed: ${r.error.code} ${r.error.message}`)
  process.stdout.write(`committed ${saleId}\n`)
}

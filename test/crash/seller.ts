/**
 * The victim of the crash test: opens the ledger and works days until it is killed — opens a shift
 * (a kill may land in that too), sells, closes the shift with a count, Z-closes the day, and starts
 * the next day. Its clock comes from the ledger (noon on the day after the last closure), so every
 * restart picks up the day where the last one left it. After each commit it prints what committed,
 * so the test knows what must have survived.
 */
import { openCore } from '../../src/main/core/open-core'
import { newId } from '../../src/shared/ids'

const [dataDir, resourcesDir, seedText] = process.argv.slice(2)
if (!dataDir || !resourcesDir) throw new Error('usage: seller <dataDir> <resourcesDir> <seed>')

const FIRST_DAY = '2026-11-02'
let now = new Date(`${FIRST_DAY}T12:00:00+08:00`)
const { core } = openCore({ dataDir, demo: true, resourcesDir, now: () => now })

/** Noon (Shanghai) on the day after the last closure: the day this till is working on. */
function dayClock(): Date {
  const last = core.db.prepare('SELECT business_date FROM closures ORDER BY number DESC LIMIT 1').get() as { business_date: string } | undefined
  if (!last) return new Date(`${FIRST_DAY}T12:00:00+08:00`)
  const d = new Date(`${last.business_date}T12:00:00+08:00`)
  return new Date(d.getTime() + 86_400_000)
}

function ask<T>(channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
  return r.value as T
}
const staff = ask<{ id: string; name: string }[]>('staff-list', {})
const signIn = (name: string, pin: string): string => ask<{ token: string }>('session-signin', { staffId: staff.find((s) => s.name.includes(name))!.id, pin }).token

// A small deterministic PRNG so a failing run can be replayed from its seed.
let state = Number(seedText ?? 1) >>> 0 || 1
const rnd = (n: number): number => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

now = dayClock()
let cashier = signIn('Li Na', '1111')
let supervisor = signIn('Zhang Wei', '2222')
process.stdout.write('ready\n')
for (;;) {
  const status = ask<{ shift: { id: string } | null; suggestedFloat: number }>('till-status', {}, cashier)
  let shiftId = status.shift?.id
  if (!shiftId) {
    shiftId = ask<{ id: string }>('shift-open', { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, cashier).id
    process.stdout.write(`shift ${shiftId}\n`)
  }
  const sales = rnd(25)
  for (let i = 0; i < sales; i++) {
    const lines = Array.from({ length: 1 + rnd(5) }, () => {
      const id = 1001 + rnd(55)
      const kg = id >= 1025 && id <= 1031
      return { productId: `p${id}`, quantity: kg ? `${rnd(3)}.${String(1 + rnd(999)).padStart(3, '0')}` : String(1 + rnd(3)) }
    })
    const saleId = newId()
    ask('sale-complete', { saleId, cart: { lines }, cashTendered: 10_000_000 }, cashier)
    process.stdout.write(`committed ${saleId}\n`)
    if (rnd(8) === 0) ask('cash-move', { movementId: newId(), kind: 'safe_drop', amount: 100 + rnd(5000), reason: 'bank_deposit', note: '' }, cashier)
  }
  // Close the shift with a count a little off now and then (the supervisor approves), leave ¥100.
  const expected = ask<{ expected: number }>('shift-get', { shiftId }, cashier).expected
  const counted = Math.max(0, expected + (rnd(4) === 0 ? rnd(301) - 150 : 0))
  ask('shift-close', { shiftId, count: [{ value: counted, kind: 'amount', count: 1 }], left: Math.min(counted, 10000), reason: 'count' }, supervisor)
  process.stdout.write(`shift-closed ${shiftId}\n`)
  // Every other shift or so, the day ends: Z, then the next day (and fresh sign-ins: sessions last 12 hours).
  if (rnd(2) === 0) {
    const closureId = newId()
    const z = ask<{ number: number; businessDate: string }>('day-close', { closureId }, supervisor)
    process.stdout.write(`closed ${z.number} ${z.businessDate}\n`)
    now = dayClock()
    cashier = signIn('Li Na', '1111')
    supervisor = signIn('Zhang Wei', '2222')
  }
}

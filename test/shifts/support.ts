import type { Core } from '../../src/main/core/service'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { Closure, Shift } from '../../src/shared/shifts-contract'
import { call, demoCore, signIn } from '../helpers/tmp'

export const WATER = 'p1001' // ¥2.00, VAT 13 %
export const BANANAS = 'p1025' // ¥6.98 / kg, VAT 9 %

/** A demo till with a clock the test moves, and the three demo people signed in. */
export function till(start = '2026-11-22T03:00:00Z') {
  let now = new Date(start)
  const { core, file, dir } = demoCore(() => now)
  const cashier = signIn(core, 'Li Na', '1111')
  const supervisor = signIn(core, 'Zhang Wei', '2222')
  const owner = signIn(core, 'Wang Fang', '9999')
  const staffId = (name: string): string => call<{ id: string; name: string }[]>(core, 'staff-list', {}).find((s) => s.name.includes(name))!.id
  return {
    core,
    file,
    dir,
    cashier,
    supervisor,
    owner,
    setClock: (iso: string) => {
      now = new Date(iso)
    },
    staffId,
    approve: (reason: 'cash_movement' | 'over_short' | 'refund', amount: number, session = cashier) =>
      call<{ approvalId: string }>(core, 'approval-grant', { staffId: staffId('Zhang Wei'), pin: '2222', reason, amount }, session).approvalId,
  }
}
export type Till = ReturnType<typeof till>

export function notes(total: number): { value: number; kind: 'note' | 'coin' | 'amount'; count: number }[] {
  // Whole ¥100 notes and the rest as one typed amount: tests care about totals, not the mix.
  const hundreds = Math.floor(total / 10000)
  const rest = total - hundreds * 10000
  return [...(hundreds > 0 ? [{ value: 10000, kind: 'note' as const, count: hundreds }] : []), ...(rest > 0 ? [{ value: rest, kind: 'amount' as const, count: 1 }] : [])]
}

export function openShift(core: Core, session: string, float: number): Shift {
  return call<Shift>(core, 'shift-open', { shiftId: newId(), count: notes(float) }, session)
}

export function sellCash(core: Core, session: string, lines: { productId: string; quantity: string }[], tendered: number): Order {
  return call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines }, cashTendered: tendered }, session)
}

export function closeDay(core: Core, session: string): Closure {
  return call<Closure>(core, 'day-close', { closureId: newId() }, session)
}

export function fail(core: Core, channel: string, input: unknown, session?: string): { code: string; message: string; details?: unknown } {
  const r = core.handle({ channel, input, session })
  if (r.ok) throw new Error(`${channel} unexpectedly succeeded`)
  return r.error
}

export function count(core: Core, sql: string, ...params: unknown[]): number {
  return (core.db.prepare(sql).get(...params) as { n: number }).n
}

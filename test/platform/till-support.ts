import { eventHash } from '../../src/main/core/journal'
import type { Core } from '../../src/main/core/service'
import type { Checkout, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { WireEvent } from '../../src/shared/platform-api'
import type { Closure, Shift } from '../../src/shared/shifts-contract'
import { adminCall, createStoreAndDevice, type TestPlatform } from '../helpers/platform'
import { call, demoCore, signIn } from '../helpers/tmp'
import { deviceClient, post, type TestDevice } from './support'

/**
 * Real till journals for the platform's ledger tests: a demo core (src/main/core) sells, moves
 * cash, closes shifts and Z-closes days; its journal rows are the wire events its relay would send
 * (src/main/core/sync/outbox.ts).
 */

const WATER = 'p1001' // ¥2.00, VAT 13 %

interface JournalRow {
  seq: number
  event_id: string
  device_id: string
  type: string
  created_at: string
  payload: string
  prev_hash: string
  hash: string
}

/** The till's journal as wire events (after `afterSeq`). */
export function journalEvents(core: Core, afterSeq = 0): WireEvent[] {
  const rows = core.db.prepare('SELECT seq, event_id, device_id, type, created_at, payload, prev_hash, hash FROM journal WHERE seq > ? ORDER BY seq').all(afterSeq) as JournalRow[]
  return rows.map((r) => ({ id: r.event_id, device: r.device_id, seq: r.seq, type: r.type, at: r.created_at, data: JSON.parse(r.payload) as unknown, prevHash: r.prev_hash, hash: r.hash }))
}

/** Pairs a new device ("Till 1") of a new store, or a new device of `storeId` ("Till 2"), with the till journal `journalDeviceId`. */
export async function pairJournal(p: TestPlatform, journalDeviceId: string, opts: { storeName?: string; storeId?: string; deviceName?: string } = {}): Promise<TestDevice> {
  let storeId = opts.storeId
  let code: string
  if (storeId) {
    const dev = await adminCall(p, 'POST', `/v1/admin/stores/${storeId}/devices`, { name: opts.deviceName ?? 'Till 2' })
    if (dev.status !== 201) throw new Error(`device-create: ${dev.status} ${JSON.stringify(dev.body)}`)
    code = dev.body.pairing.code
  } else {
    ;({ storeId, code } = await createStoreAndDevice(p, opts.storeName))
  }
  const r = await post(p, '/v1/pair', { code, journalDeviceId, deviceCode: 'T01', appVersion: '0.1.0' })
  if (r.status !== 200) throw new Error(`pair: ${r.status} ${JSON.stringify(r.body)}`)
  return deviceClient(p, { storeId, deviceId: r.body.deviceId, secret: r.body.secret, journalDeviceId })
}

/** Sends events in batches of at most `size`; every batch must be applied. */
export async function sendAll(d: TestDevice, events: WireEvent[], size = 200): Promise<void> {
  for (let i = 0; i < events.length; i += size) {
    const r = await d.call('POST', '/v1/device/events', { body: { events: events.slice(i, i + size) } })
    if (r.status !== 200) throw new Error(`ingest: ${r.status} ${JSON.stringify(r.body)}`)
  }
}

/**
 * The same journal as another till's: a new journal device id and new event ids, re-chained (each
 * closure's lastHash follows its event), with `edit` applied to each event's data first. Lets one
 * real journal be ingested many times, honestly or doctored, each time with correct chain hashes.
 */
export function asAnotherTill(events: readonly WireEvent[], edit: (e: WireEvent, data: Record<string, unknown>) => void = () => {}): WireEvent[] {
  const device = newId()
  const newHash = new Map<string, string>()
  let prevHash = '0'.repeat(64)
  return events.map((e0) => {
    const data = structuredClone(e0.data) as Record<string, unknown>
    if (e0.type === 'day.closed' && typeof data.lastHash === 'string') data.lastHash = newHash.get(data.lastHash) ?? data.lastHash
    const e: WireEvent = { ...e0, id: newId(), device, data, prevHash }
    edit(e, data)
    e.hash = eventHash(prevHash, { id: e.id, device: e.device, seq: e.seq, type: e.type, at: e.at, data: e.data })
    newHash.set(e0.hash, e.hash)
    prevHash = e.hash
    return e
  })
}

export interface TillRun {
  core: Core
  events: WireEvent[]
  closures: Closure[]
  shifts: Shift[]
  journalDeviceId: string
}

/** Whole ¥100 notes and the rest as one typed amount. */
function count(total: number): { value: number; kind: 'note' | 'amount'; count: number }[] {
  const hundreds = Math.floor(total / 10000)
  const rest = total - hundreds * 10000
  return [...(hundreds > 0 ? [{ value: 10000, kind: 'note' as const, count: hundreds }] : []), ...(rest > 0 ? [{ value: rest, kind: 'amount' as const, count: 1 }] : [])]
}

/**
 * Three business days at a demo till (Asia/Shanghai):
 *  - 2026-11-22: Li Na opens a shift with ¥200; sells water for cash three times (¥10 tendered each);
 *    refunds ¥2.00 of one in cash; reprints a receipt; voids a checkout; pays in ¥50, pays out ¥3,
 *    drops ¥100 in the safe; Zhang Wei takes the shift over and closes it ¥2.00 short (approved); Z 1.
 *  - 2026-11-23: Li Na opens with what was left, sells twice, closes exact; Z 2.
 *  - the clock goes back into 2026-11-23 (closed): a shift and a sale posted to 2026-11-24 as
 *    adjustments of 2026-11-23; then, on the 24th, the shift closes; Z 3.
 */
export function runTill(): TillRun {
  let now = new Date('2026-11-22T03:00:00Z')
  const { core } = demoCore(() => now)
  let cashier = signIn(core, 'Li Na', '1111')
  let supervisor = signIn(core, 'Zhang Wei', '2222')
  /** Sessions end when the clock jumps: sign in again. */
  const setClock = (iso: string): void => {
    now = new Date(iso)
    cashier = signIn(core, 'Li Na', '1111')
    supervisor = signIn(core, 'Zhang Wei', '2222')
  }
  const supervisorId = call<{ id: string; name: string }[]>(core, 'staff-list', {}).find((s) => s.name.includes('Zhang Wei'))!.id
  const approve = (reason: 'over_short' | 'void' | 'refund' | 'cash_movement', amount: number): string =>
    call<{ approvalId: string }>(core, 'approval-grant', { staffId: supervisorId, pin: '2222', reason, amount }, cashier).approvalId
  const tick = (ms = 60_000): void => {
    now = new Date(now.getTime() + ms)
  }
  const sell = (qty: string, tendered: number): Order => {
    tick()
    return call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: WATER, quantity: qty }] }, cashTendered: tendered }, cashier)
  }
  const openShift = (float: number): Shift => {
    tick()
    return call<Shift>(core, 'shift-open', { shiftId: newId(), count: count(float) }, cashier)
  }
  const closeShift = (shiftId: string, session: string, delta = 0): Shift => {
    tick()
    const expected = call<Shift>(core, 'shift-get', { shiftId }, session).expected!
    const approvalId = delta !== 0 ? approve('over_short', Math.abs(delta)) : undefined
    return call<Shift>(core, 'shift-close', { shiftId, count: count(expected + delta), left: 10_000, ...(delta !== 0 ? { reason: 'miscounted change', approvalId } : {}) }, session)
  }
  const z = (): Closure => {
    tick()
    return call<Closure>(core, 'day-close', { closureId: newId() }, supervisor)
  }

  // Day 1
  const s1 = openShift(20_000)
  const a = sell('1', 1000)
  sell('2', 1000)
  sell('3', 1000)
  tick()
  call<Order>(core, 'refund-create', { refundId: newId(), orderId: a.id, tenderId: a.tenders[0]!.id, amount: 200, reason: 'Broken bottle' }, cashier)
  tick()
  call<Order>(core, 'order-reprint', { id: a.id }, cashier)
  tick()
  const co = call<Checkout>(core, 'checkout-start', { saleId: newId(), cart: { lines: [{ productId: WATER, quantity: '1' }] } }, cashier)
  call<Checkout>(core, 'tender-add', { checkoutId: co.id, attemptId: newId(), flow: 'cash', amount: 100, tendered: 100 }, cashier)
  call<Checkout>(core, 'checkout-void', { checkoutId: co.id, reason: 'Customer left', approvalId: approve('void', co.total) }, cashier)
  for (const [kind, amount, reason] of [
    ['pay_in', 5000, 'change_float'],
    ['pay_out', 300, 'petty_expense'],
    ['safe_drop', 10_000, 'bank_deposit'],
  ] as const) {
    tick()
    call(core, 'cash-move', { movementId: newId(), kind, amount, reason, note: `${kind} note` }, cashier)
  }
  tick()
  call<Shift>(core, 'shift-takeover', { shiftId: s1.id }, supervisor)
  closeShift(s1.id, supervisor, -200)
  z()

  // Day 2
  setClock('2026-11-23T03:00:00Z')
  const s2 = openShift(10_000)
  sell('1', 200)
  sell('4', 1000)
  closeShift(s2.id, cashier)
  z()

  // The clock set back into the closed 2026-11-23: postings go to 2026-11-24 as adjustments.
  setClock('2026-11-23T05:00:00Z')
  const s3 = openShift(10_000)
  sell('2', 500)
  setClock('2026-11-24T03:00:00Z')
  closeShift(s3.id, cashier)
  z()

  const closures = call<Closure[]>(core, 'closure-list', {}, supervisor).sort((x, y) => x.number - y.number)
  const shifts = [s1, s2, s3].map((s) => call<Shift>(core, 'shift-get', { shiftId: s.id }, supervisor))
  const events = journalEvents(core)
  return { core, events, closures, shifts, journalDeviceId: events[0]!.device }
}

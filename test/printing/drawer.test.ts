import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Checkout, Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { PrintJob, PrinterSettings } from '../../src/shared/printing-contract'
import { startPrinterSim, type PrinterSim } from '../../src/platform/printer-sim'
import { startTerminalSim, type RunningTerminalSim } from '../../src/platform/terminal-sim'
import { startTestPlatform, type TestPlatform } from '../helpers/platform'
import { startCheckout, till, walletCode, type Till } from '../payments/helpers'
import { printerSettings, settled } from './support'

/**
 * The drawer opens exactly after a committed sale with a cash part, on a pay-in, a pay-out and a
 * safe drop, and on "No sale" (journaled, with a reason, inside an open shift) — never for a sale
 * paid only by card or only by QR. Counted on the simulator: each kick is an ESC p pulse it decoded.
 */
let terminal: RunningTerminalSim
let platform: TestPlatform
const sims: PrinterSim[] = []
beforeAll(async () => {
  terminal = await startTerminalSim({ customerMs: 30, slowMs: 600 })
  platform = await startTestPlatform('pglite')
}, 120_000)
afterAll(async () => {
  await terminal?.close()
  await platform?.close()
})
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

async function printingTill(o: Partial<PrinterSettings> = {}, withPlatform = false): Promise<{ t: Till; sim: PrinterSim }> {
  const sim = await startPrinterSim({ width: 80 })
  sims.push(sim)
  const t = await till(withPlatform ? platform : null)
  await t.call('terminal-settings-save', {
    endpoint: terminal.endpoint,
    poiId: terminal.poiId,
    keyIdentifier: terminal.keyIdentifier,
    keyVersion: terminal.keyVersion,
    passphrase: terminal.passphrase,
    caCertPem: terminal.caCertPem,
  })
  await t.call('printer-settings-save', printerSettings(sim, o))
  t.openShift()
  return { t, sim }
}

const kicks = (sim: PrinterSim): number => sim.jobs().reduce((n, j) => n + j.drawerKicks, 0)

async function cashSale(t: Till): Promise<Order> {
  return t.call<Order>('sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 1_000 })
}

describe('the cash drawer', () => {
  it('kicks once for a cash sale, and its receipt prints with it', async () => {
    const { t, sim } = await printingTill()
    const order = await cashSale(t)
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 1, cuts: 1, qr: [order.receiptNo] })
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ kind: 'sale', drawer: true, state: 'done' })
    await t.core.close()
  })

  it('never kicks for a card-only sale; kicks for a split of card and cash', async () => {
    const { t, sim } = await printingTill()
    // card only
    const c = await startCheckout(t, [{ productId: 'p1001', quantity: '2' }])
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'terminal', amount: c.total })
    await t.until(c.id, (x) => x.state === 'completed')
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]!.drawerKicks).toBe(0)
    expect(sim.jobs()[0]!.text).toMatch(/银行卡 \S+ \*{4}\d{4}/) // masked card only
    // split: card for part, cash for the rest
    const s = await startCheckout(t, [{ productId: 'p1001', quantity: '5' }])
    await t.call('tender-add', { checkoutId: s.id, attemptId: newId(), flow: 'terminal', amount: 300 })
    await t.until(s.id, (x) => x.attempts[0]?.state === 'succeeded')
    const done = await t.call<Checkout>('tender-add', { checkoutId: s.id, attemptId: newId(), flow: 'cash', amount: s.total - 300, tendered: s.total - 300 })
    expect(done.state).toBe('completed')
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(2)
    expect(sim.jobs()[1]!.drawerKicks).toBe(1)
    expect(kicks(sim)).toBe(1)
    await t.core.close()
  })

  it('never kicks for a QR-only sale', async () => {
    const { t, sim } = await printingTill({}, true)
    const c = await startCheckout(t)
    await t.call('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'customer_code', authCode: walletCode('alipay'), amount: c.total })
    await t.until(c.id, (x) => x.state === 'completed')
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]!.drawerKicks).toBe(0)
    expect(sim.jobs()[0]!.text).toContain('支付宝')
    await t.core.close()
  }, 60_000)

  it('kicks on each pay-in, pay-out and safe drop (no paper), once per movement even when retried', async () => {
    const { t, sim } = await printingTill()
    for (const kind of ['pay_in', 'pay_out', 'safe_drop'] as const) {
      const input = { movementId: newId(), kind, amount: 500, reason: kind === 'safe_drop' ? 'bank_deposit' : 'change_float', note: '' }
      await t.call('cash-move', input)
      await t.call('cash-move', input) // the retry of a movement whose answer was lost
    }
    await settled(t.core)
    expect(sim.jobs().map((j) => [j.drawerKicks, j.cuts])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ])
    await t.core.close()
  })

  it('with the drawer turned off, a cash sale prints without a kick', async () => {
    const { t, sim } = await printingTill({ drawerEnabled: false })
    await cashSale(t)
    await settled(t.core)
    expect(sim.jobs().map((j) => j.drawerKicks)).toEqual([0])
    await t.core.close()
  })

  it('with auto-print off, a cash sale still opens the drawer and prints nothing', async () => {
    const { t, sim } = await printingTill({ autoPrint: false })
    const order = await cashSale(t)
    await settled(t.core)
    expect(sim.jobs().map((j) => [j.drawerKicks, j.cuts, j.text.trim()])).toEqual([[1, 0, '[drawer kick: pin 2]']])
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ kind: 'drawer', drawer: true })
    await t.core.close()
  })
})

describe('No sale', () => {
  it('opens the drawer with a reason, journaled (drawer.opened) with who, reason, note and shift; verify passes', async () => {
    const { t, sim } = await printingTill({ drawerPin: 5 })
    const eventId = newId()
    const job = await t.call<PrintJob>('drawer-open', { eventId, reason: 'change_for_customer', note: 'two ¥10 for a ¥20' })
    expect(job).toMatchObject({ kind: 'drawer', state: 'done', drawer: true })
    // the same request again (a lost answer) neither journals nor kicks again
    expect(await t.call<PrintJob>('drawer-open', { eventId, reason: 'change_for_customer' })).toMatchObject({ id: job.id, state: 'done' })
    await settled(t.core)
    expect(sim.jobs().map((j) => [j.drawerKicks, j.text.trim()])).toEqual([[1, '[drawer kick: pin 5]']])
    const events = t.core.db.prepare("SELECT payload FROM journal WHERE type = 'drawer.opened'").all() as { payload: string }[]
    expect(events).toHaveLength(1)
    const shiftId = (t.core.db.prepare('SELECT id FROM shifts').get() as { id: string }).id
    expect(JSON.parse(events[0]!.payload)).toEqual({ noSaleId: eventId, shiftId, reason: 'change_for_customer', note: 'two ¥10 for a ¥20', staff: { id: expect.any(String), name: '王芳 Wang Fang' } })
    expect(t.core.db.prepare('SELECT count(*) AS n FROM outbox o JOIN journal j ON j.event_id = o.event_id WHERE j.type = ?').get('drawer.opened')).toEqual({ n: 1 })
    expect(await t.call('journal-verify', {})).toMatchObject({ ok: true })
    await t.core.close()
  })

  it('is refused without an open shift or without a reason, and then changes nothing', async () => {
    const sim = await startPrinterSim({ width: 58 })
    sims.push(sim)
    const t = await till(null)
    await t.call('printer-settings-save', printerSettings(sim))
    const journal = (): unknown => t.core.db.prepare('SELECT count(*) AS n FROM journal').get()
    const before = journal()
    const noShift = await t.core.invoke({ channel: 'drawer-open', input: { eventId: newId(), reason: 'other' }, session: t.session })
    expect(noShift).toMatchObject({ ok: false, error: { code: 'no_open_shift' } })
    t.openShift()
    const opened = journal()
    const noReason = await t.core.invoke({ channel: 'drawer-open', input: { eventId: newId() }, session: t.session })
    expect(noReason).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const badReason = await t.core.invoke({ channel: 'drawer-open', input: { eventId: newId(), reason: 'because' }, session: t.session })
    expect(badReason).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(journal()).toEqual(opened)
    expect(before).not.toEqual(opened) // the shift's own event, nothing else
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(0)
    expect(t.core.printing.list(true)).toHaveLength(0)
    await t.core.close()
  })
})

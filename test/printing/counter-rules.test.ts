import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { PrinterHostSchema, PrinterSettingsSchema, type PrintJob, type PrinterSettings } from '../../src/shared/printing-contract'
import { createNetworkPrinter } from '../../src/main/core/printing/escpos-network'
import { LEDGER_FILE, openCore } from '../../src/main/core/open-core'
import { startPrinterSim, type PrinterSim } from '../../src/platform/printer-sim'
import { call, RESOURCES } from '../helpers/tmp'
import { openShift } from '../shifts/support'
import { ask, printerSettings, printingTill, refused, settled } from './support'

/**
 * The counter's rules around the drawer and the first receipt:
 * - with auto-print off, the receipt screen's Print prints the ORIGINAL (no DUPLICATE, not
 *   journaled) once; after that it is a real reprint;
 * - a bare drawer kick is not held back by an empty roll or an open cover (a receipt still is);
 * - after a restart, nothing left by the earlier run kicks the drawer, and a Retry of a job
 *   interrupted while sending does not kick again unless asked;
 * - with the drawer turned off, No sale and the drawer test are refused and write nothing;
 * - a bracketed IPv6 printer address works and shows once-bracketed.
 */
const sims: PrinterSim[] = []
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

async function counter(o: Partial<PrinterSettings> = {}) {
  const p = await printingTill(o)
  sims.push(p.sim)
  openShift(p.t.core, p.t.cashier, 10_000)
  return p
}

type T = Awaited<ReturnType<typeof counter>>['t']
const cashSale = (t: T): Order => call<Order>(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 200 }, t.cashier)
const journalCount = (t: T, type?: string): number =>
  (t.core.db.prepare(type ? 'SELECT count(*) AS n FROM journal WHERE type = ?' : 'SELECT count(*) AS n FROM journal').get(...(type ? [type] : [])) as { n: number }).n
const reprints = (t: T): number => journalCount(t, 'receipt.reprinted')

describe('the first receipt with auto-print off (print-document {kind: sale})', () => {
  it('prints the original once — no DUPLICATE, nothing journaled — and only then a journaled reprint', async () => {
    const { t, sim } = await counter({ autoPrint: false })
    const order = cashSale(t)
    await settled(t.core)
    // the cash sale kicked the drawer (a drawer-only job under the sale's id), printed nothing
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ kind: 'drawer', state: 'done' })
    expect(sim.jobs().map((j) => [j.drawerKicks, j.cuts])).toEqual([[1, 0]])
    const journal = journalCount(t)

    const first = await ask<PrintJob>(t.core, 'print-document', { kind: 'sale', orderId: order.id }, t.cashier)
    expect(first).toMatchObject({ id: `receipt-${order.id}`, kind: 'sale', refId: order.id, drawer: false, state: 'done' })
    expect(sim.jobs()).toHaveLength(2)
    expect(sim.jobs()[1]).toMatchObject({ drawerKicks: 0, cuts: 1, qr: [order.receiptNo] })
    expect(sim.jobs()[1]!.text).not.toMatch(/DUPLICATE|副本/)
    expect(journalCount(t)).toBe(journal) // not a reprint: nothing journaled
    expect(call<Order>(t.core, 'order-get', { id: order.id }, t.cashier).reprints).toBe(0)

    // pressed again: the original has printed, so this is a real reprint
    const again = await ask<PrintJob>(t.core, 'print-document', { kind: 'sale', orderId: order.id }, t.cashier)
    expect(again).toMatchObject({ kind: 'reprint', state: 'done', drawer: false })
    expect(sim.jobs()).toHaveLength(3)
    expect(sim.jobs()[2]!.text).toMatch(/副本 DUPLICATE/)
    expect(reprints(t)).toBe(1)
    expect(await ask(t.core, 'journal-verify', {}, t.owner)).toMatchObject({ ok: true })
    await t.core.close()
  })

  it('with auto-print on, the receipt already printed: Print is a journaled DUPLICATE; Orders’ reprint stays a reprint', async () => {
    const { t, sim } = await counter()
    const order = cashSale(t)
    await settled(t.core)
    expect(sim.jobs()).toHaveLength(1)
    const dup = await ask<PrintJob>(t.core, 'print-document', { kind: 'sale', orderId: order.id }, t.cashier)
    expect(dup).toMatchObject({ kind: 'reprint', state: 'done' })
    expect(sim.jobs()[1]!.text).toMatch(/副本 DUPLICATE/)
    expect(reprints(t)).toBe(1)
    expect(await ask<PrintJob>(t.core, 'print-document', { kind: 'reprint', orderId: order.id }, t.cashier)).toMatchObject({ kind: 'reprint', state: 'done' })
    expect(reprints(t)).toBe(2)
    expect(t.core.printing.get(`receipt-${order.id}`)).toBeUndefined()
    await t.core.close()
  })

  it('an original that failed (paper out) is sent again — the same job, not a DUPLICATE of nothing', async () => {
    const { t, sim } = await counter()
    sim.setMode('paper_out')
    const order = cashSale(t)
    await settled(t.core)
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ state: 'failed', failure: { code: 'paper_out' } })
    sim.setMode('online')
    const job = await ask<PrintJob>(t.core, 'print-document', { kind: 'sale', orderId: order.id }, t.cashier)
    expect(job).toMatchObject({ id: `sale-${order.id}`, kind: 'sale', state: 'done', attempts: 2 })
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]!.text).not.toMatch(/DUPLICATE|副本/)
    expect(reprints(t)).toBe(0)
    await t.core.close()
  })

  it('an unknown order is not found', async () => {
    const { t } = await counter({ autoPrint: false })
    expect(await refused(t.core, 'print-document', { kind: 'sale', orderId: 'nope' }, t.cashier)).toMatchObject({ code: 'not_found' })
    await t.core.close()
  })
})

describe('a bare drawer kick with the roll empty or the cover open', () => {
  it.each(['paper_out', 'cover_open'] as const)('%s: No sale opens the drawer; a receipt still fails', async (mode) => {
    const { t, sim } = await counter()
    sim.setMode(mode)
    const job = await ask<PrintJob>(t.core, 'drawer-open', { eventId: newId(), reason: 'change_for_customer' }, t.cashier)
    expect(job).toMatchObject({ kind: 'drawer', state: 'done', failure: null })
    expect(sim.jobs().map((j) => [j.drawerKicks, j.cuts, j.text.trim()])).toEqual([[1, 0, '[drawer kick: pin 2]']])
    // a pay-in kicks too
    await ask(t.core, 'cash-move', { movementId: newId(), kind: 'pay_in', amount: 500, reason: 'change_float', note: '' }, t.cashier)
    await settled(t.core)
    expect(sim.jobs().map((j) => j.drawerKicks)).toEqual([1, 1])
    // a receipt does not print (and its kick waits with it)
    const order = cashSale(t)
    await settled(t.core)
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ state: 'failed', failure: { code: mode } })
    expect(sim.jobs()).toHaveLength(2)
    await t.core.close()
  })

  it('offline: the kick is still refused', async () => {
    const { t, sim } = await counter()
    sim.setMode('offline')
    const job = await ask<PrintJob>(t.core, 'drawer-open', { eventId: newId(), reason: 'check_float' }, t.cashier)
    expect(job).toMatchObject({ state: 'failed', failure: { code: 'offline' } })
    expect(sim.jobs()).toHaveLength(0)
    await t.core.close()
  })

  it('the driver on its own: paper out refuses printing bytes, sends kick-only bytes', async () => {
    const sim = await startPrinterSim({ width: 80 })
    sims.push(sim)
    sim.setMode('paper_out')
    const printer = createNetworkPrinter({ host: sim.host, port: sim.port })
    const kick = Uint8Array.from([0x1b, 0x40, 0x1b, 0x70, 0x00, 0x32, 0xfa])
    expect(await printer.send(Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]))).toMatchObject({ ok: false, code: 'paper_out' })
    expect(await printer.send(kick)).toMatchObject({ ok: false, code: 'paper_out' }) // not said to print nothing: refused
    expect(await printer.send(kick, undefined, { printsNothing: true })).toEqual({ ok: true })
    expect(sim.jobs().map((j) => j.drawerKicks)).toEqual([1])
  })
})

/** Re-opens the till's ledger as a new run of the core (what a restart after a crash does). */
function reopen(dir: string) {
  const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false })
  const owner = core.db.prepare("SELECT id FROM staff WHERE role = 'owner'").get() as { id: string }
  const r = core.handle({ channel: 'session-signin', input: { staffId: owner.id, pin: '9999' } })
  if (!r.ok) throw new Error(r.error.message)
  return { core, session: (r.value as { token: string }).token }
}

/** Edits the closed ledger as a crash would have left it. */
function asLeftByCrash(dir: string, sql: string, ...args: string[]): void {
  const db = new Database(join(dir, LEDGER_FILE))
  try {
    db.prepare(sql).run(...args)
  } finally {
    db.close()
  }
}

describe('after a restart the drawer does not spring open', () => {
  it('a receipt left pending by the last run prints without the kick; a drawer-only job left pending kicks nothing', async () => {
    const { t, sim } = await counter()
    sim.setMode('offline')
    const receipt = cashSale(t)
    const move = newId()
    await ask(t.core, 'cash-move', { movementId: move, kind: 'pay_out', amount: 300, reason: 'change_float', note: '' }, t.cashier)
    await settled(t.core)
    await t.core.close()
    // as if the till had died after writing the jobs, before sending them
    asLeftByCrash(t.dir, "UPDATE print_jobs SET state = 'pending', failure_code = NULL, failure_message = NULL WHERE state = 'failed'")
    sim.setMode('online')
    const { core, session } = reopen(t.dir)
    await settled(core)
    expect(core.printing.get(`sale-${receipt.id}`)).toMatchObject({ state: 'done' })
    expect(core.printing.get(`move-${move}`)).toMatchObject({ state: 'done' })
    expect(sim.jobs()).toHaveLength(1) // the receipt; the pay-out's kick was not sent
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 0, cuts: 1, qr: [receipt.receiptNo] })
    // a sale made in this run kicks as always
    const now = call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 200 }, session)
    await settled(core)
    expect(sim.jobs().at(-1)).toMatchObject({ drawerKicks: 1, qr: [now.receiptNo] })
    await core.close()
  })

  it('a job interrupted while sending: Retry prints it without kicking again, unless the kick is asked for', async () => {
    const { t, sim } = await counter()
    sim.setMode('offline')
    const a = cashSale(t)
    const b = cashSale(t)
    await settled(t.core)
    await t.core.close()
    asLeftByCrash(t.dir, "UPDATE print_jobs SET state = 'sending', failure_code = NULL, failure_message = NULL WHERE state = 'failed'")
    sim.setMode('paper_out')
    const { core, session } = reopen(t.dir)
    await settled(core)
    for (const o of [a, b]) expect(core.printing.get(`sale-${o.id}`)).toMatchObject({ state: 'failed', failure: { code: 'interrupted' } })
    // a Retry that fails again (paper out) and the next Retry: still no kick
    expect(await ask<PrintJob>(core, 'print-retry', { jobId: `sale-${a.id}` }, session)).toMatchObject({ state: 'failed', failure: { code: 'paper_out' } })
    sim.setMode('online')
    expect(await ask<PrintJob>(core, 'print-retry', { jobId: `sale-${a.id}` }, session)).toMatchObject({ state: 'done' })
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 0, qr: [a.receiptNo] })
    // asked for: the kick goes with it
    expect(await ask<PrintJob>(core, 'print-retry', { jobId: `sale-${b.id}`, drawer: true }, session)).toMatchObject({ state: 'done' })
    expect(sim.jobs()[1]).toMatchObject({ drawerKicks: 1, qr: [b.receiptNo] })
    await core.close()
  })
})

describe('with the drawer turned off', () => {
  it('No sale and the drawer test are refused with a clear message, and write nothing', async () => {
    const { t, sim } = await counter({ drawerEnabled: false })
    const journal = journalCount(t)
    const noSale = await refused(t.core, 'drawer-open', { eventId: newId(), reason: 'other' }, t.cashier)
    expect(noSale.code).toBe('printer_not_configured')
    expect(noSale.message).toMatch(/cash drawer is turned off/)
    const test = await refused(t.core, 'printer-test', { drawer: true }, t.owner)
    expect(test.code).toBe('printer_not_configured')
    expect(test.message).toMatch(/cash drawer is turned off/)
    await settled(t.core)
    expect(journalCount(t)).toBe(journal)
    expect(journalCount(t, 'drawer.opened')).toBe(0)
    expect(t.core.printing.list(true)).toEqual([])
    expect(sim.jobs()).toHaveLength(0)
    // a test page without the drawer still prints
    expect(await ask<PrintJob>(t.core, 'printer-test', {}, t.owner)).toMatchObject({ kind: 'test', state: 'done', drawer: false })
    await t.core.close()
  })
})

describe('an IPv6 printer address', () => {
  it('is kept without brackets ("[::1]" → "::1") and shows as [::1]:9100', async () => {
    expect(PrinterHostSchema.parse('[::1]')).toBe('::1')
    expect(PrinterHostSchema.parse(' ::1 ')).toBe('::1')
    expect(PrinterHostSchema.parse('fe80::1')).toBe('fe80::1')
    for (const bad of ['[::1', '::1]', '[printer.lan]', '[[::1]]', 'a[b]']) expect(PrinterHostSchema.safeParse(bad).success, bad).toBe(false)
    expect(createNetworkPrinter({ host: '[::1]', port: 9100 }).address).toBe('[::1]:9100')
    expect(createNetworkPrinter({ host: '::1', port: 9100 }).address).toBe('[::1]:9100')
    expect(createNetworkPrinter({ host: '192.168.1.50', port: 9100 }).address).toBe('192.168.1.50:9100')
    const { t, sim } = await counter()
    const saved = await ask<PrinterSettings>(t.core, 'printer-settings-save', { ...printerSettings(sim), host: '[::1]' }, t.owner)
    expect(saved.host).toBe('::1')
    expect(PrinterSettingsSchema.parse(saved).host).toBe('::1')
    await t.core.close()
  })

  it('"[::1]" reaches a printer listening on ::1', async () => {
    let sim: PrinterSim
    try {
      sim = await startPrinterSim({ host: '::1', width: 58 })
    } catch {
      return // no IPv6 loopback on this machine
    }
    sims.push(sim)
    const out = await createNetworkPrinter({ host: '[::1]', port: sim.port }).send(Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]))
    expect(out).toEqual({ ok: true })
    expect(sim.jobs().map((j) => j.text)).toEqual(['A\n'])
  })
})

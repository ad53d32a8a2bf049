import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { PrintJob, PrinterSettings } from '../../src/shared/printing-contract'
import { createNetworkPrinter } from '../../src/main/core/printing/escpos-network'
import { type PrinterSim } from '../../src/platform/printer-sim'
import { call } from '../helpers/tmp'
import { openShift } from '../shifts/support'
import { ask, printerSettings, printingTill, refused, settled } from './support'

/**
 * A printer that is offline, out of paper, has its cover open, is slow or cannot be reached: the
 * job fails with its own code and a message a cashier understands, the sale stands, and Retry
 * prints it — once — after the printer is back.
 */
const sims: PrinterSim[] = []
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

async function sale(o: Partial<PrinterSettings> = {}) {
  const p = await printingTill(o)
  sims.push(p.sim)
  openShift(p.t.core, p.t.cashier, 10_000)
  return p
}

function sell(t: Awaited<ReturnType<typeof sale>>['t']): Order {
  return call<Order>(t.core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 200 }, t.cashier)
}

describe('printer failures and Retry', () => {
  it.each([
    ['offline', 'offline', /offline/],
    ['paper_out', 'paper_out', /out of paper\. Load a roll and press Retry/],
    ['cover_open', 'cover_open', /cover is open/],
  ] as const)('%s: the sale stands, the job fails with its code, Retry prints it once after the printer is back', async (mode, code, message) => {
    const { t, sim } = await sale()
    sim.setMode(mode)
    const order = sell(t)
    expect(order.receiptNo).toMatch(/^T01-/) // the sale's answer did not wait for the printer
    await settled(t.core)
    const failed = t.core.printing.get(`sale-${order.id}`)!
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, failure: { code } })
    expect(failed.failure!.message).toMatch(message)
    expect(sim.jobs()).toHaveLength(0)
    expect(call<PrintJob[]>(t.core, 'print-jobs', {}, t.cashier).map((j) => j.id)).toEqual([failed.id])
    expect(call<Order>(t.core, 'order-get', { id: order.id }, t.cashier).id).toBe(order.id)
    // still down: Retry fails again
    expect(await ask<PrintJob>(t.core, 'print-retry', { jobId: failed.id }, t.cashier)).toMatchObject({ state: 'failed', attempts: 2, failure: { code } })
    sim.setMode('online')
    const done = await ask<PrintJob>(t.core, 'print-retry', { jobId: failed.id }, t.cashier)
    expect(done).toMatchObject({ state: 'done', attempts: 3, failure: null })
    // a Retry of a done job answers it as it is: never printed twice
    expect(await ask<PrintJob>(t.core, 'print-retry', { jobId: failed.id }, t.cashier)).toMatchObject({ state: 'done', attempts: 3 })
    expect(sim.jobs()).toHaveLength(1)
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 1, qr: [order.receiptNo] })
    expect(call<PrintJob[]>(t.core, 'print-jobs', {}, t.cashier)).toEqual([])
    await t.core.close()
  })

  it('slow: a printer that does not answer in time gives timeout; a patient driver prints', async () => {
    const sim = await (await import('../../src/platform/printer-sim')).startPrinterSim({ width: 58 })
    sims.push(sim)
    sim.setMode('slow', 400)
    const impatient = createNetworkPrinter({ host: sim.host, port: sim.port, statusTimeoutMs: 100 })
    const out = await impatient.send(Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]))
    expect(out).toMatchObject({ ok: false, code: 'timeout', printed: 'no' })
    expect(out.ok ? '' : out.message).toMatch(/did not answer in time/)
    const patient = createNetworkPrinter({ host: sim.host, port: sim.port, statusTimeoutMs: 5_000, writeTimeoutMs: 5_000 })
    expect(await patient.send(Uint8Array.from([0x1b, 0x40, 0x42, 0x0a]))).toEqual({ ok: true })
    expect(sim.jobs().map((j) => j.text)).toEqual(['B\n'])
  })

  it('slow through the till: the job fails with timeout and Retry prints it when the printer is quick again', async () => {
    const { t, sim } = await sale()
    // The core's driver waits 3 s for the status; the simulator answers after 4 s.
    sim.setMode('slow', 4_000)
    const order = sell(t)
    await settled(t.core)
    expect(t.core.printing.get(`sale-${order.id}`)).toMatchObject({ state: 'failed', failure: { code: 'timeout' } })
    sim.setMode('online')
    expect(await ask<PrintJob>(t.core, 'print-retry', { jobId: `sale-${order.id}` }, t.cashier)).toMatchObject({ state: 'done' })
    expect(sim.jobs()).toHaveLength(1)
    await t.core.close()
  }, 20_000)

  it('unreachable (connection refused): offline, with a message to check the printer', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((r) => closed.close(() => r()))
    const out = await createNetworkPrinter({ host: '127.0.0.1', port }).send(Uint8Array.from([0x41]))
    expect(out).toMatchObject({ ok: false, code: 'offline', printed: 'no' })
    expect(out.ok ? '' : out.message).toMatch(/off or cannot be reached/)
  })

  it('a peer that is not an ESC/POS printer: refused', async () => {
    const http = createServer((s) => s.on('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n')))
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()))
    const port = (http.address() as { port: number }).port
    const out = await createNetworkPrinter({ host: '127.0.0.1', port }).send(Uint8Array.from([0x41]))
    expect(out).toMatchObject({ ok: false, code: 'refused' })
    await new Promise<void>((r) => http.close(() => r()))
  })
})

describe('printer settings', () => {
  it('are the owner\'s to change, per till, and bad ones are refused', async () => {
    const { t, sim, settings } = await printingTill()
    sims.push(sim)
    expect(call<PrinterSettings>(t.core, 'printer-settings-get', {}, t.cashier)).toEqual(settings)
    expect(await refused(t.core, 'printer-settings-save', settings, t.cashier)).toMatchObject({ code: 'forbidden' })
    const bad: [string, Partial<PrinterSettings> | Record<string, unknown>][] = [
      ['port 0', { port: 0 }],
      ['port 70000', { port: 70_000 }],
      ['port NaN', { port: Number.NaN }],
      ['host with a scheme', { host: 'http://192.168.1.50' }],
      ['host with a path', { host: '192.168.1.50/print' }],
      ['300-character host', { host: 'a'.repeat(300) }],
      ['empty host', { host: '' }],
      ['paper 57 mm', { paperWidth: 57 }],
      ['unknown code page', { codePage: 'utf8' }],
      ['drawer pin 3', { drawerPin: 3 }],
      ['an unknown field', { colour: 'red' }],
      ['printing on with no address', { host: null }],
    ]
    for (const [what, change] of bad) {
      const r = await refused(t.core, 'printer-settings-save', { ...settings, ...change }, t.owner)
      expect(r.code, what).toBe('invalid_input')
    }
    expect(call<PrinterSettings>(t.core, 'printer-settings-get', {}, t.owner)).toEqual(settings)
    const changed = await ask<PrinterSettings>(t.core, 'printer-settings-save', { ...printerSettings(sim), host: 'printer-1.shop.lan', port: 9101, paperWidth: 58 }, t.owner)
    expect(changed).toMatchObject({ host: 'printer-1.shop.lan', port: 9101, paperWidth: 58 })
    await t.core.close()
  })

  it('a test page prints (and kicks the drawer when asked); with no printer, print and No sale say so', async () => {
    const { t, sim } = await printingTill({ paperWidth: 58 })
    sims.push(sim)
    expect(await ask<PrintJob>(t.core, 'printer-test', { drawer: true }, t.owner)).toMatchObject({ kind: 'test', state: 'done', drawer: true })
    expect(sim.jobs()[0]).toMatchObject({ drawerKicks: 1, cuts: 1, qr: ['Daybook'] })
    expect(sim.jobs()[0]!.text).toContain('中文 日记本便利店')
    await ask(t.core, 'printer-settings-save', { ...printerSettings(sim), enabled: false }, t.owner)
    expect(await refused(t.core, 'printer-test', {}, t.owner)).toMatchObject({ code: 'printer_not_configured' })
    openShift(t.core, t.cashier, 10_000)
    expect(await refused(t.core, 'drawer-open', { eventId: newId(), reason: 'other' }, t.cashier)).toMatchObject({ code: 'printer_not_configured' })
    // a sale with printing off makes no job, then or later
    const o = sell(t)
    await settled(t.core)
    expect(t.core.printing.get(`sale-${o.id}`)).toBeUndefined()
    await ask(t.core, 'printer-settings-save', printerSettings(sim), t.owner)
    t.core.printing.afterCommit()
    await settled(t.core)
    expect(t.core.printing.get(`sale-${o.id}`)).toBeUndefined()
    await t.core.close()
  })
})

describe('closing the till while printing', () => {
  it('stops the job being sent (failed, for a Retry) and leaves the queued ones pending, to print at the next start', async () => {
    const { t, sim } = await sale()
    sim.setMode('slow', 60_000)
    const first = sell(t)
    const second = sell(t)
    // bounded wait until the first job is on its way to the (slow) printer
    const deadline = Date.now() + 10_000
    while (t.core.printing.get(`sale-${first.id}`)?.state !== 'sending') {
      if (Date.now() > deadline) throw new Error('the first job was never sent')
      await new Promise((r) => setTimeout(r, 10))
    }
    await t.core.close()
    sim.setMode('online')
    const { openCore } = await import('../../src/main/core/open-core')
    const { RESOURCES } = await import('../helpers/tmp')
    const { core } = openCore({ dataDir: t.dir, demo: true, resourcesDir: RESOURCES, startSync: false })
    await settled(core)
    expect(core.printing.get(`sale-${first.id}`)).toMatchObject({ state: 'failed', failure: { code: 'timeout' } })
    expect(core.printing.get(`sale-${second.id}`)).toMatchObject({ state: 'done', attempts: 1 })
    expect(sim.jobs().map((j) => j.qr)).toEqual([[second.receiptNo]])
    await core.close()
  }, 30_000)
})

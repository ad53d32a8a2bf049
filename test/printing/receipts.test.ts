import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCanvas, loadImage } from '@napi-rs/canvas'
import { afterEach, describe, expect, it } from 'vitest'
import type { Order } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { Closure, Shift } from '../../src/shared/shifts-contract'
import type { PrintJob } from '../../src/shared/printing-contract'
import { decodeEscPos, type PrinterSim } from '../../src/platform/printer-sim'
import { textWidth } from '../../src/main/core/printing/layout'
import { call } from '../helpers/tmp'
import { BANANAS, WATER, notes, openShift } from '../shifts/support'
import { ask, golden, printingTill, settled } from './support'

/**
 * Driver → simulator for every kind of document, in Chinese and English, on 58 and 80 mm paper:
 * the decoded text equals its golden file (test/fixtures/printing), every line fits the paper
 * (a Chinese character two columns, a double-size line twice its width), and the picture of the
 * roll is a PNG of the paper's width in dots, not blank, taller for a longer document.
 */
const sims: PrinterSim[] = []
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

const COMBOS = [
  { lang: 'zh', width: 58 },
  { lang: 'zh', width: 80 },
  { lang: 'en', width: 58 },
  { lang: 'en', width: 80 },
] as const

function fits(bytes: Buffer, cols: number): void {
  const d = decodeEscPos(bytes)
  expect(d.unknown).toBe(0)
  for (const it of d.items) if (it.t === 'line') expect(textWidth(it.text) * it.wide, it.text).toBeLessThanOrEqual(cols)
}

describe.each(COMBOS)('every document in $lang on $width mm', ({ lang, width }) => {
  it('prints each kind, as its golden text, fitting the paper, with a legible picture', async () => {
    const { t, sim } = await printingTill({ paperWidth: width, language: lang, codePage: lang === 'zh' ? 'gb18030' : 'cp858' })
    sims.push(sim)
    const cols = width === 58 ? 32 : 48
    const shift = openShift(t.core, t.cashier, 10_000)
    // A cash sale with a weighed line and a line discount: the receipt prints and the drawer kicks.
    const order = call<Order>(t.core, 'sale-complete', {
      saleId: newId(),
      cart: { lines: [{ productId: WATER, quantity: '2', discount: { kind: 'amount', amount: 50 } }, { productId: BANANAS, quantity: '0.750' }, { productId: 'p1010', quantity: '1' }] },
      cashTendered: 5_000,
    }, t.cashier)
    await settled(t.core)
    const printed: Record<string, PrintJob> = {}
    printed.sale = t.core.printing.get(`sale-${order.id}`)!
    printed.reprint = await ask<PrintJob>(t.core, 'print-document', { kind: 'reprint', orderId: order.id }, t.cashier)
    const refunded = call<Order>(t.core, 'refund-create', { refundId: newId(), orderId: order.id, tenderId: order.tenders[0]!.id, amount: 200, reason: 'damaged' }, t.cashier)
    await settled(t.core) // a refund commits an order change: it prints nothing by itself
    printed.refund = await ask<PrintJob>(t.core, 'print-document', { kind: 'refund', refundId: refunded.refunds[0]!.id }, t.cashier)
    printed.x = await ask<PrintJob>(t.core, 'print-document', { kind: 'x' }, t.supervisor)
    const expected = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected!
    call<Shift>(t.core, 'shift-close', { shiftId: shift.id, count: notes(expected), left: 10_000 }, t.cashier)
    printed.shift = await ask<PrintJob>(t.core, 'print-document', { kind: 'shift', shiftId: shift.id }, t.cashier)
    const z = call<Closure>(t.core, 'day-close', { closureId: newId() }, t.supervisor)
    printed.z = await ask<PrintJob>(t.core, 'print-document', { kind: 'z', closureId: z.id }, t.supervisor)
    await settled(t.core)

    for (const [kind, job] of Object.entries(printed)) expect(job, kind).toMatchObject({ state: 'done', failure: null, attempts: 1 })
    const jobs = sim.jobs()
    // sale (with its drawer kick), reprint, refund, X, shift, Z: one roll each, in that order
    expect(jobs.map((j) => [j.drawerKicks, j.cuts])).toEqual([[1, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]])
    const names = ['sale', 'reprint', 'refund', 'x', 'shift', 'z']
    const heights: number[] = []
    for (const [k, j] of jobs.entries()) {
      const name = names[k]!
      golden(`${name}-${lang}-${width}`, j.text)
      fits(j.bytes, cols)
      const picture = await j.png()
      if (process.env.PRINT_PNG_DIR) writeFileSync(join(process.env.PRINT_PNG_DIR, `${name}-${lang}-${width}.png`), picture)
      // Decoded as a PNG again (the signature first), then counted pixel by pixel.
      expect(picture.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
      const png = await loadImage(picture)
      expect(png.width).toBe(width === 58 ? 384 : 576)
      const canvas = createCanvas(png.width, png.height)
      const g = canvas.getContext('2d')
      g.drawImage(png, 0, 0)
      const data = g.getImageData(0, 0, png.width, png.height).data
      let dark = 0
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) dark++
      expect(dark, `${name}: the picture is not blank`).toBeGreaterThan(2_000)
      heights.push(png.height)
      const lines = j.text.split('\n').length
      expect(png.height, `${name}: about 30 dots a line`).toBeGreaterThan(lines * 24)
    }
    expect(jobs[0]!.qr).toEqual([order.receiptNo])
    expect(jobs[1]!.text).toContain(lang === 'zh' ? '副本' : 'DUPLICATE')
    expect(jobs[3]!.text).toContain(lang === 'zh' ? 'X — 非日结' : 'X - not a closure')
    // the sale receipt (many lines) is taller than the refund slip
    expect(heights[0]).toBeGreaterThan(heights[2]!)
    await t.core.close()
  })
})

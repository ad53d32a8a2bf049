import { describe, expect, it } from 'vitest'
import type { ExportFile, ReviewDay, ReviewDays } from '../../src/shared/review-contract'
import type { DayReport, Shift } from '../../src/shared/shifts-contract'
import { call } from '../helpers/tmp'
import { closeDay, fail, openShift, sellCash, till, WATER } from '../shifts/support'
import { injectSale } from './support'

const D = '2026-11-22'

/** A till with one shift of the cashier and one of the supervisor on D, the first closed by its Z. */
function day() {
  const t = till('2026-11-22T02:00:00Z') // 10:00 in Shanghai
  const s1 = openShift(t.core, t.cashier, 10_000)
  sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '2' }], 1000)
  call(t.core, 'shift-close', { shiftId: s1.id, count: [{ value: call<Shift>(t.core, 'shift-get', { shiftId: s1.id }, t.cashier).expected!, kind: 'amount', count: 1 }], left: 0 }, t.cashier)
  const s2 = openShift(t.core, t.supervisor, 10_000)
  injectSale(t.core, new Date('2026-11-22T02:00:00Z'), 'alipay', 1234)
  return { t, s1, s2 }
}

describe('who may review', () => {
  it('refuses a cashier every review channel, in the core; a supervisor and the owner may look', async () => {
    const { t } = day()
    for (const [channel, input] of [
      ['review-days', {}],
      ['review-day', { businessDate: D }],
      ['review-matches', { businessDate: D }],
      ['review-export', { businessDate: D, kind: 'csv_orders', language: 'en' }],
    ] as const) {
      const r = await t.core.invoke({ channel, input, session: t.cashier })
      expect(r.ok ? 'ok' : r.error.code, channel).toBe('forbidden')
      const n = await t.core.invoke({ channel, input })
      expect(n.ok ? 'ok' : n.error.code, channel).toBe('not_signed_in')
      for (const who of [t.supervisor, t.owner]) {
        const ok = await t.core.invoke({ channel, input, session: who })
        expect(ok.ok, `${channel}: ${ok.ok ? '' : ok.error.message}`).toBe(true)
      }
    }
    await t.core.close()
  })

  it('shows a cashier only their own shifts (shift-get, shift-list, day-x); a supervisor sees all', async () => {
    const { t, s1, s2 } = day()
    // The supervisor's open shift is not the cashier's to read.
    expect(fail(t.core, 'shift-get', { shiftId: s2.id }, t.cashier).code).toBe('forbidden')
    expect(call<Shift>(t.core, 'shift-get', { shiftId: s1.id }, t.cashier).id).toBe(s1.id)
    expect(call<Shift[]>(t.core, 'shift-list', { businessDate: D }, t.cashier).map((s) => s.id)).toEqual([s1.id])
    expect(call<Shift[]>(t.core, 'shift-list', { businessDate: D }, t.supervisor).map((s) => s.id)).toEqual([s1.id, s2.id])
    expect(call<DayReport>(t.core, 'day-x', {}, t.cashier).shifts.map((s) => s.id)).toEqual([s1.id])
    expect(call<DayReport>(t.core, 'day-x', {}, t.owner).shifts.map((s) => s.id)).toEqual([s1.id, s2.id])
    await t.core.close()
  })
})

describe('review input', () => {
  it('answers wrong types, impossible dates and huge limits with typed errors', async () => {
    const { t } = day()
    const code = async (channel: string, input: unknown): Promise<string> => {
      const r = await t.core.invoke({ channel, input, session: t.owner })
      return r.ok ? 'ok' : r.error.code
    }
    expect(await code('review-days', { limit: 0 })).toBe('invalid_input')
    expect(await code('review-days', { limit: 10_000 })).toBe('invalid_input')
    expect(await code('review-days', { limit: 1.5 })).toBe('invalid_input')
    expect(await code('review-days', { limit: '5' })).toBe('invalid_input')
    expect(await code('review-days', { extra: 1 })).toBe('invalid_input')
    expect(await code('review-day', { businessDate: 20261122 })).toBe('invalid_input')
    expect(await code('review-day', { businessDate: '2026-13-45' })).toBe('invalid_input')
    expect(await code('review-day', { businessDate: '2026-02-30' })).toBe('invalid_input')
    expect(await code('review-day', { businessDate: '22/11/2026' })).toBe('invalid_input')
    expect(await code('review-day', {})).toBe('invalid_input')
    expect(await code('review-day', { businessDate: '2031-01-01' })).toBe('not_found')
    expect(await code('review-day', { businessDate: '2020-01-01' })).toBe('not_found')
    expect(await code('review-matches', { businessDate: D, class: 'nonsense' })).toBe('invalid_input')
    expect(await code('review-matches', { businessDate: D, runId: 'x'.repeat(65) })).toBe('invalid_input')
    expect(await code('review-matches', { businessDate: D, runId: 'NO-SUCH-RUN' })).toBe('not_found')
    expect(await code('review-export', { businessDate: D, kind: 'xlsx', language: 'en' })).toBe('invalid_input')
    expect(await code('review-export', { businessDate: D, kind: 'csv_orders', language: 'fr' })).toBe('invalid_input')
    expect(await code('review-export', { businessDate: D, kind: 'pdf_z', language: 'en' })).toBe('not_found') // open: no Z yet
    expect(await code('review-export', { businessDate: '2026-02-31', kind: 'csv_orders', language: 'en' })).toBe('invalid_input')
    await t.core.close()
  })

  it('lists the open day, reviews it, and exports its CSV with the file name the screen saves', async () => {
    const { t, s2 } = day()
    const list = call<ReviewDays>(t.core, 'review-days', { limit: 5 }, t.owner)
    expect(list.days.map((d) => [d.businessDate, d.state, d.orders])).toEqual([[D, 'open', 2]])
    const rd = call<ReviewDay>(t.core, 'review-day', { businessDate: D }, t.supervisor)
    expect(rd.tenderMix.map((m) => m.method)).toEqual(['cash', 'alipay'])
    expect(rd.byHour[10]!.orders).toBe(2) // 10:00 in Shanghai
    expect(rd.shifts.map((s) => [s.holder.name, s.closedAt === null])).toEqual([
      [rd.shifts[0]!.holder.name, false],
      [rd.shifts[1]!.holder.name, true],
    ])
    expect(rd.shifts[1]!.expected).toBe(10_000) // the open shift: what the drawer should hold now
    const r = await t.core.invoke({ channel: 'review-export', input: { businessDate: D, kind: 'csv_orders', language: 'zh-CN' }, session: t.owner })
    expect(r.ok).toBe(true)
    const f = (r as { ok: true; value: ExportFile }).value
    expect(f.fileName).toBe(`daybook-${D}-orders.csv`)
    expect(f.mime).toBe('text/csv')
    expect(Buffer.from(f.base64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    // Closed by its Z, the day shows the Z.
    call(t.core, 'shift-close', { shiftId: s2.id, count: [{ value: 10_000, kind: 'amount', count: 1 }], left: 0 }, t.supervisor)
    const z = closeDay(t.core, t.supervisor)
    const closed = call<ReviewDay>(t.core, 'review-day', { businessDate: D }, t.owner)
    expect(closed.state).toBe('closed')
    expect(closed.closure?.number).toBe(z.number)
    expect(closed.figures).toEqual(z.figures)
    // …and its day report and Z print as PDF, named for the day.
    for (const kind of ['pdf_day', 'pdf_z'] as const) {
      const p = await t.core.invoke({ channel: 'review-export', input: { businessDate: D, kind, language: 'zh-CN' }, session: t.supervisor })
      expect(p.ok, p.ok ? '' : p.error.message).toBe(true)
      const pf = (p as { ok: true; value: ExportFile }).value
      expect(pf.fileName).toBe(`daybook-${D}-${kind === 'pdf_day' ? 'day-report' : 'z-report'}.pdf`)
      expect(pf.mime).toBe('application/pdf')
      expect(Buffer.from(pf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-')
    }
    await t.core.close()
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/shared/ids'
import { ClosuresSchema } from '../../src/shared/platform-api'
import type { PrintJob } from '../../src/shared/printing-contract'
import type { Closure, Shift } from '../../src/shared/shifts-contract'
import { adminCall, startTestPlatform, type TestPlatform } from '../helpers/platform'
import { call } from '../helpers/tmp'
import { journalEvents, pairJournal, sendAll } from '../platform/till-support'
import { notes, openShift, sellCash, WATER } from '../shifts/support'
import { ask, printingTill, settled } from './support'

/**
 * A No sale (`drawer.opened`, not a posting) end to end: the till's verifier passes, the platform
 * ingests it in the chain, stores it, and the Z that covers it is verified there.
 */
let p: TestPlatform
beforeAll(async () => {
  p = await startTestPlatform('pglite')
}, 60_000)
afterAll(async () => {
  await p?.close()
})

describe('drawer.opened on the platform', () => {
  it('is ingested with the rest of the journal and the Z over it verifies', async () => {
    const { t, sim } = await printingTill()
    const shift = openShift(t.core, t.cashier, 10_000)
    sellCash(t.core, t.cashier, [{ productId: WATER, quantity: '1' }], 500)
    expect(await ask<PrintJob>(t.core, 'drawer-open', { eventId: newId(), reason: 'check_float' }, t.cashier)).toMatchObject({ state: 'done' })
    const expected = call<Shift>(t.core, 'shift-get', { shiftId: shift.id }, t.supervisor).expected!
    call(t.core, 'shift-close', { shiftId: shift.id, count: notes(expected), left: 10_000 }, t.cashier)
    const z = call<Closure>(t.core, 'day-close', { closureId: newId() }, t.supervisor)
    await settled(t.core)
    expect(sim.jobs().map((j) => j.drawerKicks)).toEqual([1, 1])
    expect(call(t.core, 'journal-verify', {}, t.owner)).toMatchObject({ ok: true })

    const events = journalEvents(t.core)
    expect(events.map((e) => e.type)).toContain('drawer.opened')
    const d = await pairJournal(p, t.core.device.id)
    await sendAll(d, events)
    const stored = await p.db.query<{ type: string; normalize_error: string | null }>("SELECT type, normalize_error FROM events WHERE type = 'drawer.opened'")
    expect(stored).toEqual([{ type: 'drawer.opened', normalize_error: null }])
    const r = await adminCall(p, 'GET', `/v1/admin/stores/${d.storeId}/closures`)
    const closures = ClosuresSchema.parse(r.body).closures
    expect(closures.map((c) => [c.id, c.verification.state])).toEqual([[z.id, 'verified']])
    await sim.close()
    await t.core.close()
  }, 60_000)
})

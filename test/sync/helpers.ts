import { completeSale } from '../../src/main/core/sales'
import type { Core } from '../../src/main/core/service'
import { readSettings } from '../../src/main/core/settings'
import { staffById } from '../../src/main/core/staff'
import { newId } from '../../src/shared/ids'
import { call } from '../helpers/tmp'

/** A small deterministic PRNG (xorshift32), so a failing run replays from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
}

/**
 * `n` real cash sales of the demo catalog, committed through completeSale (the code the
 * sale-complete channel runs), all in one outer transaction so a test can make thousands of
 * journal events in a second or two. Each sale is one journal event and one outbox row. Cash needs
 * an open shift: open one first (openShift in test/helpers/tmp.ts).
 */
export function sellMany(core: Core, n: number, rnd: () => number = prng(n)): void {
  const staffList = call<{ id: string; role: string }[]>(core, 'staff-list', {})
  const staff = staffById(core.db, staffList.find((s) => s.role === 'cashier')!.id)!
  const settings = readSettings(core.db)
  core.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ productId: `p${1001 + Math.floor(rnd() * 20)}`, quantity: String(1 + Math.floor(rnd() * 3)) }))
      completeSale(core.db, { saleId: newId(), cart: { lines }, cashTendered: 10_000_000 }, settings, { device: core.device, staff, approval: null, now: new Date() })
    }
  })()
  core.sync.nudge()
}

/** Polls `check` until it returns true, at most `ms` (no sleeps as synchronisation). */
export async function until(check: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

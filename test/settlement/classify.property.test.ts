import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classify } from '../../src/main/core/settlement/classify'
import { differencesOf, postingParts } from '../../src/main/core/settlement/run'
import { postingFor } from '../../src/shared/ledger'
import { buildDay, D, D1, itemKey } from './gen'

const meta = { businessDate: '2026-11-23', shiftId: null, adjustmentOf: null }

describe('classifier, on random days with injected differences', () => {
  it('finds exactly the injected differences (and the natural date mismatches), nothing else; figures equal the statement to the fen; the posting balances', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 12 }), (seed, size, inject) => {
        const day = buildDay(seed, size, inject)
        const c = classify(D, D1, day.locals, day.rows)
        const got = c.items.map((i) => itemKey(i.class, i.local, i.row)).sort()
        expect(got).toEqual([...day.expected].sort())

        // Every record of D and every payment / refund row of D is in exactly one item.
        const localsOfD = day.locals.filter((l) => l.businessDate === D)
        const seen = new Map<string, number>()
        for (const i of c.items) if (i.local) seen.set(`${i.local.kind}:${i.local.id}`, (seen.get(`${i.local.kind}:${i.local.id}`) ?? 0) + 1)
        for (const l of localsOfD) expect(seen.get(`${l.kind}:${l.id}`)).toBe(1)
        const rowsSeen = new Set<number>()
        for (const i of c.items) if (i.row) {
          expect(rowsSeen.has(i.row.line)).toBe(false)
          rowsSeen.add(i.row.line)
        }

        // Per provider: gross, fee and net are the statement of D's own takings, to the minor unit; counts add up.
        for (const p of c.providers) {
          // The day's takings: payments, refunds and fees; a payout row is the paying, not takings.
          const rowsOfD = day.rows.filter((r) => r.provider === p.provider && r.day === D && r.type !== 'payout')
          expect(p.fee).toBe(rowsOfD.reduce((a, r) => a + r.fee, 0))
          expect(p.net).toBe(rowsOfD.reduce((a, r) => a + r.net, 0))
          expect(p.gross).toBe(rowsOfD.reduce((a, r) => a + r.gross, 0))
          const expectedPayouts = rowsOfD.reduce((a, r) => a + r.net, 0)
          expect(p.payouts.reduce((a, x) => a + x.amount, 0)).toBe(expectedPayouts)
        }
        const total = Object.values(c.counts).reduce((a, n) => a + n, 0)
        expect(total).toBe(c.items.length)
        for (const k of Object.keys(day.injected) as (keyof typeof day.injected)[]) expect(c.counts[k]).toBeGreaterThanOrEqual(day.injected[k])

        // The run's posting balances, and suspense holds minus the differences' sum.
        const { differences, shifted } = differencesOf(c, 'RUN', 'CNY')
        expect(differences.length + shifted.length).toBe(c.items.filter((i) => i.class !== 'matched').length)
        expect(shifted).toHaveLength(c.counts.date_mismatch)
        const p = postingFor('reconciliation.completed', { runId: 'RUN', currency: 'CNY', ...postingParts(c), differences, posting: meta })!
        expect(p.lines.reduce((a, l) => a + l.amount, 0)).toBe(0)
        const suspense = p.lines.filter((l) => l.account === 'suspense').reduce((a, l) => a + l.amount, 0)
        expect(suspense + 0).toBe(0 - differences.reduce((a, d) => a + d.amount, 0))
        // Fees: every fee the run posts is a fee a row of the run carries.
        const feeRowsOfRun = c.items.filter((i) => i.row && i.class !== 'missing_at_provider').reduce((a, i) => a + i.row!.fee, 0) + c.feeRows.reduce((a, r) => a + r.fee, 0)
        expect(p.lines.filter((l) => l.account === 'fee_expense').reduce((a, l) => a + l.amount, 0)).toBe(feeRowsOfRun)
      }),
      { numRuns: 300 },
    )
  })
})

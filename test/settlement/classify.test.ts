import { describe, expect, it } from 'vitest'
import { classify, type LocalRecord, type SourcedRow } from '../../src/main/core/settlement/classify'
import { differencesOf, postingParts } from '../../src/main/core/settlement/run'
import { LedgerError, postingFor, sumFigures } from '../../src/shared/ledger'

const D = '2026-11-20'
const D1 = '2026-11-21'
const meta = { businessDate: '2026-11-23', shiftId: null, adjustmentOf: null }

let line = 0
function tender(id: string, amount: number, o: Partial<LocalRecord> = {}): LocalRecord {
  return { kind: 'tender', id, method: 'alipay', orderId: `O-${id}`, receiptNo: null, amount, state: 'succeeded', settled: true, businessDate: D, refs: [id], providerRef: `P-${id}`, ...o }
}
function row(o: Partial<SourcedRow> & { gross: number }): SourcedRow {
  const fee = o.fee ?? Math.trunc(o.gross * 0.006)
  return {
    statementId: `st-${o.provider ?? 'alipay'}-${o.day ?? D}`,
    provider: 'alipay',
    day: D,
    line: ++line,
    type: 'payment',
    providerRef: '',
    merchantRef: null,
    refundRef: null,
    currency: 'CNY',
    providerTime: `${o.day ?? D}T10:00:00Z`,
    providerDate: o.day ?? D,
    batch: null,
    payoutDate: null,
    ...o,
    fee,
    net: o.gross - fee,
  }
}
const only = (locals: LocalRecord[], rows: SourcedRow[]) => {
  const c = classify(D, D1, locals, rows)
  return c.items.map((i) => ({ class: i.class, local: i.local?.id ?? null, row: i.row?.line ?? null, amount: i.amount }))
}

describe('classes, one by one', () => {
  it('matched: by our reference (attempt id), by a card ServiceID, or by the provider reference', () => {
    const a = tender('A1', 1000)
    const card = tender('A2', 2500, { method: 'card', refs: ['A2', 'SVC2'] })
    const psp = tender('A3', 800)
    const r1 = row({ gross: 1000, merchantRef: 'A1' })
    const r2 = row({ gross: 2500, merchantRef: 'SVC2', provider: 'card' })
    const r3 = row({ gross: 800, providerRef: 'P-A3' })
    expect(only([a, card, psp], [r1, r2, r3])).toEqual([
      { class: 'matched', local: 'A1', row: r1.line, amount: 0 },
      { class: 'matched', local: 'A2', row: r2.line, amount: 0 },
      { class: 'matched', local: 'A3', row: r3.line, amount: 0 },
    ])
  })

  it('missing_locally: a row of D that matches nothing the till has; a stray row of D+1 is not this run’s', () => {
    const r = row({ gross: 3000, merchantRef: 'NOPE' })
    const later = row({ gross: 3000, merchantRef: 'NOPE2', day: D1 })
    expect(only([], [r, later])).toEqual([{ class: 'missing_locally', local: null, row: r.line, amount: 3000 }])
  })

  it('missing_at_provider: a succeeded record of D with no row on D or D+1; a failed one with no row agrees (matched)', () => {
    const paid = tender('A1', 1200)
    const failed = tender('A2', 500, { state: 'failed', settled: false, providerRef: null })
    expect(only([paid, failed], [])).toEqual([
      { class: 'missing_at_provider', local: 'A1', row: null, amount: -1200 },
      { class: 'matched', local: 'A2', row: null, amount: 0 },
    ])
  })

  it('amount_mismatch: both have it, for different amounts (suspense: provider minus till)', () => {
    const r = row({ gross: 3000, merchantRef: 'A1' })
    expect(only([tender('A1', 2500)], [r])).toEqual([{ class: 'amount_mismatch', local: 'A1', row: r.line, amount: 500 }])
  })

  it('status_mismatch: the till has it unknown / failed, the provider paid; a failed refund the provider refunded', () => {
    const u = tender('A1', 900, { state: 'unknown', settled: false, providerRef: null })
    const f = { ...tender('R1', 400), kind: 'refund' as const, state: 'failed', settled: false, providerRef: null }
    const r1 = row({ gross: 900, merchantRef: 'A1' })
    const r2 = row({ gross: -400, type: 'refund', refundRef: 'R1', day: D1 })
    expect(only([u, f], [r1, r2])).toEqual([
      { class: 'status_mismatch', local: 'A1', row: r1.line, amount: 900 },
      { class: 'status_mismatch', local: 'R1', row: r2.line, amount: -400 },
    ])
  })

  it('date_mismatch: a record of D in the D+1 file (sold at 01:00, before the 04:00 cut-off); status beats amount beats date', () => {
    const r = row({ gross: 700, merchantRef: 'A1', day: D1 })
    const r2 = row({ gross: 650, merchantRef: 'A2', day: D1 })
    expect(only([tender('A1', 700), tender('A2', 600)], [r, r2])).toEqual([
      { class: 'date_mismatch', local: 'A1', row: r.line, amount: 0 },
      { class: 'amount_mismatch', local: 'A2', row: r2.line, amount: 50 },
    ])
  })

  it('a row of D that matches a record of another business day belongs to that day’s run: not counted', () => {
    const yesterday = tender('A0', 1000, { businessDate: '2026-11-19' })
    expect(only([yesterday], [row({ gross: 1000, merchantRef: 'A0' })])).toEqual([])
  })

  it('a voided sale’s card payment and its reversal: both matched, the reversal by its ServiceID; without the reversal row, the reversal is missing at the provider', () => {
    const t = tender('A1', 5000, { method: 'card', state: 'reversed', refs: ['A1', 'S1'] })
    const rev: LocalRecord = { ...t, kind: 'reversal', state: 'succeeded', refs: ['RS1', 'A1'], providerRef: null }
    const pay = row({ gross: 5000, merchantRef: 'S1', provider: 'card' })
    const back = row({ gross: -5000, type: 'refund', merchantRef: 'S1', refundRef: 'RS1', provider: 'card' })
    expect(only([t, rev], [pay, back]).map((x) => x.class)).toEqual(['matched', 'matched'])
    expect(only([t, rev], [pay])).toEqual([
      { class: 'matched', local: 'A1', row: pay.line, amount: 0 },
      { class: 'missing_at_provider', local: 'A1', row: null, amount: 5000 },
    ])
  })

  it('fee and payout rows are summed, not matched; the figures are the day’s takings at the provider (payout rows are the paying, not takings) and the expected payouts are per payout date', () => {
    const r = row({ gross: 10000, fee: 60, merchantRef: 'A1', payoutDate: D1 })
    const fee = row({ gross: 0, fee: 100, type: 'fee' })
    const payout = row({ gross: -20000, fee: 0, type: 'payout', payoutDate: D })
    const c = classify(D, D1, [tender('A1', 10000)], [r, fee, payout])
    expect(c.items).toHaveLength(1)
    expect(c.feeRows).toHaveLength(1)
    expect(c.payoutRows).toHaveLength(1)
    expect(c.providers).toEqual([
      { provider: 'alipay', statementIds: ['st-alipay-2026-11-20'], rows: 1, local: 1, matched: 1, gross: 10000, fee: 160, net: 9840, payouts: [{ date: D1, amount: 9940 }, { date: null, amount: -100 }] },
    ])
  })
})

describe('the run’s posting', () => {
  it('moves clearing to receivable and fees, differences to suspense, payouts to the bank; balances; leaves X/Z figures alone', () => {
    const locals = [tender('A1', 10000), tender('A2', 2000), tender('A3', 3000, { state: 'unknown', settled: false, providerRef: null }), tender('A4', 400)]
    const rows = [
      row({ gross: 10000, fee: 60, merchantRef: 'A1' }),
      row({ gross: 2500, fee: 15, merchantRef: 'A2' }),
      row({ gross: 3000, fee: 18, merchantRef: 'A3' }),
      row({ gross: 999, fee: 6, merchantRef: 'ZZ' }),
      row({ gross: 0, fee: 100, type: 'fee' }),
      row({ gross: -50000, fee: 0, type: 'payout' }),
    ]
    const c = classify(D, D1, locals, rows)
    const { differences } = differencesOf(c, 'RUN', 'CNY')
    expect(differences.map((d) => [d.class, d.amount])).toEqual([
      ['amount_mismatch', 500],
      ['status_mismatch', 3000],
      ['missing_locally', 999],
      ['missing_at_provider', -400],
    ])
    const p = postingFor('reconciliation.completed', { runId: 'RUN', currency: 'CNY', ...postingParts(c), differences, posting: meta })!
    const by = (account: string): number => p.lines.filter((l) => l.account === account).reduce((a, l) => a + l.amount, 0)
    expect(p.lines.reduce((a, l) => a + l.amount, 0)).toBe(0)
    expect(by('clearing:alipay')).toBe(-(10000 + 2000 + 400)) // what the till had in clearing for the paid records
    expect(by('fee_expense')).toBe(60 + 15 + 18 + 6 + 100)
    expect(by('bank')).toBe(50000)
    expect(by('suspense')).toBe(-(500 + 3000 + 999 - 400))
    expect(by('receivable:alipay')).toBe(10000 - 60 + 2500 - 15 + 3000 - 18 + 999 - 6 - 100 - 50000)
    // None of it is a figure of a shift, an X or a Z.
    const empty = sumFigures([])
    const withRun = sumFigures([{ seq: 1, kind: p.kind, refId: p.refId, meta, lines: p.lines }])
    expect({ ...withRun, counts: empty.counts }).toEqual(empty)
    expect(withRun.counts).toEqual(empty.counts)

    const res = postingFor('reconciliation.resolved', { resolutionId: 'R1', runId: 'RUN', differenceId: 'RUN-1', currency: 'CNY', amount: 500, posting: meta })!
    expect(res.lines).toEqual([
      { account: 'suspense', tag: 'suspense_resolved', amount: 500, rate: null },
      { account: 'settlement_adjustments', tag: 'suspense_resolved', amount: -500, rate: null },
    ])
    expect(sumFigures([{ seq: 2, kind: res.kind, refId: res.refId, meta, lines: res.lines }])).toEqual(empty)
  })

  it('refuses a run whose amounts do not add up (a tampered difference or a net that is not gross less fee)', () => {
    const c = classify(D, D1, [tender('A1', 100)], [row({ gross: 150, merchantRef: 'A1' })])
    const { differences } = differencesOf(c, 'RUN', 'CNY')
    const base = { runId: 'RUN', currency: 'CNY', ...postingParts(c), posting: meta }
    expect(() => postingFor('reconciliation.completed', { ...base, differences: [{ ...differences[0]!, amount: 49 }] })).toThrow(LedgerError)
    expect(() => postingFor('reconciliation.completed', { ...base, differences, fees: [{ provider: 'alipay', gross: 0, fee: 5, net: 5 }] })).toThrow(/net/)
    expect(() => postingFor('reconciliation.completed', { ...base, differences: [{ ...differences[0]!, row: null }] })).toThrow(LedgerError)
  })
})

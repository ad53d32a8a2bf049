import type { LocalRecord, ReconciledMethod, SourcedRow } from '../../src/main/core/settlement/classify'
import type { MatchClass } from '../../src/shared/settlement-contract'

/**
 * Random business days for the classifier: tenders (every state), refunds and voids' reversals of
 * the days around D, some sold after midnight before the store's cut-off (the provider books them
 * on the next day), a statement that agrees, then differences injected on random records — and
 * what the classifier must say, worked out from how the day was built, not from the classifier.
 */

export const D0 = '2026-11-19'
export const D = '2026-11-20'
export const D1 = '2026-11-21'
const DAYS = [D0, D, D1]
const nextOf = (d: string): string => DAYS[DAYS.indexOf(d) + 1] ?? '2026-11-22'

export type Rand = () => number
export function rng(seed: number): Rand {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 4294967296
  }
}
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

export interface Built {
  locals: LocalRecord[]
  rows: SourcedRow[]
  /** What the classifier must find: key "class|localKey|rowLine" (localKey kind:id, rowLine or '-'). */
  expected: string[]
  /** The provider day of every settled record's row as the statement would have it. */
  injected: Record<Exclude<MatchClass, 'matched'>, number>
}

export const localKey = (l: LocalRecord): string => `${l.kind}:${l.id}`
export const itemKey = (c: string, l: LocalRecord | null, row: SourcedRow | null): string => `${c}|${l ? localKey(l) : '-'}|${row ? row.line : '-'}`

const METHODS: ReconciledMethod[] = ['alipay', 'wechat', 'card']

export function buildDay(seed: number, size: number, inject: number): Built {
  const r = rng(seed)
  let n = 0
  const id = (p: string): string => `${p}${String(++n).padStart(6, '0')}`
  let line = 0
  const locals: LocalRecord[] = []
  /** Each settled record's planned provider day (its business day, or the next when sold after midnight). */
  const providerDay = new Map<LocalRecord, string>()
  for (let i = 0; i < size; i++) {
    const method = pick(r, METHODS)
    const businessDate = r() < 0.6 ? D : pick(r, DAYS)
    const late = r() < 0.2
    const state = pick(r, ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'unknown', 'reversed_paid', 'reversed'] as const)
    const attempt = id('A')
    const serviceId = method === 'card' ? id('S') : null
    const t: LocalRecord = {
      kind: 'tender',
      id: attempt,
      method,
      orderId: id('O'),
      receiptNo: null,
      amount: int(r, 1, 500_00),
      state: state === 'reversed_paid' ? 'reversed' : state,
      settled: state === 'succeeded' || state === 'reversed_paid',
      businessDate,
      refs: serviceId ? [attempt, serviceId] : [attempt],
      providerRef: state === 'succeeded' || state === 'reversed_paid' ? id('P') : null,
    }
    locals.push(t)
    if (t.settled) providerDay.set(t, late ? nextOf(businessDate) : businessDate)
    if (state === 'reversed_paid') {
      const rev: LocalRecord = { ...t, kind: 'reversal', state: 'succeeded', settled: true, refs: method === 'card' ? [id('V'), attempt] : [attempt], providerRef: null }
      locals.push(rev)
      providerDay.set(rev, late ? nextOf(businessDate) : businessDate)
    }
    if (state === 'succeeded' && r() < 0.25) {
      const ok = r() < 0.8
      const refundLate = r() < 0.2
      const rid = id('R')
      const f: LocalRecord = {
        kind: 'refund',
        id: rid,
        method,
        orderId: t.orderId,
        receiptNo: null,
        amount: int(r, 1, t.amount),
        state: ok ? 'succeeded' : 'failed',
        settled: ok,
        businessDate,
        refs: method === 'card' ? [rid, id('S')] : [rid],
        providerRef: ok ? id('Q') : null,
      }
      locals.push(f)
      if (ok) providerDay.set(f, refundLate ? nextOf(businessDate) : businessDate)
    }
  }
  const gross = (l: LocalRecord): number => (l.kind === 'tender' ? l.amount : -l.amount)
  const rowFor = (l: LocalRecord, day: string, g = gross(l)): SourcedRow => {
    const fee = Math.trunc((g * int(r, 0, 60)) / 10_000)
    const card = l.method === 'card'
    // Our reference as the provider quotes it: the attempt id, or a card payment's ServiceID; sometimes only the provider's.
    const merchantRef = l.kind === 'tender' ? (card && r() < 0.5 ? l.refs[1]! : r() < 0.1 && l.providerRef ? null : l.id) : l.kind === 'reversal' ? l.id : null
    const refundRef = l.kind === 'tender' ? null : l.kind === 'reversal' ? (card ? l.refs[0]! : r() < 0.5 ? l.id : null) : pick(r, l.refs)
    return {
      statementId: `st-${l.method}-${day}`,
      provider: l.method,
      day,
      line: ++line,
      type: l.kind === 'tender' ? 'payment' : 'refund',
      providerRef: l.kind === 'tender' ? (l.providerRef ?? id('X')) : (l.providerRef ?? id('X')),
      merchantRef,
      refundRef,
      gross: g,
      fee,
      net: g - fee,
      currency: 'CNY',
      providerTime: `${day}T12:00:00Z`,
      providerDate: day,
      batch: null,
      payoutDate: nextOf(day),
    }
  }
  const inD = (d: string): boolean => d === D || d === D1

  // Differences, at most one per record.
  const injected: Built['injected'] = { missing_locally: 0, missing_at_provider: 0, amount_mismatch: 0, status_mismatch: 0, date_mismatch: 0 }
  const expected: string[] = []
  const rows: SourcedRow[] = []
  const touched = new Set<LocalRecord>()
  const plan = new Map<LocalRecord, string>()
  const ofD = locals.filter((l) => l.businessDate === D)
  for (let k = 0; k < inject; k++) {
    const cls = pick(r, ['missing_locally', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'date_mismatch'] as const)
    if (cls === 'missing_locally') {
      const method = pick(r, METHODS)
      const gid = id('G')
      const ghost: LocalRecord = { kind: 'tender', id: gid, method, orderId: null, receiptNo: null, amount: int(r, 1, 900_00), state: 'x', settled: true, businessDate: D, refs: [gid, id('S')], providerRef: id('P') }
      const row = rowFor(ghost, D)
      rows.push(row)
      expected.push(itemKey('missing_locally', null, row))
      injected.missing_locally++
      continue
    }
    const candidates = ofD.filter((l) => {
      if (touched.has(l)) return false
      if (cls === 'status_mismatch') return !l.settled
      if (cls === 'date_mismatch') return l.settled && providerDay.get(l) === D
      return l.settled
    })
    if (candidates.length === 0) continue
    const l = pick(r, candidates)
    touched.add(l)
    plan.set(l, cls)
    injected[cls]++
  }

  for (const l of locals) {
    const cls = plan.get(l)
    const day = providerDay.get(l)
    if (cls === 'missing_at_provider') {
      expected.push(itemKey(cls, l, null))
      continue
    }
    if (cls === 'status_mismatch') {
      // The provider has paid (refunded) what the till has as failed / unknown / closed.
      const row = rowFor(l, pick(r, [D, D1]))
      rows.push(row)
      expected.push(itemKey(cls, l, row))
      continue
    }
    if (cls === 'amount_mismatch') {
      const delta = pick(r, [-1, 1]) * int(r, 1, 5_00)
      let g = gross(l) + delta
      if (g === 0) g = gross(l) + 2 * delta
      const row = rowFor(l, day!, g)
      rows.push(row)
      expected.push(itemKey(cls, l, row))
      continue
    }
    if (cls === 'date_mismatch') {
      const row = rowFor(l, D1)
      rows.push(row)
      expected.push(itemKey(cls, l, row))
      continue
    }
    // Agreeing: a row when money moved, in the statement of its provider day (when it is D or D+1).
    if (l.settled && inD(day!)) {
      const row = rowFor(l, day!)
      rows.push(row)
      if (l.businessDate === D) expected.push(itemKey(day === D ? 'matched' : 'date_mismatch', l, row))
    } else if (l.settled && l.businessDate === D) {
      expected.push(itemKey('missing_at_provider', l, null)) // cannot happen: a record of D is booked on D or D+1
    } else if (!l.settled && l.businessDate === D) {
      expected.push(itemKey('matched', l, null))
    }
  }
  // Fee and payout rows: summed, never matched.
  for (const provider of METHODS) {
    for (const day of [D, D1]) {
      if (r() < 0.5) {
        const fee = int(r, 1, 30_00)
        rows.push({ statementId: `st-${provider}-${day}`, provider, day, line: ++line, type: 'fee', providerRef: '', merchantRef: null, refundRef: null, gross: 0, fee, net: -fee, currency: 'CNY', providerTime: `${day}T23:00:00Z`, providerDate: day, batch: null, payoutDate: null })
      }
      if (r() < 0.5) {
        const amount = int(r, 1, 10_000_00)
        rows.push({ statementId: `st-${provider}-${day}`, provider, day, line: ++line, type: 'payout', providerRef: id('PO'), merchantRef: null, refundRef: null, gross: -amount, fee: 0, net: -amount, currency: 'CNY', providerTime: `${day}T10:00:00Z`, providerDate: day, batch: null, payoutDate: day })
      }
    }
  }
  // The statement's rows come in the provider's order, not ours.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[rows[i], rows[j]] = [rows[j]!, rows[i]!]
  }
  return { locals, rows, expected, injected }
}

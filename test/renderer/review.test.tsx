import { renderToStaticMarkup } from 'react-dom/server'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Attempt } from '../../src/shared/contract'
import type { ErrorData, Result } from '../../src/shared/errors'
import { reviewChannels, type ReviewDay, type ReviewDays, type ReviewMatch } from '../../src/shared/review-contract'
import type { Reconciliation } from '../../src/shared/settlement-contract'

/**
 * The owner's review (经营回顾) without a core: the api is a fake answering the review channels (and
 * order-get, checkout-get, the settlement channels) from a script, recording every call. Proves the
 * charts' data (trend, hours, tender mix), the day list's statuses, the reconciliation table's filters
 * and selection, the drill-down to the order and its payment attempts, the Reconcile screen's resolve reused on the review's
 * difference, the exports' requests (kind, day, language), who sees the screen and the nav entry,
 * and the words in English and Chinese.
 */

type Call = { channel: string; input: Record<string, unknown> }
const calls: Call[] = []
let answer: (channel: string, input: Record<string, unknown>) => Result<unknown> = () => ({ ok: false, error: { code: 'internal', message: 'no script' } })

vi.mock('../../src/renderer/src/api', () => ({
  invoke: async (channel: string, input: Record<string, unknown>): Promise<Result<unknown>> => {
    calls.push({ channel, input })
    return Promise.resolve(answer(channel, input))
  },
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => null,
  setSessionToken: () => undefined,
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const { useApp } = await import('../../src/renderer/src/store')
const lib = await import('../../src/renderer/src/lib/review')
const { useReview } = await import('../../src/renderer/src/screens/review/store')
const { useReconcile } = await import('../../src/renderer/src/screens/reconcile/store')
const { ReviewScreen } = await import('../../src/renderer/src/screens/review/ReviewScreen')
const { DrillDialog, MatchFilterChips } = await import('../../src/renderer/src/screens/review/Matches')
const { TopBar } = await import('../../src/renderer/src/components/TopBar')
const { money } = await import('../../src/renderer/src/lib/format')
const cny = (minor: number) => money(minor, 'CNY', i18n.language === 'zh-CN' ? 'zh-CN' : 'en')

function render(el: React.ReactElement): string {
  Object.assign(useApp.getInitialState(), useApp.getState())
  Object.assign(useReview.getInitialState(), useReview.getState())
  Object.assign(useReconcile.getInitialState(), useReconcile.getState())
  return renderToStaticMarkup(el)
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

function ok(value: unknown): Result<unknown> {
  return { ok: true, value }
}
function err(code: ErrorData['code'], message: string): Result<unknown> {
  return { ok: false, error: { code, message } }
}

const OWNER = { id: 'S3', name: '王芳 Wang Fang', role: 'owner' as const, active: true }
const ZHANG = { id: 'S2', name: '张伟 Zhang Wei', role: 'supervisor' as const, active: true }
const LINA = { id: 'S1', name: '李娜 Li Na', role: 'cashier' as const, active: true }
const RUN = '01JZ9RUN000000000000000001'

const DAYS: ReviewDays = {
  currency: 'CNY',
  days: [
    { businessDate: '2026-11-23', state: 'open', closureNumber: null, orders: 3, grossSales: 2000, net: 2000, reconciliation: null, payout: null },
    {
      businessDate: '2026-11-22',
      state: 'closed',
      closureNumber: 7,
      orders: 40,
      grossSales: 52000,
      net: 50000,
      reconciliation: { runId: RUN, at: '2026-11-23T01:05:00Z', differences: 2, unresolved: 1, unresolvedAmount: 100 },
      payout: { expected: 29820, dates: ['2026-11-23'], due: 29820, received: 29820 },
    },
    { businessDate: '2026-11-21', state: 'closed', closureNumber: 6, orders: 30, grossSales: 25000, net: 25000, reconciliation: { runId: 'R0', at: '2026-11-22T01:00:00Z', differences: 0, unresolved: 0, unresolvedAmount: 0 }, payout: { expected: 100, dates: [], due: 0, received: null } },
    { businessDate: '2026-11-20', state: 'closed', closureNumber: 5, orders: 0, grossSales: 0, net: 0, reconciliation: null, payout: null },
  ],
  trend: [
    { businessDate: '2026-11-21', net: 25000 },
    { businessDate: '2026-11-20', net: 0 },
    { businessDate: '2026-11-22', net: 50000 },
    { businessDate: '2026-11-23', net: 2000 },
  ],
}

const FIGURES: ReviewDay['figures'] = {
  counts: { orders: 40, refunds: 1, voids: 0, reprints: 0, cashMovements: 1, shiftsOpened: 2, shiftsClosed: 2 },
  grossSales: 52000,
  discounts: 1500,
  refunds: 500,
  rounding: -3,
  net: 50000,
  tenders: [
    { method: 'cash', sales: 20500, refunds: 500, net: 20000 },
    { method: 'alipay', sales: 30000, refunds: 0, net: 30000 },
  ],
  taxes: [{ taxId: 'vat13', rate: '13', collected: 5800, refunded: 58, net: 5742 }],
  cash: { received: 25000, change: 4500, refunds: 500, payIns: 0, payOuts: 300, safeDrops: 0, overShort: -200 },
  adjustments: [],
}

function reviewDay(over: Partial<ReviewDay> = {}): ReviewDay {
  return {
    businessDate: '2026-11-22',
    storeName: '小店',
    deviceCode: 'A1',
    currency: 'CNY',
    state: 'closed',
    figures: FIGURES,
    closure: {
      id: 'Z7',
      number: 7,
      deviceCode: 'A1',
      storeName: '小店',
      currency: 'CNY',
      businessDate: '2026-11-22',
      fromDate: '2026-11-22',
      firstSeq: 101,
      lastSeq: 188,
      lastHash: 'aa'.repeat(32),
      closedAt: '2026-11-22T14:00:00Z',
      closedBy: { id: 'S2', name: '张伟 Zhang Wei' },
      figures: FIGURES,
      periodTotal: 50000,
      previousGrandTotal: 1_000_000,
      grandTotal: 1_050_000,
      journalSeq: 189,
      hash: '0123456789abcdef'.repeat(4),
    },
    shifts: [
      {
        shiftId: 'SH1',
        openedBy: { id: 'S1', name: '李娜 Li Na' },
        holder: { id: 'S1', name: '李娜 Li Na' },
        openedAt: '2026-11-22T00:30:00Z',
        closedAt: '2026-11-22T13:30:00Z',
        closedBy: { id: 'S1', name: '李娜 Li Na' },
        approvedBy: { id: 'S2', name: '张伟 Zhang Wei' },
        float: 20000,
        expected: 40200,
        counted: 40000,
        overShort: -200,
        reason: '找错零钱',
      },
    ],
    fees: [{ provider: 'alipay', gross: 30000, fee: 180, net: 29820, payouts: [{ date: '2026-11-23', amount: 29820, received: null }] }],
    reconciliation: { id: RUN, businessDate: '2026-11-22', at: '2026-11-23T01:05:00Z', by: { id: 'S3', name: '王芳 Wang Fang' }, counts: { matched: 2, amount_mismatch: 1, missing_locally: 1, missing_at_provider: 0, status_mismatch: 0, date_mismatch: 0 }, unresolved: 100, journalSeq: 200 },
    byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, orders: hour === 9 ? 10 : hour === 12 ? 20 : hour === 18 ? 10 : 0, net: hour === 9 ? 10000 : hour === 12 ? 30000 : hour === 18 ? 10000 : 0 })),
    tenderMix: [
      { method: 'cash', net: 20000 },
      { method: 'alipay', net: 30000 },
      { method: 'wechat', net: 0 },
    ],
    ...over,
  }
}

function row(line: number, providerRef: string, gross: number) {
  return { statementId: 'ST1', line, type: 'payment' as const, providerRef, merchantRef: null, refundRef: null, gross, fee: 18, net: gross - 18, providerTime: '2026-11-22T03:15:00Z', providerDate: '2026-11-22' }
}
function local(id: string, orderId: string | null, amount: number) {
  return { kind: 'tender' as const, id, method: 'alipay' as const, orderId, receiptNo: orderId ? `A1-${orderId}` : null, amount, state: 'succeeded', businessDate: '2026-11-22', providerRef: `P${id}` }
}

const MATCHES: ReviewMatch[] = [
  { class: 'matched', provider: 'alipay', row: row(1, 'P1', 1000), local: local('T1', 'O1', 1000), differenceId: null, resolution: null },
  { class: 'matched', provider: 'alipay', row: row(2, 'P2', 2000), local: local('T2', 'O2', 2000), differenceId: null, resolution: null },
  { class: 'amount_mismatch', provider: 'alipay', row: row(3, 'P3', 3100), local: local('T3', 'O3', 3000), differenceId: 'D1', resolution: null },
  {
    class: 'missing_locally',
    provider: 'alipay',
    row: row(4, 'P4', 500),
    local: null,
    differenceId: 'D2',
    resolution: { id: 'R1', differenceId: 'D2', kind: 'explained', note: '测试交易 test payment', by: { id: 'S3', name: '王芳 Wang Fang' }, at: '2026-11-23T02:00:00Z', journalSeq: 201, correction: null },
  },
]

/** O3's checkout: a declined wallet code first, then the payment the difference is about. */
function attempt(id: string, state: Attempt['state'], amount: number, over: Partial<Attempt> = {}): Attempt {
  return {
    id,
    method: 'alipay',
    flow: 'customer_code',
    amount,
    state,
    tendered: null,
    change: null,
    codeUrl: null,
    expiresAt: null,
    providerRef: null,
    card: null,
    failure: null,
    activity: 'none',
    polls: 0,
    createdAt: '2026-11-22T03:13:00Z',
    updatedAt: '2026-11-22T03:13:05Z',
    ...over,
  }
}
const ATTEMPTS: Attempt[] = [
  attempt('T0', 'failed', 2000, { failure: { code: 'DECLINED', message: 'The payment was declined.' } }),
  attempt('T3', 'succeeded', 2000, { providerRef: 'P3', createdAt: '2026-11-22T03:14:00Z', updatedAt: '2026-11-22T03:14:02Z' }),
  attempt('T9', 'succeeded', 1000, { method: 'cash', flow: 'cash', tendered: 1000, change: 0, createdAt: '2026-11-22T03:14:30Z', updatedAt: '2026-11-22T03:14:30Z' }),
]

function reconciliation(): Reconciliation {
  return {
    ...reviewDay().reconciliation!,
    providers: [],
    cash: [],
    differences: [
      { id: 'D1', class: 'amount_mismatch', provider: 'alipay', amount: 100, detail: '', row: MATCHES[2]!.row, local: MATCHES[2]!.local, resolution: null, lookup: null },
      { id: 'D2', class: 'missing_locally', provider: 'alipay', amount: 500, detail: '', row: MATCHES[3]!.row, local: null, resolution: MATCHES[3]!.resolution, lookup: null },
    ],
  }
}

/** Answers as the core would for the day above. */
function core(channel: string, input: Record<string, unknown>): Result<unknown> {
  switch (channel) {
    case 'review-days':
      return ok(DAYS)
    case 'review-day':
      return ok(reviewDay({ businessDate: input.businessDate as string }))
    case 'review-matches':
      return ok({ runId: input.businessDate === '2026-11-22' ? RUN : null, matches: input.businessDate === '2026-11-22' ? MATCHES : [] })
    case 'statement-list':
      return ok([])
    case 'reconcile-list':
      return ok([{ ...reviewDay().reconciliation! }])
    case 'reconcile-get':
      return ok(reconciliation())
    case 'order-get':
      return ok({ id: input.id, receiptNo: `A1-${String(input.id)}` })
    case 'checkout-get':
      return input.id === 'O3' ? ok({ id: input.id, orderId: input.id, attempts: ATTEMPTS }) : err('not_found', 'No payment in progress with that number.')
    default:
      return err('internal', `unscripted ${channel}`)
  }
}

beforeEach(async () => {
  calls.length = 0
  answer = core
  useReview.getState().reset()
  useReconcile.getState().reset()
  useApp.setState({
    session: { token: 'tok', staff: OWNER },
    screen: 'review',
    dialog: null,
    appInfo: { storeName: '小店', deviceId: 'D', deviceCode: 'A1', currency: 'CNY', businessDate: '2026-11-23', timeZone: 'Asia/Shanghai', version: '0' },
  } as never)
  await i18n.changeLanguage('en')
})

describe('the charts’ data', () => {
  it('the 30-day trend: oldest first, the day on screen marked, in yuan for the axis', () => {
    const s = lib.trendSeries(DAYS.trend, '2026-11-22')
    expect(s.map((p) => p.businessDate)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'])
    expect(s.map((p) => p.value)).toEqual([0, 250, 500, 20])
    expect(s.filter((p) => p.selected).map((p) => p.businessDate)).toEqual(['2026-11-22'])
    expect(lib.trendSeries([{ businessDate: '2026-11-20', net: 1234 }], null, 0)[0]!.value).toBe(1234)
  })

  it('the day list’s bars: each net against the largest; a loss or nothing is an empty bar', () => {
    expect(lib.trendShares(DAYS.days)).toEqual([0.04, 1, 0.5, 0])
    expect(lib.trendShares([{ net: -500 }, { net: 0 }])).toEqual([0, 0])
  })

  it('sales by hour: trimmed to the hours traded, at least 8 wide; all 24 on a day without sales', () => {
    const h = lib.hourSeries(reviewDay().byHour)
    expect(h.map((x) => x.hour)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18])
    expect(h.find((x) => x.hour === 12)).toMatchObject({ label: '12', orders: 20, net: 30000, value: 300 })
    const one = lib.hourSeries([{ hour: 23, orders: 1, net: 500 }])
    expect(one.map((x) => x.hour)).toEqual([16, 17, 18, 19, 20, 21, 22, 23])
    const early = lib.hourSeries([{ hour: 0, orders: 1, net: 500 }])
    expect(early.map((x) => x.hour)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(lib.hourSeries([])).toHaveLength(24)
    // a refund-only hour is still an hour traded
    expect(lib.hourSeries([{ hour: 10, orders: 0, net: -300 }]).some((x) => x.hour === 10)).toBe(true)
  })

  it('the tender mix: only methods that took money, largest first, shares of the takings', () => {
    const mix = lib.tenderMix([
      { method: 'cash', net: 20000 },
      { method: 'alipay', net: 30000 },
      { method: 'wechat', net: 0 },
      { method: 'card', net: -500 },
    ])
    expect(mix.map((m) => m.method)).toEqual(['alipay', 'cash'])
    expect(mix.map((m) => m.share)).toEqual([0.6, 0.4])
    expect(mix.reduce((s, m) => s + m.share, 0)).toBeCloseTo(1, 10)
    expect(lib.tenderMix([])).toEqual([])
  })

  it('the day’s status in a word: open, closed with its Z, reconciled, or its differences', () => {
    expect(lib.dayStatus(DAYS.days[0]!)).toEqual({ kind: 'open' })
    expect(lib.dayStatus(DAYS.days[1]!)).toEqual({ kind: 'differences', z: 7, differences: 2, unresolved: 1, amount: 100 })
    expect(lib.dayStatus(DAYS.days[2]!)).toEqual({ kind: 'reconciled', z: 6 })
    expect(lib.dayStatus(DAYS.days[3]!)).toEqual({ kind: 'closed', z: 5 })
  })
})

describe('the reconciliation table', () => {
  it('counts and filters: all, the differences, the open ones, each class', () => {
    const c = lib.matchCounts(MATCHES)
    expect(c).toMatchObject({ all: 4, differences: 2, open: 1, matched: 2, amount_mismatch: 1, missing_locally: 1, status_mismatch: 0 })
    for (const f of lib.MATCH_FILTERS) expect(lib.filterMatches(MATCHES, f)).toHaveLength(c[f])
    expect(lib.filterMatches(MATCHES, 'open').map((m) => m.differenceId)).toEqual(['D1'])
    expect(lib.filterMatches(MATCHES, 'differences').map((m) => m.differenceId)).toEqual(['D1', 'D2'])
    expect(lib.filterMatches(MATCHES, 'all').map((m) => m.row?.line)).toEqual([3, 4, 1, 2])
    expect(lib.filterMatches([MATCHES[3]!, MATCHES[2]!], 'all').map((m) => m.differenceId)).toEqual(['D1', 'D2'])
    expect(new Set(MATCHES.map(lib.matchKey)).size).toBe(MATCHES.length)
  })

  it('chips: every filter with its count and key', () => {
    const html = renderToStaticMarkup(<MatchFilterChips counts={lib.matchCounts(MATCHES)} filter="all" onFilter={() => undefined} />)
    expect(text(html)).toBe('All 4 1 Differences 2 2 Open 1 3 Matched 2 4 Missing at the till 1 5 Missing at the provider 0 6 Amount differs 1 7 Status differs 0 8 Different day 0 9')
  })

  it('the selection follows the filter', async () => {
    await useReview.getState().loadDays()
    await useReview.getState().setDate('2026-11-22')
    const s = useReview.getState()
    s.select(lib.matchKey(MATCHES[0]!))
    s.setFilter('open')
    expect(useReview.getState().selected).toBe(lib.matchKey(MATCHES[2]!))
    s.setFilter('differences')
    expect(useReview.getState().selected).toBe(lib.matchKey(MATCHES[2]!))
    s.setFilter('status_mismatch')
    expect(useReview.getState().selected).toBeNull()
  })
})

describe('the store against the core', () => {
  it('loads the days, opens the newest, PgUp/PgDn walk the list; each day asks for its figures and table', async () => {
    await useReview.getState().loadDays()
    expect(calls.map((c) => c.channel)).toEqual(['review-days', 'review-day', 'review-matches'])
    expect(calls[0]!.input).toEqual({ limit: 60 })
    expect(useReview.getState().date).toBe('2026-11-23')
    expect(useReview.getState().runId).toBeNull()
    await useReview.getState().step(1)
    expect(useReview.getState().date).toBe('2026-11-22')
    expect(useReview.getState().runId).toBe(RUN)
    expect(useReview.getState().matches).toHaveLength(4)
    await useReview.getState().step(-1)
    expect(useReview.getState().date).toBe('2026-11-23')
    await useReview.getState().step(-1) // nothing newer
    expect(useReview.getState().date).toBe('2026-11-23')
    for (const c of calls) if (c.channel.startsWith('review-')) expect(reviewChannels[c.channel as keyof typeof reviewChannels].input.safeParse(c.input).success, c.channel).toBe(true)
  })

  it('an answer that does not fit the contract is an error, not a screen', async () => {
    answer = (c, i) => (c === 'review-day' ? ok({ businessDate: 'nope' }) : core(c, i))
    await useReview.getState().loadDays()
    expect(useReview.getState().day).toBeNull()
    expect(useReview.getState().error?.code).toBe('internal')
  })

  it('drills down to the order of a till record and its checkout’s attempts; a bill row alone asks for none', async () => {
    await useReview.getState().setDate('2026-11-22')
    calls.length = 0
    await useReview.getState().openDrill(MATCHES[2]!)
    // the order is posted under its checkout's id: the same id opens both
    expect(calls).toEqual([
      { channel: 'order-get', input: { id: 'O3' } },
      { channel: 'checkout-get', input: { id: 'O3' } },
    ])
    expect(useReview.getState().drill?.attempts?.map((a) => `${a.id}:${a.state}`)).toEqual(['T0:failed', 'T3:succeeded', 'T9:succeeded'])
    expect(useReview.getState().drill?.attemptsError).toBeNull()
    // an order paid without a checkout (cash before issue 4): no attempts, and no error for it
    calls.length = 0
    await useReview.getState().openDrill(MATCHES[1]!)
    expect(calls.map((c) => c.channel)).toEqual(['order-get', 'checkout-get'])
    expect(useReview.getState().drill).toMatchObject({ attempts: null, attemptsError: null, error: null, loading: false })
    expect(useReview.getState().drill?.order?.id).toBe('O2')
    // any other failure to read them is shown
    answer = (c, i) => (c === 'checkout-get' ? err('internal', 'boom') : core(c, i))
    await useReview.getState().openDrill(MATCHES[2]!)
    expect(useReview.getState().drill?.attemptsError?.code).toBe('internal')
    expect(useReview.getState().drill?.order?.id).toBe('O3')
    answer = core
    calls.length = 0
    await useReview.getState().openDrill(MATCHES[3]!)
    expect(calls).toEqual([])
    expect(useReview.getState().drill?.order).toBeNull()
    expect(useReview.getState().drill?.loading).toBe(false)
  })

  it('resolve: the review’s difference is the Reconcile run’s, so the Reconcile dialog resolves it on that run', async () => {
    await useReview.getState().setDate('2026-11-22')
    const d = await useReview.getState().difference('D1')
    expect(d?.id).toBe('D1')
    expect(useReconcile.getState().run?.id).toBe(RUN)
    calls.length = 0
    answer = (c, i) => (c === 'difference-resolve' ? ok({ ...reconciliation().differences[0]!, resolution: { id: 'R2', differenceId: 'D1', kind: 'corrected', note: 'fixed it', by: { id: 'S3', name: 'x' }, at: '2026-11-23T03:00:00Z', journalSeq: 202, correction: null } }) : core(c, i))
    const r = await useReconcile.getState().resolve({ resolutionId: '01JZ9RES000000000000000001', differenceId: 'D1', kind: 'corrected', note: 'fixed it' })
    expect(r.ok).toBe(true)
    expect(calls[0]).toEqual({ channel: 'difference-resolve', input: { runId: RUN, resolutionId: '01JZ9RES000000000000000001', differenceId: 'D1', kind: 'corrected', note: 'fixed it' } })
  })

  it('exports: the day, the kind and the screen’s language go to the core; the file is saved from its bytes', async () => {
    await useReview.getState().setDate('2026-11-22')
    const clicked: { href: string; download: string }[] = []
    const blobs: Blob[] = []
    const fakeDoc = {
      createElement: () => {
        const a = { href: '', download: '', rel: '', hidden: false, click: () => clicked.push({ href: a.href, download: a.download }), remove: () => undefined }
        return a
      },
      body: { appendChild: () => undefined },
    }
    vi.stubGlobal('document', fakeDoc)
    const created = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob)
      return 'blob:x'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    try {
      const csv = '\uFEFF单号,金额\nA1-1,10.00\n'
      answer = (c, i) => (c === 'review-export' ? ok({ fileName: 'daybook-2026-11-22-orders.csv', mime: 'text/csv', base64: Buffer.from(csv, 'utf8').toString('base64') }) : core(c, i))
      calls.length = 0
      const name = await useReview.getState().exportFile('csv_orders', 'zh-CN')
      expect(name).toBe('daybook-2026-11-22-orders.csv')
      expect(calls).toEqual([{ channel: 'review-export', input: { businessDate: '2026-11-22', kind: 'csv_orders', language: 'zh-CN' } }])
      expect(clicked).toEqual([{ href: 'blob:x', download: 'daybook-2026-11-22-orders.csv' }])
      expect(created).toHaveBeenCalledTimes(1)
      expect(blobs[0]!.type).toBe('text/csv')
      expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blobs[0]!.arrayBuffer())).toBe(csv)
      // refused: said on screen, nothing saved
      answer = (c, i) => (c === 'review-export' ? err('not_found', 'No Z for that day.') : core(c, i))
      expect(await useReview.getState().exportFile('pdf_z', 'en')).toBeNull()
      expect(useReview.getState().error?.code).toBe('not_found')
      expect(clicked).toHaveLength(1)
    } finally {
      vi.unstubAllGlobals()
      vi.restoreAllMocks()
    }
  })
})

describe('the screen', () => {
  async function loaded(date = '2026-11-22') {
    await useReview.getState().loadDays()
    await useReview.getState().setDate(date)
  }

  it('the days with their statuses and nets; the day’s figures, fees, cash, Z and table', async () => {
    await loaded()
    const html = render(<ReviewScreen />)
    const out = text(html)
    expect([...html.matchAll(/data-testid="review-day" data-date="([\d-]+)"/g)].map((m) => m[1])).toEqual(['2026-11-23', '2026-11-22', '2026-11-21', '2026-11-20'])
    expect([...html.matchAll(/data-testid="review-status" data-status="([a-z]+)"/g)].map((m) => m[1]).slice(0, 4)).toEqual(['open', 'differences', 'reconciled', 'closed'])
    expect(out).toContain(`Z 7 2 differences · 1 open · ${cny(100)}`)
    expect(out).toContain(`Payout expected ${cny(29820)} · Nov 23, 2026`)
    expect(html).toMatch(/data-minor="50000" data-testid="review-net"/)
    expect(html).toMatch(/data-testid="review-tender" data-method="cash" data-sales="20500" data-refunds="500" data-net="20000"/)
    expect(html).toMatch(/data-testid="review-fee" data-provider="alipay" data-gross="30000" data-fee="180" data-net="29820"/)
    expect(out).toContain(`Short (短款) ${cny(200)}`)
    expect(out).toContain('counted by 李娜 Li Na · approved by 张伟 Zhang Wei · “找错零钱”')
    expect(out).toContain('Z 7')
    expect(out).toContain('events 101–188')
    expect(html).toMatch(/data-minor="1050000" data-testid="review-grand-total"/)
    expect(out).toContain(`vat13 13% ${cny(5742)}`)
    // the table: every line, the resolution with who and why
    // what needs the owner first: the open difference, the resolved one, then the matched lines
    expect([...html.matchAll(/data-testid="review-match" data-class="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['amount_mismatch', 'missing_locally', 'matched', 'matched'])
    expect(out).toContain('Explained by 王芳 Wang Fang')
    expect(out).toContain('“测试交易 test payment”')
    // the unresolved one has its actions; the resolved one none
    expect([...html.matchAll(/data-testid="review-resolve"/g)]).toHaveLength(1)
    // the charts: the tender mix's methods and the peak hour
    expect([...html.matchAll(/data-testid="review-mix-item" data-method="([a-z]+)" data-net="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['alipay:30000', 'cash:20000'])
    expect(out).toContain('Busiest: 12:00–13:00, 20 orders')
    expect(html).toMatch(/data-testid="review-trend" data-points="4" data-total="77000"/)
    // the exports with their keys
    for (const [kind, key] of [['csv_orders', 'F2'], ['csv_tenders', 'F3'], ['csv_reconciliation', 'F4'], ['pdf_day', 'F8'], ['pdf_z', 'F9']]) {
      expect(html).toMatch(new RegExp(`data-testid="review-export-${kind}"[^>]*>.*?<kbd>${key}</kbd>`))
    }
  })

  it('a filter shows only its lines', async () => {
    await loaded()
    useReview.getState().setFilter('open')
    const html = render(<ReviewScreen />)
    expect([...html.matchAll(/data-testid="review-match" data-class="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['amount_mismatch'])
    expect(html).toMatch(/aria-pressed="true" data-testid="review-filter-open" data-count="1"/)
  })

  it('an open day: no Z yet (its PDF is off), not reconciled yet', async () => {
    await loaded('2026-11-23')
    useReview.setState({ day: reviewDay({ businessDate: '2026-11-23', state: 'open', closure: null, fees: [], reconciliation: null }) })
    const html = render(<ReviewScreen />)
    expect(text(html)).toContain('No Z yet')
    expect(html).toContain('data-testid="review-no-run"')
    expect(html).toMatch(/data-testid="review-export-pdf_z" disabled=""/)
  })

  it('the drill-down: the order with its tenders, the bill row beside it, the actions of an open difference', () => {
    const order = {
      id: 'O3',
      receiptNo: 'A1-20261122-0003',
      createdAt: '2026-11-22T03:14:00Z',
      currency: 'CNY',
      staff: { id: 'S1', name: '李娜 Li Na' },
      total: 3000,
      tenders: [
        { id: 'T3', method: 'alipay', amount: 2000, tendered: 2000, change: 0, providerRef: 'P3' },
        { id: 'T9', method: 'cash', amount: 1000, tendered: 1000, change: 0 },
      ],
      refunds: [],
    }
    const drill = { match: MATCHES[2]!, order: order as never, attempts: ATTEMPTS, loading: false, error: null, attemptsError: null }
    const html = render(<DrillDialog drill={drill} onClose={() => undefined} onAsk={() => undefined} onResolve={() => undefined} asking={false} />)
    const out = text(html)
    expect(out).toContain('Order A1-20261122-0003')
    expect([...html.matchAll(/data-testid="review-drill-tender" data-method="([a-z]+)" data-amount="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['alipay:2000', 'cash:1000'])
    expect(out).toContain('← this line')
    // every attempt of its checkout: state, method, flow, amount, provider ref, failure; the line's own marked
    expect(out).toContain('Payment attempts')
    const attempts = [...html.matchAll(/data-testid="review-drill-attempt" data-attempt-id="(\w+)" data-state="(\w+)" data-method="(\w+)" data-flow="(\w+)" data-amount="(\d+)" data-ref="(\w*)"( data-this="true")?/g)]
    expect(attempts.map((m) => m.slice(1).join('|'))).toEqual([
      'T0|failed|alipay|customer_code|2000||',
      'T3|succeeded|alipay|customer_code|2000|P3| data-this="true"',
      'T9|succeeded|cash|cash|1000||',
    ])
    const list = text(/data-testid="review-drill-attempts"[^]*?<\/ol>/.exec(html)![0])
    for (const w of ['Not paid', 'Paid', 'Customer code scanned', 'The payment was declined', cny(2000), 'P3', '← this line']) expect(list).toContain(w)
    expect(html).toMatch(/data-testid="review-drill-attempt-failure" data-code="DECLINED"/)
    // a refund line marks no attempt; an order without a checkout lists none
    const refundLine = { ...MATCHES[2]!, local: { ...MATCHES[2]!.local!, kind: 'refund' as const } }
    expect(render(<DrillDialog drill={{ ...drill, match: refundLine }} onClose={() => undefined} onAsk={() => undefined} onResolve={() => undefined} asking={false} />)).not.toContain('data-this=')
    expect(render(<DrillDialog drill={{ ...drill, attempts: null }} onClose={() => undefined} onAsk={() => undefined} onResolve={() => undefined} asking={false} />)).not.toContain('review-drill-attempts')
    expect(html).toMatch(/data-testid="review-drill-row" data-ref="P3"/)
    expect(html).toMatch(/data-minor="3100" data-testid="review-drill-row-gross"/)
    expect(html).toContain('data-testid="review-drill-resolve"')
  })

  it('who sees it: a cashier is told it is the owner’s; a supervisor may look; the nav has it for both', async () => {
    useApp.setState({ session: { token: 'tok', staff: LINA } })
    expect(render(<ReviewScreen />)).toContain('data-testid="review-not-allowed"')
    expect(render(<TopBar />)).not.toContain('data-testid="nav-review"')
    expect(lib.canReview('cashier')).toBe(false)
    useApp.setState({ session: { token: 'tok', staff: ZHANG } })
    await loaded()
    expect(render(<ReviewScreen />)).toContain('data-testid="review-days"')
    expect(render(<TopBar />)).toContain('data-testid="nav-review"')
    useApp.setState({ session: { token: 'tok', staff: OWNER } })
    const bar = render(<TopBar />)
    expect([...bar.matchAll(/data-testid="nav-([a-z]+)"/g)].map((m) => m[1])).toEqual(['checkout', 'orders', 'day', 'reconcile', 'review', 'settings'])
  })

  it('zh-CN: the words a shop owner uses', async () => {
    await i18n.changeLanguage('zh-CN')
    await loaded()
    const out = text(render(<ReviewScreen />))
    for (const w of ['经营回顾', '近 30 天净销售额', '净销售额', '分时销售', '收款方式占比', '手续费与到账', '各班现金', '对账明细', '已对账', '营业中', '2 笔差异 · 1 笔未处理', '预计到账', '日报表', 'Z 报表', '李娜 Li Na 清点', '张伟 Zhang Wei 批准', '累计总额', '支付宝', '现金']) {
      expect(out).toContain(w)
    }
    expect(text(render(<TopBar />))).toContain('回顾')
  })

  it('every review string exists in both languages', async () => {
    const { en } = await import('../../src/renderer/src/i18n/en')
    const { zh } = await import('../../src/renderer/src/i18n/zh')
    const keys = (o: unknown, p = ''): string[] => (o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => keys(v, p ? `${p}.${k}` : k)) : [p])
    expect(keys(zh.review).sort()).toEqual(keys(en.review).sort())
    for (const k of keys(zh.review)) expect(k.split('.').reduce<unknown>((o, x) => (o as Record<string, unknown>)[x], zh.review), k).not.toBe('')
  })
})

import { renderToStaticMarkup } from 'react-dom/server'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ErrorData, Result } from '../../src/shared/errors'
import { ULID_PATTERN } from '../../src/shared/ids'
import { settlementChannels, type Difference, type Reconciliation, type TillStatement } from '../../src/shared/settlement-contract'

/**
 * The reconcile (对账) screen without a core: the api is a fake that answers the settlement
 * channels from a script and records every call, so the tests see exactly what the screen sends.
 * Proves the table's filters (counts, which rows each shows, the selection following the filter),
 * the resolve dialog's validation (a note of at least 3 characters after trimming, at most 500;
 * nothing sent otherwise), the store's use of ids (a new ULID per run, kept only after a lost
 * answer), a refused bill file shown with its reason and line and nothing imported, and the
 * screen's words in English and Chinese.
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
const lib = await import('../../src/renderer/src/lib/reconcile')
const { useReconcile } = await import('../../src/renderer/src/screens/reconcile/store')
const { ReconcileScreen } = await import('../../src/renderer/src/screens/reconcile/ReconcileScreen')
const { ResolveDialog } = await import('../../src/renderer/src/screens/reconcile/ResolveDialog')
const { Donut, FilterChips } = await import('../../src/renderer/src/screens/reconcile/parts')
const { money } = await import('../../src/renderer/src/lib/format')
const cny = (minor: number) => money(minor, 'CNY', i18n.language === 'zh-CN' ? 'zh-CN' : 'en')

/**
 * Static rendering reads a zustand store's *initial* state (its server snapshot): make the stores'
 * current state the one rendered.
 */
function render(el: React.ReactElement): string {
  Object.assign(useApp.getInitialState(), useApp.getState())
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

const OWNER = { id: 'S3', name: '王芳 Wang Fang', role: 'owner' as const, active: true }
const ZHANG = { id: 'S2', name: '张伟 Zhang Wei', role: 'supervisor' as const, active: true }

function diff(id: string, over: Partial<Difference>): Difference {
  return {
    id,
    class: 'amount_mismatch',
    provider: 'alipay',
    amount: 500,
    detail: '',
    row: {
      statementId: 'ST1',
      line: 7,
      type: 'payment',
      providerRef: `2026112222001${id}`,
      merchantRef: `01JZ8Q7X2M4N6P8R0S2T4V6W${id.slice(-2)}`,
      refundRef: null,
      gross: 3000,
      fee: 18,
      net: 2982,
      providerTime: '2026-11-22T03:15:00Z',
      providerDate: '2026-11-22',
    },
    local: {
      kind: 'tender',
      id: `T${id}`,
      method: 'alipay',
      orderId: `O${id}`,
      receiptNo: `A1-0000${id.slice(-1)}`,
      amount: 2500,
      state: 'succeeded',
      businessDate: '2026-11-22',
      providerRef: `2026112222001${id}`,
    },
    resolution: null,
    lookup: null,
    ...over,
  }
}

const DIFFS: Difference[] = [
  diff('D1', { class: 'amount_mismatch', amount: 500, detail: 'Alipay has ¥30.00, the till ¥25.00' }),
  diff('D2', { class: 'missing_locally', provider: 'wechat', amount: 1200, local: null }),
  diff('D3', { class: 'missing_at_provider', provider: 'card', amount: -880, row: null }),
  diff('D4', {
    class: 'date_mismatch',
    amount: 0,
    resolution: { id: 'R1', differenceId: 'D4', kind: 'explained', note: 'paid after midnight', by: { id: 'S2', name: '张伟 Zhang Wei' }, at: '2026-11-23T01:10:00Z', journalSeq: 91, correction: null },
  }),
  diff('D5', { class: 'status_mismatch', amount: 1500 }),
  diff('D6', { class: 'amount_mismatch', provider: 'wechat', amount: -100 }),
]

function reconciliation(over: Partial<Reconciliation> = {}): Reconciliation {
  const differences = over.differences ?? DIFFS
  return {
    id: '01JZ9RUN000000000000000001',
    businessDate: '2026-11-22',
    at: '2026-11-23T01:05:00Z',
    by: { id: 'S3', name: '王芳 Wang Fang' },
    counts: { matched: 42, missing_locally: 1, missing_at_provider: 1, amount_mismatch: 2, status_mismatch: 1, date_mismatch: 1 },
    providers: [
      { provider: 'alipay', statementIds: ['ST1'], rows: 20, local: 20, matched: 17, gross: 60000, fee: 360, net: 59640, payouts: [{ date: '2026-11-23', amount: 59640 }] },
      { provider: 'wechat', statementIds: ['ST2'], rows: 15, local: 14, matched: 13, gross: 45000, fee: 270, net: 44730, payouts: [{ date: null, amount: 44730 }] },
    ],
    cash: [
      { shiftId: 'SH1', holder: { id: 'S1', name: '李娜 Li Na' }, overShort: -200 },
      { shiftId: 'SH2', holder: { id: 'S2', name: '张伟 Zhang Wei' }, overShort: 150 },
    ],
    differences,
    unresolved: lib.unresolvedSum(differences),
    journalSeq: 90,
    ...over,
  }
}

const STATEMENT: TillStatement = {
  id: 'ST1',
  provider: 'alipay',
  format: 'alipay_bill_zip',
  date: '2026-11-22',
  merchantId: '2088000000000001',
  source: 'file',
  fileName: '20881234_20261122.csv.zip',
  fileSha256: 'ab'.repeat(32),
  rows: 20,
  gross: 60000,
  fee: 360,
  net: 59640,
  importedAt: '2026-11-23T01:00:00Z',
}

function ok(value: unknown): Result<unknown> {
  return { ok: true, value }
}
function err(code: ErrorData['code'], message: string, details?: unknown): Result<unknown> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } }
}

beforeEach(async () => {
  calls.length = 0
  answer = () => err('internal', 'no script')
  useReconcile.getState().reset()
  useApp.setState({
    session: { token: 'tok', staff: OWNER },
    screen: 'reconcile',
    appInfo: { storeName: '小店', deviceId: 'D', deviceCode: 'A1', currency: 'CNY', businessDate: '2026-11-23', timeZone: 'Asia/Shanghai', version: '0' },
    till: { businessDate: '2026-11-23', dayStatus: 'open', lastClosure: { number: 7, businessDate: '2026-11-22', closedAt: '2026-11-23T01:00:00Z' }, shift: null, suggestedFloat: 0, blindCount: false } as never,
  })
  await i18n.changeLanguage('en')
})

describe('the table filters', () => {
  it('counts each class, the open ones and all', () => {
    const c = lib.filterCounts(DIFFS)
    expect(c).toEqual({ all: 6, open: 5, missing_locally: 1, missing_at_provider: 1, amount_mismatch: 2, status_mismatch: 1, date_mismatch: 1 })
  })

  it('shows exactly the differences of the chosen class, in their order', () => {
    expect(lib.filterDifferences(DIFFS, 'all').map((d) => d.id)).toEqual(['D1', 'D2', 'D3', 'D4', 'D5', 'D6'])
    expect(lib.filterDifferences(DIFFS, 'amount_mismatch').map((d) => d.id)).toEqual(['D1', 'D6'])
    expect(lib.filterDifferences(DIFFS, 'missing_locally').map((d) => d.id)).toEqual(['D2'])
    // a resolved difference is not open, but it stays under its class and under all
    expect(lib.filterDifferences(DIFFS, 'open').map((d) => d.id)).toEqual(['D1', 'D2', 'D3', 'D5', 'D6'])
    expect(lib.filterDifferences(DIFFS, 'date_mismatch').map((d) => d.id)).toEqual(['D4'])
    for (const f of lib.FILTERS) expect(lib.filterDifferences(DIFFS, f)).toHaveLength(lib.filterCounts(DIFFS)[f])
  })

  it('the screen renders only the filtered rows, with both sides, explanations and the resolution', () => {
    useReconcile.setState({ date: '2026-11-22', run: reconciliation(), filter: 'amount_mismatch', selected: 'D1' })
    const html = render(<ReconcileScreen />)
    const rows = [...html.matchAll(/data-testid="difference-row" data-class="([a-z_]+)"/g)].map((m) => m[1])
    expect(rows).toEqual(['amount_mismatch', 'amount_mismatch'])
    const out = text(html)
    expect(out).toContain('Both have it, but the amounts differ.')
    expect(out).toContain(`The bill from Alipay says ${cny(3000)}, the till ${cny(2500)}.`)
    expect(html).toContain('title="Alipay has ¥30.00, the till ¥25.00"')
    expect(out).toContain('Receipt A1-0000D1'.replace('D1', '1'))
    expect(out).toContain('line 7 · payment')
    expect(out).toContain('provider day Nov 22, 2026')
    // the chips carry their counts; the active one is pressed
    expect(html).toMatch(/aria-pressed="true" data-testid="reconcile-filter-amount_mismatch" data-count="2"/)
    expect(html).toMatch(/data-testid="reconcile-filter-open" data-count="5"/)

    useReconcile.setState({ filter: 'all' })
    const all = render(<ReconcileScreen />)
    expect([...all.matchAll(/data-testid="difference-row"/g)]).toHaveLength(6)
    // the resolved one stays, with who, how and the note
    expect(all).toMatch(/data-testid="difference-row" data-class="date_mismatch"[^>]*data-resolved="explained"/)
    expect(text(all)).toContain('Explained by 张伟 Zhang Wei')
    expect(text(all)).toContain('“paid after midnight”')
    // sides that do not exist say so
    expect(text(all)).toContain('no record at the till')
    expect(text(all)).toContain('not in the bill')
    // provider figures, payouts, cash over/short, the open suspense
    expect(text(all)).toContain(`Short (短款) ${cny(200)}`)
    expect(text(all)).toContain(`Over (长款) ${cny(150)}`)
    expect(all).toContain('data-testid="reconcile-net-alipay"')
    expect(text(all)).toContain(`Still open (suspense): ${cny(500 + 1200 - 880 + 1500 - 100)}`)
  })

  it('the selection follows the filter: a hidden row is not kept selected', () => {
    useReconcile.setState({ run: reconciliation(), selected: 'D2', filter: 'all' })
    useReconcile.getState().setFilter('amount_mismatch')
    expect(useReconcile.getState().selected).toBe('D1')
    useReconcile.getState().select('D6')
    useReconcile.getState().setFilter('open')
    expect(useReconcile.getState().selected).toBe('D6')
    useReconcile.getState().setFilter('date_mismatch')
    expect(useReconcile.getState().selected).toBe('D4')
  })

  it('the picture: matched first, then each class present; the share matched rounds down', () => {
    const segs = lib.segments({ matched: 42, missing_locally: 1, missing_at_provider: 0, amount_mismatch: 2, status_mismatch: 0, date_mismatch: 0 })
    expect(segs.map((s) => [s.cls, s.count])).toEqual([
      ['matched', 42],
      ['missing_locally', 1],
      ['amount_mismatch', 2],
    ])
    expect(segs.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 10)
    expect(segs[2]!.start).toBeCloseTo(43 / 45, 10)
    expect(lib.matchedPercent({ matched: 995, amount_mismatch: 4 })).toBe(99)
    expect(lib.matchedPercent({})).toBeNull()
    const svg = renderToStaticMarkup(<Donut counts={{ matched: 42, missing_locally: 1, missing_at_provider: 0, amount_mismatch: 2, status_mismatch: 0, date_mismatch: 0 }} />)
    expect(svg.match(/<circle/g)).toHaveLength(4) // the track and three pieces
    expect(text(svg)).toContain('93%')
  })

  it('chips: every filter, its key and count', () => {
    const html = renderToStaticMarkup(<FilterChips counts={lib.filterCounts(DIFFS)} filter="all" onFilter={() => undefined} />)
    expect(text(html)).toBe('All 6 1 Open 5 2 Missing at the till 1 3 Missing at the provider 1 4 Amount differs 2 5 Status differs 1 6 Different day 1 7')
  })
})

describe('the resolve dialog', () => {
  it('wants a note of 3 to 500 characters after trimming (Chinese characters count one each)', () => {
    expect(lib.noteIssue('')).toBe('empty')
    expect(lib.noteIssue('   ')).toBe('empty')
    expect(lib.noteIssue(' ab ')).toBe('short')
    expect(lib.noteIssue('abc')).toBeNull()
    expect(lib.noteIssue('已核对')).toBeNull()
    expect(lib.noteIssue('退款')).toBe('short')
    expect(lib.noteIssue('x'.repeat(500))).toBeNull()
    expect(lib.noteIssue('x'.repeat(501))).toBe('long')
    // the same rule as the contract's, so the dialog never sends what the core refuses
    const schema = settlementChannels['difference-resolve'].input
    const base = { resolutionId: '01JZ9RES000000000000000001', runId: 'R', differenceId: 'D', kind: 'explained' as const }
    for (const note of ['', '  ', 'ab', ' ab ', 'abc', '已核对', 'x'.repeat(500), 'x'.repeat(501)]) {
      expect(schema.safeParse({ ...base, note: note.trim() }).success, JSON.stringify(note)).toBe(lib.noteIssue(note) === null)
    }
  })

  it('shows what it resolves, the three kinds with their keys and the note field', () => {
    const html = renderToStaticMarkup(<ResolveDialog difference={DIFFS[0]!} onClose={() => undefined} />)
    const out = text(html)
    expect(out).toContain('Resolve the difference')
    expect(out).toContain('Amount differs')
    expect(out).toContain('Explained F2')
    expect(out).toContain('Corrected F3')
    expect(out).toContain('Written off F4')
    expect(out).toContain('Note (who, why — at least 3 characters)')
    expect(html).toContain('data-testid="resolve-note"')
    expect(html).not.toContain('data-testid="resolve-note-error"')
    expect(out).toContain('Esc')
  })

  it('a resolution goes to the core once, and the difference is replaced by its answer (it stays, resolved)', async () => {
    useReconcile.setState({ date: '2026-11-22', run: reconciliation() })
    const resolution = { id: 'R9', differenceId: 'D1', kind: 'written_off', note: '差额已核销', by: { id: 'S3', name: '王芳 Wang Fang' }, at: '2026-11-23T01:20:00Z', journalSeq: 95, correction: null }
    answer = (channel, input) => (channel === 'difference-resolve' ? ok({ ...DIFFS[0]!, resolution: { ...resolution, kind: input.kind } }) : err('internal', 'no'))
    const r = await useReconcile.getState().resolve({ resolutionId: '01JZ9RES000000000000000009', differenceId: 'D1', kind: 'written_off', note: '差额已核销' })
    expect(r.ok).toBe(true)
    expect(calls).toEqual([{ channel: 'difference-resolve', input: { runId: '01JZ9RUN000000000000000001', resolutionId: '01JZ9RES000000000000000009', differenceId: 'D1', kind: 'written_off', note: '差额已核销' } }])
    const run = useReconcile.getState().run!
    expect(run.differences).toHaveLength(6)
    expect(run.differences[0]!.resolution?.kind).toBe('written_off')
    expect(run.unresolved).toBe(1200 - 880 + 1500 - 100)
    const html = render(<ReconcileScreen />)
    expect(html).toMatch(/data-testid="difference-row" data-class="amount_mismatch" data-provider="alipay" data-minor="500" data-resolved="written_off"/)
  })

  it('a correction sale goes to the core with its tax, and the row shows what was posted', async () => {
    useReconcile.setState({ date: '2026-11-22', run: reconciliation() })
    const correction = { method: 'wechat' as const, taxId: 'vat13', rate: '13', tax: 138, businessDate: '2026-11-23' }
    const resolution = { id: 'R8', differenceId: 'D2', kind: 'corrected' as const, note: '顾客已付款，补录销售', by: { id: 'S3', name: '王芳 Wang Fang' }, at: '2026-11-23T01:20:00Z', journalSeq: 96, correction }
    answer = (channel) => (channel === 'difference-resolve' ? ok({ ...DIFFS[1]!, resolution }) : err('internal', 'no'))
    const r = await useReconcile.getState().resolve({ resolutionId: '01JZ9RES000000000000000008', differenceId: 'D2', kind: 'corrected', note: '顾客已付款，补录销售', correctionSale: { taxId: 'vat13' } })
    expect(r.ok).toBe(true)
    expect(calls).toEqual([
      { channel: 'difference-resolve', input: { runId: '01JZ9RUN000000000000000001', resolutionId: '01JZ9RES000000000000000008', differenceId: 'D2', kind: 'corrected', note: '顾客已付款，补录销售', correctionSale: { taxId: 'vat13' } } },
    ])
    const html = render(<ReconcileScreen />)
    expect(text(html)).toContain('Correction sale CN¥12.00 (tax CN¥1.38 at 13%) posted on Nov 23, 2026')
  })

  it('a refused resolution leaves the difference open and says why', async () => {
    useReconcile.setState({ run: reconciliation() })
    answer = () => err('forbidden', 'supervisor only')
    const r = await useReconcile.getState().resolve({ resolutionId: '01JZ9RES000000000000000009', differenceId: 'D1', kind: 'explained', note: 'abc' })
    expect(r.ok).toBe(false)
    expect(useReconcile.getState().run!.differences[0]!.resolution).toBeNull()
  })
})

describe('the store', () => {
  it('opens on the last closed day and loads its statements and runs; the latest run opens', async () => {
    const run = reconciliation()
    answer = (channel) => {
      if (channel === 'statement-list') return ok([STATEMENT])
      if (channel === 'reconcile-list') return ok([{ ...run, differences: undefined, providers: undefined, cash: undefined }])
      if (channel === 'reconcile-get') return ok(run)
      return err('internal', 'no')
    }
    expect(lib.defaultReconcileDate(useApp.getState().till)).toBe('2026-11-22')
    expect(lib.defaultReconcileDate({ businessDate: '2026-03-01', lastClosure: null })).toBe('2026-02-28')
    await useReconcile.getState().setDate('2026-11-22')
    expect(calls.map((c) => c.channel)).toEqual(['statement-list', 'reconcile-list', 'reconcile-get'])
    expect(calls[0]!.input).toEqual({ businessDate: '2026-11-22' })
    expect(useReconcile.getState().statements).toHaveLength(1)
    expect(useReconcile.getState().run?.id).toBe(run.id)
    expect(useReconcile.getState().selected).toBe('D1')
  })

  it('a run has a new ULID each time; a lost answer is retried with the same id', async () => {
    useReconcile.setState({ date: '2026-11-22' })
    answer = (channel) => (channel === 'reconcile-run' ? err('internal', 'The connection to Daybook failed.') : channel === 'reconcile-list' || channel === 'statement-list' ? ok([]) : err('internal', 'no'))
    await useReconcile.getState().runReconcile()
    answer = (channel) => (channel === 'reconcile-run' ? ok(reconciliation()) : channel === 'reconcile-list' || channel === 'statement-list' ? ok([]) : err('internal', 'no'))
    await useReconcile.getState().runReconcile()
    await useReconcile.getState().runReconcile()
    const ids = calls.filter((c) => c.channel === 'reconcile-run').map((c) => c.input.runId as string)
    expect(ids).toHaveLength(3)
    for (const id of ids) expect(id).toMatch(ULID_PATTERN)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).not.toBe(ids[1])
    expect(calls.find((c) => c.channel === 'reconcile-run')!.input.businessDate).toBe('2026-11-22')
  })

  it('Reconcile (F4) pressed while a day just picked is still loading waits for it instead of being dropped', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    const script = (channel: string): Result<unknown> | Promise<Result<unknown>> =>
      channel === 'statement-list' ? gate.then(() => ok([])) : channel === 'reconcile-list' ? ok([]) : channel === 'reconcile-run' ? ok(reconciliation()) : err('internal', 'no')
    answer = script as unknown as typeof answer
    const picking = useReconcile.getState().setDate('2026-11-22')
    expect(useReconcile.getState().busy).toBe('load')
    const running = useReconcile.getState().runReconcile()
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(calls.map((c) => c.channel)).toEqual(['statement-list', 'reconcile-list'])
    release()
    const run = await running
    await picking
    expect(run?.id).toBe('01JZ9RUN000000000000000001')
    expect(calls.filter((c) => c.channel === 'reconcile-run').map((c) => c.input.businessDate)).toEqual(['2026-11-22'])
    expect(useReconcile.getState().run?.id).toBe('01JZ9RUN000000000000000001')
  })

  it('a refused bill file imports nothing and shows the reason and the line', async () => {
    useReconcile.setState({ date: '2026-11-22' })
    answer = (channel) =>
      channel === 'statement-import' ? err('statement_refused', 'line 14: 金额 "12.3x" is not an amount', { reason: 'bad_amount', line: 14 }) : err('internal', 'no')
    const st = await useReconcile.getState().importFile('bill.csv', lib.toBase64(new TextEncoder().encode('a,b\n')))
    expect(st).toBeNull()
    expect(calls.map((c) => c.channel)).toEqual(['statement-import'])
    expect(calls[0]!.input).toEqual({ fileName: 'bill.csv', base64: 'YSxiCg==' })
    const html = render(<ReconcileScreen />)
    expect(html).toMatch(/data-testid="reconcile-refused" data-reason="bad_amount" data-line="14"/)
    const out = text(html)
    expect(out).toContain('bill.csv was refused. Nothing of it was imported.')
    expect(out).toContain('An amount is not a plain number with at most two decimals.')
    expect(out).toContain('Line 14')
    expect(out).toContain('金额 "12.3x" is not an amount')
    // the line is read from the message when the details do not carry it
    expect(lib.refusalOf({ code: 'statement_refused', message: 'line 3: the 商户订单号 column is missing', details: { reason: 'missing_column' } })).toEqual({
      reason: 'missing_column',
      line: 3,
      message: 'the 商户订单号 column is missing',
    })
    expect(lib.refusalOf({ code: 'invalid_input', message: 'x' })).toBeNull()
  })

  it('asking again shows the provider’s answer under the difference; nothing else changes', async () => {
    useReconcile.setState({ run: reconciliation() })
    const lookup = { provider: 'alipay', status: 'refunded', amount: 3000, refunded: 3000, fee: 18, providerRef: '2026112222001D1', merchantRef: null, paidAt: null, checkedAt: '2026-11-23T01:30:00Z' }
    answer = (channel) => (channel === 'difference-ask' ? ok({ ...DIFFS[0]!, lookup }) : err('internal', 'no'))
    await useReconcile.getState().ask('D1')
    expect(calls).toEqual([{ channel: 'difference-ask', input: { runId: '01JZ9RUN000000000000000001', differenceId: 'D1' } }])
    expect(useReconcile.getState().run!.differences[0]!.lookup?.status).toBe('refunded')
    expect(useReconcile.getState().run!.differences[0]!.resolution).toBeNull()
    const out = text(render(<ReconcileScreen />))
    expect(out).toContain(`Alipay now says: refunded · ${cny(3000)} · refunded ${cny(3000)}`)
  })

  it('get statements: what arrived is listed per provider, what is missing says why and when', async () => {
    useReconcile.setState({ date: '2026-11-22' })
    answer = (channel) => {
      if (channel === 'statement-fetch')
        return ok({
          statements: [{ ...STATEMENT, id: 'ST2', provider: 'card', source: 'platform', format: 'adyen_settlement_detail' }],
          missing: [{ provider: 'alipay', date: '2026-11-22', reason: 'not_yet_available', availableAt: '2026-11-23T01:00:00Z', message: 'isp.bill_not_exist' }],
        })
      if (channel === 'statement-list') return ok([{ ...STATEMENT, id: 'ST2', provider: 'card', source: 'platform', format: 'adyen_settlement_detail' }])
      if (channel === 'reconcile-list') return ok([])
      return err('internal', 'no')
    }
    await useReconcile.getState().fetchStatements()
    const html = render(<ReconcileScreen />)
    expect(html).toMatch(/data-testid="reconcile-statement" data-provider="card" data-rows="20" data-source="platform" class="arrived"/)
    expect(text(html)).toContain('Alipay: the bill for Nov 22, 2026 is ready after 9:00 AM on Nov 23.')
    await i18n.changeLanguage('zh-CN')
    expect(text(render(<ReconcileScreen />))).toContain('支付宝：2026年11月22日 的账单 11月23日 09:00 后可下载。')
  })
})

describe('who sees it, and in Chinese', () => {
  it('a cashier is told that only a supervisor or the owner reconciles', () => {
    useApp.setState({ session: { token: 'tok', staff: { id: 'S1', name: '李娜 Li Na', role: 'cashier', active: true } } })
    const html = render(<ReconcileScreen />)
    expect(html).toContain('data-testid="reconcile-not-allowed"')
    expect(html).not.toContain('data-testid="reconcile-run"')
    useApp.setState({ session: { token: 'tok', staff: ZHANG } })
    expect(render(<ReconcileScreen />)).toContain('data-testid="reconcile-run"')
  })

  it('zh-CN: the classes in the words a shop uses, the keys on the buttons', async () => {
    await i18n.changeLanguage('zh-CN')
    useReconcile.setState({ date: '2026-11-22', run: reconciliation(), filter: 'all' })
    const out = text(render(<ReconcileScreen />))
    for (const w of ['对账', '获取账单 F2', '导入账单文件… F3', '开始对账 F4', '渠道有我方无', '我方有渠道无', '金额不符', '状态不符', '日切差异', '短款 ¥2.00', '长款 ¥1.50', '重新查询', '处理…', '已说明']) {
      expect(out).toContain(w)
    }
    expect(out).toContain('48 笔中 42 笔已勾对')
    expect(out).toContain(`支付宝账单为 ${cny(3000)}，收银台为 ${cny(2500)}。`)
    expect(out).toContain('收银台以银行卡收款')
  })

  it('every reconcile string exists in both languages', async () => {
    const { en } = await import('../../src/renderer/src/i18n/en')
    const { zh } = await import('../../src/renderer/src/i18n/zh')
    const keys = (o: unknown, p = ''): string[] =>
      o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => keys(v, p ? `${p}.${k}` : k)) : [p]
    expect(keys(zh.reconcile).sort()).toEqual(keys(en.reconcile).sort())
    for (const k of keys(zh.reconcile)) expect(k.split('.').reduce<unknown>((o, x) => (o as Record<string, unknown>)[x], zh.reconcile), k).not.toBe('')
  })
})

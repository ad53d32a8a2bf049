import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { z } from 'zod'
import { channels, type ChannelName, type Staff } from '../../src/shared/contract'
import type { ErrorData, Result } from '../../src/shared/errors'
import { newId } from '../../src/shared/ids'
import type { Closure, DayBlocker, DayReport, Shift } from '../../src/shared/shifts-contract'

/** What this test uses of the core; loaded at run time (the renderer's tsconfig never sees src/main). */
interface Core {
  handle(raw: unknown): Result<unknown>
  close(): Promise<void>
}
interface Helpers {
  demoCore(now?: () => Date): { core: Core }
  call<T = unknown>(core: Core, channel: string, input: unknown, session?: string): T
  signIn(core: Core, name: string, pin: string): string
}
const { demoCore, call, signIn } = (await import(/* @vite-ignore */ ['..', 'helpers', 'tmp'].join('/'))) as Helpers

/**
 * The end of the day as the screens show it: the denomination grid (typed counts, exact totals,
 * the ¥1 note and the ¥1 coin apart), the blind count (nothing expected on screen before the
 * count is in), the Z's blockers in words, and the X/Z/shift papers — in English and Chinese,
 * against a real core in-process (the api module hands every envelope to core.handle).
 */

let core: Core | null = null
let token: string | null = null

vi.mock('../../src/renderer/src/api', () => ({
  invoke: async (channel: ChannelName, input: unknown): Promise<Result<unknown>> => {
    if (!core) throw new Error('no core')
    const raw = JSON.parse(JSON.stringify(core.handle({ channel, input, ...(token ? { session: token } : {}) }))) as Result<unknown>
    if (!raw.ok) return raw
    const schema: z.ZodType = channels[channel].output
    const parsed = schema.safeParse(raw.value)
    if (!parsed.success) throw new Error(`${channel} answered off-contract: ${JSON.stringify(parsed.error.issues).slice(0, 400)}`)
    return { ok: true, value: parsed.data }
  },
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => token,
  setSessionToken: (t: string | null) => {
    token = t
  },
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const { useApp } = await import('../../src/renderer/src/store')
const { invoke } = await import('../../src/renderer/src/api')
const { describeError } = await import('../../src/renderer/src/lib/errors')
const count = await import('../../src/renderer/src/lib/count')
const { blockerText } = await import('../../src/renderer/src/lib/day')
const { money } = await import('../../src/renderer/src/lib/format')
const { DenominationGrid } = await import('../../src/renderer/src/components/DenominationGrid')
const { ExpectedFigure, RevealedFigures, overShortOf } = await import('../../src/renderer/src/screens/day/CloseShift')
const { BlockerList } = await import('../../src/renderer/src/screens/day/DayScreen')
const { DayPaper, ShiftPaper, fromClosure, fromReport } = await import('../../src/renderer/src/screens/day/Reports')

const get = useApp.getState
const WATER = '6901234500004' // 2.00
const COLA = '6901234537017' // 3.50

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}
function minorOf(html: string, testId: string): number | null {
  const m = new RegExp(`data-minor="(-?\\d+)"[^>]*data-testid="${testId}"|data-testid="${testId}"[^>]*data-minor="(-?\\d+)"`).exec(html)
  return m ? Number(m[1] ?? m[2]) : null
}
const cny = (minor: number) => money(minor, 'CNY', i18n.language === 'zh-CN' ? 'zh-CN' : 'en')

function staffNamed(name: string): Staff {
  const s = call<Staff[]>(core as Core, 'staff-list', {}).find((x) => x.name.includes(name))
  if (!s) throw new Error(`no ${name}`)
  return s
}

async function signInAs(name: string, pin: string): Promise<void> {
  await get().boot()
  expect(await get().signIn(staffNamed(name).id, pin)).toBeNull()
}

/** Opens the shift the way the open-shift dialog does: the grid's draft, as count lines, with a fresh ULID. */
async function openShiftFromDraft(draft: Record<string, string>): Promise<Shift> {
  const lines = count.draftLines('CNY', draft)
  if (!lines) throw new Error('draft not valid')
  const r = await invoke('shift-open', { shiftId: newId(), count: lines })
  if (!r.ok) throw new Error(`shift-open: ${r.error.code}`)
  await get().loadTill()
  return r.value
}

async function cashSale(...codes: string[]): Promise<void> {
  for (const code of codes) expect(await get().lookupBarcode(code)).toBe(true)
  await get().requote()
  expect(await get().pay()).toBeNull()
  const c = get().checkout
  if (!c) throw new Error('no checkout')
  const r = await get().addTender({ flow: 'cash', amount: c.remaining, tendered: c.remaining })
  expect(r.ok).toBe(true)
  await vi.waitFor(() => expect(get().screen).toBe('receipt'))
  get().go('checkout')
}

function reload(): void {
  useApp.setState(useApp.getInitialState(), true)
}

beforeEach(async () => {
  await i18n.changeLanguage('en')
  core = demoCore(() => new Date()).core
  token = null
  reload()
})
afterEach(async () => {
  await core?.close()
  core = null
})

describe('the denomination grid', () => {
  it('CNY: the ¥1 note and the ¥1 coin are two rows, each with its own count and line total', async () => {
    const rows = count.countRows('CNY')
    expect(rows.map((r) => r.key)).toEqual(['note-10000', 'note-5000', 'note-2000', 'note-1000', 'note-500', 'note-100', 'coin-100', 'coin-50', 'coin-10'])
    const draft = { 'note-100': '2', 'coin-100': '3' }
    expect(count.draftLines('CNY', draft)).toEqual([
      { value: 100, kind: 'note', count: 2 },
      { value: 100, kind: 'coin', count: 3 },
    ])
    for (const lang of ['en', 'zh-CN'] as const) {
      await i18n.changeLanguage(lang)
      const html = renderToStaticMarkup(<DenominationGrid currency="CNY" draft={draft} onChange={() => undefined} testId="float" />)
      expect(html).toContain('data-testid="float-row-note-100"')
      expect(html).toContain('data-testid="float-row-coin-100"')
      expect(minorOf(html, 'float-line-note-100')).toBe(200)
      expect(minorOf(html, 'float-line-coin-100')).toBe(300)
      expect(minorOf(html, 'float-total')).toBe(500)
      // what a screen reader (and the title) says tells them apart
      if (lang === 'en') {
        expect(text(html)).toContain('¥1 note')
        expect(text(html)).toContain('¥1 coin')
        expect(text(html)).toContain('Notes')
        expect(text(html)).toContain('Coins')
      } else {
        expect(text(html)).toContain('¥1 纸币')
        expect(text(html)).toContain('¥1 硬币')
        expect(text(html)).toContain('纸币')
        expect(text(html)).toContain('硬币')
      }
    }
  })

  it('typing: digits type the count (the first replaces it), ↑/↓ and Enter move, + and − add or take one; totals exact in minor units', () => {
    const rows = count.countRows('CNY')
    let draft: Record<string, string> = {}
    let focus: { index: number; fresh: boolean } = { index: 0, fresh: true }
    let done = false
    const press = (...keys: string[]) => {
      for (const key of keys) {
        const r = count.gridKey(rows, draft, focus, key)
        if (!r) continue
        if (r.kind === 'edit') {
          draft = { ...draft, [r.key]: r.text }
          focus = r.focus
        } else if (r.kind === 'move') focus = r.focus
        else done = true
      }
    }
    press('1', '2') // ¥100 × 12
    press('ArrowDown', '3') // ¥50 × 3
    press('ArrowUp', '4') // back on ¥100: the first digit replaces the 12
    press('Enter', 'Enter', 'Enter', 'Enter', 'Enter', 'Enter') // down to the ¥1 coin
    press('+', '+', '+', '-') // two ¥1 coins
    press('ArrowDown', '9', 'Backspace', '7') // 5 jiao × 7
    press('Enter', '3') // 1 jiao × 3
    expect(draft).toEqual({ 'note-10000': '4', 'note-5000': '3', 'coin-100': '2', 'coin-50': '7', 'coin-10': '3' })
    expect(done).toBe(false)
    press('Enter')
    expect(done).toBe(true) // past the last row: the count is done
    // 400 + 150 + 2 + 3.50 + 0.30 = 555.80, in integer minor units (no 0.1 + 0.2 drift)
    expect(count.draftTotal('CNY', draft)).toBe(40_000 + 15_000 + 200 + 350 + 30)
    const html = renderToStaticMarkup(<DenominationGrid currency="CNY" draft={draft} onChange={() => undefined} />)
    expect(minorOf(html, 'count-line-coin-10')).toBe(30)
    expect(minorOf(html, 'count-total')).toBe(55_580)
    expect(text(html)).toContain(cny(55_580))
    // Delete clears a row; − never goes below nothing
    focus = { index: 8, fresh: false }
    press('Delete', '-')
    expect(draft['coin-10']).toBe('')
    expect(count.draftTotal('CNY', draft)).toBe(55_550)
  })

  it('what is typed is cleaned to a count; a bad count is marked and gives no total; a currency without a table counts an amount', async () => {
    expect(count.sanitizeCount('007')).toBe('7')
    expect(count.sanitizeCount('1a2b')).toBe('12')
    expect(count.sanitizeCount('12345678')).toBe('123456')
    expect(count.parseCount('1.5')).toBeNull()
    expect(count.parseCount('')).toBe(0)
    expect(count.bumpCount('', -1)).toBe('')
    expect(count.bumpCount('9', 1)).toBe('10')
    expect(count.draftTotal('CNY', { 'note-500': 'x' })).toBeNull()
    const bad = renderToStaticMarkup(<DenominationGrid currency="CNY" draft={{ 'note-500': 'x' }} onChange={() => undefined} />)
    expect(text(bad)).toContain('Not a count')
    expect(text(bad)).toContain('Fix the marked row')
    // 3 × ¥0.10 is exactly 30 fen, and a big count stays exact
    expect(count.draftTotal('CNY', { 'coin-10': '3' })).toBe(30)
    expect(count.draftTotal('CNY', { 'note-10000': '999999', 'coin-10': '999999' })).toBe(999_999 * 10_000 + 999_999 * 10)
    // KRW has no table here: one amount row, typed in won
    expect(count.countRows('KRW')).toEqual([{ key: 'amount', value: 0, kind: 'amount' }])
    expect(count.draftLines('KRW', { amount: '50000' })).toEqual([{ value: 50_000, kind: 'amount', count: 1 }])
    // the core agrees with the grid: the float it records is the grid's total
    await signInAs('Li Na', '1111')
    const draft = { 'note-10000': '1', 'note-2000': '2', 'coin-100': '5', 'coin-50': '3', 'coin-10': '4' }
    const shift = await openShiftFromDraft(draft)
    expect(shift.float).toBe(count.draftTotal('CNY', draft))
    expect(shift.float).toBe(10_000 + 4_000 + 500 + 150 + 40)
    expect(get().till?.shift).toMatchObject({ id: shift.id, float: shift.float, holder: { name: '李娜 Li Na' } })
  })
})

describe('blind count', () => {
  it('hides what the drawer should hold until the count is in; then shows expected, counted and the difference', async () => {
    const owner = signIn(core as Core, 'Wang Fang', '9999')
    const settings = call<Record<string, unknown>>(core as Core, 'settings-get', {}, owner)
    call(core as Core, 'settings-update', { ...settings, blindCount: true }, owner)

    await signInAs('Li Na', '1111')
    expect(get().till?.blindCount).toBe(true)
    const opened = await openShiftFromDraft({ 'note-10000': '2' })
    await cashSale(WATER, COLA) // 5.50 cash
    const r = await invoke('shift-get', { shiftId: opened.id })
    if (!r.ok) throw new Error(r.error.code)
    const shift = r.value
    // the core does not send the expected amount while the count is blind
    expect(shift.expected).toBeNull()
    const expected = 20_000 + 550

    for (const lang of ['en', 'zh-CN'] as const) {
      await i18n.changeLanguage(lang)
      const html = renderToStaticMarkup(<ExpectedFigure blind={get().till?.blindCount ?? false} expected={shift.expected} counted={20_000} currency="CNY" />)
      expect(html).toContain('data-testid="blind-note"')
      expect(html).not.toContain('close-expected')
      expect(html).not.toContain('close-live-difference')
      expect(text(html)).not.toContain(cny(expected))
      expect(text(html)).toBe(lang === 'en' ? 'Blind count: what the drawer should hold is shown once your count is in.' : '盲点：提交清点结果后才显示钱箱应有金额。')
    }

    // nor does the X: the takings add up to what is expected, so the cashier's X hides them
    await i18n.changeLanguage('en')
    const x = await invoke('day-x', {})
    if (!x.ok) throw new Error(x.error.code)
    expect(x.value).toMatchObject({ figures: null, periodTotal: null, grandTotal: null })
    const xHtml = renderToStaticMarkup(<DayPaper data={fromReport(x.value)} format="80mm" settings={get().settings} />)
    expect(xHtml).toContain('data-testid="blind-hidden"')
    expect(text(xHtml)).toContain('Hidden until the count is in (blind count)')
    expect(text(xHtml)).not.toContain(cny(expected))

    // the count goes in, ¥2.00 short: over the ¥1.00 threshold, refused, and the refusal still says
    // nothing of what was expected (the core keeps this first count; the report shows it after the close)
    await i18n.changeLanguage('en')
    const lines = count.draftLines('CNY', { 'note-10000': '2', 'note-100': '3', 'coin-50': '1' }) ?? []
    const closed = await invoke('shift-close', { shiftId: shift.id, count: lines, left: 10_000 })
    expect(!closed.ok && closed.error.code).toBe('approval_required')
    expect(!closed.ok && closed.error.details).toEqual({ counted: expected - 200, threshold: 100, blind: true })
    expect(overShortOf(!closed.ok ? closed.error.details : null)).toBeNull()
    // what the supervisor is shown when approving (a non-blind refusal carries the same figures)
    const diff = { expected, counted: expected - 200, overShort: -200, threshold: 100 }
    const shown = renderToStaticMarkup(<RevealedFigures diff={diff} currency="CNY" />)
    expect(minorOf(shown, 'close-expected')).toBe(expected)
    expect(minorOf(shown, 'close-counted')).toBe(expected - 200)
    expect(text(shown)).toContain(`Short by ${cny(200)}`)
    expect(text(shown)).toContain(`More than the store allows (${cny(100)})`)
    await i18n.changeLanguage('zh-CN')
    expect(text(renderToStaticMarkup(<RevealedFigures diff={diff} currency="CNY" />))).toContain(`短款 ${cny(200)}`)
  })

  it('without blind count the expected amount is on screen while counting, with the difference as it stands', async () => {
    await signInAs('Li Na', '1111')
    expect(get().till?.blindCount).toBe(false)
    const opened = await openShiftFromDraft({ 'note-10000': '1' })
    const r = await invoke('shift-get', { shiftId: opened.id })
    if (!r.ok) throw new Error(r.error.code)
    expect(r.value.expected).toBe(10_000)
    const html = renderToStaticMarkup(<ExpectedFigure blind={false} expected={r.value.expected} counted={9_900} currency="CNY" />)
    expect(minorOf(html, 'close-expected')).toBe(10_000)
    expect(minorOf(html, 'close-live-difference')).toBe(-100)
    expect(html).not.toContain('blind-note')
  })
})

describe('who holds the shift', () => {
  it('a supervisor takes over the cashier’s shift (recorded); she then cannot move its cash, and is told why in words', async () => {
    await signInAs('Li Na', '1111')
    const opened = await openShiftFromDraft({ 'note-10000': '1' })
    await get().signOut('switch')
    await signInAs('Zhang Wei', '2222')
    expect(get().till?.shift?.holder.name).toBe('李娜 Li Na')
    const r = await invoke('shift-takeover', { shiftId: opened.id })
    if (!r.ok) throw new Error(r.error.code)
    expect(r.value.holder.name).toBe('张伟 Zhang Wei')
    expect(r.value.openedBy.name).toBe('李娜 Li Na')
    await get().loadTill()
    expect(get().till?.shift?.holder.name).toBe('张伟 Zhang Wei')

    await get().signOut('switch')
    await signInAs('Li Na', '1111')
    const refused = await invoke('cash-move', { movementId: newId(), kind: 'pay_in', amount: 500, reason: 'change_float', note: '' })
    expect(!refused.ok && refused.error.code).toBe('forbidden')
    if (refused.ok) return
    expect(describeError(i18n.t.bind(i18n), refused.error)).toBe('This shift belongs to 张伟 Zhang Wei. Ask a supervisor to take it over.')
    await i18n.changeLanguage('zh-CN')
    expect(describeError(i18n.t.bind(i18n), refused.error)).toBe('此班次属于 张伟 Zhang Wei。请主管接班。')
  })
})

describe('closing the day: the blockers in words, the Z on paper', () => {
  it('names each thing that stops the Z — the open shift with who and since when, the sale being paid — in English and Chinese', async () => {
    await signInAs('Li Na', '1111')
    await openShiftFromDraft({ 'note-10000': '1' })
    for (const code of [WATER]) expect(await get().lookupBarcode(code)).toBe(true)
    await get().requote()
    await get().pay() // a sale left in the pay view
    const x = await invoke('day-x', {})
    if (!x.ok) throw new Error(x.error.code)
    expect(x.value.blockers.map((b) => b.kind).sort()).toEqual(['open_checkout', 'open_shift'])

    const sup = signIn(core as Core, 'Zhang Wei', '2222')
    const refused = (core as Core).handle({ channel: 'day-close', input: { closureId: newId() }, session: sup })
    expect(!refused.ok && refused.error.code).toBe('day_blocked')
    const error = (!refused.ok ? refused.error : null) as ErrorData
    const blockers = (error.details as { blockers: DayBlocker[] }).blockers
    expect(blockers).toHaveLength(2)

    await i18n.changeLanguage('en')
    let html = text(renderToStaticMarkup(<BlockerList blockers={blockers} x={x.value} />))
    expect(html).toMatch(/The shift of 李娜 Li Na is still open \(since .+\)\./)
    expect(html).toContain(`A sale of ${cny(200)} is still being paid at the checkout.`)
    expect(html).toContain('Close the shift first (count the drawer).')
    expect(describeError(i18n.t.bind(i18n), error)).toBe('The day cannot be closed yet: 2 things are still open (listed here).')

    await i18n.changeLanguage('zh-CN')
    html = text(renderToStaticMarkup(<BlockerList blockers={blockers} x={x.value} />))
    expect(html).toMatch(/李娜 Li Na 的班次仍未交班（.+ 起）。/)
    expect(html).toContain(`收银台上还有一笔 ${cny(200)} 的销售正在付款。`)
    expect(describeError(i18n.t.bind(i18n), error)).toBe('暂时不能日结：还有 2 项未完成（见下方列表）。')
  })

  it('words for unsettled payments, refunds and voids (method and amount)', async () => {
    const money = (m: number) => `¥${(m / 100).toFixed(2)}`
    const w = { money, time: (iso: string) => iso }
    const attempt: DayBlocker = { kind: 'unresolved_attempt', id: 'a1', label: 'unknown', method: 'card', amount: 1234 }
    const refund: DayBlocker = { kind: 'unresolved_refund', id: 'r1', label: 'T01-20261122-0007', method: 'alipay', amount: 500 }
    const voiding: DayBlocker = { kind: 'unresolved_void', id: 'v1', label: 'voiding', method: 'wechat', amount: 880 }
    await i18n.changeLanguage('en')
    const t = i18n.t.bind(i18n)
    expect(blockerText(t, attempt, w)).toBe('Payment not settled yet: Card ¥12.34 (outcome unknown, being checked).')
    expect(blockerText(t, refund, w)).toBe('Refund not confirmed yet: Alipay ¥5.00 on receipt T01-20261122-0007.')
    expect(blockerText(t, voiding, w)).toBe('A voided sale is still giving back ¥8.80 (WeChat Pay).')
    await i18n.changeLanguage('zh-CN')
    const tz = i18n.t.bind(i18n)
    expect(blockerText(tz, attempt, w)).toBe('一笔 ¥12.34 的银行卡付款尚未确定（结果未知，正在查询）。')
    expect(blockerText(tz, refund, w)).toBe('小票 T01-20261122-0007 上一笔 ¥5.00 的支付宝退款尚未确认。')
    expect(blockerText(tz, voiding, w)).toBe('一笔已作废的销售仍在退还 ¥8.80（微信支付）。')
  })

  it('a day from the float to the Z: pay-out over the limit approved, shift closed short with a reason, the Z on paper equals the X', async () => {
    const owner = signIn(core as Core, 'Wang Fang', '9999')
    const settings = call<Record<string, unknown>>(core as Core, 'settings-get', {}, owner)
    call(core as Core, 'settings-update', { ...settings, cashMovementApprovalLimit: 500 }, owner)

    await signInAs('Li Na', '1111')
    const shift = await openShiftFromDraft({ 'note-10000': '1', 'note-5000': '1' })
    await cashSale(WATER)
    await cashSale(COLA)
    // a pay-out of ¥8.00 is over the ¥5.00 limit: refused, said in words, approved, posted
    const movementId = newId()
    const first = await invoke('cash-move', { movementId, kind: 'pay_out', amount: 800, reason: 'petty_expense', note: 'milk' })
    expect(!first.ok && first.error.code).toBe('approval_required')
    if (!first.ok) expect(describeError(i18n.t.bind(i18n), first.error, { approvalFor: 'cash_movement' })).toBe('This cash movement is over the store limit: a supervisor must approve it.')
    const grant = await invoke('approval-grant', { staffId: staffNamed('Zhang Wei').id, pin: '2222', reason: 'cash_movement', amount: 800 })
    if (!grant.ok) throw new Error(grant.error.code)
    const moved = await invoke('cash-move', { movementId, kind: 'pay_out', amount: 800, reason: 'petty_expense', note: 'milk', approvalId: grant.value.approvalId })
    expect(moved.ok && moved.value.approvedBy?.name).toBe('张伟 Zhang Wei')

    // ¥150 + 2.00 + 3.50 − 8.00 = ¥147.50 expected; ¥145.50 counted: ¥2.00 short, a reason and a PIN
    const lines = count.draftLines('CNY', { 'note-10000': '1', 'note-2000': '2', 'note-500': '1', 'coin-50': '1' }) ?? []
    expect(lines.reduce((s, l) => s + l.value * l.count, 0)).toBe(14_550)
    const refused = await invoke('shift-close', { shiftId: shift.id, count: lines, left: 10_000 })
    expect(!refused.ok && overShortOf(refused.error.details)).toEqual({ expected: 14_750, counted: 14_550, overShort: -200, threshold: 100 })
    const ok = await invoke('approval-grant', { staffId: staffNamed('Zhang Wei').id, pin: '2222', reason: 'over_short', amount: 200 })
    if (!ok.ok) throw new Error(ok.error.code)
    const closed = await invoke('shift-close', { shiftId: shift.id, count: lines, left: 10_000, reason: 'Wrong change given', approvalId: ok.value.approvalId })
    if (!closed.ok) throw new Error(closed.error.code)
    const report = renderToStaticMarkup(<ShiftPaper shift={closed.value} format="80mm" settings={get().settings} storeName="Daybook Mart" />)
    expect(minorOf(report, 'shift-expected')).toBe(14_750)
    expect(minorOf(report, 'shift-counted')).toBe(14_550)
    expect(report).toMatch(/data-signed="-200"/)
    expect(text(report)).toContain(`Short ${cny(200)}`)
    expect(text(report)).toContain('Wrong change given')
    expect(text(report)).toContain('张伟 Zhang Wei')
    expect(minorOf(report, 'shift-left')).toBe(10_000)
    expect(minorOf(report, 'shift-to-safe')).toBe(4_550)

    // the X and then the Z
    const x = await invoke('day-x', {})
    if (!x.ok) throw new Error(x.error.code)
    expect(x.value.blockers).toEqual([])
    const xHtml = renderToStaticMarkup(<DayPaper data={fromReport(x.value)} format="80mm" settings={get().settings} />)
    expect(text(xHtml)).toContain('X — NOT A CLOSURE')
    expect(xHtml).not.toContain('z-mark')

    const sup = signIn(core as Core, 'Zhang Wei', '2222')
    const z = call<Closure>(core as Core, 'day-close', { closureId: newId() }, sup)
    for (const lang of ['en', 'zh-CN'] as const) {
      await i18n.changeLanguage(lang)
      const html = renderToStaticMarkup(<DayPaper data={fromClosure(z)} format="a4" settings={get().settings} />)
      expect(html).toContain('data-testid="z-report"')
      expect(html).toContain('data-format="a4"')
      expect(html).not.toContain('x-mark')
      expect(text(html)).toContain(lang === 'en' ? 'Z REPORT · CLOSURE NO. 1' : 'Z 报表 · 第 1 号日结')
      expect(text(html)).toContain(z.lastHash.slice(0, 12))
      expect(text(html)).toContain(`${z.firstSeq}–${z.lastSeq}`)
      expect(minorOf(html, 'report-net')).toBe(550)
      expect(minorOf(html, 'report-over-short')).toBe(-200)
      expect(minorOf(html, 'report-cash-payouts')).toBe(800)
      expect(minorOf(html, 'report-grand-total')).toBe(z.grandTotal)
      expect(minorOf(html, 'report-period-total')).toBe(z.periodTotal)
      expect(html).toMatch(/data-testid="report-tender" data-method="cash" data-sales="550" data-refunds="0" data-net="550"/)
      expect(html).toMatch(/data-testid="report-tax" data-tax-id="vat13" data-rate="13"/)
      expect(html).not.toContain('z-duplicate')
    }
    // the Z's figures are the X's figures the moment before
    expect(z.figures).toEqual(x.value.figures)
    // a reprint from the list says DUPLICATE
    expect(renderToStaticMarkup(<DayPaper data={fromClosure(z)} format="80mm" settings={null} duplicate />)).toContain('z-duplicate')
    const xAgain = await invoke('day-x', {})
    expect(xAgain.ok && (xAgain.value as DayReport).previousGrandTotal).toBe(z.grandTotal)
  })
})

import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { z } from 'zod'
import { channels, type CartQuote, type ChannelName, type Staff } from '../../src/shared/contract'
import { DISPLAY_MAX_LINES, DisplaySetSchema, type DisplayState } from '../../src/shared/display-contract'
import type { Result } from '../../src/shared/errors'
import { newId } from '../../src/shared/ids'

/** What this test uses of the core; loaded at run time (the renderer's tsconfig never sees src/main). */
interface Core {
  handle(raw: unknown): Result<unknown>
  close(): Promise<void>
}
interface Helpers {
  demoCore(now?: () => Date): { core: Core }
  call<T = unknown>(core: Core, channel: string, input: unknown, session?: string): T
}
const { demoCore, call } = (await import(/* @vite-ignore */ ['..', 'helpers', 'tmp'].join('/'))) as Helpers

/**
 * The customer display: the till's store feeds it the priced cart as it is built, a thank-you with
 * the change after the sale, and the welcome when a cart is dropped (display-set, against a real
 * core in-process); the display chooses what to show (the sale being paid first) and draws the
 * cart and the thank-you in English and Chinese.
 */

let core: Core | null = null
let token: string | null = null
const sent: unknown[] = []

vi.mock('../../src/renderer/src/api', () => ({
  invoke: async (channel: ChannelName, input: unknown): Promise<Result<unknown>> => {
    if (!core) throw new Error('no core')
    if (channel === 'display-set') sent.push(input)
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
const { displayCart, displayUpdate, wireDisplayFeed, DISPLAY_DEBOUNCE_MS } = await import('../../src/renderer/src/store/display')
const { CustomerDisplayView, chooseView, CART_LINES_SHOWN } = await import('../../src/renderer/src/screens/CustomerDisplay')

const get = useApp.getState
const WATER = '6901234500004' // 2.00
const COLA = '6901234537017' // 3.50
const NOW = Date.parse('2026-11-22T03:00:00Z')

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

function staffNamed(name: string): Staff {
  const s = call<Staff[]>(core as Core, 'staff-list', {}).find((x) => x.name.includes(name))
  if (!s) throw new Error(`no ${name}`)
  return s
}

function displayState(): DisplayState {
  return call<DisplayState>(core as Core, 'display-get', {})
}

const initial = useApp.getState()

beforeEach(async () => {
  core = demoCore(() => new Date(NOW)).core
  token = null
  sent.length = 0
  useApp.setState(initial, true)
  await i18n.changeLanguage('en')
  await get().boot()
  expect(await get().signIn(staffNamed('Li Na').id, '1111')).toBeNull()
})

afterEach(async () => {
  await core?.close()
  core = null
})

function quoteOf(n: number): CartQuote {
  const base = get().quote
  if (!base) throw new Error('no quote')
  const line = base.lines[0]
  if (!line) throw new Error('no line')
  return { ...base, lines: Array.from({ length: n }, (_, i) => ({ ...line, lineNo: i + 1, nameEn: i === 0 ? 'x'.repeat(300) : line.nameEn })), lineDiscounts: 30, orderDiscount: 20 }
}

describe('what the till tells the display', () => {
  it('the priced cart, bounded: the newest lines, the rest counted, long names cut, discounts summed; valid for the contract', async () => {
    expect(await get().lookupBarcode(COLA)).toBe(true)
    await get().requote()
    const one = displayCart(get().quote)
    expect(one?.cart).toMatchObject({ currency: 'CNY', more: 0, discount: 0, total: 350, lines: [{ nameEn: 'Coca-Cola 330ml Can', nameZh: '可口可乐 330ml 罐装', quantity: '1', unit: 'each', amount: 350 }] })
    const many = displayCart(quoteOf(DISPLAY_MAX_LINES + 7))
    expect(many?.cart.lines).toHaveLength(DISPLAY_MAX_LINES)
    expect(many?.cart.more).toBe(7)
    expect(many?.cart.discount).toBe(50)
    expect(DisplaySetSchema.safeParse(many).success).toBe(true)
    const long = displayCart(quoteOf(1))
    expect(long?.cart.lines[0]?.nameEn.length).toBe(120)
    expect(long?.cart.lines[0]?.nameEn.endsWith('…')).toBe(true)
    expect(DisplaySetSchema.safeParse(long).success).toBe(true)
    expect(displayCart(null)).toBeNull()
  })

  it('decides when to speak: the cart once its quote is in, the thank-you once per sale, the welcome when a cart is dropped', async () => {
    expect(displayUpdate(get(), null, null)).toEqual({ kind: 'idle' })
    expect(displayUpdate({ ...get(), session: null }, null, null)).toBeUndefined()
    expect(await get().lookupBarcode(WATER)).toBe(true)
    // the quote of the cart before this line is not the cart's: wait for the next
    expect(displayUpdate({ ...get(), quote: null }, 'idle', null)).toBeUndefined()
    await get().requote()
    expect(displayUpdate(get(), 'idle', null)).toMatchObject({ kind: 'cart', cart: { total: 200 } })
    get().clearCart()
    expect(displayUpdate(get(), 'cart', null)).toEqual({ kind: 'idle' })
    expect(displayUpdate(get(), 'idle', null)).toBeUndefined()
  })

  it('feeds the core through a whole cash sale: the cart as scanned, then thank-you with the change (debounced, no repeats)', async () => {
    call(core as Core, 'shift-open', { shiftId: newId(), count: [{ value: 10_000, kind: 'note', count: 1 }] }, token ?? undefined)
    await get().loadTill()
    vi.useFakeTimers()
    try {
      wireDisplayFeed(useApp)
      await vi.advanceTimersByTimeAsync(DISPLAY_DEBOUNCE_MS + 10)
      expect(displayState().kind).toBe('idle')
      // a burst of scans is one update
      expect(await get().lookupBarcode(WATER)).toBe(true)
      expect(await get().lookupBarcode(COLA)).toBe(true)
      expect(await get().lookupBarcode(COLA)).toBe(true)
      await get().requote()
      await vi.advanceTimersByTimeAsync(DISPLAY_DEBOUNCE_MS + 10)
      const cart = displayState()
      expect(cart).toMatchObject({ kind: 'cart', cart: { total: 900, lines: [{ nameEn: 'Nongfu Spring Water 550ml', quantity: '1', amount: 200 }, { nameEn: 'Coca-Cola 330ml Can', quantity: '2', amount: 700 }] } })
      const cartsSent = sent.filter((x) => (x as { kind: string }).kind === 'cart').length
      expect(cartsSent).toBe(1)

      // pay ¥10.00 cash for ¥9.00: the display thanks and shows ¥1.00 change
      expect(await get().pay()).toBeNull()
      const c = get().checkout
      if (!c) throw new Error('no checkout')
      expect((await get().addTender({ flow: 'cash', amount: c.remaining, tendered: 1_000 })).ok).toBe(true)
      await vi.waitFor(() => expect(get().screen).toBe('receipt'))
      await vi.advanceTimersByTimeAsync(DISPLAY_DEBOUNCE_MS + 10)
      expect(displayState()).toMatchObject({ kind: 'thanks', thanks: { currency: 'CNY', total: 900, change: 100 } })
      // back to the checkout with an empty cart: the thank-you stays (the core turns it idle in time)
      get().go('checkout')
      await vi.advanceTimersByTimeAsync(DISPLAY_DEBOUNCE_MS + 10)
      expect(displayState().kind).toBe('thanks')
      expect(sent.filter((x) => (x as { kind: string }).kind === 'thanks')).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('what the display shows', () => {
  const cart = {
    currency: 'CNY',
    lines: Array.from({ length: 14 }, (_, i) => ({ nameZh: `商品${i + 1}`, nameEn: `Item ${i + 1}`, quantity: i === 13 ? '0.350' : '1', unit: i === 13 ? ('kg' as const) : ('each' as const), amount: 100 + i })),
    more: 2,
    discount: 150,
    total: 4_321,
  }
  const state = (over: Partial<DisplayState> & Pick<DisplayState, 'kind'>): DisplayState => ({ seq: 1, at: new Date(NOW).toISOString(), ...over }) as DisplayState

  it('chooses: the sale being paid, then the thank-you, then the cart, then a sale it saw end, else the welcome', () => {
    const checkout = { id: 'c1' } as never
    expect(chooseView(checkout, state({ kind: 'cart', cart }), null, true).kind).toBe('checkout')
    expect(chooseView(null, state({ kind: 'thanks', thanks: { currency: 'CNY', total: 1, change: 0 } }), checkout, true).kind).toBe('thanks')
    expect(chooseView(null, state({ kind: 'cart', cart }), checkout, true).kind).toBe('cart')
    expect(chooseView(null, state({ kind: 'idle' }), checkout, true).kind).toBe('done')
    expect(chooseView(null, state({ kind: 'idle' }), null, true).kind).toBe('idle')
    // signed out, the display still shows the till's cart
    expect(chooseView(null, state({ kind: 'cart', cart }), null, false).kind).toBe('cart')
    expect(chooseView(null, null, null, false).kind).toBe('signed-out')
  })

  it('draws the cart: the newest lines with quantities and amounts, how many more, the item count, savings and the total', async () => {
    const html = renderToStaticMarkup(<CustomerDisplayView storeName="Daybook Mart" view={{ kind: 'cart', cart }} now={NOW} />)
    const s = text(html)
    expect(html.match(/data-testid="cd-line"/g)).toHaveLength(CART_LINES_SHOWN)
    expect(s).toContain('…and 8 more lines') // 2 not sent + 6 not shown
    expect(s).not.toContain('Item 6 ')
    expect(s).toContain('Item 7 × 1 CN¥1.06')
    expect(s).toContain('Item 14 0.350 kg CN¥1.13')
    expect(s).toContain('16 items')
    expect(s).toContain('You save CN¥1.50')
    expect(s).toContain('Total CN¥43.21')
    expect(html).toMatch(/class="cd-line newest"/)
    await i18n.changeLanguage('zh-CN')
    const zh = text(renderToStaticMarkup(<CustomerDisplayView storeName="日记本便利店" view={{ kind: 'cart', cart }} now={NOW} />))
    expect(zh).toContain('商品14 0.350 kg ¥1.13')
    expect(zh).toContain('16 件商品')
    expect(zh).toContain('已优惠 ¥1.50')
    expect(zh).toContain('…还有 8 行')
  })

  it('thanks the customer with the change, in both languages; no change line when there is none', async () => {
    const view = { kind: 'thanks' as const, thanks: { currency: 'CNY', total: 900, change: 100 } }
    const en = text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={view} now={NOW} />))
    expect(en).toContain('Thank you!')
    expect(en).toContain('Total paid CN¥9.00')
    expect(en).toContain('Your change CN¥1.00')
    const exact = text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={{ ...view, thanks: { ...view.thanks, change: 0 } }} now={NOW} />))
    expect(exact).not.toContain('Your change')
    await i18n.changeLanguage('zh-CN')
    const zh = text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={view} now={NOW} />))
    expect(zh).toContain('谢谢惠顾！')
    expect(zh).toContain('找零 ¥1.00')
  })

  it('reads what the till set, signed out too (display-get needs no session)', async () => {
    await invoke('display-set', { kind: 'cart', cart: { ...cart, lines: cart.lines.slice(0, 2) } })
    token = null
    const r = await invoke('display-get', {})
    expect(r.ok && r.value.kind === 'cart' && r.value.cart.total).toBe(4_321)
  })
})

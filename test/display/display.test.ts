import { describe, expect, it } from 'vitest'
import type { EventName } from '../../src/shared/contract'
import { DISPLAY_MAX_LINES, DISPLAY_THANKS_MS, type DisplayState } from '../../src/shared/display-contract'
import { call, demoCore, signIn } from '../helpers/tmp'

/**
 * The customer display's channels on a real core: the till sets what the customer sees (staff
 * only), the display reads it without a session, every change is announced with display-changed,
 * a thank-you turns idle after a while, and anything off the contract is refused and changes nothing.
 */

const line = (i: number) => ({ nameZh: `商品${i}`, nameEn: `Item ${i}`, quantity: '1', unit: 'each' as const, amount: 350 })
const cart = (n = 2) => ({ currency: 'CNY', lines: Array.from({ length: n }, (_, i) => line(i)), more: 0, discount: 0, total: 350 * n })

function setup() {
  let now = Date.parse('2026-11-22T03:00:00Z')
  const { core } = demoCore(() => new Date(now))
  const events: { name: EventName; payload: unknown }[] = []
  core.onEvent((name, payload) => events.push({ name, payload }))
  const token = signIn(core, 'Li Na', '1111')
  return { core, token, events, advance: (ms: number) => (now += ms) }
}

describe('the customer display channels', () => {
  it('starts idle; the display may read it signed out', () => {
    const { core } = setup()
    const s = call<DisplayState>(core, 'display-get', {})
    expect(s.kind).toBe('idle')
    expect(s.seq).toBe(0)
  })

  it('keeps the cart the till sends, numbers each change and announces it', () => {
    const { core, token, events } = setup()
    const a = call<DisplayState>(core, 'display-set', { kind: 'cart', cart: cart(2) }, token)
    expect(a).toMatchObject({ kind: 'cart', seq: 1, cart: { total: 700 } })
    expect(call<DisplayState>(core, 'display-get', {})).toEqual(a)
    const b = call<DisplayState>(core, 'display-set', { kind: 'cart', cart: cart(3) }, token)
    expect(b.seq).toBe(2)
    expect(events.filter((e) => e.name === 'display-changed').map((e) => e.payload)).toEqual([{ seq: 1 }, { seq: 2 }])
    call(core, 'display-set', { kind: 'idle' }, token)
    expect(call<DisplayState>(core, 'display-get', {})).toMatchObject({ kind: 'idle', seq: 3 })
  })

  it('shows the thank-you with the change, then greets the next customer', () => {
    const { core, token, advance } = setup()
    call(core, 'display-set', { kind: 'thanks', thanks: { currency: 'CNY', total: 930, change: 70 } }, token)
    expect(call<DisplayState>(core, 'display-get', {})).toMatchObject({ kind: 'thanks', thanks: { total: 930, change: 70 } })
    advance(DISPLAY_THANKS_MS - 1_000)
    expect(call<DisplayState>(core, 'display-get', {}).kind).toBe('thanks')
    advance(2_000)
    expect(call<DisplayState>(core, 'display-get', {})).toMatchObject({ kind: 'idle', seq: 1 })
  })

  it('only staff may set it', () => {
    const { core } = setup()
    const r = core.handle({ channel: 'display-set', input: { kind: 'idle' } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('not_signed_in')
    expect(call<DisplayState>(core, 'display-get', {}).seq).toBe(0)
  })

  it('refuses what is off the contract and keeps what it had', () => {
    const { core, token } = setup()
    call(core, 'display-set', { kind: 'cart', cart: cart(1) }, token)
    const bad: unknown[] = [
      { kind: 'cart', cart: cart(DISPLAY_MAX_LINES + 1) },
      { kind: 'cart', cart: { ...cart(1), total: 1.5 } },
      { kind: 'cart', cart: { ...cart(1), total: -1 } },
      { kind: 'cart', cart: { ...cart(1), currency: 'XXX' } },
      { kind: 'cart', cart: { ...cart(1), lines: [{ ...line(1), nameEn: 'x'.repeat(500) }] } },
      { kind: 'cart', cart: { ...cart(1), lines: [{ ...line(1), quantity: '1e9' }] } },
      { kind: 'cart', cart: { ...cart(1), lines: [{ ...line(1), extra: true }] } },
      { kind: 'cart', cart: { ...cart(1), more: -2 } },
      { kind: 'thanks', thanks: { currency: 'CNY', total: 100, change: Number.NaN } },
      { kind: 'party' },
      null,
    ]
    for (const input of bad) {
      const r = core.handle({ channel: 'display-set', input, session: token })
      expect(r.ok, JSON.stringify(input)?.slice(0, 80)).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid_input')
    }
    expect(call<DisplayState>(core, 'display-get', {})).toMatchObject({ kind: 'cart', seq: 1, cart: { total: 350 } })
  })
})

import { describe, expect, it } from 'vitest'
import type { Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { call, demoCore, signIn } from '../helpers/tmp'

/** Every bad input gets a clear, typed error and changes nothing. */
function ledgerFingerprint(core: ReturnType<typeof demoCore>['core']): string {
  const tables = ['orders', 'order_lines', 'order_tenders', 'journal', 'outbox', 'parked_carts', 'settings', 'staff']
  return tables.map((t) => `${t}:${JSON.stringify(core.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all())}`).join('|')
}

const line = (over: Record<string, unknown>) => ({ productId: 'p1002', quantity: '1', ...over })
const HUGE = 'x'.repeat(10 * 1024 * 1024)

describe('bad input at the core boundary', () => {
  const saleCases: [string, unknown, string][] = [
    ['quantity 0', { lines: [line({ quantity: '0' })] }, 'invalid_input'],
    ['quantity 0.000', { lines: [line({ quantity: '0.000' })] }, 'invalid_input'],
    ['negative quantity', { lines: [line({ quantity: '-1' })] }, 'invalid_input'],
    ['quantity NaN', { lines: [line({ quantity: 'NaN' })] }, 'invalid_input'],
    ['quantity as a number', { lines: [line({ quantity: 1 })] }, 'invalid_input'],
    ['quantity 1e400', { lines: [line({ quantity: '1e400' })] }, 'invalid_input'],
    ['quantity with 4 decimals', { lines: [line({ quantity: '1.2345' })] }, 'invalid_input'],
    ['fractional quantity of a piece product', { lines: [line({ quantity: '1.5' })] }, 'invalid_input'],
    ['unknown product', { lines: [line({ productId: 'nope' })] }, 'unknown_product'],
    ['product id of 10 MB', { lines: [line({ productId: HUGE })] }, 'invalid_input'],
    ['a price sent by the screen', { lines: [line({ unitPrice: 1 })] }, 'invalid_input'],
    ['discount amount with decimals', { lines: [line({ discount: { kind: 'amount', amount: 10.5 } })] }, 'invalid_input'],
    ['discount amount NaN', { lines: [line({ discount: { kind: 'amount', amount: Number.NaN } })] }, 'invalid_input'],
    ['discount amount Infinity', { lines: [line({ discount: { kind: 'amount', amount: Number.POSITIVE_INFINITY } })] }, 'invalid_input'],
    ['negative discount', { lines: [line({ discount: { kind: 'amount', amount: -5 } })] }, 'invalid_input'],
    ['discount above the line', { lines: [line({ discount: { kind: 'amount', amount: 351 } })] }, 'invalid_input'],
    ['percent above 100', { lines: [line({ discount: { kind: 'percent', percent: '100.01' } })] }, 'invalid_input'],
    ['percent with 3 decimals', { lines: [line({ discount: { kind: 'percent', percent: '5.125' } })] }, 'invalid_input'],
    ['order discount above the cart', { lines: [line({})], orderDiscount: { kind: 'amount', amount: 351 } }, 'invalid_input'],
    ['lines not an array', { lines: 'p1002' }, 'invalid_input'],
    ['501 lines', { lines: Array.from({ length: 501 }, () => line({})) }, 'invalid_input'],
  ]

  it.each(saleCases.map(([name, cart, code]) => ({ name, cart, code })))('sale with $name → $code, nothing written', ({ cart, code }) => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const before = ledgerFingerprint(core)
    const r = core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart, cashTendered: 100_000 }, session: tok })
    expect(r).toMatchObject({ ok: false, error: { code } })
    if (!r.ok) expect(r.error.message.length).toBeGreaterThan(5)
    expect(ledgerFingerprint(core)).toBe(before)
  })

  const cashCases: [string, unknown][] = [
    ['negative cash', -100],
    ['cash with decimals', 10.5],
    ['cash NaN', Number.NaN],
    ['cash 1e400 (Infinity)', 1e400],
    ['cash beyond a trillion', 2 ** 60],
    ['cash as text', '1000'],
  ]
  it.each(cashCases.map(([name, cash]) => ({ name, cash })))('$name → invalid_input, nothing written', ({ cash }) => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const before = ledgerFingerprint(core)
    const r = core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [line({})] }, cashTendered: cash }, session: tok })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(ledgerFingerprint(core)).toBe(before)
  })

  it('rejects malformed envelopes and unknown channels with a typed error', () => {
    const { core } = demoCore()
    for (const raw of [null, 42, 'sale-complete', [], { channel: 7 }, { channel: 'x'.repeat(100) }, { channel: 'app-info', input: {}, extra: 1 }]) {
      expect(core.handle(raw)).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
    expect(core.handle({ channel: 'order-drop', input: {} })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    expect(core.handle({ channel: '__proto__', input: {} })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    expect(core.handle({ channel: 'constructor', input: {} })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
  })

  it('rejects a forged session token', () => {
    const { core } = demoCore()
    expect(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [line({})] }, cashTendered: 500 }, session: 'forged' })).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    })
  })

  it('rejects bad settings and keeps the old ones', () => {
    const { core } = demoCore()
    const owner = signIn(core, 'Wang Fang', '9999')
    const s = call<Settings>(core, 'settings-get', {}, owner)
    const before = ledgerFingerprint(core)
    const bad: [string, unknown][] = [
      ['unknown currency', { ...s, currency: 'XXX' }],
      ['unknown time zone', { ...s, timeZone: 'Mars/Olympus' }],
      ['cut-off 24', { ...s, businessDayCutoffHour: 24 }],
      ['tax rate 100', { ...s, taxes: [{ id: 'vat13', name: 'VAT', rate: '100' }, s.taxes[1]] }],
      ['class with unknown tax', { ...s, taxClasses: [{ id: 'std', name: 'S', taxIds: ['nope'] }, s.taxClasses[1]] }],
      ['removing a class products use', { ...s, taxClasses: [s.taxClasses[0]] }],
      ['store name of 10 MB', { ...s, storeName: HUGE }],
      ['cash increment 0', { ...s, cashRounding: { increment: 0, mode: 'down' } }],
      ['rounding mode bankers', { ...s, roundingMode: 'bankers' }],
    ]
    for (const [name, input] of bad) {
      const r = core.handle({ channel: 'settings-update', input, session: owner })
      expect(r.ok, name).toBe(false)
      if (!r.ok) expect(r.error.code, name).toBe('invalid_input')
    }
    expect(ledgerFingerprint(core)).toBe(before)
  })

  it('rejects PINs that are not 4–8 digits', () => {
    const { core } = demoCore()
    const id = call<{ id: string }[]>(core, 'staff-list', {})[0]!.id
    for (const pin of ['', '123', '123456789', 'abcd', 1111, null]) {
      expect(core.handle({ channel: 'session-signin', input: { staffId: id, pin } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
  })

  it('turns an unexpected fault into an internal error without a stack trace', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    core.db.exec('DROP TABLE parked_carts')
    const r = core.handle({ channel: 'cart-parked-list', input: {}, session: tok })
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } })
    if (!r.ok) expect(r.error.message).not.toMatch(/at |sqlite|parked_carts/i)
  })
})

import { describe, expect, it } from 'vitest'
import type { CartQuote, Order, OrderSummary, Settings } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { call, demoCore, expectBalancedPostings, openShift, signIn } from '../helpers/tmp'

const WATER = 'p1001' // ¥2.00, VAT 13%
const COLA = 'p1002' // ¥3.50, VAT 13%
const MILK = 'p1020' // ¥3.00, VAT 9%
const BANANA = 'p1025' // ¥6.98 / kg, VAT 9%

function count(core: ReturnType<typeof demoCore>['core'], table: string): number {
  return (core.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
}

describe('a cash sale', () => {
  it('writes order, lines, taxes, tender, journal event and outbox row together', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const shift = openShift(core, tok) // journal event 1: cash is taken inside a shift
    const cart = { lines: [{ productId: WATER, quantity: '2' }, { productId: MILK, quantity: '1' }, { productId: BANANA, quantity: '0.500' }] }
    const quote = call<CartQuote>(core, 'cart-price', cart, tok)
    // 2×2.00 + 3.00 + round(6.98×0.5 = 3.49) = 10.49
    expect(quote.total).toBe(1049)
    const order = call<Order>(core, 'sale-complete', { saleId: newId(), cart, cashTendered: 2000 }, tok)
    expect(order.total).toBe(1049)
    expect(order.change).toBe(951)
    expect(order.staff.name).toContain('Li Na')
    expect(order.receiptNo).toBe('T01-20261122-0001')
    expect(order.journal.seq).toBe(2)
    expect(count(core, 'orders')).toBe(1)
    expect(count(core, 'order_lines')).toBe(3)
    expect(count(core, 'order_taxes')).toBe(2)
    expect(count(core, 'order_tenders')).toBe(1)
    expect(count(core, 'journal')).toBe(2)
    expect(count(core, 'outbox')).toBe(2)
    // The journal holds exactly what the order rows say, and which day and shift the sale is posted to.
    const { posting, ...payload } = JSON.parse((core.db.prepare('SELECT payload FROM journal WHERE seq = 2').get() as { payload: string }).payload)
    const { journal: _j, reprints: _r, refunds: _f, ...doc } = call<Order>(core, 'order-get', { id: order.id }, tok)
    expect(payload).toEqual(doc)
    expect(posting).toEqual({ businessDate: '2026-11-22', shiftId: shift.id, adjustmentOf: null })
    // In the same transaction: the sale's posting and balanced ledger lines, the drawer getting 20.00 and giving 9.51 back.
    expect(core.db.prepare('SELECT kind, ref_id, business_date, shift_id FROM postings WHERE journal_seq = 2').get()).toEqual({
      kind: 'sale',
      ref_id: order.id,
      business_date: '2026-11-22',
      shift_id: shift.id,
    })
    expect(expectBalancedPostings(core)).toBe(2)
    const drawer = core.db.prepare("SELECT tag, debit_minor - credit_minor AS amount FROM ledger_lines WHERE journal_seq = 2 AND account = 'drawer' ORDER BY line_no").all()
    expect(drawer).toEqual([
      { tag: 'cash_received', amount: 2000 },
      { tag: 'change_given', amount: -951 },
    ])
  })

  it('never sells twice for the same saleId (a double click, a retried message)', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    openShift(core, tok)
    const input = { saleId: newId(), cart: { lines: [{ productId: COLA, quantity: '1' }] }, cashTendered: 500 }
    const a = call<Order>(core, 'sale-complete', input, tok)
    const b = call<Order>(core, 'sale-complete', input, tok)
    expect(b.id).toBe(a.id)
    expect(b.receiptNo).toBe(a.receiptNo)
    expect(count(core, 'orders')).toBe(1)
    expect(count(core, 'journal')).toBe(2) // the shift's opening and the one sale
    expect(count(core, 'postings')).toBe(2)
  })

  it('numbers receipts per business day, with the 04:00 cut-off', () => {
    let now = new Date('2026-11-22T19:59:00Z') // 03:59 in Shanghai on the 23rd → business day 22nd
    const { core } = demoCore(() => now)
    const tok = signIn(core, 'Li Na', '1111')
    openShift(core, tok)
    const sell = (): Order => call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: WATER, quantity: '1' }] }, cashTendered: 200 }, tok)
    expect(sell().receiptNo).toBe('T01-20261122-0001')
    expect(sell().receiptNo).toBe('T01-20261122-0002')
    now = new Date('2026-11-22T20:01:00Z') // 04:01 on the 23rd
    const o = sell()
    expect(o.receiptNo).toBe('T01-20261123-0001')
    expect(o.businessDate).toBe('2026-11-23')
    expect(call<OrderSummary[]>(core, 'order-list', {}, tok)).toHaveLength(1)
    expect(call<OrderSummary[]>(core, 'order-list', { businessDate: '2026-11-22' }, tok)).toHaveLength(2)
    expect(call<OrderSummary[]>(core, 'order-list', { query: '1123-0001' }, tok).map((x) => x.id)).toEqual([o.id])
  })

  it('refuses cash outside a shift, and too little cash, and changes nothing', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const sale = (cashTendered: number) => core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [{ productId: COLA, quantity: '2' }] }, cashTendered }, session: tok })
    expect(sale(1000)).toMatchObject({ ok: false, error: { code: 'no_open_shift' } })
    expect(count(core, 'orders') + count(core, 'journal') + count(core, 'outbox') + count(core, 'postings')).toBe(0)
    openShift(core, tok)
    expect(sale(699)).toMatchObject({ ok: false, error: { code: 'insufficient_tender', details: { due: 700, tendered: 699, missing: 1 } } })
    expect(count(core, 'orders')).toBe(0)
    expect(count(core, 'journal') + count(core, 'outbox') + count(core, 'postings')).toBe(3) // the shift's opening only
  })

  it('asks a supervisor for a discount over the store limit, and records who approved', () => {
    const { core } = demoCore()
    const cashier = signIn(core, 'Li Na', '1111')
    openShift(core, cashier)
    const cart = { lines: [{ productId: COLA, quantity: '4' }], orderDiscount: { kind: 'percent' as const, percent: '20' } }
    expect(call<CartQuote>(core, 'cart-price', cart, cashier).needsApproval).toBe(true)
    const refused = core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart, cashTendered: 2000 }, session: cashier })
    expect(refused).toMatchObject({ ok: false, error: { code: 'approval_required' } })
    const staff = call<{ id: string; name: string }[]>(core, 'staff-list', {})
    const zhang = staff.find((s) => s.name.includes('Zhang'))!
    const liNa = staff.find((s) => s.name.includes('Li Na'))!
    // A cashier cannot approve, even with the right PIN.
    expect(core.handle({ channel: 'approval-grant', input: { staffId: liNa.id, pin: '1111', reason: 'discount', cart }, session: cashier })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    // An approval covers the discount the supervisor saw, not a bigger one made afterwards.
    const { approvalId: forTwenty } = call<{ approvalId: string }>(core, 'approval-grant', { staffId: zhang.id, pin: '2222', reason: 'discount', cart }, cashier)
    const bigger = { ...cart, orderDiscount: { kind: 'percent' as const, percent: '50' } }
    expect(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: bigger, cashTendered: 2000, approvalId: forTwenty }, session: cashier })).toMatchObject({
      ok: false,
      error: { code: 'approval_invalid' },
    })
    const { approvalId } = call<{ approvalId: string }>(core, 'approval-grant', { staffId: zhang.id, pin: '2222', reason: 'discount', cart }, cashier)
    const order = call<Order>(core, 'sale-complete', { saleId: newId(), cart, cashTendered: 2000, approvalId }, cashier)
    expect(order.orderDiscount).toBe(280)
    expect(order.total).toBe(1120)
    expect(order.approvedBy?.name).toContain('Zhang')
    // An approval is used once.
    expect(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart, cashTendered: 2000, approvalId }, session: cashier })).toMatchObject({
      ok: false,
      error: { code: 'approval_invalid' },
    })
  })

  it('applies new settings to new orders only; a completed order never changes', () => {
    const { core } = demoCore()
    const owner = signIn(core, 'Wang Fang', '9999')
    openShift(core, owner)
    const cart = { lines: [{ productId: COLA, quantity: '3' }] }
    const before = call<Order>(core, 'sale-complete', { saleId: newId(), cart, cashTendered: 1050 }, owner)
    const s = call<Settings>(core, 'settings-get', {}, owner)
    call(core, 'settings-update', { ...s, priceMode: 'exclusive', storeName: 'Renamed', cashRounding: { increment: 10, mode: 'down' } }, owner)
    const after = call<Order>(core, 'sale-complete', { saleId: newId(), cart, cashTendered: 2000 }, owner)
    // 10.50 + 13% = 11.865 → 11.87 tax-exclusive; cash 抹零 down to 11.80
    expect(after.total).toBe(1187)
    expect(after.cashRounding).toBe(-7)
    expect(after.paid).toBe(1180)
    expect(after.change).toBe(820)
    expect(after.storeName).toBe('Renamed')
    const again = call<Order>(core, 'order-get', { id: before.id }, owner)
    expect(again.total).toBe(1050)
    expect(again.priceMode).toBe('inclusive')
    expect(again.storeName).not.toBe('Renamed')
  })

  it('only the owner may change settings or staff', () => {
    const { core } = demoCore()
    const cashier = signIn(core, 'Li Na', '1111')
    const s = call<Settings>(core, 'settings-get', {}, cashier)
    expect(core.handle({ channel: 'settings-update', input: s, session: cashier })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(core.handle({ channel: 'staff-save', input: { name: 'X', role: 'owner', pin: '1234', active: true }, session: cashier })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(core.handle({ channel: 'cart-price', input: { lines: [] } })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } })
  })

  it('parks and resumes a cart once', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    const cart = { lines: [{ productId: COLA, quantity: '2', discount: { kind: 'amount' as const, amount: 50 } }] }
    const { id } = call<{ id: string }>(core, 'cart-park', { cart, label: 'Table 3' }, tok)
    expect(call<{ label: string }[]>(core, 'cart-parked-list', {}, tok).map((p) => p.label)).toEqual(['Table 3'])
    expect(call(core, 'cart-resume', { id }, tok)).toEqual(cart)
    expect(core.handle({ channel: 'cart-resume', input: { id }, session: tok })).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('reprints as a DUPLICATE, posted to the journal', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    openShift(core, tok)
    const o = call<Order>(core, 'sale-complete', { saleId: newId(), cart: { lines: [{ productId: COLA, quantity: '1' }] }, cashTendered: 350 }, tok)
    expect(o.reprints).toBe(0)
    expect(call<Order>(core, 'order-reprint', { id: o.id }, tok).reprints).toBe(1)
    expect(call<Order>(core, 'order-reprint', { id: o.id }, tok).reprints).toBe(2)
    const types = (core.db.prepare('SELECT type FROM journal ORDER BY seq').all() as { type: string }[]).map((t) => t.type)
    expect(types).toEqual(['shift.opened', 'sale.completed', 'receipt.reprinted', 'receipt.reprinted'])
    expect(call<{ ok: boolean; events: number }>(core, 'journal-verify', {}, tok)).toMatchObject({ ok: true, events: 4 })
    // A reprint is posted, moving no money: a posting without lines.
    expect(core.db.prepare("SELECT count(*) AS n FROM postings WHERE kind = 'reprint' AND currency = 'CNY'").get()).toEqual({ n: 2 })
    expect(core.db.prepare("SELECT count(*) AS n FROM ledger_lines l JOIN postings p ON p.journal_seq = l.journal_seq WHERE p.kind = 'reprint'").get()).toEqual({ n: 0 })
  })
})

describe('signing in', () => {
  it('locks a person out for a minute after 5 wrong PINs, even with the right one', () => {
    let now = new Date('2026-11-22T03:00:00Z')
    const { core } = demoCore(() => now)
    const id = call<{ id: string; name: string }[]>(core, 'staff-list', {}).find((s) => s.name.includes('Li Na'))!.id
    for (let i = 1; i <= 4; i++) {
      expect(core.handle({ channel: 'session-signin', input: { staffId: id, pin: '0000' } })).toMatchObject({
        ok: false,
        error: { code: 'wrong_pin', details: { triesLeft: 5 - i } },
      })
    }
    expect(core.handle({ channel: 'session-signin', input: { staffId: id, pin: '0000' } })).toMatchObject({ ok: false, error: { code: 'locked_out' } })
    expect(core.handle({ channel: 'session-signin', input: { staffId: id, pin: '1111' } })).toMatchObject({ ok: false, error: { code: 'locked_out' } })
    now = new Date(now.getTime() + 61_000)
    expect(core.handle({ channel: 'session-signin', input: { staffId: id, pin: '1111' } }).ok).toBe(true)
  })

  it('stores PINs as scrypt hashes, never plain', () => {
    const { core } = demoCore()
    const rows = core.db.prepare('SELECT pin_hash FROM staff').all() as { pin_hash: string }[]
    for (const r of rows) {
      expect(r.pin_hash).toMatch(/^scrypt\$16384\$8\$1\$/)
      for (const pin of ['1111', '2222', '9999']) expect(r.pin_hash).not.toContain(pin)
    }
  })

  it('signing out ends the session', () => {
    const { core } = demoCore()
    const tok = signIn(core, 'Li Na', '1111')
    call(core, 'session-signout', {}, tok)
    expect(call(core, 'session-get', {}, tok)).toBeNull()
    expect(core.handle({ channel: 'catalog-categories', input: {}, session: tok })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } })
  })
})

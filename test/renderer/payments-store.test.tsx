import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { z } from 'zod'
import { channels, type ChannelName, type Checkout, type Order, type Staff } from '../../src/shared/contract'
import type { Result } from '../../src/shared/errors'
import { newId } from '../../src/shared/ids'

/** What this test uses of the core; the core itself is loaded at run time (the renderer's tsconfig never sees src/main). */
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
 * The pay view's store against a real Core in-process (real SQLite file, demo store): the api
 * module is replaced by a carrier that hands every envelope to core.handle and validates the
 * answer against the contract, as api.ts does over IPC or the WebSocket. A test can lose one
 * answer (the core did the work, the screen never heard back) to check that a retry is safe.
 */

let core: Core | null = null
let token: string | null = null
let loseAnswerOf: ChannelName | null = null
const sent: { channel: string; input: unknown }[] = []

vi.mock('../../src/renderer/src/api', () => ({
  invoke: async (channel: ChannelName, input: unknown): Promise<Result<unknown>> => {
    if (!core) throw new Error('no core')
    sent.push({ channel, input: JSON.parse(JSON.stringify(input ?? {})) })
    const raw = JSON.parse(JSON.stringify(core.handle({ channel, input, ...(token ? { session: token } : {}) }))) as Result<unknown>
    if (loseAnswerOf === channel) {
      loseAnswerOf = null
      return { ok: false, error: { code: 'internal', message: 'The connection to Daybook failed.' } }
    }
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
const { describeError } = await import('../../src/renderer/src/lib/errors')
const { qrBlockedKey, cardBlockedKey, refundableOf, cashTaken } = await import('../../src/renderer/src/lib/payments')

const WATER = '6901234500004' // 2.00
const COLA = '6901234537017' // 3.50
const SPRITE = '6901234574029' // 3.80
const TOTAL = 200 + 350 + 380

const get = useApp.getState

function staffNamed(name: string): Staff {
  const s = call<Staff[]>(core as Core, 'staff-list', {}).find((x) => x.name.includes(name))
  if (!s) throw new Error(`no ${name}`)
  return s
}

/** Signs in through the store; cash needs an open shift, so one is opened (¥100 float) unless `shift: false`. */
async function signInAs(name: string, pin: string, opts: { shift?: boolean } = {}): Promise<void> {
  await get().boot()
  const err = await get().signIn(staffNamed(name).id, pin)
  expect(err).toBeNull()
  if (opts.shift === false || get().till?.shift) return
  call(core as Core, 'shift-open', { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, token ?? undefined)
  await get().loadTill()
  expect(get().till?.shift?.holder.name).toContain(name)
}

async function ringUp(...codes: string[]): Promise<void> {
  for (const code of codes) expect(await get().lookupBarcode(code)).toBe(true)
  await get().requote()
}

function checkout(): Checkout {
  const c = get().checkout
  if (!c) throw new Error('no checkout on screen')
  return c
}

/** A page reload: the store starts from nothing; the session token survives (sessionStorage). */
function reload(): void {
  useApp.setState(useApp.getInitialState(), true)
}

beforeEach(async () => {
  await i18n.changeLanguage('en')
  core = demoCore(() => new Date()).core
  token = null
  loseAnswerOf = null
  sent.length = 0
  reload()
})
afterEach(async () => {
  await core?.close()
  core = null
})

describe('paying through a checkout (real core)', () => {
  it('Pay freezes the cart into a checkout; cash in two parts completes the order and the receipt lists both tenders', async () => {
    await signInAs('Li Na', '1111')
    await ringUp(WATER, COLA, SPRITE)
    expect(await get().pay()).toBeNull()
    expect(get().dialog).toEqual({ kind: 'pay' })
    expect(checkout()).toMatchObject({ state: 'open', total: TOTAL, paid: 0, remaining: TOTAL })
    const start = sent.find((s) => s.channel === 'checkout-start')?.input as { saleId: string }
    expect(start.saleId).toBe(get().saleId)

    // 5.00 first (split), handed 10.00
    const first = await get().addTender({ flow: 'cash', amount: 500, tendered: 1000 })
    expect(first.ok).toBe(true)
    expect(checkout()).toMatchObject({ state: 'open', paid: 500, remaining: TOTAL - 500 })
    expect(checkout().attempts[0]).toMatchObject({ method: 'cash', state: 'succeeded', tendered: 1000, change: 500 })

    // the rest closes the order: the store fetches it and shows the receipt
    const last = await get().addTender({ flow: 'cash', amount: TOTAL - 500, tendered: TOTAL - 500 })
    expect(last.ok && last.value.state).toBe('completed')
    await vi.waitFor(() => expect(get().screen).toBe('receipt'), { timeout: 5_000 })
    const order = get().receipt?.order as Order
    expect(order.tenders.map((x) => [x.method, x.amount])).toEqual([
      ['cash', 500],
      ['cash', TOTAL - 500],
    ])
    expect(get().checkout).toBeNull()
    expect(get().cart.lines).toEqual([])
  })

  it('a lost answer: the same tap again reuses its attempt id and the core takes the cash once', async () => {
    await signInAs('Li Na', '1111')
    await ringUp(WATER, COLA)
    await get().pay()
    loseAnswerOf = 'tender-add'
    const lost = await get().addTender({ flow: 'cash', amount: 200, tendered: 200 })
    expect(lost.ok).toBe(false)
    const again = await get().addTender({ flow: 'cash', amount: 200, tendered: 200 })
    expect(again.ok).toBe(true)
    const ids = sent.filter((s) => s.channel === 'tender-add').map((s) => (s.input as { attemptId: string }).attemptId)
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])
    expect(checkout().attempts).toHaveLength(1)
    expect(checkout().paid).toBe(200)
    // a new tap after an answer is a new attempt
    await get().addTender({ flow: 'cash', amount: 100, tendered: 100 })
    const third = sent.filter((s) => s.channel === 'tender-add').at(-1)?.input as { attemptId: string }
    expect(third.attemptId).not.toBe(ids[0])
    expect(checkout().attempts).toHaveLength(2)
  })

  it('after a reload the till’s open checkout comes back in the pay view, with its tenders and its cart', async () => {
    await signInAs('Li Na', '1111')
    await ringUp(WATER, COLA)
    await get().pay()
    await get().addTender({ flow: 'cash', amount: 300, tendered: 500 })
    const id = checkout().id

    reload()
    await get().boot()
    expect(get().session).not.toBeNull()
    await vi.waitFor(() => expect(get().checkout?.id).toBe(id))
    expect(get().dialog).toEqual({ kind: 'pay' })
    expect(get().screen).toBe('checkout')
    expect(get().checkoutResumed).toBe(true)
    expect(checkout()).toMatchObject({ paid: 300, remaining: 250 })
    expect(get().cart.lines.map((l) => l.quantity)).toEqual(['1', '1'])
  })

  it('Esc with nothing tendered voids the empty checkout and keeps the cart; Pay again is a new checkout', async () => {
    await signInAs('Li Na', '1111')
    await ringUp(WATER)
    await get().pay()
    const first = checkout().id
    const r = await get().voidCheckout(i18n.t('pay.defaultVoidReason'))
    expect(r.ok).toBe(true)
    get().leaveCheckout()
    expect(get().dialog).toBeNull()
    expect(get().cart.lines).toHaveLength(1)
    expect(get().saleId).toBeNull()
    await get().pay()
    expect(checkout().id).not.toBe(first)
    expect(checkout().state).toBe('open')
  })

  it('voiding a sale with cash over the store limit asks a supervisor, then hands the cash back', async () => {
    const owner = signIn(core as Core, 'Wang Fang', '9999')
    const settings = call<Record<string, unknown>>(core as Core, 'settings-get', {}, owner)
    call(core as Core, 'settings-update', { ...settings, refundApprovalLimit: 100 }, owner)

    await signInAs('Li Na', '1111')
    await ringUp(WATER, COLA)
    await get().pay()
    await get().addTender({ flow: 'cash', amount: 300, tendered: 300 })
    expect(cashTaken(checkout())).toBe(300)

    const refused = await get().voidCheckout('Customer changed their mind')
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error.code).toBe('approval_required')
    expect(describeError(i18n.t.bind(i18n), refused.error, { approvalFor: 'void' })).toBe(
      'Voiding this sale is over the store limit: a supervisor must approve it.',
    )
    const amount = (refused.error.details as { amount: number }).amount
    expect(amount).toBe(550)
    const grant = call<{ approvalId: string }>(core as Core, 'approval-grant', { staffId: staffNamed('Zhang Wei').id, pin: '2222', reason: 'void', amount }, token ?? undefined)
    const done = await get().voidCheckout('Customer changed their mind', grant.approvalId)
    expect(done.ok).toBe(true)
    await vi.waitFor(async () => {
      await get().refreshCheckout()
      expect(checkout().state).toBe('voided')
    })
    // cash is handed back by hand: the attempt says so
    expect(checkout().attempts[0]).toMatchObject({ method: 'cash', state: 'reversed', amount: 300 })
    get().leaveCheckout()
    expect(get().checkout).toBeNull()
  })
})

describe('payments status and refusals (real core)', () => {
  it('without an open shift cash is refused (no_open_shift), said in words; card and QR do not ask for a shift', async () => {
    await signInAs('Li Na', '1111', { shift: false })
    expect(get().till).toMatchObject({ shift: null, dayStatus: 'open' })
    await ringUp(WATER)
    await get().pay()
    const cash = await get().addTender({ flow: 'cash', amount: 200, tendered: 200 })
    expect(!cash.ok && cash.error.code).toBe('no_open_shift')
    if (!cash.ok) {
      expect(describeError(i18n.t.bind(i18n), cash.error)).toBe('No shift is open: count the float into the drawer to take cash.')
      await i18n.changeLanguage('zh-CN')
      expect(describeError(i18n.t.bind(i18n), cash.error)).toBe('尚未开班：收现金前请先把备用金点清放入钱箱。')
      await i18n.changeLanguage('en')
    }
    // the card path is refused for its own reason (no terminal here), never for the shift
    const card = await get().addTender({ flow: 'terminal', amount: 200 })
    expect(!card.ok && card.error.code).toBe('terminal_not_configured')
    // opening a shift through the same channel the dialog uses: then the cash goes through
    const opened = call<{ float: number }>(core as Core, 'shift-open', { shiftId: newId(), count: [{ value: 5000, kind: 'note', count: 1 }, { value: 100, kind: 'coin', count: 3 }] }, token ?? undefined)
    expect(opened.float).toBe(5300)
    await get().loadTill()
    expect(get().till?.shift?.float).toBe(5300)
    const again = await get().addTender({ flow: 'cash', amount: 200, tendered: 500 })
    expect(again.ok && again.value.state).toBe('completed')
  })

  it('an unpaired till has no QR and no terminal: the buttons are off and the screen says why', async () => {
    await signInAs('Li Na', '1111')
    await vi.waitFor(() => expect(get().paymentsStatus).not.toBeNull())
    const status = get().paymentsStatus
    expect(status?.qr).toEqual({ available: false, reason: 'unpaired' })
    expect(status?.card.available).toBe(false)
    expect(i18n.t(qrBlockedKey(status) ?? 'common.ok')).toBe('QR payments need the platform, and this till is not connected to one. Take cash or card.')
    expect(i18n.t(cardBlockedKey(status) ?? 'common.ok')).toBe('No card terminal is set up on this till.')

    await ringUp(WATER)
    await get().pay()
    const qr = await get().addTender({ flow: 'merchant_qr', wallet: 'alipay', amount: 200 })
    expect(!qr.ok && qr.error.code).toBe('qr_unavailable')
    if (!qr.ok) expect(describeError(i18n.t.bind(i18n), qr.error)).toMatch(/QR payments need the platform/)
    const card = await get().addTender({ flow: 'terminal', amount: 200 })
    expect(!card.ok && card.error.code).toBe('terminal_not_configured')
    const tooMuch = await get().addTender({ flow: 'cash', amount: 201, tendered: 500 })
    expect(!tooMuch.ok && tooMuch.error.code).toBe('tender_exceeds_remaining')
    if (!tooMuch.ok) {
      expect(describeError(i18n.t.bind(i18n), tooMuch.error, { money: (m) => `¥${(m / 100).toFixed(2)}` })).toBe(
        'That is more than is left to pay: at most ¥2.00.',
      )
    }
    expect(checkout().attempts).toHaveLength(0)
  })

  it('a refund of a cash tender: the refundable amount shrinks, and more than is left is refused in words', async () => {
    await signInAs('Li Na', '1111')
    await ringUp(WATER, COLA)
    await get().pay()
    await get().addTender({ flow: 'cash', amount: 550, tendered: 1000 })
    await vi.waitFor(() => expect(get().screen).toBe('receipt'))
    const order = get().receipt?.order as Order
    const tender = order.tenders[0]
    if (!tender) throw new Error('no tender')
    expect(refundableOf(order, tender.id)).toBe(550)

    const refundId = '01JZ8Q7X2M4N6P8R0S2T4V6W8Y'
    const after = call<Order>(core as Core, 'refund-create', { refundId, orderId: order.id, tenderId: tender.id, amount: 200, reason: 'Item returned' }, token ?? undefined)
    get().setReceiptOrder(after)
    const shown = get().receipt?.order as Order
    expect(shown.refunds).toHaveLength(1)
    expect(refundableOf(shown, tender.id)).toBe(350)
    // the same refund id again is the same refund, not a second one
    const again = call<Order>(core as Core, 'refund-create', { refundId, orderId: order.id, tenderId: tender.id, amount: 200, reason: 'Item returned' }, token ?? undefined)
    expect(again.refunds).toHaveLength(1)

    const r = core?.handle({
      channel: 'refund-create',
      input: { refundId: '01JZ8Q7X2M4N6P8R0S2T4V6W8Z', orderId: order.id, tenderId: tender.id, amount: 400, reason: 'x' },
      session: token ?? undefined,
    })
    expect(r && !r.ok && r.error.code).toBe('refund_exceeds')
    if (r && !r.ok) {
      expect(describeError(i18n.t.bind(i18n), r.error, { money: (m) => `¥${(m / 100).toFixed(2)}` })).toBe(
        'That is more than can be refunded on this payment: at most ¥3.50.',
      )
    }
  })
})

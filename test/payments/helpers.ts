import type { Core } from '../../src/main/core/service'
import { openCore, type OpenCoreOptions } from '../../src/main/core/open-core'
import type { Checkout } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { createStoreAndDevice, type TestPlatform } from '../helpers/platform'
import { openShift, RESOURCES, tempDir } from '../helpers/tmp'

/** Fast cadences for tests: the real ones are seconds (5 s user-paying polls, 20 s long polls). */
export const FAST: NonNullable<OpenCoreOptions['payments']> = {
  codePollMs: 100,
  codeGiveUpMs: 3_000,
  qrWaitMs: 5_000,
  retryMinMs: 50,
  retryMaxMs: 300,
  cardStatusPollMs: 100,
  refundPollMs: 100,
  expiryGraceMs: 300,
}

export interface Till {
  core: Core
  dir: string
  session: string
  storeId: string
  call<T = unknown>(channel: string, input: unknown): Promise<T>
  attempt(checkoutId: string, attemptId: string): Promise<Checkout['attempts'][number]>
  until(checkoutId: string, pred: (c: Checkout) => boolean, ms?: number): Promise<Checkout>
  /** Opens a shift (a ¥100 float), which cash needs. */
  openShift(): void
}

/** A demo till on a real SQLite file, signed in as the owner, paired with the platform when given. */
export async function till(platform: TestPlatform | null, opts: Partial<OpenCoreOptions> = {}): Promise<Till> {
  const dir = opts.dataDir ?? tempDir('daybook-pay-')
  const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false, payments: FAST, ...opts })
  const staff = core.handle({ channel: 'staff-list', input: {} })
  const owner = (staff.ok ? (staff.value as { id: string; name: string }[]) : []).find((s) => s.name.includes('Wang Fang'))!
  const signin = core.handle({ channel: 'session-signin', input: { staffId: owner.id, pin: '9999' } })
  if (!signin.ok) throw new Error(signin.error.message)
  const session = (signin.value as { token: string }).token
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = await core.invoke({ channel, input, session })
    if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code} ${r.error.message}`), { code: r.error.code, details: r.error.details })
    return r.value as T
  }
  let storeId = ''
  if (platform) {
    const s = await createStoreAndDevice(platform, 'Pay Mart')
    storeId = s.storeId
    await call('sync-pair', { platformUrl: platform.url, code: s.code })
  }
  const until = async (checkoutId: string, pred: (c: Checkout) => boolean, ms = 15_000): Promise<Checkout> => {
    const deadline = Date.now() + ms
    for (;;) {
      const c = await call<Checkout>('checkout-get', { id: checkoutId })
      if (pred(c)) return c
      if (Date.now() > deadline) {
        const history = core.db.prepare('SELECT t.attempt_id, t.from_state, t.to_state, t.note FROM tender_transitions t JOIN tender_attempts a ON a.id = t.attempt_id WHERE a.checkout_id = ?').all(checkoutId)
        throw new Error(`checkout ${checkoutId} did not reach the expected state in ${ms} ms: ${JSON.stringify(c.attempts)}; history ${JSON.stringify(history)}`)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return {
    core,
    dir,
    session,
    storeId,
    call,
    until,
    attempt: async (checkoutId, attemptId) => (await call<Checkout>('checkout-get', { id: checkoutId })).attempts.find((a) => a.id === attemptId)!,
    openShift: () => {
      openShift(core, session)
    },
  }
}

export async function startCheckout(t: Till, lines: { productId: string; quantity: string }[] = [{ productId: 'p1001', quantity: '3' }]): Promise<Checkout> {
  return t.call<Checkout>('checkout-start', { saleId: newId(), cart: { lines } })
}

export const final = (s: string): boolean => s === 'succeeded' || s === 'failed' || s === 'reversed'

/** A customer payment code of a wallet whose last two digits pick the sandbox scenario. */
export function walletCode(wallet: 'alipay' | 'wechat', ending = '00'): string {
  const body = String(Math.floor(Math.random() * 1e14)).padStart(14, '0')
  return wallet === 'wechat' ? `13${body}${ending}` : `28${body}${ending}`
}

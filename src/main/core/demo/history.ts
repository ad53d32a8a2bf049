import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Checkout, Order, Staff } from '../../../shared/contract'
import { newId } from '../../../shared/ids'
import type { Difference, Reconciliation } from '../../../shared/settlement-contract'
import type { Shift } from '../../../shared/shifts-contract'
import { writeAdyenSettlement, writeAlipayBill, writeWechatBill, type Statement, type StatementRow } from '../../../shared/statements'
import { businessDate } from '../business-day'
import { openDatabase } from '../db/sqlite'
import { DEMO_STAFF, seedDemo } from '../seed'
import { Core } from '../service'
import { readSettings } from '../settings'
import { shiftExpected } from '../shifts/shifts'
import { MemorySecretStore } from '../sync/secret-store'
import { DEMO_FEE_BASIS_POINTS, DEMO_PLATFORM_URL, demoFee, demoPlatformFetch, demoTerminal, pspOf, type DemoProviderLog } from './edge'

/**
 * `npm run serve -- --demo --history N`: N past business days of a convenience store, ending
 * yesterday, sold through the core's own channels (core.handle / core.invoke) with the core's clock
 * moved for every step — so every order, tender, refund, void, cash movement, shift, Z, statement and
 * reconciliation is posted by the core's own code (journal chain, postings, outbox), exactly as at a
 * real till. Wallet and card tenders go through the payment engine to the providers at the edge
 * (./edge.ts). Each morning the providers' files of the day before are written with the shared writers,
 * imported with statement-import and reconciled (reconcile-run), with a few differences put in on
 * purpose, some of them resolved with a note. Today's business day stays open and empty.
 *
 * Deterministic: baskets, times, tenders and differences come from a seeded PRNG (ids and hashes
 * differ from run to run). Refuses a ledger that already has orders, shifts or closures.
 */

export interface DemoHistoryOptions {
  /** The ledger file (created with the demo store if empty). */
  file: string
  resourcesDir: string
  days: number
  /** The real time: the history ends the business day before this one's. Default now. */
  now?: Date
  seed?: number
  nativeBinding?: string | undefined
  log?: (line: string) => void
}

export interface DemoHistoryResult {
  seeded: boolean
  /** Why nothing was seeded. */
  reason?: string
  /** The demo store itself was created by this call. */
  createdDemo: boolean
  firstDate?: string
  lastDate?: string
  orders: number
  refunds: number
  voids: number
  closures: number
  statements: number
  runs: number
  resolved: number
  ms: number
}

// ---- deterministic randomness --------------------------------------------------------------------

type Rand = () => number
function rng(seed: number): Rand {
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
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
function weighted<T>(r: Rand, xs: readonly (readonly [T, number])[]): T {
  const total = xs.reduce((a, [, w]) => a + w, 0)
  let x = r() * total
  for (const [v, w] of xs) {
    x -= w
    if (x < 0) return v
  }
  return (xs[xs.length - 1] as readonly [T, number])[0]
}

// ---- time -----------------------------------------------------------------------------------------

const DAY_MS = 86_400_000
/** Shanghai is UTC+8 all year (the demo store's zone; checked before seeding). */
const OFFSET_MS = 8 * 3_600_000
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
/** Local wall-clock time on a business date (minutes may run past midnight: 24 * 60 + 20 is 00:20 the next day). */
const local = (date: string, minutes: number): Date => new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MS + minutes * 60_000)

/** How busy each opening hour is: a morning coffee run, lunch, and the evening after work. */
const HOURS: readonly (readonly [number, number])[] = [
  [7, 3], [8, 6], [9, 4], [10, 4], [11, 7], [12, 10], [13, 8], [14, 4], [15, 4], [16, 5], [17, 8], [18, 10], [19, 9], [20, 6], [21, 4], [22, 2],
]

// ---- cash ------------------------------------------------------------------------------------------

const FLOAT = 50_000
const DENOMINATIONS: readonly { value: number; kind: 'note' | 'coin' }[] = [
  { value: 10_000, kind: 'note' },
  { value: 5_000, kind: 'note' },
  { value: 2_000, kind: 'note' },
  { value: 1_000, kind: 'note' },
  { value: 500, kind: 'note' },
  { value: 100, kind: 'note' },
  { value: 50, kind: 'coin' },
  { value: 10, kind: 'coin' },
]
/** A drawer count by denomination that adds up to `total` (fen below a jiao as one typed amount). */
function countOf(total: number): { value: number; kind: 'note' | 'coin' | 'amount'; count: number }[] {
  const out: { value: number; kind: 'note' | 'coin' | 'amount'; count: number }[] = []
  let left = total
  for (const d of DENOMINATIONS) {
    const n = Math.floor(left / d.value)
    if (n > 0) out.push({ value: d.value, kind: d.kind, count: n })
    left -= n * d.value
  }
  if (left > 0) out.push({ value: left, kind: 'amount', count: 1 })
  return out
}
/** What a customer hands over for `due`: exact, or the next note up. */
function handedOver(r: Rand, due: number): number {
  const note = weighted(r, [[0, 3], [1_000, 2], [2_000, 2], [5_000, 3], [10_000, 3]] as const)
  return note === 0 ? due : Math.ceil(due / note) * note + (due % note === 0 && r() < 0.5 ? note : 0)
}

/** A weight in kg with three decimals, from whole grams. */
const grams = (g: number): string => `${Math.floor(g / 1000)}.${String(g % 1000).padStart(3, '0')}`

/** A wallet's payment code as the customer's phone shows it (Alipay 28…, WeChat 13…, 18 digits). */
function authCode(r: Rand, wallet: 'alipay' | 'wechat'): string {
  let body = ''
  for (let i = 0; i < 16; i++) body += String(int(r, 0, 9))
  return `${wallet === 'alipay' ? '28' : '13'}${body}`
}

const MIDDAY = 14 * 60
/** Elapsed milliseconds as seconds with one decimal, for the log. */
export const seconds = (ms: number): string => `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)}`

// ---- the history -----------------------------------------------------------------------------------

type Pay = 'cash' | 'alipay' | 'wechat' | 'card' | 'split_qr' | 'split_card'
const PAY_MIX: readonly (readonly [Pay, number])[] = [
  ['cash', 34],
  ['alipay', 26],
  ['wechat', 24],
  ['card', 9],
  ['split_qr', 4],
  ['split_card', 3],
]

interface Product {
  id: string
  unit: string
  price: number
  popular: boolean
}

/** What is put into a day's statements on purpose (by the day's position in the history). */
interface Injections {
  dropRow: boolean
  amountOff: boolean
  foreignRow: boolean
  lateSale: boolean
}

function injectionsFor(i: number, days: number): Injections {
  // Reconciled the next morning; a late sale's row is in the next day's file, imported the morning after.
  const k = i % 7
  return { dropRow: k === 0 && i <= days - 2, lateSale: k === 1 && i <= days - 3, amountOff: k === 2 && i <= days - 2, foreignRow: k === 3 && i <= days - 2 }
}

export async function seedDemoHistory(o: DemoHistoryOptions): Promise<DemoHistoryResult> {
  const t0 = performance.now()
  const log = o.log ?? (() => {})
  const days = o.days
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error(`--history must be a whole number of days from 1 to 366, got ${days}`)
  const realNow = o.now ?? new Date()
  const empty = { orders: 0, refunds: 0, voids: 0, closures: 0, statements: 0, runs: 0, resolved: 0 }
  const db = openDatabase(o.file, { nativeBinding: o.nativeBinding })
  // Thousands of small commits: on this connection only, WAL's NORMAL (a commit is durable at the next
  // checkpoint, never torn) instead of FULL's fsync per commit. The till's own connections keep FULL.
  db.pragma('synchronous = NORMAL')
  let settings = readSettings(db)
  const today = businessDate(realNow, settings.timeZone, settings.businessDayCutoffHour)
  const first = addDays(today, -days)
  const hasStaff = db.prepare('SELECT 1 FROM staff LIMIT 1').get() !== undefined
  const busy = db.prepare('SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM shifts) + (SELECT count(*) FROM closures) + (SELECT count(*) FROM checkouts) AS n').get() as { n: number }
  if (busy.n > 0) {
    db.close()
    return { seeded: false, reason: 'the ledger already has sales, shifts or closures: demo history goes only into a new ledger', createdDemo: false, ...empty, ms: performance.now() - t0 }
  }
  const createdDemo = seedDemo(db, join(o.resourcesDir, 'demo-catalog.json'), local(first, 5 * 60).toISOString())
  if (!createdDemo && hasStaff && DEMO_STAFF.some((s) => db.prepare('SELECT 1 FROM staff WHERE name = ? AND role = ?').get(s.name, s.role) === undefined)) {
    db.close()
    return { seeded: false, reason: 'this ledger is not the demo store', createdDemo: false, ...empty, ms: performance.now() - t0 }
  }
  settings = readSettings(db)
  if (settings.timeZone !== 'Asia/Shanghai' || settings.currency !== 'CNY') {
    db.close()
    return { seeded: false, reason: 'demo history is for the demo store (CNY, Asia/Shanghai)', createdDemo, ...empty, ms: performance.now() - t0 }
  }

  let clock = local(first, 5 * 60)
  const now = (): Date => clock
  const setClock = (d: Date): void => {
    if (d.getTime() > realNow.getTime()) throw new Error(`demo history would run past now (${d.toISOString()})`)
    if (d.getTime() > clock.getTime()) clock = d
  }
  const providers: DemoProviderLog = { payments: new Map(), refunds: new Map() }
  const core = new Core({
    db,
    now,
    // The stand-in platform takes no events: the relay's complaints about that are noise here.
    log: (line) => {
      if (!line.startsWith('sync:')) log(line)
    },
    secrets: new MemorySecretStore(),
    terminalSecrets: new MemorySecretStore(),
    sync: { fetch: demoPlatformFetch(now, providers) },
    makeTerminal: () => demoTerminal(now),
    payments: { retryMinMs: 1, retryMaxMs: 5, codePollMs: 1, refundPollMs: 1, cardStatusPollMs: 1 },
  })
  const r = rng(o.seed ?? 20261122)
  const stats = { ...empty }
  try {
    // ---- helpers over the core's channels ----
    /** Reads (checkout-get, order-get…) go as whoever signed in last. */
    let current: string | undefined
    const handle = <T>(channel: string, input: unknown, session: string | undefined = current): T => {
      const res = core.handle({ channel, input, session })
      if (!res.ok) throw new Error(`demo history: ${channel} failed at ${clock.toISOString()}: ${res.error.code} ${res.error.message} ${JSON.stringify(res.error.details ?? '')}`)
      return res.value as T
    }
    const invoke = async <T>(channel: string, input: unknown, session?: string): Promise<T> => {
      const res = await core.invoke({ channel, input, session })
      if (!res.ok) throw new Error(`demo history: ${channel} failed: ${res.error.code} ${res.error.message}`)
      return res.value as T
    }
    const until = async (what: string, done: () => boolean): Promise<void> => {
      for (let i = 0; i < 20_000; i++) {
        if (done()) return
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      throw new Error(`demo history: ${what} did not settle`)
    }
    const people = handle<Staff[]>('staff-list', {})
    const person = (role: Staff['role']): Staff => {
      const p = people.find((s) => s.role === role)
      if (!p) throw new Error(`the demo store has no ${role}`)
      return p
    }
    const cashierP = person('cashier')
    const supervisorP = person('supervisor')
    const ownerP = person('owner')
    const PINS: Record<string, string> = { [cashierP.id]: '1111', [supervisorP.id]: '2222', [ownerP.id]: '9999' }
    const signIn = (p: Staff): string => (current = handle<{ token: string }>('session-signin', { staffId: p.id, pin: PINS[p.id] }).token)
    const approve = (session: string, reason: 'refund' | 'void' | 'cash_movement' | 'over_short', amount: number): string =>
      handle<{ approvalId: string }>('approval-grant', { staffId: supervisorP.id, pin: PINS[supervisorP.id], reason, amount }, session).approvalId

    // The providers at the edge, for the seeding only.
    let owner = signIn(ownerP)
    await invoke('sync-pair', { platformUrl: DEMO_PLATFORM_URL, code: 'DEMO-HISTORY' }, owner)
    handle(
      'terminal-settings-save',
      { endpoint: 'https://demo-terminal.invalid', poiId: 'P400-100001', keyIdentifier: 'DEMO', keyVersion: 1, passphrase: 'demo history only', caCertPem: '-----BEGIN CERTIFICATE-----\nDEMO\n-----END CERTIFICATE-----\n' },
      owner,
    )

    const products = (db.prepare('SELECT id, unit, price_minor AS price FROM products WHERE active = 1 ORDER BY id').all() as { id: string; unit: string; price: number }[]).map((p, i) => ({
      ...p,
      popular: i % 3 === 0 || p.price <= 600,
    })) satisfies Product[]
    const popular = products.filter((p) => p.popular)
    const basket = (): { productId: string; quantity: string }[] => {
      const n = r() < 0.82 ? int(r, 1, 4) : int(r, 5, 9)
      const chosen = new Map<string, Product>()
      while (chosen.size < n) {
        const p = r() < 0.6 ? pick(r, popular) : pick(r, products)
        chosen.set(p.id, p)
      }
      return [...chosen.values()].map((p) => ({
        productId: p.id,
        quantity: p.unit === 'kg' ? grams(int(r, 180, 1600)) : String(r() < 0.78 ? 1 : int(r, 2, 4)),
      }))
    }

    interface Sold {
      order: Order
      at: Date
    }
    const dates = Array.from({ length: days }, (_, i) => addDays(first, i))
    const lateDays = new Set<string>()

    /** A sale paid as `pay`: cash through sale-complete, anything else through a checkout and its tenders. */
    const sell = async (cashier: string, pay: Pay): Promise<Order> => {
      const cart = { lines: basket() }
      if (pay === 'cash') {
        const due = handle<{ cashDue: number }>('cart-price', cart).cashDue
        return handle<Order>('sale-complete', { saleId: newId(), cart, cashTendered: handedOver(r, due) }, cashier)
      }
      const c = handle<Checkout>('checkout-start', { saleId: newId(), cart }, cashier)
      // A split: most by wallet or card, the last ¥1–¥30 in cash.
      const split = (pay === 'split_qr' || pay === 'split_card') && c.total >= 200
      const amount = split ? c.total - int(r, 100, Math.min(c.total - 100, 3_000)) : c.total
      const attemptId = newId()
      if (pay === 'card' || pay === 'split_card') handle('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount }, cashier)
      else {
        const wallet = pay === 'alipay' || pay === 'wechat' ? pay : r() < 0.55 ? 'alipay' : 'wechat'
        if (r() < 0.6) handle('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: authCode(r, wallet), amount }, cashier)
        else handle('tender-add', { checkoutId: c.id, attemptId, flow: 'merchant_qr', wallet, amount }, cashier)
      }
      const get = (): Checkout => handle<Checkout>('checkout-get', { id: c.id })
      await until(`tender ${attemptId}`, () => {
        const x = get()
        return x.state === 'completed' || x.attempts.some((a) => a.id === attemptId && (a.state === 'succeeded' || a.state === 'failed'))
      })
      let x = get()
      if (x.state !== 'completed') {
        if (x.remaining <= 0) await until(`checkout ${c.id}`, () => get().state === 'completed')
        else handle('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: x.remaining, tendered: handedOver(r, x.remaining) }, cashier)
      }
      x = get()
      if (x.state !== 'completed' || !x.orderId) throw new Error(`demo history: checkout ${c.id} did not complete (${x.state})`)
      return handle<Order>('order-get', { id: x.orderId })
    }

    const refund = async (session: string, sold: Sold): Promise<void> => {
      const t = sold.order.tenders[0]
      if (!t) return
      const line = sold.order.lines[0]
      const amount = Math.min(t.amount, line && r() < 0.7 ? Math.max(1, line.total) : t.amount)
      if (amount < 1) return
      const approvalId = amount > settings.refundApprovalLimit ? approve(session, 'refund', amount) : undefined
      const reason = pick(r, ['Customer returned the item', 'Damaged packaging', 'Wrong item scanned', 'Out of date']) as string
      handle('refund-create', { refundId: newId(), orderId: sold.order.id, tenderId: t.id, amount, reason, ...(approvalId ? { approvalId } : {}) }, session)
      await until(`refund of ${sold.order.id}`, () => handle<Order>('order-get', { id: sold.order.id }).refunds.every((f) => f.state === 'succeeded' || f.state === 'failed'))
      stats.refunds++
    }

    const voidSale = async (session: string): Promise<void> => {
      const c = handle<Checkout>('checkout-start', { saleId: newId(), cart: { lines: basket() } }, session)
      const hasTender = r() < 0.5 && c.total > 100
      if (hasTender) {
        const part = Math.floor(c.total / 2)
        handle('tender-add', { checkoutId: c.id, attemptId: newId(), flow: 'cash', amount: part, tendered: part }, session)
      }
      const approvalId = c.total > settings.refundApprovalLimit && hasTender ? approve(session, 'void', c.total) : undefined
      handle('checkout-void', { checkoutId: c.id, reason: pick(r, ['Customer left without paying', 'Customer changed their mind', 'Card forgotten at home']), ...(approvalId ? { approvalId } : {}) }, session)
      await until(`void ${c.id}`, () => handle<Checkout>('checkout-get', { id: c.id }).state === 'voided')
      stats.voids++
    }

    // ---- statements -------------------------------------------------------------------------------
    const attemptsOn = db.prepare(
      `SELECT id, method, amount_minor AS amount, provider_ref AS providerRef, paid_at AS paidAt FROM tender_attempts
       WHERE state = 'succeeded' AND method IN ('alipay', 'wechat', 'card') AND paid_at >= ? AND paid_at < ? ORDER BY paid_at, id`,
    )
    const refundsOn = db.prepare(
      `SELECT r.id, r.method, r.amount_minor AS amount, r.provider_ref AS providerRef, r.completed_at AS at, t.id AS attemptId, t.provider_ref AS paymentRef
       FROM refunds r JOIN tender_attempts t ON t.id = r.tender_id
       WHERE r.state = 'succeeded' AND r.method IN ('alipay', 'wechat', 'card') AND r.completed_at >= ? AND r.completed_at < ? ORDER BY r.completed_at, r.id`,
    )
    /** The three providers' files for provider day `day`, built from what the till took, with `inj` put in. */
    const statementsOf = (day: string, inj: Injections | null): { name: string; bytes: Uint8Array }[] => {
      const lo = local(day, 0).toISOString()
      const hi = local(day, 24 * 60).toISOString()
      const pays = attemptsOn.all(lo, hi) as { id: string; method: 'alipay' | 'wechat' | 'card'; amount: number; providerRef: string; paidAt: string }[]
      const refs = refundsOn.all(lo, hi) as { id: string; method: 'alipay' | 'wechat' | 'card'; amount: number; providerRef: string | null; at: string; attemptId: string; paymentRef: string }[]
      const out: { name: string; bytes: Uint8Array }[] = []
      const injectInto = inj ? pick(r, ['alipay', 'wechat'] as const) : null
      for (const provider of ['alipay', 'wechat', 'card'] as const) {
        const bp = DEMO_FEE_BASIS_POINTS[provider]
        const card = provider === 'card'
        let rows: StatementRow[] = [
          ...pays
            .filter((p) => p.method === provider)
            .map((p): StatementRow => {
              const fee = demoFee(p.amount, bp)
              return { line: 0, type: 'payment', providerRef: card ? pspOf(p.providerRef) : p.providerRef, merchantRef: p.id, refundRef: null, gross: p.amount, fee, net: p.amount - fee, currency: 'CNY', providerTime: p.paidAt, providerDate: day, batch: card ? String(dates.indexOf(day) + 101) : null, payoutDate: null }
            }),
          ...refs
            .filter((f) => f.method === provider)
            .map((f): StatementRow => {
              const fee = provider === 'wechat' ? -demoFee(f.amount, bp) : 0
              return { line: 0, type: 'refund', providerRef: card ? pspOf(f.providerRef ?? f.id) : f.paymentRef, merchantRef: f.attemptId, refundRef: f.id, gross: -f.amount, fee, net: -f.amount - fee, currency: 'CNY', providerTime: f.at, providerDate: day, batch: card ? String(dates.indexOf(day) + 101) : null, payoutDate: null }
            }),
        ].sort((a, b) => a.providerTime.localeCompare(b.providerTime))
        if (inj && provider === injectInto) {
          const paymentRows = rows.filter((x) => x.type === 'payment')
          if (inj.dropRow && paymentRows.length > 2) {
            const gone = pick(r, paymentRows)
            rows = rows.filter((x) => x !== gone)
          }
          if (inj.amountOff && paymentRows.length > 2) {
            const off = pick(r, paymentRows.filter((x) => rows.includes(x)))
            const gross = off.gross > 200 ? off.gross - 100 : off.gross + 100
            const fee = demoFee(gross, bp)
            rows = rows.map((x) => (x === off ? { ...x, gross, fee, net: gross - fee } : x))
          }
          if (inj.foreignRow) {
            // A payment the till knows nothing of: another store's, booked to this account by mistake.
            const gross = int(r, 5, 60) * 100
            const fee = demoFee(gross, bp)
            const t = local(day, int(r, 10 * 60, 20 * 60)).toISOString()
            const ref = provider === 'alipay' ? `${day.replaceAll('-', '')}2200${String(int(r, 1e7, 9e7))}${String(int(r, 1e7, 9e7))}` : `4200${String(int(r, 1000, 9999))}${day.replaceAll('-', '')}${String(int(r, 1e5, 9e5))}${String(int(r, 1e5, 9e5))}`
            rows.push({ line: 0, type: 'payment', providerRef: ref, merchantRef: `OTHER-STORE-${String(int(r, 1e5, 9e5))}`, refundRef: null, gross, fee, net: gross - fee, currency: 'CNY', providerTime: t, providerDate: day, batch: null, payoutDate: null })
            rows.sort((a, b) => a.providerTime.localeCompare(b.providerTime))
          }
        }
        if (rows.length === 0) continue
        if (provider === 'card') {
          // The acquirer closes the day's batch at 23:30 and pays it out (MerchantPayout): the batch foots to it.
          const paid = rows.reduce((a, x) => a + x.net, 0)
          const batch = String(dates.indexOf(day) + 101)
          const t = local(day, 23 * 60 + 30).toISOString()
          rows.push({ line: 0, type: 'payout', providerRef: `PAYOUT-${batch}`, merchantRef: null, refundRef: null, gross: -paid, fee: 0, net: -paid, currency: 'CNY', providerTime: t, providerDate: day, batch, payoutDate: day })
        }
        rows = rows.map((x, i) => ({ ...x, line: i + 1 }))
        const pay = rows.filter((x) => x.type === 'payment')
        const ref = rows.filter((x) => x.type === 'refund')
        const sum = (xs: StatementRow[], k: 'gross' | 'fee'): number => xs.reduce((a, x) => a + x[k], 0)
        const s: Statement = {
          provider,
          format: provider === 'alipay' ? 'alipay_bill_zip' : provider === 'wechat' ? 'wechat_trade_bill' : 'adyen_settlement_detail',
          merchantId: provider === 'alipay' ? '2088102177746835' : provider === 'wechat' ? '1900012345' : 'DaybookMartCN',
          date: day,
          currency: 'CNY',
          rows,
          totals: { payments: { count: pay.length, gross: sum(pay, 'gross'), fee: sum(pay, 'fee') }, refunds: { count: ref.length, gross: sum(ref, 'gross'), fee: sum(ref, 'fee') }, net: rows.reduce((a, x) => a + x.net, 0) },
        }
        const ymd = day.replaceAll('-', '')
        const exportedAt = local(addDays(day, 1), 9 * 60)
        if (provider === 'alipay') out.push({ name: `20881021777468350156_${ymd}.csv.zip`, bytes: writeAlipayBill(s, { exportedAt, timeZone: 'Asia/Shanghai' }) })
        else if (provider === 'wechat') out.push({ name: `wechat_trade_bill_${ymd}.csv`, bytes: writeWechatBill(s, { appId: 'wx8888888888888888' }) })
        else out.push({ name: `settlement_detail_report_batch_${dates.indexOf(day) + 101}.csv`, bytes: writeAdyenSettlement(s, { companyAccount: 'DaybookCompany', timeZone: 'Asia/Shanghai' }) })
      }
      return out
    }

    const NOTES = {
      amount_mismatch: 'Alipay confirmed the trade amount; their file was corrected in the next export.',
      missing_locally: 'Not our payment: another store on the same merchant account. Reported to the provider.',
      missing_at_provider: 'Provider support: the payment was settled in a later batch.',
      date_mismatch: 'Paid after midnight: the provider booked it on the next day. Nothing to do.',
      status_mismatch: 'Checked with the provider: the payment did not go through.',
    } as const
    const reconcile = (supervisor: string, day: string, resolve: boolean): void => {
      const run = handle<Reconciliation>('reconcile-run', { runId: newId(), businessDate: day }, supervisor)
      stats.runs++
      if (!resolve) return
      for (const d of run.differences as Difference[]) {
        if (r() < 0.35) continue
        const note = NOTES[d.class as keyof typeof NOTES]
        if (!note) continue
        handle('difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: d.id, kind: d.class === 'missing_locally' ? 'written_off' : 'explained', note }, supervisor)
        stats.resolved++
      }
    }

    // ---- the days ---------------------------------------------------------------------------------
    let previousLeft = 0
    let cashierS = signIn(cashierP)
    let supervisorS = signIn(supervisorP)
    const alive = (session: string, p: Staff): string => (handle<unknown>('session-get', {}, session) === null ? signIn(p) : session)
    for (let i = 0; i < dates.length; i++) {
      const date = dates[i] as string
      const inj = injectionsFor(i, days)
      setClock(local(date, 6 * 60 + 20))
      // Sessions last 12 idle hours: the cashier's and the supervisor's are used all day, so they
      // are signed in again only when one has lapsed (a PIN check is deliberately slow).
      let cashier = (cashierS = alive(cashierS, cashierP))
      let supervisor = (supervisorS = alive(supervisorS, supervisorP))

      // The morning: yesterday's bills are out; import them and reconcile yesterday (and the day
      // before, when a payment after its midnight is only now in a file).
      if (i > 0) {
        const yesterday = dates[i - 1] as string
        setClock(local(date, 6 * 60 + 25))
        for (const f of statementsOf(yesterday, injectionsFor(i - 1, days))) {
          handle('statement-import', { fileName: f.name, base64: Buffer.from(f.bytes).toString('base64') }, supervisor)
          stats.statements++
        }
        setClock(local(date, 6 * 60 + 30))
        if (i >= 2 && lateDays.has(dates[i - 2] as string)) reconcile(supervisor, dates[i - 2] as string, true)
        reconcile(supervisor, yesterday, i < days - 1 || r() < 0.5)
      }

      setClock(local(date, 6 * 60 + 50))
      const shift = handle<Shift>('shift-open', { shiftId: newId(), count: countOf(previousLeft || FLOAT) }, cashier)

      const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay())
      const n = Math.min(120, int(r, 40, 95) + (weekend ? int(r, 10, 25) : 0))
      const times = Array.from({ length: n }, () => weighted(r, HOURS) * 60 + int(r, 0, 59)).sort((a, b) => a - b)
      const sold: Sold[] = []
      const refundAt = new Set<number>()
      const refundsToday = r() < 0.65 ? int(r, 1, 2) : 0
      while (refundAt.size < refundsToday) refundAt.add(int(r, Math.floor(n / 3), n - 1))
      const voidAt = i % 3 === 2 || r() < 0.15 ? int(r, 5, n - 1) : -1
      let dropped = false
      let paidOut = false
      for (let k = 0; k < n; k++) {
        const minute = times[k] as number
        setClock(new Date(local(date, minute).getTime() + int(r, 0, 59_000)))
        if (k === voidAt) await voidSale(cashier)
        const order = await sell(cashier, weighted(r, PAY_MIX))
        sold.push({ order, at: clock })
        stats.orders++
        if (refundAt.has(k) && sold.length > 3) {
          const earlier = sold[int(r, 0, sold.length - 2)] as Sold
          if (earlier.order.refunds.length === 0) await refund(cashier, earlier)
        }
        if (!dropped && minute >= MIDDAY && (i % 2 === 0 || weekend)) {
          const expected = shiftExpected(db, shift.id)
          // Usually under the ¥200 limit; now and then a bigger one, which the supervisor approves.
          const amount = Math.min(Math.floor((expected - FLOAT) / 10_000) * 10_000, i % 5 === 0 ? 60_000 : settings.cashMovementApprovalLimit)
          if (amount >= 10_000) {
            handle('day-x', {}, supervisor)
            const approvalId = amount > settings.cashMovementApprovalLimit ? approve(cashier, 'cash_movement', amount) : undefined
            handle('cash-move', { movementId: newId(), kind: 'safe_drop', amount, reason: 'bank_deposit', note: 'Midday safe drop', ...(approvalId ? { approvalId } : {}) }, cashier)
            dropped = true
          }
        }
        if (!paidOut && minute >= 16 * 60 && i % 3 === 1) {
          handle('cash-move', { movementId: newId(), kind: 'pay_out', amount: int(r, 8, 45) * 100, reason: 'petty_expense', note: pick(r, ['Cleaning supplies', 'Ice for the cooler', 'Milk delivery tip', 'Printer paper']) }, cashier)
          paidOut = true
        }
      }

      // A payment after midnight, still this business day (the cut-off is 04:00): the wallet books it on the next day.
      let closeAt = 23 * 60 + 5
      if (inj.lateSale) {
        setClock(local(date, 24 * 60 + 20))
        cashier = cashierS = alive(cashierS, cashierP)
        await sell(cashier, r() < 0.5 ? 'alipay' : 'wechat')
        stats.orders++
        lateDays.add(date)
        closeAt = 24 * 60 + 35
      }

      // Count the drawer: mostly right, now and then a little out, sometimes out by more than the threshold.
      setClock(local(date, closeAt))
      cashier = cashierS = alive(cashierS, cashierP)
      supervisor = supervisorS = alive(supervisorS, supervisorP)
      const expected = shiftExpected(db, shift.id)
      const small = pick(r, [-50, -20, -10, 10, 20, 50, 100, -100])
      const large = pick(r, [-500, -300, -250, 200, 300, -1000])
      const delta = i % 6 === 3 ? large : i % 4 === 1 || r() < 0.12 ? small : 0
      const counted = Math.max(0, expected + delta)
      const left = Math.min(FLOAT, counted)
      const out = counted - expected
      const over = Math.abs(out) > settings.overShortThreshold
      const reason = over ? (out < 0 ? pick(r, ['Change given wrong at the evening rush', 'A ¥10 note missing, not found']) : 'Customer left without waiting for change') : undefined
      const approvalId = over ? approve(cashier, 'over_short', Math.abs(out)) : undefined
      handle('shift-close', { shiftId: shift.id, count: countOf(counted), left, ...(reason ? { reason } : {}), ...(approvalId ? { approvalId } : {}) }, cashier)
      previousLeft = left
      setClock(local(date, closeAt + 10))
      handle('day-close', { closureId: newId() }, supervisor)
      stats.closures++
      if ((i + 1) % 10 === 0) log(`demo history: ${i + 1}/${days} days (${date}), ${stats.orders} orders, ${seconds(performance.now() - t0)} s`)
    }

    // The providers at the edge leave with the seeding: the till is not paired, the terminal has no passphrase.
    owner = signIn(ownerP)
    handle('sync-unpair', {}, owner)
  } finally {
    await core.close()
  }
  return { seeded: true, createdDemo, firstDate: first, lastDate: addDays(today, -1), ...stats, ms: performance.now() - t0 }
}

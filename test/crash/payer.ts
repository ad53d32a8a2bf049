/**
 * The victim of the payments crash test: a till paired with a real platform and configured with
 * the terminal simulator, paying orders by card and by QR in a loop until it is SIGKILLed. Each
 * run first resolves whatever the last one left open (recovery), then pays; what is left to pay is
 * paid in cash, inside a shift it opens when none is open (a kill may land there too). It prints what it
 * does so the test can correlate; the verdict comes from the ledger and the providers afterwards.
 *
 *   payer <dataDir> <resourcesDir> <seed> <mode: pay | recover>
 */
import { openCore } from '../../src/main/core/open-core'
import { createAdyenDriver } from '../../src/main/core/payments/terminal/adyen-driver'
import type { Checkout, PaymentsStatus } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'

const [dataDir, resourcesDir, seedText, mode] = process.argv.slice(2)
if (!dataDir || !resourcesDir || !mode) throw new Error('usage: payer <dataDir> <resourcesDir> <seed> <pay|recover>')

const { core } = openCore({
  dataDir,
  demo: true,
  resourcesDir,
  startSync: false,
  makeTerminal: (config) => createAdyenDriver(config),
  // The real cadences are seconds; the crash test needs hundreds of rounds in minutes.
  payments: { codePollMs: 150, codeGiveUpMs: 3_000, qrWaitMs: 2_000, retryMinMs: 50, retryMaxMs: 400, cardStatusPollMs: 100, refundPollMs: 100, expiryGraceMs: 300 },
})

function must<T>(channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`)
  return r.value as T
}

const staff = must<{ id: string; name: string }[]>('staff-list', {})
const owner = staff.find((s) => s.name.includes('Wang Fang'))!
const session = must<{ token: string }>('session-signin', { staffId: owner.id, pin: '9999' }).token

let state = Number(seedText ?? 1) >>> 0 || 1
const rnd = (n: number): number => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** Resolves when nothing is left to resolve (or throws after `ms`). */
async function settled(ms: number): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    const s = must<PaymentsStatus>('payments-status', {}, session)
    const open = must<Checkout | null>('checkout-open', {}, session)
    const inFlight = open?.attempts.some((a) => a.state === 'created' || a.state === 'awaiting_customer' || a.state === 'unknown') ?? false
    if (s.unresolved === 0 && !inFlight && open?.state !== 'voiding') return
    if (Date.now() > until) throw new Error(`still unresolved after ${ms} ms: ${JSON.stringify(s)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Cash is only taken inside an open shift: opens one (a ¥100 float) unless one is open already. */
function ensureShift(): void {
  const status = must<{ shift: unknown }>('till-status', {}, session)
  if (!status.shift) must('shift-open', { shiftId: newId(), count: [{ value: 10000, kind: 'note', count: 1 }] }, session)
}

/** Whatever is still open after recovery is finished in cash, so every run starts clean. */
function finishInCash(): void {
  const open = must<Checkout | null>('checkout-open', {}, session)
  if (open && open.state === 'open' && open.remaining > 0) {
    must('tender-add', { checkoutId: open.id, attemptId: newId(), flow: 'cash', amount: open.remaining, tendered: open.remaining }, session)
  }
}

async function waitAttempt(checkoutId: string, attemptId: string): Promise<string> {
  for (;;) {
    const c = must<Checkout>('checkout-get', { id: checkoutId }, session)
    const a = c.attempts.find((x) => x.id === attemptId)!
    if (a.state === 'succeeded' || a.state === 'failed' || a.state === 'reversed') return a.state
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Codes whose last two digits pick the sandbox outcome (see src/platform/README.md). */
const CODE_ENDINGS = ['00', '00', '91', '92', '94', '95']

async function main(): Promise<void> {
  await settled(60_000)
  ensureShift()
  finishInCash()
  await settled(10_000)
  say('recovered')
  if (mode === 'recover') {
    await core.close()
    process.exit(0)
  }
  for (;;) {
    const lines = Array.from({ length: 1 + rnd(3) }, () => ({ productId: `p${1001 + rnd(24)}`, quantity: String(1 + rnd(3)) }))
    const c = must<Checkout>('checkout-start', { saleId: newId(), cart: { lines } }, session)
    const attemptId = newId()
    const kind = rnd(2) === 0 ? 'card' : 'code'
    if (kind === 'card') {
      say(`attempt ${attemptId} card ${c.total}`)
      must('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount: c.total }, session)
    } else {
      const wallet = rnd(2) === 0 ? 'wechat' : 'alipay'
      const ending = CODE_ENDINGS[rnd(CODE_ENDINGS.length)]!
      const body = String(rnd(1e9)).padStart(9, '0') + String(rnd(1e5)).padStart(5, '0')
      const code = wallet === 'wechat' ? `13${body}${ending}` : `28${body}${ending}`
      say(`attempt ${attemptId} ${wallet} ${c.total}`)
      must('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: code, amount: c.total }, session)
    }
    const outcome = await waitAttempt(c.id, attemptId)
    say(`resolved ${attemptId} ${outcome}`)
    finishInCash()
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})

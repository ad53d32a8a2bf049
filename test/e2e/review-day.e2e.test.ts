import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { minorToDecimalString } from '../../src/shared/money'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labelsOf } from '../../src/main/core/review/export/labels'
import { byBarcode, E2ESession, eventually, openShiftThroughUi, requireBuiltRenderer, scan, typeCount, type Platform, type SimSettings, pairThroughUi, setLanguage, signInAs, switchUserTo, businessDateOfReceipt, reviewExport, bomCsvRows, pdfToText, type Role } from './support'

/**
 * Issue 12, the whole day end to end, through the UI only: `npm run platform -- --demo` (sandbox
 * wallets; its card statements from the acquirer), `npm run terminal-sim` (the card terminal, and the
 * acquirer on Asia/Dubai time: its midnight is the till's 04:00 Shanghai cut-off, so its day is the
 * business day at any hour), `npm run serve -- --demo`, Chromium.
 *  - the owner 王芳 pairs the till and enters the terminal's settings;
 *  - the cashier 李娜 opens a shift, sells by cash, Alipay QR, WeChat Pay QR (the customer's phone pays
 *    on the sandbox page) and card; pays out ¥3.00;
 *  - the owner refunds ¥10.00 of the card sale from Orders;
 *  - the cashier closes the shift ¥2.00 short, 张伟 Zhang Wei approves with his PIN; the owner closes the day (Z);
 *  - set-up only (admin endpoints): the acquirer closes its batch; the Alipay bill of the QR sale's
 *    provider day leaves that payment out (missing_payment), both wallets' bills are out at once;
 *  - Reconcile: Get statements (F2), Reconcile (F4): one difference, missing_at_provider, on that payment
 *    (and, when the WeChat Pay sale was paid between midnight Beijing time and the store's 04:00
 *    cut-off, that sale as date_mismatch: the provider has it on the next day's bill — so the test
 *    passes at any hour, and checks which case it is in from the platform's paidAt);
 *  - Review: figures equal what was sold (the fees table: day D's bills; the card's as the acquirer
 *    charged them); the difference in the table; resolved with a note (F7), it stays with the note; the CSVs equal the screen; the day report and Z PDFs (pdftotext) carry the
 *    totals in zh-CN and in English. Screenshots 1024×768, en and zh-CN: /tmp/shots/review-day-*.png.
 * Run after `npx electron-vite build`.
 */

const STEP = 15_000
const SYNC = 45_000
const SHOTS = '/tmp/shots'

const WATER = byBarcode('6901234500004') // 2.00
const COLA = byBarcode('6901234537017') // 3.50
const SPRITE = byBarcode('6901234574029') // 3.80
const NOODLES = byBarcode('6901234648041') // 10.50
const BUTTER = byBarcode('6901235351230') // 29.90
const PAY_OUT = 300
const SHORT = 200
const REFUND = 1000
const NOTE = '顾客称已付款，支付宝账单漏记 — Alipay left the paid trade out of its bill; ticket opened'
const ACQUIRER_PASSWORD = 'e2e-review-day-report-pw'

const e2e = new E2ESession()
let page: Page
let platform: Platform
let sim: SimSettings
let appUrl = ''

interface Sale {
  receiptNo: string
  total: number
  method: string
}
interface PlatformPayment {
  paymentId: string
  wallet: string
  amount: number
  state: string
  fee: number
  paidAt: string | null
  codeUrl: string | null
}
interface StoredStatement {
  provider: string
  date: string
  rows: { type: string; gross: number; fee: number; merchantRef: string | null }[]
}


const language = (lang: 'en' | 'zh-CN'): Promise<void> => setLanguage(page, lang, STEP)

/** The screen at 1024×768 in English and Chinese, scrolled to `at` (a test id) when given; back to English. */
async function shots(name: string, at?: string): Promise<void> {
  for (const lang of ['en', 'zh-CN'] as const) {
    await language(lang)
    if (at) await page.evaluate(`document.querySelector('[data-testid="${at}"]').scrollIntoView({ block: 'start' })`)
    await page.screenshot({ path: join(SHOTS, `review-day-${name}-${lang}.png`) })
  }
  await language('en')
}

async function minor(locator: ReturnType<Page['locator']>): Promise<number> {
  return Number(await locator.first().getAttribute('data-minor', { timeout: STEP }))
}

const signIn = (role: Role, pin: string): Promise<void> => signInAs(page, role, pin, STEP)

const switchUser = (role: Role, pin: string): Promise<void> => switchUserTo(page, role, pin, STEP)

async function toDay(): Promise<void> {
  await page.getByTestId('nav-day').click()
  await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
}

async function startSale(codes: string[]): Promise<number> {
  await page.getByTestId('nav-checkout').click()
  await page.getByTestId('checkout').waitFor({ timeout: STEP })
  for (const code of codes) {
    const p = byBarcode(code)
    await scan(page, code)
    await page.locator(`[data-testid="cart-line"][data-product-id="${p.id}"]`).waitFor({ timeout: STEP })
  }
  await page.keyboard.press('F12')
  await page.getByTestId('pay-dialog').waitFor({ timeout: STEP })
  return Number(await page.getByTestId('pay-total').getAttribute('data-minor'))
}

async function done(): Promise<Sale> {
  await page.getByTestId('sale-done').waitFor({ timeout: SYNC })
  const receiptNo = ((await page.getByTestId('receipt-no').textContent()) ?? '').trim()
  const total = await minor(page.getByTestId('receipt-total'))
  const methods = await page.locator('[data-testid="receipt-tender"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')))
  expect(methods).toHaveLength(1)
  return { receiptNo, total, method: methods[0]! }
}

/** A merchant QR (F3 Alipay, F4 WeChat Pay) for the whole sale, paid on the sandbox page as the customer's phone would. */
async function payByQr(key: 'F3' | 'F4', wallet: 'alipay' | 'wechat'): Promise<string> {
  await page.keyboard.press(key)
  const img = page.locator(`[data-testid="merchant-qr"][data-wallet="${wallet}"] [data-testid="merchant-qr-image"]`)
  await img.waitFor({ timeout: STEP })
  const url = (await img.getAttribute('data-qr-text')) ?? ''
  expect(url).toMatch(new RegExp(`^${platform.url}/sandbox/pay/[A-Za-z0-9_-]+$`))
  const paid = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pay' })
  expect(paid.status).toBe(200)
  return url
}

const businessDateOf = businessDateOfReceipt

/** The wallets' provider day: the calendar day in Beijing time of when the trade was paid. */
function beijingDate(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

/** "15.10" from 1510 (CNY): the CSV's and the PDF's money. */
const dec = (m: number): string => minorToDecimalString(m, 'CNY')
const cents = (text: string | undefined): number => Math.round(Number(text) * 100)

const download = (kind: string): Promise<{ name: string; bytes: Buffer }> => reviewExport(page, kind, join(SHOTS, 'review-day-export-'), STEP)

const csvRows = bomCsvRows

const pdfText = (bytes: Buffer, name: string): string => pdfToText(bytes, join(SHOTS, `review-day-${name}.pdf`))

describe('the whole day, through the UI only (platform + terminal simulator as acquirer + serve host + Chromium)', () => {
  let storeId = ''
  let day = ''
  let float = 0
  const sales: Record<'cash' | 'alipay' | 'wechat' | 'card', Sale> = {} as never
  const qrUrls: Record<'alipay' | 'wechat', string> = { alipay: '', wechat: '' }
  let payments: PlatformPayment[] = []
  let missing: PlatformPayment | undefined
  /** The WeChat Pay sale was paid after midnight Beijing time (before the store's 04:00 cut-off): on the next provider day. */
  let wechatShifted = false
  let closureNumber = 0
  let counted = 0
  let expectedCash = 0

  beforeAll(async () => {
    requireBuiltRenderer()
    mkdirSync(SHOTS, { recursive: true })
    const [terminal, url] = await Promise.all([
      e2e.startTerminalSim(e2e.dirs.make('daybook-e2e-rd-terminal-'), ['--acquirer-tz', 'Asia/Dubai', '--report-password', ACQUIRER_PASSWORD]),
      e2e.startServe('daybook-e2e-rd-till-', ['--platform-timeout', '5']),
    ])
    sim = terminal
    appUrl = url
    expect(sim.reportPassword).toBe(ACQUIRER_PASSWORD)
    platform = await e2e.startPlatform('daybook-e2e-rd-platform-', {
      args: ['--acquirer-url', sim.reportUrl, '--acquirer-user', sim.reportUser, '--acquirer-account', sim.merchantAccount],
      env: { DAYBOOK_ACQUIRER_PASSWORD: ACQUIRER_PASSWORD },
    })
    expect(platform.adminToken, `admin token from "${platform.tokenFrom}"`).not.toBe('')
    page = await e2e.openPage({ viewport: { width: 1024, height: 768 }, english: true })
  }, 120_000)

  afterAll(() => e2e.close())

  it('the owner pairs the till and enters the card terminal’s settings', async () => {
    await page.goto(appUrl)
    await signIn('owner', '9999')
    storeId = await pairThroughUi(page, platform, SYNC)

    await page.getByTestId('settings-tab-terminal').click()
    await page.getByTestId('terminal-settings').waitFor({ timeout: STEP })
    await page.getByTestId('terminal-endpoint').fill(sim.endpoint)
    await page.getByTestId('terminal-poiId').fill(sim.poiId)
    await page.getByTestId('terminal-keyIdentifier').fill(sim.keyId)
    await page.getByTestId('terminal-keyVersion').fill(sim.keyVersion)
    await page.getByTestId('terminal-passphrase').fill(sim.passphrase)
    await page.getByTestId('terminal-caCert').fill(readFileSync(sim.caFile, 'utf8'))
    await page.getByTestId('terminal-save').click()
    await page.locator('[data-testid="terminal-state"][data-configured="yes"]').waitFor({ timeout: STEP })
  }, 60_000)

  it('the cashier opens a shift and sells by cash, Alipay QR, WeChat Pay QR and card; pays out ¥3.00', async () => {
    await switchUser('cashier', '1111')
    float = await openShiftThroughUi(page)

    expect(await startSale([WATER.barcodes[0]!, COLA.barcodes[0]!])).toBe(WATER.price + COLA.price)
    await page.getByTestId('pay-tendered').fill('10')
    await page.getByTestId('pay-complete').click()
    sales.cash = await done()

    expect(await startSale([SPRITE.barcodes[0]!])).toBe(SPRITE.price)
    qrUrls.alipay = await payByQr('F3', 'alipay')
    sales.alipay = await done()

    expect(await startSale([NOODLES.barcodes[0]!])).toBe(NOODLES.price)
    qrUrls.wechat = await payByQr('F4', 'wechat')
    sales.wechat = await done()

    const cardTotal = await startSale([BUTTER.barcodes[0]!])
    expect(cardTotal).toBe(BUTTER.price)
    expect([81, 82, 83, 84, 85, 86, 87, 88]).not.toContain(cardTotal % 100) // an approving amount on the simulator
    await page.keyboard.press('F7')
    sales.card = await done()

    expect(Object.entries(sales).map(([k, s]) => [k, s.method])).toEqual([
      ['cash', 'cash'],
      ['alipay', 'alipay'],
      ['wechat', 'wechat'],
      ['card', 'card'],
    ])
    day = businessDateOf(sales.cash.receiptNo)
    for (const s of Object.values(sales)) expect(businessDateOf(s.receiptNo)).toBe(day)

    await toDay()
    await page.keyboard.press('F3')
    await page.getByTestId('cash-move-dialog').waitFor({ timeout: STEP })
    await page.getByTestId('move-amount').fill(dec(PAY_OUT))
    await page.getByTestId('move-reason-petty_expense').click()
    await page.getByTestId('move-note').fill('milk')
    await page.getByTestId('move-submit').click()
    await page.getByTestId('cash-move-dialog').waitFor({ state: 'detached', timeout: STEP })
    await page.locator(`[data-testid="movement"][data-kind="pay_out"][data-minor="${PAY_OUT}"]`).waitFor({ timeout: STEP })
  }, 120_000)

  it('the owner refunds ¥10.00 of the card sale from Orders', async () => {
    await switchUser('owner', '9999')
    await page.getByTestId('nav-orders').click()
    await page.getByTestId('orders').waitFor({ timeout: STEP })
    await page.getByTestId(`order-row-${sales.card.receiptNo}`).click({ timeout: STEP })
    await page.getByTestId('order-payments').waitFor({ timeout: STEP })
    const tenderId = (await page.locator('[data-testid="order-tender"][data-method="card"]').getAttribute('data-tender-id')) ?? ''
    await page.getByTestId(`refund-${tenderId}`).click()
    await page.getByTestId('refund-dialog').waitFor({ timeout: STEP })
    await page.getByTestId('refund-amount').fill(dec(REFUND))
    await page.getByTestId('refund-reason').fill('Butter returned')
    await page.getByTestId('refund-submit').click()
    await page.locator('[data-testid="refund-progress"][data-state="succeeded"]').waitFor({ timeout: SYNC })
    await page.getByTestId('refund-close').click()
    await page.getByTestId('refund-dialog').waitFor({ state: 'detached', timeout: STEP })
    await page.locator(`[data-testid="refundable-${tenderId}"][data-minor="${sales.card.total - REFUND}"]`).waitFor({ timeout: STEP })
  }, 60_000)

  it('the cashier closes the shift ¥2.00 short, Zhang Wei approves; the owner closes the day (Z)', async () => {
    await switchUser('cashier', '1111')
    await toDay()
    await page.keyboard.press('F6')
    await page.locator('[data-testid="close-shift"][data-phase="count"]').waitFor({ timeout: STEP })
    expectedCash = float + sales.cash.total - PAY_OUT
    counted = expectedCash - SHORT
    // ¥100 × 2, the rest in ¥1 coins and 1 jiao
    const rest = counted - 20_000
    const counts: Record<string, number> = { 'note-10000': 2, 'coin-100': Math.floor(rest / 100) }
    if (rest % 100) counts['coin-10'] = (rest % 100) / 10
    expect(await typeCount(page, 'close-count', counts)).toBe(counted)
    await page.getByTestId('close-left').fill('100')
    await page.keyboard.press('F12')
    await page.locator('[data-testid="close-shift"][data-phase="reason"]').waitFor({ timeout: STEP })
    await page.getByTestId('close-reason').fill('Change given wrong on a ¥100 note')
    await page.keyboard.press('Enter')
    await page.getByTestId('close-approval-dialog').waitFor({ timeout: STEP })
    await page.locator('[data-testid^="approver-"]', { hasText: 'Zhang Wei' }).click()
    await page.getByTestId('pin-input').fill('2222')
    await page.keyboard.press('Enter')
    await page.getByTestId('shift-report-view').waitFor({ timeout: STEP })
    expect(await page.getByTestId('shift-over-short-row').getAttribute('data-signed')).toBe(String(-SHORT))
    expect(await page.getByTestId('shift-approved-by').textContent()).toBe('张伟 Zhang Wei')

    await switchUser('owner', '9999')
    await page.getByTestId('business-day').click()
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F8')
    await page.locator('[data-testid="z-view"][data-blocked="no"]').waitFor({ timeout: STEP })
    await page.getByTestId('z-close').click()
    await page.getByTestId('z-confirm').waitFor({ timeout: STEP })
    await page.keyboard.press('F12')
    await page.getByTestId('z-report-view').waitFor({ timeout: STEP })
    closureNumber = Number(await page.getByTestId('z-report').getAttribute('data-closure-number'))
    expect(closureNumber).toBe(1)
  }, 120_000)

  it('set-up: the acquirer closes its batch; the Alipay bill leaves the QR sale out; both wallets’ bills are out now', async () => {
    const acq = (await (await fetch(`${sim.control}/acquirer`)).json()) as { today: string; timeZone: string }
    expect(acq).toMatchObject({ timeZone: 'Asia/Dubai', today: day }) // the acquirer's day is the business day
    const closed = await fetch(`${sim.control}/acquirer/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(closed.status).toBe(200)
    expect(((await closed.json()) as { closed: unknown[] }).closed).toHaveLength(1)

    // the wallet payments as the platform has them (listed by UTC day of creation)
    payments = await eventually(
      'both QR payments paid on the platform',
      async () => {
        const now = Date.now()
        const all: PlatformPayment[] = []
        for (const d of new Set([new Date(now).toISOString().slice(0, 10), new Date(now - 86_400_000).toISOString().slice(0, 10)])) {
          all.push(...(await platform.admin<{ payments: PlatformPayment[] }>(`/v1/admin/stores/${storeId}/payments?date=${d}`)).body.payments)
        }
        const paid = all.filter((p) => p.state === 'succeeded' && (p.codeUrl === qrUrls.alipay || p.codeUrl === qrUrls.wechat))
        return paid.length === 2 ? paid : undefined
      },
      SYNC,
    )
    missing = payments.find((p) => p.wallet === 'alipay')!
    expect(missing.amount).toBe(sales.alipay.total)
    const wechat = payments.find((p) => p.wallet === 'wechat')!
    expect(wechat.amount).toBe(sales.wechat.total)
    const put = async (wallet: string, date: string, differences: unknown[]) => {
      const r = await fetch(`${platform.url}/v1/admin/sandbox/statement-differences`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${platform.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ storeId, wallet, date, availableNow: true, differences }),
      })
      const body = (await r.json()) as { differences: { kind: string; expectedClass: string; outTradeNo: string }[] }
      expect(r.status, JSON.stringify(body)).toBe(200)
      return body.differences
    }
    // The till reconciles business day D against the providers' files of D and D+1 (a sale after
    // midnight Beijing time and before the 04:00 cut-off is on the next provider day): those are out now.
    const D1 = nextDate(day)
    for (const p of payments) expect([day, D1]).toContain(beijingDate(p.paidAt!))
    wechatShifted = beijingDate(wechat.paidAt!) === D1
    // D's bills must be there for the wallets to be reconciled at all; D+1's when a sale is in it
    for (const date of new Set([day, ...payments.map((p) => beijingDate(p.paidAt!))])) {
      const recorded = await put('alipay', date, beijingDate(missing.paidAt!) === date ? [{ kind: 'missing_payment', outTradeNo: missing.paymentId }] : [])
      if (beijingDate(missing.paidAt!) === date) expect(recorded).toMatchObject([{ kind: 'missing_payment', expectedClass: 'missing_at_provider', outTradeNo: missing.paymentId }])
      await put('wechat', date, [])
    }
  }, 60_000)

  it('Reconcile: Get statements (F2), Reconcile (F4): the difference, missing at the provider, on the Alipay QR sale', async () => {
    await page.getByTestId('nav-reconcile').click()
    await page.getByTestId('reconcile-screen').waitFor({ timeout: STEP })
    await page.getByTestId('reconcile-date').fill(day)
    // F2/F4 wait for the day's statements and runs to load (the screen ignores them while busy).
    await page.locator('[data-testid="reconcile-screen"][data-busy=""]').waitFor({ timeout: STEP })
    await page.keyboard.press('F2')
    for (const p of ['alipay', 'wechat', 'card']) await page.locator(`[data-testid="reconcile-statement"][data-provider="${p}"]`).first().waitFor({ timeout: SYNC })
    await page.keyboard.press('F4')
    await page.getByTestId('reconcile-result').waitFor({ timeout: STEP })
    const found = await page.locator('[data-testid="difference-row"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')} ${e.getAttribute('data-provider')} ${e.getAttribute('data-minor')}: ${e.textContent}`))
    // a WeChat Pay sale paid after midnight Beijing time is in the next day's bill: the till lists that as a different day
    const want = [`missing_at_provider alipay ${-sales.alipay.total}`, ...(wechatShifted ? ['date_mismatch wechat 0'] : [])]
    expect(found.map((f) => f.slice(0, f.indexOf(':'))).sort(), found.join('\n')).toEqual(want.sort())
    const d = page.locator('[data-testid="difference-row"][data-class="missing_at_provider"]')
    expect(await d.getAttribute('data-provider')).toBe('alipay')
    expect(await d.getByTestId('difference-local').getAttribute('data-receipt')).toBe(sales.alipay.receiptNo)
  }, 90_000)

  it('Review: the figures are what was sold, the cash ¥2.00 short with Zhang Wei’s approval, the fees the providers’', async () => {
    await page.getByTestId('nav-review').click()
    await page.getByTestId('review-screen').waitFor({ timeout: STEP })
    const item = page.locator(`[data-testid="review-day"][data-date="${day}"]`)
    await item.click({ timeout: STEP })
    await page.locator(`[data-testid="review-screen"][data-date="${day}"] [data-testid="review-headline"]`).waitFor({ timeout: STEP })
    await page.locator('[data-testid="review-matches"] [data-testid="review-match"]').first().waitFor({ timeout: STEP })
    expect(await item.locator('[data-testid="review-status"]').getAttribute('data-status')).toBe('differences')

    const gross = Object.values(sales).reduce((a, s) => a + s.total, 0)
    expect(await minor(page.getByTestId('review-gross'))).toBe(gross)
    expect(await minor(page.getByTestId('review-refunds'))).toBe(REFUND)
    expect(await minor(page.getByTestId('review-net'))).toBe(gross - REFUND)
    expect(await page.getByTestId('review-orders').textContent()).toBe('4')
    const tenders = await page.locator('[data-testid="review-tender"]').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-method'), [Number(e.getAttribute('data-sales')), Number(e.getAttribute('data-refunds')), Number(e.getAttribute('data-net'))]]),
    )
    expect(Object.fromEntries(tenders)).toEqual({
      cash: [sales.cash.total, 0, sales.cash.total],
      alipay: [sales.alipay.total, 0, sales.alipay.total],
      wechat: [sales.wechat.total, 0, sales.wechat.total],
      card: [sales.card.total, REFUND, sales.card.total - REFUND],
    })
    // cash: ¥2.00 short, counted by Li Na, approved by Zhang Wei
    const shift = page.getByTestId('review-shift')
    expect(await shift.count()).toBe(1)
    expect(await shift.getAttribute('data-minor')).toBe(String(-SHORT))
    const shiftText = (await shift.textContent()) ?? ''
    expect(shiftText).toContain('李娜 Li Na')
    expect(shiftText).toContain('张伟 Zhang Wei')
    expect(shiftText).toContain('¥2.00')
    // fees and payouts per provider: the statements' (the platform's stored copies), gross as sold
    const stored = async (date: string) => (await platform.admin<{ statements: StoredStatement[] }>(`/v1/admin/stores/${storeId}/statements?date=${date}`)).body.statements
    const wechat = payments.find((p) => p.wallet === 'wechat')!
    const cardRows = (await stored(day)).filter((s) => s.provider === 'card').flatMap((s) => s.rows)
    const cardFee = cardRows.reduce((a, r) => a + r.fee, 0)
    expect(cardRows.filter((r) => r.type !== 'payout').map((r) => [r.type, r.gross]).sort()).toEqual(
      [
        ['payment', sales.card.total],
        ['refund', -REFUND],
      ].sort(),
    )
    const fees = await page.locator('[data-testid="review-fee"]').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-provider'), [Number(e.getAttribute('data-gross')), Number(e.getAttribute('data-fee')), Number(e.getAttribute('data-net'))]]),
    )
    const byProvider = Object.fromEntries(fees)
    // the figures are those of day D's bills: a WeChat Pay sale after midnight Beijing time is in D+1's
    expect(byProvider.wechat).toEqual(wechatShifted ? [0, 0, 0] : [wechat.amount, wechat.fee, wechat.amount - wechat.fee])
    expect(byProvider.alipay).toEqual([0, 0, 0]) // its one trade is missing from the bill
    // card: ¥29.90 − ¥10.00 taken, the acquirer's commission, the rest paid out (its payout row is the paying, not takings)
    expect.soft(byProvider.card, 'card fees and payout: gross, fee, payout').toEqual([sales.card.total - REFUND, cardFee, sales.card.total - REFUND - cardFee])
    expect(wechat.fee).toBeGreaterThan(0)
    expect(cardFee).toBeGreaterThan(0)
    // the Z
    expect(await page.getByTestId('review-z').getAttribute('data-number')).toBe(String(closureNumber))
    expect(await minor(page.getByTestId('review-period-total'))).toBe(gross - REFUND)
    expect(await minor(page.getByTestId('review-grand-total'))).toBe(gross - REFUND)
    await shots('01-day')
    await shots('02-figures', 'review-takings')
    await shots('03-cash-fees', 'review-payouts')
  }, 120_000)

  it('the table has the one difference, missing at the provider, on the Alipay QR sale; resolved with a note (F7) it stays', async () => {
    const open = wechatShifted ? 2 : 1
    expect(await page.getByTestId('review-filter-open').getAttribute('data-count')).toBe(String(open))
    await page.getByTestId('review-match').first().click()
    await page.keyboard.press('3') // open
    const lines = page.locator('[data-testid="review-match"]')
    await eventually('the open lines', async () => ((await lines.count()) === open ? true : undefined), STEP, 50)
    expect((await lines.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')} ${e.getAttribute('data-provider')}`))).sort()).toEqual(
      ['missing_at_provider alipay', ...(wechatShifted ? ['date_mismatch wechat'] : [])].sort(),
    )
    const d = page.locator('[data-testid="review-match"][data-class="missing_at_provider"]')
    expect(await d.getAttribute('data-provider')).toBe('alipay')
    expect(await d.getAttribute('data-resolved')).toBe('')
    await shots('04-difference', 'review-matches')
    await d.getByTestId('review-details').click()
    await page.getByTestId('review-drill').waitFor({ timeout: STEP })
    await page.locator(`[data-testid="review-drill-order"][data-total="${sales.alipay.total}"]`).waitFor({ timeout: STEP })
    expect(await page.getByTestId('review-drill').textContent()).toContain(sales.alipay.receiptNo)
    await page.keyboard.press('F7')
    const dialog = page.getByTestId('resolve-dialog')
    await dialog.waitFor({ timeout: STEP })
    await page.getByTestId('resolve-note').fill(NOTE)
    await page.keyboard.press('F12')
    await dialog.waitFor({ state: 'detached', timeout: STEP })
    await page.locator('[data-testid="review-drill"] [data-testid="review-resolution"][data-kind="explained"]').waitFor({ timeout: STEP })
    await page.keyboard.press('Escape')
    await page.getByTestId('review-drill').waitFor({ state: 'detached', timeout: STEP })
    await page.keyboard.press('1') // all
    const res = page.locator('[data-testid="review-match"][data-class="missing_at_provider"][data-resolved="explained"] [data-testid="review-resolution"]')
    await res.waitFor({ timeout: STEP })
    expect(await res.textContent()).toContain('Explained by 王芳 Wang Fang')
    expect(await res.textContent()).toContain(NOTE)
    expect(await page.getByTestId('review-filter-open').getAttribute('data-count')).toBe(String(open - 1))
    await page.locator(`[data-testid="review-day"][data-date="${day}"] [data-testid="review-status"][data-status="reconciled"]`).waitFor({ timeout: STEP })
    await shots('05-resolved', 'review-matches')
  }, 90_000)

  it('the CSVs (orders, tenders, reconciliation) match the screen figure by figure', async () => {
    const L = labelsOf('en')
    // orders: one row per sale with its total and refunded
    const [oHead, ...oRows] = csvRows((await download('csv_orders')).bytes)
    expect(oRows).toHaveLength(Number(await page.getByTestId('review-orders').textContent()))
    const at = (h: string[], label: string) => {
      const i = h.indexOf(label)
      expect(i, `${label} in ${h.join(',')}`).toBeGreaterThanOrEqual(0)
      return i
    }
    const oTotal = at(oHead!, L.csv.total)
    const oRefunded = at(oHead!, L.csv.refunded)
    const oReceipt = at(oHead!, L.csv.receiptNo)
    for (const s of Object.values(sales)) {
      const r = oRows.find((x) => x[oReceipt] === s.receiptNo)
      expect(r, s.receiptNo).toBeDefined()
      expect(cents(r![oTotal])).toBe(s.total)
      expect(cents(r![oRefunded])).toBe(s === sales.card ? REFUND : 0)
    }
    expect(oRows.reduce((a, r) => a + cents(r[oTotal]), 0)).toBe(await minor(page.getByTestId('review-gross')))

    // tenders: per method, Σ payments = the screen's sales, Σ refunds = its refunds, Σ all = its net
    const [tHead, ...tRows] = csvRows((await download('csv_tenders')).bytes)
    const tType = at(tHead!, L.csv.type)
    const tMethod = at(tHead!, L.csv.method)
    const tAmount = at(tHead!, L.csv.amount)
    const screen = await page.locator('[data-testid="review-tender"]').evaluateAll((els) =>
      els.map((e) => ({ method: e.getAttribute('data-method')!, sales: Number(e.getAttribute('data-sales')), refunds: Number(e.getAttribute('data-refunds')), net: Number(e.getAttribute('data-net')) })),
    )
    expect(screen).toHaveLength(4)
    for (const x of screen) {
      const mine = tRows.filter((r) => r[tMethod] === L.method[x.method as 'cash'])
      const pay = mine.filter((r) => r[tType] === L.tenderKind.payment).reduce((a, r) => a + cents(r[tAmount]), 0)
      const ref = mine.filter((r) => r[tType] === L.tenderKind.refund).reduce((a, r) => a + cents(r[tAmount]), 0)
      expect([x.method, pay, ref === 0 ? 0 : -ref, pay + ref]).toEqual([x.method, x.sales, x.refunds, x.net])
    }
    expect(tRows.reduce((a, r) => a + cents(r[tAmount]), 0)).toBe(await minor(page.getByTestId('review-net')))

    // reconciliation: one row per line of the table, same class, provider and difference; Σ gross and fee per provider = the payouts table
    const [rHead, ...rRows] = csvRows((await download('csv_reconciliation')).bytes)
    expect(rRows).toHaveLength(Number(await page.getByTestId('review-filter-all').getAttribute('data-count')))
    const lines = await page.locator('[data-testid="review-match"]').evaluateAll((els) =>
      els.map((e) => ({ cls: e.getAttribute('data-class')!, provider: e.getAttribute('data-provider')!, diff: e.getAttribute('data-difference') ?? '' })),
    )
    expect(lines).toHaveLength(rRows.length)
    const rClass = at(rHead!, L.csv.class)
    const rProvider = at(rHead!, L.csv.provider)
    const rDiff = at(rHead!, L.csv.differenceId)
    const rGross = at(rHead!, L.csv.gross)
    const rFee = at(rHead!, L.csv.fee)
    const rNote = at(rHead!, L.csv.resolutionNote)
    const rMerchant = at(rHead!, L.csv.receiptNo)
    const key = (cls: string, provider: string, diff: string) => `${cls}|${provider}|${diff}`
    expect(rRows.map((r) => key(r[rClass]!, r[rProvider]!, r[rDiff]!)).sort()).toEqual(
      lines.map((l) => key(L.matchClass[l.cls as 'matched'], L.provider[l.provider as 'card'], l.diff)).sort(),
    )
    const diffRow = rRows.find((r) => r[rClass] === L.matchClass.missing_at_provider)!
    expect(diffRow[rNote]).toBe(NOTE)
    expect(diffRow[rMerchant]).toBe(sales.alipay.receiptNo)
    const fees = await page.locator('[data-testid="review-fee"]').evaluateAll((els) =>
      els.map((e) => ({ provider: e.getAttribute('data-provider')!, gross: Number(e.getAttribute('data-gross')), fee: Number(e.getAttribute('data-fee')) })),
    )
    // the payouts table is day D's bills: their rows in the CSV sum to its gross and fee
    const rDate = at(rHead!, L.csv.providerDate)
    for (const f of fees) {
      const mine = rRows.filter((r) => r[rProvider] === L.provider[f.provider as 'card'] && r[rDate] === day)
      expect
        .soft([f.provider, mine.reduce((a, r) => a + cents(r[rGross] || '0'), 0), mine.reduce((a, r) => a + cents(r[rFee] || '0'), 0)], `CSV rows of ${f.provider} on ${day} vs the payouts table`)
        .toEqual([f.provider, f.gross, f.fee])
    }
    // and every line's figures: the CSV's gross per line equals the sold amount of its receipt
    const rLocalAmount = at(rHead!, L.csv.localAmount)
    for (const s of [sales.alipay, sales.wechat, sales.card]) {
      const r = rRows.find((x) => x[rMerchant] === s.receiptNo && cents(x[rLocalAmount]) === s.total)
      expect(r, `${s.receiptNo} in the reconciliation CSV`).toBeDefined()
      if (s !== sales.alipay) expect(cents(r![rGross])).toBe(s.total)
    }
  }, 90_000)

  it('the day report and the Z as PDF carry the same totals, in Chinese and in English', async () => {
    const net = dec(sales.cash.total + sales.alipay.total + sales.wechat.total + sales.card.total - REFUND)
    const figures = [net, dec(sales.card.total - REFUND), dec(sales.wechat.total), dec(sales.alipay.total), dec(sales.cash.total), dec(REFUND)]
    for (const lang of ['zh-CN', 'en'] as const) {
      await language(lang)
      const dt = pdfText((await download('pdf_day')).bytes, `day-${lang}`)
      const zt = pdfText((await download('pdf_z')).bytes, `z-${lang}`)
      for (const f of figures) {
        expect(dt, `day report ${lang}: ${f}`).toContain(f)
        expect(zt, `Z ${lang}: ${f}`).toContain(f)
      }
      const short = `-${lang === 'en' ? 'CN' : ''}¥${dec(SHORT)}`
      expect(dt, `day report ${lang}: over/short`).toMatch(new RegExp(`^(Over / short|长短款) +${short}$`, 'm'))
      expect(zt, `Z ${lang}: over/short`).toMatch(new RegExp(`^(Over / short|长短款) +${short}$`, 'm'))
      expect(dt, `day report ${lang}: the approver`).toContain('张伟 Zhang Wei')
      if (lang === 'zh-CN') {
        expect(dt).toContain('营业日报表')
        expect(zt).toContain(`第 ${closureNumber} 号日结`)
      } else {
        expect(dt).toContain('Day report')
        expect(zt).toContain(`CLOSURE NO. ${closureNumber}`)
      }
    }
    await language('en')
    expect(e2e.pageProblems).toEqual([])
  }, 90_000)
})

import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { minorToDecimalString } from '../../src/shared/money'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeAlipayBill } from '../../src/shared/statements/alipay'
import { totalsOf, type Statement, type StatementRow } from '../../src/shared/statements/types'
import { byBarcode, E2ESession, eventually, openShiftThroughUi, requireBuiltRenderer, scan, typeCount, type Platform, pairThroughUi, setLanguage, signInAs, businessDateOfReceipt, reviewExport, bomCsvRows, pdfToText, type Role } from './support'

/**
 * The owner's settlement review (经营回顾) end to end: `npm run platform -- --demo` (sandbox wallets),
 * `npm run serve -- --demo` and Chromium driving the screens only.
 *  - the owner 王芳 Wang Fang (9999) pairs the till, opens a shift with ¥200.00, sells once for cash
 *    and twice by scanned Alipay payment codes;
 *  - she closes the shift (the drawer counted exactly) and the day: Z no. 1;
 *  - Reconcile: an Alipay bill written with the shared writer from the platform's own record, with
 *    ONE difference put in (the second Alipay sale's row says ¥1.00 more), imported and reconciled;
 *  - Review: the day is listed closed with its Z and its open difference; its figures (net, tenders,
 *    fees, cash, Z) equal what the sales and the Z made; the charts are drawn; the table filters to
 *    the difference, which is followed to its order (its Alipay tender and the attempt that took it)
 *    and its bill row, then resolved with a note through the Reconcile screen's dialog — it stays,
 *    with who and why;
 *  - exports: the three CSVs equal the screen's figures; the day report and the Z are PDFs whose text
 *    (pdftotext, when installed) has the day's totals, in English and in Chinese;
 *  - a cashier has no Review in the nav.
 * Screenshots (en and zh-CN, 1024×768 and 1920×1080) go to /tmp/shots/review-*.png.
 * Run after `npx electron-vite build`.
 */

const STEP = 15_000
const SYNC = 45_000
const SHOTS = '/tmp/shots'

const WATER = byBarcode('6901234500004') // 2.00
const COLA = byBarcode('6901234537017') // 3.50
const SPRITE = byBarcode('6901234574029') // 3.80
/** Alipay payment codes (25–30, 16–24 digits) whose last two digits pick no sandbox scenario: paid at once. */
const ALIPAY_CODES = ['286512345678901234', '286512345678905678']
const INJECTED = 100
const NOTE = '顾客多付 ¥1.00，次日已退 — customer paid ¥1.00 too much, refunded next day'

const e2e = new E2ESession()
let page: Page
let platform: Platform
let appUrl = ''
const hasPdfToText = existsSync('/usr/bin/pdftotext')

interface PlatformPayment {
  paymentId: string
  wallet: string
  flow: string
  amount: number
  state: string
  providerRef: string | null
  paidAt: string | null
  fee: number
}


const language = (lang: 'en' | 'zh-CN'): Promise<void> => setLanguage(page, lang, STEP)

/**
 * This screen in both languages at 1024×768 and 1920×1080, scrolled to the element `at` (a test id)
 * when given; back to English at 1024×768.
 */
async function shots(name: string, at?: string): Promise<void> {
  for (const lang of ['en', 'zh-CN'] as const) {
    await language(lang)
    for (const vp of [{ width: 1024, height: 768 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(vp)
      await page.waitForTimeout(250)
      if (at) await page.evaluate(`document.querySelector('[data-testid="${at}"]').scrollIntoView({ block: 'start' })`)
      await page.screenshot({ path: join(SHOTS, `review-${name}-${lang}-${vp.width}.png`) })
    }
  }
  await page.setViewportSize({ width: 1024, height: 768 })
  await language('en')
}

async function minor(locator: ReturnType<Page['locator']>): Promise<number> {
  return Number(await locator.first().getAttribute('data-minor', { timeout: STEP }))
}

const signIn = (role: Role, pin: string): Promise<void> => signInAs(page, role, pin, STEP)

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

interface Sale {
  receiptNo: string
  total: number
  method: string
}

async function done(): Promise<Sale> {
  await page.getByTestId('sale-done').waitFor({ timeout: SYNC })
  const receiptNo = ((await page.getByTestId('receipt-no').textContent()) ?? '').trim()
  const total = await minor(page.getByTestId('receipt-total'))
  const methods = await page.locator('[data-testid="receipt-tender"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')))
  expect(methods).toHaveLength(1)
  return { receiptNo, total, method: methods[0]! }
}

const businessDateOf = businessDateOfReceipt

function row(p: PlatformPayment, date: string, over: Partial<StatementRow> = {}): StatementRow {
  const gross = over.gross ?? p.amount
  return {
    line: 0,
    type: 'payment',
    providerRef: p.providerRef ?? '',
    merchantRef: p.paymentId,
    refundRef: null,
    gross,
    fee: p.fee,
    net: gross - p.fee,
    currency: 'CNY',
    providerTime: p.paidAt ?? new Date().toISOString(),
    providerDate: date,
    batch: null,
    payoutDate: null,
    ...over,
  }
}

/** "15.10" from 1510 (CNY): the CSV's money. */
const dec = (m: number): string => minorToDecimalString(m, 'CNY')

/** Clicks an export button and resolves to the file the page saved (name and bytes). */
const download = (kind: string): Promise<{ name: string; bytes: Buffer }> => reviewExport(page, kind, join(SHOTS, 'review-export-'), STEP)

const csvRows = bomCsvRows

const pdfText = (bytes: Buffer, name: string): string => pdfToText(bytes, join(SHOTS, `review-${name}.pdf`))

describe('the owner’s review end to end (platform sandbox + serve host + Chromium)', () => {
  let storeId = ''
  const sales: Sale[] = []
  let day = ''
  let payments: PlatformPayment[] = []
  let closureNumber = 0
  let float = 0

  beforeAll(async () => {
    requireBuiltRenderer()
    mkdirSync(SHOTS, { recursive: true })
    const [started, url] = await Promise.all([e2e.startPlatform('daybook-e2e-rv-platform-'), e2e.startServe('daybook-e2e-rv-till-', ['--platform-timeout', '5'])])
    platform = started
    expect(platform.adminToken, `admin token from "${platform.tokenFrom}"`).not.toBe('')
    appUrl = url
    page = await e2e.openPage({ viewport: { width: 1024, height: 768 }, english: true })
  }, 120_000)

  afterAll(() => e2e.close())

  it('the owner signs in, pairs the till, opens a shift; sells for cash and twice by Alipay', async () => {
    await page.goto(appUrl)
    await signIn('owner', '9999')
    storeId = await pairThroughUi(page, platform, SYNC)
    float = await openShiftThroughUi(page)

    expect(await startSale([WATER.barcodes[0]!, COLA.barcodes[0]!])).toBe(WATER.price + COLA.price)
    await page.getByTestId('pay-tendered').fill('10')
    await page.getByTestId('pay-complete').click()
    sales.push(await done())
    await startSale([SPRITE.barcodes[0]!])
    await scan(page, ALIPAY_CODES[0]!)
    sales.push(await done())
    await startSale([WATER.barcodes[0]!, SPRITE.barcodes[0]!])
    await scan(page, ALIPAY_CODES[1]!)
    sales.push(await done())
    expect(sales.map((s) => s.method)).toEqual(['cash', 'alipay', 'alipay'])
    expect(sales.map((s) => s.total)).toEqual([WATER.price + COLA.price, SPRITE.price, WATER.price + SPRITE.price])
    day = businessDateOf(sales[0]!.receiptNo)
    for (const s of sales) expect(businessDateOf(s.receiptNo)).toBe(day)

    payments = await eventually(
      'both Alipay payments on the platform',
      async () => {
        const all: PlatformPayment[] = []
        const today = new Date()
        for (const d of new Set([today.toISOString().slice(0, 10), new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10), day])) {
          all.push(...(await platform.admin<{ payments: PlatformPayment[] }>(`/v1/admin/stores/${storeId}/payments?date=${d}`)).body.payments)
        }
        const paid = all.filter((p) => p.wallet === 'alipay' && p.state === 'succeeded' && p.providerRef)
        return paid.length === 2 ? paid : undefined
      },
      SYNC,
    )
  }, 180_000)

  it('closes the shift (counted exactly) and the day: Z no. 1', async () => {
    await page.getByTestId('nav-day').click()
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F6')
    await page.getByTestId('close-shift').waitFor({ timeout: STEP })
    const expected = float + sales[0]!.total
    expect(expected).toBe(20_550)
    expect(await typeCount(page, 'close-count', { 'note-10000': 2, 'coin-100': 5, 'coin-50': 1 })).toBe(expected)
    await page.getByTestId('close-left').fill('100')
    await page.keyboard.press('F12')
    await page.getByTestId('shift-report-view').waitFor({ timeout: STEP })
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

  it('reconciles the day against an Alipay bill with one difference put in', async () => {
    await page.getByTestId('nav-reconcile').click()
    await page.getByTestId('reconcile-screen').waitFor({ timeout: STEP })
    await page.getByTestId('reconcile-date').fill(day)
    // F2/F4 wait for the day's statements and runs to load (the screen ignores them while busy).
    await page.locator('[data-testid="reconcile-screen"][data-busy=""]').waitFor({ timeout: STEP })
    await page.getByTestId('reconcile-no-result').waitFor({ timeout: STEP })
    const bySale = [sales[1]!, sales[2]!].map((s) => payments.find((p) => p.amount === s.total)!)
    // noon of the business day, store time: a run after midnight (before the store's cut-off) stays on its day
    const noon = (m: number) => new Date(Date.parse(`${day}T12:00:00+08:00`) + m * 60_000).toISOString()
    const rows = [row(bySale[0]!, day, { providerTime: noon(0) }), row(bySale[1]!, day, { gross: bySale[1]!.amount + INJECTED, providerTime: noon(5) })]
    const statement: Statement = { provider: 'alipay', format: 'alipay_bill_zip', merchantId: '2088102170000001', date: day, currency: 'CNY', rows, totals: totalsOf(rows) }
    const zip = writeAlipayBill(statement, { exportedAt: new Date(), timeZone: 'Asia/Shanghai' })
    await page.getByTestId('reconcile-file').setInputFiles({ name: `2088102170000001_${day.replaceAll('-', '')}.csv.zip`, mimeType: 'application/zip', buffer: Buffer.from(zip) })
    await page.locator('[data-testid="reconcile-statement"][data-provider="alipay"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F4')
    await page.getByTestId('reconcile-result').waitFor({ timeout: STEP })
    const found = await page.locator('[data-testid="difference-row"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')} ${e.getAttribute('data-minor')} ${e.textContent}`))
    expect(found, found.join('\n')).toHaveLength(1)
  }, 60_000)

  it('a cashier has no Review in the nav; the owner has', async () => {
    expect(await page.getByTestId('nav-review').count()).toBe(1)
    await page.getByTestId('staff-button').click()
    await page.getByTestId('signout-button').click()
    await signIn('cashier', '1111')
    expect(await page.getByTestId('nav-reconcile').count()).toBe(0)
    expect(await page.getByTestId('nav-review').count()).toBe(0)
    await page.getByTestId('staff-button').click()
    await page.getByTestId('signout-button').click()
    await signIn('owner', '9999')
  }, 60_000)

  it('the review lists the day closed with its Z and its difference; its figures are the sales’ and the Z’s', async () => {
    await page.getByTestId('nav-review').click()
    await page.getByTestId('review-screen').waitFor({ timeout: STEP })
    const item = page.locator(`[data-testid="review-day"][data-date="${day}"]`)
    await item.waitFor({ timeout: STEP })
    await item.click()
    await page.locator(`[data-testid="review-screen"][data-date="${day}"] [data-testid="review-headline"]`).waitFor({ timeout: STEP })
    await page.locator(`[data-testid="review-matches"] [data-testid="review-match"]`).first().waitFor({ timeout: STEP })
    expect(await item.locator('[data-testid="review-status"]').getAttribute('data-status')).toBe('differences')
    expect(await item.textContent()).toContain(`Z ${closureNumber}`)
    expect(await item.textContent()).toContain('1 difference · 1 open')

    const total = sales.reduce((s, x) => s + x.total, 0)
    expect(await minor(page.getByTestId('review-net'))).toBe(total)
    expect(await minor(page.getByTestId('review-gross'))).toBe(total)
    expect(await page.getByTestId('review-orders').textContent()).toBe('3')
    const tenders = await page.locator('[data-testid="review-tender"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-method'), Number(e.getAttribute('data-net'))]))
    expect(Object.fromEntries(tenders)).toEqual({ cash: sales[0]!.total, alipay: sales[1]!.total + sales[2]!.total })
    const mix = await page.locator('[data-testid="review-mix-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')))
    expect(mix).toEqual(['alipay', 'cash'])
    expect(await page.locator('[data-testid="review-hours"] svg .recharts-bar-rectangle').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid="review-trend"] svg').count()).toBe(1)
    // the bill's fees and net payout for Alipay
    const fee = page.locator('[data-testid="review-fee"][data-provider="alipay"]')
    expect(Number(await fee.getAttribute('data-gross'))).toBe(sales[1]!.total + sales[2]!.total + INJECTED)
    // cash: the shift counted exactly
    expect(await page.getByTestId('review-shift').first().getAttribute('data-minor')).toBe('0')
    // the Z
    expect(await page.getByTestId('review-z').getAttribute('data-number')).toBe(String(closureNumber))
    expect(await minor(page.getByTestId('review-period-total'))).toBe(total)
    expect(await minor(page.getByTestId('review-grand-total'))).toBe(total)
    // the table: every line, one difference
    expect(await page.getByTestId('review-filter-all').getAttribute('data-count')).toBe('2')
    expect(await page.getByTestId('review-filter-open').getAttribute('data-count')).toBe('1')
    await shots('01-day')
    await shots('01b-figures', 'review-takings')
    await shots('01c-table', 'review-matches')
  }, 120_000)

  it('the table filters to the difference, which is followed to its order and its bill row', async () => {
    await page.getByTestId('review-match').first().click()
    await page.keyboard.press('3') // open
    const d = page.locator('[data-testid="review-match"]')
    await eventually('one line', async () => ((await d.count()) === 1 ? true : undefined), STEP, 50)
    expect(await d.getAttribute('data-class')).toBe('amount_mismatch')
    expect(await d.getAttribute('data-resolved')).toBe('')
    await d.getByTestId('review-details').click()
    const drill = page.getByTestId('review-drill')
    await drill.waitFor({ timeout: STEP })
    await page.locator(`[data-testid="review-drill-order"][data-total="${sales[2]!.total}"]`).waitFor({ timeout: STEP })
    expect(await drill.textContent()).toContain(sales[2]!.receiptNo)
    const tenders = await page.locator('[data-testid="review-drill-tender"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-method'), Number(e.getAttribute('data-amount'))]))
    expect(tenders).toEqual([['alipay', sales[2]!.total]])
    const p = payments.find((x) => x.amount === sales[2]!.total)!
    // the payment attempts of its checkout: the one the difference is about is marked
    const attempts = await page.locator('[data-testid="review-drill-attempt"]').evaluateAll((els) =>
      els.map((e) => ({ state: e.getAttribute('data-state'), method: e.getAttribute('data-method'), flow: e.getAttribute('data-flow'), amount: Number(e.getAttribute('data-amount')), ref: e.getAttribute('data-ref'), mine: e.getAttribute('data-this') === 'true' })),
    )
    expect(attempts).toEqual([{ state: 'succeeded', method: 'alipay', flow: 'customer_code', amount: sales[2]!.total, ref: p.providerRef, mine: true }])
    expect(await page.getByTestId('review-drill-row').getAttribute('data-ref')).toBe(p.providerRef)
    expect(await minor(page.getByTestId('review-drill-row-gross'))).toBe(sales[2]!.total + INJECTED)
    await shots('02-drill')
  }, 90_000)

  it('resolves it from there (F7) with a note: it stays in the table, with who and why', async () => {
    await page.keyboard.press('F7')
    const dialog = page.getByTestId('resolve-dialog')
    await dialog.waitFor({ timeout: STEP })
    await page.getByTestId('resolve-note').fill(NOTE)
    await shots('03-resolve')
    await page.keyboard.press('F12')
    await dialog.waitFor({ state: 'detached', timeout: STEP })
    await page.locator('[data-testid="review-drill"] [data-testid="review-resolution"][data-kind="explained"]').waitFor({ timeout: STEP })
    await page.keyboard.press('Escape')
    await page.getByTestId('review-drill').waitFor({ state: 'detached', timeout: STEP })
    await page.keyboard.press('1') // all
    const res = page.locator('[data-testid="review-match"][data-resolved="explained"] [data-testid="review-resolution"]')
    await res.waitFor({ timeout: STEP })
    expect(await res.textContent()).toContain('Explained by 王芳 Wang Fang')
    expect(await res.textContent()).toContain(NOTE)
    expect(await page.getByTestId('review-filter-open').getAttribute('data-count')).toBe('0')
    await page.locator(`[data-testid="review-day"][data-date="${day}"] [data-testid="review-status"][data-status="reconciled"]`).waitFor({ timeout: STEP })
    await shots('04-resolved', 'review-matches')
  }, 90_000)

  it('exports the CSVs: they hold the screen’s figures', async () => {
    const orders = await download('csv_orders')
    expect(orders.name).toMatch(/\.csv$/)
    const oRows = csvRows(orders.bytes)
    for (const s of sales) expect(oRows.some((r) => r.some((c) => c === s.receiptNo) && r.includes(dec(s.total))), s.receiptNo).toBe(true)
    expect(oRows).toHaveLength(1 + sales.length)

    const tenders = await download('csv_tenders')
    const [head, ...tRows] = csvRows(tenders.bytes)
    const amountAt = 6
    expect(head).toHaveLength(15)
    // Σ amount per method equals the screen's net per tender
    const byMethod = new Map<string, number>()
    for (const r of tRows) byMethod.set(r[4]!, (byMethod.get(r[4]!) ?? 0) + Math.round(Number(r[amountAt]) * 100))
    const screen = await page.locator('[data-testid="review-tender"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-net'))))
    expect([...byMethod.values()].sort((a, b) => a - b)).toEqual(screen.sort((a, b) => a - b))

    const rec = await download('csv_reconciliation')
    const rRows = csvRows(rec.bytes)
    expect(rRows).toHaveLength(1 + Number(await page.getByTestId('review-filter-all').getAttribute('data-count')))
    expect(rRows.some((r) => r.includes(NOTE))).toBe(true)
    expect(rRows.some((r) => r.includes(dec(sales[2]!.total + INJECTED)))).toBe(true)
  }, 90_000)

  it('exports the day report and the Z as PDF, in English and in Chinese, with the day’s totals', async () => {
    const total = dec(sales.reduce((s, x) => s + x.total, 0))
    for (const lang of ['en', 'zh-CN'] as const) {
      await language(lang)
      const dayPdf = await download('pdf_day')
      const zPdf = await download('pdf_z')
      for (const f of [dayPdf, zPdf]) {
        expect(f.name).toMatch(/\.pdf$/)
        expect(f.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      }
      if (!hasPdfToText) continue
      const dt = pdfText(dayPdf.bytes, `day-${lang}`)
      const zt = pdfText(zPdf.bytes, `z-${lang}`)
      expect(dt).toContain(total)
      expect(zt).toContain(total)
      expect(dt).toContain(dec(sales[1]!.total + sales[2]!.total)) // Alipay's net
      if (lang === 'zh-CN') {
        expect(dt).toContain('营业日报表')
        expect(zt).toContain(`第 ${closureNumber} 号日结`)
        expect(zt).toContain('累计总额')
      } else {
        expect(dt).toContain('Day report')
        expect(zt).toContain(`CLOSURE NO. ${closureNumber}`)
        expect(zt).toContain('Grand total')
      }
    }
    await language('en')
    expect(e2e.pageProblems).toEqual([])
  }, 120_000)
})

/**
 * The same screen on a till with a past: `npm run serve -- --demo --history 30` (30 business days of
 * sales, Zs and reconciled statements made by the core's own code). The list has every day, the chart
 * the last 30; PgUp/PgDn walk the days; the statuses and figures are the core's. Screenshots as above.
 */
describe('the review of 30 past days (serve --demo --history 30)', () => {
  const e2 = new E2ESession()
  let p: Page

  beforeAll(async () => {
    requireBuiltRenderer()
    mkdirSync(SHOTS, { recursive: true })
    const url = await e2.startServe('daybook-e2e-rv-history-', ['--history', '30'], 300_000)
    p = await e2.openPage({ viewport: { width: 1024, height: 768 }, english: true })
    page = p
    await p.goto(url)
  }, 320_000)

  afterAll(() => e2.close())

  it('lists the days newest first with their statuses; the chart has the last 30; PgUp/PgDn walk them', async () => {
    await signIn('owner', '9999')
    await p.getByTestId('nav-review').click()
    const days = p.getByTestId('review-day')
    await eventually('31 days listed', async () => ((await days.count()) >= 31 ? true : undefined), STEP, 100)
    const dates = await days.evaluateAll((els) => els.map((e) => e.getAttribute('data-date') ?? ''))
    expect([...dates].sort().reverse()).toEqual(dates)
    expect(Number(await p.getByTestId('review-trend').getAttribute('data-points'))).toBe(30)
    const statuses = await p.locator('[data-testid="review-day"] [data-testid="review-status"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))
    expect(statuses[0]).toBe('open') // today
    expect(statuses.slice(1).every((s) => s !== 'open')).toBe(true) // every past day has its Z
    // the newest day is on screen; PgUp goes one day older, PgDn back
    await p.locator(`[data-testid="review-screen"][data-date="${dates[0]}"]`).waitFor({ timeout: STEP })
    await p.keyboard.press('PageUp')
    await p.keyboard.press('PageUp')
    await p.locator(`[data-testid="review-screen"][data-date="${dates[2]}"]`).waitFor({ timeout: STEP })
    await p.keyboard.press('PageDown')
    await p.locator(`[data-testid="review-screen"][data-date="${dates[1]}"] [data-testid="review-headline"]`).waitFor({ timeout: STEP })
    // a past day: its net is the list's, its Z is there
    const listed = Number(await p.locator(`[data-testid="review-day"][data-date="${dates[1]}"]`).getAttribute('data-net'))
    expect(await minor(p.getByTestId('review-net'))).toBe(listed)
    expect(await p.getByTestId('review-z').getAttribute('data-number')).not.toBe('')
    // the newest reconciled day with differences: its table has every line, the differences among them
    const withDiffs = p.locator('[data-testid="review-day"]:has([data-status="differences"])').first()
    const target = (await withDiffs.count()) > 0 ? withDiffs : p.locator('[data-testid="review-day"]:has([data-status="reconciled"])').first()
    const date = await target.getAttribute('data-date')
    await target.click()
    await p.locator(`[data-testid="review-screen"][data-date="${date}"] [data-testid="review-match"]`).first().waitFor({ timeout: STEP })
    expect(Number(await p.getByTestId('review-filter-all').getAttribute('data-count'))).toBeGreaterThan(Number(await p.getByTestId('review-filter-differences').getAttribute('data-count')))
    expect(await p.locator('[data-testid="review-mix-item"]').count()).toBeGreaterThan(1)
    await shots('10-history')
    await shots('11-history-table', 'review-matches')
    expect(e2.pageProblems).toEqual([])
  }, 180_000)
})

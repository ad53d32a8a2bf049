import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byBarcode, E2ESession, type SimSettings, requireBuiltRenderer, scan, typeCount, untilTrue, setLanguage, signInAs, switchUserTo, type Role } from './support'

/**
 * Shifts, cash and the daily close end to end: `npm run serve -- --demo`, `npm run terminal-sim`
 * (set up through Settings → Card terminal) and Chromium driving the screens only.
 *  - the owner turns on the blind count (Settings → Cash control);
 *  - the cashier 李娜 Li Na (1111) opens a shift with a float counted by denomination, sells for
 *    cash and by card, pays out ¥3.00 for milk;
 *  - the supervisor 张伟 Zhang Wei (2222) sees the Z refused while her shift is open, in words;
 *  - on the blind count her X hides the takings until the count is in; Zhang Wei's X shows them;
 *  - she closes the shift ¥2.00 short on a blind count (the store allows ¥1.00): the refusal says
 *    her count is kept but not what was expected, a reason, Zhang Wei's PIN, then the shift
 *    report shows the expected amount, the kept first count and the final one;
 *  - Zhang Wei closes the day: the Z report, printed 80 mm and A4 (the print layout is rendered,
 *    and a PDF of it has the page size); its figures equal the Orders screen's sums by method;
 *  - the Z is found again under the past Zs and reprints as DUPLICATE.
 * Every new screen is photographed at 1024×768 and 1920×1080, in English and Chinese, under
 * /tmp/shots/shifts-*.png. Run after `npx electron-vite build`.
 */

const STEP = 15_000
const SHOTS = '/tmp/shots'

const WATER = byBarcode('6901234500004')
const COLA = byBarcode('6901234537017')
const SPRITE = byBarcode('6901234574029')


const e2e = new E2ESession()
let page: Page
let appUrl = ''
let sim: SimSettings


const VIEWPORTS = [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
] as const
const LANGS = ['en', 'zh-CN'] as const

/** Until a page expression is true (page.evaluate, not waitForFunction: the page's CSP rightly forbids eval). */
const until = (expression: string): Promise<void> => untilTrue(page, expression, STEP)

/** The language switch in the top bar, pressed from script (a dialog's overlay would take a real click). */
const language = (lang: (typeof LANGS)[number]): Promise<void> => setLanguage(page, lang, STEP)

/** This screen at both sizes, in both languages; back to English at 1024×768. */
async function shots(name: string): Promise<void> {
  for (const lang of LANGS) {
    await language(lang)
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp)
      await page.waitForTimeout(150)
      await page.screenshot({ path: join(SHOTS, `shifts-${name}-${lang}-${vp.width}.png`) })
    }
  }
  await page.setViewportSize(VIEWPORTS[0])
  await language('en')
}

async function minor(testId: string): Promise<number> {
  const el = page.getByTestId(testId).first()
  await el.waitFor({ state: 'attached', timeout: STEP })
  return Number(await el.getAttribute('data-minor'))
}

const signIn = (role: Role, pin: string): Promise<void> => signInAs(page, role, pin, STEP)

const switchUser = (role: Role, pin: string): Promise<void> => switchUserTo(page, role, pin, STEP)

async function toDay(): Promise<void> {
  await page.getByTestId('nav-day').click()
  await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
}

/** Scans products into a new sale and opens the pay view; resolves to the sale total. */
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
  return minor('pay-total')
}

interface Sale {
  receiptNo: string
  total: number
  /** What the cash tender put in the drawer (the total after cash rounding). */
  cash: number
  methods: (string | null)[]
}

async function receipt(): Promise<Sale> {
  await page.getByTestId('sale-done').waitFor({ timeout: STEP })
  const receiptNo = ((await page.getByTestId('receipt-no').textContent()) ?? '').trim()
  const total = await minor('receipt-total')
  const rounding = (await page.getByTestId('receipt-rounding').count()) > 0 ? await minor('receipt-rounding') : 0
  const methods = await page.locator('[data-testid="receipt-tender"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')))
  return { receiptNo, total, cash: methods.includes('cash') ? total + rounding : 0, methods }
}

/** The width of a printed page in PDF points, from the PDF's first MediaBox. */
function pdfPageWidth(pdf: Buffer): number {
  const m = /\/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'))
  if (!m) throw new Error('no MediaBox in the PDF')
  return Number(m[1])
}

describe('shifts, cash and the daily close end to end (serve host + terminal simulator + Chromium)', () => {
  let float = 0
  const sales: Sale[] = []
  const payOut = 300
  let expected = 0
  let closureNumber = 0

  beforeAll(async () => {
    requireBuiltRenderer()
    mkdirSync(SHOTS, { recursive: true })
    const [url, terminal] = await Promise.all([e2e.startServe('daybook-e2e-shifts-'), e2e.startTerminalSim(e2e.dirs.make('daybook-e2e-shifts-terminal-'))])
    appUrl = url
    sim = terminal
    page = await e2e.openPage({ viewport: VIEWPORTS[0], english: true })
    // Printing opens a system dialog in a real browser; the test counts the requests and renders the print layout itself.
    await page.addInitScript('window.print = () => { window.__daybookPrints = (window.__daybookPrints || 0) + 1 }')
  }, 120_000)

  afterAll(() => e2e.close())

  it('the owner sets up the card terminal and turns on the blind count (Settings → Cash control)', async () => {
    await page.goto(appUrl)
    await signIn('owner', '9999')
    await page.getByTestId('nav-settings').click()
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

    await page.getByTestId('settings-tab-store').click()
    const cash = page.getByTestId('settings-cash')
    await cash.waitFor({ timeout: STEP })
    // the store's defaults: ¥200.00 for movements, ¥1.00 over/short, no blind count
    expect(await page.getByTestId('set-cashMovementLimit').inputValue()).toBe('200.00')
    expect(await page.getByTestId('set-overShortThreshold').inputValue()).toBe('1.00')
    expect(await page.getByTestId('set-blindCount').isChecked()).toBe(false)
    await page.getByTestId('set-blindCount').check()
    await cash.scrollIntoViewIfNeeded()
    await shots('settings-cash')
    await page.getByTestId('settings-save').click()
    await page.getByTestId('settings-saved').waitFor({ timeout: STEP })
  }, 90_000)

  it('the cashier sees that no shift is open: the checkout says so, the top bar says so', async () => {
    await switchUser('cashier', '1111')
    const note = page.getByTestId('checkout-no-shift')
    await note.waitFor({ timeout: STEP })
    expect(await note.textContent()).toBe('No shift is open: count the float into the drawer to take cash. Card and QR work without a shift.Open a shift')
    const chip = page.getByTestId('business-day')
    expect(await chip.getAttribute('data-shift')).toBe('none')
    expect(await chip.getAttribute('data-day-status')).toBe('open')
    await shots('checkout-no-shift')
    await chip.click() // the day status leads to the day screen
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.locator('[data-testid="shift-card"][data-state="none"]').waitFor({ timeout: STEP })
    await shots('day-no-shift')
  }, 90_000)

  it('opens a shift with a float counted by denomination (keyboard: F2, digits, ↓, F12)', async () => {
    await page.keyboard.press('F2')
    await page.getByTestId('open-shift-dialog').waitFor({ timeout: STEP })
    // keyboard-first: the ¥100 row has the focus; digits, ↓ to the next row
    await page.keyboard.type('2') // ¥100 × 2
    await page.keyboard.press('ArrowDown')
    await page.keyboard.type('1') // ¥50 × 1
    await page.locator('[data-testid="float-total"][data-minor="25000"]').waitFor({ timeout: STEP })
    // the ¥1 note and the ¥1 coin are separate rows; typed into each
    float = await typeCount(page, 'float', { 'note-100': 3, 'coin-100': 10, 'coin-50': 4 })
    expect(float).toBe(25_000 + 1_500)
    expect(await minor('float-line-note-100')).toBe(300)
    expect(await minor('float-line-coin-100')).toBe(1000)
    await shots('open-shift')
    await page.keyboard.press('F12')
    await page.getByTestId('open-shift-dialog').waitFor({ state: 'detached', timeout: STEP })
    const chip = page.locator('[data-testid="business-day"][data-shift="open"]')
    await chip.waitFor({ timeout: STEP })
    expect(await chip.getAttribute('data-holder')).toBe('李娜 Li Na')
    await page.locator('[data-testid="shift-card"][data-state="open"]').waitFor({ timeout: STEP })
    expect(await minor('shift-float')).toBe(float)
    // blind count: nothing expected on the day screen either
    expect(await page.getByTestId('day-expected').textContent()).toBe('Shown after the count (blind count)')
  }, 90_000)

  it('sells for cash and by card', async () => {
    const cashTotal = await startSale([WATER.barcodes[0]!, COLA.barcodes[0]!])
    expect(cashTotal).toBe(WATER.price + COLA.price)
    await page.getByTestId('pay-tendered').fill('10')
    await page.getByTestId('pay-complete').click()
    const cashSale = await receipt()
    expect(cashSale.methods).toEqual(['cash'])
    sales.push(cashSale)

    const cardTotal = await startSale([SPRITE.barcodes[0]!])
    expect([81, 82, 83, 84, 85, 86, 87, 88]).not.toContain(cardTotal % 100) // an approving amount on the simulator
    await page.keyboard.press('F7')
    const cardSale = await receipt()
    expect(cardSale.methods).toEqual(['card'])
    sales.push(cardSale)
  }, 90_000)

  it('pays out ¥3.00 for milk (Day → F3): amount, reason, note; under the limit, no PIN', async () => {
    await toDay()
    await page.keyboard.press('F3')
    await page.getByTestId('cash-move-dialog').waitFor({ timeout: STEP })
    expect(await page.getByTestId('move-kind-pay_out').getAttribute('aria-checked')).toBe('true')
    await page.getByTestId('move-amount').fill('3')
    await page.getByTestId('move-reason-petty_expense').click()
    await page.getByTestId('move-note').fill('milk')
    await shots('cash-move')
    await page.getByTestId('move-submit').click()
    await page.getByTestId('cash-move-dialog').waitFor({ state: 'detached', timeout: STEP })
    const row = page.locator(`[data-testid="movement"][data-kind="pay_out"][data-minor="${payOut}"]`)
    await row.waitFor({ timeout: STEP })
    expect(await row.textContent()).toContain('milk')
    await shots('day-open')
  }, 90_000)

  it('the X report at any time: marked “X — not a closure”; on a blind count the cashier’s hides the takings', async () => {
    await page.keyboard.press('F4')
    await page.getByTestId('x-view').waitFor({ timeout: STEP })
    expect(await page.getByTestId('x-mark').textContent()).toContain('X — NOT A CLOSURE')
    expect(await page.getByTestId('x-banner').textContent()).toContain('X — NOT A CLOSURE')
    // blind count, shift open: the core sends no takings to the cashier (they add up to what is expected)
    await page.getByTestId('blind-hidden').first().waitFor({ timeout: STEP })
    expect(await page.getByTestId('blind-hidden').first().textContent()).toBe('Hidden until the count is in (blind count)')
    expect(await page.locator('[data-testid="report-tender"]').count()).toBe(0)
    expect(await page.getByTestId('report-cash-payouts').count()).toBe(0)
    await shots('x-report-blind')
    await page.getByTestId('paper-a4').click()
    await page.locator('[data-testid="x-report"][data-format="a4"]').waitFor({ timeout: STEP })
    await shots('x-report-a4')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
  }, 120_000)

  it('the supervisor cannot close the day while her shift is open: the Z names it, in words', async () => {
    await switchUser('supervisor', '2222')
    await toDay()
    // the supervisor could take the shift over; he does not here
    await page.getByTestId('day-takeOver').waitFor({ timeout: STEP })
    expect(await page.getByTestId('not-holder').textContent()).toBe('This shift belongs to 李娜 Li Na. You can take it over (it is recorded).')
    // a supervisor's X shows the figures so far, blind count or not
    await page.keyboard.press('F4')
    await page.getByTestId('x-view').waitFor({ timeout: STEP })
    await page.locator('[data-testid="report-tender"][data-method="card"]').waitFor({ timeout: STEP })
    expect(await page.getByTestId('report-count-orders').textContent()).toBe('2')
    expect(await minor('report-cash-payouts')).toBe(payOut)
    expect(await page.getByTestId('blind-hidden').count()).toBe(0)
    await shots('x-report')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F8')
    await page.locator('[data-testid="z-view"][data-blocked="yes"]').waitFor({ timeout: STEP })
    const blocker = page.locator('[data-testid="z-blocker"][data-kind="open_shift"]')
    expect(await blocker.textContent()).toMatch(/^The shift of 李娜 Li Na is still open \(since .+\)\.Close the shift first \(count the drawer\)\./)
    expect(await page.getByTestId('z-close').isDisabled()).toBe(true)
    await shots('z-blocked')
    await switchUser('cashier', '1111')
  }, 120_000)

  it('closes the shift ¥2.00 short on a blind count: the count is kept, nothing expected shows, a reason, the supervisor’s PIN; the report shows both', async () => {
    await toDay()
    await page.keyboard.press('F6')
    await page.locator('[data-testid="close-shift"][data-blind="yes"]').waitFor({ timeout: STEP })
    // blind: what the drawer should hold is nowhere on screen
    await page.getByTestId('blind-note').waitFor({ timeout: STEP })
    expect(await page.getByTestId('close-expected').count()).toBe(0)

    // the float, the cash sale, less the pay-out
    expected = float + sales[0]!.cash - payOut
    const counted = expected - 200
    // ¥100 × 2, ¥20 × 3, the rest in ¥1 coins, 5 jiao and 1 jiao (the ¥1 coins are not the ¥1 notes)
    const rest = counted - 20_000 - 6_000
    const coins1 = Math.floor(rest / 100)
    const jiao5 = Math.floor((rest - coins1 * 100) / 50)
    const jiao1 = (rest - coins1 * 100 - jiao5 * 50) / 10
    expect(Number.isInteger(jiao1)).toBe(true)
    const counts: Record<string, number> = { 'note-10000': 2, 'note-2000': 3, 'coin-100': coins1 }
    if (jiao5) counts['coin-50'] = jiao5
    if (jiao1) counts['coin-10'] = jiao1
    expect(await typeCount(page, 'close-count', counts)).toBe(counted)
    await page.getByTestId('close-left').fill('100')
    await shots('close-count')
    await page.keyboard.press('F12')

    // over the ¥1.00 threshold: refused, the first count kept, and still nothing of what was expected
    await page.locator('[data-testid="close-shift"][data-phase="reason"]').waitFor({ timeout: STEP })
    expect(await page.getByTestId('close-blind-kept').textContent()).toContain('Your count is recorded.')
    expect(await page.getByTestId('close-expected').count()).toBe(0)
    expect(await page.getByTestId('close-difference').count()).toBe(0)
    expect(await page.getByTestId('close-recount').count()).toBe(0) // blind: the first count stands
    await shots('close-reason')
    await page.getByTestId('close-reason').fill('Change given wrong on a ¥100 note')
    await page.keyboard.press('Enter')
    const dialog = page.getByTestId('close-approval-dialog')
    await dialog.waitFor({ timeout: STEP })
    await page.locator('[data-testid^="approver-"]', { hasText: 'Zhang Wei' }).click()
    await shots('close-approval')
    await page.getByTestId('pin-input').fill('2222')
    await page.keyboard.press('Enter')

    await page.getByTestId('shift-report-view').waitFor({ timeout: STEP })
    const report = page.getByTestId('shift-report')
    expect(await report.getAttribute('data-state')).toBe('closed')
    expect(await minor('shift-expected')).toBe(expected)
    // the kept first count, here the same as the final one
    expect(await minor('shift-first-count')).toBe(counted)
    expect(await page.getByTestId('shift-first-over-short-row').getAttribute('data-signed')).toBe('-200')
    expect(await minor('shift-counted')).toBe(counted)
    expect(await page.getByTestId('shift-over-short-row').getAttribute('data-signed')).toBe('-200')
    expect(await page.getByTestId('shift-reason').textContent()).toBe('Change given wrong on a ¥100 note')
    expect(await page.getByTestId('shift-approved-by').textContent()).toBe('张伟 Zhang Wei')
    expect(await minor('shift-left')).toBe(10_000)
    expect(await minor('shift-to-safe')).toBe(counted - 10_000)
    await shots('shift-report')
    const chip = page.getByTestId('business-day')
    await page.locator('[data-testid="business-day"][data-shift="none"][data-day-status="closing"]').waitFor({ timeout: STEP })
    expect(await chip.getAttribute('data-day-status')).toBe('closing')
  }, 180_000)

  it('the supervisor closes the day (Z): nothing open, a warning about unsent records, confirm, the Z report', async () => {
    await switchUser('supervisor', '2222')
    await page.getByTestId('business-day').click()
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F8')
    await page.locator('[data-testid="z-view"][data-blocked="no"]').waitFor({ timeout: STEP })
    await page.getByTestId('z-ready').waitFor({ timeout: STEP })
    // not paired with a platform: the records stay here; a warning, not a refusal
    expect(await page.getByTestId('z-unsynced').textContent()).toMatch(/records are kept on this till only/)
    await shots('z-check')
    await page.getByTestId('z-close').click()
    await page.getByTestId('z-confirm').waitFor({ timeout: STEP })
    await shots('z-confirm')
    await page.keyboard.press('F12')
    await page.getByTestId('z-report-view').waitFor({ timeout: STEP })
    const z = page.getByTestId('z-report')
    closureNumber = Number(await z.getAttribute('data-closure-number'))
    expect(closureNumber).toBe(1)
    expect(await page.getByTestId('z-done').textContent()).toContain('Z no. 1')
    expect(await page.getByTestId('report-closure-number').textContent()).toBe('1')
    expect(await page.getByTestId('report-last-hash').textContent()).toMatch(/^[0-9a-f]{12}$/)
    expect(await page.getByTestId('report-seq').textContent()).toMatch(/^1–\d+$/)
    expect(await minor('report-over-short')).toBe(-200)
    expect(await minor('report-cash-payouts')).toBe(payOut)
    expect(await page.getByTestId('report-count-orders').textContent()).toBe('2')
    expect(await minor('report-grand-total')).toBe(await minor('report-period-total')) // the first Z: nothing before it
    expect(await page.locator('[data-testid="z-report"] [data-testid="x-mark"]').count()).toBe(0)
    await shots('z-report')
    await page.locator('[data-testid="business-day"][data-day-status="closed"]').waitFor({ timeout: STEP })
  }, 180_000)

  it('prints the Z on 80 mm and on A4: the print layout is the paper alone, at its size', async () => {
    const before = Number(await page.evaluate('window.__daybookPrints || 0'))
    await page.getByTestId('print-80mm').click()
    await until(`(window.__daybookPrints || 0) > ${before}`)
    await page.emulateMedia({ media: 'print' })
    const layout = (await page.evaluate(`(() => {
      const paper = document.querySelector('[data-testid="z-report"]').getBoundingClientRect()
      const hidden = (sel) => { const el = document.querySelector(sel); return !el || getComputedStyle(el).display === 'none' }
      return { width: paper.width, height: paper.height, topbar: hidden('.topbar'), head: hidden('.day-head'), side: hidden('.report-side') }
    })()`)) as { width: number; height: number; topbar: boolean; head: boolean; side: boolean }
    // 80 mm is 302 CSS px; nothing but the paper is printed
    expect(Math.round(layout.width)).toBe(302)
    expect(layout.height).toBeGreaterThan(600)
    expect(layout).toMatchObject({ topbar: true, head: true, side: true })
    await page.screenshot({ path: join(SHOTS, 'shifts-z-print-80mm.png'), fullPage: true })
    const pdf80 = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    expect(Math.round(pdfPageWidth(pdf80))).toBe(227) // 80 mm in points
    await page.emulateMedia({ media: 'screen' })

    await page.getByTestId('print-a4').click()
    await page.locator('[data-testid="z-report"][data-format="a4"]').waitFor({ timeout: STEP })
    await until(`(window.__daybookPrints || 0) > ${before + 1}`)
    await page.emulateMedia({ media: 'print' })
    const a4 = await page.evaluate(`document.querySelector('[data-testid="z-report"]').getBoundingClientRect().width`)
    expect(Number(a4)).toBeGreaterThan(600)
    await page.screenshot({ path: join(SHOTS, 'shifts-z-print-a4.png'), fullPage: true })
    const pdfA4 = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    expect(Math.round(pdfPageWidth(pdfA4))).toBe(595) // A4 in points
    await page.emulateMedia({ media: 'screen' })
    await shots('z-report-a4')
    await page.getByTestId('paper-80mm').click()
  }, 120_000)

  it('the Z’s figures equal the Orders screen’s: the day’s orders summed by payment method', async () => {
    const z = await page.locator('[data-testid="report-tender"]').evaluateAll((els) =>
      els.map((e) => ({ method: e.getAttribute('data-method'), sales: Number(e.getAttribute('data-sales')), refunds: Number(e.getAttribute('data-refunds')), net: Number(e.getAttribute('data-net')) })),
    )
    const zNet = await minor('report-net')
    const zGross = await minor('report-gross')
    const zDiscounts = await minor('report-discounts')
    const zRounding = await minor('report-rounding')
    const zOrders = Number(await page.getByTestId('report-count-orders').textContent())

    await page.getByTestId('nav-orders').click()
    await page.getByTestId('orders').waitFor({ timeout: STEP })
    for (const s of sales) await page.getByTestId(`order-row-${s.receiptNo}`).waitFor({ timeout: STEP })
    expect(await page.locator('.order-row').count()).toBe(zOrders)
    await page.getByTestId('orders-by-method-button').click()
    const by = page.getByTestId('orders-by-method')
    await by.waitFor({ timeout: STEP })
    const orders = await page.locator('[data-testid="orders-method"]').evaluateAll((els) =>
      els.map((e) => ({ method: e.getAttribute('data-method'), sales: Number(e.getAttribute('data-paid')), refunds: Number(e.getAttribute('data-refunded')), net: Number(e.getAttribute('data-net')) })),
    )
    expect(orders).toEqual(z)
    expect(z.map((x) => x.method)).toEqual(['cash', 'card'])
    expect(z.find((x) => x.method === 'cash')?.sales).toBe(sales[0]!.cash)
    expect(z.find((x) => x.method === 'card')?.sales).toBe(sales[1]!.total)
    // the orders' totals are the Z's sales less discounts; with the rounding, its net
    const ordersSum = Number(await by.getAttribute('data-total'))
    expect(ordersSum).toBe(sales[0]!.total + sales[1]!.total)
    expect(ordersSum).toBe(zGross - zDiscounts)
    expect(zNet).toBe(ordersSum + zRounding)
    expect(zNet).toBe(orders.reduce((s, x) => s + x.net, 0))
    await shots('orders-by-method')
  }, 120_000)

  it('past Zs: the closure is listed and reprints as DUPLICATE', async () => {
    await toDay()
    await page.keyboard.press('F9')
    await page.getByTestId('closures').waitFor({ timeout: STEP })
    const row = page.getByTestId(`closure-row-${closureNumber}`)
    await row.waitFor({ timeout: STEP })
    await shots('closures')
    await row.click()
    await page.getByTestId('z-duplicate').waitFor({ timeout: STEP })
    expect(await page.getByTestId('report-closure-number').textContent()).toBe(String(closureNumber))
    await shots('z-duplicate')
    // the next shift is offered what this one left in the drawer
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F2')
    const suggested = page.getByTestId('suggested-float')
    await suggested.waitFor({ timeout: STEP })
    expect(await suggested.getAttribute('data-minor')).toBe('10000')
    expect(await suggested.textContent()).toMatch(/^Last close left (CN)?¥100\.00 in the drawer\./)
    await page.getByTestId('use-suggested').click()
    await page.locator('[data-testid="float-total"][data-minor="10000"]').waitFor({ timeout: STEP })
    await shots('open-shift-suggested')
    await page.keyboard.press('Escape')
    await page.getByTestId('open-shift-dialog').waitFor({ state: 'detached', timeout: STEP })
  }, 120_000)

  it('raised no page errors and no CSP violations', () => {
    expect(e2e.pageProblems).toEqual([])
  })
})

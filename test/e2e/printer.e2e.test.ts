import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrinterSim, type PrinterSim, type SimJob } from '../../src/platform/printer-sim/index'
import { byBarcode, E2ESession, eventually, openShiftThroughUi, requireBuiltRenderer, scan, type SimSettings, untilTrue, setLanguage, signInAs, switchUserTo, type Role } from './support'

/**
 * The receipt printer and the cash drawer end to end: the printer simulator started in this
 * process (port 0), `npm run serve -- --demo`, `npm run terminal-sim`, and Chromium driving the
 * screens only.
 *  - the owner points Settings → Printer at the simulator (address, port, paper, language), prints
 *    a test page and kicks the drawer from there;
 *  - the cashier opens a shift and sells for cash: the receipt comes out of the printer (its decoded
 *    text has the receipt number and the total the screen shows) and the drawer kicks once;
 *  - a card-only sale prints its receipt and does not kick;
 *  - the printer runs out of paper: the sale still completes, the print status says so with Retry;
 *    back online, Retry prints it;
 *  - "No sale" (F6) asks for a reason and kicks the drawer, printing nothing;
 *  - the customer display (a second page at #/customer-display) shows the cart as it is scanned,
 *    then the thank-you with the change.
 * Screens are photographed in English and Chinese under /tmp/shots/printer-*.png. Run after
 * `npx electron-vite build`.
 */

const STEP = 15_000
const SHOTS = '/tmp/shots'

const WATER = byBarcode('6901234500004')
const COLA = byBarcode('6901234537017')
const SPRITE = byBarcode('6901234574029')

const e2e = new E2ESession()
let page: Page
let appUrl = ''
let terminal: SimSettings
let printer: PrinterSim

const until = (p: Page, expression: string): Promise<void> => untilTrue(p, expression, STEP)

const language = (lang: 'en' | 'zh-CN'): Promise<void> => setLanguage(page, lang, STEP)

/** This screen in English and Chinese (1024×768); back to English. */
async function shots(name: string, p: Page = page): Promise<void> {
  for (const lang of ['en', 'zh-CN'] as const) {
    await language(lang)
    // painted: two animation frames after the language switch (no fixed sleep)
    await p.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))')
    await p.screenshot({ path: join(SHOTS, `printer-${name}-${lang}.png`) })
  }
  await language('en')
}

async function minor(testId: string): Promise<number> {
  const el = page.getByTestId(testId).first()
  await el.waitFor({ state: 'attached', timeout: STEP })
  return Number(await el.getAttribute('data-minor'))
}

const signIn = (role: Role, pin: string): Promise<void> => signInAs(page, role, pin, STEP)

const switchUser = (role: Role, pin: string): Promise<void> => switchUserTo(page, role, pin, STEP)

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

async function cashSale(codes: string[], tendered: string): Promise<{ receiptNo: string; total: number; change: number }> {
  await startSale(codes)
  await page.getByTestId('pay-tendered').fill(tendered)
  await page.getByTestId('pay-complete').click()
  return receipt()
}

async function receipt(): Promise<{ receiptNo: string; total: number; change: number }> {
  await page.getByTestId('sale-done').waitFor({ timeout: STEP })
  const receiptNo = ((await page.getByTestId('receipt-no').textContent()) ?? '').trim()
  return { receiptNo, total: await minor('receipt-total'), change: await minor('receipt-change') }
}

/** The simulator's job whose decoded text has this text, once it has come out. */
function printed(text: string): Promise<SimJob> {
  return eventually(`a printed job with ${text}`, async () => printer.jobs().find((j) => j.text.includes(text)), STEP, 100)
}

const yuan = (minor: number) => (minor / 100).toFixed(2)

describe('receipt printer and cash drawer end to end (printer simulator + serve host + terminal simulator + Chromium)', () => {
  beforeAll(async () => {
    requireBuiltRenderer()
    mkdirSync(SHOTS, { recursive: true })
    printer = await startPrinterSim({ host: '127.0.0.1', port: 0, outDir: e2e.dirs.make('daybook-e2e-printer-out-'), width: 80 })
    const [url, sim] = await Promise.all([e2e.startServe('daybook-e2e-printer-'), e2e.startTerminalSim(e2e.dirs.make('daybook-e2e-printer-terminal-'))])
    appUrl = url
    terminal = sim
    page = await e2e.openPage({ viewport: { width: 1024, height: 768 }, english: true })
    await page.addInitScript('window.print = () => { window.__daybookPrints = (window.__daybookPrints || 0) + 1 }')
  }, 120_000)

  afterAll(async () => {
    await e2e.close()
    await printer?.close()
  })

  it('the owner points Settings → Printer at the simulator; the test page prints and the drawer test kicks', async () => {
    await page.goto(appUrl)
    await signIn('owner', '9999')
    // the card terminal, for the card-only sale below
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('settings-tab-terminal').click()
    await page.getByTestId('terminal-settings').waitFor({ timeout: STEP })
    await page.getByTestId('terminal-endpoint').fill(terminal.endpoint)
    await page.getByTestId('terminal-poiId').fill(terminal.poiId)
    await page.getByTestId('terminal-keyIdentifier').fill(terminal.keyId)
    await page.getByTestId('terminal-keyVersion').fill(terminal.keyVersion)
    await page.getByTestId('terminal-passphrase').fill(terminal.passphrase)
    await page.getByTestId('terminal-caCert').fill(readFileSync(terminal.caFile, 'utf8'))
    await page.getByTestId('terminal-save').click()
    await page.locator('[data-testid="terminal-state"][data-configured="yes"]').waitFor({ timeout: STEP })

    await page.getByTestId('settings-tab-printer').click()
    await page.getByTestId('printer-settings').waitFor({ timeout: STEP })
    expect(await page.getByTestId('printer-state').getAttribute('data-enabled')).toBe('no')
    // a bad port is caught before anything is sent
    await page.getByTestId('printer-port').fill('99999')
    await page.getByTestId('printer-local-port').waitFor({ timeout: STEP })
    expect(await page.getByTestId('printer-save').isDisabled()).toBe(true)
    await page.getByTestId('printer-enabled').check()
    await page.getByTestId('printer-host').fill(printer.host)
    await page.getByTestId('printer-port').fill(String(printer.port))
    await page.getByTestId('printer-paper-80').click()
    await page.getByTestId('printer-codePage').selectOption('gb18030')
    await page.getByTestId('printer-language-en').click()
    await page.getByTestId('printer-drawerPin').selectOption('2')
    if (!(await page.getByTestId('printer-drawerEnabled').isChecked())) await page.getByTestId('printer-drawerEnabled').check()
    if (!(await page.getByTestId('printer-autoPrint').isChecked())) await page.getByTestId('printer-autoPrint').check()
    await shots('settings')
    await page.getByTestId('printer-save').click()
    await page.getByTestId('printer-saved').waitFor({ timeout: STEP })
    await page.locator('[data-testid="printer-state"][data-enabled="yes"]').waitFor({ timeout: STEP })

    await page.getByTestId('printer-test').click()
    await page.getByTestId('printer-test-ok').waitFor({ timeout: STEP })
    const test = await eventually('the test page', async () => printer.jobs()[0], STEP, 100)
    expect(test.drawerKicks).toBe(0)
    expect(test.cuts).toBeGreaterThanOrEqual(1)
    await page.getByTestId('printer-test-drawer').click()
    await eventually('the drawer test', async () => (printer.jobs().length >= 2 ? true : undefined), STEP, 100)
    expect(printer.jobs()[1]!.drawerKicks).toBe(1)
    await page.getByTestId('printer-test-ok').waitFor({ timeout: STEP })
    await shots('settings-tested')
  }, 120_000)

  it('sells for cash: the receipt comes out with the number and total the screen shows, and the drawer kicks once', async () => {
    await switchUser('cashier', '1111')
    await openShiftThroughUi(page)
    const before = printer.jobs().length
    const sale = await cashSale([WATER.barcodes[0]!, COLA.barcodes[0]!], '10')
    expect(sale.total).toBe(WATER.price + COLA.price)
    const job = await printed(sale.receiptNo)
    expect(job.text).toContain(yuan(sale.total))
    expect(job.text).toContain(yuan(sale.change))
    expect(job.drawerKicks).toBe(1)
    expect(job.qr).toContain(sale.receiptNo)
    expect(printer.jobs().length).toBe(before + 1)
    // the screen prints through the printer now, not the browser
    expect(await page.getByTestId('print-button').count()).toBe(0)
    await page.getByTestId('printer-print-receipt').waitFor({ timeout: STEP })
    expect(await page.evaluate('window.__daybookPrints || 0')).toBe(0)
    await shots('receipt')
  }, 90_000)

  it('the X prints on the receipt printer from the day screen', async () => {
    await page.getByTestId('nav-day').click()
    await page.locator('[data-testid="day-screen"][data-view="home"]').waitFor({ timeout: STEP })
    // No sale is in the day screen's cash area too
    await page.getByTestId('day-no-sale').click()
    await page.getByTestId('no-sale-dialog').waitFor({ timeout: STEP })
    await page.keyboard.press('Escape')
    await page.getByTestId('no-sale-dialog').waitFor({ state: 'detached', timeout: STEP })
    await shots('day-home')
    await page.keyboard.press('F4')
    await page.getByTestId('x-view').waitFor({ timeout: STEP })
    const before = printer.jobs().length
    await page.getByTestId('printer-print-x').click()
    await page.getByTestId('printer-print-x-done').waitFor({ timeout: STEP })
    const x = await eventually('the X on paper', async () => printer.jobs()[before], STEP, 100)
    expect(x.text).toContain('X REPORT')
    expect(x.drawerKicks).toBe(0)
    await shots('x-report')
  }, 90_000)

  it('a card-only sale prints its receipt and does not kick the drawer', async () => {
    const jobsBefore = printer.jobs().length
    const total = await startSale([SPRITE.barcodes[0]!])
    expect([81, 82, 83, 84, 85, 86, 87, 88]).not.toContain(total % 100)
    await page.keyboard.press('F7')
    const sale = await receipt()
    // a sale's receipt and its kick (if any) are one job: once its receipt is out, nothing more comes for it
    const job = await printed(sale.receiptNo)
    expect(job.drawerKicks).toBe(0)
    expect(printer.jobs().slice(jobsBefore)).toEqual([job])
    expect(job.text).toContain(yuan(sale.total))
  }, 90_000)

  it('out of paper: the sale completes, the print status says so with Retry; back online, Retry prints it', async () => {
    printer.setMode('paper_out')
    const sale = await cashSale([COLA.barcodes[0]!], '5')
    const status = page.getByTestId('print-status').first()
    await page.locator('[data-testid="print-job"][data-state="failed"][data-failure="paper_out"]').first().waitFor({ timeout: STEP })
    expect(await status.textContent()).toContain('The printer is out of paper: put in a new roll, then Retry.')
    expect(printer.jobs().some((j) => j.text.includes(sale.receiptNo))).toBe(false)
    // the next sale is not blocked: the checkout shows the same note and sells on
    await page.getByTestId('new-sale').click()
    await page.getByTestId('checkout').waitFor({ timeout: STEP })
    await page.locator('[data-testid="print-status"] [data-testid="print-retry"]').first().waitFor({ timeout: STEP })
    await shots('status-failed')
    await scan(page, WATER.barcodes[0]!)
    await page.locator(`[data-testid="cart-line"][data-product-id="${WATER.id}"]`).waitFor({ timeout: STEP })

    printer.setMode('online')
    await page.locator('[data-testid="print-status"] [data-testid="print-retry"]').first().click()
    const job = await printed(sale.receiptNo)
    expect(job.text).toContain(yuan(sale.total))
    await page.getByTestId('print-status').waitFor({ state: 'detached', timeout: STEP })
    // the cart was untouched
    expect(await page.locator('[data-testid="cart-line"]').count()).toBe(1)
  }, 90_000)

  it('No sale (F6) asks for a reason and kicks the drawer, printing nothing', async () => {
    await page.getByTestId('checkout').waitFor({ timeout: STEP })
    await page.keyboard.press('F6')
    await page.getByTestId('no-sale-dialog').waitFor({ timeout: STEP })
    await shots('no-sale')
    // a barcode scanned into the open dialog neither picks reasons nor opens the drawer
    const before = printer.jobs().length
    await scan(page, '6901234537017')
    // Enter with no reason says to choose one (this click comes after every key of the scan was handled)
    await page.getByTestId('no-sale-submit').click()
    await page.getByTestId('no-sale-choose').waitFor({ timeout: STEP })
    expect(await page.getByTestId('no-sale-dialog').count()).toBe(1)
    expect(await page.locator('[data-testid^="no-sale-reason-"][aria-checked="true"]').count()).toBe(0)
    await page.keyboard.press('2') // check the float
    await page.locator('[data-testid="no-sale-reason-check_float"][aria-checked="true"]').waitFor({ timeout: STEP })
    await page.getByTestId('no-sale-note').fill('count before lunch')
    await page.keyboard.press('Enter')
    await page.getByTestId('no-sale-dialog').waitFor({ state: 'detached', timeout: STEP })
    await page.getByTestId('notice').waitFor({ timeout: STEP }).catch(() => undefined)
    const kick = await eventually('the No-sale kick', async () => printer.jobs()[before], STEP, 100)
    expect(kick.drawerKicks).toBe(1)
    expect(kick.text).toContain('drawer kick') // the simulator's mark for ESC p; no receipt, no cut
    expect(kick.text).not.toContain('TOTAL')
    expect(kick.cuts).toBe(0)
    // the core sends jobs in the order asked: a kick the scan had asked for would have come out before this one
    expect(printer.jobs().length).toBe(before + 1)
    // the scanner works again at once
    await scan(page, COLA.barcodes[0]!)
    await page.locator(`[data-testid="cart-line"][data-product-id="${COLA.id}"]`).waitFor({ timeout: STEP })
  }, 90_000)

  it('the customer display shows the cart as it is built, then the thank-you with the change', async () => {
    const context = page.context()
    const display = await context.newPage()
    await display.goto(`${new URL(appUrl).origin}/#/customer-display`)
    await display.getByTestId('customer-display').waitFor({ timeout: STEP })
    // the cart left by the previous tests is on the display, line for line
    const lines = await page.locator('[data-testid="cart-line"]').count()
    expect(lines).toBeGreaterThan(0)
    await display.locator(`[data-testid="cd-cart"][data-lines="${lines}"]`).waitFor({ timeout: STEP })
    await scan(page, SPRITE.barcodes[0]!)
    await display.locator(`[data-testid="cd-cart"][data-lines="${lines + 1}"]`).waitFor({ timeout: STEP })
    const total = await minor('cart-total')
    expect(Number(await display.getByTestId('cd-cart-total').getAttribute('data-minor'))).toBe(total)
    for (const lang of ['en', 'zh-CN'] as const) {
      await language(lang)
      await until(display, `document.querySelector('[data-testid="cd-cart"]') && ${lang === 'zh-CN' ? "document.body.textContent.includes('件商品')" : "document.body.textContent.includes('items')"}`)
      await display.screenshot({ path: join(SHOTS, `printer-display-cart-${lang}.png`) })
    }
    await language('en')
    await page.keyboard.press('F12')
    await page.getByTestId('pay-dialog').waitFor({ timeout: STEP })
    await page.getByTestId('pay-tendered').fill('20')
    await page.getByTestId('pay-complete').click()
    const sale = await receipt()
    await display.getByTestId('cd-thanks').waitFor({ timeout: STEP })
    expect(Number(await display.getByTestId('cd-change').getAttribute('data-minor'))).toBe(sale.change)
    await display.screenshot({ path: join(SHOTS, 'printer-display-thanks-en.png') })
    await printed(sale.receiptNo)
    await display.close()
    expect(e2e.pageProblems).toEqual([])
  }, 90_000)
})

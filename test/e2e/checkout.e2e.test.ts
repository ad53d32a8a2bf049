import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byBarcode, E2ESession, openShiftThroughUi, requireBuiltRenderer, scan as wedge } from './support'

/**
 * End to end: the real serve host (core + WebSocket + built renderer) and a real Chromium.
 * A cashier signs in, opens a shift from the checkout's "No shift is open" note (cash needs one:
 * the float counted by denomination), scans three products with a keyboard-wedge scanner (fast keystrokes, no
 * input focused), gives a discount within her limit and one over it (supervisor PIN), is paid
 * in cash, sees the receipt; after a reload the order is found by its receipt number and a
 * reprint says DUPLICATE. Run after `npx electron-vite build`.
 */

const STEP_TIMEOUT = 15_000

const WATER = byBarcode('6901234500004')
const COLA = byBarcode('6901234537017')
const SPRITE = byBarcode('6901234574029')

const e2e = new E2ESession()
let page: Page
let appUrl = ''

async function minorOf(testId: string): Promise<number> {
  const el = page.getByTestId(testId)
  await el.waitFor({ timeout: STEP_TIMEOUT })
  const raw = await el.getAttribute('data-minor')
  expect(raw, `${testId} has data-minor`).not.toBeNull()
  return Number(raw)
}

async function expectMinor(testId: string, expected: number): Promise<void> {
  // attribute selectors, not string predicates: the page's CSP (rightly) forbids eval
  await page.locator(`[data-testid="${testId}"][data-minor="${expected}"]`).waitFor({ timeout: STEP_TIMEOUT })
}

/** A keyboard-wedge scanner: fast keystrokes (≤ 10 ms apart) ending in Enter, no input focused. */
async function scan(code: string): Promise<void> {
  expect(await page.evaluate('document.activeElement === document.body || document.activeElement === null')).toBe(true)
  await wedge(page, code)
}

async function waitForQty(productId: string, qty: string): Promise<void> {
  await page.locator(`[data-testid="cart-line"][data-product-id="${productId}"][data-qty="${qty}"]`).waitFor({ timeout: STEP_TIMEOUT })
}

async function cartLineQty(productId: string): Promise<string | null> {
  return page.locator(`[data-testid="cart-line"][data-product-id="${productId}"]`).getAttribute('data-qty', { timeout: STEP_TIMEOUT })
}

describe('checkout end to end (serve host + Chromium)', () => {
  beforeAll(async () => {
    requireBuiltRenderer()
    appUrl = await e2e.startServe('daybook-e2e-', [], 60_000)
    page = await e2e.openPage({ viewport: { width: 1024, height: 768 } })
    // Printing opens a system dialog in a real browser; the test only needs to know it was asked for.
    await page.addInitScript('window.print = () => { window.__daybookPrints = (window.__daybookPrints || 0) + 1 }')
  }, 120_000)

  afterAll(() => e2e.close())

  it('signs in the cashier with her PIN (a wrong PIN first says how many tries are left)', async () => {
    await page.goto(appUrl)
    await page.locator('[data-testid^="staff-tile-"][data-role="cashier"]').first().click({ timeout: STEP_TIMEOUT })
    await page.keyboard.type('0000')
    await page.keyboard.press('Enter')
    const err = page.getByTestId('signin-error')
    await err.waitFor({ timeout: STEP_TIMEOUT })
    expect(await err.getAttribute('data-code')).toBe('wrong_pin')
    expect(await err.textContent()).toMatch(/tries left/)
    await page.keyboard.type('1111')
    await page.keyboard.press('Enter')
    await page.getByTestId('checkout').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-testid^="product-"]').first().waitFor({ timeout: STEP_TIMEOUT })
  }, 60_000)

  it('opens a shift from the checkout: no shift, no cash — the note says so and opens the float count', async () => {
    const note = page.getByTestId('checkout-no-shift')
    await note.waitFor({ timeout: STEP_TIMEOUT })
    expect(await note.textContent()).toContain('No shift is open')
    await page.getByTestId('checkout-no-shift-open').click()
    // ¥100 × 2 and ¥10 × 5: a ¥250.00 float
    expect(await openShiftThroughUi(page, { 'note-10000': 2, 'note-1000': 5 })).toBe(25_000)
    await note.waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
    // the dialog is gone and nothing holds the focus: the scanner types into the checkout again
    expect(await page.evaluate('document.activeElement === document.body || document.activeElement === null')).toBe(true)
  }, 60_000)

  it('scans three products by barcode with fast keystrokes and no input focused', async () => {
    await scan(WATER.barcodes[0]!)
    await scan(COLA.barcodes[0]!)
    await scan(SPRITE.barcodes[0]!)
    await page.locator(`[data-testid="cart-line"][data-product-id="${SPRITE.id}"]`).waitFor({ timeout: STEP_TIMEOUT })
    // the same product again is one more on its line, not a new line
    await scan(COLA.barcodes[0]!)
    await waitForQty(COLA.id, '2')
    expect(await page.locator('[data-testid="cart-line"]').count()).toBe(3)
    expect(await cartLineQty(WATER.id)).toBe('1')
    expect(await cartLineQty(SPRITE.id)).toBe('1')
    // the digits did not end up in the search box
    expect(await page.getByTestId('search').inputValue()).toBe('')
    await page.keyboard.press('-') // back to one cola (− shortcut on the selected line)
    await waitForQty(COLA.id, '1')
    await expectMinor('cart-total', WATER.price + COLA.price + SPRITE.price)
  }, 60_000)

  it('gives a line discount within the limit, then an order discount over it with a supervisor PIN', async () => {
    const subtotal = WATER.price + COLA.price + SPRITE.price
    // 10 % off the cola line: 350 → 35 off, 3.8 % of the sale, within the cashier's 10 %
    await page.locator(`[data-testid="cart-line"][data-product-id="${COLA.id}"]`).click()
    await page.getByTestId('discount-button').click()
    await page.getByTestId('discount-dialog').waitFor({ timeout: STEP_TIMEOUT })
    await page.getByTestId('discount-target-line').click()
    await page.getByTestId('discount-kind-percent').click()
    await page.getByTestId('discount-value').fill('10')
    await page.getByTestId('discount-apply').click()
    await page.getByTestId('discount-dialog').waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
    const lineDiscount = (COLA.price * 10) / 100
    await expectMinor('cart-total', subtotal - lineDiscount)
    expect(await page.getByTestId('approval-dialog').count()).toBe(0)

    // ¥2.00 off the order: 235 of 930 is over 10 %, so a supervisor approves
    await page.keyboard.press('F8')
    await page.getByTestId('discount-dialog').waitFor({ timeout: STEP_TIMEOUT })
    await page.getByTestId('discount-target-order').click()
    await page.getByTestId('discount-kind-amount').click()
    await page.getByTestId('discount-value').fill('2')
    await page.keyboard.press('Enter')
    await page.getByTestId('approval-dialog').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-testid^="approver-"]', { hasText: 'Zhang Wei' }).click()
    await page.getByTestId('pin-input').fill('2222')
    await page.keyboard.press('Enter')
    await page.getByTestId('approval-dialog').waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
    await page.getByTestId('approved').waitFor({ timeout: STEP_TIMEOUT })
    await expectMinor('cart-total', subtotal - lineDiscount - 200)
  }, 60_000)

  let receiptNo = ''

  it('takes cash, shows the change, completes and shows the receipt', async () => {
    const expectedTotal = WATER.price + COLA.price + SPRITE.price - (COLA.price * 10) / 100 - 200
    expect(await minorOf('cart-total')).toBe(expectedTotal)
    await page.keyboard.press('F12')
    await page.getByTestId('pay-dialog').waitFor({ timeout: STEP_TIMEOUT })
    const due = await minorOf('pay-due') // the cash due the quote shows (after any cash rounding)
    expect(due).toBeGreaterThan(0)
    const tendered = 10_000 // ¥100.00, more than the total
    expect(tendered).toBeGreaterThan(due)
    await page.getByTestId('pay-tendered').fill('100')
    await expectMinor('pay-change', tendered - due)
    expect((await page.getByTestId('pay-change').textContent())?.trim()).toMatch(/\d/)
    await page.getByTestId('pay-complete').click()
    const rno = page.getByTestId('receipt-no')
    await rno.waitFor({ timeout: STEP_TIMEOUT })
    receiptNo = ((await rno.textContent()) ?? '').trim()
    expect(receiptNo).toMatch(/^[A-Za-z0-9]+-\d{8}-\d+$/)
    await expectMinor('receipt-total', expectedTotal)
    await expectMinor('receipt-tendered', tendered)
    await expectMinor('receipt-change', tendered - due)
    await page.getByTestId('receipt-qr').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('duplicate').count()).toBe(0)
  }, 60_000)

  it('after a reload, finds the order by receipt number and a reprint says DUPLICATE', async () => {
    await page.reload()
    await page.getByTestId('checkout').waitFor({ timeout: STEP_TIMEOUT }) // still signed in
    expect(await page.locator('[data-testid="cart-line"]').count()).toBe(0)
    await page.getByTestId('nav-orders').click()
    await page.getByTestId('orders').waitFor({ timeout: STEP_TIMEOUT })
    await page.getByTestId('orders-search').fill(receiptNo)
    await page.keyboard.press('Enter')
    const row = page.getByTestId(`order-row-${receiptNo}`)
    await row.waitFor({ timeout: STEP_TIMEOUT })
    await row.click()
    await page.getByTestId('receipt-screen').waitFor({ timeout: STEP_TIMEOUT })
    expect((await page.getByTestId('receipt-no').textContent())?.trim()).toBe(receiptNo)
    expect(await page.getByTestId('receipt-journal').textContent()).toMatch(/\d/)
    expect(await page.getByTestId('duplicate').count()).toBe(0)
    await page.getByTestId('reprint-button').click()
    const dup = page.getByTestId('duplicate')
    await dup.waitFor({ timeout: STEP_TIMEOUT })
    expect(await dup.textContent()).toMatch(/DUPLICATE/)
    expect(await page.evaluate('window.__daybookPrints || 0')).toBeGreaterThanOrEqual(1)
  }, 60_000)

  it('raised no page errors and no CSP violations', () => {
    expect(e2e.pageProblems).toEqual([])
  })
})

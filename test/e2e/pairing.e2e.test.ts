import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byBarcode, E2ESession, eventually, openShiftThroughUi, requireBuiltRenderer, scan, type Platform } from './support'

/**
 * End to end: a real platform (`npm run platform -- --port 0 --data <tmp> --demo`, PGlite), the real
 * serve host (`npm run serve -- --demo --port 0 --data <tmp>`) and Chromium. The owner opens the
 * sync indicator (grey: no platform), follows it to Settings → Platform, pairs with the code the
 * platform printed (a wrong code first: the sentence sits under the code field), sells for cash
 * (opening a shift from the pay view first: cash needs one),
 * sees the indicator reach "Synced" with nothing waiting, and the order is found through the
 * platform's read API with the admin token. Run after `npx electron-vite build`.
 */

const STEP_TIMEOUT = 15_000
/** Pairing and the first drain go through a real platform; the relay's first send may wait for its catalog pull. */
const SYNC_TIMEOUT = 45_000

const WATER = byBarcode('6901234500004')

const e2e = new E2ESession()
let page: Page
let platform: Platform
let appUrl = ''

async function indicator(): Promise<{ state: string | null; pending: string | null }> {
  const el = page.getByTestId('sync-indicator')
  return { state: await el.getAttribute('data-state'), pending: await el.getAttribute('data-pending') }
}

describe('pairing a till with a platform, end to end (platform + serve host + Chromium)', () => {
  beforeAll(async () => {
    requireBuiltRenderer()
    // The platform and the till start side by side (PGlite's first open takes a few seconds).
    const [started, url] = await Promise.all([e2e.startPlatform('daybook-e2e-platform-'), e2e.startServe('daybook-e2e-till-', ['--platform-timeout', '5'])])
    platform = started
    appUrl = url
    expect(platform.adminToken, `admin token from "${platform.tokenFrom}"`).not.toBe('')

    page = await e2e.openPage({ viewport: { width: 1024, height: 768 }, english: true })
  }, 180_000)

  afterAll(() => e2e.close())

  it('signs in the owner; the indicator is grey: not connected to a platform', async () => {
    await page.goto(appUrl)
    await page.locator('[data-testid^="staff-tile-"][data-role="owner"]').first().click({ timeout: STEP_TIMEOUT })
    await page.keyboard.type('9999')
    await page.keyboard.press('Enter')
    await page.getByTestId('checkout').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('.product-tile').first().waitFor({ timeout: STEP_TIMEOUT })
    await page.locator('[data-testid="sync-indicator"][data-state="unpaired"][data-tone="grey"]').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('sync-indicator').getAttribute('title')).toBe('Not connected to a platform')
  }, 60_000)

  it('the details panel never takes the focus: a scan still lands in the cart, and Esc closes it', async () => {
    await page.getByTestId('sync-indicator').click()
    await page.getByTestId('sync-panel').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.evaluate('document.activeElement === document.body || document.activeElement === null')).toBe(true)
    await scan(page, WATER.barcodes[0]!)
    await page.locator(`[data-testid="cart-line"][data-product-id="${WATER.id}"]`).waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('search').inputValue()).toBe('')
    expect(await page.getByTestId('sync-panel').count()).toBe(1) // still open, out of the way
    await page.keyboard.press('Escape')
    await page.getByTestId('sync-panel').waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
    expect(await page.locator('[data-testid="cart-line"]').count()).toBe(1) // Esc closed the panel and kept the cart
  }, 60_000)

  it('leads the owner to Settings → Platform; a wrong code is refused under the code field', async () => {
    await page.getByTestId('sync-indicator').click()
    await page.getByTestId('sync-setup').click()
    await page.getByTestId('pair-form').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('pair-url').getAttribute('placeholder')).toBe('http://127.0.0.1:4320')

    // nothing sent for a malformed code
    await page.getByTestId('pair-url').fill(platform.url)
    await page.getByTestId('pair-code').fill('abc')
    await page.getByTestId('pair-submit').click()
    expect(await page.getByTestId('pair-error-code').textContent()).toMatch(/8 letters and digits/)

    // a well-formed code the platform does not know
    const wrong = platform.pairingCode.replace('-', '') === 'ZZZZZZZZ' ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ'
    await page.getByTestId('pair-code').fill(wrong)
    await page.getByTestId('pair-submit').click()
    const err = page.locator('[data-testid="pair-error-code"][data-code="platform_refused"]')
    await err.waitFor({ timeout: STEP_TIMEOUT })
    expect(await err.textContent()).toBe('That pairing code is not right or was already used. Check it, or create a new one on the platform.')
    expect(await page.getByTestId('platform-settings').getAttribute('data-state')).toBe('unpaired')
  }, 60_000)

  it('pairs with the printed code typed in lower case without the dash', async () => {
    await page.getByTestId('pair-code').fill(platform.pairingCode.replace('-', '').toLowerCase())
    expect(await page.getByTestId('pair-code').inputValue()).toBe(`${platform.pairingCode.replace('-', '').slice(0, 4)}-${platform.pairingCode.replace('-', '').slice(4)}`)
    await page.getByTestId('pair-submit').click()
    await page.getByTestId('platform-unpair').waitFor({ timeout: SYNC_TIMEOUT })
    expect(await page.getByTestId('platform-note').textContent()).toMatch(/Paired with 日记本便利店 Daybook Mart/)
    expect(await page.getByTestId('platform-url').textContent()).toBe(platform.url)
    expect(await page.getByTestId('platform-device').textContent()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
  }, 60_000)

  let receiptNo = ''
  let total = 0

  it('sells for cash, opening a shift from the pay view first', async () => {
    await page.getByTestId('nav-checkout').click()
    await page.getByTestId('checkout').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator(`[data-testid="cart-line"][data-product-id="${WATER.id}"]`).waitFor({ timeout: STEP_TIMEOUT })
    await page.keyboard.press('F12')
    await page.getByTestId('pay-dialog').waitFor({ timeout: STEP_TIMEOUT })
    // no shift yet: the pay view says so and opens the float count right there
    await page.getByTestId('pay-no-shift').waitFor({ timeout: STEP_TIMEOUT })
    await page.getByTestId('pay-no-shift-open').click()
    expect(await openShiftThroughUi(page, { 'note-5000': 2 })).toBe(10_000)
    await page.getByTestId('pay-no-shift').waitFor({ state: 'detached', timeout: STEP_TIMEOUT })
    await page.getByTestId('pay-tendered').fill('10')
    await page.getByTestId('pay-complete').click()
    const rno = page.getByTestId('receipt-no')
    await rno.waitFor({ timeout: STEP_TIMEOUT })
    receiptNo = ((await rno.textContent()) ?? '').trim()
    total = Number(await page.getByTestId('receipt-total').getAttribute('data-minor'))
    expect(receiptNo).toMatch(/^[A-Za-z0-9]+-\d{8}-\d+$/)
    expect(total).toBe(WATER.price)
  }, 60_000)

  it('the order reaches the platform and the indicator says Synced with nothing waiting', async () => {
    const stores = await platform.admin<{ stores: { id: string; name: string }[] }>('/v1/admin/stores')
    expect(stores.status).toBe(200)
    const store = stores.body.stores.find((s) => s.name === '日记本便利店 Daybook Mart')
    expect(store, 'the demo store on the platform').toBeDefined()
    const storeId = store!.id

    const order = await eventually('the order on the platform', async () => {
      const days = await platform.admin<{ days: { businessDate: string }[] }>(`/v1/admin/stores/${storeId}/days`)
      for (const day of days.body.days ?? []) {
        const r = await platform.admin<{ orders: { receiptNo: string; total: number; lines: unknown[]; tenders: { method: string; amount: number }[] }[] }>(
          `/v1/admin/stores/${storeId}/days/${day.businessDate}/orders`,
        )
        const hit = r.body.orders?.find((o) => o.receiptNo === receiptNo)
        if (hit) return hit
      }
      return undefined
    }, SYNC_TIMEOUT)
    expect(order.total).toBe(total)
    expect(order.lines).toHaveLength(1)
    expect(order.tenders.map((t) => t.method)).toEqual(['cash'])

    // the indicator (in the top bar of every screen) reaches green, 0 waiting
    await page.locator('[data-testid="sync-indicator"][data-state="synced"][data-pending="0"][data-tone="green"]').waitFor({ timeout: SYNC_TIMEOUT })
    expect(await indicator()).toEqual({ state: 'synced', pending: '0' })
    expect(await page.getByTestId('sync-indicator').getAttribute('title')).toBe('Synced')

    // and the details agree
    await page.getByTestId('sync-indicator').click()
    await page.getByTestId('sync-panel').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('sync-pending').getAttribute('data-pending')).toBe('0')
    expect(await page.getByTestId('sync-last-success').textContent()).not.toBe('Not yet')
    await page.keyboard.press('Escape')

    // the platform knows this till as paired
    const devices = await platform.admin<{ devices: { id: string; pairedAt: string | null; lastSeq: number }[] }>(`/v1/admin/stores/${storeId}/devices`)
    await page.getByTestId('nav-settings').click()
    await page.getByTestId('settings-tab-platform').click()
    const deviceId = ((await page.getByTestId('platform-device').textContent()) ?? '').trim()
    const device = devices.body.devices.find((d) => d.id === deviceId)
    expect(device?.pairedAt).not.toBeNull()
    expect(device?.lastSeq).toBeGreaterThan(0)
    expect(await page.getByTestId('platform-pending').textContent()).toBe('Everything is sent.')
  }, 90_000)

  it('unpairs after a confirmation that says unsent sales stay on the till', async () => {
    await page.getByTestId('platform-unpair').click()
    const dialog = page.getByTestId('unpair-dialog')
    await dialog.waitFor({ timeout: STEP_TIMEOUT })
    expect(await dialog.textContent()).toContain('Unsent sales stay on this till')
    await page.getByTestId('unpair-confirm').click()
    await page.getByTestId('pair-form').waitFor({ timeout: STEP_TIMEOUT })
    expect(await page.getByTestId('platform-settings').getAttribute('data-state')).toBe('unpaired')
    expect(await page.getByTestId('pair-url').inputValue()).toBe(platform.url) // offered again
    await page.locator('[data-testid="sync-indicator"][data-state="unpaired"]').waitFor({ timeout: STEP_TIMEOUT })
  }, 60_000)

  it('raised no page errors and no CSP violations', () => {
    expect(e2e.pageProblems).toEqual([])
  })
})

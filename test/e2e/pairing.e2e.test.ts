import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * End to end: a real platform (`npm run platform -- --port 0 --data <tmp> --demo`, PGlite), the real
 * serve host (`npm run serve -- --demo --port 0 --data <tmp>`) and Chromium. The owner opens the
 * sync indicator (grey: no platform), follows it to Settings → Platform, pairs with the code the
 * platform printed (a wrong code first: the sentence sits under the code field), sells for cash,
 * sees the indicator reach "Synced" with nothing waiting, and the order is found through the
 * platform's read API with the admin token. Run after `npx electron-vite build`.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
const tsxCli = require.resolve('tsx/cli')
const STEP_TIMEOUT = 15_000
/** Pairing and the first drain go through a real platform; the relay's first send may wait for its catalog pull. */
const SYNC_TIMEOUT = 45_000

interface CatalogProduct {
  id: string
  price: number
  barcodes: string[]
}
const catalog = JSON.parse(readFileSync(join(repo, 'resources/demo-catalog.json'), 'utf8')) as { products: CatalogProduct[] }
const WATER = catalog.products.find((p) => p.barcodes.includes('6901234500004'))
if (!WATER) throw new Error('demo catalog has no water')

interface Child {
  proc: ChildProcess
  log: string
}
const children: Child[] = []
const dirs: string[] = []
let browser: Browser | undefined
let page: Page
const pageProblems: string[] = []

let platformUrl = ''
let pairingCode = ''
let adminToken = ''
let appUrl = ''

/**
 * Starts a child and resolves once `want` has matched a line for every key (bounded by a deadline).
 * Lines are read as they come; the child's output is kept for the failure message.
 */
function startChild(args: string[], want: Record<string, RegExp>, env: NodeJS.ProcessEnv = {}): Promise<Record<string, string>> {
  const proc = spawn(process.execPath, [tsxCli, ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  })
  const child: Child = { proc, log: '' }
  children.push(child)
  const found: Record<string, string> = {}
  return new Promise((resolveAll, reject) => {
    let buffered = ''
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not print ${Object.keys(want).join(', ')} within 90 s:\n${child.log}`)), 90_000)
    proc.stdout?.setEncoding('utf8')
    proc.stderr?.setEncoding('utf8')
    proc.stderr?.on('data', (d: string) => {
      child.log += d
    })
    proc.stdout?.on('data', (d: string) => {
      child.log += d
      buffered += d
      const lines = buffered.split(/\r?\n/)
      buffered = lines.pop() ?? ''
      for (const line of lines.map((l) => l.trim())) {
        for (const [key, re] of Object.entries(want)) {
          const m = re.exec(line)
          if (m && found[key] === undefined) found[key] = m[1] ?? m[0]
        }
      }
      if (Object.keys(want).every((k) => found[k] !== undefined)) {
        clearTimeout(timer)
        resolveAll(found)
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${args[0]} exited (code ${code}) before printing what the test needs:\n${child.log}`))
    })
  })
}

async function stopChild(child: Child): Promise<void> {
  const proc = child.proc
  if (proc.exitCode !== null || proc.signalCode !== null) return
  await new Promise<void>((done) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    proc.once('exit', () => {
      clearTimeout(kill)
      done()
    })
    proc.kill('SIGTERM')
  })
}

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

async function admin(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${platformUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })
  return { status: res.status, body: await res.json() }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = SYNC_TIMEOUT, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

async function indicator(): Promise<{ state: string | null; pending: string | null }> {
  const el = page.getByTestId('sync-indicator')
  return { state: await el.getAttribute('data-state'), pending: await el.getAttribute('data-pending') }
}

/** A keyboard-wedge scanner: fast keystrokes ending in Enter. */
async function scan(code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

describe('pairing a till with a platform, end to end (platform + serve host + Chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(join(repo, 'out/renderer/index.html'))) {
      throw new Error('out/renderer is missing: run `npx electron-vite build` before the end-to-end test')
    }
    const platformData = tempDir('daybook-e2e-platform-')
    const tillData = tempDir('daybook-e2e-till-')
    // The platform and the till start side by side (PGlite's first open takes a few seconds).
    const [platform, serve] = await Promise.all([
      startChild(
        ['src/platform/cli.ts', '--port', '0', '--data', platformData, '--demo'],
        {
          url: /^Daybook platform: (http:\/\/127\.0\.0\.1:\d+)\/?$/,
          token: /^Admin token: (.+)$/,
          code: /^Pairing code: ([0-9A-Z]{4}-?[0-9A-Z]{4})\b/,
        },
        { LOG: '0' },
      ),
      startChild(['src/main/serve/cli.ts', '--port', '0', '--data', tillData, '--demo', '--platform-timeout', '5'], {
        url: /^(http:\/\/127\.0\.0\.1:\d+\/\S*)$/,
      }),
    ])
    platformUrl = platform.url!
    pairingCode = platform.code!
    const where = platform.token!
    adminToken = isAbsolute(where) && existsSync(where) ? readFileSync(where, 'utf8').trim() : (process.env.DAYBOOK_ADMIN_TOKEN ?? '')
    expect(adminToken, `admin token from "${where}"`).not.toBe('')
    appUrl = serve.url!

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' })
    await context.addInitScript("localStorage.setItem('daybook.language', 'en')")
    page = await context.newPage()
    page.on('pageerror', (e) => pageProblems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') pageProblems.push(`console: ${m.text()}`)
    })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await Promise.all(children.map(stopChild))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

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
    await scan(WATER.barcodes[0]!)
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
    await page.getByTestId('pair-url').fill(platformUrl)
    await page.getByTestId('pair-code').fill('abc')
    await page.getByTestId('pair-submit').click()
    expect(await page.getByTestId('pair-error-code').textContent()).toMatch(/8 letters and digits/)

    // a well-formed code the platform does not know
    const wrong = pairingCode.replace('-', '') === 'ZZZZZZZZ' ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ'
    await page.getByTestId('pair-code').fill(wrong)
    await page.getByTestId('pair-submit').click()
    const err = page.locator('[data-testid="pair-error-code"][data-code="platform_refused"]')
    await err.waitFor({ timeout: STEP_TIMEOUT })
    expect(await err.textContent()).toBe('That pairing code is not right or was already used. Check it, or create a new one on the platform.')
    expect(await page.getByTestId('platform-settings').getAttribute('data-state')).toBe('unpaired')
  }, 60_000)

  it('pairs with the printed code typed in lower case without the dash', async () => {
    await page.getByTestId('pair-code').fill(pairingCode.replace('-', '').toLowerCase())
    expect(await page.getByTestId('pair-code').inputValue()).toBe(`${pairingCode.replace('-', '').slice(0, 4)}-${pairingCode.replace('-', '').slice(4)}`)
    await page.getByTestId('pair-submit').click()
    await page.getByTestId('platform-unpair').waitFor({ timeout: SYNC_TIMEOUT })
    expect(await page.getByTestId('platform-note').textContent()).toMatch(/Paired with 日记本便利店 Daybook Mart/)
    expect(await page.getByTestId('platform-url').textContent()).toBe(platformUrl)
    expect(await page.getByTestId('platform-device').textContent()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
  }, 60_000)

  let receiptNo = ''
  let total = 0

  it('sells for cash', async () => {
    await page.getByTestId('nav-checkout').click()
    await page.getByTestId('checkout').waitFor({ timeout: STEP_TIMEOUT })
    await page.locator(`[data-testid="cart-line"][data-product-id="${WATER.id}"]`).waitFor({ timeout: STEP_TIMEOUT })
    await page.keyboard.press('F12')
    await page.getByTestId('pay-dialog').waitFor({ timeout: STEP_TIMEOUT })
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
    const stores = (await admin('/v1/admin/stores')) as { status: number; body: { stores: { id: string; name: string }[] } }
    expect(stores.status).toBe(200)
    const store = stores.body.stores.find((s) => s.name === '日记本便利店 Daybook Mart')
    expect(store, 'the demo store on the platform').toBeDefined()
    const storeId = store!.id

    const order = await eventually('the order on the platform', async () => {
      const days = (await admin(`/v1/admin/stores/${storeId}/days`)) as { body: { days: { businessDate: string }[] } }
      for (const day of days.body.days ?? []) {
        const r = (await admin(`/v1/admin/stores/${storeId}/days/${day.businessDate}/orders`)) as {
          status: number
          body: { orders: { receiptNo: string; total: number; lines: unknown[]; tenders: { method: string; amount: number }[] }[] }
        }
        const hit = r.body.orders?.find((o) => o.receiptNo === receiptNo)
        if (hit) return hit
      }
      return undefined
    })
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
    const devices = (await admin(`/v1/admin/stores/${storeId}/devices`)) as { body: { devices: { id: string; pairedAt: string | null; lastSeq: number }[] } }
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
    expect(await page.getByTestId('pair-url').inputValue()).toBe(platformUrl) // offered again
    await page.locator('[data-testid="sync-indicator"][data-state="unpaired"]').waitFor({ timeout: STEP_TIMEOUT })
  }, 60_000)

  it('raised no page errors and no CSP violations', () => {
    expect(pageProblems).toEqual([])
  })
})

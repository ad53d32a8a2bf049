import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Papa from 'papaparse'
import { chromium, type Browser, type Page } from 'playwright-core'

/**
 * Plumbing for end-to-end tests: start a repository script the way its npm script does (tsx + the
 * same entry file), read what it prints line by line, stop it; temp dirs; bounded polling; the demo
 * catalog; the platform and serve host as the tests start them; Chromium with a page whose errors
 * are collected; and one place ({@link E2ESession}) that remembers all of it for cleanup.
 */

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')

export interface Child {
  name: string
  proc: ChildProcess
  /** Everything it printed (stdout and stderr), for failure messages. */
  log: string
}

/**
 * Starts `tsx <args>` in the repository and resolves once every pattern of `want` has matched a
 * printed line (trimmed; group 1, else the whole match), within `timeoutMs`. Rejects, with the
 * child's output, when it exits first or the deadline passes.
 */
export function startScript(
  args: string[],
  want: Record<string, RegExp>,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onStart?: (c: Child) => void } = {},
): Promise<{ child: Child; found: Record<string, string> }> {
  const proc = spawn(process.execPath, [tsxCli, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...opts.env },
  })
  const child: Child = { name: args[0] ?? 'child', proc, log: '' }
  opts.onStart?.(child)
  const found: Record<string, string> = {}
  const timeoutMs = opts.timeoutMs ?? 90_000
  return new Promise((resolveAll, reject) => {
    let buffered = ''
    let done = false
    const timer = setTimeout(() => {
      done = true
      reject(new Error(`${child.name} did not print ${Object.keys(want).filter((k) => found[k] === undefined).join(', ')} within ${timeoutMs} ms:\n${child.log}`))
    }, timeoutMs)
    proc.stdout?.setEncoding('utf8')
    proc.stderr?.setEncoding('utf8')
    proc.stderr?.on('data', (d: string) => {
      child.log += d
    })
    proc.stdout?.on('data', (d: string) => {
      child.log += d
      if (done) return
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
        done = true
        clearTimeout(timer)
        resolveAll({ child, found })
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      if (done) return
      done = true
      reject(Object.assign(new Error(`${child.name} exited (code ${code}) before printing what the test needs:\n${child.log}`), { childLog: child.log }))
    })
  })
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child: Child): Promise<void> {
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

export class TempDirs {
  private readonly dirs: string[] = []
  make(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix))
    this.dirs.push(d)
    return d
  }
  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export interface CatalogProduct {
  id: string
  price: number
  barcodes: string[]
}
const catalog = JSON.parse(readFileSync(join(REPO, 'resources/demo-catalog.json'), 'utf8')) as { products: CatalogProduct[] }

/** The demo catalog's product with this barcode (throws when there is none). */
export function byBarcode(code: string): CatalogProduct {
  const p = catalog.products.find((x) => x.barcodes.includes(code))
  if (!p) throw new Error(`demo catalog has no barcode ${code}`)
  return p
}

/** The end-to-end tests serve the built renderer. */
export function requireBuiltRenderer(): void {
  if (!existsSync(join(REPO, 'out/renderer/index.html'))) {
    throw new Error('out/renderer is missing: run `npx electron-vite build` before the end-to-end test')
  }
}

/** A keyboard-wedge scanner: fast keystrokes ending in Enter. */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

export interface Platform {
  url: string
  pairingCode: string
  /** Empty when none could be read: the tests assert it. */
  adminToken: string
  /** What the platform printed as the admin token's place. */
  tokenFrom: string
  /** GET on the platform's admin API with the admin token. */
  admin<T = unknown>(path: string): Promise<{ status: number; body: T }>
}

/**
 * Children, temp dirs, the browser and the page's problems (page errors, console errors) of one
 * test file; {@link close} in `afterAll` stops and removes all of them.
 */
/** What `npm run terminal-sim` prints for Settings → Card terminal. */
export interface SimSettings {
  endpoint: string
  poiId: string
  keyId: string
  keyVersion: string
  passphrase: string
  caFile: string
  control: string
  /** The acquirer's report server (the platform's --acquirer-url) and its account and credentials. */
  reportUrl: string
  merchantAccount: string
  reportUser: string
  reportPassword: string
}

export class E2ESession {
  readonly children: Child[] = []
  readonly dirs = new TempDirs()
  readonly pageProblems: string[] = []
  browser: Browser | undefined

  /** {@link startScript}, the child remembered for {@link close}. */
  start(args: string[], want: Record<string, RegExp>, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ child: Child; found: Record<string, string> }> {
    return startScript(args, want, { ...opts, onStart: (c) => this.children.push(c) })
  }

  /**
   * `npm run platform -- --port 0 --data <tmp> --demo [extra.args]` (PGlite); the admin token is read
   * from the file it names. `extra.env` adds to its environment (e.g. DAYBOOK_ACQUIRER_PASSWORD).
   */
  async startPlatform(dirPrefix: string, extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Platform> {
    const { found } = await this.start(
      ['src/platform/cli.ts', '--port', '0', '--data', this.dirs.make(dirPrefix), '--demo', ...(extra.args ?? [])],
      {
        url: /^Daybook platform: (http:\/\/127\.0\.0\.1:\d+)\/?$/,
        token: /^Admin token: (.+)$/,
        code: /^Pairing code: ([0-9A-Z]{4}-?[0-9A-Z]{4})\b/,
      },
      { env: { LOG: '0', ...extra.env } },
    )
    const url = found.url!
    const where = found.token!
    const adminToken = isAbsolute(where) && existsSync(where) ? readFileSync(where, 'utf8').trim() : (process.env.DAYBOOK_ADMIN_TOKEN ?? '')
    return {
      url,
      pairingCode: found.code!,
      adminToken,
      tokenFrom: where,
      async admin<T = unknown>(path: string) {
        const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } })
        return { status: res.status, body: (await res.json()) as T }
      },
    }
  }

  /**
   * `npm run terminal-sim` on a random 127.x.y.z: the Adyen library forces port 8443, so another
   * test (or a second run) may hold it on the address we picked — then pick another. `extraArgs`
   * go to the simulator (e.g. `--acquirer-tz`).
   */
  async startTerminalSim(dataDir: string, extraArgs: string[] = []): Promise<SimSettings> {
    for (let attempt = 1; ; attempt++) {
      const host = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(2, 255)}`
      try {
        const { found } = await this.start(
          ['src/platform/terminal-sim/cli.ts', '--host', host, '--data', dataDir, '--customer-ms', '300', ...extraArgs],
          {
            endpoint: /^endpoint\s+(https:\/\/\S+)$/,
            poiId: /^POIID\s+(\S+)$/,
            keyId: /^key identifier\s+(\S+)$/,
            keyVersion: /^key version\s+(\d+)$/,
            passphrase: /^passphrase\s+(\S+)$/,
            caFile: /^CA certificate\s+(\/\S+)$/,
            control: /^Control:\s+(http:\/\/127\.0\.0\.1:\d+)/,
            reportUrl: /^report URL\s+(http\S+)$/,
            merchantAccount: /^merchant account\s+(\S+)$/,
            reportUser: /^report user\s+(\S+)$/,
            reportPassword: /^report password\s+(\S+)$/,
          },
          { timeoutMs: 60_000 },
        )
        return found as unknown as SimSettings
      } catch (e) {
        const log = (e as { childLog?: string }).childLog ?? ''
        if (attempt < 5 && /EADDRINUSE|EADDRNOTAVAIL/.test(log)) continue
        throw e
      }
    }
  }

  /** `npm run serve -- --port 0 --data <tmp> --demo [extra]`; resolves to the app URL it prints. */
  async startServe(dirPrefix: string, extraArgs: string[] = [], timeoutMs?: number): Promise<string> {
    const { found } = await this.start(['src/main/serve/cli.ts', '--port', '0', '--data', this.dirs.make(dirPrefix), '--demo', ...extraArgs], { url: /^(http:\/\/127\.0\.0\.1:\d+\/\S*)$/ }, { timeoutMs })
    return found.url!
  }

  /**
   * Launches Chromium and opens one page (en-US) whose page errors and console errors go to
   * {@link pageProblems}. `english` makes the app start in English; `initScripts` run in every frame.
   */
  async openPage(opts: { viewport: { width: number; height: number }; english?: boolean; initScripts?: string[] }): Promise<Page> {
    this.browser = await launchChromium()
    const context = await this.browser.newContext({ viewport: opts.viewport, locale: 'en-US' })
    if (opts.english) await context.addInitScript("localStorage.setItem('daybook.language', 'en')")
    for (const script of opts.initScripts ?? []) await context.addInitScript(script)
    const page = await context.newPage()
    page.on('pageerror', (e) => this.pageProblems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') this.pageProblems.push(`console: ${m.text()}`)
    })
    return page
  }

  /** Closes the browser, stops every child, removes the temp dirs. */
  async close(): Promise<void> {
    await this.browser?.close()
    await Promise.all(this.children.map(stopChild))
    this.dirs.removeAll()
  }
}

/**
 * Types a drawer count into the denomination grid the way a cashier does: click the row's count
 * (which selects it) and type the digits. `counts` maps a row key ('note-10000', 'coin-100', …) to
 * how many; each row's line total is checked. Returns the grid's total in minor units (its data-minor).
 */
export async function typeCount(page: Page, grid: string, counts: Record<string, number>, timeoutMs = 15_000): Promise<number> {
  for (const [key, n] of Object.entries(counts)) {
    const value = Number(/-(\d+)$/.exec(key)?.[1] ?? NaN)
    if (!Number.isSafeInteger(value)) throw new Error(`not a denomination row: ${key}`)
    await page.getByTestId(`${grid}-${key}`).click({ timeout: timeoutMs })
    await page.keyboard.type(String(n))
    await page.locator(`[data-testid="${grid}-line-${key}"][data-minor="${value * n}"]`).waitFor({ timeout: timeoutMs })
  }
  return Number(await page.getByTestId(`${grid}-total`).getAttribute('data-minor', { timeout: timeoutMs }))
}

/**
 * Opens a shift through the screens: the open-shift dialog (opened here from the day screen unless
 * one is already on screen, e.g. from the checkout's or the pay view's "Open a shift"), the float
 * typed by denomination, F12. Resolves once the top bar shows the shift. Returns the float.
 */
export async function openShiftThroughUi(page: Page, counts: Record<string, number> = { 'note-10000': 2 }, timeoutMs = 15_000): Promise<number> {
  const dialog = page.getByTestId('open-shift-dialog')
  if ((await dialog.count()) === 0) {
    await page.getByTestId('nav-day').click({ timeout: timeoutMs })
    await page.getByTestId('day-open').click({ timeout: timeoutMs })
  }
  await dialog.waitFor({ timeout: timeoutMs })
  const float = await typeCount(page, 'float', counts, timeoutMs)
  await page.keyboard.press('F12')
  await dialog.waitFor({ state: 'detached', timeout: timeoutMs })
  await page.locator('[data-testid="business-day"][data-shift="open"]').waitFor({ timeout: timeoutMs })
  return float
}

/**
 * Pairs the till with `platform` through Settings → Platform (the owner signed in), waits until it is
 * paired, and returns the demo store's id on the platform.
 */
export async function pairThroughUi(page: Page, platform: Platform, timeoutMs = 45_000): Promise<string> {
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('settings-tab-platform').click()
  await page.getByTestId('pair-url').fill(platform.url)
  await page.getByTestId('pair-code').fill(platform.pairingCode)
  await page.getByTestId('pair-submit').click()
  await page.getByTestId('platform-unpair').waitFor({ timeout: timeoutMs })
  const stores = await platform.admin<{ stores: { id: string; name: string }[] }>('/v1/admin/stores')
  const storeId = stores.body.stores.find((s) => s.name === '日记本便利店 Daybook Mart')?.id ?? ''
  if (!storeId) throw new Error('the demo store is not on the platform')
  return storeId
}

// ---- the screens' common steps (one copy for every e2e file) ----------------------------------------

export type Role = 'cashier' | 'supervisor' | 'owner'

/** Waits (bounded) until `expression`, evaluated in the page, is truthy. */
export async function untilTrue(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  await eventually(expression, async () => ((await page.evaluate(expression)) ? true : undefined), timeoutMs, 50)
}

/** Switches the app's language with its own toggle and waits until the page says it has. */
export async function setLanguage(page: Page, lang: 'en' | 'zh-CN', timeoutMs = 15_000): Promise<void> {
  await page.evaluate(`document.querySelector('[data-testid="lang-${lang}"]').click()`)
  await untilTrue(page, `document.documentElement.lang === '${lang}'`, timeoutMs)
}

/** Taps the first staff tile of that role, types the PIN, and waits for the checkout. */
export async function signInAs(page: Page, role: Role, pin: string, timeoutMs = 15_000): Promise<void> {
  await page.locator(`[data-testid^="staff-tile-"][data-role="${role}"]`).first().click({ timeout: timeoutMs })
  await page.keyboard.type(pin)
  await page.keyboard.press('Enter')
  await page.getByTestId('checkout').waitFor({ timeout: timeoutMs })
}

/** Signs the current person out and another in. */
export async function switchUserTo(page: Page, role: Role, pin: string, timeoutMs = 15_000): Promise<void> {
  await page.getByTestId('staff-button').click()
  await page.getByTestId('signout-button').click()
  await signInAs(page, role, pin, timeoutMs)
}

/** The business day in a receipt number `<device>-<yyyymmdd>-<seq>`. */
export function businessDateOfReceipt(receiptNo: string): string {
  const d = /-(\d{4})(\d{2})(\d{2})-\d+$/.exec(receiptNo)
  if (!d) throw new Error(`receipt number ${receiptNo} has no date`)
  return `${d[1]}-${d[2]}-${d[3]}`
}

/** Clicks the review's export button of `kind` and returns the file the browser saved (a copy kept as `<copyPrefix><name>`). */
export async function reviewExport(page: Page, kind: string, copyPrefix: string, timeoutMs = 15_000): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: timeoutMs }), page.getByTestId(`review-export-${kind}`).click()])
  const bytes = readFileSync(await dl.path())
  writeFileSync(`${copyPrefix}${dl.suggestedFilename()}`, bytes)
  return { name: dl.suggestedFilename(), bytes }
}

/** A CSV export's rows: the file must start with the BOM Excel needs for Chinese. */
export function bomCsvRows(bytes: Buffer): string[][] {
  const text = bytes.toString('utf8')
  if (text.charCodeAt(0) !== 0xfeff) throw new Error('the CSV does not start with a UTF-8 BOM')
  return Papa.parse<string[]>(text.slice(1), { skipEmptyLines: true }).data
}

/** A PDF's text, laid out (pdftotext from poppler-utils); the PDF is kept at `file`. */
export function pdfToText(bytes: Buffer, file: string): string {
  writeFileSync(file, bytes)
  return execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

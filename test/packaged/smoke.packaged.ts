/**
 * Smoke test of the INSTALLED app, run by the release workflow on Windows and macOS runners (never
 * by `npm test`: vitest only picks up *.test.ts, and Electron cannot run on our Linux machines):
 *
 *   npx tsx test/packaged/smoke.packaged.ts <path to Daybook.exe or Daybook.app/Contents/MacOS/Daybook>
 *
 * With Playwright's Electron support it starts the app on a fresh user-data folder (so the demo
 * store is seeded), signs in the cashier 李娜 Li Na with her PIN, opens a shift, scans a Coca-Cola,
 * takes ¥100 cash, checks the receipt, quits, and then reads the ledger the app wrote: one order,
 * and the verifier finds nothing wrong — so the packaged better-sqlite3 (Electron's ABI) works.
 * Screenshots and the app's output go to smoke-output/ when a step fails.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { _electron as electron, type Page } from 'playwright-core'
import { verifyLedger } from '../../src/main/core/verify/verify'

const STEP = 30_000
const executablePath = process.argv[2]
if (!executablePath) {
  console.error('usage: tsx test/packaged/smoke.packaged.ts <packaged Daybook executable>')
  process.exit(2)
}
const out = resolve('smoke-output')
mkdirSync(out, { recursive: true })
const userData = mkdtempSync(join(tmpdir(), 'daybook-smoke-'))
const log: string[] = []

function step(what: string): void {
  const line = `${new Date().toISOString()} ${what}`
  log.push(line)
  console.log(line)
}

async function minor(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute('data-minor', { timeout: STEP }))
}

async function main(): Promise<void> {
  step(`launching ${executablePath} with user data in ${userData}`)
  const app = await electron.launch({ executablePath, args: [`--user-data-dir=${userData}`], timeout: 120_000, env: { ...process.env, DAYBOOK_DEMO: '1' } })
  app.process().stdout?.on('data', (d: Buffer) => log.push(`[app] ${d.toString().trimEnd()}`))
  app.process().stderr?.on('data', (d: Buffer) => log.push(`[app:err] ${d.toString().trimEnd()}`))
  let page: Page | null = null
  try {
    page = await app.firstWindow({ timeout: 120_000 })
    step(`window: ${await page.title()}`)

    step('sign in the cashier with PIN 1111')
    await page.locator('[data-testid^="staff-tile-"][data-role="cashier"]').first().click({ timeout: 120_000 })
    await page.keyboard.type('1111')
    await page.keyboard.press('Enter')
    await page.getByTestId('checkout').waitFor({ timeout: STEP })

    step('open a shift with a ¥200 float')
    await page.getByTestId('checkout-no-shift-open').click({ timeout: STEP })
    await page.getByTestId('open-shift-dialog').waitFor({ timeout: STEP })
    await page.getByTestId('float-note-10000').click({ timeout: STEP })
    await page.keyboard.type('2')
    await page.locator('[data-testid="float-line-note-10000"][data-minor="20000"]').waitFor({ timeout: STEP })
    await page.keyboard.press('F12')
    await page.getByTestId('open-shift-dialog').waitFor({ state: 'detached', timeout: STEP })

    step('scan a Coca-Cola and pay ¥100 in cash')
    await page.keyboard.type('6901234537017', { delay: 5 })
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="cart-line"]').first().waitFor({ timeout: STEP })
    const total = await minor(page, 'cart-total')
    if (!(total > 0)) throw new Error(`cart total ${total}`)
    await page.keyboard.press('F12')
    await page.getByTestId('pay-dialog').waitFor({ timeout: STEP })
    await page.getByTestId('pay-tendered').fill('100')
    await page.getByTestId('pay-complete').click({ timeout: STEP })
    const receiptNo = ((await page.getByTestId('receipt-no').textContent({ timeout: STEP })) ?? '').trim()
    if (!/^[A-Za-z0-9]+-\d{8}-\d+$/.test(receiptNo)) throw new Error(`receipt number ${receiptNo}`)
    const change = await minor(page, 'receipt-change')
    step(`receipt ${receiptNo}: total ${total}, change ${change} (minor units)`)
    if (change !== 10_000 - (await minor(page, 'receipt-total'))) throw new Error('the change is not ¥100 less the total')
  } catch (e) {
    if (page) await page.screenshot({ path: join(out, 'failure.png') }).catch(() => {})
    throw e
  } finally {
    step('quit')
    await app.close()
    writeFileSync(join(out, 'app.log'), log.join('\n'))
  }

  step('read the ledger the app wrote')
  // --user-data-dir moves Electron's userData; should it not, the app used its default folder
  const candidates = [
    join(userData, 'data', 'ledger.sqlite'),
    process.platform === 'win32' ? join(process.env.APPDATA ?? '', 'Daybook', 'data', 'ledger.sqlite') : join(homedir(), 'Library', 'Application Support', 'Daybook', 'data', 'ledger.sqlite'),
  ]
  const ledger = candidates.find((f) => existsSync(f))
  if (!ledger) throw new Error(`no ledger at ${candidates.join(' or ')}`)
  step(`ledger: ${ledger}`)
  const db = new Database(ledger, { readonly: true })
  try {
    const orders = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
    if (orders !== 1) throw new Error(`expected 1 order in the ledger, found ${orders}`)
    const report = verifyLedger(db)
    if (!report.ok) throw new Error(`the verifier: ${JSON.stringify(report.problem)}`)
    step(`ledger: 1 order, ${report.events} journal events, verified`)
  } finally {
    db.close()
  }
}

main().then(
  () => {
    step('smoke test passed')
    process.exit(0)
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e))
    writeFileSync(join(out, 'app.log'), log.join('\n'))
    process.exit(1)
  },
)

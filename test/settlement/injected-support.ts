import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { expect } from 'vitest'
import { startPlatform, type PlatformDatabase, type RunningPlatform } from '../../src/platform/app'
import { openDatabase } from '../../src/platform/db'
import type { AcquirerOptions } from '../../src/platform/statements/index'
import type { Checkout } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { Reconciliation, TillStatement } from '../../src/shared/settlement-contract'
import { adminCall, type PlatformBackend } from '../helpers/platform'
import { startCheckout, walletCode, type Till } from '../payments/helpers'

/**
 * Helpers for the end-to-end test of injected statement differences (issue 11): sales made through
 * a real till core, differences put into the provider's file on purpose (sandbox wallets, or the
 * terminal simulator playing the acquirer), the till's statement-fetch and reconcile-run.
 */

export type WalletName = 'alipay' | 'wechat'

export interface Sale {
  checkoutId: string
  attemptId: string
  method: WalletName | 'card'
  amount: number
  /** The attempt's final state at the till: succeeded, or failed (a declined code). */
  state: string
}

/**
 * One sale of `quantity` × p1001 paid with a wallet customer code through the platform's sandbox.
 * `ending` picks the sandbox scenario ('00' success, '91' decline). Waits (bounded) for the attempt's
 * final state: a paid sale completes, a declined one leaves the checkout open with a failed attempt.
 */
export async function sellWallet(t: Till, wallet: WalletName, quantity: number, ending = '00'): Promise<Sale> {
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: String(quantity) }])
  const attemptId = newId()
  await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: walletCode(wallet, ending), amount: c.total })
  const done = await t.until(c.id, (x: Checkout) => x.attempts.some((a) => a.id === attemptId && (a.state === 'succeeded' || a.state === 'failed')))
  const a = done.attempts.find((x) => x.id === attemptId)!
  if (a.state === 'succeeded') await t.until(c.id, (x: Checkout) => x.state === 'completed')
  return { checkoutId: c.id, attemptId, method: wallet, amount: c.total, state: a.state }
}

/** One card sale through the till's terminal driver (the terminal simulator), paid in full. */
export async function sellCard(t: Till, quantity: number): Promise<Sale> {
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: String(quantity) }])
  const attemptId = newId()
  await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount: c.total })
  const done = await t.until(c.id, (x: Checkout) => x.state === 'completed')
  return { checkoutId: c.id, attemptId, method: 'card', amount: c.total, state: done.attempts.find((x) => x.id === attemptId)!.state }
}

/** ¥10.81 of a ¥20.00 sale on the terminal: the simulator declines amounts ending in 81, the attempt fails, the checkout stays open. */
export async function declineCard(t: Till): Promise<Sale> {
  const c = await startCheckout(t, [{ productId: 'p1001', quantity: '10' }])
  const attemptId = newId()
  await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'terminal', amount: 1081 })
  const done = await t.until(c.id, (x: Checkout) => x.attempts.some((a) => a.id === attemptId && (a.state === 'succeeded' || a.state === 'failed')))
  return { checkoutId: c.id, attemptId, method: 'card', amount: 1081, state: done.attempts.find((x) => x.id === attemptId)!.state }
}

export interface RecordedDifference {
  kind: string
  outTradeNo: string
  providerRef: string
  amount: number
  expectedClass: string
  fileDate: string
}

/** PUT /v1/admin/sandbox/statement-differences for a store's bill of one wallet and provider day. */
export async function injectWallet(
  p: { url: string; adminToken: string },
  storeId: string,
  wallet: WalletName,
  date: string,
  differences: unknown[],
  availableNow = true,
): Promise<RecordedDifference[]> {
  const r = await adminCall(p, 'PUT', '/v1/admin/sandbox/statement-differences', { storeId, wallet, date, availableNow, differences })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body.differences as RecordedDifference[]
}

export interface Fetched {
  statements: TillStatement[]
  missing: { provider: string; date: string; reason: string; availableAt: string | null; message: string }[]
}

export const fetchStatements = (t: Till, businessDate: string): Promise<Fetched> => t.call<Fetched>('statement-fetch', { businessDate })
export const reconcile = (t: Till, businessDate: string): Promise<Reconciliation> => t.call<Reconciliation>('reconcile-run', { runId: newId(), businessDate })

/** A difference as compared: its class, provider, suspense amount, and the keys of both sides. */
export function shapeOf(d: Reconciliation['differences'][number]): {
  class: string
  provider: string
  amount: number
  local: string | null
  row: { merchantRef: string | null; providerRef: string; gross: number; providerDate: string } | null
} {
  return {
    class: d.class,
    provider: d.provider,
    amount: d.amount,
    local: d.local?.id ?? null,
    row: d.row ? { merchantRef: d.row.merchantRef, providerRef: d.row.providerRef, gross: d.row.gross, providerDate: d.row.providerDate } : null,
  }
}

// ---- a platform with the card acquirer (startTestPlatform has no `acquirer` option) --------------------

const PG_URL = process.env.DAYBOOK_TEST_PG_URL
let template: Promise<string> | null = null
const dirs: string[] = []
process.on('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybook-injected-template-'))
    dirs.push(dir)
    await (await openDatabase({ kind: 'pglite', dataDir: dir })).close()
    return dir
  })()
  return template
}

export interface CardPlatform {
  url: string
  adminToken: string
  running: RunningPlatform
  close(): Promise<void>
}

/** A real platform (its own empty database) whose card statements come from `acquirer` (the terminal simulator's report server). */
export async function startCardPlatform(backend: PlatformBackend, acquirer: AcquirerOptions, now?: () => Date): Promise<CardPlatform> {
  const adminToken = randomBytes(24).toString('base64url')
  let database: PlatformDatabase
  let cleanup: () => Promise<void>
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'daybook-injected-platform-'))
    dirs.push(dir)
    cpSync(await pgliteTemplate(), dir, { recursive: true })
    database = { kind: 'pglite', dataDir: dir }
    cleanup = async () => {
      rm(dir, { recursive: true, force: true }).catch(() => {})
    }
  } else {
    if (!PG_URL) throw new Error('DAYBOOK_TEST_PG_URL is not set')
    const schema = `t_${randomBytes(8).toString('hex')}`
    database = { kind: 'postgres', url: PG_URL, schema }
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await c.end()
      }
    }
  }
  const running = await startPlatform({ database, adminToken, logger: false, now, acquirer })
  let closed = false
  return {
    url: running.url,
    adminToken,
    running,
    close: async () => {
      if (closed) return
      closed = true
      await running.close()
      await cleanup()
    },
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Checkout } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import type { Difference, Reconciliation, TillStatement } from '../../src/shared/settlement-contract'
import { startTestPlatform, type TestPlatform } from '../helpers/platform'
import { clockAt, moveTo } from '../platform/statements-support'
import type { TestClock } from '../platform/payments-support'
import { startCheckout, till, walletCode, type Till } from '../payments/helpers'

/**
 * The till against the reference platform: QR payments taken on day A through the sandbox wallets,
 * the providers' bills fetched the next morning (after 09:00 Beijing, when they exist), the day
 * reconciled — every payment matched — and a difference asked about again.
 */

const A = '2026-11-20'
const B = '2026-11-21'

describe('settlement through the platform', () => {
  let p: TestPlatform
  let t: Till
  let clock: TestClock
  let session = ''
  const invoke = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = await t.core.invoke({ channel, input, session })
    if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code} ${r.error.message}`), { code: r.error.code })
    return r.value as T
  }
  const signIn = async (): Promise<void> => {
    const staff = (await t.core.invoke({ channel: 'staff-list', input: {} })) as { ok: true; value: { id: string; name: string }[] }
    const owner = staff.value.find((s) => s.name.includes('Wang Fang'))!
    const r = (await t.core.invoke({ channel: 'session-signin', input: { staffId: owner.id, pin: '9999' } })) as { ok: true; value: { token: string } }
    session = r.value.token
  }

  beforeAll(async () => {
    clock = clockAt(A, 11)
    p = await startTestPlatform('pglite', { now: clock.now })
    t = await till(p, { now: clock.now })
    session = t.session
  }, 60_000)
  afterAll(async () => {
    await t?.core.close()
    await p?.close()
  })

  it('fetches the bills of A (and says B is not out yet), reconciles A with every payment matched, asks again about a difference', async () => {
    const paid: string[] = []
    for (const wallet of ['alipay', 'wechat'] as const) {
      const c = await startCheckout(t)
      const attemptId = newId()
      await t.call('tender-add', { checkoutId: c.id, attemptId, flow: 'customer_code', authCode: walletCode(wallet), amount: c.total })
      const done = await t.until(c.id, (x: Checkout) => x.state === 'completed')
      expect(done.attempts[0]!.state).toBe('succeeded')
      paid.push(attemptId)
    }
    // A payment the till has and the wallet never saw (written as the engine leaves a paid attempt).
    const ghost = newId()
    const at = clock.now().toISOString()
    const checkoutId = newId()
    t.core.db.prepare("INSERT INTO checkouts (id, state, cart_json, quote_json, currency, total_minor, staff_id, staff_name, created_at, updated_at) VALUES (?, 'open', '{}', '{}', 'CNY', 700, 's', 'S', ?, ?)").run(checkoutId, at, at)
    t.core.db
      .prepare("INSERT INTO tender_attempts (id, checkout_id, position, method, flow, amount_minor, currency, state, provider_ref, paid_at, created_at, updated_at) VALUES (?, ?, 0, 'alipay', 'customer_code', 700, 'CNY', 'succeeded', NULL, ?, ?, ?)")
      .run(ghost, checkoutId, at, at, at)

    moveTo(clock, B, 10) // the bills of A are out at 09:00 Beijing on B
    await signIn()
    const fetched = await invoke<{ statements: TillStatement[]; missing: { provider: string; date: string; reason: string }[] }>('statement-fetch', { businessDate: A })
    expect(fetched.statements.map((s) => `${s.provider} ${s.date}`).sort()).toEqual([`alipay ${A}`, `wechat ${A}`])
    expect(fetched.missing.filter((m) => m.date === B && m.provider !== 'card').map((m) => m.reason)).toEqual(['not_yet_available', 'not_yet_available'])
    // Fetching again stores nothing new: the same statements (same sha256).
    const again = await invoke<{ statements: TillStatement[] }>('statement-fetch', { businessDate: A })
    expect(again.statements.map((s) => s.id).sort()).toEqual(fetched.statements.map((s) => s.id).sort())
    expect(await invoke<TillStatement[]>('statement-list', { businessDate: A })).toHaveLength(2)

    const run = await invoke<Reconciliation>('reconcile-run', { runId: newId(), businessDate: A })
    expect(run.counts.matched).toBe(2)
    expect(run.differences.map((d) => [d.class, d.local?.id])).toEqual([['missing_at_provider', ghost]])
    for (const pr of run.providers) {
      const s = fetched.statements.find((x) => x.provider === pr.provider)!
      expect({ provider: pr.provider, fee: pr.fee, net: pr.net }).toEqual({ provider: s.provider, fee: s.fee, net: s.net })
    }

    const asked = await invoke<Difference>('difference-ask', { runId: run.id, differenceId: run.differences[0]!.id })
    expect(asked.lookup).toMatchObject({ provider: 'alipay', status: 'not_found' })
    const got = await invoke<Reconciliation>('reconcile-get', { runId: run.id })
    expect(got.differences[0]!.lookup).toEqual(asked.lookup)
    await invoke<Difference>('difference-resolve', { resolutionId: newId(), runId: run.id, differenceId: run.differences[0]!.id, kind: 'written_off', note: 'Never reached Alipay: the customer paid cash' })

    // The run and the resolution sync like every event; the platform posts them with the same rules.
    let status = await invoke<{ pending: number; lastError: unknown; state: string }>('sync-now', {})
    for (let i = 0; i < 100 && status.pending > 0; i++) {
      await new Promise((r) => setTimeout(r, 50))
      status = await invoke('sync-status', {})
    }
    expect(status).toMatchObject({ pending: 0, lastError: null })
    const events = await p.db.query<{ type: string; posting: string | null }>("SELECT type, posting FROM events WHERE type LIKE 'reconciliation.%' ORDER BY seq")
    expect(events.map((e) => e.type)).toEqual(['reconciliation.completed', 'reconciliation.resolved'])
    for (const e of events) expect(JSON.parse(e.posting ?? '{}')).not.toHaveProperty('e')
  }, 60_000)
})

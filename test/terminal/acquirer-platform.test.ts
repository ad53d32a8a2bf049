import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlatform, type RunningPlatform } from '../../src/platform/app'
import { StatementsForDateSchema, type StatementsForDate } from '../../src/shared/statements/types'
import type { TerminalSim } from '../../src/platform/terminal-sim'
import { adminCall, createStoreAndDevice } from '../helpers/platform'
import { tempDir } from '../helpers/tmp'
import { disposeDrivers, driverFor, sid, startSim } from './helpers'

/**
 * The platform with `acquirer` pointing at the simulator's report server: the card statement of a
 * day is not yet available while its batch is open, then fetched, parsed and stored as the card
 * statement of that very day (the service refuses a file whose statement is of another day).
 */

let sim: TerminalSim
let platform: RunningPlatform
const adminToken = randomBytes(24).toString('base64url')
beforeAll(async () => {
  sim = await startSim({ customerMs: 0, acquirer: { timeZone: 'Asia/Shanghai', commissionBp: 120, reportPassword: 'platform-pw' } })
  platform = await startPlatform({
    database: { kind: 'pglite', dataDir: tempDir('daybook-acq-platform-') },
    adminToken,
    logger: false,
    acquirer: { reportUrl: sim.reportUrl, username: sim.reportUser, password: 'platform-pw', merchantAccount: sim.merchantAccount },
  })
}, 120_000)
afterAll(async () => {
  disposeDrivers()
  await platform?.close()
  await sim?.close()
})

async function fetchDay(storeId: string, date: string): Promise<StatementsForDate> {
  const r = await adminCall({ url: platform.url, adminToken }, 'POST', `/v1/admin/stores/${storeId}/statements/fetch?date=${date}`, {})
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return StatementsForDateSchema.parse(r.body)
}

describe('platform ← acquirer (terminal simulator)', () => {
  it('not yet available, then the day’s card statement, stored under that day', async () => {
    const { storeId } = await createStoreAndDevice({ url: platform.url, adminToken }, 'Card Shop')
    const transactionId = '01JPLATFORMCARD00000000001'
    const out = await driverFor(sim).driver.pay({ serviceId: sid(), transactionId, amount: 2500, currency: 'CNY', at: new Date() })
    expect(out.kind).toBe('approved')
    const day = sim.acquirer.today()

    const early = await fetchDay(storeId, day)
    expect(early.missing.find((m) => m.provider === 'card')).toMatchObject({ reason: 'not_yet_available' })

    sim.acquirer.closeBatches()
    const got = await fetchDay(storeId, day)
    expect(got.missing.filter((m) => m.provider === 'card')).toEqual([])
    const card = got.statements.filter((s) => s.provider === 'card')
    expect(card).toHaveLength(1)
    expect(card[0]).toMatchObject({ provider: 'card', format: 'adyen_settlement_detail', date: day, merchantId: sim.merchantAccount, source: 'provider', fileName: 'settlement_detail_report_batch_1.csv' })
    expect(card[0]!.rows.filter((r) => r.type === 'payment').map((r) => [r.merchantRef, r.gross, r.fee])).toEqual([[transactionId, 2500, 30]])
  })
})

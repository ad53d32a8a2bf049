import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AdyenDriverError, AdyenTerminalDriver, createAdyenDriver } from '../../src/main/core/payments/terminal/adyen-driver'
import type { TerminalOutcome } from '../../src/main/core/payments/terminal/driver'
import { createCa, type TerminalSim } from '../../src/platform/terminal-sim'
import { findCardNumber, locateCardNumber, MASKED_PAN_PATTERN } from '../../src/shared/card-number'
import { MAX_MINOR } from '../../src/shared/money'
import { disposeDrivers, driverFor, sid, startSim, until } from './helpers'

/**
 * The Adyen driver against the terminal simulator over real HTTPS on 127.x.y.z:8443, with the
 * library's encryption and certificate check: every outcome the core has to tell apart.
 */

let sim: TerminalSim
beforeAll(async () => {
  sim = await startSim()
}, 60_000)
afterAll(async () => {
  await sim?.close()
})
afterEach(() => disposeDrivers())

const at = new Date('2026-11-22T03:00:00Z')
const payment = (amount: number, currency = 'CNY', serviceId = sid()) => ({ serviceId, transactionId: `01JTX${serviceId}`.padEnd(26, '0').slice(0, 26), amount, currency, at })
const processedFor = (serviceId: string) => sim.processed().filter((p) => p.serviceId === serviceId)

function approved(o: TerminalOutcome): Extract<TerminalOutcome, { kind: 'approved' }> {
  expect(o.kind, JSON.stringify(o)).toBe('approved')
  return o as Extract<TerminalOutcome, { kind: 'approved' }>
}

describe('payments', () => {
  it('approves with masked PAN, brand, entry mode, approval code and the terminal’s reference', async () => {
    const { driver } = driverFor(sim)
    const req = payment(1250)
    const out = approved(await driver.pay(req))
    expect(out.amount).toBe(1250)
    expect(out.card).not.toBeNull()
    expect(out.card!.maskedPan).toMatch(MASKED_PAN_PATTERN)
    expect(['visa', 'mc', 'amex', 'cup']).toContain(out.card!.brand)
    expect(['Contactless', 'ICC']).toContain(out.card!.entryMode)
    expect(out.card!.approvalCode).toMatch(/^\d{6}$/)
    const [rec, ...more] = processedFor(req.serviceId)
    expect(more).toEqual([])
    expect(rec).toMatchObject({ category: 'Payment', result: 'approved', amount: 1250, currency: 'CNY', transactionId: req.transactionId, saleId: 'T01' })
    expect(out.providerRef).toBe(rec!.poiTransactionId)
    expect(out.providerTimestamp).toBe(rec!.poiTimestamp)
    expect(driver.terminalId).toBe(sim.poiId)
  })

  it('sends and reads amounts exactly: JPY (no decimals), BHD (3 decimals), the largest amount', async () => {
    const { driver } = driverFor(sim)
    for (const [amount, currency] of [
      [1234, 'JPY'],
      [12345, 'BHD'],
      [1, 'CNY'],
      [MAX_MINOR - 1, 'CNY'],
      [1999, 'KWD'],
    ] as const) {
      const req = payment(amount, currency)
      const out = approved(await driver.pay(req))
      expect(out.amount, `${amount} ${currency}`).toBe(amount)
      expect(processedFor(req.serviceId)[0]).toMatchObject({ amount, currency })
    }
  })

  it('declined (Refusal) and cancelled on the terminal', async () => {
    const { driver } = driverFor(sim)
    expect(await driver.pay(payment(1281))).toEqual({ kind: 'declined', errorCondition: 'Refusal', message: 'Refused by the issuer' })
    const cancel = payment(1283)
    expect(await driver.pay(cancel)).toMatchObject({ kind: 'declined', errorCondition: 'Cancel' })
    expect(processedFor(cancel.serviceId)).toMatchObject([{ result: 'declined', errorCondition: 'Cancel' }])
  })

  it('busy: by amount, and a second payment while one is running; nothing is processed', async () => {
    const { driver } = driverFor(sim)
    const busy = payment(1282)
    expect(await driver.pay(busy)).toMatchObject({ kind: 'busy' })
    expect(processedFor(busy.serviceId)).toEqual([])

    const slow = payment(1285)
    const first = driver.pay(slow)
    await until(() => driver.status({ serviceId: sid(), originalServiceId: slow.serviceId, category: 'Payment' }), (s) => s.kind === 'in_progress')
    const second = payment(1000)
    expect(await driver.pay(second)).toMatchObject({ kind: 'busy' })
    expect(processedFor(second.serviceId)).toEqual([])
    approved(await first)
  })

  it('a dropped answer is no_answer; TransactionStatus then finds the approval, and the terminal charged once', async () => {
    const { driver } = driverFor(sim)
    const req = payment(2084)
    const out = await driver.pay(req)
    expect(out.kind).toBe('no_answer')
    const st = await driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })
    expect(st.kind).toBe('found')
    const found = approved((st as { outcome: TerminalOutcome }).outcome)
    expect(found.amount).toBe(2084)
    expect(found.card?.maskedPan).toMatch(MASKED_PAN_PATTERN)
    const processed = processedFor(req.serviceId)
    expect(processed).toHaveLength(1)
    expect(found.providerRef).toBe(processed[0]!.poiTransactionId)
  })

  it('in progress: the till stops waiting, status says in_progress, then finds the result', async () => {
    const { driver } = driverFor(sim, { timeoutMs: 300 })
    const req = payment(3085)
    const out = await driver.pay(req)
    expect(out).toMatchObject({ kind: 'no_answer', message: expect.stringContaining('No answer') })
    const q = () => driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })
    expect((await q()).kind).toBe('in_progress')
    const st = await until(q, (s) => s.kind !== 'in_progress')
    expect(st.kind).toBe('found')
    expect(approved((st as { outcome: TerminalOutcome }).outcome).amount).toBe(3085)
    expect(processedFor(req.serviceId)).toHaveLength(1)
  })

  it('status of a ServiceID the terminal never saw is not_found; of a declined payment, found(declined)', async () => {
    const { driver } = driverFor(sim)
    expect(await driver.status({ serviceId: sid(), originalServiceId: 'NEVER1', category: 'Payment' })).toEqual({ kind: 'not_found' })
    const req = payment(1181)
    await driver.pay(req)
    expect(await driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })).toMatchObject({
      kind: 'found',
      outcome: { kind: 'declined', errorCondition: 'Refusal' },
    })
    // Busy requests were never processed: not_found, so the core may try again.
    const busy = payment(1182)
    await driver.pay(busy)
    expect(await driver.status({ serviceId: sid(), originalServiceId: busy.serviceId, category: 'Payment' })).toEqual({ kind: 'not_found' })
  })

  it('abort stops a running payment: it answers Aborted, and status says the same', async () => {
    const { driver } = driverFor(sim)
    const req = payment(4085)
    const running = driver.pay(req)
    await until(() => driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' }), (s) => s.kind === 'in_progress')
    await driver.abort({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })
    expect(await running).toMatchObject({ kind: 'declined', errorCondition: 'Aborted' })
    expect(await driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })).toMatchObject({
      kind: 'found',
      outcome: { kind: 'declined', errorCondition: 'Aborted' },
    })
    // Abort of nothing running is harmless.
    await driver.abort({ serviceId: sid(), originalServiceId: 'NOPE1', category: 'Payment' })
  })

  it('the till’s own signal ends the wait as no_answer (the terminal may still be processing)', async () => {
    const { driver } = driverFor(sim)
    const ac = new AbortController()
    const req = payment(5085)
    const p = driver.pay(req, ac.signal)
    await until(() => driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' }), (s) => s.kind === 'in_progress')
    ac.abort()
    expect(await p).toMatchObject({ kind: 'no_answer', message: expect.stringContaining('Cancelled by the till') })
    const st = await until(() => driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' }), (s) => s.kind !== 'in_progress')
    expect(st).toMatchObject({ kind: 'found', outcome: { kind: 'approved', amount: 5085 } })
  })

  it('the control endpoint picks the outcome of the next N requests', async () => {
    const { driver } = driverFor(sim)
    const res = await fetch(`${sim.controlUrl}/scenario`, { method: 'POST', body: JSON.stringify({ scenario: 'decline', count: 2 }) })
    expect(res.status).toBe(200)
    expect(await driver.pay(payment(1000))).toMatchObject({ kind: 'declined', errorCondition: 'Refusal' })
    expect(await driver.pay(payment(1000))).toMatchObject({ kind: 'declined', errorCondition: 'Refusal' })
    approved(await driver.pay(payment(1000)))
    expect((await fetch(`${sim.controlUrl}/scenario`, { method: 'POST', body: '{"scenario":"explode"}' })).status).toBe(400)
    const list = (await (await fetch(`${sim.controlUrl}/processed`)).json()) as unknown[]
    expect(list.length).toBe(sim.processed().length)
  })
})

describe('refunds (referenced, nexo Reversal)', () => {
  it('partial refunds up to what was paid; one minor unit over is refused', async () => {
    const { driver } = driverFor(sim)
    const pay = approved(await driver.pay(payment(10_000)))
    const refund = (amount: number, serviceId = sid()) =>
      driver.refund({ serviceId, refundId: `01JRF${serviceId}`.padEnd(26, '0').slice(0, 26), originalPoiTransactionId: pay.providerRef, originalPoiTimestamp: pay.providerTimestamp, amount, currency: 'CNY', at })
    const first = approved(await refund(4000))
    expect(first.amount).toBe(4000)
    expect(first.card).toBeNull()
    expect(first.providerRef).not.toBe(pay.providerRef)
    expect(await refund(6001)).toMatchObject({ kind: 'declined', errorCondition: 'NotAllowed', message: expect.stringContaining('exceeds') })
    const lastId = sid()
    expect(approved(await refund(6000, lastId)).amount).toBe(6000)
    expect(await refund(1)).toMatchObject({ kind: 'declined', errorCondition: 'NotAllowed' })
    expect(await driver.status({ serviceId: sid(), originalServiceId: lastId, category: 'Reversal' })).toMatchObject({ kind: 'found', outcome: { kind: 'approved', amount: 6000 } })
    const refunds = sim.processed().filter((p) => p.category === 'Reversal' && p.originalPoiTransactionId === pay.providerRef)
    expect(refunds.map((r) => r.amount)).toEqual([4000, 6000])
  })

  it('a refund whose answer is lost is found by status, and not refunded twice', async () => {
    const { driver } = driverFor(sim)
    const pay = approved(await driver.pay(payment(500, 'BHD')))
    sim.queueScenario('drop')
    const serviceId = sid()
    const out = await driver.refund({ serviceId, refundId: '01JRF0000000000000000000DR', originalPoiTransactionId: pay.providerRef, originalPoiTimestamp: pay.providerTimestamp, amount: 499, currency: 'BHD', at })
    expect(out.kind).toBe('no_answer')
    expect(await driver.status({ serviceId: sid(), originalServiceId: serviceId, category: 'Reversal' })).toMatchObject({ kind: 'found', outcome: { kind: 'approved', amount: 499 } })
    expect(sim.processed().filter((p) => p.serviceId === serviceId)).toHaveLength(1)
    // A fresh driver (a restarted till) reads it with the store currency.
    const { driver: restarted } = driverFor(sim, { currency: 'BHD' })
    expect(await restarted.status({ serviceId: sid(), originalServiceId: serviceId, category: 'Reversal' })).toMatchObject({ kind: 'found', outcome: { kind: 'approved', amount: 499 } })
  })

  it('a refund of an unknown payment is declined', async () => {
    const { driver } = driverFor(sim)
    const out = await driver.refund({ serviceId: sid(), refundId: '01JRF0000000000000000000NO', originalPoiTransactionId: 'NOPE.8800000000000000', originalPoiTimestamp: at.toISOString(), amount: 100, currency: 'CNY', at })
    expect(out).toMatchObject({ kind: 'declined', errorCondition: 'NotFound' })
  })
})

describe('keys, certificates and configuration', () => {
  it('a wrong passphrase is refused by the terminal: declined "Reject" with a clear message, nothing processed', async () => {
    const { driver } = driverFor(sim, { passphrase: 'not-the-passphrase' })
    const before = sim.processed().length
    const out = await driver.pay(payment(1000))
    expect(out).toMatchObject({ kind: 'declined', errorCondition: 'Reject', message: expect.stringMatching(/Crypto error.*passphrase/) })
    expect(await driver.status({ serviceId: sid(), originalServiceId: 'X1', category: 'Payment' })).toMatchObject({ kind: 'no_answer', message: expect.stringContaining('Crypto error') })
    expect(sim.processed().length).toBe(before)
  })

  it('an unknown key identifier or version, and a wrong POIID, are refused the same way', async () => {
    expect(await driverFor(sim, { keyIdentifier: 'Other' }).driver.pay(payment(1000))).toMatchObject({ kind: 'declined', errorCondition: 'Reject', message: expect.stringContaining('unknown key') })
    expect(await driverFor(sim, { keyVersion: 7 }).driver.pay(payment(1000))).toMatchObject({ kind: 'declined', errorCondition: 'Reject' })
    // Encrypted with the right key, addressed to another terminal: the terminal's Reject comes encrypted.
    expect(await driverFor(sim, { poiId: 'V400m-000000001' }).driver.pay(payment(1000))).toMatchObject({ kind: 'declined', errorCondition: 'Reject', message: expect.stringContaining('Unknown POIID') })
  })

  it('a terminal certificate from another CA is not trusted: no_answer, nothing sent', async () => {
    const before = sim.processed().length
    const out = await driverFor(sim, { caCertPem: createCa().certPem }).driver.pay(payment(1000))
    expect(out).toMatchObject({ kind: 'no_answer', message: expect.stringContaining('certificate') })
    expect(sim.processed().length).toBe(before)
  })

  it('nothing listening: no_answer', async () => {
    const other = await startSim()
    const { driver } = driverFor(other)
    await other.close()
    expect(await driver.pay(payment(1000))).toMatchObject({ kind: 'no_answer', message: expect.stringContaining('Could not reach') })
  })

  it('refuses bad configuration and bad requests with typed errors', async () => {
    const base = { endpoint: sim.endpoint, poiId: sim.poiId, saleId: 'T01', keyIdentifier: 'k', keyVersion: 1, passphrase: 'p', caCertPem: sim.caCertPem }
    for (const bad of [{ endpoint: `${sim.endpoint}:8443` }, { endpoint: 'http://10.0.0.5' }, { poiId: 'V400m' }, { caCertPem: 'nope' }, { passphrase: '' }, { keyVersion: 1.5 }]) {
      expect(() => new AdyenTerminalDriver({ ...base, ...bad }), JSON.stringify(bad)).toThrow(AdyenDriverError)
    }
    const { driver } = driverFor(sim)
    await expect(driver.pay(payment(1000, 'XXX'))).rejects.toThrow(/unknown currency/)
    await expect(driver.pay({ ...payment(1000), serviceId: 'ELEVENCHARS' })).rejects.toThrow(/ServiceID/)
    await expect(driver.pay(payment(0))).rejects.toThrow(/positive/)
    const made = createAdyenDriver({ ...base, currency: 'CNY' })
    expect(made.terminalId).toBe(sim.poiId)
    made.dispose()
  })
})

describe('card numbers in the terminal’s answer', () => {
  for (const [amount, where] of [
    [1086, 'MaskedPan holds the full number'],
    [1087, 'a full number in AdditionalResponse'],
  ] as const) {
    it(`${where}: approved, card details dropped, the number never logged or returned`, async () => {
      const { driver, logs } = driverFor(sim)
      const req = payment(amount)
      const out = approved(await driver.pay(req))
      expect(out.card).toBeNull()
      expect(out.amount).toBe(amount)
      expect(locateCardNumber(out)).toBeNull()
      const st = await driver.status({ serviceId: sid(), originalServiceId: req.serviceId, category: 'Payment' })
      expect(st).toMatchObject({ kind: 'found', outcome: { kind: 'approved', card: null } })
      expect(locateCardNumber(st)).toBeNull()
      expect(logs.length).toBeGreaterThan(0)
      expect(logs.some((l) => l.includes('card-number-like'))).toBe(true)
      for (const l of logs) expect(findCardNumber(l)).toBeNull()
    })
  }

  it('a MaskedPan showing more than first 6 + last 4 is dropped', async () => {
    const { driver, logs } = driverFor(sim)
    const out = approved(await driver.pay(payment(1088)))
    expect(out.card).toBeNull()
    expect(logs.join('\n')).toContain('more than the first 6 and last 4')
    expect(logs.join('\n')).not.toContain('41111111')
  })
})

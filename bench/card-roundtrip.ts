/**
 * Card round trip: the time from driver.pay() to its outcome, through @adyen/api-library (nexo
 * encryption, certificate check) to the terminal simulator over HTTPS on the same machine, with
 * no simulated customer (--customer-ms 0). Baseline in the same run, interleaved: a bare HTTPS
 * POST of the same request and answer sizes to a trivial server with the same kind of
 * certificate, a new TLS connection each time (as the library makes one per request), no
 * encryption and no logic. Target: p95 ≤ 200 ms.
 */
import { createServer, request, Agent } from 'node:https'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { pbkdf2Sync } from 'node:crypto'
import { AdyenTerminalDriver } from '../src/main/core/payments/terminal/adyen-driver'
import { createCa, issueServerCert, startTerminalSim } from '../src/platform/terminal-sim'
import { post } from './lib/http'
import { atMost, result, single, type BenchResult } from './lib/results'
import { summarize } from './lib/stats'

export interface CardOptions {
  payments: number
  warmup: number
  log: (line: string) => void
}

function bareServer(ca: ReturnType<typeof createCa>, answerBytes: number): Promise<{ url: URL; agentCa: string; close: () => Promise<void> }> {
  const cert = issueServerCert(ca, 'V400m-000000000', '127.0.0.1')
  const answer = JSON.stringify({ pad: 'x'.repeat(Math.max(0, answerBytes - 11)) })
  const server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    req.on('data', () => {})
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer))
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: new URL(`https://127.0.0.1:${port}/nexo/`),
        agentCa: ca.certPem,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r())
            server.closeAllConnections()
          }),
      })
    })
  })
}

async function barePost(url: URL, ca: string, body: string): Promise<void> {
  await post(request, url, { agent: new Agent({ ca, checkServerIdentity: () => undefined }), headers: { 'Content-Type': 'application/json' } }, body)
}

export async function benchCard(o: CardOptions): Promise<BenchResult[]> {
  const ca = createCa()
  const sim = await startTerminalSim({ ca, customerMs: 0 })
  const driver = new AdyenTerminalDriver({
    endpoint: sim.endpoint,
    poiId: sim.poiId,
    saleId: 'BENCH1',
    keyIdentifier: sim.keyIdentifier,
    keyVersion: sim.keyVersion,
    passphrase: sim.passphrase,
    caCertPem: sim.caCertPem,
  })
  let n = 0
  const pay = async (): Promise<number> => {
    n++
    const serviceId = `B${String(n).padStart(8, '0')}`
    // Amounts ending 00..79 approve; keep to those.
    const amount = 1000 + (n % 80)
    const t0 = performance.now()
    const out = await driver.pay({ serviceId, transactionId: `01JBENCH${String(n).padStart(18, '0')}`, amount, currency: 'CNY', at: new Date() })
    const ms = performance.now() - t0
    if (out.kind !== 'approved' || out.amount !== amount) throw new Error(`bench payment ${serviceId}: ${JSON.stringify(out)}`)
    return ms
  }
  try {
    for (let i = 0; i < o.warmup; i++) await pay()
    const t = sim.traffic()
    const reqBytes = Math.round(t.bytesIn / t.requests)
    const resBytes = Math.round(t.bytesOut / t.requests)
    const bare = await bareServer(ca, resBytes)
    const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, reqBytes - 11)) })
    try {
      for (let i = 0; i < 10; i++) await barePost(bare.url, bare.agentCa, body)
      o.log(`card: ${o.payments} payments (request ${reqBytes} B, answer ${resBytes} B), interleaved with bare HTTPS POSTs`)
      const card: number[] = []
      const base: number[] = []
      for (let i = 0; i < o.payments; i++) {
        card.push(await pay())
        const t0 = performance.now()
        await barePost(bare.url, bare.agentCa, body)
        base.push(performance.now() - t0)
      }
      // What the library would spend on key derivation without the driver's cache: PBKDF2 of 640 bytes, to encrypt and to decrypt.
      const d0 = performance.now()
      for (let i = 0; i < 5; i++) pbkdf2Sync('passphrase', 'AdyenNexoV1Salt', 4000, 640, 'sha1')
      const derive = (performance.now() - d0) / 5
      const c = summarize(card)
      const b = summarize(base)
      const processed = sim.processed().length
      if (processed !== o.payments + o.warmup) throw new Error(`the simulator processed ${processed} payments, expected ${o.payments + o.warmup}`)
      return [
        result('card round trip (pay → outcome)', 'ms', c, atMost(200, ['p95'], 'ms'), `p95 ${(c.p95 / b.p95).toFixed(2)}× the bare POST; without the driver's cache of the library's key derivation add 2 × ${derive.toFixed(0)} ms`),
        result('  bare HTTPS POST, same sizes', 'ms', b, null),
        single('  card p95 / bare p95', '×', c.p95 / b.p95, null),
      ]
    } finally {
      await bare.close()
    }
  } finally {
    driver.dispose()
    await sim.close()
  }
}

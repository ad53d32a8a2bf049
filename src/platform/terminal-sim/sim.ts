import { randomBytes, randomInt } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Acquirer, DIFFERENCE_KINDS, type AcquirerOptions, type DifferenceRequest } from './acquirer'
import { createCa, issueServerCert, loadOrCreateCa, POIID_PATTERN, type Pem } from './certs'
import { AMOUNT_RULES, SCENARIOS, type Scenario } from './scenarios'
import { TerminalLogic, type ProcessedRecord } from './terminal'

/** @adyen/api-library always appends `:8443/nexo/` to the endpoint, so the terminal port is fixed. */
export const TERMINAL_PORT = 8443

export interface TerminalSimOptions {
  /** Address to listen on. Default: a random 127.x.y.z (retried when taken), so tests never collide on 8443. */
  host?: string
  /** nexo POIID, `<model>-<serial>`. Default V400m-<9 random digits>. */
  poiId?: string
  keyIdentifier?: string
  keyVersion?: number
  /** Default: random (returned). */
  passphrase?: string
  /** Simulated customer time before the card is presented (ms). Default 1500; 0 for benches. */
  customerMs?: number
  /** Extra time of the 'slow' scenario (ms). Default 5000. */
  slowMs?: number
  /** Issue the server certificate from this CA (tests share one; issuing a CA costs a key pair). */
  ca?: Pem
  /** Keep the CA here (ca-cert.pem, ca-key.pem) across runs. Ignored when `ca` is given. */
  dataDir?: string
  /** Control endpoint port on 127.0.0.1; default 0 (random). */
  controlPort?: number
  /** The acquirer behind the terminal (settlement batches, Adyen settlement reports): merchant account, fees, report credentials, clock. */
  acquirer?: Omit<AcquirerOptions, 'log'>
  /** Report server port on 127.0.0.1 (basic auth; /reports/download/…); default 0 (random). */
  reportPort?: number
  log?: (line: string) => void
}

export interface TerminalSim {
  /** What the till puts in its settings: `https://<host>` (the library adds :8443/nexo/). */
  endpoint: string
  host: string
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  caCertPem: string
  /** The CA file when a data dir keeps it, else null. */
  caCertPath: string | null
  controlUrl: string
  /** The acquirer's report server, `http://127.0.0.1:<port>` (Adyen's `https://ca-test.adyen.com` stand-in). */
  reportUrl: string
  merchantAccount: string
  reportUser: string
  reportPassword: string
  /** Settlement batches, differences on purpose, reports. */
  acquirer: Acquirer
  processed(): ProcessedRecord[]
  queueScenario(s: Scenario, count?: number): void
  /** Bytes on the wire at the HTTP level (bodies only), for benches that compare with a bare POST. */
  traffic(): { requests: number; bytesIn: number; bytesOut: number }
  close(): Promise<void>
}
export type RunningTerminalSim = TerminalSim

const MAX_BODY = 1 << 20

interface ScenarioBody {
  scenario?: unknown
  count?: unknown
}

function randomLoopback(): string {
  return `127.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(2, 255)}`
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening)
      reject(e)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        resolve(null)
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(null))
  })
}

const ACQUIRER_ROUTES = 'GET /acquirer, POST /acquirer/close {currency?}, POST /acquirer/difference {kind, ref?, amount?, currency?, merchantRef?}, DELETE /acquirer/difference'

function parseJson(text: string | null): unknown {
  try {
    return JSON.parse(text ?? '') as unknown
  } catch {
    return null
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
}

export async function startTerminalSim(options: TerminalSimOptions = {}): Promise<TerminalSim> {
  const poiId = options.poiId ?? `V400m-${String(randomInt(10 ** 8, 10 ** 9))}`
  if (!POIID_PATTERN.test(poiId)) throw new RangeError(`POIID ${JSON.stringify(poiId)} must be <model>-<serial>, letters and digits (e.g. V400m-123456789)`)
  const keyIdentifier = options.keyIdentifier ?? 'DaybookSimKey'
  const keyVersion = options.keyVersion ?? 1
  if (!Number.isSafeInteger(keyVersion) || keyVersion < 0) throw new RangeError('keyVersion must be a whole number')
  const passphrase = options.passphrase ?? randomBytes(18).toString('base64url')
  if (passphrase.length === 0 || keyIdentifier.length === 0) throw new RangeError('passphrase and keyIdentifier must not be empty')
  const customerMs = options.customerMs ?? 1500
  const slowMs = options.slowMs ?? 5000
  for (const [k, v] of [['customerMs', customerMs], ['slowMs', slowMs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${k} must be a whole number of milliseconds ≥ 0`)
  }
  const stored = options.ca ? null : options.dataDir ? loadOrCreateCa(options.dataDir) : null
  const ca: Pem = options.ca ?? stored ?? createCa()

  const acquirer = new Acquirer({ ...options.acquirer, ...(options.log ? { log: options.log } : {}) })
  const onProcessed = (r: ProcessedRecord): void => {
    try {
      acquirer.book(r)
    } catch (e) {
      options.log?.(`Acquirer: could not book ${r.serviceId}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const logic = new TerminalLogic({ poiId, key: { keyIdentifier, keyVersion, passphrase }, customerMs, slowMs, onProcessed, ...(options.log ? { log: options.log } : {}) })

  const traffic = { requests: 0, bytesIn: 0, bytesOut: 0 }
  let https: HttpsServer | null = null
  let host = options.host ?? ''
  for (let attempt = 0; ; attempt++) {
    const h = options.host ?? randomLoopback()
    const cert = issueServerCert(ca, poiId, h)
    const server = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      void (async () => {
        if (req.method !== 'POST' || (req.url !== '/nexo/' && req.url !== '/nexo')) return sendJson(res, 404, { error: 'POST /nexo/' })
        const body = await readBody(req)
        if (body === null) return sendJson(res, 413, { error: 'too large' })
        traffic.requests++
        traffic.bytesIn += Buffer.byteLength(body)
        const action = await logic.handle(body)
        if (action.kind === 'drop') req.socket.destroy()
        else if (action.kind === 'empty') res.writeHead(200).end()
        else {
          const json = JSON.stringify(action.body)
          traffic.bytesOut += Buffer.byteLength(json)
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(json)
        }
      })().catch(() => req.socket.destroy())
    })
    // A payment waits for the customer up to the terminal's own 120 s limit.
    server.requestTimeout = 0
    server.headersTimeout = 30_000
    try {
      await listen(server, TERMINAL_PORT, h)
      https = server
      host = h
      break
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (options.host === undefined && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') && attempt < 20) continue
      if (code === 'EADDRNOTAVAIL' && options.host === undefined) throw new Error('this system has no 127.x.y.z loopback range (macOS: only 127.0.0.1); pass host')
      throw e
    }
  }

  // The acquirer's report server (basic auth), before the control endpoint that names it.
  const reports = createHttpServer((req, res) => {
    acquirer.handle(req, res).catch((e: unknown) => {
      options.log?.(`Acquirer: report request failed: ${e instanceof Error ? e.message : String(e)}`)
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { status: 500, message: 'report could not be written' })
    })
  })
  try {
    await listen(reports, options.reportPort ?? 0, '127.0.0.1')
  } catch (e) {
    https?.close()
    throw e
  }
  const reportUrl = `http://127.0.0.1:${(reports.address() as AddressInfo).port}`

  const control = createHttpServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/'
      if (req.method === 'GET' && url === '/') {
        return sendJson(res, 200, { endpoint: `https://${host}`, poiId, keyIdentifier, keyVersion, caCertPath: stored?.certPath ?? null, scenarios: SCENARIOS, amountRules: AMOUNT_RULES, queued: logic.queued(), reportUrl, merchantAccount: acquirer.merchantAccount, reportUser: acquirer.reportUser })
      }
      if (req.method === 'GET' && url === '/processed') return sendJson(res, 200, logic.processed())
      if (url === '/acquirer' || url.startsWith('/acquirer/')) return acquirerControl(req, res, url)
      if (req.method === 'DELETE' && url === '/scenario') {
        logic.clearScenarios()
        return sendJson(res, 200, { queued: [] })
      }
      if (req.method === 'POST' && url === '/scenario') {
        const text = await readBody(req)
        let body: ScenarioBody | null = null
        try {
          body = JSON.parse(text ?? '') as ScenarioBody | null
        } catch {
          body = null
        }
        const count = body?.count ?? 1
        if (!body || !(SCENARIOS as readonly unknown[]).includes(body.scenario) || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > 1000) {
          return sendJson(res, 400, { error: `body: {"scenario": one of ${SCENARIOS.join(', ')}, "count": 1..1000}` })
        }
        logic.queueScenario(body.scenario as Scenario, count)
        return sendJson(res, 200, { queued: logic.queued() })
      }
      return sendJson(res, 404, { error: `GET /, GET /processed, POST /scenario {scenario, count}, DELETE /scenario, ${ACQUIRER_ROUTES}` })
    })().catch(() => res.destroy())
  })
  await listen(control, options.controlPort ?? 0, '127.0.0.1')
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`

  async function acquirerControl(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    if (req.method === 'GET' && url === '/acquirer') {
      return sendJson(res, 200, {
        reportUrl,
        merchantAccount: acquirer.merchantAccount,
        companyAccount: acquirer.companyAccount,
        reportUser: acquirer.reportUser,
        timeZone: acquirer.timeZone,
        commissionBp: acquirer.commissionBp,
        fixedFee: acquirer.fixedFee,
        today: acquirer.today(),
        differenceKinds: DIFFERENCE_KINDS,
        batches: acquirer.batchList(),
      })
    }
    if (req.method === 'POST' && url === '/acquirer/close') {
      const body = parseJson(await readBody(req)) as { currency?: unknown } | null
      const currency = typeof body?.currency === 'string' ? body.currency : undefined
      return sendJson(res, 200, { closed: acquirer.closeBatches(currency) })
    }
    if (req.method === 'DELETE' && url === '/acquirer/difference') {
      acquirer.clearDifferences()
      return sendJson(res, 200, { batches: acquirer.batchList() })
    }
    if (req.method === 'POST' && url === '/acquirer/difference') {
      const body = parseJson(await readBody(req)) as Record<string, unknown> | null
      const ok =
        body !== null &&
        typeof body === 'object' &&
        (DIFFERENCE_KINDS as readonly unknown[]).includes(body.kind) &&
        (body.ref === undefined || typeof body.ref === 'string') &&
        (body.amount === undefined || typeof body.amount === 'number') &&
        (body.currency === undefined || typeof body.currency === 'string') &&
        (body.merchantRef === undefined || body.merchantRef === null || typeof body.merchantRef === 'string')
      if (!ok) return sendJson(res, 400, { error: `body: {"kind": one of ${DIFFERENCE_KINDS.join(', ')}, "ref"?, "amount"?, "currency"?, "merchantRef"?}` })
      try {
        return sendJson(res, 200, acquirer.addDifference(body as unknown as DifferenceRequest))
      } catch (e) {
        if (e instanceof RangeError) return sendJson(res, 409, { error: e.message })
        throw e
      }
    }
    return sendJson(res, 404, { error: ACQUIRER_ROUTES })
  }


  const tls = https
  return {
    endpoint: `https://${host}`,
    host,
    poiId,
    keyIdentifier,
    keyVersion,
    passphrase,
    caCertPem: ca.certPem,
    caCertPath: stored?.certPath ?? null,
    controlUrl,
    reportUrl,
    merchantAccount: acquirer.merchantAccount,
    reportUser: acquirer.reportUser,
    reportPassword: acquirer.reportPassword,
    acquirer,
    processed: () => logic.processed(),
    queueScenario: (s, count = 1) => logic.queueScenario(s, count),
    traffic: () => ({ ...traffic }),
    close: async () => {
      logic.close()
      await Promise.all(
        [tls, control, reports].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              s.closeAllConnections()
            }),
        ),
      )
    },
  }
}

/**
 * `npm run terminal-sim -- [flags]`: a simulated Adyen terminal (Terminal API, local, encrypted)
 * on https://<host>:8443/nexo/ for a till to pay against. Prints the settings the till needs.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DIFFERENCE_KINDS } from './acquirer'
import { describeRules, SCENARIOS } from './scenarios'
import { startTerminalSim } from './sim'

const USAGE = `usage: npm run terminal-sim -- [--host 127.0.0.1] [--poiid V400m-123456789] [--key-id ID] [--key-version N]
       [--passphrase TEXT] [--data DIR] [--customer-ms 1500] [--slow-ms 5000] [--control-port 0] [--json]
       [--merchant-account DaybookSimPOS] [--report-password TEXT] [--report-port 0] [--commission-bp 110]
       [--fixed-fee 0] [--acquirer-tz UTC]`

interface Persisted {
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  merchantAccount: string
  reportPassword: string
}

function wholeNumber(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt
  if (!/^\d{1,9}$/.test(v)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(v)}`)
  return Number(v)
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        host: { type: 'string' },
        poiid: { type: 'string' },
        'key-id': { type: 'string' },
        'key-version': { type: 'string' },
        passphrase: { type: 'string' },
        data: { type: 'string' },
        'customer-ms': { type: 'string' },
        'slow-ms': { type: 'string' },
        'control-port': { type: 'string' },
        'merchant-account': { type: 'string' },
        'report-password': { type: 'string' },
        'report-port': { type: 'string' },
        'commission-bp': { type: 'string' },
        'fixed-fee': { type: 'string' },
        'acquirer-tz': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(`${USAGE}\n\n${describeRules()}`)
    return
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
  let customerMs: number, slowMs: number, controlPort: number, keyVersionFlag: number | undefined, reportPort: number, commissionBp: number, fixedFee: number
  try {
    customerMs = wholeNumber('customer-ms', str('customer-ms'), 1500)
    slowMs = wholeNumber('slow-ms', str('slow-ms'), 5000)
    controlPort = wholeNumber('control-port', str('control-port'), 0)
    reportPort = wholeNumber('report-port', str('report-port'), 0)
    commissionBp = wholeNumber('commission-bp', str('commission-bp'), 110)
    fixedFee = wholeNumber('fixed-fee', str('fixed-fee'), 0)
    keyVersionFlag = str('key-version') === undefined ? undefined : wholeNumber('key-version', str('key-version'), 1)
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`)
    process.exit(2)
  }

  // The data dir keeps the CA and the generated identity, so a till configured once keeps working.
  const dataDir = resolve(str('data') ?? mkdtempSync(join(tmpdir(), 'daybook-terminal-sim-')))
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const settingsPath = join(dataDir, 'terminal.json')
  const saved: Partial<Persisted> = existsSync(settingsPath) ? (JSON.parse(readFileSync(settingsPath, 'utf8')) as Partial<Persisted>) : {}
  const identity: Persisted = {
    poiId: str('poiid') ?? saved.poiId ?? `V400m-${String(randomInt(10 ** 8, 10 ** 9))}`,
    keyIdentifier: str('key-id') ?? saved.keyIdentifier ?? 'DaybookSimKey',
    keyVersion: keyVersionFlag ?? saved.keyVersion ?? 1,
    passphrase: str('passphrase') ?? saved.passphrase ?? randomBytes(18).toString('base64url'),
    merchantAccount: str('merchant-account') ?? saved.merchantAccount ?? 'DaybookSimPOS',
    reportPassword: str('report-password') ?? saved.reportPassword ?? randomBytes(12).toString('base64url'),
  }
  writeFileSync(settingsPath, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 })

  const sim = await startTerminalSim({
    host: str('host') ?? '127.0.0.1',
    poiId: identity.poiId,
    keyIdentifier: identity.keyIdentifier,
    keyVersion: identity.keyVersion,
    passphrase: identity.passphrase,
    acquirer: {
      merchantAccount: identity.merchantAccount,
      reportPassword: identity.reportPassword,
      commissionBp,
      fixedFee,
      // The machine's zone by default: a batch then closes at the shop's midnight.
      timeZone: str('acquirer-tz') ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    },
    reportPort,
    dataDir,
    customerMs,
    slowMs,
    controlPort,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  })
  if (values.json) {
    console.log(
      JSON.stringify({
        endpoint: sim.endpoint,
        poiId: sim.poiId,
        keyIdentifier: sim.keyIdentifier,
        keyVersion: sim.keyVersion,
        passphrase: sim.passphrase,
        caCertPath: sim.caCertPath,
        controlUrl: sim.controlUrl,
        reportUrl: sim.reportUrl,
        merchantAccount: sim.merchantAccount,
        reportUser: sim.reportUser,
        reportPassword: sim.reportPassword,
      }),
    )
  } else {
    console.log(`Daybook terminal simulator — Adyen Terminal API (local, encrypted) on ${sim.endpoint}:8443/nexo/

Till settings (Settings → Card terminal):
  endpoint         ${sim.endpoint}
  POIID            ${sim.poiId}
  key identifier   ${sim.keyIdentifier}
  key version      ${sim.keyVersion}
  passphrase       ${sim.passphrase}
  CA certificate   ${sim.caCertPath ?? '(none)'}

Control:           ${sim.controlUrl}   (GET /, GET /processed, POST /scenario {"scenario","count"}, DELETE /scenario)
Scenarios:         ${SCENARIOS.join(', ')}
Customer time:     ${customerMs} ms (--customer-ms), slow scenario +${slowMs} ms (--slow-ms)
Data:              ${dataDir}

Acquirer (settlement reports, platform settings → card statements):
  report URL       ${sim.reportUrl}
  merchant account ${sim.merchantAccount}
  report user      ${sim.reportUser}
  report password  ${sim.reportPassword}
  fees             ${commissionBp} bp of each payment + ${fixedFee} minor units per payment and refund (--commission-bp, --fixed-fee)
  day / time zone  ${sim.acquirer.timeZone} (--acquirer-tz); a batch closes at midnight there or on POST ${sim.controlUrl}/acquirer/close
  reports          GET ${sim.reportUrl}/reports/list/MerchantAccount/${sim.merchantAccount}?date=YYYY-MM-DD
                   GET ${sim.reportUrl}/reports/download/MerchantAccount/${sim.merchantAccount}/settlement_detail_report_batch_<N>.csv
  differences      POST ${sim.controlUrl}/acquirer/difference {"kind": ${DIFFERENCE_KINDS.join('|')}, "ref"?, "amount"?}

${describeRules()}

Ctrl-C to stop.`)
  }
  const stop = (): void => {
    void sim.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})

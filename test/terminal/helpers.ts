import { createCa, startTerminalSim, type Pem, type TerminalSim, type TerminalSimOptions } from '../../src/platform/terminal-sim'
import { AdyenTerminalDriver, type AdyenDriverOptions } from '../../src/main/core/payments/terminal/adyen-driver'

/** One CA per test file: issuing one costs an RSA key pair. */
let sharedCa: Pem | undefined
export function testCa(): Pem {
  sharedCa ??= createCa()
  return sharedCa
}

export function startSim(o: TerminalSimOptions = {}): Promise<TerminalSim> {
  return startTerminalSim({ ca: testCa(), customerMs: 30, slowMs: 1500, ...o })
}

export interface DriverHandle {
  driver: AdyenTerminalDriver
  logs: string[]
}

const drivers: AdyenTerminalDriver[] = []
export type TillSettings = Pick<TerminalSim, 'endpoint' | 'poiId' | 'keyIdentifier' | 'keyVersion' | 'passphrase' | 'caCertPem'>

export function driverFor(sim: TillSettings, o: Partial<AdyenDriverOptions> = {}): DriverHandle {
  const logs: string[] = []
  const driver = new AdyenTerminalDriver({
    endpoint: sim.endpoint,
    poiId: sim.poiId,
    saleId: 'T01',
    keyIdentifier: sim.keyIdentifier,
    keyVersion: sim.keyVersion,
    passphrase: sim.passphrase,
    caCertPem: sim.caCertPem,
    log: (line) => logs.push(line),
    ...o,
  })
  drivers.push(driver)
  return { driver, logs }
}

export function disposeDrivers(): void {
  for (const d of drivers.splice(0)) d.dispose()
}

let n = 0
/** A fresh nexo ServiceID (≤ 10 characters). */
export function sid(): string {
  n++
  return `S${process.pid % 1000}${String(n).padStart(5, '0')}`.slice(0, 10)
}

/** Polls `fn` until it returns a value that `ok` accepts, for at most `ms`. */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000, every = 50): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms; last: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

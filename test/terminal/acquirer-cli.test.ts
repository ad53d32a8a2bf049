import { spawn, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCardStatementAdapter } from '../../src/platform/statements/card'
import type { StatementCall } from '../../src/platform/statements/adapter'
import { tempDir, REPO } from '../helpers/tmp'
import { disposeDrivers, driverFor, sid } from './helpers'

/** `npm run terminal-sim`: prints the acquirer's report settings, keeps the report password in --data, and serves the reports. */

interface Printed {
  endpoint: string
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  caCertPath: string
  controlUrl: string
  reportUrl: string
  merchantAccount: string
  reportUser: string
  reportPassword: string
}

const children: ChildProcess[] = []
afterEach(async () => {
  disposeDrivers()
  for (const c of children.splice(0)) {
    if (c.exitCode === null) {
      const done = new Promise((r) => c.once('exit', r))
      c.kill('SIGTERM')
      await done
    }
  }
})

function start(args: string[]): Promise<Printed> {
  const child = spawn(join(REPO, 'node_modules/.bin/tsx'), [join(REPO, 'src/platform/terminal-sim/cli.ts'), '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`no settings printed within 30 s: ${out} ${err}`)), 30_000)
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) {
        clearTimeout(timer)
        resolve(JSON.parse(line) as Printed)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited ${code}: ${err}`))
    })
  })
}

async function stop(): Promise<void> {
  const c = children.pop()!
  const exited = new Promise((r) => c.once('exit', r))
  c.kill('SIGTERM')
  await exited
}

describe('terminal-sim CLI: the acquirer', () => {
  it('prints the report URL and credentials, keeps them across runs, and serves the day’s report', async () => {
    const data = tempDir('daybook-sim-acq-')
    const host = `127.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(2, 255)}`
    const first = await start(['--host', host, '--data', data, '--customer-ms', '0', '--merchant-account', 'ShopPOS', '--commission-bp', '200', '--fixed-fee', '3', '--acquirer-tz', 'Asia/Shanghai'])
    expect(first).toMatchObject({ merchantAccount: 'ShopPOS', reportUser: 'report@Company.DaybookSim' })
    expect(first.reportUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(first.reportPassword.length).toBeGreaterThanOrEqual(12)
    expect(JSON.parse(readFileSync(join(data, 'terminal.json'), 'utf8'))).toMatchObject({ merchantAccount: 'ShopPOS', reportPassword: first.reportPassword })

    const settings = { endpoint: first.endpoint, poiId: first.poiId, keyIdentifier: first.keyIdentifier, keyVersion: first.keyVersion, passphrase: first.passphrase, caCertPem: readFileSync(first.caCertPath, 'utf8') }
    const out = await driverFor(settings).driver.pay({ serviceId: sid(), transactionId: '01JCLIACQ00000000000000001', amount: 5000, currency: 'CNY', at: new Date() })
    expect(out.kind).toBe('approved')
    const closed = (await (await fetch(`${first.controlUrl}/acquirer/close`, { method: 'POST' })).json()) as { closed: number[] }
    expect(closed.closed).toEqual([1])
    const info = (await (await fetch(`${first.controlUrl}/acquirer`)).json()) as { today: string; timeZone: string }
    expect(info.timeZone).toBe('Asia/Shanghai')

    const adapter = createCardStatementAdapter({ reportUrl: first.reportUrl, username: first.reportUser, password: first.reportPassword, merchantAccount: first.merchantAccount })
    const call = { q: null, now: new Date(), store: { id: 's', name: 'S', currency: 'CNY', timeZone: 'Asia/Shanghai' } } as unknown as StatementCall
    const got = await adapter.fetch(call, info.today)
    expect(got.kind).toBe('file')
    if (got.kind !== 'file') return
    expect(adapter.parse(got.bytes).rows.filter((r) => r.type === 'payment').map((r) => [r.merchantRef, r.gross, r.fee])).toEqual([['01JCLIACQ00000000000000001', 5000, 100 + 3]])
    await stop()

    // The platform configured with the first run's credentials still gets in.
    const second = await start(['--host', host, '--data', data, '--customer-ms', '0'])
    expect(second).toMatchObject({ merchantAccount: 'ShopPOS', reportUser: first.reportUser, reportPassword: first.reportPassword })
  }, 90_000)

  it('refuses a bad fee flag with usage', async () => {
    await expect(start(['--commission-bp', 'lots'])).rejects.toThrow(/--commission-bp must be a whole number/)
  })
})

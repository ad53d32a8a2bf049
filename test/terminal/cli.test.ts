import { spawn, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir, REPO } from '../helpers/tmp'
import { disposeDrivers, driverFor, sid } from './helpers'

/** `npm run terminal-sim`: prints what a till needs, keeps its CA and identity in --data, and takes payments. */

interface Printed {
  endpoint: string
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  caCertPath: string
  controlUrl: string
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

describe('terminal-sim CLI', () => {
  it('prints the till settings, takes an encrypted payment, and keeps CA and identity across runs', async () => {
    const data = tempDir('daybook-sim-cli-')
    const host = `127.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(2, 255)}`
    const first = await start(['--host', host, '--data', data, '--customer-ms', '0', '--poiid', 'P400-987654321', '--key-id', 'ShopKey', '--key-version', '2'])
    expect(first).toMatchObject({ endpoint: `https://${host}`, poiId: 'P400-987654321', keyIdentifier: 'ShopKey', keyVersion: 2, caCertPath: join(data, 'ca-cert.pem') })
    expect(first.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const caCertPem = readFileSync(first.caCertPath, 'utf8')
    const settings = { endpoint: first.endpoint, poiId: first.poiId, keyIdentifier: first.keyIdentifier, keyVersion: first.keyVersion, passphrase: first.passphrase, caCertPem }
    const pay = async (): Promise<string> => {
      const { driver } = driverFor(settings)
      const out = await driver.pay({ serviceId: sid(), transactionId: '01JCLI0000000000000000000A', amount: 990, currency: 'EUR', at: new Date() })
      return out.kind
    }
    expect(await pay()).toBe('approved')
    const c = children.pop()!
    const exited = new Promise((r) => c.once('exit', r))
    c.kill('SIGTERM')
    await exited

    const second = await start(['--host', host, '--data', data, '--customer-ms', '0'])
    expect(second).toMatchObject({ poiId: first.poiId, keyIdentifier: 'ShopKey', keyVersion: 2, passphrase: first.passphrase })
    expect(readFileSync(second.caCertPath, 'utf8')).toBe(caCertPem)
    // The till configured during the first run still pays.
    expect(await pay()).toBe('approved')
  }, 90_000)

  it('refuses a bad flag with usage', async () => {
    await expect(start(['--customer-ms', 'soon'])).rejects.toThrow(/--customer-ms must be a whole number/)
  })
})

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServer, type ServeHandle } from '../../src/main/serve/server'
import type { WireFromCore } from '../../src/shared/bridge'
import { newId } from '../../src/shared/ids'
import { demoCore, openShift, signIn, tempDir } from '../helpers/tmp'

let handle: ServeHandle | undefined
afterEach(async () => {
  await handle?.close()
  handle = undefined
})

async function serve() {
  const renderer = tempDir('renderer-')
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Daybook</title>')
  const env = demoCore()
  handle = await startServer(env.core, renderer, 0)
  const url = new URL(handle.url)
  return { ...env, url, base: `http://${url.host}` }
}

async function cookieFrom(base: string, token: string): Promise<string> {
  const r = await fetch(`${base}/?token=${token}`, { redirect: 'manual' })
  expect(r.status).toBe(302)
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!
}

function open(base: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

function nextMessage(ws: WebSocket, pred: (m: WireFromCore) => boolean): Promise<WireFromCore> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData): void => {
      const m = JSON.parse(data.toString()) as WireFromCore
      if (pred(m)) {
        ws.off('message', on)
        resolve(m)
      }
    }
    ws.on('message', on)
  })
}

describe('npm run serve', () => {
  it('listens on 127.0.0.1 only and prints a URL with a one-time token', async () => {
    const { url } = await serve()
    expect(url.hostname).toBe('127.0.0.1')
    expect(url.searchParams.get('token')).toMatch(/^[\w-]{32}$/)
  })

  it('trades the token for a cookie once; without either, nothing is served', async () => {
    const { base, url } = await serve()
    expect((await fetch(`${base}/`)).status).toBe(401)
    expect((await fetch(`${base}/?token=forged`, { redirect: 'manual' })).status).toBe(403)
    const cookie = await cookieFrom(base, url.searchParams.get('token')!)
    expect((await fetch(`${base}/?token=${url.searchParams.get('token')}`, { redirect: 'manual' })).status).toBe(403)
    const page = await fetch(`${base}/`, { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('Daybook')
    expect((await fetch(`${base}/..%2f..%2fpackage.json`, { headers: { cookie } })).status).toBe(404)
    expect((await fetch(`${base}/`, { method: 'POST', headers: { cookie } })).status).toBe(405)
  })

  it('refuses a WebSocket without the cookie or from another origin', async () => {
    const { base, url } = await serve()
    await expect(open(base, { origin: base })).rejects.toThrow(/403/)
    const cookie = await cookieFrom(base, url.searchParams.get('token')!)
    await expect(open(base, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/)
    const ws = await open(base, { cookie, origin: base })
    ws.close()
  })

  it('carries invokes and pushes change events to every window', async () => {
    const { base, url, core } = await serve()
    const session = signIn(core, 'Li Na', '1111')
    openShift(core, session) // before the windows connect, so its day-changed is not the event awaited below
    const cookie = await cookieFrom(base, url.searchParams.get('token')!)
    const a = await open(base, { cookie, origin: base })
    const b = await open(base, { cookie, origin: base })
    const eventAtB = nextMessage(b, (m) => m.kind === 'event')
    const result = nextMessage(a, (m) => m.kind === 'result' && m.id === 7)
    a.send(JSON.stringify({ kind: 'invoke', id: 7, envelope: { channel: 'sale-complete', session, input: { saleId: newId(), cart: { lines: [{ productId: 'p1002', quantity: '1' }] }, cashTendered: 500 } } }))
    expect(await result).toMatchObject({ kind: 'result', id: 7, result: { ok: true, value: { change: 150 } } })
    expect(await eventAtB).toMatchObject({ kind: 'event', event: 'orders-changed' })
    a.close()
    b.close()
  })

  it('answers garbage with a typed error and closes on a message over 1 MB', async () => {
    const { base, url } = await serve()
    const cookie = await cookieFrom(base, url.searchParams.get('token')!)
    const ws = await open(base, { cookie, origin: base })
    const garbage = nextMessage(ws, (m) => m.kind === 'result')
    ws.send('{not json')
    expect(await garbage).toMatchObject({ kind: 'result', id: -1, result: { ok: false, error: { code: 'invalid_input' } } })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(JSON.stringify({ kind: 'invoke', id: 1, envelope: { channel: 'app-info', input: { pad: 'x'.repeat(1_100_000) } } }))
    expect(await closed).toBe(1009) // message too big
  })
})

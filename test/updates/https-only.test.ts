import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { Core } from '../../src/main/core/service'
import { readSettings } from '../../src/main/core/settings'
import { checkForUpdate, downloadVerified, fetchFeed, type FetchLike } from '../../src/main/core/updates/download'
import { UpdateError } from '../../src/main/core/updates/errors'
import { fileUrl } from '../../src/main/core/updates/feed'
import { DEFAULT_UPDATE_SETTINGS, isLoopbackHost, UpdateSettingsSchema } from '../../src/shared/updates-contract'
import { demoCore, signIn, tempDir } from '../helpers/tmp'
import { sha512Base64, winFeed } from './server'

/**
 * Over plain http the feed and the installer come from whoever answers, so the feed's SHA-512
 * proves nothing: an update address must be https, except to this computer (for testing).
 */

const INSTALLER = randomBytes(10_000)
const cores: Core[] = []
const servers: Server[] = []
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

async function refusal(p: Promise<unknown>): Promise<UpdateError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(UpdateError)
    return e as UpdateError
  }
  throw new Error('expected an UpdateError')
}

/** A fetch that records what it was asked and answers from a map (no network). */
function fakeFetch(answers: Record<string, { body: string | Buffer; url?: string }>) {
  const asked: string[] = []
  const f: FetchLike = (url) => {
    const href = String(url)
    asked.push(href)
    const a = answers[href]
    const res = a ? new Response(a.body) : new Response('not found', { status: 404 })
    if (a?.url) Object.defineProperty(res, 'url', { value: a.url })
    return Promise.resolve(res)
  }
  return { fetch: f, asked }
}

const settings = (serverUrl: string | null) => ({ serverUrl, installAt: null, windowMinutes: 60 })

describe('the update server address must be https (http only to this computer)', () => {
  it('the settings schema refuses http to another host, with a message that says https', () => {
    for (const url of ['http://192.168.1.20:4320/v1/updates/stable', 'http://platform.example.com/v1/updates/stable', 'http://10.0.0.1/', 'http://[::ffff:192.168.1.1]/']) {
      const r = UpdateSettingsSchema.safeParse(settings(url))
      expect(r.success, url).toBe(false)
      expect(r.error?.issues[0]?.path).toEqual(['serverUrl'])
      expect(r.error?.issues[0]?.message).toMatch(/must be an https:\/\/ address/)
    }
    for (const url of [
      'https://updates.example.com/daybook/stable',
      'https://192.168.1.20:4320/v1/updates/stable',
      'http://localhost:4320/v1/updates/stable',
      'http://127.0.0.1:4320/v1/updates/stable',
      'http://127.8.9.10/updates',
      'http://[::1]:4320/v1/updates/stable',
    ]) {
      expect(UpdateSettingsSchema.safeParse(settings(url)).success, url).toBe(true)
    }
    // not an address at all, or credentials / a query: the old message
    expect(UpdateSettingsSchema.safeParse(settings('ftp://x/')).error?.issues[0]?.message).toMatch(/an update server address like https:/)
    expect(UpdateSettingsSchema.safeParse(settings('https://u:p@x/')).success).toBe(false)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
    expect(isLoopbackHost(new URL('http://127.1/').hostname)).toBe(true)
  })

  it('the owner saving an http address for another host is refused with that message; nothing saved', () => {
    const t = demoCore()
    cores.push(t.core)
    const owner = signIn(t.core, 'Wang Fang', '9999')
    const r = t.core.handle({ channel: 'update-settings-save', input: settings('http://192.168.1.20:4320/v1/updates/stable'), session: owner })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    if (r.ok) return
    expect(JSON.stringify(r.error.details)).toMatch(/must be an https:\/\/ address/)
    expect(readSettings(t.core.db).updates).toEqual(DEFAULT_UPDATE_SETTINGS)
    expect(t.core.handle({ channel: 'update-settings-save', input: settings('https://192.168.1.20/v1/updates/stable'), session: owner }).ok).toBe(true)
  })

  it('the install window is 30 minutes to 6 hours, as Settings → Updates and the README say', () => {
    for (const m of [30, 60, 120, 180, 360]) expect(UpdateSettingsSchema.safeParse({ ...settings(null), windowMinutes: m }).success, String(m)).toBe(true)
    for (const m of [15, 29, 361]) expect(UpdateSettingsSchema.safeParse({ ...settings(null), windowMinutes: m }).success, String(m)).toBe(false)
  })

  it('at download time an http feed for another host is refused before anything is fetched', async () => {
    const { fetch, asked } = fakeFetch({})
    for (const server of ['http://updates.example.com/daybook/stable', 'http://192.168.1.20:4320/v1/updates/stable']) {
      const e = await refusal(fetchFeed(server, { platform: 'win32', fetch }))
      expect(e.reason).toBe('insecure_url')
      expect(e.message).toMatch(/https/)
      expect((await refusal(checkForUpdate(server, '0.1.0', { platform: 'win32', arch: 'x64', fetch }))).reason).toBe('insecure_url')
    }
    expect(asked).toEqual([])
  })

  it('an https feed naming an http file on another host is refused at the check and the download; nothing fetched or kept', async () => {
    const server = 'https://updates.example.com/daybook/stable'
    const feed = winFeed('0.2.0', 'http://mirror.example.net/Daybook-Setup-0.2.0.exe', INSTALLER)
    const { fetch, asked } = fakeFetch({ [`${server}/latest.yml`]: { body: feed }, 'http://mirror.example.net/Daybook-Setup-0.2.0.exe': { body: INSTALLER } })
    expect((await refusal(checkForUpdate(server, '0.1.0', { platform: 'win32', arch: 'x64', fetch }))).reason).toBe('insecure_url')
    const parsed = await fetchFeed(server, { platform: 'win32', fetch })
    const dir = tempDir()
    expect((await refusal(downloadVerified(server, parsed.files[0]!, dir, { fetch }))).reason).toBe('insecure_url')
    expect(asked).toEqual([`${server}/latest.yml`, `${server}/latest.yml`])
    expect(readdirSync(dir)).toEqual([])
    expect(() => fileUrl(server, parsed.files[0]!)).toThrow(/https/)
    // relative names beside an https feed, and http to this computer, are fine
    const plain = { ...parsed.files[0]!, url: 'Daybook-Setup-0.2.0.exe' }
    expect(fileUrl(server, plain).href).toBe(`${server}/Daybook-Setup-0.2.0.exe`)
    expect(fileUrl('http://127.0.0.1:4320/v1/updates/stable', { ...plain, url: 'http://localhost:4320/x/Daybook-Setup-0.2.0.exe' }).host).toBe('localhost:4320')
  })

  it('a redirect from https to http is refused (feed and file)', async () => {
    const server = 'https://updates.example.com/daybook/stable'
    const feed = winFeed('0.2.0', 'Daybook-Setup-0.2.0.exe', INSTALLER)
    const { fetch } = fakeFetch({
      [`${server}/latest.yml`]: { body: feed, url: 'http://evil.example/latest.yml' },
    })
    expect((await refusal(fetchFeed(server, { platform: 'win32', fetch }))).reason).toBe('insecure_url')
    const file = { url: 'Daybook-Setup-0.2.0.exe', sha512: sha512Base64(INSTALLER), size: INSTALLER.length }
    const f2 = fakeFetch({ [`${server}/Daybook-Setup-0.2.0.exe`]: { body: INSTALLER, url: 'http://evil.example/Daybook-Setup-0.2.0.exe' } })
    const dir = tempDir()
    expect((await refusal(downloadVerified(server, file, dir, { fetch: f2.fetch }))).reason).toBe('insecure_url')
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('the feed is read up to its size limit, with or without a content-length', () => {
  it('a feed that never ends (chunked, no length) is cut off at 256 KiB, not read until the timeout', async () => {
    let written = 0
    let closed = false
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/yaml' }) // no content-length: chunked
      const line = Buffer.from(`# ${'x'.repeat(1021)}\n`)
      const more = (): void => {
        if (closed) return
        while (res.write(line)) written += line.length
        written += line.length
        res.once('drain', more)
      }
      res.on('close', () => (closed = true))
      more()
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/updates/stable`
    const started = Date.now()
    const e = await refusal(fetchFeed(url, { platform: 'win32', timeoutMs: 20_000 }))
    expect(e.reason).toBe('feed_malformed')
    expect(e.message).toMatch(/too large to be a feed/)
    expect(Date.now() - started).toBeLessThan(10_000)
    // the connection was dropped: the server stopped well short of what an unbounded read would take
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(closed).toBe(true)
    expect(written).toBeLessThan(64 * 1024 * 1024)
  }, 30_000)
})

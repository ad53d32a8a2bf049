import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadVerified, fetchFeed } from '../../src/main/core/updates/download'
import { decide } from '../../src/main/core/updates/feed'
import { startPlatform, type RunningPlatform } from '../../src/platform/app'
import { tempDir } from '../helpers/tmp'
import { winFeed } from './server'

const INSTALLER = randomBytes(200_000)
let platform: RunningPlatform
let root: string
let pgdata: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'daybook-updates-dir-'))
  pgdata = mkdtempSync(join(tmpdir(), 'daybook-updates-pg-'))
  mkdirSync(join(root, 'stable'))
  writeFileSync(join(root, 'stable', 'latest.yml'), winFeed('0.2.0', 'Daybook-Setup-0.2.0.exe', INSTALLER))
  writeFileSync(join(root, 'stable', 'Daybook-Setup-0.2.0.exe'), INSTALLER)
  writeFileSync(join(root, 'secret.txt'), 'not for tills')
  writeFileSync(join(tmpdir(), `daybook-outside-${process.pid}.txt`), 'outside')
  try {
    symlinkSync(join(tmpdir(), `daybook-outside-${process.pid}.txt`), join(root, 'stable', 'escape.yml'))
  } catch {
    // Windows without developer mode may not make symlinks: that case is then not tried
  }
  platform = await startPlatform({ database: { kind: 'pglite', dataDir: pgdata }, adminToken: randomBytes(24).toString('base64url'), port: 0, updatesDir: root })
}, 120_000)

afterAll(async () => {
  await platform?.close()
  rmSync(root, { recursive: true, force: true })
  rmSync(pgdata, { recursive: true, force: true })
  rmSync(join(tmpdir(), `daybook-outside-${process.pid}.txt`), { force: true })
})

describe('the platform serves update feeds and installers (--updates-dir)', () => {
  it('serves the feed and the installer; the till downloads and verifies through it', async () => {
    const server = `${platform.url}/v1/updates/stable`
    const res = await fetch(`${server}/latest.yml`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/yaml/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    const feed = await fetchFeed(server, { platform: 'win32' })
    const d = decide(feed, '0.1.0', { platform: 'win32', arch: 'x64' })
    expect(d.action).toBe('update')
    if (d.action !== 'update') return
    const file = await downloadVerified(server, d.file, tempDir())
    expect(file).toMatch(/Daybook-Setup-0\.2\.0\.exe$/)
  })

  it('answers a byte range (differential downloads)', async () => {
    const res = await fetch(`${platform.url}/v1/updates/stable/Daybook-Setup-0.2.0.exe`, { headers: { range: 'bytes=100-199' } })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${INSTALLER.length}`)
    expect(Buffer.from(await res.arrayBuffer()).equals(INSTALLER.subarray(100, 200))).toBe(true)
    expect((await fetch(`${platform.url}/v1/updates/stable/Daybook-Setup-0.2.0.exe`, { headers: { range: `bytes=${INSTALLER.length}-` } })).status).toBe(416)
  })

  it('404 for a file or channel that is not there', async () => {
    for (const path of ['/v1/updates/stable/latest-mac.yml', '/v1/updates/beta/latest.yml']) {
      const res = await fetch(`${platform.url}${path}`)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
    }
  })

  it('refuses path traversal, encoded or not, and symlinks out of the folder', async () => {
    for (const path of [
      '/v1/updates/stable/..%2Fsecret.txt',
      '/v1/updates/stable/%2e%2e%2fsecret.txt',
      '/v1/updates/..%2F/secret.txt',
      '/v1/updates/%2e%2e/secret.txt',
      '/v1/updates/stable/..%5Csecret.txt',
      '/v1/updates/stable/escape.yml',
      '/v1/updates/stable/.%2e',
    ]) {
      const res = await fetch(`${platform.url}${path}`)
      const body = await res.text()
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status)
      expect(body).not.toContain('not for tills')
      expect(body).not.toContain('outside')
    }
  })
})

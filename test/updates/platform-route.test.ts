import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { DataSplitter } from 'electron-updater/out/differentialDownloader/DataSplitter'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadVerified, fetchFeed } from '../../src/main/core/updates/download'
import { decide } from '../../src/main/core/updates/feed'
import { startPlatform, type RunningPlatform } from '../../src/platform/app'
import { byteRanges } from '../../src/platform/updates/routes'
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

  it('answers several ranges at once (electron-updater\'s differential download) as multipart/byteranges it can read', async () => {
    const file = `${platform.url}/v1/updates/stable/Daybook-Setup-0.2.0.exe`
    for (const header of ['bytes=0-9, 20-29', 'bytes=0-9,20-29']) {
      const res = await fetch(file, { headers: { range: header } })
      expect(res.status, header).toBe(206)
      const type = res.headers.get('content-type') ?? ''
      const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1]
      expect(boundary, type).toBeTruthy()
      const body = Buffer.from(await res.arrayBuffer())
      expect(Number(res.headers.get('content-length'))).toBe(body.length)
      const parts = body.toString('latin1').split(`--${boundary}`)
      expect(parts[0]).toBe('')
      expect(parts[parts.length - 1]).toBe('--\r\n')
      const ranges = parts.slice(1, -1).map((p) => {
        const [head, data] = [p.slice(0, p.indexOf('\r\n\r\n')), p.slice(p.indexOf('\r\n\r\n') + 4, -2)]
        return { range: /Content-Range: (.+)/.exec(head)?.[1], data: Buffer.from(data, 'latin1') }
      })
      expect(ranges.map((r) => r.range)).toEqual([`bytes 0-9/${INSTALLER.length}`, `bytes 20-29/${INSTALLER.length}`])
      expect(ranges[0]!.data.equals(INSTALLER.subarray(0, 10))).toBe(true)
      expect(ranges[1]!.data.equals(INSTALLER.subarray(20, 30))).toBe(true)
    }

    // what electron-updater itself does with it: its DataSplitter puts each part where it belongs
    const asked = [
      { start: 0, end: 1000 },
      { start: 5000, end: 70_000 },
      { start: 150_000, end: INSTALLER.length },
    ]
    const res = await fetch(file, { headers: { range: `bytes=${asked.map((r) => `${r.start}-${r.end - 1}`).join(', ')}` } })
    expect(res.status).toBe(206)
    const boundary = /boundary=(\S+)$/.exec(res.headers.get('content-type') ?? '')![1]!
    const out: Buffer[] = []
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (out.push(Buffer.from(chunk)), done()) })
    const tasks = asked.map((r) => ({ kind: 1 /* OperationKind.DOWNLOAD */, start: r.start, end: r.end }))
    const finished = new Promise<void>((resolve, reject) => {
      const splitter = new DataSplitter(
        sink,
        { tasks, start: 0, end: tasks.length, oldFileFd: -1 },
        new Map(tasks.map((_t, i) => [i, i])),
        boundary,
        tasks.map((t) => t.end - t.start),
        resolve,
        tasks.reduce((n, t) => n + t.end - t.start, 0),
      )
      splitter.on('error', reject)
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream).pipe(splitter)
    })
    await finished
    expect(Buffer.concat(out).equals(Buffer.concat(asked.map((r) => INSTALLER.subarray(r.start, r.end))))).toBe(true)
  })

  it('several ranges: those outside the file are skipped; none inside is 416; a header it cannot read, or overlapping parts, get the whole file', async () => {
    const file = `${platform.url}/v1/updates/stable/Daybook-Setup-0.2.0.exe`
    const n = INSTALLER.length
    const partial = await fetch(file, { headers: { range: `bytes=0-9, ${n + 10}-${n + 20}` } })
    expect(partial.status).toBe(206)
    expect(partial.headers.get('content-type')).toMatch(/^multipart\/byteranges/)
    expect(await partial.text()).toContain(`Content-Range: bytes 0-9/${n}`)
    expect((await fetch(file, { headers: { range: `bytes=${n}-, ${n + 5}-${n + 9}` } })).status).toBe(416)
    for (const header of ['bytes=0-, 0-', 'bytes=9-5', 'bytes=a-b', 'lines=1-2']) {
      const whole = await fetch(file, { headers: { range: header } })
      expect(whole.status, header).toBe(200)
      expect(Buffer.from(await whole.arrayBuffer()).equals(INSTALLER)).toBe(true)
    }
    expect(byteRanges('bytes=0-9, 20-29', 100)).toEqual([{ start: 0, end: 9 }, { start: 20, end: 29 }])
    expect(byteRanges('bytes=-10', 100)).toEqual([{ start: 90, end: 99 }])
    expect(byteRanges(`bytes=${Array.from({ length: 1001 }, (_v, i) => `${i}-${i}`).join(',')}`, 10_000)).toBeNull()
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

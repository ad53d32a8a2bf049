import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkForUpdate, downloadVerified, fetchFeed, verifyFile } from '../../src/main/core/updates/download'
import { UpdateError } from '../../src/main/core/updates/errors'
import { parseFeed } from '../../src/main/core/updates/feed'
import { tempDir } from '../helpers/tmp'
import { sha512Base64, startUpdateServer, winFeed, type UpdateServer } from './server'

const INSTALLER = randomBytes(300_000)
let server: UpdateServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

async function serve(version: string, o: { body?: Buffer; sha512?: string; size?: number } = {}): Promise<UpdateServer> {
  const file = `Daybook-Setup-${version}.exe`
  server = await startUpdateServer({
    '/updates/stable/latest.yml': winFeed(version, file, INSTALLER, o),
    [`/updates/stable/${file}`]: o.body ?? INSTALLER,
  })
  return server
}

async function refusal(p: Promise<unknown>): Promise<UpdateError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(UpdateError)
    return e as UpdateError
  }
  throw new Error('expected an UpdateError')
}

describe('downloading an update from a local update server', () => {
  it('a good update: the feed says newer, the file downloads, its size and SHA-512 match', async () => {
    const s = await serve('0.2.0')
    const { decision } = await checkForUpdate(s.url, '0.1.0', { platform: 'win32', arch: 'x64' })
    expect(decision.action).toBe('update')
    if (decision.action !== 'update') return
    const dir = tempDir()
    const file = await downloadVerified(s.url, decision.file, dir)
    expect(file).toBe(join(dir, 'Daybook-Setup-0.2.0.exe'))
    expect(readFileSync(file).equals(INSTALLER)).toBe(true)
    expect(readdirSync(dir)).toEqual(['Daybook-Setup-0.2.0.exe'])
    await verifyFile(file, decision.file)
    expect(s.requests).toEqual(['/updates/stable/latest.yml', '/updates/stable/Daybook-Setup-0.2.0.exe'])
  })

  it('a bad checksum is refused with a typed error and nothing is kept', async () => {
    const tampered = Buffer.from(INSTALLER)
    tampered[1000] = (tampered[1000]! + 1) % 256
    const s = await serve('0.2.0', { body: tampered })
    const feed = await fetchFeed(s.url, { platform: 'win32' })
    const dir = tempDir()
    const e = await refusal(downloadVerified(s.url, feed.files[0]!, dir))
    expect(e.reason).toBe('checksum_mismatch')
    expect(e.code).toBe('conflict')
    expect((e.details as { expected: string; actual: string }).actual).toBe(sha512Base64(tampered))
    expect(readdirSync(dir)).toEqual([])
  })

  it('a file shorter than the feed says is refused (size), nothing kept', async () => {
    const s = await serve('0.2.0', { body: INSTALLER.subarray(0, 1000) })
    const feed = await fetchFeed(s.url, { platform: 'win32' })
    const dir = tempDir()
    const e = await refusal(downloadVerified(s.url, feed.files[0]!, dir))
    expect(e.reason).toBe('size_mismatch')
    expect(e.details).toMatchObject({ expected: INSTALLER.length, actual: 1000 })
    expect(readdirSync(dir)).toEqual([])
  })

  it('a file longer than the feed says is cut off and refused (size), nothing kept', async () => {
    const s = await serve('0.2.0', { body: Buffer.concat([INSTALLER, Buffer.alloc(70_000)]) })
    const feed = await fetchFeed(s.url, { platform: 'win32' })
    const dir = tempDir()
    const e = await refusal(downloadVerified(s.url, feed.files[0]!, dir))
    expect(e.reason).toBe('size_mismatch')
    expect(readdirSync(dir)).toEqual([])
  })

  it('a file on disk that is not the feed\'s is refused by verifyFile', async () => {
    const s = await serve('0.2.0')
    const feed = await fetchFeed(s.url, { platform: 'win32' })
    const dir = tempDir()
    const file = await downloadVerified(s.url, feed.files[0]!, dir)
    await expect(verifyFile(file, { ...feed.files[0]!, size: 5 })).rejects.toMatchObject({ reason: 'size_mismatch' })
    await expect(verifyFile(file, { ...feed.files[0]!, sha512: sha512Base64(Buffer.from('other')) })).rejects.toMatchObject({ reason: 'checksum_mismatch' })
  })

  it('a feed for the same or an older version is ignored: nothing is downloaded', async () => {
    for (const version of ['0.1.0', '0.0.9']) {
      const s = await serve(version)
      const { decision } = await checkForUpdate(s.url, '0.1.0', { platform: 'win32', arch: 'x64' })
      expect(decision).toMatchObject({ action: 'ignore', reason: 'not_newer', version })
      expect(s.requests).toEqual(['/updates/stable/latest.yml'])
      await s.close()
      server = null
    }
  })

  it('a malformed feed is refused with a typed error', async () => {
    server = await startUpdateServer({ '/updates/stable/latest.yml': 'version: 0.2.0\nfiles: nope\n' })
    const e = await refusal(fetchFeed(server.url, { platform: 'win32' }))
    expect(e.reason).toBe('feed_malformed')
    expect(e.message).toMatch(/files/)
  })

  it('a server without a feed, or not answering, is feed_unreachable', async () => {
    server = await startUpdateServer({})
    expect((await refusal(fetchFeed(server.url, { platform: 'darwin' }))).reason).toBe('feed_unreachable')
    expect(server.requests).toEqual(['/updates/stable/latest-mac.yml'])
    const url = server.url
    await server.close()
    server = null
    expect((await refusal(fetchFeed(url, { platform: 'win32', timeoutMs: 5_000 }))).reason).toBe('feed_unreachable')
  })

  it('parses what the server sent, byte for byte the feed written', async () => {
    const s = await serve('1.2.3')
    expect(await fetchFeed(s.url, { platform: 'win32' })).toEqual(parseFeed(winFeed('1.2.3', 'Daybook-Setup-1.2.3.exe', INSTALLER)))
    expect(existsSync(tempDir())).toBe(true)
  })
})

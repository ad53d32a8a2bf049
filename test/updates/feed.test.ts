import { describe, expect, it } from 'vitest'
import { UpdateError } from '../../src/main/core/updates/errors'
import { decide, feedFileName, fileUrl, parseFeed, pickFile } from '../../src/main/core/updates/feed'
import { sha512Base64, winFeed } from './server'

const DATA = Buffer.from('installer bytes')
const SHA = sha512Base64(DATA)

function refusal(f: () => unknown): UpdateError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(UpdateError)
    return e as UpdateError
  }
  throw new Error('expected an UpdateError')
}

describe('the update feed (electron-builder generic provider)', () => {
  it('parses a Windows feed as electron-builder writes it', () => {
    const feed = parseFeed(winFeed('0.2.0', 'Daybook-Setup-0.2.0.exe', DATA))
    expect(feed.version).toBe('0.2.0')
    expect(feed.files).toEqual([{ url: 'Daybook-Setup-0.2.0.exe', sha512: SHA, size: DATA.length }])
    expect(feed.path).toBe('Daybook-Setup-0.2.0.exe')
    // YAML 1.2: the quoted date stays a string
    expect(feed.releaseDate).toBe('2026-12-06T10:00:00.000Z')
  })

  it('parses a macOS feed with both architectures and picks the zip for each', () => {
    const text = `version: 0.2.0
files:
  - url: Daybook-0.2.0-arm64-mac.zip
    sha512: ${SHA}
    size: 10
  - url: Daybook-0.2.0-arm64.dmg
    sha512: ${SHA}
    size: 11
  - url: Daybook-0.2.0-mac.zip
    sha512: ${SHA}
    size: 12
  - url: Daybook-0.2.0.dmg
    sha512: ${SHA}
    size: 13
path: Daybook-0.2.0-arm64-mac.zip
sha512: ${SHA}
releaseDate: '2026-12-06T10:00:00.000Z'
`
    const feed = parseFeed(text)
    expect(pickFile(feed, 'darwin', 'arm64').url).toBe('Daybook-0.2.0-arm64-mac.zip')
    expect(pickFile(feed, 'darwin', 'x64').url).toBe('Daybook-0.2.0-mac.zip')
    expect(refusal(() => pickFile(feed, 'win32', 'x64')).reason).toBe('no_file_for_platform')
  })

  it('names the feed file per platform', () => {
    expect(feedFileName('win32')).toBe('latest.yml')
    expect(feedFileName('darwin')).toBe('latest-mac.yml')
    expect(feedFileName('darwin', 'beta')).toBe('beta-mac.yml')
  })

  it.each([
    ['not YAML at all', 'version: [1.0\n  files: {'],
    ['not a mapping', '- 1\n- 2\n'],
    ['no version', `files:\n  - url: a.exe\n    sha512: ${SHA}\n    size: 3\n`],
    ['a version that is not semver', winFeed('1.0', 'a.exe', DATA)],
    ['no files', 'version: 1.0.0\nfiles: []\n'],
    ['a sha512 that is hex, not base64', winFeed('1.0.0', 'a.exe', DATA, { sha512: 'ab'.repeat(64) })],
    ['a negative size', winFeed('1.0.0', 'a.exe', DATA, { size: -1 })],
    ['a file url that climbs out', winFeed('1.0.0', '../../etc/passwd', DATA)],
    ['an encoded climb', winFeed('1.0.0', '%2e%2e/secret.exe', DATA)],
    ['duplicate keys', `version: 1.0.0\nversion: 2.0.0\nfiles:\n  - url: a.exe\n    sha512: ${SHA}\n    size: 3\n`],
  ])('refuses a malformed feed with a typed error: %s', (_label, text) => {
    const e = refusal(() => parseFeed(text))
    expect(e.reason).toBe('feed_malformed')
    expect(e.code).toBe('invalid_input')
  })

  it('never downgrades: an older or equal version is ignored, a newer one is taken', () => {
    const feed = (v: string) => parseFeed(winFeed(v, `Daybook-Setup-${v}.exe`, DATA))
    expect(decide(feed('0.1.0'), '0.1.0', { platform: 'win32', arch: 'x64' })).toEqual({ action: 'ignore', reason: 'not_newer', version: '0.1.0' })
    expect(decide(feed('0.0.9'), '0.1.0', { platform: 'win32', arch: 'x64' })).toMatchObject({ action: 'ignore', reason: 'not_newer' })
    expect(decide(feed('0.1.0-beta.1'), '0.1.0', { platform: 'win32', arch: 'x64' })).toMatchObject({ action: 'ignore', reason: 'not_newer' })
    expect(decide(feed('0.2.0-beta.1'), '0.1.0', { platform: 'win32', arch: 'x64' })).toMatchObject({ action: 'ignore', reason: 'prerelease' })
    expect(decide(feed('0.10.0'), '0.9.0', { platform: 'win32', arch: 'x64' })).toMatchObject({ action: 'update', version: '0.10.0', file: { url: 'Daybook-Setup-0.10.0.exe' } })
  })

  it('resolves file urls beside the feed, and only over http(s)', () => {
    const f = parseFeed(winFeed('1.0.0', 'Daybook Setup 1.0.0.exe', DATA)).files[0]!
    expect(fileUrl('http://127.0.0.1:9/v1/updates/stable', f).href).toBe('http://127.0.0.1:9/v1/updates/stable/Daybook%20Setup%201.0.0.exe')
    const ftp = parseFeed(winFeed('1.0.0', 'ftp://example.com/a.exe', DATA)).files[0]!
    expect(refusal(() => fileUrl('http://127.0.0.1:9/x', ftp)).reason).toBe('feed_malformed')
  })
})

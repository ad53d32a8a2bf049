import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { UpdateError } from './errors'
import { decide, feedFileName, fileUrl, parseFeed, requireSecureUrl, type FeedDecision, type FeedFile, type UpdateFeed } from './feed'

/** A feed is a few hundred bytes; anything near this is not one. */
const MAX_FEED_BYTES = 256 * 1024

export type FetchLike = (url: string | URL, init?: { signal?: AbortSignal }) => Promise<Response>

export interface FetchOptions {
  fetch?: FetchLike
  /** Bounds the whole request (feed) or the wait for each chunk (file). Default 30 s. */
  timeoutMs?: number
}

/**
 * Reads a response body of at most `max` bytes, whether or not it says how long it is: the
 * stream is cancelled as soon as it grows past that.
 */
async function readCapped(res: Response, max: number, url: URL): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  const tooLarge = (bytes: number, exact: boolean): UpdateError =>
    new UpdateError('feed_malformed', `The update feed is ${exact ? '' : 'more than '}${bytes} bytes: too large to be a feed.`, { url: url.href, bytes })
  if (declared > max) {
    await res.body?.cancel().catch(() => {})
    throw tooLarge(declared, true)
  }
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let bytes = 0
  // Leaving the loop (the throw) cancels the stream: nothing more is read from the server.
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength
    if (bytes > max) throw tooLarge(max, false)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A redirect may not leave https (fetch follows it): the address that answered must be as secure as the one asked. */
function answeredSecurely(res: Response, what: string): void {
  if (res.url) requireSecureUrl(new URL(res.url), what)
}

/**
 * Fetches and parses the feed for this platform from an update server. The address must be
 * https (plain http only to this computer): requireSecureUrl.
 */
export async function fetchFeed(serverUrl: string, o: FetchOptions & { platform?: NodeJS.Platform; channel?: string } = {}): Promise<UpdateFeed> {
  const url = requireSecureUrl(new URL(feedFileName(o.platform, o.channel), serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`), 'the update feed')
  let text: string
  try {
    const res = await (o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) })
    answeredSecurely(res, 'the update feed (after a redirect)')
    if (!res.ok) {
      await res.body?.cancel().catch(() => {})
      throw new UpdateError('feed_unreachable', `The update server answered ${res.status} for ${url.pathname}.`, { url: url.href, status: res.status })
    }
    text = await readCapped(res, MAX_FEED_BYTES, url)
  } catch (e) {
    if (e instanceof UpdateError) throw e
    throw new UpdateError('feed_unreachable', `The update server cannot be reached (${(e as Error).message}).`, { url: url.href })
  }
  return parseFeed(text)
}

/**
 * Fetches the feed and decides: an update to download, or nothing (same, older, prerelease). The
 * file to download must be https too (an absolute http address in the feed is refused here,
 * before electron-updater is asked to fetch it).
 */
export async function checkForUpdate(serverUrl: string, currentVersion: string, o: FetchOptions & { platform?: NodeJS.Platform; arch?: string } = {}): Promise<{ feed: UpdateFeed; decision: FeedDecision }> {
  const feed = await fetchFeed(serverUrl, o)
  const decision = decide(feed, currentVersion, { ...(o.platform ? { platform: o.platform } : {}), ...(o.arch ? { arch: o.arch } : {}) })
  if (decision.action === 'update') fileUrl(serverUrl, decision.file)
  return { feed, decision }
}

/**
 * Downloads one feed file into `destDir` and keeps it only if its size and SHA-512 are the feed's
 * (over https, or http to this computer only: fileUrl refuses anything else before a byte is fetched):
 * it is written to a temporary name while hashed, cut off as soon as it grows past the size the
 * feed gives, and renamed into place only after both match. On any failure nothing is left behind.
 */
export async function downloadVerified(serverUrl: string, file: FeedFile, destDir: string, o: FetchOptions = {}): Promise<string> {
  const url = fileUrl(serverUrl, file)
  await mkdir(destDir, { recursive: true })
  const final = join(destDir, basename(url.pathname) || 'update.bin')
  const temp = `${final}.${randomBytes(6).toString('hex')}.part`
  const controller = new AbortController()
  const idle = o.timeoutMs ?? 30_000
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idle} ms`)), idle)
  const hash = createHash('sha512')
  let bytes = 0
  const out = await open(temp, 'w')
  try {
    let res: Response
    try {
      res = await (o.fetch ?? fetch)(url, { signal: controller.signal })
    } catch (e) {
      throw new UpdateError('download_failed', `The update could not be downloaded (${(e as Error).message}).`, { url: url.href })
    }
    answeredSecurely(res, 'the update file (after a redirect)')
    if (!res.ok || !res.body) throw new UpdateError('download_failed', `The update server answered ${res.status} for ${url.pathname}.`, { url: url.href, status: res.status })
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer)
        timer = setTimeout(() => controller.abort(new Error(`no data for ${idle} ms`)), idle)
        bytes += chunk.byteLength
        if (bytes > file.size) {
          controller.abort()
          throw new UpdateError('size_mismatch', `The update file is larger than the feed says (${file.size} bytes); refused.`, { expected: file.size, atLeast: bytes })
        }
        hash.update(chunk)
        await out.write(chunk)
      }
    } catch (e) {
      if (e instanceof UpdateError) throw e
      throw new UpdateError('download_failed', `The download of the update broke off (${(e as Error).message}).`, { url: url.href, bytes })
    }
    if (bytes !== file.size) throw new UpdateError('size_mismatch', `The update file has ${bytes} bytes, the feed says ${file.size}; refused.`, { expected: file.size, actual: bytes })
    const sha512 = hash.digest('base64')
    if (sha512 !== file.sha512) throw new UpdateError('checksum_mismatch', 'The update file does not match its SHA-512 in the feed; refused.', { expected: file.sha512, actual: sha512 })
    await out.sync()
    await out.close()
    await rename(temp, final)
    return final
  } catch (e) {
    await out.close().catch(() => {})
    await rm(temp, { force: true })
    throw e
  } finally {
    clearTimeout(timer)
  }
}

/** Checks a file already on disk (electron-updater's download, say) against a feed entry. */
export async function verifyFile(path: string, expected: { sha512: string; size: number }): Promise<void> {
  const { size } = await stat(path)
  if (size !== expected.size) throw new UpdateError('size_mismatch', `${basename(path)} has ${size} bytes, the feed says ${expected.size}; refused.`, { expected: expected.size, actual: size })
  const hash = createHash('sha512')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  const actual = hash.digest('base64')
  if (actual !== expected.sha512) throw new UpdateError('checksum_mismatch', `${basename(path)} does not match its SHA-512 in the feed; refused.`, { expected: expected.sha512, actual })
}

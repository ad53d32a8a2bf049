import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { UpdateError } from './errors'
import { decide, feedFileName, fileUrl, parseFeed, type FeedDecision, type FeedFile, type UpdateFeed } from './feed'

/** A feed is a few hundred bytes; anything near this is not one. */
const MAX_FEED_BYTES = 256 * 1024

export type FetchLike = (url: string | URL, init?: { signal?: AbortSignal }) => Promise<Response>

export interface FetchOptions {
  fetch?: FetchLike
  /** Bounds the whole request (feed) or the wait for each chunk (file). Default 30 s. */
  timeoutMs?: number
}

/** Fetches and parses the feed for this platform from an update server. */
export async function fetchFeed(serverUrl: string, o: FetchOptions & { platform?: NodeJS.Platform; channel?: string } = {}): Promise<UpdateFeed> {
  const url = new URL(feedFileName(o.platform, o.channel), serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`)
  let res: Response
  let text: string
  try {
    res = await (o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) })
    const declared = Number(res.headers.get('content-length') ?? 0)
    if (declared > MAX_FEED_BYTES) throw new UpdateError('feed_malformed', `The update feed is ${declared} bytes: too large to be a feed.`, { url: url.href })
    text = await res.text()
  } catch (e) {
    if (e instanceof UpdateError) throw e
    throw new UpdateError('feed_unreachable', `The update server cannot be reached (${(e as Error).message}).`, { url: url.href })
  }
  if (!res.ok) throw new UpdateError('feed_unreachable', `The update server answered ${res.status} for ${url.pathname}.`, { url: url.href, status: res.status })
  return parseFeed(text)
}

/** Fetches the feed and decides: an update to download, or nothing (same, older, prerelease). */
export async function checkForUpdate(serverUrl: string, currentVersion: string, o: FetchOptions & { platform?: NodeJS.Platform; arch?: string } = {}): Promise<{ feed: UpdateFeed; decision: FeedDecision }> {
  const feed = await fetchFeed(serverUrl, o)
  return { feed, decision: decide(feed, currentVersion, { ...(o.platform ? { platform: o.platform } : {}), ...(o.arch ? { arch: o.arch } : {}) }) }
}

/**
 * Downloads one feed file into `destDir` and keeps it only if its size and SHA-512 are the feed's:
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

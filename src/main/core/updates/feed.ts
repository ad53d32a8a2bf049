import semver from 'semver'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { isSecureUpdateUrl, UPDATE_URL_NOT_HTTPS } from '../../../shared/updates-contract'
import { UpdateError } from './errors'

/**
 * electron-builder's generic-provider feed: `latest.yml` (Windows) or `latest-mac.yml` (macOS),
 * written next to the installers by `npm run dist`:
 *
 *   version: 0.2.0
 *   files:
 *     - url: Daybook-Setup-0.2.0.exe
 *       sha512: <base64 of the SHA-512 of the file>
 *       size: 98765432
 *   path: Daybook-Setup-0.2.0.exe
 *   sha512: <same>
 *   releaseDate: '2026-12-06T10:00:00.000Z'
 *
 * Parsed with `yaml` (YAML 1.2, no custom tags) and checked with zod; anything else is refused
 * with UpdateError('feed_malformed') and nothing is downloaded.
 */

/** base64 of 64 bytes: 86 characters and `==`. */
const Sha512Base64 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'sha512 must be base64 of 64 bytes')
/** A file name beside the feed, or an absolute http(s) URL; never a path that climbs out. */
const FileUrl = z
  .string()
  .min(1)
  .max(500)
  .refine((u) => !/(^|[\\/])\.\.([\\/]|$)/.test(decodeURIComponentSafe(u)), 'no ".." in a file url')
const Version = z.string().refine((v) => semver.valid(v) !== null, 'version must be semver (1.2.3)')

export const FeedFileSchema = z.object({
  url: FileUrl,
  sha512: Sha512Base64,
  size: z.number().int().positive().max(4 * 1024 ** 3),
  blockMapSize: z.number().int().nonnegative().optional(),
})
export type FeedFile = z.infer<typeof FeedFileSchema>

export const UpdateFeedSchema = z.object({
  version: Version,
  files: z.array(FeedFileSchema).min(1).max(50),
  path: FileUrl.optional(),
  sha512: Sha512Base64.optional(),
  // electron-builder writes an ISO string; YAML 1.2 keeps it a string (a 1.1 reader would make it a date).
  releaseDate: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'releaseDate must be a date').optional(),
  releaseName: z.string().max(200).optional(),
  releaseNotes: z.unknown().optional(),
  stagingPercentage: z.number().min(0).max(100).optional(),
})
export type UpdateFeed = z.infer<typeof UpdateFeedSchema>

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The feed file electron-updater reads for a platform on a channel (`latest` by default). */
export function feedFileName(platform: NodeJS.Platform = process.platform, channel = 'latest'): string {
  return platform === 'darwin' ? `${channel}-mac.yml` : platform === 'linux' ? `${channel}-linux.yml` : `${channel}.yml`
}

const MAX_FEED_BYTES = 256 * 1024

/** Parses and checks a feed's text. Throws UpdateError('feed_malformed') naming the first problem. */
export function parseFeed(text: string): UpdateFeed {
  if (text.length > MAX_FEED_BYTES) throw new UpdateError('feed_malformed', 'The update feed is too large to be a feed.', { bytes: text.length })
  let doc: unknown
  try {
    // 'failsafe'-like safety: the core schema has no custom tags; aliases are bounded by maxAliasCount.
    doc = parseYaml(text, { schema: 'core', maxAliasCount: 10, uniqueKeys: true })
  } catch (e) {
    throw new UpdateError('feed_malformed', `The update feed is not valid YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  const r = UpdateFeedSchema.safeParse(doc)
  if (!r.success) {
    const i = r.error.issues[0]
    const where = i ? i.path.map(String).join('.') || '(feed)' : '(feed)'
    throw new UpdateError('feed_malformed', `The update feed is not a valid feed: ${where}: ${i?.message ?? 'invalid'}`, { path: where })
  }
  return r.data
}

export type FeedDecision = { action: 'update'; version: string; file: FeedFile } | { action: 'ignore'; reason: 'not_newer' | 'prerelease'; version: string }

/**
 * Whether a feed is an update for the running version. Never a downgrade: a feed for the same or
 * an older version is ignored (an older app would refuse the newer ledger anyway, see
 * openDatabase's db_newer_than_app). A prerelease is taken only when asked.
 */
export function decide(feed: UpdateFeed, currentVersion: string, o: { platform?: NodeJS.Platform; arch?: string; allowPrerelease?: boolean } = {}): FeedDecision {
  const current = semver.valid(currentVersion)
  if (!current) throw new UpdateError('feed_malformed', `The running version ${currentVersion} is not semver.`)
  if (!semver.gt(feed.version, current)) return { action: 'ignore', reason: 'not_newer', version: feed.version }
  if (semver.prerelease(feed.version) && !o.allowPrerelease) return { action: 'ignore', reason: 'prerelease', version: feed.version }
  return { action: 'update', version: feed.version, file: pickFile(feed, o.platform ?? process.platform, o.arch ?? process.arch) }
}

/**
 * The file electron-updater would install: on macOS the zip for this architecture (Squirrel.Mac
 * installs from the zip; the DMG is for a first install), on Windows the NSIS installer.
 */
export function pickFile(feed: UpdateFeed, platform: NodeJS.Platform, arch: string): FeedFile {
  const name = (f: FeedFile): string => f.url.toLowerCase()
  let candidates: FeedFile[]
  if (platform === 'darwin') {
    const zips = feed.files.filter((f) => name(f).endsWith('.zip'))
    const arm = zips.filter((f) => name(f).includes('arm64'))
    candidates = arch === 'arm64' ? (arm.length > 0 ? arm : zips) : zips.filter((f) => !name(f).includes('arm64'))
  } else if (platform === 'win32') {
    candidates = feed.files.filter((f) => name(f).endsWith('.exe'))
  } else {
    candidates = feed.files.filter((f) => name(f).endsWith('.appimage'))
  }
  const file = candidates[0]
  if (!file) throw new UpdateError('no_file_for_platform', `The update ${feed.version} has no file for ${platform} ${arch}.`, { platform, arch })
  return file
}

/**
 * Refuses a feed or file address that is not https (plain http only to this computer): over http
 * the feed and the file come from whoever answers, and the feed's SHA-512 then proves nothing.
 */
export function requireSecureUrl(url: URL, what: string): URL {
  if (!isSecureUpdateUrl(url)) {
    throw new UpdateError('insecure_url', `${UPDATE_URL_NOT_HTTPS}; ${what} is ${url.protocol}//${url.host}: refused.`, { url: url.href })
  }
  return url
}

/**
 * The URL of a feed file: relative names resolve beside the feed; only https is fetched (http
 * only to this computer, see requireSecureUrl).
 */
export function fileUrl(serverUrl: string, file: FeedFile): URL {
  const base = new URL(serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`)
  const url = new URL(file.url, base)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UpdateError('feed_malformed', `The update file ${file.url} is not an http(s) address.`)
  return requireSecureUrl(url, 'the update file')
}

import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { fail } from '../errors'

/**
 * The update server for a chain's own tills: `GET /v1/updates/:channel/:file` serves
 * `<updates dir>/<channel>/<file>` — electron-builder's feed (`latest.yml`, `latest-mac.yml`), the
 * installers, zips and blockmaps that `npm run dist` wrote. A till's update address is then
 * `https://<platform>/v1/updates/<channel>` (Settings → Updates). Public like any static download.
 *
 * The till checks each file against the SHA-512 in the feed, but the feed comes from this same
 * server: that check proves the file is the one the feed names, not who published either. What
 * makes them trustworthy is the channel — the till refuses an update address that is not https
 * (plain http only to its own computer, for testing), so this route must be reached over TLS
 * (behind a TLS reverse proxy, say) — and, on macOS, the code signature Squirrel.Mac checks. An
 * unsigned Windows build runs whatever installer the feed names.
 *
 * Only plain names are served: a channel or file name with a path separator, `..`, or anything
 * outside [A-Za-z0-9 ._+-] is a 404, and the resolved file must lie inside the directory (no
 * symlink out). Byte ranges are honoured: one range as a 206 with Content-Range, several (what
 * electron-updater's differential download asks, up to 1000 at once) as a 206
 * multipart/byteranges; a Range header that cannot be read, or asks for more than the file again,
 * gets the whole file (200), as HTTP allows.
 */

const CHANNEL = /^[a-z0-9][a-z0-9._-]{0,31}$/
const FILE = /^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,199}$/

const TYPES: Record<string, string> = {
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
}

export interface UpdatesRouteOptions {
  /** The folder holding one sub-folder per channel (`stable/latest.yml`, …). */
  dir: string
}

function notFound(channel: string, file: string): never {
  fail('not_found', `No update file ${channel.slice(0, 40)}/${file.slice(0, 100)}.`)
}

/** Resolves a request to a file inside the updates directory, or throws not_found. */
export async function resolveUpdateFile(dir: string, channel: string, file: string): Promise<{ path: string; size: number }> {
  if (!CHANNEL.test(channel) || !FILE.test(file) || file.includes('..') || channel.includes('..')) notFound(channel, file)
  let root: string
  let path: string
  try {
    root = await realpath(dir)
    path = await realpath(join(root, channel, file))
  } catch {
    notFound(channel, file)
  }
  if (!path.startsWith(root + sep)) notFound(channel, file)
  const s = await stat(path).catch(() => null)
  if (!s?.isFile()) notFound(channel, file)
  return { path, size: s.size }
}

/** At most this many ranges in one request (electron-updater asks for up to 1000 at a time). */
const MAX_RANGES = 1000

interface ByteRange {
  start: number
  end: number
}

/**
 * A Range header: null to send the whole file (absent, not `bytes=`, a part that cannot be read,
 * too many parts, or parts adding up to more than the file: ignored, as RFC 9110 allows), 'bad'
 * when no part lies inside the file (416), else the satisfiable ranges in the order asked.
 */
export function byteRanges(header: string | undefined, size: number): ByteRange[] | 'bad' | null {
  if (!header) return null
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header)
  if (!m) return null
  const specs = m[1]!.split(',').map((p) => p.trim()).filter((p) => p !== '')
  if (specs.length === 0 || specs.length > MAX_RANGES) return null
  const ranges: ByteRange[] = []
  let total = 0
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec)
    if (!r || (r[1] === '' && r[2] === '')) return null
    let start: number
    let end: number
    if (r[1] === '') {
      if (Number(r[2]) === 0) continue // the last 0 bytes: nothing
      start = Math.max(0, size - Number(r[2]))
      end = size - 1
    } else {
      start = Number(r[1])
      end = r[2] === '' ? size - 1 : Number(r[2])
      if (r[2] !== '' && end < start) return null // 5-3: not a range at all
      end = Math.min(end, size - 1)
    }
    if (start >= size) continue // outside the file: skipped, the others still count
    ranges.push({ start, end })
    total += end - start + 1
  }
  if (ranges.length === 0) return 'bad'
  // Overlapping or repeated parts that add up to more than the file: the whole file is cheaper.
  if (ranges.length > 1 && total > size) return null
  return ranges
}

/** The parts of a multipart/byteranges body (RFC 9110 §14.6): each part's head, then its bytes; the closing line. */
function multipart(path: string, ranges: ByteRange[], size: number, type: string, boundary: string): { length: number; body: Readable } {
  const heads = ranges.map((r, i) => Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`))
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const length = heads.reduce((n, h) => n + h.length, 0) + ranges.reduce((n, r) => n + r.end - r.start + 1, 0) + tail.length
  async function* parts(): AsyncGenerator<Buffer> {
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i]!
      yield heads[i]!
      for await (const chunk of createReadStream(path, { start: r.start, end: r.end })) yield chunk as Buffer
    }
    yield tail
  }
  return { length, body: Readable.from(parts(), { objectMode: false }) }
}

export function registerUpdates(app: FastifyInstance, o: UpdatesRouteOptions): void {
  app.get('/v1/updates/:channel/:file', async (req: FastifyRequest, reply: FastifyReply) => {
    const { channel, file } = req.params as { channel: string; file: string }
    const { path, size } = await resolveUpdateFile(o.dir, channel, file)
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
    void reply.header('content-type', type).header('accept-ranges', 'bytes')
    // The feed changes with each release; an installer under one name never does.
    void reply.header('cache-control', type.startsWith('text/yaml') ? 'no-cache' : 'public, max-age=31536000, immutable')
    const ranges = byteRanges(req.headers.range, size)
    if (ranges === 'bad') return reply.code(416).header('content-range', `bytes */${size}`).send()
    if (ranges && ranges.length === 1 && !req.headers.range!.includes(',')) {
      const range = ranges[0]!
      void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1)
      return reply.send(createReadStream(path, { start: range.start, end: range.end }))
    }
    if (ranges) {
      // Several ranges asked: multipart, even if only one of them lies in the file (electron-updater expects it).
      const boundary = `daybook-${randomBytes(12).toString('hex')}`
      const { length, body } = multipart(path, ranges, size, type, boundary)
      void reply.code(206).header('content-type', `multipart/byteranges; boundary=${boundary}`).header('content-length', length)
      return reply.send(body)
    }
    void reply.header('content-length', size)
    return reply.send(createReadStream(path))
  })
}

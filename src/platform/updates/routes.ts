import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { fail } from '../errors'

/**
 * The update server for a chain's own tills: `GET /v1/updates/:channel/:file` serves
 * `<updates dir>/<channel>/<file>` — electron-builder's feed (`latest.yml`, `latest-mac.yml`), the
 * installers, zips and blockmaps that `npm run dist` wrote. A till's update address is then
 * `<platform>/v1/updates/<channel>` (Settings → Updates). Public like any static download: the
 * files are verified on the till by their SHA-512 in the feed, not by who served them.
 *
 * Only plain names are served: a channel or file name with a path separator, `..`, or anything
 * outside [A-Za-z0-9 ._+-] is a 404, and the resolved file must lie inside the directory (no
 * symlink out). Single byte ranges are honoured (electron-updater's differential download).
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

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` for one range; null when absent or not satisfiable as one. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'bad' | null {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'bad'
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start > end || start >= size) return 'bad'
  return { start, end }
}

export function registerUpdates(app: FastifyInstance, o: UpdatesRouteOptions): void {
  app.get('/v1/updates/:channel/:file', async (req: FastifyRequest, reply: FastifyReply) => {
    const { channel, file } = req.params as { channel: string; file: string }
    const { path, size } = await resolveUpdateFile(o.dir, channel, file)
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
    void reply.header('content-type', type).header('accept-ranges', 'bytes')
    // The feed changes with each release; an installer under one name never does.
    void reply.header('cache-control', type.startsWith('text/yaml') ? 'no-cache' : 'public, max-age=31536000, immutable')
    const range = byteRange(req.headers.range, size)
    if (range === 'bad') return reply.code(416).header('content-range', `bytes */${size}`).send()
    if (range) {
      void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1)
      return reply.send(createReadStream(path, { start: range.start, end: range.end }))
    }
    void reply.header('content-length', size)
    return reply.send(createReadStream(path))
  })
}

import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local update server for the tests: real HTTP on 127.0.0.1, a port the OS picks. Serves what
 * `routes` holds (path → body), a 404 for anything else, and counts the requests.
 */
export interface UpdateServer {
  url: string
  routes: Map<string, Buffer | string>
  requests: string[]
  close(): Promise<void>
}

export async function startUpdateServer(routes: Record<string, Buffer | string> = {}): Promise<UpdateServer> {
  const map = new Map<string, Buffer | string>(Object.entries(routes))
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    requests.push(path)
    const body = map.get(path)
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': path.endsWith('.yml') ? 'text/yaml' : 'application/octet-stream', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/updates/stable`,
    routes: map,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((e) => (e ? reject(e) : resolve()))
      }),
  }
}

export function sha512Base64(data: Buffer): string {
  return createHash('sha512').update(data).digest('base64')
}

/** A feed the way electron-builder writes it for a Windows NSIS build. */
export function winFeed(version: string, file: string, data: Buffer, o: { sha512?: string; size?: number } = {}): string {
  const sha512 = o.sha512 ?? sha512Base64(data)
  const size = o.size ?? data.length
  return [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${sha512}`,
    `    size: ${size}`,
    `path: ${file}`,
    `sha512: ${sha512}`,
    `releaseDate: '2026-12-06T10:00:00.000Z'`,
    '',
  ].join('\n')
}

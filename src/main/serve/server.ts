import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { WireFromCore } from '../../shared/bridge'
import type { Core } from '../core/service'
import { connectWire } from '../core/wire'

/** Same policy as the Electron window, plus the WebSocket this mode talks over. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
}

/** Largest message a browser may send the core: a cart of 500 lines is far below this. */
export const MAX_MESSAGE_BYTES = 1024 * 1024
const COOKIE = 'daybook_session'

export interface ServeHandle {
  server: Server
  url: string
  close(): Promise<void>
}

/**
 * `npm run serve`: the renderer and the core without Electron, on 127.0.0.1 only. The printed URL
 * carries a one-time token; the first visit trades it for an HttpOnly cookie and drops it from
 * the address bar, so the link cannot be replayed and a reload keeps working.
 */
export function startServer(core: Core, rendererDir: string, port: number, host = '127.0.0.1'): Promise<ServeHandle> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${join(rendererDir, 'index.html')}). Run "npm run build" first.`)
  }
  let oneTimeToken: string | null = randomBytes(24).toString('base64url')
  const cookieSecret = randomBytes(32).toString('base64url')
  const root = resolve(rendererDir)

  const hasCookie = (req: IncomingMessage): boolean => {
    const value = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1)
    if (!value) return false
    const a = Buffer.from(value)
    const b = Buffer.from(cookieSecret)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed')
    const token = url.searchParams.get('token')
    if (token !== null) {
      if (oneTimeToken !== null && token === oneTimeToken) {
        oneTimeToken = null
        res.writeHead(302, { Location: '/', 'Set-Cookie': `${COOKIE}=${cookieSecret}; HttpOnly; SameSite=Strict; Path=/`, 'Cache-Control': 'no-store' })
        return res.end()
      }
      if (!hasCookie(req)) return plain(res, 403, 'This link was already used. Start "npm run serve" again for a new one.')
    }
    if (!hasCookie(req)) return plain(res, 401, 'Open the link that "npm run serve" printed.')
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '')
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return plain(res, 404, 'Not found')
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    })
    if (req.method === 'HEAD') return res.end()
    createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = req.headers.origin
    const sameOrigin = origin === `http://${req.headers.host}`
    if (url.pathname !== '/ws' || !hasCookie(req) || !sameOrigin) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(core, ws))
  })

  return new Promise((resolveStart, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      const addr = server.address()
      const actual = typeof addr === 'object' && addr ? addr.port : port
      resolveStart({
        server,
        url: `http://${host}:${actual}/?token=${oneTimeToken}`,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate()
            wss.close()
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}

function attach(core: Core, ws: WebSocket): void {
  const send = (msg: WireFromCore): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
  }
  const wire = connectWire(core, send)
  ws.on('message', (data, isBinary) => {
    let parsed: unknown
    try {
      parsed = JSON.parse(isBinary ? '' : data.toString())
    } catch {
      parsed = null
    }
    wire.receive(parsed)
  })
  ws.on('close', () => wire.close())
  ws.on('error', () => wire.close())
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(text)
}

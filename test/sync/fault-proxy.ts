import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Fault =
  | 'pass'
  /** Drop the connection before the platform sees the request. */
  | 'drop-before'
  /** Forward, let the platform commit, then drop the connection instead of answering. */
  | 'drop-after'
  /** Answer 500 without forwarding. */
  | 'error-500'
  /** Hold the request past the client's timeout, then forward it anyway (a late delivery). */
  | 'delay'
  /** Deliver the same bytes twice in a row (the second is a replay); answer with the first answer. */
  | 'duplicate'
  /** Restart the platform while the request is on its way. */
  | 'restart'
  /** Accept and never answer (until the client gives up). */
  | 'hang'

export interface FaultProxy {
  url: string
  /** How many requests of each fault were handled. */
  counts: Record<Fault, number>
  close(): Promise<void>
}

interface Upstream {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/**
 * A small fault-injecting HTTP proxy on 127.0.0.1 between tills and a real platform. `choose`
 * picks the fault of each request (seeded by the test); everything else is forwarded as is
 * (same method, path, signature headers and body bytes).
 */
export async function startFaultProxy(o: { target: () => string; choose: (req: { method: string; path: string }) => Fault; delayMs?: number; restart?: () => Promise<void> }): Promise<FaultProxy> {
  const counts: Record<Fault, number> = { pass: 0, 'drop-before': 0, 'drop-after': 0, 'error-500': 0, delay: 0, duplicate: 0, restart: 0, hang: 0 }
  const sockets = new Set<Socket>()
  const forward = (method: string, path: string, headers: IncomingMessage['headers'], body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const target = new URL(path, o.target())
      const h: Record<string, string> = {}
      for (const [k, v] of Object.entries(headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(k)) h[k] = v
      if (body.length > 0 || method !== 'GET') h['content-length'] = String(body.length)
      const req = request(target, { method, headers: h, agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const out: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && !['connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = v
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) })
        })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })

  const answer = (res: ServerResponse, up: Upstream): void => {
    if (res.destroyed) return
    res.writeHead(up.status, up.headers)
    res.end(up.body)
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const method = req.method ?? 'GET'
      const path = req.url ?? '/'
      const fault = o.choose({ method, path })
      counts[fault]++
      const drop = (): void => {
        req.socket.destroy()
      }
      const pass = (): Promise<void> => forward(method, path, req.headers, body).then((up) => answer(res, up))
      const run = async (): Promise<void> => {
        switch (fault) {
          case 'pass':
            return pass()
          case 'drop-before':
            return drop()
          case 'drop-after':
            await forward(method, path, req.headers, body)
            return drop()
          case 'error-500':
            res.writeHead(500, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ error: { code: 'internal', message: 'injected by the fault proxy' } }))
            return
          case 'delay':
            await new Promise((r) => setTimeout(r, o.delayMs ?? 1500))
            return pass()
          case 'duplicate': {
            // The same bytes twice, one after the other (same nonce): the second copy is refused
            // as nonce_replayed before it reaches ingest, so this exercises replay protection
            // (nothing is applied twice), not ingest's dedupe; the till gets the first answer.
            // Concurrent dedupe of the same events is tested in test/platform/ingest.test.ts.
            const up = await forward(method, path, req.headers, body)
            await forward(method, path, req.headers, body).catch(() => undefined)
            return answer(res, up)
          }
          case 'restart': {
            const restarting = o.restart?.() ?? Promise.resolve()
            const up = await forward(method, path, req.headers, body).catch(() => null)
            await restarting
            if (up) answer(res, up)
            else drop()
            return
          }
          case 'hang':
            return
        }
      }
      run().catch(() => drop())
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

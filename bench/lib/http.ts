import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'

/** node:http's or node:https's request(). */
type Send = (url: string | URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest

/**
 * One POST through node:http(s), resolving with the status and the whole answer: the benches' bare
 * client, lighter than fetch (whose CPU would be taken from the server measured on the same machine).
 */
export function post(send: Send, url: string | URL, options: RequestOptions, body: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, method: 'POST', headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

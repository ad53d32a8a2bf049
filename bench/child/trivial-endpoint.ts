/**
 * The bare baseline of the drain benchmark: an HTTP endpoint that reads the whole body, parses
 * it as JSON (as any real endpoint must) and answers 200 with a few bytes. Prints its URL.
 */
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: unknown[] }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ received: body.events.length }))
  })
})
server.listen(0, '127.0.0.1', () => {
  const a = server.address()
  if (a && typeof a === 'object') console.log(`Trivial endpoint: http://127.0.0.1:${a.port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))

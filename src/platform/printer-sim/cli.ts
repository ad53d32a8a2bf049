/**
 * `npm run printer-sim -- [--port 9100] [--out .daybook-printer] [--width 80] [--host 127.0.0.1] [--control-port 0]`:
 * a receipt printer on TCP for the till (Settings → Printer: 127.0.0.1, the port). Each job is
 * written to <out>/NNNN.txt (decoded), NNNN.png (the roll) and NNNN.json. A small HTTP control
 * server: POST /mode {"mode":"paper_out"} (online, offline, paper_out, cover_open, slow with slowMs),
 * GET /jobs.
 */
import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startPrinterSim, type SimMode } from './index'

const MODES: readonly SimMode[] = ['online', 'offline', 'paper_out', 'cover_open', 'slow']

function whole(name: string, v: string | undefined, dflt: number, max = 65_535): number {
  if (v === undefined) return dflt
  if (!/^\d{1,5}$/.test(v) || Number(v) > max) throw new Error(`--${name} must be a whole number up to ${max}, got ${JSON.stringify(v)}`)
  return Number(v)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      out: { type: 'string' },
      width: { type: 'string' },
      host: { type: 'string' },
      'control-port': { type: 'string' },
    },
  })
  const width = whole('width', values.width, 80)
  if (width !== 58 && width !== 80) throw new Error('--width must be 58 or 80')
  const out = resolve(values.out ?? '.daybook-printer')
  const host = values.host ?? '127.0.0.1'
  const sim = await startPrinterSim({
    host,
    port: whole('port', values.port, 9100),
    outDir: out,
    width,
    onJob: (job) => process.stderr.write(`job ${String(job.n).padStart(4, '0')}: ${job.text.split('\n').length} lines, ${job.cuts} cut(s), ${job.drawerKicks} drawer kick(s)\n`),
  })
  const control = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && req.url === '/jobs') {
      return send(
        200,
        sim.jobs().map((j) => ({ n: j.n, text: j.text, drawerKicks: j.drawerKicks, cuts: j.cuts, qr: j.qr, bytes: j.bytes.length })),
      )
    }
    if (req.method === 'POST' && req.url === '/mode') {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c: string) => {
        body += c
        if (body.length > 10_000) req.destroy()
      })
      req.on('end', () => {
        try {
          const j = JSON.parse(body) as { mode?: unknown; slowMs?: unknown }
          if (typeof j.mode !== 'string' || !(MODES as readonly string[]).includes(j.mode)) return send(400, { error: `mode must be one of ${MODES.join(', ')}` })
          if (j.slowMs !== undefined && (typeof j.slowMs !== 'number' || !Number.isInteger(j.slowMs) || j.slowMs < 0 || j.slowMs > 600_000)) return send(400, { error: 'slowMs must be a whole number of ms' })
          sim.setMode(j.mode as SimMode, j.slowMs as number | undefined)
          send(200, { mode: j.mode })
        } catch {
          send(400, { error: 'send JSON like {"mode":"paper_out"}' })
        }
      })
      return
    }
    send(404, { error: 'POST /mode or GET /jobs' })
  })
  await new Promise<void>((r) => control.listen(whole('control-port', values['control-port'], 0), '127.0.0.1', () => r()))
  const ca = control.address()
  const controlPort = ca && typeof ca !== 'string' ? ca.port : 0
  process.stdout.write(`printer-sim listening on ${sim.host}:${sim.port}; control http://127.0.0.1:${controlPort}; out ${out}\n`)
  const stop = (): void => {
    control.close()
    void sim.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  process.stderr.write(`printer-sim: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})

import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { decodeEscPos, type Decoded } from './decode'
import { renderPng } from './render'

export { decodeEscPos, type Decoded, type Item } from './decode'
export { renderPng, paperDots } from './render'

/**
 * A receipt printer on TCP (port 9100 style) for tests and for trying the till without hardware.
 * It answers the real-time status requests (DLE EOT n) the way an Epson-compatible printer does —
 * online, offline, out of paper, cover open — and, when online, takes each connection's bytes as
 * one job: decoded into text, counted (drawer kicks, cuts, QR codes) and drawn as a PNG of the roll.
 * `slow` answers every status request only after `slowMs` (a busy or slow printer). Out of paper or
 * with its cover open it prints nothing, but, like a real printer, still fires the drawer pulse of a
 * connection that only kicks the drawer (no text, no cut, no QR).
 */
export type SimMode = 'online' | 'offline' | 'paper_out' | 'cover_open' | 'slow'

export interface SimJob {
  n: number
  text: string
  drawerKicks: number
  cuts: number
  qr: string[]
  bytes: Buffer
  png(): Promise<Buffer>
}

export interface PrinterSim {
  host: string
  port: number
  jobs(): SimJob[]
  setMode(mode: SimMode, slowMs?: number): void
  close(): Promise<void>
}

export interface PrinterSimOptions {
  host?: string
  /** 0 = any free port. */
  port?: number
  /** Writes NNNN.txt, NNNN.png and NNNN.json for each job. */
  outDir?: string
  width?: 58 | 80
  /** Called once a job's files are written (the CLI logs it). */
  onJob?: (job: SimJob, decoded: Decoded) => void
}

/** Status bytes: bit 1 and bit 4 always set. */
function statusByte(mode: SimMode, n: number): number {
  const base = 0x12
  const off = mode === 'offline' || mode === 'paper_out' || mode === 'cover_open'
  if (n === 1) return off ? base | 0x08 : base
  if (n === 2) return mode === 'cover_open' ? base | 0x04 : mode === 'paper_out' ? base | 0x20 : mode === 'offline' ? base | 0x40 : base
  if (n === 4) return mode === 'paper_out' ? base | 0x60 : base
  return base
}

/** A job that only kicks the drawer: nothing printed, nothing cut. */
function kickOnly(d: Decoded): boolean {
  return d.drawerKicks > 0 && d.cuts === 0 && d.qr.length === 0 && d.items.every((i) => i.t === 'kick')
}

/** The bytes of a connection without its status requests (DLE EOT n). */
function withoutStatus(b: Buffer): Buffer {
  const out: number[] = []
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x10 && b[i + 1] === 0x04 && i + 2 < b.length) {
      i += 2
      continue
    }
    out.push(b[i]!)
  }
  return Buffer.from(out)
}

export async function startPrinterSim(o: PrinterSimOptions = {}): Promise<PrinterSim> {
  const width = o.width ?? 80
  let mode: SimMode = 'online'
  let slowMs = 2_000
  const jobs: SimJob[] = []
  const decodedOf = new Map<number, Decoded>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  if (o.outDir) mkdirSync(o.outDir, { recursive: true })

  const writeFiles = async (job: SimJob): Promise<void> => {
    const d = decodedOf.get(job.n)
    if (!o.outDir || !d) return
    const base = join(o.outDir, String(job.n).padStart(4, '0'))
    writeFileSync(`${base}.txt`, job.text)
    writeFileSync(`${base}.json`, JSON.stringify({ n: job.n, drawerKicks: job.drawerKicks, cuts: job.cuts, qr: job.qr, width, codePage: d.codePage, bytes: job.bytes.length }, null, 2) + '\n')
    // The PNG last, and whole or not at all (written aside, then renamed): a reader that sees it can read all three.
    writeFileSync(`${base}.png.part`, await job.png())
    renameSync(`${base}.png.part`, `${base}.png`)
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket)
    let all = Buffer.alloc(0)
    let scanned = 0
    let job: SimJob | null = null
    // The mode when the connection started decides whether its data prints (an offline printer prints nothing).
    const printing = (): boolean => mode === 'online' || mode === 'slow'

    /** The job of this connection so far (made on its first data, updated as more arrives). */
    const record = (): void => {
      const data = withoutStatus(all)
      if (data.length === 0) return
      const d = decodeEscPos(data)
      if (!printing() && !(kickOnly(d) && (mode === 'paper_out' || mode === 'cover_open'))) return
      if (!job) {
        job = { n: jobs.length + 1, text: '', drawerKicks: 0, cuts: 0, qr: [], bytes: Buffer.alloc(0), png: async () => Buffer.alloc(0) }
        jobs.push(job)
      }
      const j: SimJob = job
      decodedOf.set(j.n, d)
      Object.assign(j, { text: d.text, drawerKicks: d.drawerKicks, cuts: d.cuts, qr: d.qr, bytes: data, png: () => renderPng(d, width) })
    }

    socket.on('data', (chunk: Buffer) => {
      all = Buffer.concat([all, chunk])
      // Real-time commands are acted on as they arrive, even in the middle of a job (as printers do).
      while (scanned + 2 < all.length) {
        if (all[scanned] === 0x10 && all[scanned + 1] === 0x04) {
          const n = all[scanned + 2]!
          scanned += 3
          record()
          const answer = Buffer.from([statusByte(mode, n)])
          if (mode === 'slow') {
            const t = setTimeout(() => {
              timers.delete(t)
              if (!socket.destroyed) socket.write(answer)
            }, slowMs)
            timers.add(t)
          } else socket.write(answer)
        } else scanned++
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      sockets.delete(socket)
      record()
      if (job) {
        const j: SimJob = job
        void writeFiles(j).then(() => {
          const d = decodedOf.get(j.n)
          if (d) o.onJob?.(j, d)
        })
      }
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve())
  })
  const addr = server.address()
  if (!addr || typeof addr === 'string') throw new Error('the printer simulator has no TCP address')

  return {
    host: o.host ?? '127.0.0.1',
    port: addr.port,
    jobs: () => [...jobs],
    setMode(m, ms) {
      mode = m
      if (ms !== undefined) slowMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

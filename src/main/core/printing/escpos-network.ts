import { Socket } from 'node:net'
import { bareHost, type PrintFailure } from '../../../shared/printing-contract'
import { PRINT_MESSAGES, type PrinterDriver, type PrintOutcome, type SendOptions } from './driver'

/**
 * An ESC/POS printer on the network (raw TCP, usually port 9100 — "JetDirect"/"AppSocket").
 * Each job is one connection: connect (bounded), ask the real-time status (DLE EOT 1, 2, 4: printer,
 * offline cause, roll paper sensor) so that an offline printer, an empty roll or an open cover each
 * give their own answer before anything is sent, send the document, then ask the status once more:
 * its answer comes after the printer has taken every byte before it, so "done" means received.
 * A job that prints nothing (a bare drawer kick: No sale, a pay-in, a cash sale with auto-print off)
 * is sent with the roll empty or the cover open — the printer takes the pulse — but not to an
 * offline printer.
 */
export interface NetworkPrinterOptions {
  host: string
  port: number
  connectTimeoutMs?: number
  statusTimeoutMs?: number
  /** How long the printer may take to take the whole document (a long receipt on a slow printer). */
  writeTimeoutMs?: number
}

const DLE_EOT = (n: number): number[] => [0x10, 0x04, n]
/** A status byte always has bit 1 and bit 4 set, bits 0 and 7 clear. */
const isStatusByte = (b: number): boolean => (b & 0x93) === 0x12

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EADDRNOTAVAIL'])

function failure(code: PrintFailure, printed: 'no' | 'maybe', message = PRINT_MESSAGES[code]): PrintOutcome {
  return { ok: false, code, message, printed }
}

/** What the three status bytes say, or null when the printer can print. */
export function statusFailure(s1: number, s2: number, s4: number): PrintFailure | null {
  if ((s2 & 0x04) !== 0) return 'cover_open'
  if ((s4 & 0x60) !== 0 || (s2 & 0x20) !== 0) return 'paper_out'
  if ((s1 & 0x08) !== 0) return 'offline'
  return null
}

class Conn {
  private buf = Buffer.alloc(0)
  private waiter: { n: number; resolve: (b: Buffer | null) => void } | null = null
  private closed = false
  error: string | null = null

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d])
      this.check()
    })
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e.code ?? e.message
      this.finish()
    })
    socket.on('close', () => this.finish())
  }

  private finish(): void {
    this.closed = true
    if (this.waiter) {
      const w = this.waiter
      this.waiter = null
      w.resolve(null)
    }
  }

  private check(): void {
    if (this.waiter && this.buf.length >= this.waiter.n) {
      const w = this.waiter
      this.waiter = null
      const out = this.buf.subarray(0, w.n)
      this.buf = this.buf.subarray(w.n)
      w.resolve(out)
    }
  }

  /** The next n bytes, or null on a timeout or a closed connection. */
  read(n: number, timeoutMs: number, signal?: AbortSignal): Promise<Buffer | null> {
    return new Promise((resolve) => {
      if ((this.closed && this.buf.length < n) || signal?.aborted) return resolve(null)
      const timer = setTimeout(() => done(null), timeoutMs)
      const onAbort = (): void => done(null)
      signal?.addEventListener('abort', onAbort, { once: true })
      const done = (b: Buffer | null): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        if (this.waiter?.resolve === done) this.waiter = null
        resolve(b)
      }
      this.waiter = { n, resolve: done }
      this.check()
    })
  }

  write(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes)
  }
}

function connect(host: string, port: number, timeoutMs: number): Promise<{ conn: Conn } | { error: string }> {
  return new Promise((resolve) => {
    const socket = new Socket()
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve({ error: 'ETIMEDOUT' })
    }, timeoutMs)
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ error: e.code ?? e.message })
    })
    socket.connect({ host, port }, () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.setNoDelay(true)
      resolve({ conn: new Conn(socket) })
    })
  })
}

export function createNetworkPrinter(o: NetworkPrinterOptions): PrinterDriver {
  const connectTimeoutMs = o.connectTimeoutMs ?? 3_000
  const statusTimeoutMs = o.statusTimeoutMs ?? 3_000
  const writeTimeoutMs = o.writeTimeoutMs ?? 15_000
  // "[::1]" (as in a URL) is "::1" to the socket, and shows as "[::1]:9100"
  const host = bareHost(o.host)
  const address = host.includes(':') ? `[${host}]:${o.port}` : `${host}:${o.port}`

  async function run(bytes: Uint8Array | null, signal?: AbortSignal, so: SendOptions = {}): Promise<PrintOutcome> {
    const c = await connect(host, o.port, connectTimeoutMs)
    if ('error' in c) return failure('offline', 'no')
    const { conn } = c
    try {
      conn.write(Uint8Array.from([...DLE_EOT(1), ...DLE_EOT(2), ...DLE_EOT(4)]))
      const status = await conn.read(3, statusTimeoutMs, signal)
      if (!status) return conn.error && UNREACHABLE.has(conn.error) ? failure('offline', 'no') : failure('timeout', 'no')
      const [s1, s2, s4] = [status[0] ?? 0, status[1] ?? 0, status[2] ?? 0]
      if (!isStatusByte(s1) || !isStatusByte(s2) || !isStatusByte(s4)) {
        return failure('refused', 'no', 'The printer answered in a way the till does not understand: is it an ESC/POS printer? Check Settings → Printer.')
      }
      const bad = statusFailure(s1, s2, s4)
      const kickOnly = bytes !== null && so.printsNothing === true
      if (bad && !(kickOnly && (bad === 'paper_out' || bad === 'cover_open'))) return failure(bad, 'no', bad === 'offline' ? 'The printer is offline (paper feed, an error, or a cover). Check it, then press Retry.' : PRINT_MESSAGES[bad])
      if (!bytes) return { ok: true }
      conn.write(bytes)
      // The status asked after the document is answered once the printer has taken it all.
      conn.write(Uint8Array.from(DLE_EOT(1)))
      const after = await conn.read(1, writeTimeoutMs, signal)
      if (!after) {
        return conn.error && UNREACHABLE.has(conn.error)
          ? failure('offline', 'maybe', 'The printer went away while printing: it may have printed part of it — check the roll, then press Retry.')
          : failure('timeout', 'maybe', 'The printer took too long: it may have printed — check the roll, then press Retry.')
      }
      return { ok: true }
    } finally {
      conn.socket.end()
      conn.socket.destroy()
    }
  }

  return {
    address,
    send: (bytes, signal, so) => run(bytes, signal, so),
    status: (signal) => run(null, signal),
  }
}

import { createRequire } from 'node:module'
import { extname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { prepareRequest, type PreparedRequest } from './ingest-prepare'
import type { RequestParts } from './request-checks'

interface Job {
  raw: Uint8Array
  timeZone: string
  parts: RequestParts
  resolve: (r: PreparedRequest) => void
}

interface Slot {
  worker: Worker
  jobs: Map<number, Job>
}

/** A thread that died this many times is not started again: its batches are prepared in the main thread. */
const MAX_DEATHS = 3

/**
 * Worker threads that prepare event batches (ingest-prepare.ts): the body's checks, canonical JSON,
 * SHA-256 and postings of each event, about 40 % of ingest's CPU. The main thread is left with what
 * needs the database and a device's turn, so that on a machine with a second core the two halves of
 * different batches (and of one till's consecutive batches) run at the same time.
 *
 * `size` 0 prepares in the calling thread, with the same function. A device's batches always go to
 * the same thread (by its id), which answers them in the order they came: a till's batches reach
 * their turn (ingest-order.ts) in the order they arrived, as they did without threads. Threads start
 * on first use. A thread that dies hands its batches back to be prepared here, in order, and is
 * replaced on the next batch (after MAX_DEATHS, no more threads): a batch is never lost or refused
 * for it.
 */
export class IngestPool {
  private readonly slots: (Slot | undefined)[] = []
  private nextId = 1
  private closed = false
  private deaths = 0

  constructor(
    private readonly size: number,
    private readonly onDeath: (err: unknown) => void = () => {},
  ) {}

  /** `key`: the device's id. */
  prepare(key: string, raw: Uint8Array, timeZone: string, parts: RequestParts): Promise<PreparedRequest> {
    if (this.size <= 0 || this.closed || this.deaths >= MAX_DEATHS) return Promise.resolve(prepareRequest(raw, timeZone, parts))
    const i = indexOf(key, this.size)
    const slot = (this.slots[i] ??= this.start(i))
    const id = this.nextId++
    return new Promise((resolve) => {
      slot.jobs.set(id, { raw, timeZone, parts, resolve })
      slot.worker.postMessage({ id, raw, timeZone, parts })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== undefined)
    for (const s of slots) this.orphan(s)
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  private start(i: number): Slot {
    // This directory's ingest-worker.js when built; the .ts when run from source (tsx, vitest), and
    // then the thread needs tsx's loader too, which a worker does not inherit.
    const ts = extname(__filename) === '.ts'
    const script = join(__dirname, ts ? 'ingest-worker.ts' : 'ingest-worker.js')
    const worker = new Worker(script, ts ? { execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] } : {})
    // Never what keeps the process alive: close() ends it, and an exit without close() loses nothing.
    worker.unref()
    const slot: Slot = { worker, jobs: new Map() }
    worker.on('message', (m: { id: number; result: PreparedRequest }) => {
      const job = slot.jobs.get(m.id)
      if (!job) return
      slot.jobs.delete(m.id)
      job.resolve(m.result)
    })
    let dead = false
    const died = (err: unknown): void => {
      if (dead) return
      dead = true
      if (this.slots[i] === slot) this.slots[i] = undefined
      if (!this.closed) {
        this.deaths++
        this.onDeath(err)
      }
      this.orphan(slot)
      void worker.terminate()
    }
    worker.on('error', died)
    worker.on('messageerror', died)
    worker.on('exit', (code) => died(new Error(`ingest worker exited with code ${code}`)))
    return slot
  }

  /** The batches a thread still had: prepared here instead, in the order they were sent. */
  private orphan(slot: Slot): void {
    const jobs = [...slot.jobs.values()]
    slot.jobs.clear()
    for (const j of jobs) j.resolve(prepareRequest(j.raw, j.timeZone, j.parts))
  }
}

/** A stable thread for a key (FNV-1a of its UTF-16 units). */
function indexOf(key: string, size: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return (h >>> 0) % size
}

import { createRequire } from 'node:module'
import { extname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { prepareRequest, type PreparedRequest } from './ingest-prepare'

interface Job {
  raw: Uint8Array
  timeZone: string
  resolve: (r: PreparedRequest) => void
}

interface Slot {
  worker: Worker
  jobs: Map<number, Job>
}

/**
 * Worker threads that prepare event batches (ingest-prepare.ts): the body's checks, canonical JSON,
 * SHA-256 and postings of each event, about 40 % of ingest's CPU. The main thread is left with what
 * needs the database and a device's turn, so that on a machine with a second core the two halves of
 * different batches (and of one till's consecutive batches) run at the same time.
 *
 * `size` 0 prepares in the calling thread, with the same function. A batch goes to the thread with
 * the fewest batches; threads start on first use. A thread that dies hands its batches back to be
 * prepared here, and is replaced on the next batch: a batch is never lost or refused for it.
 */
export class IngestPool {
  private readonly slots: Slot[] = []
  private nextId = 1
  private closed = false

  constructor(private readonly size: number) {}

  prepare(raw: Uint8Array, timeZone: string): Promise<PreparedRequest> {
    if (this.size <= 0 || this.closed) return Promise.resolve(prepareRequest(raw, timeZone))
    const slot = this.pick()
    const id = this.nextId++
    return new Promise((resolve) => {
      slot.jobs.set(id, { raw, timeZone, resolve })
      slot.worker.postMessage({ id, raw, timeZone })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const slots = this.slots.splice(0)
    for (const s of slots) this.orphan(s)
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  private pick(): Slot {
    if (this.slots.length < this.size) return this.start()
    let best = this.slots[0]!
    for (const s of this.slots) if (s.jobs.size < best.jobs.size) best = s
    return best
  }

  private start(): Slot {
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
    const died = (): void => {
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      this.orphan(slot)
    }
    worker.on('error', died)
    worker.on('exit', died)
    this.slots.push(slot)
    return slot
  }

  /** The batches a thread still had: prepared here instead. */
  private orphan(slot: Slot): void {
    const jobs = [...slot.jobs.values()]
    slot.jobs.clear()
    for (const j of jobs) j.resolve(prepareRequest(j.raw, j.timeZone))
  }
}

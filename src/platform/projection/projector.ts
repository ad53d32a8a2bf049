import type { Database, Queryable } from '../db'
import { projectEvents, type NormalizeWarn, type ProjectionDevice, type StoredEventRow } from './normalize'

/**
 * The projector: fills the reporting tables from the event store, asynchronously from ingest.
 *
 * Each device has a projected position (device_projections.projected_seq: every event of the
 * device up to it is normalized). A step takes the device's projection row FOR UPDATE (SKIP LOCKED:
 * another projector on it is simply left to it), reads the next events after the position in seq
 * order (at most `stepEvents`), normalizes them (normalize.ts) and advances the position, all in one
 * transaction: a crash either projects a step wholly or not at all, and a restart resumes from the
 * last committed position. Ingest never touches that row, so projection never holds a batch up.
 *
 * One loop per process, woken by every ingest that stored something and once at start; devices are
 * projected in parallel up to `concurrency`, each one's steps strictly in order. Waiters (the read
 * API, tests) are told after every committed step.
 */

export interface ProjectorOptions {
  clock: () => Date
  warn: NormalizeWarn
  /** Logs a failed step (it is retried after `retryMs`). */
  error: (err: unknown, deviceId: string | null) => void
  /** Devices projected at the same time; default 2 on PostgreSQL, 1 on PGlite (one connection). */
  concurrency?: number
  /** Events per step (one transaction); default 500. */
  stepEvents?: number
  /** After a failed step, the loop runs again this much later; default 1000 ms. */
  retryMs?: number
  /**
   * While ingest requests are in flight, a step waits for them to finish, at most `yieldFactor` times
   * as long as the previous step took (at least 100 ms, at most 5 s): under a sustained load the
   * projection takes about 1 / (1 + yieldFactor) of the time, and catches up at full speed after it.
   * The acknowledgement comes first. Default 3.
   */
  yieldFactor?: number
}

export interface DevicePosition {
  deviceId: string
  /** The device's head in the event store. */
  lastSeq: number
  /** Every event up to here is in the reporting tables. */
  projectedSeq: number
  /** When the oldest event not yet projected was stored (null: none). */
  oldestUnprojectedAt: Date | null
}

/** Reads where projection stands for the given devices (all of a store's when storeId is given). */
export async function projectionPositions(q: Queryable, where: { storeId: string } | { deviceIds: string[] }): Promise<DevicePosition[]> {
  const byStore = 'storeId' in where
  const rows = await q.query<{ id: string; last_seq: number; projected_seq: number; oldest: Date | null }>(
    `SELECT d.id, d.last_seq, coalesce(p.projected_seq, 0) AS projected_seq,
       (SELECT e.received_at FROM events e WHERE e.device_id = d.id AND e.seq = coalesce(p.projected_seq, 0) + 1) AS oldest
     FROM devices d LEFT JOIN device_projections p ON p.device_id = d.id
     WHERE ${byStore ? 'd.store_id = $1' : 'd.id = ANY($1::text[])'} ORDER BY d.created_at, d.id`,
    [byStore ? where.storeId : where.deviceIds],
  )
  return rows.map((r) => ({ deviceId: r.id, lastSeq: r.last_seq, projectedSeq: r.projected_seq, oldestUnprojectedAt: r.projected_seq < r.last_seq ? r.oldest : null }))
}

/**
 * One step for one device: returns how many events it projected (0: nothing to do, or another
 * projector holds the device).
 */
export async function projectStep(db: Database, deviceId: string, o: { now: Date; warn: NormalizeWarn; limit: number }): Promise<number> {
  return db.tx((q) => projectStepIn(q, deviceId, o))
}

/** projectStep inside a transaction the caller holds (tests re-project from scratch and roll back). */
export async function projectStepIn(q: Queryable, deviceId: string, o: { now: Date; warn: NormalizeWarn; limit: number }): Promise<number> {
  const lock = async (): Promise<{ projected_seq: number } | undefined> =>
    (await q.query<{ projected_seq: number }>('SELECT projected_seq FROM device_projections WHERE device_id = $1 FOR UPDATE SKIP LOCKED', [deviceId]))[0]
  let pos = await lock()
  if (!pos) {
    // Locked by another projector (left to it), or missing: every device gets its row when it is made
    // (and the migration made them for the devices before it), but a missing one is made here.
    const made = await q.query('INSERT INTO device_projections (device_id) SELECT id FROM devices WHERE id = $1 ON CONFLICT (device_id) DO NOTHING RETURNING device_id', [deviceId])
    if (made.length === 0) return 0
    pos = await lock()
    if (!pos) return 0
  }
  const device = (
    await q.query<ProjectionDevice & { pending_closures: boolean }>(
      `SELECT d.*, s.currency, s.time_zone, EXISTS (SELECT 1 FROM closures c WHERE c.device_id = d.id AND c.verification = 'pending') AS pending_closures
       FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1`,
      [deviceId],
    )
  )[0]
  if (!device) return 0
  const events = await q.query<StoredEventRow>(
    'SELECT event_id, seq, type, at, data, received_at FROM events WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [deviceId, pos.projected_seq, o.limit],
  )
  if (events.length === 0) return 0
  // Consecutive from the position: the event store is gap-free per device (ingest checks it).
  events.forEach((e, i) => {
    if (e.seq !== pos.projected_seq + 1 + i) throw new Error(`projection of device ${deviceId}: event ${pos.projected_seq + 1 + i} is missing from the event store`)
  })
  await projectEvents(q, device, events, o.now, o.warn)
  const to = events[events.length - 1]!.seq
  await q.query('UPDATE device_projections SET projected_seq = $2, projected_at = $3 WHERE device_id = $1', [deviceId, to, o.now.toISOString()])
  return events.length
}

type Waiter = () => void

/** How long close() waits for the step in flight. */
const CLOSE_WAIT_MS = 5000

export class Projector {
  private readonly concurrency: number
  private readonly stepEvents: number
  private readonly retryMs: number
  /** Something may have been appended since the loop last looked for devices behind. */
  private dirty = true
  private running: Promise<void> | null = null
  private retryTimer: NodeJS.Timeout | null = null
  private closed = false
  private readonly waiters = new Set<Waiter>()
  private readonly yieldFactor: number
  private inflight = 0
  private lastStepEnd = 0
  private lastStepMs = 0
  private ingestIdle: (() => void)[] = []

  constructor(
    private readonly db: Database,
    private readonly o: ProjectorOptions,
  ) {
    this.concurrency = o.concurrency ?? (db.kind === 'pglite' ? 1 : 2)
    this.stepEvents = o.stepEvents ?? 500
    this.retryMs = o.retryMs ?? 1000
    this.yieldFactor = o.yieldFactor ?? 3
  }

  /** An ingest request started (the projector gives way to it, within yieldFactor). */
  beginIngest(): void {
    this.inflight++
  }

  endIngest(): void {
    this.inflight = Math.max(0, this.inflight - 1)
    if (this.inflight > 0) return
    const list = this.ingestIdle
    this.ingestIdle = []
    for (const f of list) f()
  }

  private async giveWay(): Promise<void> {
    const wait = Math.min(5000, Math.max(100, this.lastStepMs * this.yieldFactor)) - (Date.now() - this.lastStepEnd)
    if (this.inflight === 0 || this.closed || wait <= 0) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(done, wait)
      this.ingestIdle.push(done)
    })
  }

  private paused = false

  /** Stops starting steps (the one in flight finishes) until resume(): maintenance, and tests that look at a lag. */
  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    this.wake()
  }

  /** Something was appended (or the process started): project what is behind. */
  wake(): void {
    if (this.closed) return
    this.dirty = true
    if (this.paused) return
    this.running ??= this.loop().finally(() => {
      this.running = null
      if (this.dirty && !this.closed && !this.paused && !this.retryTimer) this.wake()
    })
  }

  /** Resolves after the next committed step (or at close). */
  progress(): { promise: Promise<void>; cancel: () => void } {
    let waiter!: Waiter
    const promise = new Promise<void>((resolve) => {
      waiter = resolve
    })
    if (this.closed) waiter()
    else this.waiters.add(waiter)
    return { promise, cancel: () => this.waiters.delete(waiter) }
  }

  /** Resolves once nothing is left to project (tests and shutdown); rejects after `timeoutMs`. */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.running) await this.running
      const behind = await this.db.query<{ n: number }>(
        'SELECT count(*)::bigint AS n FROM devices d LEFT JOIN device_projections p ON p.device_id = d.id WHERE coalesce(p.projected_seq, 0) < d.last_seq',
      )
      if (behind[0]!.n === 0 && !this.running) return
      if (Date.now() > deadline) throw new Error(`the projection is still behind after ${timeoutMs} ms`)
      this.wake()
      const p = this.progress()
      const t = setTimeout(p.cancel, 100)
      await Promise.race([p.promise, this.running ?? Promise.resolve()])
      clearTimeout(t)
      p.cancel()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    for (const f of this.ingestIdle.splice(0)) f()
    // The step in flight commits or rolls back; a database that went away under it (closed, lost)
    // may never answer, so the wait is bounded (a restart resumes from the last committed step).
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))])
    clearTimeout(timer)
    this.notify()
  }

  private notify(): void {
    const list = [...this.waiters]
    this.waiters.clear()
    for (const w of list) w()
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.closed && !this.paused) {
      this.dirty = false
      let behind: string[]
      try {
        behind = (
          await this.db.query<{ id: string }>(
            'SELECT d.id FROM devices d LEFT JOIN device_projections p ON p.device_id = d.id WHERE coalesce(p.projected_seq, 0) < d.last_seq ORDER BY d.last_event_at NULLS FIRST, d.id',
          )
        ).map((r) => r.id)
      } catch (e) {
        this.fail(e, null)
        return
      }
      let next = 0
      const worker = async (): Promise<void> => {
        while (!this.closed && next < behind.length) {
          const deviceId = behind[next++]!
          for (;;) {
            if (this.closed || this.paused) return
            await this.giveWay()
            if (this.closed || this.paused) return
            let n: number
            const t0 = Date.now()
            try {
              n = await projectStep(this.db, deviceId, { now: this.o.clock(), warn: this.o.warn, limit: this.stepEvents })
            } catch (e) {
              this.fail(e, deviceId)
              break
            } finally {
              this.lastStepEnd = Date.now()
              this.lastStepMs = this.lastStepEnd - t0
            }
            if (n === 0) break
            this.notify()
            if (n < this.stepEvents) break
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(this.concurrency, behind.length) }, worker))
    }
  }

  private fail(e: unknown, deviceId: string | null): void {
    if (this.closed) return
    this.o.error(e, deviceId)
    // Try again a little later (a failed step rolled back: its position did not move).
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null
      this.wake()
    }, this.retryMs)
    this.retryTimer.unref()
  }
}

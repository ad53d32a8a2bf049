import { PROJECTION_WAIT_MAX_MS, type ProjectionStatus } from '../../shared/platform-api'
import type { Database } from '../db'
import { getStore } from '../service'
import { projectionPositions, type DevicePosition, type Projector } from './projector'

/**
 * The read API's wait for the projection: a read answers from the reporting tables once they hold
 * what it must see — by default every event of the store (or of the one device asked about) stored
 * when the request arrived; with `position`, the named devices' seqs. Bounded (`waitMs`, at most
 * PROJECTION_WAIT_MAX_MS): after that it answers with what there is, and the lag left says so.
 */

export interface ProjectionLag {
  events: number
  ms: number
}

/** `<deviceId>:<seq>,…` → device id → seq (the largest when a device is named twice). */
export function parsePosition(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const part of text.split(',')) {
    const [id, seq] = part.split(':') as [string, string]
    out.set(id, Math.max(out.get(id) ?? 0, Number(seq)))
  }
  return out
}

function lagOf(positions: DevicePosition[], now: Date): ProjectionLag & { perDevice: Map<string, ProjectionLag> } {
  let events = 0
  let ms = 0
  const perDevice = new Map<string, ProjectionLag>()
  for (const p of positions) {
    const e = Math.max(0, p.lastSeq - p.projectedSeq)
    const m = e > 0 && p.oldestUnprojectedAt ? Math.max(0, now.getTime() - p.oldestUnprojectedAt.getTime()) : 0
    perDevice.set(p.deviceId, { events: e, ms: m })
    events += e
    ms = Math.max(ms, m)
  }
  return { events, ms, perDevice }
}

/** The admin view of a store's projection. */
export async function projectionStatus(db: Database, storeId: string, now: Date): Promise<ProjectionStatus> {
  await getStore(db, storeId)
  const positions = await projectionPositions(db, { storeId })
  const lag = lagOf(positions, now)
  return {
    storeId,
    projection_lag_events: lag.events,
    projection_lag_ms: lag.ms,
    devices: positions.map((p) => ({
      deviceId: p.deviceId,
      lastSeq: p.lastSeq,
      projectedSeq: p.projectedSeq,
      lagEvents: lag.perDevice.get(p.deviceId)!.events,
      lagMs: lag.perDevice.get(p.deviceId)!.ms,
    })),
  }
}

/** How often a waiter looks at the database even without news from this process's projector (another process may project). */
const RECHECK_MS = 250

/**
 * Waits until the store's (or the device's) projection reaches the target, at most `waitMs`; answers
 * the lag left (of the store, or of the device), 0 when it got there.
 */
export async function waitForProjection(
  db: Database,
  projector: Projector | null,
  q: { storeId: string; deviceId?: string; position?: string; waitMs?: number },
  o: { clock: () => Date; signal?: AbortSignal },
): Promise<ProjectionLag> {
  const waitMs = Math.min(q.waitMs ?? PROJECTION_WAIT_MAX_MS, PROJECTION_WAIT_MAX_MS)
  const deadline = Date.now() + waitMs
  const read = async (): Promise<DevicePosition[]> => {
    const all = await projectionPositions(db, { storeId: q.storeId })
    return q.deviceId ? all.filter((p) => p.deviceId === q.deviceId) : all
  }
  let positions = await read()
  // What must be projected: the position asked for, else every event stored when the request came.
  const target = q.position ? parsePosition(q.position) : new Map(positions.map((p) => [p.deviceId, p.lastSeq]))
  const reached = (ps: DevicePosition[]): boolean => {
    const at = new Map(ps.map((p) => [p.deviceId, p.projectedSeq]))
    for (const [deviceId, seq] of target) {
      const now = at.get(deviceId)
      // A device of another store (or unknown) in `position` cannot be waited for here.
      if (now !== undefined && now < seq) return false
    }
    return true
  }
  while (!reached(positions)) {
    const left = deadline - Date.now()
    if (left <= 0 || o.signal?.aborted) break
    projector?.wake()
    const news = projector?.progress()
    let timer: NodeJS.Timeout | undefined
    let onAbort: (() => void) | undefined
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(left, RECHECK_MS))
      onAbort = resolve
      o.signal?.addEventListener('abort', onAbort, { once: true })
      news?.promise.then(resolve, resolve)
    })
    clearTimeout(timer)
    if (onAbort) o.signal?.removeEventListener('abort', onAbort)
    news?.cancel()
    positions = await read()
  }
  const lag = lagOf(positions, o.clock())
  return { events: lag.events, ms: lag.ms }
}

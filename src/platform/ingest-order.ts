/**
 * Keeps one device's batches in order when a till sends the next before the last is answered (its
 * relay keeps two in flight). Ingest itself refuses a batch that does not continue the device's last
 * event (sequence_gap) and takes the device row FOR UPDATE, but two requests can reach that lock in
 * either order. So a batch that starts past the device's head waits here, bounded, for the batches in
 * front of it: while another batch of the device is being taken (up to maxWaitMs), or for one to
 * arrive (up to arriveMs, a till's second request can overtake its first on the wire). Then it
 * continues the head, or it gets its sequence_gap as before: this gate refuses nothing itself.
 * In-process: a platform run as several processes keeps today's behaviour (the till sends again).
 */
export class IngestOrder {
  private readonly heads = new Map<string, number>()
  private readonly busy = new Map<string, number>()
  private readonly waiting = new Map<string, Set<() => void>>()

  constructor(
    private readonly o: { maxWaitMs: number; arriveMs: number } = { maxWaitMs: 5_000, arriveMs: 250 },
  ) {}

  /**
   * Waits until the batch starting at `firstSeq` may go; `readHead` gives the device's last stored
   * seq when this process does not know it yet. Returns what ends the batch's turn: call it with
   * the device's last seq after the batch (null when it failed), always.
   */
  async enter(deviceId: string, firstSeq: number, readHead: () => Promise<number>): Promise<(lastSeq: number | null) => void> {
    const start = Date.now()
    for (;;) {
      let head = this.heads.get(deviceId)
      const others = this.busy.get(deviceId) ?? 0
      if (head === undefined && others === 0) {
        head = await readHead()
        if (!this.heads.has(deviceId)) this.heads.set(deviceId, head)
      }
      if (head !== undefined && firstSeq <= head + 1) break
      const limit = others > 0 ? this.o.maxWaitMs : this.o.arriveMs
      const left = start + limit - Date.now()
      if (left <= 0) break
      await new Promise<void>((resolve) => {
        const set = this.waiting.get(deviceId) ?? new Set()
        this.waiting.set(deviceId, set)
        const wake = (): void => {
          clearTimeout(timer)
          set.delete(wake)
          if (set.size === 0) this.waiting.delete(deviceId)
          resolve()
        }
        const timer = setTimeout(wake, left)
        set.add(wake)
      })
    }
    this.busy.set(deviceId, (this.busy.get(deviceId) ?? 0) + 1)
    this.wake(deviceId)
    let done = false
    return (lastSeq) => {
      if (done) return
      done = true
      const n = (this.busy.get(deviceId) ?? 1) - 1
      if (n > 0) this.busy.set(deviceId, n)
      else this.busy.delete(deviceId)
      if (lastSeq !== null) this.heads.set(deviceId, Math.max(this.heads.get(deviceId) ?? 0, lastSeq))
      this.wake(deviceId)
    }
  }

  /** Re-evaluates the waiting batches of a device (one entered or ended). */
  private wake(deviceId: string): void {
    for (const w of [...(this.waiting.get(deviceId) ?? [])]) w()
  }
}

import type { Timers } from '../../src/main/core/sync/client'

/**
 * A clock and timers the test moves by hand: `advance(ms)` moves time and runs what fell due, in
 * order. The network stays real; only waiting is simulated, so a 60 s Retry-After takes no time.
 */
export class ManualClock implements Timers {
  private t: number
  private seq = 0
  private readonly pending = new Map<number, { at: number; fn: () => void; ms: number }>()
  /** Every delay asked for, in order (the request timeouts too). */
  readonly requested: number[] = []

  constructor(start = Date.now()) {
    this.t = start
  }

  now = (): Date => new Date(this.t)

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.requested.push(ms)
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn, ms })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  /** Delays of the timers still waiting, soonest first. */
  waiting(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.t).sort((a, b) => a - b)
  }

  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
      if (!due) break
      this.pending.delete(due[0])
      this.t = Math.max(this.t, due[1].at)
      due[1].fn()
    }
    this.t = end
  }
}

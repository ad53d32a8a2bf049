/**
 * Wakes the long polls of GET /v1/device/payments/:id (in this process) when a payment changes:
 * a create, a query that moved it, the customer page, a cancel, an expiry. Waiters are bounded (in
 * total and per payment; over the bound the request answers at once instead of holding), and each
 * is removed when it wakes, times out or its request is aborted. With several platform processes
 * this would be PostgreSQL LISTEN/NOTIFY; one process needs no more than a map.
 */

export type WaitResult = 'notified' | 'timeout' | 'aborted' | 'busy' | 'closed'

export class PaymentNotifier {
  private readonly waiters = new Map<string, Set<(r: WaitResult) => void>>()
  private count = 0
  private closed = false

  constructor(
    readonly maxWaiters = 2000,
    readonly maxPerPayment = 32,
  ) {}

  /** How many requests are holding now (tests check cleanup). */
  get size(): number {
    return this.count
  }

  wait(paymentId: string, ms: number, signal?: AbortSignal): Promise<WaitResult> {
    if (this.closed) return Promise.resolve('closed')
    if (signal?.aborted) return Promise.resolve('aborted')
    let set = this.waiters.get(paymentId)
    if (this.count >= this.maxWaiters || (set?.size ?? 0) >= this.maxPerPayment) return Promise.resolve('busy')
    if (!set) {
      set = new Set()
      this.waiters.set(paymentId, set)
    }
    const waiters = set
    return new Promise<WaitResult>((resolve) => {
      const done = (r: WaitResult): void => {
        if (!waiters.delete(done)) return
        this.count--
        if (waiters.size === 0 && this.waiters.get(paymentId) === waiters) this.waiters.delete(paymentId)
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        resolve(r)
      }
      const onAbort = (): void => done('aborted')
      const timer = setTimeout(() => done('timeout'), Math.max(0, ms))
      waiters.add(done)
      this.count++
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  notify(paymentId: string): void {
    const set = this.waiters.get(paymentId)
    if (!set) return
    for (const done of [...set]) done('notified')
  }

  /** At shutdown: every holding request answers now, and no new one holds. */
  close(): void {
    this.closed = true
    for (const set of [...this.waiters.values()]) for (const done of [...set]) done('closed')
  }
}

/**
 * Exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"): the n-th retry
 * in a row waits random(0, min(cap, base·2^n)). Spreading tills out over the whole window keeps
 * a platform that just came back from being stampeded by every till of a chain at once.
 */
export interface BackoffOptions {
  baseMs: number
  capMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 5 * 60_000 }

export function fullJitterDelay(failures: number, o: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.min(failures, 40))
  return Math.floor(random() * ceiling)
}

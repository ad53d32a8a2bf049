import { performance } from 'node:perf_hooks'

export interface Summary {
  samples: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
  mean: number
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  }
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Milliseconds taken by fn, with its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now()
  const value = fn()
  return { ms: performance.now() - t0, value }
}

/** A small seeded PRNG (mulberry32) so every run generates the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from an empty list')
  return xs[Math.floor(r() * xs.length)] as T
}

export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1))
}

/**
 * Like Promise.all, but waits for every promise to settle before it throws the first failure, so no
 * run is left going (a platform process still starting) when the caller cleans up and exits.
 */
export async function bothSettled<T>(ps: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(ps)
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}

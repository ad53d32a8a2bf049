import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, freemem, release, totalmem, type as osType } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Summary } from './stats'

/** Which statistic a target is checked on; a ratio target compares two measured distributions. */
export type Stat = 'p50' | 'p95' | 'p99'

export interface Target {
  /** Every listed statistic must be at most `max` (and at least `min`) for the target to be met. */
  stats: Stat[]
  max: number
  min?: number
  text: string
}

export interface BenchResult {
  name: string
  unit: string
  samples: number
  p50: number
  p95: number
  p99: number
  /** null: a baseline or context figure, reported beside a target but not itself held to one. */
  target: Target | null
  met: boolean | null
  note?: string
}

export function result(name: string, unit: string, s: Pick<Summary, 'samples' | 'p50' | 'p95' | 'p99'>, target: Target | null, note?: string): BenchResult {
  const met = target ? target.stats.every((k) => s[k] <= target.max && s[k] >= (target.min ?? -Infinity)) : null
  return { name, unit, samples: s.samples, p50: s.p50, p95: s.p95, p99: s.p99, target, met, ...(note ? { note } : {}) }
}

/** A single measured figure (a load time): reported as p50 = p95 = p99. */
export function single(name: string, unit: string, value: number, target: Target | null, note?: string): BenchResult {
  return result(name, unit, { samples: 1, p50: value, p95: value, p99: value }, target, note)
}

export const atMost = (max: number, stats: Stat[], unit: string): Target => ({
  stats,
  max,
  text: `${stats.join(' & ')} ≤ ${max}${unit === '×' ? '×' : ` ${unit}`}`,
})

/** A throughput or ratio that must reach a floor (events/s, a ratio to a bare baseline). */
export const atLeast = (min: number, stats: Stat[], unit: string): Target => ({
  stats,
  max: Infinity,
  min,
  text: `${stats.join(' & ')} ≥ ${min}${unit === '×' ? '×' : ` ${unit}`}`,
})

export function machineInfo(): Record<string, unknown> {
  const cpu = cpus()
  const mem = new Database(':memory:')
  const sqlite = (mem.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  mem.close()
  return {
    node: process.version,
    v8: process.versions.v8,
    sqlite,
    os: `${osType()} ${release()}`,
    platform: process.platform,
    arch: process.arch,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    totalMemMB: Math.round(totalmem() / 2 ** 20),
    freeMemMB: Math.round(freemem() / 2 ** 20),
  }
}

export interface Report {
  suite: 'foundation' | 'sync'
  date: string
  mode: 'full' | 'quick'
  only: string[] | null
  durationSeconds: number
  machine: Record<string, unknown>
  benchmarks: BenchResult[]
}

const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  if (Math.abs(v) >= 1000) return v.toFixed(0)
  if (Math.abs(v) >= 100) return v.toFixed(1)
  if (Math.abs(v) >= 10) return v.toFixed(2)
  return v.toFixed(3)
}

export function table(results: readonly BenchResult[]): string {
  const head = ['benchmark', 'unit', 'n', 'p50', 'p95', 'p99', 'target', 'met']
  const rows = results.map((r) => [
    r.name,
    r.unit,
    String(r.samples),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    r.target?.text ?? '—',
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ])
  const width = head.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0))).join('  ')
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/**
 * Writes results/foundation-<date>.json and, for a full run of every benchmark, results/latest.json
 * (the committed one). A --quick or --only run writes foundation-<date>-quick.json / -partial.json only,
 * so a smoke run never replaces the figures the README quotes.
 */
export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true })
  const day = report.date.slice(0, 10)
  const json = `${JSON.stringify(report, null, 2)}\n`
  const full = report.mode === 'full' && report.only === null
  const suffix = full ? '' : report.mode === 'quick' ? '-quick' : '-partial'
  const files = [join(dir, `foundation-${day}${suffix}.json`)]
  if (full) files.push(join(dir, 'latest.json'))
  for (const f of files) writeFileSync(f, json)
  return files
}

import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, freemem, release, totalmem, type as osType } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
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
  /**
   * The bare baseline measured beside it in the same run (see linkBaselines), copied here so each
   * line of the table and the JSON carries it; null when the scenario says it has none.
   */
  baseline?: { name: string; unit: string; p50: number; p95: number; p99: number } | null
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

/** The PostgreSQL server the sync benchmarks use, if any: DAYBOOK_BENCH_PG_URL, else DAYBOOK_TEST_PG_URL. */
export function benchPgUrl(): string | undefined {
  return process.env.DAYBOOK_BENCH_PG_URL || process.env.DAYBOOK_TEST_PG_URL || undefined
}

/** `show server_version` of that server, or why it could not be read. */
export async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  try {
    await c.connect()
    const r = await c.query<{ server_version: string }>('SHOW server_version')
    return r.rows[0]?.server_version ?? 'unknown'
  } catch (e) {
    return `unreachable (${e instanceof Error ? e.message : String(e)})`
  } finally {
    await c.end().catch(() => {})
  }
}

export function machineLine(m: Record<string, unknown>): string {
  return `machine: ${String(m.cpus)} × ${String(m.cpuModel)}, ${String(m.totalMemMB)} MB; ${String(m.os)}; Node ${String(m.node)}; SQLite ${String(m.sqlite)} (better-sqlite3); PostgreSQL ${String(m.postgres ?? 'not used')}`
}

const isBaseline = (r: BenchResult): boolean => /\bbare\b|baseline/i.test(r.name)

/**
 * Puts each figure's baseline beside it: within one scenario's results, a figure (not itself a
 * baseline, not a ratio) takes the nearest baseline of the same unit after it, else before it.
 * A scenario that set `baseline` itself (an object, or null for none) is left as it said.
 */
export function linkBaselines(results: BenchResult[]): BenchResult[] {
  results.forEach((r, i) => {
    if (r.baseline !== undefined || isBaseline(r) || r.unit === '×') return
    const same = (b: BenchResult | undefined): b is BenchResult => b !== undefined && isBaseline(b) && b.unit === r.unit
    const b = results.slice(i + 1).find(same) ?? [...results.slice(0, i)].reverse().find(same)
    if (b) r.baseline = { name: b.name.trim(), unit: b.unit, p50: b.p50, p95: b.p95, p99: b.p99 }
  })
  return results
}

/** A figure a run must have produced: a finite p50, p95 and p99 (not null, NaN or ±Infinity). */
export function missingFigures(results: readonly BenchResult[]): string[] {
  return results
    .filter((r) => ![r.p50, r.p95, r.p99].every((v) => typeof v === 'number' && Number.isFinite(v)))
    .map((r) => `${r.name.trim()}: p50 ${String(r.p50)}, p95 ${String(r.p95)}, p99 ${String(r.p99)}`)
}

export interface Report {
  suite: 'foundation' | 'sync'
  date: string
  mode: 'full' | 'quick' | 'smoke'
  only: string[] | null
  durationSeconds: number
  machine: Record<string, unknown>
  benchmarks: BenchResult[]
  /** Scenarios that threw or left a figure missing; a run with any is not a result. */
  failures?: string[]
}

const fmt = (v: number): string => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v)
  if (Math.abs(v) >= 1000) return v.toFixed(0)
  if (Math.abs(v) >= 100) return v.toFixed(1)
  if (Math.abs(v) >= 10) return v.toFixed(2)
  return v.toFixed(3)
}

export function table(results: readonly BenchResult[]): string {
  const head = ['benchmark', 'unit', 'n', 'p50', 'p95', 'p99', 'baseline p50 · p95 · p99', 'target', 'met']
  const rows = results.map((r) => [
    r.name,
    r.unit,
    String(r.samples),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    r.baseline ? `${fmt(r.baseline.p50)} · ${fmt(r.baseline.p95)} · ${fmt(r.baseline.p99)}` : '',
    r.target?.text ?? '—',
    r.met === null ? '' : r.met ? 'met' : 'NOT MET',
  ])
  const width = head.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0))).join('  ')
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/**
 * The README's table: the same rows as `table`, in Markdown, headed by the run's date and machine
 * (`npm run bench:table` prints it from results/latest.json). Targets not met are in bold.
 */
export function markdownTable(report: Pick<Report, 'date' | 'machine' | 'mode' | 'durationSeconds' | 'benchmarks'>): string {
  const esc = (t: string): string => t.replaceAll('|', '\\|')
  const rows = report.benchmarks.map((r) => {
    const miss = r.met === false
    const b = (t: string): string => (miss ? `**${t}**` : t)
    return `| ${esc(r.name.trim())} | ${r.unit} | ${b(fmt(r.p50))} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.baseline ? `${fmt(r.baseline.p50)} · ${fmt(r.baseline.p95)} · ${fmt(r.baseline.p99)}` : ''} | ${esc(r.target?.text ?? '—')} | ${r.met === null ? '' : r.met ? 'met' : '**not met**'} |`
  })
  return [
    `Latest full run: ${report.date.slice(0, 10)}, ${report.mode}, ${report.durationSeconds} s; ${machineLine(report.machine)}.`,
    '',
    '| benchmark | unit | p50 | p95 | p99 | baseline p50 · p95 · p99 (same run) | target | met |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')
}

/**
 * Where a run's JSON goes. A full run of every benchmark with no failure: results/foundation-<date>.json
 * and results/latest.json (the committed one). A --smoke run: results/smoke.json only (gitignored; its
 * figures are not results). A --quick or --only run, or a run with failures:
 * foundation-<date>-quick.json / -partial.json only, so they never replace the figures the README quotes.
 */
export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true })
  const day = report.date.slice(0, 10)
  const json = `${JSON.stringify(report, null, 2)}\n`
  if (report.mode === 'smoke') {
    const f = join(dir, 'smoke.json')
    writeFileSync(f, json)
    return [f]
  }
  const full = report.mode === 'full' && report.only === null && (report.failures?.length ?? 0) === 0
  const suffix = full ? '' : report.mode === 'quick' ? '-quick' : '-partial'
  const files = [join(dir, `foundation-${day}${suffix}.json`)]
  if (full) files.push(join(dir, 'latest.json'))
  for (const f of files) writeFileSync(f, json)
  return files
}

// How a benchmark run judges and files its figures: a missing figure fails a run, a smoke run never
// writes latest.json, and each figure carries its bare baseline from the same run.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { linkBaselines, missingFigures, result, single, table, writeReport, type Report } from '../../bench/lib/results'
import { tempDir } from '../helpers/tmp'

const s = (p50: number) => ({ samples: 3, p50, p95: p50 * 2, p99: p50 * 3 })

describe('bench results', () => {
  it('a null, NaN or infinite figure is missing', () => {
    const ok = single('fine', 'ms', 1, null)
    const nan = single('nan', 'ms', Number.NaN, null)
    const inf = single('ratio', '×', Number.POSITIVE_INFINITY, null)
    const nul = { ...single('null', 'ms', 1, null), p95: null as unknown as number }
    expect(missingFigures([ok])).toEqual([])
    expect(missingFigures([ok, nan, inf, nul]).map((m) => m.split(':')[0])).toEqual(['nan', 'ratio', 'null'])
  })

  it('puts the nearest bare baseline of the same unit beside each figure, and leaves one a scenario set alone', () => {
    const rs = linkBaselines([
      result('Z close', 'ms', s(5), null),
      result('X report', 'ms', s(7), null),
      result('  bare: one SQL pass', 'ms', s(2), null),
      single('rate', 'events/s', 10, null),
      single('sync: bare loop', 'events/s', 100, null),
      single('ratio', '×', 0.1, null),
      { ...result('own choice', 'ms', s(9), null), baseline: null },
    ])
    expect(rs[0]?.baseline).toMatchObject({ name: 'bare: one SQL pass', p50: 2, p95: 4 })
    expect(rs[1]?.baseline?.p50).toBe(2)
    expect(rs[2]?.baseline).toBeUndefined()
    expect(rs[3]?.baseline).toMatchObject({ name: 'sync: bare loop', unit: 'events/s' })
    expect(rs[5]?.baseline).toBeUndefined()
    expect(rs[6]?.baseline).toBeNull()
    expect(table(rs)).toContain('2.000 · 4.000 · 6.000')
  })

  it('a smoke run writes smoke.json only; a full run with a failure never writes latest.json', () => {
    const dir = tempDir()
    const base: Report = { suite: 'foundation', date: '2026-12-06T20:00:00.000Z', mode: 'smoke', only: null, durationSeconds: 1, machine: {}, benchmarks: [] }
    expect(writeReport(dir, base)).toEqual([join(dir, 'smoke.json')])
    expect(existsSync(join(dir, 'latest.json'))).toBe(false)
    expect(JSON.parse(readFileSync(join(dir, 'smoke.json'), 'utf8'))).toMatchObject({ mode: 'smoke' })
    expect(writeReport(dir, { ...base, mode: 'full', failures: ['drain: boom'] })).toEqual([join(dir, 'foundation-2026-12-06-partial.json')])
    expect(existsSync(join(dir, 'latest.json'))).toBe(false)
    expect(writeReport(dir, { ...base, mode: 'full' })).toEqual([join(dir, 'foundation-2026-12-06.json'), join(dir, 'latest.json')])
  })
})

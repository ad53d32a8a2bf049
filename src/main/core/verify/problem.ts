import type { JournalProblemKind } from '../../../shared/contract'

/** The first thing found wrong: thrown from deep inside the walk, caught once at the top. */
export class VerifyProblem extends Error {
  constructor(
    readonly kind: JournalProblemKind,
    /** The journal event the problem is about (0 when it is about no event at all). */
    readonly seq: number,
    message: string,
    readonly table: string | null = null,
    readonly row: string | null = null,
  ) {
    super(message)
    this.name = 'VerifyProblem'
  }
}

/** A value as a message shows it: short, and "nothing" for a value that is not there. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (typeof v === 'string') return v.length > 80 ? JSON.stringify(`${v.slice(0, 77)}...`) : JSON.stringify(v)
  if (typeof v === 'object') {
    const s = JSON.stringify(v)
    return s.length > 80 ? `${s.slice(0, 77)}...` : s
  }
  return String(v)
}

/** A name or date as a message says it: strings plain, anything else as show() has it. */
export function plain(v: unknown): string {
  return typeof v === 'string' ? v : show(v)
}

/** The first place two JSON values differ, as "path is X, the event says Y"; null when equal. */
export function jsonDifference(actual: unknown, expected: unknown, path: string): string | null {
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    if (Array.isArray(actual) !== Array.isArray(expected)) return `${path} is ${show(actual)}, the event says ${show(expected)}`
    if (Array.isArray(actual) && Array.isArray(expected)) {
      for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
        const d = jsonDifference(actual[i], expected[i], `${path}[${i}]`)
        if (d) return d
      }
      return actual.length === expected.length ? null : `${path} has ${actual.length} entries, the event says ${expected.length}`
    }
    const a = actual as Record<string, unknown>
    const e = expected as Record<string, unknown>
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(e)])].sort()) {
      const d = jsonDifference(a[k], e[k], `${path}.${k}`)
      if (d) return d
    }
    return null
  }
  return actual === expected ? null : `${path} is ${show(actual)}, the event says ${show(expected)}`
}

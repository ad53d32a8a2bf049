import { DaybookError } from '../../../shared/errors'
import type { ReviewMatch } from '../../../shared/review-contract'
import type { MatchClass } from '../../../shared/settlement-contract'
import { stmt } from '../db/statements'
import { classify, nextDay, type ReconciledMethod } from '../settlement/classify'
import { localRecords } from '../settlement/locals'
import { localRef, readRun, rowRef } from '../settlement/run'
import { readStatement, statementRows } from '../settlement/statements'
import { calendarDate, type ReviewCtx } from './day'

/**
 * The reconciliation table of a day: every statement row and every till record of a run, each with
 * its class. The differences are the run's posted ones, as posted (with their resolutions): nothing
 * is re-judged. The matched pairs are not stored (a day has tens of thousands), so they are derived
 * again with the pure classifier from exactly the statements the run read (named in its event) and
 * the till's records; a pair whose row or record is part of a posted difference is shown only as
 * that difference.
 */

const rowKey = (statementId: string, line: number): string => `${statementId}\u0000${line}`
const localKey = (kind: string, id: string): string => `${kind}\u0000${id}`

export function reviewMatches(c: ReviewCtx, date: string, runId: string | undefined, only: MatchClass | undefined): { runId: string | null; matches: ReviewMatch[] } {
  const { db } = c
  calendarDate(date)
  const id =
    runId ?? (stmt(db, 'SELECT id FROM reconciliations WHERE business_date = ? ORDER BY journal_seq DESC LIMIT 1').get(date) as { id: string } | undefined)?.id
  if (!id) return { runId: null, matches: [] }
  const run = readRun(db, id)
  if (!run || run.businessDate !== date) throw new DaybookError('not_found', 'There is no such reconciliation for that day.', { runId: id, businessDate: date })
  const out: ReviewMatch[] = []
  const rowsTaken = new Set<string>()
  const localsTaken = new Set<string>()
  for (const d of run.differences) {
    if (d.row) rowsTaken.add(rowKey(d.row.statementId, d.row.line))
    if (d.local) localsTaken.add(localKey(d.local.kind, d.local.id))
    if (only && d.class !== only) continue
    out.push({ class: d.class, provider: d.provider, row: d.row, local: d.local, differenceId: d.id, resolution: d.resolution })
  }
  if (only && only !== 'matched') return { runId: id, matches: out }
  // The statements the run read, from its own record.
  const read = (JSON.parse((stmt(db, 'SELECT statements FROM reconciliations WHERE id = ?').get(id) as { statements: string }).statements) as { id: string }[])
    .map((s) => readStatement(db, s.id))
    .filter((s) => s !== undefined)
  const rows = read.flatMap((s) => statementRows(db, s))
  const providers = [...new Set(read.filter((s) => s.date === date).map((s) => s.provider))] as ReconciledMethod[]
  const D1 = nextDay(date)
  const classed = classify(date, D1, localRecords(db, c.settings, date, D1, providers), rows)
  const matched: ReviewMatch[] = []
  for (const i of classed.items) {
    if (i.class !== 'matched') continue
    if (i.row && rowsTaken.has(rowKey(i.row.statementId, i.row.line))) continue
    if (i.local && localsTaken.has(localKey(i.local.kind, i.local.id))) continue
    matched.push({ class: 'matched', provider: i.provider, row: i.row ? rowRef(i.row) : null, local: i.local ? localRef(i.local) : null, differenceId: null, resolution: null })
  }
  return { runId: id, matches: only === 'matched' ? matched : [...out, ...matched] }
}

import type { JournalReport } from '../../../shared/contract'
import { verifyLedgerFile, type FileOptions } from './verify'

const CHAIN_KINDS = new Set(['gap', 'broken_link', 'bad_hash', 'bad_payload'])

const n = (x: number | undefined): string => (x ?? 0).toLocaleString('en')

/** What `npm run daybook -- verify` prints for a report: one line per finding, plain words. */
export function describeReport(r: JournalReport, elapsedMs?: number): string[] {
  const out: string[] = []
  const rows = r.rows ?? {}
  if (r.ok) {
    out.push(`Journal intact: ${r.events} events, last seq ${r.lastSeq}, last hash ${r.lastHash}`)
    if (r.rows) {
      out.push(
        `Tables agree with the journal: ${n(rows.orders)} orders (${n(rows.order_lines)} lines, ${n(rows.order_taxes)} taxes, ${n(rows.order_tenders)} tenders), ` +
          `${n(rows.refunds)} refunds, ${n(rows.voids)} voids, ${n(rows.reprints)} reprints, ${n(rows.shifts)} shifts (${n(rows.shift_closes)} closed, ` +
          `${n(rows.shift_takeovers)} taken over), ${n(rows.cash_movements)} cash movements, ${n(rows.closures)} closures, ${n(rows.outbox)} outbox rows`,
      )
      out.push(`Ledger: ${n(rows.postings)} postings, ${n(rows.ledger_lines)} lines, every posting balances`)
    }
    const c = r.closures
    if (c) {
      out.push(
        c.count === 0
          ? 'Closures: none yet'
          : `Closures: ${c.count}, numbered 1–${c.lastNumber} without a gap; the last closed business day ${c.lastBusinessDate} at event ${c.lastSeq}; grand total ${c.grandTotal} (minor units)`,
      )
    }
    if (r.acknowledgedSeq != null) out.push(`Platform: acknowledged up to event ${r.acknowledgedSeq}; the journal reaches it`)
  } else {
    const p = r.problem!
    if (CHAIN_KINDS.has(p.kind)) {
      out.push(`Journal BROKEN at event ${p.seq} (${p.kind}): ${p.message}`)
      out.push(`Last good event: ${r.lastSeq}, hash ${r.lastHash}`)
    } else {
      out.push(`Ledger BROKEN${p.seq ? ` at event ${p.seq}` : ''} (${p.kind}${p.table ? `, ${p.table}` : ''}): ${p.message}`)
      out.push(`The journal's chain is intact up to event ${r.lastSeq}${kindHint(p.kind)}`)
    }
  }
  const seal = sealLine(r)
  if (seal) out.push(seal)
  // A duration, in whole milliseconds: no rounding of fractions to show.
  if (elapsedMs !== undefined) out.push(`Verified in ${Math.round(elapsedMs).toLocaleString('en')} ms`)
  return out
}

/** What the seal beside the ledger did for this run (verify/seal.ts), in one line. */
function sealLine(r: JournalReport): string | null {
  const s = r.seal
  if (!s) return null
  const made = s.written !== null ? ` Sealed through closure event ${s.written} for the next run.` : ''
  switch (s.outcome) {
    case 'used':
      return `Seal: events 1–${s.seq} are byte for byte as the verify of ${s.madeAt} proved them; events ${(s.seq ?? 0) + 1}–${r.lastSeq} were walked.${made}`
    case 'mismatch':
      return `Seal: something in events 1–${s.seq} changed since the verify of ${s.madeAt} (or it was made by another verifier), so every event was walked.${made}`
    case 'untrusted':
      return `Seal: the seal beside the ledger is not signed with this verifier's key (edited, or made elsewhere), so every event was walked.${made}`
    case 'ignored':
      return `Seal: ignored (--full); every event was walked.${made}`
    default:
      return made ? made.trim() : null
  }
}

function kindHint(kind: string): string {
  switch (kind) {
    case 'truncated':
      return ', where it ends; something says it went further.'
    case 'bad_closure':
      return '; a closure in it does not add up.'
    case 'unbalanced':
      return '; a posting in the ledger tables does not balance.'
    default:
      return '; a table the reports read does not agree with it.'
  }
}

/** `verify <file>`: opens the ledger read-only (never migrates it), prints the findings; 0 = clean, 1 = not. */
export async function verifyCommand(file: string, print: (line: string) => void = console.log, options: FileOptions = {}): Promise<number> {
  const t0 = performance.now()
  const report = await verifyLedgerFile(file, options)
  for (const line of describeReport(report, performance.now() - t0)) print(line)
  return report.ok ? 0 : 1
}

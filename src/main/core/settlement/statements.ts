import { createHash } from 'node:crypto'
import { canonicalJson } from '../../../shared/canonical-json'
import { DaybookError } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import type { TillStatement } from '../../../shared/settlement-contract'
import { totalsOf, type Statement, type StatementProvider, type StatementRow } from '../../../shared/statements/types'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { SourcedRow } from './classify'

/**
 * The providers' statements the till holds: inputs of a reconciliation, not posted records (they
 * are not journal events; the verifier does not rebuild them). Kept as received and append-only,
 * keyed by the sha256 of the file (a statement from the platform: the platform's sha256 of the
 * provider's file; a statement imported by hand: of its bytes), so the same statement fetched or
 * imported twice is one. When a provider sends a corrected file for a day, the newest one is what
 * a run reads; the older one stays, and the runs made from it keep naming it.
 */

interface StatementHeadRow {
  id: string
  file_sha256: string
  provider: StatementProvider
  format: string
  statement_date: string
  merchant_id: string
  currency: string
  source: 'platform' | 'file'
  file_name: string
  row_count: number
  gross_minor: number
  fee_minor: number
  net_minor: number
  imported_at: string
}

function toTillStatement(r: StatementHeadRow): TillStatement {
  return {
    id: r.id,
    provider: r.provider,
    format: r.format,
    date: r.statement_date,
    merchantId: r.merchant_id,
    source: r.source,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    rows: r.row_count,
    gross: r.gross_minor,
    fee: r.fee_minor,
    net: r.net_minor,
    importedAt: r.imported_at,
  }
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

/** The sha256 of a statement as data (used when the platform gave none). */
export const statementSha256 = (s: Statement): string => sha256Hex(canonicalJson(s))

export interface ImportMeta {
  source: 'platform' | 'file'
  fileName: string
  fileSha256: string
  at: string
  /** The store's currency: a statement in another is refused. */
  currency: string
}

/** Stores a statement once (by sha256); the same one again returns the stored one. */
export function storeStatement(db: Db, s: Statement, m: ImportMeta): TillStatement {
  const prior = stmt(db, 'SELECT * FROM till_statements WHERE file_sha256 = ?').get(m.fileSha256) as StatementHeadRow | undefined
  if (prior) return toTillStatement(prior)
  if (s.currency !== m.currency || s.rows.some((r) => r.currency !== m.currency)) {
    throw new DaybookError('statement_refused', `This statement is in ${s.currency}, but the store keeps its books in ${m.currency}.`, { reason: 'currency', line: null })
  }
  const bad = s.rows.find((r) => r.gross - r.fee !== r.net)
  if (bad) throw new DaybookError('statement_refused', `Line ${bad.line}: net is not gross less fee.`, { reason: 'bad_amount', line: bad.line })
  const t = totalsOf(s.rows)
  const id = newId()
  db.transaction(() => {
    stmt(
      db,
      `INSERT INTO till_statements (id, file_sha256, provider, format, statement_date, merchant_id, currency, source, file_name, row_count, gross_minor, fee_minor, net_minor, totals, imported_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, m.fileSha256, s.provider, s.format, s.date, s.merchantId, s.currency, m.source, m.fileName.slice(0, 255), s.rows.length, t.payments.gross + t.refunds.gross, t.payments.fee + t.refunds.fee + feeOf(s.rows), takingsNet(s.rows), JSON.stringify(s.totals), m.at)
    const row = stmt(
      db,
      `INSERT INTO till_statement_rows (statement_id, position, line, type, provider_ref, merchant_ref, refund_ref, gross_minor, fee_minor, net_minor, currency, provider_time, provider_date, batch, payout_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    s.rows.forEach((r, i) => row.run(id, i, r.line, r.type, r.providerRef, r.merchantRef, r.refundRef, r.gross, r.fee, r.net, r.currency, r.providerTime, r.providerDate, r.batch, r.payoutDate))
  }).immediate()
  return toTillStatement(stmt(db, 'SELECT * FROM till_statements WHERE id = ?').get(id) as StatementHeadRow)
}

/** Fees of the fee rows (the totals count payments' and refunds' fees only). */
/** Net of the day's takings (payments, refunds, fees); a payout row is the provider paying them out, shown apart. */
function takingsNet(rows: readonly StatementRow[]): number {
  let n = 0
  for (const r of rows) if (r.type !== 'payout') n += r.net
  return n
}

function feeOf(rows: readonly StatementRow[]): number {
  let f = 0
  for (const r of rows) if (r.type === 'fee') f += r.fee
  return f
}

export function listStatements(db: Db, date?: string): TillStatement[] {
  const rows = (
    date
      ? stmt(db, 'SELECT * FROM till_statements WHERE statement_date = ? ORDER BY provider, rowid').all(date)
      : stmt(db, 'SELECT * FROM till_statements ORDER BY statement_date DESC, provider, rowid LIMIT 500').all()
  ) as StatementHeadRow[]
  return rows.map(toTillStatement)
}

export function readStatement(db: Db, id: string): TillStatement | undefined {
  const r = stmt(db, 'SELECT * FROM till_statements WHERE id = ?').get(id) as StatementHeadRow | undefined
  return r ? toTillStatement(r) : undefined
}

/** The statement a run reads for a provider day: the newest held for each provider (and merchant account). */
export function currentStatements(db: Db, date: string): TillStatement[] {
  const rows = stmt(
    db,
    `SELECT * FROM till_statements s WHERE statement_date = ?
       AND rowid = (SELECT max(rowid) FROM till_statements t WHERE t.statement_date = s.statement_date AND t.provider = s.provider AND t.merchant_id = s.merchant_id)
     ORDER BY provider, merchant_id`,
  ).all(date) as StatementHeadRow[]
  return rows.map(toTillStatement)
}

type RowRaw = [number, number, StatementRow['type'], string, string | null, string | null, number, number, number, string, string, string, string | null, string | null]

/** A statement's rows, with the statement's provider and day (read as arrays: a statement is tens of thousands of rows). */
export function statementRows(db: Db, s: TillStatement): SourcedRow[] {
  const raw = stmt(
    db,
    `SELECT position, line, type, provider_ref, merchant_ref, refund_ref, gross_minor, fee_minor, net_minor, currency, provider_time, provider_date, batch, payout_date
     FROM till_statement_rows WHERE statement_id = ? ORDER BY position`,
  )
    .raw(true)
    .all(s.id) as RowRaw[]
  const out: SourcedRow[] = new Array<SourcedRow>(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!
    out[i] = {
      statementId: s.id,
      provider: s.provider,
      day: s.date,
      position: r[0],
      line: r[1],
      type: r[2],
      providerRef: r[3],
      merchantRef: r[4],
      refundRef: r[5],
      gross: r[6],
      fee: r[7],
      net: r[8],
      currency: r[9],
      providerTime: r[10],
      providerDate: r[11],
      batch: r[12],
      payoutDate: r[13],
    }
  }
  return out
}

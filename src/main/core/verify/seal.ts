import { createHash } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { PostedEntry } from '../../../shared/ledger'
import type { Db } from '../db/sqlite'
import { TABLES, type TableName, type TableSpec } from './tables'

/**
 * A seal: what lets `verify` skip re-proving the history it has already proved.
 *
 * A full walk costs ~100 µs an event (parse, canonical check, hash, every row rebuilt and compared)
 * and cannot get near 10 s for a million orders on two cores: JSON.parse of the payloads alone is
 * ~20 s. So a clean walk leaves a seal beside the ledger (`<ledger>.seal.json`) at the last closure
 * it proved: that closure's seq and hash, the closure state the walk carries on with (numbers, grand
 * total, day, its posting), the rows it counted, and a digest of every byte it proved — the journal
 * rows up to the closure and every posted row of those events, each row one JSON array made by
 * SQLite itself (group_concat, no row crosses into JavaScript), SHA-256 per chunk of events.
 *
 * The next verify recomputes that digest (~15 µs an event, in C, split between threads) and, when it
 * is equal, walks only the events after the seal, starting from its state. Any change to a sealed
 * byte — an amount, a deleted tender, a payload, an extra line — changes the digest, and verify then
 * walks everything, as if there were no seal, and names the first bad row as before. Equal digests
 * mean equal bytes: a row's JSON array holds no raw line break, and the journal's payload follows its
 * declared byte length, so one text splits into rows one way only. A seal that does not match for an
 * innocent reason (another query plan reading the rows in another order, a schema migration, a
 * verifier whose rules or columns changed: FORMAT and the fingerprint) only costs a full walk.
 *
 * What a seal does not add: it is as forgeable as the chain (unkeyed). Someone who rewrites rows and
 * the seal's digest to match could equally re-hash the chain and every closure after it, which
 * verify.ts already says it cannot see. `--full` ignores the seal.
 */

/** Bump when what a walk proves changes (a new check, another row rebuilt): older seals are then not trusted. */
export const SEAL_FORMAT = 1

/** Events per digest chunk: one query per table per chunk, a few tens of MB of text at most. */
export const SEAL_CHUNK = 20_000

/** What combine carries from closure to closure (verify.ts), and a seal resumes from. */
export interface ClosureState {
  count: number
  number: number
  lastSeq: number
  grandTotal: number
  businessDate: string | null
  seq: number | null
  /** The last closure's own posting, the first of the next period (sumFigures sees it there too). */
  entry: PostedEntry | null
}

export interface Seal {
  format: number
  schema: number
  /** The digest queries themselves, hashed: a verifier that reads other columns does not trust this seal. */
  fingerprint: string
  /** The closure event sealed through, and the journal's hash there. */
  seq: number
  hash: string
  digest: string
  madeAt: string
  /** Rows found equal in events 1…seq, per table, and the voided checkouts posted there. */
  rows: Record<string, number>
  voided: string[]
  closure: ClosureState
}

export type DigestSource = 'journal' | TableName

export interface DigestTask {
  source: DigestSource
  lo: number
  hi: number
}

export function sealPath(ledgerFile: string): string {
  return `${ledgerFile}.seal.json`
}

const JOURNAL_DIGEST =
  "SELECT CAST(group_concat(json_array(seq, event_id, device_id, type, created_at, prev_hash, hash, octet_length(payload)) || ifnull(payload, ''), char(10)) AS BLOB) FROM journal WHERE seq >= ? AND seq <= ?"

function tablesOf(version: number): [TableName, TableSpec][] {
  return (Object.entries(TABLES) as [TableName, TableSpec][]).filter(([, s]) => version >= s.since)
}

export function fingerprint(version: number): string {
  const h = createHash('sha256').update(`${SEAL_FORMAT}\n${SEAL_CHUNK}\n${JOURNAL_DIGEST}\n`)
  for (const [name, s] of tablesOf(version)) h.update(`${name}\n${s.digestSql(1, 1)}\n`)
  return h.digest('hex')
}

/** Every chunk of events 1…seq, the journal's first, then each table's, in one fixed order. */
export function digestTasks(version: number, seq: number): DigestTask[] {
  const tasks: DigestTask[] = []
  for (const source of ['journal' as const, ...tablesOf(version).map(([name]) => name)]) {
    for (let lo = 1; lo <= seq; lo += SEAL_CHUNK) tasks.push({ source, lo, hi: Math.min(seq, lo + SEAL_CHUNK - 1) })
  }
  return tasks
}

/**
 * One chunk's SHA-256 (hex), or null when SQLite cannot read it as the till writes it (a BLOB where
 * text was, a table gone): the caller treats that as a seal that does not match.
 */
export function digestChunk(db: Db, task: DigestTask): string | null {
  try {
    const sql = task.source === 'journal' ? JOURNAL_DIGEST : TABLES[task.source].digestSql(task.lo, task.hi)
    const st = db.prepare(sql).pluck()
    const text = (task.source === 'journal' ? st.get(task.lo, task.hi) : st.get()) as Buffer | null
    return createHash('sha256')
      .update(text ?? Buffer.alloc(0))
      .digest('hex')
  } catch {
    return null
  }
}

/** The seal's digest from its chunks' (in digestTasks order); null if any chunk could not be read. */
export function joinDigests(parts: readonly (string | null)[]): string | null {
  if (parts.some((p) => p === null)) return null
  return createHash('sha256').update(parts.join('\n')).digest('hex')
}

/** The seal beside a ledger, if there is one this verifier can use; anything unreadable is no seal. */
export function readSeal(file: string, version: number): Seal | null {
  let seal: Seal
  try {
    seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
  } catch {
    return null
  }
  const ok =
    typeof seal === 'object' &&
    seal !== null &&
    seal.format === SEAL_FORMAT &&
    seal.schema === version &&
    seal.fingerprint === fingerprint(version) &&
    Number.isSafeInteger(seal.seq) &&
    seal.seq > 0 &&
    typeof seal.hash === 'string' &&
    typeof seal.digest === 'string' &&
    typeof seal.rows === 'object' &&
    Array.isArray(seal.voided) &&
    typeof seal.closure === 'object' &&
    seal.closure !== null &&
    seal.closure.seq === seal.seq
  return ok ? seal : null
}

/** Writes the seal next to the ledger, whole or not at all; false when the folder is not writable. */
export function writeSeal(file: string, seal: Seal): boolean {
  const path = sealPath(file)
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(seal)}\n`)
    renameSync(`${path}.tmp`, path)
    return true
  } catch {
    return false
  }
}

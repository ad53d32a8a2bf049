import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { canonicalJson } from '../../../shared/canonical-json'
import type { PostedEntry } from '../../../shared/ledger'
import type { Statement } from 'better-sqlite3'
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
 * Trust. A seal is only as good as the file: whoever could rewrite it could make any tampering look
 * sealed, and its digest, being public arithmetic, can be recomputed by anyone. So every field of a
 * seal is under an HMAC-SHA256 with a key kept outside the data folder (verifyKeyFile: by default
 * ~/.daybook/verify-seal.key, made on first use, readable by its owner only). Someone who can edit the
 * ledger and its folder cannot make a seal this verifier accepts; someone who can read the verifier's
 * key can, and `--full` trusts no seal at all. A seal that does not verify is ignored ('untrusted').
 *
 * What a seal is evidence of: the journal once reached its closure with that hash. A journal that now
 * ends before it, or holds another event there, was cut or rewritten after it was proved (or is an
 * older backup put back): verify says so as a problem and keeps the seal.
 *
 * Also digested with the events: the ledger's own schema for these tables (CREATE statements of the
 * tables, indexes and triggers: dropping the triggers to edit a posted row changes it), the stored type
 * of each payload, the posted rows with a seq below 1 (the first chunk is open below), and for each
 * checkout.voided event the checkouts row and the tender attempts it names (what the walk's void check
 * reads from those working tables).
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
  /** HMAC-SHA256 of every other field, with the verifier's key (verifyKeyFile). */
  mac: string
}

export type DigestSource = 'schema' | 'journal' | TableName

export interface DigestTask {
  source: DigestSource
  lo: number
  hi: number
}

export function sealPath(ledgerFile: string): string {
  return `${ledgerFile}.seal.json`
}

/** The working rows a void's check reads (walk.ts checkVoid), beside its event: schema 6 on. */
const VOID_ROWS = `CASE WHEN type = 'checkout.voided' THEN json_array(
    (SELECT json_array(c.id, c.state, c.total_minor, c.currency, c.void_reason, c.staff_id, c.void_by_id, c.staff_name, c.void_by_name, c.void_approved_by_id, c.void_approved_by_name)
       FROM checkouts c WHERE c.id = json_extract(payload, '$.checkoutId')),
    (SELECT json_group_array(json_array(t.key, a.id, a.checkout_id, a.method, a.amount_minor))
       FROM json_each(payload, '$.tenders') t LEFT JOIN tender_attempts a ON a.id = json_extract(t.value, '$.id'))) END`

function journalDigestSql(version: number): string {
  const voids = version >= 6 ? VOID_ROWS : 'NULL'
  return `SELECT CAST(group_concat(json_array(seq, event_id, device_id, type, created_at, prev_hash, hash, typeof(payload), octet_length(payload), ${voids}) || ifnull(payload, ''), char(10)) AS BLOB) FROM journal WHERE seq >= ? AND seq <= ?`
}

/** The CREATE statements of every table a seal covers, with their indexes and triggers. */
function schemaDigestSql(version: number): string {
  const tables = ['journal', ...tablesOf(version).map(([, s]) => s.table), ...(version >= 6 ? ['checkouts', 'tender_attempts'] : [])]
  const names = [...new Set(tables)].map((t) => `'${t}'`).join(', ')
  return `SELECT CAST(group_concat(json_array(type, name, tbl_name, sql), char(10) ORDER BY type, name) AS BLOB) FROM sqlite_schema WHERE tbl_name IN (${names})`
}

function tablesOf(version: number): [TableName, TableSpec][] {
  return (Object.entries(TABLES) as [TableName, TableSpec][]).filter(([, s]) => version >= s.since)
}

export function fingerprint(version: number): string {
  const h = createHash('sha256').update(`${SEAL_FORMAT}\n${SEAL_CHUNK}\n${SLICE}\n${journalDigestSql(version)}\n${schemaDigestSql(version)}\n`)
  for (const [name, s] of tablesOf(version)) h.update(`${name}\n${s.digestSql()}\n`)
  return h.digest('hex')
}

/** Every chunk of events 1…seq, the journal's first, then each table's, in one fixed order. */
export function digestTasks(version: number, seq: number): DigestTask[] {
  const tasks: DigestTask[] = [{ source: 'schema', lo: 0, hi: 0 }]
  for (const source of ['journal' as const, ...tablesOf(version).map(([name]) => name)]) {
    for (let lo = 1; lo <= seq; lo += SEAL_CHUNK) tasks.push({ source, lo, hi: Math.min(seq, lo + SEAL_CHUNK - 1) })
  }
  return tasks
}

/**
 * Events per query within a chunk: a few MB of text each. Bigger texts cost more than their size
 * (SQLite grows the text by copying; measured: the journal at 20,000 events a query ~6.5 µs an event,
 * at 1,000 ~3.8 µs).
 */
const SLICE = 1_000

const statements = new WeakMap<Db, Map<string, Statement>>()

function prepared(db: Db, sql: string): Statement {
  let m = statements.get(db)
  if (!m) statements.set(db, (m = new Map()))
  let st = m.get(sql)
  if (!st) m.set(sql, (st = db.prepare(sql).pluck()))
  return st
}

/**
 * One chunk's SHA-256 (hex), or null when SQLite cannot read it as the till writes it (a BLOB where
 * text was, a table gone): the caller treats that as a seal that does not match. The first chunk of
 * a table is open below: a row put in with seq 0 or less is sealed bytes too.
 */
export function digestChunk(db: Db, version: number, task: DigestTask): string | null {
  try {
    const h = createHash('sha256')
    if (task.source === 'schema') {
      const text = prepared(db, schemaDigestSql(version)).get() as Buffer | null
      if (text) h.update(text)
      return h.digest('hex')
    }
    const spec = task.source === 'journal' ? null : TABLES[task.source]
    const st = prepared(db, spec ? spec.digestSql() : journalDigestSql(version))
    const ids = prepared(db, 'SELECT min(id) AS lo, max(id) AS hi FROM orders WHERE journal_seq >= ? AND journal_seq <= ?').pluck(false)
    for (let lo = task.lo; lo <= task.hi; lo += SLICE) {
      const from = lo === 1 && spec ? Number.MIN_SAFE_INTEGER : lo
      const to = Math.min(task.hi, lo + SLICE - 1)
      let text: Buffer | null = null
      if (spec?.byOrder) {
        const range = ids.get(from, to) as { lo: string | null; hi: string | null }
        if (range.lo !== null) text = st.get(range.lo, range.hi) as Buffer | null
      } else text = st.get(from, to) as Buffer | null
      // Each slice ends with a line break: the slices of a chunk join into one text one way only.
      if (text) h.update(text)
      h.update('\n')
    }
    return h.digest('hex')
  } catch {
    return null
  }
}

/** The seal's digest from its chunks' (in digestTasks order); null if any chunk could not be read. */
export function joinDigests(parts: readonly (string | null)[]): string | null {
  if (parts.some((p) => p === null)) return null
  return createHash('sha256').update(parts.join('\n')).digest('hex')
}

/** Where the key that signs seals is kept: $DAYBOOK_VERIFY_KEY_FILE, or ~/.daybook/verify-seal.key. */
export function verifyKeyFile(): string {
  return process.env.DAYBOOK_VERIFY_KEY_FILE || join(homedir(), '.daybook', 'verify-seal.key')
}

/** The key, made (32 random bytes, owner-only) the first time; null when it cannot be read or made. */
export function sealKey(file = verifyKeyFile(), create = false): Buffer | null {
  try {
    const k = readFileSync(file)
    return k.length >= 32 ? k : null
  } catch {
    if (!create) return null
  }
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 })
  } catch {
    // Made meanwhile by another verify (wx refuses to overwrite): read it below.
  }
  try {
    const k = readFileSync(file)
    return k.length >= 32 ? k : null
  } catch {
    return null
  }
}

/** The HMAC over every field of a seal but the MAC itself. */
function macOf(key: Buffer, seal: Omit<Seal, 'mac'>): string {
  return createHmac('sha256', key).update(canonicalJson(seal)).digest('hex')
}

export type ReadSeal = { seal: Seal } | { seal: null; why: 'none' | 'untrusted' }

/**
 * The seal beside a ledger: none (no file, or not a seal of this verifier and schema), untrusted (its
 * MAC does not verify with this verifier's key: edited, or made with another key), or the seal.
 */
export function readSeal(file: string, version: number, key: Buffer | null): ReadSeal {
  let seal: Seal
  try {
    seal = JSON.parse(readFileSync(sealPath(file), 'utf8')) as Seal
  } catch {
    return { seal: null, why: 'none' }
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
    typeof seal.mac === 'string' &&
    typeof seal.rows === 'object' &&
    Array.isArray(seal.voided) &&
    typeof seal.closure === 'object' &&
    seal.closure !== null &&
    seal.closure.seq === seal.seq
  if (!ok) return { seal: null, why: 'none' }
  if (!key) return { seal: null, why: 'untrusted' }
  const { mac, ...fields } = seal
  let expected: string
  try {
    expected = macOf(key, fields)
  } catch {
    return { seal: null, why: 'untrusted' }
  }
  const same = mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
  return same ? { seal } : { seal: null, why: 'untrusted' }
}

/** Signs and writes the seal next to the ledger, whole or not at all; false when it cannot. */
export function writeSeal(file: string, fields: Omit<Seal, 'mac'>, key: Buffer): boolean {
  const path = sealPath(file)
  try {
    const seal: Seal = { ...fields, mac: macOf(key, fields) }
    writeFileSync(`${path}.tmp`, `${JSON.stringify(seal)}\n`)
    renameSync(`${path}.tmp`, path)
    return true
  } catch {
    return false
  }
}

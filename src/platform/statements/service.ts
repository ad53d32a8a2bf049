import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { newId } from '../../shared/ids'
import { WALLETS, type Wallet } from '../../shared/payments'
import type { StoreFeeSetSchema, StoreFeesSchema } from '../../shared/statements-api'
import { parseStatementFile } from '../../shared/statements/index'
import {
  STATEMENT_PROVIDERS,
  StatementError,
  StatementSchema,
  type ProviderLookup,
  type ProviderLookupRequest,
  type Statement,
  type StatementErrorReason,
  type StatementProvider,
  type StatementRow,
  type StatementsForDate,
  type StoredStatement,
} from '../../shared/statements/types'
import type { Database, Queryable } from '../db'
import { PlatformHttpError, fail } from '../errors'
import { addDays, storeFeeRate } from '../sandbox/bills'
import type { SandboxWallets } from '../sandbox/index'
import { getStore, iso } from '../service'
import type { StatementAdapter, StatementStore } from './adapter'

/**
 * The providers' statements as the platform keeps them (tables statements, statement_rows): fetched
 * from each configured provider for a store and provider day, or uploaded by the owner, parsed whole
 * by the format's shared parser (a refused file stores nothing), checked against the store's currency,
 * and stored normalized; the same file (sha256) for the same store, provider and day is the same
 * statement. Wallet rows without a payout date get T+1 (the sandbox wallets pay out the next day).
 */

interface StatementDbRow extends Record<string, unknown> {
  id: string
  store_id: string
  provider: StatementProvider
  format: Statement['format']
  date: string
  merchant_id: string
  currency: string
  source: 'provider' | 'upload'
  file_sha256: string
  file_name: string
  fetched_at: Date
  totals: string
}

interface RowDbRow extends Record<string, unknown> {
  statement_id: string
  idx: number
  line: number
  type: StatementRow['type']
  provider_ref: string
  merchant_ref: string | null
  refund_ref: string | null
  gross: number
  fee: number
  net: number
  currency: string
  provider_time: string
  provider_date: string
  batch: string | null
  payout_date: string | null
}

const ROW_COLUMNS = ['statement_id', 'idx', 'line', 'type', 'provider_ref', 'merchant_ref', 'refund_ref', 'gross', 'fee', 'net', 'currency', 'provider_time', 'provider_date', 'batch', 'payout_date'] as const
const ROWS_PER_INSERT = 1000

export function refused(reason: StatementErrorReason, message: string, line: number | null): PlatformHttpError {
  return new PlatformHttpError('statement_refused', message, { reason, line })
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

export interface StatementServiceOptions {
  db: Database
  adapters: Map<StatementProvider, StatementAdapter>
  wallets: SandboxWallets
  warn?: (fields: Record<string, unknown>, message: string) => void
}

export class StatementService {
  readonly db: Database
  readonly adapters: Map<StatementProvider, StatementAdapter>
  readonly wallets: SandboxWallets
  private readonly warn: (fields: Record<string, unknown>, message: string) => void

  constructor(o: StatementServiceOptions) {
    this.db = o.db
    this.adapters = o.adapters
    this.wallets = o.wallets
    this.warn = o.warn ?? (() => {})
  }

  // ---- parsing and checking ------------------------------------------------------------------------------

  /** Parses a whole file or refuses it (statement_refused, details { reason, line }); checks the store's currency. */
  accept(parse: (bytes: Uint8Array) => Statement, bytes: Uint8Array, store: { currency: string }): Statement {
    let parsed: Statement
    try {
      parsed = parse(bytes)
    } catch (e) {
      if (e instanceof StatementError) throw refused(e.reason, e.message, e.line)
      this.warn({ err: e instanceof Error ? e.message : String(e) }, 'a statement parser failed on a file')
      throw refused('unknown_format', `The file cannot be read as a bill: ${e instanceof Error ? e.message : String(e)}`, null)
    }
    const checked = StatementSchema.safeParse(parsed)
    if (!checked.success) throw refused('bad_row', `The file's statement is not acceptable: ${checked.error.issues[0]?.message ?? 'invalid'}.`, null)
    const s = checked.data
    if (s.currency !== store.currency) throw refused('currency', `The statement is in ${s.currency}, the store in ${store.currency}.`, null)
    const other = s.rows.find((r) => r.currency !== store.currency)
    if (other) throw refused('currency', `A row is in ${other.currency}, the store in ${store.currency}.`, other.line || null)
    return s
  }

  /** Wallet payments and refunds are paid out the day after (T+1) when the file does not say. */
  private withPayoutDates(s: Statement): Statement {
    if (s.provider === 'card') return s
    return { ...s, rows: s.rows.map((r) => (r.payoutDate === null && (r.type === 'payment' || r.type === 'refund') ? { ...r, payoutDate: addDays(r.providerDate, 1) } : r)) }
  }

  /** Stores a parsed statement; the same file again (same store, provider, day and sha256) is the stored one. */
  async store(storeId: string, s: Statement, source: 'provider' | 'upload', bytes: Uint8Array, fileName: string, now: Date): Promise<StoredStatement> {
    const st = this.withPayoutDates(s)
    const fileSha256 = sha256(bytes)
    const id = await this.db.tx(async (q) => {
      const inserted = await q.query<{ id: string }>(
        `INSERT INTO statements (id, store_id, provider, format, date, merchant_id, currency, source, file_sha256, file_name, fetched_at, totals)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (store_id, provider, date, file_sha256) DO NOTHING RETURNING id`,
        [newId(), storeId, st.provider, st.format, st.date, st.merchantId, st.currency, source, fileSha256, fileName, now.toISOString(), JSON.stringify(st.totals)],
      )
      if (!inserted[0]) {
        const existing = await q.query<{ id: string }>('SELECT id FROM statements WHERE store_id = $1 AND provider = $2 AND date = $3 AND file_sha256 = $4', [storeId, st.provider, st.date, fileSha256])
        return existing[0]!.id
      }
      const sid = inserted[0].id
      for (let i = 0; i < st.rows.length; i += ROWS_PER_INSERT) {
        const chunk = st.rows.slice(i, i + ROWS_PER_INSERT)
        const params: unknown[] = []
        const tuples = chunk.map((r, j) => {
          params.push(sid, i + j, r.line, r.type, r.providerRef, r.merchantRef, r.refundRef, r.gross, r.fee, r.net, r.currency, r.providerTime, r.providerDate, r.batch, r.payoutDate)
          const b = j * ROW_COLUMNS.length
          return `(${ROW_COLUMNS.map((_, k) => `$${b + k + 1}`).join(', ')})`
        })
        await q.query(`INSERT INTO statement_rows (${ROW_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params)
      }
      return sid
    })
    return (await this.read(this.db, 'id = $1', [id]))[0]!
  }

  private async read(q: Queryable, where: string, params: unknown[]): Promise<StoredStatement[]> {
    const heads = await q.query<StatementDbRow>(`SELECT * FROM statements WHERE ${where} ORDER BY fetched_at DESC, id DESC`, params)
    if (heads.length === 0) return []
    const rows = await q.query<RowDbRow>('SELECT * FROM statement_rows WHERE statement_id = ANY($1::text[]) ORDER BY statement_id, idx', [heads.map((h) => h.id)])
    const by = new Map<string, StatementRow[]>()
    for (const r of rows) {
      const list = by.get(r.statement_id) ?? []
      list.push({
        line: r.line,
        type: r.type,
        providerRef: r.provider_ref,
        merchantRef: r.merchant_ref,
        refundRef: r.refund_ref,
        gross: r.gross,
        fee: r.fee,
        net: r.net,
        currency: r.currency as StatementRow['currency'],
        providerTime: r.provider_time,
        providerDate: r.provider_date,
        batch: r.batch,
        payoutDate: r.payout_date,
      })
      by.set(r.statement_id, list)
    }
    return heads.map((h) => ({
      id: h.id,
      provider: h.provider,
      format: h.format,
      merchantId: h.merchant_id,
      date: h.date,
      currency: h.currency as Statement['currency'],
      rows: by.get(h.id) ?? [],
      totals: JSON.parse(h.totals) as Statement['totals'],
      source: h.source,
      fileSha256: h.file_sha256,
      fileName: h.file_name,
      fetchedAt: iso(h.fetched_at),
    }))
  }

  // ---- the routes ---------------------------------------------------------------------------------------------

  /**
   * Every provider's statement of a provider day for a store: the newest stored one, else fetched
   * from the provider now (unless `refetch`: then fetched again whatever is stored).
   */
  async forDate(storeId: string, date: string, now: Date, opts: { refetch?: boolean } = {}): Promise<StatementsForDate> {
    const store = await getStore(this.db, storeId)
    const call: StatementStore = { id: store.id, name: store.name, currency: store.currency, timeZone: store.timeZone }
    const out: StatementsForDate = { date, statements: [], missing: [] }
    for (const provider of STATEMENT_PROVIDERS) {
      const adapter = this.adapters.get(provider)
      if (!opts.refetch || !adapter) {
        const stored = (await this.read(this.db, 'store_id = $1 AND provider = $2 AND date = $3', [store.id, provider, date]))[0]
        if (stored) {
          out.statements.push(stored)
          continue
        }
      }
      if (!adapter) {
        out.missing.push({ provider, reason: 'not_configured', availableAt: null, message: provider === 'card' ? 'No card acquirer is configured on this platform.' : `No ${provider} account is configured.` })
        continue
      }
      let f: Awaited<ReturnType<StatementAdapter['fetch']>>
      try {
        f = await adapter.fetch({ q: this.db, now, store: call }, date)
      } catch (e) {
        f = { kind: 'failed', message: `Fetching the ${provider} statement failed: ${e instanceof Error ? e.message : String(e)}` }
      }
      if (f.kind === 'not_yet_available') out.missing.push({ provider, reason: 'not_yet_available', availableAt: f.availableAt.toISOString(), message: f.message })
      else if (f.kind === 'not_configured' || f.kind === 'failed') out.missing.push({ provider, reason: f.kind, availableAt: null, message: f.message })
      else {
        try {
          const s = this.accept(adapter.parse, f.bytes, store)
          if (s.provider !== provider || s.date !== date) throw refused('unknown_format', `The ${provider} file is a ${s.provider} statement of ${s.date}, not of ${date}.`, null)
          out.statements.push(await this.store(store.id, s, 'provider', f.bytes, f.fileName, now))
        } catch (e) {
          if (!(e instanceof PlatformHttpError) || e.code !== 'statement_refused') throw e
          this.warn({ provider, reason: (e.details as { reason: string }).reason }, 'a provider statement was refused')
          out.missing.push({ provider, reason: 'failed', availableAt: null, message: `The ${provider} file was refused: ${e.message}` })
        }
      }
    }
    return out
  }

  /** An owner's upload: parsed whole with the format sniffed from the bytes, or refused whole. */
  async upload(storeId: string, bytes: Uint8Array, fileName: string | undefined, now: Date): Promise<StoredStatement> {
    const store = await getStore(this.db, storeId)
    if (bytes.length === 0) fail('invalid_request', 'The request has no body: send the bill file as it is (application/octet-stream, application/zip or text/csv).')
    const s = this.accept(parseStatementFile, bytes, store)
    return this.store(store.id, s, 'upload', bytes, fileName ?? `${s.provider}-${s.date}-upload`, now)
  }

  async list(storeId: string, f: { date?: string; provider?: StatementProvider }): Promise<{ storeId: string; statements: StoredStatement[] }> {
    await getStore(this.db, storeId)
    const where = ['store_id = $1']
    const params: unknown[] = [storeId]
    if (f.date) where.push(`date = $${params.push(f.date)}`)
    if (f.provider) where.push(`provider = $${params.push(f.provider)}`)
    return { storeId, statements: await this.read(this.db, where.join(' AND '), params) }
  }

  /**
   * "Ask again": the wallet's trade query about one transaction of this store, by out_trade_no or
   * the provider's trade number (found through the store's payments and statements). Nothing changes
   * at the platform; the wallet's own books move as a query moves them.
   */
  async lookup(storeId: string, req: ProviderLookupRequest, now: Date, publicUrl: string): Promise<ProviderLookup> {
    if (req.merchantRef === null && req.providerRef === null) fail('invalid_request', 'Name the transaction: merchantRef, providerRef or both.', [{ path: ['body'], message: 'merchantRef or providerRef' }])
    const base: ProviderLookup = { provider: req.provider, status: 'not_found', amount: null, refunded: null, fee: null, providerRef: req.providerRef, merchantRef: req.merchantRef, paidAt: null, checkedAt: now.toISOString() }
    // the card acquirer answers through its statements only (no per-transaction query here)
    if (req.provider === 'card') return { ...base, status: 'unknown' }
    const wallet: Wallet = req.provider
    return this.db.tx(async (q) => {
      let out = req.merchantRef
      if (out === null) {
        const byPayment = await q.query<{ payment_id: string }>('SELECT payment_id FROM wallet_payments WHERE store_id = $1 AND wallet = $2 AND provider_ref = $3', [storeId, wallet, req.providerRef])
        const byStatement = await q.query<{ merchant_ref: string }>(
          `SELECT r.merchant_ref FROM statement_rows r JOIN statements s ON s.id = r.statement_id WHERE s.store_id = $1 AND s.provider = $2 AND r.provider_ref = $3 AND r.merchant_ref IS NOT NULL LIMIT 1`,
          [storeId, wallet, req.providerRef],
        )
        out = byPayment[0]?.payment_id ?? byStatement[0]?.merchant_ref ?? null
        if (out === null) return base
      }
      const mine = await q.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM wallet_payments WHERE payment_id = $1 AND store_id = $2 AND NOT tombstone)
              + (SELECT count(*) FROM sandbox_statement_differences WHERE out_trade_no = $1 AND store_id = $2 AND wallet = $3)
              + (SELECT count(*) FROM statement_rows r JOIN statements s ON s.id = r.statement_id WHERE r.merchant_ref = $1 AND s.store_id = $2 AND s.provider = $3) AS n`,
        [out, storeId, wallet],
      )
      if (Number(mine[0]?.n ?? 0) === 0) return { ...base, merchantRef: out }
      const provider = this.wallets[wallet]
      const a = await provider.query({ q, now, publicUrl }, out)
      const t = await provider.books.get(q, out)
      // a trade listed twice under two trade numbers: the second one is the sandbox's duplicate
      const dup = req.providerRef !== null && t !== null && req.providerRef !== t.trade_no
        ? (await q.query<{ n: number }>(`SELECT count(*) AS n FROM sandbox_statement_differences WHERE store_id = $1 AND wallet = $2 AND kind = 'duplicate' AND out_trade_no = $3 AND trade_no = $4`, [storeId, wallet, out, req.providerRef]))[0]
        : null
      if (req.providerRef !== null && t !== null && req.providerRef !== t.trade_no && Number(dup?.n ?? 0) === 0) return { ...base, merchantRef: out }
      const answer: ProviderLookup = {
        ...base,
        merchantRef: out,
        providerRef: req.providerRef ?? a.tradeNo,
        amount: t?.amount ?? null,
        refunded: t ? (t.status === 'reversed' ? t.amount : t.refunded) : null,
        fee: t && (t.status === 'paid' || t.status === 'reversed') ? t.fee : t ? 0 : null,
        paidAt: t?.paid_at ? iso(t.paid_at) : null,
      }
      if (a.timedOut) return { ...answer, status: 'unknown' }
      switch (a.outcome) {
        case 'paid': {
          const refunded = dup ? 0 : (t?.refunded ?? 0)
          const amount = t?.amount ?? 0
          return { ...answer, refunded, status: refunded === 0 ? 'paid' : refunded >= amount ? 'refunded' : 'partially_refunded' }
        }
        case 'reversed':
          return { ...answer, status: 'refunded' }
        case 'waiting':
          return { ...answer, status: 'not_paid' }
        case 'declined':
        case 'closed':
          return { ...answer, status: 'closed' }
        case 'not_found':
          return { ...answer, status: 'not_found', amount: null, refunded: null, fee: null, paidAt: null }
        default:
          return { ...answer, status: 'unknown' }
      }
    })
  }

  // ---- fees per store and wallet ------------------------------------------------------------------------------

  async fees(storeId: string): Promise<z.infer<typeof StoreFeesSchema>> {
    await getStore(this.db, storeId)
    const fees = []
    for (const w of WALLETS) {
      const r = await storeFeeRate(this.db, storeId, w, this.wallets[w].books.feeBasisPoints)
      fees.push({ provider: w, ...r })
    }
    return { storeId, fees }
  }

  async setFee(storeId: string, input: z.output<typeof StoreFeeSetSchema>, now: Date): Promise<z.infer<typeof StoreFeesSchema>> {
    await getStore(this.db, storeId)
    await this.db.query(
      `INSERT INTO store_provider_fees (store_id, provider, basis_points, rounding, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (store_id, provider) DO UPDATE SET basis_points = excluded.basis_points, rounding = excluded.rounding, updated_at = excluded.updated_at`,
      [storeId, input.provider, input.basisPoints, input.rounding, now.toISOString()],
    )
    return this.fees(storeId)
  }
}

import type { Statement, StatementFormat, StatementProvider } from '../../shared/statements/types'
import type { Queryable } from '../db'

/**
 * One provider statement adapter per file format, behind this interface, beside the wallet
 * providers (payments/provider.ts). An adapter fetches the provider's own file for a store and a
 * provider day the way that provider serves it (Alipay: bill download URL that expires in 30 s, GBK
 * ZIP; WeChat Pay: trade bill; cards: the acquirer's Settlement details report over basic auth) and
 * parses it with the shared parser of its format. A real provider's adapter would make the HTTP
 * calls; the sandbox's make the same calls against the platform's own sandbox (or the terminal
 * simulator's acquirer), so the parsing path is the one a real bill takes.
 */

export interface StatementStore {
  id: string
  name: string
  currency: string
  timeZone: string
}

export interface StatementCall {
  q: Queryable
  now: Date
  store: StatementStore
}

export type FetchedFile =
  | { kind: 'file'; bytes: Uint8Array; fileName: string }
  /** The provider has no file for that day yet (Alipay isp.bill_not_exist before T+1 09:00). */
  | { kind: 'not_yet_available'; availableAt: Date; message: string }
  /** The store has no account with this provider (no merchant id / report credentials). */
  | { kind: 'not_configured'; message: string }
  | { kind: 'failed'; message: string }

export interface StatementAdapter {
  readonly provider: StatementProvider
  readonly format: StatementFormat
  fetch(c: StatementCall, date: string): Promise<FetchedFile>
  /** Parses a file of this format (fetched or uploaded); throws StatementError, refusing the whole file. */
  parse(bytes: Uint8Array): Statement
}

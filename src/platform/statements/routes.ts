import type { z } from 'zod'
import type { Wallet } from '../../shared/payments'
import type { SandboxStatementDifferencesSchema, StoreFeeSetSchema, statementRoutes } from '../../shared/statements-api'
import type { ProviderLookupRequest, StatementProvider } from '../../shared/statements/types'
import { getStatementDifferences, setStatementDifferences } from '../sandbox/bills'
import type { DeviceRow } from '../service'
import type { StatementService } from './service'

/** What a statement route's handler gets from app.ts (a part of its request context). */
export interface StatementRouteCtx {
  now: Date
  device: DeviceRow | null
  params: Record<string, string>
  query: Record<string, unknown>
  body: unknown
  /** The exact body bytes (the uploaded file). */
  raw: Buffer
  publicUrl: string
  statements: StatementService
}

/** The handlers of the routes in src/shared/statements-api.ts, spread into app.ts's handler table. */
export const statementHandlers: Record<keyof typeof statementRoutes, (c: StatementRouteCtx) => Promise<unknown>> = {
  'statements-for-date': async (c) => c.statements.forDate(c.device!.store_id, (c.query as { date: string }).date, c.now),
  'statement-lookup': async (c) => c.statements.lookup(c.device!.store_id, c.body as ProviderLookupRequest, c.now, c.publicUrl),
  'statement-upload': async (c) => c.statements.upload(c.params.storeId!, new Uint8Array(c.raw.buffer, c.raw.byteOffset, c.raw.byteLength), (c.query as { fileName?: string }).fileName, c.now),
  'store-statements': async (c) => c.statements.list(c.params.storeId!, c.query as { date?: string; provider?: StatementProvider }),
  'store-statements-fetch': async (c) => c.statements.forDate(c.params.storeId!, (c.query as { date: string }).date, c.now, { refetch: true }),
  'store-fees': async (c) => c.statements.fees(c.params.storeId!),
  'store-fee-set': async (c) => c.statements.setFee(c.params.storeId!, c.body as z.output<typeof StoreFeeSetSchema>, c.now),
  'sandbox-statement-differences': async (c) =>
    setStatementDifferences(c.statements.db, c.statements.wallets, c.body as z.output<typeof SandboxStatementDifferencesSchema>, c.now),
  'sandbox-statement-differences-get': async (c) => getStatementDifferences(c.statements.db, c.query as { storeId: string; wallet: Wallet; date: string }),
}

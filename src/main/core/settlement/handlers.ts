import type { Settings, Staff } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import type { settlementChannels, TillStatement } from '../../../shared/settlement-contract'
import { parseStatementFile } from '../../../shared/statements'
import { StatementError, type ProviderLookupRequest } from '../../../shared/statements/types'
import type { Db } from '../db/sqlite'
import type { Device } from '../device'
import type { PlatformClient } from '../sync/client'
import { nextDay } from './classify'
import { keepLookup, listRuns, readDifference, readRun, resolveDifference, runReconciliation } from './run'
import { listStatements, sha256Hex, storeStatement, statementSha256 } from './statements'
import type { CallContext, HandlersOf } from '../handler-types'

/**
 * The settlement channels (src/shared/settlement-contract.ts): statements fetched from the platform
 * or imported from a file, reconciliation runs, and their differences asked about again or resolved.
 */

export type SettlementHandlers = HandlersOf<typeof settlementChannels>

export interface SettlementDeps {
  db: Db
  device: Device
  now: () => Date
  settings: () => Settings
  /** A signed client for the platform, or null when the till is not paired. */
  platform: (timeoutMs: number) => PlatformClient | null
  must: (ctx: CallContext) => Staff
  /** After a change: tell the windows (settlement-changed) and nudge the sync. */
  changed: (posted: boolean) => void
}

/** The channels that wait on the platform (Core.invoke only). */
export const SETTLEMENT_ASYNC = ['statement-fetch', 'difference-ask'] as const

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

function platformOrFail(deps: SettlementDeps, timeoutMs: number): PlatformClient {
  const c = deps.platform(timeoutMs)
  if (!c) throw new DaybookError('not_paired', 'This till is not paired with the platform: import the statement file instead.')
  return c
}

function callFailed(r: { kind: 'network' | 'http' | 'invalid_response'; message: string; status?: number }): never {
  if (r.kind === 'network') throw new DaybookError('platform_unreachable', `The platform cannot be reached (${r.message}). Try again, or import the statement file.`)
  throw new DaybookError('platform_refused', `The platform refused: ${r.message}`, r.status === undefined ? undefined : { status: r.status })
}

export function settlementHandlers(deps: SettlementDeps): SettlementHandlers {
  const { db } = deps
  return {
    'statement-fetch': async ({ businessDate }, ctx) => {
      deps.must(ctx)
      const client = platformOrFail(deps, 30_000)
      const settings = deps.settings()
      const statements: TillStatement[] = []
      const missing: { provider: 'alipay' | 'wechat' | 'card'; date: string; reason: string; availableAt: string | null; message: string }[] = []
      for (const date of [businessDate, nextDay(businessDate)]) {
        const r = await client.call('statements-for-date', { query: { date } })
        if (!r.ok) callFailed(r)
        for (const s of r.value.statements) {
          const { id: _id, source: _source, fileSha256, fileName, fetchedAt: _at, ...statement } = s
          statements.push(storeStatement(db, statement, { source: 'platform', fileName, fileSha256: fileSha256 || statementSha256(statement), at: deps.now().toISOString(), currency: settings.currency }))
        }
        for (const m of r.value.missing) missing.push({ provider: m.provider, date, reason: m.reason, availableAt: m.availableAt, message: m.message })
      }
      deps.changed(false)
      return { statements, missing }
    },
    'statement-import': ({ fileName, base64 }, ctx) => {
      deps.must(ctx)
      const text = base64.replace(/\s+/g, '')
      if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) {
        throw new DaybookError('invalid_input', 'The file did not arrive intact.', [{ path: ['base64'], message: 'not base64' }])
      }
      const bytes = new Uint8Array(Buffer.from(text, 'base64'))
      let parsed
      try {
        parsed = parseStatementFile(bytes)
      } catch (e) {
        if (e instanceof StatementError) throw new DaybookError('statement_refused', e.message, { reason: e.reason, line: e.line })
        throw e
      }
      const s = storeStatement(db, parsed, { source: 'file', fileName, fileSha256: sha256Hex(bytes), at: deps.now().toISOString(), currency: deps.settings().currency })
      deps.changed(false)
      return s
    },
    'statement-list': ({ businessDate }) => listStatements(db, businessDate),
    'reconcile-run': ({ runId, businessDate }, ctx) => {
      const staff = deps.must(ctx)
      const run = runReconciliation(db, deps.settings(), deps.device, deps.now(), { runId, businessDate, staff })
      deps.changed(true)
      return run
    },
    'reconcile-list': ({ businessDate }) => listRuns(db, businessDate),
    'reconcile-get': ({ runId }) => {
      const r = readRun(db, runId)
      if (!r) throw new DaybookError('not_found', 'There is no such reconciliation.')
      return r
    },
    'difference-ask': async ({ runId, differenceId }, ctx) => {
      deps.must(ctx)
      const d = readDifference(db, differenceId)
      if (!d || !differenceId.startsWith(`${runId}-`)) throw new DaybookError('not_found', 'There is no such difference in that run.')
      const merchantRef = d.row?.merchantRef ?? (d.local?.kind === 'refund' ? null : (d.local?.id ?? null))
      const providerRef = d.row?.providerRef || d.local?.providerRef || null
      if (!merchantRef && !providerRef) throw new DaybookError('invalid_input', 'Neither side has a reference the provider could look up.')
      const body: ProviderLookupRequest = { provider: d.provider, merchantRef: merchantRef || null, providerRef }
      const r = await platformOrFail(deps, 20_000).call('statement-lookup', { body })
      if (!r.ok) callFailed(r)
      keepLookup(db, d.id, r.value, deps.now().toISOString())
      deps.changed(false)
      return readDifference(db, d.id)!
    },
    'difference-resolve': ({ resolutionId, runId, differenceId, kind, note, correctionSale }, ctx) => {
      const staff = deps.must(ctx)
      const d = resolveDifference(db, deps.settings(), deps.device, deps.now(), { resolutionId, runId, differenceId, kind, note, staff, ...(correctionSale ? { correctionSale } : {}) })
      deps.changed(true)
      return d
    },
  }
}

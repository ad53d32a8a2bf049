import { parseAdyenSettlement, writeAdyenSettlement } from '../../shared/statements/adyen'
import { totalsOf, type Statement } from '../../shared/statements/types'
import type { FetchedFile, StatementAdapter, StatementCall } from './adapter'

/**
 * Cards: the acquirer's Settlement details report (Adyen's `settlement_detail_report_batch_<N>.csv`),
 * downloaded over basic auth with the report user's credentials, the way Adyen serves it
 * (`GET <reportUrl>/reports/download/MerchantAccount/<account>/<file>`). Which batches cover a
 * day comes from the acquirer's listing, `GET <reportUrl>/reports/list/MerchantAccount/<account>?date=`
 * (the terminal simulator's stand-in for Adyen's report-available notifications): the day's
 * report is ready once its batches are closed. Batches in another currency than the store's are
 * not the store's statement and are left out. Several batches on one day (one closed on request,
 * then another) are joined into one statement; a finished day without any batch is an empty one.
 */

export interface CardStatementOptions {
  /** The acquirer's report server, e.g. the terminal simulator's `http://127.0.0.1:<port>`. */
  reportUrl: string
  username: string
  password: string
  merchantAccount: string
  /** Per-request timeout, ms. Default 15 000. */
  timeoutMs?: number
}

interface Listing {
  companyAccount: string
  timeZone: string
  complete: boolean
  availableAt: string | null
  reports: { batch: number; day: string; currency: string; fileName: string; path: string }[]
}

function isListing(v: unknown): v is Listing {
  const l = v as Listing | null
  return (
    l !== null &&
    typeof l === 'object' &&
    typeof l.companyAccount === 'string' &&
    typeof l.timeZone === 'string' &&
    typeof l.complete === 'boolean' &&
    Array.isArray(l.reports) &&
    l.reports.every((r) => r !== null && typeof r === 'object' && typeof r.path === 'string' && typeof r.currency === 'string' && typeof r.fileName === 'string')
  )
}

class Refused extends Error {}

export function createCardStatementAdapter(o: CardStatementOptions): StatementAdapter {
  const base = o.reportUrl.replace(/\/+$/, '')
  const auth = `Basic ${Buffer.from(`${o.username}:${o.password}`, 'utf8').toString('base64')}`
  const account = encodeURIComponent(o.merchantAccount)
  const timeoutMs = o.timeoutMs ?? 15_000

  async function get(path: string): Promise<Uint8Array> {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, { headers: { Authorization: auth }, signal: AbortSignal.timeout(timeoutMs) })
    } catch (e) {
      throw new Refused(`The card acquirer's report server did not answer (${base}): ${e instanceof Error ? e.message : String(e)}`)
    }
    const bytes = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)))
    if (res.status === 401 || res.status === 403) {
      throw new Refused(`The card acquirer refused the report credentials (HTTP ${res.status}) for user ${o.username}: check the report user and password.`)
    }
    if (res.status === 404) throw new Refused(`The card acquirer has no ${path} (HTTP 404): check the merchant account ${o.merchantAccount}.`)
    if (!res.ok) throw new Refused(`The card acquirer's report server answered HTTP ${res.status}: ${new TextDecoder().decode(bytes.slice(0, 200))}`)
    return bytes
  }

  return {
    provider: 'card',
    format: 'adyen_settlement_detail',
    parse: (bytes) => parseAdyenSettlement(bytes),
    async fetch(c: StatementCall, date: string): Promise<FetchedFile> {
      if (!o.reportUrl || !o.username || !o.password || !o.merchantAccount) {
        return { kind: 'not_configured', message: 'No card acquirer report account (report URL, user, password, merchant account) is set up for this store.' }
      }
      try {
        const raw = await get(`/reports/list/MerchantAccount/${account}?date=${encodeURIComponent(date)}`)
        let listing: unknown
        try {
          listing = JSON.parse(new TextDecoder().decode(raw))
        } catch {
          listing = null
        }
        if (!isListing(listing)) return { kind: 'failed', message: "The card acquirer's report list is not in the expected form." }
        if (!listing.complete) {
          const availableAt = listing.availableAt ? new Date(listing.availableAt) : new Date(c.now.getTime() + 3600_000)
          return { kind: 'not_yet_available', availableAt, message: `The card settlement batch for ${date} is not closed yet.` }
        }
        const mine = listing.reports.filter((r) => r.currency === c.store.currency).sort((a, b) => a.batch - b.batch)
        if (mine.length === 1) return { kind: 'file', bytes: await get(mine[0]!.path), fileName: mine[0]!.fileName }
        if (mine.length > 1) {
          // Several batches on one day: one file, the first report whole and the others' rows after it
          // (the same columns; the parser foots each batch against its own payout).
          const texts: string[] = []
          for (const r of mine) texts.push(new TextDecoder().decode(await get(r.path)))
          const [first, ...rest] = texts.map((t) => t.replace(/\r?\n$/, ''))
          const head = first!.split(/\r?\n/, 1)[0]!
          for (const t of rest) if (t.split(/\r?\n/, 1)[0] !== head) return { kind: 'failed', message: `The card acquirer's reports for ${date} do not have the same columns.` }
          const joined = [first!, ...rest.map((t) => t.slice(t.search(/\r?\n/) + 1).replace(/^\n/, ''))].join('\n') + '\n'
          return { kind: 'file', bytes: new TextEncoder().encode(joined), fileName: `settlement_detail_report_batch_${mine.map((r) => r.batch).join('+')}.csv` }
        }
        // A finished day without a batch: Adyen sends no report; reconciliation needs to know nothing
        // was settled, and a report has at least one row, so: a zero payout that day, and nothing else
        // (12:00 UTC is that calendar day in every zone from UTC−11 to UTC+11).
        const payoutTime = `${date}T12:00:00.000Z`
        const payout = { line: 2, type: 'payout' as const, providerRef: '', merchantRef: null, refundRef: null, gross: 0, fee: 0, net: 0, currency: c.store.currency, providerTime: payoutTime, providerDate: date, batch: null, payoutDate: date }
        const empty: Statement = { provider: 'card', format: 'adyen_settlement_detail', merchantId: o.merchantAccount, date, currency: c.store.currency, rows: [payout], totals: totalsOf([payout]) }
        return { kind: 'file', bytes: writeAdyenSettlement(empty, { companyAccount: listing.companyAccount, timeZone: listing.timeZone }), fileName: `settlement_detail_report_${date}_none.csv` }
      } catch (e) {
        if (e instanceof Refused) return { kind: 'failed', message: e.message }
        if (e instanceof Error && e.name === 'StatementError') return { kind: 'failed', message: `The card acquirer's report was refused: ${e.message}` }
        throw e
      }
    },
  }
}

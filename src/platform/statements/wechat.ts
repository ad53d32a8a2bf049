import { createHash } from 'node:crypto'
import { parseWechatBill, type WechatParseExpect } from '../../shared/statements/wechat'
import { WECHAT_TRADEBILL_PATH, WALLET_TIME_ZONE, billAvailableAt, sandboxMerchantId } from '../sandbox/bills'
import type { FetchedFile, StatementAdapter, StatementCall } from './adapter'
import { download, type SandboxEndpoint } from './http'

/**
 * WeChat Pay's trade bill (交易账单: backtick cells, a trailer of totals), fetched like a real
 * merchant does: `GET /v3/bill/tradebill?bill_date=&bill_type=ALL` → `download_url` (30 s) and a SHA1
 * of the file, then a GET of the file — here against the platform's own sandbox. Before D+1 09:00 the
 * answer is 400 NO_STATEMENT_EXIST.
 */
export function createWechatStatementAdapter(o: SandboxEndpoint): StatementAdapter {
  // A bill without rows does not say its day: a fetched file is parsed knowing what was asked for.
  const asked = new WeakMap<Uint8Array, WechatParseExpect>()
  return {
    provider: 'wechat',
    format: 'wechat_trade_bill',
    parse: (bytes) => parseWechatBill(bytes, asked.get(bytes) ?? {}),
    async fetch(c: StatementCall, date: string): Promise<FetchedFile> {
      const merchantId = sandboxMerchantId(c.store.id, 'wechat')
      let res: Response
      try {
        res = await fetch(`${o.baseUrl()}${WECHAT_TRADEBILL_PATH}?${new URLSearchParams({ bill_date: date, bill_type: 'ALL', mchid: merchantId })}`, {
          headers: { authorization: `Bearer ${o.adminToken}`, accept: 'application/json' },
          signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
        })
      } catch (e) {
        return { kind: 'failed', message: `WeChat Pay did not answer: ${(e as Error).message}` }
      }
      const a = (await res.json().catch(() => null)) as { download_url?: string; hash_value?: string; code?: string; message?: string } | null
      if (!a) return { kind: 'failed', message: `WeChat Pay answered HTTP ${res.status} without JSON.` }
      if (a.code === 'NO_STATEMENT_EXIST') {
        const availableAt = billAvailableAt(date, WALLET_TIME_ZONE)
        if (availableAt.getTime() > c.now.getTime()) return { kind: 'not_yet_available', availableAt, message: `WeChat Pay has no bill of ${date} yet (NO_STATEMENT_EXIST); daily bills are ready the next day at 09:00.` }
        return { kind: 'failed', message: `WeChat Pay has no bill of ${date} (NO_STATEMENT_EXIST).` }
      }
      if (!res.ok || !a.download_url) return { kind: 'failed', message: `WeChat Pay refused: ${a.code ?? res.status} ${a.message ?? ''}`.trim() }
      const file = await download(a.download_url, `${merchantId}_${date.replaceAll('-', '')}_tradebill.csv`, 'WeChat Pay', o)
      if (file.kind === 'file' && a.hash_value && createHash('sha1').update(file.bytes).digest('hex') !== a.hash_value.toLowerCase()) {
        return { kind: 'failed', message: 'The WeChat Pay bill does not match its SHA1 (hash_value): the download was damaged.' }
      }
      if (file.kind === 'file') asked.set(file.bytes, { date, merchantId })
      return file
    },
  }
}

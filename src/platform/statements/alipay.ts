import { parseAlipayBill } from '../../shared/statements/alipay'
import { ALIPAY_BILL_METHOD, ALIPAY_GATEWAY_PATH, WALLET_TIME_ZONE, billAvailableAt, sandboxMerchantId } from '../sandbox/bills'
import type { FetchedFile, StatementAdapter, StatementCall } from './adapter'
import { download, type SandboxEndpoint } from './http'

/**
 * Alipay's daily bill (业务明细, GBK CSVs in a ZIP), fetched like a real merchant does:
 * `alipay.data.dataservice.bill.downloadurl.query` with bill_type trade and the day, then a GET of the
 * `bill_download_url` (it works for 30 s) — here against the platform's own sandbox gateway. Before
 * D+1 09:00 the answer is `isp.bill_not_exist`.
 */
export function createAlipayStatementAdapter(o: SandboxEndpoint): StatementAdapter {
  return {
    provider: 'alipay',
    format: 'alipay_bill_zip',
    parse: (bytes) => parseAlipayBill(bytes),
    async fetch(c: StatementCall, date: string): Promise<FetchedFile> {
      const merchantId = sandboxMerchantId(c.store.id, 'alipay')
      const form = new URLSearchParams({
        method: ALIPAY_BILL_METHOD,
        app_id: merchantId,
        format: 'JSON',
        charset: 'utf-8',
        version: '1.0',
        timestamp: c.now.toISOString(),
        biz_content: JSON.stringify({ bill_type: 'trade', bill_date: date }),
      })
      let res: Response
      try {
        res = await fetch(o.baseUrl() + ALIPAY_GATEWAY_PATH, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.adminToken}`, 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
          body: form.toString(),
          signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
        })
      } catch (e) {
        return { kind: 'failed', message: `Alipay did not answer: ${(e as Error).message}` }
      }
      const body = (await res.json().catch(() => null)) as Record<string, Record<string, string> | undefined> | null
      const a = body?.alipay_data_dataservice_bill_downloadurl_query_response ?? body?.error_response
      if (!res.ok || !a) return { kind: 'failed', message: `Alipay answered HTTP ${res.status} without a bill answer.` }
      if (a.code === '40004' && a.sub_code === 'isp.bill_not_exist') {
        const availableAt = billAvailableAt(date, WALLET_TIME_ZONE)
        if (availableAt.getTime() > c.now.getTime()) return { kind: 'not_yet_available', availableAt, message: `Alipay has no bill of ${date} yet (isp.bill_not_exist); daily bills are ready the next day at 09:00.` }
        return { kind: 'failed', message: `Alipay has no bill of ${date} (isp.bill_not_exist).` }
      }
      if (a.code !== '10000' || !a.bill_download_url) return { kind: 'failed', message: `Alipay refused: ${a.code} ${a.sub_code ?? ''} ${a.sub_msg ?? a.msg ?? ''}`.trim() }
      return download(a.bill_download_url, `${merchantId}_${date.replaceAll('-', '')}.csv.zip`, 'Alipay', o)
    },
  }
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { minorToDecimalString, type Currency } from '../../shared/money'
import type { Payment, Wallet } from '../../shared/payments'
import type { Database } from '../db'
import { PlatformHttpError } from '../errors'
import type { PaymentService } from '../payments/service'
import type { TradeRow } from './books'
import { CUSTOMER_PAGE_PATH, type SandboxWallets } from './index'

/**
 * The customer's phone, for the sandbox wallets: plain HTML outside /v1. A merchant QR's codeUrl is
 * <public URL>/sandbox/pay/<token> (32 random bytes, base64url). GET is the scan (an Alipay precreate
 * trade exists from then on) and shows the store, the amount, the wallet and Pay / Decline; POST with
 * action=pay|decline (form or JSON body) is the customer's choice. The scenario rules of the amount or
 * of an admin override apply to Pay (README "Sandbox wallets"). A bench or test pays a QR from outside
 * with: POST <codeUrl>, body `action=pay`, content-type application/x-www-form-urlencoded.
 */

const WALLET_NAME: Record<Wallet, string> = { alipay: '支付宝 Alipay', wechat: '微信支付 WeChat Pay' }
const WALLET_COLOUR: Record<Wallet, string> = { alipay: '#1677ff', wechat: '#07c160' }

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function symbolOf(currency: string): string {
  try {
    return new Intl.NumberFormat('zh-CN', { style: 'currency', currency }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? currency
  } catch {
    return currency
  }
}

/** "¥12.34" from minor units: exact, no float. */
export function formatAmount(amount: number, currency: string): string {
  try {
    return `${symbolOf(currency)}${minorToDecimalString(amount, currency as Currency)}`
  } catch {
    return `${currency} ${amount}`
  }
}

interface View {
  storeName: string
  payment: Payment
  trade: TradeRow
  token: string
  note?: string
}

/** What the phone says, in Chinese and English, for where the payment and the trade are. */
function statusLine(v: View): { zh: string; en: string; open: boolean } {
  const p = v.payment
  if (p.state === 'succeeded') return { zh: '支付成功', en: 'Paid', open: false }
  if (p.state === 'reversed') return { zh: '已撤销，款项已退回', en: 'Reversed: the money went back', open: false }
  if (p.state === 'failed') {
    if (p.failure?.code === 'expired') return { zh: '二维码已过期', en: 'This code has expired', open: false }
    if (p.failure?.code === 'declined') return v.trade.decline_reason === 'customer' ? { zh: '已取消支付', en: 'Payment declined', open: false } : { zh: '余额不足，支付失败', en: 'Declined: insufficient balance', open: false }
    return { zh: '交易已关闭', en: 'This payment is closed', open: false }
  }
  if (v.trade.status === 'paying') return { zh: '正在支付，请稍候…', en: 'Paying… the wallet is confirming', open: false }
  if (v.trade.status === 'paid') return { zh: '已付款，等待商户确认', en: 'Paid; waiting for the shop to see it', open: false }
  return { zh: '请确认付款', en: 'Confirm the payment', open: true }
}

function render(v: View): string {
  const p = v.payment
  const s = statusLine(v)
  const colour = WALLET_COLOUR[p.wallet]
  const buttons = s.open
    ? `<form method="post" action="/sandbox/pay/${escape(v.token)}">
        <button class="pay" name="action" value="pay" type="submit">付款 Pay</button>
        <button class="decline" name="action" value="decline" type="submit">拒绝 Decline</button>
      </form>`
    : ''
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(WALLET_NAME[p.wallet])} · ${escape(v.storeName)}</title>
<style>
  body { font-family: system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0; background: #f5f5f5; color: #111; }
  header { background: ${colour}; color: #fff; padding: 16px 20px; font-size: 20px; font-weight: 600; }
  main { max-width: 480px; margin: 0 auto; padding: 24px 20px; }
  .store { font-size: 18px; color: #444; }
  .amount { font-size: 44px; font-weight: 700; margin: 12px 0 4px; }
  .subject { color: #666; margin-bottom: 20px; }
  .status { font-size: 18px; margin: 16px 0 24px; }
  form { display: flex; flex-direction: column; gap: 14px; }
  button { font-size: 22px; min-height: 64px; border-radius: 12px; border: 0; width: 100%; }
  .pay { background: ${colour}; color: #fff; }
  .decline { background: #fff; color: #333; border: 1px solid #ccc; }
  .note { color: #a00; margin-bottom: 12px; }
  .sandbox { color: #888; font-size: 13px; margin-top: 32px; }
</style>
</head>
<body>
<header>${escape(WALLET_NAME[p.wallet])}</header>
<main>
  <div class="store" data-testid="store">${escape(v.storeName)}</div>
  <div class="amount" data-testid="amount">${escape(formatAmount(p.amount, p.currency))}</div>
  <div class="subject">${escape(p.currency)} · ${escape(p.paymentId)}</div>
  ${v.note ? `<div class="note">${escape(v.note)}</div>` : ''}
  <div class="status" data-testid="status" data-state="${escape(p.state)}">${escape(s.zh)}<br>${escape(s.en)}</div>
  ${buttons}
  <div class="sandbox">沙箱钱包，不会真实扣款 · Sandbox wallet: no real money moves.</div>
</main>
</body>
</html>
`
}

function notFoundPage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head>
<body style="font-family: system-ui, sans-serif; padding: 24px"><p style="font-size: 20px">二维码无效<br>This code is not valid.</p></body></html>
`
}

function parseAction(raw: Buffer, contentType: string | undefined): string | null {
  const text = raw.toString('utf8')
  if ((contentType ?? '').includes('application/json')) {
    try {
      const v = JSON.parse(text) as { action?: unknown }
      return typeof v.action === 'string' ? v.action : null
    } catch {
      return null
    }
  }
  return new URLSearchParams(text).get('action')
}

export function registerCustomerPage(
  app: FastifyInstance,
  deps: { db: Database; wallets: SandboxWallets; payments: PaymentService; clock: () => Date; publicUrl: (req: FastifyRequest) => string },
): void {
  const find = async (token: string): Promise<{ wallet: Wallet; outTradeNo: string } | null> => {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return null
    const r = await deps.db.query<{ wallet: Wallet; out_trade_no: string }>('SELECT wallet, out_trade_no FROM sandbox_trades WHERE qr_token = $1', [token])
    return r[0] ? { wallet: r[0].wallet, outTradeNo: r[0].out_trade_no } : null
  }

  const handle = async (req: FastifyRequest, reply: FastifyReply, action: 'open' | 'pay' | 'decline' | null): Promise<void> => {
    const token = (req.params as { token: string }).token
    const found = await find(token)
    void reply.header('cache-control', 'no-store').type('text/html; charset=utf-8')
    if (!found) return void reply.code(404).send(notFoundPage())
    if (action === null) {
      return void reply.code(400).send(notFoundPage().replace('二维码无效<br>This code is not valid.', '请选择付款或拒绝<br>Choose Pay or Decline.'))
    }
    const books = deps.wallets[found.wallet].books
    const now = deps.clock()
    let acted = true
    const trade = await deps.payments.providerNotice(found.outTradeNo, now, deps.publicUrl(req), async (q) => {
      let t = (await books.byToken(q, token))!
      if (action === 'open') {
        t = await books.scan(q, t, now)
        return { result: t, query: false, scanned: true }
      }
      const before = t.status
      const r = action === 'pay' ? await books.customerPay(q, t, now) : await books.customerDecline(q, t, now)
      acted = before === 'unscanned' || before === 'waiting'
      return { result: r.row, query: r.notify, scanned: true }
    })
    const rows = await deps.db.query<Record<string, unknown>>('SELECT 1 FROM wallet_payments WHERE payment_id = $1', [found.outTradeNo])
    if (!rows[0]) return void reply.code(404).send(notFoundPage())
    const payment = await paymentView(deps, found.outTradeNo, now)
    const view: View = { storeName: await deps.payments.storeNameOf(found.outTradeNo), payment, trade, token }
    if (action !== 'open' && (!acted || (trade.status !== 'paid' && trade.status !== 'paying' && trade.status !== 'declined'))) {
      return void reply.code(409).send(render({ ...view, note: '此二维码已无法付款 · This code can no longer be paid.' }))
    }
    return void reply.code(200).send(render(view))
  }

  app.get(CUSTOMER_PAGE_PATH, (req, reply) => handle(req, reply, 'open'))
  app.post(CUSTOMER_PAGE_PATH, (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const a = parseAction(raw, req.headers['content-type'])
    return handle(req, reply, a === 'pay' || a === 'decline' ? a : null)
  })
}

async function paymentView(deps: { db: Database; payments: PaymentService }, paymentId: string, now: Date): Promise<Payment> {
  const rows = await deps.db.query<Parameters<PaymentService['toPayment']>[0]>('SELECT * FROM wallet_payments WHERE payment_id = $1', [paymentId])
  if (!rows[0]) throw new PlatformHttpError('not_found', `No payment ${paymentId}.`)
  return deps.payments.toPayment(rows[0], now)
}

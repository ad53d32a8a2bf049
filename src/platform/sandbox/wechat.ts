import type { CancelAnswer, ProviderCall, RefundAnswer, TradeAnswer, TradeOutcome, TradeRequest, WalletProvider } from '../payments/provider'
import { SandboxBooks, type TradeRow } from './books'

/**
 * A sandbox WeChat Pay merchant (payments-protocols.md §2): Native orders (merchant QR, code_url)
 * and micropay (customer code). trade_state NOTPAY / USERPAYING / SUCCESS / REFUND / CLOSED /
 * REVOKED / PAYERROR; errors SYSTEMERROR, USERPAYING, NOTENOUGH, OUT_TRADE_NO_USED (the same
 * out_trade_no with other parameters), ORDERNOTEXIST, ORDERPAID, REVERSE_EXPIRE, PARAM_ERROR.
 * A Native order exists (NOTPAY) as soon as it is made. Amounts are integer fen.
 *
 * Reverse (撤销) applies to micropay only, within 7 days, and not earlier than 15 s after the pay
 * call: earlier, the sandbox answers SYSTEMERROR with recall=Y and the time a retry can succeed, on
 * the platform's clock. A Native order is closed instead; a paid one answers ORDERPAID (refund it).
 */

export const WECHAT_OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/
export const WECHAT_REVERSE_DELAY_MS = 15_000
export const WECHAT_REVERSE_WINDOW_MS = 7 * 24 * 3600_000
/** amount.total is a 32-bit int of fen. */
const MAX_FEN = 2_147_483_647

const MESSAGES: Record<string, string> = {
  SUCCESS: 'OK',
  USERPAYING: '需要用户输入支付密码 (the customer is entering a password)',
  SYSTEMERROR: '系统超时，请使用相同参数重新调用 (system error: query, or retry with the same parameters)',
  NOTENOUGH: '余额不足 (insufficient balance)',
  BUYER_CANCELLED: '用户取消支付 (the customer declined)',
  OUT_TRADE_NO_USED: '商户订单号重复 (out_trade_no already used with other parameters)',
  ORDERNOTEXIST: '此交易订单号不存在 (no such order)',
  ORDERPAID: '订单已支付 (the order is paid: refund it instead)',
  ORDERCLOSED: '订单已关闭 (the order is closed)',
  ORDERREVERSED: '订单已撤销 (the order was reversed)',
  REVERSE_EXPIRE: '订单已经超过撤销时间 (past the 7-day reverse window: refund instead)',
  REVERSE_TOO_EARLY: '支付后15秒内不能撤销，请稍后重试 (reverse at least 15 s after the pay call; retry)',
  PARAM_ERROR: '参数错误 (invalid parameter)',
  INVALID_REQUEST: '退款单号已用于不同的金额 (out_refund_no already used with another amount)',
  REFUND_EXCEEDS: '申请退款金额超过订单可退金额 (more than what is left to refund)',
  TRADE_NOT_PAID: '订单未支付 (the order is not paid)',
  RESOURCE_NOT_EXISTS: '退款单不存在 (no such refund)',
}

function tradeState(row: TradeRow): string {
  switch (row.status) {
    case 'unscanned':
    case 'waiting':
      return 'NOTPAY'
    case 'paying':
      return 'USERPAYING'
    case 'paid':
      return row.refunded > 0 ? 'REFUND' : 'SUCCESS'
    case 'declined':
      return row.decline_reason === 'customer' ? 'CLOSED' : 'PAYERROR'
    case 'reversed':
      return row.kind === 'pay' ? 'REVOKED' : 'REFUND'
    default:
      return row.kind === 'pay' ? 'REVOKED' : 'CLOSED'
  }
}

function stateOutcome(row: TradeRow): TradeOutcome {
  switch (row.status) {
    case 'unscanned':
    case 'waiting':
    case 'paying':
      return 'waiting'
    case 'paid':
      return 'paid'
    case 'declined':
      return 'declined'
    case 'reversed':
      return 'reversed'
    default:
      return 'closed'
  }
}

export class SandboxWechat implements WalletProvider {
  readonly wallet = 'wechat' as const
  readonly books: SandboxBooks

  constructor(feeBasisPoints: number) {
    this.books = new SandboxBooks('wechat', feeBasisPoints)
  }

  private answer(row: TradeRow | null, code: string, outcome: TradeOutcome, extra: Partial<TradeAnswer> = {}): TradeAnswer {
    return {
      wallet: 'wechat',
      timedOut: false,
      code,
      subCode: null,
      message: MESSAGES[code] ?? code,
      tradeStatus: row && code !== 'SYSTEMERROR' ? tradeState(row) : null,
      tradeNo: row && row.status !== 'unscanned' && row.status !== 'waiting' ? row.trade_no : null,
      paidAt: row?.paid_at ?? null,
      fee: row?.status === 'paid' ? row.fee : 0,
      codeUrl: null,
      outcome,
      ...extra,
    }
  }

  private invalid(r: TradeRequest): boolean {
    return !WECHAT_OUT_TRADE_NO.test(r.outTradeNo) || r.amount < 1 || r.amount > MAX_FEN || r.subject.length > 127
  }

  async precreate(c: ProviderCall, r: TradeRequest & { expiresAt: Date }): Promise<TradeAnswer> {
    if (this.invalid(r)) return this.answer(null, 'PARAM_ERROR', 'refused')
    const { row, conflict } = await this.books.open(c.q, c.now, { kind: 'precreate', ...r, providerAmount: String(r.amount) })
    if (conflict) return this.answer(row, 'OUT_TRADE_NO_USED', 'conflict')
    return this.answer(row, 'SUCCESS', 'waiting', { codeUrl: `${c.publicUrl}/sandbox/pay/${row.qr_token}` })
  }

  async pay(c: ProviderCall, r: TradeRequest & { authCode: string }): Promise<TradeAnswer> {
    if (this.invalid(r)) return this.answer(null, 'PARAM_ERROR', 'refused')
    const { row, conflict, fresh } = await this.books.open(c.q, c.now, { kind: 'pay', ...r, providerAmount: String(r.amount) })
    if (conflict) return this.answer(row, 'OUT_TRADE_NO_USED', 'conflict')
    if (fresh && row.scenario === 'system_error_then_success') return this.answer(row, 'SYSTEMERROR', 'unknown')
    if (fresh && row.scenario === 'timeout_then_success') return { ...this.answer(row, '', 'unknown'), timedOut: true, message: 'no answer in time', tradeStatus: null, tradeNo: null }
    if (row.status === 'paying') return this.answer(row, 'USERPAYING', 'waiting')
    if (row.status === 'declined') return this.answer(row, row.decline_reason === 'customer' ? 'BUYER_CANCELLED' : 'NOTENOUGH', 'declined')
    if (row.status === 'closed') return this.answer(row, 'ORDERCLOSED', 'closed')
    if (row.status === 'reversed') return this.answer(row, 'ORDERREVERSED', 'reversed')
    return this.answer(row, 'SUCCESS', 'paid')
  }

  async query(c: ProviderCall, outTradeNo: string): Promise<TradeAnswer> {
    const row = await this.books.query(c.q, outTradeNo, c.now)
    if (!row) return this.answer(null, 'ORDERNOTEXIST', 'not_found')
    return this.answer(row, 'SUCCESS', stateOutcome(row))
  }

  private cancelAnswer(code: string, outcome: CancelAnswer['outcome'], row: TradeRow | null, extra: Partial<CancelAnswer> = {}): CancelAnswer {
    return { wallet: 'wechat', timedOut: false, code, subCode: null, message: MESSAGES[code] ?? code, action: null, retry: false, retryAt: null, tradeStatus: row ? tradeState(row) : null, outcome, ...extra }
  }

  async close(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer> {
    const r = await this.books.close(c.q, outTradeNo, c.now)
    if (!r) return this.cancelAnswer('ORDERNOTEXIST', 'not_found', null)
    if (r.before.status === 'paid') return this.cancelAnswer('ORDERPAID', 'too_late', r.before)
    if (r.before.status === 'reversed') return this.cancelAnswer('ORDERREVERSED', 'reversed', r.before)
    return this.cancelAnswer('SUCCESS', 'closed', r.after, { action: 'close' })
  }

  async cancel(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer> {
    const row = await this.books.get(c.q, outTradeNo, true)
    if (!row) return this.cancelAnswer('ORDERNOTEXIST', 'not_found', null)
    if (row.kind === 'precreate') return this.close(c, outTradeNo)
    const age = c.now.getTime() - row.created_at.getTime()
    if (row.status === 'paid' && age > WECHAT_REVERSE_WINDOW_MS) return this.cancelAnswer('REVERSE_EXPIRE', 'too_late', row)
    const open = row.status === 'paid' || row.status === 'paying' || row.status === 'waiting'
    if (open && age < WECHAT_REVERSE_DELAY_MS) {
      return this.cancelAnswer('SYSTEMERROR', 'retry_later', row, {
        message: MESSAGES.REVERSE_TOO_EARLY!,
        retry: true,
        retryAt: new Date(row.created_at.getTime() + WECHAT_REVERSE_DELAY_MS),
      })
    }
    const wasPaid = row.status === 'paid' || row.status === 'reversed'
    const after = await this.books.reverse(c.q, row, c.now)
    return this.cancelAnswer('SUCCESS', wasPaid ? 'reversed' : 'closed', after, { action: wasPaid ? 'refund' : 'close' })
  }

  private refundAnswer(code: string, outcome: RefundAnswer['outcome'], extra: Partial<RefundAnswer> = {}): RefundAnswer {
    return { wallet: 'wechat', timedOut: false, code, subCode: null, message: MESSAGES[code] ?? code, fundChange: null, amount: 0, refundedTotal: 0, feeRefunded: 0, outcome, ...extra }
  }

  async refund(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string; amount: number }): Promise<RefundAnswer> {
    const x = await this.books.refund(c.q, r, c.now)
    switch (x.kind) {
      case 'not_found':
        return this.refundAnswer('ORDERNOTEXIST', 'not_found')
      case 'not_paid':
        return this.refundAnswer('TRADE_NOT_PAID', 'not_refundable', { refundedTotal: x.row.refunded })
      case 'conflict':
        return this.refundAnswer('INVALID_REQUEST', 'conflict', { amount: x.previous.amount, refundedTotal: x.row.refunded })
      case 'exceeds':
        return { ...this.refundAnswer('INVALID_REQUEST', 'exceeds', { refundedTotal: x.row.refunded }), message: MESSAGES.REFUND_EXCEEDS! }
      case 'done':
        // v3 answers status SUCCESS for a repeat of the same out_refund_no too; fund_change is Alipay's word, kept for the platform
        return this.refundAnswer('SUCCESS', 'succeeded', { fundChange: x.repeat ? 'N' : 'Y', amount: x.refund.amount, refundedTotal: x.refund.refunded_total, feeRefunded: x.refund.fee_refunded })
    }
  }

  async refundQuery(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string }): Promise<RefundAnswer> {
    const refund = await this.books.findRefund(c.q, r.outTradeNo, r.outRequestNo)
    if (!refund) return this.refundAnswer('RESOURCE_NOT_EXISTS', 'not_found')
    return this.refundAnswer('SUCCESS', 'succeeded', { amount: refund.amount, refundedTotal: refund.refunded_total, feeRefunded: refund.fee_refunded })
  }
}

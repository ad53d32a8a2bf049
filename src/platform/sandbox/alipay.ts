import { minorToDecimalString } from '../../shared/money'
import type { CancelAnswer, ProviderCall, RefundAnswer, TradeAnswer, TradeOutcome, TradeRequest, WalletProvider } from '../payments/provider'
import { SandboxBooks, type TradeRow } from './books'

/**
 * A sandbox Alipay face-to-face (当面付) acquirer, answering like alipay.trade.* (payments-protocols.md
 * §1): public codes 10000 ok, 10003 user paying, 20000 unknown, 40004 business failure + sub_code;
 * trade_status WAIT_BUYER_PAY / TRADE_SUCCESS / TRADE_CLOSED (TRADE_FINISHED would follow at the end
 * of the refund window, which the sandbox does not reach). A precreate trade exists only once its QR
 * is scanned: before that query, close and cancel answer ACQ.TRADE_NOT_EXIST. Cancel (撤销) works
 * within 24 h of the trade (ACQ.TRADE_CANCEL_TIME_OUT after), closing an unpaid trade and refunding
 * a paid one.
 */

export const ALIPAY_OUT_TRADE_NO = /^[A-Za-z0-9_]{1,64}$/
/** total_amount is yuan in [0.01, 100000000]. */
const MAX_YUAN_MINOR = 100_000_000 * 100
export const ALIPAY_CANCEL_WINDOW_MS = 24 * 3600_000

const SUB_MESSAGES: Record<string, string> = {
  'ACQ.TRADE_NOT_EXIST': '交易不存在 (trade does not exist)',
  'ACQ.BUYER_BALANCE_NOT_ENOUGH': '买家余额不足 (insufficient balance)',
  'ACQ.SYSTEM_ERROR': '系统错误，请使用相同的参数再次调用 (system error: query or retry with the same parameters)',
  'ACQ.CONTEXT_INCONSISTENT': '交易信息被篡改 (out_trade_no already used with other parameters)',
  'ACQ.INVALID_PARAMETER': '参数无效 (invalid parameter)',
  'ACQ.TRADE_HAS_CLOSE': '交易已经关闭 (trade closed)',
  'ACQ.TRADE_STATUS_ERROR': '交易状态不合法 (the trade is paid and cannot be closed)',
  'ACQ.TRADE_CANCEL_TIME_OUT': '超过撤销时间范围 (past the 24 h cancel window: refund instead)',
  'ACQ.REASON_TRADE_REFUND_FEE_ERR': '退款金额无效 (more than what is left to refund)',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': '退款金额与退款请求号对应的金额不一致 (out_request_no used with another amount)',
  'ACQ.TRADE_NOT_ALLOW_REFUND': '当前交易不允许退款 (the trade is not paid)',
  'ACQ.BUYER_CANCELLED': '买家取消支付 (the customer declined)',
}

/** trade_status of a trade that exists. */
function tradeStatus(row: TradeRow): string {
  if (row.status === 'waiting' || row.status === 'paying') return 'WAIT_BUYER_PAY'
  if (row.status === 'paid') return row.refunded >= row.amount ? 'TRADE_CLOSED' : 'TRADE_SUCCESS'
  return 'TRADE_CLOSED'
}

function statusOutcome(row: TradeRow): TradeOutcome {
  switch (row.status) {
    case 'waiting':
    case 'paying':
      return 'waiting'
    case 'paid':
      return 'paid'
    case 'reversed':
      return 'reversed'
    case 'declined':
      return 'declined'
    default:
      return 'closed'
  }
}

export class SandboxAlipay implements WalletProvider {
  readonly wallet = 'alipay' as const
  readonly books: SandboxBooks

  constructor(feeBasisPoints: number) {
    this.books = new SandboxBooks('alipay', feeBasisPoints)
  }

  private answer(row: TradeRow | null, code: string, subCode: string | null, outcome: TradeOutcome, extra: Partial<TradeAnswer> = {}): TradeAnswer {
    const exists = row !== null && row.status !== 'unscanned'
    return {
      wallet: 'alipay',
      timedOut: false,
      code,
      subCode,
      message: subCode ? (SUB_MESSAGES[subCode] ?? subCode) : code === '10003' ? '等待用户付款 (waiting for the buyer)' : code === '20000' ? 'Service Currently Unavailable' : 'Success',
      tradeStatus: exists && code !== '20000' ? tradeStatus(row) : null,
      tradeNo: exists ? row.trade_no : null,
      paidAt: row?.paid_at ?? null,
      fee: row?.status === 'paid' ? row.fee : 0,
      codeUrl: null,
      outcome,
      ...extra,
    }
  }

  private invalid(r: TradeRequest): string | null {
    if (!ALIPAY_OUT_TRADE_NO.test(r.outTradeNo)) return 'ACQ.INVALID_PARAMETER'
    if (r.amount < 1 || r.amount > MAX_YUAN_MINOR) return 'ACQ.INVALID_PARAMETER'
    return null
  }

  async precreate(c: ProviderCall, r: TradeRequest & { expiresAt: Date }): Promise<TradeAnswer> {
    const bad = this.invalid(r)
    if (bad) return this.answer(null, '40004', bad, 'refused')
    const { row, conflict } = await this.books.open(c.q, c.now, { kind: 'precreate', ...r, providerAmount: minorToDecimalString(r.amount, r.currency) })
    if (conflict) return this.answer(row, '40004', 'ACQ.CONTEXT_INCONSISTENT', 'conflict')
    // the trade itself does not exist yet: only the QR does
    return this.answer(null, '10000', null, 'waiting', { codeUrl: `${c.publicUrl}/sandbox/pay/${row.qr_token}` })
  }

  async pay(c: ProviderCall, r: TradeRequest & { authCode: string }): Promise<TradeAnswer> {
    const bad = this.invalid(r)
    if (bad) return this.answer(null, '40004', bad, 'refused')
    const { row, conflict, fresh } = await this.books.open(c.q, c.now, { kind: 'pay', ...r, providerAmount: minorToDecimalString(r.amount, r.currency) })
    if (conflict) return this.answer(row, '40004', 'ACQ.CONTEXT_INCONSISTENT', 'conflict')
    if (fresh && row.scenario === 'system_error_then_success') return this.answer(row, '20000', 'ACQ.SYSTEM_ERROR', 'unknown')
    if (fresh && row.scenario === 'timeout_then_success') return { ...this.answer(row, '', null, 'unknown'), timedOut: true, message: 'no answer in time', tradeStatus: null }
    return this.tradeAnswer(row)
  }

  private tradeAnswer(row: TradeRow): TradeAnswer {
    if (row.status === 'paying' || row.status === 'waiting') return this.answer(row, '10003', null, 'waiting')
    if (row.status === 'declined') return this.answer(row, '40004', row.decline_reason === 'customer' ? 'ACQ.BUYER_CANCELLED' : 'ACQ.BUYER_BALANCE_NOT_ENOUGH', 'declined')
    if (row.status === 'closed') return this.answer(row, '40004', 'ACQ.TRADE_HAS_CLOSE', 'closed')
    return this.answer(row, '10000', null, statusOutcome(row))
  }

  async query(c: ProviderCall, outTradeNo: string): Promise<TradeAnswer> {
    const row = await this.books.query(c.q, outTradeNo, c.now)
    if (!row || row.status === 'unscanned' || (!row.scanned && row.kind === 'precreate')) return this.answer(null, '40004', 'ACQ.TRADE_NOT_EXIST', 'not_found')
    const a = this.answer(row, '10000', null, statusOutcome(row))
    if (row.status === 'declined') return { ...a, subCode: null, message: 'Success', outcome: 'declined' }
    return a
  }

  private cancelAnswer(code: string, subCode: string | null, outcome: CancelAnswer['outcome'], row: TradeRow | null, extra: Partial<CancelAnswer> = {}): CancelAnswer {
    return {
      wallet: 'alipay',
      timedOut: false,
      code,
      subCode,
      message: subCode ? (SUB_MESSAGES[subCode] ?? subCode) : 'Success',
      action: null,
      retry: false,
      retryAt: null,
      tradeStatus: row && row.status !== 'unscanned' && (row.scanned || row.kind === 'pay') ? tradeStatus(row) : null,
      outcome,
      ...extra,
    }
  }

  async close(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer> {
    const r = await this.books.close(c.q, outTradeNo, c.now)
    // An unscanned precreate has no trade to close, but its QR stops working all the same.
    if (!r || r.before.status === 'unscanned') return this.cancelAnswer('40004', 'ACQ.TRADE_NOT_EXIST', 'not_found', null)
    if (r.before.status === 'paid') return this.cancelAnswer('40004', 'ACQ.TRADE_STATUS_ERROR', 'unknown', r.before)
    if (r.before.status === 'reversed') return this.cancelAnswer('10000', null, 'reversed', r.after)
    return this.cancelAnswer('10000', null, 'closed', r.after, { action: 'close' })
  }

  async cancel(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer> {
    const row = await this.books.get(c.q, outTradeNo, true)
    if (!row) return this.cancelAnswer('40004', 'ACQ.TRADE_NOT_EXIST', 'not_found', null)
    if (c.now.getTime() - row.created_at.getTime() > ALIPAY_CANCEL_WINDOW_MS && row.status === 'paid') {
      return this.cancelAnswer('40004', 'ACQ.TRADE_CANCEL_TIME_OUT', 'too_late', row)
    }
    const wasPaid = row.status === 'paid' || row.status === 'reversed'
    const after = await this.books.reverse(c.q, row, c.now)
    return this.cancelAnswer('10000', null, wasPaid ? 'reversed' : 'closed', after, { action: wasPaid ? 'refund' : 'close' })
  }

  private refundAnswer(code: string, subCode: string | null, outcome: RefundAnswer['outcome'], extra: Partial<RefundAnswer> = {}): RefundAnswer {
    return {
      wallet: 'alipay',
      timedOut: false,
      code,
      subCode,
      message: subCode ? (SUB_MESSAGES[subCode] ?? subCode) : 'Success',
      fundChange: null,
      amount: 0,
      refundedTotal: 0,
      feeRefunded: 0,
      outcome,
      ...extra,
    }
  }

  async refund(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string; amount: number }): Promise<RefundAnswer> {
    const x = await this.books.refund(c.q, r, c.now)
    switch (x.kind) {
      case 'not_found':
        return this.refundAnswer('40004', 'ACQ.TRADE_NOT_EXIST', 'not_found')
      case 'not_paid':
        return this.refundAnswer('40004', 'ACQ.TRADE_NOT_ALLOW_REFUND', 'not_refundable', { refundedTotal: x.row.refunded })
      case 'conflict':
        return this.refundAnswer('40004', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'conflict', { amount: x.previous.amount, refundedTotal: x.row.refunded })
      case 'exceeds':
        return this.refundAnswer('40004', 'ACQ.REASON_TRADE_REFUND_FEE_ERR', 'exceeds', { refundedTotal: x.row.refunded })
      case 'done':
        return this.refundAnswer('10000', null, 'succeeded', {
          fundChange: x.repeat ? 'N' : 'Y',
          amount: x.refund.amount,
          refundedTotal: x.refund.refunded_total,
          feeRefunded: x.refund.fee_refunded,
        })
    }
  }

  async refundQuery(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string }): Promise<RefundAnswer> {
    const refund = await this.books.findRefund(c.q, r.outTradeNo, r.outRequestNo)
    // 10000 without refund_status does not prove a refund (§1.4): the platform reads it as not found.
    if (!refund) return this.refundAnswer('10000', null, 'not_found')
    return this.refundAnswer('10000', null, 'succeeded', { fundChange: null, amount: refund.amount, refundedTotal: refund.refunded_total, feeRefunded: refund.fee_refunded })
  }
}

import type { Currency } from '../../shared/money'
import type { Wallet } from '../../shared/payments'
import type { Queryable } from '../db'

/**
 * What the platform asks of a wallet, in the wallet's own terms: each answer carries the wallet's
 * codes (Alipay public code 10000/10003/20000/40004 + sub_code and trade_status; WeChat Pay
 * return/err codes and trade_state) as it would send them, plus the provider module's own reading of
 * them (`outcome`), so the payment service never interprets a wallet's codes itself.
 *
 * Every call gets the platform's database handle (the sandbox wallets keep their books there, in the
 * caller's transaction) and the platform clock (the wallets' time windows run on it, so tests can
 * move it). A real wallet adapter would ignore `q` and make the HTTP call; a call that gets no answer
 * in time comes back as `timedOut: true`, never as a thrown error.
 */

export interface ProviderCall {
  q: Queryable
  now: Date
  /** The platform's public base URL, for the QR a merchant-QR trade shows (sandbox customer page). */
  publicUrl: string
}

/** How the provider module reads its own answer about a trade. */
export type TradeOutcome =
  | 'paid' // TRADE_SUCCESS / TRADE_FINISHED / SUCCESS (or REFUND: paid, then refunded)
  | 'waiting' // WAIT_BUYER_PAY / 10003 / NOTPAY / USERPAYING: the customer has not finished
  | 'unknown' // 20000 / SYSTEMERROR / no answer: ask again
  | 'declined' // the wallet refused the charge (insufficient balance, PAYERROR…)
  | 'closed' // TRADE_CLOSED / CLOSED / REVOKED without having been paid
  | 'reversed' // paid, then cancelled/reversed (the money went back)
  | 'not_found' // ACQ.TRADE_NOT_EXIST / ORDERNOTEXIST
  | 'conflict' // the same out_trade_no with other parameters (OUT_TRADE_NO_USED, ACQ.CONTEXT_INCONSISTENT)
  | 'refused' // any other business refusal (bad parameter, amount over the wallet's limit)

export interface TradeAnswer {
  wallet: Wallet
  timedOut: boolean
  /** Alipay: 10000 | 10003 | 20000 | 40004. WeChat: SUCCESS | USERPAYING | SYSTEMERROR | ORDERNOTEXIST | … */
  code: string
  subCode: string | null
  message: string
  /** trade_status / trade_state, when the answer carries one. */
  tradeStatus: string | null
  /** trade_no / transaction_id. */
  tradeNo: string | null
  paidAt: Date | null
  /** The wallet's fee on this trade in minor units (0 until paid). */
  fee: number
  /** merchant QR only: the qr_code / code_url to render. */
  codeUrl: string | null
  outcome: TradeOutcome
}

export type CancelOutcome =
  | 'closed' // it was not paid; now it never will be
  | 'reversed' // it was paid; the money went back
  | 'retry_later' // retry_flag=Y / recall=Y (WeChat: reverse only ≥15 s after paying)
  | 'too_late' // past the cancel window (Alipay 24 h, WeChat 7 days): refund instead
  | 'not_found'
  | 'unknown'

export interface CancelAnswer {
  wallet: Wallet
  timedOut: boolean
  code: string
  subCode: string | null
  message: string
  /** Alipay `action`: close | refund; null when nothing was done. */
  action: 'close' | 'refund' | null
  /** Alipay retry_flag / WeChat recall. */
  retry: boolean
  /** The earliest time a retry can succeed, when the wallet's rule says so. */
  retryAt: Date | null
  tradeStatus: string | null
  outcome: CancelOutcome
}

export type RefundOutcome =
  | 'succeeded' // fund_change Y (or N for a repeat of the same request: already refunded)
  | 'processing' // PROCESSING / no answer: query it
  | 'conflict' // this out_request_no was used with another amount
  | 'exceeds' // more than what is left on the trade
  | 'not_refundable' // the trade is not paid
  | 'not_found'
  | 'failed'

export interface RefundAnswer {
  wallet: Wallet
  timedOut: boolean
  code: string
  subCode: string | null
  message: string
  /** Alipay fund_change: Y the first time, N for a repeat of the same out_request_no. */
  fundChange: 'Y' | 'N' | null
  /** This refund's amount. */
  amount: number
  /** Everything refunded on the trade so far (Alipay refund_fee, cumulative). */
  refundedTotal: number
  /** The part of the fee this refund gave back. */
  feeRefunded: number
  outcome: RefundOutcome
}

export interface TradeRequest {
  outTradeNo: string
  amount: number
  currency: Currency
  subject: string
}

export interface WalletProvider {
  readonly wallet: Wallet
  /** Merchant QR (alipay.trade.precreate / WeChat Native): a code for the customer to scan. */
  precreate(c: ProviderCall, r: TradeRequest & { expiresAt: Date }): Promise<TradeAnswer>
  /** Customer code (alipay.trade.pay scene=bar_code / WeChat micropay or codepay). */
  pay(c: ProviderCall, r: TradeRequest & { authCode: string }): Promise<TradeAnswer>
  query(c: ProviderCall, outTradeNo: string): Promise<TradeAnswer>
  /** Close an unpaid trade (alipay.trade.close / WeChat close). */
  close(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer>
  /** 撤销 / reverse: closes an unpaid trade, refunds a paid one. */
  cancel(c: ProviderCall, outTradeNo: string): Promise<CancelAnswer>
  /** Idempotent by outRequestNo (out_request_no / out_refund_no). */
  refund(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string; amount: number }): Promise<RefundAnswer>
  refundQuery(c: ProviderCall, r: { outTradeNo: string; outRequestNo: string }): Promise<RefundAnswer>
}

export type WalletProviders = Record<Wallet, WalletProvider>

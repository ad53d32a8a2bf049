import type { CardDetails } from '../../../../shared/payments'

/**
 * What the core needs of a semi-integrated card terminal. The first driver speaks Adyen's
 * Terminal API (nexo) over the LAN; others (ZVT, Stripe) fit the same shape. A driver never
 * throws for anything the terminal or the network does: every outcome is a value, and
 * `no_answer` means "the request may or may not have been processed" — the core then asks
 * `status`, never pays again.
 */
export interface TerminalDriver {
  /** The terminal's id (nexo POIID), recorded on every card tender. */
  readonly terminalId: string
  pay(req: TerminalPayment, signal?: AbortSignal): Promise<TerminalOutcome>
  /** Refund part or all of an approved payment (nexo ReversalRequest with ReversedAmount). */
  refund(req: TerminalRefund, signal?: AbortSignal): Promise<TerminalOutcome>
  /**
   * What became of an earlier request (nexo TransactionStatus with a new ServiceID and a
   * MessageReference to the original one).
   */
  status(req: TerminalStatusQuery, signal?: AbortSignal): Promise<TerminalStatus>
  /** Ask the terminal to stop a request still running (nexo Abort, MerchantAbort). Best effort. */
  abort(req: { serviceId: string; originalServiceId: string; category: 'Payment' | 'Reversal' }): Promise<void>
}

export interface TerminalPayment {
  /** nexo ServiceID: ≤ 10 characters, unique per request. */
  serviceId: string
  /** Our attempt id (a ULID): SaleTransactionID.TransactionID. */
  transactionId: string
  /** Minor units. */
  amount: number
  currency: string
  /** When the request left (SaleTransactionID.TimeStamp). */
  at: Date
}

export interface TerminalRefund {
  serviceId: string
  /** Our refund id (a ULID). */
  refundId: string
  /** The payment's POITransactionID (providerRef) and its timestamp as the terminal gave them. */
  originalPoiTransactionId: string
  originalPoiTimestamp: string
  amount: number
  currency: string
  at: Date
}

export interface TerminalStatusQuery {
  serviceId: string
  originalServiceId: string
  category: 'Payment' | 'Reversal'
}

export type TerminalOutcome =
  | {
      kind: 'approved'
      card: Omit<CardDetails, 'terminalId'> | null
      /** POITransactionID.TransactionID (e.g. "tenderRef.pspReference"). */
      providerRef: string
      /** POITransactionID.TimeStamp: needed to refer to this payment later (refunds). */
      providerTimestamp: string
      /** Amount the terminal says it took, minor units. */
      amount: number
    }
  | { kind: 'declined'; errorCondition: string; message: string }
  /** The terminal is busy with something else: nothing was charged, try again. */
  | { kind: 'busy'; message: string }
  /** No (readable) answer: the request may have been processed. */
  | { kind: 'no_answer'; message: string }

export type TerminalStatus =
  | { kind: 'found'; outcome: Exclude<TerminalOutcome, { kind: 'no_answer' }> }
  | { kind: 'in_progress' }
  | { kind: 'not_found' }
  | { kind: 'no_answer'; message: string }

import { randomBytes, randomInt } from 'node:crypto'
import { ENTRY_MODES, LEAK_FULL_PAN, LEAK_OTHER_PAN, OVER_REVEALING_MASK, TEST_CARDS } from './cards'
import { exponentFor, minorToNexo, minorToText, nexoToMinor } from './amounts'
import { decryptMessage, deriveKey, encryptMessage, NexoCryptoError, type DerivedKey, type SecuredMessage } from './nexo-crypto'
import { scenarioForAmount, type Scenario } from './scenarios'

/**
 * The simulated terminal: what an Adyen terminal does with Terminal API requests on its LAN port,
 * as far as Daybook uses it (Payment, Reversal = referenced refund, TransactionStatus, Abort).
 * One request is processed at a time, like a real terminal: a second Payment or Reversal while
 * one runs is answered Busy; TransactionStatus and Abort are answered meanwhile.
 */
export interface SimKey {
  keyIdentifier: string
  keyVersion: number
  passphrase: string
}

export interface TerminalLogicOptions {
  poiId: string
  key: SimKey
  /** Time the simulated customer takes to present the card. */
  customerMs: number
  /** Extra time of the 'slow' scenario. */
  slowMs: number
  log?: (line: string) => void
  /** Told of every processed request (approved or declined), e.g. the acquirer that books them to settlement batches. */
  onProcessed?: (r: ProcessedRecord) => void
}

export type Action = { kind: 'json'; body: unknown } | { kind: 'empty' } | { kind: 'drop' }

export interface ProcessedRecord {
  category: 'Payment' | 'Reversal'
  serviceId: string
  saleId: string
  at: string
  scenario: Scenario
  /** approved: nexo Result Success; declined: Failure (Refusal, Cancel, Aborted). Busy requests are not processed. */
  result: 'approved' | 'declined'
  errorCondition: string | null
  /** SaleTransactionID.TransactionID the till sent (its attempt or refund id); '' when none. */
  transactionId: string
  /** Minor units: requested (payment) or reversed (refund). */
  amount: number
  currency: string
  poiTransactionId: string | null
  poiTimestamp: string | null
  /** Payments: minor units refunded so far. */
  refunded: number
  /** Refunds: the payment they refer to. */
  originalPoiTransactionId: string | null
}

interface Stored extends ProcessedRecord {
  header: Record<string, unknown>
  body: Record<string, unknown>
}

interface Running {
  key: string
  stop?: () => void
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null)
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null)

const MESSAGES: Record<string, string> = {
  Refusal: 'Refused by the issuer',
  Cancel: 'Cancelled on the terminal',
  Aborted: 'Stopped by the cash register',
  Busy: 'The terminal is processing another transaction',
  NotAllowed: 'Not allowed',
  MessageFormat: 'Malformed request',
}

function alnum(n: number): string {
  const a = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'
  const b = randomBytes(n)
  let s = ''
  for (let i = 0; i < n; i++) s += a[(b[i] as number) % a.length]
  return s
}

export class TerminalLogic {
  private readonly key: DerivedKey
  private readonly records = new Map<string, Stored>()
  private readonly byPoiTx = new Map<string, Stored>()
  private readonly order: Stored[] = []
  private readonly queue: Scenario[] = []
  private running: Running | null = null
  private closed = false

  constructor(private readonly o: TerminalLogicOptions) {
    this.key = deriveKey(o.key.passphrase)
  }

  /** Queue a scenario for the next `count` payment or refund requests (before the amount rule). */
  queueScenario(s: Scenario, count = 1): void {
    for (let i = 0; i < count; i++) this.queue.push(s)
  }

  clearScenarios(): void {
    this.queue.length = 0
  }

  queued(): Scenario[] {
    return [...this.queue]
  }

  processed(): ProcessedRecord[] {
    return this.order.map(({ header: _h, body: _b, ...r }) => ({ ...r }))
  }

  /** Stops whatever runs (answered as aborted) so the server can close. */
  close(): void {
    this.closed = true
    this.running?.stop?.()
  }

  async handle(raw: string): Promise<Action> {
    let outer: Obj | null
    try {
      outer = obj(JSON.parse(raw))
    } catch {
      outer = null
    }
    const secured = obj(outer?.SaleToPOIRequest)
    const trailer = obj(secured?.SecurityTrailer)
    if (!secured || !trailer || typeof secured.NexoBlob !== 'string') return this.reject('Message not encrypted or not a SaleToPOIRequest')
    if (trailer.KeyIdentifier !== this.o.key.keyIdentifier || trailer.KeyVersion !== this.o.key.keyVersion || trailer.AdyenCryptoVersion !== 1) {
      return this.reject('Crypto error: unknown key identifier or version')
    }
    let inner: Obj | null
    try {
      inner = obj(obj(JSON.parse(decryptMessage(secured as unknown as SecuredMessage, this.key)))?.SaleToPOIRequest)
    } catch (e) {
      return this.reject(e instanceof NexoCryptoError ? `Crypto error: ${e.message}` : 'Crypto error: unreadable message')
    }
    const h = obj(inner?.MessageHeader)
    if (!inner || !h || !str(h.ServiceID) || !str(h.SaleID) || !str(h.MessageCategory)) return this.reject('Message format error: MessageHeader')
    if (h.POIID !== this.o.poiId) return this.rejectEncrypted(h, `Unknown POIID ${String(h.POIID)}`)
    switch (h.MessageCategory) {
      case 'Payment':
        return this.payment(h, obj(inner.PaymentRequest))
      case 'Reversal':
        return this.reversal(h, obj(inner.ReversalRequest))
      case 'TransactionStatus':
        return this.status(h, obj(inner.TransactionStatusRequest))
      case 'Abort':
        return this.abortRequest(h, obj(inner.AbortRequest))
      default:
        return this.rejectEncrypted(h, `Unsupported MessageCategory ${String(h.MessageCategory)}`)
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  private async payment(h: Obj, req: Obj | null): Promise<Action> {
    const k = `${String(h.SaleID)}|${String(h.ServiceID)}`
    if (this.running) return this.answer(h, 'PaymentResponse', this.failure('Busy'))
    if (this.records.has(k)) return this.answer(h, 'PaymentResponse', this.failure('NotAllowed', 'ServiceID already used'))
    const amounts = obj(obj(req?.PaymentTransaction)?.AmountsReq)
    const currency = str(amounts?.Currency)
    const sale = obj(obj(req?.SaleData)?.SaleTransactionID)
    const minor = currency && /^[A-Z]{3}$/.test(currency) ? nexoToMinor(amounts?.RequestedAmount, currency) : null
    if (!currency || minor === null || !sale) {
      return this.answer(h, 'PaymentResponse', this.failure('MessageFormat', `RequestedAmount must be positive with at most ${currency ? exponentFor(currency) : 2} decimals, with a Currency and SaleTransactionID`))
    }
    const scenario = this.queue.shift() ?? scenarioForAmount(minor)
    if (scenario === 'busy') return this.answer(h, 'PaymentResponse', this.failure('Busy'))
    const running: Running = { key: k }
    this.running = running
    let aborted: boolean
    try {
      aborted = await this.wait(running, this.o.customerMs + (scenario === 'slow' ? this.o.slowMs : 0))
    } finally {
      this.running = null
    }
    const at = new Date().toISOString()
    const condition = aborted ? 'Aborted' : scenario === 'decline' ? 'Refusal' : scenario === 'cancel' ? 'Cancel' : null
    const card = TEST_CARDS[randomInt(TEST_CARDS.length)]!
    // pspReference-like: 16 digits starting 88, never mistaken for a card number (those start 2–6).
    const psp = `88${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 6)).padStart(6, '0')}`
    const poiTxId = `${alnum(10)}.${psp}`
    const serial = this.o.poiId.split('-')[1] ?? this.o.poiId
    const body: Obj = {
      Response: condition
        ? this.failure(condition)
        : {
            Result: 'Success',
            AdditionalResponse: new URLSearchParams({
              tid: serial,
              transactionType: 'GOODS_SERVICES',
              posAuthAmountCurrency: currency,
              posAuthAmountValue: String(minor),
              cardBin: card.maskedPan.slice(0, 6),
              cardSummary: card.maskedPan.slice(-4),
              issuerCountry: card.country,
              ...(scenario === 'leak_pan_elsewhere' ? { cardHolderReference: LEAK_OTHER_PAN } : {}),
            }).toString(),
          },
      SaleData: { SaleTransactionID: sale },
      POIData: { POITransactionID: { TransactionID: poiTxId, TimeStamp: at } },
    }
    if (!condition) {
      const approvalCode = String(randomInt(10 ** 6)).padStart(6, '0')
      const maskedPan = scenario === 'leak_pan' ? LEAK_FULL_PAN : scenario === 'bad_masked_pan' ? OVER_REVEALING_MASK : card.maskedPan
      body.PaymentResult = {
        PaymentType: 'Normal',
        OnlineFlag: true,
        PaymentInstrumentData: {
          PaymentInstrumentType: 'Card',
          CardData: { MaskedPan: maskedPan, PaymentBrand: card.brand, EntryMode: [ENTRY_MODES[randomInt(ENTRY_MODES.length)]], CardCountryCode: card.country },
        },
        PaymentAcquirerData: {
          AcquirerPOIID: this.o.poiId,
          MerchantID: 'DaybookSimulator',
          ApprovalCode: approvalCode,
          AcquirerTransactionID: { TransactionID: psp, TimeStamp: at },
        },
        AmountsResp: { AuthorizedAmount: minorToNexo(minor, currency), Currency: currency },
      }
    }
    const header = this.responseHeader(h)
    this.store({
      category: 'Payment',
      serviceId: String(h.ServiceID),
      saleId: String(h.SaleID),
      at,
      scenario,
      result: condition ? 'declined' : 'approved',
      errorCondition: condition,
      transactionId: str(sale.TransactionID) ?? '',
      amount: minor,
      currency,
      poiTransactionId: poiTxId,
      poiTimestamp: at,
      refunded: 0,
      originalPoiTransactionId: null,
      header,
      body,
    })
    this.o.log?.(`Payment ${String(h.ServiceID)} ${minorToText(minor, currency)} → ${condition ? `Failure/${condition}` : `Success ${poiTxId}`}${scenario === 'drop' ? ' (answer dropped)' : ''}`)
    if (scenario === 'drop' || this.closed) return { kind: 'drop' }
    return this.encrypted(header, 'PaymentResponse', body)
  }

  private async reversal(h: Obj, req: Obj | null): Promise<Action> {
    const k = `${String(h.SaleID)}|${String(h.ServiceID)}`
    if (this.running) return this.answer(h, 'ReversalResponse', this.failure('Busy'))
    if (this.records.has(k)) return this.answer(h, 'ReversalResponse', this.failure('NotAllowed', 'ServiceID already used'))
    const ref = obj(obj(req?.OriginalPOITransaction)?.POITransactionID)
    const original = this.byPoiTx.get(String(ref?.TransactionID))
    if (!original || original.poiTimestamp !== ref?.TimeStamp) return this.answer(h, 'ReversalResponse', this.failure('NotFound', 'Original transaction not found'))
    if (original.result !== 'approved') return this.answer(h, 'ReversalResponse', this.failure('NotAllowed', 'The original payment was not approved'))
    const remaining = original.amount - original.refunded
    const minor = req?.ReversedAmount === undefined ? remaining : nexoToMinor(req.ReversedAmount, original.currency)
    if (minor === null) return this.answer(h, 'ReversalResponse', this.failure('MessageFormat', `ReversedAmount must be positive with at most ${exponentFor(original.currency)} decimals`))
    if (minor > remaining || remaining <= 0) {
      return this.answer(h, 'ReversalResponse', this.failure('NotAllowed', `Refund exceeds the refundable amount (${minorToText(remaining, original.currency)} left)`))
    }
    const scenario = this.queue.shift() ?? 'approve'
    if (scenario === 'busy') return this.answer(h, 'ReversalResponse', this.failure('Busy'))
    const running: Running = { key: k }
    this.running = running
    let aborted: boolean
    try {
      aborted = await this.wait(running, scenario === 'slow' ? this.o.slowMs : 0)
    } finally {
      this.running = null
    }
    const at = new Date().toISOString()
    const condition = aborted ? 'Aborted' : scenario === 'decline' || scenario === 'cancel' ? 'Refusal' : null
    const poiTxId = `${alnum(10)}.88${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 6)).padStart(6, '0')}`
    const body: Obj = {
      Response: condition ? this.failure(condition) : { Result: 'Success' },
      OriginalPOITransaction: { POITransactionID: { TransactionID: original.poiTransactionId, TimeStamp: original.poiTimestamp } },
      POIData: { POITransactionID: { TransactionID: poiTxId, TimeStamp: at } },
      ...(condition ? {} : { ReversedAmount: minorToNexo(minor, original.currency) }),
    }
    // The money goes back before the answer is (maybe) lost: a dropped refund is still a refund.
    if (!condition) original.refunded += minor
    const header = this.responseHeader(h)
    this.store({
      category: 'Reversal',
      serviceId: String(h.ServiceID),
      saleId: String(h.SaleID),
      at,
      scenario,
      result: condition ? 'declined' : 'approved',
      errorCondition: condition,
      transactionId: str(obj(obj(req?.SaleData)?.SaleTransactionID)?.TransactionID) ?? '',
      amount: minor,
      currency: original.currency,
      poiTransactionId: poiTxId,
      poiTimestamp: at,
      refunded: 0,
      originalPoiTransactionId: original.poiTransactionId,
      header,
      body,
    })
    this.o.log?.(`Reversal ${String(h.ServiceID)} ${minorToText(minor, original.currency)} of ${String(original.poiTransactionId)} → ${condition ? `Failure/${condition}` : 'Success'}`)
    if (scenario === 'drop' || this.closed) return { kind: 'drop' }
    return this.encrypted(header, 'ReversalResponse', body)
  }

  private status(h: Obj, req: Obj | null): Action {
    const ref = obj(req?.MessageReference)
    const refServiceId = str(ref?.ServiceID)
    const k = `${str(ref?.SaleID) ?? String(h.SaleID)}|${refServiceId ?? ''}`
    const reply = (body: Obj): Action => this.answer(h, 'TransactionStatusResponse', body)
    if (this.running && this.running.key === k) return reply({ Response: this.failure('InProgress'), ...(ref ? { MessageReference: ref } : {}) })
    // Without a MessageReference nexo means "the last transaction".
    const rec = refServiceId ? this.records.get(k) : this.order[this.order.length - 1]
    if (!rec || (ref?.MessageCategory !== undefined && ref.MessageCategory !== rec.category)) {
      return reply({ Response: this.failure('NotFound'), ...(ref ? { MessageReference: ref } : {}) })
    }
    return reply({
      Response: { Result: 'Success' },
      MessageReference: { MessageCategory: rec.category, ServiceID: rec.serviceId, SaleID: rec.saleId },
      RepeatedMessageResponse: {
        MessageHeader: rec.header,
        RepeatedResponseMessageBody: { [`${rec.category}Response`]: rec.body },
      },
    })
  }

  private abortRequest(h: Obj, req: Obj | null): Action {
    const ref = obj(req?.MessageReference)
    const k = `${str(ref?.SaleID) ?? String(h.SaleID)}|${str(ref?.ServiceID) ?? ''}`
    if (this.running && this.running.key === k) {
      this.o.log?.(`Abort of ${String(ref?.ServiceID)} (${String(req?.AbortReason)})`)
      this.running.stop?.()
    }
    // A terminal answers Abort with an empty body; the aborted request answers for itself.
    return { kind: 'empty' }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private wait(r: Running, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(true)
      const t = setTimeout(() => resolve(false), Math.max(0, ms))
      r.stop = () => {
        clearTimeout(t)
        resolve(true)
      }
    })
  }

  private store(r: Stored): void {
    this.records.set(`${r.saleId}|${r.serviceId}`, r)
    if (r.poiTransactionId) this.byPoiTx.set(r.poiTransactionId, r)
    this.order.push(r)
    if (this.o.onProcessed) {
      const { header: _h, body: _b, ...rec } = r
      this.o.onProcessed(rec)
    }
  }

  private failure(condition: string, message?: string): Obj {
    return { Result: 'Failure', ErrorCondition: condition, AdditionalResponse: new URLSearchParams({ message: message ?? MESSAGES[condition] ?? condition }).toString() }
  }

  private responseHeader(h: Obj): Record<string, unknown> {
    return { MessageClass: 'Service', MessageCategory: h.MessageCategory, MessageType: 'Response', ServiceID: h.ServiceID, SaleID: h.SaleID, POIID: this.o.poiId }
  }

  private answer(h: Obj, kind: string, responseOrBody: Obj): Action {
    // `responseOrBody` is either a whole body or just its Response (for short refusals).
    const body = 'Result' in responseOrBody ? { Response: responseOrBody } : responseOrBody
    return this.encrypted(this.responseHeader(h), kind, body)
  }

  private encrypted(header: Record<string, unknown>, kind: string, body: Obj): Action {
    const json = JSON.stringify({ SaleToPOIResponse: { MessageHeader: header, [kind]: body } })
    return { kind: 'json', body: { SaleToPOIResponse: encryptMessage(header, json, this.key, this.o.key) } }
  }

  /** A message the terminal cannot read or will not take: a clear Reject event (it has no key to answer with). */
  private reject(details: string): Action {
    this.o.log?.(`Reject: ${details}`)
    return {
      kind: 'json',
      body: {
        SaleToPOIRequest: {
          MessageHeader: { MessageClass: 'Event', MessageCategory: 'Event', MessageType: 'Notification', POIID: this.o.poiId },
          EventNotification: { EventToNotify: 'Reject', EventDetails: new URLSearchParams({ message: details }).toString(), TimeStamp: new Date().toISOString() },
        },
      },
    }
  }

  /** A readable message the terminal refuses: the Reject event, encrypted. */
  private rejectEncrypted(h: Obj, details: string): Action {
    this.o.log?.(`Reject: ${details}`)
    const header = { MessageClass: 'Event', MessageCategory: 'Event', MessageType: 'Notification', ServiceID: h.ServiceID, SaleID: h.SaleID, POIID: this.o.poiId }
    const json = JSON.stringify({
      SaleToPOIRequest: {
        MessageHeader: header,
        EventNotification: { EventToNotify: 'Reject', EventDetails: new URLSearchParams({ message: details }).toString(), TimeStamp: new Date().toISOString() },
      },
    })
    return { kind: 'json', body: { SaleToPOIRequest: encryptMessage(header, json, this.key, this.o.key) } }
  }
}

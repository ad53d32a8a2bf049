import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// Deep imports: the package index loads every Adyen API (~1.8 s); these three modules load in ~0.1 s.
import AdyenClient from '@adyen/api-library/lib/src/client'
import { EnvironmentEnum } from '@adyen/api-library/lib/src/config'
import HttpURLConnectionClient from '@adyen/api-library/lib/src/httpClient/httpURLConnectionClient'
import NexoDerivedKeyGenerator from '@adyen/api-library/lib/src/security/nexoDerivedKeyGenerator'
import TerminalLocalAPI from '@adyen/api-library/lib/src/services/terminalLocalAPI'
import type { NexoDerivedKey, SecurityKey, TerminalApiRequest, TerminalApiResponse } from '@adyen/api-library/lib/src/typings/terminal/models'
import Decimal from 'decimal.js'
import { findCardNumber, locateCardNumber, MASKED_PAN_PATTERN } from '../../../../shared/card-number'
import { CURRENCY_EXPONENT, MAX_MINOR, minorToDecimalString, type Currency } from '../../../../shared/money'
import { CardDetailsSchema } from '../../../../shared/payments'
import type { TerminalConfig } from './config'
import type { TerminalDriver, TerminalOutcome, TerminalPayment, TerminalRefund, TerminalStatus, TerminalStatusQuery } from './driver'

/**
 * A TerminalDriver for Adyen terminals on the LAN: Terminal API (nexo) through
 * @adyen/api-library's TerminalLocalAPI, encrypted with the shared key (AdyenCryptoVersion 1), the
 * terminal's certificate checked against `caCertPem` (Adyen's root, or a simulator's CA).
 *
 * Outcomes (driver.ts): Success/Partial → approved; Failure+Busy → busy; any other Failure →
 * declined with its ErrorCondition; a Reject event (the terminal could not read or would not
 * take the message, e.g. a wrong key) → declined with errorCondition 'Reject' for pay and refund,
 * since the terminal processed nothing, and no_answer for status; network error, timeout, an
 * answer that cannot be decrypted, verified or read → no_answer.
 *
 * Card numbers: an answer holding anything that looks like a full card number, or a MaskedPan
 * showing more than the first 6 and last 4 digits, keeps its outcome but loses its card details
 * (card: null); the number itself is never logged, returned or kept.
 */
export interface AdyenDriverOptions {
  /** `https://<terminal ip>`: the library appends `:8443/nexo/`. */
  endpoint: string
  /** nexo POIID, e.g. V400m-123456789. */
  poiId: string
  /** The till's device code (nexo SaleID). */
  saleId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  /** PEM of the CA that signed the terminal's certificate (Adyen's terminal root, or the simulator's CA). */
  caCertPem: string
  /** Pay and refund: how long to wait for the answer. Default 130 s (the terminal itself gives up after 120 s). */
  timeoutMs?: number
  /** TransactionStatus and Abort. Default 10 s. */
  statusTimeoutMs?: number
  /**
   * The store currency, to read the amount of a refund found through TransactionStatus after a
   * restart (a nexo ReversalResponse names no currency). Payments carry their own.
   */
  currency?: Currency
  /** Warnings (a refused card number: where, never what). Default console.warn. */
  log?: (line: string) => void
}

export class AdyenDriverError extends Error {
  override readonly name = 'AdyenDriverError'
  constructor(
    readonly code: 'bad_config' | 'bad_request',
    message: string,
  ) {
    super(message)
  }
}

const PAY_TIMEOUT_MS = 130_000
const STATUS_TIMEOUT_MS = 10_000
/** The library sends X-API-Key on every call and refuses to send without one; a terminal on the LAN ignores it. */
const LOCAL_API_KEY = 'local-terminal'

// ---- amounts ---------------------------------------------------------------------------------

function currencyOf(code: string): Currency {
  if (!Object.hasOwn(CURRENCY_EXPONENT, code)) throw new AdyenDriverError('bad_request', `unknown currency ${JSON.stringify(code)}`)
  return code as Currency
}

/**
 * Minor units → the nexo amount (a JSON number of major units). Built from the exact decimal
 * text: every amount up to MAX_MINOR has at most 15 significant digits, so the double read from
 * that text is the one whose shortest representation — what JSON.stringify writes — is that text.
 */
export function minorToNexoAmount(amount: number, currency: Currency): number {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_MINOR) throw new AdyenDriverError('bad_request', `amount must be whole minor units in 0..${MAX_MINOR}, got ${amount}`)
  return Number(minorToDecimalString(amount, currency))
}

/** A nexo amount → minor units, exactly; null when it is not a non-negative amount with at most the currency's decimals. */
export function nexoAmountToMinor(value: unknown, currency: Currency): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null
  // String(value) is the shortest text that reads back as this double: the digits the terminal sent.
  const minor = new Decimal(String(value)).mul(Decimal.pow(10, CURRENCY_EXPONENT[currency]))
  if (!minor.isInteger() || minor.gt(MAX_MINOR)) return null
  return minor.toNumber()
}

// ---- the library's key derivation, remembered ---------------------------------------------

/**
 * The library derives the key from the passphrase again for every message it encrypts and every
 * answer it decrypts: PBKDF2-HMAC-SHA1 with 4000 iterations for 640 bytes (it passes bits where
 * bytes are meant; 80 are used) — 70–140 ms each on a till, twice per payment, most of a card
 * round trip. The derivation is a pure function of the passphrase, so remembering its result
 * changes nothing but the time. Keyed by a hash so the cache holds no passphrase; a few entries.
 */
const derivedKeys = new Map<string, NexoDerivedKey>()
let derivationCached = false
function cacheKeyDerivation(): void {
  if (derivationCached) return
  derivationCached = true
  const derive = NexoDerivedKeyGenerator.deriveKeyMaterial.bind(NexoDerivedKeyGenerator)
  NexoDerivedKeyGenerator.deriveKeyMaterial = (passphrase: string): NexoDerivedKey => {
    const id = createHash('sha256').update(passphrase, 'binary').digest('base64')
    let key = derivedKeys.get(id)
    if (!key) {
      key = derive(passphrase)
      if (derivedKeys.size >= 8) derivedKeys.delete(derivedKeys.keys().next().value as string)
      derivedKeys.set(id, key)
    }
    return key
  }
}

// ---- the library's HTTP client, with a signal, and the terminal's clear answers screened --------

class TerminalRejected extends Error {
  override readonly name = 'TerminalRejected'
}
class Unreadable extends Error {
  override readonly name = 'Unreadable'
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null)
const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null)

function eventDetails(details: unknown): string {
  const raw = typeof details === 'string' ? details : ''
  let message = raw
  try {
    message = new URLSearchParams(raw).get('message') ?? raw
  } catch {
    // keep raw
  }
  return safeText(message, 'no details')
}

/** Text from the terminal fit for a message: nothing card-like, bounded. */
function safeText(s: string, fallback: string): string {
  const t = s.trim().slice(0, 200)
  return t.length === 0 || findCardNumber(t) !== null ? fallback : t
}

type RequestOptions = Parameters<HttpURLConnectionClient['request']>[4]

/**
 * Wraps the library's own HTTP client (TLS, CA, CN check, headers unchanged) to add an abort
 * signal and to look at the raw answer before the library does: a clear Reject event becomes a
 * TerminalRejected, an encrypted event is handed to the library's decryption, and a body that is
 * not JSON never reaches the library (which would log part of it).
 */
class ScreeningHttpClient {
  private readonly inner = new HttpURLConnectionClient()
  constructor(private readonly signal: AbortSignal) {}

  async request(endpoint: string, json: string | Buffer, config: Parameters<HttpURLConnectionClient['request']>[2], isApiRequired: boolean, requestOptions: RequestOptions = {}): Promise<string> {
    const body = await this.inner.request(endpoint, json, config, isApiRequired, { ...requestOptions, signal: this.signal })
    if (body === '') return body // Abort is answered with an empty body.
    let parsed: Obj | null
    try {
      parsed = obj(JSON.parse(body))
    } catch {
      throw new Unreadable('the terminal answered something that is not JSON')
    }
    if (obj(parsed?.SaleToPOIResponse)) return body
    const event = obj(parsed?.SaleToPOIRequest)
    if (event && typeof event.NexoBlob === 'string') return JSON.stringify({ SaleToPOIResponse: event })
    const note = obj(event?.EventNotification)
    if (note?.EventToNotify === 'Reject') throw new TerminalRejected(eventDetails(note.EventDetails))
    throw new Unreadable('the terminal answered neither a SaleToPOIResponse nor an event')
  }
}

type Answer = { kind: 'response'; body: Obj } | { kind: 'rejected'; details: string } | { kind: 'failed'; message: string }

const caFiles = new Set<string>()
let exitHook = false
function removeCaFiles(): void {
  for (const dir of caFiles) rmSync(dir, { recursive: true, force: true })
  caFiles.clear()
}

const DEFAULT_MESSAGES: Record<string, string> = {
  Refusal: 'The card was declined.',
  Cancel: 'Cancelled on the terminal.',
  Aborted: 'The payment was stopped before it completed.',
  InvalidCard: 'The card cannot be used.',
  NotAllowed: 'The terminal does not allow this transaction.',
  WrongPin: 'Wrong PIN.',
  PaymentRestriction: 'The card cannot pay this amount.',
  UnavailableService: 'The payment service is unavailable.',
  UnreachableHost: 'The terminal could not reach the payment service.',
  NotFound: 'The terminal could not find the original payment.',
  MessageFormat: 'The terminal could not read the request.',
}

export class AdyenTerminalDriver implements TerminalDriver {
  readonly terminalId: string
  private readonly certPath: string
  private readonly certDir: string
  private readonly key: SecurityKey
  private readonly payTimeoutMs: number
  private readonly statusTimeoutMs: number
  private readonly log: (line: string) => void
  /** Currency of the requests this driver sent, for a TransactionStatus of a refund (bounded). */
  private readonly currencies = new Map<string, Currency>()

  constructor(private readonly o: AdyenDriverOptions) {
    const bad = (m: string): never => {
      throw new AdyenDriverError('bad_config', m)
    }
    if (!/^https:\/\/[^/:?#\s]+$/.test(o.endpoint)) bad(`endpoint must be https://<terminal address> without port or path (the library adds :8443/nexo/), got ${JSON.stringify(o.endpoint)}`)
    if (!/^[A-Za-z0-9]+-[A-Za-z0-9]+$/.test(o.poiId)) bad(`POIID must look like V400m-123456789, got ${JSON.stringify(o.poiId)}`)
    if (!o.saleId || o.saleId.length > 64) bad('saleId (the till device code) is required')
    if (!o.keyIdentifier) bad('keyIdentifier is required')
    if (!Number.isSafeInteger(o.keyVersion) || o.keyVersion < 0) bad('keyVersion must be a whole number')
    if (!o.passphrase) bad('passphrase is required')
    for (const [k, v] of [['timeoutMs', o.timeoutMs], ['statusTimeoutMs', o.statusTimeoutMs]] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) bad(`${k} must be a positive whole number of milliseconds`)
    }
    try {
      if (!new X509Certificate(o.caCertPem).ca) bad('caCertPem is a certificate but not a CA certificate')
    } catch (e) {
      if (e instanceof AdyenDriverError) throw e
      bad('caCertPem is not a PEM certificate')
    }
    this.terminalId = o.poiId
    this.key = { KeyIdentifier: o.keyIdentifier, KeyVersion: o.keyVersion, Passphrase: o.passphrase, AdyenCryptoVersion: 1 }
    this.payTimeoutMs = o.timeoutMs ?? PAY_TIMEOUT_MS
    this.statusTimeoutMs = o.statusTimeoutMs ?? STATUS_TIMEOUT_MS
    this.log = o.log ?? ((line) => console.warn(line))
    cacheKeyDerivation()
    // The library only takes the CA as a file path (config.certificatePath): a private temp file.
    this.certDir = mkdtempSync(join(tmpdir(), 'daybook-terminal-ca-'))
    this.certPath = join(this.certDir, 'terminal-ca.pem')
    writeFileSync(this.certPath, o.caCertPem, { mode: 0o600 })
    caFiles.add(this.certDir)
    if (!exitHook) {
      exitHook = true
      process.once('exit', removeCaFiles)
    }
  }

  /** Removes the CA temp file. The driver is unusable afterwards. */
  dispose(): void {
    rmSync(this.certDir, { recursive: true, force: true })
    caFiles.delete(this.certDir)
  }

  async pay(req: TerminalPayment, signal?: AbortSignal): Promise<TerminalOutcome> {
    const currency = currencyOf(req.currency)
    this.checkServiceId(req.serviceId)
    if (!Number.isSafeInteger(req.amount) || req.amount < 1) throw new AdyenDriverError('bad_request', `amount must be positive whole minor units, got ${req.amount}`)
    this.remember(req.serviceId, currency)
    const answer = await this.send(
      'Payment',
      req.serviceId,
      {
        PaymentRequest: {
          SaleData: { SaleTransactionID: { TransactionID: req.transactionId, TimeStamp: req.at.toISOString() } },
          PaymentTransaction: { AmountsReq: { Currency: currency, RequestedAmount: minorToNexoAmount(req.amount, currency) } },
        },
      },
      this.payTimeoutMs,
      signal,
    )
    if (answer.kind === 'failed') return { kind: 'no_answer', message: answer.message }
    if (answer.kind === 'rejected') return this.rejectedOutcome(answer.details)
    const body = this.bodyOf(answer.body, 'Payment', req.serviceId, 'PaymentResponse')
    if (typeof body === 'string') return { kind: 'no_answer', message: body }
    return this.readPayment(body, currency, answer.body)
  }

  async refund(req: TerminalRefund, signal?: AbortSignal): Promise<TerminalOutcome> {
    const currency = currencyOf(req.currency)
    this.checkServiceId(req.serviceId)
    if (!Number.isSafeInteger(req.amount) || req.amount < 1) throw new AdyenDriverError('bad_request', `amount must be positive whole minor units, got ${req.amount}`)
    if (!req.originalPoiTransactionId || !req.originalPoiTimestamp) throw new AdyenDriverError('bad_request', 'the original POITransactionID and its TimeStamp are required')
    this.remember(req.serviceId, currency)
    const answer = await this.send(
      'Reversal',
      req.serviceId,
      {
        ReversalRequest: {
          SaleData: { SaleTransactionID: { TransactionID: req.refundId, TimeStamp: req.at.toISOString() } },
          OriginalPOITransaction: { POITransactionID: { TransactionID: req.originalPoiTransactionId, TimeStamp: req.originalPoiTimestamp } },
          ReversalReason: 'MerchantCancel',
          ReversedAmount: minorToNexoAmount(req.amount, currency),
        },
      },
      this.payTimeoutMs,
      signal,
    )
    if (answer.kind === 'failed') return { kind: 'no_answer', message: answer.message }
    if (answer.kind === 'rejected') return this.rejectedOutcome(answer.details)
    const body = this.bodyOf(answer.body, 'Reversal', req.serviceId, 'ReversalResponse')
    if (typeof body === 'string') return { kind: 'no_answer', message: body }
    return this.readReversal(body, currency, req.amount, answer.body)
  }

  async status(req: TerminalStatusQuery, signal?: AbortSignal): Promise<TerminalStatus> {
    this.checkServiceId(req.serviceId)
    const answer = await this.send(
      'TransactionStatus',
      req.serviceId,
      {
        TransactionStatusRequest: {
          MessageReference: { MessageCategory: req.category, SaleID: this.o.saleId, ServiceID: req.originalServiceId },
          ReceiptReprintFlag: true,
          DocumentQualifier: ['CashierReceipt', 'CustomerReceipt'],
        },
      },
      this.statusTimeoutMs,
      signal,
    )
    if (answer.kind === 'failed') return { kind: 'no_answer', message: answer.message }
    if (answer.kind === 'rejected') return { kind: 'no_answer', message: this.rejectedMessage(answer.details) }
    const body = this.bodyOf(answer.body, 'TransactionStatus', req.serviceId, 'TransactionStatusResponse')
    if (typeof body === 'string') return { kind: 'no_answer', message: body }
    const response = obj(body.Response)
    if (response?.Result !== 'Success') {
      const condition = text(response?.ErrorCondition)
      if (condition === 'InProgress') return { kind: 'in_progress' }
      if (condition === 'NotFound') return { kind: 'not_found' }
      return { kind: 'no_answer', message: `The terminal could not tell what became of the ${req.category.toLowerCase()} (${condition ?? 'no reason given'}).` }
    }
    const repeated = obj(body.RepeatedMessageResponse)
    const header = obj(repeated?.MessageHeader)
    if (header && text(header.ServiceID) !== null && header.ServiceID !== req.originalServiceId) {
      return { kind: 'no_answer', message: 'The terminal repeated the answer to a different request.' }
    }
    const inner = obj(obj(repeated?.RepeatedResponseMessageBody)?.[`${req.category}Response`])
    if (!inner) return { kind: 'no_answer', message: 'The terminal found the request but did not repeat its answer.' }
    const outcome =
      req.category === 'Payment'
        ? this.readPayment(inner, this.currencies.get(req.originalServiceId) ?? this.o.currency ?? null, answer.body)
        : this.readReversal(inner, this.currencies.get(req.originalServiceId) ?? this.o.currency ?? null, null, answer.body)
    return outcome.kind === 'no_answer' ? outcome : { kind: 'found', outcome }
  }

  async abort(req: { serviceId: string; originalServiceId: string; category: 'Payment' | 'Reversal' }): Promise<void> {
    this.checkServiceId(req.serviceId)
    // Best effort: the running request answers for itself (Failure / Aborted), Abort has no answer.
    await this.send(
      'Abort',
      req.serviceId,
      { AbortRequest: { AbortReason: 'MerchantAbort', MessageReference: { MessageCategory: req.category, SaleID: this.o.saleId, ServiceID: req.originalServiceId, POIID: this.o.poiId } } },
      this.statusTimeoutMs,
    )
  }

  // ---- reading answers -----------------------------------------------------------------------

  private readPayment(body: Obj, currency: Currency | null, whole: Obj): TerminalOutcome {
    const response = obj(body.Response)
    const result = text(response?.Result)
    if (result === 'Failure') return this.failureOutcome(response, whole)
    if (result !== 'Success' && result !== 'Partial') return { kind: 'no_answer', message: 'The terminal answered without a result.' }
    const ref = this.poiTransaction(body)
    if (typeof ref === 'string') return { kind: 'no_answer', message: ref }
    const paymentResult = obj(body.PaymentResult)
    const amounts = obj(paymentResult?.AmountsResp)
    const named = text(amounts?.Currency)
    const cur = named !== null && Object.hasOwn(CURRENCY_EXPONENT, named) ? (named as Currency) : named === null ? currency : null
    if (cur === null) return { kind: 'no_answer', message: `The terminal approved in a currency the till does not know (${named ?? 'none given'}).` }
    const amount = nexoAmountToMinor(amounts?.AuthorizedAmount, cur)
    if (amount === null) return { kind: 'no_answer', message: `The terminal approved an amount that is not a valid ${cur} amount.` }
    return { kind: 'approved', card: this.cardOf(paymentResult, whole), providerRef: ref.id, providerTimestamp: ref.timestamp, amount }
  }

  private readReversal(body: Obj, currency: Currency | null, requested: number | null, whole: Obj): TerminalOutcome {
    const response = obj(body.Response)
    const result = text(response?.Result)
    if (result === 'Failure') return this.failureOutcome(response, whole)
    if (result !== 'Success' && result !== 'Partial') return { kind: 'no_answer', message: 'The terminal answered without a result.' }
    const ref = this.poiTransaction(body)
    if (typeof ref === 'string') return { kind: 'no_answer', message: ref }
    let amount = requested
    if (body.ReversedAmount !== undefined && currency !== null) amount = nexoAmountToMinor(body.ReversedAmount, currency)
    if (amount === null) {
      // Without the store currency the refunded amount cannot be read; the refund itself is certain.
      return currency === null
        ? { kind: 'approved', card: null, providerRef: ref.id, providerTimestamp: ref.timestamp, amount: 0 }
        : { kind: 'no_answer', message: `The terminal refunded an amount that is not a valid ${currency} amount.` }
    }
    return { kind: 'approved', card: null, providerRef: ref.id, providerTimestamp: ref.timestamp, amount }
  }

  private failureOutcome(response: Obj | null, whole: Obj): TerminalOutcome {
    const condition = text(response?.ErrorCondition) ?? 'Unknown'
    let message = DEFAULT_MESSAGES[condition] ?? `The terminal refused (${condition}).`
    if (condition === 'Busy') return { kind: 'busy', message: 'The card terminal is busy with another transaction.' }
    // The terminal's own words, unless anything in the answer looked like a card number.
    if (!this.tainted(whole)) {
      const extra = new URLSearchParams(text(response?.AdditionalResponse) ?? '')
      const own = extra.get('message') ?? extra.get('refusalReason')
      if (own) message = safeText(own, message)
    }
    return { kind: 'declined', errorCondition: condition, message }
  }

  private poiTransaction(body: Obj): { id: string; timestamp: string } | string {
    const poi = obj(obj(body.POIData)?.POITransactionID)
    const id = text(poi?.TransactionID)
    const timestamp = text(poi?.TimeStamp)
    if (!id || !timestamp) return 'The terminal approved without a transaction reference.'
    if (findCardNumber(id) !== null || findCardNumber(timestamp) !== null) return 'The terminal’s transaction reference looks like a card number; the answer was refused.'
    return { id, timestamp }
  }

  private cardOf(paymentResult: Obj | null, whole: Obj): Extract<TerminalOutcome, { kind: 'approved' }>['card'] {
    if (this.tainted(whole)) return null
    const data = obj(obj(paymentResult?.PaymentInstrumentData)?.CardData)
    const maskedPan = text(data?.MaskedPan) ?? ''
    if (!MASKED_PAN_PATTERN.test(maskedPan)) {
      this.log(`adyen terminal ${this.o.poiId}: the masked card number shows more than the first 6 and last 4 digits, or none; card details dropped`)
      return null
    }
    const entry = Array.isArray(data?.EntryMode) ? text(data.EntryMode[0]) : null
    const card = CardDetailsSchema.omit({ terminalId: true }).safeParse({
      maskedPan,
      brand: text(data?.PaymentBrand) ?? '',
      entryMode: entry ?? '',
      approvalCode: text(obj(paymentResult?.PaymentAcquirerData)?.ApprovalCode) ?? '',
    })
    return card.success ? card.data : null
  }

  /** Whether the answer holds anything card-number-like; says where (never what) once per answer. */
  private tainted(whole: Obj): boolean {
    const cached = this.taint.get(whole)
    if (cached !== undefined) return cached
    const hit = locateCardNumber(whole)
    this.taint.set(whole, hit !== null)
    if (hit) {
      const where = hit.path.map((p) => (typeof p === 'string' && findCardNumber(p) !== null ? '<key>' : String(p))).join('.')
      this.log(`adyen terminal ${this.o.poiId}: the answer holds a card-number-like value at ${where}; card details dropped, nothing kept`)
    }
    return hit !== null
  }
  private readonly taint = new WeakMap<Obj, boolean>()

  private rejectedMessage(details: string): string {
    return `The card terminal refused the request: ${details}. Check the terminal settings (POIID, key identifier, key version, passphrase).`
  }

  private rejectedOutcome(details: string): TerminalOutcome {
    // A Reject is the terminal saying it did not take the message: nothing was processed.
    return { kind: 'declined', errorCondition: 'Reject', message: this.rejectedMessage(details) }
  }

  /** The response body of the expected kind, or why the answer is not usable. */
  private bodyOf(whole: Obj, category: string, serviceId: string, kind: string): Obj | string {
    const response = obj(whole.SaleToPOIResponse)
    const header = obj(response?.MessageHeader)
    if (!response || !header) return 'The terminal’s answer had no message header.'
    if (header.ServiceID !== serviceId || header.MessageCategory !== category) return 'The terminal answered a different request.'
    return obj(response[kind]) ?? `The terminal’s answer had no ${kind}.`
  }

  // ---- sending -------------------------------------------------------------------------------

  private checkServiceId(id: string): void {
    if (!/^[A-Za-z0-9]{1,10}$/.test(id)) throw new AdyenDriverError('bad_request', `ServiceID must be 1–10 letters or digits, got ${JSON.stringify(id)}`)
  }

  private remember(serviceId: string, currency: Currency): void {
    this.currencies.set(serviceId, currency)
    if (this.currencies.size > 1000) this.currencies.delete(this.currencies.keys().next().value as string)
  }

  private async send(category: string, serviceId: string, body: Obj, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
    if (signal?.aborted) return { kind: 'failed', message: 'Cancelled by the till before it was sent.' }
    const deadline = AbortSignal.timeout(timeoutMs)
    const stop = signal ? AbortSignal.any([signal, deadline]) : deadline
    const client = new AdyenClient(
      {
        environment: EnvironmentEnum.TEST, // only picks cloud endpoints; a local request goes to terminalApiLocalEndpoint
        apiKey: LOCAL_API_KEY,
        certificatePath: this.certPath,
        terminalApiLocalEndpoint: this.o.endpoint,
        connectionTimeoutMillis: timeoutMs,
      },
      new ScreeningHttpClient(stop),
    )
    const request = {
      SaleToPOIRequest: {
        MessageHeader: { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: category, MessageType: 'Request', ServiceID: serviceId, SaleID: this.o.saleId, POIID: this.o.poiId },
        ...body,
      },
    } as unknown as TerminalApiRequest
    let onAbort: (() => void) | undefined
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error('aborted'))
      stop.addEventListener('abort', onAbort, { once: true })
    })
    try {
      const call = new TerminalLocalAPI(client).request(request, this.key)
      call.catch(() => {}) // still settles after an abort; its outcome no longer matters
      const response: TerminalApiResponse = await Promise.race([call, stopped])
      // Plain JSON from here on: the library's model classes carry nothing the checks need.
      const whole = JSON.parse(JSON.stringify(response)) as Obj
      // An encrypted Reject event (the terminal read the message and refused it, e.g. unknown POIID).
      const event = obj(obj(whole.SaleToPOIRequest)?.EventNotification)
      if (event?.EventToNotify === 'Reject') return { kind: 'rejected', details: eventDetails(event.EventDetails) }
      return { kind: 'response', body: whole }
    } catch (e) {
      if (e instanceof TerminalRejected) return { kind: 'rejected', details: e.message }
      if (deadline.aborted) return { kind: 'failed', message: `No answer from the card terminal within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}.` }
      if (signal?.aborted) return { kind: 'failed', message: 'Cancelled by the till while waiting for the terminal.' }
      return { kind: 'failed', message: describeFailure(e) }
    } finally {
      if (onAbort) stop.removeEventListener('abort', onAbort)
      stopped.catch(() => {})
    }
  }
}

function describeFailure(e: unknown): string {
  const name = e instanceof Error || (e && typeof e === 'object' && 'name' in e) ? String((e as { name: unknown }).name) : ''
  const message = e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e)
  if (name === 'Unreadable') return `Unreadable answer: ${message}.`
  if (name === 'NexoCryptoException' || name === 'InvalidSecurityKeyException') return 'The terminal’s answer could not be verified with the shared key (check key identifier, version and passphrase).'
  if (/certificate|self[- ]signed|CERT_|unable to verify|verify/i.test(message)) return `The card terminal’s certificate is not trusted: ${safeText(message, 'certificate check failed')}.`
  if (e instanceof SyntaxError || e instanceof TypeError) return 'Unreadable answer from the card terminal.'
  return `Could not reach the card terminal: ${safeText(message, 'connection failed')}.`
}

/** The driver for the till's configured terminal (terminal/config.ts). */
export function createAdyenDriver(config: TerminalConfig, extra: Pick<AdyenDriverOptions, 'timeoutMs' | 'statusTimeoutMs' | 'currency' | 'log'> = {}): AdyenTerminalDriver {
  return new AdyenTerminalDriver({ ...config, ...extra })
}

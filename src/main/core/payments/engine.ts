import type { Settings } from '../../../shared/contract'
import { newId } from '../../../shared/ids'
import type { Payment, PaymentState } from '../../../shared/payments'
import type { Db } from '../db/sqlite'
import type { Device } from '../device'
import type { CallResult, PlatformClient, Timers } from '../sync/client'
import { openAttempts, patchAttempt, readAttempt, type AttemptPatch, type AttemptRow } from './attempts'
import { completeIfCovered, finishVoidIfSettled, readCheckoutRow } from './checkout'
import { openRefunds, patchRefund, postRefund, readRefund, type RefundRow } from './refunds'
import type { TerminalDriver, TerminalOutcome } from './terminal/driver'

/**
 * Drives tender attempts and refunds through their state machines, in the background, one loop
 * per attempt. Every step reads the attempt from SQLite, makes ONE call, and writes what it
 * learnt before the next; so a crash (SIGKILL) between any two steps leaves a row that the next
 * start resolves by asking the provider — never by charging again.
 */

export interface EngineOptions {
  /** How long the platform may hold a merchant-QR query open (long poll). */
  qrWaitMs: number
  /** The user-paying path: query every ~5 s, give up (cancel) after ~60 s. */
  codePollMs: number
  codeGiveUpMs: number
  /** After a merchant QR's expiry, how long before the till closes it itself. */
  expiryGraceMs: number
  /** Waits between tries when the platform or terminal does not answer. */
  retryMinMs: number
  retryMaxMs: number
  /** TransactionStatus cadence while the terminal says InProgress, and when to abort. */
  cardStatusPollMs: number
  cardGiveUpMs: number
  refundPollMs: number
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  qrWaitMs: 20_000,
  codePollMs: 5_000,
  codeGiveUpMs: 60_000,
  expiryGraceMs: 5_000,
  retryMinMs: 1_000,
  retryMaxMs: 15_000,
  cardStatusPollMs: 2_000,
  cardGiveUpMs: 150_000,
  refundPollMs: 3_000,
}

export interface EngineDeps {
  db: Db
  device: Device
  now: () => Date
  timers: Timers
  settings: () => Settings
  /** A signed platform client, or null on an unpaired till. */
  platform: (timeoutMs: number) => PlatformClient | null
  terminal: () => TerminalDriver | null
  /** A change the screens should see: the checkout (or order, for refunds) that moved. */
  onChange: (c: { checkoutId?: string; orderId?: string; completed?: boolean }) => void
  log: (line: string) => void
  options?: Partial<EngineOptions>
}

type Family = 'qr' | 'card'
const familyOf = (a: { flow: string }): Family => (a.flow === 'terminal' ? 'card' : 'qr')
const CONNECT_FAILED = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|no device credentials/

/** nexo ServiceID: at most 10 characters, unique per request (the random tail of a ULID). */
export function newServiceId(): string {
  return newId().slice(-10)
}

export class PaymentEngine {
  private readonly o: EngineOptions
  private readonly running = new Map<string, Promise<void>>()
  /** Attempts this process wrote and has not sent yet (anything else in `created` may have left). */
  private readonly fresh = new Set<string>()
  private readonly freshRefunds = new Set<string>()
  /** The customer's payment code lives only in memory: a one-time bearer token, never stored. */
  private readonly authCodes = new Map<string, string>()
  private readonly lastSeen = new Map<string, PaymentState>()
  /** Attempts found unfinished at start-up, per family: no new attempt of that family until they resolve. */
  private readonly recovering: Record<Family, Set<string>> = { qr: new Set(), card: new Set() }
  private readonly abort = new AbortController()
  /** Per attempt: cuts short a long poll or a user-paying wait when the cashier cancels or voids. */
  private readonly waits = new Map<string, AbortController>()
  private stopped = false
  /** The last platform call for a payment could not connect. */
  private platformDown = false

  constructor(private readonly d: EngineDeps) {
    this.o = { ...DEFAULT_ENGINE_OPTIONS, ...d.options }
  }

  /** Resolves everything a crash or a lost answer left open: attempts, refunds, voids. */
  start(): void {
    for (const a of openAttempts(this.d.db)) {
      this.recovering[familyOf(a)].add(a.id)
      this.drive(a.id)
    }
    for (const r of openRefunds(this.d.db)) this.driveRefund(r.id)
    const voiding = this.d.db.prepare("SELECT id FROM checkouts WHERE state = 'voiding'").all() as { id: string }[]
    for (const c of voiding) this.settleVoid(c.id)
    // A crash between an attempt's success and posting the sale leaves a covered checkout open:
    // post it now (completeIfCovered does nothing to one that is not covered).
    const open = this.d.db.prepare("SELECT id FROM checkouts WHERE state = 'open'").all() as { id: string }[]
    for (const c of open) this.afterChange(c.id)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.abort.abort()
    await Promise.allSettled([...this.running.values()])
  }

  isRecovering(family: Family): boolean {
    return this.recovering[family].size > 0
  }

  /** Attempts and refunds left unfinished by a crash or a lost answer (not one simply in progress). */
  unresolved(): number {
    const recovering = new Set([...this.recovering.qr, ...this.recovering.card])
    const lost = openAttempts(this.d.db).filter((a) => a.state === 'unknown' && !recovering.has(a.id)).length
    return recovering.size + lost + openRefunds(this.d.db).filter((r) => r.state === 'unknown').length
  }

  platformReachable(): boolean {
    return !this.platformDown
  }

  /** Starts (or joins) the loop of a freshly written attempt. */
  begin(attemptId: string, authCode?: string): void {
    this.fresh.add(attemptId)
    if (authCode) this.authCodes.set(attemptId, authCode)
    this.drive(attemptId)
  }

  beginRefund(refundId: string): void {
    this.freshRefunds.add(refundId)
    this.driveRefund(refundId)
  }

  /** The cashier stops an attempt: recorded first, then acted on by its loop. */
  cancel(attemptId: string): void {
    const a = readAttempt(this.d.db, attemptId)
    if (!a || (a.state !== 'created' && a.state !== 'awaiting_customer' && a.state !== 'unknown')) return
    patchAttempt(this.d.db, a.id, [a.state], { cancelRequested: true, activity: 'cancelling' }, this.at())
    this.interrupt(a.id)
    this.d.onChange({ checkoutId: a.checkout_id })
    const t = a.flow === 'terminal' ? this.d.terminal() : null
    if (t && a.service_id) void t.abort({ serviceId: newServiceId(), originalServiceId: a.service_id, category: 'Payment' }).catch(() => {})
    this.drive(a.id)
  }

  /** Gives back every tender of a checkout being voided (their loops do the work). */
  settleVoid(checkoutId: string): void {
    const rows = this.d.db.prepare('SELECT id FROM tender_attempts WHERE checkout_id = ?').all(checkoutId) as { id: string }[]
    const t = this.d.terminal()
    for (const r of rows) {
      const a = readAttempt(this.d.db, r.id)
      // A card still waiting for the customer is stopped on the terminal, as a cashier's cancel would.
      if (t && a?.flow === 'terminal' && a.service_id && (a.state === 'awaiting_customer' || a.state === 'created')) {
        void t.abort({ serviceId: newServiceId(), originalServiceId: a.service_id, category: 'Payment' }).catch(() => {})
      }
      this.interrupt(r.id)
      this.drive(r.id)
    }
    this.afterChange(checkoutId)
  }

  private interrupt(attemptId: string): void {
    this.waits.get(attemptId)?.abort()
  }

  /** A signal that fires on stop() or on interrupt(attemptId), for one wait. */
  private waitSignal(attemptId: string): AbortSignal {
    const c = new AbortController()
    this.waits.set(attemptId, c)
    return AbortSignal.any([this.abort.signal, c.signal])
  }

  drive(attemptId: string): void {
    if (this.stopped || this.running.has(attemptId)) return
    const p = this.loop(attemptId)
      .catch((e: unknown) => this.d.log(`payment ${attemptId}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => this.running.delete(attemptId))
    this.running.set(attemptId, p)
  }

  driveRefund(refundId: string): void {
    const key = `refund:${refundId}`
    if (this.stopped || this.running.has(key)) return
    const p = this.refundLoop(refundId)
      .catch((e: unknown) => this.d.log(`refund ${refundId}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => this.running.delete(key))
    this.running.set(key, p)
  }

  // ---- the attempt loop --------------------------------------------------------------------

  private async loop(id: string): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      const a = readAttempt(this.d.db, id)
      if (!a) return
      const voiding = readCheckoutRow(this.d.db, a.checkout_id)?.state === 'voiding'
      // A succeeded payment is given back when its sale is voided, when the cashier's cancel came
      // too late, or when the terminal took another amount than asked — unless it refused to.
      const giveBack = a.flow !== 'cash' && (voiding || a.cancel_requested === 1) && a.failure_code !== 'reversal_refused'
      const finished = a.state === 'failed' || a.state === 'reversed' || (a.state === 'succeeded' && !giveBack)
      if (finished) {
        this.recovering[familyOf(a)].delete(a.id)
        this.fresh.delete(a.id)
        this.authCodes.delete(a.id)
        this.lastSeen.delete(a.id)
        this.waits.delete(a.id)
        this.afterChange(a.checkout_id)
        return
      }
      let progressed: boolean
      if (a.state === 'succeeded') progressed = a.flow === 'terminal' ? await this.reverseCard(a) : await this.cancelWallet(a)
      else progressed = a.flow === 'terminal' ? await this.stepCard(a) : await this.stepWallet(a)
      this.d.onChange({ checkoutId: a.checkout_id })
      if (progressed) failures = 0
      else await this.sleep(this.backoff(++failures))
    }
  }

  private afterChange(checkoutId: string): void {
    if (!this.d.db.open) return
    const c = readCheckoutRow(this.d.db, checkoutId)
    if (!c) return
    let completed = false
    if (c.state === 'open') {
      completed = this.d.db.transaction(() => completeIfCovered(this.d.db, this.d.settings(), this.d.device, this.d.now(), checkoutId) !== null).immediate()
    } else if (c.state === 'voiding') {
      finishVoidIfSettled(this.d.db, this.d.device.id, checkoutId, this.at())
    }
    this.d.onChange({ checkoutId, completed })
  }

  private patch(a: AttemptRow, patch: AttemptPatch, note?: string): boolean {
    return patchAttempt(this.d.db, a.id, [a.state], patch, this.at(), note)
  }

  // ---- wallets, through the platform ----------------------------------------------------------

  /** One step of a QR attempt. Returns whether it learnt something (false: wait and retry). */
  private async stepWallet(a: AttemptRow): Promise<boolean> {
    const fresh = this.fresh.has(a.id) && a.state === 'created'
    if (a.cancel_requested || this.pastDeadline(a)) return this.cancelWallet(a)
    if (fresh) {
      this.fresh.delete(a.id)
      const authCode = this.authCodes.get(a.id)
      const s = this.d.settings()
      const body =
        a.flow === 'merchant_qr'
          ? { paymentId: a.id, wallet: a.method, flow: 'merchant_qr', amount: a.amount_minor, currency: a.currency, subject: s.storeName.slice(0, 127), expiresInSeconds: s.qrTimeoutSeconds }
          : { paymentId: a.id, wallet: a.method, flow: 'customer_code', amount: a.amount_minor, currency: a.currency, subject: s.storeName.slice(0, 127), authCode }
      if (a.flow === 'customer_code' && !authCode) return this.fail(a, 'not_sent', 'The payment code was lost before it was sent; scan it again.')
      const r = await this.call('payment-create', { body })
      if (r === null) return this.fail(a, 'qr_unavailable', 'This till is not connected to the platform, so QR payments are not available.')
      if (r.ok) return this.applyPayment(a, r.value as Payment)
      if (r.kind === 'network') {
        // A refused connection never carried the request: nothing can have been charged.
        if (CONNECT_FAILED.test(r.message)) return this.fail(a, 'platform_unreachable', 'The platform cannot be reached, so QR payments are not available. Take cash or card.')
        return this.patch(a, { state: 'unknown', activity: 'checking' }, `no answer to create: ${r.message}`)
      }
      // An answer that is not the platform's (a proxy's page, a garbled body) proves nothing: the
      // wallet may have charged the code. Only the platform's own refusal codes mean "not charged".
      if (r.kind === 'invalid_response' || (r.kind === 'http' && (r.code === null || r.code === 'rate_limited' || r.status >= 500) && r.code !== 'wallet_unavailable')) {
        return this.patch(a, { state: 'unknown', activity: 'checking' }, `platform ${r.status} on create${r.kind === 'http' && r.code ? ` (${r.code})` : ''}`)
      }
      return this.fail(a, r.kind === 'http' ? (r.code ?? `http_${r.status}`) : 'platform_refused', r.kind === 'http' ? r.message : 'The platform gave an answer the till does not understand.')
    }
    // Sent (or maybe sent): ask.
    const wait = a.flow === 'merchant_qr' && a.state === 'awaiting_customer'
    const signal = this.waitSignal(a.id)
    if (a.flow === 'customer_code' && a.state !== 'created') {
      // The user-paying cadence: one query every ~5 s.
      await this.sleep(this.o.codePollMs, signal)
      if (this.stopped) return true
      const again = readAttempt(this.d.db, a.id)
      if (!again || again.state !== a.state || again.cancel_requested) return true
    }
    const last = this.lastSeen.get(a.id)
    const askedAt = Date.now()
    const r = await this.call(
      'payment-get',
      { params: { paymentId: a.id }, query: wait && last ? { unlessState: last, waitMs: this.o.qrWaitMs } : {} },
      wait ? this.o.qrWaitMs + 10_000 : undefined,
      signal,
    )
    if (r === null) return false
    // Cut short by a cancel or a void: act on it now.
    if (!r.ok && signal.aborted) return true
    if (r.ok && wait && (r.value as Payment).state === last && Date.now() - askedAt < 500) {
      // A platform that answers at once instead of holding the query: do not spin.
      await this.sleep(500, signal)
    }
    if (r.ok) {
      if (a.flow === 'customer_code') this.patch(a, { polls: a.polls + 1 })
      return this.applyPayment(readAttempt(this.d.db, a.id) ?? a, r.value as Payment)
    }
    if (r.kind === 'http' && r.code === 'not_found') {
      // The platform never got the create: close the id so a late copy cannot charge, then fail.
      return this.cancelWallet(a, 'not_sent')
    }
    if (a.state !== 'unknown' && r.kind === 'network') this.patch(a, { activity: 'checking' })
    return false
  }

  private pastDeadline(a: AttemptRow): boolean {
    const now = this.d.now().getTime()
    if (a.flow === 'customer_code') return a.state !== 'created' && now - Date.parse(a.created_at) > this.o.codeGiveUpMs
    if (a.flow === 'merchant_qr') {
      const expires = a.expires_at ? Date.parse(a.expires_at) : Date.parse(a.created_at) + this.d.settings().qrTimeoutSeconds * 1000
      return now > expires + this.o.expiryGraceMs
    }
    return false
  }

  /** Close an unpaid payment, reverse a paid one (Alipay 撤销 semantics, WeChat reverse). */
  private async cancelWallet(a: AttemptRow, why?: 'not_sent'): Promise<boolean> {
    if (a.activity !== 'cancelling' && a.activity !== 'reversing') this.patch(a, { activity: a.state === 'succeeded' ? 'reversing' : 'cancelling' })
    const r = await this.call('payment-cancel', { params: { paymentId: a.id }, body: {} })
    if (r === null || !r.ok) return false
    const fresh = readAttempt(this.d.db, a.id) ?? a
    const p = r.value as Payment
    if (why === 'not_sent' && (p.state === 'failed' || p.state === 'reversed')) {
      return this.fail(fresh, 'not_sent', 'The payment request never reached the platform; nothing was charged.')
    }
    this.applyPayment(fresh, p)
    // Not final yet (WeChat refuses a reverse in the first 15 s; the wallet did not answer): ask
    // again after a pause, never in a tight loop.
    return p.state === 'failed' || p.state === 'reversed' || (p.state === 'succeeded' && !fresh.cancel_requested)
  }

  private applyPayment(a: AttemptRow, p: Payment): boolean {
    this.lastSeen.set(a.id, p.state)
    const from = [a.state]
    const at = this.at()
    switch (p.state) {
      case 'pending_scan':
      case 'awaiting_customer': {
        const activity = p.state === 'awaiting_customer' && a.flow === 'customer_code' ? 'user_paying' : 'waiting_customer'
        return patchAttempt(this.d.db, a.id, from, { state: 'awaiting_customer', activity, codeUrl: p.codeUrl, expiresAt: p.expiresAt, providerRef: p.providerRef }, at)
      }
      case 'processing':
        // Nothing new unless it was only `created`: report no progress so the loop pauses.
        patchAttempt(this.d.db, a.id, from, { state: a.state === 'created' ? 'unknown' : a.state, activity: 'checking' }, at)
        return a.state === 'created'
      case 'succeeded':
        if (a.state === 'succeeded') return true
        return patchAttempt(this.d.db, a.id, from, { state: 'succeeded', activity: 'none', providerRef: p.providerRef, paidAt: p.paidAt ?? at, failure: null }, at, p.providerStatus)
      case 'failed':
        return patchAttempt(this.d.db, a.id, from, { state: 'failed', activity: 'none', failure: p.failure ?? { code: 'declined', message: 'The payment did not go through.' } }, at, p.providerStatus)
      case 'reversed':
        return patchAttempt(this.d.db, a.id, from, { state: 'reversed', activity: 'none', providerRef: p.providerRef }, at, p.providerStatus)
    }
  }

  private fail(a: AttemptRow, code: string, message: string): boolean {
    return this.patch(a, { state: 'failed', activity: 'none', failure: { code, message } }, code)
  }

  private async call(
    name: 'payment-create' | 'payment-get' | 'payment-cancel' | 'payment-refund' | 'payment-refund-get',
    input: Parameters<PlatformClient['call']>[1],
    timeoutMs = 15_000,
    signal: AbortSignal = this.abort.signal,
  ): Promise<CallResult<unknown> | null> {
    const client = this.d.platform(timeoutMs)
    if (!client) return null
    const r = await client.call(name, input, signal)
    this.platformDown = !r.ok && r.kind === 'network' && CONNECT_FAILED.test(r.message)
    return r
  }

  // ---- cards, through the terminal --------------------------------------------------------

  private async stepCard(a: AttemptRow): Promise<boolean> {
    const t = this.d.terminal()
    if (!t) return a.state === 'created' && this.fresh.has(a.id) ? this.fail(a, 'terminal_not_configured', 'No card terminal is set up on this till.') : false
    if (this.fresh.has(a.id) && a.state === 'created') {
      this.fresh.delete(a.id)
      if (!this.patch(a, { state: 'awaiting_customer', activity: 'waiting_customer' })) return true
      const out = await t.pay({ serviceId: a.service_id ?? '', transactionId: a.id, amount: a.amount_minor, currency: a.currency, at: this.d.now() }, this.abort.signal)
      if (this.stopped) return true
      return this.applyCard(readAttempt(this.d.db, a.id) ?? a, out, t.terminalId)
    }
    // The answer was lost, or a crash came between: ask what became of it.
    if (a.activity !== 'checking') this.patch(a, { activity: 'checking', ...(a.state === 'created' ? { state: 'unknown' } : {}) })
    const st = await t.status({ serviceId: newServiceId(), originalServiceId: a.service_id ?? '', category: 'Payment' }, this.abort.signal)
    const now = readAttempt(this.d.db, a.id) ?? a
    if (st.kind === 'found') return this.applyCard(now, st.outcome, t.terminalId)
    if (st.kind === 'not_found') return this.fail(now, 'not_processed', 'The card terminal never received this payment; nothing was charged.')
    if (st.kind === 'in_progress') {
      if (this.d.now().getTime() - Date.parse(a.created_at) > this.o.cardGiveUpMs) {
        await t.abort({ serviceId: newServiceId(), originalServiceId: a.service_id ?? '', category: 'Payment' }).catch(() => {})
      }
      await this.sleep(this.o.cardStatusPollMs)
      return true
    }
    return false
  }

  private applyCard(a: AttemptRow, out: TerminalOutcome, terminalId: string): boolean {
    switch (out.kind) {
      case 'approved':
        return this.patch(
          a,
          {
            ...(out.amount !== a.amount_minor
              ? {
                  cancelRequested: true,
                  failure: { code: 'amount_mismatch', message: `The terminal took ${out.amount} instead of ${a.amount_minor}; the payment is given back.` },
                }
              : { failure: null }),
            state: 'succeeded',
            activity: 'none',
            card: out.card ? { ...out.card, terminalId } : { maskedPan: '', brand: '', entryMode: '', approvalCode: '', terminalId },
            providerRef: out.providerRef,
            providerTimestamp: out.providerTimestamp,
            paidAt: this.at(),
          },
          'approved',
        )
      case 'declined':
        return this.fail(a, `card_${out.errorCondition.toLowerCase()}`, out.message || 'The card was declined.')
      case 'busy':
        return this.fail(a, 'terminal_busy', 'The card terminal is busy with another payment. Try again in a moment.')
      case 'no_answer':
        this.patch(a, { state: 'unknown', activity: 'checking' }, out.message)
        return true
    }
  }

  /** A voided sale's card payment is given back with a full referenced refund (nexo reversal). */
  private async reverseCard(a: AttemptRow): Promise<boolean> {
    const t = this.d.terminal()
    if (!a.provider_ref) return this.patch(a, { failure: { code: 'reversal_refused', message: 'The terminal gave no reference for this payment, so it cannot be reversed from the till.' } })
    if (!t) return false
    if (a.activity !== 'reversing') this.patch(a, { activity: 'reversing' })
    if (a.reversal_service_id) {
      const st = await t.status({ serviceId: newServiceId(), originalServiceId: a.reversal_service_id, category: 'Reversal' }, this.abort.signal)
      if (st.kind === 'found') return st.outcome.kind === 'approved' ? this.patch(a, { state: 'reversed', activity: 'none' }, 'reversed on the terminal') : this.sendReversal(a, t)
      if (st.kind === 'not_found') return this.sendReversal(a, t)
      return false
    }
    return this.sendReversal(a, t)
  }

  private async sendReversal(a: AttemptRow, t: TerminalDriver): Promise<boolean> {
    const serviceId = newServiceId()
    this.patch(a, { reversalServiceId: serviceId })
    const out = await t.refund(
      { serviceId, refundId: a.id, originalPoiTransactionId: a.provider_ref ?? '', originalPoiTimestamp: a.provider_timestamp ?? '', amount: a.amount_minor, currency: a.currency, at: this.d.now() },
      this.abort.signal,
    )
    const now = readAttempt(this.d.db, a.id) ?? a
    if (out.kind === 'approved') return this.patch(now, { state: 'reversed', activity: 'none' }, 'reversed on the terminal')
    if (out.kind === 'declined') {
      // Recorded, and no more tries: the void is written with this outcome and the owner settles it with the customer.
      return this.patch(now, { failure: { code: 'reversal_refused', message: `The terminal refused to give this payment back (${out.errorCondition}). Give the customer the money back another way.` } })
    }
    return false
  }

  // ---- refunds ----------------------------------------------------------------------------

  private async refundLoop(id: string): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      const r = readRefund(this.d.db, id)
      if (!r || r.state === 'succeeded' || r.state === 'failed') {
        this.freshRefunds.delete(id)
        if (r) this.d.onChange({ orderId: r.order_id })
        return
      }
      const progressed = r.method === 'card' ? await this.stepCardRefund(r) : await this.stepWalletRefund(r)
      this.d.onChange({ orderId: r.order_id })
      if (progressed) failures = 0
      else await this.sleep(this.backoff(++failures))
    }
  }

  private async stepWalletRefund(r: RefundRow): Promise<boolean> {
    // The same refundId (out_request_no) every time: asking again can never refund twice.
    const res =
      r.state === 'pending'
        ? await this.call('payment-refund-get', { params: { paymentId: r.tender_id, refundId: r.id } })
        : await this.call('payment-refund', { params: { paymentId: r.tender_id }, body: { refundId: r.id, amount: r.amount_minor, reason: r.reason.slice(0, 200) } })
    if (res === null) return false
    if (res.ok) {
      const v = res.value as { state: string; failure: { code: string; message: string } | null }
      if (v.state === 'succeeded') return postRefund(this.d.db, this.d.device.id, r.id, null, this.at()) || true
      if (v.state === 'failed') return patchRefund(this.d.db, r.id, [r.state], { state: 'failed', failure: v.failure ?? { code: 'refund_failed', message: 'The wallet did not refund.' } }, this.at())
      patchRefund(this.d.db, r.id, [r.state], { state: 'pending' }, this.at())
      await this.sleep(this.o.refundPollMs)
      return true
    }
    if (res.kind === 'http' && res.code === 'not_found' && r.state === 'pending') {
      return patchRefund(this.d.db, r.id, [r.state], { state: 'unknown' }, this.at())
    }
    // Only answers that prove no money moved end a refund as failed; anything else is asked again
    // with the same refund id (a signature or clock problem says nothing about the refund).
    const PROOF = ['refund_conflict', 'refund_exceeds', 'payment_not_refundable', 'invalid_request', 'card_number_refused']
    if (res.kind === 'http' && res.code !== null && (PROOF.includes(res.code) || (res.code === 'not_found' && r.state === 'created'))) {
      return patchRefund(this.d.db, r.id, [r.state], { state: 'failed', failure: { code: res.code, message: res.message } }, this.at())
    }
    if (r.state === 'created') patchRefund(this.d.db, r.id, ['created'], { state: 'unknown' }, this.at())
    return false
  }

  private async stepCardRefund(r: RefundRow): Promise<boolean> {
    const t = this.d.terminal()
    const payment = readAttempt(this.d.db, r.tender_id)
    if (!t || !payment?.provider_ref) return false
    if (r.service_id && !(this.freshRefunds.has(r.id) && r.state === 'created')) {
      const st = await t.status({ serviceId: newServiceId(), originalServiceId: r.service_id, category: 'Reversal' }, this.abort.signal)
      if (st.kind === 'found') return this.applyCardRefund(r, st.outcome)
      if (st.kind === 'in_progress' || st.kind === 'no_answer') return false
      // not_found: the terminal never got it, so sending it (again) cannot refund twice.
    }
    this.freshRefunds.delete(r.id)
    const serviceId = newServiceId()
    if (!patchRefund(this.d.db, r.id, [r.state], { state: 'pending', serviceId }, this.at())) return true
    const out = await t.refund(
      {
        serviceId,
        refundId: r.id,
        originalPoiTransactionId: payment.provider_ref,
        originalPoiTimestamp: payment.provider_timestamp ?? '',
        amount: r.amount_minor,
        currency: r.currency,
        at: this.d.now(),
      },
      this.abort.signal,
    )
    return this.applyCardRefund(readRefund(this.d.db, r.id) ?? r, out)
  }

  private applyCardRefund(r: RefundRow, out: TerminalOutcome): boolean {
    if (out.kind === 'approved') return postRefund(this.d.db, this.d.device.id, r.id, out.providerRef, this.at()) || true
    if (out.kind === 'no_answer') return patchRefund(this.d.db, r.id, [r.state], { state: 'unknown' }, this.at())
    const failure = out.kind === 'busy' ? { code: 'terminal_busy', message: out.message } : { code: `card_${out.errorCondition.toLowerCase()}`, message: out.message || 'The terminal refused the refund.' }
    return patchRefund(this.d.db, r.id, [r.state], { state: 'failed', failure }, this.at())
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private at(): string {
    return this.d.now().toISOString()
  }

  private backoff(failures: number): number {
    return Math.min(this.o.retryMaxMs, this.o.retryMinMs * 2 ** Math.min(failures - 1, 10))
  }

  private sleep(ms: number, signal: AbortSignal = this.abort.signal): Promise<void> {
    if (this.stopped || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const h = this.d.timers.setTimeout(() => {
        signal.removeEventListener('abort', done)
        resolve()
      }, ms)
      const done = (): void => {
        this.d.timers.clearTimeout(h)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

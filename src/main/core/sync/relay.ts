import type { SyncStatus } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import { SequenceGapDetailsSchema, type IngestResponse, type PlatformErrorCode } from '../../../shared/platform-api'
import type { Db } from '../db/sqlite'
import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff'
import { applyCatalogPage, type AppliedPage } from './catalog-feed'
import { MAX_TIMER_MS, PlatformClient, realTimers, type CallResult, type FetchFn, type Timers } from './client'
import { alignWithPlatform, DEFAULT_LIMITS, journalHashAt, lastSentSeq, markSent, markUnsentFrom, nextBatch, pendingSummary, recordAttempt, type Batch, type BatchLimits } from './outbox'
import type { SecretStore } from './secret-store'
import { clearSyncState, isPaired, readSyncState, writeSyncState, type SyncStateRow } from './state'

export interface RelayOptions {
  /** A request without an answer after this long is abandoned (and retried with backoff). */
  timeoutMs: number
  backoff: BackoffOptions
  /**
   * The wait after an answer that retrying soon cannot fix (event_conflict, chain_broken,
   * hash_mismatch, an unknown device…): someone has to look. The journal is never altered.
   */
  haltDelayMs: number
  catalogIntervalMs: number
  /** A sale wakes the relay this long after it commits, so a burst of sales goes in one batch. */
  debounceMs: number
  catalogPageLimit: number
  limits: BatchLimits
  /** Batches sent before the first is answered (1 = one at a time); the platform applies them in order. */
  inFlight: number
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  timeoutMs: 15_000,
  backoff: DEFAULT_BACKOFF,
  haltDelayMs: 30 * 60_000,
  catalogIntervalMs: 5 * 60_000,
  debounceMs: 200,
  catalogPageLimit: 500,
  limits: DEFAULT_LIMITS,
  inFlight: 2,
}

export interface RelayDeps {
  db: Db
  /** The till's journal device id: the `device` of every event it sends. */
  journalDeviceId: string
  deviceCode: string
  appVersion: string
  secrets: SecretStore
  fetch?: FetchFn
  now?: () => Date
  /** [0, 1): the jitter of the backoff. */
  random?: () => number
  timers?: Timers
  log?: (line: string) => void
  onChange?: (status: SyncStatus) => void
  onCatalog?: (applied: AppliedPage) => void
  options?: Partial<RelayOptions>
}

/** Answers that retrying soon cannot fix: the platform and the journal disagree, or it does not know us. */
const HALTING: readonly PlatformErrorCode[] = ['event_conflict', 'chain_broken', 'hash_mismatch', 'event_invalid', 'device_journal_mismatch', 'unknown_device', 'bad_signature', 'card_number_refused']
/** A platform that lost events is re-sent from where it says; more resets in a row than this is a loop. */
const MAX_GAP_RESETS = 3
const MAX_CATALOG_PAGES = 10_000
const PAIR_TIMEOUT_MS = 15_000
/**
 * A clock_skew answer teaches the till the platform's time; the batch is then signed again at
 * once, this many times in a row at most (then the ordinary backoff): the offset is measured
 * from a round trip, so a second try covers a first one skewed by a slow answer.
 */
const MAX_PROMPT_SKEW_RETRIES = 2
/** Retry-After is honoured within [1 s, this many backoff caps]: never a hot loop, never days. */
const RETRY_AFTER_MAX_CAPS = 12
const MIN_RETRY_AFTER_MS = 1_000

/**
 * The till's sync relay. It sends the outbox to the platform in sequence order, in batches of at
 * most MAX_BATCH_EVENTS events and MAX_BATCH_BYTES bytes, signed; marks a batch sent only when the
 * platform's answer acknowledges every event of it; waits with exponential backoff and full
 * jitter after a failure (honouring 429 Retry-After within bounds); signs with the platform's time
 * as it last learnt it (its own clock + the measured offset), so a till whose clock is off still
 * syncs while its status says by how much; and pulls the catalog feed. It never holds
 * up a sale: a sale commits in its own transaction and merely nudges the relay, whose SQLite work
 * per batch is one read and one small write transaction between network waits.
 */
export class SyncRelay {
  private readonly db: Db
  private readonly o: RelayOptions
  private readonly fetchFn: FetchFn
  private readonly now: () => Date
  private readonly random: () => number
  private readonly timers: Timers
  private readonly log: (line: string) => void
  private limits: BatchLimits

  private started = false
  /** Bumped by stop and unpair: answers to requests of an older epoch are ignored. */
  private epoch = 0
  private abort = new AbortController()
  private sending: Promise<void> | null = null
  private again = false
  private inFlight = false
  private sendTimer: unknown = null
  private sendAt = 0
  private backoffUntil: number | null = null
  private failures = 0
  private gapResets = 0
  private skewRetries = 0
  /** Set by start() on a paired till: the next drain first asks the platform what it holds. */
  private checkState = false
  private catalogRunning: Promise<void> | null = null
  private catalogTimer: unknown = null
  private emitTimer: unknown = null
  private pairing = false
  private lastAttemptAt: string | null = null
  private lastEmitted = ''

  constructor(private readonly deps: RelayDeps) {
    this.db = deps.db
    this.o = { ...DEFAULT_RELAY_OPTIONS, ...deps.options, backoff: { ...DEFAULT_BACKOFF, ...deps.options?.backoff }, limits: { ...DEFAULT_LIMITS, ...deps.options?.limits } }
    this.limits = { ...this.o.limits }
    this.fetchFn = deps.fetch ?? ((url, init) => globalThis.fetch(url, init))
    this.now = deps.now ?? (() => new Date())
    this.random = deps.random ?? Math.random
    this.timers = deps.timers ?? realTimers
    this.log = deps.log ?? (() => {})
  }

  // ---- status --------------------------------------------------------------------------------

  status(): SyncStatus {
    const s = readSyncState(this.db)
    const paired = isPaired(s)
    const { pending, oldestPendingAt } = pendingSummary(this.db)
    const state: SyncStatus['state'] = !paired ? 'unpaired' : this.inFlight ? 'sending' : this.backoffUntil !== null ? 'backoff' : 'idle'
    return {
      state,
      platformUrl: s.platformUrl,
      storeName: s.storeName,
      platformDeviceId: s.platformDeviceId,
      pairedAt: s.pairedAt,
      pending,
      oldestPendingAt,
      lastSuccessAt: s.lastSuccessAt,
      lastAttemptAt: this.lastAttemptAt ?? s.lastAttemptAt,
      nextAttemptAt: paired && this.backoffUntil !== null ? new Date(this.backoffUntil).toISOString() : null,
      lastError: s.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? '', at: s.lastErrorAt ?? '' } : null,
      clockOffsetMs: s.clockOffsetMs,
      catalogCursor: s.catalogCursor,
      lastCatalogAt: s.lastCatalogAt,
    }
  }

  /** Tells the host when anything the status shows has changed. */
  private emitStatus(): void {
    if (!this.deps.onChange || !this.db.open) return
    const status = this.status()
    const text = JSON.stringify(status)
    if (text === this.lastEmitted) return
    this.lastEmitted = text
    this.deps.onChange(status)
  }

  private emitSoon(): void {
    if (this.emitTimer !== null || !this.deps.onChange) return
    this.emitTimer = this.timers.setTimeout(() => {
      this.emitTimer = null
      this.emitStatus()
    }, this.o.debounceMs)
  }

  // ---- life cycle ------------------------------------------------------------------------------

  /** Starts sending and the catalog schedule if the till is paired; a no-op otherwise. */
  start(): void {
    this.begin(true)
  }

  /**
   * `checkState`: ask the platform (device-state) before sending whether it still holds what the
   * till has marked sent. A platform restored from a backup is then noticed on start, not only
   * when the till next has a sale to send. Pairing has just aligned, so it skips the question.
   */
  private begin(checkState: boolean): void {
    this.started = true
    if (!isPaired(readSyncState(this.db))) return
    this.checkState = checkState
    this.scheduleSend(0)
    this.scheduleCatalog(0)
  }

  /** Stops timers, abandons the request in flight, and waits for the work in hand to end. */
  async stop(): Promise<void> {
    this.started = false
    this.halt()
    await Promise.allSettled([this.sending, this.catalogRunning])
  }

  private halt(): void {
    this.epoch++
    this.abort.abort()
    this.abort = new AbortController()
    for (const t of [this.sendTimer, this.catalogTimer, this.emitTimer]) if (t !== null) this.timers.clearTimeout(t)
    this.sendTimer = this.catalogTimer = this.emitTimer = null
    this.backoffUntil = null
    this.failures = 0
    this.gapResets = 0
    this.skewRetries = 0
    this.checkState = false
    this.inFlight = false
  }

  /** After a sale (or any journal event): send soon, unless the relay is waiting out a failure. */
  nudge(): void {
    this.emitSoon()
    if (!this.started || this.backoffUntil !== null || !isPaired(readSyncState(this.db))) return
    if (this.sending) {
      this.again = true
      return
    }
    this.scheduleSend(this.o.debounceMs)
  }

  /** The cashier's "sync now": cancels a backoff wait and sends at once. */
  syncNow(): SyncStatus {
    if (!isPaired(readSyncState(this.db))) throw new DaybookError('not_paired', 'This till is not paired with a platform yet. The owner pairs it in Settings.')
    this.started = true
    this.backoffUntil = null
    this.failures = 0
    this.scheduleSend(0, true)
    this.scheduleCatalog(0)
    return this.status()
  }

  // ---- pairing ---------------------------------------------------------------------------------

  async pair(platformUrl: string, code: string): Promise<SyncStatus> {
    if (isPaired(readSyncState(this.db))) {
      throw new DaybookError('already_paired', 'This till is already paired with a platform. Unpair it first.', { platformUrl: readSyncState(this.db).platformUrl })
    }
    if (this.pairing) throw new DaybookError('already_paired', 'Pairing is already in progress.')
    this.pairing = true
    try {
      const url = platformUrl.trim().replace(/\/+$/, '')
      // A person waits for this one: never give up sooner than 15 s, whatever the batch timeout.
      const client = this.client(url, undefined, Math.max(this.o.timeoutMs, PAIR_TIMEOUT_MS))
      const r = await client.call('pair', { body: { code, journalDeviceId: this.deps.journalDeviceId, deviceCode: this.deps.deviceCode, appVersion: this.deps.appVersion.slice(0, 32) } }, this.abort.signal)
      if (!r.ok) throw pairingError(url, r)
      if (isPaired(readSyncState(this.db))) throw new DaybookError('already_paired', 'This till is already paired with a platform. Unpair it first.')
      const p = r.value
      const at = this.now().toISOString()
      this.deps.secrets.set(p.secret)
      let aligned = true
      this.db.transaction(() => {
        clearSyncState(this.db)
        writeSyncState(this.db, {
          platformUrl: url,
          platformDeviceId: p.deviceId,
          storeId: p.store.id,
          storeName: p.store.name,
          storeCurrency: p.store.currency,
          pairedAt: at,
          clockOffsetMs: clockOffset(p.serverTime, r.sentAt, r.answeredAt),
        })
        // Re-pairing the same till: what the platform already holds is sent, if its hash is ours.
        aligned = alignWithPlatform(this.db, p.lastSeq, p.lastHash, at)
        if (!aligned) {
          writeSyncState(this.db, {
            lastErrorCode: 'journal_mismatch',
            lastErrorMessage: `The platform holds ${p.lastSeq} events for this till, but its last one is not this journal's event ${p.lastSeq}. Nothing is marked sent; ask support.`,
            lastErrorAt: at,
          })
        }
      })()
      this.log(`sync: paired with ${url} as device ${p.deviceId} (store ${p.store.name}); platform had ${p.lastSeq} events${aligned ? '' : ' with a different chain'}`)
      this.halt()
      this.begin(false)
      this.emitStatus()
      return this.status()
    } finally {
      this.pairing = false
    }
  }

  /** Forgets the platform and the secret. Unsent events stay in the outbox for the next pairing. */
  unpair(): SyncStatus {
    this.halt()
    this.deps.secrets.clear()
    clearSyncState(this.db)
    this.lastAttemptAt = null
    this.limits = { ...this.o.limits }
    this.log('sync: unpaired')
    this.emitStatus()
    return this.status()
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Signed requests carry the till clock plus the learnt offset: the platform's time as the till knows it. */
  /**
   * A signed client for the platform's device API, or null on an unpaired till. Wallet payments
   * reuse the pairing, the secret and the learnt clock offset, so they sign exactly as sync does.
   */
  platformClient(timeoutMs: number): PlatformClient | null {
    const s = readSyncState(this.db)
    const secret = isPaired(s) ? this.deps.secrets.get() : null
    if (!isPaired(s) || !secret) return null
    return this.client(s.platformUrl, { deviceId: s.platformDeviceId, secret }, timeoutMs, s.clockOffsetMs)
  }

  private client(url: string, credentials: { deviceId: string; secret: string } | undefined, timeoutMs = this.o.timeoutMs, clockOffsetMs: number | null = null): PlatformClient {
    return new PlatformClient({ baseUrl: url, fetch: this.fetchFn, now: this.now, timers: this.timers, timeoutMs, credentials, clockOffsetMs })
  }

  /** Sets the next wake-up; an earlier one already set wins unless `force`. */
  private scheduleSend(delayMs: number, force = false): void {
    const at = this.now().getTime() + delayMs
    if (this.sendTimer !== null) {
      if (!force && this.sendAt <= at) return
      this.timers.clearTimeout(this.sendTimer)
    }
    this.sendAt = at
    this.sendTimer = this.timers.setTimeout(() => {
      this.sendTimer = null
      this.runSend()
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS))
  }

  private runSend(): void {
    if (!this.db.open) return
    if (this.sending) {
      this.again = true
      return
    }
    const epoch = this.epoch
    this.again = false
    this.sending = this.drain(epoch)
      .catch((e: unknown) => this.log(`sync: relay fault: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => {
        this.sending = null
        this.inFlight = false
        if (this.again && this.backoffUntil === null && this.started) this.scheduleSend(0)
        this.emitStatus()
      })
  }

  /**
   * Sends the outbox, up to `inFlight` batches at a time: while the platform appends one, the next is
   * already read, signed and on its way, so the till's work and the network overlap the platform's.
   * Order is still the platform's to keep: it applies a batch only after its predecessor (it holds an
   * early one until then), and answers are taken here strictly in order: a batch is marked sent only
   * after every batch before it was. A failure drops the answers behind it (what they carried is sent
   * again and comes back 'duplicate'). A batch that overtook its predecessor on a platform that does
   * not wait (sequence_gap naming an event still in flight when it left) is simply sent again.
   */
  private async drain(epoch: number): Promise<void> {
    type Flight = { batch: Batch; reply: Promise<CallResult<IngestResponse>>; behind: number | null }
    const window: Flight[] = []
    for (;;) {
      if (epoch !== this.epoch || !this.db.open) return
      const s = readSyncState(this.db)
      if (!isPaired(s)) return
      const secret = this.deps.secrets.get()
      if (!secret) {
        this.fail(null, 'secret_missing', 'The device secret of this till is missing or unreadable. Unpair and pair the till again.', this.o.haltDelayMs)
        return
      }
      if (this.checkState && window.length === 0) {
        this.checkState = false
        if (!(await this.reconcile(epoch, s, secret))) return
        continue
      }
      const client = this.client(s.platformUrl, { deviceId: s.platformDeviceId, secret }, this.o.timeoutMs, s.clockOffsetMs)
      // After payload_too_large the smaller limits are for the refused batch alone: it goes by itself.
      const halved = this.limits.maxEvents !== this.o.limits.maxEvents || this.limits.maxBytes !== this.o.limits.maxBytes
      while (window.length < (halved ? 1 : Math.max(1, this.o.inFlight))) {
        const batch = nextBatch(this.db, this.limits, window.length > 0 ? window[window.length - 1]!.batch.lastSeq : 0)
        if (!batch) break
        const reply = client.call('events-ingest', { bodyText: batch.body }, this.abort.signal)
        // An answer dropped after a failure in front of it is never awaited: it must not go unhandled.
        reply.catch(() => {})
        window.push({ batch, reply, behind: window.length > 0 ? window[0]!.batch.firstSeq : null })
      }
      const flight = window.shift()
      if (!flight) {
        this.backoffUntil = null
        this.failures = 0
        return
      }
      const { batch } = flight
      this.inFlight = true
      this.backoffUntil = null
      this.emitStatus()
      const r = await flight.reply
      if (epoch !== this.epoch || !this.db.open) return
      this.lastAttemptAt = new Date(r.answeredAt).toISOString()
      if (r.ok) {
        const at = this.now().toISOString()
        const problem = this.db.transaction(() => {
          const reason = markSent(this.db, batch, r.value, at)
          if (reason) return reason
          writeSyncState(this.db, {
            lastSuccessAt: at,
            lastAttemptAt: at,
            lastErrorCode: null,
            lastErrorMessage: null,
            lastErrorAt: null,
            clockOffsetMs: clockOffset(r.value.serverTime, r.sentAt, r.answeredAt),
          })
          return null
        })()
        if (problem) {
          this.fail(batch, 'invalid_response', `The platform's answer was not a full acknowledgement (${problem}); the batch will be sent again.`, this.backoffDelay())
          return
        }
        this.failures = 0
        this.gapResets = 0
        this.skewRetries = 0
        // Limits halved after payload_too_large hold for the batch that was refused only.
        this.limits = { ...this.o.limits }
        this.emitStatus()
        continue
      }
      // Whatever was sent behind a failed batch is answered for nothing: it goes again from here.
      window.length = 0
      if (r.kind === 'http' && r.code === 'sequence_gap' && flight.behind !== null) {
        const gap = SequenceGapDetailsSchema.safeParse(r.details)
        // It left while events from `behind` on were still on their way, and the platform had not
        // taken them yet: nothing is lost, it overtook them. They were acknowledged since (the
        // answers are taken in order), so this batch just goes again.
        if (gap.success && gap.data.expectedSeq >= flight.behind && gap.data.expectedSeq < batch.firstSeq) continue
      }
      if (!this.handleFailure(batch, r, s)) return
    }
  }

  /** Returns true when the loop should go on at once (the platform lost events and we re-send). */
  private handleFailure(batch: Batch, r: Exclude<CallResult<unknown>, { ok: true }>, s: SyncStateRow): boolean {
    if (r.kind === 'network') {
      this.fail(batch, 'platform_unreachable', `The platform at ${s.platformUrl} did not answer (${r.message}). Sales are kept and will be sent.`, this.backoffDelay())
      return false
    }
    if (r.kind === 'invalid_response') {
      this.fail(batch, 'invalid_response', `The platform answered with something Daybook does not understand (HTTP ${r.status}).`, this.backoffDelay())
      return false
    }
    const code = r.code
    if (code === 'sequence_gap') {
      const gap = SequenceGapDetailsSchema.safeParse(r.details)
      if (gap.success && gap.data.expectedSeq < batch.firstSeq && gap.data.expectedSeq >= 1 && this.gapResets < MAX_GAP_RESETS) {
        // The platform has fewer events than we sent it (restored from a backup): send them again.
        this.gapResets++
        const n = markUnsentFrom(this.db, gap.data.expectedSeq)
        this.log(`sync: the platform expects event ${gap.data.expectedSeq}; ${n} events marked unsent to send again`)
        return true
      }
      this.fail(batch, 'sequence_gap', `The platform is missing events this till cannot supply: ${r.message}`, this.o.haltDelayMs)
      return false
    }
    if (code === 'rate_limited' || r.status === 429) {
      let delay: number
      if (r.retryAfterMs !== null) {
        delay = clampRetryAfter(r.retryAfterMs, this.o.backoff.capMs)
        this.failures++
      } else delay = this.backoffDelay()
      this.fail(batch, 'rate_limited', `The platform asked this till to slow down; retrying in ${Math.ceil(delay / 1000)} s.`, delay)
      return false
    }
    if (code === 'clock_skew') {
      const offset = skewOffset(r)
      if (offset !== null) writeSyncState(this.db, { clockOffsetMs: offset })
      const minutes = offset === null ? null : Math.round(Math.abs(offset) / 60_000)
      const message =
        offset === null
          ? "This till's clock is too far from the platform's. Set the correct date and time; sales are kept and will be sent."
          : `This till's clock is off by ${minutes} minute${minutes === 1 ? '' : 's'} (${offset > 0 ? 'behind' : 'ahead of'} the platform). Set the correct date and time; sales are kept and will be sent.`
      if (offset !== null && this.skewRetries < MAX_PROMPT_SKEW_RETRIES) {
        // Signed again at once with the platform's time as just learnt; the error shows until it lands.
        this.skewRetries++
        this.note(batch, 'clock_skew', message)
        return true
      }
      this.fail(batch, 'clock_skew', message, this.backoffDelay())
      return false
    }
    if (code === 'payload_too_large') {
      if (batch.events.length === 1) {
        // Nothing smaller to send: only a person (a platform with a higher limit) can help.
        this.fail(batch, 'payload_too_large', `The platform refused event ${batch.firstSeq} alone as too large (${batch.bytes} bytes). Sending is paused; the journal is unchanged. Ask support.`, this.o.haltDelayMs)
        return false
      }
      this.limits = { maxEvents: Math.max(1, Math.floor(batch.events.length / 2)), maxBytes: Math.max(1, Math.floor(batch.bytes / 2)) }
      this.fail(batch, 'payload_too_large', 'The platform refused a batch as too large; sending smaller ones.', this.backoffDelay())
      return false
    }
    if (code !== null && HALTING.includes(code)) {
      this.fail(batch, code, `The platform refused events ${batch.firstSeq}–${batch.lastSeq}: ${r.message} Sending is paused; the journal is unchanged. Ask support.`, this.o.haltDelayMs)
      return false
    }
    this.fail(batch, code ?? `http_${r.status}`, `The platform could not take the events (${r.message}). Sales are kept and will be sent.`, this.backoffDelay())
    return false
  }

  private backoffDelay(): number {
    const d = fullJitterDelay(this.failures, this.o.backoff, this.random)
    this.failures++
    return d
  }

  /** Records a failed attempt and its error without waiting (the caller tries again at once). */
  private note(batch: Batch | null, code: string, message: string): void {
    const iso = this.now().toISOString()
    this.lastAttemptAt = iso
    this.db.transaction(() => {
      if (batch) recordAttempt(this.db, batch, `${code}: ${message}`)
      writeSyncState(this.db, { lastAttemptAt: iso, lastErrorCode: code, lastErrorMessage: message, lastErrorAt: iso })
    })()
    this.log(`sync: ${code}: ${message} (trying again at once)`)
    this.emitStatus()
  }

  /**
   * Asks the platform what it holds of this till (device-state). When it holds less than the
   * sent prefix (restored from a backup) and its last event is the journal's, the rest is marked
   * unsent to be sent again; when its last event is not the journal's, sending pauses with
   * journal_mismatch. Returns false when the drain should stop (a newer epoch, or that pause);
   * any other failure is left to the sending that follows, which meets it again.
   */
  private async reconcile(epoch: number, s: SyncStateRow & { platformUrl: string; platformDeviceId: string }, secret: string): Promise<boolean> {
    const r = await this.client(s.platformUrl, { deviceId: s.platformDeviceId, secret }, this.o.timeoutMs, s.clockOffsetMs).call('device-state', {}, this.abort.signal)
    if (epoch !== this.epoch || !this.db.open) return false
    if (!r.ok) {
      const offset = skewOffset(r)
      if (offset !== null) writeSyncState(this.db, { clockOffsetMs: offset })
      this.log(`sync: could not ask the platform what it holds (${r.kind === 'http' ? (r.code ?? `HTTP ${r.status}`) : r.message}); sending anyway`)
      return true
    }
    const offset = clockOffset(r.value.serverTime, r.sentAt, r.answeredAt)
    if (offset !== null) writeSyncState(this.db, { clockOffsetMs: offset })
    const sent = lastSentSeq(this.db)
    const { lastSeq, lastHash } = r.value
    if (lastSeq >= sent) return true
    if (lastSeq > 0 && journalHashAt(this.db, lastSeq) !== lastHash) {
      this.fail(
        null,
        'journal_mismatch',
        `The platform holds ${lastSeq} events for this till, but its last one is not this journal's event ${lastSeq}. Sending is paused; the journal is unchanged. Ask support.`,
        this.o.haltDelayMs,
      )
      return false
    }
    const n = markUnsentFrom(this.db, lastSeq + 1)
    this.log(`sync: the platform holds ${lastSeq} of ${sent} events sent; ${n} marked unsent to send again`)
    this.emitStatus()
    return true
  }

  /** Records a failed attempt and waits `delayMs` before the next. */
  private fail(batch: Batch | null, code: string, message: string, delayMs: number): void {
    const at = this.now()
    const iso = at.toISOString()
    this.lastAttemptAt = iso
    this.db.transaction(() => {
      if (batch) recordAttempt(this.db, batch, `${code}: ${message}`)
      writeSyncState(this.db, { lastAttemptAt: iso, lastErrorCode: code, lastErrorMessage: message, lastErrorAt: iso })
    })()
    this.log(`sync: ${code}: ${message} (next try in ${Math.round(delayMs)} ms)`)
    this.inFlight = false
    this.backoffUntil = at.getTime() + delayMs
    this.scheduleSend(delayMs, true)
    this.emitStatus()
  }

  // ---- catalog ---------------------------------------------------------------------------------

  private scheduleCatalog(delayMs: number): void {
    if (this.catalogTimer !== null) this.timers.clearTimeout(this.catalogTimer)
    this.catalogTimer = this.timers.setTimeout(() => {
      this.catalogTimer = null
      void this.pullCatalog()
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS))
  }

  /** Pulls catalog pages until the platform has no more; each page lands whole or not at all. */
  pullCatalog(): Promise<void> {
    if (this.catalogRunning) return this.catalogRunning
    if (!this.db.open) return Promise.resolve()
    const epoch = this.epoch
    this.catalogRunning = this.pullPages(epoch)
      .catch((e: unknown) => this.log(`sync: catalog fault: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => {
        this.catalogRunning = null
        if (epoch === this.epoch && this.started && this.db.open && isPaired(readSyncState(this.db))) this.scheduleCatalog(this.o.catalogIntervalMs)
        this.emitStatus()
      })
    return this.catalogRunning
  }

  private async pullPages(epoch: number): Promise<void> {
    for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
      if (!this.db.open) return
      const s = readSyncState(this.db)
      const secret = this.deps.secrets.get()
      if (epoch !== this.epoch || !isPaired(s) || !secret) return
      const cursor = s.catalogCursor ?? undefined
      const r = await this.client(s.platformUrl, { deviceId: s.platformDeviceId, secret }, this.o.timeoutMs, s.clockOffsetMs).call('catalog-feed', { query: { cursor, limit: this.o.catalogPageLimit } }, this.abort.signal)
      if (epoch !== this.epoch || !this.db.open) return
      if (!r.ok) {
        // A clock_skew teaches the platform's time for the next pull (and batch); the till's own clock is left alone.
        const offset = skewOffset(r)
        if (offset !== null) writeSyncState(this.db, { clockOffsetMs: offset })
        const why = r.kind === 'http' ? `${r.code ?? `HTTP ${r.status}`}: ${r.message}` : r.message
        this.catalogError(r.kind === 'invalid_response' ? 'catalog_invalid' : 'catalog_unavailable', `The catalog could not be updated (${why}). The till keeps selling from the catalog it has.`)
        return
      }
      let applied: AppliedPage
      try {
        applied = applyCatalogPage(this.db, r.value, this.now().toISOString())
      } catch (e) {
        const why = e instanceof Error ? e.message.slice(0, 300) : String(e)
        this.catalogError('catalog_invalid', `A catalog page from the platform was not applied (${why}). The till keeps selling from the catalog it has.`)
        return
      }
      if (applied.changes > 0) this.deps.onCatalog?.(applied)
      this.emitStatus()
      if (!r.value.hasMore || r.value.nextCursor === cursor) return
    }
  }

  private catalogError(code: string, message: string): void {
    const at = this.now().toISOString()
    writeSyncState(this.db, { lastErrorCode: code, lastErrorMessage: message, lastErrorAt: at })
    this.log(`sync: ${code}: ${message}`)
    this.emitStatus()
  }
}

/** A Retry-After wait within [1 s, 12 backoff caps] (and what setTimeout can hold). */
export function clampRetryAfter(retryAfterMs: number, backoffCapMs: number): number {
  const max = Math.min(MAX_TIMER_MS, Math.max(MIN_RETRY_AFTER_MS, backoffCapMs * RETRY_AFTER_MAX_CAPS))
  return Math.min(Math.max(Number.isFinite(retryAfterMs) ? retryAfterMs : max, MIN_RETRY_AFTER_MS), max)
}

/** The offset a clock_skew answer teaches (from its details.serverTime); null for any other answer. */
function skewOffset(r: Exclude<CallResult<unknown>, { ok: true }>): number | null {
  if (r.kind !== 'http' || r.code !== 'clock_skew') return null
  const serverTime = (r.details as { serverTime?: unknown } | undefined)?.serverTime
  return typeof serverTime === 'string' ? clockOffset(serverTime, r.sentAt, r.answeredAt) : null
}

/** platform clock − till clock, taking the answer's serverTime as the midpoint of the round trip. */
export function clockOffset(serverTime: string, sentAt: number, answeredAt: number): number | null {
  const t = Date.parse(serverTime)
  if (Number.isNaN(t)) return null
  return Math.round(t - (sentAt + answeredAt) / 2)
}

function pairingError(url: string, r: Exclude<CallResult<unknown>, { ok: true }>): DaybookError {
  if (r.kind === 'network') {
    return new DaybookError('platform_unreachable', `Could not reach the platform at ${url} (${r.message}). Check the address and the network.`, { url, reason: r.message })
  }
  if (r.kind === 'invalid_response' || r.code === null) {
    return new DaybookError('platform_unreachable', `${url} does not answer like a Daybook platform (HTTP ${r.status}). Check the address.`, { url, status: r.status })
  }
  const messages: Partial<Record<PlatformErrorCode, string>> = {
    pairing_code_invalid: 'The platform does not know this pairing code, or it was already used. Check it or ask for a new one.',
    pairing_code_expired: 'This pairing code has expired (codes last 10 minutes). Ask for a new one.',
    device_journal_mismatch: 'The platform already has another till paired as this device. Create a new device on the platform for this till.',
    rate_limited: 'Too many pairing attempts. Wait a minute and try again.',
    invalid_request: 'The platform did not accept the pairing request. Check the pairing code.',
  }
  return new DaybookError('platform_refused', messages[r.code] ?? `The platform refused to pair: ${r.message}`, { code: r.code, status: r.status, url })
}

import { randomBytes } from 'node:crypto'
import type { z } from 'zod'
import { channels, InvokeEnvelopeSchema, isChannelName, type ChannelName, type EventName, type Session, type Staff } from '../../shared/contract'
import { DaybookError, fail, ok, toErrorData, type ErrorData, type Result } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { listCategories, productByBarcode, searchProducts } from './catalog'
import type { Db } from './db/sqlite'
import { ensureDevice, type Device } from './device'
import { verifyJournal } from './journal'
import { listOrders, readOrder, reprintOrder } from './orders'
import { listParked, parkCart, resumeCart } from './parked'
import { completeSale, quoteCart } from './sales'
import { readSettings, writeSettings } from './settings'
import { checkPin, listStaff, saveStaff, staffById } from './staff'
import { MemorySecretStore, type SecretStore } from './sync/secret-store'
import { SyncRelay, type RelayDeps } from './sync/relay'
import { realTimers } from './sync/client'
import { locateCardNumber, isGtin } from '../../shared/card-number'
import { walletForCode } from '../../shared/payments'
import { addCash, beginVoid, mustCheckout, openCheckout, readCheckout, reserveAttempt, startCheckout } from './payments/checkout'
import { attemptsOf, readAttempt } from './payments/attempts'
import { PaymentEngine, newServiceId, type EngineOptions } from './payments/engine'
import { createRefund } from './payments/refunds'
import { readTerminalSettings, terminalConfig, writeTerminalSettings, type TerminalConfig } from './payments/terminal/config'
import type { TerminalDriver } from './payments/terminal/driver'
import type { Settings } from '../../shared/contract'
import type { Shift, shiftChannels } from '../../shared/shifts-contract'
import { lastClosure, openShiftId, postingMeta } from './ledger/days'
import { checkHolder, closeShift, firstBlindCount, hiddenFromBlind, listShifts, moveCash, openShift, previewClose, readMovement, readShift, recordBlindCount, shiftState, takeOverShift } from './shifts/shifts'
import { closeDay, listClosures, readClosure, tillStatus, xReport } from './closures/closures'
import { SETTLEMENT_ASYNC, settlementHandlers } from './settlement/handlers'
import { REVIEW_ASYNC, reviewHandlers } from './review/handlers'
import { UPDATES_ASYNC, updatesHandlers } from './updates/handlers'
import { SHELL_ONLY_UPDATE_CHANNELS } from '../../shared/updates-contract'
import { PRINTING_ASYNC, printingHandlers } from './printing/handlers'
import { PrintService } from './printing/jobs'
import type { PrinterDriver } from './printing/driver'
import { createNetworkPrinter } from './printing/escpos-network'
import type { PrinterSettings } from '../../shared/printing-contract'
import { displayHandlers } from './display/handlers'
import type { CallContext, Handler } from './handler-types'

export interface CoreDeps {
  db: Db
  /** The clock is a dependency so tests can sell at 03:59 and 04:01. */
  now?: () => Date
  version?: string
  log?: (line: string) => void
  /**
   * Where the platform device secret is kept. Defaults to memory only (forgotten on exit);
   * openCore passes the encrypted file in the data folder, the Electron app the OS keychain.
   */
  secrets?: SecretStore
  /** The sync relay's injectable parts (fetch, timers, random) and options. */
  sync?: Pick<RelayDeps, 'fetch' | 'random' | 'timers' | 'options'>
  /** Where the card terminal's passphrase is kept (same choices as `secrets`). */
  terminalSecrets?: SecretStore
  /** Builds the driver for the configured terminal; default: none (tests and serve pass the Adyen driver). */
  makeTerminal?: (config: TerminalConfig) => TerminalDriver
  payments?: Partial<EngineOptions>
  /** Builds the driver for this till's receipt printer; default: ESC/POS over the network (printing/escpos-network.ts). */
  makePrinter?: (settings: PrinterSettings) => PrinterDriver
}

/** Fields whose meaning is known and whose digits may look like a card number (see card-number.ts). */
function cardNumberAllowed(channel: ChannelName, path: (string | number)[], text: string): boolean {
  if ((channel === 'catalog-barcode' && path[0] === 'code') || (channel === 'catalog-search' && path[0] === 'query')) return isGtin(text.trim())
  if (channel === 'tender-add' && path[0] === 'authCode') return walletForCode(text.trim()) !== null
  return false
}

/** Channels only the Electron shell may call (Core.invokeFromShell); everyone else gets 'forbidden'. */
const SHELL_ONLY: ReadonlySet<string> = new Set(SHELL_ONLY_UPDATE_CHANNELS)

/** Channels whose handler waits on the network: only `invoke` runs them, never `handle`. */
export const ASYNC_CHANNELS: ReadonlySet<ChannelName> = new Set<ChannelName>(['sync-pair', ...SETTLEMENT_ASYNC, ...REVIEW_ASYNC, ...UPDATES_ASYNC, ...PRINTING_ASYNC])

/** Idle sessions end after 12 hours; a cashier signs in at least once a shift. */
const SESSION_TTL_MS = 12 * 3_600_000
/** A supervisor's approval is for the sale in front of them, not for the rest of the day. */
const APPROVAL_TTL_MS = 10 * 60_000

type Handlers = { [C in ChannelName]: Handler<C> }


/**
 * The core service: the one place business rules run. Every transport hands it an envelope;
 * it validates the input against the contract, checks who is asking, runs the handler and
 * answers with data, never a thrown error. It knows nothing of Electron or sockets.
 */
export class Core {
  readonly db: Db
  readonly device: Device
  private readonly now: () => Date
  private readonly version: string
  private readonly log: (line: string) => void
  private readonly sessions = new Map<string, { staffId: string; expires: number }>()
  private readonly approvals = new Map<
    string,
    { supervisor: Staff; kind: 'discount' | 'refund' | 'void' | 'cash_movement' | 'over_short'; maxPercent: string; maxAmount: number; expires: number; token: string }
  >()
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>()
  private readonly handlers: Handlers
  /** The sync relay: sends the outbox to the platform and pulls its catalog (see sync/relay.ts). */
  readonly sync: SyncRelay
  /** Drives QR and card attempts and refunds (see payments/engine.ts). */
  readonly payments: PaymentEngine
  /** Receipts and the cash drawer: print jobs written ahead, sent after the commit (see printing/jobs.ts). */
  readonly printing: PrintService
  private readonly terminalSecrets: SecretStore
  private readonly makeTerminal: ((config: TerminalConfig) => TerminalDriver) | undefined
  private terminal: { key: string; driver: TerminalDriver } | null = null

  constructor(deps: CoreDeps) {
    this.db = deps.db
    this.now = deps.now ?? (() => new Date())
    this.version = deps.version ?? '0.1.0'
    this.log = deps.log ?? (() => {})
    this.device = ensureDevice(this.db)
    this.printing = new PrintService({
      db: this.db,
      device: this.device,
      now: this.now,
      settings: () => readSettings(this.db),
      makePrinter: deps.makePrinter ?? ((s) => createNetworkPrinter({ host: s.host ?? '', port: s.port })),
      log: this.log,
      onChange: (job) => this.emit('printer-changed', job),
    })
    this.handlers = this.makeHandlers()
    this.sync = new SyncRelay({
      db: this.db,
      journalDeviceId: this.device.id,
      deviceCode: this.device.code,
      appVersion: this.version,
      secrets: deps.secrets ?? new MemorySecretStore(),
      now: this.now,
      log: this.log,
      ...deps.sync,
      onChange: (status) => this.emit('sync-changed', status),
      onCatalog: (applied) => {
        if (applied.catalogChanged) this.emit('catalog-changed')
        if (applied.settingsChanged) this.emit('settings-changed')
      },
    })
    this.terminalSecrets = deps.terminalSecrets ?? new MemorySecretStore()
    this.makeTerminal = deps.makeTerminal
    this.payments = new PaymentEngine({
      db: this.db,
      device: this.device,
      now: this.now,
      timers: deps.sync?.timers ?? realTimers,
      settings: () => readSettings(this.db),
      platform: (timeoutMs) => this.sync.platformClient(timeoutMs),
      terminal: () => this.terminalDriver(),
      log: this.log,
      ...(deps.payments ? { options: deps.payments } : {}),
      onChange: (c) => {
        this.emit('payments-changed', c)
        if (c.completed || c.orderId) this.emit('orders-changed', { id: c.orderId ?? c.checkoutId })
        this.sync.nudge()
      },
    })
    // Before any new tender: resolve what a crash or a lost answer left unfinished.
    this.payments.start()
    // A sale committed before a crash gets its receipt now, once; a job cut off while sending waits for a Retry.
    this.printing.start()
  }

  /** The driver for the configured terminal, rebuilt when the settings change. */
  private terminalDriver(): TerminalDriver | null {
    if (!this.makeTerminal) return null
    const config = terminalConfig(this.db, this.terminalSecrets, this.device.code, readSettings(this.db).currency)
    if (!config) return null
    const key = JSON.stringify(config)
    if (this.terminal?.key !== key) this.terminal = { key, driver: this.makeTerminal(config) }
    return this.terminal.driver
  }

  /** Starts the sync relay (it does nothing until the till is paired). */
  startSync(): void {
    this.sync.start()
  }

  /** Stops the relay and closes the ledger. */
  async close(): Promise<void> {
    await this.printing.stop()
    await this.payments.stop()
    await this.sync.stop()
    if (this.db.open) this.db.close()
  }

  onEvent(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: EventName, payload: unknown = null): void {
    // Whatever committed an order (a cash sale, a checkout's last tender, a card or QR payment) prints after the commit.
    if (event === 'orders-changed') this.printing.afterCommit()
    for (const l of this.listeners) l(event, payload)
  }

  /**
   * The entry point of every transport: validates the envelope, checks who asks, runs the
   * handler and answers with data. Synchronous channels answer within the same tick; the few
   * that call the platform (ASYNC_CHANNELS) answer when it does.
   */
  async invoke(raw: unknown): Promise<Result<unknown>> {
    return this.invokeAs(raw, false)
  }

  /**
   * `invoke` for the Electron shell's own calls (its updater): the only way to reach the
   * shell-only channels (SHELL_ONLY_UPDATE_CHANNELS), which every other caller — a window, a
   * browser of `npm run serve`, signed in or not — is refused. Only the core host's
   * 'shell-invoke' message from the Electron main process comes here (wire.ts, `shell: true`).
   */
  async invokeFromShell(raw: unknown): Promise<Result<unknown>> {
    return this.invokeAs(raw, true)
  }

  private async invokeAs(raw: unknown, fromShell: boolean): Promise<Result<unknown>> {
    const call = this.prepare(raw, fromShell)
    if ('ok' in call) return call
    try {
      return ok(await call.run())
    } catch (e) {
      return this.failure(call.channel, e)
    }
  }

  /**
   * The synchronous entry, for callers in the same process (tests, the crash seller, the CLI).
   * An asynchronous channel is refused here: use `invoke`.
   */
  handle(raw: unknown): Result<unknown> {
    const call = this.prepare(raw, false)
    if ('ok' in call) return call
    if (ASYNC_CHANNELS.has(call.channel)) {
      return fail('unknown_channel', `${call.channel} waits on the platform: call it through invoke, not handle.`)
    }
    try {
      const value = call.run()
      if (value instanceof Promise) throw new Error(`${call.channel} answered asynchronously but is not in ASYNC_CHANNELS`)
      return ok(value)
    } catch (e) {
      return this.failure(call.channel, e)
    }
  }

  private prepare(raw: unknown, fromShell: boolean): { ok: false; error: ErrorData } | { channel: ChannelName; run: () => unknown } {
    const env = InvokeEnvelopeSchema.safeParse(raw)
    if (!env.success) return fail('invalid_input', 'The request was not understood.', issues(env.error))
    const { channel, session } = env.data
    if (!isChannelName(channel)) return fail('unknown_channel', `There is no channel called ${channel.slice(0, 64)}.`)
    if (SHELL_ONLY.has(channel) && !fromShell) return fail('forbidden', 'Only Daybook itself (its updater) may ask that.')
    const spec = channels[channel]
    const input = spec.input.safeParse(env.data.input)
    if (!input.success) return fail('invalid_input', 'Some of the details are not valid.', issues(input.error))
    const card = locateCardNumber(input.data, (path, text) => cardNumberAllowed(channel, path, text))
    if (card) {
      return fail('card_number_refused', 'That looks like a bank card number. Daybook never takes card numbers: use the card terminal.', { path: card.path })
    }
    const staff = this.staffFor(session)
    if (spec.auth !== 'none' && !staff) return fail('not_signed_in', 'Please sign in first.')
    if (spec.auth === 'owner' && staff?.role !== 'owner') return fail('forbidden', 'Only the owner can do this.')
    const handler = this.handlers[channel] as (i: unknown, c: CallContext) => unknown
    return { channel, run: () => handler(input.data, { token: session, staff }) }
  }

  private failure(channel: string, e: unknown): { ok: false; error: ErrorData } {
    if (!(e instanceof DaybookError)) this.log(`internal error on ${channel}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return { ok: false, error: toErrorData(e) }
  }

  private staffFor(token: string | undefined): Staff | undefined {
    if (!token) return undefined
    const s = this.sessions.get(token)
    const now = this.now().getTime()
    if (!s || s.expires < now) {
      if (s) this.sessions.delete(token)
      return undefined
    }
    s.expires = now + SESSION_TTL_MS
    const staff = staffById(this.db, s.staffId)
    return staff?.active ? staff : undefined
  }

  /** A discount approval given to this session, still fresh. */
  private discountApproval(approvalId: string | undefined, ctx: CallContext): { by: { id: string; name: string }; maxPercent: string } | null {
    if (!approvalId) return null
    const a = this.approvals.get(approvalId)
    if (!a || a.kind !== 'discount' || a.expires < this.now().getTime() || a.token !== ctx.token) {
      throw new DaybookError('approval_invalid', 'That approval has expired. Ask the supervisor again.')
    }
    return { by: { id: a.supervisor.id, name: a.supervisor.name }, maxPercent: a.maxPercent }
  }

  /**
   * Refunds and voids above the store limit need a supervisor (a cashier asks; a supervisor or
   * the owner is their own approval). The approval covers the amount the supervisor saw, no more.
   */
  private amountApproval(
    kind: 'refund' | 'void' | 'cash_movement' | 'over_short',
    amount: number,
    approvalId: string | undefined,
    staff: Staff,
    ctx: CallContext,
    already = 0,
    /** A blind count: the refusal must not say how far off the count is (it gives away what is expected). */
    hideAmount = false,
  ): { id: string; name: string } | null {
    const s = readSettings(this.db)
    const limit = kind === 'cash_movement' ? s.cashMovementApprovalLimit : kind === 'over_short' ? s.overShortThreshold : s.refundApprovalLimit
    if (staff.role !== 'cashier' || already + amount <= limit) return null
    const a = approvalId ? this.approvals.get(approvalId) : undefined
    if (!a) {
      const message = {
        refund: 'This refund is over the store limit: a supervisor must approve it.',
        void: 'Voiding this sale needs a supervisor: it is over the store limit.',
        cash_movement: 'This cash movement is over the store limit: a supervisor must approve it.',
        over_short: 'The drawer is over or short by more than the store allows: a supervisor must approve, with a reason.',
      }[kind]
      throw new DaybookError('approval_required', message, hideAmount ? { limit, blind: true } : { amount, limit })
    }
    if (a.kind !== kind || a.expires < this.now().getTime() || a.token !== ctx.token || a.maxAmount < amount) {
      throw new DaybookError('approval_invalid', 'That approval does not cover this. Ask the supervisor again.')
    }
    this.approvals.delete(approvalId as string)
    return { id: a.supervisor.id, name: a.supervisor.name }
  }

  /** How far off the kept first count of the open shift's blind close was (0 when none was kept). */
  private firstCountDifference(): number {
    const open = openShiftId(this.db)
    const first = open ? firstBlindCount(this.db, open) : null
    if (!first || first.overShort === null) return 0
    return Math.abs(first.overShort)
  }

  /** A shift's drawer belongs to its holder: another cashier cannot take cash into it (a supervisor can). */
  private mustHoldDrawer(staff: Staff): void {
    const open = openShiftId(this.db)
    if (open) checkHolder(this.db, open, staff)
  }

  /** Shifts, cash movements, X and Z (src/main/core/shifts, src/main/core/closures). */
  private shiftHandlers(must: (ctx: CallContext) => Staff): Pick<Handlers, keyof typeof shiftChannels> {
    const db = this.db
    const settings = (): Settings => readSettings(db)
    // A cashier sees only their own shifts' figures (opened or held by them); a supervisor or the owner, every shift.
    const own = (staff: Staff, shift: Shift): boolean => staff.role !== 'cashier' || shift.openedBy.id === staff.id || shift.holder.id === staff.id
    // A blind count is blind for a cashier only: a supervisor or the owner sees what is expected.
    const blindFor = (staff: Staff, s: Settings = settings()): boolean => s.blindCount && staff.role === 'cashier'
    const changed = (): void => {
      this.emit('day-changed')
      this.sync.nudge()
    }
    return {
      'till-status': () => tillStatus(db, settings(), this.now()),
      'shift-open': ({ shiftId, count }, ctx) => {
        const staff = must(ctx)
        const shift = openShift(db, settings(), this.device, this.now(), { shiftId, count, staff: { id: staff.id, name: staff.name } })
        changed()
        const seen = { ...shift, deviceCode: this.device.code }
        return blindFor(staff) ? hiddenFromBlind(seen) : seen
      },
      'shift-takeover': ({ shiftId }, ctx) => {
        const shift = takeOverShift(db, settings(), this.device, this.now(), shiftId, must(ctx), newId())
        changed()
        return { ...shift, deviceCode: this.device.code }
      },
      'shift-get': ({ shiftId }, ctx) => {
        const staff = must(ctx)
        const s = settings()
        const shift = readShift(db, shiftId, s, this.device.code, blindFor(staff, s))
        if (!shift) throw new DaybookError('not_found', 'There is no such shift.')
        if (!own(staff, shift)) throw new DaybookError('forbidden', `This is ${shift.holder.name}'s shift: a cashier sees only their own.`)
        return shift
      },
      'shift-list': ({ businessDate: date }, ctx) => {
        const staff = must(ctx)
        const s = settings()
        return listShifts(db, s, this.device.code, blindFor(staff, s), 's.business_date = ?', date ?? postingMeta(db, this.now(), s).businessDate).filter((x) => own(staff, x))
      },
      'cash-move': ({ movementId, kind, amount, reason, note, approvalId }, ctx) => {
        const staff = must(ctx)
        // A retry of a movement that committed (its answer was lost) gets that movement, whatever changed since.
        const done = readMovement(db, movementId)
        if (done && done.kind === kind && done.amount === amount) return done
        const open = openShiftId(db)
        if (open) checkHolder(db, open, staff)
        const approvedBy = this.amountApproval('cash_movement', amount, approvalId, staff, ctx)
        const m = moveCash(db, settings(), this.device, this.now(), { movementId, kind, amount, reason, note, staff: { id: staff.id, name: staff.name }, approvedBy })
        this.printing.drawerForMovement(m.id)
        changed()
        return m
      },
      'shift-close': ({ shiftId, count, left, reason, approvalId }, ctx) => {
        const staff = must(ctx)
        const s = settings()
        const state = shiftState(db, shiftId)
        if (!state) throw new DaybookError('not_found', 'There is no such shift.')
        if (state === 'closed') return readShift(db, shiftId, s, this.device.code) as Shift // a retried close
        checkHolder(db, shiftId, staff)
        const p = previewClose(db, s, { shiftId, count, left })
        const blind = blindFor(staff, s)
        let approvedBy: { id: string; name: string } | null = null
        if (p.needsApproval) {
          try {
            if (!reason?.trim()) {
              // On a blind count the refusal says neither what was expected nor how far off the count is.
              throw new DaybookError(
                'approval_required',
                'The drawer is over or short by more than the store allows: give a reason, and a supervisor must approve.',
                blind ? { counted: p.counted, threshold: s.overShortThreshold, blind: true } : { expected: p.expected, counted: p.counted, overShort: p.overShort, threshold: s.overShortThreshold },
              )
            }
            // A supervisor or the owner closing their own drawer is their own approval.
            approvedBy = this.amountApproval('over_short', Math.abs(p.overShort), approvalId, staff, ctx, 0, blind) ?? { id: staff.id, name: staff.name }
          } catch (e) {
            // A blind count refused: its first count is kept (journaled), so a recount cannot replace it.
            if (blind && e instanceof DaybookError) {
              if (recordBlindCount(db, this.device, this.now(), { shiftId, count, counted: p.counted, expected: p.expected, overShort: p.overShort, staff: { id: staff.id, name: staff.name } })) {
                this.sync.nudge()
              }
            }
            throw e
          }
        }
        const shift = closeShift(db, s, this.device, this.now(), { shiftId, count, left, reason, staff: { id: staff.id, name: staff.name } }, approvedBy)
        changed()
        return { ...shift, deviceCode: this.device.code }
      },
      'day-x': (_i, ctx) => {
        const staff = must(ctx)
        const s = settings()
        const x = xReport(db, s, this.device, this.now(), blindFor(staff, s))
        return { ...x, shifts: x.shifts.filter((sh) => own(staff, sh)) }
      },
      'day-close': ({ closureId }, ctx) => {
        const c = closeDay(db, settings(), this.device, this.now(), { closureId, staff: must(ctx) })
        changed()
        this.emit('orders-changed', null)
        return c
      },
      'closure-list': (input) => listClosures(db, this.device.code, settings().storeName, input?.limit ?? 60),
      'closure-get': ({ id }) => {
        const c = readClosure(db, id, this.device.code, settings().storeName)
        if (!c) throw new DaybookError('not_found', 'There is no such closure.')
        return c
      },
    }
  }

  private makeHandlers(): Handlers {
    const db = this.db
    const at = (): string => this.now().toISOString()
    const must = (ctx: CallContext): Staff => {
      if (!ctx.staff) throw new DaybookError('not_signed_in', 'Please sign in first.')
      return ctx.staff
    }
    return {
      'app-info': () => {
        const s = readSettings(db)
        return {
          storeName: s.storeName,
          deviceId: this.device.id,
          deviceCode: this.device.code,
          currency: s.currency,
          // The open business day: after today's Z, new sales (and the Orders list) belong to the next one.
          businessDate: postingMeta(db, this.now(), s).businessDate,
          timeZone: s.timeZone,
          version: this.version,
        }
      },
      'staff-list': (input, ctx) => listStaff(db, input?.includeInactive === true && ctx.staff?.role === 'owner'),
      'session-signin': ({ staffId, pin }) => {
        const staff = checkPin(db, staffId, pin, this.now().getTime())
        const token = randomBytes(24).toString('base64url')
        this.sessions.set(token, { staffId: staff.id, expires: this.now().getTime() + SESSION_TTL_MS })
        return { token, staff } satisfies Session
      },
      'session-get': (_i, ctx) => (ctx.staff && ctx.token ? { token: ctx.token, staff: ctx.staff } : null),
      'session-signout': (_i, ctx) => {
        if (ctx.token) this.sessions.delete(ctx.token)
        return null
      },
      'catalog-categories': () => listCategories(db),
      'catalog-search': ({ query, categoryId, limit }) => searchProducts(db, query, categoryId, limit ?? 60),
      'catalog-barcode': ({ code }) => {
        const p = productByBarcode(db, code.trim())
        if (!p) throw new DaybookError('not_found', `No product has barcode ${code.trim().slice(0, 32)}.`, { code: code.trim().slice(0, 64) })
        return p
      },
      'cart-price': (cart) => quoteCart(db, cart, readSettings(db)),
      'approval-grant': (input, ctx) => {
        const supervisor = checkPin(db, input.staffId, input.pin, this.now().getTime())
        if (supervisor.role === 'cashier') throw new DaybookError('forbidden', 'Only a supervisor or the owner can approve this.')
        const approvalId = newId()
        const maxPercent = input.reason === 'discount' ? quoteCart(db, input.cart, readSettings(db)).discountPercent : '0'
        // On a blind count the cashier's screen does not know the difference: an over/short approval
        // then covers the difference of the first count the core kept (the supervisor sees it on their own screens).
        const maxAmount = input.reason === 'discount' ? 0 : input.reason === 'over_short' ? Math.max(input.amount, this.firstCountDifference()) : input.amount
        this.approvals.set(approvalId, { supervisor, kind: input.reason, maxPercent, maxAmount, expires: this.now().getTime() + APPROVAL_TTL_MS, token: ctx.token ?? '' })
        return { approvalId, supervisor }
      },
      'cart-park': ({ cart, label }, ctx) => parkCart(db, cart, label, must(ctx).id, at()),
      'cart-parked-list': () => listParked(db),
      'cart-resume': ({ id }) => resumeCart(db, id),
      'sale-complete': ({ saleId, cart, cashTendered, approvalId }, ctx) => {
        const staff = must(ctx)
        const done = readOrder(db, saleId)
        if (done) return done // a retried sale: the order it made, whoever holds the drawer now
        this.mustHoldDrawer(staff)
        const approval = this.discountApproval(approvalId, ctx)
        const order = completeSale(db, { saleId, cart, cashTendered }, readSettings(db), { device: this.device, staff, approval, now: this.now() })
        if (approvalId) this.approvals.delete(approvalId)
        this.emit('orders-changed', { id: order.id })
        this.sync.nudge()
        return order
      },
      'checkout-start': ({ saleId, cart, approvalId }, ctx) => {
        const staff = must(ctx)
        const settings = readSettings(db)
        if (cart.lines.length === 0) throw new DaybookError('empty_cart', 'The cart is empty.')
        const quote = quoteCart(db, cart, settings)
        const approval = this.discountApproval(approvalId, ctx)
        const overLimit = quote.needsApproval && staff.role === 'cashier'
        if (overLimit && !approval) {
          throw new DaybookError('approval_required', 'This discount is over the store limit: a supervisor must approve it.', {
            discountPercent: quote.discountPercent,
            limitPercent: settings.discountLimitPercent,
          })
        }
        if (overLimit && approval && Number(quote.discountPercent) > Number(approval.maxPercent)) {
          throw new DaybookError('approval_invalid', 'The discount grew after the supervisor approved it. Ask the supervisor again.')
        }
        const c = startCheckout(db, { saleId, cart, quote, staff: { id: staff.id, name: staff.name }, approvedBy: overLimit && approval ? approval.by : null, at: at() })
        if (approvalId) this.approvals.delete(approvalId)
        // The customer display follows the open checkout.
        this.emit('payments-changed', { checkoutId: c.id })
        return c
      },
      'checkout-get': ({ id }) => readCheckout(db, id),
      'checkout-open': () => openCheckout(db),
      'tender-add': (input, ctx) => {
        must(ctx)
        if (input.flow === 'cash') {
          this.mustHoldDrawer(must(ctx))
          const c = addCash(db, readSettings(db), this.device, this.now(), input)
          this.emit('payments-changed', { checkoutId: c.id })
          if (c.state === 'completed') {
            this.emit('orders-changed', { id: c.id })
            this.sync.nudge()
          }
          return c
        }
        const family = input.flow === 'terminal' ? 'card' : 'qr'
        if (this.payments.isRecovering(family)) {
          throw new DaybookError('payments_recovering', family === 'card' ? 'The till is still checking a card payment left unfinished. Wait a moment.' : 'The till is still checking a QR payment left unfinished. Wait a moment.')
        }
        let method: 'alipay' | 'wechat' | 'card'
        if (input.flow === 'terminal') {
          if (!this.terminalDriver()) throw new DaybookError('terminal_not_configured', 'No card terminal is set up on this till. The owner can add one in Settings → Card terminal.')
          method = 'card'
        } else {
          if (this.sync.status().state === 'unpaired') throw new DaybookError('qr_unavailable', 'QR payments need the platform, and this till is not connected to one. Take cash or card.')
          method = input.flow === 'merchant_qr' ? input.wallet : (walletForCode(input.authCode) ?? 'alipay')
        }
        const created = reserveAttempt(db, {
          checkoutId: input.checkoutId,
          attemptId: input.attemptId,
          method,
          flow: input.flow,
          amount: input.amount,
          ...(input.flow === 'terminal' ? { serviceId: newServiceId() } : {}),
          at: at(),
        })
        if (created) this.payments.begin(input.attemptId, input.flow === 'customer_code' ? input.authCode : undefined)
        this.emit('payments-changed', { checkoutId: input.checkoutId })
        return readCheckout(db, input.checkoutId)
      },
      'tender-cancel': ({ checkoutId, attemptId }) => {
        const a = readAttempt(db, attemptId)
        if (!a || a.checkout_id !== checkoutId) throw new DaybookError('not_found', 'That payment is not part of this sale.')
        this.payments.cancel(attemptId)
        return readCheckout(db, checkoutId)
      },
      'checkout-void': ({ checkoutId, reason, approvalId }, ctx) => {
        const staff = must(ctx)
        const c = mustCheckout(db, checkoutId)
        if (c.state === 'completed') throw new DaybookError('checkout_closed', 'This sale is already paid: refund it from Orders instead.')
        const hasTenders = attemptsOf(db, c.id).length > 0
        const approval = hasTenders ? this.amountApproval('void', c.total_minor, approvalId, staff, ctx) : null
        beginVoid(db, { checkoutId, reason, staff: { id: staff.id, name: staff.name }, approvedBy: approval, at: at() })
        this.payments.settleVoid(checkoutId)
        return readCheckout(db, checkoutId)
      },
      'payments-status': () => {
        const paired = this.sync.status().state !== 'unpaired'
        const qrRecovering = this.payments.isRecovering('qr')
        const cardRecovering = this.payments.isRecovering('card')
        const driver = this.terminalDriver()
        return {
          qr: {
            available: paired && !qrRecovering && this.payments.platformReachable(),
            reason: !paired ? ('unpaired' as const) : qrRecovering ? ('recovering' as const) : this.payments.platformReachable() ? null : ('offline' as const),
          },
          card: { available: driver !== null && !cardRecovering, reason: driver === null ? ('not_configured' as const) : cardRecovering ? ('recovering' as const) : null, terminalId: driver?.terminalId ?? null },
          unresolved: this.payments.unresolved(),
        }
      },
      'refund-create': ({ refundId, orderId, tenderId, amount, reason, approvalId }, ctx) => {
        const staff = must(ctx)
        const order = readOrder(db, orderId)
        if (!order) throw new DaybookError('not_found', 'No order with that number.')
        const retry = db.prepare('SELECT 1 FROM refunds WHERE id = ?').get(refundId) !== undefined
        if (!retry && order.tenders.find((t) => t.id === tenderId)?.method === 'cash') this.mustHoldDrawer(staff)
        // The limit is on what the order gives back in all, so splitting a refund does not avoid it.
        const { refunded } = db.prepare("SELECT coalesce(sum(amount_minor), 0) AS refunded FROM refunds WHERE order_id = ? AND state != 'failed' AND id != ?").get(orderId, refundId) as {
          refunded: number
        }
        const approval = this.amountApproval('refund', amount, approvalId, staff, ctx, refunded)
        const r = createRefund(db, { refundId, orderId, tenderId, amount, reason, staff: { id: staff.id, name: staff.name }, approvedBy: approval, at: at(), deviceId: this.device.id })
        if (r.state === 'created') this.payments.beginRefund(r.id)
        else if (r.state === 'pending' || r.state === 'unknown') this.payments.driveRefund(r.id)
        this.emit('orders-changed', { id: orderId })
        this.sync.nudge()
        return readOrder(db, orderId) as NonNullable<ReturnType<typeof readOrder>>
      },
      'terminal-settings-get': () => readTerminalSettings(db, this.terminalSecrets),
      'terminal-settings-save': (input) => {
        // A payment still open on the old terminal must be resolved there: asking another terminal
        // would hear "not found" and the customer could be charged twice.
        const busy = db
          .prepare(
            `SELECT (SELECT count(*) FROM tender_attempts WHERE flow = 'terminal' AND (state IN ('created', 'awaiting_customer', 'unknown')
                      OR (state = 'succeeded' AND cancel_requested = 1 AND coalesce(failure_code, '') != 'reversal_refused')))
                  + (SELECT count(*) FROM refunds WHERE method = 'card' AND state IN ('created', 'pending', 'unknown')) AS n`,
          )
          .get() as { n: number }
        if (busy.n > 0) throw new DaybookError('conflict', 'A card payment or refund is still being settled with the current terminal. Change the terminal once it is done.')
        if (!input.passphrase && this.terminalSecrets.get() === null) {
          throw new DaybookError('invalid_input', 'Enter the passphrase the terminal was set up with.', [{ path: ['passphrase'], message: 'required' }])
        }
        writeTerminalSettings(db, this.terminalSecrets, input, at())
        this.emit('payments-changed', {})
        return readTerminalSettings(db, this.terminalSecrets)
      },
      'order-list': ({ businessDate: date, query }) => {
        const s = readSettings(db)
        return listOrders(db, date ?? postingMeta(db, this.now(), s).businessDate, query)
      },
      'order-get': ({ id }) => {
        const o = readOrder(db, id)
        if (!o) throw new DaybookError('not_found', 'No order with that number.')
        return o
      },
      'order-reprint': ({ id }, ctx) => {
        const o = reprintOrder(db, id, this.device.id, must(ctx).id, this.now())
        this.emit('orders-changed', { id })
        this.sync.nudge()
        return o
      },
      'settings-get': () => readSettings(db),
      'settings-update': (s, ctx) => {
        // A drawer counted in one currency, or a day cut at one hour, cannot change under an open shift or an unclosed day.
        const was = readSettings(db)
        if (s.currency !== was.currency || s.timeZone !== was.timeZone || s.businessDayCutoffHour !== was.businessDayCutoffHour) {
          const since = lastClosure(db)?.last_seq ?? 0
          const pending = db.prepare("SELECT 1 FROM postings WHERE journal_seq > ? AND kind != 'closure' LIMIT 1").get(since) !== undefined
          if (openShiftId(db) || pending) {
            throw new DaybookError('conflict', 'The currency, time zone and day cut-off can change only after the day is closed (Z) and no shift is open.', {
              fields: ['currency', 'timeZone', 'businessDayCutoffHour'],
            })
          }
        }
        const saved = writeSettings(db, s, at(), must(ctx).id)
        this.emit('settings-changed')
        return saved
      },
      'staff-save': (input) => {
        const saved = saveStaff(db, input, at())
        this.emit('staff-changed')
        return saved
      },
      'journal-verify': () => verifyJournal(db),
      ...this.shiftHandlers(must),
      ...settlementHandlers({
        db,
        device: this.device,
        now: this.now,
        settings: () => readSettings(db),
        platform: (timeoutMs) => this.sync.platformClient(timeoutMs),
        must,
        changed: (posted) => {
          this.emit('settlement-changed')
          if (posted) this.sync.nudge()
        },
      }),
      ...reviewHandlers({ db, device: this.device, now: this.now, settings: () => readSettings(db), must }),
      ...updatesHandlers({ db, now: this.now, settings: () => readSettings(db), must, outboxSending: () => this.sync.status().state === 'sending', changed: () => this.emit('settings-changed') }),
      ...printingHandlers({
        db,
        device: this.device,
        now: this.now,
        settings: () => readSettings(db),
        printing: this.printing,
        must,
        journaled: (what) => {
          this.emit(what === 'orders' ? 'orders-changed' : 'day-changed', null)
          this.sync.nudge()
        },
      }),
      ...displayHandlers({ now: this.now, emit: (event, payload) => this.emit(event, payload) }),
      'sync-status': () => this.sync.status(),
      'sync-now': () => this.sync.syncNow(),
      'sync-pair': ({ platformUrl, code }) => this.sync.pair(platformUrl, code),
      'sync-unpair': () => this.sync.unpair(),
    }
  }
}

function issues(error: z.ZodError): { path: (string | number)[]; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }))
}

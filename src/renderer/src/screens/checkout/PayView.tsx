import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Attempt, Checkout } from '../../../../shared/contract'
import type { ErrorData } from '../../../../shared/errors'
import { minorToDecimalString, parseMajor } from '../../../../shared/money'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { Money } from '../../components/Money'
import type { ErrorContext } from '../../lib/errors'
import { isCurrency, useFormat } from '../../lib/format'
import { attemptActivityText, canCancel, cashFigures, classifyScan, isPending, liveQr, methodLabel } from '../../lib/payments'
import { WedgeScanner } from '../../lib/scanner'
import { useApp } from '../../store'
import type { TenderRequest } from '../../store/payments'
import { MerchantQr, PaymentsNotes, PaySummary, TENDER_KEYS, TenderButtons, TenderList, type TenderKey } from './PayParts'
import { NoShiftBanner } from '../day/NoShiftBanner'
import { OpenShiftDialog } from '../day/OpenShiftDialog'
import { VoidDialog } from './VoidDialog'

const get = useApp.getState
/** While a tender is in flight the view also asks now and then, in case an event was missed (a dropped socket). */
const PENDING_REFRESH_MS = 3_000

export const CUSTOMER_DISPLAY_HASH = '#/customer-display'

export function openCustomerDisplay(): void {
  const url = `${window.location.origin}${window.location.pathname}${CUSTOMER_DISPLAY_HASH}`
  window.open(url, 'daybook-customer-display', 'popup,width=1024,height=768')
}

function toText(minor: number, currency: string): string {
  return isCurrency(currency) ? minorToDecimalString(minor, currency) : String(minor)
}
function fromText(text: string, currency: string): number | null {
  return isCurrency(currency) ? parseMajor(text, currency) : null
}

type Field = 'amount' | 'tendered' | 'code'

/**
 * The pay view: what is left to pay, the tender buttons, one amount for split payments, cash with
 * quick amounts and change, the merchant QR with its countdown, and every tender with its state.
 * A scanner works anywhere here: a wallet payment code pays the amount; a card number is refused.
 */
export function PayView() {
  const checkout = useApp((s) => s.checkout)
  if (!checkout) return null
  return <PayViewOpen key={checkout.id} checkout={checkout} />
}

function PayViewOpen({ checkout }: { checkout: Checkout }) {
  const { t } = useTranslation()
  const f = useFormat()
  const status = useApp((s) => s.paymentsStatus)
  const paying = useApp((s) => s.paying)
  const resumed = useApp((s) => s.checkoutResumed)
  const cashRounding = useApp((s) => s.settings?.cashRounding ?? null)
  const addTender = useApp((s) => s.addTender)
  const cancelTender = useApp((s) => s.cancelTender)
  const voidCheckout = useApp((s) => s.voidCheckout)
  const leaveCheckout = useApp((s) => s.leaveCheckout)
  const refreshCheckout = useApp((s) => s.refreshCheckout)
  const loadTill = useApp((s) => s.loadTill)
  // Cash goes into a drawer counted by shift: without an open shift, only card and QR are taken.
  const noShift = useApp((s) => s.till !== null && s.till.shift === null)

  const c = checkout
  const currency = c.currency
  const [mode, setMode] = useState<'cash' | 'scan'>('cash')
  const [amountText, setAmountText] = useState(() => toText(c.remaining, currency))
  const [tenderedText, setTenderedText] = useState('')
  const [codeText, setCodeText] = useState('')
  const [error, setError] = useState<{ error: ErrorData; ctx: ErrorContext } | null>(null)
  const [note, setNote] = useState<{ kind: 'error' | 'info'; text: string } | null>(null)
  const [voidOpen, setVoidOpen] = useState(false)
  const [shiftOpen, setShiftOpen] = useState(false)
  const [cancelling, setCancelling] = useState<string[]>([])
  const [now, setNow] = useState(() => Date.now())

  const amountRef = useRef<HTMLInputElement>(null)
  const tenderedRef = useRef<HTMLInputElement>(null)
  const codeRef = useRef<HTMLInputElement>(null)

  // A new remaining (a tender went through, failed or was cancelled) is the next default amount.
  useEffect(() => {
    setAmountText(toText(c.remaining, currency))
    setTenderedText('')
  }, [c.remaining, currency])

  const qr = liveQr(c)
  const pendingCard = c.attempts.find((a) => a.flow === 'terminal' && isPending(a)) ?? null
  const anyPending = c.attempts.some(isPending)
  const open = c.state === 'open'
  const closing = c.state === 'voiding' || c.state === 'voided'

  useEffect(() => {
    if (!qr) return
    // Take the clock now: the last reading may be from when the pay view opened, before the QR.
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [qr])
  useEffect(() => {
    if (!anyPending && c.state !== 'voiding') return
    const timer = setInterval(() => void refreshCheckout(), PENDING_REFRESH_MS)
    return () => clearInterval(timer)
  }, [anyPending, c.state, refreshCheckout])

  // ---- amounts ----------------------------------------------------------------------------------
  const amountParsed = amountText.trim() === '' ? c.remaining : fromText(amountText, currency)
  const amountInvalid = amountParsed === null || amountParsed <= 0
  const amountTooBig = !amountInvalid && amountParsed > c.remaining
  const amount = amountInvalid || amountTooBig ? null : amountParsed
  const cash = amount !== null ? cashFigures(c, amount, cashRounding) : null
  const tendered = cash === null ? null : tenderedText.trim() === '' ? cash.due : fromText(tenderedText, currency)
  const tenderedInvalid = tendered === null || tendered < 0
  const change = cash !== null && tendered !== null ? tendered - cash.due : null
  const shortBy = change !== null && change < 0 ? -change : 0
  const canCash = open && amount !== null && !tenderedInvalid && shortBy === 0 && !paying && !noShift

  const money = useCallback((minor: number) => f.money(minor, currency), [f, currency])

  const send = async (request: TenderRequest) => {
    setError(null)
    setNote(null)
    const r = await addTender(request)
    if (!r.ok) {
      if (r.error.code === 'no_open_shift') {
        // the till thought a shift was open: show it as it is, with the way to open one
        void loadTill()
        setShiftOpen(true)
        return false
      }
      const ctx: ErrorContext = { tender: true, money }
      if (r.error.code === 'insufficient_tender' && shortBy > 0) ctx.shortBy = money(shortBy)
      setError({ error: r.error, ctx })
      return false
    }
    return true
  }

  const takeCash = async () => {
    if (noShift && open) {
      setShiftOpen(true)
      return
    }
    if (!canCash || amount === null || tendered === null) return
    if (await send({ flow: 'cash', amount, tendered })) setTenderedText('')
  }
  const startQr = (wallet: 'alipay' | 'wechat') => {
    if (amount === null || !open || paying) return
    void send({ flow: 'merchant_qr', wallet, amount })
  }
  const startCard = () => {
    if (amount === null || !open || paying) return
    void send({ flow: 'terminal', amount })
  }
  /** A payment code from the scanner (anywhere in this view) or typed into the code field. */
  const chargeCode = (raw: string) => {
    const v = classifyScan(raw)
    setError(null)
    if (v.kind === 'card') {
      // never sent, never kept: the field is emptied too
      setCodeText('')
      setNote({ kind: 'error', text: t('pay.cardRefused') })
      return
    }
    if (v.kind === 'other') {
      setNote({ kind: 'error', text: t('pay.scanNotWallet') })
      return
    }
    if (amount === null || !open) return
    setMode('scan')
    setCodeText('')
    setNote({ kind: 'info', text: t('pay.scanIsWallet', { wallet: methodLabel(t, v.wallet) }) })
    void send({ flow: 'customer_code', authCode: v.code, amount })
  }

  const cancel = async (attemptId: string) => {
    setCancelling((ids) => [...ids, attemptId])
    const err = await cancelTender(attemptId)
    setCancelling((ids) => ids.filter((id) => id !== attemptId))
    if (err) setError({ error: err, ctx: { tender: true } })
  }

  const cancelButton = (a: Attempt) =>
    canCancel(a) ? (
      <button type="button" className="btn secondary" data-testid="panel-cancel" disabled={cancelling.includes(a.id)} onClick={() => void cancel(a.id)}>
        {t('pay.cancelAttempt')}
      </button>
    ) : null

  const pick = (key: TenderKey) => {
    setNote(null)
    if (key === 'cash') {
      setMode('cash')
      requestAnimationFrame(() => tenderedRef.current?.focus())
    } else if (key === 'scan') {
      setMode('scan')
      requestAnimationFrame(() => codeRef.current?.focus())
    } else if (key === 'card') startCard()
    else startQr(key)
  }

  /** Esc: with nothing tendered, back to the cart; otherwise voiding needs a reason. */
  const back = async () => {
    if (voidOpen || shiftOpen) return
    if (c.state === 'voided') {
      leaveCheckout()
      return
    }
    if (c.state !== 'open') return
    if (c.attempts.length === 0) {
      const r = await voidCheckout(t('pay.defaultVoidReason'))
      if (r.ok) leaveCheckout()
      else if (r.error.code === 'approval_required') setVoidOpen(true)
      else setError({ error: r.error, ctx: {} })
      return
    }
    setVoidOpen(true)
  }

  // ---- keys and the scanner ---------------------------------------------------------------------
  const live = useRef({ pick, takeCash, chargeCode, back, voidOpen, shiftOpen, mode, codeText })
  live.current = { pick, takeCash, chargeCode, back, voidOpen, shiftOpen, mode, codeText }

  useEffect(() => {
    const fields: Record<Field, { ref: React.RefObject<HTMLInputElement | null>; set: (v: string) => void }> = {
      amount: { ref: amountRef, set: setAmountText },
      tendered: { ref: tenderedRef, set: setTenderedText },
      code: { ref: codeRef, set: setCodeText },
    }
    const focusedField = (): Field | null => {
      const el = document.activeElement
      for (const k of Object.keys(fields) as Field[]) if (fields[k].ref.current && fields[k].ref.current === el) return k
      return null
    }
    // The scanner treats the field in use as its "search box": typed keys go there, a scan puts it back as it was.
    const target = (): Field => focusedField() ?? (live.current.mode === 'scan' ? 'code' : 'tendered')
    const scanner = new WedgeScanner({
      enabled: () => !live.current.voidOpen && !live.current.shiftOpen && get().dialog?.kind === 'pay',
      searchInput: () => fields[target()].ref.current ?? fields.amount.ref.current,
      getSearch: () => fields[target()].ref.current?.value ?? '',
      setSearch: (text) => fields[target()].set(text),
      typeIntoSearch: (text) => {
        const k = target()
        const input = fields[k].ref.current
        if (!input) return
        const next = input.value + text
        input.focus()
        input.value = next
        input.setSelectionRange(next.length, next.length)
        fields[k].set(next)
      },
      submitSearch: () => undefined,
      onScan: (code) => live.current.chargeCode(code),
    })
    const keys: Record<string, TenderKey> = Object.fromEntries(Object.entries(TENDER_KEYS).map(([k, v]) => [v, k as TenderKey]))
    const onKey = (e: KeyboardEvent) => {
      if (scanner.handleKeyDown(e)) return
      if (e.defaultPrevented || live.current.voidOpen || live.current.shiftOpen || get().dialog?.kind !== 'pay') return
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const key = keys[e.key]
      if (key) {
        e.preventDefault()
        live.current.pick(key)
        return
      }
      if (e.key === 'F9') {
        e.preventDefault()
        openCustomerDisplay()
        return
      }
      if (e.key === 'Enter') {
        const el = e.target as HTMLElement | null
        if (el && (el.tagName === 'BUTTON' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT')) return
        e.preventDefault()
        if (el === codeRef.current) live.current.chargeCode(live.current.codeText)
        else if (live.current.mode === 'cash') void live.current.takeCash()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => {
      window.removeEventListener('keydown', onKey, true)
      scanner.reset()
    }
  }, [])

  const footer = (
    <>
      <button type="button" className="btn secondary" data-testid="pay-back" onClick={() => void back()} disabled={c.state === 'voiding' || c.state === 'completed'}>
        {c.attempts.length === 0 || c.state === 'voided' ? t('pay.back') : t('pay.voidSale')} <kbd>{t('common.esc')}</kbd>
      </button>
      <button type="button" className="btn ghost" data-testid="open-customer-display" onClick={openCustomerDisplay}>
        {t('pay.customerDisplay')} <kbd>F9</kbd>
      </button>
      <span className="spacer" />
      {c.state === 'voided' ? (
        <button type="button" className="btn primary huge" data-testid="void-done" onClick={leaveCheckout}>
          {t('pay.done')} <kbd>{t('common.esc')}</kbd>
        </button>
      ) : mode === 'cash' && open && c.remaining > 0 ? (
        <button type="button" className="btn primary huge" data-testid="pay-complete" disabled={noShift ? paying : !canCash} onClick={() => void takeCash()}>
          {paying ? t('pay.completing') : noShift ? t('shift.openToTakeCash') : cash?.closes ? t('pay.complete') : t('pay.takeCash')} <kbd>Enter</kbd>
        </button>
      ) : null}
    </>
  )

  return (
    <Dialog title={t('pay.title')} onClose={() => void back()} testId="pay-dialog" size="xl" footer={footer}>
      <div className="pay-grid" data-state={c.state} data-checkout-id={c.id}>
        <section className="pay-left">
          <PaySummary checkout={c} />
          {resumed && open ? <p className="banner-info">{t('pay.resumed')}</p> : null}
          {closing ? null : (
            <>
              <TenderButtons status={status} mode={mode} disabled={!open || c.remaining === 0} onPick={pick} />
              <PaymentsNotes status={status} />
            </>
          )}
        </section>
        <section className="pay-right">
          {closing ? (
            <VoidProgress checkout={c} />
          ) : (
            <>
              {qr ? <MerchantQr attempt={qr} currency={currency} now={now} action={cancelButton(qr)} /> : null}
              {pendingCard && !qr ? (
                <div className="card-wait" data-testid="card-wait">
                  <span className="tender-mark mark-card big" aria-hidden="true" />
                  <strong>{t('pay.cardFollow')}</strong>
                  <Money minor={pendingCard.amount} currency={currency} className="qr-amount" />
                  <span className="attempt-activity">{attemptActivityText(t, pendingCard, f.lang)}</span>
                  {cancelButton(pendingCard)}
                </div>
              ) : null}
              {open && c.remaining > 0 ? (
                <div className="pay-entry">
                  <div className="pay-fields">
                    <label className="field">
                      <span>{t('pay.amount')}</span>
                      <input
                        ref={amountRef}
                        data-testid="pay-amount"
                        className="big-input"
                        inputMode="decimal"
                        autoComplete="off"
                        value={amountText}
                        onFocus={(e) => e.target.select()}
                        onChange={(e) => {
                          setAmountText(e.target.value)
                          setError(null)
                        }}
                        aria-invalid={amountInvalid || amountTooBig}
                      />
                      {amountInvalid ? (
                        <span className="field-error">{t('pay.invalidAmount')}</span>
                      ) : amountTooBig ? (
                        <span className="field-error">{t('pay.amountTooBig', { amount: money(c.remaining) })}</span>
                      ) : (
                        <small className="help">{t('pay.amountHelp')}</small>
                      )}
                    </label>
                    {mode === 'cash' ? (
                      <label className="field">
                        <span>{t('pay.tendered')}</span>
                        <input
                          ref={tenderedRef}
                          data-testid="pay-tendered"
                          data-autofocus
                          className="big-input"
                          inputMode="decimal"
                          autoComplete="off"
                          value={tenderedText}
                          placeholder={cash ? t('pay.tenderedPlaceholder', { amount: money(cash.due) }) : ''}
                          onChange={(e) => {
                            setTenderedText(e.target.value)
                            setError(null)
                          }}
                          aria-invalid={tenderedInvalid}
                        />
                      </label>
                    ) : (
                      <label className="field">
                        <span>{t('pay.scanCode')}</span>
                        <input
                          ref={codeRef}
                          data-testid="pay-code"
                          data-autofocus
                          className="big-input mono"
                          inputMode="numeric"
                          autoComplete="off"
                          value={codeText}
                          maxLength={32}
                          onChange={(e) => {
                            setCodeText(e.target.value.replace(/[^\d ]/g, ''))
                            setNote(null)
                          }}
                        />
                      </label>
                    )}
                  </div>
                  {mode === 'cash' ? <NoShiftBanner testId="pay-no-shift" onOpen={() => setShiftOpen(true)} /> : null}
                  {mode === 'cash' && cash ? (
                    <div className="cash-panel" data-testid="cash-panel">
                      <div className="quick-cash">
                        {cash.quick.map((q, i) => (
                          <button
                            key={`${q}-${i}`}
                            type="button"
                            className="btn quick"
                            data-testid={`quick-${q}`}
                            onClick={() => {
                              setTenderedText(toText(q, currency))
                              setError(null)
                            }}
                          >
                            {q === cash.due ? <small>{t('pay.exact')}</small> : null}
                            {money(q)}
                          </button>
                        ))}
                      </div>
                      <div className="cash-figures">
                        <div className="pay-due-cash">
                          <span className="label">{cash.rounding !== 0 ? t('pay.cashDue') : t('pay.due')}</span>
                          <Money minor={cash.due} currency={currency} testId="pay-due" className="big-amount" />
                          {cash.rounding !== 0 ? (
                            <small className="muted">
                              {t('pay.rounding')} <Money minor={cash.rounding} currency={currency} testId="pay-rounding" />
                            </small>
                          ) : null}
                        </div>
                        {tenderedInvalid ? (
                          <p className="field-error" role="alert">
                            {t('pay.invalidAmount')}
                          </p>
                        ) : shortBy > 0 ? (
                          <p className="field-error" role="alert" data-testid="pay-short">
                            {t('pay.notEnough', { amount: money(shortBy) })}
                          </p>
                        ) : (
                          <div className="pay-change">
                            <span className="label">{t('pay.change')}</span>
                            <Money minor={change ?? 0} currency={currency} testId="pay-change" className="huge-amount accent" />
                          </div>
                        )}
                      </div>
                    </div>
                  ) : null}
                  {mode === 'scan' ? (
                    <div className="scan-panel" data-testid="scan-panel">
                      <strong>{t('pay.scanTitle')}</strong>
                      <p className="help">{t('pay.scanHelp')}</p>
                      <button type="button" className="btn primary big" data-testid="pay-code-send" disabled={codeText.trim() === '' || amount === null || paying} onClick={() => chargeCode(codeText)}>
                        {t('pay.scanSend')} {amount !== null ? money(amount) : ''} <kbd>Enter</kbd>
                      </button>
                    </div>
                  ) : null}
                </div>
              ) : open && c.remaining === 0 && anyPending ? (
                <p className="muted">{t('pay.nothingLeft')}</p>
              ) : null}
            </>
          )}
          {note ? (
            <p className={note.kind === 'error' ? 'error-note' : 'banner-info'} role="alert" data-testid="pay-note">
              {note.text}
            </p>
          ) : null}
          {error ? <ErrorNote error={error.error} ctx={error.ctx} testId="pay-error" /> : null}
          <div className="pay-split">
            <h3>{t('pay.tenders')}</h3>
            <TenderList checkout={c} busyIds={cancelling} onCancel={(id) => void cancel(id)} />
          </div>
        </section>
      </div>
      {voidOpen ? <VoidDialog checkout={c} onClose={() => setVoidOpen(false)} /> : null}
      {shiftOpen ? <OpenShiftDialog onClose={() => setShiftOpen(false)} /> : null}
    </Dialog>
  )
}

/** After a void: what to hand back in cash, and how the QR and card payments are being given back. */
function VoidProgress({ checkout }: { checkout: Checkout }) {
  const { t } = useTranslation()
  const handBack = checkout.attempts.filter((a) => a.method === 'cash' && a.state === 'reversed').reduce((s, a) => s + a.amount, 0)
  const done = checkout.state === 'voided'
  return (
    <div className="void-progress" data-testid="void-progress" data-state={checkout.state}>
      <h3>{done ? t('pay.voided') : t('pay.voidingTitle')}</h3>
      {handBack > 0 ? (
        <div className="hand-back" data-testid="hand-back">
          <span className="label">{t('pay.handBackLabel')}</span>
          <Money minor={handBack} currency={checkout.currency} className="huge-amount accent" />
        </div>
      ) : null}
      {!done ? (
        <p className="attempt-activity">
          <span className="spinner small" aria-hidden="true" />
          {t('pay.activity.reversing')}
        </p>
      ) : null}
      {checkout.voidReason ? <p className="muted">{checkout.voidReason}</p> : null}
    </div>
  )
}

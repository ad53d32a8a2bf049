import type { CartQuote } from '../../../shared/contract'
import { DISPLAY_MAX_LINES, DISPLAY_MAX_NAME, type DisplaySet } from '../../../shared/display-contract'
import { CURRENCIES } from '../../../shared/money'
import { invoke } from '../api'
import type { AppState } from './types'

/**
 * Feeds the customer display (display-set) from the till's store: the priced cart as the cashier
 * builds it (debounced — a scan burst is one update), the thank-you with the change once a sale is
 * done, and the welcome screen when a cart is dropped. The pay view itself the display follows on
 * its own (checkout-open), so this only covers what the core cannot know.
 */

/** A scan burst or a quantity typed digit by digit is one update. */
export const DISPLAY_DEBOUNCE_MS = 150

const QTY = /^\d{1,5}(\.\d{1,3})?$/

function cut(s: string): string {
  return s.length > DISPLAY_MAX_NAME ? `${s.slice(0, DISPLAY_MAX_NAME - 1)}…` : s
}

/** The cart as the customer sees it, from a quote that belongs to it; null when there is none to show. */
export function displayCart(quote: CartQuote | null): Extract<DisplaySet, { kind: 'cart' }> | null {
  if (!quote || quote.lines.length === 0 || !(CURRENCIES as readonly string[]).includes(quote.currency)) return null
  const shown = quote.lines.slice(-DISPLAY_MAX_LINES)
  return {
    kind: 'cart',
    cart: {
      currency: quote.currency,
      lines: shown.map((l) => ({
        nameZh: cut(l.nameZh.trim()),
        nameEn: cut(l.nameEn.trim()),
        quantity: QTY.test(l.quantity) ? l.quantity : '1',
        unit: l.unit,
        amount: l.total,
      })),
      more: quote.lines.length - shown.length,
      discount: Math.max(0, quote.lineDiscounts + quote.orderDiscount),
      total: Math.max(0, quote.total),
    },
  }
}

export type Sent = 'idle' | 'cart' | 'thanks' | null

/**
 * What the display should be told now, given what was sent last (`null`: nothing yet) and which
 * sale was thanked last; undefined when nothing needs saying.
 */
export function displayUpdate(s: Pick<AppState, 'session' | 'cart' | 'quote' | 'receipt'>, last: Sent, thankedOrderId: string | null): DisplaySet | undefined {
  if (!s.session) return undefined
  const r = s.receipt
  if (s.cart.lines.length === 0) {
    if (r && r.from === 'sale' && r.order.id !== thankedOrderId && (CURRENCIES as readonly string[]).includes(r.order.currency)) {
      return { kind: 'thanks', thanks: { currency: r.order.currency, total: Math.max(0, r.order.total), change: Math.max(0, r.order.change) } }
    }
    // after a thank-you the core turns it idle by itself; a dropped cart says so at once
    return last === 'cart' || last === null ? { kind: 'idle' } : undefined
  }
  const q = s.quote
  const fresh = q !== null && q.lines.length === s.cart.lines.length && q.lines.every((l, i) => l.productId === s.cart.lines[i]?.productId)
  return fresh ? (displayCart(q) ?? undefined) : undefined
}

let wired = false

/** Subscribes the display feed to the till's store, once per window. */
export function wireDisplayFeed(store: { getState: () => AppState; subscribe: (l: (s: AppState, prev: AppState) => void) => () => void }): void {
  if (wired) return
  wired = true
  let last: Sent = null
  let lastJson = ''
  let thanked: string | null = null
  let timer: ReturnType<typeof setTimeout> | null = null

  const flush = () => {
    timer = null
    const s = store.getState()
    const update = displayUpdate(s, last, thanked)
    if (!update) return
    const json = JSON.stringify(update)
    if (json === lastJson) return
    lastJson = json
    last = update.kind
    if (update.kind === 'thanks' && s.receipt) thanked = s.receipt.order.id
    void invoke('display-set', update)
  }
  const schedule = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(flush, DISPLAY_DEBOUNCE_MS)
  }
  store.subscribe((s, prev) => {
    if (s.cart !== prev.cart || s.quote !== prev.quote || s.receipt !== prev.receipt || s.session !== prev.session) schedule()
  })
  schedule()
}

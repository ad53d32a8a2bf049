/**
 * Keyboard-wedge barcode scanners type the code as very fast keystrokes and end with Enter.
 * People type slower. This watcher sees every keydown of a screen (window, capture phase) and
 * tells the two apart when Enter arrives:
 *
 * - a burst is a run of printable keys with no pause longer than SCAN_BREAK_MS between them;
 * - a burst of at least SCAN_MIN_LENGTH characters, ended by Enter, whose keys came on average
 *   at most SCAN_AVG_GAP_MS apart, is a scan. (Average rather than every gap, so one hiccup of a
 *   busy machine does not turn a scan into typing; no person types 6+ keys at 25 per second.)
 *
 * Where the keys go meanwhile:
 * - focus in the search box: they go in natively; on a scan the box gets back what it held
 *   before the burst;
 * - focus nowhere (the page, a button, a tile) and the screen has a search box: the first key
 *   moves the focus into the search box and the rest follow natively (type-to-search); on a scan
 *   the box is restored and the focus given back;
 * - the screen has no search box: keys are held; a scan is handed over, typing is handed to
 *   `typeIntoSearch` once the keys stop.
 *
 * `+` and `-` that start a burst are left alone so they can work as quantity shortcuts.
 */

export const SCAN_MIN_LENGTH = 6
export const SCAN_AVG_GAP_MS = 40
export const SCAN_BREAK_MS = 150

export interface ScannerHost {
  /** Scanning is active (the screen is visible, no dialog open). */
  enabled: () => boolean
  /** The screen's search box, or null when it has none. */
  searchInput: () => HTMLInputElement | null
  getSearch: () => string
  setSearch: (text: string) => void
  /** Keys that arrived while focus was elsewhere: add them to the search (and focus it). */
  typeIntoSearch: (text: string) => void
  /** Enter after held keys (screens without a search box). */
  submitSearch: () => void
  onScan: (code: string) => void
}

const PRINTABLE = /^[\x21-\x7e]$/
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'NumLock', 'AltGraph'])

export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false
  const el = target as HTMLElement
  if (el.isContentEditable) return true
  const tag = el.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (el as HTMLInputElement).type
  return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file', 'image'].includes(type)
}

/** The part of a KeyboardEvent the scanner reads (a real event in the app, a plain object in tests). */
export type KeyEventLike = Pick<
  KeyboardEvent,
  'key' | 'target' | 'isComposing' | 'keyCode' | 'ctrlKey' | 'metaKey' | 'altKey' | 'preventDefault' | 'stopImmediatePropagation'
>

export class WedgeScanner {
  private burst = ''
  private firstAt = 0
  private lastAt = Number.NEGATIVE_INFINITY
  private snapshot: string | null = null
  private startedOutside = false
  private held = ''
  private flushTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly host: ScannerHost,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Returns true when the key was taken (the caller must not act on it further). */
  handleKeyDown(e: KeyEventLike): boolean {
    if (!this.host.enabled()) {
      this.reset()
      return false
    }
    if (e.isComposing || e.keyCode === 229 || e.ctrlKey || e.metaKey || e.altKey) return false
    if (MODIFIERS.has(e.key)) return false

    const search = this.host.searchInput()
    const inSearch = search !== null && e.target === search
    if (!inSearch && isTextField(e.target)) {
      this.reset()
      return false
    }
    const t = this.now()
    const continuing = this.burst !== '' && t - this.lastAt <= SCAN_BREAK_MS

    if (e.key === 'Enter') {
      const code = this.burst
      const averageGap = code.length > 0 ? (t - this.firstAt) / code.length : Number.POSITIVE_INFINITY
      if (continuing && code.length >= SCAN_MIN_LENGTH && averageGap <= SCAN_AVG_GAP_MS) {
        e.preventDefault()
        e.stopImmediatePropagation()
        this.cancelFlush()
        this.held = ''
        if (this.snapshot !== null) this.host.setSearch(this.snapshot)
        if (this.startedOutside && search) search.blur() // give the focus back to where it was: nowhere
        this.resetBurst()
        this.host.onScan(code)
        return true
      }
      this.resetBurst()
      if (this.held) {
        e.preventDefault()
        e.stopImmediatePropagation()
        this.flush()
        this.host.submitSearch()
        return true
      }
      return false
    }

    if (!PRINTABLE.test(e.key)) {
      this.resetBurst()
      if (this.held) this.flush()
      return false
    }

    if (!continuing) {
      if ((e.key === '+' || e.key === '-') && (!inSearch || this.host.getSearch() === '')) {
        this.resetBurst()
        return false
      }
      if (this.held) this.flush()
      this.burst = ''
      this.firstAt = t
      this.snapshot = search ? this.host.getSearch() : null
      this.startedOutside = !inSearch
    }
    this.burst += e.key
    this.lastAt = t
    if (inSearch) return false
    e.preventDefault()
    if (search) {
      // type-to-search: this key goes into the box, which takes the focus for the keys that follow
      this.host.typeIntoSearch(e.key)
      return true
    }
    this.held += e.key
    this.scheduleFlush()
    return true
  }

  reset(): void {
    this.cancelFlush()
    this.held = ''
    this.resetBurst()
  }

  private resetBurst(): void {
    this.burst = ''
    this.snapshot = null
    this.startedOutside = false
    this.lastAt = Number.NEGATIVE_INFINITY
  }

  private scheduleFlush(): void {
    this.cancelFlush()
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null
      this.flush()
    }, SCAN_BREAK_MS + 20)
  }

  private cancelFlush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer)
      this.flushTimer = null
    }
  }

  private flush(): void {
    this.cancelFlush()
    const text = this.held
    this.held = ''
    if (text) this.host.typeIntoSearch(text)
  }
}

import type { TFunction } from 'i18next'
import { PlatformUrlSchema, type SyncStatus } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'

/**
 * What the sync indicator and Settings → Platform show, worked out from the core's SyncStatus
 * and the current time: pure, so the states are tested without a browser.
 */

/** Oldest unsent sale older than this turns the dot red even without an error. */
export const STALE_PENDING_MS = 15 * 60_000
/** A clock further off than this is worth a warning (the platform refuses requests 5 minutes off). */
export const CLOCK_WARN_MS = 2 * 60_000

/** The status a till has before (or without) a relay: nothing paired. */
export const UNPAIRED: SyncStatus = {
  state: 'unpaired',
  platformUrl: null,
  storeName: null,
  platformDeviceId: null,
  pairedAt: null,
  pending: 0,
  oldestPendingAt: null,
  lastSuccessAt: null,
  lastAttemptAt: null,
  nextAttemptAt: null,
  lastError: null,
  clockOffsetMs: null,
  catalogCursor: null,
  lastCatalogAt: null,
}

export type SyncTone = 'grey' | 'green' | 'amber' | 'red'
export type SyncKind = 'unpaired' | 'synced' | 'pending' | 'offline' | 'failing' | 'delayed'

export interface SyncView {
  kind: SyncKind
  tone: SyncTone
  pending: number
  /** ms since the oldest unsent event; null when nothing is pending. */
  oldestAgeMs: number | null
  /** The last error, when it is newer than the last success (so still the current state). */
  error: { code: string; message: string; at: string } | null
}

function ms(iso: string | null): number | null {
  if (!iso) return null
  const t = Date.parse(iso)
  return Number.isNaN(t) ? null : t
}

export function isCatalogError(code: string): boolean {
  return code.startsWith('catalog_')
}

/** The last error counts while no success came after it. */
export function currentError(s: SyncStatus): SyncStatus['lastError'] {
  if (!s.lastError) return null
  const errAt = ms(s.lastError.at)
  const okAt = ms(s.lastSuccessAt)
  if (errAt !== null && okAt !== null && okAt > errAt) return null
  return s.lastError
}

export function syncView(s: SyncStatus, now: number): SyncView {
  const oldest = ms(s.oldestPendingAt)
  const pending = s.pending
  const oldestAgeMs = pending > 0 && oldest !== null ? Math.max(0, now - oldest) : null
  if (s.state === 'unpaired') return { kind: 'unpaired', tone: 'grey', pending, oldestAgeMs, error: null }
  const error = currentError(s)
  // A catalog that could not be updated is worth saying in the details, but sales are not stuck: no red dot for it.
  if (error && !isCatalogError(error.code)) {
    return { kind: error.code === 'platform_unreachable' ? 'offline' : 'failing', tone: 'red', pending, oldestAgeMs, error }
  }
  if (pending === 0) return { kind: 'synced', tone: 'green', pending, oldestAgeMs: null, error }
  if (oldestAgeMs !== null && oldestAgeMs > STALE_PENDING_MS) return { kind: 'delayed', tone: 'red', pending, oldestAgeMs, error }
  return { kind: 'pending', tone: 'amber', pending, oldestAgeMs, error }
}

/** "< 1 min", "4 min", "2 h", "3 d" in the current language. */
export function ageText(t: TFunction, ageMs: number): string {
  const min = Math.floor(ageMs / 60_000)
  if (min < 1) return t('sync.age.now')
  if (min < 60) return t('sync.age.min', { count: min })
  const h = Math.floor(min / 60)
  if (h < 48) return t('sync.age.h', { count: h })
  return t('sync.age.d', { count: Math.floor(h / 24) })
}

/** "4 min ago" / "just now", or null for no time. */
export function agoText(t: TFunction, iso: string | null, now: number): string | null {
  const at = ms(iso)
  if (at === null) return null
  const age = Math.max(0, now - at)
  return age < 60_000 ? t('sync.justNow') : t('sync.ago', { age: ageText(t, age) })
}

/**
 * The text next to the dot: `label` + `detail` on wide screens ("Offline" + "12 to send · oldest 20 min"),
 * `short` where the top bar is narrow ("Offline · 12 to send").
 */
export function indicatorText(t: TFunction, v: SyncView): { label: string; detail: string | null; short: string } {
  const toSend = v.pending > 0 ? t('sync.toSend', { count: v.pending }) : null
  const oldest = v.oldestAgeMs !== null ? t('sync.oldest', { age: ageText(t, v.oldestAgeMs) }) : null
  const join = (...parts: (string | null)[]) => parts.filter((p): p is string => p !== null).join(' · ') || null
  switch (v.kind) {
    case 'unpaired':
      return { label: t('sync.unpaired'), detail: null, short: t('sync.unpairedShort') }
    case 'synced':
      return { label: t('sync.synced'), detail: null, short: t('sync.synced') }
    case 'pending':
    case 'delayed': {
      const label = toSend ?? (v.kind === 'pending' ? t('sync.sending') : t('sync.delayed'))
      const age = v.oldestAgeMs !== null ? ageText(t, v.oldestAgeMs) : null
      return { label, detail: oldest, short: join(label, age) ?? label }
    }
    case 'offline':
    case 'failing': {
      const label = v.kind === 'offline' ? t('sync.offline') : t('sync.failing')
      return { label, detail: join(toSend, oldest), short: join(label, toSend) ?? label }
    }
  }
}

/** A sentence a cashier understands for the relay's last error (a core code or a platform code). */
export function syncErrorText(t: TFunction, code: string): string {
  const known: Record<string, true> = {
    platform_unreachable: true,
    not_paired: true,
    unauthorized: true,
    unknown_device: true,
    bad_signature: true,
    clock_skew: true,
    nonce_replayed: true,
    event_conflict: true,
    sequence_gap: true,
    chain_broken: true,
    hash_mismatch: true,
    event_invalid: true,
    rate_limited: true,
    not_ready: true,
    payload_too_large: true,
    invalid_request: true,
    internal: true,
    timeout: true,
    secret_missing: true,
    invalid_response: true,
    catalog_invalid: true,
    catalog_unavailable: true,
  }
  return Object.prototype.hasOwnProperty.call(known, code) ? t(`sync.errors.${code as 'internal'}`, { code }) : t('sync.errors.other', { code })
}

/** The clock warning, when the till's clock is more than 2 minutes off the platform's. */
export function clockWarning(t: TFunction, offsetMs: number | null): string | null {
  if (offsetMs === null || Math.abs(offsetMs) <= CLOCK_WARN_MS) return null
  const minutes = Math.round(Math.abs(offsetMs) / 60_000)
  // offset = platform − till: positive means the till is behind (slow)
  return offsetMs > 0 ? t('sync.clockSlow', { count: minutes }) : t('sync.clockFast', { count: minutes })
}

// ---- the pairing form ----------------------------------------------------------------------------

/** The platform's alphabet: no 0/O, no 1/I/L. */
const CODE_RE = /^[2-9A-HJKMNP-Z]{8}$/

/** "abcd efgh", "ABCD-EFGH", "abcdefgh" → "ABCDEFGH"; null when it cannot be a pairing code. */
export function normalizePairingCode(raw: string): string | null {
  const code = raw.replace(/[\s-]/g, '').toUpperCase()
  return CODE_RE.test(code) ? code : null
}

/** As the owner types: upper case, a dash after the fourth character. */
export function formatPairingCodeInput(raw: string): string {
  const chars = raw
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .slice(0, 8)
  return chars.length > 4 ? `${chars.slice(0, 4)}-${chars.slice(4)}` : chars
}

export type PairField = 'platformUrl' | 'code' | 'form'
export type PairIssueKey = 'urlRequired' | 'urlInvalid' | 'codeRequired' | 'codeInvalid'

/** A problem found in the form before sending (key), or the core's answer shown next to the field it is about (error). */
export type PairIssue = { field: PairField; key: PairIssueKey } | { field: PairField; error: ErrorData }

export type PairCheck = { ok: true; platformUrl: string; code: string } | { ok: false; issues: PairIssue[] }

/** Checks the form before anything is sent. */
export function checkPairForm(platformUrl: string, code: string): PairCheck {
  const issues: PairIssue[] = []
  const url = platformUrl.trim()
  if (!url) issues.push({ field: 'platformUrl', key: 'urlRequired' })
  else if (!PlatformUrlSchema.safeParse(url).success) issues.push({ field: 'platformUrl', key: 'urlInvalid' })
  const normalized = normalizePairingCode(code)
  if (!code.trim()) issues.push({ field: 'code', key: 'codeRequired' })
  else if (!normalized) issues.push({ field: 'code', key: 'codeInvalid' })
  if (issues.length > 0 || !normalized) return { ok: false, issues }
  return { ok: true, platformUrl: url.replace(/\/+$/, ''), code: normalized }
}

export function detailOf(details: unknown, key: string): string | null {
  if (!details || typeof details !== 'object') return null
  const v = (details as Record<string, unknown>)[key]
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null
}

/** Which field a failed sync-pair belongs under (the sentence itself comes from describeError). */
export function pairErrorIssue(error: ErrorData): PairIssue {
  switch (error.code) {
    case 'platform_unreachable':
      return { field: 'platformUrl', error }
    case 'platform_refused': {
      const code = detailOf(error.details, 'code')
      if (code === 'pairing_code_invalid' || code === 'pairing_code_expired') return { field: 'code', error }
      return { field: 'form', error }
    }
    case 'invalid_input': {
      const details = error.details
      const list = Array.isArray(details) ? details : details && typeof details === 'object' ? (details as { issues?: unknown }).issues : null
      if (Array.isArray(list)) {
        const first = list.map((i: unknown) => {
          const path = i && typeof i === 'object' ? (i as { path?: unknown }).path : null
          return Array.isArray(path) ? String(path[0]) : typeof path === 'string' ? path.split('.')[0] : ''
        })
        if (first.includes('platformUrl')) return { field: 'platformUrl', key: 'urlInvalid' }
        if (first.includes('code')) return { field: 'code', key: 'codeInvalid' }
      }
      return { field: 'form', error }
    }
    default:
      return { field: 'form', error }
  }
}

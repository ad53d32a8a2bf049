import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncStatus } from '../../src/shared/contract'
import type { ErrorData, Result } from '../../src/shared/errors'

// The store talks to the core through api.invoke: a scripted core stands in for it here.
const calls: { channel: string; input: unknown }[] = []
let answer: (channel: string, input: unknown) => Promise<Result<unknown>> = () => Promise.resolve({ ok: true, value: null })
vi.mock('../../src/renderer/src/api', () => ({
  invoke: (channel: string, input: unknown) => {
    calls.push({ channel, input })
    return answer(channel, input)
  },
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => null,
  setSessionToken: () => undefined,
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const { describeError } = await import('../../src/renderer/src/lib/errors')
const sync = await import('../../src/renderer/src/lib/sync')
const { SyncChip, SyncPanel } = await import('../../src/renderer/src/components/SyncIndicator')
const { PairFormView } = await import('../../src/renderer/src/screens/PlatformSettings')
const { useApp } = await import('../../src/renderer/src/store')

const NOW = Date.parse('2026-03-02T10:00:00Z')
const ago = (ms: number) => new Date(NOW - ms).toISOString()
const MIN = 60_000

function paired(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    ...sync.UNPAIRED,
    state: 'idle',
    platformUrl: 'http://127.0.0.1:4320',
    storeName: 'Daybook Mart',
    platformDeviceId: '01JZ8Q7X2M4N6P8R0S2T4V6W8Y',
    pairedAt: ago(86_400_000),
    lastSuccessAt: ago(30_000),
    clockOffsetMs: 500,
    ...over,
  }
}

const SYNCED = paired()
const PENDING = paired({ state: 'sending', pending: 3, oldestPendingAt: ago(4 * MIN) })
const DELAYED = paired({ state: 'sending', pending: 5, oldestPendingAt: ago(16 * MIN) })
const OFFLINE = paired({
  state: 'backoff',
  pending: 12,
  oldestPendingAt: ago(20 * MIN),
  lastSuccessAt: ago(21 * MIN),
  lastError: { code: 'platform_unreachable', message: 'connect ECONNREFUSED 127.0.0.1:4320', at: ago(MIN) },
  nextAttemptAt: new Date(NOW + 20_000).toISOString(),
})

const t = () => i18n.t.bind(i18n)

function chip(status: SyncStatus): string {
  return renderToStaticMarkup(<SyncChip status={status} now={NOW} open={false} onToggle={() => undefined} />)
}
function attr(html: string, name: string): string | null {
  return new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? null
}
/** The visible text of the wide variant (the chip also carries a short one for narrow top bars). */
function wideText(html: string): string {
  const m = /<span class="sync-wide"[^>]*>(.*?)<\/span><span class="sync-narrow">(.*?)<\/span>/.exec(html)
  return (m?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")
}
function narrowText(html: string): string {
  return (/<span class="sync-narrow">(.*?)<\/span>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '')
}
function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ')
}

beforeEach(async () => {
  await i18n.changeLanguage('en')
})

describe('the sync indicator', () => {
  it('is grey and says so when the till has no platform', () => {
    const html = chip(sync.UNPAIRED)
    expect(attr(html, 'data-state')).toBe('unpaired')
    expect(attr(html, 'data-tone')).toBe('grey')
    expect(wideText(html)).toBe('Not connected to a platform')
    expect(narrowText(html)).toBe('No platform')
  })

  it('is green "Synced" when nothing is waiting', () => {
    const html = chip(SYNCED)
    expect(attr(html, 'data-tone')).toBe('green')
    expect(attr(html, 'data-pending')).toBe('0')
    expect(wideText(html)).toBe('Synced')
  })

  it('is amber with the count and the oldest age while records wait', () => {
    const html = chip(PENDING)
    expect(attr(html, 'data-state')).toBe('pending')
    expect(attr(html, 'data-tone')).toBe('amber')
    expect(attr(html, 'data-pending')).toBe('3')
    expect(wideText(html)).toBe('3 to send · oldest 4 min')
    expect(narrowText(html)).toBe('3 to send · 4 min')
  })

  it('turns red when the oldest record has waited more than 15 minutes, even without an error', () => {
    expect(sync.syncView(paired({ pending: 1, oldestPendingAt: ago(15 * MIN) }), NOW).tone).toBe('amber')
    const html = chip(DELAYED)
    expect(attr(html, 'data-tone')).toBe('red')
    expect(attr(html, 'data-state')).toBe('delayed')
    expect(wideText(html)).toBe('5 to send · oldest 16 min')
  })

  it('is red "Offline · 12 to send · oldest 20 min" after a network failure', () => {
    const html = chip(OFFLINE)
    expect(attr(html, 'data-state')).toBe('offline')
    expect(attr(html, 'data-tone')).toBe('red')
    expect(wideText(html)).toBe('Offline · 12 to send · oldest 20 min')
    expect(narrowText(html)).toBe('Offline · 12 to send')
    expect(attr(html, 'title')).toBe('Offline · 12 to send · oldest 20 min')
  })

  it('shows another failure as a sync problem, and forgets an error once a later send succeeded', () => {
    const refused = paired({ lastError: { code: 'bad_signature', message: 'x', at: ago(MIN) }, lastSuccessAt: ago(2 * MIN) })
    expect(sync.syncView(refused, NOW)).toMatchObject({ kind: 'failing', tone: 'red' })
    const recovered = paired({ lastError: { code: 'platform_unreachable', message: 'x', at: ago(2 * MIN) }, lastSuccessAt: ago(MIN) })
    expect(sync.syncView(recovered, NOW)).toMatchObject({ kind: 'synced', tone: 'green', error: null })
  })

  it('a catalog that could not be updated is told in the details but does not turn the dot red', () => {
    const status = paired({ lastError: { code: 'catalog_unavailable', message: 'x', at: ago(MIN) }, lastSuccessAt: ago(2 * MIN) })
    expect(sync.syncView(status, NOW)).toMatchObject({ kind: 'synced', tone: 'green' })
    const html = renderToStaticMarkup(<SyncPanel status={status} now={NOW} role="cashier" onClose={() => undefined} />)
    expect(text(html)).toContain('The till keeps selling with the products it has.')
  })

  it('speaks Chinese', async () => {
    await i18n.changeLanguage('zh-CN')
    expect(wideText(chip(OFFLINE))).toBe('离线 · 12 条待上传 · 最早 20 分钟前')
    expect(wideText(chip(SYNCED))).toBe('已同步')
    expect(wideText(chip(sync.UNPAIRED))).toBe('未连接平台')
  })

  it('ages read as minutes, hours and days', () => {
    expect(sync.ageText(t(), 30_000)).toBe('< 1 min')
    expect(sync.agoText(t(), ago(30_000), NOW)).toBe('just now')
    expect(sync.agoText(t(), ago(5 * MIN), NOW)).toBe('5 min ago')
    expect(sync.ageText(t(), 59 * MIN)).toBe('59 min')
    expect(sync.ageText(t(), 3 * 60 * MIN)).toBe('3 h')
    expect(sync.ageText(t(), 3 * 86_400_000)).toBe('3 d')
  })
})

describe('the sync details panel', () => {
  it('says what is waiting, since when, the last success and the last error in plain words', () => {
    const html = renderToStaticMarkup(<SyncPanel status={OFFLINE} now={NOW} role="cashier" onClose={() => undefined} />)
    const s = text(html)
    expect(s).toContain('Waiting to send 12')
    expect(s).toContain('Oldest waiting 20 min ago')
    expect(s).toContain('Last sent 21 min ago')
    expect(s).toContain('No connection to the platform')
    expect(s).not.toContain('ECONNREFUSED')
    expect(html).toContain('data-testid="sync-now"')
    expect(html).not.toContain('sync-clock-warning')
  })

  it('warns when the till clock is more than 2 minutes off', () => {
    const slow = renderToStaticMarkup(<SyncPanel status={paired({ clockOffsetMs: 7 * MIN })} now={NOW} role="cashier" onClose={() => undefined} />)
    expect(text(slow)).toContain("This till's clock is 7 minutes slow")
    const fast = renderToStaticMarkup(<SyncPanel status={paired({ clockOffsetMs: -3 * MIN })} now={NOW} role="cashier" onClose={() => undefined} />)
    expect(text(fast)).toContain("This till's clock is 3 minutes fast")
    const fine = renderToStaticMarkup(<SyncPanel status={paired({ clockOffsetMs: 2 * MIN })} now={NOW} role="cashier" onClose={() => undefined} />)
    expect(fine).not.toContain('sync-clock-warning')
  })

  it('unpaired: the owner gets a way to Settings → Platform, a cashier is told to ask the owner', () => {
    const owner = renderToStaticMarkup(<SyncPanel status={sync.UNPAIRED} now={NOW} role="owner" onClose={() => undefined} />)
    expect(owner).toContain('data-testid="sync-setup"')
    const cashier = renderToStaticMarkup(<SyncPanel status={sync.UNPAIRED} now={NOW} role="cashier" onClose={() => undefined} />)
    expect(cashier).not.toContain('data-testid="sync-setup"')
    expect(text(cashier)).toContain('Ask the owner to connect this till in Settings → Platform.')
  })
})

describe('the pairing form', () => {
  it('normalises the code: either case, with or without the dash or spaces', () => {
    expect(sync.normalizePairingCode('abcd-efgh')).toBe('ABCDEFGH')
    expect(sync.normalizePairingCode(' ABCD EFGH ')).toBe('ABCDEFGH')
    expect(sync.normalizePairingCode('k7m2p9qx')).toBe('K7M2P9QX')
    expect(sync.normalizePairingCode('ABCD-EFG')).toBeNull()
    expect(sync.normalizePairingCode('ABCD-EFGHJ')).toBeNull()
    expect(sync.normalizePairingCode('ABCD-EFG0')).toBeNull() // no 0/O, 1/I/L in the platform's alphabet
    expect(sync.formatPairingCodeInput('abcdefgh')).toBe('ABCD-EFGH')
    expect(sync.formatPairingCodeInput('ab')).toBe('AB')
  })

  it('checks the form before sending anything', () => {
    expect(sync.checkPairForm('', '')).toEqual({
      ok: false,
      issues: [
        { field: 'platformUrl', key: 'urlRequired' },
        { field: 'code', key: 'codeRequired' },
      ],
    })
    expect(sync.checkPairForm('ftp://x', 'ABCD-EFGH')).toMatchObject({ ok: false, issues: [{ field: 'platformUrl', key: 'urlInvalid' }] })
    expect(sync.checkPairForm('http://h/?a=1', 'ABCD-EFGH')).toMatchObject({ ok: false, issues: [{ field: 'platformUrl', key: 'urlInvalid' }] })
    expect(sync.checkPairForm('platform.example.com', 'ABCD-EFGH')).toMatchObject({ ok: false })
    expect(sync.checkPairForm('http://127.0.0.1:4320', 'abc')).toMatchObject({ ok: false, issues: [{ field: 'code', key: 'codeInvalid' }] })
    expect(sync.checkPairForm(' http://127.0.0.1:4320/ ', 'abcd efgh')).toEqual({ ok: true, platformUrl: 'http://127.0.0.1:4320', code: 'ABCDEFGH' })
  })

  it("puts the core's answer under the field it is about, in words", () => {
    const unreachable: ErrorData = { code: 'platform_unreachable', message: 'x', details: { url: 'http://10.0.0.9:4320' } }
    expect(sync.pairErrorIssue(unreachable)).toEqual({ field: 'platformUrl', error: unreachable })
    const wrong: ErrorData = { code: 'platform_refused', message: 'x', details: { code: 'pairing_code_invalid', status: 404 } }
    expect(sync.pairErrorIssue(wrong).field).toBe('code')
    const expired: ErrorData = { code: 'platform_refused', message: 'x', details: { code: 'pairing_code_expired', status: 410 } }
    expect(sync.pairErrorIssue(expired).field).toBe('code')
    const mismatch: ErrorData = { code: 'platform_refused', message: 'x', details: { code: 'device_journal_mismatch', status: 409 } }
    expect(sync.pairErrorIssue(mismatch).field).toBe('form')
    expect(sync.pairErrorIssue({ code: 'already_paired', message: 'x' }).field).toBe('form')
    expect(sync.pairErrorIssue({ code: 'invalid_input', message: 'x', details: [{ path: ['platformUrl'], message: 'bad' }] })).toEqual({
      field: 'platformUrl',
      key: 'urlInvalid',
    })

    const html = renderToStaticMarkup(
      <PairFormView
        platformUrl="http://10.0.0.9:4320"
        code="ABCD-EFGH"
        busy={false}
        issues={[{ field: 'platformUrl', error: unreachable }, { field: 'code', error: expired }]}
        pending={4}
        onUrl={() => undefined}
        onCode={() => undefined}
        onSubmit={() => undefined}
      />,
    )
    const urlError = /data-testid="pair-error-platformUrl"[^>]*>([^<]*)</.exec(html)?.[1]
    expect(urlError).toContain('The platform at http://10.0.0.9:4320 could not be reached')
    const codeError = /data-testid="pair-error-code"[^>]*>([^<]*)</.exec(html)?.[1]
    expect(codeError).toBe('That pairing code has expired — create a new one on the platform.')
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('placeholder="http://127.0.0.1:4320"')
    expect(html).toContain('placeholder="XXXX-XXXX"')
    expect(text(html)).toContain('Records waiting on this till: 4. They are sent after pairing.')
  })

  it('shows the form problems found before sending, and a busy button while the platform is asked', () => {
    const check = sync.checkPairForm('', 'abc')
    expect(check.ok).toBe(false)
    const issues = check.ok ? [] : check.issues
    const html = renderToStaticMarkup(
      <PairFormView platformUrl="" code="ABC" busy issues={issues} pending={0} onUrl={() => undefined} onCode={() => undefined} onSubmit={() => undefined} />,
    )
    expect(html).toMatch(/data-testid="pair-error-platformUrl"[^>]*>Enter the platform address\.</)
    expect(html).toMatch(/data-testid="pair-error-code"[^>]*>A pairing code is 8 letters and digits/)
    expect(html).toMatch(/data-testid="pair-submit" disabled=""/)
    expect(text(html)).toContain('Pairing… (asking the platform)')
    expect(html).not.toContain('pending-unpaired')
  })

  it('has a clear sentence for each pairing refusal, in both languages', async () => {
    const refused = (code: string): ErrorData => ({ code: 'platform_refused', message: 'x', details: { code, status: 404 } })
    expect(describeError(t(), refused('pairing_code_invalid'))).toBe(
      'That pairing code is not right or was already used. Check it, or create a new one on the platform.',
    )
    expect(describeError(t(), refused('pairing_code_expired'))).toBe('That pairing code has expired — create a new one on the platform.')
    expect(describeError(t(), refused('device_journal_mismatch'))).toMatch(/already belongs to another till/)
    expect(describeError(t(), refused('something_new'))).toBe('The platform refused the request (code something_new).')
    expect(describeError(t(), { code: 'platform_unreachable', message: 'x' })).toMatch(/could not be reached/)
    expect(describeError(t(), { code: 'already_paired', message: 'x' })).toMatch(/already paired/)
    expect(describeError(t(), { code: 'platform_unreachable', message: 'x', details: { url: 'http://h', status: 502 } })).toBe(
      'The address http://h answers, but not like a Daybook platform. Check the address.',
    )
    await i18n.changeLanguage('zh-CN')
    expect(describeError(t(), refused('pairing_code_invalid'))).toBe('配对码不正确或已被使用。请核对，或在平台上重新生成一个。')
    expect(describeError(t(), refused('pairing_code_expired'))).toBe('配对码已过期，请在平台上重新生成一个。')
    expect(describeError(t(), { code: 'platform_unreachable', message: 'x', details: { url: 'http://h' } })).toBe(
      '无法连接位于 http://h 的平台。请检查地址、网络，以及平台是否在运行。',
    )
  })
})

describe('the sync slice', () => {
  const session = { token: 't', staff: { id: 's', name: 'Wang Fang', role: 'owner', active: true }, expiresAt: ago(-3_600_000) }
  beforeEach(() => {
    calls.length = 0
    useApp.setState({ session: session as never, sync: null })
  })
  afterEach(() => {
    answer = () => Promise.resolve({ ok: true, value: null })
  })

  it('reads not_paired (no relay yet, or nothing paired) as "unpaired"', async () => {
    answer = () => Promise.resolve({ ok: false, error: { code: 'not_paired', message: 'x' } })
    await useApp.getState().loadSync()
    expect(useApp.getState().sync).toEqual(sync.UNPAIRED)
  })

  it('takes sync-changed payloads, and an older answer never overwrites a newer event', async () => {
    let release: (r: Result<unknown>) => void = () => undefined
    answer = () => new Promise((r) => (release = r))
    const loading = useApp.getState().loadSync()
    useApp.getState().applySync(PENDING) // the event arrives while sync-status is on its way
    release({ ok: true, value: SYNCED })
    await loading
    expect(useApp.getState().sync).toEqual(PENDING)
  })

  it('asks again when an event carries something that is not a status', async () => {
    answer = () => Promise.resolve({ ok: true, value: OFFLINE })
    useApp.getState().applySync({ state: 'weird' })
    await vi.waitFor(() => expect(useApp.getState().sync).toEqual(OFFLINE))
    expect(calls.map((c) => c.channel)).toEqual(['sync-status'])
  })

  it('sends the normalised pairing input and keeps the answer', async () => {
    answer = (channel) => Promise.resolve(channel === 'sync-pair' ? { ok: true, value: SYNCED } : { ok: true, value: null })
    const r = await useApp.getState().pairPlatform('http://127.0.0.1:4320', 'ABCDEFGH')
    expect(r.ok).toBe(true)
    expect(calls[0]).toEqual({ channel: 'sync-pair', input: { platformUrl: 'http://127.0.0.1:4320', code: 'ABCDEFGH' } })
    expect(useApp.getState().sync).toEqual(SYNCED)
  })
})

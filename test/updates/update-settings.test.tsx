import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import type { UpdateStatus } from '../../src/shared/updates-contract'

vi.mock('../../src/renderer/src/api', () => ({
  invoke: () => Promise.resolve({ ok: true, value: null }),
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => null,
  setSessionToken: () => undefined,
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const { UpdateSettingsView } = await import('../../src/renderer/src/screens/UpdateSettings')

const STATUS: UpdateStatus = {
  settings: { serverUrl: 'http://127.0.0.1:4320/v1/updates/stable', installAt: '03:30', windowMinutes: 60 },
  report: { state: 'downloaded', currentVersion: '0.1.0', availableVersion: '0.2.0', message: null, at: '2026-12-06T10:00:00Z' },
  atQuit: { safe: false, reasons: ['open_checkout', 'outbox_sending'] },
  dataFolder: 'C:\\Users\\shop\\AppData\\Roaming\\Daybook\\data',
  backupFolder: 'C:\\Users\\shop\\AppData\\Roaming\\Daybook\\data\\backups',
}
const DRAFT = { serverUrl: STATUS.settings.serverUrl ?? '', installAt: '03:30', windowMinutes: 60 }

function render(o: Partial<Parameters<typeof UpdateSettingsView>[0]> = {}): string {
  return renderToStaticMarkup(
    <UpdateSettingsView status={STATUS} draft={DRAFT} canEdit busy={false} saved={false} issues={[]} error={null} onDraft={() => {}} onSave={() => {}} {...o} />,
  )
}

describe('Settings → Updates', () => {
  it('shows the server, the install time, the updater and what an install waits for (English)', async () => {
    await i18n.changeLanguage('en')
    const html = render()
    expect(html).toContain('data-testid="update-settings"')
    expect(html).toContain('value="http://127.0.0.1:4320/v1/updates/stable"')
    expect(html).toContain('value="03:30"')
    expect(html).toContain('downloaded and verified, waiting for a safe moment')
    expect(html).toContain('version 0.2.0')
    expect(html).toContain('a sale being paid · records being sent to the platform')
    expect(html).toContain('data-safe="false"')
    expect(html).toContain('AppData\\Roaming\\Daybook\\data\\backups')
    expect(html).toContain('data-testid="updates-save"')
    // the example is https, and the panel says why
    expect(html).toContain('placeholder="https://platform.example.com/v1/updates/stable"')
    expect(html).toContain('It must be an https:// address')
    expect(html).not.toMatch(/placeholder="http:/)
  })

  it('in Chinese too', async () => {
    await i18n.changeLanguage('zh-CN')
    const html = render({ status: { ...STATUS, atQuit: { safe: true, reasons: [] } } })
    expect(html).toContain('软件更新')
    expect(html).toContain('已下载并校验')
    expect(html).toContain('data-safe="true"')
    await i18n.changeLanguage('en')
  })

  it('anyone but the owner sees it but cannot change it; a refusal is shown under its field', async () => {
    await i18n.changeLanguage('en')
    const ro = render({ canEdit: false })
    expect(ro).not.toContain('data-testid="updates-save"')
    expect(ro).toContain('Only the owner can change this.')
    expect(ro).toMatch(/data-testid="updates-server-url"[^>]*disabled=""/)
    const bad = render({ issues: [{ path: 'serverUrl', message: 'an update server address like https://updates.example.com/daybook/stable' }] })
    expect(bad).toContain('data-testid="updates-error-serverUrl"')
  })
})

/**
 * Automatic updates: the only file that calls electron-updater. Every decision is the core's —
 * the feed is parsed and checked by core/updates/feed.ts (never a downgrade, a malformed feed is
 * refused), the downloaded file is checked again against the feed's SHA-512 and size
 * (core/updates/download.ts), and the install happens only when the core host answers
 * 'update-prepare-install' with `safe: true`: nothing in progress at the till, quit time or the
 * owner's window, and a backup of the ledger written and checked. This file only carries that out.
 *
 * - The update server is Settings → Updates (the core's 'update-config'); without one, the address
 *   the build was made with (app-update.yml, DAYBOOK_UPDATE_URL) unless that is a placeholder. It
 *   must be https (plain http only to this computer, for testing): over http the feed's SHA-512
 *   comes from the same server as the file and proves nothing, so checkForUpdate refuses such a
 *   feed or file address before electron-updater is given it.
 * - Its calls into the core go as the shell's own ('shell-invoke' → Core.invokeFromShell): the
 *   update-prepare-install / update-report / update-after-start channels answer nobody else.
 * - Checks at start and every 4 hours; downloads in the background (autoDownload).
 * - Installs at the next quit, or inside the owner's window (checked every minute), when safe.
 * - After a start on a new version: asks the core to run the verifier on the migrated ledger.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { app, dialog } from 'electron'
import { autoUpdater, type UpdateDownloadedEvent } from 'electron-updater'
import { parse as parseYaml } from 'yaml'
import type { Result } from '../shared/errors'
import type { UpdaterReport, UpdateSettings } from '../shared/updates-contract'
import { checkForUpdate, verifyFile } from './core/updates/download'
import type { FeedFile } from './core/updates/feed'

export interface UpdaterDeps {
  /** Sends one envelope to the core host as the shell's own call (Core.invokeFromShell) and waits for its answer. */
  callCore: (channel: string, input: unknown) => Promise<Result<unknown>>
  log: (line: string) => void
}

const CHECK_EVERY_MS = 4 * 3_600_000
const WINDOW_TICK_MS = 60_000
/** How long a quit waits for the core's answer (backup included) before quitting without installing. */
const PREPARE_TIMEOUT_MS = 120_000

type Prepared = { safe: boolean; reasons: string[]; backup: { file: string } | null }

export function startUpdater(deps: UpdaterDeps): void {
  let downloaded: { version: string; file: FeedFile } | null = null
  let expected: { version: string; file: FeedFile } | null = null
  let installing = false
  let quitting = false
  let checking = false

  const report = (state: UpdaterReport['state'], availableVersion: string | null, message: string | null): void => {
    deps.log(`updater: ${state}${availableVersion ? ` ${availableVersion}` : ''}${message ? `: ${message}` : ''}`)
    void deps.callCore('update-report', { state, currentVersion: app.getVersion(), availableVersion, message: message?.slice(0, 500) ?? null, at: new Date().toISOString() })
  }

  afterStart(deps).catch((e: unknown) => deps.log(`updater: the check after the update failed: ${String(e)}`))
  if (!app.isPackaged) {
    report('disabled', null, 'not a packaged app')
    return
  }

  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = false // installing at quit is decided below, after the core says it is safe
  autoUpdater.allowDowngrade = false
  autoUpdater.allowPrerelease = false
  autoUpdater.autoRunAppAfterInstall = true
  autoUpdater.logger = { info: (m: unknown) => deps.log(`electron-updater: ${String(m)}`), warn: (m: unknown) => deps.log(`electron-updater: ${String(m)}`), error: (m: unknown) => deps.log(`electron-updater: ${String(m)}`), debug: () => {} }
  autoUpdater.on('download-progress', () => {})
  autoUpdater.on('error', (e: Error) => report('error', expected?.version ?? null, e.message))
  autoUpdater.on('update-downloaded', (info: UpdateDownloadedEvent) => {
    void (async () => {
      if (!expected || info.version !== expected.version) {
        report('error', info.version, `electron-updater downloaded ${info.version}, the feed the core checked says ${expected?.version ?? 'nothing'}; not installed`)
        return
      }
      try {
        await verifyFile(info.downloadedFile, expected.file)
      } catch (e) {
        report('error', info.version, (e as Error).message)
        return
      }
      downloaded = expected
      report('downloaded', info.version, null)
    })()
  })

  async function config(): Promise<{ settings: UpdateSettings; url: string | null } | null> {
    const r = await deps.callCore('update-config', {})
    if (!r.ok) return null
    const { settings } = r.value as { settings: UpdateSettings }
    return { settings, url: settings.serverUrl ?? builtInFeedUrl() }
  }

  async function check(): Promise<void> {
    if (checking || installing || downloaded) return
    checking = true
    try {
      const c = await config()
      if (!c?.url) {
        report('disabled', null, 'no update server: Settings → Updates')
        return
      }
      report('checking', null, null)
      const { decision } = await checkForUpdate(c.url, app.getVersion())
      if (decision.action === 'ignore') {
        report('up_to_date', decision.version, decision.reason === 'not_newer' ? null : `${decision.version} is a prerelease`)
        return
      }
      expected = { version: decision.version, file: decision.file }
      autoUpdater.setFeedURL({ provider: 'generic', url: c.url })
      report('downloading', decision.version, null)
      await autoUpdater.checkForUpdates()
    } catch (e) {
      report('error', expected?.version ?? null, (e as Error).message)
    } finally {
      checking = false
    }
  }

  async function prepare(trigger: 'quit' | 'scheduled'): Promise<Prepared | null> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PREPARE_TIMEOUT_MS).unref())
    const r = await Promise.race([deps.callCore('update-prepare-install', { trigger, version: app.getVersion() }), timeout])
    if (!r) {
      deps.log('updater: the core did not answer in time; not installing')
      return null
    }
    if (!r.ok) {
      report('error', downloaded?.version ?? null, `not installed: ${r.error.message}`)
      return null
    }
    return r.value as Prepared
  }

  function install(silent: boolean, runAfter: boolean, prepared: Prepared): void {
    installing = true
    report('installing', downloaded?.version ?? null, prepared.backup ? `backup: ${prepared.backup.file}` : null)
    autoUpdater.quitAndInstall(silent, runAfter)
  }

  // At quit: hold it, ask the core, install only if it says so. Prepended, so that this runs before
  // the shell's own before-quit stops the core host (which skips when the quit is held).
  app.prependListener('before-quit', (e) => {
    if (!downloaded || installing || quitting) return
    e.preventDefault()
    quitting = true
    void prepare('quit').then((p) => {
      if (p?.safe) install(true, false, p)
      else {
        if (p) deps.log(`updater: not installing at quit: ${p.reasons.join(', ')}`)
        app.quit()
      }
    })
  })

  // The owner's window: each minute, if an update is waiting and it is that time, ask the core.
  setInterval(() => {
    if (!downloaded || installing || quitting) return
    void config().then(async (c) => {
      if (!c?.settings.installAt) return
      const p = await prepare('scheduled')
      if (p?.safe) install(true, true, p)
    })
  }, WINDOW_TICK_MS).unref()

  setTimeout(() => void check(), 30_000).unref()
  setInterval(() => void check(), CHECK_EVERY_MS).unref()
}

/** The feed address the build was made with (app-update.yml), unless it is the workflow's placeholder. */
function builtInFeedUrl(): string | null {
  const file = join(process.resourcesPath, 'app-update.yml')
  if (!existsSync(file)) return null
  try {
    const url = (parseYaml(readFileSync(file, 'utf8')) as { url?: unknown }).url
    if (typeof url !== 'string') return null
    return new URL(url).hostname.endsWith('.invalid') ? null : url
  } catch {
    return null
  }
}

/**
 * After a start on a new version (the ledger has migrated, with its own backup, as the core host
 * opened it): the verifier runs on it, and a problem is shown with where the backups are.
 */
async function afterStart(deps: UpdaterDeps): Promise<void> {
  const marker = join(app.getPath('userData'), 'last-version')
  const version = app.getVersion()
  const previous = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : null
  if (previous === version) return
  if (previous !== null) {
    const r = await deps.callCore('update-after-start', { version, previousVersion: previous })
    if (!r.ok) return // the core did not start: the shell shows that (startFailureAdvice)
    const v = r.value as { ok: boolean; message: string; backupFolder: string }
    deps.log(`updater: ${v.message}`)
    if (!v.ok) await dialog.showMessageBox({ type: 'warning', title: 'Daybook', message: 'The ledger check after the update found a problem', detail: v.message })
  }
  writeFileSync(marker, version)
}

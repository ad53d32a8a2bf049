/**
 * The Electron shell: windows, the IPC guard and the core's host process. Nothing here knows a
 * business rule; the core runs in a utility process and this file only carries messages.
 */
import { app, BrowserWindow, dialog, ipcMain, session, utilityProcess, type IpcMainInvokeEvent, type UtilityProcess } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { WireFromCore } from '../shared/bridge'
import { fail, type Result } from '../shared/errors'
import { IPC_EVENT, IPC_INVOKE } from '../shared/events'
import { isTrustedSender } from './ipc-guard'
import { EncryptedFileSecretStore, type SecretStore } from './core/sync/secret-store'
import { keychainAvailable, SAFE_SECRET_FILE, SafeStorageSecretStore } from './secret-store-electron'
import { startFailureAdvice } from './core/updates/after-update'
import { SHELL_ONLY_UPDATE_CHANNELS } from '../shared/updates-contract'
import { startUpdater } from './updater'

const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = join(__dirname, '../renderer/index.html')
const appOrigin = rendererUrl ? new URL(rendererUrl).origin : null

let host: UtilityProcess | null = null
let nextId = 1
/** The core host said it has opened the ledger (its 'ready'); an exit before that is a failed start. */
let coreReady = false
const pending = new Map<number, (r: Result<unknown>) => void>()

/** Messages about the platform secret and the card terminal's passphrase between this process and the core host. */
type SecretMessage =
  | { kind: 'secret-set'; secret: string }
  | { kind: 'secret-clear' }
  | { kind: 'terminal-secret-set'; secret: string }
  | { kind: 'terminal-secret-clear' }

/** `name`: undefined for the platform secret, 'terminal-passphrase' for the card terminal's. */
function secretStore(dataDir: string, name?: string): SecretStore {
  if (keychainAvailable()) return new SafeStorageSecretStore(join(app.getPath('userData'), name ? `${name}.safe` : SAFE_SECRET_FILE))
  // No OS keychain (Linux without a keyring): the encrypted file of serve mode, and say so.
  console.warn('No OS keychain is available: secrets are kept in an encrypted file in the data folder.')
  return new EncryptedFileSecretStore(dataDir, name)
}

function startCoreHost(): void {
  const root = app.isPackaged ? process.resourcesPath : app.getAppPath()
  const dataDir = join(app.getPath('userData'), 'data')
  const secrets = secretStore(dataDir)
  const terminalSecrets = secretStore(dataDir, 'terminal-passphrase')
  host = utilityProcess.fork(join(__dirname, 'core-host.js'), [], {
    serviceName: 'Daybook core',
    env: {
      ...process.env,
      DAYBOOK_APP_ROOT: app.getAppPath(),
      DAYBOOK_NATIVE_ROOT: root,
      DAYBOOK_RESOURCES: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
      DAYBOOK_DATA: dataDir,
    },
  })
  // The first message once it runs: the secret, so the core can sync from its first moment (never
  // via env or argv). The host queues renderer calls until it has opened the core with it.
  const child = host
  child.once('spawn', () => child.postMessage({ kind: 'secret-init', secret: secrets.get(), terminalSecret: terminalSecrets.get() }))
  host.on('message', (msg: WireFromCore | SecretMessage | { kind: 'ready' }) => {
    if (msg.kind === 'secret-set') secrets.set(msg.secret)
    else if (msg.kind === 'secret-clear') secrets.clear()
    else if (msg.kind === 'terminal-secret-set') terminalSecrets.set(msg.secret)
    else if (msg.kind === 'terminal-secret-clear') terminalSecrets.clear()
    else if (msg.kind === 'ready') coreReady = true
    else if (msg.kind === 'result') {
      pending.get(msg.id)?.(msg.result)
      pending.delete(msg.id)
    } else if (msg.kind === 'event') {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_EVENT, msg.event, msg.payload)
    }
  })
  host.on('exit', (code) => {
    for (const resolve of pending.values()) resolve(fail('internal', 'The Daybook core stopped. Restart Daybook; no completed sale is lost.'))
    pending.clear()
    if (code !== 0) console.error(`core host exited with ${code}`)
    // It could not open the ledger (a failed migration after an update, say): say so, and where the backups are.
    if (!coreReady && code !== 0) dialog.showErrorBox('Daybook could not start', startFailureAdvice(dataDir).text)
  })
}

/**
 * The updater's own calls into the core (same envelope as a window's, no session), sent as
 * 'shell-invoke': the core host runs them with Core.invokeFromShell, the only way to the shell-only
 * update channels. A window's calls go as 'invoke' (ipcMain below), which the core refuses them on.
 */
function callCore(channel: string, input: unknown): Promise<Result<unknown>> {
  if (!host) return Promise.resolve(fail('internal', 'The Daybook core is not running.'))
  const id = nextId++
  return new Promise<Result<unknown>>((resolve) => {
    pending.set(id, resolve)
    host?.postMessage({ kind: 'shell-invoke', id, envelope: { channel, input } })
  })
}

function isShellOnly(envelope: unknown): boolean {
  const channel = (envelope as { channel?: unknown } | null)?.channel
  return typeof channel === 'string' && SHELL_ONLY_UPDATE_CHANNELS.includes(channel)
}

function trustedSender(e: IpcMainInvokeEvent): boolean {
  const frame = e.senderFrame
  return isTrustedSender(
    { frameUrl: frame?.url, isMainFrame: !!frame && frame === e.sender.mainFrame },
    { devOrigin: appOrigin, rendererFileUrl: pathToFileURL(rendererFile).href },
  )
}

/** The one other window the renderer may open: the customer-facing display (same page, its own route). */
function isCustomerDisplay(url: string): boolean {
  try {
    const u = new URL(url)
    const hash = u.hash
    u.hash = ''
    const same = appOrigin ? u.origin === appOrigin : u.href === pathToFileURL(rendererFile).href
    return same && hash === '#/customer-display'
  } catch {
    return false
  }
}

function guardNavigation(contents: Electron.WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault())
  contents.on('will-redirect', (e) => e.preventDefault())
  contents.on('will-attach-webview', (e) => e.preventDefault())
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    title: 'Daybook',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  // The customer display opens as a child window with the same hardened preferences; nothing else opens.
  win.webContents.setWindowOpenHandler(({ url }) =>
    isCustomerDisplay(url)
      ? { action: 'allow', overrideBrowserWindowOptions: { title: 'Daybook — customer display', width: 800, height: 600, autoHideMenuBar: true } }
      : { action: 'deny' },
  )
  win.webContents.on('did-create-window', (child) => {
    child.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
    guardNavigation(child.webContents)
  })
  guardNavigation(win.webContents)
  if (rendererUrl) void win.loadURL(rendererUrl)
  else void win.loadFile(rendererFile)
}

app.enableSandbox()
void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  startCoreHost()
  ipcMain.handle(IPC_INVOKE, (e, envelope: unknown) => {
    if (!trustedSender(e)) return fail('forbidden', 'This window may not talk to Daybook.')
    // The core refuses these on a window's 'invoke' too; refused here first, without a trip to the core host.
    if (isShellOnly(envelope)) return fail('forbidden', 'Only the updater may ask that.')
    if (!host) return fail('internal', 'The Daybook core is not running.')
    const id = nextId++
    return new Promise<Result<unknown>>((resolve) => {
      pending.set(id, resolve)
      host?.postMessage({ kind: 'invoke', id, envelope })
    })
  })
  startUpdater({ callCore, log: (line) => console.log(line) })
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
// A quit the updater holds (to ask the core whether it may install) must not stop the core yet.
app.on('before-quit', (e) => {
  if (!e.defaultPrevented) host?.kill()
})

/**
 * Entry of the Electron utility process that hosts the core, off the main event loop (as Actual
 * Budget and Signal do). It imports no Electron module: Electron gives it `process.parentPort`.
 * The main process keeps the platform secret in the OS keychain and sends it as the first
 * message; changes (pairing, unpairing) go back to it to be sealed again.
 */
import { resolve } from 'node:path'
import type { WireFromCore } from '../shared/bridge'
import { betterSqliteBinding } from './core/native-binding'
import { openCore } from './core/open-core'
import { MemorySecretStore } from './core/sync/secret-store'
import { connectWire } from './core/wire'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort
if (!port) throw new Error('core-host must run in an Electron utility process')
const parent: ParentPort = port

const appRoot = process.env.DAYBOOK_APP_ROOT ?? resolve(__dirname, '../..')
let wire: ReturnType<typeof connectWire> | null = null
const early: unknown[] = []

function start(secret: string | null, terminalSecret: string | null): void {
  const secrets = new MemorySecretStore(secret, (s) => parent.postMessage(s === null ? { kind: 'secret-clear' } : { kind: 'secret-set', secret: s }))
  const terminalSecrets = new MemorySecretStore(terminalSecret, (s) =>
    parent.postMessage(s === null ? { kind: 'terminal-secret-clear' } : { kind: 'terminal-secret-set', secret: s }),
  )
  const { core, seeded } = openCore({
    dataDir: process.env.DAYBOOK_DATA ?? resolve(appRoot, '.daybook-data'),
    demo: process.env.DAYBOOK_DEMO !== '0',
    resourcesDir: process.env.DAYBOOK_RESOURCES ?? resolve(appRoot, 'resources'),
    nativeBinding: betterSqliteBinding(process.env.DAYBOOK_NATIVE_ROOT ?? appRoot),
    log: (line) => console.error(line),
    secrets,
    terminalSecrets,
  })
  if (seeded && seeded !== 'demo') console.log(`New store created. Owner PIN: ${seeded.ownerPin}`)
  // Only the Electron main process writes to this port: its updater's 'shell-invoke' is honoured here.
  wire = connectWire(core, (msg: WireFromCore) => parent.postMessage(msg), { shell: true })
  for (const m of early.splice(0)) wire.receive(m)
  parent.postMessage({ kind: 'ready' })
}

parent.on('message', (e) => {
  const msg = e.data as { kind?: unknown; secret?: unknown; terminalSecret?: unknown }
  if (msg?.kind === 'secret-init') {
    if (!wire) start(typeof msg.secret === 'string' ? msg.secret : null, typeof msg.terminalSecret === 'string' ? msg.terminalSecret : null)
    return
  }
  if (wire) wire.receive(e.data)
  else early.push(e.data)
})

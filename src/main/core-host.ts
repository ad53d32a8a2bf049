/**
 * Entry of the Electron utility process that hosts the core, off the main event loop (as Actual
 * Budget and Signal do). It imports no Electron module: Electron gives it `process.parentPort`.
 */
import { resolve } from 'node:path'
import type { WireFromCore } from '../shared/bridge'
import { betterSqliteBinding } from './core/native-binding'
import { openCore } from './core/open-core'
import { connectWire } from './core/wire'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort
if (!port) throw new Error('core-host must run in an Electron utility process')

const appRoot = process.env.DAYBOOK_APP_ROOT ?? resolve(__dirname, '../..')
const { core, seeded } = openCore({
  dataDir: process.env.DAYBOOK_DATA ?? resolve(appRoot, '.daybook-data'),
  demo: process.env.DAYBOOK_DEMO !== '0',
  resourcesDir: process.env.DAYBOOK_RESOURCES ?? resolve(appRoot, 'resources'),
  nativeBinding: betterSqliteBinding(process.env.DAYBOOK_NATIVE_ROOT ?? appRoot),
  log: (line) => console.error(line),
})
if (seeded && seeded !== 'demo') console.log(`New store created. Owner PIN: ${seeded.ownerPin}`)

const wire = connectWire(core, (msg: WireFromCore) => port.postMessage(msg))
port.on('message', (e) => wire.receive(e.data))
port.postMessage({ kind: 'ready' })

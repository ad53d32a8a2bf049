import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEMO_STAFF } from '../core/seed'
import { openCore } from '../core/open-core'
import { DaybookError } from '../../shared/errors'
import { startServer } from './server'

/**
 * npm run serve [-- --port N] [--data DIR] [--demo] [--platform-timeout SECONDS]
 * The whole app without Electron: the core in this Node process, the renderer in any browser.
 * The URL is printed on a line of its own so scripts (and the end-to-end tests) can read it.
 * A ledger paired with a platform syncs from the start; the device secret is sealed in
 * DIR/platform-secret.enc (key in DIR/platform-secret.key) and never printed.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4310' },
      data: { type: 'string', default: '.daybook-data' },
      demo: { type: 'boolean', default: false },
      'platform-timeout': { type: 'string', default: '15' },
      /** Another renderer build (tests serve a stub page). */
      renderer: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log('Usage: npm run serve -- [--port 4310] [--data .daybook-data] [--demo] [--platform-timeout 15]\nPair with a platform in Settings → Platform; the device secret is sealed in DATA/platform-secret.enc.')
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`)
  const timeoutS = Number(values['platform-timeout'])
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 600) throw new Error(`--platform-timeout must be whole seconds from 1 to 600, got ${values['platform-timeout']}`)
  const repo = resolve(__dirname, '../../..')
  const dataDir = resolve(values.data)
  const { core, file, seeded } = openCore({
    dataDir,
    demo: values.demo,
    resourcesDir: resolve(repo, 'resources'),
    log: (l) => console.error(l),
    sync: { options: { timeoutMs: timeoutS * 1000 } },
  })
  const handle = await startServer(core, values.renderer ? resolve(values.renderer) : resolve(repo, 'out/renderer'), port)
  console.log(`Daybook ledger: ${file}`)
  const sync = core.sync.status()
  if (sync.platformUrl) console.log(`Syncing with ${sync.platformUrl} (store ${sync.storeName ?? '?'}); ${sync.pending} events pending`)
  if (seeded === 'demo') console.log(`Demo store created. PINs: ${DEMO_STAFF.map((s) => `${s.name} (${s.role}) ${s.pin}`).join(', ')}`)
  else if (seeded) console.log(`New store created. Owner PIN: ${seeded.ownerPin} (change it in Settings)`)
  console.log('Open this link (it works once; reloads keep working):')
  console.log(handle.url)
  const stop = (): void => {
    void handle
      .close()
      .then(() => core.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof DaybookError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e))
  process.exit(1)
})

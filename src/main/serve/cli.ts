import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEMO_STAFF } from '../core/seed'
import { LEDGER_FILE, openCore } from '../core/open-core'
import { seconds, seedDemoHistory } from '../core/demo/history'
import { DaybookError } from '../../shared/errors'
import { startServer } from './server'

/**
 * npm run serve [-- --port N] [--data DIR] [--demo [--history DAYS]] [--platform-timeout SECONDS]
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
      /** With --demo: that many past business days of sales, Zs and reconciled statements (src/main/core/demo/history.ts). */
      history: { type: 'string' },
      'platform-timeout': { type: 'string', default: '15' },
      /** Another renderer build (tests serve a stub page). */
      renderer: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      [
        'Usage: npm run serve -- [--port 4310] [--data .daybook-data] [--demo [--history DAYS]] [--platform-timeout 15]',
        '  --demo            seed the demo store into an empty ledger',
        '  --history DAYS    with --demo: also DAYS past business days ending yesterday (sales, refunds, voids, cash',
        '                    movements, shifts and Zs; the providers\' statements imported and reconciled); only into a',
        '                    ledger that has never sold; today stays open and empty. 1–366, e.g. 30.',
        'Pair with a platform in Settings → Platform; the device secret is sealed in DATA/platform-secret.enc.',
      ].join('\n'),
    )
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`)
  const timeoutS = Number(values['platform-timeout'])
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 600) throw new Error(`--platform-timeout must be whole seconds from 1 to 600, got ${values['platform-timeout']}`)
  const repo = resolve(__dirname, '../../..')
  const dataDir = resolve(values.data)
  let historyMadeDemo = false
  if (values.history !== undefined) {
    const days = Number(values.history)
    if (!values.demo) throw new Error('--history needs --demo: it adds past days to the demo store')
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error(`--history must be whole days from 1 to 366, got ${values.history}`)
    mkdirSync(dataDir, { recursive: true })
    console.error(`Seeding ${days} days of demo history…`)
    const h = await seedDemoHistory({ file: join(dataDir, LEDGER_FILE), resourcesDir: resolve(repo, 'resources'), days, log: (l) => console.error(l) })
    historyMadeDemo = h.createdDemo
    if (h.seeded) {
      console.log(
        `Demo history: ${h.firstDate} … ${h.lastDate}, ${h.orders} orders, ${h.refunds} refunds, ${h.voids} voids, ${h.closures} Zs, ${h.statements} statements, ${h.runs} reconciliations (${h.resolved} differences resolved) in ${seconds(h.ms)} s`,
      )
    } else console.log(`Demo history not seeded: ${h.reason ?? 'nothing to do'}`)
  }
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
  if (seeded === 'demo' || historyMadeDemo) console.log(`Demo store created. PINs: ${DEMO_STAFF.map((s) => `${s.name} (${s.role}) ${s.pin}`).join(', ')}`)
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

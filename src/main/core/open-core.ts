import { randomInt } from 'node:crypto'
import { join } from 'node:path'
import { openDatabase } from './db/sqlite'
import { seedDemo, seedOwner } from './seed'
import { Core, type CoreDeps } from './service'
import { EncryptedFileSecretStore, type SecretStore } from './sync/secret-store'
import { createAdyenDriver } from './payments/terminal/adyen-driver'

export interface OpenCoreOptions {
  dataDir: string
  demo: boolean
  /** Where the demo catalog lives (resources/demo-catalog.json). */
  resourcesDir: string
  nativeBinding?: string | undefined
  log?: (line: string) => void
  now?: CoreDeps['now']
  version?: string
  /**
   * Where the platform device secret is kept. Default: AES-256-GCM sealed in
   * `<dataDir>/platform-secret.enc` (see EncryptedFileSecretStore for what that protects against);
   * the Electron app passes the OS keychain (safeStorage) instead.
   */
  secrets?: SecretStore
  sync?: CoreDeps['sync']
  /** The card terminal's passphrase; default sealed in `<dataDir>/terminal-passphrase.enc` like the platform secret. */
  terminalSecrets?: SecretStore
  /** Builds the card terminal's driver (default: the Adyen Terminal API driver). */
  makeTerminal?: CoreDeps['makeTerminal']
  payments?: CoreDeps['payments']
  /** Start the sync relay at once (it only runs when the ledger is paired). Default true. */
  startSync?: boolean
}

export const LEDGER_FILE = 'ledger.sqlite'

/**
 * Opens (creating if need be) the ledger in a data folder and starts the core on it. A fresh
 * ledger gets the demo store when asked, otherwise a first owner whose PIN is returned once.
 */
export function openCore(o: OpenCoreOptions): { core: Core; file: string; seeded: 'demo' | { ownerPin: string } | null } {
  const file = join(o.dataDir, LEDGER_FILE)
  const db = openDatabase(file, { nativeBinding: o.nativeBinding })
  const at = new Date().toISOString()
  let seeded: 'demo' | { ownerPin: string } | null = null
  if (o.demo) {
    if (seedDemo(db, join(o.resourcesDir, 'demo-catalog.json'), at)) seeded = 'demo'
  } else if (!db.prepare('SELECT 1 FROM staff LIMIT 1').get()) {
    const ownerPin = String(randomInt(100000, 1000000))
    seedOwner(db, 'Owner', ownerPin, at)
    seeded = { ownerPin }
  }
  const core = new Core({
    db,
    log: o.log,
    now: o.now,
    ...(o.version ? { version: o.version } : {}),
    secrets: o.secrets ?? new EncryptedFileSecretStore(o.dataDir),
    ...(o.sync ? { sync: o.sync } : {}),
    terminalSecrets: o.terminalSecrets ?? new EncryptedFileSecretStore(o.dataDir, 'terminal-passphrase'),
    makeTerminal: o.makeTerminal ?? ((config) => createAdyenDriver(config, { currency: config.currency })),
    ...(o.payments ? { payments: o.payments } : {}),
  })
  if (o.startSync !== false) core.startSync()
  return { core, file, seeded }
}

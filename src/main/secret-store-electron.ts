/**
 * The platform device secret in the Electron app: sealed with the OS keychain through
 * `safeStorage` (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) into a file in
 * userData. The core runs in a utility process without Electron's main-process modules, so the
 * main process keeps this store and hands the secret to the core host at start; the host sends
 * set/clear back here (see core-host.ts).
 */
import { safeStorage } from 'electron'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SecretStore } from './core/sync/secret-store'

export const SAFE_SECRET_FILE = 'platform-secret.safe'

/** False on Linux without a keyring (the "basic_text" backend is a fixed key, no protection). */
export function keychainAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false
  return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'
}

export class SafeStorageSecretStore implements SecretStore {
  constructor(readonly file: string) {}

  get(): string | null {
    if (!existsSync(this.file)) return null
    try {
      return safeStorage.decryptString(readFileSync(this.file))
    } catch {
      return null
    }
  }

  set(secret: string): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, safeStorage.encryptString(secret), { mode: 0o600 })
    chmodSync(tmp, 0o600)
    renameSync(tmp, this.file)
  }

  clear(): void {
    rmSync(this.file, { force: true })
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * Where the till keeps its platform device secret (the HMAC key of every signed request). The
 * ledger never holds it: a copied ledger file must not be enough to speak for the till.
 * Synchronous on purpose, so the core can read it while it builds a request.
 */
export interface SecretStore {
  get(): string | null
  set(secret: string): void
  clear(): void
}

/** For tests and for hosts that hand the secret over at start (the Electron utility process). */
export class MemorySecretStore implements SecretStore {
  private secret: string | null
  constructor(initial: string | null = null, private readonly onChange?: (secret: string | null) => void) {
    this.secret = initial
  }
  get(): string | null {
    return this.secret
  }
  set(secret: string): void {
    this.secret = secret
    this.onChange?.(secret)
  }
  clear(): void {
    this.secret = null
    this.onChange?.(null)
  }
}

export const SECRET_FILE = 'platform-secret.enc'
export const SECRET_KEY_FILE = 'platform-secret.key'

interface SealedFile {
  v: 1
  alg: 'aes-256-gcm'
  iv: string
  tag: string
  data: string
}

/**
 * The secret in `<dataDir>/platform-secret.enc`, sealed with AES-256-GCM under a random key in
 * `<dataDir>/platform-secret.key` (mode 0600). Be honest about what this buys: the key sits next
 * to the ciphertext, so anyone who can read the whole data folder as this user can read the
 * secret. It protects against casual copying of the ledger (a backup of ledger.sqlite, a file
 * mailed to support) and against the secret showing up in a grep, nothing more. The Electron app
 * uses the OS keychain through `safeStorage` instead (src/main/secret-store-electron.ts); this
 * store is for `npm run serve` and tests.
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly file: string
  readonly keyFile: string
  /** `name` keeps other secrets apart (the card terminal's passphrase: 'terminal-passphrase'). */
  constructor(dataDir: string, name?: string) {
    this.file = join(dataDir, name ? `${name}.enc` : SECRET_FILE)
    this.keyFile = join(dataDir, name ? `${name}.key` : SECRET_KEY_FILE)
  }

  get(): string | null {
    if (!existsSync(this.file) || !existsSync(this.keyFile)) return null
    try {
      const sealed = JSON.parse(readFileSync(this.file, 'utf8')) as SealedFile
      const key = readFileSync(this.keyFile)
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')
    } catch {
      // Tampered, truncated or sealed under another key: as good as no secret (pair again).
      return null
    }
  }

  set(secret: string): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const key = this.key()
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    const sealed: SealedFile = { v: 1, alg: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') }
    writeAtomically(this.file, JSON.stringify(sealed))
  }

  clear(): void {
    rmSync(this.file, { force: true })
  }

  private key(): Buffer {
    if (existsSync(this.keyFile)) {
      const k = readFileSync(this.keyFile)
      if (k.length === 32) return k
    }
    const k = randomBytes(32)
    writeAtomically(this.keyFile, k)
    return k
  }
}

function writeAtomically(file: string, content: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, content, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
}

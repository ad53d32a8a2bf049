import type { TerminalSettings } from '../../../../shared/contract'
import type { Currency } from '../../../../shared/money'
import type { Db } from '../../db/sqlite'
import { stmt } from '../../db/statements'
import type { SecretStore } from '../../sync/secret-store'

/** Everything a terminal driver needs; the passphrase comes from the secret store, never SQLite. */
export interface TerminalConfig {
  endpoint: string
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase: string
  caCertPem: string
  /** The till's device code, sent as the nexo SaleID. */
  saleId: string
  /** The store currency: a repeated nexo ReversalResponse names none. */
  currency: Currency
}

interface Row {
  endpoint: string
  poi_id: string
  key_identifier: string
  key_version: number
  ca_cert_pem: string
}

function readRow(db: Db): Row | undefined {
  return stmt(db, 'SELECT endpoint, poi_id, key_identifier, key_version, ca_cert_pem FROM terminal_settings WHERE id = 1').get() as Row | undefined
}

export function readTerminalSettings(db: Db, secrets: SecretStore): TerminalSettings {
  const r = readRow(db)
  const hasPassphrase = secrets.get() !== null
  if (!r) return { configured: false, endpoint: '', poiId: '', keyIdentifier: '', keyVersion: 1, hasPassphrase, caCertPem: '' }
  return { configured: hasPassphrase, endpoint: r.endpoint, poiId: r.poi_id, keyIdentifier: r.key_identifier, keyVersion: r.key_version, hasPassphrase, caCertPem: r.ca_cert_pem }
}

export interface TerminalSettingsInput {
  endpoint: string
  poiId: string
  keyIdentifier: string
  keyVersion: number
  passphrase?: string | undefined
  caCertPem: string
}

export function writeTerminalSettings(db: Db, secrets: SecretStore, s: TerminalSettingsInput, at: string): void {
  stmt(
    db,
    `INSERT INTO terminal_settings (id, endpoint, poi_id, key_identifier, key_version, ca_cert_pem, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET endpoint = excluded.endpoint, poi_id = excluded.poi_id, key_identifier = excluded.key_identifier,
       key_version = excluded.key_version, ca_cert_pem = excluded.ca_cert_pem, updated_at = excluded.updated_at`,
  ).run(s.endpoint.replace(/\/+$/, ''), s.poiId, s.keyIdentifier, s.keyVersion, s.caCertPem, at)
  if (s.passphrase !== undefined) secrets.set(s.passphrase)
}

export function terminalConfig(db: Db, secrets: SecretStore, saleId: string, currency: Currency): TerminalConfig | null {
  const r = readRow(db)
  const passphrase = secrets.get()
  if (!r || !passphrase) return null
  return { endpoint: r.endpoint, poiId: r.poi_id, keyIdentifier: r.key_identifier, keyVersion: r.key_version, passphrase, caCertPem: r.ca_cert_pem, saleId, currency }
}

import { SettingsSchema, type Settings } from '../../shared/contract'
import { DEFAULT_UPDATE_SETTINGS } from '../../shared/updates-contract'
import { DaybookError } from '../../shared/errors'
import type { Db } from './db/sqlite'
import { stmt } from './db/statements'

/** A new store starts like a typical Chinese convenience store: CNY, VAT-inclusive shelf prices. */
export const DEFAULT_SETTINGS: Settings = {
  storeName: 'Daybook Store',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  businessDayCutoffHour: 4,
  priceMode: 'inclusive',
  taxRounding: 'line',
  roundingMode: 'half_up',
  cashRounding: { increment: 1, mode: 'half_up' },
  discountLimitPercent: '10',
  receiptFooter: 'Thank you! 谢谢惠顾！',
  taxes: [
    { id: 'vat13', name: 'VAT 13%', rate: '13' },
    { id: 'vat9', name: 'VAT 9%', rate: '9' },
  ],
  taxClasses: [
    { id: 'std', name: 'Standard', taxIds: ['vat13'] },
    { id: 'low', name: 'Agricultural & staples', taxIds: ['vat9'] },
  ],
  refundApprovalLimit: 10_000,
  qrTimeoutSeconds: 120,
  cashMovementApprovalLimit: 20_000,
  overShortThreshold: 100,
  blindCount: false,
  updates: DEFAULT_UPDATE_SETTINGS,
}

export function readSettings(db: Db): Settings {
  const row = stmt(db, 'SELECT json FROM settings WHERE id = 1').get() as { json: string } | undefined
  if (!row) return DEFAULT_SETTINGS
  return SettingsSchema.parse(JSON.parse(row.json))
}

/**
 * Saves new settings. They apply to sales completed from now on: a completed order keeps every
 * figure and convention it was priced with, so nothing posted ever changes.
 */
export function writeSettings(db: Db, s: Settings, at: string, by: string | null): Settings {
  const parsed = SettingsSchema.parse(s)
  const classes = new Set(parsed.taxClasses.map((c) => c.id))
  const used = stmt(db, 'SELECT DISTINCT tax_class_id AS id FROM products WHERE active = 1').all() as { id: string }[]
  const missing = used.map((u) => u.id).filter((id) => !classes.has(id))
  if (missing.length > 0) {
    throw new DaybookError('invalid_input', `Products still use tax class ${missing.join(', ')}; it cannot be removed.`, [
      { path: ['taxClasses'], message: `in use: ${missing.join(', ')}` },
    ])
  }
  stmt(db, 
    `INSERT INTO settings (id, json, updated_at, updated_by) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(JSON.stringify(parsed), at, by)
  return parsed
}

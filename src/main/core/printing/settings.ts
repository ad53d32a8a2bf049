import { PrinterSettingsSchema, type PrinterSettings } from '../../../shared/printing-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'

/** A till with no printer set up: receipts on the screen only, as before. */
export const DEFAULT_PRINTER: PrinterSettings = {
  enabled: false,
  host: null,
  port: 9100,
  paperWidth: 80,
  codePage: 'gb18030',
  language: 'zh',
  drawerPin: 2,
  drawerEnabled: true,
  autoPrint: true,
}

/** This till's printer settings (kept in its own database, never synced). */
export function readPrinterSettings(db: Db): PrinterSettings {
  const r = stmt(db, 'SELECT settings FROM printer_settings WHERE id = 1').get() as { settings: string } | undefined
  if (!r) return DEFAULT_PRINTER
  const parsed = PrinterSettingsSchema.safeParse({ ...DEFAULT_PRINTER, ...(JSON.parse(r.settings) as object) })
  return parsed.success ? parsed.data : DEFAULT_PRINTER
}

/**
 * Saves the settings. Turning printing on starts after the journal's end: sales made while it was
 * off are not printed later; sales from now on are (each exactly once, see jobs.ts).
 */
export function writePrinterSettings(db: Db, s: PrinterSettings, at: string, by: string | null): PrinterSettings {
  db.transaction(() => {
    const was = readPrinterSettings(db)
    const row = stmt(db, 'SELECT scanned_seq FROM printer_settings WHERE id = 1').get() as { scanned_seq: number } | undefined
    const end = (stmt(db, 'SELECT coalesce(max(seq), 0) AS seq FROM journal').get() as { seq: number }).seq
    const scanned = !row || (s.enabled && !was.enabled) ? end : row.scanned_seq
    stmt(
      db,
      `INSERT INTO printer_settings (id, settings, scanned_seq, updated_at, updated_by) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET settings = excluded.settings, scanned_seq = excluded.scanned_seq, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(JSON.stringify(s), scanned, at, by)
  }).immediate()
  return readPrinterSettings(db)
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Core } from '../../src/main/core/service'
import type { PrintJob, PrinterSettings } from '../../src/shared/printing-contract'
import { startPrinterSim, type PrinterSim } from '../../src/platform/printer-sim'
import { REPO } from '../helpers/tmp'
import { till, type Till } from '../shifts/support'

export const FIXTURES = join(REPO, 'test/fixtures/printing')

/** Calls an asynchronous channel (the printing ones wait on the printer) and unwraps it. */
export async function ask<T = unknown>(core: Core, channel: string, input: unknown, session?: string): Promise<T> {
  const r = await core.invoke({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
  return r.value as T
}

export async function refused(core: Core, channel: string, input: unknown, session?: string): Promise<{ code: string; message: string }> {
  const r = await core.invoke({ channel, input, session })
  if (r.ok) throw new Error(`${channel} unexpectedly succeeded`)
  return r.error
}

export function printerSettings(sim: PrinterSim, o: Partial<PrinterSettings> = {}): PrinterSettings {
  return { enabled: true, host: sim.host, port: sim.port, paperWidth: 80, codePage: 'gb18030', language: 'zh', drawerPin: 2, drawerEnabled: true, autoPrint: true, ...o }
}

/** A demo till (fixed clock) whose printer is a fresh simulator. */
export async function printingTill(o: Partial<PrinterSettings> = {}, start?: string): Promise<{ t: Till; sim: PrinterSim; settings: PrinterSettings }> {
  const sim = await startPrinterSim({ width: o.paperWidth ?? 80 })
  const t = till(start)
  const settings = await ask<PrinterSettings>(t.core, 'printer-settings-save', printerSettings(sim, o), t.owner)
  return { t, sim, settings }
}

/** Every job asked for so far has been sent (and the simulator has it). */
export async function settled(core: Core): Promise<void> {
  await core.printing.idle()
}

export function jobsOf(core: Core): PrintJob[] {
  return core.printing.list(true)
}

/** Hashes change from run to run (event ids are ULIDs): a golden file holds a placeholder. */
export function normalize(text: string): string {
  return text.replace(/\b[0-9a-f]{32}\b/g, '<hash>')
}

/**
 * Compares with the golden file. A missing golden fails (a deleted or renamed file must not pass
 * silently); `UPDATE_GOLDEN=1` writes the file from what was printed (then review the diff).
 */
export function golden(name: string, text: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = join(FIXTURES, `${name}.txt`)
  const got = normalize(text)
  if (env.UPDATE_GOLDEN === '1') writeFileSync(file, got)
  else if (!existsSync(file)) throw new Error(`the golden file test/fixtures/printing/${name}.txt is missing: run with UPDATE_GOLDEN=1 to write it, then review it`)
  expect(got, `${name} differs from test/fixtures/printing/${name}.txt`).toBe(readFileSync(file, 'utf8'))
}

/**
 * The victim of the printing crash test: a till whose printer is the test's simulator. It sells
 * once for cash and says so the moment the sale has committed, then:
 * - `block`: stops its event loop dead (the print runs after the commit, in the background, so it
 *   never starts) and waits to be SIGKILLed — a crash between the commit and the print;
 * - `run`: carries on, so the job gets as far as `sending` to a printer that does not answer, where
 *   the test kills it — a crash in the middle of sending.
 */
import { writeSync } from 'node:fs'
import { openCore } from '../../src/main/core/open-core'
import { newId } from '../../src/shared/ids'

const [dataDir, resourcesDir, host, port, mode] = process.argv.slice(2)
if (!dataDir || !resourcesDir || !host || !port || (mode !== 'block' && mode !== 'run')) throw new Error('usage: crash-seller <dataDir> <resourcesDir> <host> <port> block|run')

const { core } = openCore({ dataDir, demo: true, resourcesDir, startSync: false, now: () => new Date('2026-11-22T03:00:00Z') })
function ask<T>(channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
  return r.value as T
}
const staff = ask<{ id: string; name: string }[]>('staff-list', {})
const signIn = (name: string, pin: string): string => ask<{ token: string }>('session-signin', { staffId: staff.find((s) => s.name.includes(name))!.id, pin }).token
const owner = signIn('Wang Fang', '9999')
const settings = { enabled: true, host, port: Number(port), paperWidth: 58, codePage: 'gb18030', language: 'zh', drawerPin: 2, drawerEnabled: true, autoPrint: true }

void (async () => {
  const saved = await core.invoke({ channel: 'printer-settings-save', input: settings, session: owner })
  if (!saved.ok) throw new Error(saved.error.message)
  ask('shift-open', { shiftId: newId(), count: [{ value: 10_000, kind: 'note', count: 1 }] }, owner)
  const order = ask<{ id: string }>('sale-complete', { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 200 }, owner)
  writeSync(1, `committed ${order.id}\n`)
  if (mode === 'block') {
    // Nothing after this line runs: not the background scan that would make the print job.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  }
})()

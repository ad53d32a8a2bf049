import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach } from 'vitest'
import { openCore } from '../../src/main/core/open-core'
import type { Core } from '../../src/main/core/service'

export const REPO = resolve(__dirname, '../..')
export const RESOURCES = join(REPO, 'resources')

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A fresh folder under the OS temp dir, removed after the test. */
export function tempDir(prefix = 'daybook-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

/** A demo store on a real SQLite file, with a settable clock. */
export function demoCore(now: () => Date = () => new Date('2026-11-22T03:00:00Z')): { core: Core; file: string; dir: string } {
  const dir = tempDir()
  const { core, file } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, now })
  return { core, file, dir }
}

/** Calls the core the way every transport does, and unwraps a success or fails the test. */
export function call<T = unknown>(core: Core, channel: string, input: unknown, session?: string): T {
  const r = core.handle({ channel, input, session })
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.details ?? '')}`)
  return r.value as T
}

export function signIn(core: Core, name: string, pin: string): string {
  const staff = call<{ id: string; name: string }[]>(core, 'staff-list', {})
  const s = staff.find((x) => x.name.includes(name))
  if (!s) throw new Error(`no staff ${name}`)
  return call<{ token: string }>(core, 'session-signin', { staffId: s.id, pin }).token
}

import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Core } from '../../src/main/core/service'
import { connectWire } from '../../src/main/core/wire'
import { startServer, type ServeHandle } from '../../src/main/serve/server'
import type { WireFromCore } from '../../src/shared/bridge'
import type { Result } from '../../src/shared/errors'
import { SHELL_ONLY_UPDATE_CHANNELS } from '../../src/shared/updates-contract'
import { demoCore, signIn, tempDir } from '../helpers/tmp'

/**
 * The updater-only channels (take a backup and say "install", report the updater's state, check
 * the ledger after an update) answer only the Electron shell — Core.invokeFromShell, reached by the
 * core host's 'shell-invoke' — never a window or a browser of `npm run serve`, signed in or not.
 */

const INPUTS: Record<string, unknown> = {
  'update-prepare-install': { trigger: 'quit', version: '0.1.0' },
  'update-report': { state: 'downloaded', currentVersion: '0.1.0', availableVersion: '9.9.9', message: 'from a browser', at: '2026-11-22T03:00:00Z' },
  'update-after-start': { version: '0.2.0', previousVersion: '0.1.0' },
}

let handle: ServeHandle | undefined
const cores: Core[] = []
afterEach(async () => {
  await handle?.close()
  handle = undefined
  for (const c of cores.splice(0)) await c.close()
})

function till() {
  const t = demoCore()
  cores.push(t.core)
  const owner = signIn(t.core, 'Wang Fang', '9999')
  return { ...t, owner, backups: join(t.dir, 'backups') }
}

function report(core: Core, session: string): unknown {
  const r = core.handle({ channel: 'update-status', input: {}, session })
  if (!r.ok) throw new Error(r.error.message)
  return (r.value as { report: unknown }).report
}

/** An in-memory wire (what `npm run serve` and the core host both use), with its answers by id. */
function wire(core: Core, o?: { shell?: boolean }) {
  const answers = new Map<number, (r: Result<unknown>) => void>()
  const w = connectWire(
    core,
    (msg: WireFromCore) => {
      if (msg.kind === 'result') answers.get(msg.id)?.(msg.result)
    },
    o,
  )
  let id = 1
  return (kind: string, envelope: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const n = id++
      answers.set(n, resolve)
      w.receive({ kind, id: n, envelope })
    })
}

describe('shell-only update channels', () => {
  it('Core.invoke and Core.handle refuse them with or without a session (the owner\'s too): no backup, no report', async () => {
    const t = till()
    expect([...SHELL_ONLY_UPDATE_CHANNELS].sort()).toEqual(Object.keys(INPUTS).sort())
    for (const channel of SHELL_ONLY_UPDATE_CHANNELS) {
      for (const session of [undefined, t.owner]) {
        const envelope = { channel, input: INPUTS[channel], session }
        expect(await t.core.invoke(envelope), `${channel} invoke`).toMatchObject({ ok: false, error: { code: 'forbidden' } })
        expect(t.core.handle(envelope), `${channel} handle`).toMatchObject({ ok: false, error: { code: 'forbidden' } })
        // refused before its input is even looked at
        expect(await t.core.invoke({ channel, input: { nonsense: true }, session })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      }
    }
    expect(existsSync(t.backups)).toBe(false)
    expect(report(t.core, t.owner)).toBeNull()
  })

  it('a wire that is not the shell\'s (npm run serve) refuses them, and refuses a forged shell-invoke', async () => {
    const t = till()
    const send = wire(t.core)
    for (const channel of SHELL_ONLY_UPDATE_CHANNELS) {
      expect(await send('invoke', { channel, input: INPUTS[channel], session: t.owner })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(await send('shell-invoke', { channel, input: INPUTS[channel] })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    // other channels still work on it
    expect(await send('invoke', { channel: 'update-config', input: {} })).toMatchObject({ ok: true })
    expect(existsSync(t.backups)).toBe(false)
    expect(report(t.core, t.owner)).toBeNull()
  })

  it('through the real `npm run serve` WebSocket: a signed-in browser gets forbidden and nothing is written', async () => {
    const t = till()
    const renderer = tempDir('renderer-')
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Daybook</title>')
    handle = await startServer(t.core, renderer, 0)
    const url = new URL(handle.url)
    const base = `http://${url.host}`
    const first = await fetch(`${base}/?token=${url.searchParams.get('token')}`, { redirect: 'manual' })
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { cookie, origin: base } })
      s.once('open', () => resolve(s))
      s.once('error', reject)
    })
    const results = new Map<number, Result<unknown>>()
    const waiters = new Map<number, () => void>()
    ws.on('message', (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as WireFromCore
      if (m.kind !== 'result') return
      results.set(m.id, m.result)
      waiters.get(m.id)?.()
    })
    const ask = (id: number, msg: object) =>
      new Promise<Result<unknown>>((resolve) => {
        waiters.set(id, () => resolve(results.get(id)!))
        ws.send(JSON.stringify({ id, ...msg }))
      })
    let id = 1
    for (const channel of SHELL_ONLY_UPDATE_CHANNELS) {
      for (const session of [t.owner, undefined]) {
        expect(await ask(id++, { kind: 'invoke', envelope: { channel, input: INPUTS[channel], session } })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
        expect(await ask(id++, { kind: 'shell-invoke', envelope: { channel, input: INPUTS[channel], session } })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      }
    }
    ws.close()
    expect(existsSync(t.backups)).toBe(false)
    expect(report(t.core, t.owner)).toBeNull()
  })

  it('the shell (Core.invokeFromShell, the core host\'s shell wire) may: a checked backup is taken', async () => {
    const t = till()
    const send = wire(t.core, { shell: true })
    const r = await send('shell-invoke', { channel: 'update-prepare-install', input: INPUTS['update-prepare-install'] })
    expect(r).toMatchObject({ ok: true, value: { safe: true, reasons: [] } })
    expect(existsSync(t.backups)).toBe(true)
    // a window's message on that same wire is still a window's: refused
    expect(await send('invoke', { channel: 'update-report', input: INPUTS['update-report'] })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await t.core.invokeFromShell({ channel: 'update-report', input: INPUTS['update-report'] })).toEqual({ ok: true, value: null })
    expect(report(t.core, t.owner)).toMatchObject({ availableVersion: '9.9.9' })
  })
})

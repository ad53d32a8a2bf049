import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'

export interface PlatformProcess {
  url: string
  adminToken: string
  child: ChildProcess
  stop(): Promise<void>
}

/**
 * `npm run platform` as a tenant would run it: its own process (so it has its own event loop and
 * core, as in production), reading the URL and the admin token file from what it prints.
 */
export async function spawnPlatform(root: string, dataDir: string, env: Record<string, string | undefined> = {}): Promise<PlatformProcess> {
  // DAYBOOK_BENCH_PROFILE=<dir>: a V8 CPU profile of the platform process, written when it stops.
  const prof = process.env.DAYBOOK_BENCH_PROFILE
  const [cmd, pre] = prof ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${prof}`, '--import', 'tsx']] : [join(root, 'node_modules/.bin/tsx'), []]
  const child = spawn(cmd, [...pre, join(root, 'src/platform/cli.ts'), '--port', '0', '--data', dataDir], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)))
  const lines = createInterface({ input: child.stdout! })
  const found = await new Promise<{ url: string; tokenFile: string }>((resolve, reject) => {
    let url = ''
    let tokenFile = ''
    const timer = setTimeout(() => reject(new Error(`the platform did not start within 60 s: ${err}`)), 60_000)
    child.once('exit', (code) => reject(new Error(`the platform exited (${code}) before it was ready: ${err}`)))
    lines.on('line', (l) => {
      url ||= /^Daybook platform: (http\S+)/.exec(l)?.[1] ?? ''
      tokenFile ||= /^Admin token: (.+)$/.exec(l)?.[1]?.trim() ?? ''
      if (url && tokenFile) {
        clearTimeout(timer)
        resolve({ url, tokenFile })
      }
    })
  })
  lines.on('line', () => {})
  const adminToken = readFileSync(found.tokenFile, 'utf8').trim()
  return {
    url: found.url,
    adminToken,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref()
      }),
  }
}

export async function admin<T>(p: { url: string; adminToken: string }, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(p.url + path, {
    method,
    headers: { authorization: `Bearer ${p.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await res.json()) as T
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** A store and `n` devices, each with a fresh pairing code. */
export async function storeWithDevices(p: { url: string; adminToken: string }, n: number): Promise<{ storeId: string; devices: { id: string; code: string }[] }> {
  const store = await admin<{ id: string }>(p, 'POST', '/v1/admin/stores', { name: 'Bench Mart', currency: 'CNY', timeZone: 'Asia/Shanghai' })
  const devices: { id: string; code: string }[] = []
  for (let i = 0; i < n; i++) {
    const d = await admin<{ device: { id: string }; pairing: { code: string } }>(p, 'POST', `/v1/admin/stores/${store.id}/devices`, { name: `Till ${i + 1}` })
    devices.push({ id: d.device.id, code: d.pairing.code })
  }
  return { storeId: store.id, devices }
}

/** A throwaway database on the server, so each run starts empty and leaves nothing behind. */
export async function freshPgDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `daybook_bench_${Date.now()}`
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query(`CREATE DATABASE ${name}`)
  await c.end()
  const u = new URL(url)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    // The platform process has stopped, but the server may still be closing its sessions: retry
    // a plain DROP for a bounded while, and leave the database behind (saying so) rather than fail the run.
    drop: async () => {
      const d = new pg.Client({ connectionString: url })
      await d.connect()
      try {
        for (let i = 0; ; i++) {
          try {
            await d.query(`DROP DATABASE IF EXISTS ${name}`)
            return
          } catch (e) {
            if (i >= 50) {
              console.error(`  could not drop the bench database ${name}: ${e instanceof Error ? e.message : String(e)}`)
              return
            }
            await new Promise((r) => setTimeout(r, 200))
          }
        }
      } finally {
        await d.end()
      }
    },
  }
}


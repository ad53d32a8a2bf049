import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

/**
 * Process plumbing for end-to-end tests: start a repository script the way its npm script does
 * (tsx + the same entry file), read what it prints line by line, stop it; temp dirs; bounded polling.
 */

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')

export interface Child {
  name: string
  proc: ChildProcess
  /** Everything it printed (stdout and stderr), for failure messages. */
  log: string
}

/**
 * Starts `tsx <args>` in the repository and resolves once every pattern of `want` has matched a
 * printed line (trimmed; group 1, else the whole match), within `timeoutMs`. Rejects, with the
 * child's output, when it exits first or the deadline passes.
 */
export function startScript(
  args: string[],
  want: Record<string, RegExp>,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onStart?: (c: Child) => void } = {},
): Promise<{ child: Child; found: Record<string, string> }> {
  const proc = spawn(process.execPath, [tsxCli, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...opts.env },
  })
  const child: Child = { name: args[0] ?? 'child', proc, log: '' }
  opts.onStart?.(child)
  const found: Record<string, string> = {}
  const timeoutMs = opts.timeoutMs ?? 90_000
  return new Promise((resolveAll, reject) => {
    let buffered = ''
    let done = false
    const timer = setTimeout(() => {
      done = true
      reject(new Error(`${child.name} did not print ${Object.keys(want).filter((k) => found[k] === undefined).join(', ')} within ${timeoutMs} ms:\n${child.log}`))
    }, timeoutMs)
    proc.stdout?.setEncoding('utf8')
    proc.stderr?.setEncoding('utf8')
    proc.stderr?.on('data', (d: string) => {
      child.log += d
    })
    proc.stdout?.on('data', (d: string) => {
      child.log += d
      if (done) return
      buffered += d
      const lines = buffered.split(/\r?\n/)
      buffered = lines.pop() ?? ''
      for (const line of lines.map((l) => l.trim())) {
        for (const [key, re] of Object.entries(want)) {
          const m = re.exec(line)
          if (m && found[key] === undefined) found[key] = m[1] ?? m[0]
        }
      }
      if (Object.keys(want).every((k) => found[k] !== undefined)) {
        done = true
        clearTimeout(timer)
        resolveAll({ child, found })
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      if (done) return
      done = true
      reject(Object.assign(new Error(`${child.name} exited (code ${code}) before printing what the test needs:\n${child.log}`), { childLog: child.log }))
    })
  })
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child: Child): Promise<void> {
  const proc = child.proc
  if (proc.exitCode !== null || proc.signalCode !== null) return
  await new Promise<void>((done) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    proc.once('exit', () => {
      clearTimeout(kill)
      done()
    })
    proc.kill('SIGTERM')
  })
}

export class TempDirs {
  private readonly dirs: string[] = []
  make(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix))
    this.dirs.push(d)
    return d
  }
  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** Scratch space of this run, removed when the process ends (normally, on error or on Ctrl-C). */
let runDir: string | undefined

export function scratchDir(): string {
  if (!runDir) {
    runDir = mkdtempSync(join(tmpdir(), 'daybook-bench-'))
    process.on('exit', cleanupScratch)
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        cleanupScratch()
        process.exit(130)
      })
    }
  }
  return runDir
}

export function scratchPath(name: string): string {
  const dir = join(scratchDir(), name)
  mkdirSync(dir, { recursive: true })
  return dir
}

export function cleanupScratch(): void {
  if (runDir) rmSync(runDir, { recursive: true, force: true })
  runDir = undefined
}

/**
 * Kept between runs (the generated ledgers): <project>/.cache/bench, gitignored (`.cache/`), or
 * DAYBOOK_BENCH_CACHE. Each file there is named by a hash of what made it and re-checked before use.
 */
export function cacheDir(): string {
  const dir = process.env.DAYBOOK_BENCH_CACHE || resolve(__dirname, '..', '..', '.cache', 'bench')
  mkdirSync(dir, { recursive: true })
  return dir
}

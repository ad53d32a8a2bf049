// npm test: the type check of every tsconfig, the lint (with the layering rule), the build the
// end-to-end tests serve, then every test (unit, property, integration, crash, e2e in Chromium).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findOrInstallChromium, findOrInstallPdftotext } from './chromium.mjs'

const steps = [
  ['type check (node)', ['tsc', '--noEmit', '-p', 'tsconfig.node.json']],
  ['type check (web)', ['tsc', '--noEmit', '-p', 'tsconfig.web.json']],
  ['lint', ['eslint', '--max-warnings', '0', '.']],
  ['build', ['electron-vite', 'build', '--logLevel', 'warn']],
]

function run(label, [bin, ...args], env = process.env, onFail = () => {}) {
  console.log(`\n▶ ${label}: ${bin} ${args.join(' ')}`)
  const r = spawnSync(`node_modules/.bin/${bin}`, args, { stdio: 'inherit', env, shell: process.platform === 'win32' })
  if (r.status !== 0) {
    onFail()
    console.error(`\n✖ ${label} failed`)
    process.exit(r.status ?? 1)
  }
}

/** One plain closing line, 'N passed, N failed', whatever the runner printed above it. */
function summary(file) {
  if (!existsSync(file)) return
  const r = JSON.parse(readFileSync(file, 'utf8'))
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)
}

for (const step of steps) run(step[0], step[1])
const chromium = findOrInstallChromium()
console.log(`\nChromium for the end-to-end tests: ${chromium}`)
findOrInstallPdftotext()
// The platform tests run on embedded PGlite always, and on a PostgreSQL server when one is named.
if (process.env.DAYBOOK_TEST_PG_URL) console.log(`PostgreSQL for the platform tests: ${process.env.DAYBOOK_TEST_PG_URL.replace(/:[^:@/]*@/, ':***@')}`)
else if (process.env.CI) {
  console.error('\n✖ CI must run the platform tests on PostgreSQL too: set DAYBOOK_TEST_PG_URL (.ci/run does).')
  process.exit(1)
} else console.log('PostgreSQL for the platform tests: none (set DAYBOOK_TEST_PG_URL=postgres://… to run them on a server too; they are reported as skipped)')
const report = join(mkdtempSync(join(tmpdir(), 'daybook-test-')), 'vitest.json')
const onFail = () => summary(report)
run('tests', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { ...process.env, CHROMIUM_PATH: chromium }, onFail)
summary(report)

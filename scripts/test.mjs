// npm test: the type check of every tsconfig, the lint (with the layering rule), the build the
// end-to-end tests serve, then every test (unit, property, integration, crash, e2e in Chromium).
import { spawnSync } from 'node:child_process'
import { findOrInstallChromium } from './chromium.mjs'

const steps = [
  ['type check (node)', ['tsc', '--noEmit', '-p', 'tsconfig.node.json']],
  ['type check (web)', ['tsc', '--noEmit', '-p', 'tsconfig.web.json']],
  ['lint', ['eslint', '--max-warnings', '0', '.']],
  ['build', ['electron-vite', 'build', '--logLevel', 'warn']],
]

function run(label, [bin, ...args], env = process.env) {
  console.log(`\n▶ ${label}: ${bin} ${args.join(' ')}`)
  const r = spawnSync(`node_modules/.bin/${bin}`, args, { stdio: 'inherit', env, shell: process.platform === 'win32' })
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed`)
    process.exit(r.status ?? 1)
  }
}

for (const step of steps) run(step[0], step[1])
const chromium = findOrInstallChromium()
console.log(`\nChromium for the end-to-end tests: ${chromium}`)
run('tests', ['vitest', 'run', ...process.argv.slice(2)], { ...process.env, CHROMIUM_PATH: chromium })

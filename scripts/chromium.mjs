// Finds a Chromium for the end-to-end tests, or gets one: Playwright's own download where the
// internet allows it, else Debian's chromium package when running as root with apt. Says which.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

function playwrightChromium() {
  try {
    const { chromium } = require('playwright-core')
    const path = chromium.executablePath()
    return path && existsSync(path) ? path : null
  } catch {
    return null
  }
}

function systemChromium() {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome']) {
    if (existsSync(p)) return p
  }
  return null
}

export function findOrInstallChromium(log = console.log) {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  const found = systemChromium() ?? playwrightChromium()
  if (found) return found
  log('No Chromium found: trying Playwright\'s own download (npx playwright-core install chromium)…')
  const pwCli = join(dirname(require.resolve('playwright-core/package.json')), 'cli.js')
  const pw = spawnSync(process.execPath, [pwCli, 'install', 'chromium'], { stdio: 'inherit', timeout: 300_000 })
  if (pw.status === 0 && playwrightChromium()) {
    log(`Using Playwright's Chromium at ${playwrightChromium()}`)
    return playwrightChromium()
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    log('Playwright could not download a browser here: installing Debian\'s chromium package with apt-get…')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env })
    execFileSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'inherit', env })
    const p = systemChromium()
    if (p) {
      log(`Using Debian's Chromium at ${p}`)
      return p
    }
  }
  throw new Error('No Chromium for the end-to-end tests. Install Chrome/Chromium, or set CHROMIUM_PATH to one.')
}

/**
 * pdftotext (poppler-utils) reads back the text of the PDFs the core exports. Found on the PATH, or
 * installed from Debian's package when run as root (as Chromium above); otherwise npm test says how.
 */
export function findOrInstallPdftotext(log = console.log) {
  const which = () => spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined
  if (which()) return true
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    log('No pdftotext found: installing Debian\'s poppler-utils package with apt-get…')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env })
    execFileSync('apt-get', ['install', '-y', '-q', 'poppler-utils'], { stdio: 'inherit', env })
    if (which()) return true
  }
  throw new Error('No pdftotext for the PDF export tests. Install poppler-utils (apt-get install poppler-utils, brew install poppler).')
}

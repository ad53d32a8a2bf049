import { existsSync, readFileSync } from 'node:fs'
import { join, posix, relative } from 'node:path'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { expandMacro } from 'app-builder-lib/out/util/macroExpander'
import { DebugLogger } from 'builder-util'
import { parse as parseYaml } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { nativeBindingDir } from '../../src/main/core/native-binding'
import { REPO } from '../helpers/tmp'

/**
 * The installers cannot be built here (no Electron binary, no GitHub): this reads the
 * electron-builder configuration the way electron-builder does, validates it against
 * electron-builder's own JSON schema, and checks what the app needs from it — targets, the
 * Electron-ABI better-sqlite3 outside the asar where native-binding.ts looks for it, the files,
 * icon, fonts, signing only from the environment, the update feed's provider — and that the
 * release workflow is valid YAML that does what the README says.
 */

type FileSet = { from: string; to: string; filter?: string[] }
type Target = { target: string; arch: string[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let config: any
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string; main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }
const abi = readFileSync(join(REPO, 'node_modules/electron/abi_version'), 'utf8').trim()

beforeAll(async () => {
  config = await getConfig(REPO, null, null)
})

function walk(value: unknown, visit: (key: string, v: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v)
      walk(v, visit)
    }
  }
}

describe('electron-builder.yml', () => {
  it('is the one configuration: loaded from electron-builder.yml, package.json has no "build" key', () => {
    expect(existsSync(join(REPO, 'electron-builder.yml'))).toBe(true)
    expect(pkg.build).toBeUndefined()
    expect(config.appId).toBe('app.daybook.pos')
    expect(config.productName).toBe('Daybook')
    // Electron names the userData folder after the packaged package.json's productName: …/Daybook
    expect(config.extraMetadata).toEqual({ productName: 'Daybook' })
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it("passes electron-builder's own schema validation (and the validator does refuse a bad key)", async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined()
    await expect(validateConfiguration({ ...structuredClone(config), win: { target: 'nsis', notAnOption: true } }, new DebugLogger(false))).rejects.toThrow(/configuration\.win/)
  })

  it('targets: NSIS for Windows x64; DMG (first install) and zip (updates) for macOS arm64 and x64', () => {
    expect(config.win.target as Target[]).toEqual([{ target: 'nsis', arch: ['x64'] }])
    const mac = config.mac.target as Target[]
    expect(mac.find((t) => t.target === 'dmg')?.arch.sort()).toEqual(['arm64', 'x64'])
    expect(mac.find((t) => t.target === 'zip')?.arch.sort()).toEqual(['arm64', 'x64'])
    // the feed's file names tell the architectures apart (electron-updater and core/updates/feed.ts pick by "arm64")
    expect(config.mac.artifactName).toContain('${arch}')
    expect(config.dmg.artifactName).toContain('${arch}')
    expect(config.nsis.oneClick).toBe(false)
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false)
  })

  it("packs better-sqlite3's Electron build outside the asar, where native-binding.ts looks for it, and never rebuilds", () => {
    expect(config.npmRebuild).toBe(false)
    expect(config.buildDependenciesFromSource).toBe(false)
    const native = (config.extraResources as FileSet[]).find((r) => r.from === 'native/better-sqlite3')
    expect(native).toBeDefined()
    expect(native!.filter).toEqual(['node-v${platform}-${arch}/**'.replace('node-v', `node-v${abi}-`)])
    // expanded by electron-builder for an x64 build on this platform, the filter names exactly the
    // folder the core host loads from (resourcesPath/<to>/node-v<ABI>-<platform>-<arch>)
    const appInfo = { productName: 'Daybook', sanitizedProductName: 'Daybook' } as never
    const expanded = expandMacro(native!.filter![0]!, 'x64', appInfo)
    const runtime = relative('RES', nativeBindingDir('RES', abi, process.platform, 'x64')).split('\\').join('/')
    expect(`${native!.to}/${expanded.replace(/\/\*\*$/, '')}`).toBe(runtime)
    // the .node files of npm dependencies are unpacked from app.asar; the Node build is left out
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.files[0].filter).toContain('!**/node_modules/better-sqlite3/build/**')
    // Electron 45's ABI is the one the filter names
    expect(abi).toBe('150')
  })

  it('includes the built app, the resources (demo catalog) and the CJK font for PDFs', () => {
    // electron-builder normalises `files` into one file set
    const files = config.files[0].filter as string[]
    expect(files[0]).toBe('out/**/*')
    expect(posix.matchesGlob(pkg.main.replace(/^\.\//, ''), files[0]!)).toBe(true)
    const res = config.extraResources as FileSet[]
    const resources = res.find((r) => r.from === 'resources')
    expect(resources?.to).toBe('resources')
    expect(existsSync(join(REPO, 'resources/demo-catalog.json'))).toBe(true)
    const font = res.find((r) => r.from === 'node_modules/@embedpdf/fonts-sc/fonts')
    expect(font).toMatchObject({ to: 'resources/fonts', filter: ['NotoSansHans-Regular.otf'] })
    expect(existsSync(join(REPO, 'node_modules/@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf'))).toBe(true)
    const licence = res.find((r) => r.from === 'node_modules/@embedpdf/fonts-sc/LICENSE')
    expect(licence?.to).toBe('resources/fonts/NotoSansHans-OFL.txt')
    expect(existsSync(join(REPO, licence!.from))).toBe(true)
  })

  it('has an icon electron-builder can make .ico and .icns from: a PNG of at least 512×512', () => {
    expect(config.icon).toBe('resources/icon.png')
    const png = readFileSync(join(REPO, config.icon as string))
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG')
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR')
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)]
    expect(w).toBe(h)
    expect(w).toBeGreaterThanOrEqual(512)
  })

  it('keeps signing in the environment: no certificate, password, identity or Apple account in the file', () => {
    const forbidden = /password|csclink|certificate|identity|appleid|teamid|apikey|secret|token|sign$/i
    const found: string[] = []
    walk(config, (k) => {
      if (forbidden.test(k)) found.push(k)
    })
    expect(found).toEqual([])
    const text = readFileSync(join(REPO, 'electron-builder.yml'), 'utf8')
    for (const v of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'WIN_CSC_LINK', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) expect(text).toContain(v)
    // notarization is left to the environment (electron-builder notarizes when the APPLE_* variables are set)
    expect(config.mac.notarize).toBeUndefined()
    expect(config.mac.hardenedRuntime).toBe(true)
  })

  it('publishes a generic update feed whose address comes from the build environment', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.DAYBOOK_UPDATE_URL}', channel: 'latest' }])
    const before = process.env.DAYBOOK_UPDATE_URL
    process.env.DAYBOOK_UPDATE_URL = 'https://updates.example.com/daybook/stable'
    try {
      expect(expandMacro(config.publish[0].url, null, {} as never)).toBe('https://updates.example.com/daybook/stable')
    } finally {
      if (before === undefined) delete process.env.DAYBOOK_UPDATE_URL
      else process.env.DAYBOOK_UPDATE_URL = before
    }
    // electron-updater is what the packaged app installs updates with: a runtime dependency, pinned
    expect(pkg.dependencies['electron-updater']).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

describe('.github/workflows/release.yml', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const wf = parseYaml(readFileSync(join(REPO, '.github/workflows/release.yml'), 'utf8')) as any
  const job = wf?.jobs?.build
  const steps = (job?.steps ?? []) as { name?: string; run?: string; uses?: string; with?: Record<string, unknown>; if?: string }[]
  const runs = steps.map((s) => s.run ?? '').join('\n')

  it('is valid YAML that runs on every tag v*, on Windows and macOS runners', () => {
    expect(wf.on.push.tags).toEqual(['v*'])
    expect(job['runs-on']).toBe('${{ matrix.os }}')
    expect((job.strategy.matrix.include as { os: string }[]).map((m) => m.os).sort()).toEqual(['macos-latest', 'windows-latest'])
    expect(wf.permissions).toEqual({ contents: 'read' })
  })

  it('installs, builds the Electron-ABI better-sqlite3, makes the installers, smoke-tests and uploads them', () => {
    const order = ['npm ci', 'electron-sqlite.mjs', 'npm run dist', 'smoke.packaged.ts'].map((needle) => steps.findIndex((s) => (s.run ?? '').includes(needle)))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(existsSync(join(REPO, '.github/scripts/electron-sqlite.mjs'))).toBe(true)
    expect(existsSync(join(REPO, 'test/packaged/smoke.packaged.ts'))).toBe(true)
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && String(s.with?.path).includes('latest*.yml'))
    expect(String(upload?.with?.path)).toMatch(/\*\.exe[\s\S]*\*\.dmg[\s\S]*\*\.zip/)
    expect(runs).toContain('npm run dist -- ${{ matrix.dist-args }}')
  })

  it('takes signing material only from secrets', () => {
    const text = readFileSync(join(REPO, '.github/workflows/release.yml'), 'utf8')
    for (const v of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) {
      expect(text).toContain(`${v}: \${{ secrets.${v} }}`)
    }
  })

  it('the packaged smoke test is not one of the tests `npm test` runs', async () => {
    const configFile = join(REPO, 'vitest.config.mts')
    const include = ((await import(configFile)) as { default: { test: { include: string[] } } }).default.test.include
    const picked = (file: string) => include.some((g) => posix.matchesGlob(file, g))
    expect(picked('test/packaged/smoke.packaged.ts')).toBe(false)
    expect(picked('test/packaging/builder-config.test.ts')).toBe(true)
    expect(picked('test/updates/install.test.ts')).toBe(true)
  })
})

// npm start: the desktop app. Electron needs better-sqlite3 built for ITS ABI, while the tests
// need the Node build in node_modules. The Electron build is kept apart, under
// native/better-sqlite3/node-v<ABI>-<platform>-<arch>/, and the core picks it by the running ABI.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const root = process.cwd()
const electronPkg = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'))
const abi = readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim()
const target = join(root, 'native', 'better-sqlite3', `node-v${abi}-${process.platform}-${process.arch}`)
const binary = join(target, 'better_sqlite3.node')

/** The addon names its ABI in its exported init symbol: a build for Node says v115, not v150. */
function builtForAbi(file) {
  return readFileSync(file).includes(Buffer.from(`node_register_module_v${abi}`))
}

function buildForElectron() {
  console.log(`Building better-sqlite3 for Electron ${electronPkg.version} (ABI ${abi}); the Node build used by the tests is left alone…`)
  const work = join(root, 'node_modules', '.cache', 'better-sqlite3-electron')
  rmSync(work, { recursive: true, force: true })
  cpSync(join(root, 'node_modules/better-sqlite3'), work, { recursive: true, filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`) })
  // npm exports npm_config_nodedir from ~/.npmrc; node-gyp would then silently build against Node's headers.
  const env = { ...process.env }
  for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_config_')) delete env[k]
  const prebuilt = spawnSync(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronPkg.version, '--arch', process.arch, '--platform', process.platform], { cwd: work, stdio: 'inherit', env })
  if (prebuilt.status !== 0) {
    console.log('No prebuilt binary; compiling against Electron headers with node-gyp…')
    execFileSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${electronPkg.version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`], { cwd: work, stdio: 'inherit', env })
  }
  const built = join(work, 'build', 'Release', 'better_sqlite3.node')
  if (!existsSync(built) || !builtForAbi(built)) throw new Error(`The better-sqlite3 build is not for ABI ${abi}; refusing to use it.`)
  mkdirSync(target, { recursive: true })
  copyFileSync(built, binary)
  console.log(`Electron build of better-sqlite3 ready at ${binary}`)
}

try {
  if (!existsSync(binary) || !builtForAbi(binary)) buildForElectron()
} catch (e) {
  console.error(`\nCould not get better-sqlite3 for Electron: ${e instanceof Error ? e.message : e}`)
  console.error('This needs internet access to Electron\'s headers or prebuilt binaries. Without a display or Electron, use: npm run serve -- --demo')
  process.exit(1)
}

const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env } })
if (r.status !== 0) {
  console.error('\nElectron did not start. On a machine where the Electron binary cannot be downloaded, use: npm run serve -- --demo')
}
process.exit(r.status ?? 1)

// The release workflow's step "better-sqlite3 for Electron": builds better-sqlite3 for Electron's
// ABI, for each architecture given (default: this machine's), into
// native/better-sqlite3/node-v<ABI>-<platform>-<arch>/better_sqlite3.node — where electron-builder's
// extraResources takes it from and src/main/core/native-binding.ts finds it at run time. The Node
// build in node_modules (the tests') is left alone: the work happens in a copy.
//   node .github/scripts/electron-sqlite.mjs [arch…]      e.g. arm64 x64 on a Mac
// Same method as scripts/start.mjs (prebuilt binary first, else node-gyp against Electron's headers),
// with npm_config_* removed from the environment so that a nodedir setting cannot make node-gyp
// build against Node's headers and label the result Electron (toolchain.md §2).
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, sep } from 'node:path'

const require = createRequire(import.meta.url)
const root = process.cwd()
const electron = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version
const abi = readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim()
const arches = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [process.arch]

const env = { ...process.env }
for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_config_')) delete env[k]

/** A Node addon names its ABI in its init symbol: node_register_module_v<ABI>. */
function builtFor(file) {
  return readFileSync(file).includes(Buffer.from(`node_register_module_v${abi}`))
}

for (const arch of arches) {
  const target = join(root, 'native', 'better-sqlite3', `node-v${abi}-${process.platform}-${arch}`)
  const work = join(root, 'node_modules', '.cache', `better-sqlite3-electron-${arch}`)
  rmSync(work, { recursive: true, force: true })
  cpSync(join(root, 'node_modules/better-sqlite3'), work, { recursive: true, filter: (src) => !src.includes(`${sep}better-sqlite3${sep}build`) })
  console.log(`better-sqlite3 for Electron ${electron} (ABI ${abi}), ${process.platform}-${arch}`)
  const prebuilt = spawnSync(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electron, '--arch', arch, '--platform', process.platform], { cwd: work, stdio: 'inherit', env })
  if (prebuilt.status !== 0) {
    console.log('No prebuilt binary: compiling against Electron headers with node-gyp')
    execFileSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${electron}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', `--arch=${arch}`], { cwd: work, stdio: 'inherit', env })
  }
  const built = join(work, 'build', 'Release', 'better_sqlite3.node')
  if (!existsSync(built) || !builtFor(built)) throw new Error(`${built} is not a build for ABI ${abi}; refusing it`)
  mkdirSync(target, { recursive: true })
  copyFileSync(built, join(target, 'better_sqlite3.node'))
  console.log(`  → ${join(target, 'better_sqlite3.node')}`)
}

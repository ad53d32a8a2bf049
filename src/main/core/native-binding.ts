import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * better-sqlite3 is a V8 addon: one binary serves exactly one ABI. Node (tests, serve) uses the
 * default build in node_modules; Electron (ABI 150 for Electron 45) uses the build kept under
 * native/better-sqlite3/node-v<ABI>-<platform>-<arch>/, chosen here by the running ABI, so the
 * two never overwrite each other.
 */
export function nativeBindingDir(root: string, abi = process.versions.modules, platform = process.platform, arch = process.arch): string {
  return join(root, 'native', 'better-sqlite3', `node-v${abi}-${platform}-${arch}`)
}

export function betterSqliteBinding(root: string): string | undefined {
  const file = join(nativeBindingDir(root), 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}

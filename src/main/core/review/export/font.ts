import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

/**
 * The CJK font the PDF exports embed (pdfkit subsets it: only the glyphs used go into a file).
 *
 * Noto Sans Hans Regular (Simplified Chinese, GB2312 coverage, plus Latin, digits, ¥ − · –), SIL Open
 * Font License 1.1, from the npm package @embedpdf/fonts-sc (a devDependency: the font is data, not
 * code, and only this one weight of the package's five ships with the app).
 *
 * Where it is found, first hit wins:
 *  1. DAYBOOK_CJK_FONT: an explicit path (tests, or a store that wants another OFL font);
 *  2. $DAYBOOK_RESOURCES/fonts/NotoSansHans-Regular.otf — the packaged app: electron-builder's
 *     extraResources copies node_modules/@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf (and
 *     the OFL text) to <resources>/resources/fonts/, and the Electron main process sets
 *     DAYBOOK_RESOURCES for the core host (src/main/index.ts);
 *  3. <repo>/resources/fonts/NotoSansHans-Regular.otf (a dev tree with the font copied in);
 *  4. node_modules/@embedpdf/fonts-sc/fonts/… resolved by Node from this module, DAYBOOK_APP_ROOT or
 *     the working directory: vitest, `npm run serve`, `npm run dev`.
 */

export const CJK_FONT_FILE = 'NotoSansHans-Regular.otf'
const FONT_PACKAGE = '@embedpdf/fonts-sc'

function fromPackage(base: string): string | null {
  try {
    // The package's exports hide package.json: resolve its entry (dist/index.cjs) and step up.
    const entry = createRequire(join(base, 'noop.js')).resolve(FONT_PACKAGE)
    return resolve(dirname(entry), '..', 'fonts', CJK_FONT_FILE)
  } catch {
    return null
  }
}

/** Every place looked at, in order (for the error message too). */
export function cjkFontCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list: (string | null)[] = [
    env.DAYBOOK_CJK_FONT ?? null,
    env.DAYBOOK_RESOURCES ? join(env.DAYBOOK_RESOURCES, 'fonts', CJK_FONT_FILE) : null,
    typeof __dirname === 'string' ? resolve(__dirname, '../../../../../resources/fonts', CJK_FONT_FILE) : null,
    typeof __dirname === 'string' ? fromPackage(__dirname) : null,
    env.DAYBOOK_APP_ROOT ? fromPackage(env.DAYBOOK_APP_ROOT) : null,
    fromPackage(process.cwd()),
  ]
  return [...new Set(list.filter((x): x is string => !!x))]
}

export function cjkFontPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = cjkFontCandidates(env)
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`The CJK font for PDF exports (${CJK_FONT_FILE}) was not found; looked in: ${candidates.join(', ')}`)
  return found
}

const cache = new Map<string, Buffer>()

/** The font's bytes (read once per path, ~8 MB, kept for the next export). */
export function loadCjkFont(path: string = cjkFontPath()): Buffer {
  let bytes = cache.get(path)
  if (!bytes) {
    bytes = readFileSync(path)
    cache.set(path, bytes)
  }
  return bytes
}

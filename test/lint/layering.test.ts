import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { REPO } from '../helpers/tmp'

/** Proves the layering rule bites: each forbidden import in each layer is an error. */
const eslint = new ESLint({ cwd: REPO })

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layering lint rule', () => {
  it.each([
    ['src/shared/x.ts', "import { Core } from '../main/core/service'"],
    ['src/shared/x.ts', "import { readFileSync } from 'node:fs'"],
    ['src/main/core/x.ts', "import { app } from 'electron'"],
    ['src/main/core/x.ts', "import { startServer } from '../serve/server'"],
    ['src/renderer/src/x.ts', "import { Core } from '../../main/core/service'"],
    ['src/renderer/src/x.ts', "import Database from 'better-sqlite3'"],
    ['src/preload/x.ts', "import { Core } from '../main/core/service'"],
    ['src/platform/x.ts', "import { openDatabase } from '../main/core/db/sqlite'"],
    ['test/x.test.ts', "import { app } from 'electron'"],
  ])('%s may not: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\nexport const used = 1\n`)).toHaveLength(1)
  })

  it.each([
    ['src/main/core/x.ts', "import { priceCart } from '../../shared/pricing'"],
    ['src/main/x.ts', "import { Core } from './core/service'"],
    ['src/renderer/src/x.ts', "import { formatMoney } from '../../shared/money'"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron'"],
  ])('%s may: %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\nexport const used = 1\n`)).toEqual([])
  })
})

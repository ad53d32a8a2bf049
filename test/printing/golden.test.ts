import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FIXTURES, golden } from './support'

/** A golden file that is missing (deleted, renamed) fails the test; only UPDATE_GOLDEN=1 writes one. */
const name = `missing-golden-${process.pid}`
const file = join(FIXTURES, `${name}.txt`)
afterEach(() => rmSync(file, { force: true }))

describe('golden()', () => {
  it('fails on a missing golden file and writes nothing', () => {
    expect(() => golden(name, 'a receipt\n', {})).toThrow(/golden file test\/fixtures\/printing\/missing-golden-\d+\.txt is missing: run with UPDATE_GOLDEN=1/)
    expect(existsSync(file)).toBe(false)
  })

  it('with UPDATE_GOLDEN=1 writes it; then compares with it', () => {
    golden(name, 'a receipt\n', { UPDATE_GOLDEN: '1' })
    expect(readFileSync(file, 'utf8')).toBe('a receipt\n')
    golden(name, 'a receipt\n', {})
    expect(() => golden(name, 'another receipt\n', {})).toThrow(/differs/)
  })

  it('every golden the receipts test reads is there', () => {
    for (const kind of ['sale', 'reprint', 'refund', 'x', 'shift', 'z'])
      for (const lang of ['zh', 'en']) for (const width of [58, 80]) expect(existsSync(join(FIXTURES, `${kind}-${lang}-${width}.txt`)), `${kind}-${lang}-${width}`).toBe(true)
  })
})

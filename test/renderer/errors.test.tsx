import { describe, expect, it } from 'vitest'
import i18n from '../../src/renderer/src/i18n'
import { en } from '../../src/renderer/src/i18n/en'
import { zh } from '../../src/renderer/src/i18n/zh'
import { describeError, fieldIssues } from '../../src/renderer/src/lib/errors'
import { ERROR_CODES } from '../../src/shared/errors'

function keysOf(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('user-facing errors', () => {
  it('zh and en have the same keys, and every error code has a sentence', () => {
    expect(keysOf(zh).sort()).toEqual(keysOf(en).sort())
    for (const code of ERROR_CODES) expect(en.errors).toHaveProperty(code)
  })

  it('says how many PIN tries are left, and when to try again', async () => {
    await i18n.changeLanguage('en')
    const t = i18n.t.bind(i18n)
    expect(describeError(t, { code: 'wrong_pin', message: 'x', details: { triesLeft: 3 } })).toBe('That PIN is not right. 3 tries left.')
    expect(describeError(t, { code: 'locked_out', message: 'x', details: { retryAfterSeconds: 60 } })).toBe(
      'Too many wrong PINs. Try again in a minute.',
    )
    expect(describeError(t, { code: 'not_found', message: 'x' }, { barcode: '6901234' })).toBe('No product has barcode 6901234.')
    expect(describeError(t, { code: 'insufficient_tender', message: 'x' }, { shortBy: '¥1.00' })).toBe('Not enough cash: ¥1.00 more is needed.')
    await i18n.changeLanguage('zh-CN')
    expect(describeError(i18n.t.bind(i18n), { code: 'wrong_pin', message: 'x', details: { triesLeft: 2 } })).toBe('PIN 码不正确，还可以尝试 2 次。')
  })

  it('never shows an internal message or stack', async () => {
    await i18n.changeLanguage('en')
    const text = describeError(i18n.t.bind(i18n), { code: 'internal', message: 'TypeError: x is undefined at foo.ts:12' })
    expect(text).not.toMatch(/TypeError|foo\.ts/)
  })

  it('reads zod issues from details', () => {
    expect(fieldIssues([{ path: ['taxes', 0, 'rate'], message: 'bad rate' }])).toEqual([{ path: 'taxes.0.rate', message: 'bad rate' }])
    expect(fieldIssues({ issues: [{ path: ['storeName'], message: 'required' }] })).toEqual([{ path: 'storeName', message: 'required' }])
    expect(fieldIssues('nope')).toEqual([])
  })
})

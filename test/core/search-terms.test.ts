// The search terms written for each product and the MATCH expression built from what a cashier
// types. searchTerms runs on every product of an import, so it works on character codes; a plain
// reference (a regular expression per character) checks it here.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { importCatalog, searchProducts } from '../../src/main/core/catalog'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { searchQuery, searchTerms } from '../../src/main/core/search-terms'
import { generateCatalog, typedQueries } from '../../bench/catalog-gen'

const isCjk = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)

/** Latin and CJK runs, one code point at a time. */
function runs(text: string): { latin: string[]; cjk: string[] } {
  const latin: string[] = []
  const cjk: string[] = []
  let run = ''
  let runCjk = false
  const end = (): void => {
    if (run) (runCjk ? cjk : latin).push(run)
    run = ''
  }
  for (const ch of text.toLowerCase()) {
    const c = ch.codePointAt(0) as number
    const word = isCjk(c) || /[\p{L}\p{N}]/u.test(ch)
    if (!word) end()
    else {
      if (run && isCjk(c) !== runCjk) end()
      runCjk = isCjk(c)
      run += ch
    }
  }
  end()
  return { latin, cjk }
}

/** The reference: latin words, then each CJK run as its bigrams and its last character. */
function referenceTerms(nameEn: string, nameZh: string, sku: string): string {
  const { latin, cjk } = runs(`${nameEn} ${nameZh} ${sku}`)
  const grams = cjk.flatMap((r) => [...Array.from({ length: r.length - 1 }, (_, i) => r.slice(i, i + 2)), r.slice(-1)])
  return [...latin, ...grams].join(' ')
}

/** How terms were written before issue 14: every CJK character, then the bigrams. */
function oldTerms(nameEn: string, nameZh: string, sku: string): string {
  const { latin, cjk } = runs(`${nameEn} ${nameZh} ${sku}`)
  const grams = cjk.flatMap((r) => [...r, ...Array.from({ length: r.length - 1 }, (_, i) => r.slice(i, i + 2))])
  return [...latin, ...grams].join(' ')
}

const pieces = fc.constantFrom('a', 'Z', '1', ' ', '-', "'", '"', 'é', 'İ', 'ß', '牛', '奶', '鲜', '㐀', '豈', '𠀀', '😀', '\ud800', '\udc00', 'ａ', 'Ⅻ', '٣', '\u0308', 'ꀀ', '。', '〇', '1段')
const text = fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 16 }).map((a) => a.join(''))

describe('searchTerms', () => {
  it('splits as the reference does, for any text', () => {
    fc.assert(fc.property(text, text, text, (a, b, c) => searchTerms(a, b, c) === referenceTerms(a, b, c)), { numRuns: 5000 })
  })

  it('indexes a CJK run as its bigrams and its last character', () => {
    expect(searchTerms('Fresh Milk 1L', '鲜牛奶 1L', 'SKU-1')).toBe('fresh milk 1l 1l sku 1 鲜牛 牛奶 奶')
    expect(searchTerms('Pears', '梨', 'P1')).toBe('pears p1 梨')
    expect(searchTerms('Stage 1', '1段', 'B1')).toBe('stage 1 1 b1 段')
  })

  it('asks for one CJK character as a prefix, two or more as bigrams', () => {
    expect(searchQuery('牛')).toBe('"牛"*')
    expect(searchQuery('牛奶')).toBe('"牛奶"')
    expect(searchQuery('鲜牛奶 mil')).toBe('"mil"* AND "鲜牛" AND "牛奶"')
    expect(searchQuery(' - ')).toBeNull()
  })

  it('finds the same products in an index written the old way (every character a term) and the new way', () => {
    const catalog = generateCatalog(1500, 21)
    const queries = [...typedQueries(catalog, 200).map((q) => q.text), ...'牛奶鲜梨虾龙段酒茶'.split(''), '牛奶', '鲜牛奶', '1段']
    const fresh = openDatabase(':memory:')
    const old = openDatabase(':memory:')
    try {
      importCatalog(fresh, catalog, '2026-12-06T00:00:00.000Z')
      importCatalog(old, catalog, '2026-12-06T00:00:00.000Z')
      old.exec('DELETE FROM product_search')
      const insert = old.prepare('INSERT INTO product_search (rowid, terms) VALUES (?, ?)')
      for (const r of old.prepare('SELECT rowid AS rid, name_en, name_zh, sku FROM products').all() as { rid: number; name_en: string; name_zh: string; sku: string }[]) {
        insert.run(r.rid, oldTerms(r.name_en, r.name_zh, r.sku))
      }
      let found = 0
      for (const q of queries) {
        const a = searchProducts(fresh, q, undefined, 500).map((p) => p.id)
        expect(searchProducts(old, q, undefined, 500).map((p) => p.id), q).toEqual(a)
        found += a.length
      }
      expect(found).toBeGreaterThan(queries.length)
      // And one character finds what the old exact term found in the old index.
      const match = (db: typeof old, m: string): unknown[] => db.prepare('SELECT rowid FROM product_search WHERE product_search MATCH ? ORDER BY rowid').all(m)
      for (const c of '牛奶鲜梨虾龙段酒茶') {
        expect(match(fresh, searchQuery(c) as string), c).toEqual(match(old, `"${c}"`))
        expect(match(old, `"${c}"`).length, c).toBeGreaterThan(0)
      }
    } finally {
      fresh.close()
      old.close()
    }
  })
})

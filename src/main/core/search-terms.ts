/**
 * Product search terms for the FTS5 index. unicode61 splits on spaces and punctuation but treats
 * a run of Chinese characters as one token, so CJK text is indexed as its single characters and
 * its character bigrams (as Lucene's CJK analyzer does): "鲜牛奶" → 鲜 牛 奶 鲜牛 牛奶.
 */
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u

function splitRuns(text: string): { latin: string[]; cjk: string[] } {
  const latin: string[] = []
  const cjk: string[] = []
  let cur = ''
  let curCjk = false
  const flush = (): void => {
    if (cur) (curCjk ? cjk : latin).push(cur)
    cur = ''
  }
  for (const ch of text.toLowerCase()) {
    const isCjk = CJK.test(ch)
    const isWord = isCjk || /[\p{L}\p{N}]/u.test(ch)
    if (!isWord) {
      flush()
      continue
    }
    if (cur && isCjk !== curCjk) flush()
    curCjk = isCjk
    cur += ch
  }
  flush()
  return { latin, cjk }
}

function cjkGrams(run: string): string[] {
  const chars = [...run]
  const out = [...chars]
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!)
  return out
}

export function searchTerms(nameEn: string, nameZh: string, sku: string): string {
  const { latin, cjk } = splitRuns(`${nameEn} ${nameZh} ${sku}`)
  return [...latin, ...cjk.flatMap(cjkGrams)].join(' ')
}

/**
 * An FTS5 MATCH expression for what a cashier typed: every latin word as a prefix, every CJK run
 * as its bigrams (or the single character), all required. Null when nothing searchable was typed.
 */
export function searchQuery(typed: string): string | null {
  const { latin, cjk } = splitRuns(typed)
  const terms = [
    ...latin.map((w) => `"${w.replace(/"/g, '""')}"*`),
    ...cjk.flatMap((run) => {
      const chars = [...run]
      if (chars.length === 1) return [`"${run}"`]
      const grams: string[] = []
      for (let i = 0; i + 1 < chars.length; i++) grams.push(`"${chars[i]!}${chars[i + 1]!}"`)
      return grams
    }),
  ]
  return terms.length === 0 ? null : terms.join(' AND ')
}

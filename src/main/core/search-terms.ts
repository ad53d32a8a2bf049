/**
 * Product search terms for the FTS5 index. unicode61 splits on spaces and punctuation but treats
 * a run of Chinese characters as one token, so CJK text is indexed as its single characters and
 * its character bigrams (as Lucene's CJK analyzer does): "鲜牛奶" → 鲜 牛 奶 鲜牛 牛奶.
 */
const WORD = /[\p{L}\p{N}]/u

/** CJK as the import has always split it: U+3400–4DBF, U+4E00–9FFF, U+F900–FAFF (no astral planes). */
function isCjkCode(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)
}

/**
 * Latin and CJK runs of the lower-cased text. Character codes, not a regular expression per
 * character: this runs for every product of a 200,000-product import. ASCII letters and digits and
 * the CJK ranges are decided by their code; any other character by \p{L}\p{N} as before.
 */
function splitRuns(text: string): { latin: string[]; cjk: string[] } {
  const latin: string[] = []
  const cjk: string[] = []
  const s = text.toLowerCase()
  let start = -1
  let curCjk = false
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i) as number
    const width = c > 0xffff ? 2 : 1
    const isCjk = isCjkCode(c)
    const isWord =
      isCjk ||
      (c < 0x80 ? (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) : WORD.test(s.slice(i, i + width)))
    if (!isWord) {
      if (start >= 0) (curCjk ? cjk : latin).push(s.slice(start, i))
      start = -1
    } else {
      if (start >= 0 && isCjk !== curCjk) {
        ;(curCjk ? cjk : latin).push(s.slice(start, i))
        start = -1
      }
      if (start < 0) start = i
      curCjk = isCjk
    }
    i += width
  }
  if (start >= 0) (curCjk ? cjk : latin).push(s.slice(start))
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

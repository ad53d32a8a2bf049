/**
 * Product search terms for the FTS5 index. unicode61 splits on spaces and punctuation but treats
 * a run of Chinese characters as one token, so CJK text is indexed as its character bigrams (as
 * Lucene's CJK analyzer does) and its last character: "鲜牛奶" → 鲜牛 牛奶 奶. Every character of
 * the run then begins a term, so one typed character is found as a prefix ("牛"*, from the index's
 * 1-character prefix index), two or more as their bigrams. (Until issue 14 every single character
 * was a term of its own too, "鲜 牛 奶 鲜牛 牛奶": a third more terms and prefix-index entries to
 * write for the same matches. A product indexed that way is still found by the same queries.)
 */
const WORD = /[\p{L}\p{N}]/u

/** CJK as the import has always split it: U+3400–4DBF, U+4E00–9FFF, U+F900–FAFF (no astral planes). */
function isCjkCode(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)
}

const LATIN = 1
const CJK = 2
/** Added to a kind when the character is two UTF-16 units (outside the BMP). */
const WIDE = 4

/**
 * What the character at i of a lower-cased text is: 0 (not part of a word), LATIN (any other letter
 * or digit) or CJK, plus WIDE for a surrogate pair. ASCII and the CJK ranges are decided by their
 * code; any other character by \p{L}\p{N}. Character codes, not a regular expression per character:
 * this runs for every character of every product of a 200,000-product import.
 */
function kindAt(s: string, i: number): number {
  const c = s.charCodeAt(i)
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ? LATIN : 0
  // From U+3400 up to the surrogates a character is one unit.
  if (c >= 0x3400 && c < 0xd800) return isCjkCode(c) ? CJK : WORD.test(s[i] as string) ? LATIN : 0
  const cp = s.codePointAt(i) as number
  if (isCjkCode(cp)) return CJK
  const wide = cp > 0xffff
  return (wide ? WIDE : 0) | (WORD.test(s.slice(i, i + (wide ? 2 : 1))) ? LATIN : 0)
}

/**
 * Where the run of word characters of one kind that starts at i ends (i is a word character): a
 * run is latin or CJK, so "1段" is the latin run "1" and the CJK run "段".
 */
function runEnd(s: string, i: number, kind: number): number {
  const n = s.length
  while (i < n) {
    const k = kindAt(s, i)
    if ((k & 3) !== kind) break
    i += k & WIDE ? 2 : 1
  }
  return i
}

/** Latin and CJK runs of the lower-cased text, each in text order. */
function splitRuns(text: string): { latin: string[]; cjk: string[] } {
  const latin: string[] = []
  const cjk: string[] = []
  const s = text.toLowerCase()
  for (let i = 0; i < s.length; ) {
    const kind = kindAt(s, i) & 3
    if (kind === 0) {
      i += kindAt(s, i) & WIDE ? 2 : 1
      continue
    }
    const end = runEnd(s, i, kind)
    ;(kind === CJK ? cjk : latin).push(s.slice(i, end))
    i = end
  }
  return { latin, cjk }
}

/**
 * The terms of one product: its latin words in order, then each CJK run as its bigrams followed by
 * its last character. Built in one pass without the intermediate run arrays (every CJK character
 * is one UTF-16 unit: the ranges above are all in the BMP).
 */
export function searchTerms(nameEn: string, nameZh: string, sku: string): string {
  const s = `${nameEn} ${nameZh} ${sku}`.toLowerCase()
  const out: string[] = []
  const grams: string[] = []
  for (let i = 0; i < s.length; ) {
    const k = kindAt(s, i)
    const kind = k & 3
    if (kind === 0) {
      i += k & WIDE ? 2 : 1
      continue
    }
    const end = runEnd(s, i, kind)
    if (kind === LATIN) out.push(s.slice(i, end))
    else {
      for (let j = i; j + 1 < end; j++) grams.push(s.slice(j, j + 2))
      grams.push(s[end - 1] as string)
    }
    i = end
  }
  for (const g of grams) out.push(g)
  return out.join(' ')
}

/**
 * An FTS5 MATCH expression for what a cashier typed: every latin word as a prefix, every CJK run
 * as its bigrams (or the single character, as a prefix: the terms that begin with it), all
 * required. Null when nothing searchable was typed.
 */
export function searchQuery(typed: string): string | null {
  const { latin, cjk } = splitRuns(typed)
  const terms = [
    ...latin.map((w) => `"${w.replace(/"/g, '""')}"*`),
    ...cjk.flatMap((run) => {
      const chars = [...run]
      if (chars.length === 1) return [`"${run}"*`]
      const grams: string[] = []
      for (let i = 0; i + 1 < chars.length; i++) grams.push(`"${chars[i]!}${chars[i + 1]!}"`)
      return grams
    }),
  ]
  return terms.length === 0 ? null : terms.join(' AND ')
}

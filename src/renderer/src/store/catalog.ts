import type { Category, Product } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import { invoke } from '../api'
import type { Slice } from './types'

export interface CatalogSlice {
  categories: Category[]
  products: Product[]
  query: string
  categoryId: string | null
  searchError: ErrorData | null
  /** Every product seen so far, by id: names for cart lines before the first quote arrives. */
  productCache: Record<string, Product>
  loadCategories: () => Promise<void>
  setQuery: (query: string) => void
  setCategory: (categoryId: string | null) => void
  search: () => Promise<void>
  rememberProducts: (products: readonly Product[]) => void
}

const SEARCH_DEBOUNCE_MS = 120
const DIGITS_DEBOUNCE_MS = 400
let searchTimer: ReturnType<typeof setTimeout> | null = null
let searchSeq = 0

export const createCatalogSlice: Slice<CatalogSlice> = (set, get) => ({
  categories: [],
  products: [],
  query: '',
  categoryId: null,
  searchError: null,
  productCache: {},

  async loadCategories() {
    const r = await invoke('catalog-categories', {})
    if (r.ok) set({ categories: r.value })
  },

  setQuery(query) {
    set({ query })
    if (searchTimer) clearTimeout(searchTimer)
    // digits alone may be a scan in progress: wait longer before searching for them
    const delay = /^\d+$/.test(query.trim()) ? DIGITS_DEBOUNCE_MS : SEARCH_DEBOUNCE_MS
    searchTimer = setTimeout(() => {
      searchTimer = null
      void get().search()
    }, delay)
  },

  setCategory(categoryId) {
    set({ categoryId })
    void get().search()
  },

  async search() {
    if (!get().session) return
    const seq = ++searchSeq
    const { query, categoryId } = get()
    const input = categoryId ? { query: query.trim(), categoryId, limit: 200 } : { query: query.trim(), limit: 200 }
    const r = await invoke('catalog-search', input)
    if (seq !== searchSeq) return
    if (r.ok) {
      set({ products: r.value, searchError: null })
      get().rememberProducts(r.value)
    } else {
      set({ searchError: r.error })
    }
  },

  rememberProducts(products) {
    if (products.length === 0) return
    const cache = { ...get().productCache }
    for (const p of products) cache[p.id] = p
    set({ productCache: cache })
  },
})

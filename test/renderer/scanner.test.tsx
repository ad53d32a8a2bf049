import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SCAN_AVG_GAP_MS, WedgeScanner, type KeyEventLike, type ScannerHost } from '../../src/renderer/src/lib/scanner'

type Target = { tagName: string; type?: string; blur?: () => void }

const body: Target = { tagName: 'BODY' }
const button: Target = { tagName: 'BUTTON' }
const otherInput: Target = { tagName: 'INPUT', type: 'text' }

function key(k: string, target: Target) {
  const e = {
    key: k,
    target: target as unknown as EventTarget,
    isComposing: false,
    keyCode: 0,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    preventDefault: vi.fn(),
    stopImmediatePropagation: vi.fn(),
  }
  return e satisfies KeyEventLike
}

function setup(withSearch = true) {
  let clock = 0
  let query = ''
  const search: Target = { tagName: 'INPUT', type: 'search', blur: vi.fn() }
  const calls = { scans: [] as string[], typed: [] as string[], submits: 0 }
  const host: ScannerHost = {
    enabled: () => true,
    searchInput: () => (withSearch ? (search as unknown as HTMLInputElement) : null),
    getSearch: () => query,
    setSearch: (t) => {
      query = t
    },
    typeIntoSearch: (t) => {
      calls.typed.push(t)
      query += t
    },
    submitSearch: () => {
      calls.submits++
    },
    onScan: (c) => calls.scans.push(c),
  }
  const scanner = new WedgeScanner(host, () => clock)
  /** Presses keys `gap` ms apart; keys after the first go where focus would be (the search box once typed into). */
  const type = (text: string, gap: number, start: Target) => {
    const results: boolean[] = []
    let target = start
    for (const ch of text) {
      clock += gap
      const e = key(ch, target)
      const taken = scanner.handleKeyDown(e)
      if (!taken && target === search) query += ch // the box takes the key natively
      if (taken && calls.typed.length > 0 && withSearch) target = search // type-to-search moved the focus
      results.push(taken)
    }
    return { results, target }
  }
  const enter = (gap: number, target: Target) => {
    clock += gap
    const e = key('Enter', target)
    return { taken: scanner.handleKeyDown(e), e }
  }
  return { scanner, search, calls, type, enter, getQuery: () => query, setQuery: (q: string) => (query = q) }
}

describe('WedgeScanner', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('takes a fast burst ending in Enter as a scan when nothing is focused, and leaves the search box as it was', () => {
    const s = setup()
    const { target } = s.type('6901234500004', 8, body)
    const { taken, e } = s.enter(8, target)
    expect(taken).toBe(true)
    expect(e.preventDefault).toHaveBeenCalled()
    expect(e.stopImmediatePropagation).toHaveBeenCalled()
    expect(s.calls.scans).toEqual(['6901234500004'])
    expect(s.getQuery()).toBe('')
    expect(s.search.blur).toHaveBeenCalled()
  })

  it('takes a scan typed into the search box and restores what the box held', () => {
    const s = setup()
    s.setQuery('col')
    const { target } = s.type('6901234537017', 10, s.search)
    expect(s.getQuery()).toBe('col6901234537017')
    expect(s.enter(10, target).taken).toBe(true)
    expect(s.calls.scans).toEqual(['6901234537017'])
    expect(s.getQuery()).toBe('col')
  })

  it('survives one slow gap in a scan on a busy machine', () => {
    const s = setup()
    let t = s.type('690123', 10, body).target
    t = s.type('4', 120, t).target
    t = s.type('500004', 10, t).target
    expect(s.enter(10, t).taken).toBe(true)
    expect(s.calls.scans).toEqual(['6901234500004'])
  })

  it('leaves human typing alone: slow keys go to the search box and Enter is not a scan', () => {
    const s = setup()
    const { target } = s.type('6901234500004', 90, body)
    expect(s.getQuery()).toBe('6901234500004')
    expect(s.enter(90, target).taken).toBe(false)
    expect(s.calls.scans).toEqual([])
  })

  it('needs an average gap of at most SCAN_AVG_GAP_MS', () => {
    const s = setup()
    const { target } = s.type('12345678', SCAN_AVG_GAP_MS + 15, s.search)
    expect(s.enter(SCAN_AVG_GAP_MS + 15, target).taken).toBe(false)
    expect(s.calls.scans).toEqual([])
  })

  it('needs at least 6 characters', () => {
    const s = setup()
    const { target } = s.type('12345', 5, body)
    expect(s.enter(5, target).taken).toBe(false)
    expect(s.calls.scans).toEqual([])
  })

  it('a pause breaks a burst', () => {
    const s = setup()
    let t = s.type('6901234', 5, body).target
    t = s.type('500004', 5, t).target // first of these after 5 ms: still one burst
    expect(s.enter(400, t).taken).toBe(false) // Enter long after the last key
    expect(s.calls.scans).toEqual([])
  })

  it('leaves + and − to the quantity shortcuts when they start a burst', () => {
    const s = setup()
    expect(s.type('+', 500, body).results).toEqual([false])
    expect(s.type('-', 20, body).results).toEqual([false])
    expect(s.calls.typed).toEqual([])
  })

  it('ignores keys typed into other fields (a dialog input)', () => {
    const s = setup()
    const { results } = s.type('6901234500004', 5, otherInput)
    expect(results.every((r) => r === false)).toBe(true)
    expect(s.enter(5, otherInput).taken).toBe(false)
    expect(s.calls.scans).toEqual([])
  })

  it('does nothing when disabled (a dialog is open)', () => {
    const s = setup()
    const host = { enabled: () => false } as unknown as ScannerHost
    const off = new WedgeScanner(host, () => 0)
    expect(off.handleKeyDown(key('1', body))).toBe(false)
    expect(s.calls.scans).toEqual([])
  })

  it('without a search box, holds keys: a scan is handed over, typing is flushed to the search later', () => {
    const s = setup(false)
    s.type('6901234574029', 5, button)
    expect(s.enter(5, button).taken).toBe(true)
    expect(s.calls.scans).toEqual(['6901234574029'])
    expect(s.calls.typed).toEqual([])

    s.type('ab', 60, button)
    expect(s.calls.typed).toEqual([])
    vi.advanceTimersByTime(1000)
    expect(s.calls.typed).toEqual(['ab'])
  })
})

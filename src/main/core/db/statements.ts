import type { Statement } from 'better-sqlite3'
import type { Db } from './sqlite'

const caches = new WeakMap<Db, Map<string, Statement>>()

/**
 * A prepared statement, compiled once per connection. better-sqlite3 does not cache them, and
 * preparing ~16 statements per sale cost more than the sale's own fsync on a fast disk (bench).
 * Not for .iterate(): a cached statement cannot be reused while a cursor is open on it.
 */
export function stmt(db: Db, sql: string): Statement {
  let cache = caches.get(db)
  if (!cache) {
    cache = new Map()
    caches.set(db, cache)
  }
  let s = cache.get(sql)
  if (!s) {
    s = db.prepare(sql)
    cache.set(sql, s)
  }
  return s
}

const rawCaches = new WeakMap<Db, Map<string, Statement>>()

/**
 * The same, in raw mode: rows come back as arrays of column values. Building a row object costs
 * about a microsecond a column in better-sqlite3 (bench/commit.ts), so a hot path that reads a
 * few columns of a few rows takes them as arrays. Cached apart from stmt(), whose rows are objects.
 */
export function rawStmt(db: Db, sql: string): Statement {
  let cache = rawCaches.get(db)
  if (!cache) {
    cache = new Map()
    rawCaches.set(db, cache)
  }
  let s = cache.get(sql)
  if (!s) {
    s = db.prepare(sql).raw(true)
    cache.set(sql, s)
  }
  return s
}

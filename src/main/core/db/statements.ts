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

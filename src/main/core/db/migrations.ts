import type Database from 'better-sqlite3'
import { searchTerms } from '../search-terms'

/**
 * Forward-only, numbered migrations keyed on PRAGMA user_version. Each runs in its own
 * transaction. Never edit or renumber a released one: add the next number instead.
 */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

/** Posted rows are append-only: a correction is a new record that reverses, never an edit. */
function appendOnly(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, 'posted records are append-only: ${table}'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, 'posted records are append-only: ${table}'); END;`
}

/** Fills the search index from the catalog, for migrations that (re)create it. */
function indexExistingProducts(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO product_search(rowid, terms) VALUES (?, ?)')
  // .all(), not .iterate(): better-sqlite3 refuses writes while a read cursor is open.
  const rows = db.prepare('SELECT rowid AS rid, sku, name_en, name_zh FROM products').all() as { rid: number; sku: string; name_en: string; name_zh: string }[]
  for (const r of rows) insert.run(r.rid, searchTerms(r.name_en, r.name_zh, r.sku))
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE settings (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          json TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          updated_by TEXT
        ) STRICT;
        CREATE TABLE staff (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'owner')),
          pin_hash TEXT NOT NULL,
          active INTEGER NOT NULL DEFAULT 1,
          failed_attempts INTEGER NOT NULL DEFAULT 0,
          locked_until INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE categories (
          id TEXT PRIMARY KEY,
          name_en TEXT NOT NULL,
          name_zh TEXT NOT NULL,
          sort INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE products (
          id TEXT PRIMARY KEY,
          sku TEXT NOT NULL UNIQUE,
          name_en TEXT NOT NULL,
          name_zh TEXT NOT NULL,
          category_id TEXT NOT NULL REFERENCES categories(id),
          tax_class_id TEXT NOT NULL,
          price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
          unit TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
          active INTEGER NOT NULL DEFAULT 1,
          updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX products_by_category ON products(category_id, active);
        CREATE TABLE barcodes (
          code TEXT PRIMARY KEY,
          product_id TEXT NOT NULL REFERENCES products(id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX barcodes_by_product ON barcodes(product_id);

        CREATE TABLE journal (
          seq INTEGER PRIMARY KEY CHECK (seq > 0),
          event_id TEXT NOT NULL UNIQUE,
          device_id TEXT NOT NULL,
          type TEXT NOT NULL,
          created_at TEXT NOT NULL,
          payload TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        CREATE TABLE outbox (
          event_id TEXT PRIMARY KEY REFERENCES journal(event_id),
          seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
          created_at TEXT NOT NULL,
          sent_at TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT
        ) STRICT;
        CREATE INDEX outbox_pending ON outbox(seq) WHERE sent_at IS NULL;

        CREATE TABLE orders (
          id TEXT PRIMARY KEY,
          receipt_no TEXT NOT NULL UNIQUE,
          business_date TEXT NOT NULL,
          day_seq INTEGER NOT NULL,
          created_at TEXT NOT NULL,
          device_id TEXT NOT NULL,
          device_code TEXT NOT NULL,
          staff_id TEXT NOT NULL REFERENCES staff(id),
          staff_name TEXT NOT NULL,
          approved_by_id TEXT,
          approved_by_name TEXT,
          currency TEXT NOT NULL,
          price_mode TEXT NOT NULL,
          tax_rounding TEXT NOT NULL,
          rounding_mode TEXT NOT NULL,
          subtotal_minor INTEGER NOT NULL,
          line_discounts_minor INTEGER NOT NULL,
          order_discount_minor INTEGER NOT NULL,
          tax_minor INTEGER NOT NULL,
          total_minor INTEGER NOT NULL,
          cash_rounding_minor INTEGER NOT NULL,
          paid_minor INTEGER NOT NULL,
          change_minor INTEGER NOT NULL,
          store_name TEXT NOT NULL,
          receipt_footer TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
          UNIQUE (business_date, day_seq)
        ) STRICT;
        CREATE INDEX orders_by_day ON orders(business_date, created_at);
        CREATE TABLE order_lines (
          order_id TEXT NOT NULL REFERENCES orders(id),
          line_no INTEGER NOT NULL,
          product_id TEXT NOT NULL,
          name_en TEXT NOT NULL,
          name_zh TEXT NOT NULL,
          unit TEXT NOT NULL,
          quantity TEXT NOT NULL,
          unit_price_minor INTEGER NOT NULL,
          gross_minor INTEGER NOT NULL,
          line_discount_minor INTEGER NOT NULL,
          order_discount_minor INTEGER NOT NULL,
          total_minor INTEGER NOT NULL,
          tax_minor INTEGER,
          tax_ids TEXT NOT NULL,
          PRIMARY KEY (order_id, line_no)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE order_taxes (
          order_id TEXT NOT NULL REFERENCES orders(id),
          position INTEGER NOT NULL,
          tax_id TEXT NOT NULL,
          name TEXT NOT NULL,
          rate TEXT NOT NULL,
          base_minor INTEGER NOT NULL,
          amount_minor INTEGER NOT NULL,
          PRIMARY KEY (order_id, position)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE order_tenders (
          id TEXT PRIMARY KEY,
          order_id TEXT NOT NULL REFERENCES orders(id),
          position INTEGER NOT NULL,
          method TEXT NOT NULL,
          amount_minor INTEGER NOT NULL,
          tendered_minor INTEGER NOT NULL,
          change_minor INTEGER NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX order_tenders_by_order ON order_tenders(order_id);
        ${appendOnly('journal')}
        ${appendOnly('orders')}
        ${appendOnly('order_lines')}
        ${appendOnly('order_taxes')}
        ${appendOnly('order_tenders')}
      `)
    },
  },
  {
    version: 2,
    name: 'catalog-search',
    up(db) {
      // Contentless FTS5 over prepared terms: latin words, and CJK text as unigrams plus bigrams
      // (unicode61 does not segment Chinese), so "牛奶" and "milk" both hit an index.
      db.exec(`CREATE VIRTUAL TABLE product_search USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');`)
      indexExistingProducts(db)
    },
  },
  {
    version: 3,
    name: 'parked-carts-and-reprints',
    up(db) {
      db.exec(`
        CREATE TABLE parked_carts (
          id TEXT PRIMARY KEY,
          label TEXT NOT NULL,
          staff_id TEXT NOT NULL REFERENCES staff(id),
          created_at TEXT NOT NULL,
          cart_json TEXT NOT NULL
        ) STRICT;
        CREATE TABLE reprints (
          id TEXT PRIMARY KEY,
          order_id TEXT NOT NULL REFERENCES orders(id),
          staff_id TEXT NOT NULL REFERENCES staff(id),
          created_at TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX reprints_by_order ON reprints(order_id);
        ${appendOnly('reprints')}
      `)
    },
  },
  {
    version: 4,
    name: 'search-speed',
    up(db) {
      // Cashiers type SKUs in any case: an index with the same collation the lookup uses,
      // or every keystroke scans the catalog (29 ms at 200,000 products).
      db.exec('CREATE INDEX products_by_sku_nocase ON products(sku COLLATE NOCASE)')
      // Prefix indexes for the 1–3 letters typed first, rebuilt from the catalog.
      db.exec(`DROP TABLE product_search;
        CREATE VIRTUAL TABLE product_search USING fts5(terms, content='', contentless_delete=1, prefix='1 2 3', tokenize='unicode61 remove_diacritics 2');`)
      indexExistingProducts(db)
    },
  },
  {
    version: 5,
    name: 'platform-sync',
    up(db) {
      // One row: where this till syncs to and how it went. The device secret is NOT here: it
      // lives behind a SecretStore (the OS keychain in the app, an encrypted file in serve mode).
      // received_at: when the platform stored the event (sent_at is when the till got the answer).
      db.exec(`
        CREATE TABLE sync_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          platform_url TEXT,
          platform_device_id TEXT,
          store_id TEXT,
          store_name TEXT,
          store_currency TEXT,
          paired_at TEXT,
          catalog_cursor TEXT,
          last_catalog_at TEXT,
          last_success_at TEXT,
          last_attempt_at TEXT,
          last_error_code TEXT,
          last_error_message TEXT,
          last_error_at TEXT,
          clock_offset_ms INTEGER
        ) STRICT;
        INSERT INTO sync_state (id) VALUES (1);
        ALTER TABLE outbox ADD COLUMN received_at TEXT;
      `)
    },
  },
]

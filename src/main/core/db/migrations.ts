import type Database from 'better-sqlite3'
import { searchTerms } from '../search-terms'
import { postExistingEvents } from '../ledger/backfill'

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
  {
    version: 6,
    name: 'payments',
    up(db) {
      // A checkout is an order being paid: its price is frozen when Pay is pressed and tenders are
      // taken against it until they cover it. Checkouts, attempts and refunds are working state
      // (they move through their state machines); what is posted is the journal event written
      // when they finish (sale.completed, refund.completed, checkout.voided), and triggers stop a
      // finished attempt or refund from being changed afterwards.
      db.exec(`
        CREATE TABLE checkouts (
          id TEXT PRIMARY KEY,
          state TEXT NOT NULL CHECK (state IN ('open', 'completed', 'voiding', 'voided')),
          cart_json TEXT NOT NULL,
          quote_json TEXT NOT NULL,
          currency TEXT NOT NULL,
          total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
          staff_id TEXT NOT NULL,
          staff_name TEXT NOT NULL,
          approved_by_id TEXT,
          approved_by_name TEXT,
          order_id TEXT,
          void_reason TEXT,
          void_by_id TEXT,
          void_by_name TEXT,
          void_approved_by_id TEXT,
          void_approved_by_name TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX checkouts_open ON checkouts(state) WHERE state IN ('open', 'voiding');
        CREATE TABLE tender_attempts (
          id TEXT PRIMARY KEY,
          checkout_id TEXT NOT NULL REFERENCES checkouts(id),
          position INTEGER NOT NULL,
          method TEXT NOT NULL CHECK (method IN ('cash', 'alipay', 'wechat', 'card')),
          flow TEXT NOT NULL CHECK (flow IN ('cash', 'merchant_qr', 'customer_code', 'terminal')),
          amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
          currency TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('created', 'awaiting_customer', 'unknown', 'succeeded', 'failed', 'reversed')),
          activity TEXT NOT NULL DEFAULT 'none',
          tendered_minor INTEGER,
          change_minor INTEGER,
          service_id TEXT UNIQUE,
          -- Card: the nexo ServiceID of the reversal that gives a voided sale's payment back.
          reversal_service_id TEXT UNIQUE,
          code_url TEXT,
          expires_at TEXT,
          provider_ref TEXT,
          provider_timestamp TEXT,
          masked_pan TEXT,
          brand TEXT,
          entry_mode TEXT,
          approval_code TEXT,
          terminal_id TEXT,
          failure_code TEXT,
          failure_message TEXT,
          polls INTEGER NOT NULL DEFAULT 0,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          paid_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          UNIQUE (checkout_id, position)
        ) STRICT;
        CREATE INDEX attempts_open ON tender_attempts(state) WHERE state IN ('created', 'awaiting_customer', 'unknown');
        CREATE TRIGGER attempts_final BEFORE UPDATE ON tender_attempts
          WHEN OLD.state IN ('failed', 'reversed')
          BEGIN SELECT RAISE(ABORT, 'posted records are append-only: a finished tender attempt'); END;
        CREATE TRIGGER attempts_no_delete BEFORE DELETE ON tender_attempts
          BEGIN SELECT RAISE(ABORT, 'posted records are append-only: tender_attempts'); END;
        CREATE TABLE tender_transitions (
          attempt_id TEXT NOT NULL REFERENCES tender_attempts(id),
          at TEXT NOT NULL,
          from_state TEXT,
          to_state TEXT NOT NULL,
          note TEXT
        ) STRICT;
        CREATE INDEX tender_transitions_by_attempt ON tender_transitions(attempt_id);
        ${appendOnly('tender_transitions')}
        CREATE TABLE refunds (
          id TEXT PRIMARY KEY,
          order_id TEXT NOT NULL REFERENCES orders(id),
          tender_id TEXT NOT NULL REFERENCES order_tenders(id),
          method TEXT NOT NULL,
          amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
          currency TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('created', 'pending', 'unknown', 'succeeded', 'failed')),
          reason TEXT NOT NULL,
          staff_id TEXT NOT NULL,
          staff_name TEXT NOT NULL,
          approved_by_id TEXT,
          approved_by_name TEXT,
          service_id TEXT UNIQUE,
          provider_ref TEXT,
          failure_code TEXT,
          failure_message TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          completed_at TEXT,
          journal_seq INTEGER UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX refunds_by_order ON refunds(order_id);
        CREATE TRIGGER refunds_posted BEFORE UPDATE ON refunds
          WHEN OLD.state = 'succeeded'
          BEGIN SELECT RAISE(ABORT, 'posted records are append-only: a completed refund'); END;
        CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds
          BEGIN SELECT RAISE(ABORT, 'posted records are append-only: refunds'); END;
        CREATE TABLE terminal_settings (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          endpoint TEXT NOT NULL,
          poi_id TEXT NOT NULL,
          key_identifier TEXT NOT NULL,
          key_version INTEGER NOT NULL,
          ca_cert_pem TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
        -- Card and wallet details of a posted tender (flow, providerRef, card, paidAt) as JSON:
        -- null for the cash tenders posted before payments existed.
        ALTER TABLE order_tenders ADD COLUMN detail TEXT;
      `)
    },
  },
  {
    version: 7,
    name: 'ledger-shifts-closures',
    up(db) {
      // The one ledger (src/shared/ledger.ts): a posting per posted journal event, with balanced
      // lines. Shifts, their closes and take-overs, cash movements and closures are posted records
      // like orders: written with their event, never changed (a correction is a new record).
      db.exec(`
        CREATE TABLE postings (
          journal_seq INTEGER PRIMARY KEY REFERENCES journal(seq),
          kind TEXT NOT NULL,
          ref_id TEXT NOT NULL,
          business_date TEXT NOT NULL,
          -- The business day the event naturally fell into when that day was already closed.
          adjustment_of TEXT,
          shift_id TEXT,
          currency TEXT NOT NULL
        ) STRICT;
        CREATE INDEX postings_by_day ON postings(business_date, kind);
        CREATE INDEX postings_by_shift ON postings(shift_id) WHERE shift_id IS NOT NULL;
        CREATE TABLE ledger_lines (
          journal_seq INTEGER NOT NULL REFERENCES postings(journal_seq),
          line_no INTEGER NOT NULL,
          account TEXT NOT NULL,
          tag TEXT NOT NULL,
          -- Exactly one of the two is more than zero.
          debit_minor INTEGER NOT NULL CHECK (debit_minor >= 0),
          credit_minor INTEGER NOT NULL CHECK (credit_minor >= 0),
          rate TEXT,
          CHECK ((debit_minor = 0) <> (credit_minor = 0)),
          PRIMARY KEY (journal_seq, line_no)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE shifts (
          id TEXT PRIMARY KEY,
          device_id TEXT NOT NULL,
          currency TEXT NOT NULL,
          business_date TEXT NOT NULL,
          opened_at TEXT NOT NULL,
          opened_by_id TEXT NOT NULL,
          opened_by_name TEXT NOT NULL,
          float_minor INTEGER NOT NULL CHECK (float_minor >= 0),
          previous_left_minor INTEGER NOT NULL CHECK (previous_left_minor >= 0),
          opening_count TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX shifts_by_day ON shifts(business_date);
        CREATE TABLE shift_closes (
          shift_id TEXT PRIMARY KEY REFERENCES shifts(id),
          closed_at TEXT NOT NULL,
          closed_by_id TEXT NOT NULL,
          closed_by_name TEXT NOT NULL,
          expected_minor INTEGER NOT NULL,
          counted_minor INTEGER NOT NULL CHECK (counted_minor >= 0),
          over_short_minor INTEGER NOT NULL,
          left_minor INTEGER NOT NULL CHECK (left_minor >= 0 AND left_minor <= counted_minor),
          closing_count TEXT NOT NULL,
          reason TEXT,
          approved_by_id TEXT,
          approved_by_name TEXT,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE TABLE shift_takeovers (
          id TEXT PRIMARY KEY,
          shift_id TEXT NOT NULL REFERENCES shifts(id),
          at TEXT NOT NULL,
          from_id TEXT NOT NULL,
          from_name TEXT NOT NULL,
          to_id TEXT NOT NULL,
          to_name TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX shift_takeovers_by_shift ON shift_takeovers(shift_id);
        CREATE TABLE cash_movements (
          id TEXT PRIMARY KEY,
          shift_id TEXT NOT NULL REFERENCES shifts(id),
          kind TEXT NOT NULL CHECK (kind IN ('pay_in', 'pay_out', 'safe_drop')),
          amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
          currency TEXT NOT NULL,
          reason TEXT NOT NULL,
          note TEXT NOT NULL,
          staff_id TEXT NOT NULL,
          staff_name TEXT NOT NULL,
          approved_by_id TEXT,
          approved_by_name TEXT,
          created_at TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX cash_movements_by_shift ON cash_movements(shift_id);
        CREATE TABLE closures (
          id TEXT PRIMARY KEY,
          number INTEGER NOT NULL UNIQUE CHECK (number > 0),
          device_id TEXT NOT NULL,
          business_date TEXT NOT NULL UNIQUE,
          from_date TEXT NOT NULL,
          first_seq INTEGER NOT NULL,
          last_seq INTEGER NOT NULL,
          last_hash TEXT NOT NULL,
          closed_at TEXT NOT NULL,
          closed_by_id TEXT NOT NULL,
          closed_by_name TEXT NOT NULL,
          currency TEXT NOT NULL,
          figures TEXT NOT NULL,
          period_total INTEGER NOT NULL,
          previous_grand_total INTEGER NOT NULL,
          grand_total INTEGER NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        -- A closed day never changes: nothing but the closure itself may post into it.
        CREATE TRIGGER postings_not_into_closed_day BEFORE INSERT ON postings
          WHEN NEW.kind != 'closure' AND NEW.business_date <= (SELECT max(business_date) FROM closures)
          BEGIN SELECT RAISE(ABORT, 'a closed business day never changes: post into the next open day'); END;
        CREATE INDEX refunds_open ON refunds(state) WHERE state IN ('created', 'pending', 'unknown');
        ${appendOnly('postings')}
        ${appendOnly('ledger_lines')}
        ${appendOnly('shifts')}
        ${appendOnly('shift_closes')}
        ${appendOnly('shift_takeovers')}
        ${appendOnly('cash_movements')}
        ${appendOnly('closures')}
      `)
      // Sales, refunds, voids and reprints posted before the ledger existed get their lines now,
      // derived from their events (which stay exactly as they are); the first Z covers them.
      postExistingEvents(db)
    },
  },
  {
    version: 8,
    name: 'settlement',
    up(db) {
      // Reconciliation (对账) at the till. The providers' statements are inputs, not posted records:
      // they come from the platform or a file, not from journal events (the verifier does not
      // rebuild them), but they are kept as received, append-only, one per sha256 of the file, so
      // a run can always show the rows it was made from. A run, its differences and each
      // resolution are posted records: journal events (reconciliation.completed,
      // reconciliation.resolved) with ledger lines, rebuilt by the verifier. A provider's "ask
      // again" answer is kept beside its difference: the provider's view at that moment, not posted.
      db.exec(`
        CREATE TABLE till_statements (
          id TEXT PRIMARY KEY,
          file_sha256 TEXT NOT NULL UNIQUE,
          provider TEXT NOT NULL CHECK (provider IN ('alipay', 'wechat', 'card')),
          format TEXT NOT NULL,
          statement_date TEXT NOT NULL,
          merchant_id TEXT NOT NULL,
          currency TEXT NOT NULL,
          source TEXT NOT NULL CHECK (source IN ('platform', 'file')),
          file_name TEXT NOT NULL,
          row_count INTEGER NOT NULL CHECK (row_count >= 0),
          gross_minor INTEGER NOT NULL,
          fee_minor INTEGER NOT NULL,
          net_minor INTEGER NOT NULL,
          totals TEXT NOT NULL,
          imported_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX till_statements_by_date ON till_statements(statement_date, provider);
        CREATE TABLE till_statement_rows (
          statement_id TEXT NOT NULL REFERENCES till_statements(id),
          position INTEGER NOT NULL,
          line INTEGER NOT NULL,
          type TEXT NOT NULL CHECK (type IN ('payment', 'refund', 'fee', 'payout')),
          provider_ref TEXT NOT NULL,
          merchant_ref TEXT,
          refund_ref TEXT,
          gross_minor INTEGER NOT NULL,
          fee_minor INTEGER NOT NULL,
          net_minor INTEGER NOT NULL CHECK (net_minor = gross_minor - fee_minor),
          currency TEXT NOT NULL,
          provider_time TEXT NOT NULL,
          provider_date TEXT NOT NULL,
          batch TEXT,
          payout_date TEXT,
          PRIMARY KEY (statement_id, position)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE reconciliations (
          id TEXT PRIMARY KEY,
          business_date TEXT NOT NULL,
          at TEXT NOT NULL,
          by_id TEXT NOT NULL,
          by_name TEXT NOT NULL,
          currency TEXT NOT NULL,
          statements TEXT NOT NULL,
          counts TEXT NOT NULL,
          providers TEXT NOT NULL,
          cash TEXT NOT NULL,
          difference_count INTEGER NOT NULL CHECK (difference_count >= 0),
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE INDEX reconciliations_by_day ON reconciliations(business_date);
        CREATE TABLE reconciliation_differences (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES reconciliations(id),
          position INTEGER NOT NULL,
          class TEXT NOT NULL CHECK (class IN ('missing_locally', 'missing_at_provider', 'amount_mismatch', 'status_mismatch', 'date_mismatch')),
          provider TEXT NOT NULL,
          method TEXT NOT NULL,
          amount_minor INTEGER NOT NULL,
          detail TEXT NOT NULL,
          row_ref TEXT,
          local_ref TEXT,
          journal_seq INTEGER NOT NULL REFERENCES journal(seq),
          UNIQUE (run_id, position)
        ) STRICT;
        CREATE INDEX reconciliation_differences_by_seq ON reconciliation_differences(journal_seq, position);
        CREATE TABLE reconciliation_resolutions (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES reconciliations(id),
          difference_id TEXT NOT NULL UNIQUE REFERENCES reconciliation_differences(id),
          kind TEXT NOT NULL CHECK (kind IN ('explained', 'corrected', 'written_off')),
          note TEXT NOT NULL,
          amount_minor INTEGER NOT NULL,
          by_id TEXT NOT NULL,
          by_name TEXT NOT NULL,
          at TEXT NOT NULL,
          journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq)
        ) STRICT;
        CREATE TABLE difference_lookups (
          difference_id TEXT PRIMARY KEY REFERENCES reconciliation_differences(id),
          answer TEXT NOT NULL,
          asked_at TEXT NOT NULL
        ) STRICT;
        -- A run reads the QR and card attempts and refunds of the days around the one it reconciles.
        CREATE INDEX tender_attempts_by_time ON tender_attempts(created_at);
        CREATE INDEX refunds_by_time ON refunds(created_at);
        ${appendOnly('till_statements')}
        ${appendOnly('till_statement_rows')}
        ${appendOnly('reconciliations')}
        ${appendOnly('reconciliation_differences')}
        ${appendOnly('reconciliation_resolutions')}
      `)
    },
  },
  {
    version: 9,
    name: 'printing',
    up(db) {
      // The receipt printer of this till (never synced) and its print jobs, written ahead like
      // tender attempts: a job is recorded before anything is sent, then marked sending, done or
      // failed. Jobs are not posted records (they are not journal events) but they are never
      // deleted, a done job never changes again, and what a job prints never changes.
      db.exec(`
        CREATE TABLE printer_settings (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          settings TEXT NOT NULL CHECK (json_valid(settings)),
          -- Orders with journal_seq above this have been given their print job (or found to need none).
          scanned_seq INTEGER NOT NULL CHECK (scanned_seq >= 0),
          updated_at TEXT NOT NULL,
          updated_by TEXT
        ) STRICT;
        CREATE TABLE print_jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('sale', 'reprint', 'refund', 'shift', 'x', 'z', 'test', 'drawer')),
          ref_id TEXT,
          print INTEGER NOT NULL CHECK (print IN (0, 1)),
          drawer INTEGER NOT NULL CHECK (drawer IN (0, 1)),
          -- A snapshot of what prints when it cannot be read again later (the X: made now).
          payload TEXT CHECK (payload IS NULL OR json_valid(payload)),
          state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          failure_code TEXT,
          failure_message TEXT,
          created_at TEXT NOT NULL,
          sent_at TEXT,
          done_at TEXT,
          CHECK ((state = 'failed') = (failure_code IS NOT NULL))
        ) STRICT;
        CREATE INDEX print_jobs_open ON print_jobs(state, created_at) WHERE state != 'done';
        CREATE INDEX print_jobs_by_time ON print_jobs(created_at);
        CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs
          BEGIN SELECT RAISE(ABORT, 'print jobs are kept: print_jobs'); END;
        CREATE TRIGGER print_jobs_done_final BEFORE UPDATE ON print_jobs WHEN OLD.state = 'done'
          BEGIN SELECT RAISE(ABORT, 'a printed job never changes: print_jobs'); END;
        CREATE TRIGGER print_jobs_what_fixed BEFORE UPDATE OF id, kind, ref_id, print, drawer, payload, created_at ON print_jobs
          BEGIN SELECT RAISE(ABORT, 'what a print job prints never changes: print_jobs'); END;
      `)
    },
  },
]

/**
 * Forward-only migrations of the platform database, numbered by position (1, 2, …). Never edit one
 * that has shipped: add the next. They run in one transaction under an advisory lock (db.ts).
 * Amounts are bigint minor units; business dates are 'YYYY-MM-DD' text (a calendar day, not an
 * instant); times the platform stamps are timestamptz; times the till sent are kept as it sent them.
 */
import type { Queryable } from './db'
import { normalizeStoredLedgerEvents } from './projection/normalize'

export interface Migration {
  name: string
  sql: readonly string[]
  /**
   * A data step: runs in the same transaction after the SQL of every migration of this run (so with
   * the newest schema and the current code), once, when this migration is applied.
   */
  data?: (q: Queryable) => Promise<void>
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'stores, devices, pairing, nonces, events, normalized orders, catalog',
    sql: [
      `CREATE TABLE stores (
        id text PRIMARY KEY,
        name text NOT NULL,
        currency text NOT NULL,
        time_zone text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE devices (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES stores(id),
        name text NOT NULL,
        created_at timestamptz NOT NULL,
        paired_at timestamptz,
        -- The HMAC key (base64url, 32 bytes). Symmetric, so the platform must keep it to verify.
        secret text,
        journal_device_id text,
        device_code text,
        app_version text,
        last_seq bigint NOT NULL DEFAULT 0,
        last_hash text NOT NULL DEFAULT '${'0'.repeat(64)}',
        last_event_at timestamptz
      )`,
      `CREATE INDEX devices_store ON devices (store_id, created_at)`,
      `CREATE TABLE pairing_codes (
        code_hash text PRIMARY KEY,
        device_id text NOT NULL REFERENCES devices(id),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`,
      `CREATE INDEX pairing_codes_device ON pairing_codes (device_id)`,
      `CREATE TABLE nonces (
        device_id text NOT NULL REFERENCES devices(id),
        nonce text NOT NULL,
        seen_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, nonce)
      )`,
      `CREATE INDEX nonces_seen ON nonces (seen_at)`,
      `CREATE TABLE events (
        event_id text PRIMARY KEY,
        device_id text NOT NULL REFERENCES devices(id),
        store_id text NOT NULL REFERENCES stores(id),
        seq bigint NOT NULL CHECK (seq >= 1),
        type text NOT NULL,
        at text NOT NULL,
        received_at timestamptz NOT NULL,
        -- canonical JSON, exactly what the hash covers
        data text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (device_id, seq)
      )`,
      `CREATE TABLE orders (
        device_id text NOT NULL REFERENCES devices(id),
        id text NOT NULL,
        store_id text NOT NULL REFERENCES stores(id),
        event_id text NOT NULL UNIQUE REFERENCES events(event_id),
        receipt_no text NOT NULL,
        business_date text NOT NULL,
        created_at text NOT NULL,
        received_at timestamptz NOT NULL,
        currency text NOT NULL,
        subtotal bigint NOT NULL,
        discount_total bigint NOT NULL,
        tax_total bigint NOT NULL,
        total bigint NOT NULL,
        staff_name text NOT NULL,
        journal_seq bigint NOT NULL,
        PRIMARY KEY (device_id, id)
      )`,
      `CREATE INDEX orders_store_day ON orders (store_id, business_date)`,
      `CREATE TABLE order_lines (
        device_id text NOT NULL,
        order_id text NOT NULL,
        line_no integer NOT NULL,
        product_id text NOT NULL,
        name_en text NOT NULL,
        name_zh text NOT NULL,
        quantity text NOT NULL,
        unit_price bigint NOT NULL,
        total bigint NOT NULL,
        tax bigint,
        PRIMARY KEY (device_id, order_id, line_no),
        FOREIGN KEY (device_id, order_id) REFERENCES orders (device_id, id)
      )`,
      `CREATE TABLE order_tenders (
        device_id text NOT NULL,
        order_id text NOT NULL,
        tender_id text NOT NULL,
        method text NOT NULL,
        amount bigint NOT NULL,
        tendered bigint NOT NULL,
        change bigint NOT NULL,
        PRIMARY KEY (device_id, order_id, tender_id),
        FOREIGN KEY (device_id, order_id) REFERENCES orders (device_id, id)
      )`,
      `CREATE TABLE refunds (
        event_id text PRIMARY KEY REFERENCES events(event_id),
        store_id text NOT NULL REFERENCES stores(id),
        device_id text NOT NULL REFERENCES devices(id),
        refund_id text NOT NULL,
        order_id text NOT NULL,
        business_date text,
        currency text NOT NULL,
        amount bigint NOT NULL,
        received_at timestamptz NOT NULL
      )`,
      `CREATE INDEX refunds_store_day ON refunds (store_id, business_date)`,
      `CREATE TABLE closures (
        event_id text PRIMARY KEY REFERENCES events(event_id),
        store_id text NOT NULL REFERENCES stores(id),
        device_id text NOT NULL REFERENCES devices(id),
        business_date text NOT NULL,
        received_at timestamptz NOT NULL
      )`,
      `CREATE INDEX closures_store_day ON closures (store_id, business_date)`,
      // Every change an admin loaded, in cursor order (history); the feed reads catalog_items.
      `CREATE TABLE catalog_changes (
        cursor bigserial PRIMARY KEY,
        store_id text NOT NULL REFERENCES stores(id),
        kind text NOT NULL,
        item_id text NOT NULL,
        payload text NOT NULL,
        changed_at timestamptz NOT NULL
      )`,
      // The current catalog: one row per item, carrying the cursor of its latest change.
      `CREATE TABLE catalog_items (
        store_id text NOT NULL REFERENCES stores(id),
        kind text NOT NULL,
        item_id text NOT NULL,
        cursor bigint NOT NULL,
        payload text NOT NULL,
        PRIMARY KEY (store_id, kind, item_id)
      )`,
      `CREATE UNIQUE INDEX catalog_items_feed ON catalog_items (store_id, cursor)`,
    ],
  },
  {
    // A chain-valid event whose payload cannot be normalized is stored as it came (it is part of the
    // till's hash chain) and says why here; NULL when it was normalized or needs no normalization.
    name: 'events.normalize_error',
    sql: [`ALTER TABLE events ADD COLUMN normalize_error text`],
  },
  {
    name: 'wallet payments and refunds, sandbox wallets, tender details, refund and void events',
    sql: [
      // A wallet payment as the platform tells it to the till. payment_id is the out_trade_no the
      // till chose. A tombstone is an id cancelled before any create arrived: it has no wallet or
      // amount, and a late create with that id is refused (payment_closed).
      `CREATE TABLE wallet_payments (
        payment_id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES stores(id),
        device_id text NOT NULL REFERENCES devices(id),
        tombstone boolean NOT NULL DEFAULT false,
        wallet text,
        flow text,
        amount bigint,
        currency text,
        subject text,
        -- what a replayed create must repeat exactly (sha256 of the canonical parameters; the
        -- customer's payment code is only in this hash, never stored)
        params_hash text,
        state text NOT NULL,
        provider_status text NOT NULL,
        provider_ref text,
        code_url text,
        expires_at timestamptz,
        paid_at timestamptz,
        fee bigint NOT NULL DEFAULT 0,
        refunded bigint NOT NULL DEFAULT 0,
        failure_code text,
        failure_message text,
        -- a cancel the provider asked to retry later (WeChat reverse within 15 s of paying)
        cancel_requested_at timestamptz,
        cancel_retry_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX wallet_payments_store_day ON wallet_payments (store_id, created_at)`,
      `CREATE TABLE wallet_refunds (
        refund_id text PRIMARY KEY,
        payment_id text NOT NULL REFERENCES wallet_payments(payment_id),
        amount bigint NOT NULL CHECK (amount > 0),
        reason text,
        state text NOT NULL,
        fee_refunded bigint NOT NULL DEFAULT 0,
        failure_code text,
        failure_message text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX wallet_refunds_payment ON wallet_refunds (payment_id, created_at)`,
      // The sandbox wallets' own books (what Alipay and WeChat Pay would hold), kept in the database
      // so a platform restart keeps them. Amounts are minor units; provider_amount is the wallet's
      // own format (Alipay: yuan string; WeChat: integer fen).
      `CREATE TABLE sandbox_trades (
        wallet text NOT NULL,
        out_trade_no text NOT NULL,
        kind text NOT NULL,
        trade_no text NOT NULL,
        amount bigint NOT NULL,
        currency text NOT NULL,
        provider_amount text NOT NULL,
        subject text NOT NULL,
        params_hash text NOT NULL,
        scenario text NOT NULL,
        -- unscanned | waiting | paying | paid | declined | closed | reversed (each wallet words it its own way)
        status text NOT NULL,
        -- declined: 'balance' (insufficient balance) or 'customer' (declined on the phone)
        decline_reason text,
        scanned boolean NOT NULL DEFAULT false,
        customer_paid boolean NOT NULL DEFAULT false,
        queries integer NOT NULL DEFAULT 0,
        qr_token text UNIQUE,
        fee_bp integer NOT NULL,
        fee bigint NOT NULL DEFAULT 0,
        refunded bigint NOT NULL DEFAULT 0,
        fee_refunded bigint NOT NULL DEFAULT 0,
        expires_at timestamptz,
        created_at timestamptz NOT NULL,
        paid_at timestamptz,
        closed_at timestamptz,
        PRIMARY KEY (wallet, out_trade_no)
      )`,
      `CREATE TABLE sandbox_refunds (
        wallet text NOT NULL,
        out_trade_no text NOT NULL,
        out_request_no text NOT NULL,
        amount bigint NOT NULL,
        fee_refunded bigint NOT NULL,
        refunded_total bigint NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (wallet, out_trade_no, out_request_no),
        FOREIGN KEY (wallet, out_trade_no) REFERENCES sandbox_trades (wallet, out_trade_no)
      )`,
      // Admin overrides: the next \`remaining\` payments of a wallet ('*' = either wallet) take \`scenario\`.
      `CREATE TABLE sandbox_scenarios (
        wallet text PRIMARY KEY,
        scenario text NOT NULL,
        remaining integer NOT NULL CHECK (remaining >= 0)
      )`,
      // Tender details posted with a sale (all NULL for cash tenders of older tills).
      `ALTER TABLE order_tenders ADD COLUMN flow text`,
      `ALTER TABLE order_tenders ADD COLUMN provider_ref text`,
      `ALTER TABLE order_tenders ADD COLUMN paid_at text`,
      `ALTER TABLE order_tenders ADD COLUMN card_masked_pan text`,
      `ALTER TABLE order_tenders ADD COLUMN card_brand text`,
      `ALTER TABLE order_tenders ADD COLUMN card_entry_mode text`,
      `ALTER TABLE order_tenders ADD COLUMN card_approval_code text`,
      `ALTER TABLE order_tenders ADD COLUMN card_terminal_id text`,
      // refund.completed fills these too (refund.posted leaves them NULL).
      `ALTER TABLE refunds ADD COLUMN receipt_no text`,
      `ALTER TABLE refunds ADD COLUMN tender_id text`,
      `ALTER TABLE refunds ADD COLUMN method text`,
      `ALTER TABLE refunds ADD COLUMN reason text`,
      `ALTER TABLE refunds ADD COLUMN staff_id text`,
      `ALTER TABLE refunds ADD COLUMN staff_name text`,
      `ALTER TABLE refunds ADD COLUMN approved_by_name text`,
      `ALTER TABLE refunds ADD COLUMN provider_ref text`,
      `ALTER TABLE refunds ADD COLUMN at text`,
      `CREATE INDEX refunds_device_refund ON refunds (device_id, refund_id)`,
      `CREATE TABLE voids (
        event_id text PRIMARY KEY REFERENCES events(event_id),
        store_id text NOT NULL REFERENCES stores(id),
        device_id text NOT NULL REFERENCES devices(id),
        checkout_id text NOT NULL,
        business_date text NOT NULL,
        total bigint NOT NULL,
        currency text NOT NULL,
        reason text NOT NULL,
        staff_id text NOT NULL,
        staff_name text NOT NULL,
        approved_by_name text,
        -- [{id, method, amount, outcome}] as JSON text
        tenders text NOT NULL,
        at text NOT NULL,
        received_at timestamptz NOT NULL
      )`,
      `CREATE INDEX voids_store_day ON voids (store_id, business_date)`,
    ],
  },
  {
    // The ledger events (src/shared/ledger.ts, issue 10). Each row comes from one event (event_id)
    // and keeps its journal seq; business_date / adjustment_of are the event's posting meta.
    name: 'events.posting; shifts, shift closes and take-overs, cash movements; closures with their figures and verification',
    sql: [
      // The posting each event makes (src/shared/ledger.ts), compact JSON written at ingest: closure
      // verification reads it instead of the whole payload. NULL: not a posting, or stored before.
      `ALTER TABLE events ADD COLUMN posting text`,
      `CREATE TABLE shifts (
        device_id text NOT NULL REFERENCES devices(id),
        shift_id text NOT NULL,
        store_id text NOT NULL REFERENCES stores(id),
        event_id text NOT NULL UNIQUE REFERENCES events(event_id),
        journal_seq bigint NOT NULL,
        device_code text NOT NULL,
        currency text NOT NULL,
        business_date text NOT NULL,
        adjustment_of text,
        opened_at text NOT NULL,
        opened_by_id text NOT NULL,
        opened_by_name text NOT NULL,
        float_amount bigint NOT NULL,
        -- what the previous close left in the drawer (the float is topped up from the safe, or not)
        previous_left bigint NOT NULL,
        -- [{value, kind, count}] as JSON text
        opening_count text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, shift_id)
      )`,
      `CREATE INDEX shifts_store_day ON shifts (store_id, business_date)`,
      `CREATE TABLE shift_closes (
        device_id text NOT NULL,
        shift_id text NOT NULL,
        store_id text NOT NULL REFERENCES stores(id),
        event_id text NOT NULL UNIQUE REFERENCES events(event_id),
        journal_seq bigint NOT NULL,
        currency text NOT NULL,
        business_date text NOT NULL,
        adjustment_of text,
        closed_at text NOT NULL,
        closed_by_id text NOT NULL,
        closed_by_name text NOT NULL,
        expected bigint NOT NULL,
        counted bigint NOT NULL,
        -- counted − expected
        over_short bigint NOT NULL,
        left_in_drawer bigint NOT NULL,
        closing_count text NOT NULL,
        reason text,
        approved_by_id text,
        approved_by_name text,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, shift_id),
        FOREIGN KEY (device_id, shift_id) REFERENCES shifts (device_id, shift_id)
      )`,
      `CREATE TABLE shift_takeovers (
        device_id text NOT NULL,
        takeover_id text NOT NULL,
        shift_id text NOT NULL,
        store_id text NOT NULL REFERENCES stores(id),
        event_id text NOT NULL UNIQUE REFERENCES events(event_id),
        journal_seq bigint NOT NULL,
        at text NOT NULL,
        from_id text NOT NULL,
        from_name text NOT NULL,
        to_id text NOT NULL,
        to_name text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, takeover_id),
        FOREIGN KEY (device_id, shift_id) REFERENCES shifts (device_id, shift_id)
      )`,
      `CREATE INDEX shift_takeovers_shift ON shift_takeovers (device_id, shift_id)`,
      `CREATE TABLE cash_movements (
        device_id text NOT NULL,
        movement_id text NOT NULL,
        shift_id text NOT NULL,
        store_id text NOT NULL REFERENCES stores(id),
        event_id text NOT NULL UNIQUE REFERENCES events(event_id),
        journal_seq bigint NOT NULL,
        business_date text NOT NULL,
        adjustment_of text,
        -- pay_in | pay_out | safe_drop
        kind text NOT NULL,
        amount bigint NOT NULL,
        currency text NOT NULL,
        reason text NOT NULL,
        note text NOT NULL,
        staff_id text NOT NULL,
        staff_name text NOT NULL,
        approved_by_id text,
        approved_by_name text,
        at text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (device_id, movement_id),
        FOREIGN KEY (device_id, shift_id) REFERENCES shifts (device_id, shift_id)
      )`,
      `CREATE INDEX cash_movements_shift ON cash_movements (device_id, shift_id)`,
      `CREATE INDEX cash_movements_store_day ON cash_movements (store_id, business_date)`,
      // Until now a closure row held only the business date of a day.closed { businessDate }. The
      // rows are derived from their events (which stay): the data step rebuilds them with every field.
      `DELETE FROM closures`,
      `ALTER TABLE closures ADD COLUMN closure_id text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN number bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN device_code text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN store_name text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN currency text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN from_date text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN first_seq bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN last_seq bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN last_hash text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN journal_seq bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN closed_at text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN closed_by_id text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN closed_by_name text NOT NULL`,
      // DayFigures as JSON text, as the till wrote them
      `ALTER TABLE closures ADD COLUMN figures text NOT NULL`,
      `ALTER TABLE closures ADD COLUMN period_total bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN previous_grand_total bigint NOT NULL`,
      `ALTER TABLE closures ADD COLUMN grand_total bigint NOT NULL`,
      // verified | mismatch | pending, and what differs ([{field, closure, recomputed, message}] JSON text)
      `ALTER TABLE closures ADD COLUMN verification text NOT NULL DEFAULT 'pending' CHECK (verification IN ('verified', 'mismatch', 'pending'))`,
      `ALTER TABLE closures ADD COLUMN differences text NOT NULL DEFAULT '[]'`,
      `ALTER TABLE closures ADD COLUMN checked_at timestamptz`,
      `CREATE UNIQUE INDEX closures_device_closure ON closures (device_id, closure_id)`,
      `CREATE UNIQUE INDEX closures_device_seq ON closures (device_id, journal_seq)`,
      `CREATE INDEX closures_pending ON closures (device_id) WHERE verification = 'pending'`,
    ],
    // Shift, movement and closure events stored by an older platform (kept raw then) get their rows.
    data: normalizeStoredLedgerEvents,
  },
  {
    name: 'provider statements: fee rates per store and provider, stored statements and their rows, sandbox bill differences',
    sql: [
      // A store's fee with each provider (absent: the sandbox's default rate, half-up).
      `CREATE TABLE store_provider_fees (
        store_id text NOT NULL REFERENCES stores(id),
        provider text NOT NULL,
        basis_points integer NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
        -- half_up | half_even | down | up
        rounding text NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (store_id, provider)
      )`,
      `ALTER TABLE sandbox_trades ADD COLUMN fee_rounding text NOT NULL DEFAULT 'half_up'`,
      `CREATE INDEX sandbox_trades_paid ON sandbox_trades (wallet, paid_at)`,
      `CREATE INDEX sandbox_refunds_created ON sandbox_refunds (wallet, created_at)`,
      // One provider file (fetched or uploaded), normalized: the same file twice is the same statement.
      `CREATE TABLE statements (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES stores(id),
        provider text NOT NULL,
        format text NOT NULL,
        date text NOT NULL,
        merchant_id text NOT NULL,
        currency text NOT NULL,
        source text NOT NULL CHECK (source IN ('provider', 'upload')),
        file_sha256 text NOT NULL,
        file_name text NOT NULL,
        fetched_at timestamptz NOT NULL,
        -- StatementTotals as JSON text
        totals text NOT NULL,
        UNIQUE (store_id, provider, date, file_sha256)
      )`,
      `CREATE INDEX statements_store_date ON statements (store_id, date, fetched_at)`,
      `CREATE TABLE statement_rows (
        statement_id text NOT NULL REFERENCES statements(id),
        idx integer NOT NULL,
        line integer NOT NULL,
        type text NOT NULL,
        provider_ref text NOT NULL,
        merchant_ref text,
        refund_ref text,
        gross bigint NOT NULL,
        fee bigint NOT NULL,
        net bigint NOT NULL,
        currency text NOT NULL,
        provider_time text NOT NULL,
        provider_date text NOT NULL,
        batch text,
        payout_date text,
        PRIMARY KEY (statement_id, idx)
      )`,
      `CREATE INDEX statement_rows_merchant_ref ON statement_rows (merchant_ref)`,
      `CREATE INDEX statement_rows_provider_ref ON statement_rows (provider_ref)`,
      // The sandbox's differences on purpose in a store's bill of a day, each recorded.
      `CREATE TABLE sandbox_statement_differences (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES stores(id),
        wallet text NOT NULL,
        date text NOT NULL,
        position integer NOT NULL,
        kind text NOT NULL,
        out_trade_no text NOT NULL,
        trade_no text NOT NULL,
        amount bigint,
        -- JSON text: what the difference replaced (to undo it), the expected class
        detail text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE INDEX sandbox_statement_differences_day ON sandbox_statement_differences (store_id, wallet, date)`,
      `CREATE TABLE sandbox_statement_days (
        store_id text NOT NULL REFERENCES stores(id),
        wallet text NOT NULL,
        date text NOT NULL,
        -- the bill is served at once, without waiting for T+1 09:00 (tests)
        available_now boolean NOT NULL DEFAULT false,
        PRIMARY KEY (store_id, wallet, date)
      )`,
    ],
  },
  {
    // Ingest now only appends to the event store; the projector (projection/) fills the reporting
    // tables from it, per device in seq order. Its position per device is here, not in devices:
    // ingest holds the device row FOR UPDATE, and the projector must never wait for it (nor it for
    // the projector). Events stored before this migration were normalized at ingest: projected.
    name: 'device_projections: the projected position of each device',
    sql: [
      `CREATE TABLE device_projections (
        device_id text PRIMARY KEY REFERENCES devices(id),
        -- every event of the device up to this seq is in the reporting tables
        projected_seq bigint NOT NULL DEFAULT 0,
        projected_at timestamptz
      )`,
      `INSERT INTO device_projections (device_id, projected_seq, projected_at) SELECT id, last_seq, now() FROM devices`,
      // An event row (a sale: ~1.5 kB of data, its posting, hashes) is just over the 2 kB at which
      // PostgreSQL starts compressing a row's values: it costs more to compress on every append than the
      // bytes saved are worth. Rows up to 4 kB are kept as they are (larger payloads are still TOASTed).
      `ALTER TABLE events SET (toast_tuple_target = 4080)`,
    ],
  },
  {
    // The event store's foreign keys cost a lookup in devices and one in stores for every appended
    // event (PostgreSQL checks them row by row, in a trigger per row): without them, 50 tills at once
    // went from 4,420 to 6,391 events/s on PostgreSQL in one run here (PGlite: no change seen). Ingest
    // holds the device row FOR UPDATE and takes the store from it, so an event cannot name a device
    // or store that is not there; and since neither is ever deleted (these triggers refuse it, or an
    // id's change), the references cannot dangle afterwards either. The reporting tables keep theirs.
    name: 'events without per-row foreign keys; devices and stores are never deleted',
    sql: [
      `ALTER TABLE events DROP CONSTRAINT events_device_id_fkey, DROP CONSTRAINT events_store_id_fkey`,
      `CREATE FUNCTION refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'rows of % are never deleted and their id never changes: events refer to them', TG_TABLE_NAME;
       END $$`,
      `CREATE TRIGGER devices_kept BEFORE DELETE OR TRUNCATE ON devices FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal()`,
      `CREATE TRIGGER devices_id_kept BEFORE UPDATE OF id ON devices FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removal()`,
      `CREATE TRIGGER stores_kept BEFORE DELETE OR TRUNCATE ON stores FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal()`,
      `CREATE TRIGGER stores_id_kept BEFORE UPDATE OF id ON stores FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removal()`,
    ],
  },
]

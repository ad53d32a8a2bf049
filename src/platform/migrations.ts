/**
 * Forward-only migrations of the platform database, numbered by position (1, 2, …). Never edit one
 * that has shipped: add the next. They run in one transaction under an advisory lock (db.ts).
 * Amounts are bigint minor units; business dates are 'YYYY-MM-DD' text (a calendar day, not an
 * instant); times the platform stamps are timestamptz; times the till sent are kept as it sent them.
 */
export interface Migration {
  name: string
  sql: readonly string[]
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
]

import { createHash, randomBytes, randomInt } from 'node:crypto'
import type { z } from 'zod'
import { canonicalJson } from '../shared/canonical-json'
import { newId } from '../shared/ids'
import {
  PAIRING_CODE_TTL_MS,
  type CatalogChange,
  type CatalogLoadSchema,
  type DeviceState,
  type PairRequestSchema,
  type PairResponse,
  type PlatformDevice,
  type Store,
  type StoreCreateSchema,
} from '../shared/platform-api'
import type { Database, Queryable } from './db'
import { fail } from './errors'

/** Stores, devices, pairing and the catalog: everything but ingest (ingest.ts), the projection (projection/) and reports (reports.ts). */

export const GENESIS_HASH = '0'.repeat(64)
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

export const iso = (d: unknown): string => (d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString())
const isoOrNull = (d: unknown): string | null => (d == null ? null : iso(d))

export function hashCode(code: string): string {
  return createHash('sha256').update(`daybook-pairing:${code}`).digest('hex')
}

function newPairingCode(): { code: string; shown: string } {
  let code = ''
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return { code, shown: `${code.slice(0, 4)}-${code.slice(4)}` }
}

// ---- stores -----------------------------------------------------------------------------------------

interface StoreRow extends Record<string, unknown> {
  id: string
  name: string
  currency: string
  time_zone: string
  created_at: Date
}

const toStore = (r: StoreRow): Store => ({ id: r.id, name: r.name, currency: r.currency as Store['currency'], timeZone: r.time_zone, createdAt: iso(r.created_at) })

export async function createStore(db: Queryable, input: z.output<typeof StoreCreateSchema>, now: Date): Promise<Store> {
  const id = newId()
  const rows = await db.query<StoreRow>('INSERT INTO stores (id, name, currency, time_zone, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
    id,
    input.name,
    input.currency,
    input.timeZone,
    now.toISOString(),
  ])
  return toStore(rows[0]!)
}

export async function listStores(db: Queryable): Promise<Store[]> {
  return (await db.query<StoreRow>('SELECT * FROM stores ORDER BY created_at, id')).map(toStore)
}

export async function getStore(db: Queryable, id: string, lock = false): Promise<Store> {
  const rows = await db.query<StoreRow>(`SELECT * FROM stores WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
  if (!rows[0]) fail('not_found', `No store ${id}.`)
  return toStore(rows[0])
}

// ---- devices and pairing --------------------------------------------------------------------------------

export interface DeviceRow extends Record<string, unknown> {
  id: string
  store_id: string
  name: string
  created_at: Date
  paired_at: Date | null
  secret: string | null
  journal_device_id: string | null
  last_seq: number
  last_hash: string
  last_event_at: Date | null
}

export const toDevice = (r: DeviceRow): PlatformDevice => ({
  id: r.id,
  storeId: r.store_id,
  name: r.name,
  createdAt: iso(r.created_at),
  pairedAt: isoOrNull(r.paired_at),
  journalDeviceId: r.journal_device_id,
  lastSeq: r.last_seq,
  lastEventAt: isoOrNull(r.last_event_at),
})

async function issueCode(q: Queryable, deviceId: string, now: Date): Promise<{ code: string; expiresAt: string }> {
  // Earlier unused codes stop working: only the newest code pairs.
  await q.query('DELETE FROM pairing_codes WHERE device_id = $1 AND used_at IS NULL', [deviceId])
  const { code, shown } = newPairingCode()
  const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS).toISOString()
  await q.query('INSERT INTO pairing_codes (code_hash, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [hashCode(code), deviceId, now.toISOString(), expiresAt])
  return { code: shown, expiresAt }
}

export async function createDevice(db: Database, storeId: string, name: string, now: Date): Promise<{ device: PlatformDevice; pairing: { code: string; expiresAt: string } }> {
  return db.tx(async (q) => {
    await getStore(q, storeId)
    const rows = await q.query<DeviceRow>('INSERT INTO devices (id, store_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING *', [newId(), storeId, name, now.toISOString()])
    const device = rows[0]!
    await q.query('INSERT INTO device_projections (device_id) VALUES ($1)', [device.id])
    return { device: toDevice(device), pairing: await issueCode(q, device.id, now) }
  })
}

export async function listDevices(db: Queryable, storeId: string): Promise<PlatformDevice[]> {
  await getStore(db, storeId)
  return (await db.query<DeviceRow>('SELECT * FROM devices WHERE store_id = $1 ORDER BY created_at, id', [storeId])).map(toDevice)
}

export async function newPairingCodeFor(db: Database, deviceId: string, now: Date): Promise<{ code: string; expiresAt: string }> {
  return db.tx(async (q) => {
    const rows = await q.query('SELECT id FROM devices WHERE id = $1 FOR UPDATE', [deviceId])
    if (!rows[0]) fail('not_found', `No device ${deviceId}.`)
    return issueCode(q, deviceId, now)
  })
}

export async function pair(db: Database, input: z.output<typeof PairRequestSchema>, now: Date): Promise<PairResponse> {
  return db.tx(async (q) => {
    const codes = await q.query<{ device_id: string; expires_at: Date; used_at: Date | null }>('SELECT device_id, expires_at, used_at FROM pairing_codes WHERE code_hash = $1 FOR UPDATE', [
      hashCode(input.code),
    ])
    const c = codes[0]
    if (!c || c.used_at) fail('pairing_code_invalid', 'This pairing code is not valid (mistyped, replaced or already used). Ask for a new one.')
    if (c.expires_at.getTime() <= now.getTime()) fail('pairing_code_expired', 'This pairing code has expired (codes last 10 minutes). Ask for a new one.')
    const d = (await q.query<DeviceRow>('SELECT * FROM devices WHERE id = $1 FOR UPDATE', [c.device_id]))[0]!
    if (d.journal_device_id && d.journal_device_id !== input.journalDeviceId && d.last_seq > 0) {
      fail('device_journal_mismatch', `This device already holds events of another till's journal (${d.journal_device_id}); create a new device for this till.`, {
        journalDeviceId: d.journal_device_id,
      })
    }
    // A journal's events are stored under one device: pairing it to another device would re-send
    // event ids already stored there (event_conflict forever).
    const holder = (
      await q.query<{ id: string; name: string }>('SELECT id, name FROM devices WHERE journal_device_id = $1 AND id <> $2 AND last_seq > 0 LIMIT 1', [input.journalDeviceId, d.id])
    )[0]
    if (holder) {
      fail(
        'device_journal_mismatch',
        `This till's events are already stored under device ${holder.name} (${holder.id}); ask the owner to issue a new pairing code for that device instead.`,
        { journalDeviceId: input.journalDeviceId, deviceId: holder.id },
      )
    }
    const secret = randomBytes(32).toString('base64url')
    await q.query('UPDATE pairing_codes SET used_at = $2 WHERE code_hash = $1', [hashCode(input.code), now.toISOString()])
    await q.query('UPDATE devices SET secret = $2, journal_device_id = $3, paired_at = $4, device_code = $5, app_version = $6 WHERE id = $1', [
      d.id,
      secret,
      input.journalDeviceId,
      now.toISOString(),
      input.deviceCode,
      input.appVersion,
    ])
    const store = await getStore(q, d.store_id)
    return { deviceId: d.id, secret, store, lastSeq: d.last_seq, lastHash: d.last_hash, serverTime: now.toISOString() }
  })
}

export async function deviceState(db: Queryable, device: DeviceRow, now: Date): Promise<DeviceState> {
  const rows = await db.query<DeviceRow & { store_name: string }>('SELECT d.*, s.name AS store_name FROM devices d JOIN stores s ON s.id = d.store_id WHERE d.id = $1', [device.id])
  const d = rows[0]!
  return { deviceId: d.id, storeId: d.store_id, storeName: d.store_name, journalDeviceId: d.journal_device_id, lastSeq: d.last_seq, lastHash: d.last_hash, serverTime: now.toISOString() }
}

// ---- catalog -----------------------------------------------------------------------------------------------

type CatalogLoad = z.output<typeof CatalogLoadSchema>
const KIND_FIELD = { category: 'category', tax: 'tax', 'tax-class': 'taxClass', product: 'product' } as const
type Kind = keyof typeof KIND_FIELD

/**
 * One transaction; the store row is locked so loads of one store commit in cursor order (a reader
 * past cursor N never misses a later commit with a smaller cursor). Items whose content did not
 * change keep their cursor and are not counted.
 */
export async function loadCatalog(db: Database, storeId: string, load: CatalogLoad, now: Date): Promise<{ changes: number; cursor: string }> {
  return db.tx(async (q) => {
    await getStore(q, storeId, true)
    const items: { kind: Kind; id: string; payload: string }[] = [
      ...load.taxes.map((t) => ({ kind: 'tax' as const, id: t.id, payload: canonicalJson(t) })),
      ...load.taxClasses.map((t) => ({ kind: 'tax-class' as const, id: t.id, payload: canonicalJson(t) })),
      ...load.categories.map((t) => ({ kind: 'category' as const, id: t.id, payload: canonicalJson(t) })),
      ...load.products.map((t) => ({ kind: 'product' as const, id: t.id, payload: canonicalJson(t) })),
    ]
    const seen = new Set<string>()
    for (const it of items) {
      const key = `${it.kind}:${it.id}`
      if (seen.has(key)) fail('invalid_request', `The ${it.kind} ${it.id} appears twice in this load.`, [{ path: [it.kind, it.id], message: 'duplicate id' }])
      seen.add(key)
    }
    const existing = new Map<string, string>()
    for (const r of await q.query<{ kind: string; item_id: string; payload: string }>('SELECT kind, item_id, payload FROM catalog_items WHERE store_id = $1', [storeId])) {
      existing.set(`${r.kind}:${r.item_id}`, r.payload)
    }
    // SKUs are unique per store (the till's products.sku is UNIQUE): check the catalog as it will be.
    const skus = new Map<string, string>()
    for (const [key, payload] of existing) if (key.startsWith('product:')) skus.set(key.slice('product:'.length), (JSON.parse(payload) as { sku: string }).sku)
    for (const product of load.products) skus.set(product.id, product.sku)
    const owner = new Map<string, string>()
    for (const [id, sku] of skus) {
      const other = owner.get(sku)
      if (other !== undefined) fail('invalid_request', `The SKU ${sku} would belong to two products (${other} and ${id}); SKUs are unique in a store.`, [{ path: ['products', id, 'sku'], message: `duplicate SKU ${sku}` }])
      owner.set(sku, id)
    }
    const changed = items.filter((it) => existing.get(`${it.kind}:${it.id}`) !== it.payload)
    if (changed.length > 0) {
      // One statement for the history rows; cursors come from the bigserial in item order.
      await q.query(
        `WITH input AS (
           SELECT x.ord, x.kind, x.item_id, x.payload FROM jsonb_to_recordset($2::jsonb) AS x(ord int, kind text, item_id text, payload text)
         ), ins AS (
           INSERT INTO catalog_changes (store_id, kind, item_id, payload, changed_at)
           SELECT $1, kind, item_id, payload, $3 FROM input ORDER BY ord
           RETURNING cursor, kind, item_id, payload
         )
         INSERT INTO catalog_items (store_id, kind, item_id, cursor, payload)
         SELECT $1, kind, item_id, cursor, payload FROM ins
         ON CONFLICT (store_id, kind, item_id) DO UPDATE SET cursor = excluded.cursor, payload = excluded.payload`,
        [storeId, JSON.stringify(changed.map((c, ord) => ({ ord, kind: c.kind, item_id: c.id, payload: c.payload }))), now.toISOString()],
      )
    }
    const max = await q.query<{ cursor: number | null }>('SELECT max(cursor) AS cursor FROM catalog_items WHERE store_id = $1', [storeId])
    return { changes: changed.length, cursor: String(max[0]?.cursor ?? 0) }
  })
}

const KIND_ORDER: Record<Kind, number> = { tax: 0, 'tax-class': 1, category: 2, product: 3 }

/**
 * One page of the feed: the items changed after `cursor`, in cursor order, up to `limit`. Each page
 * can be applied on its own: when it holds products, the current rows of the categories, tax classes
 * and taxes they reference (and the taxes of its tax classes) come with it, de-duplicated, with
 * their own current cursor (applying one twice is an idempotent upsert). A page is ordered tax →
 * tax class → category → product; nextCursor is still the largest cursor of the page's own items.
 */
export async function catalogPage(
  db: Queryable,
  storeId: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ changes: CatalogChange[]; nextCursor: string; hasMore: boolean }> {
  const after = cursor ?? '0'
  type Row = { kind: Kind; item_id: string; cursor: number; payload: string }
  const rows = await db.query<Row>(
    'SELECT kind, item_id, cursor, payload FROM catalog_items WHERE store_id = $1 AND cursor > $2::bigint ORDER BY cursor LIMIT $3',
    [storeId, after, limit + 1],
  )
  const page = rows.slice(0, limit)
  const all = new Map(page.map((r) => [`${r.kind}:${r.item_id}`, r]))
  const addCurrent = async (kind: Kind, ids: Set<string>): Promise<void> => {
    const missing = [...ids].filter((id) => !all.has(`${kind}:${id}`))
    if (missing.length === 0) return
    for (const r of await db.query<Row>('SELECT kind, item_id, cursor, payload FROM catalog_items WHERE store_id = $1 AND kind = $2 AND item_id = ANY($3::text[])', [
      storeId,
      kind,
      missing,
    ])) {
      all.set(`${r.kind}:${r.item_id}`, r)
    }
  }
  const parsed = (kind: Kind): Record<string, unknown>[] => [...all.values()].filter((r) => r.kind === kind).map((r) => JSON.parse(r.payload) as Record<string, unknown>)
  const products = parsed('product')
  await addCurrent('category', new Set(products.map((x) => String(x.categoryId))))
  await addCurrent('tax-class', new Set(products.map((x) => String(x.taxClassId))))
  await addCurrent('tax', new Set(parsed('tax-class').flatMap((x) => (Array.isArray(x.taxIds) ? x.taxIds.map(String) : []))))
  const ordered = [...all.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.cursor - b.cursor)
  const changes = ordered.map((r) => ({ kind: r.kind, cursor: String(r.cursor), [KIND_FIELD[r.kind]]: JSON.parse(r.payload) }) as CatalogChange)
  return { changes, nextCursor: page.length > 0 ? String(page[page.length - 1]!.cursor) : after, hasMore: rows.length > limit }
}

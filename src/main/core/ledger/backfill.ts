import type { Settings } from '../../../shared/contract'
import { SettingsSchema } from '../../../shared/contract'
import { businessDate } from '../business-day'
import type { Db } from '../db/sqlite'
import { POSTING_EVENT_KIND } from '../../../shared/ledger'
import { recordPosting } from './store'

/**
 * Gives the sales, refunds, voids and reprints journaled before the ledger existed their postings,
 * derived from their events (the events and posted rows stay exactly as they are). A sale keeps the
 * business day on its receipt; the others take the day of their time in the store's time zone.
 * They carry no shift (there were none) and all fall into the first Z.
 */
export function postExistingEvents(db: Db): void {
  const row = db.prepare('SELECT json FROM settings WHERE id = 1').get() as { json: string } | undefined
  const settings: Pick<Settings, 'timeZone' | 'businessDayCutoffHour' | 'currency'> = row
    ? SettingsSchema.parse(JSON.parse(row.json))
    : { timeZone: 'Asia/Shanghai', businessDayCutoffHour: 4, currency: 'CNY' }
  // In batches of posting events: a till with a million sales must not hold its whole journal in memory.
  const types = Object.keys(POSTING_EVENT_KIND)
  const batch = db.prepare(`SELECT seq, type, created_at, payload FROM journal WHERE seq > ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY seq LIMIT 10000`)
  let after = 0
  for (;;) {
    const events = batch.all(after, ...types) as { seq: number; type: string; created_at: string; payload: string }[]
    if (events.length === 0) break
    after = events[events.length - 1]!.seq
    postBatch(db, events, settings)
  }
}

function postBatch(
  db: Db,
  events: { seq: number; type: string; created_at: string; payload: string }[],
  settings: Pick<Settings, 'timeZone' | 'businessDayCutoffHour' | 'currency'>,
): void {
  for (const e of events) {
    const data = JSON.parse(e.payload) as { businessDate?: string; currency?: string }
    recordPosting(db, e.seq, e.type, data, (p) => {
      if (p.currency === '') p.currency = settings.currency
      const day = p.kind === 'sale' && data.businessDate ? data.businessDate : businessDate(new Date(e.created_at), settings.timeZone, settings.businessDayCutoffHour)
      return { businessDate: day, shiftId: null, adjustmentOf: null }
    })
  }
}

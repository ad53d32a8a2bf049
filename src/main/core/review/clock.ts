/**
 * The store-local clock hour of an instant, in the store's time zone (the same Intl approach, and
 * the same one-formatter-per-zone cache, as business-day.ts). Offsets are whole minutes in every
 * zone, so the review groups the day's postings by UTC minute in SQL and maps each minute here:
 * at most ~1,500 calls for a day, whatever its number of orders.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()

export function localHour(at: Date, timeZone: string): number {
  let fmt = formatters.get(timeZone)
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' })
    formatters.set(timeZone, fmt)
  }
  const h = Number(fmt.formatToParts(at).find((p) => p.type === 'hour')?.value ?? '0')
  return h === 24 ? 0 : h
}

/** Local hour of a UTC minute "yyyy-mm-ddThh:mm" (a prefix of an ISO instant), cached per call site. */
export function hourOfMinute(cache: Map<string, number>, minute: string, timeZone: string): number {
  let h = cache.get(minute)
  if (h === undefined) cache.set(minute, (h = localHour(new Date(`${minute}:00Z`), timeZone)))
  return h
}

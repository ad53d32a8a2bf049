/**
 * The calendar date of an instant in the store's time zone (the business day of a refund or void,
 * and of an event journaled without posting meta). One formatter per time zone: building an
 * Intl.DateTimeFormat costs far more than formatting with it, and a closure may cover 50,000 events.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()

export function storeDate(instant: string, timeZone: string): string {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    if (formatters.size > 1000) formatters.clear()
    formatters.set(timeZone, f)
  }
  return f.format(new Date(instant))
}

/**
 * The business day a moment belongs to: the store's time zone, shifted back by the cut-off hour,
 * so a sale at 01:30 in a shop that closes its day at 04:00 belongs to the previous date.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()

export function businessDate(at: Date, timeZone: string, cutoffHour: number): string {
  const shifted = new Date(at.getTime() - cutoffHour * 3_600_000)
  // Building an Intl formatter costs a quarter of a millisecond: keep one per time zone.
  let fmt = formatters.get(timeZone)
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    formatters.set(timeZone, fmt)
  }
  // The first part of each type, as parts.find would pick it (one pass, no closure per call).
  let year: string | undefined
  let month: string | undefined
  let day: string | undefined
  for (const p of fmt.formatToParts(shifted)) {
    if (p.type === 'year') year ??= p.value
    else if (p.type === 'month') month ??= p.value
    else if (p.type === 'day') day ??= p.value
  }
  return `${year ?? ''}-${month ?? ''}-${day ?? ''}`
}

/** `<device>-<yyyymmdd>-<seq>`: what a customer reads off the receipt and a cashier types to find it. */
export function receiptNumber(deviceCode: string, date: string, daySeq: number): string {
  return `${deviceCode}-${date.replace(/-/g, '')}-${String(daySeq).padStart(4, '0')}`
}

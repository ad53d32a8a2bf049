import { useTranslation } from 'react-i18next'
import { CURRENCY_EXPONENT, formatMoney, type Currency } from '../../../shared/money'
import { localeOf, type Language } from '../i18n'
import { useApp } from '../store'

export function isCurrency(c: string): c is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENT, c)
}

export function toLanguage(lng: string): Language {
  return lng === 'zh-CN' ? 'zh-CN' : 'en'
}

export function money(minor: number, currency: string, lang: Language): string {
  if (!isCurrency(currency)) return `${minor} ${currency}`
  return formatMoney(minor, currency, localeOf(lang))
}

export interface Named {
  nameEn: string
  nameZh: string
}

/** "VAT 13%" stays as it is; "VAT" with rate 13 becomes "VAT 13%". */
export function taxLabel(name: string, rate: string): string {
  return name.includes(`${rate}%`) ? name : `${name} ${rate}%`
}

export function nameOf(p: Named, lang: Language): string {
  const name = lang === 'zh-CN' ? p.nameZh : p.nameEn
  return name || p.nameEn || p.nameZh
}

function safeTimeZone(tz: string | undefined): string | undefined {
  if (!tz) return undefined
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return tz
  } catch {
    return undefined
  }
}

/** Formatting bound to the current language, the store's currency and the store's time zone. */
export function useFormat() {
  const { i18n } = useTranslation()
  const lang = toLanguage(i18n.language)
  const locale = localeOf(lang)
  const appInfo = useApp((s) => s.appInfo)
  const currency = appInfo?.currency ?? 'CNY'
  const timeZone = safeTimeZone(appInfo?.timeZone)
  const currencySymbol = isCurrency(currency)
    ? (new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(0).find((p) => p.type === 'currency')?.value ??
      currency)
    : currency
  return {
    lang,
    locale,
    currency,
    currencySymbol,
    money: (minor: number, cur: string = currency) => money(minor, cur, lang),
    name: (p: Named) => nameOf(p, lang),
    dateTime: (iso: string) =>
      new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(new Date(iso)),
    time: (iso: string | Date) =>
      new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(typeof iso === 'string' ? new Date(iso) : iso),
    clock: (d: Date) => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(d),
    /** A business date "2025-05-01", shown as a calendar date (no time-zone shift). */
    businessDate: (ymd: string) =>
      new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${ymd}T12:00:00Z`)),
  }
}

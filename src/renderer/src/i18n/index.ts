import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { zh } from './zh'

export type Language = 'zh-CN' | 'en'
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en']
export const LANGUAGE_KEY = 'daybook.language'
const STORAGE_KEY = LANGUAGE_KEY

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation'
    resources: { translation: typeof en }
  }
}

function isLanguage(v: unknown): v is Language {
  return v === 'zh-CN' || v === 'en'
}

/** Remembered choice first; otherwise Chinese when the system speaks Chinese, else English. */
export function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (isLanguage(saved)) return saved
  } catch {
    // no storage: fall through
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language : ''
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

export function setLanguage(lang: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = lang
  void i18n.changeLanguage(lang)
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en'
}

/** The BCP 47 locale for Intl (money, dates). */
export function localeOf(lang: Language): string {
  return lang === 'zh-CN' ? 'zh-CN' : 'en'
}

const lng = initialLanguage()
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng,
  fallbackLng: 'en',
  supportedLngs: ['zh-CN', 'en'],
  interpolation: { escapeValue: false },
  initAsync: false,
})
if (typeof document !== 'undefined') document.documentElement.lang = lng

export default i18n

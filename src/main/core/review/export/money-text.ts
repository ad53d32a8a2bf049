import { CURRENCY_EXPONENT, formatMoney, minorToDecimalString, type Currency } from '../../../../shared/money'

/** The currency of a figure, checked: an export never guesses an exponent. */
export function currencyOf(code: string): Currency {
  if (!Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENT, code)) throw new Error(`Cannot export amounts in an unknown currency: ${code}`)
  return code as Currency
}

/** "12.30", "-12.30", "1234" (JPY): the exact major-unit decimal of integer minor units; no float anywhere. */
export function decimalText(minor: number, currency: Currency): string {
  return minorToDecimalString(minor, currency)
}

/** "¥1,234.50" (zh-CN) or "CN¥1,234.50" (en): the screens' money text, from a decimal string. */
export function moneyText(minor: number, currency: Currency, locale: string): string {
  return formatMoney(minor, currency, locale)
}

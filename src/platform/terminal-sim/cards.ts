/**
 * Test cards the simulator "reads". Only masked PANs (first 6, last 4) are kept here: the
 * simulator never sends a full card number except in the leak scenarios that exist to prove the
 * till refuses one, and those use the networks' public test numbers.
 */
export interface TestCard {
  maskedPan: string
  brand: string
  country: string
}

export const TEST_CARDS: readonly TestCard[] = [
  { maskedPan: '411111******1111', brand: 'visa', country: 'US' },
  { maskedPan: '555544******1111', brand: 'mc', country: 'GB' },
  { maskedPan: '370000*****0002', brand: 'amex', country: 'US' },
  { maskedPan: '625094******0014', brand: 'cup', country: 'CN' },
]

export const ENTRY_MODES = ['Contactless', 'ICC'] as const

/** Public test numbers (Visa, Mastercard), used only by the leak scenarios. */
export const LEAK_FULL_PAN = ['4111', '1111', '1111', '1111'].join('')
export const LEAK_OTHER_PAN = ['5555', '4444', '3333', '1111'].join('')
/** Eight leading digits: more than the first 6 + last 4 a till may keep. */
export const OVER_REVEALING_MASK = '41111111****1111'

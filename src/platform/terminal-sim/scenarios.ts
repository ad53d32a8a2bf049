/**
 * What the simulated terminal does with the next payment. Chosen by the control endpoint (a queue
 * for the next N payment or refund requests) or, failing that, by the amount: minor units mod 100.
 */
export const SCENARIOS = ['approve', 'decline', 'busy', 'cancel', 'drop', 'slow', 'leak_pan', 'leak_pan_elsewhere', 'bad_masked_pan'] as const
export type Scenario = (typeof SCENARIOS)[number]

export const AMOUNT_RULES: Readonly<Record<number, Scenario>> = {
  81: 'decline', // Failure / Refusal: the issuer said no
  82: 'busy', // Failure / Busy: nothing is processed or recorded
  83: 'cancel', // Failure / Cancel: the customer pressed Cancel on the terminal
  84: 'drop', // approved and recorded, then the connection is cut without an answer
  85: 'slow', // takes --slow-ms longer; TransactionStatus answers InProgress meanwhile
  86: 'leak_pan', // a broken terminal: MaskedPan holds the full (test) card number
  87: 'leak_pan_elsewhere', // a broken terminal: a full (test) card number in AdditionalResponse
  88: 'bad_masked_pan', // a broken terminal: MaskedPan shows 8 leading digits
}

export function scenarioForAmount(minor: number): Scenario {
  return AMOUNT_RULES[minor % 100] ?? 'approve'
}

export function describeRules(): string {
  const lines = Object.entries(AMOUNT_RULES).map(([k, v]) => `  ..${k}  ${v}`)
  return ['Scenario by amount (minor units mod 100; anything else approves):', ...lines].join('\n')
}

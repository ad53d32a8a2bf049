import { describe, expect, it } from 'vitest'
import { addQuantity, milliToQty, parseQuantity, qtyToMilli } from '../../src/renderer/src/lib/qty'

describe('quantities (decimal strings, no floats)', () => {
  it('parses pieces as whole numbers only', () => {
    expect(parseQuantity('3', 'each')).toBe('3')
    expect(parseQuantity('1.5', 'each')).toBeNull()
    expect(parseQuantity('0', 'each')).toBeNull()
    expect(parseQuantity('100000', 'each')).toBeNull()
  })
  it('parses weights with up to 3 decimals and normalises them', () => {
    expect(parseQuantity('0.532', 'kg')).toBe('0.532')
    expect(parseQuantity('1.500', 'kg')).toBe('1.5')
    expect(parseQuantity('0,25', 'kg')).toBe('0.25')
    expect(parseQuantity('0.0001', 'kg')).toBeNull()
    expect(parseQuantity('0.000', 'kg')).toBeNull()
    expect(parseQuantity('-1', 'kg')).toBeNull()
  })
  it('adds whole units exactly', () => {
    expect(addQuantity('1', 1)).toBe('2')
    expect(addQuantity('0.1', 1)).toBe('1.1')
    expect(addQuantity('1', -1)).toBeNull()
    expect(addQuantity('99999', 1)).toBeNull()
    expect(qtyToMilli('2.005')).toBe(2005)
    expect(milliToQty(2050)).toBe('2.05')
  })
})

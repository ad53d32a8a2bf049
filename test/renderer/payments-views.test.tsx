import { renderToStaticMarkup } from 'react-dom/server'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Attempt, Checkout, Order, PaymentsStatus } from '../../src/shared/contract'
import { findCardNumber } from '../../src/shared/card-number'

// These views only show what they are given; the api is never reached.
vi.mock('../../src/renderer/src/api', () => ({
  invoke: () => Promise.resolve({ ok: false, error: { code: 'internal', message: 'not in this test' } }),
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => null,
  setSessionToken: () => undefined,
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const pay = await import('../../src/renderer/src/lib/payments')
const { TenderButtons, TenderList, PaymentsNotes, MerchantQr, PaySummary } = await import('../../src/renderer/src/screens/checkout/PayParts')
const { CustomerDisplayView } = await import('../../src/renderer/src/screens/CustomerDisplay')
const { OrderPayments } = await import('../../src/renderer/src/screens/OrderPayments')
const { ReceiptPaper } = await import('../../src/renderer/src/screens/Receipt')

const NOW = Date.parse('2026-11-22T03:00:00Z')
const t = () => i18n.t.bind(i18n)

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

function attempt(over: Partial<Attempt>): Attempt {
  return {
    id: '01JZ8Q7X2M4N6P8R0S2T4V6W8Y',
    method: 'cash',
    flow: 'cash',
    amount: 500,
    state: 'succeeded',
    tendered: null,
    change: null,
    codeUrl: null,
    expiresAt: null,
    providerRef: null,
    card: null,
    failure: null,
    activity: 'none',
    polls: 0,
    createdAt: '2026-11-22T03:00:00Z',
    updatedAt: '2026-11-22T03:00:00Z',
    ...over,
  }
}

const CARD = { maskedPan: '411111******1111', brand: 'visa', entryMode: 'Contactless', approvalCode: '034521', terminalId: 'V400m-324688179' }

function checkout(attempts: Attempt[], over: Partial<Checkout> = {}): Checkout {
  const total = 930
  const paid = attempts.filter((a) => a.state === 'succeeded').reduce((s, a) => s + a.amount, 0)
  const pending = attempts.filter(pay.isPending).reduce((s, a) => s + a.amount, 0)
  return {
    id: '01JZ8Q7X2M4N6P8R0S2T4V6W80',
    state: 'open',
    quote: {
      currency: 'CNY',
      priceMode: 'inclusive',
      taxRounding: 'line',
      roundingMode: 'half_up',
      lines: [
        { lineNo: 1, productId: 'p1001', nameEn: 'Water', nameZh: '矿泉水', quantity: '1', unit: 'each', unitPrice: 930, gross: 930, lineDiscount: 0, orderDiscount: 0, total: 930, taxIds: [], tax: null },
      ],
      subtotal: total,
      lineDiscounts: 0,
      orderDiscount: 0,
      taxes: [],
      taxTotal: 0,
      total,
      cashDue: 930,
      cashRounding: 0,
      discountPercent: '0',
      needsApproval: false,
      quickCash: [930, 1000, 2000],
    },
    currency: 'CNY',
    total,
    paid,
    pending,
    remaining: Math.max(0, total - paid - pending),
    attempts,
    orderId: null,
    staff: { id: 's1', name: 'Li Na' },
    voidReason: null,
    createdAt: '2026-11-22T03:00:00Z',
    ...over,
  }
}

const UNPAIRED: PaymentsStatus = { qr: { available: false, reason: 'unpaired' }, card: { available: false, reason: 'not_configured', terminalId: null }, unresolved: 0 }
const OFFLINE: PaymentsStatus = { qr: { available: false, reason: 'offline' }, card: { available: true, reason: null, terminalId: 'V400m-324688179' }, unresolved: 1 }
const ALL: PaymentsStatus = { qr: { available: true, reason: null }, card: { available: true, reason: null, terminalId: 'V400m-324688179' }, unresolved: 0 }

beforeEach(async () => {
  await i18n.changeLanguage('en')
})

describe('what the scanner reads in the pay view', () => {
  it('a wallet payment code is a customer-code tender; a card number is refused; anything else is not a payment code', () => {
    expect(pay.classifyScan('284756192837465012')).toEqual({ kind: 'wallet', wallet: 'alipay', code: '284756192837465012' })
    expect(pay.classifyScan(' 134567890123456789 ')).toEqual({ kind: 'wallet', wallet: 'wechat', code: '134567890123456789' })
    expect(pay.classifyScan('4111111111111111')).toEqual({ kind: 'card' })
    expect(pay.classifyScan('4111 1111 1111 1111')).toEqual({ kind: 'card' })
    expect(pay.classifyScan('6901234500004')).toEqual({ kind: 'other' })
    // an Alipay code that happens to pass Luhn is still a wallet code: this field is for them
    const luhnAlipay = ['2847561928374650', '2847561928374651', '2847561928374652', '2847561928374653', '2847561928374654', '2847561928374655', '2847561928374656', '2847561928374657', '2847561928374658', '2847561928374659'].find((c) => findCardNumber(c) !== null)
    expect(luhnAlipay).toBeDefined()
    expect(pay.classifyScan(luhnAlipay as string).kind).toBe('wallet')
  })
})

describe('attempts in words', () => {
  it('says what the till is doing for each activity, in English and Chinese', async () => {
    const qr = attempt({ method: 'alipay', flow: 'merchant_qr', state: 'awaiting_customer', activity: 'waiting_customer' })
    const code = attempt({ method: 'wechat', flow: 'customer_code', state: 'awaiting_customer', activity: 'user_paying', polls: 3 })
    const card = attempt({ method: 'card', flow: 'terminal', state: 'unknown', activity: 'checking' })
    const s = (a: Attempt) => pay.attemptActivityText(t(), a, 'en')
    expect(s(qr)).toBe('Waiting for the customer to scan')
    expect(s(code)).toBe('Customer is entering their password (check 3)')
    expect(s(card)).toBe('The card terminal did not answer. Checking whether the payment went through…')
    expect(s({ ...card, activity: 'waiting_customer', state: 'awaiting_customer' })).toBe('Waiting for the customer to tap, insert or swipe the card')
    expect(s({ ...qr, activity: 'cancelling' })).toBe('Closing the payment and checking its outcome…')
    expect(s({ ...card, activity: 'none', state: 'failed', failure: { code: 'CARD_REFUSAL', message: 'Refused' } })).toBe('The card was declined.')
    expect(s({ ...qr, activity: 'none', state: 'failed', failure: { code: 'brand_new_code', message: 'The wallet said no.' } })).toBe('The wallet said no.')
    await i18n.changeLanguage('zh-CN')
    expect(pay.attemptActivityText(t(), code, 'zh-CN')).toBe('顾客正在输入支付密码（第 3 次查询）')
    expect(pay.attemptActivityText(t(), card, 'zh-CN')).toBe('刷卡终端没有回应，正在核实是否已付款…')
    // a failure the screen has no words for says its code instead of English
    expect(pay.attemptActivityText(t(), { ...qr, activity: 'none', state: 'failed', failure: { code: 'brand_new_code', message: 'The wallet said no.' } }, 'zh-CN')).toBe(
      '未付款（代码 brand_new_code）。',
    )
  })

  it('the split list shows method, amount, state, the card with its approval code, and Cancel only on what is still in flight', () => {
    const c = checkout([
      attempt({ id: 'A1', method: 'alipay', flow: 'merchant_qr', amount: 930, state: 'failed', failure: { code: 'cancelled', message: 'x' } }),
      attempt({ id: 'A2', method: 'card', flow: 'terminal', amount: 500, card: CARD, providerRef: 'PSP1' }),
      attempt({ id: 'A3', method: 'wechat', flow: 'customer_code', amount: 200, state: 'awaiting_customer', activity: 'user_paying', polls: 2 }),
    ])
    const html = renderToStaticMarkup(<TenderList checkout={c} onCancel={() => undefined} />)
    const s = text(html)
    expect(s).toContain('Alipay QR code shown Not paid The payment was cancelled.')
    expect(s).toContain('Card Card terminal Paid VISA ****1111 · Approval 034521')
    expect(s).toContain('WeChat Pay Customer code scanned Waiting Customer is entering their password (check 2)')
    expect(html).toContain('data-testid="cancel-A3"')
    expect(html).not.toContain('data-testid="cancel-A1"')
    expect(html).not.toContain('data-testid="cancel-A2"')
    expect(html).not.toContain('411111') // never more of the card than the last four on screen
  })

  it('every tender button shows its key; without a platform or a terminal they are off and the screen says why', () => {
    const html = renderToStaticMarkup(<TenderButtons status={UNPAIRED} mode="cash" disabled={false} onPick={() => undefined} />)
    for (const key of ['F2', 'F3', 'F4', 'F7', 'F8']) expect(html).toContain(`<kbd>${key}</kbd>`)
    const disabled = [...html.matchAll(/data-testid="tender-(\w+)" disabled=""/g)].map((m) => m[1])
    expect(disabled.sort()).toEqual(['alipay', 'card', 'scan', 'wechat'])
    expect(text(renderToStaticMarkup(<PaymentsNotes status={UNPAIRED} />))).toBe(
      'QR payments need the platform, and this till is not connected to one. Take cash or card. No card terminal is set up on this till.',
    )
    expect(text(renderToStaticMarkup(<PaymentsNotes status={OFFLINE} />))).toBe(
      'QR payments need the platform, which cannot be reached. Take cash or card. The till is checking 1 unfinished payments.',
    )
    expect(renderToStaticMarkup(<PaymentsNotes status={ALL} />)).toBe('')
    const on = renderToStaticMarkup(<TenderButtons status={ALL} mode="cash" disabled={false} onPick={() => undefined} />)
    expect(on).not.toContain('disabled=""')
  })

  it('the merchant QR shows its wallet, amount and a countdown; everything in flight is shown as in progress, not as zero', () => {
    const qr = attempt({
      method: 'wechat',
      flow: 'merchant_qr',
      amount: 930,
      state: 'awaiting_customer',
      activity: 'waiting_customer',
      codeUrl: 'weixin://wxpay/bizpayurl?pr=abc',
      expiresAt: new Date(NOW + 119_500).toISOString(),
    })
    const html = renderToStaticMarkup(<MerchantQr attempt={qr} currency="CNY" now={NOW} />)
    expect(html).toContain('data-seconds="120"')
    expect(text(html)).toContain('Customer scans with WeChat Pay')
    expect(text(html)).toContain('Expires in 2:00')
    expect(text(renderToStaticMarkup(<MerchantQr attempt={qr} currency="CNY" now={NOW + 125_000} />))).toContain('This QR code has expired.')
    const summary = renderToStaticMarkup(<PaySummary checkout={checkout([qr])} />)
    expect(text(summary)).toMatch(/^In progress/)
    expect(summary).toMatch(/data-minor="0" data-testid="pay-remaining"/)
  })

  it('cash rounding applies only when the cash closes the order', () => {
    const c = checkout([attempt({ id: 'C1', method: 'card', flow: 'terminal', amount: 500, card: CARD })])
    const tenth = { increment: 10, mode: 'down' as const }
    expect(pay.cashFigures(c, 430, tenth)).toMatchObject({ closes: true, due: 430, rounding: 0 })
    expect(pay.cashFigures(c, 431 - 1, tenth).closes).toBe(true)
    const odd = checkout([attempt({ id: 'C1', method: 'card', flow: 'terminal', amount: 503, card: CARD })])
    expect(pay.cashFigures(odd, 427, tenth)).toMatchObject({ closes: true, due: 420, rounding: -7 })
    expect(pay.cashFigures(odd, 400, tenth)).toMatchObject({ closes: false, due: 400, rounding: 0 })
  })
})

describe('the customer display', () => {
  it('shows the store, the total, what is left and the QR with its wallet and amount', () => {
    const qr = attempt({ method: 'alipay', flow: 'merchant_qr', amount: 930, state: 'awaiting_customer', activity: 'waiting_customer', codeUrl: 'https://qr.alipay.com/abc', expiresAt: new Date(NOW + 60_000).toISOString() })
    const html = renderToStaticMarkup(<CustomerDisplayView storeName="Daybook Mart" view={{ kind: 'checkout', checkout: checkout([qr]) }} now={NOW} />)
    const s = text(html)
    expect(s).toContain('Daybook Mart')
    expect(s).toContain('Scan with Alipay to pay')
    expect(s).toContain('Expires in 1:00')
    expect(html).toMatch(/data-testid="cd-remaining" data-minor="930"|data-minor="930"[^>]*data-testid="cd-remaining"/)
    expect(s).not.toContain('Waiting for the customer') // cashier words stay on the till
  })

  it('thanks the customer when paid, in both languages', async () => {
    const done = checkout([attempt({ amount: 930 })], { state: 'completed', orderId: 'o1' })
    expect(text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={{ kind: 'done', checkout: done }} now={NOW} />))).toContain('Paid — thank you!')
    await i18n.changeLanguage('zh-CN')
    expect(text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={{ kind: 'done', checkout: done }} now={NOW} />))).toContain('付款成功，谢谢惠顾！')
    expect(text(renderToStaticMarkup(<CustomerDisplayView storeName="S" view={{ kind: 'idle' }} now={NOW} />))).toContain('欢迎光临')
  })
})

function order(): Order {
  const c = checkout([])
  return {
    ...c.quote,
    id: 'o1',
    receiptNo: 'T01-20261122-0001',
    businessDate: '2026-11-22',
    createdAt: '2026-11-22T03:00:00Z',
    storeName: 'Daybook Mart',
    deviceCode: 'T01',
    staff: { id: 's1', name: 'Li Na' },
    approvedBy: null,
    cashRounding: 0,
    tenders: [
      { id: 'T1', method: 'card', amount: 500, tendered: 500, change: 0, flow: 'terminal', providerRef: 'PSP-8815', card: CARD, paidAt: '2026-11-22T03:00:10Z' },
      { id: 'T2', method: 'alipay', amount: 430, tendered: 430, change: 0, flow: 'merchant_qr', providerRef: '2026112222001', paidAt: '2026-11-22T03:00:20Z' },
    ],
    paid: 930,
    change: 0,
    receiptFooter: '',
    journal: { seq: 7, hash: 'ab'.repeat(32) },
    reprints: 0,
    refunds: [
      {
        id: 'R1', orderId: 'o1', tenderId: 'T2', method: 'alipay', amount: 100, state: 'succeeded', reason: 'Item returned',
        staff: { id: 's1', name: 'Li Na' }, approvedBy: { id: 's2', name: 'Zhang Wei' }, providerRef: 'r1', failure: null,
        createdAt: '2026-11-22T04:00:00Z', completedAt: '2026-11-22T04:00:01Z',
      },
      {
        id: 'R2', orderId: 'o1', tenderId: 'T2', method: 'alipay', amount: 200, state: 'failed', reason: 'Wrong item',
        staff: { id: 's1', name: 'Li Na' }, approvedBy: null, providerRef: null, failure: { code: 'refund_failed', message: 'x' },
        createdAt: '2026-11-22T04:10:00Z', completedAt: null,
      },
    ],
  }
}

describe('orders and receipts', () => {
  it('the order detail shows each tender, its refunds with who and why, and what is left to refund', () => {
    const o = order()
    expect(pay.refundableOf(o, 'T1')).toBe(500)
    expect(pay.refundableOf(o, 'T2')).toBe(330) // the failed refund gave nothing back
    const html = renderToStaticMarkup(<OrderPayments order={o} onRefund={() => undefined} />)
    const s = text(html)
    expect(s).toContain('Card VISA ****1111')
    expect(s).toContain('VISA 411111******1111')
    expect(s).toContain('Approval code 034521')
    expect(s).toContain('Terminal V400m-324688179')
    expect(s).toContain('Reference 2026112222001')
    expect(s).toContain('Item returned · by Li Na · approved by Zhang Wei')
    expect(html).toMatch(/data-minor="330" data-testid="refundable-T2"/)
    expect(s).toContain('Wrong item · by Li Na The refund did not go through.')
    expect(html).toContain('data-testid="refund-T1"')
  })

  it('the receipt prints every tender line and the refunds after', async () => {
    const s = text(renderToStaticMarkup(<ReceiptPaper order={order()} showJournal={false} />))
    expect(s).toContain('Paid · Card VISA ****1111')
    expect(s).toContain('Approval code 034521')
    expect(s).toContain('Paid · Alipay')
    expect(s).toContain('Refund · Alipay')
    expect(s).not.toContain('Wrong item')
    await i18n.changeLanguage('zh-CN')
    const zh = text(renderToStaticMarkup(<ReceiptPaper order={order()} showJournal={false} />))
    expect(zh).toContain('实付 · 银行卡 VISA ****1111')
    expect(zh).toContain('实付 · 支付宝')
    expect(zh).toContain('退款 · 支付宝')
  })
})

import { formatMoney, type Currency } from '../../../../shared/money'
import type { Tender } from '../../../../shared/contract'

/** The words on paper, in the receipt's language (the screen's language is separate). */
const WORDS = {
  zh: {
    receiptNo: '单号',
    date: '时间',
    till: '收银台',
    cashier: '收银员',
    approvedBy: '批准',
    subtotal: '小计',
    lineDiscount: '  折扣',
    lineDiscounts: '单品折扣',
    orderDiscount: '整单折扣',
    taxAdded: '税',
    taxIncluded: '含税',
    total: '合计',
    cashRounding: '现金抹零',
    paid: '付款',
    tendered: '  实收',
    approvalCode: '  授权码',
    reference: '  参考号',
    change: '找零',
    refunds: '退款',
    refundLine: '已退款',
    refundPending: '退款处理中',
    duplicate: '副本 DUPLICATE',
    reprintNo: '第 {n} 次重印',
    refundTitle: '退款单',
    refundOf: '原单号',
    refundMethod: '退款方式',
    refundAmount: '退款金额',
    reason: '原因',
    state: '状态',
    staff: '经办',
    signature: '顾客签名',
    shiftTitle: '交班报表',
    shiftOpen: '（班次未结束）',
    opened: '开班',
    closed: '交班',
    holder: '当班',
    float: '备用金',
    expected: '应有现金',
    counted: '点数现金',
    overShort: '长短款',
    left: '留存',
    orders: '订单数',
    grossSales: '销售总额',
    discounts: '折扣',
    refundsTotal: '退款',
    rounding: '抹零',
    net: '净额',
    tenders: '支付方式',
    taxes: '税额',
    cash: '现金',
    received: '收入',
    changeGiven: '找零',
    cashRefunds: '现金退款',
    payIns: '存入',
    payOuts: '支出',
    safeDrops: '存入保险柜',
    blind: '盲点：点数后显示',
    xTitle: 'X 报表',
    xNote: 'X — 非日结',
    zTitle: 'Z 日结',
    zNo: 'Z 编号',
    businessDate: '营业日',
    from: '起始营业日',
    seqRange: '流水号',
    periodTotal: '本期合计',
    previousGrandTotal: '上期累计',
    grandTotal: '累计总额',
    closedBy: '日结人',
    zClosedAt: '日结时间',
    printedAt: '打印时间',
    shifts: '班次',
    blockers: '尚未完成',
    unsynced: '未同步事件',
    lastHash: '末哈希',
    testTitle: '打印测试',
    testLine: '打印机工作正常。',
    testCodePage: '字符集',
    testWidth: '纸宽',
    thanks: '谢谢惠顾',
  },
  en: {
    receiptNo: 'Receipt',
    date: 'Date',
    till: 'Till',
    cashier: 'Cashier',
    approvedBy: 'Approved by',
    subtotal: 'Subtotal',
    lineDiscount: '  Discount',
    lineDiscounts: 'Line discounts',
    orderDiscount: 'Order discount',
    taxAdded: 'Tax',
    taxIncluded: 'Incl. tax',
    total: 'TOTAL',
    cashRounding: 'Cash rounding',
    paid: 'Paid',
    tendered: '  Tendered',
    approvalCode: '  Approval',
    reference: '  Ref',
    change: 'Change',
    refunds: 'Refunds',
    refundLine: 'Refunded',
    refundPending: 'Refund pending',
    duplicate: 'DUPLICATE 副本',
    reprintNo: 'Reprint no. {n}',
    refundTitle: 'REFUND',
    refundOf: 'Original receipt',
    refundMethod: 'Refunded to',
    refundAmount: 'Amount',
    reason: 'Reason',
    state: 'State',
    staff: 'By',
    signature: 'Customer signature',
    shiftTitle: 'SHIFT REPORT',
    shiftOpen: '(shift still open)',
    opened: 'Opened',
    closed: 'Closed',
    holder: 'Holder',
    float: 'Float',
    expected: 'Expected cash',
    counted: 'Counted cash',
    overShort: 'Over/short',
    left: 'Left in drawer',
    orders: 'Orders',
    grossSales: 'Gross sales',
    discounts: 'Discounts',
    refundsTotal: 'Refunds',
    rounding: 'Rounding',
    net: 'Net',
    tenders: 'Tenders',
    taxes: 'Taxes',
    cash: 'Cash',
    received: 'Received',
    changeGiven: 'Change given',
    cashRefunds: 'Cash refunds',
    payIns: 'Pay-ins',
    payOuts: 'Pay-outs',
    safeDrops: 'Safe drops',
    blind: 'Blind count: shown after the count',
    xTitle: 'X REPORT',
    xNote: 'X — not a closure',
    zTitle: 'Z CLOSURE',
    zNo: 'Z number',
    businessDate: 'Business day',
    from: 'From day',
    seqRange: 'Journal seq',
    periodTotal: 'Period total',
    previousGrandTotal: 'Previous grand total',
    grandTotal: 'Grand total',
    closedBy: 'Closed by',
    zClosedAt: 'Closed',
    printedAt: 'Printed',
    shifts: 'Shifts',
    blockers: 'Still open',
    unsynced: 'Events not synced',
    lastHash: 'Last hash',
    testTitle: 'TEST PRINT',
    testLine: 'The printer works.',
    testCodePage: 'Code page',
    testWidth: 'Paper width',
    thanks: 'Thank you',
  },
} as const

export type Lang = keyof typeof WORDS
export type Words = Record<keyof (typeof WORDS)['en'], string>

export const METHODS: Record<Lang, Record<Tender['method'], string>> = {
  zh: { cash: '现金', alipay: '支付宝', wechat: '微信支付', card: '银行卡' },
  en: { cash: 'Cash', alipay: 'Alipay', wechat: 'WeChat Pay', card: 'Card' },
}

export interface Fmt {
  lang: Lang
  w: Words
  money: (minor: number) => string
  /** "2026-11-22 14:05:09" in the store's time zone. */
  dateTime: (iso: string) => string
  /** Whether the printer has Chinese characters (GB18030); a Latin code page has not. */
  cjk: boolean
  /** Text as this printer can print it: on a Latin code page, Chinese characters are left out ("日记本 Daybook Mart" → "Daybook Mart"). */
  clean: (s: string) => string
}

export function fmt(lang: Lang, currency: string, timeZone: string, codePage: string = 'gb18030'): Fmt {
  const cjk = codePage === 'gb18030'
  const locale = lang === 'zh' ? 'zh-CN' : 'en'
  const dtf = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
  return {
    lang,
    w: WORDS[lang],
    money: (minor) => formatMoney(minor, currency as Currency, locale),
    dateTime: (iso) => {
      const p = Object.fromEntries(dtf.formatToParts(new Date(iso)).map((x) => [x.type, x.value]))
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
    },
    cjk,
    clean: cjk ? (s) => s : latinText,
  }
}

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+/g

/** For a Latin code page: dashes it lacks become "-", Chinese characters are left out. */
export function latinText(s: string): string {
  const lead = /^\s*/.exec(s)?.[0] ?? ''
  const out = s.slice(lead.length).replace(/[\u2013\u2014]/g, '-').replace(WIDE, ' ').replace(/ {2,}/g, ' ').trim()
  return out ? lead + out : s.trim() ? '?' : s
}

/** "Card VISA ****1234": masked card data only, as the screen shows it. */
export function tenderName(f: Fmt, t: Pick<Tender, 'method' | 'card'>): string {
  if (t.method === 'card' && t.card) {
    const last4 = /(\d{4})$/.exec(t.card.maskedPan)?.[1]
    return `${METHODS[f.lang].card} ${t.card.brand.toUpperCase()} ${last4 ? `****${last4}` : t.card.maskedPan}`
  }
  return METHODS[f.lang][t.method]
}

export function taxName(name: string, rate: string): string {
  return name.includes(`${rate}%`) ? name : `${name} ${rate}%`
}

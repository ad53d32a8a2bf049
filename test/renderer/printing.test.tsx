import { renderToStaticMarkup } from 'react-dom/server'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ErrorData, Result } from '../../src/shared/errors'
import { PrinterSettingsSchema, type PrinterSettings, type PrintJob } from '../../src/shared/printing-contract'

/**
 * The printer's screens and store against a scripted core: the print status lists what did not
 * print with the reason and a Retry (and nothing when all printed), Retry and "No sale" send what
 * the contract asks (one event id per press, kept for a lost answer), a core without printing never
 * gets in the way, Settings → Printer checks the port and address before sending, and the No-sale
 * dialog refuses plainly without a shift or a printer — in English and Chinese.
 */

type Answer = (input: unknown) => Result<unknown>
const calls: { channel: string; input: unknown }[] = []
let answers: Record<string, Answer> = {}

vi.mock('../../src/renderer/src/api', () => ({
  invoke: async (channel: string, input: unknown): Promise<Result<unknown>> => {
    calls.push({ channel, input })
    const a = answers[channel]
    return a ? a(input) : { ok: false, error: { code: 'internal', message: 'Printing is not built yet.' } }
  },
  onEvent: () => () => undefined,
  onSignedOut: () => () => undefined,
  connectionStatus: () => 'open',
  onConnectionStatus: () => () => undefined,
  getSessionToken: () => 'token',
  setSessionToken: () => undefined,
}))

const i18n = (await import('../../src/renderer/src/i18n')).default
const { usePrinting } = await import('../../src/renderer/src/store/printing')
const { useApp } = await import('../../src/renderer/src/store')
const { PrintStatusView } = await import('../../src/renderer/src/components/PrintStatus')
const { NoSaleDialogView } = await import('../../src/renderer/src/components/NoSaleDialog')
const { fromPrinterDraft, toPrinterDraft } = await import('../../src/renderer/src/screens/PrinterSettings')
const { printErrorText, jobFailureText, receiptPrintButton } = await import('../../src/renderer/src/lib/printing')
const { fieldIssues } = await import('../../src/renderer/src/lib/errors')

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

function job(over: Partial<PrintJob>): PrintJob {
  return {
    id: 'J1',
    kind: 'sale',
    refId: 'o1',
    drawer: true,
    state: 'done',
    attempts: 1,
    failure: null,
    createdAt: '2026-11-22T03:00:00Z',
    doneAt: null,
    ...over,
  }
}

const PRINTER: PrinterSettings = { enabled: true, host: '127.0.0.1', port: 9100, paperWidth: 80, codePage: 'gb18030', language: 'zh', drawerPin: 2, drawerEnabled: true, autoPrint: true }
const paperOut = job({ id: 'J2', state: 'failed', attempts: 2, failure: { code: 'paper_out', message: 'paper end' } })
const initialPrinting = usePrinting.getState()
const initialApp = useApp.getState()
const t = () => i18n.t.bind(i18n)

beforeEach(async () => {
  calls.length = 0
  answers = {}
  usePrinting.setState(initialPrinting, true)
  useApp.setState(initialApp, true)
  await i18n.changeLanguage('en')
})

describe('the print status', () => {
  it('lists what did not print, failed first, with the reason and a Retry; says selling goes on', async () => {
    const html = renderToStaticMarkup(<PrintStatusView jobs={[job({ id: 'J3', kind: 'z', state: 'pending', createdAt: '2026-11-22T03:05:00Z' }), paperOut, job({ id: 'J4' })]} retrying={[]} onRetry={() => undefined} />)
    const s = text(html)
    expect(s).toContain('1 not printed')
    expect(s).toContain('Selling goes on; the sale is saved.')
    expect(s).toContain('The printer is out of paper: put in a new roll, then Retry.')
    expect(s).toContain('2 tries')
    expect(s.indexOf('Receipt')).toBeLessThan(s.indexOf('Z report')) // the failed one first
    expect(html.match(/data-testid="print-job"/g)).toHaveLength(2) // a done job is not listed
    expect(html.match(/data-testid="print-retry"/g)).toHaveLength(2)
    expect(html).toContain('data-failed="1"')
    await i18n.changeLanguage('zh-CN')
    const zh = text(renderToStaticMarkup(<PrintStatusView jobs={[paperOut]} retrying={[]} onRetry={() => undefined} />))
    expect(zh).toContain('1 项未打印')
    expect(zh).toContain('打印机缺纸：请换上新纸卷，然后点“重试”。')
    expect(zh).toContain('重试')
  })

  it('says nothing when everything printed, and shows a retry on its way', () => {
    expect(renderToStaticMarkup(<PrintStatusView jobs={[]} retrying={[]} onRetry={() => undefined} />)).toBe('')
    expect(renderToStaticMarkup(<PrintStatusView jobs={[job({})]} retrying={[]} onRetry={() => undefined} />)).toBe('')
    const busy = renderToStaticMarkup(<PrintStatusView jobs={[paperOut]} retrying={['J2']} onRetry={() => undefined} />)
    expect(busy).toMatch(/data-testid="print-retry" disabled=""/)
    expect(text(busy)).toContain('Printing…')
  })

  it('an unknown failure shows the printer’s own message; an unknown error code the core’s', () => {
    expect(jobFailureText(t(), job({ state: 'failed', failure: { code: 'offline', message: 'ECONNREFUSED' } }))).toBe('The printer cannot be reached: is it switched on and connected?')
    expect(jobFailureText(t(), { ...paperOut, failure: { code: 'weird' as 'offline', message: 'The head is too hot.' } })).toBe('The head is too hot.')
    expect(printErrorText(t(), { code: 'printer_not_configured', message: 'x' })).toBe('No receipt printer is set up at this till (Settings → Printer).')
    expect(printErrorText(t(), { code: 'printer_on_fire' as ErrorData['code'], message: 'The printer is on fire.' })).toBe('The printer is on fire.')
  })
})

describe('the printing store', () => {
  it('keeps the jobs not done; a core that cannot answer (printing not there, signed out) changes nothing', async () => {
    answers['print-jobs'] = () => ({ ok: true, value: [paperOut, job({ id: 'J5' })] })
    await usePrinting.getState().loadJobs()
    expect(usePrinting.getState().jobs.map((j) => j.id)).toEqual(['J2'])
    delete answers['print-jobs']
    await usePrinting.getState().loadJobs()
    expect(usePrinting.getState().jobs.map((j) => j.id)).toEqual(['J2'])
    // no printer known: the screens act as without one
    await usePrinting.getState().loadPrinter()
    expect(usePrinting.getState().printer).toBeNull()
  })

  it('Retry sends print-retry with the job id; a job that printed leaves the list; a second tap while one is on its way is not sent', async () => {
    usePrinting.setState({ jobs: [paperOut] })
    answers['print-retry'] = () => ({ ok: true, value: { ...paperOut, state: 'done', failure: null, attempts: 3 } })
    answers['print-jobs'] = () => ({ ok: true, value: [] })
    const first = usePrinting.getState().retry('J2')
    const second = await usePrinting.getState().retry('J2') // while the first is on its way
    expect(second.ok).toBe(false)
    expect((await first).ok).toBe(true)
    expect(calls.filter((c) => c.channel === 'print-retry')).toEqual([{ channel: 'print-retry', input: { jobId: 'J2' } }])
    expect(usePrinting.getState().jobs).toEqual([])
    expect(usePrinting.getState().retrying).toEqual([])
  })

  it('No sale sends the event id, the reason and the note (trimmed; none when empty)', async () => {
    answers['drawer-open'] = () => ({ ok: true, value: job({ id: 'nosale-1', kind: 'drawer', refId: 'E1', state: 'done' }) })
    const id = '01JZ8Q7X2M4N6P8R0S2T4V6W8Y'
    await usePrinting.getState().openDrawer(id, 'change_for_customer', '  two ¥5 notes ')
    await usePrinting.getState().openDrawer(id, 'check_float', '   ')
    const sent = calls.filter((c) => c.channel === 'drawer-open').map((c) => c.input)
    expect(sent).toEqual([
      { eventId: id, reason: 'change_for_customer', note: 'two ¥5 notes' },
      { eventId: id, reason: 'check_float' },
    ])
  })

  it('prints a document through print-document and shows a job that failed at once', async () => {
    answers['print-document'] = () => ({ ok: true, value: { ...paperOut, id: 'J9', kind: 'z' } })
    const r = await usePrinting.getState().printDocument({ kind: 'z', closureId: 'C1' })
    expect(r.ok).toBe(true)
    expect(calls[0]).toEqual({ channel: 'print-document', input: { kind: 'z', closureId: 'C1' } })
    expect(usePrinting.getState().jobs.map((j) => j.id)).toContain('J9')
  })
})

describe('the receipt screen’s Print on the receipt printer', () => {
  it('after a sale asks for the original receipt (kind sale), labelled Print receipt until it printed; from Orders a reprint', async () => {
    // auto-print off: the first press is the original, not a reprint (no DUPLICATE, nothing journaled)
    expect(receiptPrintButton('sale', 'o1', { autoPrint: false, printedHere: false })).toEqual({ doc: { kind: 'sale', orderId: 'o1' }, label: 'printer.printReceipt' })
    // once printed, or when auto-print printed it already, the button says what the core will do: a duplicate
    expect(receiptPrintButton('sale', 'o1', { autoPrint: false, printedHere: true })).toEqual({ doc: { kind: 'sale', orderId: 'o1' }, label: 'printer.printDuplicate' })
    expect(receiptPrintButton('sale', 'o1', { autoPrint: true, printedHere: false })).toEqual({ doc: { kind: 'sale', orderId: 'o1' }, label: 'printer.printDuplicate' })
    expect(receiptPrintButton('orders', 'o1', { autoPrint: false, printedHere: false })).toEqual({ doc: { kind: 'reprint', orderId: 'o1' }, label: 'printer.printDuplicate' })
    // what the store sends is what the contract takes
    answers['print-document'] = () => ({ ok: true, value: job({ id: 'receipt-o1', kind: 'sale', drawer: false }) })
    await usePrinting.getState().printDocument(receiptPrintButton('sale', 'o1', { autoPrint: false, printedHere: false }).doc)
    expect(calls.filter((c) => c.channel === 'print-document')).toEqual([{ channel: 'print-document', input: { kind: 'sale', orderId: 'o1' } }])
    const { channels } = await import('../../src/shared/contract')
    expect(channels['print-document'].input.safeParse({ kind: 'sale', orderId: 'o1' }).success).toBe(true)
  })

  it('the Receipt screen uses it (not a bare reprint) for its printer button', async () => {
    const { readFileSync } = await import('node:fs')
    const src = readFileSync(new URL('../../src/renderer/src/screens/Receipt.tsx', import.meta.url), 'utf8')
    expect(src).toContain('receiptPrintButton(from, order.id')
    expect(src).not.toMatch(/doc=\{\{ kind: 'reprint'/)
  })
})

describe('the drawer turned off', () => {
  it('No sale says so and keeps Open off; the core’s refusal reads as the drawer, not a missing printer', async () => {
    const html = renderToStaticMarkup(
      <NoSaleDialogView noShift={false} noPrinter={false} drawerOff openDrawer={usePrinting.getState().openDrawer} onOpened={() => undefined} onClose={() => undefined} onOpenShift={() => undefined} />,
    )
    expect(text(html)).toContain('The cash drawer is turned off at this till.')
    expect(html).toMatch(/data-testid="no-sale-submit" disabled=""/)
    expect(printErrorText(t(), { code: 'printer_not_configured', message: 'x', details: { drawer: 'off' } })).toBe('The cash drawer is turned off at this till. The owner can turn it on in Settings → Printer.')
    await i18n.changeLanguage('zh-CN')
    expect(printErrorText(t(), { code: 'printer_not_configured', message: 'x', details: { drawer: 'off' } })).toContain('钱箱')
  })
})

describe('Settings → Printer', () => {
  it('checks the port and the address before anything is sent, and sends what the contract takes', () => {
    const draft = toPrinterDraft({ ...PRINTER, host: null, enabled: false })
    expect(draft.host).toBe('')
    expect(fromPrinterDraft(draft).value).toMatchObject({ host: null, enabled: false, port: 9100 })
    expect(fromPrinterDraft({ ...draft, enabled: true }).problems).toEqual({ host: 'hostRequired' })
    expect(fromPrinterDraft({ ...draft, port: '0' }).problems).toEqual({ port: 'invalidPort' })
    expect(fromPrinterDraft({ ...draft, port: '65536' }).problems).toEqual({ port: 'invalidPort' })
    expect(fromPrinterDraft({ ...draft, port: '' }).problems).toEqual({ port: 'invalidPort' })
    const ok = fromPrinterDraft({ ...draft, enabled: true, host: ' 192.168.1.50 ', port: '9100', paperWidth: 58, codePage: 'cp437', language: 'en', drawerPin: 5 })
    expect(ok.value).toEqual({ ...PRINTER, host: '192.168.1.50', paperWidth: 58, codePage: 'cp437', language: 'en', drawerPin: 5 })
    expect(PrinterSettingsSchema.safeParse(ok.value).success).toBe(true)
  })

  it('shows the core’s refusal beside its field (the contract’s issues)', () => {
    const issues = fieldIssues([{ path: ['host'], message: 'a host name or IP address, like 192.168.1.50' }])
    expect(issues).toEqual([{ path: 'host', message: 'a host name or IP address, like 192.168.1.50' }])
  })
})

describe('the No-sale dialog', () => {
  const dialog = (noShift: boolean, noPrinter: boolean) =>
    renderToStaticMarkup(
      <NoSaleDialogView noShift={noShift} noPrinter={noPrinter} openDrawer={usePrinting.getState().openDrawer} onOpened={() => undefined} onClose={() => undefined} onOpenShift={() => undefined} />,
    )

  it('without a shift it says so plainly and offers to open one', async () => {
    const s = text(dialog(true, false))
    expect(s).toContain('No shift is open at this till: the drawer opens only inside a shift.')
    expect(s).toContain('Open a shift')
    expect(s).not.toContain('Open the drawer')
    await i18n.changeLanguage('zh-CN')
    expect(text(dialog(true, false))).toContain('本收银台尚未开班')
  })

  it('inside a shift: the reasons (with their keys), a note and Open; without a printer Open is off and it says why', async () => {
    const html = dialog(false, false)
    const s = text(html)
    for (const [i, label] of ['Change for a customer', 'Check the float', 'Customer query', 'Correct a mistake', 'Other'].entries()) expect(s).toContain(`${i + 1} ${label}`)
    expect(s).toContain('Note (optional)')
    expect(html).toMatch(/data-testid="no-sale-submit"(?! disabled)/)
    const off = dialog(false, true)
    expect(text(off)).toContain('no printer is set up at this till')
    expect(off).toMatch(/data-testid="no-sale-submit" disabled=""/)
    await i18n.changeLanguage('zh-CN')
    const zh = text(dialog(false, false))
    expect(zh).toContain('无销售开钱箱')
    expect(zh).toContain('1 给顾客换零钱')
  })
})

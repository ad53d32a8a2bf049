import type { Settings, Staff } from '../../../shared/contract'
import { DaybookError } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import type { printingChannels, PrintJob } from '../../../shared/printing-contract'
import type { Db } from '../db/sqlite'
import { stmt } from '../db/statements'
import type { Device } from '../device'
import { appendEvent } from '../journal'
import { openShiftId } from '../ledger/days'
import { readOrder, reprintOrder } from '../orders'
import { checkHolder, readShift } from '../shifts/shifts'
import { readClosure, xReport } from '../closures/closures'
import type { PrintService } from './jobs'
import { writePrinterSettings } from './settings'
import type { CallContext, HandlersOf } from '../handler-types'

export type PrintingHandlers = HandlersOf<typeof printingChannels>

/** Channels that wait on the printer: only `invoke` runs them. */
export const PRINTING_ASYNC = ['printer-test', 'print-document', 'drawer-open', 'print-retry'] as const

export interface PrintingHandlerDeps {
  db: Db
  device: Device
  now: () => Date
  settings: () => Settings
  printing: PrintService
  must: (ctx: CallContext) => Staff
  /** Something was journaled (a reprint, a No sale): views refetch and sync is nudged. */
  journaled: (what: 'orders' | 'day') => void
}

/** The journal event of a "No sale": the drawer opened with nothing sold (not a posting; owners watch for these). */
export const DRAWER_OPENED = 'drawer.opened'

export function printingHandlers(d: PrintingHandlerDeps): PrintingHandlers {
  const { db, printing } = d
  const at = (): string => d.now().toISOString()
  const mustPrinter = (): void => {
    const s = printing.settings()
    if (!s.enabled || !s.host) throw new DaybookError('printer_not_configured', 'No receipt printer is set up on this till. The owner can add one in Settings → Printer.')
  }
  /** Drawer off in Settings → Printer: nothing opens it from the till (and nothing is journaled). */
  const mustDrawer = (): void => {
    if (!printing.settings().drawerEnabled) {
      throw new DaybookError('printer_not_configured', 'The cash drawer is turned off on this till. The owner can turn it on in Settings → Printer.', { drawer: 'off' })
    }
  }
  const run = (job: PrintJob): Promise<PrintJob> => printing.send(job.id)
  return {
    'printer-settings-get': () => printing.settings(),
    'printer-settings-save': (input, ctx) => {
      if (input.enabled && !input.host) {
        throw new DaybookError('invalid_input', 'Enter the printer address (like 192.168.1.50) to turn printing on.', [{ path: ['host'], message: 'required' }])
      }
      return writePrinterSettings(db, input, at(), d.must(ctx).id)
    },
    'printer-test': async ({ drawer }) => {
      mustPrinter()
      if (drawer === true) mustDrawer()
      return run(printing.create({ id: newId(), kind: 'test', refId: null, print: true, drawer: drawer === true, payload: { at: at() } }))
    },
    'print-document': async (input, ctx) => {
      const staff = d.must(ctx)
      mustPrinter()
      const store = d.settings()
      switch (input.kind) {
        case 'sale': {
          if (!readOrder(db, input.orderId)) throw new DaybookError('not_found', 'No order with that number.')
          // an auto-printed receipt's job is made by the scan after the commit: make it now if it is due
          printing.scan()
          const original = printing.originalReceipt(input.orderId)
          if (!original) {
            // never printed (auto-print off): the original, once — not a reprint, not journaled
            return run(printing.create({ id: `receipt-${input.orderId}`, kind: 'sale', refId: input.orderId, print: true, drawer: false }))
          }
          // it did not print: the same original again, as a Retry would (never a DUPLICATE of nothing)
          if (original.state === 'failed') return printing.send(original.id, true)
          // printed, or on its way: a real reprint
          const o = reprintOrder(db, input.orderId, d.device.id, staff.id, d.now())
          d.journaled('orders')
          return run(printing.create({ id: newId(), kind: 'reprint', refId: o.id, print: true, drawer: false, payload: { n: o.reprints } }))
        }
        case 'reprint': {
          if (!readOrder(db, input.orderId)) throw new DaybookError('not_found', 'No order with that number.')
          // A reprint is logged in the journal, as on the screen.
          const o = reprintOrder(db, input.orderId, d.device.id, staff.id, d.now())
          d.journaled('orders')
          return run(printing.create({ id: newId(), kind: 'reprint', refId: o.id, print: true, drawer: false, payload: { n: o.reprints } }))
        }
        case 'refund': {
          if (!stmt(db, 'SELECT 1 FROM refunds WHERE id = ?').get(input.refundId)) throw new DaybookError('not_found', 'There is no such refund.')
          return run(printing.create({ id: newId(), kind: 'refund', refId: input.refundId, print: true, drawer: false }))
        }
        case 'shift': {
          const shift = readShift(db, input.shiftId, store, d.device.code)
          if (!shift) throw new DaybookError('not_found', 'There is no such shift.')
          if (staff.role === 'cashier' && shift.openedBy.id !== staff.id && shift.holder.id !== staff.id) {
            throw new DaybookError('forbidden', `This is ${shift.holder.name}'s shift: a cashier prints only their own.`)
          }
          if (staff.role === 'cashier' && store.blindCount && shift.state === 'open') {
            throw new DaybookError('forbidden', 'On a blind count the shift report prints after the count.')
          }
          return run(printing.create({ id: newId(), kind: 'shift', refId: shift.id, print: true, drawer: false, payload: { at: at() } }))
        }
        case 'x': {
          const blind = store.blindCount && staff.role === 'cashier'
          const x = xReport(db, store, d.device, d.now(), blind)
          return run(printing.create({ id: newId(), kind: 'x', refId: null, print: true, drawer: false, payload: x }))
        }
        case 'z': {
          if (!readClosure(db, input.closureId, d.device.code, store.storeName)) throw new DaybookError('not_found', 'There is no such closure.')
          return run(printing.create({ id: newId(), kind: 'z', refId: input.closureId, print: true, drawer: false }))
        }
      }
    },
    'drawer-open': async ({ eventId, reason, note }, ctx) => {
      const staff = d.must(ctx)
      const id = `nosale-${eventId}`
      const done = printing.get(id)
      if (done) return done // a retried No sale: the one already journaled
      mustPrinter()
      mustDrawer()
      const shiftId = openShiftId(db)
      if (!shiftId) throw new DaybookError('no_open_shift', 'Open a shift before opening the drawer.')
      checkHolder(db, shiftId, staff)
      const job = db
        .transaction(() => {
          appendEvent(db, d.device.id, DRAWER_OPENED, at(), {
            noSaleId: eventId,
            shiftId,
            reason,
            note: note ?? '',
            staff: { id: staff.id, name: staff.name },
          })
          return printing.create({ id, kind: 'drawer', refId: eventId, print: false, drawer: true })
        })
        .immediate()
      d.journaled('day')
      return run(job)
    },
    'print-jobs': (input) => printing.list(input?.all === true),
    'print-retry': async ({ jobId, drawer }) => {
      if (!printing.get(jobId)) throw new DaybookError('not_found', 'There is no such print job.')
      return printing.send(jobId, true, drawer === true)
    },
  }
}

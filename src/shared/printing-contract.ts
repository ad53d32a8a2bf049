import { z } from 'zod'

/**
 * The renderer↔core contract for the counter's hardware: the receipt printer (ESC/POS over the
 * network), its print jobs, and the cash drawer wired to it. Spread into `channels` (contract.ts).
 *
 * A print job is written ahead like a tender attempt: recorded `pending` in the same transaction as
 * what it prints (or just after, for reports), sent, then marked `done`. A printer that is off, out
 * of paper or unreachable leaves the job `failed` with a reason the cashier can read and a Retry;
 * it never blocks or undoes the sale.
 */

const Id = z.string().min(1).max(64)
const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID')

/**
 * A printer address: a host name or an IPv4/IPv6 literal, no scheme, no port. An IPv6 literal
 * written in brackets ("[::1]", as in a URL) is taken without them: the socket wants "::1", and
 * the address shows as "[::1]:9100".
 */
export const PrinterHostSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.:-]+)$/, 'a host name or IP address, like 192.168.1.50')
  .transform(bareHost)

/** "[::1]" → "::1"; anything else as it is. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

export const PAPER_WIDTHS = [58, 80] as const
export const CODE_PAGES = ['gb18030', 'cp437', 'cp858'] as const

/** This till's printer (per till, kept in the till's own database, never synced). */
export const PrinterSettingsSchema = z.strictObject({
  /** Off: receipts go to the screen (and the browser's print dialog) as before. */
  enabled: z.boolean(),
  host: PrinterHostSchema.nullable(),
  port: z.number().int().min(1).max(65_535),
  paperWidth: z.union([z.literal(58), z.literal(80)]),
  /** gb18030 for Chinese printers (prints English too); cp437/cp858 for Latin-only printers. */
  codePage: z.enum(CODE_PAGES),
  /** Which language the printed receipt is in (the screen's language is separate). */
  language: z.enum(['zh', 'en']),
  /** The drawer's connector pin on the printer (ESC p m): 2 on most drawers, 5 on the second. */
  drawerPin: z.union([z.literal(2), z.literal(5)]),
  /** Open the drawer after a sale with a cash part, and on pay-ins, pay-outs and safe drops. */
  drawerEnabled: z.boolean(),
  /** Print the receipt automatically after every sale (otherwise only on request). */
  autoPrint: z.boolean(),
})
export type PrinterSettings = z.infer<typeof PrinterSettingsSchema>

export const PRINT_KINDS = ['sale', 'reprint', 'refund', 'shift', 'x', 'z', 'test', 'drawer'] as const
export type PrintKind = (typeof PRINT_KINDS)[number]

/** `interrupted`: the till stopped while the job was being sent — it may have printed; never re-sent by itself. */
export const PRINT_FAILURES = ['offline', 'paper_out', 'cover_open', 'timeout', 'refused', 'not_configured', 'interrupted'] as const
export type PrintFailure = (typeof PRINT_FAILURES)[number]

export const PrintJobSchema = z.object({
  id: z.string(),
  kind: z.enum(PRINT_KINDS),
  /** What it prints: an order, refund, shift, closure id; null for a test page or a bare drawer kick. */
  refId: z.string().nullable(),
  /** Whether the job also kicks the drawer. */
  drawer: z.boolean(),
  state: z.enum(['pending', 'sending', 'done', 'failed']),
  attempts: z.number().int(),
  failure: z.object({ code: z.enum(PRINT_FAILURES), message: z.string() }).nullable(),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
})
export type PrintJob = z.infer<typeof PrintJobSchema>

export const NO_SALE_REASONS = ['change_for_customer', 'check_float', 'customer_query', 'correction', 'other'] as const

export const printingChannels = {
  'printer-settings-get': { input: z.strictObject({}).optional(), output: PrinterSettingsSchema, auth: 'staff' },
  'printer-settings-save': { input: PrinterSettingsSchema, output: PrinterSettingsSchema, auth: 'owner' },
  /** Prints a test page (and kicks the drawer when asked); answers with the job as it ended. */
  'printer-test': { input: z.strictObject({ drawer: z.boolean().optional() }), output: PrintJobSchema, auth: 'owner' },
  /**
   * Prints a document again or for the first time: a receipt (reprint marked DUPLICATE), a refund,
   * a shift report, an X (made now) or a Z. The job is recorded before anything is sent.
   */
  'print-document': {
    input: z.discriminatedUnion('kind', [
      /**
       * The receipt screen's Print after a sale: the original receipt when it was never printed
       * (auto-print off) — not journaled, no DUPLICATE; when it printed or is on its way, a reprint.
       */
      z.strictObject({ kind: z.literal('sale'), orderId: Id }),
      z.strictObject({ kind: z.literal('reprint'), orderId: Id }),
      z.strictObject({ kind: z.literal('refund'), refundId: Id }),
      z.strictObject({ kind: z.literal('shift'), shiftId: Id }),
      z.strictObject({ kind: z.literal('x') }),
      z.strictObject({ kind: z.literal('z'), closureId: Id }),
    ]),
    output: PrintJobSchema,
    auth: 'staff',
  },
  /** "No sale": opens the drawer with nothing sold. Needs an open shift and a reason; journaled. */
  'drawer-open': {
    input: z.strictObject({ eventId: Ulid, reason: z.enum(NO_SALE_REASONS), note: z.string().trim().max(200).optional() }),
    output: PrintJobSchema,
    auth: 'staff',
  },
  /** Jobs not done (pending, sending, failed), newest first; with `all`, the last 50 of any state. */
  'print-jobs': { input: z.strictObject({ all: z.boolean().optional() }).optional(), output: z.array(PrintJobSchema), auth: 'staff' },
  /**
   * Sends a failed or pending job again; a done job is answered as it is (never printed twice by Retry).
   * A job `interrupted` by a stop (it may have printed, and kicked) prints again without the drawer
   * kick unless `drawer: true` asks for it.
   */
  'print-retry': { input: z.strictObject({ jobId: Id, drawer: z.boolean().optional() }), output: PrintJobSchema, auth: 'staff' },
} as const

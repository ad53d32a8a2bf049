import type { PrintFailure } from '../../../shared/printing-contract'

/**
 * What the core needs of a receipt printer (and the cash drawer wired to it). The first driver
 * speaks ESC/POS over raw TCP (port 9100); a USB or OS-spooler driver fits the same shape. Like the
 * terminal driver, it never throws for anything the printer or the network does: every outcome is
 * a value, with a message a cashier understands.
 */
export interface PrinterDriver {
  /** Where it prints, for logs ("192.168.1.50:9100"). */
  readonly address: string
  /**
   * Asks the printer whether it can print, then sends the bytes of one document (which may end
   * with a cut and a drawer kick). `printed: 'maybe'` on a failure means the bytes may have
   * reached the printer (a write that timed out): the cashier checks the roll before a Retry.
   * `printsNothing`: the bytes only kick the drawer — an empty roll or an open cover does not stop
   * them (the printer takes the pulse); an offline printer still does.
   */
  send(bytes: Uint8Array, signal?: AbortSignal, o?: SendOptions): Promise<PrintOutcome>
  /** Asks the printer's real-time status only (DLE EOT), printing nothing. */
  status(signal?: AbortSignal): Promise<PrintOutcome>
}

export interface SendOptions {
  printsNothing?: boolean
}

export type PrintOutcome = { ok: true } | { ok: false; code: PrintFailure; message: string; printed: 'no' | 'maybe' }

/** The messages a cashier reads for each failure. */
export const PRINT_MESSAGES: Record<PrintFailure, string> = {
  offline: 'The printer is off or cannot be reached. Check that it is on and connected, then press Retry.',
  paper_out: 'The printer is out of paper. Load a roll and press Retry.',
  cover_open: 'The printer cover is open. Close it and press Retry.',
  timeout: 'The printer did not answer in time. Check it, then press Retry.',
  refused: 'The printer refused the job. Switch it off and on, then press Retry.',
  not_configured: 'No receipt printer is set up on this till. The owner can add one in Settings → Printer.',
  interrupted: 'The till stopped while this was printing: it may have printed — check the roll, then Retry if it did not.',
}

import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ChannelInput } from '../../../shared/contract'
import type { ErrorData } from '../../../shared/errors'
import type { PrintJob } from '../../../shared/printing-contract'
import { jobFailureText, printErrorText } from '../lib/printing'
import { usePrinting, wirePrinting } from '../store/printing'

/** Whether this till prints on a receipt printer (asked once per screen; `null` while not known). */
export function usePrinterOn(): boolean | null {
  const printer = usePrinting((s) => s.printer)
  const loadPrinter = usePrinting((s) => s.loadPrinter)
  const [asked, setAsked] = useState(false)
  useEffect(() => {
    wirePrinting()
    void loadPrinter().then(() => setAsked(true))
  }, [loadPrinter])
  if (printer) return printer.enabled
  return asked ? false : null
}

/**
 * Prints one document on the receipt printer (print-document): a receipt again, a refund, a
 * shift report, an X or a Z. Says how it went beside the button; a job that did not print stays
 * in the print status with its Retry.
 */
export function PrintOnPrinterButton({
  doc,
  label,
  testId,
  primary = false,
  onPrinted,
}: {
  doc: ChannelInput<'print-document'>
  label: string
  testId: string
  primary?: boolean
  onPrinted?: (job: PrintJob) => void
}) {
  const { t } = useTranslation()
  const printDocument = usePrinting((s) => s.printDocument)
  const [busy, setBusy] = useState(false)
  const [job, setJob] = useState<PrintJob | null>(null)
  const [error, setError] = useState<ErrorData | null>(null)

  const print = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    setJob(null)
    const r = await printDocument(doc)
    setBusy(false)
    if (r.ok) {
      setJob(r.value)
      onPrinted?.(r.value)
    } else setError(r.error)
  }

  return (
    <span className="printer-print" data-testid={`${testId}-wrap`}>
      <button type="button" className={primary ? 'btn primary' : 'btn secondary'} data-testid={testId} disabled={busy} onClick={() => void print()}>
        {busy ? t('printer.printing') : label}
      </button>
      {job && job.state === 'done' ? (
        <small className="ok-note" data-testid={`${testId}-done`} role="status">
          ✔ {t('printer.sent')}
        </small>
      ) : job && job.state === 'failed' ? (
        <small className="field-error" data-testid={`${testId}-failed`} role="alert">
          {jobFailureText(t, job)}
        </small>
      ) : null}
      {error ? (
        <small className="field-error" data-testid={`${testId}-error`} role="alert" data-code={error.code}>
          {printErrorText(t, error)}
        </small>
      ) : null}
    </span>
  )
}

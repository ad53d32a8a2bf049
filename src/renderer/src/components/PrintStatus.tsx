import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import type { PrintJob } from '../../../shared/printing-contract'
import { jobFailureText, printKindLabel, sortJobs } from '../lib/printing'
import { useFormat } from '../lib/format'
import { usePrinting, wirePrinting } from '../store/printing'

/**
 * Print jobs that did not print (yet): what, why, and Retry. Shown where documents print — the
 * checkout, the receipt, the day's reports — and only when there is something to say. It never
 * blocks selling: the sale is saved before anything prints, and this is a note beside it.
 */
export function PrintStatus({ testId = 'print-status' }: { testId?: string }) {
  const jobs = usePrinting((s) => s.jobs)
  const retrying = usePrinting((s) => s.retrying)
  const retry = usePrinting((s) => s.retry)
  const loadJobs = usePrinting((s) => s.loadJobs)
  useEffect(() => {
    wirePrinting()
    void loadJobs()
  }, [loadJobs])
  return <PrintStatusView jobs={jobs} retrying={retrying} onRetry={(id) => void retry(id)} testId={testId} />
}

/** The list as it is given (tests render it as it is). */
export function PrintStatusView({ jobs, retrying, onRetry, testId = 'print-status' }: { jobs: PrintJob[]; retrying: string[]; onRetry: (jobId: string) => void; testId?: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  const open = sortJobs(jobs.filter((j) => j.state !== 'done'))
  if (open.length === 0) return null
  const failed = open.filter((j) => j.state === 'failed').length
  return (
    <section className={failed > 0 ? 'print-status has-failed' : 'print-status'} data-testid={testId} data-failed={failed} aria-label={t('printer.jobsLabel')}>
      <header className="print-status-head">
        <strong>
          <span aria-hidden="true">{failed > 0 ? '⚠ ' : ''}</span>
          {failed > 0 ? t('printer.notPrinted', { count: failed }) : t('printer.jobs')}
        </strong>
        {failed > 0 ? <small className="muted">{t('printer.sellingGoesOn')}</small> : null}
      </header>
      <ul className="print-jobs">
        {open.slice(0, 5).map((job) => {
          const busy = retrying.includes(job.id) || job.state === 'sending'
          return (
            <li key={job.id} className={`print-job state-${job.state}`} data-testid="print-job" data-job-id={job.id} data-state={job.state} data-kind={job.kind} data-failure={job.failure?.code ?? ''}>
              <span className="print-job-what">
                <strong>{printKindLabel(t, job.kind)}</strong>
                <small className="muted">
                  {' '}
                  · {f.time(job.createdAt)} · {t(`printer.state_${job.state}`)}
                  {job.attempts > 1 ? ` · ${t('printer.attempts', { count: job.attempts })}` : ''}
                </small>
                {job.failure ? (
                  <span className="print-job-failure" data-testid="print-job-failure">
                    {jobFailureText(t, job)}
                  </span>
                ) : null}
              </span>
              {job.state === 'failed' || job.state === 'pending' ? (
                <button type="button" className="btn primary small print-retry" data-testid="print-retry" disabled={busy} onClick={() => onRetry(job.id)}>
                  {busy ? t('printer.retrying') : t('printer.retry')}
                </button>
              ) : (
                <span className="spinner small" aria-hidden="true" />
              )}
            </li>
          )
        })}
      </ul>
      {open.length > 5 ? <small className="muted">…{open.length - 5}</small> : null}
    </section>
  )
}

import { parentPort, workerData } from 'node:worker_threads'
import type { WorkerJob } from './verify'
import { openReadOnly } from './verify'
import { Walk } from './walk'

/** One range of the journal, walked in a worker thread (verify.ts verifyLedgerFile); posts its WalkResult. */
const job = workerData as WorkerJob
const db = openReadOnly(job.file)
try {
  parentPort!.postMessage(new Walk(db, job.version, job.range).run())
} finally {
  db.close()
}

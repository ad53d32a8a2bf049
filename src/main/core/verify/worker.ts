import { parentPort, workerData } from 'node:worker_threads'
import type { WorkerJob } from './verify'
import { digestShare, openReadOnly } from './verify'
import { Walk } from './walk'

/** One range of the journal walked, or some chunks of a seal digested, in a worker thread (verify.ts); posts the result. */
const job = workerData as WorkerJob
const db = openReadOnly(job.file)
try {
  parentPort!.postMessage(job.kind === 'walk' ? new Walk(db, job.version, job.range).run() : digestShare(db, job.version, job.tasks, job.next))
} finally {
  db.close()
}

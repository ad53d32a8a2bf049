import { parentPort, workerData } from 'node:worker_threads'
import { digestChunk } from './seal'
import type { WorkerJob } from './verify'
import { openReadOnly } from './verify'
import { Walk } from './walk'

/** One range of the journal walked, or some chunks of a seal digested, in a worker thread (verify.ts); posts the result. */
const job = workerData as WorkerJob
const db = openReadOnly(job.file)
try {
  parentPort!.postMessage(job.kind === 'walk' ? new Walk(db, job.version, job.range).run() : job.tasks.map((t) => digestChunk(db, job.version, t)))
} finally {
  db.close()
}

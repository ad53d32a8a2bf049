import { parentPort } from 'node:worker_threads'
import { prepareRequest } from './ingest-prepare'
import type { RequestParts } from './request-checks'

/** A thread of the ingest pool (ingest-pool.ts): prepares each batch it is sent, in turn. */
parentPort!.on('message', (m: { id: number; raw: Uint8Array; timeZone: string; parts: RequestParts }) => {
  parentPort!.postMessage({ id: m.id, result: prepareRequest(m.raw, m.timeZone, m.parts) })
})

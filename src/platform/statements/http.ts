import type { FetchedFile } from './adapter'

/** Where the sandbox wallets answer (the platform itself) and how the adapters authenticate to it. */
export interface SandboxEndpoint {
  /** The platform's own base URL, e.g. http://127.0.0.1:4320 (read at each call: known once listening). */
  baseUrl: () => string
  /** The sandbox's stand-in for the providers' request signatures. */
  adminToken: string
  timeoutMs?: number
}

/** GETs a bill download URL: the file, or why not. */
export async function download(url: string, fileName: string, who: string, o: { timeoutMs?: number }): Promise<FetchedFile> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) })
    if (!res.ok) return { kind: 'failed', message: `${who}'s bill download answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}` }
    return { kind: 'file', bytes: new Uint8Array(await res.arrayBuffer()), fileName }
  } catch (e) {
    return { kind: 'failed', message: `${who}'s bill download failed: ${(e as Error).message}` }
  }
}

/**
 * The whole surface the renderer gets: invoke and on, for daybook: channels only. The renderer
 * never sees ipcRenderer, so a compromised page cannot reach any other channel.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_NAMES, IPC_EVENT, IPC_INVOKE, type EventName } from '../shared/events'

const known = new Set<string>(EVENT_NAMES)

contextBridge.exposeInMainWorld('daybook', {
  invoke: (envelope: unknown) => ipcRenderer.invoke(IPC_INVOKE, envelope),
  on: (event: EventName, listener: (payload: unknown) => void) => {
    if (!known.has(event)) throw new Error(`unknown Daybook event ${String(event)}`)
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler)
    }
  },
})

import type { DaybookBridge } from '../../shared/bridge'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in `npm run serve` (browser mode). */
    daybook?: DaybookBridge
  }
}

export {}

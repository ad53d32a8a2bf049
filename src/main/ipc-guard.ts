/**
 * Which frames may talk to the core. Kept free of Electron imports so it is tested under Node:
 * only the top-level frame of our own page — never a sub-frame, never a page that navigated
 * elsewhere, never another origin.
 */
export interface SenderFacts {
  frameUrl: string | undefined
  isMainFrame: boolean
}

export interface AppLocation {
  /** The dev server's origin under `electron-vite dev`, else null. */
  devOrigin: string | null
  /** file:// URL of out/renderer/index.html in a built app. */
  rendererFileUrl: string
}

export function isTrustedSender(sender: SenderFacts, app: AppLocation): boolean {
  if (!sender.isMainFrame || !sender.frameUrl) return false
  let url: URL
  try {
    url = new URL(sender.frameUrl)
  } catch {
    return false
  }
  if (app.devOrigin) return url.origin === app.devOrigin
  // Compare without the fragment (the renderer may use #/orders), but with the whole path.
  url.hash = ''
  return url.href === app.rendererFileUrl
}

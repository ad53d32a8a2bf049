import { describe, expect, it } from 'vitest'
import { isTrustedSender } from '../../src/main/ipc-guard'

const built = { devOrigin: null, rendererFileUrl: 'file:///Applications/Daybook.app/Contents/Resources/app.asar/out/renderer/index.html' }
const dev = { devOrigin: 'http://localhost:5173', rendererFileUrl: 'file:///x/out/renderer/index.html' }

describe('the IPC guard in main', () => {
  it('trusts our own top-level page, with or without a fragment', () => {
    expect(isTrustedSender({ frameUrl: built.rendererFileUrl, isMainFrame: true }, built)).toBe(true)
    expect(isTrustedSender({ frameUrl: `${built.rendererFileUrl}#/orders`, isMainFrame: true }, built)).toBe(true)
    expect(isTrustedSender({ frameUrl: 'http://localhost:5173/#/x', isMainFrame: true }, dev)).toBe(true)
  })

  it.each([
    ['a sub-frame of our page', { frameUrl: built.rendererFileUrl, isMainFrame: false }, built],
    ['another file on disk', { frameUrl: 'file:///tmp/evil.html', isMainFrame: true }, built],
    ['a look-alike path', { frameUrl: `${built.rendererFileUrl}.evil.html`, isMainFrame: true }, built],
    ['a web page', { frameUrl: 'https://example.com/', isMainFrame: true }, built],
    ['another dev port', { frameUrl: 'http://localhost:5174/', isMainFrame: true }, dev],
    ['no frame', { frameUrl: undefined, isMainFrame: true }, built],
    ['a garbage URL', { frameUrl: 'not a url', isMainFrame: true }, built],
  ])('refuses %s', (_name, sender, app) => {
    expect(isTrustedSender(sender, app)).toBe(false)
  })
})

import type { StatementProvider } from '../../shared/statements/types'
import type { StatementAdapter } from './adapter'
import { createAlipayStatementAdapter } from './alipay'
import { createCardStatementAdapter, type CardStatementOptions } from './card'
import type { SandboxEndpoint } from './http'
import { createWechatStatementAdapter } from './wechat'

export type { StatementAdapter } from './adapter'

/** The card acquirer's report server and credentials (PlatformOptions.acquirer). */
export type AcquirerOptions = Pick<CardStatementOptions, 'reportUrl' | 'username' | 'password' | 'merchantAccount'>

/**
 * The statement adapters of this platform, one per provider: the sandbox wallets' (always: every store
 * has a sandbox account with each) and the card acquirer's when one is configured.
 */
export function createStatementAdapters(o: { sandbox: SandboxEndpoint; acquirer?: AcquirerOptions }): Map<StatementProvider, StatementAdapter> {
  const adapters = new Map<StatementProvider, StatementAdapter>()
  adapters.set('alipay', createAlipayStatementAdapter(o.sandbox))
  adapters.set('wechat', createWechatStatementAdapter(o.sandbox))
  if (o.acquirer) adapters.set('card', createCardStatementAdapter(o.acquirer))
  return adapters
}

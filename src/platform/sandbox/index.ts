import type { Wallet } from '../../shared/payments'
import { DEFAULT_FEE_BASIS_POINTS } from '../payments/fees'
import { SandboxAlipay } from './alipay'
import { SandboxWechat } from './wechat'

export interface SandboxOptions {
  /** Fee per wallet in basis points (default 60 bp = 0.6 %), whole numbers 0–10 000. */
  feeBasisPoints?: Partial<Record<Wallet, number>>
}

export interface SandboxWallets {
  alipay: SandboxAlipay
  wechat: SandboxWechat
}

export function createSandboxWallets(o: SandboxOptions = {}): SandboxWallets {
  const bp = (w: Wallet): number => {
    const v = o.feeBasisPoints?.[w] ?? DEFAULT_FEE_BASIS_POINTS
    if (!Number.isInteger(v) || v < 0 || v > 10_000) throw new Error(`The ${w} fee must be whole basis points 0–10000, not ${v}.`)
    return v
  }
  return { alipay: new SandboxAlipay(bp('alipay')), wechat: new SandboxWechat(bp('wechat')) }
}

/** The customer page's path for a QR token; the QR's codeUrl is the platform's public URL + this. */
export const CUSTOMER_PAGE_PATH = '/sandbox/pay/:token'
export const customerPagePath = (token: string): string => `/sandbox/pay/${token}`

import type { z } from 'zod'
import type { ChannelName, ChannelOutput, Channels, Staff } from '../../shared/contract'

/** Who is asking: the session token the envelope carried and, once checked, its staff member. */
export interface CallContext {
  token: string | undefined
  staff: Staff | undefined
}

/** A channel's handler: its contract's parsed input in, its output (or a promise of it) out. */
export type Handler<C extends ChannelName> = (input: z.output<Channels[C]['input']>, ctx: CallContext) => ChannelOutput<C> | Promise<ChannelOutput<C>>

/**
 * The handlers of one domain's part of the contract (e.g. `typeof settlementChannels`): each domain
 * folder builds these and the core service spreads them into its table.
 */
export type HandlersOf<Part> = { [C in keyof Part & ChannelName]: Handler<C> }

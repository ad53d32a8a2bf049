import { monotonicFactory } from 'ulid'

/**
 * ULIDs for every record: made on the device, sortable by time, 26 chars of Crockford base32,
 * which fits Alipay's and WeChat's out_trade_no rules. Monotonic so two ids in one millisecond still sort.
 */
export const newId: () => string = monotonicFactory()

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/

import { monotonicFactory } from 'ulid'

/**
 * ULIDs for every record: made on the device, sortable by time, 26 chars of Crockford base32,
 * which fits Alipay's and WeChat's out_trade_no rules. Monotonic so two ids in one millisecond still sort.
 */
export const newId: () => string = monotonicFactory(bufferedRandom())

/**
 * ulid's default generator asks the OS for randomness once per character (16 calls an id);
 * this draws the same crypto-quality bytes 1,024 words at a time. Works in Node and browsers.
 */
function bufferedRandom(): () => number {
  const words = new Uint32Array(1024)
  let next = words.length
  return () => {
    if (next === words.length) {
      globalThis.crypto.getRandomValues(words)
      next = 0
    }
    return (words[next++] ?? 0) / 4294967296
  }
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/

import iconv from 'iconv-lite'
import { StatementError } from './types'

/**
 * GBK, the code page of Alipay's bills. Decoding is the platform's own WHATWG TextDecoder (fatal: a
 * byte sequence that is not GBK throws instead of becoming U+FFFD); encoding is iconv-lite, checked
 * by decoding back, because iconv-lite writes "?" for a character GBK does not have.
 */

const decoder = new TextDecoder('gbk', { fatal: true })

export function decodeGbk(bytes: Uint8Array, file: string): string {
  return decodeStrict(decoder, bytes, `The ${file} is not in the GBK encoding Alipay uses`)
}

/**
 * Decodes the whole file, or names the first line that does not decode. A line break (0x0A) is never
 * part of a GBK two-byte character (trail bytes are 0x40–0xFE) nor of a UTF-8 sequence, so lines can
 * be decoded one by one.
 */
export function decodeStrict(d: { decode(bytes: Uint8Array): string }, bytes: Uint8Array, notIn: string): string {
  try {
    return d.decode(bytes)
  } catch {
    let line = 1
    let start = 0
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          d.decode(bytes.subarray(start, i))
        } catch {
          throw new StatementError('encoding', `${notIn} (it may have been re-saved by another program).`, line)
        }
        line += 1
        start = i + 1
      }
    }
    throw new StatementError('encoding', `${notIn}.`)
  }
}

/** Text → GBK bytes; a character GBK cannot hold is an error, never a silent "?". */
export function encodeGbk(text: string): Uint8Array {
  const buf = iconv.encode(text, 'gbk')
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  if (decoder.decode(bytes) !== text) {
    const chars = [...text]
    const bad = chars.find((c) => decoder.decode(new Uint8Array(iconv.encode(c, 'gbk'))) !== c)
    throw new RangeError(`"${bad ?? '?'}" cannot be written in GBK`)
  }
  return bytes
}

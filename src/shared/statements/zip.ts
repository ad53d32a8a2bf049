import { unzipSync, zipSync } from 'fflate'

/**
 * ZIP with file names in a legacy code page (Alipay's bills: GBK names, UTF-8 flag not set), on top of
 * fflate. fflate reads a name without the UTF-8 flag (general purpose bit 11) as Latin-1, one char
 * per byte, so the raw bytes come back exactly; it always writes names as UTF-8 and sets bit 11 for
 * a non-ASCII one. So the writer hands fflate ASCII stand-ins of the same byte length and then
 * puts the real name bytes (and a fixed DOS time) into the local and central headers it wrote: the
 * name is covered by no checksum, and bit 11 stays clear.
 */

export interface RawZipEntry {
  /** The name's bytes exactly as stored (GBK for Alipay). */
  name: Uint8Array
  data: Uint8Array
}

/** The entries of a ZIP with their raw name bytes. Throws (fflate's error) when it is not a ZIP. */
export function readZip(bytes: Uint8Array): RawZipEntry[] {
  const files = unzipSync(bytes)
  const out: RawZipEntry[] = []
  for (const [name, data] of Object.entries(files)) {
    out.push({ name: latin1Bytes(name), data })
  }
  return out
}

/** A name fflate decoded: Latin-1 (one byte a char) without the UTF-8 flag, else UTF-8 already. */
function latin1Bytes(name: string): Uint8Array {
  let wide = false
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0xff) wide = true
  if (wide) return new TextEncoder().encode(name)
  const b = new Uint8Array(name.length)
  for (let i = 0; i < name.length; i++) b[i] = name.charCodeAt(i)
  return b
}

/** DOS date and time fields of a wall-clock time (the ZIP's own format: local time, 2-second steps). */
function dosDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): [number, number] {
  return [((h & 31) << 11) | ((mi & 63) << 5) | ((s >> 1) & 31), (((y - 1980) & 127) << 9) | ((mo & 15) << 5) | (d & 31)]
}

export interface ZipWriteOptions {
  /** The entries' modification time as the ZIP stores it: a wall-clock time, no zone. */
  mtime: { y: number; mo: number; d: number; h: number; mi: number; s: number }
}

/** Write a ZIP (deflated entries) whose names are stored as the given bytes, UTF-8 flag clear. */
export function writeZip(entries: readonly RawZipEntry[], o: ZipWriteOptions): Uint8Array {
  const stand: Record<string, Uint8Array> = {}
  entries.forEach((e, i) => {
    const n = e.name.length
    const tag = `${i}`
    if (n < tag.length) throw new RangeError('zip entry name too short')
    stand[tag + '_'.repeat(n - tag.length)] = e.data
  })
  const zip = zipSync(stand, { level: 6, mtime: new Date(2000, 0, 1) })
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  // End of central directory: the last 22 bytes (fflate writes no comment).
  const eocd = zip.length - 22
  if (dv.getUint32(eocd, true) !== 0x06054b50) throw new Error('unexpected zip layout')
  const count = dv.getUint16(eocd + 10, true)
  let p = dv.getUint32(eocd + 16, true)
  const [time, date] = dosDateTime(o.mtime.y, o.mtime.mo, o.mtime.d, o.mtime.h, o.mtime.mi, o.mtime.s)
  for (let i = 0; i < count; i++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new Error('unexpected zip layout')
    const fnl = dv.getUint16(p + 28, true)
    const local = dv.getUint32(p + 42, true)
    const standName = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + fnl))
    const entry = entries[Number(standName.replace(/_+$/, ''))]!
    for (const [at, nameAt] of [
      [p + 8, p + 46],
      [local + 6, local + 30],
    ] as const) {
      // at: general purpose flags; bit 11 (UTF-8) cleared. Then time and date right after the method.
      dv.setUint16(at, dv.getUint16(at, true) & ~0x0800, true)
      dv.setUint16(at + 4, time, true)
      dv.setUint16(at + 6, date, true)
      zip.set(entry.name, nameAt)
    }
    p += 46 + fnl + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true)
  }
  return zip
}

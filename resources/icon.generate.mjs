// Draws resources/icon.png (1024×1024, RGBA), the app icon electron-builder turns into the
// Windows .ico and the macOS .icns. Run: node resources/icon.generate.mjs
// A teal rounded square, an open ledger book in white, an amber coin: no font, no dependency.
import { writeFileSync } from 'node:fs'
import { crc32, deflateSync } from 'node:zlib'

const S = 1024
const px = Buffer.alloc(S * S * 4)

/** Inside tests in unit coordinates (0..1). */
const roundedSquare = (x, y) => {
  const m = 0.06, r = 0.2
  const cx = Math.min(Math.max(x, m + r), 1 - m - r)
  const cy = Math.min(Math.max(y, m + r), 1 - m - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && x <= 1 - m && y >= m && y <= 1 - m
}
// the two pages of an open book: quadrilaterals that dip at the spine
const page = (x, y, left) => {
  const spine = 0.5, outer = left ? 0.2 : 0.8
  const t = (x - spine) / (outer - spine)
  if (t < 0 || t > 1) return false
  const top = 0.3 - 0.04 * t
  const bottom = 0.7 - 0.02 * t
  const gap = 0.012
  return y >= top && y <= bottom && Math.abs(x - spine) >= gap
}
const lines = (x, y, left) => {
  if (!page(x, y, left)) return false
  const spine = 0.5, outer = left ? 0.2 : 0.8
  const t = (x - spine) / (outer - spine)
  if (t < 0.15 || t > 0.85) return false
  const top = 0.3 - 0.04 * t
  for (let k = 1; k <= 5; k++) {
    const ly = top + 0.065 * k
    if (Math.abs(y - ly) < 0.008) return true
  }
  return false
}
const coin = (x, y) => (x - 0.74) ** 2 + (y - 0.74) ** 2 <= 0.1 ** 2
const coinRing = (x, y) => coin(x, y) && (x - 0.74) ** 2 + (y - 0.74) ** 2 >= 0.075 ** 2

function colour(x, y) {
  if (coinRing(x, y)) return [180, 83, 9, 255]
  if (coin(x, y)) return [245, 158, 11, 255]
  if (lines(x, y, true) || lines(x, y, false)) return [15, 118, 110, 255]
  if (page(x, y, true) || page(x, y, false)) return [255, 255, 255, 255]
  if (roundedSquare(x, y)) {
    const g = y * 0.35
    return [Math.round(13 + 10 * g), Math.round(148 - 60 * g), Math.round(136 - 50 * g), 255]
  }
  return [0, 0, 0, 0]
}

const N = 3 // 3×3 samples a pixel: smooth edges
for (let j = 0; j < S; j++) {
  for (let i = 0; i < S; i++) {
    const acc = [0, 0, 0, 0]
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) {
        const c = colour((i + (a + 0.5) / N) / S, (j + (b + 0.5) / N) / S)
        acc[0] += c[0] * c[3]; acc[1] += c[1] * c[3]; acc[2] += c[2] * c[3]; acc[3] += c[3]
      }
    }
    const o = (j * S + i) * 4
    const alpha = acc[3] / (N * N)
    px[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0
    px[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0
    px[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0
    px[o + 3] = Math.round(alpha)
  }
}

const raw = Buffer.alloc(S * (S * 4 + 1))
for (let j = 0; j < S; j++) px.copy(raw, j * (S * 4 + 1) + 1, j * S * 4, (j + 1) * S * 4)
const chunk = (type, data) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td) >>> 0)
  return Buffer.concat([len, td, crc])
}
const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(S, 0)
ihdr.writeUInt32BE(S, 4)
ihdr[8] = 8 // bit depth
ihdr[9] = 6 // RGBA
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
writeFileSync(new URL('./icon.png', import.meta.url), png)
console.log(`resources/icon.png: ${S}×${S}, ${png.length} bytes`)

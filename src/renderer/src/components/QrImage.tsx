import QRCode from 'qrcode'
import { useEffect, useState } from 'react'

/** A QR code drawn on the till (no network): the text is what a phone reads. */
export function QrImage({ text, size, className, testId, alt }: { text: string; size: number; className?: string; testId?: string; alt: string }) {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    QRCode.toDataURL(text, { margin: 1, width: size, errorCorrectionLevel: 'M' })
      .then((url) => {
        if (live) setSrc(url)
      })
      .catch(() => {
        if (live) setSrc(null)
      })
    return () => {
      live = false
    }
  }, [text, size])
  return src ? (
    <img className={className} src={src} alt={alt} width={size} height={size} data-testid={testId} data-qr-text={text} />
  ) : (
    <div className={className} style={{ width: size, height: size }} aria-busy="true" />
  )
}

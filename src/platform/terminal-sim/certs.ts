import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import forge from 'node-forge'

/**
 * The simulator's own PKI: a CA the till trusts instead of Adyen's root, and a server certificate
 * whose CN has the shape @adyen/api-library checks (`<model>-<serial>.test.terminal.adyen.com`;
 * the library checks only the CN, not the host). node-forge writes the X.509; node:crypto makes
 * the RSA keys (fast and native).
 */
export interface Pem {
  certPem: string
  keyPem: string
}

/** What the library's checkServerIdentity accepts before `.test.terminal.adyen.com`. */
export const POIID_PATTERN = /^[A-Za-z0-9]+-[A-Za-z0-9]+$/

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  return { privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey), keyPem: privateKey }
}

function serial(): string {
  // A positive serial: DER integers with the top bit set would read as negative.
  return `01${randomBytes(15).toString('hex')}`
}

function validity(cert: forge.pki.Certificate, years: number): void {
  const now = Date.now()
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000)
  cert.validity.notAfter = new Date(now + years * 365 * 24 * 3600 * 1000)
}

export function createCa(): Pem {
  const keys = rsaKeys()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  validity(cert, 10)
  const name = [
    { name: 'commonName', value: 'Daybook Terminal Simulator CA' },
    { name: 'organizationName', value: 'Daybook (test only)' },
  ]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem }
}

/** The CA kept in `dir` (ca-cert.pem, ca-key.pem), created there the first time. */
export function loadOrCreateCa(dir: string): Pem & { certPath: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const certPath = join(dir, 'ca-cert.pem')
  const keyPath = join(dir, 'ca-key.pem')
  if (existsSync(certPath) && existsSync(keyPath)) return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), certPath }
  const ca = createCa()
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 })
  chmodSync(keyPath, 0o600)
  writeFileSync(certPath, ca.certPem, { mode: 0o644 })
  return { ...ca, certPath }
}

export function issueServerCert(ca: Pem, poiId: string, host: string): Pem {
  if (!POIID_PATTERN.test(poiId)) throw new RangeError(`POIID ${JSON.stringify(poiId)} is not <model>-<serial> (letters and digits), e.g. V400m-123456789`)
  const caCert = forge.pki.certificateFromPem(ca.certPem)
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem)
  const keys = rsaKeys()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = serial()
  validity(cert, 2)
  cert.setSubject([{ name: 'commonName', value: `${poiId}.test.terminal.adyen.com` }])
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: isIP(host) ? [{ type: 7, ip: host }] : [{ type: 2, value: host }] },
  ])
  cert.sign(caKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem }
}

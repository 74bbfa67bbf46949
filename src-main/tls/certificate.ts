import { X509Certificate } from 'node:crypto'

/** What an admin needs to decide whether to trust a server's certificate. */
export interface CertificateInfo {
  subject: string
  issuer: string
  /** ISO 8601. */
  validFrom: string
  validTo: string
  /** `DNS:xo.lab`, `IP Address:10.0.0.5`, as the certificate lists them. */
  subjectAltNames: string[]
  /** SHA-256 of the DER, upper-case hex with colons, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string
  /** True when the certificate signs itself (the usual XO appliance certificate). */
  selfSigned: boolean
  pem: string
}

/** Reads a PEM or DER certificate into the facts shown in a trust dialog. */
export function describeCertificate(cert: string | Buffer | X509Certificate): CertificateInfo {
  const x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert)
  return {
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    subjectAltNames: (x509.subjectAltName ?? '')
      .split(', ')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    fingerprint256: x509.fingerprint256,
    selfSigned: x509.subject === x509.issuer && x509.verify(x509.publicKey),
    pem: x509.toString(),
  }
}

/**
 * A SHA-256 fingerprint in one normal form (`AB:CD:…`, 32 bytes), from what a user may paste:
 * with or without colons, any case, with openssl's `sha256 Fingerprint=` or a `SHA256:` prefix.
 * Undefined for anything else, so a garbled pin is refused when it is given, not at connect time.
 */
export function normalizeFingerprint(input: string): string | undefined {
  const hex = input
    .trim()
    .replace(/^(sha-?256\s*fingerprint\s*=|sha-?256:)/i, '')
    .replace(/[\s:]/g, '')
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined
  return hex.toUpperCase().match(/../g)!.join(':')
}

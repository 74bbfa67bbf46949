import { X509Certificate } from 'node:crypto'
import { generate } from 'selfsigned'

export interface SelfSignedCertificate {
  cert: string
  key: string
  /** SHA-256 fingerprint, colon-separated hex, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  fingerprint256: string
}

/**
 * A fresh self-signed certificate for loopback (and `host` if given): the simulator's `--tls` mode.
 * `days` is its validity (a year by default); tests make one that is about to expire.
 */
export async function generateCertificate(
  host?: string,
  { days }: { days?: number } = {},
): Promise<SelfSignedCertificate> {
  const altNames: { type: number; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ]
  if (host && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    altNames.push(/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })
  }
  const pems = await generate([{ name: 'commonName', value: 'xo-desk-simulator' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    // selfsigned 5 reads only `notAfterDate` (default: a year after `notBeforeDate`), not `days`.
    ...(days !== undefined ? { notAfterDate: new Date(Date.now() + days * 24 * 3600_000) } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  } as Parameters<typeof generate>[1])
  return {
    cert: pems.cert,
    key: pems.private,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
  }
}

/** The SHA-256 fingerprint of a PEM certificate. */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256
}

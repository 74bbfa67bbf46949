import { connect, type PeerCertificate, type TLSSocket } from 'node:tls'
import { describeCertificate, type CertificateInfo } from './certificate'

/** What a server presented, before XO Desk decided to trust it. */
export interface CertificateProbe {
  certificate: CertificateInfo
  /** The chain the server sent after the leaf (intermediates, maybe a root). */
  chain: CertificateInfo[]
  /** True when the chain verifies against this computer's CAs (or `ca`) and covers the host name. */
  trusted: boolean
  /** OpenSSL's reason when it does not, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  authorizationError?: string
}

export interface ProbeOptions {
  /** Verify against these CAs (PEM) instead of the system's. */
  ca?: string[]
  timeoutMs?: number
  signal?: AbortSignal
}

/** The server name for SNI: TLS forbids an IP address there. */
export function serverNameOf(hostname: string): string | undefined {
  return /^[\d.]+$/.test(hostname) || hostname.includes(':') ? undefined : hostname
}

/**
 * Opens a TLS connection to `host:port`, reads the certificate and closes it **without sending a
 * single application byte**: no HTTP request, so no token, can leave on this socket. Chain checks
 * are reported, not enforced, because the point is to show the admin an untrusted certificate.
 */
export function probeCertificate(
  hostname: string,
  port: number,
  options: ProbeOptions = {},
): Promise<CertificateProbe> {
  return new Promise((resolve, reject) => {
    const servername = serverNameOf(hostname)
    const socket: TLSSocket = connect({
      host: hostname,
      port,
      ...(servername ? { servername } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      // Report, not enforce: this socket carries nothing but the handshake (see above).
      rejectUnauthorized: false,
    })
    const onAbort = (): void => void socket.destroy(options.signal?.reason as Error)
    if (options.signal?.aborted) onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('close', () => options.signal?.removeEventListener('abort', onAbort))
    socket.setTimeout(options.timeoutMs ?? 10_000, () =>
      socket.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })),
    )
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      try {
        const peer = socket.getPeerCertificate(true)
        if (!peer.raw) throw Object.assign(new Error('no certificate'), { code: 'ERR_XO_NO_CERT' })
        const authorizationError = socket.authorizationError
          ? String(
              (socket.authorizationError as Error & { code?: string }).code ??
                socket.authorizationError,
            )
          : undefined
        resolve({
          certificate: describeCertificate(peer.raw),
          chain: chainOf(peer),
          trusted: socket.authorized,
          ...(authorizationError ? { authorizationError } : {}),
        })
      } catch (err) {
        reject(err)
      } finally {
        socket.destroy()
      }
    })
  })
}

function chainOf(leaf: PeerCertificate): CertificateInfo[] {
  const chain: CertificateInfo[] = []
  let cert = (leaf as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate
  while (cert?.raw && chain.length < 8 && cert.fingerprint256 !== leaf.fingerprint256) {
    chain.push(describeCertificate(cert.raw))
    const next = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate })
      .issuerCertificate
    if (next === cert) break
    cert = next
  }
  return chain
}

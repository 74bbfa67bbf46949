import type { PeerCertificate, TLSSocket } from 'node:tls'
import { buildConnector } from 'undici'
import { normalizeFingerprint } from './certificate'
import { probeCertificate, serverNameOf } from './probe'

/**
 * How one instance's server certificate is trusted. There is no "trust everything" policy.
 *
 * - `system`: the chain must verify against this computer's CAs and cover the host name (as in a
 *   browser), so a CA-issued certificate renewed every 90 days keeps working.
 * - `ca`: the same, against the instance's own CAs (PEM) instead of the system's.
 * - `pinned`: trust on first use. Exactly this leaf certificate, by SHA-256 fingerprint, whatever
 *   its issuer or names (XO appliances are often reached by IP, with a self-signed certificate).
 */
export type TrustPolicy =
  { kind: 'system' } | { kind: 'ca'; caPem: string[] } | { kind: 'pinned'; fingerprint256: string }

/** Raised before any request byte is written when a pinned instance presents another certificate. */
export class CertificateChangedError extends Error {
  readonly code = 'ERR_XO_CERT_CHANGED'
  constructor(
    readonly pinned: string,
    readonly presented: string,
  ) {
    super(`certificate changed: pinned ${pinned}, presented ${presented}`)
    this.name = 'CertificateChangedError'
  }
}

/** A garbled pin is refused when the policy is made, never discovered at connect time. */
export function pinnedPolicy(fingerprint: string): TrustPolicy {
  const fingerprint256 = normalizeFingerprint(fingerprint)
  if (!fingerprint256) throw new RangeError(`not a SHA-256 fingerprint: ${fingerprint}`)
  return { kind: 'pinned', fingerprint256 }
}

type Connector = buildConnector.connector

/**
 * The undici connector that enforces `policy` on every socket: REST calls, the event stream and
 * transfers alike, and resumed TLS sessions too, because the check reads the socket's own peer
 * certificate. undici writes a request only after the connector hands the socket over, so a
 * refused certificate means not one byte (and no token) was sent (nodejs/undici: `connect` option).
 */
export function connectorFor(policy: TrustPolicy, timeoutMs?: number): Connector {
  const timeout = timeoutMs === undefined ? {} : { timeout: timeoutMs }
  if (policy.kind === 'system') return buildConnector({ ...timeout })
  if (policy.kind === 'ca') return buildConnector({ ...timeout, ca: policy.caPem })
  return pinnedConnector(policy.fingerprint256, timeout)
}

/**
 * Trust on first use, enforced by OpenSSL: the pinned certificate itself is the only trust anchor
 * (`ca: [pem]` with `allowPartialTrustChain`, so a leaf issued by an unknown CA works too), the
 * name check is replaced by the fingerprint comparison (XO appliances are often reached by IP),
 * and the socket's certificate is compared once more before undici may write. The PEM is read
 * once by the probe (which sends nothing) and kept; a certificate that fails verification is
 * probed again only to name it in the error. No session cache: a resumed session carries no peer
 * certificate to compare.
 */
function pinnedConnector(pin: string, timeout: { timeout?: number }): Connector {
  let anchored: Connector | undefined
  const changed = async (host: string, port: number): Promise<CertificateChangedError> => {
    const presented = await probeCertificate(host, port, { timeoutMs: 10_000 }).then(
      (p) => p.certificate.fingerprint256,
      () => '(unreadable)',
    )
    return new CertificateChangedError(pin, presented)
  }
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '')
    const port = Number(options.port || 443)
    const servername = options.servername ?? serverNameOf(options.hostname)
    const connect = (base: Connector): void =>
      base({ ...options, ...(servername ? { servername } : {}) }, (err, socket) => {
        if (err || !socket) {
          const code = (err as { code?: unknown } | null)?.code
          if (code === 'ERR_XO_CERT_CHANGED' || !isVerificationError(code)) {
            return callback(err ?? new Error('no socket'), null)
          }
          // The pinned certificate itself can fail too (expired): then say that, not "changed".
          return void changed(host, port).then((e) =>
            callback(e.presented === pin ? (err ?? e) : e, null),
          )
        }
        const presented = (socket as TLSSocket).getPeerCertificate?.().fingerprint256
        if (presented !== pin) {
          socket.destroy()
          return callback(new CertificateChangedError(pin, presented ?? '(none)'), null)
        }
        callback(null, socket)
      })
    if (anchored) return connect(anchored)
    probeCertificate(host, port, { timeoutMs: 10_000 }).then(
      (probe) => {
        if (probe.certificate.fingerprint256 !== pin) {
          return callback(new CertificateChangedError(pin, probe.certificate.fingerprint256), null)
        }
        anchored = buildConnector({
          ...timeout,
          ca: [probe.certificate.pem],
          allowPartialTrustChain: true,
          maxCachedSessions: 0,
          checkServerIdentity: (_host: string, cert: PeerCertificate) =>
            cert.fingerprint256 === pin
              ? undefined
              : new CertificateChangedError(pin, cert.fingerprint256),
        } as buildConnector.BuildOptions)
        connect(anchored)
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    )
  }
}

/** OpenSSL's verdicts on a chain: here, the presented certificate is not the pinned one. */
function isVerificationError(code: unknown): boolean {
  return (
    typeof code === 'string' &&
    /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|ERR_TLS_CERT_ALTNAME)/.test(
      code,
    )
  )
}

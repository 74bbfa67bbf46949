import type { TLSSocket } from 'node:tls'
import { buildConnector } from 'undici'
import { normalizeFingerprint } from './certificate'
import { serverNameOf } from './probe'

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
  const pin = policy.fingerprint256
  // The pin replaces chain and name checks: the exact leaf is compared below, and the handshake
  // already proved the server holds that certificate's private key. No session cache: a resumed
  // TLS session carries no peer certificate to compare (getPeerCertificate() is empty), so every
  // socket makes a full handshake.
  const base = buildConnector({ ...timeout, rejectUnauthorized: false, maxCachedSessions: 0 })
  return (options, callback) => {
    const servername = options.servername ?? serverNameOf(options.hostname)
    base({ ...options, ...(servername ? { servername } : {}) }, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null)
      const presented = (socket as TLSSocket).getPeerCertificate?.().fingerprint256
      if (presented !== pin) {
        socket.destroy()
        return callback(new CertificateChangedError(pin, presented ?? '(none)'), null)
      }
      callback(null, socket)
    })
  }
}

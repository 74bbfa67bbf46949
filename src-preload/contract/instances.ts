import type { ConnectionState } from './inventory'

/** Identifies one configured XO instance (the Demo lab's is `demo`). */
export type InstanceId = string

/** An XO instance as the sidebar shows it. Never carries its token: main alone holds tokens. */
export interface InstanceSummary {
  id: InstanceId
  label: string
  /** The REST API base URL, `…/rest/v0`. */
  url: string
  /** `demo`: the built-in simulator (kept in memory, never in the keychain). */
  kind: 'demo' | 'xo'
  live: ConnectionState
  /** `production`, `staging`, `lab` or the admin's own label (absent for the Demo lab). */
  environment?: string
  /** `#rrggbb`, shown beside the name and as the instance's banner. */
  color?: string
  /** True when XO Desk refuses every change to this instance. */
  readOnly?: boolean
  /** How its certificate is trusted: the system's CAs, its own CA, or a pinned fingerprint. */
  trust?: { kind: 'system' } | { kind: 'ca' } | { kind: 'pinned'; fingerprint256: string }
  /** When its token expires (ms since the epoch), when XO said so. */
  tokenExpiresAt?: number
  /** Where its token is kept; `session`: in memory, gone when the app quits. */
  tokenStorage?: 'keychain' | 'session'
  /** Who XO Desk is signed in as, and what this XO serves; known once it has answered. */
  account?: InstanceAccountSummary
  /** About its address: plain HTTP on this computer, a public IP address reachable from the internet. */
  warnings?: string[]
}

/** The signed-in account and the server's API, as the sidebar shows them. */
export interface InstanceAccountSummary {
  user: string
  /** Admins may do everything; other accounts only what their RBAC privileges allow. */
  admin: boolean
  /** The REST API version the server reports (`0.39.0`). */
  apiVersion: string
  /** What XO Desk uses that this server lacks (an older XO), in words. */
  missing: string[]
}

/** A server certificate, as shown before an admin trusts it. */
export interface CertificateDetails {
  subject: string
  issuer: string
  validFrom: string
  validTo: string
  subjectAltNames: string[]
  /** Upper-case colon hex, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string
  selfSigned: boolean
}

/** What an address answered on first contact, before anything is saved. */
export interface ServerInspection {
  /** The REST base URL the address normalises to. */
  url: string
  /** Plain HTTP on this computer, a public IP address… */
  warnings: string[]
  certificate?: CertificateDetails
  /** True when this computer's CAs vouch for the certificate: nothing to ask. */
  trustedBySystem: boolean
  authorizationError?: string
}

/**
 * A new XO instance as the "Add an XO" form sends it. The token or password goes from the form to
 * main only; main never sends a token back, and forgets the password once it has a token.
 */
export interface AddInstanceInput {
  name: string
  address: string
  color?: string
  environment?: string
  readOnly?: boolean
  /** `ca`: the chain must lead to one of these certificate authorities (PEM), e.g. a company CA. */
  trust:
    | { kind: 'system' }
    | { kind: 'pinned'; fingerprint256: string }
    | { kind: 'ca'; caPem: string[] }
  signIn: SignInInput
  tokenStorage?: 'keychain' | 'session'
}

/** A token to paste, or a user name and password (and one-time code) to exchange for one. */
export type SignInInput =
  | { method: 'token'; token: string }
  | { method: 'password'; user: string; password: string; otp?: string; expiresIn?: string }

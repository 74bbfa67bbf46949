import type { AppError } from './errors'
import type { CertificateDetails, InstanceId, InstanceSummary } from './instances'

/** What the "Instance settings" view may change; absent keys stay as they are. */
export interface InstanceSettingsPatch {
  name?: string
  /** `#rrggbb`. */
  color?: string
  /** 1 to 40 characters: `production`, `staging`, `lab` or the admin's own label. */
  environment?: string
  readOnly?: boolean
}

/** How close a certificate is to its end: `expiring` within 30 days. */
export type CertificateExpiry = 'ok' | 'expiring' | 'expired'

/** One saved instance's certificate as the Certificates screen shows it. */
export interface InstanceCertificate {
  instanceId: InstanceId
  name: string
  /** The REST base URL. */
  url: string
  /** How XO Desk trusts it (the pinned fingerprint, if pinned). */
  trust: NonNullable<InstanceSummary['trust']>
  /** What the server presents now; absent when it could not be read (see `error`) or over HTTP. */
  presented?: CertificateDetails
  /** True when this computer's CAs vouch for the presented certificate and its host name. */
  trustedBySystem: boolean
  /** True when a fingerprint is pinned and the server presents another certificate. */
  changed: boolean
  /** Whole days until the presented certificate ends, negative once it has. */
  daysLeft?: number
  expiry?: CertificateExpiry
  /** Why the certificate could not be read (unreachable, not TLS…). */
  error?: AppError
}

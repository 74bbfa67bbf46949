import { isIP } from 'node:net'
import { AppFailure } from '../app-failure'

/**
 * What XO Desk says about where an XO is, before connecting: plain HTTP is for this computer only
 * (a token on the wire in clear otherwise), and an XO on a public IP address is reachable from the
 * internet, which admins should know.
 */
export interface AddressVerdict {
  /** Shown beside the instance, e.g. "Plain HTTP: only for an XO on this computer." */
  warnings: string[]
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain'])

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

/** True for an IP literal outside the private, loopback, link-local and shared ranges. */
export function isPublicAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const family = isIP(host)
  if (family === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number)
    const isPrivate =
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127) // carrier-grade NAT (RFC 6598)
    return !isPrivate
  }
  if (family === 6) {
    return !(
      host === '::1' ||
      host === '::' ||
      /^f[cd]/.test(host) || // unique local (RFC 4193)
      /^fe[89ab]/.test(host) || // link-local
      host.startsWith('::ffff:') // mapped IPv4: judged by the caller's IPv4 form
    )
  }
  return false
}

/** Refuses plain HTTP beyond this computer; warns about plain HTTP and public addresses. */
export function checkAddress(url: URL): AddressVerdict {
  const warnings: string[] = []
  if (url.protocol === 'http:') {
    if (!isLoopback(url.hostname)) {
      throw new AppFailure(
        'invalid-input',
        `XO Desk will not send a token in clear over plain HTTP to ${url.host}.`,
        `Use https://${url.host} (XO serves HTTPS by default); plain HTTP is only for an XO on this computer.`,
      )
    }
    warnings.push(
      'Plain HTTP: the token is sent unencrypted, which is acceptable only on this computer.',
    )
  }
  if (isPublicAddress(url.hostname)) {
    warnings.push(
      `${url.hostname} is a public IP address: this XO may be reachable from the internet. Make sure that is intended.`,
    )
  }
  return { warnings }
}

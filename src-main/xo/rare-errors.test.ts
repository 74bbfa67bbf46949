// Explanations of failures that are hard to provoke for real (timeouts, resets, rare XO answers).
import { describe, expect, it, vi } from 'vitest'
import { toXoAppError } from './errors'
import {
  MalformedResponseError,
  NotSignedInError,
  ResponseTooLargeError,
  TaskFailedError,
  XoResponseError,
  XoTimeoutError,
} from './failures'
import { DEFAULT_TIMEOUTS, explainTimeout } from './transport'

describe('failures that are hard to provoke read well too', () => {
  const ctx = { host: 'xo.lab.local', credentials: 'token' as const }
  const coded = (code: string): Error => Object.assign(new Error(code), { code })
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new XoResponseError(
      status,
      { 'content-type': 'application/json; charset=utf-8', ...headers },
      JSON.stringify(body),
    )

  it.each([
    [
      'connect timeout',
      explainTimeout(coded('UND_ERR_CONNECT_TIMEOUT'), DEFAULT_TIMEOUTS.read, 10_000),
      'timeout',
      /Could not connect to xo\.lab\.local within 10 s/,
    ],
    [
      'whole-request timeout',
      new XoTimeoutError('total', 60_000),
      'timeout',
      /took longer than 60 s/,
    ],
    [
      'caller deadline (AbortSignal.timeout)',
      new DOMException('late', 'TimeoutError'),
      'timeout',
      /took too long/,
    ],
    [
      'connection reset',
      coded('ECONNRESET'),
      'unreachable',
      /closed before the answer was complete/,
    ],
    [
      'no route to host',
      coded('EHOSTUNREACH'),
      'unreachable',
      /cannot be reached from this computer/,
    ],
    ['DNS temporarily down', coded('EAI_AGAIN'), 'unreachable', /could not be looked up right now/],
    [
      'all addresses refused (happy eyeballs)',
      new AggregateError([coded('ECONNREFUSED')]),
      'unreachable',
      /refused the connection/,
    ],
    ['certificate not yet valid', coded('CERT_NOT_YET_VALID'), 'tls-expired', /is not valid yet/],
    [
      'certificate changed since pinned',
      coded('ERR_XO_CERT_CHANGED'),
      'tls-changed',
      /changed since you trusted it/,
    ],
    ['not HTTP at all', coded('HPE_INVALID_CONSTANT'), 'not-xo', /not valid HTTP/],
    [
      '429 from XO or a proxy',
      answer(429, { error: 'too many requests' }, { 'retry-after': '7' }),
      'rate-limited',
      /is limiting requests/,
    ],
    [
      '503 service unavailable',
      answer(503, { error: 'service unavailable', data: { serviceName: 'xo-server' } }),
      'xo-failed',
      /temporarily unavailable \(service unavailable: xo-server\)/,
    ],
    [
      '501 not implemented',
      answer(501, { error: 'not implemented' }),
      'xo-failed',
      /does not implement this/,
    ],
    [
      '403 admin-only route',
      answer(403, { error: 'not enough permissions', data: { object: {} } }),
      'forbidden',
      /needs an XO administrator account/,
    ],
    [
      '403 protected VM',
      answer(403, {
        error: 'forbidden operation: destroy',
        data: {
          operation: 'destroy',
          reason: 'destroy is blocked: protected from accidental deletion',
        },
      }),
      'forbidden',
      /refused it: destroy is blocked/,
    ],
    [
      '409 already exists',
      answer(409, {
        error: 'network already exists',
        data: { objectId: 'n1', objectType: 'network' },
      }),
      'conflict',
      /network already exists/,
    ],
    [
      '500 too fast sign-in',
      answer(500, { error: 'too fast authentication tries' }),
      'rate-limited',
      /less than 2 s after a failed one/,
    ],
    [
      '500 plain XO error',
      answer(500, { error: 'Unexpected token } in JSON' }),
      'xo-failed',
      /XO on xo\.lab\.local failed: Unexpected token/,
    ],
    [
      '302 to a login page',
      new XoResponseError(302, { location: 'https://sso.corp/login' }, ''),
      'not-xo',
      /redirected to https:\/\/sso\.corp\/login/,
    ],
    [
      'answer too large',
      new ResponseTooLargeError(10 * 1024 * 1024),
      'xo-failed',
      /larger than 10 MB/,
    ],
    ['garbled JSON', new MalformedResponseError('json', '{"a":'), 'xo-failed', /cut or garbled/],
    [
      'no token stored',
      new NotSignedInError(),
      'auth-invalid',
      /You are not signed in to xo\.lab\.local/,
    ],
    [
      'task interrupted by an XO restart',
      new TaskFailedError({
        id: 't1',
        status: 'interrupted',
        properties: { name: 'REST API: start VM' },
      }),
      'xo-failed',
      /"start VM" was interrupted on xo\.lab\.local: XO restarted/,
    ],
    [
      'task failed with an XO error',
      new TaskFailedError({
        id: 't2',
        status: 'failure',
        properties: { name: 'REST API: clone VM' },
        result: { message: 'no such SR x' },
      }),
      'xo-failed',
      /"clone VM" failed on xo\.lab\.local: no such SR x/,
    ],
  ] as [string, unknown, string, RegExp][])('%s', (_name, failure, code, message) => {
    const error = toXoAppError(failure, ctx)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(error.action.length).toBeGreaterThan(10)
  })

  it('treats an unknown error as a bug: internal, with no details shown', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const error = toXoAppError(new TypeError('x is undefined'), ctx)
    expect(error.code).toBe('internal')
    expect(error.message).not.toContain('x is undefined')
    log.mockRestore()
  })
})

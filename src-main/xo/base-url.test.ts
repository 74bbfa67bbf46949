import { describe, expect, it } from 'vitest'
import { AppFailure } from '../app-failure'
import { normalizeBaseUrl } from './base-url'

function refusal(input: string): AppFailure {
  try {
    normalizeBaseUrl(input)
  } catch (err) {
    if (err instanceof AppFailure) return err
    throw err
  }
  throw new Error(`"${input}" was accepted`)
}

describe('the XO address a user types', () => {
  it.each([
    ['xo.lab.local', 'https://xo.lab.local/rest/v0'],
    ['  xo.lab.local  ', 'https://xo.lab.local/rest/v0'],
    ['xo.lab.local:8443', 'https://xo.lab.local:8443/rest/v0'],
    ['10.0.0.5', 'https://10.0.0.5/rest/v0'],
    ['10.0.0.5:8080', 'https://10.0.0.5:8080/rest/v0'],
    ['[::1]:8443', 'https://[::1]:8443/rest/v0'],
    ['https://xo.lab.local', 'https://xo.lab.local/rest/v0'],
    ['https://xo.lab.local/', 'https://xo.lab.local/rest/v0'],
    ['https://xo.lab.local:443/', 'https://xo.lab.local/rest/v0'],
    ['HTTPS://XO.Lab.Local', 'https://xo.lab.local/rest/v0'],
    ['http://xo.lab.local', 'http://xo.lab.local/rest/v0'],
    ['http://xo.lab.local:80', 'http://xo.lab.local/rest/v0'],
    ['https://xo.lab.local/rest/v0', 'https://xo.lab.local/rest/v0'],
    ['https://xo.lab.local/rest/v0/', 'https://xo.lab.local/rest/v0'],
    ['xo.lab.local/rest/v0', 'https://xo.lab.local/rest/v0'],
    ['http://127.0.0.1:9000/REST/V0', 'http://127.0.0.1:9000/rest/v0'],
  ])('accepts %j as %s', (input, expected) => {
    expect(normalizeBaseUrl(input).href).toBe(expected)
  })

  it.each([
    ['', /empty/, /Type the XO address/],
    ['https://xo.lab.local/rest/v0/rest/v0', /written twice/, /Type https:\/\/xo\.lab\.local/],
    ['https://xo.lab.local/rest/v0/rest/v0/', /written twice/, /XO Desk adds \/rest\/v0/],
    ['https://xo.lab.local/foo', /path \/foo/, /Type only https:\/\/xo\.lab\.local/],
    ['https://xo.lab.local/rest/v1', /path \/rest\/v1/, /XO Desk adds/],
    ['https://admin:secret@xo.lab.local', /user name or password/, /sign in on the next step/],
    ['https://admin@xo.lab.local', /user name or password/, /https:\/\/xo\.lab\.local/],
    ['https://xo.lab.local/?x=1', /query/, /Type only the address/],
    ['https://xo.lab.local/#top', /fragment/, /Type only the address/],
    ['ftp://xo.lab.local', /not ftp:/, /e\.g\. https:\/\//],
    ['file:///etc/passwd', /not file:/, /e\.g\. https:\/\//],
    ['javascript:alert(1)', /not javascript:/, /e\.g\. https:\/\//],
    ['xo lab', /spaces/, /Type only the address/],
    ['https://', /not a valid address|no host/, /Type the XO address/],
  ])('refuses %j, saying what was wrong and what to type', (input, message, action) => {
    const failure = refusal(input)
    expect(failure.appError.code).toBe('invalid-input')
    expect(failure.appError.message).toMatch(message)
    expect(failure.appError.action).toMatch(action)
  })

  it('never shows a password typed in the address', () => {
    const failure = refusal('https://admin:hunter2@xo.lab.local')
    expect(JSON.stringify(failure.appError)).not.toContain('hunter2')
  })
})

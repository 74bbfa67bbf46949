import { AppFailure } from '../app-failure'

/** Where XO serves its REST API (the server URL of its OpenAPI spec, `/rest/v0`). */
export const REST_PATH = '/rest/v0'

const EXAMPLE = 'https://xo.example.net'

function refuse(message: string, action: string): never {
  throw new AppFailure('invalid-input', message, action)
}

/** `ftp://…`, `file:/…`, `mailto:…`: a scheme, as opposed to `host:port`. */
const SCHEME = /^([a-z][a-z\d+.-]*):(?!\d+(?:[/?#]|$))/i

/**
 * The XO address a user typed, as the REST API base: always `http(s)://host[:port]/rest/v0` with
 * no trailing slash. Accepts `host`, `host:port`, `https://host[/]`, `…/rest/v0[/]`; https by default.
 * Refuses, with a message saying what was wrong and what to type instead: a doubled or other path,
 * credentials, a query or fragment, and schemes other than http(s).
 */
export function normalizeBaseUrl(input: string): URL {
  const typed = input.trim()
  if (typed === '') refuse('The XO address is empty.', `Type the XO address, e.g. ${EXAMPLE}.`)
  if (/\s/.test(typed)) {
    refuse(`The XO address "${typed}" contains spaces.`, `Type only the address, e.g. ${EXAMPLE}.`)
  }
  const scheme = SCHEME.exec(typed)?.[1]?.toLowerCase()
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    refuse(
      `XO Desk talks to XO over https:// or http://, not ${scheme}:.`,
      `Type the XO web address, e.g. ${EXAMPLE}.`,
    )
  }
  let url: URL
  try {
    url = new URL(scheme === undefined ? `https://${typed}` : typed)
  } catch {
    refuse(`"${typed}" is not a valid address.`, `Type the XO address, e.g. ${EXAMPLE}.`)
  }
  if (url.hostname === '') {
    refuse(`"${typed}" has no host name.`, `Type the XO address, e.g. ${EXAMPLE}.`)
  }
  if (url.username !== '' || url.password !== '') {
    refuse(
      'The XO address contains a user name or password; XO Desk asks for those separately.',
      `Type only the address, e.g. https://${url.host}, and sign in on the next step.`,
    )
  }
  if (typed.includes('?') || typed.includes('#')) {
    refuse(
      `The XO address "${typed}" has a ${typed.includes('?') ? 'query (?…)' : 'fragment (#…)'}.`,
      `Type only the address, e.g. ${url.protocol}//${url.host}.`,
    )
  }
  const path = url.pathname.replace(/\/+$/, '')
  if (path.toLowerCase() === `${REST_PATH}${REST_PATH}`) {
    refuse(
      `The XO address ends in ${REST_PATH}${REST_PATH}: the API path is written twice.`,
      `Type ${url.protocol}//${url.host} (XO Desk adds ${REST_PATH} itself).`,
    )
  }
  if (path !== '' && path.toLowerCase() !== REST_PATH) {
    refuse(
      `The XO address has the path ${path}, but XO serves its API at ${REST_PATH}.`,
      `Type only ${url.protocol}//${url.host} (XO Desk adds ${REST_PATH} itself).`,
    )
  }
  // URL drops default ports (`https://h:443` → `h`), so one server has one base URL.
  return new URL(`${url.protocol}//${url.host}${REST_PATH}`)
}

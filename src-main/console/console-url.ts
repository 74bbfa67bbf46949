/**
 * Where XO's console proxy serves a VM's console: `wss://<xo>/api/consoles/<vm-id>` (`ws://` for
 * an XO reached over plain HTTP), beside the REST API's `/rest/v0`, whatever path prefix the XO is
 * published under. A host's console is its control domain's (`GET /hosts/{id}` `controlDomain`).
 */
export function consoleUrl(restBase: URL, consoleId: string): URL {
  const url = new URL(restBase.href)
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:'
  const prefix = url.pathname.replace(/\/rest\/v0\/?$/, '').replace(/\/$/, '')
  url.pathname = `${prefix}/api/consoles/${encodeURIComponent(consoleId)}`
  url.search = ''
  url.hash = ''
  return url
}

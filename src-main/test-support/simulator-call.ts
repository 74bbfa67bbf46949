import { request } from 'undici'

export interface CallOptions {
  token?: string
  basic?: { user: string; password: string }
  body?: unknown
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

/** One HTTP request to a simulator, as a client would send it (tests only). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers['cookie'] = `authenticationToken=${options.token}`
  if (options.basic) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}`
  }
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  const res = await request(`${baseUrl}${path}`, { method: method as 'GET', headers, body })
  const text = await res.body.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.statusCode, headers: res.headers, text, json }
}

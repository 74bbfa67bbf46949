import type { XoTask } from './types'

/**
 * The raw failures the XO client raises before `errors.ts` explains them to the user. They carry
 * what the explanation needs (status, XO's body, which timeout) and never a credential.
 */

/** An HTTP answer the request did not expect: its status, headers and up to 64 KiB of body. */
export class XoResponseError extends Error {
  override readonly name = 'XoResponseError'

  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string | string[] | undefined>>,
    readonly text: string,
  ) {
    super(`HTTP ${status}`)
  }

  get contentType(): string {
    const value = this.headers['content-type']
    return (Array.isArray(value) ? value[0] : value) ?? ''
  }

  get isJson(): boolean {
    return /^application\/(?:[\w.+-]*\+)?json\b/i.test(this.contentType)
  }
}

/** Which wait ran out: connecting, the first byte of the answer, silence mid-body, or the whole request. */
export type TimeoutPhase = 'connect' | 'headers' | 'idle' | 'total'

export class XoTimeoutError extends Error {
  override readonly name = 'XoTimeoutError'

  constructor(
    readonly phase: TimeoutPhase,
    readonly ms: number,
  ) {
    super(`${phase} timeout after ${ms} ms`)
  }
}

/** What made an answer unlike XO's REST API. */
export type MalformedKind = 'content-type' | 'json' | 'ndjson-line' | 'line-too-long'

/** A successful status whose body is not what XO sends (HTML page, broken JSON, endless line). */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError'

  constructor(
    readonly kind: MalformedKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`)
  }
}

/** A JSON answer larger than the client parses in one piece (lists use NDJSON instead). */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError'

  constructor(readonly limitBytes: number) {
    super(`response larger than ${limitBytes} bytes`)
  }
}

/** A redirect the client will not follow with credentials (another origin, or outside the API). */
export class RedirectRefusedError extends Error {
  override readonly name = 'RedirectRefusedError'

  constructor(readonly location: string) {
    super(`redirect to ${location} refused`)
  }
}

/** A request that needs the token while none is stored. */
export class NotSignedInError extends Error {
  override readonly name = 'NotSignedInError'

  constructor() {
    super('no authentication token')
  }
}

/** An XO task that ended in `failure` or `interrupted` (docs/xo-rest-api.md#actions-and-tasks). */
export class TaskFailedError extends Error {
  override readonly name = 'TaskFailedError'

  constructor(readonly task: Pick<XoTask, 'id' | 'status' | 'properties' | 'result'>) {
    super(`task ${task.id} ended with status ${task.status}`)
  }
}

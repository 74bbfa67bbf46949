import type { Readable } from 'node:stream'
import type { Pool } from 'undici'
import { AppFailure } from '../app-failure'
import { type XoAccount } from './account'
import { createToken, redirectPath, type CreateTokenInput } from './auth-token'
import { normalizeBaseUrl, REST_PATH } from './base-url'
import { toXoFailure, type XoErrorContext } from './errors'
import { MalformedResponseError, XoResponseError } from './failures'
import { ndjsonValues } from './ndjson'
import {
  actionPath,
  collectionPath,
  listSpec,
  objectPath,
  subCollectionPath,
  tagSpec,
  type ListOptions,
} from './requests'
import { discard, expectMediaType, readJson, readTextPrefix } from './response-body'
import { DEFAULT_RETRY, type RetryPolicy } from './retry'
import { TaskFollower, type ProgressListener } from './tasks'
import {
  explainTimeout,
  mergeTimeouts,
  Transport,
  type Credentials,
  type RequestSpec,
  type TimeoutOverrides,
  type XoResponse,
} from './transport'
import type { Collection, XoAuthenticationToken, XoListed, XoObject } from './types'
import type { TrustPolicy } from '../tls/trust'

export type { CreateTokenInput } from './auth-token'
export type { ListOptions } from './requests'
export type { ProgressListener } from './tasks'

export interface XoClientOptions {
  /** The XO address as typed (`xo.lab`, `https://xo.lab/rest/v0`…), see `normalizeBaseUrl`. */
  baseUrl: string | URL
  /** The current token, read on every request; sent only as the `authenticationToken` cookie. */
  token: () => string | undefined
  /** undici connect options (TLS `ca`, `checkServerIdentity`, `servername`…) or a connector. */
  connect?: Pool.Options['connect']
  /**
   * How the server's certificate is trusted (system CAs, own CA, pinned leaf); checked on every
   * socket before a request byte is sent (src-main/tls/trust.ts). Replaces `connect`.
   */
  trust?: TrustPolicy
  userAgent?: string
  timeouts?: TimeoutOverrides
  retry?: Partial<RetryPolicy>
  /** Sockets kept to this XO; streams and long-polls hold one each. */
  connections?: number
  /** Display names for ids in error messages (e.g. from the inventory). */
  nameOf?: (collection: string, id: string) => string | undefined
}

export interface ActionOptions {
  body?: unknown
  /** Wait for the action to finish and return its result (`?sync=true`). */
  sync?: boolean
}

/** An action started asynchronously: follow its task. */
export interface StartedAction {
  taskId: string
  /** `/rest/v0/tasks/<id>`, as XO's `Location` header says. */
  location: string
}

/** An export's answer (`XoClient.download`): the body is unread. */
export interface XoDownload {
  status: number
  headers: XoResponse['headers']
  /** The export's bytes, to stream; nothing else of undici's body is part of the contract. */
  body: Readable
  /** The readable failure for an error met while reading `body`. */
  explain(err: unknown): unknown
}

/** A synchronous action's result: none (204), or `{id}` of what it created (201/200). */
export type ActionResult = (Record<string, unknown> & { id?: string }) | undefined

type Target = { collection: string; id: string }

const TOKEN = { kind: 'token' } as const

/**
 * The failure to throw for `err`. Once the caller's signal is aborted the outcome is "cancelled"
 * (or "timeout" for `AbortSignal.timeout()`), whatever reason object the caller used.
 */
function failure(err: unknown, ctx: XoErrorContext, signal: AbortSignal): unknown {
  if (!signal.aborted || err instanceof AppFailure) return toXoFailure(err, ctx)
  const reason: unknown = signal.reason
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError'
  return toXoFailure(timedOut ? reason : new DOMException('cancelled', 'AbortError'), ctx)
}

/**
 * A client for one XO's REST API: one keep-alive pool; every failure thrown as an `AppFailure`
 * (an `XoFailure`) the user can read. The token goes only into the cookie, never into a message.
 */
export class XoClient {
  readonly baseUrl: URL
  /** `host[:port]`, as named in error messages. */
  readonly host: string
  readonly #transport: Transport
  readonly #tasks: TaskFollower
  readonly #nameOf: XoClientOptions['nameOf']

  constructor(options: XoClientOptions) {
    this.baseUrl = normalizeBaseUrl(String(options.baseUrl))
    this.host = this.baseUrl.host
    this.#nameOf = options.nameOf
    this.#transport = new Transport(this.baseUrl, {
      token: options.token,
      connect: options.connect,
      ...(options.trust ? { trust: options.trust } : {}),
      userAgent: options.userAgent ?? 'XO Desk',
      timeouts: mergeTimeouts(options.timeouts),
      retry: { ...DEFAULT_RETRY, ...options.retry },
      connections: options.connections ?? 16,
    })
    this.#tasks = new TaskFollower(this.#transport)
  }

  #ctx(target?: Target, credentials: Credentials['kind'] = 'token'): XoErrorContext {
    const ctx: XoErrorContext = { host: this.host, credentials }
    if (target) ctx.target = target
    if (this.#nameOf) ctx.nameOf = this.#nameOf
    return ctx
  }

  /**
   * Runs one operation and explains its failure: XO's error (docs/xo-rest-api.md#errors) becomes a
   * value the user can read (`AppError`, docs/architecture.md#errors-are-values).
   */
  async #run<T>(ctx: XoErrorContext, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (err) {
      throw failure(err, ctx, signal)
    }
  }

  /** Every line of an NDJSON answer, each parsed on its own (never one big JSON text). */
  #collect<T>(spec: RequestSpec, signal: AbortSignal): Promise<T[]> {
    return this.#transport.exchange(spec, signal, async (res) => {
      expectMediaType(res.headers, 'ndjson')
      const items: T[] = []
      for await (const value of ndjsonValues(res.body)) items.push(value as T)
      return items
    })
  }

  /**
   * The objects of a collection, with only the asked fields plus `href`
   * (docs/xo-rest-api.md#collections-and-fields).
   */
  list<C extends Collection>(
    collection: C,
    opts: ListOptions,
    signal: AbortSignal,
  ): Promise<XoListed<C>[]> {
    return this.#run(this.#ctx(), signal, () =>
      this.#collect<XoListed<C>>(listSpec(collectionPath(collection), opts, 'read'), signal),
    )
  }

  /**
   * The same objects one at a time as they arrive (`ndjson=true`), in constant memory, for
   * collections of any size. Only an idle timeout applies; breaking out of the loop or aborting
   * the signal closes the connection.
   */
  stream<C extends Collection>(
    collection: C,
    opts: ListOptions,
    signal: AbortSignal,
  ): AsyncIterable<XoListed<C>> {
    const ctx = this.#ctx()
    const transport = this.#transport
    return {
      async *[Symbol.asyncIterator]() {
        let res: XoResponse | undefined
        try {
          const spec = listSpec(collectionPath(collection), opts, 'stream')
          res = await transport.exchange(spec, signal, async (r) => {
            expectMediaType(r.headers, 'ndjson')
            return r
          })
          for await (const value of ndjsonValues(res.body)) yield value as XoListed<C>
        } catch (err) {
          const t = transport.timeouts
          throw failure(explainTimeout(err, t.stream, t.connectMs), ctx, signal)
        } finally {
          if (res) discard(res.body)
        }
      },
    }
  }

  /** One whole object (`GET /<collection>/{id}`). */
  get<C extends Collection>(collection: C, id: string, signal: AbortSignal): Promise<XoObject<C>> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#transport.exchange(
        { method: 'GET', path: objectPath(collection, id), kind: 'read', credentials: TOKEN },
        signal,
        async (res) => (await readJson(res.headers, res.body)) as XoObject<C>,
      ),
    )
  }

  /** A per-object collection (`GET /vms/{id}/vdis`, `…/tasks`, `…/messages`). */
  subCollection<S extends Collection>(
    collection: Collection,
    id: string,
    sub: S,
    opts: ListOptions,
    signal: AbortSignal,
  ): Promise<XoListed<S>[]> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#collect<XoListed<S>>(
        listSpec(subCollectionPath(collection, id, sub), opts, 'read'),
        signal,
      ),
    )
  }

  /**
   * An object's RRD stats as XO answers them (`GET /vms/{id}/stats`, `GET /hosts/{id}/stats`,
   * `GET /pools/{id}/stats` with `?granularity=`): plain JSON, read by src-main/stats.
   */
  objectStats(
    collection: 'vms' | 'hosts' | 'pools',
    id: string,
    granularity: 'seconds' | 'minutes' | 'hours' | 'days',
    signal: AbortSignal,
  ): Promise<unknown> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#transport.exchange(
        {
          method: 'GET',
          path: subCollectionPath(collection, id, 'stats'),
          query: { granularity },
          kind: 'read',
          credentials: TOKEN,
        },
        signal,
        async (res) => readJson(res.headers, res.body),
      ),
    )
  }

  /**
   * Starts an action: its task (202, default) or, with `sync`, its result
   * (docs/xo-rest-api.md#actions-and-tasks).
   */
  action(
    collection: Collection,
    id: string,
    action: string,
    opts: ActionOptions & { sync: true },
    signal: AbortSignal,
  ): Promise<ActionResult>
  action(
    collection: Collection,
    id: string,
    action: string,
    opts: ActionOptions & { sync?: false },
    signal: AbortSignal,
  ): Promise<StartedAction>
  action(
    collection: Collection,
    id: string,
    action: string,
    opts: ActionOptions,
    signal: AbortSignal,
  ): Promise<ActionResult | StartedAction>
  action(
    collection: Collection,
    id: string,
    action: string,
    opts: ActionOptions,
    signal: AbortSignal,
  ): Promise<ActionResult | StartedAction> {
    const sync = opts.sync === true
    return this.#run(this.#ctx({ collection, id }), signal, async () => {
      // POST: never retried, since a second try could repeat the effect (retry.ts).
      const answer = await this.#transport.exchange(
        {
          method: 'POST',
          path: actionPath(collection, id, action),
          query: sync ? { sync: 'true' } : undefined,
          json: opts.body,
          kind: sync ? 'sync-action' : 'write',
          credentials: TOKEN,
          accept: sync ? [200, 201, 202, 204] : [202],
        },
        signal,
        async (res) => {
          if (res.status === 204) {
            await res.body.dump()
            return { kind: 'result' as const, result: undefined }
          }
          const json = await readJson(res.headers, res.body)
          if (res.status !== 202) return { kind: 'result' as const, result: json as ActionResult }
          const taskId = (json as { taskId?: unknown } | undefined)?.taskId
          if (typeof taskId !== 'string') throw new MalformedResponseError('json', 'no taskId')
          const location = res.headers['location']
          const started: StartedAction = {
            taskId,
            location: typeof location === 'string' ? location : `${REST_PATH}/tasks/${taskId}`,
          }
          return { kind: 'started' as const, started }
        },
      )
      if (answer.kind === 'result') return answer.result
      // An XO that ignored `sync` answered 202: wait for the result anyway.
      if (!sync) return answer.started
      return (await this.#tasks.follow(answer.started.taskId, undefined, signal)) as ActionResult
    })
  }

  /**
   * Waits for a task to end: its result on success; an `AppFailure` (`xo-failed`, XAPI failures in
   * words) on failure. `onProgress` gets the task as it changes (`GET /tasks/{id}?wait=true`
   * and the task watch, docs/xo-rest-api.md#actions-and-tasks).
   */
  followTask(
    taskId: string,
    opts: { onProgress?: ProgressListener; target?: Target },
    signal: AbortSignal,
  ): Promise<unknown> {
    return this.#run(this.#ctx(opts.target), signal, () =>
      this.#tasks.follow(taskId, opts.onProgress, signal),
    )
  }

  /** Starts an action asynchronously and follows its task to the end. */
  async startAndFollow(
    collection: Collection,
    id: string,
    action: string,
    opts: { body?: unknown },
    onProgress: ProgressListener | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    const started = await this.action(collection, id, action, { body: opts.body }, signal)
    const target = { collection, id }
    return this.followTask(started.taskId, onProgress ? { onProgress, target } : { target }, signal)
  }

  #noContent(spec: RequestSpec, signal: AbortSignal): Promise<void> {
    return this.#transport.exchange(spec, signal, async (res) => {
      // A DELETE retried after a lost answer finds the object gone: the wanted outcome.
      if (res.status === 404 && res.attempt === 1)
        throw new XoResponseError(404, res.headers, await readTextPrefix(res.body))
      await res.body.dump()
    })
  }

  /**
   * Streams an import body (`application/octet-stream`, `Content-Length` set) and reads XO's answer:
   * `{id}` of what it created (201) or nothing (204). The operations are `POST /pools/{id}/vms`,
   * `POST /srs/{id}/vdis` and `PUT /vdis/{id}.{format}` (docs/xo-rest-api.md#exports-and-imports).
   * Never retried; the token travels only in the cookie.
   */
  upload(
    request: {
      method: 'POST' | 'PUT'
      path: string
      query?: Record<string, string | undefined>
      body: Readable
      /** Omitted: sent chunked; XO needs it for a VDI import, not for a VM import. */
      length?: number
      target: Target
    },
    signal: AbortSignal,
  ): Promise<ActionResult> {
    return this.#run(this.#ctx(request.target), signal, () =>
      this.#transport.exchange(
        {
          method: request.method,
          path: request.path,
          ...(request.query ? { query: request.query } : {}),
          upload: {
            body: request.body,
            ...(request.length !== undefined ? { length: request.length } : {}),
          },
          kind: 'sync-action',
          credentials: TOKEN,
          accept: [200, 201, 204],
        },
        signal,
        async (res) => {
          if (res.status === 204) {
            await res.body.dump()
            return undefined
          }
          return (await readJson(res.headers, res.body)) as ActionResult
        },
      ),
    )
  }

  /**
   * A raw streaming GET through this client's pool and TLS policy: an export such as
   * `GET /vms/{id}.{format}` or `GET /vdis/{id}.{format}` (docs/xo-rest-api.md#exports-and-imports).
   * Resolves once XO answers 2xx with the status, headers and the unread body; the caller must
   * consume or destroy it. `explain` turns a failure met while reading the body (cut, idle timeout,
   * cancel) into the same readable `AppFailure` a request failure gets. The token travels only in
   * the cookie.
   */
  download(
    path: string,
    query: Record<string, string | undefined>,
    signal: AbortSignal,
    target?: Target,
  ): Promise<XoDownload> {
    const ctx = this.#ctx(target)
    const timeouts = this.#transport.timeouts
    return this.#run(ctx, signal, () =>
      this.#transport.exchange(
        {
          method: 'GET',
          path,
          query,
          kind: 'stream',
          credentials: TOKEN,
          mediaType: 'application/octet-stream',
        },
        signal,
        (res) =>
          Promise.resolve({
            status: res.status,
            headers: res.headers,
            body: res.body,
            explain: (err: unknown) =>
              failure(explainTimeout(err, timeouts.stream, timeouts.connectMs), ctx, signal),
          }),
      ),
    )
  }

  /** Partial update (`PATCH /<collection>/{id}`; VMs take camelCase keys). Never retried. */
  patch(collection: Collection, id: string, body: object, signal: AbortSignal): Promise<void> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#noContent(
        {
          method: 'PATCH',
          path: objectPath(collection, id),
          json: body,
          kind: 'write',
          credentials: TOKEN,
        },
        signal,
      ),
    )
  }

  /** Deletes an object (`DELETE /<collection>/{id}`, 204). */
  delete(collection: Collection, id: string, signal: AbortSignal): Promise<void> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#noContent(
        {
          method: 'DELETE',
          path: objectPath(collection, id),
          kind: 'write',
          credentials: TOKEN,
          accept: [200, 204, 404],
        },
        signal,
      ),
    )
  }

  /** Adds a tag; adding it twice is not an error (`PUT /<collection>/{id}/tags/{tag}`). */
  addTag(collection: Collection, id: string, tag: string, signal: AbortSignal): Promise<void> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#noContent(tagSpec('PUT', collection, id, tag), signal),
    )
  }

  removeTag(collection: Collection, id: string, tag: string, signal: AbortSignal): Promise<void> {
    return this.#run(this.#ctx({ collection, id }), signal, () =>
      this.#noContent(tagSpec('DELETE', collection, id, tag), signal),
    )
  }

  /** A new token record from a user name and password (see `auth-token.ts`). */
  createToken(input: CreateTokenInput, signal: AbortSignal): Promise<XoAuthenticationToken> {
    return this.#run(this.#ctx(undefined, 'basic'), signal, () =>
      createToken(this.#transport, input, signal),
    )
  }

  /**
   * The signed-in user (`GET /users/me`, which XO answers with a 307 to the user's own id,
   * dist/users/user.middleware.mjs), and their RBAC v2 privileges (`GET /users/{id}/acl-privileges`,
   * readable for oneself).
   */
  account(signal: AbortSignal): Promise<XoAccount> {
    return this.#run(this.#ctx(), signal, async () => {
      const me = await this.#transport.exchange(
        { method: 'GET', path: '/users/me', kind: 'read', credentials: TOKEN, accept: [200, 307] },
        signal,
        async (res) => {
          if (res.status === 307) {
            await res.body.dump()
            return { location: String(res.headers['location'] ?? '') }
          }
          return { user: (await readJson(res.headers, res.body)) as Record<string, unknown> }
        },
      )
      const user =
        'user' in me
          ? (me.user ?? {})
          : ((await this.#transport.exchange(
              {
                method: 'GET',
                path: redirectPath(this.#transport.base, me.location),
                kind: 'read',
                credentials: TOKEN,
              },
              signal,
              async (res) => readJson(res.headers, res.body),
            )) as Record<string, unknown>)
      const userId = String(user['id'] ?? '')
      const admin = user['permission'] === 'admin'
      const privileges = admin
        ? []
        : (
            await this.#collect<Record<string, unknown>>(
              listSpec(
                subCollectionPath('users', userId, 'acl-privileges'),
                { fields: ['resource', 'action', 'effect', 'selector'] },
                'read',
              ),
              signal,
            )
          ).map((p) => ({
            resource: String(p['resource']),
            action: String(p['action']),
            effect: p['effect'] === 'deny' ? ('deny' as const) : ('allow' as const),
            ...(typeof p['selector'] === 'string' ? { selector: p['selector'] } : {}),
          }))
      return { userId, name: String(user['name'] ?? ''), admin, privileges }
    })
  }

  /**
   * What the server is: the REST API version and the operations it serves, from its own OpenAPI
   * document (`GET /docs/swagger.json`, served without credentials, dist/index.mjs).
   */
  serverApi(signal: AbortSignal): Promise<{ version: string; operations: Set<string> }> {
    return this.#run(this.#ctx(undefined, 'none'), signal, () =>
      this.#transport.exchange(
        { method: 'GET', path: '/docs/swagger.json', kind: 'read', credentials: { kind: 'none' } },
        signal,
        async (res) => {
          const doc = (await readJson(res.headers, res.body)) as {
            info?: { version?: unknown }
            paths?: Record<string, Record<string, unknown>>
          }
          const operations = new Set<string>()
          for (const [path, item] of Object.entries(doc.paths ?? {}))
            for (const method of Object.keys(item))
              operations.add(`${method.toUpperCase()} ${path}`)
          return { version: String(doc.info?.version ?? 'unknown'), operations }
        },
      ),
    )
  }

  /**
   * XO's health check (`GET /ping`); sends no credentials, which would break it when stale
   * (docs/xo-rest-api.md#authentication).
   */
  ping(signal: AbortSignal): Promise<{ result: string; timestamp: number }> {
    return this.#run(this.#ctx(undefined, 'none'), signal, () =>
      this.#transport.exchange(
        { method: 'GET', path: '/ping', kind: 'read', credentials: { kind: 'none' } },
        signal,
        async (res) =>
          (await readJson(res.headers, res.body)) as { result: string; timestamp: number },
      ),
    )
  }

  /** Sockets of this client's pool: open (`connected`), idle (`free`), busy (`running`)… */
  stats(): Pool.PoolStats {
    return this.#transport.stats()
  }

  /** Finishes running requests, then closes every socket. */
  close(): Promise<void> {
    return this.#transport.close()
  }

  /** Closes every socket now, failing running requests. */
  destroy(): Promise<void> {
    return this.#transport.destroy()
  }
}

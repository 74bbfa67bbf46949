import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Caller } from '../auth'
import type { CollectionName, XoRecord } from '../lab/types'
import type { OperationSpec } from '../operation-spec'
import type { Simulation } from '../simulation'
import type { CollectionBody } from './collection-response'

/** Everything a route handler gets about one request, after auth, lookup and validation. */
export interface RequestContext {
  sim: Simulation
  op: OperationSpec
  /** Path parameters, decoded. */
  params: Record<string, string>
  /** Query parameters (first value of each), already validated against the spec. */
  query: Record<string, string>
  caller: Caller
  /** The object named by `/<collection>/{id}`, when the route has one. */
  target: { collection: CollectionName; record: XoRecord } | undefined
  /** For routes that take JSON: the body as tsoa hands it over (coerced; {} when none was sent). */
  body: unknown
  req: IncomingMessage
  res: ServerResponse
  /** Aborted when the client goes away. */
  signal: AbortSignal
}

/** What a handler answers; the server writes it (or the handler wrote the response itself). */
export type Reply =
  | { status: number; json?: unknown; headers?: Record<string, string> }
  | { status: number; collection: CollectionBody; headers?: Record<string, string> }
  | { status: number; stream: Readable; headers?: Record<string, string> }
  | { handled: true }

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>

/** The object named by `/<collection>/{id}`: only for routes whose pipeline resolved one. */
export function targetRecord(ctx: RequestContext): XoRecord {
  if (!ctx.target) throw new Error(`${ctx.op.method} ${ctx.op.path} has no target object`)
  return ctx.target.record
}

/** The records that pass a test, lazily (collections can hold 100,000 VMs). */
export function* where(
  records: Iterable<XoRecord>,
  test: (r: XoRecord) => boolean,
): Generator<XoRecord> {
  for (const r of records) if (test(r)) yield r
}

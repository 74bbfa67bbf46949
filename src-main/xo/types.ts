import type { components } from '@contract/generated/xo-rest'
import type { XoCollections } from '@contract/xo-objects'

export type { XoCollections } from '@contract/xo-objects'

type Schemas = components['schemas']

/** A known collection name, or any other collection path segment XO may add. */
export type Collection = keyof XoCollections | (string & {})

/** The full object of a collection (`GET /<collection>/{id}`). */
export type XoObject<C extends Collection> = C extends keyof XoCollections
  ? XoCollections[C]
  : Record<string, unknown>

/**
 * A collection item as listed with `fields`: only the asked keys, plus `href`
 * (docs/xo-rest-api.md#collections-and-fields).
 */
export type XoListed<C extends Collection> = Partial<XoObject<C>> & { href: string }

/** An XO task (docs/xo-rest-api.md#actions-and-tasks). */
export type XoTask = Schemas['Unbrand_XoTask_']

/** What a task looks like as it moves: the watch stream sends only the fields asked for. */
export type XoTaskProgress = Partial<XoTask> & Pick<XoTask, 'id'>

/** A token record (`POST /users/{id}/authentication_tokens`); its `id` is the cookie value. */
export type XoAuthenticationToken = Schemas['Unbrand_XoAuthenticationToken_']

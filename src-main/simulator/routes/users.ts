import { compileFilter } from '../http/collection-response'
import { targetRecord as target, where, type RequestContext } from '../http/context'
import { xoError } from '../http/xo-errors'
import type { XoRecord } from '../lab/types'
import { collectionReply } from './collections'
import type { HandlerTable } from './table'

type TokenBody = { description?: string; expiresIn?: string | number; client?: { id?: string } }

const list = (r: XoRecord, key: string): string[] => (r[key] as string[] | undefined) ?? []

/** Privileges granted to a user through the roles of the user and of the user's groups. */
function privilegesOf(ctx: RequestContext, user: XoRecord): XoRecord[] {
  const groups = new Set(list(user, 'groups'))
  const roles = [...ctx.sim.store.list('acl-roles')].filter(
    (role) =>
      list(role, 'userIds').includes(user.id) || list(role, 'groupIds').some((g) => groups.has(g)),
  )
  const roleIds = new Set(roles.map((r) => r.id))
  return [...where(ctx.sim.store.list('acl-privileges'), (p) => roleIds.has(p['roleId'] as string))]
}

export function registerUsers(table: HandlerTable): void {
  // Token creation (@xen-orchestra/rest-api 0.39.0, dist/users/user.controller.mjs): only for
  // yourself; 201 with the whole token record. The id is only compared with the caller's, never
  // looked up: anyone else's, known or not, is 403 (http/acl-lookups.ts).
  table.on('POST', '/users/{id}/authentication_tokens', (ctx) => {
    if (ctx.params['id'] !== ctx.caller.userId) {
      throw xoError.forbiddenOperation(
        'create authentication token',
        'you can only create token for yourself',
      )
    }
    return {
      status: 201,
      json: { token: ctx.sim.auth.issueToken(ctx.caller.userId, ctx.body as TokenBody) },
    }
  })
  table.on('POST', '/users/authentication_tokens', (ctx) => ({
    status: 201,
    json: { token: ctx.sim.auth.issueToken(ctx.caller.userId, (ctx.body ?? {}) as TokenBody) },
  }))
  // Your own tokens only, as full objects (not hrefs); filter and limit apply.
  table.on('GET', '/users/{id}/authentication_tokens', (ctx) => {
    // The user is looked up first (404), then compared with the caller (dist/users/user.controller.mjs).
    if (target(ctx).id !== ctx.caller.userId) {
      throw xoError.forbiddenOperation(
        'get authentication tokens',
        'can only see own authentication tokens',
      )
    }
    const predicate = compileFilter(ctx.query['filter'])
    const tokens = [...ctx.sim.auth.tokens.values()].filter(
      (t) =>
        t.user_id === ctx.caller.userId &&
        t.expiration > ctx.sim.now() &&
        (!predicate || predicate(t)),
    )
    const limit = ctx.query['limit'] === undefined ? tokens.length : Number(ctx.query['limit'])
    return { status: 200, json: tokens.slice(0, limit) }
  })

  table.on('GET', '/users/{id}/groups', (ctx) =>
    collectionReply(
      ctx,
      'groups',
      where(ctx.sim.store.list('groups'), (g) => list(g, 'users').includes(target(ctx).id)),
    ),
  )
  // One's own privileges are readable without acl-privilege:read (dist/users/user.controller.mjs,
  // getUserPrivileges: no privilege when the user is the caller).
  table.on('GET', '/users/{id}/acl-privileges', (ctx) =>
    collectionReply(
      ctx,
      'acl-privileges',
      privilegesOf(ctx, target(ctx)),
      target(ctx).id === ctx.caller.userId ? null : undefined,
    ),
  )
  table.on('GET', '/groups/{id}/users', (ctx) =>
    collectionReply(
      ctx,
      'users',
      where(ctx.sim.store.list('users'), (u) => list(target(ctx), 'users').includes(u.id)),
    ),
  )
  table.on('GET', '/groups/{id}/acl-roles', (ctx) =>
    collectionReply(
      ctx,
      'acl-roles',
      where(ctx.sim.store.list('acl-roles'), (r) => list(r, 'groupIds').includes(target(ctx).id)),
    ),
  )
  table.on('GET', '/acl-roles/{id}/users', (ctx) =>
    collectionReply(
      ctx,
      'users',
      where(ctx.sim.store.list('users'), (u) => list(target(ctx), 'userIds').includes(u.id)),
    ),
  )
  table.on('GET', '/acl-roles/{id}/groups', (ctx) =>
    collectionReply(
      ctx,
      'groups',
      where(ctx.sim.store.list('groups'), (g) => list(target(ctx), 'groupIds').includes(g.id)),
    ),
  )
  table.on('GET', '/acl-roles/{id}/privileges', (ctx) =>
    collectionReply(
      ctx,
      'acl-privileges',
      where(ctx.sim.store.list('acl-privileges'), (p) => p['roleId'] === target(ctx).id),
    ),
  )
}

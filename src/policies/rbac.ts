/**
 * Role-based access control over the tenant tree (§9.1b, §12b, §11.5c). A role is granted to an
 * actor on a tenant and covers its whole subtree; `*` means the whole pool (needed for node
 * actions such as drain). Every mutating call names an actor; a denied call throws
 * HetpoolError('permission-denied') naming actor, action and target, and changes nothing.
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';

export const RoleSchema = z.enum(['admin', 'operator', 'member', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

/** Everything a role can be asked to allow. */
export const ActionSchema = z.enum(['view', 'submit', 'cancel', 'preempt', 'drain', 'resize', 'set-quota', 'set-budget', 'manage-tenants', 'grant']);
export type Action = z.infer<typeof ActionSchema>;

/** What each role may do (each role includes the one below it). */
export const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = {
  viewer: ['view'],
  member: ['view', 'submit', 'cancel', 'resize'],
  operator: ['view', 'submit', 'cancel', 'resize', 'preempt', 'drain'],
  admin: ['view', 'submit', 'cancel', 'resize', 'preempt', 'drain', 'set-quota', 'set-budget', 'manage-tenants', 'grant'],
};

/** Pool-wide scope. */
export const POOL_SCOPE = '*';

export const RoleBindingSchema = z.strictObject({
  actor: z.string().min(1, 'must be a non-empty string').max(128),
  role: RoleSchema,
  /** A tenant id (covers its subtree) or `*` for the whole pool. */
  tenant: z.string().min(1).max(128),
});
export type RoleBinding = z.infer<typeof RoleBindingSchema>;

/**
 * Is `actor` allowed `action` on `target` (a tenant id, or `*` for pool-wide targets such as a
 * node)? `ancestorsOf(target)` lists the target and its ancestors (empty for `*`).
 */
export function isAllowed(bindings: readonly RoleBinding[], actor: string, action: Action, target: string, ancestorsOf: (t: string) => string[]): boolean {
  const scopes = new Set(target === POOL_SCOPE ? [] : ancestorsOf(target));
  scopes.add(POOL_SCOPE);
  return bindings.some((b) => b.actor === actor && scopes.has(b.tenant) && ROLE_ACTIONS[b.role].includes(action));
}

/** Throw HetpoolError('permission-denied') unless allowed. */
export function authorize(bindings: readonly RoleBinding[], actor: string, action: Action, target: string, ancestorsOf: (t: string) => string[]): void {
  if (isAllowed(bindings, actor, action, target, ancestorsOf)) return;
  const held = bindings.filter((b) => b.actor === actor).map((b) => `${b.role} of ${b.tenant}`);
  const what = target === POOL_SCOPE ? 'the pool' : `tenant "${target}"`;
  throw new HetpoolError(
    'permission-denied',
    target === POOL_SCOPE ? 'pool' : `tenants.${target}`,
    `actor "${actor}" may not ${action} on ${what} (holds: ${held.length ? held.join(', ') : 'no role'})`,
    { actor, action, target },
  );
}

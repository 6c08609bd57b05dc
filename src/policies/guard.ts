/**
 * RBAC in front of the engine's mutating calls (§9.1b, §12b, §11.5c): every call names an actor;
 * a denied call throws HetpoolError('permission-denied') naming actor, action and target, and
 * the engine is not touched. Submissions are checked per task against the task's queue before
 * any is queued (all or none).
 */
import type { Displaced, Engine, ResizePatch, ResizeResult } from '../engine/types.js';
import { HetpoolError } from '../model/errors.js';
import type { TaskInput } from '../model/types.js';
import { POOL_SCOPE } from './rbac.js';
import type { TenantTree } from './tenants.js';

/** The engine calls an actor may make, each checked against the tenant tree's roles. */
export interface GuardedEngine {
  submit(actor: string, tasks: TaskInput | TaskInput[]): void;
  cancel(actor: string, taskId: string): void;
  /** Evict a running task (it is requeued with its priority). Needs 'preempt' on its queue. */
  preempt(actor: string, taskId: string, reason: string): Displaced;
  /** Drain or undrain a node. Needs 'drain' on the pool ('*'). */
  drain(actor: string, nodeId: string, drain?: boolean): void;
  /** Resize a running task in place (engine.resize). Needs 'resize' on its queue. */
  resize(actor: string, taskId: string, patch: ResizePatch): ResizeResult;
}

/** Wrap an engine so that its mutating calls are authorised by the tenant tree's roles. */
export function guardEngine(engine: Engine, tree: TenantTree): GuardedEngine {
  const tenantOf = (taskId: string): string => {
    const ts = engine.task(taskId);
    if (!ts) throw new HetpoolError('not-found', 'taskId', `task "${taskId}" not found`);
    return ts.task.tenant;
  };
  return {
    submit(actor, tasks) {
      const list = Array.isArray(tasks) ? tasks : [tasks];
      for (const t of list) tree.authorize(actor, 'submit', t.tenant ?? 'default');
      engine.submit(tasks);
    },
    cancel(actor, taskId) {
      tree.authorize(actor, 'cancel', tenantOf(taskId));
      engine.cancel(taskId);
    },
    preempt(actor, taskId, reason) {
      tree.authorize(actor, 'preempt', tenantOf(taskId));
      return engine.evict(taskId, reason);
    },
    drain(actor, nodeId, drain = true) {
      tree.authorize(actor, 'drain', POOL_SCOPE);
      engine.drainNode(nodeId, drain);
    },
    resize(actor, taskId, patch) {
      tree.authorize(actor, 'resize', tenantOf(taskId));
      return engine.resize(taskId, patch);
    },
  };
}

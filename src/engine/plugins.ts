/**
 * Extension points of the engine (one small optional method per point, Kubernetes scheduler
 * framework style): a plugin implements only what it needs. Plugins run in the order given to
 * `createEngine({ plugins })`; names must be unique.
 */
import { HetpoolError } from '../model/errors.js';
import type { Node } from '../model/types.js';
import type { Binding, EngineView, TaskState } from './types.js';

/** Why a running task stopped holding its resources. */
export type ReleaseWhy = 'released' | 'cancelled' | 'displaced' | 'preempted';

export interface EnginePlugin {
  /** Unique name (used in errors and for duplicate detection). */
  name: string;
  /**
   * Order of the pending queue in schedule(); negative = a first. The first plugin with a
   * non-zero answer decides. Default: priority descending, then submission order.
   */
  compare?(a: TaskState, b: TaskState): number;
  /** Admission before placement: return a reason string to keep the task pending this cycle (quota, budget, time window). */
  admit?(task: TaskState, engine: EngineView): string | null;
  /** Extra node filter folded into the task's node mask (a topology or site rule); true = allowed. */
  filterNode?(task: TaskState, node: Node): boolean;
  /** Accounting hook: a binding became final. */
  onBind?(binding: Binding, task: TaskState): void;
  /** Accounting hook: a binding ended. */
  onRelease?(binding: Binding, task: TaskState, why: ReleaseWhy): void;
  /**
   * Called when a task is unschedulable: may return running task ids to evict so it fits
   * (preemption). The engine evicts them (requeued, 'preempted' event), then retries once.
   */
  preempt?(task: TaskState, engine: EngineView): string[] | null;
}

/** Validate a plugin list: objects with a unique non-empty name and only function hooks. */
export function checkPlugins(plugins: readonly EnginePlugin[]): EnginePlugin[] {
  const seen = new Set<string>();
  const hooks = ['compare', 'admit', 'filterNode', 'onBind', 'onRelease', 'preempt'] as const;
  plugins.forEach((p, i) => {
    if (!p || typeof p.name !== 'string' || p.name.length === 0) throw new HetpoolError('invalid-input', `plugins[${i}].name`, 'must be a non-empty string');
    if (seen.has(p.name)) throw new HetpoolError('conflict', `plugins[${i}].name`, `duplicate plugin name "${p.name}"`);
    seen.add(p.name);
    for (const k of hooks) {
      if (p[k] !== undefined && typeof p[k] !== 'function') throw new HetpoolError('invalid-input', `plugins[${i}].${k}`, 'must be a function');
    }
  });
  return [...plugins];
}

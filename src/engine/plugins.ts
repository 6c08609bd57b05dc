/**
 * Extension points of the engine (one small optional method per point, Kubernetes scheduler
 * framework style): a plugin implements only what it needs. Plugins run in the order given to
 * `createEngine({ plugins })`; names must be unique.
 */
import { HetpoolError } from '../model/errors.js';
import type { Node, Task } from '../model/types.js';
import type { Binding, EngineView, ResizePatch, TaskState } from './types.js';

/**
 * A device of the chosen node on which the task fits right now (what `chooseDevices` may pick
 * from): free amounts as the columns hold them, before the task is charged.
 */
export interface DeviceCandidate {
  deviceId: string;
  /** Index in `node.devices`. */
  index: number;
  milliFree: number;
  memoryMiBFree: number;
}

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
  /**
   * After the kernel chose `node` for a device task: which devices it takes, among `candidates`
   * (every device of that node the task fits on now; the kernel's own choice is among them).
   * Return exactly as many distinct candidate ids as the kernel chose (`count` whole devices, or
   * one device for a share or a partition instance), or null to keep the kernel's choice. The
   * first plugin with an answer decides; an invalid answer keeps the kernel's choice and emits
   * 'device-choice-rejected'. Cost to the engine: O(devices on the node).
   */
  chooseDevices?(task: TaskState, node: Node, candidates: readonly DeviceCandidate[]): string[] | null;
  /**
   * `filterNode` depends on something besides the task and the node (time, reservations, other
   * tasks): the engine recomputes the masks of every task at the start of each schedule() cycle
   * instead of caching them until a node changes. `engine.invalidateFilters(taskId?)` drops
   * cached masks on demand.
   */
  volatileFilter?: boolean;
  /**
   * Admission of a live resize of a running task (`engine.resize`): `next` is the task at its
   * new size, `task.task` still the old one. A reason refuses the resize (nothing changes).
   */
  admitResize?(task: TaskState, next: Task, patch: ResizePatch, engine: EngineView): string | null;
  /** Accounting hook: a running task was resized in place (`task.task` is already the new size). */
  onResize?(binding: Binding, task: TaskState, previous: Task): void;
}

/** Validate a plugin list: objects with a unique non-empty name and only function hooks. */
export function checkPlugins(plugins: readonly EnginePlugin[]): EnginePlugin[] {
  const seen = new Set<string>();
  const hooks = ['compare', 'admit', 'filterNode', 'onBind', 'onRelease', 'preempt', 'chooseDevices', 'admitResize', 'onResize'] as const;
  plugins.forEach((p, i) => {
    if (!p || typeof p.name !== 'string' || p.name.length === 0) throw new HetpoolError('invalid-input', `plugins[${i}].name`, 'must be a non-empty string');
    if (seen.has(p.name)) throw new HetpoolError('conflict', `plugins[${i}].name`, `duplicate plugin name "${p.name}"`);
    seen.add(p.name);
    for (const k of hooks) {
      if (p[k] !== undefined && typeof p[k] !== 'function') throw new HetpoolError('invalid-input', `plugins[${i}].${k}`, 'must be a function');
    }
    if (p.volatileFilter !== undefined && typeof p.volatileFilter !== 'boolean') throw new HetpoolError('invalid-input', `plugins[${i}].volatileFilter`, 'must be a boolean');
  });
  return [...plugins];
}

/**
 * Deserved shares of the tenant tree: hierarchical weighted DRF over the tree's resource space
 * (kernel: assembly/fairshare.ts, twin: src/reference/fairshare.ts), run once per round.
 *
 * Each queue's demand is its tasks (running and pending) as `count` copies of their mean
 * vector, rounded up (DRF needs one per-task vector per user); a queue's limit caps its count.
 * The pool capacity per dimension is given by the caller (e.g. from the engine's catalogue).
 */
import { FairShareKernel } from '../core/fairshare.js';
import { HetpoolError } from '../model/errors.js';
import type { Node, Task } from '../model/types.js';
import type { ResourceSpace } from './resources.js';
import { fairShareReference, type FairShareInput } from '../reference/fairshare.js';
import type { TenantTree } from './tenants.js';

/** Deserved allocation per tenant (subtree totals for inner tenants) and the service order. */
export interface DeservedShares {
  dims: string[];
  /** tenant id → deserved vector (base units, one entry per dim). */
  deserved: Map<string, number[]>;
  /** Queue ids, most under-served (usage ÷ deserved dominant share) first. */
  order: string[];
  /** queue id → rank in `order` (0 = serve first). */
  rank: Map<string, number>;
}

let kernel: FairShareKernel | undefined;

/** Build the kernel's input from the tree, the tasks that want resources and the pool capacity. */
export function fairShareInput(tree: TenantTree, tasks: readonly Task[], capacity: readonly number[]): { input: FairShareInput; ids: string[] } {
  const space = tree.space;
  if (capacity.length !== space.size) throw new HetpoolError('invalid-input', 'capacity', `must have ${space.size} entries (${space.dims.join(', ')})`);
  const all = tree.all();
  const ids = all.map((t) => t.id);
  const at = new Map(ids.map((id, i) => [id, i]));
  const r = space.size;
  const sum = new Array<number>(all.length * r).fill(0);
  const count = new Array<number>(all.length).fill(0);
  for (const t of tasks) {
    const i = at.get(t.tenant);
    if (i === undefined || all[i].children.length) continue;
    const d = space.demandOf(t);
    for (let k = 0; k < r; k++) sum[i * r + k] += d[k];
    count[i]++;
  }
  const demand = new Array<number>(all.length * r).fill(0);
  const maxTasks = new Array<number>(all.length).fill(0);
  all.forEach((t, i) => {
    if (!count[i]) return;
    let cap = count[i];
    for (let k = 0; k < r; k++) {
      const per = Math.ceil(sum[i * r + k] / count[i]);
      demand[i * r + k] = Math.min(per, 2 ** 31 - 1);
      // the queue's own limit caps how many copies it may deserve
      if (per > 0 && Number.isFinite(t.limit[k])) cap = Math.min(cap, Math.floor(t.limit[k] / per));
    }
    maxTasks[i] = Math.min(cap, 1_000_000);
  });
  const usage = all.flatMap((t) => (t.children.length ? new Array<number>(r).fill(0) : t.usage.map((x) => Math.max(0, Math.min(x, 2 ** 31 - 1)))));
  return {
    ids,
    input: {
      cap: capacity.map((c) => Math.max(0, Math.min(Math.floor(c), 2 ** 31 - 1))),
      parent: all.map((t) => (t.parent ? at.get(t.parent.id)! : -1)),
      weight: all.map((t) => t.weight),
      demand, maxTasks, usage,
    },
  };
}

/** Solve hierarchical DRF for the tree. `backend` 'wasm' (default) or 'ts'. */
export function deservedShares(tree: TenantTree, tasks: readonly Task[], capacity: readonly number[], backend: 'wasm' | 'ts' = 'wasm'): DeservedShares {
  const { input, ids } = fairShareInput(tree, tasks, capacity);
  const res = backend === 'ts' ? fairShareReference(input) : (kernel ??= new FairShareKernel()).solve(input);
  const r = capacity.length;
  const deserved = new Map(ids.map((id, i) => [id, Array.from(res.alloc.subarray(i * r, (i + 1) * r))]));
  const order = res.order.map((i) => ids[i]);
  return { dims: [...tree.space.dims], deserved, order, rank: new Map(order.map((id, i) => [id, i])) };
}

/**
 * Pool capacity in a tree's resource space: CPU and memory of healthy schedulable nodes, and per
 * accelerator key the healthy devices' count, milli (1000 each) and memory.
 */
export function poolCapacity(nodes: readonly Node[], space: ResourceSpace): number[] {
  const cap = new Array<number>(space.size).fill(0);
  for (const n of nodes) {
    if (n.health !== 'healthy' || !n.schedulable) continue;
    cap[0] += n.cpuMilli;
    cap[1] += n.memoryMiB;
    for (const d of n.devices) {
      if (d.health !== 'healthy') continue;
      for (const key of [d.kind, `${d.kind}:${d.model}`]) {
        const c = space.indexOf(`${key}.count`);
        if (c < 0) continue;
        cap[c] += 1;
        cap[c + 1] += 1000;
        cap[c + 2] += d.memoryMiB;
      }
    }
  }
  return cap;
}

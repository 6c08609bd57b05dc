/**
 * The study's workload protocol (fixtures/openb/README.md steps 2–3): sort pods by name, shuffle
 * with the seed, inflate to `tune` × GPU capacity by sampling with replacement. The result is the
 * arrival order as indices into the original list (a clone is a repeated index).
 */
import { HetpoolError } from '../../model/errors.js';
import { Rng } from '../random.js';
import type { ReplayNode, ReplayPod } from './types.js';

/** Total GPU capacity of `nodes` in milli-GPU (1000 per GPU). */
export const gpuCapacityMilli = (nodes: readonly ReplayNode[]): number => nodes.reduce((s, n) => s + n.gpuCount * 1000, 0);

/** GPU milli a pod asks for in all: num_gpu × gpu_milli. */
export const podDemandMilli = (p: ReplayPod): number => p.numGpu * p.gpuMilli;

/**
 * The arrival order for one seed. Inflation appends clones while the total is below
 * `tune × capacity` and stops at the first sampled pod whose `+gpu_milli` would pass it (the
 * study compared the per-GPU share, not num_gpu × share); if the shuffled list is already above the
 * target, random pods are removed until it is at or below.
 */
export function arrivalOrder(pods: readonly ReplayPod[], seed: number, tune: number, capacityMilli: number): number[] {
  if (pods.length === 0) return [];
  if (!(tune > 0)) throw new HetpoolError('invalid-input', 'tune', `must be > 0, got ${tune}`);
  const byName = pods.map((_, i) => i).sort((a, b) => (pods[a].name < pods[b].name ? -1 : pods[a].name > pods[b].name ? 1 : a - b));
  const rng = new Rng(seed);
  const order = rng.shuffle([...byName]);
  const target = tune * capacityMilli;
  let total = 0;
  for (const i of order) total += podDemandMilli(pods[i]);
  if (total > target) {
    while (total > target && order.length > 0) {
      const k = rng.int(order.length);
      total -= podDemandMilli(pods[order[k]]);
      order.splice(k, 1);
    }
    return order;
  }
  // A list without GPU pods can never reach the target: nothing to inflate.
  if (!pods.some((p) => p.gpuMilli > 0)) return order;
  while (total < target) {
    // Sample from the name-sorted list, so the file's row order never matters.
    const i = byName[rng.int(byName.length)];
    if (total + pods[i].gpuMilli > target) break;
    order.push(i);
    total += podDemandMilli(pods[i]);
  }
  return order;
}

/**
 * The replay's policy registry: the six policies of the FGD study (fixtures/openb/README.md) and
 * hetpool's own. Names are the CLI's; an unknown or duplicate name is rejected loudly.
 */
import { HetpoolError } from '../../model/errors.js';
import { HETPOOL_STRAND_WEIGHT, OPENB_POLICY } from '../../reference/openb.js';
import type { WeightedTypical } from './prepare.js';
import type { TypicalPod } from './typical.js';

/** Published GPU allocation ratio (mean, sample std, %) at 90/95/100/110/120/130% arrived. */
export type Published = Record<'90' | '95' | '100' | '110' | '120' | '130', [number, number]>;

/** One replay policy. */
export interface ReplayPolicy {
  name: string;
  /** Kernel policy id. */
  id: number;
  description: string;
  /** The typical pods the policy scores with, from the study's M. */
  scoring(typical: readonly TypicalPod[]): WeightedTypical[];
  /** FGD's logistic scale in milli-GPU: s = floor(100·σ(Δ/temperature)); 1000 in the study. */
  temperature: number;
  /** Weight λ of GPU share stranded by lack of CPU in the policy's fragmentation (0 = FGD's). */
  strandWeight: number;
  /** The study's figures, when it ran this policy. */
  published?: Published;
  /** Published fragmentation amount at 130%, % of capacity. */
  publishedFragmentation?: number;
}

const byCount = (typical: readonly TypicalPod[]): WeightedTypical[] => typical.map((t) => ({ ...t, weight: t.count }));

const P = (rows: number[][]): Published => ({
  '90': [rows[0][0], rows[0][1]],
  '95': [rows[1][0], rows[1][1]],
  '100': [rows[2][0], rows[2][1]],
  '110': [rows[3][0], rows[3][1]],
  '120': [rows[4][0], rows[4][1]],
  '130': [rows[5][0], rows[5][1]],
});

/** Every policy, in the study's order, ours last. */
export const REPLAY_POLICIES: readonly ReplayPolicy[] = [
  { name: 'random', id: OPENB_POLICY.random, description: 'a feasible node uniformly at random; fractional pods on a random GPU with room', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[85.02, 0.29], [85.72, 0.34], [86.3, 0.33], [86.88, 0.34], [87.28, 0.31], [87.47, 0.32]]), publishedFragmentation: 12.43 },
  { name: 'dotprod', id: OPENB_POLICY.dotprod, description: 'least dot product of free and requested (CPU, GPU); best-fit GPU', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[89.98, 0.05], [90.58, 0.19], [90.62, 0.19], [90.7, 0.2], [90.77, 0.2], [90.85, 0.2]]), publishedFragmentation: 9.08 },
  { name: 'gpu-clustering', id: OPENB_POLICY.gpuClustering, description: 'nodes already running pods of the same GPU kind; best-fit GPU', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[89.98, 0.05], [91.61, 0.61], [91.65, 0.61], [91.73, 0.63], [91.8, 0.62], [91.88, 0.62]]), publishedFragmentation: 8.0 },
  { name: 'gpu-packing', id: OPENB_POLICY.gpuPacking, description: 'partly used GPUs first, then used nodes, then small nodes; best-fit GPU', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[89.98, 0.05], [91.74, 0.53], [91.78, 0.53], [91.86, 0.55], [91.92, 0.55], [92.0, 0.54]]), publishedFragmentation: 7.91 },
  { name: 'bestfit', id: OPENB_POLICY.bestfit, description: 'least free CPU and GPU left after placement; best-fit GPU', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[89.99, 0.04], [92.82, 0.15], [92.86, 0.14], [92.94, 0.13], [93.0, 0.14], [93.08, 0.13]]), publishedFragmentation: 6.85 },
  { name: 'fgd', id: OPENB_POLICY.fgd, description: 'fragmentation gradient descent: least growth of expected fragmentation', scoring: byCount, temperature: 1000, strandWeight: 0,
    published: P([[89.98, 0.05], [94.91, 0.06], [95.23, 0.11], [95.3, 0.1], [95.35, 0.1], [95.39, 0.08]]), publishedFragmentation: 4.57 },
  { name: 'hetpool', id: OPENB_POLICY.hetpool, description: 'FGD that also counts GPU share stranded by lack of CPU (12 cores per GPU), at half the logistic slope', scoring: byCount, temperature: 2000, strandWeight: HETPOOL_STRAND_WEIGHT },
];

/** The policy called `name`. */
export function replayPolicy(name: string, path = 'policy'): ReplayPolicy {
  const p = REPLAY_POLICIES.find((q) => q.name === name);
  if (!p) throw new HetpoolError('invalid-input', path, `unknown policy "${name}" (one of ${REPLAY_POLICIES.map((q) => q.name).join(', ')})`);
  return p;
}

/** Policies named in a comma-separated list, in order; duplicates are rejected. */
export function replayPolicies(list: string, path = 'policy'): ReplayPolicy[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new HetpoolError('invalid-input', path, 'must name at least one policy');
  const seen = new Set<string>();
  return names.map((n) => {
    if (seen.has(n)) throw new HetpoolError('invalid-input', path, `policy "${n}" named twice`);
    seen.add(n);
    return replayPolicy(n, path);
  });
}

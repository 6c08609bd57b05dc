/**
 * The benchmark scenarios as data (like Kubernetes' scheduler_perf test cases): a name, the
 * runner kind, size parameters (full run and `--quick`), labels for filtering, and the target
 * the standard or the issue sets, if any. bench/run.ts runs them in this order.
 */

/** Runner kinds: one file each in bench/runners/. */
export type ScenarioKind = 'kernel' | 'placement' | 'backends' | 'openb' | 'sweep' | 'fairshare' | 'victims' | 'gang' | 'des' | 'hierarchy' | 'worker';

export type Params = Record<string, number | string>;

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  /** Parameters of a full run. */
  params: Params;
  /** Overrides under `--quick`; `null` skips the scenario in quick mode. */
  quick: Params | null;
  labels: string[];
  /** Run only when `--filter` names it exactly (long runs kept out of `npm run bench`). */
  optIn?: boolean;
}

const placement = (nodes: number, policy: string, quick: Params | null): Scenario => ({
  name: `placement-${policy}-${nodes >= 1000 ? `${nodes / 1000}k` : nodes}`,
  kind: 'placement',
  params: { nodes, policy, decisions: nodes >= 100_000 ? 100 : 1000, rounds: nodes >= 100_000 ? 2 : 3, batch: nodes >= 100_000 ? 300 : 2000 },
  quick,
  labels: ['placement', policy, `${nodes}`],
});

export const SCENARIOS: Scenario[] = [
  ...(['binpack', 'spread'] as const).flatMap((p) => [
    placement(1_000, p, { decisions: 300, rounds: 2, batch: 500 }),
    placement(10_000, p, { decisions: 200, rounds: 2, batch: 500 }),
    placement(100_000, p, null),
  ]),
  {
    name: 'placement-binpack-100k-sampled', kind: 'placement', params: { nodes: 100_000, policy: 'binpack', decisions: 300, rounds: 2, batch: 1000, nodesToScore: 100 },
    quick: null, labels: ['placement', 'binpack', '100000', 'sampling'],
  },
  // the kernel alone on a uniform pool (issue 6's decision-rate targets are per thread, per decision)
  { name: 'kernel-binpack-10k', kind: 'kernel', params: { nodes: 10_000, warm: 2000, decisions: 1000, rounds: 3 }, quick: { nodes: 2_000, decisions: 500, rounds: 2 }, labels: ['kernel', 'placement', 'binpack', 'wasm', 'ts', '10000'] },
  { name: 'backends-binpack-10k', kind: 'backends', params: { nodes: 10_000, policy: 'binpack', maxTime: 2 }, quick: { nodes: 2_000, maxTime: 0.5 }, labels: ['backends', 'wasm', 'ts', 'benchmark.js'] },
  { name: 'openb-replay', kind: 'openb', params: { seed: 42, tune: 1.3, repeat: 3, policies: 'random,dotprod,gpu-clustering,gpu-packing,bestfit,fgd,hetpool' }, quick: { repeat: 1, policies: 'bestfit,fgd,hetpool' }, labels: ['openb', 'replay'] },
  { name: 'sweep-2-threads', kind: 'sweep', params: { policies: 'random,dotprod,gpu-clustering,gpu-packing,bestfit,fgd,hetpool', seeds: '42,43,44,45,46,47,48,49,50,51', tune: 1.3, rounds: 5 }, quick: { seeds: '42,43', rounds: 1 }, labels: ['openb', 'piscina', 'sweep'] },
  { name: 'sweep-2-threads-small', kind: 'sweep', params: { policies: 'random,dotprod,gpu-clustering,gpu-packing,bestfit,fgd,hetpool', seeds: '42,43', tune: 1.3, rounds: 5 }, quick: null, labels: ['openb', 'piscina', 'sweep'] },
  { name: 'fairshare', kind: 'fairshare', params: { tenants: 200, resources: 8, rounds: 5, ops: 200 }, quick: { rounds: 2, ops: 50 }, labels: ['policies', 'fairshare', 'wasm', 'ts'] },
  { name: 'victims', kind: 'victims', params: { devices: 8, candidates: 32, rounds: 5, ops: 2000 }, quick: { rounds: 2, ops: 500 }, labels: ['policies', 'victims', 'preemption', 'wasm', 'ts'] },
  { name: 'gang-topology-10k', kind: 'gang', params: { nodes: 10_000, members: 16, rounds: 5, ops: 200 }, quick: { nodes: 2_000, rounds: 2, ops: 50 }, labels: ['topology', 'gang', 'wasm', 'ts'] },
  { name: 'des-10k', kind: 'des', params: { nodes: 10_000, arrivals: 50_000 }, quick: { arrivals: 5_000 }, labels: ['des', 'simulator'] },
  { name: 'des-10k-sampled', kind: 'des', params: { nodes: 10_000, arrivals: 50_000, nodesToScore: 64 }, quick: { arrivals: 5_000 }, labels: ['des', 'simulator', 'sampling'] },
  { name: 'des-1m-10k', kind: 'des', params: { nodes: 10_000, arrivals: 1_000_000 }, quick: { arrivals: 100_000 }, labels: ['des', 'simulator'], optIn: true },
  { name: 'hierarchy-10k', kind: 'hierarchy', params: { nodes: 10_000, tasks: 20_000, by: 'site' }, quick: { nodes: 2_000, tasks: 4_000 }, labels: ['hierarchy', 'domains'] },
  { name: 'hierarchy-10k-workers', kind: 'hierarchy', params: { nodes: 10_000, tasks: 20_000, by: 'form', workers: 1 }, quick: { nodes: 2_000, tasks: 4_000 }, labels: ['hierarchy', 'domains', 'worker'] },
  { name: 'hierarchy-100k', kind: 'hierarchy', params: { nodes: 100_000, tasks: 5_000, by: 'site' }, quick: null, labels: ['hierarchy', 'domains'] },
  { name: 'engine-worker', kind: 'worker', params: { nodes: 2_000, batch: 500, batches: 10 }, quick: { batches: 4 }, labels: ['worker', 'comlink'] },
];

/** Scenarios whose name or a label contains `filter` (all when undefined), with quick overrides applied. */
export function select(filter: string | undefined, quick: boolean): Scenario[] {
  const out: Scenario[] = [];
  for (const s of SCENARIOS) {
    if (s.optIn && filter !== s.name) continue;
    if (filter && !s.name.includes(filter) && !s.labels.some((l) => l === filter)) continue;
    if (quick && s.quick === null) continue;
    out.push(quick ? { ...s, params: { ...s.params, ...s.quick } } : s);
  }
  return out;
}

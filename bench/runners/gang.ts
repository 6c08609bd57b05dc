/**
 * Topology-aware gang placement (src/topology/gang.ts): a gang of `members` × 8 GPUs over every
 * node of a generated fabric (racks of 32, two switch tiers), WebAssembly kernels versus the
 * TypeScript twins, measured twice side by side:
 * - the full API per decision (`placeGangOnTopology`: validation, candidate columns, the search);
 * - the kernel alone (`kernels.placeGang`) on identical candidate columns laid out once, so the
 *   table says what the kernel itself achieves, undiluted by the TypeScript work they share.
 */
import { createReferenceTopologyKernels, createTopologyKernels } from '../../src/core/topology.js';
import { checkCandidates, layoutGangCandidates, placeGangOnTopology } from '../../src/topology/gang.js';
import { generateFabric } from '../../src/topology/generate.js';
import { createTopology } from '../../src/topology/graph.js';
import { Rng } from '../../src/sim/random.js';
import { rowOf, sideBySide, type Row } from '../lib/harness.js';
import { num, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

export async function runGang(s: Scenario): Promise<RunnerOutput> {
  const nodes = num(s, 'nodes');
  const members = num(s, 'members');
  const fab = generateFabric({ nodes });
  const g = createTopology(fab.topology);
  const rng = new Rng(42);
  const candidates = fab.nodes.map((n) => ({ node: n.id, freeDevices: rng.int(9), baseScore: rng.int(101) }));
  const req = { members: { count: members, devices: 8 }, chooseDevices: false };
  const kernels = { wasm: createTopologyKernels('wasm'), ts: createReferenceTopologyKernels() };
  const outcome: Record<string, string> = {};
  const opts = { rounds: num(s, 'rounds'), opsPerRound: num(s, 'ops'), warmupOps: 5 };
  const api = sideBySide(
    (['wasm', 'ts'] as const).map((k) => ({
      name: k,
      op: () => {
        const r = placeGangOnTopology(g, req, candidates, kernels[k]);
        outcome[k] = r.status === 'placed' ? `placed, tier ${r.tierName}` : r.status;
      },
    })),
    opts,
  );
  // The kernel alone: the columns the API builds, laid out once and passed to both implementations.
  const { cols } = layoutGangCandidates(g, checkCandidates(candidates));
  const c = cols.leaf.length;
  const demand = new Int32Array(members).fill(8);
  const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 50 };
  const outs = { wasm: new Int32Array(members), ts: new Int32Array(members) };
  const keys: Record<string, string> = {};
  const kernel = sideBySide(
    (['wasm', 'ts'] as const).map((k) => ({
      name: k,
      op: () => {
        const r = kernels[k].placeGang(c, cols, members, demand, knobs, outs[k]);
        keys[k] = `status ${r.status}, tier ${r.tier}, cost ${r.cost}, base ${r.base}`;
      },
    })),
    { ...opts, opsPerRound: opts.opsPerRound * 4 },
  );
  if (keys.wasm !== keys.ts || outs.wasm.join() !== outs.ts.join()) throw new Error(`kernel and twin disagree: ${keys.wasm} vs ${keys.ts}`);
  const ratio = api.ts.medianUs / api.wasm.medianUs;
  const kernelRatio = kernel.ts.medianUs / kernel.wasm.medianUs;
  const rows: Row[] = [
    rowOf(s.name, `gang ${members}×8 GPUs over ${nodes} nodes, wasm`, api.wasm, { note: outcome.wasm }),
    rowOf(s.name, 'gang, ts twin', api.ts, { ratio, ratioOf: 'ts/wasm time' }),
    rowOf(s.name, `gang kernel alone (${c} candidate columns), wasm`, kernel.wasm, { note: keys.wasm }),
    rowOf(s.name, 'gang kernel alone, ts twin', kernel.ts, { ratio: kernelRatio, ratioOf: 'ts/wasm time' }),
  ];
  return {
    rows,
    data: { params: s.params, stats: api, kernelStats: kernel, ratioTsOverWasm: ratio, kernelRatioTsOverWasm: kernelRatio, outcome, kernelKey: keys.wasm },
  };
}

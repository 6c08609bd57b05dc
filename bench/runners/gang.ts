/**
 * Topology-aware gang placement (src/topology/gang.ts): a gang of `members` × 8 GPUs over every
 * node of a generated fabric (racks of 32, two switch tiers), full API per decision, WebAssembly
 * kernels versus the TypeScript twins.
 */
import { createReferenceTopologyKernels, createTopologyKernels } from '../../src/core/topology.js';
import { placeGangOnTopology } from '../../src/topology/gang.js';
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
  const stats = sideBySide(
    (['wasm', 'ts'] as const).map((k) => ({
      name: k,
      op: () => {
        const r = placeGangOnTopology(g, req, candidates, kernels[k]);
        outcome[k] = r.status === 'placed' ? `placed, tier ${r.tierName}` : r.status;
      },
    })),
    { rounds: num(s, 'rounds'), opsPerRound: num(s, 'ops'), warmupOps: 5 },
  );
  const ratio = stats.ts.medianUs / stats.wasm.medianUs;
  const rows: Row[] = [
    rowOf(s.name, `gang ${members}×8 GPUs over ${nodes} nodes, wasm`, stats.wasm, { note: outcome.wasm }),
    rowOf(s.name, 'gang, ts twin', stats.ts, { ratio, ratioOf: 'ts/wasm time' }),
  ];
  return { rows, data: { params: s.params, stats, ratioTsOverWasm: ratio, outcome } };
}

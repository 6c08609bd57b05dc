/**
 * Quick measurement of the topology kernels on a generated 10,000-node fabric (racks of 32, two
 * switch tiers, 8-GPU nodes with two NVLink islands of 4). Run: `npx tsx bench/topology-quick.ts`
 * (optionally `--nodes 2000`). Prints build times and decisions/s (median of 3 rounds after a
 * warm-up) for the WebAssembly kernel and its TypeScript twin; nothing is asserted.
 */
import { createReferenceTopologyKernels, createTopologyKernels } from '../src/core/topology.js';
import { chooseDeviceSet, deviceMatrix } from '../src/topology/devices.js';
import { fabricOf } from '../src/topology/fabric.js';
import { GangCandidateSchema, layoutGangCandidates, placeGangOnTopology } from '../src/topology/gang.js';
import { generateFabric } from '../src/topology/generate.js';
import { createTopology } from '../src/topology/graph.js';
import { Rng } from '../src/sim/random.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const nodes = arg('nodes', 10_000);
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

/** Decisions per second of `fn`: warm-up, then the median of three rounds of `iters` calls. */
function rate(fn: () => void, iters: number): { perSec: number; msEach: number } {
  for (let i = 0; i < Math.max(1, iters / 5); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    rounds.push((performance.now() - t0) / iters);
  }
  const msEach = rounds.sort((a, b) => a - b)[1];
  return { perSec: 1000 / msEach, msEach };
}
const fmt = (r: { perSec: number; msEach: number }): string => `${r.perSec.toFixed(r.perSec < 100 ? 1 : 0)} decisions/s (${r.msEach < 0.1 ? `${(r.msEach * 1000).toFixed(1)} µs` : `${r.msEach.toFixed(2)} ms`} each)`;

let t0 = performance.now();
const fab = generateFabric({ nodes });
console.log(`generate ${nodes} nodes: ${fab.topology.vertices.length} vertices, ${fab.topology.links.length} links, ${ms(t0)}`);
t0 = performance.now();
const g = createTopology(fab.topology);
console.log(`createTopology (validate + index): ${ms(t0)}`);
t0 = performance.now();
fabricOf(g);
console.log(`fabric tiers derived: ${ms(t0)}`);

const rng = new Rng(42);
// Every node has 0..8 free GPUs; the engine would pass these counts.
const candidates = fab.nodes.map((n) => ({ node: n.id, freeDevices: rng.int(9), baseScore: rng.int(101) }));
const { cols } = layoutGangCandidates(g, candidates.map((c) => GangCandidateSchema.parse(c)));
const demand = new Int32Array(16).fill(8);
const members = new Int32Array(16);
const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 50 };
// A 16-device node for the exact search: two 8-GPU boards (classes of the generated node, +1
// across boards), random symmetric bandwidths and latencies. Built once for both implementations.
const m0 = deviceMatrix(g, fab.nodes[0].id);
const big = { cls: new Uint8Array(256), bw: new Int32Array(256), lat: new Int32Array(256) };
for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) {
  big.cls[i * 16 + j] = big.cls[j * 16 + i] = Math.min(3, m0.cls[(i % 8) * 8 + (j % 8)] + (i >> 3 === j >> 3 ? 0 : 1));
  big.bw[i * 16 + j] = big.bw[j * 16 + i] = 1000 + rng.int(1000);
  big.lat[i * 16 + j] = big.lat[j * 16 + i] = rng.int(5000);
}
const frees = Array.from({ length: 256 }, () => {
  const ids = ['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7'].filter(() => rng.int(4) > 0);
  return ids.length >= 2 ? ids : ['gpu0', 'gpu1', 'gpu5'];
});

for (const kernels of [createTopologyKernels('wasm'), createReferenceTopologyKernels()]) {
  const req = { members: { count: 16, devices: 8 }, chooseDevices: false };
  const r = placeGangOnTopology(g, req, candidates, kernels);
  const tier = r.status === 'placed' ? r.tierName : r.status;
  console.log(`gang 16×8 GPUs over ${nodes} candidates [${kernels.impl}], full API: ${fmt(rate(() => placeGangOnTopology(g, req, candidates, kernels), 200))}; tier ${tier}`);
  console.log(`  kernel call only (columns laid out once) [${kernels.impl}]: ${fmt(rate(() => kernels.placeGang(candidates.length, cols, 16, demand, knobs, members), 400))}`);
  let i = 0;
  console.log(`device set k=2 of 8 GPUs, full API [${kernels.impl}]: ${fmt(rate(() => chooseDeviceSet(g, fab.nodes[0].id, 2, frees[i++ & 255], kernels), 5000))}`);
  const out = new Int32Array(16);
  const free = new Uint8Array(16).fill(1);
  console.log(`device set k=8 of 16, exact search [${kernels.impl}]: ${fmt(rate(() => kernels.bestDeviceSet(16, 8, big.cls, big.bw, big.lat, free, out), 200))}`);
}

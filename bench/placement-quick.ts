/**
 * Quick measurement (not a test): binpack decisions per second at 10,000 nodes on both backends,
 * through engine.place() (one decision per call) and engine.schedule() (placeBatch), scoring every
 * fitting node (exact) and with nodesToScore = 100 (sampled, round-robin).
 * Run: npx tsx bench/placement-quick.ts [nodes] [tasks]
 */
import { createEngine } from '../src/engine/index.js';
import { Rng } from '../src/sim/random.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';

const NODES = Number(process.argv[2] ?? 10_000);
const TASKS = Number(process.argv[3] ?? 2_000);

function cluster(rng: Rng): NodeInput[] {
  return Array.from({ length: NODES }, (_, i) => ({
    id: `n${i}`,
    arch: (['x86_64', 'aarch64'] as const)[rng.int(2)],
    cpuMilli: 64_000,
    memoryMiB: 262_144,
    devices: Array.from({ length: 8 }, (_, j) => ({
      id: `g${j}`,
      kind: 'gpu' as const,
      vendor: 'nvidia',
      model: (['A100', 'H100', 'L40S'] as const)[rng.int(3)],
      memoryMiB: 81_920,
      sharing: { mode: 'time-slice' as const, maxSlices: 8 },
    })),
  }));
}

function tasks(rng: Rng, prefix: string): TaskInput[] {
  return Array.from({ length: TASKS }, (_, i) => {
    const r = rng.int(10);
    if (r < 6) return { id: `${prefix}${i}`, cpuMilli: 2000, memoryMiB: 8192, accel: { kind: 'gpu' as const, milli: 100 * (1 + rng.int(9)), memoryMiB: 4096 } };
    if (r < 8) return { id: `${prefix}${i}`, cpuMilli: 8000, memoryMiB: 32768, accel: { kind: 'gpu' as const, count: 1 + rng.int(4) } };
    return { id: `${prefix}${i}`, cpuMilli: 4000, memoryMiB: 16384, arch: ['aarch64' as const] };
  });
}

for (const [backend, nodesToScore] of [['wasm', 0], ['ts', 0], ['wasm', 100], ['ts', 100]] as const) {
  const rng = new Rng(42);
  const nodes = cluster(rng);
  const e = createEngine({ backend, policy: 'binpack', seed: 1, nodesToScore });
  let t0 = performance.now();
  for (const n of nodes) e.addNode(n);
  const addMs = performance.now() - t0;
  const single = tasks(rng, 'p');
  // CPU time of this process (user + system), less sensitive than wall time to other load on the machine
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  let c0 = process.cpuUsage();
  let bound = 0;
  for (const t of single) if ('nodeId' in e.place(t)) bound++;
  const placeMs = cpuMs(process.cpuUsage(c0));
  e.submit(tasks(rng, 's'));
  c0 = process.cpuUsage();
  const r = e.schedule();
  const batchMs = cpuMs(process.cpuUsage(c0));
  console.log(JSON.stringify({
    backend, nodesToScore, nodes: NODES, devices: NODES * 8, addNodesMs: Math.round(addMs),
    place: { decisions: TASKS, bound, ms: Math.round(placeMs), decisionsPerSec: Math.round(TASKS / (placeMs / 1000)), usPerDecision: +((placeMs * 1000) / TASKS).toFixed(1) },
    schedule: { decisions: TASKS, bound: r.bindings.length, ms: Math.round(batchMs), decisionsPerSec: Math.round(TASKS / (batchMs / 1000)), usPerDecision: +((batchMs * 1000) / TASKS).toFixed(1) },
  }));
}

// Site-constrained tasks: 100 sites of 100 consecutive node slots; each task names one site, so
// its node mask has 100 bits set and the kernel skips the other 9,900 slots 32 at a time.
for (const backend of ['wasm', 'ts'] as const) {
  const e = createEngine({ backend, policy: 'binpack', seed: 1 });
  for (let i = 0; i < NODES; i++) e.addNode({ id: `n${i}`, site: `s${Math.floor(i / 100)}`, cpuMilli: 64_000, memoryMiB: 262_144 });
  const sites = Math.ceil(NODES / 100);
  const list = Array.from({ length: TASKS }, (_, i) => ({ id: `c${i}`, cpuMilli: 1000, memoryMiB: 1024, site: [`s${i % sites}`] }));
  // warm the per-signature masks (computed once per distinct site, O(nodes) each)
  let c0 = process.cpuUsage();
  e.submit(list.slice(0, sites).map((t) => ({ ...t, id: `w${t.id}` })));
  e.schedule();
  const warm = process.cpuUsage(c0);
  const warmMs = (warm.user + warm.system) / 1000;
  e.submit(list);
  c0 = process.cpuUsage();
  const r = e.schedule();
  const u = process.cpuUsage(c0);
  const ms = (u.user + u.system) / 1000;
  console.log(JSON.stringify({ scenario: 'site-constrained', backend, nodes: NODES, sites, masksMs: Math.round(warmMs), schedule: { decisions: TASKS, bound: r.bindings.length, ms: Math.round(ms), usPerDecision: +((ms * 1000) / TASKS).toFixed(1) } }));
}

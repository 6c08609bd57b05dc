/**
 * Quick measurement (not a test) of exact binpack decisions: full scan vs free-capacity index,
 * WebAssembly kernel vs TypeScript twin, median and p99 per decision, at 1k / 10k / 100k nodes.
 *
 * 1. kernel: PlacementState (src/core/placement.ts) filled directly with N identical nodes (64 CPU,
 *    256 GiB, 8 time-sliced GPUs); a stream of 60 % fractional-GPU, 20 % whole-GPU (1–4) and 20 %
 *    CPU-only tasks restricted to the half of the nodes that are aarch64 (a node mask). After a
 *    warm-up of WARM decisions, each of TASKS decisions (committed) is timed on its own. All four
 *    variants make the same decisions (checked: same chosen-node checksum).
 * 2. engine: createEngine().place() per task (validation, encoding, Binding objects included) and
 *    schedule() (placeBatch: one kernel call per queue), index on and off.
 * 3. site-constrained tasks (sparse node masks: the scan skips 32 excluded nodes per mask word).
 * 4. the generated heterogeneous cluster (src/sim/generate, as bench/run.ts uses it) and 3,000
 *    generated tasks through engine.place(), index on and off, mean per request class (the
 *    per-kind and per-model class blocks of the index are what make these fast).
 * 5. the same cluster and tasks, timing only the kernel call inside engine.place() (the engine's
 *    PlacementState.place, wrapped): full scan (index off) and index, median / p99 per decision.
 *
 * Run: npx tsx bench/placement-quick.ts [nodes…]   (default: 1000 10000 100000)
 *      HETPOOL_BENCH_TASKS=2000 HETPOOL_BENCH_WARM=2000 to change the stream lengths.
 */
import { PlacementLayout as L, PlacementState } from '../src/core/placement.js';
import { createEngine } from '../src/engine/index.js';
import { Rng } from '../src/sim/random.js';
import type { TaskInput } from '../src/model/types.js';
import { clusterOf, engineWith, tasksFor } from './lib/inputs.js';
import { GPUS, uniformPool, uniformStream } from './lib/uniform.js';

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 10_000, 100_000];
const TASKS = Number(process.env.HETPOOL_BENCH_TASKS ?? 2000);
const WARM = Number(process.env.HETPOOL_BENCH_WARM ?? 2000);
// the uniform pool and its stream (shared with the kernel-binpack-10k bench scenario)
const cluster = uniformPool;
const stream = uniformStream;

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const us = (ms: number): number => +(ms * 1000).toFixed(2);

function kernelBench(nodes: number): void {
  const rows: Record<string, unknown>[] = [];
  const checksums = new Set<number>();
  for (const [backend, index] of [['wasm', false], ['wasm', true], ['ts', false], ['ts', true]] as const) {
    if (backend === 'ts' && !index && nodes > 10_000 && TASKS > 500) {
      rows.push({ backend, mode: 'scan', skipped: 'ts scan at this size takes minutes; run with HETPOOL_BENCH_TASKS=200' });
      continue;
    }
    const st = cluster(backend, nodes, index);
    const tasks = stream(WARM + TASKS, st.maskPtr(0));
    let sum = 0;
    const times: number[] = [];
    let visits = 0;
    const c0 = process.cpuUsage();
    tasks.forEach((rec, i) => {
      st.writeTask(0, rec);
      const t0 = performance.now();
      st.place(0, true);
      const dt = performance.now() - t0;
      sum = (Math.imul(sum, 31) + st.result(0, L.R_NODE)) | 0;
      if (i >= WARM) {
        times.push(dt);
        visits += st.indexVisits;
      }
    });
    const cpu = process.cpuUsage(c0);
    checksums.add(sum);
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    rows.push({
      backend, mode: index ? 'indexed' : 'scan', nodes, decisions: times.length,
      medianUs: us(pct(times, 0.5)), p99Us: us(pct(times, 0.99)), meanUs: us(mean),
      decisionsPerSec: Math.round(1000 / mean), medianDecisionsPerSec: Math.round(1000 / pct(times, 0.5)),
      indexRecordsVisited: +(visits / times.length).toFixed(1), cpuMsAll: Math.round((cpu.user + cpu.system) / 1000),
    });
  }
  for (const r of rows) console.log(JSON.stringify({ bench: 'kernel', ...r }));
  console.log(JSON.stringify({ bench: 'kernel', nodes, sameDecisions: checksums.size === 1 }));
}

function engineBench(nodes: number): void {
  for (const [backend, index] of [['wasm', false], ['wasm', true], ['ts', true]] as const) {
    const rng = new Rng(42);
    const e = createEngine({ backend, policy: 'binpack', seed: 1, index });
    const gpu = { kind: 'gpu' as const, vendor: 'nvidia', model: 'A100', memoryMiB: 81_920, sharing: { mode: 'time-slice' as const, maxSlices: 8 } };
    for (let i = 0; i < nodes; i++) {
      e.addNode({ id: `n${i}`, arch: (['x86_64', 'aarch64'] as const)[rng.int(2)], cpuMilli: 64_000, memoryMiB: 262_144, devices: Array.from({ length: GPUS }, (_, j) => ({ id: `g${j}`, ...gpu })) });
    }
    const make = (prefix: string, i: number) => {
      const r = rng.int(10);
      if (r < 6) return { id: `${prefix}${i}`, cpuMilli: 2000, memoryMiB: 8192, accel: { kind: 'gpu' as const, milli: 100 * (1 + rng.int(9)), memoryMiB: 4096 } };
      if (r < 8) return { id: `${prefix}${i}`, cpuMilli: 8000, memoryMiB: 32_768, accel: { kind: 'gpu' as const, count: 1 + rng.int(4) } };
      return { id: `${prefix}${i}`, cpuMilli: 4000, memoryMiB: 16_384, arch: ['aarch64' as const] };
    };
    const times: number[] = [];
    for (let i = 0; i < TASKS; i++) {
      const t = make('p', i);
      const t0 = performance.now();
      e.place(t);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    e.submit(Array.from({ length: TASKS }, (_, i) => make('s', i)));
    const c0 = process.cpuUsage();
    const r = e.schedule();
    const u = process.cpuUsage(c0);
    const batchMs = (u.user + u.system) / 1000;
    console.log(JSON.stringify({
      bench: 'engine', backend, mode: index ? 'indexed' : 'scan', nodes,
      place: { decisions: TASKS, medianUs: us(pct(times, 0.5)), p99Us: us(pct(times, 0.99)) },
      schedule: { decisions: TASKS, bound: r.bindings.length, usPerDecision: +((batchMs * 1000) / TASKS).toFixed(1), decisionsPerSec: Math.round(TASKS / (batchMs / 1000)) },
    }));
  }
}

function siteBench(nodes: number): void {
  // 100 nodes per site; each task names one site, so its node mask has 100 bits set
  for (const backend of ['wasm', 'ts'] as const) {
    const e = createEngine({ backend, policy: 'binpack', seed: 1 });
    for (let i = 0; i < nodes; i++) e.addNode({ id: `n${i}`, site: `s${Math.floor(i / 100)}`, cpuMilli: 64_000, memoryMiB: 262_144 });
    const sites = Math.ceil(nodes / 100);
    const list = Array.from({ length: TASKS }, (_, i) => ({ id: `c${i}`, cpuMilli: 1000, memoryMiB: 1024, site: [`s${i % sites}`] }));
    e.submit(list.slice(0, Math.min(sites, 256)).map((t) => ({ ...t, id: `w${t.id}` })));
    e.schedule();
    e.submit(list);
    const c0 = process.cpuUsage();
    const r = e.schedule();
    const u = process.cpuUsage(c0);
    const ms = (u.user + u.system) / 1000;
    console.log(JSON.stringify({ bench: 'site-constrained', backend, nodes, sites, schedule: { decisions: TASKS, bound: r.bindings.length, usPerDecision: +((ms * 1000) / TASKS).toFixed(1) } }));
  }
}

/** The request class of a generated task (src/sim/generate/workload.ts mixes these). */
function requestClass(t: TaskInput): string {
  const a = t.accel;
  if (!a) return t.arch ? 'cpu, arch-constrained' : 'cpu';
  if (a.profile) return `${a.kind} partition`;
  if (a.milli !== 1000) return `${a.kind} fractional`;
  return `${a.kind} whole${(a.count ?? 1) > 1 ? ' ×n' : ''}${a.models ? ', one model' : ''}`;
}

function hetBench(nodes: number): void {
  // the generated heterogeneous cluster (CPU-only, GPU, NPU, FPGA, ASIC nodes, MIG, 13 sites) and
  // 3,000 generated tasks placed through engine.place() and never released (the cluster fills),
  // index on and off; wall time per call, engine included
  const cluster = clusterOf(nodes);
  const tasks = tasksFor(cluster, 3000, 7, 'h');
  for (const index of [true, false]) {
    const e = engineWith(cluster, { policy: 'binpack', seed: 1, backend: 'wasm', index });
    const by = new Map<string, { n: number; us: number }>();
    const all: number[] = [];
    tasks.forEach((t, i) => {
      const t0 = performance.now();
      e.place({ ...t, id: `${t.id}-${i}` });
      const us = (performance.now() - t0) * 1000;
      all.push(us);
      const k = requestClass(t);
      const a = by.get(k) ?? { n: 0, us: 0 };
      a.n++;
      a.us += us;
      by.set(k, a);
    });
    all.sort((a, b) => a - b);
    const perClass = Object.fromEntries([...by].sort().map(([k, a]) => [k, { tasks: a.n, meanUs: +(a.us / a.n).toFixed(1) }]));
    console.log(JSON.stringify({ bench: 'generated', nodes, index, decisions: all.length, medianUs: +pct(all, 0.5).toFixed(1), p99Us: +pct(all, 0.99).toFixed(1), meanUs: +(all.reduce((x, y) => x + y, 0) / all.length).toFixed(1), perClass }));
  }
}

function hetKernelBench(nodes: number): void {
  // Kernel calls only: the engine's PlacementState is private, so its place() is wrapped here (a
  // bench-only cast); the wrapper times each call, validation and encoding excluded.
  const cluster = clusterOf(nodes);
  const tasks = tasksFor(cluster, 3000, 7, 'h');
  const checksums = new Set<number>();
  const slot = new Map(cluster.nodes.map((n, i) => [n.id, i]));
  for (const index of [false, true]) {
    const e = engineWith(cluster, { policy: 'binpack', seed: 1, backend: 'wasm', index });
    const st = (e as unknown as { st: PlacementState }).st;
    const place = st.place.bind(st);
    const times: number[] = [];
    st.place = (i, commit, score) => {
      const t0 = performance.now();
      const r = place(i, commit, score);
      times.push((performance.now() - t0) * 1000);
      return r;
    };
    let sum = 0;
    tasks.forEach((t, i) => {
      const out = e.place({ ...t, id: `${t.id}-${i}` });
      sum = (Math.imul(sum, 31) + ('nodeId' in out ? (slot.get(out.nodeId) ?? -2) + 1 : 0)) | 0;
    });
    checksums.add(sum);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(JSON.stringify({
      bench: 'generated-kernel', nodes, mode: index ? 'indexed' : 'scan', calls: times.length,
      medianUs: +pct(sorted, 0.5).toFixed(2), p99Us: +pct(sorted, 0.99).toFixed(2), meanUs: +(times.reduce((x, y) => x + y, 0) / times.length).toFixed(2),
    }));
  }
  console.log(JSON.stringify({ bench: 'generated-kernel', nodes, sameDecisions: checksums.size === 1 }));
}

for (const nodes of SIZES) {
  kernelBench(nodes);
  if (nodes <= 10_000) {
    engineBench(nodes);
    siteBench(nodes);
    hetBench(nodes);
    hetKernelBench(nodes);
  }
}

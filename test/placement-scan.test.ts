/**
 * The exact full scan (scanExact in assembly/placement.ts: memo runs, four-lane scores, summed
 * device-milli pre-filter, four-device fit checks) against the free-capacity index, the
 * TypeScript twin and the definition, on pools built to reach every path of the scan: long runs
 * of identical nodes with odd loaded, full, drained or unhealthy nodes among them (memo A and B,
 * run switches), pool sizes that are not multiples of 8 (partial last steps), node masks with
 * whole zero words, partitions, whole devices, exclusive devices, unhealthy and held devices,
 * oversubscribed time slices, vendor / model / precision constraints, and ties broken by the
 * tie hash. Plus hand-computed cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlacementLayout as L, PlacementState } from '../src/core/placement.js';
import { byDefinition } from './helpers/placement.js';
import { tieHash } from '../src/reference/placement.js';

const OK = L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE;

// ── random pools ────────────────────────────────────────────────────────────────────────────
const profArb = fc.record({ name: fc.integer({ min: 0, max: 2 }), milli: fc.constantFrom(250, 500), mem: fc.constantFrom(1024, 4096), max: fc.integer({ min: 1, max: 3 }) });
const devArb = fc.record({
  kind: fc.constantFrom(0, 0, 0, 1), vendor: fc.integer({ min: 0, max: 2 }), model: fc.integer({ min: 0, max: 3 }), prec: fc.constantFrom(1, 3, 7, 15),
  mode: fc.constantFrom(L.MODE_EXCLUSIVE, L.MODE_TIME_SLICE, L.MODE_TIME_SLICE, L.MODE_TIME_SLICE, L.MODE_PARTITION),
  milliCap: fc.constantFrom(1000, 1000, 1500, 2000), memCap: fc.constantFrom(8192, 16384), slicesMax: fc.integer({ min: 1, max: 4 }),
  profiles: fc.array(profArb, { minLength: 1, maxLength: 2 }),
});
/** A node shape: capacities and devices (0 capacities included: a dimension without capacity is not scored). */
const shapeArb = fc.record({
  cpuCap: fc.constantFrom(0, 8000, 16000, 16000, 64000), memCap: fc.constantFrom(0, 16384, 65536, 65536),
  devices: fc.array(devArb, { maxLength: 6 }),
});
/**
 * A run of nodes of one shape. Most are empty and healthy (the memo's runs); `odd` of them, at
 * positions drawn from `at`, are loaded, full, drained, unhealthy or hold busy devices.
 */
const oddArb = fc.record({
  at: fc.nat(), flags: fc.constantFrom(OK, OK, OK, OK & ~L.NF_HEALTHY, OK & ~L.NF_SCHEDULABLE, 0),
  cpuPct: fc.constantFrom(0, 25, 50, 90, 100), memPct: fc.constantFrom(0, 50, 75, 100),
  // per device: milli free %, memory free %, slices used, flags (healthy / held / unhealthy)
  devs: fc.array(fc.record({ milliPct: fc.constantFrom(0, 20, 50, 100, 100), memPct: fc.constantFrom(0, 50, 100, 100), used: fc.integer({ min: 0, max: 4 }), flags: fc.constantFrom(1, 1, 1, 1, 0, 3), profUsed: fc.integer({ min: 0, max: 3 }) }), { maxLength: 6 }),
});
const runArb = fc.record({ shape: fc.nat(), length: fc.integer({ min: 1, max: 60 }), odd: fc.array(oddArb, { maxLength: 6 }) });
const taskArb = fc.record({
  cpu: fc.constantFrom(0, 1000, 2000, 4000), mem: fc.constantFrom(0, 1024, 4096, 9000), kind: fc.constantFrom(-1, -1, 0, 0, 0, 0, 1),
  shape: fc.constantFrom('share', 'share', 'whole', 'whole', 'exclusive', 'profile'), count: fc.integer({ min: 1, max: 4 }),
  milli: fc.constantFrom(100, 300, 500, 900), dmem: fc.constantFrom(0, 0, 1024, 8192), prec: fc.constantFrom(0, 0, 0, 1, 2, 8), profile: fc.integer({ min: 0, max: 2 }),
  vendors: fc.option(fc.subarray([0, 1, 2], { minLength: 1 }), { nil: null, freq: 3 }), models: fc.option(fc.subarray([0, 1, 2, 3], { minLength: 1 }), { nil: null, freq: 3 }),
  mask: fc.constantFrom('none', 'none', 'half', 'sparse', 'blocks'), maskSeed: fc.nat(),
});
const opArb = fc.oneof(
  { weight: 10, arbitrary: fc.record({ op: fc.constant('place' as const), task: taskArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), node: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('seed' as const), seed: fc.nat() }) },
  // the high-water mark moves down (nodes above it are ignored though present) and back up
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hwm' as const), delta: fc.integer({ min: -12, max: 12 }) }) },
);
const poolArb = fc.record({
  shapes: fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
  runs: fc.array(runArb, { minLength: 1, maxLength: 8 }),
  policy: fc.constantFrom(L.POLICY_BINPACK, L.POLICY_BINPACK, L.POLICY_SPREAD),
  seed: fc.nat(),
  ops: fc.array(opArb, { minLength: 1, maxLength: 25 }),
});
/**
 * Pools without runs: every node loaded on its own (its columns differ from its neighbours'), so
 * that the memo settles nothing and the scan scores stretches directly (scanDense, with its
 * division-free bound).
 */
const patchyArb = fc.record({
  shapes: fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
  runs: fc.array(fc.record({ shape: fc.nat(), length: fc.constant(1), odd: fc.tuple(oddArb.map((o) => ({ ...o, at: 0 }))) }), { minLength: 120, maxLength: 400 }),
  policy: fc.constantFrom(L.POLICY_BINPACK, L.POLICY_BINPACK, L.POLICY_SPREAD),
  seed: fc.nat(),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});
type Pool = typeof poolArb extends fc.Arbitrary<infer T> ? T : never;
type Task = typeof taskArb extends fc.Arbitrary<infer T> ? T : never;

/** Lay the pool out: node columns, device columns (summed milli kept equal to the devices' sum), profiles. */
function load(st: PlacementState, p: Pool): number {
  const nodes = p.runs.flatMap((r) => {
    const shape = p.shapes[r.shape % p.shapes.length];
    const list = Array.from({ length: r.length }, () => ({ shape, odd: null as Pool['runs'][number]['odd'][number] | null }));
    for (const o of r.odd) list[o.at % r.length].odd = o;
    return list;
  });
  const devTotal = nodes.reduce((n, x) => n + x.shape.devices.length, 0);
  const profTotal = nodes.reduce((n, x) => n + x.shape.devices.reduce((m, d) => m + d.profiles.length, 0), 0);
  st.reserveNodes(nodes.length);
  st.reserveDevices(devTotal);
  st.reserveProfiles(profTotal);
  st.reserveTasks(1);
  st.setPolicy(p.policy, p.seed);
  st.nodeHighWater = nodes.length;
  let d = 0;
  let pr = 0;
  nodes.forEach(({ shape, odd }, i) => {
    const pct = (cap: number, q: number | undefined) => Math.floor((cap * (q ?? 100)) / 100);
    st.set(L.H_N_CPU_CAP, i, shape.cpuCap);
    st.set(L.H_N_CPU_FREE, i, pct(shape.cpuCap, odd?.cpuPct));
    st.set(L.H_N_MEM_CAP, i, shape.memCap);
    st.set(L.H_N_MEM_FREE, i, pct(shape.memCap, odd?.memPct));
    st.set(L.H_N_FLAGS, i, odd ? odd.flags : OK);
    st.set(L.H_N_DEV_FIRST, i, d);
    st.set(L.H_N_DEV_COUNT, i, shape.devices.length);
    let cap = 0;
    let free = 0;
    shape.devices.forEach((x, j) => {
      const o = odd?.devs[j];
      const milliFree = pct(x.milliCap, o?.milliPct);
      cap += x.milliCap;
      free += milliFree;
      const used = Math.min(o?.used ?? 0, x.slicesMax);
      const vals: [number, number][] = [[L.H_D_KIND, x.kind], [L.H_D_VENDOR, x.vendor], [L.H_D_MODEL, x.model], [L.H_D_PREC, x.prec], [L.H_D_MODE, x.mode],
        [L.H_D_MILLI_FREE, milliFree], [L.H_D_MILLI_CAP, x.milliCap], [L.H_D_MEM_FREE, pct(x.memCap, o?.memPct)], [L.H_D_MEM_CAP, x.memCap],
        [L.H_D_SLICES_USED, used], [L.H_D_SLICES_MAX, x.slicesMax], [L.H_D_FLAGS, o?.flags ?? L.DF_HEALTHY], [L.H_D_PROF_FIRST, pr],
        [L.H_D_PROF_COUNT, x.mode === L.MODE_PARTITION ? x.profiles.length : 0], [L.H_D_NODE, i]];
      for (const [c, v] of vals) st.set(c, d, v);
      for (const q of x.profiles) {
        const vs: [number, number][] = [[L.H_P_NAME, q.name], [L.H_P_MILLI, q.milli], [L.H_P_MEM, q.mem], [L.H_P_MAX, q.max], [L.H_P_USED, Math.min(o?.profUsed ?? 0, q.max)]];
        for (const [c, v] of vs) st.set(c, pr, v);
        pr++;
      }
      d++;
    });
    st.set(L.H_N_DMILLI_CAP, i, cap);
    st.set(L.H_N_DMILLI_FREE, i, free);
  });
  return nodes.length;
}

/** Write task record 0 (node masks: half the nodes, 1/16 of them, or 32-node blocks so that whole mask words are zero). */
function writeTask(st: PlacementState, t: Task): void {
  let mask = 0;
  if (t.mask !== 'none') {
    const keep = (n: number): boolean => {
      if (t.mask === 'half') return (tieHash(t.maskSeed, n) & 1) === 1;
      if (t.mask === 'sparse') return tieHash(t.maskSeed, n) < 0x10000000;
      return (tieHash(t.maskSeed, n >> 5) & 3) === 0; // 32-node blocks, a quarter of them allowed
    };
    st.writeMask(0, keep);
    mask = st.maskPtr(0);
  }
  let vendors = 0;
  let models = 0;
  if (t.vendors) {
    st.writeSet(0, t.vendors);
    vendors = st.setPtr(0);
  }
  if (t.models) {
    st.writeSet(1, t.models);
    models = st.setPtr(1);
  }
  const profile = t.shape === 'profile' ? t.profile : -1;
  const whole = t.shape === 'whole' || t.shape === 'exclusive' ? L.TF_WHOLE : 0;
  const milli = t.shape === 'whole' ? 1000 : t.milli;
  st.writeTask(0, [t.cpu, t.mem, t.kind, t.shape === 'exclusive' ? 1 : t.count, milli, t.dmem, t.prec, whole, profile, vendors, models, mask]);
}

/** The whole result record of task 0 (status, node, devices, profile, and the reasons when unschedulable). */
const record = (st: PlacementState): number[] => Array.from({ length: L.RES_STRIDE }, (_, f) => st.result(0, f));


/** Give node n's resources back (what a release does): every column of the node and its devices to free. */
function release(states: PlacementState[], n: number): void {
  for (const st of states) {
    st.set(L.H_N_CPU_FREE, n, st.get(L.H_N_CPU_CAP, n));
    st.set(L.H_N_MEM_FREE, n, st.get(L.H_N_MEM_CAP, n));
    st.set(L.H_N_DMILLI_FREE, n, st.get(L.H_N_DMILLI_CAP, n));
    const first = st.get(L.H_N_DEV_FIRST, n);
    for (let d = first; d < first + st.get(L.H_N_DEV_COUNT, n); d++) {
      st.set(L.H_D_MILLI_FREE, d, st.get(L.H_D_MILLI_CAP, d));
      st.set(L.H_D_MEM_FREE, d, st.get(L.H_D_MEM_CAP, d));
      st.set(L.H_D_SLICES_USED, d, 0);
      st.set(L.H_D_FLAGS, d, st.get(L.H_D_FLAGS, d) & ~L.DF_HELD);
      const p0 = st.get(L.H_D_PROF_FIRST, d);
      for (let p = p0; p < p0 + st.get(L.H_D_PROF_COUNT, d); p++) st.set(L.H_P_USED, p, 0);
    }
  }
}

/** A uniform pool of `nodes` nodes (64 CPU, 256 GiB, 8 time-sliced GPUs), as bench/placement-quick.ts lays it out. */
function uniform(backend: 'wasm' | 'ts', nodes: number, index: boolean): PlacementState {
  const st = new PlacementState(backend, { nodes, devices: nodes * 8, profiles: 1, tasks: 1 });
  st.setPolicy(L.POLICY_BINPACK, 7);
  st.setIndexing(index);
  st.nodeHighWater = nodes;
  for (let n = 0; n < nodes; n++) {
    const cols: [number, number][] = [[L.H_N_CPU_CAP, 64_000], [L.H_N_CPU_FREE, 64_000], [L.H_N_MEM_CAP, 262_144], [L.H_N_MEM_FREE, 262_144], [L.H_N_FLAGS, OK],
      [L.H_N_DEV_FIRST, n * 8], [L.H_N_DEV_COUNT, 8], [L.H_N_DMILLI_CAP, 8000], [L.H_N_DMILLI_FREE, 8000]];
    for (const [c, v] of cols) st.set(c, n, v);
    for (let g = 0; g < 8; g++) {
      const dv: [number, number][] = [[L.H_D_KIND, 0], [L.H_D_MODE, L.MODE_TIME_SLICE], [L.H_D_MILLI_CAP, 1000], [L.H_D_MILLI_FREE, 1000], [L.H_D_MEM_CAP, 81_920],
        [L.H_D_MEM_FREE, 81_920], [L.H_D_SLICES_MAX, 8], [L.H_D_FLAGS, L.DF_HEALTHY], [L.H_D_NODE, n], [L.H_D_PREC, 1]];
      for (const [c, v] of dv) st.set(c, n * 8 + g, v);
    }
  }
  st.writeMask(0, (n) => (tieHash(99, n) & 1) === 1);
  return st;
}

/** A small pool of identical nodes: cpu / memory capacities, and `devices` time-sliced GPUs (cap 1000) per node. */
function smallPool(backend: 'wasm' | 'ts', nodes: number, cpuCap: number, memCap: number, devices: number, policy: number, seed: number): PlacementState {
  const st = new PlacementState(backend, { nodes, devices: Math.max(1, nodes * devices), profiles: 1, tasks: 1 });
  st.setPolicy(policy, seed);
  st.setIndexing(false);
  st.nodeHighWater = nodes;
  for (let n = 0; n < nodes; n++) {
    const cols: [number, number][] = [[L.H_N_CPU_CAP, cpuCap], [L.H_N_CPU_FREE, cpuCap], [L.H_N_MEM_CAP, memCap], [L.H_N_MEM_FREE, memCap], [L.H_N_FLAGS, OK],
      [L.H_N_DEV_FIRST, n * devices], [L.H_N_DEV_COUNT, devices], [L.H_N_DMILLI_CAP, 1000 * devices], [L.H_N_DMILLI_FREE, 1000 * devices]];
    for (const [c, v] of cols) st.set(c, n, v);
    for (let g = 0; g < devices; g++) {
      const dv: [number, number][] = [[L.H_D_KIND, 0], [L.H_D_MODE, L.MODE_TIME_SLICE], [L.H_D_MILLI_CAP, 1000], [L.H_D_MILLI_FREE, 1000], [L.H_D_MEM_CAP, 16384],
        [L.H_D_MEM_FREE, 16384], [L.H_D_SLICES_MAX, 4], [L.H_D_FLAGS, L.DF_HEALTHY], [L.H_D_NODE, n], [L.H_D_PREC, 1]];
      for (const [c, v] of dv) st.set(c, n * devices + g, v);
    }
  }
  return st;
}

/** Run a history on the kernel scan, the kernel index and the twin scan; check each decision against the definition. */
function agree(p: Pool): void {
  const scan = new PlacementState('wasm');
  const indexed = new PlacementState('wasm');
  const twin = new PlacementState('ts');
  scan.setIndexing(false);
  twin.setIndexing(false);
  const states = [scan, indexed, twin];
  let nodes = 0;
  for (const st of states) nodes = load(st, p);
  let seed = p.seed;
  for (const op of p.ops) {
    if (op.op === 'release') {
      release(states, op.node % nodes);
      continue;
    }
    if (op.op === 'hwm') {
      for (const st of states) st.nodeHighWater = Math.max(1, Math.min(nodes, st.nodeHighWater + op.delta));
      continue;
    }
    if (op.op === 'seed') {
      seed = op.seed;
      for (const st of states) st.setPolicy(p.policy, seed);
      continue;
    }
    for (const st of states) writeTask(st, op.task);
    const expected = byDefinition(twin, seed);
    for (const st of states) st.place(0, true);
    expect(scan.result(0, L.R_NODE)).toBe(expected);
    expect(record(scan)).toEqual(record(twin));
    expect(record(indexed)).toEqual(record(twin));
  }
  for (const c of [L.H_N_CPU_FREE, L.H_N_MEM_FREE, L.H_N_DMILLI_FREE]) {
    for (let n = 0; n < nodes; n++) expect([scan.get(c, n), indexed.get(c, n)]).toEqual([twin.get(c, n), twin.get(c, n)]);
  }
}

describe('exact full scan', () => {
  it('scan (kernel), index (kernel), scan (twin) and the definition agree on runs of identical nodes with odd ones among them (400 cases)', () => {
    // Invariant: for every decision of a random history (commits, releases, seed changes), the
    // kernel's scan binds the node the definition picks (highest score, then smallest tie hash),
    // with the same result record (devices, profile; reasons when unschedulable) as the twin's
    // scan and the kernel's index search; the columns stay equal on all three.
    fc.assert(
      fc.property(poolArb, agree),
      { numRuns: 400 },
    );
  });

  it('the same on pools without runs, where the scan scores stretches directly with a division-free bound (100 cases)', () => {
    // Invariant: as above, on 120..400 nodes whose columns all differ from their neighbours'.
    fc.assert(fc.property(patchyArb, agree), { numRuns: 100 });
  });

  it('a uniform 3,000-node pool filled by a mixed stream: kernel scan, kernel index and twin scan bind the same nodes and devices', () => {
    // Invariant: on the benchmark's pool shape (long runs of empty nodes, loaded ones scattered by
    // the tie hash, a half-pool node mask for CPU tasks), every one of 1,500 committed decisions is
    // the same on the three paths.
    const states = [uniform('wasm', 3000, false), uniform('wasm', 3000, true), uniform('ts', 3000, false)];
    let x = 12345;
    const next = (k: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % k;
    };
    for (let i = 0; i < 1500; i++) {
      const r = next(10);
      const rec = r < 6 ? [2000, 8192, 0, 1, 100 * (1 + next(9)), 4096, 0, 0, -1, 0, 0, 0]
        : r < 8 ? [8000, 32_768, 0, 1 + next(4), 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0]
        : [4000, 16_384, -1, 0, 0, 0, 0, 0, -1, 0, 0, states[0].maskPtr(0)];
      const got = states.map((st) => {
        st.writeTask(0, rec[11] ? [...rec.slice(0, 11), st.maskPtr(0)] : rec);
        st.place(0, true);
        return record(st);
      });
      expect(got[0]).toEqual(got[2]);
      expect(got[1]).toEqual(got[2]);
    }
  });

  it('binpack takes the one loaded node among empty ones, past the first step (hand-computed scores)', () => {
    // 11 nodes of 8 CPU (8000 milli) and 16 GiB (16384 MiB), no devices; node 9 has 4000 CPU and
    // 8192 MiB free. Task: 1000 CPU, 1024 MiB.
    //   empty node:  cpu ⌊(8000−8000+1000)·100/8000⌋ = ⌊12.5⌋ = 12, memory ⌊(16384−16384+1024)·100/16384⌋ = ⌊6.25⌋ = 6 → ⌊18/2⌋ = 9
    //   node 9:      cpu ⌊(8000−4000+1000)·100/8000⌋ = ⌊62.5⌋ = 62, memory ⌊(16384−8192+1024)·100/16384⌋ = ⌊56.25⌋ = 56 → ⌊118/2⌋ = 59
    for (const backend of ['wasm', 'ts'] as const) {
      const st = smallPool(backend, 11, 8000, 16384, 0, L.POLICY_BINPACK, 3);
      st.set(L.H_N_CPU_FREE, 9, 4000);
      st.set(L.H_N_MEM_FREE, 9, 8192);
      st.writeTask(0, [1000, 1024, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
      expect(st.nodeScore(0, 0)).toBe(9);
      expect(st.nodeScore(0, 9)).toBe(59);
      expect(st.place(0, false)).toBe(L.ST_BOUND);
      expect(st.result(0, L.R_NODE)).toBe(9);
    }
  });

  it('spread takes the empty node with the smallest tie hash, and a node-mask excludes it (hand-computed scores)', () => {
    // Same pool, spread: empty node ⌊(8000−1000)·100/8000⌋ = ⌊87.5⌋ = 87 and ⌊(16384−1024)·100/16384⌋ = ⌊93.75⌋ = 93 → ⌊180/2⌋ = 90;
    // node 9: ⌊(4000−1000)·100/8000⌋ = ⌊37.5⌋ = 37 and ⌊(8192−1024)·100/16384⌋ = ⌊43.75⌋ = 43 → 40. All ten empty nodes
    // tie at 90: the one with the smallest tieHash(seed, slot) wins; masked out, the next smallest.
    const seed = 3;
    const empties = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10].sort((a, b) => tieHash(seed, a) - tieHash(seed, b));
    for (const backend of ['wasm', 'ts'] as const) {
      const st = smallPool(backend, 11, 8000, 16384, 0, L.POLICY_SPREAD, seed);
      st.set(L.H_N_CPU_FREE, 9, 4000);
      st.set(L.H_N_MEM_FREE, 9, 8192);
      st.writeTask(0, [1000, 1024, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
      expect(st.nodeScore(0, 0)).toBe(90);
      expect(st.nodeScore(0, 9)).toBe(40);
      st.place(0, false);
      expect(st.result(0, L.R_NODE)).toBe(empties[0]);
      st.writeMask(0, (n) => n !== empties[0]);
      st.writeTask(0, [1000, 1024, -1, 0, 0, 0, 0, 0, -1, 0, 0, st.maskPtr(0)]);
      st.place(0, false);
      expect(st.result(0, L.R_NODE)).toBe(empties[1]);
    }
  });

  it('three dimensions summing to 3k+2 round down: a 299 sum scores 99 and loses to a 300 sum (hand-computed)', () => {
    // Two nodes, binpack, 4 CPU (4000), 4 GiB (4096), one time-sliced GPU (1000 milli); task 0 CPU, 0 MiB, GPU share of 100 milli.
    //   node X: cpu free 0 → ⌊4000·100/4000⌋ = 100; memory free 0 → 100; GPU free 110 → ⌊(1000−110+100)·100/1000⌋ = 99
    //           sum 299 → ⌊299/3⌋ = 99
    //   node W: cpu and memory free 0 → 100 and 100; GPU free 100 → ⌊(1000−100+100)·100/1000⌋ = 100; sum 300 → 100
    // W wins on score. X is put on the slot with the smaller tie hash, so that were 299/3 rounded
    // up to 100, X would win the tie.
    const seed = 11;
    const [x, w] = [0, 1].sort((a, b) => tieHash(seed, a) - tieHash(seed, b));
    for (const backend of ['wasm', 'ts'] as const) {
      const st = smallPool(backend, 2, 4000, 4096, 1, L.POLICY_BINPACK, seed);
      for (const n of [0, 1]) {
        st.set(L.H_N_CPU_FREE, n, 0);
        st.set(L.H_N_MEM_FREE, n, 0);
        st.set(L.H_D_MILLI_FREE, n, n === x ? 110 : 100);
        st.set(L.H_N_DMILLI_FREE, n, n === x ? 110 : 100);
      }
      st.writeTask(0, [0, 0, 0, 1, 100, 0, 0, 0, -1, 0, 0, 0]);
      expect([st.nodeScore(0, x), st.nodeScore(0, w)]).toEqual([99, 100]);
      st.place(0, false);
      expect(st.result(0, L.R_NODE)).toBe(w);
    }
  });

  it('without runs, a score that equals the best exactly is still scored and its tie hash compared (hand-computed)', () => {
    // 128 CPU-only nodes (no devices), each with its own memory capacity 16384 + n MiB, all memory
    // free, so that no two neighbours share columns (the scan scores them in stretches with its
    // division-free bound). Task: 0 CPU, 0 MiB, binpack. Memory scores ⌊(c − c + 0)·100/c⌋ = 0.
    //   nodes 0..119:   CPU free 8000 − 40·n → cpu ⌊40·n·100/8000⌋ = ⌊n/2⌋ ≤ 59 → score ⌊(⌊n/2⌋ + 0)/2⌋ ≤ 29
    //   nodes 120..127: CPU free 3040 → cpu (8000 − 3040)·100/8000 = 62 exactly → score (62 + 0)/2 = 31 exactly
    // The eight tie at 31, bound and score equal with no margin to spare: the smallest tie hash
    // among them wins (the seed is chosen so that it lies in the second step of four, 124..127,
    // reached when the best so far already scores 31).
    let seed = 0;
    const top = [120, 121, 122, 123, 124, 125, 126, 127];
    const winner = (sd: number): number => top.reduce((a, b) => (tieHash(sd, b) < tieHash(sd, a) ? b : a));
    while (winner(seed) < 124) seed++;
    for (const backend of ['wasm', 'ts'] as const) {
      const st = smallPool(backend, 128, 8000, 16384, 0, L.POLICY_BINPACK, seed);
      for (let n = 0; n < 128; n++) {
        st.set(L.H_N_MEM_CAP, n, 16384 + n);
        st.set(L.H_N_MEM_FREE, n, 16384 + n);
        st.set(L.H_N_CPU_FREE, n, n < 120 ? 8000 - 40 * n : 3040);
      }
      st.writeTask(0, [0, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
      expect([st.nodeScore(0, 119), st.nodeScore(0, 120)]).toEqual([29, 31]);
      st.place(0, false);
      expect(st.result(0, L.R_NODE)).toBe(winner(seed));
    }
  });

  it('the summed device-milli pre-filter keeps nodes that fit exactly and drops only those that cannot (hand-computed)', () => {
    // Three nodes with two time-sliced GPUs each (cap 1000), binpack, task CPU 0, memory 0:
    //   node 0: GPUs free 0 and 400 (sum 400);  node 1: 0 and 1000 (sum 1000);  node 2: 1000 and 1000 (sum 2000).
    // A 400-milli share fits node 0 (on its second GPU; the sum is exactly 400) and scores there
    //   ⌊(2000−400+400)·100/2000⌋ = 100 against node 1's ⌊(2000−1000+400)·100/2000⌋ = 70: node 0.
    // A 500-milli share cannot fit node 0 (sum 400 < 500):
    //   node 1 ⌊(2000−1000+500)·100/2000⌋ = 75 beats node 2's ⌊500·100/2000⌋ = 25: node 1.
    // One whole GPU: node 1 has one fully free (sum 1000 ≥ 1000·1), node 0 none: node 1 (score
    //   ⌊(2000−1000+1000)·100/2000⌋ = 100). Two whole GPUs: only node 2 (sum 2000 ≥ 2000).
    for (const backend of ['wasm', 'ts'] as const) {
      const st = smallPool(backend, 3, 0, 0, 2, L.POLICY_BINPACK, 5);
      const free = [[0, 400], [0, 1000], [1000, 1000]];
      free.forEach((f, n) => {
        f.forEach((m, g) => st.set(L.H_D_MILLI_FREE, n * 2 + g, m));
        st.set(L.H_N_DMILLI_FREE, n, f[0] + f[1]);
      });
      const expectNode = (rec: number[], node: number): void => {
        st.writeTask(0, rec);
        st.place(0, false);
        expect(st.result(0, L.R_NODE)).toBe(node);
      };
      expectNode([0, 0, 0, 1, 400, 0, 0, 0, -1, 0, 0, 0], 0);
      expect(st.result(0, L.R_DEVS)).toBe(1);
      expectNode([0, 0, 0, 1, 500, 0, 0, 0, -1, 0, 0, 0], 1);
      expectNode([0, 0, 0, 1, 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0], 1);
      expectNode([0, 0, 0, 2, 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0], 2);
      // three whole GPUs fit nowhere: unschedulable, every node counted under "device count" or a device stage
      st.writeTask(0, [0, 0, 0, 3, 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0]);
      expect(st.place(0, false)).toBe(L.ST_UNSCHEDULABLE);
      expect(st.result(0, L.R_TOTAL)).toBe(3);
    }
  });
});

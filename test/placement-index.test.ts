/**
 * The free-capacity index (assembly/placement.ts, "free-capacity index"): exact decisions found
 * by searching it must be the decisions of a scan of every node — same node, same devices, same
 * seeded tie-break — on both backends, after any history of commits and outside column changes
 * (hot-plug, releases, health, drains, seed changes). Its records must equal a recomputation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlacementLayout as L, PlacementState } from '../src/core/placement.js';
import { byDefinition } from './helpers/placement.js';
import { tieHash } from '../src/reference/placement.js';
import { createEngine } from '../src/engine/index.js';
import { applyOp, scenarioArb, withIds } from './placement-arbitraries.js';

const NODE_COLS = [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_FLAGS, L.H_N_DEV_FIRST, L.H_N_DEV_COUNT, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP];
const DEV_COLS = [L.H_D_KIND, L.H_D_VENDOR, L.H_D_MODEL, L.H_D_PREC, L.H_D_MODE, L.H_D_MILLI_FREE, L.H_D_MILLI_CAP, L.H_D_MEM_FREE, L.H_D_MEM_CAP, L.H_D_SLICES_USED, L.H_D_SLICES_MAX, L.H_D_FLAGS, L.H_D_PROF_FIRST, L.H_D_PROF_COUNT, L.H_D_NODE];
const PROF_COLS = [L.H_P_NAME, L.H_P_MILLI, L.H_P_MEM, L.H_P_MAX, L.H_P_USED];
const OK = L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE;

// Few node shapes and load levels, so that many nodes tie (the hard case for an exact index).
const devArb = fc.record({
  kind: fc.constantFrom(0, 0, 0, 1, 2, 3), model: fc.constantFrom(0, 1, 2, 8, 9, 11), mode: fc.constantFrom(0, 1, 1, 1, 2), milliCap: fc.constantFrom(1000, 1000, 1500), memCap: fc.constantFrom(2048, 8192),
  flags: fc.constantFrom(1, 1, 1, 1, 0, 3), slicesMax: fc.integer({ min: 1, max: 4 }), slicesUsed: fc.constantFrom(0, 0, 0, 1, 4),
  milliPct: fc.constantFrom(100, 100, 100, 50, 0), memPct: fc.constantFrom(100, 100, 50, 0), prof: fc.boolean(),
});
const shapeArb = fc.record({ cpuCap: fc.constantFrom(0, 4000, 8000, 8000, 16000, 16000), memCap: fc.constantFrom(0, 8192, 16384, 16384, 16384), devices: fc.array(devArb, { maxLength: 4 }) });
// group: the node group the engine would give (architecture × form × site); 200 tests a high word
const groupArb = fc.constantFrom(0, 0, 1, 2, 3, 200);
const nodeArb = (shapes: number) => fc.record({ shape: fc.nat(shapes - 1), group: groupArb, flags: fc.constantFrom(OK, OK, OK, OK, OK, 6, 5, 3), cpuPct: fc.constantFrom(100, 100, 100, 75, 50, 0), memPct: fc.constantFrom(100, 100, 100, 50, 0) });
const taskArb = fc.record({
  cpu: fc.constantFrom(0, 500, 1000, 1000, 2000, 4000), mem: fc.constantFrom(0, 0, 1024, 1024, 4096, 9000), kind: fc.constantFrom<number>(-1, -1, 0, 0, 0, 1, 2, 3), count: fc.integer({ min: 1, max: 3 }),
  milli: fc.constantFrom(100, 300, 500, 1000), dmem: fc.constantFrom(0, 0, 1024), whole: fc.boolean(), profile: fc.constantFrom(-1, -1, -1, 0, 1),
  mask: fc.constantFrom('none', 'none', 'dense', 'sparse', 'groups', 'groups'), maskSeed: fc.nat(),
  // model allow-list: none, one model (one class block), models of one class (0 and 8), of two classes, or no model at all
  models: fc.constantFrom(null, null, [0], [1], [9], [11], [0, 8], [1, 2], [] as number[]),
});
const opArb = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('place' as const), task: taskArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('free' as const), node: fc.nat(), pct: fc.constantFrom(0, 50, 100) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('flags' as const), node: fc.nat(), flags: fc.constantFrom(OK, 6, 5, 0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('device' as const), device: fc.nat(), flags: fc.constantFrom(0, 1, 3), pct: fc.constantFrom(0, 100) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hwm' as const), delta: fc.integer({ min: -9, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('seed' as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('group' as const), node: fc.nat(), group: groupArb }) },
);
const caseArb = fc.integer({ min: 1, max: 4 }).chain((shapes) =>
  fc.record({
    shapes: fc.array(shapeArb, { minLength: shapes, maxLength: shapes }),
    nodes: fc.array(nodeArb(shapes), { minLength: 1, maxLength: 140 }),
    ops: fc.array(opArb, { minLength: 1, maxLength: 40 }),
    policy: fc.integer({ min: 0, max: 1 }),
    seed: fc.nat(),
  }),
);
/**
 * Heterogeneous pools without zero capacities (every bound is a real bound, none is "no bound"):
 * up to 8 shapes of mixed kinds and models, most nodes partly loaded, tasks mostly accelerator
 * tasks, some pinned to one model or model class — the kind and model-class blocks decide.
 */
const hetShapeArb = fc.record({ cpuCap: fc.constantFrom(4000, 8000, 16000, 32000), memCap: fc.constantFrom(8192, 16384, 65536), devices: fc.array(devArb, { minLength: 1, maxLength: 4 }) });
const hetNodeArb = (shapes: number) => fc.record({ shape: fc.nat(shapes - 1), group: groupArb, flags: fc.constantFrom(OK, OK, OK, OK, OK, OK, 3), cpuPct: fc.constantFrom(100, 90, 75, 50, 25), memPct: fc.constantFrom(100, 80, 50, 25) });
const hetCaseArb = fc.integer({ min: 1, max: 8 }).chain((shapes) =>
  fc.record({
    shapes: fc.array(hetShapeArb, { minLength: shapes, maxLength: shapes }),
    nodes: fc.array(hetNodeArb(shapes), { minLength: 1, maxLength: 300 }),
    ops: fc.array(fc.oneof({ weight: 12, arbitrary: fc.record({ op: fc.constant('place' as const), task: taskArb.map((t) => ({ ...t, kind: t.kind < 0 ? t.kind : (t.maskSeed % 4) })) }) }, { weight: 1, arbitrary: opArb }), { minLength: 1, maxLength: 60 }),
    policy: fc.constantFrom(0, 0, 1),
    seed: fc.nat(),
  }),
);
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
type Op = Case['ops'][number];

/** Lay the case's cluster out (the node dimension's summed device milli kept equal to its devices' sum). */
function load(st: PlacementState, c: Case): void {
  const devTotal = c.nodes.reduce((n, x) => n + c.shapes[x.shape].devices.length, 0);
  st.reserveNodes(c.nodes.length + 16);
  st.reserveDevices(devTotal);
  st.reserveProfiles(devTotal);
  st.reserveTasks(1);
  st.setPolicy(c.policy, c.seed);
  st.nodeHighWater = c.nodes.length;
  let d = 0;
  c.nodes.forEach((n, i) => {
    const sh = c.shapes[n.shape];
    st.set(L.H_N_CPU_CAP, i, sh.cpuCap);
    st.set(L.H_N_CPU_FREE, i, Math.floor((sh.cpuCap * n.cpuPct) / 100));
    st.set(L.H_N_MEM_CAP, i, sh.memCap);
    st.set(L.H_N_MEM_FREE, i, Math.floor((sh.memCap * n.memPct) / 100));
    st.set(L.H_N_FLAGS, i, n.flags);
    st.setNodeGroup(i, n.group);
    st.set(L.H_N_DEV_FIRST, i, d);
    st.set(L.H_N_DEV_COUNT, i, sh.devices.length);
    let cap = 0;
    let free = 0;
    for (const x of sh.devices) {
      const milliFree = Math.floor((x.milliCap * x.milliPct) / 100);
      cap += x.milliCap;
      free += milliFree;
      const used = Math.min(x.slicesUsed, x.slicesMax);
      const vals = [x.kind, 0, x.model, 1, x.mode, milliFree, x.milliCap, Math.floor((x.memCap * x.memPct) / 100), x.memCap, used, x.slicesMax, x.flags, d, x.prof && x.mode === 2 ? 1 : 0, i];
      DEV_COLS.forEach((col, k) => st.set(col, d, vals[k]));
      [x.kind, 250, 1024, 2, 0].forEach((v, k) => st.set(PROF_COLS[k], d, v));
      d++;
    }
    st.set(L.H_N_DMILLI_CAP, i, cap);
    st.set(L.H_N_DMILLI_FREE, i, free);
  });
}

/**
 * Write task record 0 for `t` (masks drawn from its seed: dense ≈ 3/4 of the nodes, sparse ≈ 1/16,
 * groups = the nodes of the groups g whose bit g mod 31 is set in the seed, as a site or
 * architecture constraint selects whole groups).
 */
function writeTask(st: PlacementState, t: Op & { op: 'place' }): void {
  const task = t.task;
  let mask = 0;
  if (task.mask === 'groups') {
    st.writeMask(0, (n) => ((task.maskSeed >>> (st.nodeGroup(n) % 31)) & 1) === 1);
    mask = st.maskPtr(0);
  } else if (task.mask !== 'none') {
    const keep = task.mask === 'dense' ? 0xc0000000 : 0x10000000;
    st.writeMask(0, (n) => tieHash(task.maskSeed, n) < keep);
    mask = st.maskPtr(0);
  }
  const whole = task.profile < 0 && (task.whole || task.milli === 1000) ? L.TF_WHOLE : 0;
  let models = 0;
  if (task.models) {
    st.writeSet(0, task.models);
    models = st.setPtr(0);
  }
  st.writeTask(0, [task.cpu, task.mem, task.kind, task.count, task.milli, task.dmem, 0, whole, task.profile, 0, models, mask]);
}

/** Apply an outside change (what the engine does on release, hot-plug, health, drain, seed). */
function change(st: PlacementState, op: Op, c: Case): void {
  const hwm = st.nodeHighWater;
  switch (op.op) {
    case 'free': {
      const n = op.node % hwm;
      st.set(L.H_N_CPU_FREE, n, Math.floor((st.get(L.H_N_CPU_CAP, n) * op.pct) / 100));
      st.set(L.H_N_MEM_FREE, n, Math.floor((st.get(L.H_N_MEM_CAP, n) * op.pct) / 100));
      break;
    }
    case 'group':
      st.setNodeGroup(op.node % hwm, op.group);
      break;
    case 'flags':
      st.set(L.H_N_FLAGS, op.node % hwm, op.flags);
      break;
    case 'device': {
      const total = st.cap.devices;
      const d = op.device % total;
      if (st.get(L.H_D_MILLI_CAP, d) === 0) break;
      const n = st.get(L.H_D_NODE, d);
      const before = st.get(L.H_D_MILLI_FREE, d);
      const after = Math.floor((st.get(L.H_D_MILLI_CAP, d) * op.pct) / 100);
      st.set(L.H_D_FLAGS, d, op.flags);
      st.set(L.H_D_MILLI_FREE, d, after);
      st.add(L.H_N_DMILLI_FREE, n, after - before);
      break;
    }
    case 'hwm':
      st.nodeHighWater = Math.max(1, Math.min(c.nodes.length + 16, hwm + op.delta));
      break;
    case 'seed':
      st.setPolicy(c.policy, op.seed);
      break;
    default:
      break;
  }
}

/** The seed of the tie hash in force (tracked by the test as it applies 'seed' operations). */
let currentSeed = 0;

/** The decision by definition at the current seed (test/helpers/placement.ts). */
const bestByDefinition = (st: PlacementState): number => byDefinition(st, currentSeed);

function dumpColumns(st: PlacementState): number[] {
  const out: number[] = [];
  for (const c of NODE_COLS) for (let i = 0; i < st.cap.nodes; i++) out.push(st.get(c, i));
  for (const c of DEV_COLS) for (let i = 0; i < st.cap.devices; i++) out.push(st.get(c, i));
  for (const c of PROF_COLS) for (let i = 0; i < st.cap.profiles; i++) out.push(st.get(c, i));
  return out;
}

/**
 * The summed-ratio fields of leaf l read by definition (layout: IX_SUMC, IX_SUMF, IX_SUMW): per
 * bucket b, the most ⌈used·65536/cap⌉ summed over cpu and memory (SUMC) or cpu, memory and device
 * milli (SUMF, SUMW) of a loaded eligible node with every capacity > 0 whose key is ≥ b; the key is
 * the half-octave bucket 2·bitlen(x) − 2 + (second highest bit of x) (0 → 0, 1 → 1) of its free CPU
 * (SUMC) or of the most milli free on one healthy, unheld time-sliced device with a free slice
 * (SUMF; none → 0), or min(bitlen(fully free devices), 7) (SUMW), or (SUMM, with SUMC's sum) the
 * half-octave bucket of its free memory; half-octave keys clamped to 39. IX_NONE where no node counts.
 */
function sumFields(st: PlacementState, l: number, hwm: number): number[] {
  const ratio = (used: number, cap: number): number => (used <= 0 ? 0 : Math.min(16777216, Math.ceil((used * 65536) / cap)));
  const bitlen = (x: number): number => (x <= 0 ? 0 : x.toString(2).length);
  const key = (x: number): number => (x <= 1 ? Math.max(0, x) : 2 * bitlen(x) - 2 + (x.toString(2)[1] === '1' ? 1 : 0));
  const out = new Array<number>(3 * L.IDX_BUCKETS + L.IDX_WHOLE_BUCKETS).fill(L.IX_NONE);
  const put = (at: number, upTo: number, v: number): void => {
    for (let b = 0; b <= upTo; b++) out[at + b] = Math.max(out[at + b], v);
  };
  for (const n of st.indexLeafSlots(l)) {
    if (n >= hwm) continue;
    if ((st.get(L.H_N_FLAGS, n) & OK) !== OK) continue;
    const [cf, cc, mf, mc, df, dc] = [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP].map((c) => st.get(c, n));
    const devs = st.get(L.H_N_DEV_COUNT, n);
    if (cf === cc && mf === mc && (devs === 0 || df === dc)) continue; // empty: kept apart
    if (cc <= 0 || mc <= 0) continue;
    const sum2 = ratio(cc - cf, cc) + ratio(mc - mf, mc);
    put(0, Math.min(key(cf), L.IDX_BUCKETS - 1), sum2);
    put(2 * L.IDX_BUCKETS + L.IDX_WHOLE_BUCKETS, Math.min(key(mf), L.IDX_BUCKETS - 1), sum2);
    if (devs === 0 || dc <= 0) continue;
    let frac = -1;
    let whole = 0;
    for (let i = 0; i < devs; i++) {
      const d = st.get(L.H_N_DEV_FIRST, n) + i;
      const f = st.get(L.H_D_FLAGS, d);
      if (!(f & L.DF_HEALTHY) || f & L.DF_HELD) continue;
      const free = st.get(L.H_D_MILLI_FREE, d);
      if (st.get(L.H_D_MODE, d) === L.MODE_TIME_SLICE && st.get(L.H_D_SLICES_USED, d) < st.get(L.H_D_SLICES_MAX, d)) frac = Math.max(frac, free);
      if (st.get(L.H_D_SLICES_USED, d) === 0 && free === st.get(L.H_D_MILLI_CAP, d) && st.get(L.H_D_MEM_FREE, d) === st.get(L.H_D_MEM_CAP, d)) whole++;
    }
    const sum3 = sum2 + ratio(dc - df, dc);
    put(L.IDX_BUCKETS, frac < 0 ? 0 : Math.min(key(frac), L.IDX_BUCKETS - 1), sum3);
    put(2 * L.IDX_BUCKETS, Math.min(bitlen(whole), L.IDX_WHOLE_BUCKETS - 1), sum3);
  }
  return out;
}

/**
 * Class block b of leaf l read by definition (layout: IX_KIND + b·IXK_STRIDE). A device is in
 * block b < IDX_KINDS when its kind is b, in block IDX_KINDS + c when its model id mod
 * IDX_MODEL_CLASSES is c. Over the eligible nodes carrying a device of the block, loaded and empty
 * (all CPU, memory and device milli free) apart: FRAC = the most milli free on one healthy, unheld
 * time-sliced device of the block with a free slice, WHOLE = the most fully free healthy unheld
 * devices of the block on one node, ANY = 1, NCAP = −(smallest capacity > 0) for cpu, memory and
 * the node's device milli; loaded nodes with every capacity > 0 also give SUMF / SUMW: per bucket
 * b', the most ⌈used·65536/cap⌉ summed over the three dimensions of a node whose key ≥ b', keys
 * min(halfOctave(FRAC of the node), 23) and min(bitlen(WHOLE of the node), 7); SUMP as computed below.
 * IX_NONE where no node counts.
 */
function classFields(st: PlacementState, l: number, hwm: number, b: number): number[] {
  const ratio = (used: number, cap: number): number => (used <= 0 ? 0 : Math.min(16777216, Math.ceil((used * 65536) / cap)));
  const bitlen = (x: number): number => (x <= 0 ? 0 : x.toString(2).length);
  const key = (x: number): number => (x <= 1 ? Math.max(0, x) : 2 * bitlen(x) - 2 + (x.toString(2)[1] === '1' ? 1 : 0));
  const out = new Array<number>(L.IXK_STRIDE).fill(L.IX_NONE);
  const max = (at: number, v: number): void => {
    out[at] = Math.max(out[at], v);
  };
  const inBlock = (d: number): boolean => (b < L.IDX_KINDS ? st.get(L.H_D_KIND, d) === b : st.get(L.H_D_MODEL, d) % L.IDX_MODEL_CLASSES === b - L.IDX_KINDS);
  for (const n of st.indexLeafSlots(l)) {
    if (n >= hwm) continue;
    if ((st.get(L.H_N_FLAGS, n) & OK) !== OK) continue;
    const [cf, cc, mf, mc, df, dc] = [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP].map((c) => st.get(c, n));
    const devs = Array.from({ length: st.get(L.H_N_DEV_COUNT, n) }, (_, i) => st.get(L.H_N_DEV_FIRST, n) + i).filter(inBlock);
    if (devs.length === 0) continue;
    let frac = L.IX_NONE;
    let whole = 0;
    for (const d of devs) {
      const f = st.get(L.H_D_FLAGS, d);
      if (!(f & L.DF_HEALTHY) || f & L.DF_HELD) continue;
      const free = st.get(L.H_D_MILLI_FREE, d);
      if (st.get(L.H_D_MODE, d) === L.MODE_TIME_SLICE && st.get(L.H_D_SLICES_USED, d) < st.get(L.H_D_SLICES_MAX, d)) frac = Math.max(frac, free);
      if (st.get(L.H_D_SLICES_USED, d) === 0 && free === st.get(L.H_D_MILLI_CAP, d) && st.get(L.H_D_MEM_FREE, d) === st.get(L.H_D_MEM_CAP, d)) whole++;
    }
    const empty = cf === cc && mf === mc && df === dc;
    const caps = [cc, mc, dc];
    // SUMP: loaded nodes, per class (name mod 8) of a profile with a free instance that its healthy,
    // unheld partition device's milli and memory free can hold; the summed ratios (0 when a capacity is 0)
    if (!empty) {
      const sum = cc > 0 && mc > 0 && dc > 0 ? ratio(cc - cf, cc) + ratio(mc - mf, mc) + ratio(dc - df, dc) : 0;
      for (const d of devs) {
        const f = st.get(L.H_D_FLAGS, d);
        if (!(f & L.DF_HEALTHY) || f & L.DF_HELD || st.get(L.H_D_MODE, d) !== L.MODE_PARTITION) continue;
        for (let p = st.get(L.H_D_PROF_FIRST, d); p < st.get(L.H_D_PROF_FIRST, d) + st.get(L.H_D_PROF_COUNT, d); p++) {
          if (st.get(L.H_P_USED, p) < st.get(L.H_P_MAX, p) && st.get(L.H_P_MILLI, p) <= st.get(L.H_D_MILLI_FREE, d) && st.get(L.H_P_MEM, p) <= st.get(L.H_D_MEM_FREE, d)) {
            max(L.IXK_SUMP + (st.get(L.H_P_NAME, p) % L.IDX_PROF_CLASSES), sum);
          }
        }
      }
    }
    max(empty ? L.IXK_EFRAC : L.IXK_FRAC, frac);
    max(empty ? L.IXK_EWHOLE : L.IXK_WHOLE, whole);
    max(empty ? L.IXK_EANY : L.IXK_ANY, 1);
    caps.forEach((cap, k) => cap > 0 && max((empty ? L.IXK_ENCAP : L.IXK_NCAP) + k, -cap));
    if (empty || cc <= 0 || mc <= 0 || dc <= 0) continue;
    const sum3 = ratio(cc - cf, cc) + ratio(mc - mf, mc) + ratio(dc - df, dc);
    for (let k = 0; k <= Math.min(frac < 0 ? 0 : key(frac), L.IDX_KIND_BUCKETS - 1); k++) max(L.IXK_SUMF + k, sum3);
    for (let k = 0; k <= Math.min(bitlen(whole), L.IDX_WHOLE_BUCKETS - 1); k++) max(L.IXK_SUMW + k, sum3);
  }
  return out;
}

const decision = (st: PlacementState): number[] => {
  const out = [st.result(0, L.R_STATUS), st.result(0, L.R_NODE), st.result(0, L.R_NDEV), st.result(0, L.R_PROF)];
  for (let k = 0; k < st.result(0, L.R_NDEV); k++) out.push(st.result(0, L.R_DEVS + k));
  return out;
};

/**
 * Run case `c` on four states — kernel indexed, kernel scan, twin indexed, twin scan — and hold
 * every decision to the by-definition node and to each other, and the columns equal at the end.
 */
function indexScanAndDefinitionAgree(c: Case): void {
  const states = [new PlacementState('wasm'), new PlacementState('wasm'), new PlacementState('ts'), new PlacementState('ts')];
  states[1].setIndexing(false);
  states[3].setIndexing(false);
  for (const st of states) load(st, c);
  currentSeed = c.seed;
  for (const op of c.ops) {
    if (op.op === 'seed') currentSeed = op.seed;
    if (op.op !== 'place') {
      for (const st of states) change(st, op, c);
      continue;
    }
    for (const st of states) writeTask(st, op);
    const expected = bestByDefinition(states[3]);
    const got = states.map((st) => {
      st.place(0, true);
      return decision(st);
    });
    expect(got[0][1]).toBe(expected);
    for (let i = 1; i < 4; i++) expect(got[i]).toEqual(got[0]);
  }
  const cols = states.map(dumpColumns);
  for (let i = 1; i < 4; i++) expect(cols[i]).toEqual(cols[0]);
}

describe('free-capacity index', () => {
  it('indexed, scanned (kernel and twin) and by-definition decisions agree over random histories (300 cases)', () => {
    // Invariant: after any history of commits and outside column changes, the index search (wasm,
    // ts) and the exact scan (wasm, ts) bind the same node and devices, which is the node a
    // node-by-node reading of the definition picks (highest score, then smallest tie hash); the
    // columns stay equal on all four.
    fc.assert(
      fc.property(caseArb, (c) => indexScanAndDefinitionAgree(c)),
      { numRuns: 300 },
    );
  });

  it('heterogeneous pools without zero capacities: indexed, scanned and by-definition decisions agree (150 cases)', () => {
    // Invariant: as above, on clusters where every node has cpu, memory and device capacity (so the
    // kind / model-class bounds, not a "no bound" flag, steer the search) and tasks of all kinds.
    fc.assert(
      fc.property(hetCaseArb, (c) => indexScanAndDefinitionAgree(c as Case)),
      { numRuns: 150 },
    );
  });

  it('every record bounds the score of every fitting node below it, and kernel and twin bounds agree (120 cases)', () => {
    // Invariant (what makes pruning exact): for each task and index record v, every node below v
    // that fits the task (nodeReason −1) scores at most the bound of its part (loaded or empty)
    // of v; the kernel's bounds equal the twin's. Checked on the zero-capacity-free heterogeneous
    // pools (every bound a real one) and on the general random pools.
    fc.assert(
      fc.property(fc.oneof(hetCaseArb, caseArb), (c) => {
        const states = [new PlacementState('wasm'), new PlacementState('ts')];
        for (const st of states) load(st, c as Case);
        for (const op of c.ops) {
          if (op.op !== 'place') {
            for (const st of states) change(st, op, c as Case);
            continue;
          }
          for (const st of states) writeTask(st, op);
          const [st, tw] = states;
          const leaves = st.indexLeaves;
          const hwm = st.nodeHighWater;
          for (let v = 1; v < 2 * leaves; v++) {
            const b = st.indexBounds(0, v);
            expect(tw.indexBounds(0, v)).toEqual(b);
            // the node slots below record v: depth d = floor(log2 v) covers leaves (v − 2^d)·span …
            // (v − 2^d + 1)·span − 1 with span = leaves / 2^d, each holding the slots of the leaf order
            const depth = 31 - Math.clz32(v);
            const span = leaves >> depth;
            const below = Array.from({ length: span }, (_, i) => st.indexLeafSlots((v - (1 << depth)) * span + i)).flat();
            for (const n of below) {
              if (n >= hwm || (tw.get(L.H_N_FLAGS, n) & OK) !== OK || tw.nodeReason(0, n) >= 0) continue;
              const devs = tw.get(L.H_N_DEV_COUNT, n);
              const empty = tw.get(L.H_N_CPU_FREE, n) === tw.get(L.H_N_CPU_CAP, n) && tw.get(L.H_N_MEM_FREE, n) === tw.get(L.H_N_MEM_CAP, n) &&
                (devs === 0 || tw.get(L.H_N_DMILLI_FREE, n) === tw.get(L.H_N_DMILLI_CAP, n));
              expect(tw.nodeScore(0, n)).toBeLessThanOrEqual(b[empty ? 1 : 0]);
            }
          }
          for (const s2 of states) s2.place(0, true);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('every index record equals a recomputation after random histories (150 cases)', () => {
    // Invariant: after flushing, (a) each inner record is the element-wise max of its children,
    // (b) the incrementally maintained records equal a rebuild from the columns, and (c) leaf fields
    // read by definition: IX_CPU / IXE_CPU = the most free CPU of an eligible loaded / empty node
    // of the leaf, IX_WHOLE = the most fully free healthy unheld devices of a loaded node,
    // IX_HASH = 0x7fffffff − (smallest tie hash of a loaded node >>> 1), IX_GNEG / IX_GMAX = −(smallest)
    // and largest node group of an eligible node (loaded or empty); IX_NONE where no such node;
    // the summed-ratio buckets IX_SUMC / IX_SUMF / IX_SUMW as sumFields reads them, and every kind
    // and model-class block (IX_KIND …) as classFields reads it.
    fc.assert(
      fc.property(caseArb, fc.constantFrom('wasm' as const, 'ts' as const), (c, backend) => {
        const st = new PlacementState(backend);
        load(st, c);
        let seed = c.seed;
        for (const op of c.ops) {
          if (op.op === 'seed') seed = op.seed;
          if (op.op === 'place') {
            writeTask(st, op);
            st.place(0, true);
          } else change(st, op, c);
        }
        // (a) and (c) for the records as they stand; returns them
        const checkRecords = (): number[][] => {
          const leaves = st.indexLeaves;
          const records = Array.from({ length: 2 * leaves }, (_, v) => [...st.indexRecord(v)]);
          for (let v = 1; v < leaves; v++) {
            const a = records[2 * v];
            const b = records[2 * v + 1];
            expect(records[v]).toEqual(a.map((x, i) => Math.max(x, b[i])));
          }
          const hwm = st.nodeHighWater;
          for (let l = 0; l < leaves; l++) {
            const r = records[leaves + l];
            let cpu = L.IX_NONE, cpuEmpty = L.IX_NONE, whole = L.IX_NONE, hash = L.IX_NONE, gneg = L.IX_NONE, gmax = L.IX_NONE;
            for (const n of st.indexLeafSlots(l)) {
              if (n >= hwm) continue;
              if ((st.get(L.H_N_FLAGS, n) & OK) !== OK) continue;
              gneg = Math.max(gneg, 0 - st.nodeGroup(n)) | 0;
              gmax = Math.max(gmax, st.nodeGroup(n));
              const devs = st.get(L.H_N_DEV_COUNT, n);
              const empty = st.get(L.H_N_CPU_FREE, n) === st.get(L.H_N_CPU_CAP, n) && st.get(L.H_N_MEM_FREE, n) === st.get(L.H_N_MEM_CAP, n) &&
                (devs === 0 || st.get(L.H_N_DMILLI_FREE, n) === st.get(L.H_N_DMILLI_CAP, n));
              if (empty) {
                cpuEmpty = Math.max(cpuEmpty, st.get(L.H_N_CPU_FREE, n));
                continue;
              }
              cpu = Math.max(cpu, st.get(L.H_N_CPU_FREE, n));
              hash = Math.max(hash, 0x7fffffff - (tieHash(seed, n) >>> 1));
              let w = 0;
              for (let i = 0; i < devs; i++) {
                const d = st.get(L.H_N_DEV_FIRST, n) + i;
                const f = st.get(L.H_D_FLAGS, d);
                if ((f & L.DF_HEALTHY) && !(f & L.DF_HELD) && st.get(L.H_D_SLICES_USED, d) === 0 && st.get(L.H_D_MILLI_FREE, d) === st.get(L.H_D_MILLI_CAP, d) && st.get(L.H_D_MEM_FREE, d) === st.get(L.H_D_MEM_CAP, d)) w++;
              }
              whole = Math.max(whole, w);
            }
            expect([r[L.IX_CPU], r[L.IXE_CPU], r[L.IX_WHOLE], r[L.IX_HASH], r[L.IX_GNEG], r[L.IX_GMAX]]).toEqual([cpu, cpuEmpty, whole, hash, gneg, gmax]);
            expect(sumFields(st, l, hwm)).toEqual([...r.slice(L.IX_SUMC, L.IX_SUMC + 3 * L.IDX_BUCKETS + L.IDX_WHOLE_BUCKETS)]);
            for (let b = 0; b < L.IDX_CLASS_BLOCKS; b++) {
              const at = L.IX_KIND + b * L.IXK_STRIDE;
              expect(classFields(st, l, hwm, b)).toEqual([...r.slice(at, at + L.IXK_STRIDE)]);
            }
          }
          return records;
        };
        st.flushIndex();
        const incremental = checkRecords();
        const leafSlots = Array.from({ length: st.indexLeaves }, (_, l) => st.indexLeafSlots(l));
        // force a rebuild from the columns (it sorts the leaf order again): with the same leaf order
        // it must reproduce the incrementally kept records; the root covers every node in any order
        st.setPolicy(c.policy, seed + 1);
        st.setPolicy(c.policy, seed);
        st.flushIndex();
        const rebuilt = checkRecords();
        expect(rebuilt[1]).toEqual(incremental[1]);
        if (leafSlots.every((s, l) => s.join() === st.indexLeafSlots(l).join())) expect(rebuilt).toEqual(incremental);
      }),
      { numRuns: 150 },
    );
  });

  it('engines with and without the index make identical decisions on random streams with hot-plug (150 cases)', () => {
    // Invariant: every engine call returns the same value with index on or off, on both backends.
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const ops = withIds(sc.ops);
        const engines = ([['wasm', true], ['wasm', false], ['ts', true]] as const).map(([backend, index]) =>
          createEngine({ backend, index, policy: sc.policy, seed: sc.seed }));
        for (const e of engines) for (const n of sc.nodes) e.addNode(n);
        for (const op of ops) {
          const want = applyOp(engines[1], op);
          expect(applyOp(engines[0], op)).toEqual(want);
          expect(applyOp(engines[2], op)).toEqual(want);
        }
        expect(engines[0].tasks()).toEqual(engines[1].tasks());
      }),
      { numRuns: 150 },
    );
  });

  it('uniform pools: scan and index pick the by-definition node among long runs of identical nodes (120 cases)', () => {
    // Invariant: in a pool of identical nodes where a few are loaded the same way (long runs of
    // equal columns and equal scores: the scan's four-node shortcut and the index's tie hashes
    // decide), every backend and method binds the node the definition picks.
    const uniformArb = fc.record({
      nodes: fc.integer({ min: 1, max: 400 }),
      loaded: fc.array(fc.nat(399), { maxLength: 12 }),
      seed: fc.nat(),
      policy: fc.integer({ min: 0, max: 1 }),
      cpu: fc.constantFrom(500, 1000, 3000),
    });
    fc.assert(
      fc.property(uniformArb, (u) => {
        const picks = (['wasm', 'ts'] as const).flatMap((backend) =>
          [true, false].map((index) => {
            const st = new PlacementState(backend);
            st.reserveNodes(u.nodes);
            st.nodeHighWater = u.nodes;
            st.setPolicy(u.policy, u.seed);
            st.setIndexing(index);
            for (let n = 0; n < u.nodes; n++) {
              st.set(L.H_N_FLAGS, n, OK);
              st.set(L.H_N_CPU_CAP, n, 4000);
              st.set(L.H_N_CPU_FREE, n, 4000);
              st.set(L.H_N_MEM_CAP, n, 8192);
              st.set(L.H_N_MEM_FREE, n, 8192);
            }
            for (const n of u.loaded) if (n < u.nodes) st.set(L.H_N_CPU_FREE, n, 3000);
            st.writeTask(0, [u.cpu, 1024, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
            currentSeed = u.seed;
            const want = bestByDefinition(st);
            st.place(0, false);
            expect(st.result(0, L.R_NODE)).toBe(want);
            return st.result(0, L.R_NODE);
          }),
        );
        expect(new Set(picks).size).toBe(1);
      }),
      { numRuns: 120 },
    );
  });

  it('binpack bounds a record by the summed ratios of one node, not by per-dimension maxima of different nodes (hand-computed)', () => {
    // Task: cpu 1000, memory 1024, no devices; every node: cpu cap 4000, memory cap 8192.
    // Leaf 0: node 0 cpu free 1000 (used 3000), memory all free; node 1 cpu all free, memory free 2048 (used 6144).
    // Leaf 1: node 8 cpu free 2000, memory free 4096. Nodes 2..7 and 9..15 are not eligible (flags 0).
    // Scores: node 0: cpu (3000+1000)·100/4000 = 100, memory 1024·100/8192 = 12 → (100+12)/2 = 56;
    //         node 1: cpu 1000·100/4000 = 25, memory (6144+1024)·100/8192 = 87 → (25+87)/2 = 56;
    //         node 8: cpu (2000+1000)·100/4000 = 75, memory (4096+1024)·100/8192 = 62 → (75+62)/2 = 68 → node 8.
    // Leaf 0's bound: largest summed used ratio of one node = 0.75 (either node) → (100·0.75 + 25 + 12.5)/2
    // = 56.25 → 56 < 68, so leaf 0 is never visited: the decision visits only the root-to-leaf-1 path,
    // log2(leaves) + 1 records. (Per-dimension maxima would give ((75+25) + (75+12.5))/2 = 93 and a visit.)
    for (const backend of ['wasm', 'ts'] as const) {
      const st = new PlacementState(backend);
      st.reserveNodes(16);
      st.nodeHighWater = 16;
      st.setPolicy(L.POLICY_BINPACK, 3);
      const free: Record<number, [number, number]> = { 0: [1000, 8192], 1: [4000, 2048], 8: [2000, 4096] };
      for (let n = 0; n < 16; n++) {
        st.set(L.H_N_FLAGS, n, n in free ? OK : 0);
        st.set(L.H_N_CPU_CAP, n, 4000);
        st.set(L.H_N_MEM_CAP, n, 8192);
        st.set(L.H_N_CPU_FREE, n, free[n]?.[0] ?? 4000);
        st.set(L.H_N_MEM_FREE, n, free[n]?.[1] ?? 8192);
      }
      st.writeTask(0, [1000, 1024, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
      st.place(0, false);
      expect(st.result(0, L.R_NODE)).toBe(8);
      expect(st.indexVisits).toBe(Math.log2(st.indexLeaves) + 1);
    }
  });

  it('createEngine rejects a non-boolean index option, naming it', () => {
    expect(() => createEngine({ index: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'invalid-input', path: 'options.index' }));
  });

  it('a node whose devices fit the request exactly is found (fit summary boundaries, hand-computed)', () => {
    // 32 nodes, each cpu 8000, memory 32768 MiB, 2 time-sliced GPUs (milli cap 1000, 16384 MiB,
    // 4 slices). Node 5 is loaded: cpu 4000 free; GPU 0 has exactly 300 milli and 2048 MiB free
    // (700 / 14336 used, 1 slice). Every other node is empty.
    // Fractional task cpu 1000, memory 1024, 300 milli, 2048 MiB, with node 5's GPU 1 held by a
    // whole-device task (0 free): GPU 0 is node 5's only shareable device. Binpack on node 5: cpu
    // (4000+1000)·100/8000 = 62, memory 1024·100/32768 = 3, device milli (1700+300)·100/2000 = 100
    // → (62+3+100)/3 = 55; an empty node: 12, 3, 300·100/2000 = 15 → 10. Node 5 wins although its
    // one shareable device has no milli or memory to spare (the summary must count "equal" as a fit).
    // Whole task (count 1) with GPU 1 fully free, node 5's only whole device: cpu 62, memory 3,
    // device (700+1000)·100/2000 = 85 → 50 against empty nodes' 12, 3, 50 → 21: node 5 again.
    for (const backend of ['wasm', 'ts'] as const) {
      for (const whole of [false, true]) {
        const st = new PlacementState(backend);
        st.reserveNodes(32);
        st.reserveDevices(64);
        st.nodeHighWater = 32;
        st.setPolicy(L.POLICY_BINPACK, 11);
        for (let n = 0; n < 32; n++) {
          st.set(L.H_N_FLAGS, n, OK);
          st.set(L.H_N_CPU_CAP, n, 8000);
          st.set(L.H_N_CPU_FREE, n, n === 5 ? 4000 : 8000);
          st.set(L.H_N_MEM_CAP, n, 32768);
          st.set(L.H_N_MEM_FREE, n, 32768);
          st.set(L.H_N_DEV_FIRST, n, 2 * n);
          st.set(L.H_N_DEV_COUNT, n, 2);
          st.set(L.H_N_DMILLI_CAP, n, 2000);
          st.set(L.H_N_DMILLI_FREE, n, n !== 5 ? 2000 : whole ? 1300 : 300);
          for (let g = 0; g < 2; g++) {
            const d = 2 * n + g;
            const loaded = n === 5 && g === 0;
            const held = n === 5 && g === 1 && !whole;
            for (const [c, v] of [[L.H_D_KIND, 0], [L.H_D_MODE, L.MODE_TIME_SLICE], [L.H_D_MILLI_CAP, 1000], [L.H_D_MILLI_FREE, loaded ? 300 : held ? 0 : 1000],
              [L.H_D_MEM_CAP, 16384], [L.H_D_MEM_FREE, loaded ? 2048 : held ? 0 : 16384], [L.H_D_SLICES_MAX, 4], [L.H_D_SLICES_USED, loaded ? 1 : 0],
              [L.H_D_FLAGS, held ? L.DF_HEALTHY | L.DF_HELD : L.DF_HEALTHY], [L.H_D_NODE, n], [L.H_D_MODEL, -1], [L.H_D_VENDOR, -1]]) st.set(c, d, v);
          }
        }
        st.writeTask(0, whole ? [1000, 1024, 0, 1, 1000, 0, 0, L.TF_WHOLE, -1, 0, 0, 0] : [1000, 1024, 0, 1, 300, 2048, 0, 0, -1, 0, 0, 0]);
        st.place(0, false);
        expect([backend, whole, st.result(0, L.R_NODE)]).toEqual([backend, whole, 5]);
      }
    }
  });

  it('a node with exactly one free partition instance its device can just hold is found (hand-computed)', () => {
    // 32 nodes, each cpu 8000, memory 32768 MiB, one partition GPU (milli cap 1000, 4096 MiB) offering
    // profile 0 (250 milli, 1024 MiB, at most 4 instances). Node 5 runs 3 instances: 1 left, and its
    // device has exactly 250 milli and 1024 MiB free; its cpu has 4000 free. Every other node is empty.
    // Task: gpu, profile 0, cpu 1000, memory 1024 (a profile task adds no device milli to the score).
    // Binpack, node 5: cpu (4000+1000)·100/8000 = 62, memory 1024·100/32768 = 3, device milli
    // 750·100/1000 = 75 → (62+3+75)/3 = 46; an empty node: 12, 3, 0 → 5. Node 5 wins: the index must
    // count an instance as free when used < max and its milli and memory fit with nothing to spare.
    for (const backend of ['wasm', 'ts'] as const) {
      const st = new PlacementState(backend);
      st.reserveNodes(32);
      st.reserveDevices(32);
      st.reserveProfiles(32);
      st.nodeHighWater = 32;
      st.setPolicy(L.POLICY_BINPACK, 5);
      for (let n = 0; n < 32; n++) {
        const busy = n === 5;
        for (const [c, v] of [[L.H_N_FLAGS, OK], [L.H_N_CPU_CAP, 8000], [L.H_N_CPU_FREE, busy ? 4000 : 8000], [L.H_N_MEM_CAP, 32768], [L.H_N_MEM_FREE, 32768],
          [L.H_N_DEV_FIRST, n], [L.H_N_DEV_COUNT, 1], [L.H_N_DMILLI_CAP, 1000], [L.H_N_DMILLI_FREE, busy ? 250 : 1000]]) st.set(c, n, v);
        for (const [c, v] of [[L.H_D_KIND, 0], [L.H_D_MODE, L.MODE_PARTITION], [L.H_D_MILLI_CAP, 1000], [L.H_D_MILLI_FREE, busy ? 250 : 1000],
          [L.H_D_MEM_CAP, 4096], [L.H_D_MEM_FREE, busy ? 1024 : 4096], [L.H_D_SLICES_MAX, 0], [L.H_D_SLICES_USED, 0], [L.H_D_FLAGS, L.DF_HEALTHY],
          [L.H_D_NODE, n], [L.H_D_MODEL, -1], [L.H_D_VENDOR, -1], [L.H_D_PROF_FIRST, n], [L.H_D_PROF_COUNT, 1]]) st.set(c, n, v);
        for (const [c, v] of [[L.H_P_NAME, 0], [L.H_P_MILLI, 250], [L.H_P_MEM, 1024], [L.H_P_MAX, 4], [L.H_P_USED, busy ? 3 : 0]]) st.set(c, n, v);
      }
      st.writeTask(0, [1000, 1024, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
      st.place(0, false);
      expect([backend, st.result(0, L.R_NODE), st.result(0, L.R_PROF)]).toEqual([backend, 5, 5]);
    }
  });

  it('binpack takes the loaded node and spread the empty one (hand-computed scores)', () => {
    // Node 0: cpu 4000, 1000 free; node 1: cpu 4000, all free; 20 more empty nodes; task cpu 1000.
    // binpack node 0: ((4000-1000+1000)*100)/4000 = 100; empty: ((4000-4000+1000)*100)/4000 = 25 → node 0.
    // spread node 0: ((1000-1000)*100)/4000 = 0; empty: ((4000-1000)*100)/4000 = 75 → the empty node
    // with the smallest tieHash(seed 7, slot) among slots 1..21.
    for (const backend of ['wasm', 'ts'] as const) {
      for (const policy of [L.POLICY_BINPACK, L.POLICY_SPREAD]) {
        const st = new PlacementState(backend);
        st.reserveNodes(22);
        st.nodeHighWater = 22;
        st.setPolicy(policy, 7);
        for (let n = 0; n < 22; n++) {
          st.set(L.H_N_FLAGS, n, OK);
          st.set(L.H_N_CPU_CAP, n, 4000);
          st.set(L.H_N_CPU_FREE, n, n === 0 ? 1000 : 4000);
        }
        st.writeTask(0, [1000, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0]);
        st.place(0, false);
        let want = 0;
        if (policy === L.POLICY_SPREAD) {
          want = 1;
          for (let n = 2; n < 22; n++) if (tieHash(7, n) < tieHash(7, want)) want = n;
        }
        expect(st.result(0, L.R_NODE)).toBe(want);
        expect(st.indexVisits).toBeGreaterThan(0);
      }
    }
  });
});

/**
 * Differential tests: the WebAssembly placement kernel and its TypeScript twin make identical
 * decisions. Three levels: raw random columns (the kernel exports themselves), whole engines on
 * random clusters with random task streams and hot-plug in between, and the batch entry point
 * against the one-task-at-a-time path. Together well over 1,000 random cases per run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlacementLayout as L, PlacementState } from '../src/core/placement.js';
import { tieHash } from '../src/reference/placement.js';
import { createEngine, type Engine } from '../src/engine/index.js';
import { applyOp, scenarioArb, withIds } from './placement-arbitraries.js';

// ── level 1: raw columns ─────────────────────────────────────────────────────────────────────
const NODE_COLS = [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_FLAGS, L.H_N_DEV_FIRST, L.H_N_DEV_COUNT, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP];
const DEV_COLS = [L.H_D_KIND, L.H_D_VENDOR, L.H_D_MODEL, L.H_D_PREC, L.H_D_MODE, L.H_D_MILLI_FREE, L.H_D_MILLI_CAP, L.H_D_MEM_FREE, L.H_D_MEM_CAP, L.H_D_SLICES_USED, L.H_D_SLICES_MAX, L.H_D_FLAGS, L.H_D_PROF_FIRST, L.H_D_PROF_COUNT, L.H_D_NODE];
const PROF_COLS = [L.H_P_NAME, L.H_P_MILLI, L.H_P_MEM, L.H_P_MAX, L.H_P_USED];

// Each check passes most of the time, so that random cases reach every stage of the device checks.
const profArb = fc.record({ name: fc.integer({ min: 0, max: 2 }), milli: fc.constantFrom(142, 250, 500), mem: fc.constantFrom(1024, 4096), max: fc.integer({ min: 1, max: 3 }) })
  .chain((p) => fc.integer({ min: 0, max: p.max }).map((used) => ({ ...p, used })));
const rawDevArb = fc.record({
  kind: fc.constantFrom(0, 0, 0, 0, 1), vendor: fc.integer({ min: 0, max: 3 }), model: fc.integer({ min: 0, max: 3 }), prec: fc.integer({ min: 0, max: 15 }),
  mode: fc.constantFrom(0, 1, 1, 1, 2), milliCap: fc.constantFrom(1000, 1500), memCap: fc.constantFrom(2048, 8192), slicesMax: fc.integer({ min: 1, max: 4 }),
  flags: fc.constantFrom(1, 1, 1, 1, 1, 0, 2, 3), freeMilliPct: fc.constantFrom(0, 30, 100, 100), freeMemPct: fc.constantFrom(0, 0, 50, 100), slicesUsed: fc.constantFrom(0, 0, 1, 2, 4),
  profiles: fc.array(profArb, { maxLength: 2 }),
});
const rawNodeArb = fc.record({
  flags: fc.constantFrom(7, 7, 7, 7, 7, 6, 5, 3), cpuCap: fc.constantFrom(0, 4000, 8000), cpuPct: fc.constantFrom(0, 50, 100), memCap: fc.constantFrom(0, 8192, 16384), memPct: fc.constantFrom(0, 50, 100),
  devices: fc.array(rawDevArb, { maxLength: 4 }),
});
const rawTaskArb = fc.record({
  cpu: fc.constantFrom(0, 0, 1000, 4000), mem: fc.constantFrom(0, 0, 2048, 9000), kind: fc.constantFrom(-1, 0, 0, 0, 0, 1), count: fc.integer({ min: 1, max: 3 }),
  milli: fc.constantFrom(100, 300, 500, 1000), dmem: fc.constantFrom(0, 0, 1024, 4096), prec: fc.constantFrom(0, 0, 0, 1, 2, 4, 8), whole: fc.boolean(), profile: fc.constantFrom(-1, -1, -1, 0, 1, 2),
  vendors: fc.option(fc.integer({ min: 0, max: 15 }), { freq: 2 }), models: fc.option(fc.integer({ min: 0, max: 15 }), { freq: 2 }), mask: fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 2 }),
});
const rawArb = fc.record({ nodes: fc.array(rawNodeArb, { minLength: 1, maxLength: 16 }), tasks: fc.array(rawTaskArb, { minLength: 1, maxLength: 6 }), policy: fc.integer({ min: 0, max: 1 }), seed: fc.nat(), sample: fc.constantFrom(0, 0, 1, 2, 5), start: fc.integer({ min: 0, max: 20 }) });

type Raw = typeof rawArb extends fc.Arbitrary<infer T> ? T : never;

function load(st: PlacementState, raw: Raw): void {
  const devTotal = raw.nodes.reduce((n, x) => n + x.devices.length, 0);
  const profTotal = raw.nodes.reduce((n, x) => n + x.devices.reduce((m, d) => m + d.profiles.length, 0), 0);
  st.reserveNodes(raw.nodes.length);
  st.reserveDevices(devTotal);
  st.reserveProfiles(profTotal);
  st.reserveTasks(raw.tasks.length);
  st.setPolicy(raw.policy, raw.seed);
  st.setSampling(raw.sample, raw.start);
  st.nodeHighWater = raw.nodes.length;
  let d = 0;
  let p = 0;
  raw.nodes.forEach((n, i) => {
    st.set(L.H_N_CPU_CAP, i, n.cpuCap);
    st.set(L.H_N_CPU_FREE, i, (n.cpuCap * n.cpuPct) / 100);
    st.set(L.H_N_MEM_CAP, i, n.memCap);
    st.set(L.H_N_MEM_FREE, i, (n.memCap * n.memPct) / 100);
    st.set(L.H_N_FLAGS, i, n.flags);
    st.set(L.H_N_DEV_FIRST, i, d);
    st.set(L.H_N_DEV_COUNT, i, n.devices.length);
    let cap = 0;
    let free = 0;
    for (const x of n.devices) {
      const milliFree = Math.floor((x.milliCap * x.freeMilliPct) / 100);
      cap += x.milliCap;
      free += milliFree;
      const vals = [x.kind, x.vendor, x.model, x.prec, x.mode, milliFree, x.milliCap, Math.floor((x.memCap * x.freeMemPct) / 100), x.memCap, Math.min(x.slicesUsed, x.slicesMax), x.slicesMax, x.flags, p, x.profiles.length, i];
      DEV_COLS.forEach((c, k) => st.set(c, d, vals[k]));
      for (const pr of x.profiles) {
        [pr.name, pr.milli, pr.mem, pr.max, pr.used].forEach((v, k) => st.set(PROF_COLS[k], p, v));
        p++;
      }
      d++;
    }
    st.set(L.H_N_DMILLI_CAP, i, cap);
    st.set(L.H_N_DMILLI_FREE, i, free);
  });
  raw.tasks.forEach((t, i) => {
    let vendors = 0;
    let models = 0;
    let mask = 0;
    if (t.vendors !== null) { st.writeSet(0, [0, 1, 2, 3].filter((b) => (t.vendors! >> b) & 1)); vendors = st.setPtr(0); }
    if (t.models !== null) { st.writeSet(1, [0, 1, 2, 3].filter((b) => (t.models! >> b) & 1)); models = st.setPtr(1); }
    if (t.mask !== null) { st.writeMask(i, (n) => ((t.mask! >> n) & 1) === 1); mask = st.maskPtr(i); }
    st.writeTask(i, [t.cpu, t.mem, t.kind, t.count, t.milli, t.dmem, t.prec, t.whole || t.milli === 1000 ? L.TF_WHOLE : 0, t.profile, vendors, models, mask]);
  });
}

/** Every column value and every result record, independent of where the memory starts. */
function dump(st: PlacementState, raw: Raw): number[] {
  const out: number[] = [];
  for (const c of NODE_COLS) for (let i = 0; i < raw.nodes.length; i++) out.push(st.get(c, i));
  for (const c of DEV_COLS) for (let i = 0; i < st.cap.devices; i++) out.push(st.get(c, i));
  for (const c of PROF_COLS) for (let i = 0; i < st.cap.profiles; i++) out.push(st.get(c, i));
  for (let t = 0; t < raw.tasks.length; t++) for (let f = 0; f < L.RES_STRIDE; f++) out.push(st.result(t, f));
  return out;
}

describe('placement kernel vs TypeScript twin', () => {
  it('raw columns: place (single and batch) and explain agree word for word (600 cases)', () => {
    // Invariant: on any column contents, every result record and every column after commit are equal.
    fc.assert(
      fc.property(rawArb, fc.boolean(), (raw, batch) => {
        const wasm = new PlacementState('wasm');
        const ts = new PlacementState('ts');
        load(wasm, raw);
        load(ts, raw);
        if (batch) {
          expect(wasm.placeBatch(raw.tasks.length)).toBe(ts.placeBatch(raw.tasks.length));
        } else {
          raw.tasks.forEach((_, i) => expect(wasm.place(i, i % 2 === 0)).toBe(ts.place(i, i % 2 === 0)));
        }
        raw.tasks.forEach((_, i) => {
          wasm.explain(i);
          ts.explain(i);
        });
        expect(dump(wasm, raw)).toEqual(dump(ts, raw));
        expect(wasm.sampleStart).toBe(ts.sampleStart);
      }),
      { numRuns: 600 },
    );
  });

  it('the node-mask index (skipping zero words) chooses as a node-by-node scan would (300 cases)', () => {
    // Invariant: with sparse node masks over up to 200 nodes, any sample size and start, both
    // backends pick the node (and next start) of a plain scan: positions start, start+1, … (mod hwm),
    // the first `sample` allowed fitting nodes (all when 0), highest score, then smallest tie hash.
    const caseArb = fc.record({
      hwm: fc.integer({ min: 1, max: 200 }),
      allowed: fc.array(fc.integer({ min: 0, max: 199 }), { maxLength: 12 }),
      cpuFree: fc.array(fc.constantFrom(0, 1000, 2000, 3000, 4000), { minLength: 200, maxLength: 200 }),
      sample: fc.constantFrom(0, 1, 2, 3),
      start: fc.integer({ min: 0, max: 210 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(caseArb, fc.constantFrom('wasm' as const, 'ts' as const), (c, backend) => {
        const st = new PlacementState(backend);
        st.reserveNodes(c.hwm);
        st.nodeHighWater = c.hwm;
        st.setPolicy(L.POLICY_BINPACK, c.seed);
        st.setSampling(c.sample, c.start);
        for (let n = 0; n < c.hwm; n++) {
          st.set(L.H_N_FLAGS, n, L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE);
          st.set(L.H_N_CPU_CAP, n, 4000);
          st.set(L.H_N_CPU_FREE, n, c.cpuFree[n]);
        }
        const allowed = new Set(c.allowed.filter((n) => n < c.hwm));
        st.writeMask(0, (n) => allowed.has(n));
        st.writeTask(0, [1000, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0, st.maskPtr(0)]);
        // the plain scan, written out
        const start = c.start < c.hwm ? c.start : 0;
        let best = -1, bestScore = -1, bestHash = 0, found = 0, k = 0;
        while (k < c.hwm) {
          const n = (start + k) % c.hwm;
          k++;
          if (!allowed.has(n) || c.cpuFree[n] < 1000) continue;
          const s = st.nodeScore(0, n);
          found++;
          const th = tieHash(c.seed, n);
          if (s > bestScore || (s === bestScore && th < bestHash)) { best = n; bestScore = s; bestHash = th; }
          if (c.sample > 0 && found >= c.sample) break;
        }
        st.place(0, false);
        expect(st.result(0, L.R_NODE)).toBe(best);
        if (c.sample > 0) expect(st.sampleStart).toBe((start + k) % c.hwm);
      }),
      { numRuns: 300 },
    );
  });

  it('engines: identical outcomes on random clusters, task streams and hot-plug (400 cases)', () => {
    // Invariant: every call returns the same value (bindings, reasons, displaced tasks, errors) on both backends,
    // and the resulting catalogues (read from the columns) and task states are equal.
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const ops = withIds(sc.ops);
        const engines = (['wasm', 'ts'] as const).map((backend) => createEngine({ backend, policy: sc.policy, seed: sc.seed, nodesToScore: sc.nodesToScore }));
        for (const e of engines) for (const n of sc.nodes) e.addNode(n);
        for (const op of ops) expect(applyOp(engines[0], op)).toEqual(applyOp(engines[1], op));
        expect(engines[0].catalog()).toEqual(engines[1].catalog());
        expect(engines[0].tasks()).toEqual(engines[1].tasks());
      }),
      { numRuns: 400 },
    );
  });

  it('placeBatch equals placing the same queue one task at a time (150 cases)', () => {
    // Invariant: schedule() through placeBatch (no admit/preempt plugin) and through the
    // per-task path (a plugin that admits everything) bind the same tasks to the same devices.
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        const ops = withIds(sc.ops);
        const batch = createEngine({ policy: sc.policy, seed: sc.seed, nodesToScore: sc.nodesToScore });
        const single = createEngine({ policy: sc.policy, seed: sc.seed, nodesToScore: sc.nodesToScore, plugins: [{ name: 'admit-all', admit: () => null }] });
        const both: Engine[] = [batch, single];
        for (const e of both) for (const n of sc.nodes) e.addNode(n);
        for (const op of ops) expect(applyOp(batch, op)).toEqual(applyOp(single, op));
      }),
      { numRuns: 150 },
    );
  });
});

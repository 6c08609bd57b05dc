import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReferenceTopologyKernels, createWasmTopologyKernels } from '../src/core/topology.js';
import { BW_UNLIMITED, type GangColumns, type GangKey, type GangKnobs } from '../src/reference/topology.js';

const wasm = createWasmTopologyKernels();
const ref = createReferenceTopologyKernels();

/**
 * The gang search as it was before the viable list, segments, used-node list and cost pruning
 * (src/reference/topology.ts at ABI 1, verbatim): every domain scanned in full for every member.
 * The oracle that the faster search takes exactly the same decisions.
 */
function naiveGang(c: number, col: GangColumns, m: number, demand: Int32Array, knobs: GangKnobs, out: Int32Array): GangKey {
  const { leaf, spine, site, free, slots, base, cum, deg } = col;
  const none: GangKey = { status: 1, tier: 0, cost: 0, bw: 0, base: 0 };
  if (c < 0 || m < 1) return { ...none, status: 2 };
  for (let i = 0; i < m; i++) if (demand[i] < 0) return { ...none, status: 2 };
  for (let j = 1; j < c; j++) {
    const a = j - 1;
    if (site[a] > site[j] || (site[a] === site[j] && (spine[a] > spine[j] || (spine[a] === spine[j] && leaf[a] > leaf[j])))) return { ...none, status: 3 };
  }
  let total = 0;
  for (let i = 0; i < m; i++) total += demand[i];
  const rem = new Int32Array(c);
  const cnt = new Int32Array(c);
  const tmp = new Int32Array(m);
  let found = false;
  let bCost = 0;
  let bBw = 0;
  let bBase = 0;
  let bTier = 0;
  const top = knobs.maxTier < 4 ? knobs.maxTier : 4;

  const tryDomain = (s: number, e: number, t: number): void => {
    let cap = 0;
    let slotSum = 0;
    for (let j = s; j < e; j++) {
      rem[j] = free[j];
      cnt[j] = 0;
      if (t === 0 || leaf[j] >= 0) {
        cap += free[j];
        slotSum += slots[j];
      }
    }
    if (cap < total || slotSum < m) return;
    const lvl = t === 0 ? 0 : t - 1;
    for (let i = 0; i < m; i++) {
      const d = demand[i];
      let pick = -1;
      for (let j = s; j < e; j++) {
        if ((t > 0 && leaf[j] < 0) || rem[j] < d || cnt[j] >= slots[j]) continue;
        if (pick < 0) {
          pick = j;
          continue;
        }
        const uj = cnt[j] > 0 ? 1 : 0;
        const up = cnt[pick] > 0 ? 1 : 0;
        if (uj !== up) {
          if (uj > up) pick = j;
          continue;
        }
        const bj = cum[j * 4 + lvl];
        const bp = cum[pick * 4 + lvl];
        if (bj !== bp) {
          if (bj > bp) pick = j;
          continue;
        }
        if (base[j] > base[pick]) pick = j;
      }
      if (pick < 0) return;
      tmp[i] = pick;
      rem[pick] -= d;
      cnt[pick]++;
    }
    const u0 = tmp[0];
    let tier = 0;
    for (let i = 1; i < m; i++) {
      const j = tmp[i];
      if (j === u0) continue;
      const tt = leaf[j] === leaf[u0] ? 1 : spine[j] === spine[u0] ? 2 : site[j] === site[u0] ? 3 : 4;
      if (tt > tier) tier = tt;
    }
    if (tier > knobs.maxTier) return;
    let bwv = BW_UNLIMITED;
    let degraded = 0;
    if (tier > 0) {
      for (let j = s; j < e; j++) {
        if (cnt[j] === 0) continue;
        const v = cum[j * 4 + tier - 1];
        if (v < bwv) bwv = v;
        if (((deg[j] >> tier) & 1) !== 0) degraded++;
      }
    }
    let cost = tier * 100 + degraded * knobs.degradedPenalty;
    if (tier > knobs.softTier) cost += knobs.softPenalty;
    let bs = 0;
    for (let i = 0; i < m; i++) bs += base[tmp[i]];
    if (found && !(cost < bCost || (cost === bCost && (bwv > bBw || (bwv === bBw && bs > bBase))))) return;
    found = true;
    bCost = cost;
    bBw = bwv;
    bBase = bs;
    bTier = tier;
    for (let i = 0; i < m; i++) out[i] = tmp[i];
  };

  for (let t = 0; t <= top; t++) {
    let s = 0;
    while (s < c) {
      let e = s + 1;
      if (t === 4) e = c;
      else if (t > 0) {
        while (
          e < c &&
          (t === 1 ? leaf[e] === leaf[s] : t === 2 ? spine[e] === spine[s] : site[e] === site[s])
        ) e++;
      }
      // A run of isolated nodes (leaf < 0) is only a domain at level 0. A domain that holds the
      // same nodes as one of the level below is skipped: that one ordered by the bandwidth of
      // the tier any result inside it can reach, so it is at least as good.
      let skip = t > 0 && t < 4 && leaf[s] < 0;
      if (t === 1) skip ||= e - s === 1;
      else if (t === 2) skip ||= leaf[s] === leaf[e - 1];
      else if (t === 3) skip ||= spine[s] === spine[e - 1];
      else if (t === 4) {
        let f = 0;
        while (f < c && leaf[f] < 0) f++;
        skip = f === c || site[f] === site[c - 1];
      }
      if (!skip) tryDomain(s, e, t);
      s = e;
    }
  }
  if (!found) return none;
  return { status: 0, tier: bTier, cost: bCost, bw: bBw, base: bBase };
}


interface Cand { site: number; spine: number; leaf: number; free: number; slots: number; base: number; cum: number[]; deg: number }

const cand = (over: Partial<Cand>): fc.Arbitrary<Cand> =>
  fc.record({
    free: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 64 })),
    slots: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(0x7fffffff)),
    // Few distinct values make ties (decided by index) common.
    base: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2 })),
    cum: fc.array(fc.integer({ min: 1, max: 3 }).map((v) => v * 100_000), { minLength: 4, maxLength: 4 }),
    deg: fc.integer({ min: 0, max: 31 }),
  }).map((r) => ({ site: 0, spine: 0, leaf: 0, ...r, ...over }));

// A fabric of nested groups with long runs (so the kernel's four-candidate steps are taken):
// isolated candidates first, then sites > spine groups > leaves > nodes, ids as the TypeScript
// layer makes them (leaf determines spine, spine determines site). `flat` re-uses leaf and spine
// ids across groups (not produced by the fabric view, but the kernel must still equal the twin).
const fabric = fc
  .record({
    isolated: fc.integer({ min: 0, max: 5 }),
    shape: fc.array(fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    flat: fc.boolean(),
  })
  .chain(({ isolated, shape, flat }) => {
    const slots: fc.Arbitrary<Cand>[] = [];
    for (let i = 0; i < isolated; i++) slots.push(cand({ site: -1, spine: -1, leaf: -1 }));
    shape.forEach((spines, si) =>
      spines.forEach((leaves, pi) =>
        leaves.forEach((n, li) => {
          const spine = flat ? pi : si * 10 + pi;
          const leaf = flat ? li : spine * 10 + li;
          for (let k = 0; k < n; k++) slots.push(cand({ site: si, spine, leaf }));
        }),
      ),
    );
    return fc.tuple(...slots);
  });

const gang = fc.record({
  cands: fabric,
  demand: fc.oneof(
    fc.record({ n: fc.integer({ min: 1, max: 24 }), d: fc.integer({ min: 0, max: 8 }) }).map(({ n, d }) => new Array<number>(n).fill(d)),
    fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 }),
  ),
  maxTier: fc.integer({ min: -1, max: 4 }),
  softTier: fc.integer({ min: 0, max: 4 }),
  softPenalty: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -300, max: -1 })),
  degradedPenalty: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -300, max: -1 })),
});

const columns = (rows: Cand[]): GangColumns => ({
  leaf: Int32Array.from(rows, (r) => r.leaf),
  spine: Int32Array.from(rows, (r) => r.spine),
  site: Int32Array.from(rows, (r) => r.site),
  free: Int32Array.from(rows, (r) => r.free),
  slots: Int32Array.from(rows, (r) => r.slots),
  base: Int32Array.from(rows, (r) => r.base),
  cum: Int32Array.from(rows.flatMap((r) => r.cum)),
  deg: Int32Array.from(rows, (r) => r.deg),
});

type Search = (c: number, col: GangColumns, m: number, demand: Int32Array, knobs: GangKnobs, out: Int32Array) => GangKey;
const run = (f: Search, col: GangColumns, demand: Int32Array, knobs: GangKnobs): [GangKey, number[]] => {
  const out = new Int32Array(demand.length);
  const key = f(col.leaf.length, col, demand.length, demand, knobs, out);
  return [key, key.status === 0 ? Array.from(out) : []];
};

describe('gang search: the faster search decides as the full scan did', () => {
  it('twin and kernel equal the full-scan oracle on fabrics with long runs', () => {
    // Invariant: same status, key (tier, cost, bw, base) and member→candidate assignment as the
    // oracle, for uniform and mixed demands (sorted largest first, as callers do), negative
    // penalties (pruning off) and non-nested ids.
    fc.assert(
      fc.property(gang, (x) => {
        const col = columns(x.cands);
        const demand = Int32Array.from([...x.demand].sort((a, b) => b - a));
        const knobs = { maxTier: x.maxTier, softTier: x.softTier, softPenalty: x.softPenalty, degradedPenalty: x.degradedPenalty };
        const want = run(naiveGang, col, demand, knobs);
        expect(run(ref.placeGang, col, demand, knobs)).toEqual(want);
        expect(run(wasm.placeGang, col, demand, knobs)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('unsorted demands too (the kernel does not require the callers\' order)', () => {
    // Invariant: as above, with demands in arbitrary order.
    fc.assert(
      fc.property(gang, (x) => {
        const col = columns(x.cands);
        const demand = Int32Array.from(x.demand);
        const knobs = { maxTier: x.maxTier, softTier: x.softTier, softPenalty: x.softPenalty, degradedPenalty: x.degradedPenalty };
        const want = run(naiveGang, col, demand, knobs);
        expect(run(ref.placeGang, col, demand, knobs)).toEqual(want);
        expect(run(wasm.placeGang, col, demand, knobs)).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it('an order violation deep inside a long run is found by both', () => {
    // 37 candidates on one leaf, then candidate 30's leaf lowered below its predecessor's.
    const rows: Cand[] = Array.from({ length: 37 }, () => ({ site: 0, spine: 0, leaf: 5, free: 8, slots: 1, base: 0, cum: [1, 1, 1, 1], deg: 0 }));
    rows[30] = { ...rows[30], leaf: 4 };
    const col = columns(rows);
    const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 0 };
    for (const k of [wasm, ref]) expect(run(k.placeGang, col, Int32Array.from([8]), knobs)[0].status).toBe(3);
  });

  it('keeps the earliest of equal candidates when a domain has more than m of them', () => {
    // 20 equal candidates on one leaf (8 free, one member each), 4 members × 8 GPUs: ties go to
    // the lowest index, so candidates 0, 1, 2, 3. Key: tier 1, cost 100, bw cum[0] = 300,000,
    // base 4 · 50 = 200.
    const rows: Cand[] = Array.from({ length: 20 }, () => ({ site: 0, spine: 0, leaf: 0, free: 8, slots: 1, base: 50, cum: [300_000, 100_000, 100_000, 100_000], deg: 0 }));
    const col = columns(rows);
    const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 0 };
    for (const k of [wasm, ref]) {
      expect(run(k.placeGang, col, new Int32Array(4).fill(8), knobs)).toEqual([{ status: 0, tier: 1, cost: 100, bw: 300_000, base: 200 }, [0, 1, 2, 3]]);
    }
  });

  it('sums capacity in 64 bits inside long runs of unlimited slots', () => {
    // 12 candidates on one leaf with slots 0x7fffffff: Σ slots = 12 · (2³¹ − 1) overflows i32, but
    // the leaf still holds 12 members × 8 GPUs (one per node: 12 · 8 = 96 = Σ free).
    // Expected: tier 1 (leaf), cost 100, bw = cum[0] = 200,000, base Σ 0..11 = 66.
    const rows: Cand[] = Array.from({ length: 12 }, (_, i) => ({ site: 0, spine: 0, leaf: 0, free: 8, slots: 0x7fffffff, base: i, cum: [200_000, 100_000, 100_000, 100_000], deg: 0 }));
    const col = columns(rows);
    const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 0 };
    for (const k of [wasm, ref]) {
      const [key, out] = run(k.placeGang, col, new Int32Array(12).fill(8), knobs);
      expect(key).toEqual({ status: 0, tier: 1, cost: 100, bw: 200_000, base: 66 });
      // Highest base first: members 0..11 on candidates 11, 10, …, 0.
      expect(out).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    }
  });
});

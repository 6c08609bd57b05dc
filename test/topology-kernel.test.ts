import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReferenceTopologyKernels, createWasmTopologyKernels } from '../src/core/topology.js';
import type { GangColumns } from '../src/reference/topology.js';

const wasm = createWasmTopologyKernels();
const ref = createReferenceTopologyKernels();

describe('topology kernel equals its TypeScript twin', () => {
  it('bestDeviceSet on random matrices, exact (≤ 16 free) and greedy (> 16 free) paths', () => {
    // Invariant: same status, same key, same chosen indices, for n up to 24 (greedy above 16 free).
    const arb = fc.integer({ min: 1, max: 24 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        k: fc.integer({ min: 1, max: Math.min(n, 8) }),
        cls: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n * n, maxLength: n * n }),
        bw: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n * n, maxLength: n * n }),
        lat: fc.array(fc.integer({ min: 0, max: 1 << 20 }), { minLength: n * n, maxLength: n * n }),
        free: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(arb, (x) => {
        const n = x.n;
        const cls = new Uint8Array(n * n);
        const bw = new Int32Array(n * n);
        const lat = new Int32Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          const a = Math.min(i, j) * n + Math.max(i, j); // symmetric, from the upper triangle
          cls[i * n + j] = x.cls[a];
          bw[i * n + j] = x.bw[a] * 50_000;
          lat[i * n + j] = x.lat[a];
        }
        const free = Uint8Array.from(x.free, (v) => (v > 0 ? 1 : 0));
        const o1 = new Int32Array(x.k);
        const o2 = new Int32Array(x.k);
        const r1 = wasm.bestDeviceSet(n, x.k, cls, bw, lat, free, o1);
        const r2 = ref.bestDeviceSet(n, x.k, cls, bw, lat, free, o2);
        expect(r1).toEqual(r2);
        if (r1.status === 0) expect(Array.from(o1)).toEqual(Array.from(o2));
      }),
      { numRuns: 300 },
    );
  });

  it('placeGang on random sorted candidate columns', () => {
    // Invariant: same status, key (tier, cost, bw, base) and member→candidate assignment.
    const cand = fc.record({
      site: fc.integer({ min: 0, max: 2 }),
      spine: fc.integer({ min: 0, max: 2 }),
      leaf: fc.integer({ min: -1, max: 3 }),
      free: fc.integer({ min: 0, max: 8 }),
      slots: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(0x7fffffff)),
      base: fc.integer({ min: 0, max: 100 }),
      cum: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
      deg: fc.integer({ min: 0, max: 31 }),
    });
    const arb = fc.record({
      cands: fc.array(cand, { minLength: 0, maxLength: 40 }),
      demand: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 8 }),
      maxTier: fc.integer({ min: 0, max: 4 }),
      softTier: fc.integer({ min: 0, max: 4 }),
      softPenalty: fc.integer({ min: 0, max: 300 }),
      degradedPenalty: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(arb, (x) => {
        // Nest ids as the TypeScript layer does: leaf determines spine, spine determines site;
        // leaf −1 (isolated) has spine and site −1.
        const rows = x.cands.map((c) => {
          const iso = c.leaf < 0;
          const spine = iso ? -1 : c.site * 10 + c.spine;
          return { ...c, leaf: iso ? -1 : spine * 10 + c.leaf, spine, site: iso ? -1 : c.site };
        });
        rows.sort((a, b) => a.site - b.site || a.spine - b.spine || a.leaf - b.leaf);
        const col: GangColumns = {
          leaf: Int32Array.from(rows, (r) => r.leaf),
          spine: Int32Array.from(rows, (r) => r.spine),
          site: Int32Array.from(rows, (r) => r.site),
          free: Int32Array.from(rows, (r) => r.free),
          slots: Int32Array.from(rows, (r) => r.slots),
          base: Int32Array.from(rows, (r) => r.base),
          cum: Int32Array.from(rows.flatMap((r) => r.cum.map((v) => v * 100_000))),
          deg: Int32Array.from(rows, (r) => r.deg),
        };
        const demand = Int32Array.from([...x.demand].sort((a, b) => b - a));
        const knobs = { maxTier: x.maxTier, softTier: x.softTier, softPenalty: x.softPenalty, degradedPenalty: x.degradedPenalty };
        const o1 = new Int32Array(demand.length);
        const o2 = new Int32Array(demand.length);
        const r1 = wasm.placeGang(rows.length, col, demand.length, demand, knobs, o1);
        const r2 = ref.placeGang(rows.length, col, demand.length, demand, knobs, o2);
        expect(r1).toEqual(r2);
        if (r1.status === 0) expect(Array.from(o1)).toEqual(Array.from(o2));
      }),
      { numRuns: 400 },
    );
  });

  it('both reject unsorted candidates and bad sizes with the same status', () => {
    const col: GangColumns = {
      leaf: Int32Array.from([5, 1]), spine: Int32Array.from([1, 1]), site: Int32Array.from([0, 0]), free: Int32Array.from([8, 8]),
      slots: Int32Array.from([1, 1]), base: new Int32Array(2), cum: new Int32Array(8), deg: new Int32Array(2),
    };
    const knobs = { maxTier: 4, softTier: 4, softPenalty: 0, degradedPenalty: 0 };
    for (const k of [wasm, ref]) {
      expect(k.placeGang(2, col, 1, Int32Array.from([1]), knobs, new Int32Array(1)).status).toBe(3);
      expect(k.placeGang(2, col, 0, new Int32Array(0), knobs, new Int32Array(0)).status).toBe(2);
      expect(k.bestDeviceSet(2, 3, new Uint8Array(4), new Int32Array(4), new Int32Array(4), new Uint8Array(2), new Int32Array(3)).status).toBe(2);
    }
  });
});

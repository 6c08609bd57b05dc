import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReferenceTopologyKernels, createWasmTopologyKernels } from '../src/core/topology.js';
import { chooseDeviceSet, deviceMatrix } from '../src/topology/devices.js';
import { createTopology } from '../src/topology/graph.js';
import { updateLink } from '../src/topology/links.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/topology/${name}`, import.meta.url), 'utf8'));
const kernels = [createWasmTopologyKernels(), createReferenceTopologyKernels()];

// dgx-8gpu.json: node n1, NUMA 0 = PCIe switches 0, 1 (GPUs 0-3), NUMA 1 = switches 2, 3 (GPUs 4-7),
// two per switch; NVLink ×4 lanes (4 × 200 = 800 Gbps, 1 µs) full mesh in {0-3} and {4-7}.
// pcie-8gpu.json: node p1, the same without NVLink. PCIe 256 Gbps, 2 µs per hop; SMP 1 µs.
describe.each(kernels)('device sets on hand-made nodes ($impl)', (k) => {
  it('asks for 4 of 8 → one NVLink island (lowest indices on a tie)', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    const c = chooseDeviceSet(g, 'n1', 4, undefined, k)!;
    // Both islands: class 0, bottleneck 800 Gbps, 6 pairs × 1 µs = 6 µs → tie → {0,1,2,3}.
    expect(c.devices).toEqual(['n1/gpu0', 'n1/gpu1', 'n1/gpu2', 'n1/gpu3']);
    expect(c.affinity).toBe('island');
    expect(c.bottleneckGbps).toBe(800);
    expect(c.latencySumUs).toBe(6);
    // gpu1 busy: island 0 has 3 free, island 1 has 4 → {4,5,6,7}.
    const d = chooseDeviceSet(g, 'n1', 4, ['gpu0', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7'], k)!;
    expect(d.indices).toEqual([4, 5, 6, 7]);
  });
  it('prefers an island pair over a cross-socket pair and reports the cross-socket bottleneck', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    // Free {0, 4, 6}: (0,4) and (0,6) cross sockets (class 3); (4,6) share island 1 (class 0).
    expect(chooseDeviceSet(g, 'n1', 2, ['gpu0', 'gpu4', 'gpu6'], k)!.indices).toEqual([4, 6]);
    // All 8: worst pair crosses sockets: gpu0 –PCIe 256– pcie0 –256– numa0 –SMP 400– numa1 –256– pcie2 –256– gpu4 → 256 Gbps.
    const all = chooseDeviceSet(g, 'n1', 8, undefined, k)!;
    expect(all.affinity).toBe('cross-socket');
    expect(all.bottleneckGbps).toBe(256);
  });
  it('on a PCIe-only node: same switch < same NUMA < cross-socket', () => {
    const g = createTopology(fixture('pcie-8gpu.json'));
    // Free {0,2,3}: (2,3) share pcie1 → class 1, gpu2 –2 µs– pcie1 –2 µs– gpu3 = 4 µs.
    const a = chooseDeviceSet(g, 'p1', 2, ['gpu0', 'gpu2', 'gpu3'], k)!;
    expect([a.indices, a.affinity, a.latencySumUs]).toEqual([[2, 3], 'pcie-switch', 4]);
    // Free {0,2,4}: (0,2) share numa0 → class 2, 2 + 2 + 2 + 2 = 8 µs; (0,4) and (2,4) cross sockets.
    const b = chooseDeviceSet(g, 'p1', 2, ['gpu0', 'gpu2', 'gpu4'], k)!;
    expect([b.indices, b.affinity, b.latencySumUs]).toEqual([[0, 2], 'numa', 8]);
    expect(chooseDeviceSet(g, 'p1', 4, ['gpu0', 'gpu2', 'gpu4'], k)).toBeUndefined();
  });
  it('never uses a down link: traffic reroutes, classes follow', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    updateLink(g, 'n1/gpu0', 'n1/gpu1', { state: 'down' });
    // gpu0–gpu1 down: rerouted gpu0 → gpu2 → gpu1, still island, 800 Gbps, 1 + 1 = 2 µs.
    const a = chooseDeviceSet(g, 'n1', 2, ['gpu0', 'gpu1'], k)!;
    expect([a.affinity, a.bottleneckGbps, a.latencySumUs]).toEqual(['island', 800, 2]);
    expect(g.path('n1/gpu0', 'n1/gpu1')!.vertices).toEqual(['n1/gpu0', 'n1/gpu2', 'n1/gpu1']);
    for (const o of ['n1/gpu2', 'n1/gpu3']) updateLink(g, 'n1/gpu0', o, { state: 'down' });
    // gpu0 has no NVLink left: {0,1,2,3} worst pair (0,2) = same NUMA (class 2), so {4,5,6,7} (class 0) wins.
    expect(chooseDeviceSet(g, 'n1', 4, undefined, k)!.indices).toEqual([4, 5, 6, 7]);
    const b = chooseDeviceSet(g, 'n1', 4, ['gpu0', 'gpu1', 'gpu2', 'gpu3'], k)!;
    expect(b.affinity).toBe('numa');
  });
  it('rejects unknown devices by position', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    expect(() => chooseDeviceSet(g, 'n1', 2, ['gpu0', 'gpu9'], k)).toThrow(/free\[1\]/);
  });
});

describe('device matrix cache', () => {
  it('re-derives only after a link of that node changes', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    const m1 = deviceMatrix(g, 'n1');
    expect(deviceMatrix(g, 'n1')).toBe(m1);
    updateLink(g, 'n1/gpu4', 'n1/gpu5', { state: 'degraded' });
    const m2 = deviceMatrix(g, 'n1');
    expect(m2).not.toBe(m1);
    // gpu4–gpu5 degraded: 800 × ½ = 400 Gbps direct, but gpu4 → gpu6 → gpu5 keeps 800: widest = 800.
    expect(m2.bw[4 * 8 + 5]).toBe(800_000);
    // Latency of that 2-hop path: 1 + 1 µs = 2000 ns.
    expect(m2.lat[4 * 8 + 5]).toBe(2000);
  });
});

/** Brute force: every k-subset of free devices in lexicographic order, keep the strictly best key. */
function bruteForce(n: number, k: number, cls: Uint8Array, bw: Int32Array, lat: Int32Array, free: Uint8Array): { set: number[]; key: [number, number, number] } | undefined {
  const f = [...Array(n).keys()].filter((i) => free[i]);
  let best: { set: number[]; key: [number, number, number] } | undefined;
  const rec = (start: number, set: number[]): void => {
    if (set.length === k) {
      let c = 0;
      let b = 0x7fffffff;
      let l = 0;
      for (let x = 0; x < k; x++) for (let y = x + 1; y < k; y++) {
        const i = set[x] * n + set[y];
        if (cls[i] >= 4) return;
        c = Math.max(c, cls[i]);
        b = Math.min(b, bw[i]);
        l += lat[i];
      }
      if (!best || c < best.key[0] || (c === best.key[0] && (b > best.key[1] || (b === best.key[1] && l < best.key[2])))) best = { set: [...set], key: [c, b, l] };
      return;
    }
    for (let p = start; p < f.length; p++) rec(p + 1, [...set, f[p]]);
  };
  rec(0, []);
  return best;
}

const matrixArb = (maxN: number) =>
  fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      k: fc.integer({ min: 1, max: n }),
      pairs: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 5000 })), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }),
      free: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    }),
  );

function toColumns(x: { n: number; pairs: [number, number, number][]; free: boolean[] }) {
  const { n } = x;
  const cls = new Uint8Array(n * n);
  const bw = new Int32Array(n * n);
  const lat = new Int32Array(n * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    bw[i * n + i] = 0x7fffffff;
    for (let j = i + 1; j < n; j++) {
      const [c, b, l] = x.pairs[p++];
      cls[i * n + j] = cls[j * n + i] = c;
      // Few distinct bandwidths (×100 Gbps) so that ties on class and bandwidth are common.
      bw[i * n + j] = bw[j * n + i] = b * 100_000;
      lat[i * n + j] = lat[j * n + i] = l;
    }
  }
  return { cls, bw, lat, free: Uint8Array.from(x.free, (b) => (b ? 1 : 0)) };
}

describe('device sets are optimal', () => {
  it('equal brute force on random nodes of ≤ 9 devices (both implementations)', () => {
    // Invariant: the exact search returns the lexicographically first set with the best
    // (class asc, bottleneck desc, latency-sum asc) key; no set is returned when none is valid.
    fc.assert(
      fc.property(matrixArb(9), (x) => {
        const { cls, bw, lat, free } = toColumns(x);
        const want = bruteForce(x.n, x.k, cls, bw, lat, free);
        for (const k of kernels) {
          const out = new Int32Array(x.k);
          const r = k.bestDeviceSet(x.n, x.k, cls, bw, lat, free, out);
          if (!want) expect(r.status).toBe(1);
          else {
            expect(r.status).toBe(0);
            expect([r.cls, r.bw, r.lat]).toEqual(want.key);
            expect(Array.from(out)).toEqual(want.set);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('device sets on random node graphs', () => {
  it('never pair devices that only a down link would join, and match brute force on the derived matrix', () => {
    // Invariant: every pair in the chosen set has a path inside the node over links that are not
    // down; when some k-set of mutually reachable devices exists, one is returned, with the
    // brute-force best key over the node's derived matrix.
    const arb = fc.record({
      n: fc.integer({ min: 2, max: 6 }),
      k: fc.integer({ min: 1, max: 4 }),
      pcie: fc.array(fc.constantFrom('up', 'degraded', 'down'), { minLength: 6, maxLength: 6 }),
      nv: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom('up', 'degraded', 'down')), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(arb, (x) => {
        const vertices: { id: string; kind: 'node' | 'numa' | 'pcie-switch' | 'device' }[] = [{ id: 'h', kind: 'node' }, { id: 'h/numa0', kind: 'numa' }];
        const links: { a: string; b: string; type: 'nvlink' | 'pcie' | 'pcie-host-bridge'; state: 'up' | 'degraded' | 'down' }[] = [];
        for (let s = 0; s < 3; s++) {
          vertices.push({ id: `h/sw${s}`, kind: 'pcie-switch' });
          links.push({ a: 'h/numa0', b: `h/sw${s}`, type: 'pcie-host-bridge', state: 'up' });
        }
        for (let i = 0; i < x.n; i++) {
          vertices.push({ id: `h/d${i}`, kind: 'device' });
          links.push({ a: `h/sw${i >> 1}`, b: `h/d${i}`, type: 'pcie', state: x.pcie[i] as 'up' });
        }
        for (const [a, b, st] of x.nv) if (a < x.n && b < x.n && a !== b) links.push({ a: `h/d${a}`, b: `h/d${b}`, type: 'nvlink', state: st as 'up' });
        const g = createTopology({ vertices, links });
        const k = Math.min(x.k, x.n);
        const c = chooseDeviceSet(g, 'h', k);
        const m = deviceMatrix(g, 'h');
        const want = bruteForce(m.n, k, m.cls, m.bw, m.lat, new Uint8Array(m.n).fill(1));
        if (!want) {
          expect(c).toBeUndefined();
          return;
        }
        expect(c).toBeDefined();
        expect(c!.indices).toEqual(want.set);
        for (let a = 0; a < c!.devices.length; a++) for (let b = a + 1; b < c!.devices.length; b++) {
          const p = g.path(c!.devices[a], c!.devices[b], { withinNode: 'h' });
          expect(p).toBeDefined();
          for (const l of p!.links) expect(g.link(l).state).not.toBe('down');
        }
      }),
      { numRuns: 200 },
    );
  });
});

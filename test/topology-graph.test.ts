import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { fabricOf, tierBetween } from '../src/topology/fabric.js';
import { createTopology } from '../src/topology/graph.js';
import { updateLink } from '../src/topology/links.js';
import { hetpoolErrorOf } from './helpers/errors.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/topology/${name}`, import.meta.url), 'utf8'));


describe('createTopology validation', () => {
  const v = [{ id: 'a', kind: 'node' }, { id: 'b', kind: 'node' }];
  it('names the unknown endpoint of a link', () => {
    const e = hetpoolErrorOf(() => createTopology({ vertices: v, links: [{ a: 'a', b: 'b', type: 'ethernet' }, { a: 'a', b: 'zz', type: 'ethernet' }] }));
    expect(e.code).toBe('invalid-input');
    expect(e.path).toBe('links[1].b');
    expect(e.message).toContain('"zz"');
  });
  it('names a schema violation, a duplicate vertex and a self-loop', () => {
    expect(hetpoolErrorOf(() => createTopology({ vertices: v, links: [{ a: 'a', b: 'b', type: 'ethernet', bandwidthGbps: -1 }] })).path).toBe('links[0].bandwidthGbps');
    expect(hetpoolErrorOf(() => createTopology({ vertices: [...v, { id: 'a', kind: 'switch' }], links: [] })).path).toBe('vertices[2].id');
    expect(hetpoolErrorOf(() => createTopology({ vertices: v, links: [{ a: 'a', b: 'a', type: 'ethernet' }] })).path).toBe('links[0].b');
    expect(hetpoolErrorOf(() => createTopology({ vertices: v, links: [{ a: 'a', b: 'b', type: 'carrier-pigeon' }] })).path).toBe('links[0].type');
  });
});

describe('paths', () => {
  // A–B–D: 10 Gbps, 1 µs each. A–C–D: 100 Gbps, 5 µs each. A–E–D: 100 Gbps, 3 µs each.
  const g = createTopology({
    vertices: ['A', 'B', 'C', 'D', 'E'].map((id) => ({ id, kind: 'switch' })),
    links: [
      { a: 'A', b: 'B', type: 'ethernet', bandwidthGbps: 10, latencyUs: 1 },
      { a: 'B', b: 'D', type: 'ethernet', bandwidthGbps: 10, latencyUs: 1 },
      { a: 'A', b: 'C', type: 'ethernet', bandwidthGbps: 100, latencyUs: 5 },
      { a: 'C', b: 'D', type: 'ethernet', bandwidthGbps: 100, latencyUs: 5 },
      { a: 'A', b: 'E', type: 'ethernet', bandwidthGbps: 100, latencyUs: 3 },
      { a: 'E', b: 'D', type: 'ethernet', bandwidthGbps: 100, latencyUs: 3 },
    ],
  });
  it('takes the widest path, then the least latency among the widest', () => {
    // Widest bottleneck A→D = 100 (via C or E, not B's 10). Among those: E = 3 + 3 = 6 µs < C = 10 µs.
    const p = g.path('A', 'D')!;
    expect(p.vertices).toEqual(['A', 'E', 'D']);
    expect(p.bottleneckGbps).toBe(100);
    expect(p.latencyUs).toBe(6);
    expect(p.hops).toBe(2);
  });
  it('never uses a down link and halves a degraded one', () => {
    updateLink(g, 'E', 'D', { state: 'down' });
    // E–D down: widest is A–C–D, 100 Gbps, 5 + 5 = 10 µs.
    expect(g.path('A', 'D')!.vertices).toEqual(['A', 'C', 'D']);
    updateLink(g, 'C', 'D', { state: 'degraded' });
    // C–D degraded: 100 × ½ = 50 Gbps, latency 5 × 2 = 10 µs. Widest still via C (50 > 10): 5 + 10 = 15 µs.
    const p = g.path('A', 'D')!;
    expect(p.bottleneckGbps).toBe(50);
    expect(p.latencyUs).toBe(15);
    updateLink(g, 'C', 'D', { state: 'down' });
    // Only A–B–D remains: 10 Gbps, 2 µs.
    expect(g.path('A', 'D')!.vertices).toEqual(['A', 'B', 'D']);
    updateLink(g, 'B', 'D', { state: 'down' });
    expect(g.path('A', 'D')).toBeUndefined();
  });
  it('scales bandwidth by (1 − loss)', () => {
    const h = createTopology({ vertices: [{ id: 'x', kind: 'switch' }, { id: 'y', kind: 'switch' }], links: [{ a: 'x', b: 'y', type: 'ethernet', bandwidthGbps: 100, loss: 0.1 }] });
    // 100 × (1 − 0.1) = 90 Gbps.
    expect(h.path('x', 'y')!.bottleneckGbps).toBe(90);
  });
  it('finds node-to-node paths across the two-rack fabric', () => {
    const t = createTopology(fixture('two-rack.json'));
    // a1 –nic 256 Gbps 2 µs– a1/mlx5_0 –IB 400, 1– leaf-a –1600, 1– spine-1 –1600, 1– leaf-b –400, 1– b1/mlx5_0 –256, 2– b1
    const p = t.path('a1', 'b1')!;
    expect(p.hops).toBe(6);
    expect(p.bottleneckGbps).toBe(256);
    expect(p.latencyUs).toBe(2 + 1 + 1 + 1 + 1 + 2);
    expect(hetpoolErrorOf(() => t.path('a1', 'nope')).path).toBe('to');
  });
});

describe('tiers', () => {
  // east: spine S1 over leaves L1, L2; spine S2 over L3. west: spine S3 over L4. n6 has no links.
  const g = createTopology({
    vertices: [
      { id: 'site:east', kind: 'site' }, { id: 'site:west', kind: 'site' },
      { id: 'S1', kind: 'switch', tier: 1 }, { id: 'S2', kind: 'switch', tier: 1 }, { id: 'S3', kind: 'switch', tier: 1 },
      ...['L1', 'L2', 'L3', 'L4'].map((id) => ({ id, kind: 'switch' as const, tier: 0 })),
      ...['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map((id) => ({ id, kind: 'node' as const })),
    ],
    links: [
      { a: 'S1', b: 'site:east', type: 'ethernet' }, { a: 'S2', b: 'site:east', type: 'ethernet' }, { a: 'S3', b: 'site:west', type: 'ethernet' },
      { a: 'site:east', b: 'site:west', type: 'wan' },
      { a: 'L1', b: 'S1', type: 'ethernet' }, { a: 'L2', b: 'S1', type: 'ethernet' }, { a: 'L3', b: 'S2', type: 'ethernet' }, { a: 'L4', b: 'S3', type: 'ethernet' },
      { a: 'n1', b: 'L1', type: 'ethernet' }, { a: 'n2', b: 'L1', type: 'ethernet' }, { a: 'n3', b: 'L2', type: 'ethernet' },
      { a: 'n4', b: 'L3', type: 'ethernet' }, { a: 'n5', b: 'L4', type: 'ethernet' },
    ],
  });
  it('orders node < leaf < spine < site < cross-site < unreachable', () => {
    const f = fabricOf(g);
    const i = (n: string): number => f.indexOf.get(n)!;
    expect(tierBetween(f, i('n1'), i('n1'))).toBe(0);
    expect(tierBetween(f, i('n1'), i('n2'))).toBe(1);
    expect(tierBetween(f, i('n1'), i('n3'))).toBe(2);
    expect(tierBetween(f, i('n1'), i('n4'))).toBe(3);
    expect(tierBetween(f, i('n1'), i('n5'))).toBe(4);
    expect(tierBetween(f, i('n1'), i('n6'))).toBe(5);
    expect(f.names.site[i('n5')]).toBe('site:west');
  });
  it('computes uplink bandwidth per tier and re-derives after a link change', () => {
    const f = fabricOf(g);
    const n1 = f.indexOf.get('n1')!;
    // Ethernet default 100 Gbps = 100,000 Mbps at every level; the site WAN (10 Gbps) limits tier 4.
    expect(Array.from(f.cum.subarray(n1 * 4, n1 * 4 + 4))).toEqual([100_000, 100_000, 100_000, 10_000]);
    updateLink(g, 'L1', 'S1', { state: 'degraded' });
    const f2 = fabricOf(g);
    expect(f2).not.toBe(f);
    // L1→S1 degraded: 100 × ½ = 50 Gbps from tier 2 up; degraded bits for tiers 2, 3, 4.
    expect(Array.from(f2.cum.subarray(n1 * 4, n1 * 4 + 4))).toEqual([100_000, 50_000, 50_000, 10_000]);
    expect(f2.degMask[n1]).toBe(0b11100);
    updateLink(g, 'n2', 'L1', { state: 'down' });
    const f3 = fabricOf(g);
    expect(tierBetween(f3, f3.indexOf.get('n1')!, f3.indexOf.get('n2')!)).toBe(5);
  });
});

describe('path search against brute force', () => {
  it('finds the widest bottleneck and, among the widest, the least latency, never using down links', () => {
    // Invariant: over all simple paths that avoid down links, the returned bottleneck is the max of
    // the min effective bandwidth, the returned latency is the min total latency among paths with
    // that bottleneck, and the returned path itself avoids down links and has those values.
    const link = fc.record({
      a: fc.integer({ min: 0, max: 5 }),
      b: fc.integer({ min: 0, max: 5 }),
      bw: fc.integer({ min: 1, max: 4 }),
      lat: fc.integer({ min: 1, max: 9 }),
      state: fc.constantFrom('up', 'up', 'degraded', 'down'),
    });
    fc.assert(
      fc.property(fc.array(link, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (ls, s, t) => {
        const links = ls.filter((l) => l.a !== l.b).map((l) => ({ a: `v${l.a}`, b: `v${l.b}`, type: 'ethernet' as const, bandwidthGbps: l.bw * 10, latencyUs: l.lat, state: l.state }));
        const g = createTopology({ vertices: [0, 1, 2, 3, 4, 5].map((i) => ({ id: `v${i}`, kind: 'switch' as const })), links });
        // Effective values per link, by the documented factors: degraded = bandwidth ½, latency × 2.
        const eff = links.map((l) => ({ bw: l.state === 'degraded' ? l.bandwidthGbps / 2 : l.bandwidthGbps, lat: l.state === 'degraded' ? l.latencyUs * 2 : l.latencyUs }));
        let bestBw = -1;
        let bestLat = Infinity;
        const seen = new Set<string>([`v${s}`]);
        const dfs = (v: string, bw: number, lat: number): void => {
          if (v === `v${t}`) {
            if (bw > bestBw || (bw === bestBw && lat < bestLat)) {
              bestBw = bw;
              bestLat = lat;
            }
            return;
          }
          links.forEach((l, i) => {
            if (l.state === 'down') return;
            const w = l.a === v ? l.b : l.b === v ? l.a : undefined;
            if (!w || seen.has(w)) return;
            seen.add(w);
            dfs(w, Math.min(bw, eff[i].bw), lat + eff[i].lat);
            seen.delete(w);
          });
        };
        dfs(`v${s}`, Infinity, 0);
        const p = g.path(`v${s}`, `v${t}`);
        if (bestBw < 0) {
          expect(p).toBeUndefined();
          return;
        }
        expect(p).toBeDefined();
        expect(p!.bottleneckGbps).toBe(bestBw);
        expect(p!.latencyUs).toBe(bestLat);
        for (const i of p!.links) expect(links[i].state).not.toBe('down');
      }),
      { numRuns: 300 },
    );
  });
});

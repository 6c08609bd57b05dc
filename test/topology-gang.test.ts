import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReferenceTopologyKernels, createWasmTopologyKernels } from '../src/core/topology.js';
import { HetpoolError } from '../src/model/errors.js';
import { placeGangOnTopology, tierOfNodes } from '../src/topology/gang.js';
import { generateFabric } from '../src/topology/generate.js';
import { createTopology } from '../src/topology/graph.js';
import { updateLink } from '../src/topology/links.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/topology/${name}`, import.meta.url), 'utf8'));
const kernels = [createWasmTopologyKernels(), createReferenceTopologyKernels()];
const free8 = (...nodes: string[]) => nodes.map((node) => ({ node, freeDevices: 8 }));

// two-rack.json: leaf-a over a1..a4, leaf-b over b1..b4, both under spine-1 (1600 Gbps each),
// each node one NIC with a 400 Gbps InfiniBand link to its leaf.
describe.each(kernels)('gang placement on the two-rack fabric ($impl)', (k) => {
  it('3 nodes × 8 GPUs with one free on rack A and three on rack B → rack B', () => {
    const g = createTopology(fixture('two-rack.json'));
    const r = placeGangOnTopology(g, { members: { count: 3, devices: 8 } }, free8('a1', 'b1', 'b2', 'b3'), k);
    expect(r.status).toBe('placed');
    if (r.status !== 'placed') return;
    expect(r.nodes.sort()).toEqual(['b1', 'b2', 'b3']);
    // Same leaf: tier 1, cost 100 · 1 = 100, bottleneck = NIC→leaf 400 Gbps.
    expect([r.tier, r.tierName, r.cost, r.bottleneckGbps]).toEqual([1, 'leaf', 100, 400]);
  });
  it('never uses a down link: b2 cut off → a1, b1, b3 across the spine', () => {
    const g = createTopology(fixture('two-rack.json'));
    updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'down' });
    const r = placeGangOnTopology(g, { members: { count: 3, devices: 8 } }, free8('a1', 'b1', 'b2', 'b3'), k);
    if (r.status !== 'placed') throw new Error(r.reason);
    // Rack B has 2 reachable nodes (16 GPUs < 24): the gang spans the spine, tier 2, cost 200;
    // bottleneck min(400 node uplink, 1600 leaf uplink) = 400.
    expect(r.nodes.sort()).toEqual(['a1', 'b1', 'b3']);
    expect([r.tier, r.cost, r.bottleneckGbps]).toEqual([2, 200, 400]);
    // Hard constraint within a leaf: impossible now.
    const h = placeGangOnTopology(g, { members: { count: 3, devices: 8 }, maxTier: 'leaf' }, free8('a1', 'b1', 'b2', 'b3'), k);
    expect(h.status).toBe('unschedulable');
    // A single-member gang may still use b2 alone (tier 0 needs no network).
    const one = placeGangOnTopology(g, { members: [{ devices: 8 }] }, free8('b2'), k);
    expect(one.status === 'placed' && one.nodes).toEqual(['b2']);
  });
  it('packs members on one node first (tier 0) and respects maxMembers', () => {
    const g = createTopology(fixture('two-rack.json'));
    // 4 members × 2 GPUs = 8 = a1's free GPUs → tier 0 on a1; bottleneck unlimited.
    const r = placeGangOnTopology(g, { members: { count: 4, devices: 2 } }, free8('a1', 'a2'), k);
    expect(r.status === 'placed' && [r.nodes, r.tier, r.bottleneckGbps]).toEqual([['a1'], 0, Infinity]);
    // At most 2 members per node → two nodes on leaf-a, tier 1.
    const s = placeGangOnTopology(g, { members: { count: 4, devices: 2 } }, [{ node: 'a1', freeDevices: 8, maxMembers: 2 }, { node: 'a2', freeDevices: 8, maxMembers: 2 }], k);
    expect(s.status === 'placed' && [s.nodes.sort(), s.tier]).toEqual([['a1', 'a2'], 1]);
  });
  it('composes with a base score (binpack/spread) among equal topology', () => {
    const g = createTopology(fixture('two-rack.json'));
    const cands = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'].map((node) => ({ node, freeDevices: 8, baseScore: node === 'b3' ? 90 : 10 }));
    // Both racks give tier 1 and 400 Gbps; Σ base: rack A 10 + 10 = 20, rack B 90 + 10 = 100 → b3 + b1.
    const r = placeGangOnTopology(g, { members: { count: 2, devices: 8 } }, cands, k);
    expect(r.status === 'placed' && [r.nodes.sort(), r.baseSum]).toEqual([['b1', 'b3'], 100]);
  });
  it('penalises degraded uplinks; soft constraints trade against them', () => {
    const g = createTopology(fixture('two-rack.json'));
    for (const n of ['a1', 'a2']) updateLink(g, `${n}/mlx5_0`, 'leaf-a', { state: 'degraded' });
    const cands = free8('a1', 'a2', 'a3', 'b1');
    // Rack A: a3 (400 Gbps) first, then a1 (degraded, 400 × ½ = 200): cost 100 + 50 = 150, 200 Gbps.
    // Spine: a3 + b1: cost 200. Leaf wins with the default degradedPenalty 50.
    const r = placeGangOnTopology(g, { members: { count: 2, devices: 8 } }, cands, k);
    expect(r.status === 'placed' && [r.nodes.sort(), r.cost, r.bottleneckGbps]).toEqual([['a1', 'a3'], 150, 200]);
    // degradedPenalty 150: leaf = 100 + 150 = 250 > spine 200 → a3 + b1.
    const s = placeGangOnTopology(g, { members: { count: 2, devices: 8 }, degradedPenalty: 150 }, cands, k);
    expect(s.status === 'placed' && [s.nodes.sort(), s.cost]).toEqual([['a3', 'b1'], 200]);
    // Soft "stay within a leaf" worth 100: spine = 200 + 100 = 300 > leaf 250 → back to a1 + a3.
    const t = placeGangOnTopology(g, { members: { count: 2, devices: 8 }, degradedPenalty: 150, soft: { tier: 'leaf', penalty: 100 } }, cands, k);
    expect(t.status === 'placed' && [t.nodes.sort(), t.cost]).toEqual([['a1', 'a3'], 250]);
  });
});

describe('gang placement with device sets', () => {
  it('chooses NVLink islands inside each node of a generated fabric', () => {
    // 64 nodes, racks of 32 → 2 leaves, 2 spines; 8 GPUs per node in islands {0-3}, {4-7}.
    const fab = generateFabric({ nodes: 64, spines: 2 });
    const g = createTopology(fab.topology);
    const cands = fab.nodes.map((n, i) => ({ node: n.id, freeDevices: i === 40 ? 8 : 0 }));
    // 2 members × 4 GPUs: only node-00040 has GPUs → tier 0, one member per island.
    const r = placeGangOnTopology(g, { members: [{ id: 'w0', devices: 4 }, { id: 'w1', devices: 4 }] }, cands);
    if (r.status !== 'placed') throw new Error(r.reason);
    expect(r.tier).toBe(0);
    expect(r.members.map((m) => m.devices)).toEqual([
      ['node-00040/gpu0', 'node-00040/gpu1', 'node-00040/gpu2', 'node-00040/gpu3'],
      ['node-00040/gpu4', 'node-00040/gpu5', 'node-00040/gpu6', 'node-00040/gpu7'],
    ]);
  });
  it('rejects unknown and duplicate candidates by position, and bad requests by field', () => {
    const g = createTopology(fixture('two-rack.json'));
    const err = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        if (e instanceof HetpoolError) return e.path;
      }
      return 'no error';
    };
    expect(err(() => placeGangOnTopology(g, { members: { count: 1, devices: 1 } }, free8('a1', 'zz')))).toBe('candidates[1].node');
    expect(err(() => placeGangOnTopology(g, { members: { count: 1, devices: 1 } }, free8('a1', 'a1')))).toBe('candidates[1].node');
    expect(err(() => placeGangOnTopology(g, { members: [{ devices: -1 }] }, free8('a1')))).toBe('gang.members[0].devices');
    expect(err(() => placeGangOnTopology(g, { members: [{ devices: 1 }] }, [{ node: 'a1', freeDevices: 8 }, { node: 'a2', freeDevices: 1.5 }]))).toBe('candidates[1].freeDevices');
    expect(err(() => placeGangOnTopology(g, { members: [{ devices: 1 }] }, [{ node: 'a1', freeDevices: 8, baseScore: 101 }]))).toBe('candidates[0].baseScore');
    expect(err(() => placeGangOnTopology(g, { members: { count: 1, devices: 1 }, maxTier: 'galaxy' as 'leaf' }, free8('a1')))).toBe('gang.maxTier');
  });
});

describe('gang placement properties', () => {
  // Random 2-spine fabric of 4 leaves × 3 nodes; random free GPUs, random down uplinks.
  const arb = fc.record({
    free: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 12, maxLength: 12 }),
    down: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    count: fc.integer({ min: 1, max: 6 }),
    devices: fc.integer({ min: 0, max: 8 }),
    maxTier: fc.integer({ min: 0, max: 4 }),
  });
  const build = (down: boolean[]) => {
    const vertices: { id: string; kind: 'node' | 'switch' | 'site'; tier?: number }[] = [{ id: 'S0', kind: 'switch', tier: 1 }, { id: 'S1', kind: 'switch', tier: 1 }];
    const links: { a: string; b: string; type: 'ethernet'; state: 'up' | 'down' }[] = [];
    for (let l = 0; l < 4; l++) {
      vertices.push({ id: `L${l}`, kind: 'switch', tier: 0 });
      links.push({ a: `L${l}`, b: `S${l >> 1}`, type: 'ethernet', state: 'up' });
    }
    for (let i = 0; i < 12; i++) {
      vertices.push({ id: `n${i}`, kind: 'node' });
      links.push({ a: `n${i}`, b: `L${Math.floor(i / 3)}`, type: 'ethernet', state: down[i] ? 'down' : 'up' });
    }
    return createTopology({ vertices, links });
  };
  it('never violates the hard tier, capacity or down links, and finds the lowest feasible tier', () => {
    // Invariants: (1) every member's node had room (Σ devices ≤ free); (2) the tier spanned is
    // ≤ maxTier; (3) a multi-node gang never uses a node whose only uplink is down; (4) for a
    // uniform gang the tier equals the brute-force lowest tier at which some domain (node, leaf,
    // spine, all) has capacity Σ floor(free/d) ≥ count; unschedulable iff none ≤ maxTier.
    fc.assert(
      fc.property(arb, (x) => {
        const g = build(x.down);
        const cands = x.free.map((f, i) => ({ node: `n${i}`, freeDevices: f }));
        const r = placeGangOnTopology(g, { members: { count: x.count, devices: x.devices }, maxTier: x.maxTier, chooseDevices: false }, cands);
        const cap = (ids: number[]) => ids.reduce((s, i) => s + (x.devices === 0 ? x.count : Math.floor(x.free[i] / x.devices)), 0);
        const reach = [...Array(12).keys()].filter((i) => !x.down[i]);
        const domains: [number, number[][]][] = [
          [0, [...Array(12).keys()].map((i) => [i])],
          [1, [0, 1, 2, 3].map((l) => reach.filter((i) => Math.floor(i / 3) === l))],
          [2, [0, 1].map((s) => reach.filter((i) => Math.floor(i / 6) === s))],
          [3, [reach]],
        ];
        let want = -1;
        for (const [t, ds] of domains) if (want < 0 && t <= x.maxTier && ds.some((d) => cap(d) >= x.count)) want = t;
        if (want < 0) {
          expect(r.status).toBe('unschedulable');
          return;
        }
        if (r.status !== 'placed') throw new Error(`expected tier ${want}: ${r.reason}`);
        expect(r.tier).toBe(want);
        expect(r.tier).toBeLessThanOrEqual(x.maxTier);
        const used = new Map<string, number>();
        for (const m of r.members) used.set(m.node, (used.get(m.node) ?? 0) + x.devices);
        for (const [node, d] of used) expect(d).toBeLessThanOrEqual(x.free[Number(node.slice(1))]);
        if (used.size > 1) for (const node of used.keys()) expect(x.down[Number(node.slice(1))]).toBe(false);
        expect(tierOfNodes(g, r.nodes)).toBe(r.tier);
      }),
      { numRuns: 200 },
    );
  });
});

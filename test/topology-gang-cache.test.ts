import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReferenceTopologyKernels, createWasmTopologyKernels } from '../src/core/topology.js';
import { HetpoolError } from '../src/model/errors.js';
import { type GangCandidateInput, type GangRequestInput, placeGangOnTopology } from '../src/topology/gang.js';
import { generateFabric } from '../src/topology/generate.js';
import { createTopology } from '../src/topology/graph.js';
import { updateLink } from '../src/topology/links.js';

// placeGangOnTopology keeps the candidates' layout (order and fabric columns) per fabric view and
// candidate node list, and the WebAssembly binding keeps those columns in linear memory while
// the layout is the same. These tests change what the caches depend on — link state, the
// candidate list, the per-call fields, device-set calls in between — and expect the answer of a
// cold start every time.

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/topology/${name}`, import.meta.url), 'utf8'));
const kernels = [createWasmTopologyKernels(), createReferenceTopologyKernels()];
const pathOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof HetpoolError) return e.path;
    throw e;
  }
  return 'no error';
};

describe.each(kernels)('gang placement caches ($impl)', (k) => {
  it('a link going down after a placement is seen by the next call with the same candidates', () => {
    // two-rack.json: leaf-a over a1..a4, leaf-b over b1..b4 (400 Gbps NIC links), spine-1 above.
    const g = createTopology(fixture('two-rack.json'));
    const cands = ['a1', 'b1', 'b2', 'b3'].map((node) => ({ node, freeDevices: 8 }));
    const req = { members: { count: 3, devices: 8 } };
    const first = placeGangOnTopology(g, req, cands, k);
    // 3 × 8 GPUs fit rack B (b1, b2, b3): tier 1 (leaf), cost 100.
    expect(first.status === 'placed' && [first.nodes.sort(), first.tier, first.cost]).toEqual([['b1', 'b2', 'b3'], 1, 100]);
    updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'down' });
    const second = placeGangOnTopology(g, req, cands, k);
    // b2 is isolated now: rack B has 2 usable nodes, so a1 joins across the spine: tier 2, cost 200.
    expect(second.status === 'placed' && [second.nodes.sort(), second.tier, second.cost]).toEqual([['a1', 'b1', 'b3'], 2, 200]);
    updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'up' });
    const third = placeGangOnTopology(g, req, cands, k);
    expect(third.status === 'placed' && third.nodes.sort()).toEqual(['b1', 'b2', 'b3']);
  });

  it('avoidLinks is never answered from, nor stored in, the plain layout', () => {
    const g = createTopology(fixture('two-rack.json'));
    const cands = ['a1', 'b1', 'b2', 'b3'].map((node) => ({ node, freeDevices: 8 }));
    const req = { members: { count: 3, devices: 8 } };
    const plain = placeGangOnTopology(g, req, cands, k);
    expect(plain.status === 'placed' && plain.nodes.sort()).toEqual(['b1', 'b2', 'b3']);
    // Avoiding b2's only uplink isolates it, as the down link above: a1, b1, b3 at tier 2.
    const avoid = placeGangOnTopology(g, { ...req, avoidLinks: g.linksBetween('b2/mlx5_0', 'leaf-b') }, cands, k);
    expect(avoid.status === 'placed' && [avoid.nodes.sort(), avoid.tier]).toEqual([['a1', 'b1', 'b3'], 2]);
    expect(placeGangOnTopology(g, req, cands, k)).toEqual(plain);
  });

  it('changed free devices, base scores and node ids in the same array are seen', () => {
    const g = createTopology(fixture('two-rack.json'));
    const cands: GangCandidateInput[] = ['a1', 'a2', 'b1', 'b2'].map((node) => ({ node, freeDevices: 8 }));
    const req = { members: { count: 2, devices: 8 }, chooseDevices: false };
    // Both racks give tier 1 at 400 Gbps with base 0: the first found (rack A) wins.
    const r0 = placeGangOnTopology(g, req, cands, k);
    expect(r0.status === 'placed' && r0.nodes.sort()).toEqual(['a1', 'a2']);
    cands[1].freeDevices = 4; // a2 can no longer host a member: rack A holds 1 → rack B.
    const r1 = placeGangOnTopology(g, req, cands, k);
    expect(r1.status === 'placed' && r1.nodes.sort()).toEqual(['b1', 'b2']);
    cands[1].freeDevices = 8;
    cands[0].baseScore = 60; // rack A base Σ 60 + 0 = 60 > rack B 0 → rack A again.
    const r2 = placeGangOnTopology(g, req, cands, k);
    expect(r2.status === 'placed' && [r2.nodes.sort(), r2.baseSum]).toEqual([['a1', 'a2'], 60]);
    cands[1] = { node: 'b3', freeDevices: 8 }; // a2 replaced by b3: rack A has one node → rack B.
    const r3 = placeGangOnTopology(g, req, cands, k);
    expect(r3.status === 'placed' && r3.nodes.sort()).toEqual(['b1', 'b2']);
  });

  it('rejects bad fields, unknown keys and duplicates after a cached call, changing nothing', () => {
    const g = createTopology(fixture('two-rack.json'));
    const cands: GangCandidateInput[] = ['a1', 'a2', 'b1'].map((node) => ({ node, freeDevices: 8 }));
    const req = { members: { count: 2, devices: 8 }, chooseDevices: false };
    const good = placeGangOnTopology(g, req, cands, k);
    expect(good.status === 'placed' && good.nodes.sort()).toEqual(['a1', 'a2']);
    cands[2].freeDevices = 1.5;
    expect(pathOf(() => placeGangOnTopology(g, req, cands, k))).toBe('candidates[2].freeDevices');
    cands[2].freeDevices = 8;
    (cands[1] as Record<string, unknown>).gpus = 8;
    expect(pathOf(() => placeGangOnTopology(g, req, cands, k))).toBe('candidates[1].gpus');
    delete (cands[1] as Record<string, unknown>).gpus;
    cands[2] = { node: 'a1', freeDevices: 8 };
    expect(pathOf(() => placeGangOnTopology(g, req, cands, k))).toBe('candidates[2].node');
    cands[2] = { node: 'b1', freeDevices: 8 };
    // Field errors come before an unknown avoided link, which comes before node lookups.
    const noLink = { ...req, avoidLinks: [1_000_000] };
    cands[0].freeDevices = -1;
    expect(pathOf(() => placeGangOnTopology(g, noLink, cands, k))).toBe('candidates[0].freeDevices');
    cands[0].freeDevices = 8;
    cands[1] = { node: 'zz', freeDevices: 8 };
    expect(pathOf(() => placeGangOnTopology(g, noLink, cands, k))).toBe('gang.avoidLinks[0]');
    expect(pathOf(() => placeGangOnTopology(g, req, cands, k))).toBe('candidates[1].node');
    cands[1] = { node: 'a2', freeDevices: 8 };
    // The failed calls left nothing behind: the original answer again.
    const again = placeGangOnTopology(g, req, cands, k);
    expect(again).toEqual(good);
  });
});

describe('gang placement caches against a cold start', () => {
  // 64 nodes in 2 racks under 2 spines, 8 GPUs per node (so device sets are chosen too, which
  // re-uses the binding's memory between gang calls).
  const fab = generateFabric({ nodes: 64, spines: 2 });
  const g = createTopology(fab.topology);
  const ids = fab.nodes.map((n) => n.id);
  // Each node's first NIC uplink (a node has two; one down halves its bandwidth, both isolate it).
  const uplinks = ids.flatMap((id, i) => [0, 1].map((s) => [`${id}/mlx5_${s}`, `leaf-${Math.floor(i / 32)}`] as const));
  const step = fc.record({
    // which candidates (a random subset in random order), their free GPUs and base scores
    pick: fc.shuffledSubarray([...ids.keys()], { minLength: 1, maxLength: 64 }),
    free: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 64, maxLength: 64 }),
    base: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 64, maxLength: 64 }),
    same: fc.boolean(),
    link: fc.option(fc.record({ uplink: fc.integer({ min: 0, max: 127 }), state: fc.constantFrom('up', 'degraded', 'down') as fc.Arbitrary<'up' | 'degraded' | 'down'> })),
    count: fc.integer({ min: 1, max: 6 }),
    devices: fc.integer({ min: 1, max: 8 }),
    chooseDevices: fc.boolean(),
  });
  it('a sequence of calls with changing candidates and links gives the cold-start answers', () => {
    // Invariant: every call equals the same call on a fresh copy of the topology (same link
    // states), whose caches are empty; `same` re-uses the previous call's candidate list.
    const states = new Map<number, 'up' | 'degraded' | 'down'>();
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 6 }), (steps) => {
        let cands: GangCandidateInput[] = [];
        for (const s of steps) {
          if (!s.same || cands.length === 0) cands = s.pick.map((i) => ({ node: ids[i], freeDevices: s.free[i], baseScore: s.base[i] }));
          else cands.forEach((c, q) => {
            c.freeDevices = s.free[q];
            c.baseScore = s.base[q];
          });
          if (s.link) {
            updateLink(g, uplinks[s.link.uplink][0], uplinks[s.link.uplink][1], { state: s.link.state });
            states.set(s.link.uplink, s.link.state);
          }
          const req: GangRequestInput = { members: { count: s.count, devices: s.devices }, chooseDevices: s.chooseDevices };
          const cold = createTopology(fab.topology);
          for (const [n, st] of states) updateLink(cold, uplinks[n][0], uplinks[n][1], { state: st });
          for (const k of kernels) {
            const want = placeGangOnTopology(cold, req, cands.map((c) => ({ ...c })), createReferenceTopologyKernels());
            expect(placeGangOnTopology(g, req, cands, k)).toEqual(want);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { chooseDeviceSet } from '../src/topology/devices.js';
import { fabricOf, tierBetween } from '../src/topology/fabric.js';
import { placeGangOnTopology } from '../src/topology/gang.js';
import { topologyFromNodes } from '../src/topology/from-nodes.js';
import { fabricNodeId, generateFabric } from '../src/topology/generate.js';
import { createTopology } from '../src/topology/graph.js';

describe('fabric generator', () => {
  it('builds the documented shape', () => {
    const fab = generateFabric({ nodes: 40, nodesPerRack: 32, spines: 2 });
    // Vertices: 1 site + 2 spines + ⌈40/32⌉ = 2 leaves + 40 × (node + 2 NUMA + 2 NIC + 4 PCIe switches + 8 GPUs = 17) = 685.
    expect(fab.topology.vertices.length).toBe(1 + 2 + 2 + 40 * 17);
    // Links: 2 spine→site + 2 × 2 leaf→spine + 40 × (2 × (NUMA + NIC + NIC→leaf) + SMP + 4 host bridges + 8 PCIe
    // + 2 islands × C(4,2) = 12 NVLink = 31) = 1246.
    expect(fab.topology.links.length).toBe(2 + 4 + 40 * 31);
    expect(fab.nodes.length).toBe(40);
    const g = createTopology(fab.topology);
    const f = fabricOf(g);
    const i = (n: number) => f.indexOf.get(fabricNodeId(n))!;
    expect(tierBetween(f, i(0), i(31))).toBe(1);
    expect(tierBetween(f, i(31), i(32))).toBe(2);
    // Uplinks: 2 NICs × 400 = 800 Gbps; leaf → 2 spines × 800 = 1600; spine → site 6400: the node limits every tier.
    expect(Array.from(f.cum.subarray(i(0) * 4, i(0) * 4 + 4))).toEqual([800_000, 800_000, 800_000, 800_000]);
    // Islands of 4: asking for 4 GPUs gives gpu0-3.
    expect(chooseDeviceSet(g, fabricNodeId(7), 4)!.indices).toEqual([0, 1, 2, 3]);
    expect(() => generateFabric({ nodes: 0 })).toThrow(/options\.nodes/);
  });
  it('places a 16 × 8-GPU gang on the 10,000-node fabric within one rack', () => {
    const fab = generateFabric();
    // 10,000 nodes in racks of 32 → 313 leaves; 16 spines.
    expect(fab.nodes.length).toBe(10_000);
    const g = createTopology(fab.topology);
    // Rack 0 (nodes 0-31) is full; rack 1 (nodes 32-63) has 16 free nodes at 32, 34, …, 62.
    const cands = fab.nodes.map((n, k) => ({ node: n.id, freeDevices: k < 32 ? 0 : k < 64 ? (k % 2 === 0 ? 8 : 0) : 8 }));
    const r = placeGangOnTopology(g, { members: { count: 16, devices: 8 } }, cands);
    if (r.status !== 'placed') throw new Error(r.reason);
    // Racks 1, 2, … all hold 16 free nodes: tier 1 at 800 Gbps everywhere, base 0 → the first: rack 1.
    expect(r.tier).toBe(1);
    expect(r.bottleneckGbps).toBe(800);
    expect(r.nodes.sort()).toEqual(Array.from({ length: 16 }, (_, j) => fabricNodeId(32 + 2 * j)));
    expect(r.members.every((m) => m.devices?.length === 8)).toBe(true);
  }, 60_000);
});

describe('topology from node placement fields', () => {
  it('turns rack, zone and site into leaf, spine and site tiers', () => {
    const nodes = [
      { id: 'r1a', rack: 'r1', zone: 'z1', site: 'bj', cpuMilli: 1, memoryMiB: 1 },
      { id: 'r1b', rack: 'r1', zone: 'z1', site: 'bj', cpuMilli: 1, memoryMiB: 1 },
      { id: 'r2a', rack: 'r2', zone: 'z1', site: 'bj', cpuMilli: 1, memoryMiB: 1 },
      { id: 'r3a', rack: 'r3', zone: 'z2', site: 'bj', cpuMilli: 1, memoryMiB: 1 },
      { id: 'sh1', rack: 'r1', zone: 'z1', site: 'sh', cpuMilli: 1, memoryMiB: 1 },
    ];
    const g = createTopology(topologyFromNodes(nodes));
    const f = fabricOf(g);
    const t = (a: string, b: string) => tierBetween(f, f.indexOf.get(a)!, f.indexOf.get(b)!);
    // Same rack → leaf (1); same zone → spine (2); same site → 3; rack "r1" in another site is another leaf → 4.
    expect([t('r1a', 'r1b'), t('r1a', 'r2a'), t('r1a', 'r3a'), t('r1a', 'sh1')]).toEqual([1, 2, 3, 4]);
    // A 2 × 1-device gang with r1a and r2a free (r1b full) spans the zone: tier 2.
    const cands = [{ node: 'r1a', freeDevices: 1 }, { node: 'r1b', freeDevices: 0 }, { node: 'r2a', freeDevices: 1 }];
    const r = placeGangOnTopology(g, { members: { count: 2, devices: 1 } }, cands);
    expect(r.status === 'placed' && [r.nodes.sort(), r.tier]).toEqual([['r1a', 'r2a'], 2]);
  });
});

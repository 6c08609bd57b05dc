import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Engine, binpack, createEngine } from '../src/engine/index.js';
import { generateFabric } from '../src/topology/generate.js';
import { createTopology } from '../src/topology/graph.js';
import { updateLink } from '../src/topology/links.js';
import { createTopologyPlugin, placeGang } from '../src/topology/plugin.js';

// 64 generated nodes: racks of 32 → leaf-0 (node-00000..31) and leaf-1 (node-00032..63).
const fab = generateFabric({ nodes: 64, spines: 2 });
const gpuTask = (id: string, count = 8) => ({ id, cpuMilli: 1000, memoryMiB: 1024, accel: { kind: 'gpu' as const, count } });

function engineWith(nodeIdx: number[]) {
  const topology = createTopology(fab.topology);
  const plugin = createTopologyPlugin({ topology });
  const engine = createEngine({ plugins: [plugin] });
  for (const i of nodeIdx) engine.addNode(fab.nodes[i]);
  return { topology, plugin, engine };
}

describe('placeGang through the engine', () => {
  it('binds a 3×8-GPU gang on the rack that holds it, in one transaction', () => {
    // Free nodes: node-00005 on leaf-0; node-00040, 41, 42 on leaf-1 → leaf-1 (tier 1).
    const { topology, plugin, engine } = engineWith([5, 40, 41, 42]);
    const r = placeGang(engine, topology, plugin, { id: 'llm', members: [0, 1, 2].map((i) => gpuTask(`llm-${i}`)) });
    if (r.status !== 'placed') throw new Error(r.reason);
    expect(r.placement.tier).toBe(1);
    expect(r.bindings.map((b) => b.nodeId).sort()).toEqual(['node-00040', 'node-00041', 'node-00042']);
    expect(r.bindings.every((b) => b.devices.length === 8)).toBe(true);
    expect(engine.stats.running).toBe(3);
    expect(plugin.pins.size).toBe(0);
    // The placement is tracked for link events: cutting node-00041's NICs names the gang.
    updateLink(topology, 'node-00041/mlx5_0', 'leaf-1', { state: 'down' });
    const e = updateLink(topology, 'node-00041/mlx5_1', 'leaf-1', { state: 'down' })!;
    expect(e.affected.map((a) => a.gang)).toEqual(['llm']);
    // The gang stays tracked until its last member ends.
    engine.release('llm-0');
    engine.release('llm-1');
    expect(topology.placements.has('llm')).toBe(true);
    engine.release('llm-2');
    expect(topology.placements.has('llm')).toBe(false);
  });
  it('places nothing when one member cannot bind (all or none)', () => {
    const { topology, plugin, engine } = engineWith([40, 41, 42]);
    // Member 2 asks for more CPU than a node has (128,000 milli): the topology fits, the engine refuses it.
    const members = [gpuTask('a-0'), gpuTask('a-1'), { ...gpuTask('a-2'), cpuMilli: 200_000 }];
    const r = placeGang(engine, topology, plugin, { id: 'a', members });
    expect(r.status).toBe('unschedulable');
    expect(engine.stats.running).toBe(0);
    expect(topology.placements.has('a')).toBe(false);
    // Too many members for the free GPUs: refused before the engine is touched.
    const s = placeGang(engine, topology, plugin, { id: 'b', members: [0, 1, 2, 3].map((i) => gpuTask(`b-${i}`)) });
    expect(s.status).toBe('unschedulable');
    expect(engine.stats.running).toBe(0);
  });
  it('counts GPUs already bound by the engine', () => {
    const { topology, plugin, engine } = engineWith([5, 6, 40]);
    // Fill node-00040: leaf-1 has nothing left, leaf-0 has node-00005 and 00006 → the gang stays on leaf-0.
    const filler = engine.place(gpuTask('filler'));
    expect('nodeId' in filler).toBe(true);
    const busy = 'nodeId' in filler ? filler.nodeId : '';
    const r = placeGang(engine, topology, plugin, { id: 'g', members: [gpuTask('g-0'), gpuTask('g-1')] });
    if (r.status !== 'placed') throw new Error(r.reason);
    expect(r.bindings.map((b) => b.nodeId)).not.toContain(busy);
    expect(r.placement.tier).toBe(busy === 'node-00040' ? 1 : 2);
  });
});

describe('cloud–edge rules in the engine', () => {
  const topology = createTopology({
    vertices: [
      { id: 'site:camera', kind: 'site' }, { id: 'site:factory', kind: 'site' }, { id: 'site:metro', kind: 'site' },
    ],
    links: [
      { a: 'site:camera', b: 'site:factory', type: 'ethernet', latencyUs: 2000 },
      { a: 'site:camera', b: 'site:metro', type: 'wan', latencyUs: 8000 },
    ],
  });
  const nodes = [
    { id: 'edge-1', form: 'edge' as const, site: 'factory', cpuMilli: 8000, memoryMiB: 16384, pricePerHour: 3 },
    { id: 'cloud-1', form: 'cloud' as const, site: 'metro', cpuMilli: 8000, memoryMiB: 16384, pricePerHour: 1 },
  ];
  const rules = { rules: [{ name: 'batch-to-cheap-cloud', when: { urgency: 'low' }, prefer: { form: 'cloud', cheapest: true } }] };
  const task = (id: string, labels: Record<string, string>) => ({ id, cpuMilli: 1000, labels: { 'hetpool.io/data-source': 'camera', ...labels } });

  it('filters nodes beyond the latency budget and explains it', () => {
    const plugin = createTopologyPlugin({ topology, rules });
    const engine = createEngine({ plugins: [plugin] });
    nodes.forEach((n) => engine.addNode(n));
    // Budget 5 ms: factory is 2 ms away, metro 8 ms → only edge-1.
    const b = engine.place(task('t-5ms', { 'hetpool.io/latency-budget-ms': '5' }));
    expect('nodeId' in b && b.nodeId).toBe('edge-1');
    // Budget 1 ms: no node qualifies.
    const u = engine.place(task('t-1ms', { 'hetpool.io/latency-budget-ms': '1' }));
    expect('message' in u && u.message).toMatch(/rejected by plugin topology/);
  });
  it('scores by rule through a blended scorer', () => {
    const plugin = createTopologyPlugin({ topology, rules });
    let engine: Engine | undefined;
    engine = createEngine({ plugins: [plugin], scorer: plugin.scorer(binpack, () => engine) });
    nodes.forEach((n) => engine!.addNode(n));
    // Half-fill edge-1's CPU so that binpack alone prefers it.
    expect('nodeId' in engine.place({ id: 'filler', cpuMilli: 4000, form: ['edge'] })).toBe(true);
    // binpack for a 1000-milli task (memory 0 → 0 on that dimension; mean of 2 dimensions):
    //   edge-1: ⌊(⌊(8000 − 4000 + 1000)·100/8000⌋ + 0)/2⌋ = ⌊(62 + 0)/2⌋ = 31;  cloud-1: ⌊(12 + 0)/2⌋ = 6.
    // Low urgency: cloud-1 gets 50 (form) + 50 (cheapest 1/1) = 100 = best; edge-1 gets round(50 · 1/3) = 17.
    // Blend: cloud-1 ⌊(6 + 100)/2⌋ = 53 > edge-1 ⌊(31 + 17)/2⌋ = 24 → cloud-1 (binpack alone: edge-1).
    const b = engine.place(task('batch', { 'hetpool.io/urgency': 'low' }));
    expect('nodeId' in b && b.nodeId).toBe('cloud-1');
    const d = plugin.explain(engine.task('batch')!.task, engine.nodes());
    expect(d.fired).toEqual(['batch-to-cheap-cloud']);
    expect(d.candidates.find((c) => c.id === 'edge-1')!.score).toBe(17);
    // A task no rule speaks about keeps the binpack order: edge-1.
    const n = engine.place({ id: 'normal', cpuMilli: 1000 });
    expect('nodeId' in n && n.nodeId).toBe('edge-1');
  });
});

describe('chooseDevices: the best-connected device set through the engine', () => {
  // dgx-8gpu.json: node n1, NVLink islands {gpu0-3} and {gpu4-7}, PCIe/NUMA between them.
  const dgx = () => createTopology(JSON.parse(readFileSync(new URL('../fixtures/topology/dgx-8gpu.json', import.meta.url), 'utf8')));
  const n1 = { id: 'n1', cpuMilli: 64000, memoryMiB: 262144, devices: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ id: `gpu${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'H100', memoryMiB: 81920 })) };
  const run = (plugins: ReturnType<typeof createTopologyPlugin>[]) => {
    const engine = createEngine({ plugins });
    engine.addNode(n1);
    // Two 1-GPU tasks: whole devices, all equally free → best fit takes the lowest slots,
    // gpu0 then gpu1 (1 device: the topology plugin leaves the kernel's choice). Releasing the
    // first leaves gpu1 busy.
    engine.submit([gpuTask('one-a', 1), gpuTask('one-b', 1)]);
    const first = engine.schedule().bindings.map((b) => b.devices[0].deviceId);
    expect(first).toEqual(['gpu0', 'gpu1']);
    engine.release('one-a');
    engine.submit(gpuTask('four', 4));
    const r = engine.schedule();
    return r.bindings[0].devices.map((d) => d.deviceId);
  };
  it('with the plugin a 4-GPU task gets one whole NVLink island {4,5,6,7}', () => {
    // Free: 0, 2, 3, 4, 5, 6, 7. Island 0 has only 3 free (gpu1 busy), so any 4-set there
    // crosses to island 1 (worst pair class cross-socket); island 1's {4..7} is all class 0.
    expect(run([createTopologyPlugin({ topology: dgx() })])).toEqual(['gpu4', 'gpu5', 'gpu6', 'gpu7']);
  });
  it("without it the kernel's best fit takes the lowest free slots {0,2,3,4}", () => {
    // Every free GPU has 1000 milli free: equal best fit → lower slot first → 0, 2, 3, 4.
    expect(run([])).toEqual(['gpu0', 'gpu2', 'gpu3', 'gpu4']);
  });
  it('through placeGang a 4-GPU member also lands on one island', () => {
    const topology = dgx();
    const plugin = createTopologyPlugin({ topology });
    const engine = createEngine({ plugins: [plugin] });
    engine.addNode(n1);
    engine.place(gpuTask('busy', 1)); // gpu0 (lowest slot)
    const r = placeGang(engine, topology, plugin, { id: 'g', members: [gpuTask('g-0', 4)] });
    if (r.status !== 'placed') throw new Error(r.reason);
    // Free 1..7: island 0 has 3 free → {4,5,6,7}.
    expect(r.bindings[0].devices.map((d) => d.deviceId)).toEqual(['gpu4', 'gpu5', 'gpu6', 'gpu7']);
  });
});

describe('placeGang re-places the same member ids', () => {
  it('after the gang ended, the same ids go where the topology now says', () => {
    const { topology, plugin, engine } = engineWith([5, 40, 41]);
    const members = [gpuTask('m-0'), gpuTask('m-1')];
    // First: node-00040 and 00041 share leaf-1 (tier 1) → there.
    const a = placeGang(engine, topology, plugin, { id: 'job', members });
    if (a.status !== 'placed') throw new Error(a.reason);
    expect(a.bindings.map((b) => b.nodeId).sort()).toEqual(['node-00040', 'node-00041']);
    engine.release('m-0');
    engine.release('m-1');
    // Drain node-00040 (no node change for the engine's mask cache). Now leaf-1 holds one node,
    // so the pair spans the spine: node-00005 + node-00041. The cached masks pinned m-0/m-1 to
    // the old nodes; placeGang invalidates them, so the same ids bind on the new nodes.
    engine.drainNode('node-00040');
    const b = placeGang(engine, topology, plugin, { id: 'job', members });
    if (b.status !== 'placed') throw new Error(b.reason);
    expect(b.bindings.map((x) => x.nodeId).sort()).toEqual(['node-00005', 'node-00041']);
    expect(engine.stats.running).toBe(2);
  });
  it('a member requeued after the gang is no longer pinned', () => {
    const { topology, plugin, engine } = engineWith([40, 41, 42]);
    const r = placeGang(engine, topology, plugin, { id: 'p', members: [gpuTask('p-0'), gpuTask('p-1')] });
    if (r.status !== 'placed') throw new Error(r.reason);
    const home = r.bindings[0].nodeId;
    engine.drainNode(home);
    engine.evict('p-0', 'test');
    // p-0's pin went with placeGang: it may bind on the one node left free.
    const s = engine.schedule();
    expect(s.bindings.map((b) => b.taskId)).toEqual(['p-0']);
    expect(s.bindings[0].nodeId).not.toBe(home);
  });
});

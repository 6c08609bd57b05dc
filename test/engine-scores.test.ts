/**
 * Scorers: hand-computed score tables for binpack (most-allocated) and spread (least-allocated),
 * node choice and device choice on both backends, and seeded tie-breaks.
 */
import { describe, expect, it } from 'vitest';
import { binpack, createEngine, spread, type Binding, type NodeResources } from '../src/engine/index.js';
import { parseTask } from '../src/model/validate.js';
import { node, task, timeSlice } from './engine-builders.js';

const res = (r: Partial<NodeResources>): NodeResources => ({ nodeId: 'n', cpuMilliFree: 0, cpuMilliCapacity: 0, memoryMiBFree: 0, memoryMiBCapacity: 0, deviceMilliFree: 0, deviceMilliCapacity: 0, ...r });

describe('score tables', () => {
  const cpuTask = parseTask({ id: 't', cpuMilli: 0 });
  const gpuTask = parseTask({ id: 't', accel: { kind: 'gpu', milli: 500 } });
  const rows: { name: string; task: typeof cpuTask; node: NodeResources; binpack: number; spread: number }[] = [
    {
      name: 'CPU only, 1000 of 4000 used',
      task: cpuTask,
      node: res({ cpuMilliFree: 3000, cpuMilliCapacity: 4000 }),
      binpack: 25, // ((4000 - 3000 + 0) * 100) / 4000 = 25
      spread: 75, // ((3000 - 0) * 100) / 4000 = 75
    },
    {
      name: 'CPU and memory, task 1000 mCPU on an empty node',
      task: parseTask({ id: 't', cpuMilli: 1000 }),
      node: res({ cpuMilliFree: 8000, cpuMilliCapacity: 8000, memoryMiBFree: 8192, memoryMiBCapacity: 8192 }),
      binpack: 6, // cpu (1000 * 100) / 8000 = 12 (12.5 truncated); memory 0; mean (12 + 0) / 2 = 6
      spread: 93, // cpu ((8000 - 1000) * 100) / 8000 = 87; memory 100; mean (87 + 100) / 2 = 93
    },
    {
      name: 'device dimension for a 500-milli GPU share',
      task: gpuTask,
      node: res({ cpuMilliFree: 4000, cpuMilliCapacity: 4000, deviceMilliFree: 1500, deviceMilliCapacity: 2000 }),
      binpack: 25, // cpu 0; device ((2000 - 1500 + 500) * 100) / 2000 = 50; mean (0 + 50) / 2 = 25
      spread: 75, // cpu 100; device ((1500 - 500) * 100) / 2000 = 50; mean (100 + 50) / 2 = 75
    },
    {
      name: 'no capacity at all',
      task: cpuTask,
      node: res({}),
      binpack: 0, // no dimension has capacity: 0
      spread: 0,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      expect(binpack.scoreNode(r.task, r.node)).toBe(r.binpack);
      expect(spread.scoreNode(r.task, r.node)).toBe(r.spread);
    });
  }
});

describe.each(['wasm', 'ts'] as const)('node and device choice (%s backend)', (backend) => {
  it('binpack fills the fuller node, spread the emptier one', () => {
    // node a: 4000 mCPU, node b: 8000 mCPU, both 8192 MiB; task 1000 mCPU
    // binpack a: cpu ((4000-4000+1000)*100)/4000 = 25, mem 0 → 12; b: cpu 12, mem 0 → 6  ⇒ a
    // spread  a: cpu ((4000-1000)*100)/4000 = 75, mem 100 → 87; b: cpu 87, mem 100 → 93 ⇒ b
    for (const [policy, want] of [['binpack', 'a'], ['spread', 'b']] as const) {
      const e = createEngine({ backend, policy });
      e.addNode(node('a').cpu(4000).mem(8192).build());
      e.addNode(node('b').cpu(8000).mem(8192).build());
      expect((e.place(task('t').cpu(1000).build()) as Binding).nodeId).toBe(want);
    }
  });

  it('binpack takes the best-fitting device, spread the one with most free', () => {
    // The 600-milli task finds g0 and g1 equally free (1000 each): equal candidates go to the
    // lower slot, g0, under both policies. Then g0 has 400 free, g1 1000; a 300-milli task fits both:
    // binpack → g0 (fewest free that fits: 400 < 1000); spread → g1 (most free: 1000 > 400).
    for (const [policy, want] of [['binpack', 'g0'], ['spread', 'g1']] as const) {
      const e = createEngine({ backend, policy });
      e.addNode(node('n').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).gpu('g1', { sharing: timeSlice() }).build());
      expect((e.place(task('big').gpu({ milli: 600 }).build()) as Binding).devices[0].deviceId).toBe('g0');
      expect((e.place(task('t').gpu({ milli: 300 }).build()) as Binding).devices).toEqual([{ deviceId: want, milli: 300, memoryMiB: 0 }]);
    }
  });

  it('a share that fits only the empty device goes there under binpack too', () => {
    // g0 holds 600 (400 free); a 500-milli task does not fit g0 → g1 (1000 free)
    const e = createEngine({ backend, policy: 'binpack' });
    e.addNode(node('n').cpu(8000).mem(8192).gpu('g0', { sharing: timeSlice() }).gpu('g1', { sharing: timeSlice() }).build());
    const first = e.place(task('big').gpu({ milli: 600 }).build()) as Binding;
    const b = e.place(task('t').gpu({ milli: 500 }).build()) as Binding;
    expect(b.devices[0].deviceId).not.toBe(first.devices[0].deviceId);
  });

  it('nodesToScore samples fitting nodes round-robin instead of scoring all', () => {
    // Four empty 4000-mCPU nodes. Exhaustive binpack stacks 1000-mCPU tasks on one node (after
    // the first, that node scores (2000*100)/4000 = 50 against 25). With nodesToScore = 1 each
    // decision scores only the next fitting node from where the last scan stopped: a, b, c, d.
    const e = createEngine({ backend, nodesToScore: 1 });
    for (const id of ['a', 'b', 'c', 'd']) e.addNode(node(id).cpu(4000).mem(0).build());
    const picks = ['t1', 't2', 't3', 't4', 't5'].map((id) => (e.place(task(id).cpu(1000).build()) as Binding).nodeId);
    expect(picks).toEqual(['a', 'b', 'c', 'd', 'a']);
    const full = createEngine({ backend });
    for (const id of ['a', 'b', 'c', 'd']) full.addNode(node(id).cpu(4000).mem(0).build());
    const first = (full.place(task('t1').cpu(1000).build()) as Binding).nodeId;
    expect((full.place(task('t2').cpu(1000).build()) as Binding).nodeId).toBe(first);
  });

  it('ties between equal nodes follow the seed: same seed same node, and different seeds spread choices', () => {
    const pick = (seed: number) => {
      const e = createEngine({ backend, seed });
      for (const id of ['a', 'b', 'c', 'd']) e.addNode(node(id).cpu(4000).mem(4096).build());
      return (e.place(task('t').cpu(1000).build()) as Binding).nodeId;
    };
    const picks = Array.from({ length: 32 }, (_, s) => pick(s));
    expect(Array.from({ length: 32 }, (_, s) => pick(s))).toEqual(picks);
    expect(new Set(picks).size).toBeGreaterThan(1);
  });
});

import { describe, expect, it } from 'vitest';
import { demandOf, parsePriceCatalog, sizeCluster, clusterOf } from '../src/sim/plan/index.js';
import { parseTask, parseCluster, HetpoolError, type TaskInput } from '../src/model/index.js';

const tasks = (list: TaskInput[]) => list.map((t) => parseTask(t));

describe('demandOf', () => {
  it('finds the peak of concurrent demand by a sweep', () => {
    // a: 0–10 (2 cores), b: 5–15 (3 cores), c: 10–20 (4 cores; a ends at 10 as c starts).
    // Concurrent: [0,5) 2, [5,10) 5, [10,15) 3 + 4 = 7, [15,20) 4 → peak 7 cores.
    const d = demandOf(tasks([
      { id: 'a', arrival: 0, duration: 10, cpuMilli: 2000 },
      { id: 'b', arrival: 5, duration: 10, cpuMilli: 3000 },
      { id: 'c', arrival: 10, duration: 10, cpuMilli: 4000 },
    ]), parsePriceCatalog({ nodeTypes: [{ name: 'c', pricePerHour: 1, cpuMilli: 8000, memoryMiB: 0 }] }).nodeTypes);
    expect(d.groups.map((g) => [g.key, g.peak.cpuMilli])).toEqual([['all', 7000]]);
  });
});

describe('sizeCluster (MILP, optimum by hand)', () => {
  const cpuCatalog = parsePriceCatalog({
    nodeTypes: [
      { name: 'small', pricePerHour: 1, cpuMilli: 8000, memoryMiB: 32768 },
      { name: 'big', pricePerHour: 3, cpuMilli: 32000, memoryMiB: 131072 },
    ],
  });
  // Five 8-core tasks at once: peak 40 cores, 5 × 4 GiB = 20 GiB.
  const five = tasks(Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, arrival: 0, duration: 100, cpuMilli: 8000, memoryMiB: 4096 })));

  it('integer optimum differs from the LP bound', async () => {
    const s = await sizeCluster(demandOf(five, cpuCatalog.nodeTypes), cpuCatalog);
    // Options for ≥ 40 cores: 5 small = $5; 2 big = $6; 1 big + 1 small = 40 cores for $4 (optimum);
    // LP relaxation: big is cheaper per core (3/32 < 1/8), 40/32 = 1.25 big → $3.75.
    expect(s.counts).toEqual([1, 1]);
    expect(s.cost).toBe(4);
    expect(s.lpBound).toBeCloseTo(3.75, 9);
    expect(s.status).toBe('optimal');
    expect(s.binding).toContain('all: cpuMilli');
  });

  it('target allocation and headroom raise the requirement', async () => {
    // Need 40 / 0.8 = 50 cores: 2 big (64) = $6, 1 big + 3 small (56) = $6, 7 small = $7,
    // 1 big + 2 small (48) is short. The minimum is $6.
    const s = await sizeCluster(demandOf(five, cpuCatalog.nodeTypes), cpuCatalog, { targetAllocation: 0.8 });
    expect(s.cost).toBe(6);
    // Need 40 × 1.25 / 1 = 50 cores with headroom 0.25: same $6. With max big = 1: 1 big + 3 small = $6.
    const capped = parsePriceCatalog({ nodeTypes: [cpuCatalog.nodeTypes[0], { ...cpuCatalog.nodeTypes[1], max: 1 }] });
    const c = await sizeCluster(demandOf(five, capped.nodeTypes), capped, { headroom: 0.25 });
    expect(c.counts).toEqual([3, 1]);
    expect(c.cost).toBe(6);
  });

  it('sizes accelerators per request shape and kind', async () => {
    const cat = parsePriceCatalog({
      nodeTypes: [
        { name: 'cpu16', pricePerHour: 1, cpuMilli: 16000, memoryMiB: 65536 },
        { name: 'gpu4', pricePerHour: 10, cpuMilli: 32000, memoryMiB: 262144, devices: { count: 4, kind: 'gpu', vendor: 'nvidia', model: 'A100', memoryMiB: 81920 } },
        { name: 'gpu8', pricePerHour: 18, cpuMilli: 64000, memoryMiB: 524288, devices: { count: 8, kind: 'gpu', vendor: 'nvidia', model: 'A100', memoryMiB: 81920 } },
      ],
    });
    // Three 4-GPU jobs (8 cores each) and two 16-core CPU jobs, all concurrent.
    const wl = tasks([
      ...[0, 1, 2].map((i) => ({ id: `g${i}`, arrival: 0, duration: 50, cpuMilli: 8000, memoryMiB: 1024, accel: { kind: 'gpu' as const, count: 4 } })),
      { id: 'c0', arrival: 0, duration: 50, cpuMilli: 16000, memoryMiB: 1024 },
      { id: 'c1', arrival: 0, duration: 50, cpuMilli: 16000, memoryMiB: 1024 },
    ]);
    // GPUs: 12 needed → gpu8 + gpu4 = 12 for $28 (3 × gpu4 = $30, 2 × gpu8 = $36).
    // CPU: 3·8 + 2·16 = 56 cores ≤ 64 + 32 = 96 of those GPU nodes, so no cpu16 node: $28.
    const s = await sizeCluster(demandOf(wl, cat.nodeTypes), cat);
    expect(s.counts).toEqual([0, 1, 1]);
    expect(s.cost).toBe(28);
    // At 0.8: 12 / 0.8 = 15 GPUs → 16 GPUs: 2 × gpu8 = $36 < gpu8 + 2 × gpu4 = $38 < 4 × gpu4 = $40;
    // CPU 56 / 0.8 = 70 ≤ 128 cores. Optimum $36.
    const t = await sizeCluster(demandOf(wl, cat.nodeTypes), cat, { targetAllocation: 0.8 });
    expect(t.counts).toEqual([0, 0, 2]);
    expect(t.cost).toBe(36);
    // The plan's nodes form a valid cluster.
    expect(parseCluster({ nodes: clusterOf(cat, t.counts) }).nodes.map((n) => n.id)).toEqual(['gpu8-1', 'gpu8-2']);
  });

  it('reports tasks no node type can serve and rejects an impossible catalogue', async () => {
    const d = demandOf(tasks([{ id: 'npu', arrival: 0, duration: 5, accel: { kind: 'npu' } }, ...five]), cpuCatalog.nodeTypes);
    expect(d.unservable).toEqual([{ key: 'npu whole×1', tasks: 1 }]);
    const capped = parsePriceCatalog({ nodeTypes: [{ ...cpuCatalog.nodeTypes[0], max: 2 }] });
    await expect(sizeCluster(demandOf(five, capped.nodeTypes), capped)).rejects.toThrow(HetpoolError);
    expect(() => parsePriceCatalog({ nodeTypes: [{ name: 'x', pricePerHour: -1, cpuMilli: 1, memoryMiB: 1 }] })).toThrow(/nodeTypes\[0\]\.pricePerHour/);
  });
});

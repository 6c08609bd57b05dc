/**
 * Domain summaries of a hierarchy (src/hierarchy/ledger.ts): what the top level routes on must
 * equal the sums over the domain's nodes of what is free on them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHierarchy } from '../src/hierarchy/index.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';

const gpu = (id: string, model: string, sharing?: NodeInput['devices'] extends (infer D)[] | undefined ? D extends { sharing?: infer S } ? S : never : never) => ({ id, kind: 'gpu' as const, vendor: 'v', model, memoryMiB: 1000, ...(sharing ? { sharing } : {}) });

describe('domain summaries', () => {
  it('sum free CPU, memory and device shares per domain (hand example)', async () => {
    const h = createHierarchy({ by: 'zone' });
    await h.addNodes([
      { id: 'a', zone: 'z1', cpuMilli: 8000, memoryMiB: 16384, devices: [gpu('g0', 'A', { mode: 'time-slice', maxSlices: 4, oversubscription: 2000 }), gpu('g1', 'A')] },
      { id: 'b', zone: 'z1', cpuMilli: 4000, memoryMiB: 8192, devices: [gpu('g0', 'B')] },
      { id: 'c', zone: 'z1', cpuMilli: 64000, memoryMiB: 65536, health: 'unhealthy', devices: [gpu('g0', 'B')] },
      { id: 'd', zone: 'z2', cpuMilli: 2000, memoryMiB: 2048 },
    ]);
    h.submit([
      { id: 'frac', cpuMilli: 1000, memoryMiB: 1024, accel: { kind: 'gpu', milli: 300, models: ['A'] } },
      { id: 'whole', cpuMilli: 2000, memoryMiB: 2048, accel: { kind: 'gpu', models: ['B'] } },
    ]);
    const r = await h.schedule();
    expect(r.bindings.length).toBe(2);
    const frac = h.binding('frac')!;
    expect(frac.nodeId).toBe('a');
    const [z1, z2] = h.summaries();
    // z1 counts a and b (c is unhealthy): CPU 8000 + 4000 − 1000 − 2000 = 9000; memory 16384 + 8192 − 1024 − 2048 = 21504
    expect(z1).toMatchObject({ domain: 'z1', nodes: 3, usableNodes: 2, cpuMilliFree: 9000, memoryMiBFree: 21504, largestCpuMilliFree: 7000, largestMemoryMiBFree: 15360, running: 2 });
    // model A: g0 time-slice capacity 2000 (oversubscription) and g1 exclusive 1000; frac takes 300 of one
    // → milliFree 3000 − 300 = 2700; wholeFree = the untouched one = 1; largest free share is 2000 if the
    //   fraction went to g1 (then g1 has 700) or 1700 if it went to g0 (g1 then 1000): read it from the binding.
    const onG0 = frac.devices[0].deviceId === 'g0';
    expect(z1.devices).toEqual([
      { kind: 'gpu', vendor: 'v', model: 'A', devices: 2, wholeFree: 1, milliFree: 2700, largestFreeMilli: onG0 ? 1700 : 2000, largestWholeFreeOnNode: 1 },
      // model B: only b's device counts (c is unhealthy); 'whole' holds it → 0 free
      { kind: 'gpu', vendor: 'v', model: 'B', devices: 1, wholeFree: 0, milliFree: 0, largestFreeMilli: 0, largestWholeFreeOnNode: 0 },
    ]);
    expect(z2).toMatchObject({ domain: 'z2', nodes: 1, cpuMilliFree: 2000, memoryMiBFree: 2048, devices: [] });
    await h.release('whole');
    expect(h.summaries()[0].devices[1]).toMatchObject({ wholeFree: 1, milliFree: 1000, largestFreeMilli: 1000, largestWholeFreeOnNode: 1 });
    expect(h.summaries()[0].cpuMilliFree).toBe(11000); // 9000 + 2000 given back
    await h.close();
  });

  // Invariant: after any schedule/release sequence on healthy nodes, each domain's summary equals,
  // over its nodes, Σ(capacity − requests of the tasks bound there) for CPU and memory, and per
  // device model Σ free share with a whole-device task taking the whole device (1000 milli).
  it('equal the sums over their nodes after random schedules and releases (property)', async () => {
    const nodeArb = fc.record({ region: fc.constantFrom('r1', 'r2'), cpu: fc.integer({ min: 1, max: 16 }), gpus: fc.array(fc.constantFrom('A', 'B'), { maxLength: 4 }) });
    const taskArb = fc.record({ cpu: fc.integer({ min: 0, max: 8 }), milli: fc.option(fc.constantFrom(100, 400, 1000), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(nodeArb, { minLength: 1, maxLength: 10 }), fc.array(taskArb, { maxLength: 30 }), fc.array(fc.boolean(), { maxLength: 30 }), async (ns, ts, rel) => {
        const nodes: NodeInput[] = ns.map((n, i) => ({
          id: `n${i}`, region: n.region, cpuMilli: n.cpu * 1000, memoryMiB: n.cpu * 512,
          devices: n.gpus.map((m, j) => gpu(`g${j}`, m, { mode: 'time-slice', maxSlices: 8 })),
        }));
        const tasks: TaskInput[] = ts.map((t, i) => ({ id: `t${i}`, cpuMilli: t.cpu * 500, memoryMiB: t.cpu * 100, ...(t.milli ? { accel: { kind: 'gpu' as const, milli: t.milli } } : {}) }));
        const h = createHierarchy({ by: 'region', engine: { policy: 'spread', seed: 3 } });
        await h.addNodes(nodes);
        h.submit(tasks);
        const r = await h.schedule();
        const released = r.bindings.filter((_, i) => rel[i]).map((b) => b.taskId);
        await h.releaseMany(released);
        const byId = new Map(tasks.map((t) => [t.id, t]));
        for (const s of h.summaries()) {
          const mine = nodes.filter((n) => n.region === s.domain);
          let cpu = mine.reduce((a, n) => a + n.cpuMilli, 0);
          let mem = mine.reduce((a, n) => a + n.memoryMiB, 0);
          const free = new Map<string, number>(); // nodeId/deviceId → free milli
          for (const n of mine) for (const d of n.devices ?? []) free.set(`${n.id}/${d.id}`, 1000);
          for (const b of r.bindings) {
            if (released.includes(b.taskId) || !mine.some((n) => n.id === b.nodeId)) continue;
            const t = byId.get(b.taskId)!;
            cpu -= t.cpuMilli!;
            mem -= t.memoryMiB!;
            for (const d of b.devices) free.set(`${b.nodeId}/${d.deviceId}`, t.accel!.milli === 1000 ? 0 : free.get(`${b.nodeId}/${d.deviceId}`)! - d.milli);
          }
          expect(s.cpuMilliFree).toBe(cpu);
          expect(s.memoryMiBFree).toBe(mem);
          for (const g of s.devices) {
            const keys = mine.flatMap((n) => (n.devices ?? []).filter((d) => d.model === g.model).map((d) => `${n.id}/${d.id}`));
            expect(g.devices).toBe(keys.length);
            expect(g.milliFree).toBe(keys.reduce((a, k) => a + free.get(k)!, 0));
            expect(g.wholeFree).toBe(keys.filter((k) => free.get(k) === 1000).length);
            expect(g.largestFreeMilli).toBe(Math.max(...keys.map((k) => free.get(k)!)));
            const perNode = mine.map((n) => keys.filter((k) => k.startsWith(`${n.id}/`) && free.get(k) === 1000).length);
            expect(g.largestWholeFreeOnNode).toBe(Math.max(...perNode));
          }
        }
        await h.close();
      }),
      { numRuns: 60 },
    );
  });
});

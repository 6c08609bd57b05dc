/** The plan loop: MILP answer checked by simulation on the real engine, headroom added where tasks waited. */
import { describe, expect, it } from 'vitest';
import { parsePriceCatalog, plan } from '../src/sim/plan/index.js';
import { parseTask, HetpoolError, type Task } from '../src/model/index.js';

// One node type: 2 time-sliced GPUs for $2/h.
const catalog = parsePriceCatalog({
  nodeTypes: [{ name: 'gpu2', pricePerHour: 2, cpuMilli: 16000, memoryMiB: 65536, devices: { count: 2, kind: 'gpu', vendor: 'nvidia', model: 'T4', memoryMiB: 16384, sharing: { mode: 'time-slice' } } }],
});
// Three concurrent tasks of 600 milli each: 1,800 milli of demand, but two cannot share a device
// (600 + 600 > 1000), so one 2-GPU node holds only two of them — fragmentation the LP cannot see.
const three: Task[] = [0, 1, 2].map((i) => parseTask({ id: `t${i}`, arrival: 0, duration: 100, cpuMilli: 1000, accel: { kind: 'gpu', milli: 600 } }));

describe('plan', () => {
  it('adds headroom to the late group until the simulation meets the target', async () => {
    const r = await plan({ workload: () => three, catalog, targetAllocation: 1, headroom: 0, headroomStep: 0.1 });
    // Round 1: 1.8 devices → 1 node (2 devices); the third task waits 100 s → miss.
    // Round 2: 1.8 × 1.1 = 1.98 ≤ 2 → still 1 node → miss. Round 3: 1.8 × 1.2 = 2.16 → 2 nodes, $4:
    // all three placed at once → met.
    expect(r.rounds.map((k) => k.sizing.counts[0])).toEqual([1, 1, 2]);
    expect(r.rounds.map((k) => k.met)).toEqual([false, false, true]);
    expect(r.rounds[0].simulation).toMatchObject({ placed: 3, failedToPlace: 0, wait: { p99: 100, max: 100 } });
    expect(r.rounds[0].simulation!.late).toEqual([{ key: 'gpu shared', tasks: 1 }, { key: 'kind gpu', tasks: 1 }]);
    expect(r.rounds[2].groupHeadroom).toEqual({ 'gpu shared': 0.2, 'kind gpu': 0.2 });
    expect(r.met).toBe(true);
    expect(r.answer.sizing.cost).toBe(4);
    expect(r.answer.nodes).toEqual([{ type: 'gpu2', count: 2, pricePerHour: 2 }]);
  });

  it('a wait target accepts the queueing the allocation target refuses', async () => {
    // The third task waits exactly 100 s on one node; p99 of 3 waits = the ⌈0.99·3⌉ = 3rd = 100 ≤ 100.
    const r = await plan({ workload: () => three, catalog, targetWait: 100, headroom: 0 });
    expect(r.rounds).toHaveLength(1);
    expect(r.met).toBe(true);
    expect(r.answer.sizing.cost).toBe(2);
    expect(r.target).toEqual({ allocation: 1, wait: 100 });
  });

  it('stops after the last round and says the target was missed', async () => {
    const r = await plan({ workload: () => three, catalog, targetAllocation: 1, headroom: 0, headroomStep: 0.05, rounds: 2 });
    expect(r.rounds).toHaveLength(2);
    expect(r.met).toBe(false);
    expect(r.answer.missed).toMatch(/p99 wait 100 s > 0 s/);
  });

  it('rejects contradictory targets', async () => {
    await expect(plan({ workload: () => three, catalog, targetAllocation: 0.9, targetWait: 10 })).rejects.toThrow(HetpoolError);
    await expect(plan({ workload: () => three, catalog, targetAllocation: 1.5 })).rejects.toThrow(/targetAllocation/);
  });
});

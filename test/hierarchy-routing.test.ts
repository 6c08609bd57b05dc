/**
 * Hierarchical scheduling (src/hierarchy): routing by domain summaries with fallback, each task
 * bound at most once, maximality with fallback, validation, node removal, worker domains.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHierarchy, type Hierarchy } from '../src/hierarchy/index.js';
import { HetpoolError } from '../src/model/errors.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';

const gpu = (id: string, model = 'A') => ({ id, kind: 'gpu' as const, vendor: 'v', model, memoryMiB: 1000, sharing: { mode: 'time-slice' as const, maxSlices: 4 } });

/** Small random clusters: 1–8 nodes in up to 3 sites, 0–3 time-sliced GPUs of model A or B. */
const nodeArb = fc.record({
  site: fc.constantFrom('s1', 's2', 's3'),
  cpu: fc.integer({ min: 1, max: 8 }).map((x) => x * 1000),
  mem: fc.integer({ min: 1, max: 8 }).map((x) => x * 1024),
  gpus: fc.array(fc.constantFrom('A', 'B'), { maxLength: 3 }),
});
const taskArb = fc.record({
  cpu: fc.integer({ min: 0, max: 6 }).map((x) => x * 1000),
  mem: fc.integer({ min: 0, max: 6 }).map((x) => x * 1024),
  accel: fc.option(fc.record({ count: fc.integer({ min: 1, max: 2 }), milli: fc.constantFrom(250, 500, 1000), model: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }) }), { nil: undefined }),
});
type NodeSpec = { site: string; cpu: number; mem: number; gpus: string[] };
type TaskSpec = { cpu: number; mem: number; accel?: { count: number; milli: number; model?: string } };

const toNodes = (ns: NodeSpec[]): NodeInput[] => ns.map((n, i) => ({ id: `n${i}`, site: n.site, cpuMilli: n.cpu, memoryMiB: n.mem, devices: n.gpus.map((m, j) => gpu(`g${j}`, m)) }));
const toTasks = (ts: TaskSpec[]): TaskInput[] =>
  ts.map((t, i) => ({
    id: `t${i}`, cpuMilli: t.cpu, memoryMiB: t.mem,
    ...(t.accel ? { accel: { kind: 'gpu' as const, count: t.accel.milli < 1000 ? 1 : t.accel.count, milli: t.accel.milli, ...(t.accel.model ? { models: [t.accel.model] } : {}) } } : {}),
  }));

/**
 * Oracle, written from the model's rules (not from the engine): free CPU/memory per node and, per
 * device, free share and slices used, from the nodes and the bindings; `fitsAlone` says whether a
 * task fits on some node of that free state. Time-slice device: capacity 1000 milli, at most
 * maxSlices tasks; a whole-device task needs an untouched device and takes all of it.
 */
function freeState(nodes: NodeInput[], tasks: Map<string, TaskInput>, h: Hierarchy, bound: string[]) {
  const st = new Map(nodes.map((n) => [n.id, { cpu: n.cpuMilli, mem: n.memoryMiB, dev: new Map((n.devices ?? []).map((d) => [d.id, { model: d.model, free: 1000, slices: 0 }])) }]));
  for (const id of bound) {
    const b = h.binding(id)!;
    const t = tasks.get(id)!;
    const s = st.get(b.nodeId)!;
    s.cpu -= t.cpuMilli ?? 0;
    s.mem -= t.memoryMiB ?? 0;
    for (const bd of b.devices) {
      const d = s.dev.get(bd.deviceId)!;
      d.slices++;
      d.free = (t.accel?.milli ?? 1000) === 1000 ? 0 : d.free - bd.milli;
    }
  }
  return st;
}
function fitsAlone(st: ReturnType<typeof freeState>, t: TaskInput): boolean {
  for (const s of st.values()) {
    if (s.cpu < (t.cpuMilli ?? 0) || s.mem < (t.memoryMiB ?? 0)) continue;
    if (!t.accel) return true;
    const ok = [...s.dev.values()].filter((d) => (!t.accel!.models || t.accel!.models.includes(d.model)) && d.slices < 4);
    const milli = t.accel.milli ?? 1000;
    if (milli === 1000 ? ok.filter((d) => d.free === 1000 && d.slices === 0).length >= (t.accel.count ?? 1) : ok.some((d) => d.free >= milli)) return true;
  }
  return false;
}

describe('hierarchy routing', () => {
  it('falls back to the next domain when the chosen one cannot place a task (and not when fallback is off)', async () => {
    // s1: a node with 4 GPUs but 1000 milli-cores, and a CPU-only node with 8000 → its summary shows
    // 8000 CPU on one node and 4 untouched GPUs (4000 milli free); s2: one node with 8000 CPU and
    // 2 GPUs (2000 milli free). A task asking 4000 CPU and one GPU on the same node goes to s1 first
    // (more free share: 4000 > 2000), fails there (no node has both), and lands on b0 only with fallback.
    const nodes: NodeInput[] = [
      { id: 'a0', site: 's1', cpuMilli: 1000, memoryMiB: 8192, devices: [gpu('g0'), gpu('g1'), gpu('g2'), gpu('g3')] },
      { id: 'a1', site: 's1', cpuMilli: 8000, memoryMiB: 8192 },
      { id: 'b0', site: 's2', cpuMilli: 8000, memoryMiB: 8192, devices: [gpu('g0'), gpu('g1')] },
    ];
    const task: TaskInput = { id: 'two', cpuMilli: 4000, accel: { kind: 'gpu', count: 1 } };
    for (const fallback of [true, false]) {
      const h = createHierarchy({ by: 'site', fallback });
      await h.addNodes(nodes);
      h.submit([task]);
      const r = await h.schedule();
      if (fallback) {
        expect(r.bindings.map((b) => b.nodeId)).toEqual(['b0']);
        expect(r.domains).toEqual({ two: 's2' });
        expect(r.fallbacks).toBe(1);
        expect(r.rounds).toBe(2);
      } else {
        expect(r.bindings).toEqual([]);
        expect(r.unschedulable.map((u) => [u.taskId, u.tried])).toEqual([['two', ['s1']]]);
        expect(h.stats.pending).toBe(1); // it stays queued at the top level
      }
      await h.close();
    }
  });

  // Invariants on small random clusters and task batches, fallback on:
  //  (1) no task is bound twice: binding ids are unique, the domain engines together run exactly
  //      the bound tasks and hold nothing pending;
  //  (2) maximality: every task left unscheduled fits on no node of the final free state (if it
  //      fit somewhere, fallback would have found it);
  //  (3) bound + unscheduled = submitted.
  it('binds each task at most once and leaves no task unplaced that fits somewhere (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(nodeArb, { minLength: 1, maxLength: 8 }), fc.array(taskArb, { minLength: 1, maxLength: 25 }), fc.constantFrom('binpack', 'spread'), async (ns, ts, policy) => {
        const nodes = toNodes(ns);
        const tasks = toTasks(ts);
        const h = createHierarchy({ by: 'site', engine: { policy, seed: 7 } });
        await h.addNodes(nodes);
        h.submit(tasks);
        const r = await h.schedule();
        const ids = r.bindings.map((b) => b.taskId);
        expect(new Set(ids).size).toBe(ids.length);
        const ds = Object.values(await h.domainStats());
        expect(ds.reduce((a, s) => a + s.running, 0)).toBe(ids.length);
        expect(ds.reduce((a, s) => a + s.pending, 0)).toBe(0);
        expect(ids.length + r.unschedulable.length).toBe(tasks.length);
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const st = freeState(nodes, byId, h, ids);
        for (const u of r.unschedulable) expect(fitsAlone(st, byId.get(u.taskId)!), `task ${u.taskId} fits somewhere`).toBe(false);
        await h.close();
      }),
      { numRuns: 60 },
    );
  });

  it('requeues the tasks of a removed node at the top level and places them in another domain', async () => {
    const h = createHierarchy({ by: 'site' });
    await h.addNodes([{ id: 'x', site: 's1', cpuMilli: 4000, memoryMiB: 4096 }, { id: 'y', site: 's2', cpuMilli: 2000, memoryMiB: 4096 }]);
    h.submit([{ id: 'big', cpuMilli: 3000 }]);
    expect((await h.schedule()).domains).toEqual({ big: 's1' }); // only x has 3000 free
    h.submit([{ id: 'small', cpuMilli: 2000 }]);
    // s1 has 1000 free, s2 2000 → small goes to y
    expect((await h.schedule()).domains).toEqual({ small: 's2' });
    const displaced = await h.removeNode('x');
    expect(displaced.map((d) => d.taskId)).toEqual(['big']);
    expect(h.stats).toMatchObject({ pending: 1, running: 1, nodes: 1 });
    const r = await h.schedule(); // y has 0 free now: big waits
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['big']);
    await h.release('small');
    expect((await h.schedule()).bindings).toEqual([]); // 2000 < 3000
    await h.addNode({ id: 'z', site: 's3', cpuMilli: 3000, memoryMiB: 1024 });
    expect((await h.schedule()).domains).toEqual({ big: 's3' });
    await h.close();
  });

  it('rejects bad nodes and tasks with a HetpoolError naming the field, changing nothing', async () => {
    const h = createHierarchy({ by: 'region' });
    await h.addNodes([{ id: 'n1', region: 'r1', cpuMilli: 1000, memoryMiB: 1024 }]);
    // the same id in another domain would be accepted by that domain's engine: the top level refuses it
    await expect(h.addNodes([{ id: 'n2', region: 'r2', cpuMilli: 1, memoryMiB: 1 }, { id: 'n1', region: 'r2', cpuMilli: 1, memoryMiB: 1 }])).rejects.toMatchObject({ code: 'conflict', path: 'nodes[1].id' });
    await expect(h.addNode({ id: 'n3', cpuMilli: -5, memoryMiB: 1 })).rejects.toMatchObject({ code: 'invalid-input', path: 'node.cpuMilli' });
    expect(h.stats).toMatchObject({ nodes: 1, domains: 1 });
    expect(() => h.submit([{ id: 'a' }, { id: 'b', accel: { kind: 'tpu' as never } }])).toThrow(HetpoolError);
    expect(() => h.submit([{ id: 'a' }, { id: 'a' }])).toThrow(/tasks\[1\]\.id/);
    expect(h.stats.pending).toBe(0);
    await expect(h.release('nope')).rejects.toMatchObject({ code: 'not-found' });
    expect(() => createHierarchy({ by: 'rack' as never })).toThrow(/options\.by/);
    await h.close();
  });

  it('decides the same with domain engines in worker threads as in this thread', async () => {
    const nodes: NodeInput[] = Array.from({ length: 12 }, (_, i) => ({
      id: `n${i}`, form: i % 2 ? 'cloud' : 'edge', cpuMilli: 4000 + 1000 * (i % 3), memoryMiB: 8192, devices: i % 3 ? [gpu('g0', i % 2 ? 'A' : 'B'), gpu('g1')] : [],
    }));
    const tasks: TaskInput[] = Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, cpuMilli: 500 * (1 + (i % 4)), ...(i % 3 === 0 ? { accel: { kind: 'gpu' as const, milli: 250 * (1 + (i % 4)) } } : {}) }));
    const results = [];
    for (const workers of [false, true]) {
      const h = createHierarchy({ by: 'form', workers, engine: { policy: 'spread', seed: 5 } });
      await h.addNodes(nodes);
      h.submit(tasks);
      const r = await h.schedule();
      results.push({ r, summaries: h.summaries() });
      await h.close();
    }
    expect(results[0].r.bindings.length).toBeGreaterThan(0);
    expect(results[1]).toEqual(results[0]);
  });
});

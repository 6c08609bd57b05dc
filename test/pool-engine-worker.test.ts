/**
 * The engine in a worker thread (src/pool/engine-client.ts, engine-worker.ts): same decisions as
 * an in-process engine, HetpoolErrors crossing the thread boundary intact, close() ending it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/index.js';
import { HetpoolError } from '../src/model/errors.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';
import { createEngineWorker, type AsyncEngine } from '../src/pool/engine-client.js';
import { generateCluster, generateWorkload } from '../src/sim/generate/index.js';

const open: AsyncEngine[] = [];
async function start(options: Parameters<typeof createEngineWorker>[0]): Promise<AsyncEngine> {
  const e = await createEngineWorker(options);
  open.push(e);
  return e;
}
afterAll(async () => {
  await Promise.all(open.map((e) => e.close()));
});

describe('createEngineWorker', () => {
  // Invariant: for the same options, nodes and task batches, the worker's engine and an in-process
  // engine return identical schedule results (bindings, unschedulable reasons, events) and stats.
  for (const [policy, seed] of [['binpack', 11], ['spread', 12]] as const) {
    it(`schedules exactly like an in-process engine (${policy}, seed ${seed})`, async () => {
      const cluster = generateCluster({ nodes: 60, seed });
      const tasks = generateWorkload({ tasks: 400, seed: seed + 100, cluster }).tasks as TaskInput[];
      const local = createEngine({ policy, seed });
      const remote = await start({ policy, seed });
      for (const n of cluster.nodes) local.addNode(n as NodeInput);
      await remote.addNodes(cluster.nodes as NodeInput[]);
      let bound = 0;
      for (let b = 0; b < tasks.length; b += 100) {
        const batch = tasks.slice(b, b + 100);
        local.submit(batch);
        await remote.submit(batch);
        const expected = local.schedule();
        bound += expected.bindings.length;
        expect(await remote.schedule()).toEqual(expected);
        // release every third bound task so later batches see a partly freed cluster
        const running = local.tasks().filter((t) => t.status === 'running').map((t) => t.id).filter((_, i) => i % 3 === 0);
        for (const id of running) local.release(id);
        await remote.releaseMany(running);
      }
      expect(bound).toBeGreaterThan(0); // the comparison covered real decisions, not only refusals
      expect(await remote.stats).toEqual(local.stats);
      const placed = tasks.slice(0, 20).map((t) => ({ ...t, id: `again-${t.id}` }));
      expect(await remote.placeMany(placed)).toEqual(placed.map((t) => local.place(t)));
      expect(await remote.catalog()).toEqual(local.catalog());
    });
  }

  it('carries HetpoolError code, path and message across the boundary and changes nothing', async () => {
    const e = await start({ policy: 'binpack', seed: 1 });
    await e.addNode({ id: 'n1', cpuMilli: 4000, memoryMiB: 8192 });
    const dup = await e.addNode({ id: 'n1', cpuMilli: 1000, memoryMiB: 1024 }).catch((err: unknown) => err);
    expect(dup).toBeInstanceOf(HetpoolError);
    expect(dup).toMatchObject({ code: 'conflict', path: 'node.id', name: 'HetpoolError' });
    // a batch with one bad task is rejected whole: the good task before it is not queued
    const bad = await e.submit([{ id: 'ok', cpuMilli: 100 }, { id: 'bad', cpuMilli: 100, accel: { kind: 'gpu', milli: 1001 } }]).catch((err: unknown) => err);
    expect(bad).toBeInstanceOf(HetpoolError);
    expect((bad as HetpoolError).code).toBe('invalid-input');
    expect((bad as HetpoolError).path).toBe('tasks[1].accel.milli');
    expect((bad as HetpoolError).message.startsWith('tasks[1].accel.milli: ')).toBe(true);
    expect(await e.stats).toEqual({ nodes: 1, devices: 0, pending: 0, running: 0 });
    const missing = await e.release('nope').catch((err: unknown) => err);
    expect(missing).toMatchObject({ code: 'not-found' });
  });

  it('rejects options that cannot cross the boundary, and bad engine options with the engine error', async () => {
    await expect(createEngineWorker({ plugins: [] } as never)).rejects.toMatchObject({ code: 'invalid-input', path: 'options.plugins' });
    const err = await createEngineWorker({ seed: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HetpoolError);
    expect(err).toMatchObject({ code: 'invalid-input', path: 'options.seed' });
  });

  it('delivers events to listeners on the calling thread and supports tentative placement', async () => {
    const e = await start({ policy: 'binpack', seed: 3 });
    await e.addNode({ id: 'n1', cpuMilli: 2000, memoryMiB: 4096 });
    const seen: string[] = [];
    const off = await e.on('bound', (ev) => seen.push(ev.binding.taskId));
    await e.submit([{ id: 'a', cpuMilli: 1500 }, { id: 'b', cpuMilli: 1500 }]);
    const r = await e.schedule();
    // 2000 milli-cores hold one 1500 task; the second has 500 left → unschedulable
    expect(r.bindings.map((b) => b.taskId)).toEqual(['a']);
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['b']);
    await new Promise((res) => setTimeout(res, 50)); // listener calls are one-way messages
    expect(seen).toEqual(['a']);
    await off();
    const t = await e.tentative();
    await e.release('a');
    const tb = await t.place({ id: 'c', cpuMilli: 2000 });
    expect('nodeId' in tb && tb.nodeId).toBe('n1');
    await t.discard();
    expect(await e.binding('c')).toBeUndefined();
    expect((await e.stats).running).toBe(0);
  });

  it('resizes a running task through the worker: grows in place when there is room, else changes nothing', async () => {
    const e = await start({});
    await e.addNode({ id: 'n1', cpuMilli: 4000, memoryMiB: 4096 });
    await e.place({ id: 'a', cpuMilli: 1000 });
    // 4000 - 1000 = 3000 free: growing a to 3000 needs 2000 more → fits in place
    expect(await e.resize('a', { cpuMilli: 3000 })).toMatchObject({ ok: true, binding: { nodeId: 'n1' } });
    // to 5000 needs 2000 more but only 1000 is free → refused, a keeps 3000
    const r = await e.resize('a', { cpuMilli: 5000 });
    expect(r.ok).toBe(false);
    expect((await e.task('a'))?.task.cpuMilli).toBe(3000);
    await e.invalidateFilters();
  });

  it('close() ends the thread; calls after it reject', async () => {
    const e = await createEngineWorker({});
    await e.addNode({ id: 'n1', cpuMilli: 1000, memoryMiB: 1024 });
    let ended = false;
    void e.exited.then(() => (ended = true));
    await e.close();
    expect(ended).toBe(true);
    expect(typeof (await e.exited)).toBe('number');
    await expect(e.nodes()).rejects.toMatchObject({ code: 'conflict' });
    await e.close(); // idempotent
  });
});

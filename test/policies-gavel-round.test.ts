/**
 * Heterogeneity-aware targets (Gavel max-min, OSDI'20) inside the engine's rounds: the LP answer
 * derived by hand, one solve per round (never per decision), queue order by achieved/target,
 * steering toward under-target models, and the fallback that keeps steering from ever making a
 * task unschedulable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EnginePlugin } from '../src/engine/index.js';
import { HetpoolError } from '../src/model/errors.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';
import { heterogeneityTargets } from '../src/policies/gavel.js';
import { createHeterogeneityPlugin } from '../src/policies/heterogeneity.js';
import { createPolicies } from '../src/policies/plugins.js';

const gpuNode = (id: string, cpuMilli: number, models: string[]): NodeInput => ({
  id, cpuMilli, memoryMiB: 65536,
  devices: models.map((model, i) => ({ id: `${id}-g${i}`, kind: 'gpu' as const, vendor: 'nvidia', model, memoryMiB: 16384, sharing: { mode: 'time-slice' as const, maxSlices: 4 } })),
});
const gpuTask = (id: string, tenant: string, extra: Partial<TaskInput> = {}): TaskInput => ({ id, tenant, cpuMilli: 1000, accel: { kind: 'gpu', count: 1 }, ...extra });
// The Gavel two-job example: job A runs 2× faster on a V100 than on a K80, job B 10× faster.
const THROUGHPUT = { A: { K80: 1, V100: 2 }, B: { K80: 1, V100: 10 } };

describe('Gavel max-min targets (hand-derived LP answers)', () => {
  it('two jobs, 1 V100 + 1 K80, demand 2 each: B keeps most of the V100', async () => {
    // base_A = ½(2·1 + 1·1) = 1.5, base_B = ½(10·1 + 1·1) = 5.5 (each job's equal share).
    // B gains 10 per V100 unit and 1 per K80 unit, A 2 and 1: B's edge is on the V100, so A takes
    // the whole K80 and a fraction v of the V100, B the rest (demands 2 are not binding):
    //   level_A = (1 + 2v)/1.5 = level_B = 10(1 − v)/5.5 → 5.5 + 11v = 15 − 15v → v = 9.5/26 = 19/52.
    //   level = (1 + 38/52)/1.5 = 15/13 ≈ 1.1538 → 1153 (×1000, floored).
    // Optimality (LP dual): λ_A = 1, λ_B = 1/5, capacity prices y_V100 = 2, y_K80 = 1 cover every
    // column (A: 2 ≥ 2, 1 ≥ 1; B: 2 ≥ 10/5, 1 ≥ 1/5) → t ≤ (2 + 1)/(1.5 + 5.5/5) = 3/2.6 = 15/13.
    // Milli: A V100 ⌊19/52·1000⌋ = 365, K80 1000; B V100 ⌊33/52·1000⌋ = 634, K80 0.
    // Solves: the level LP meets no demand (A 1.37 < 2, B 0.63 < 2) → all frozen; + 1 total LP = 2.
    const r = await heterogeneityTargets({
      types: [{ id: 'V100', count: 1 }, { id: 'K80', count: 1 }],
      tenants: [{ id: 'A', demand: 2, throughput: THROUGHPUT.A }, { id: 'B', demand: 2, throughput: THROUGHPUT.B }],
    });
    expect(Object.fromEntries(r.allocation.get('A')!)).toEqual({ V100: 365, K80: 1000 });
    expect(Object.fromEntries(r.allocation.get('B')!)).toEqual({ V100: 634, K80: 0 });
    expect(Object.fromEntries(r.normalised)).toEqual({ A: 1153, B: 1153 });
    expect(r.solves).toBe(2);
  });

  it('same jobs with demand 1 each: they split both devices half and half', async () => {
    // Each job runs on one device at a time: a_V + a_K ≤ 1, b_V + b_K ≤ 1. A takes v of the V100
    // and 1 − v of the K80, B the rest: (2v + 1 − v)/1.5 = (10(1 − v) + v)/5.5
    //   → 5.5 + 5.5v = 15 − 13.5v → v = 9.5/19 = ½; level (1 + ½)/1.5 = 1 → 1000.
    // Dual: λ_A = 1, λ_B = 1/9, y_V100 = 1, y_demandA = 1, y_demandB = 1/9 → t ≤ (19/9)/(19/9) = 1.
    // Both demands are met at the first solve (A 1, B 1) → frozen; + total LP = 2 solves.
    const r = await heterogeneityTargets({
      types: [{ id: 'V100', count: 1 }, { id: 'K80', count: 1 }],
      tenants: [{ id: 'A', demand: 1, throughput: THROUGHPUT.A }, { id: 'B', demand: 1, throughput: THROUGHPUT.B }],
    });
    expect(Object.fromEntries(r.allocation.get('A')!)).toEqual({ V100: 500, K80: 500 });
    expect(Object.fromEntries(r.allocation.get('B')!)).toEqual({ V100: 500, K80: 500 });
    expect(Object.fromEntries(r.normalised)).toEqual({ A: 1000, B: 1000 });
    expect(r.solves).toBe(2);
  });
});

/** v1: one V100 on a small node (binpack prefers it: 1000/2000 used = 50 vs 1000/8000 = 12); k1: one K80. */
function twoModelEngine(plugins: EnginePlugin[]): Engine {
  const engine = createEngine({ plugins, backend: 'ts' });
  engine.addNode(gpuNode('v1', 2000, ['V100']));
  engine.addNode(gpuNode('k1', 8000, ['K80']));
  return engine;
}

describe('the plugin in the engine rounds', () => {
  it('builds the LP from the engine and steers each job to its target model', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const engine = twoModelEngine([het]);
    // demand from pending tasks: 2 whole GPUs each → the first example above
    engine.submit([gpuTask('a1', 'A'), gpuTask('b1', 'B'), gpuTask('a2', 'A'), gpuTask('b2', 'B')]);
    const t = await het.refresh(engine);
    expect(t.types).toEqual([{ id: 'K80', count: 1 }, { id: 'V100', count: 1 }]);
    expect(Object.fromEntries(t.target.get('A')!)).toEqual({ K80: 1000, V100: 365 });
    expect(Object.fromEntries(t.target.get('B')!)).toEqual({ K80: 0, V100: 634 });
    // a1 (A, first by submission): K80 left 1000 ≥ its 1000 → prefers K80.
    // b1 (B): no model left ≥ 1000; V100 634 > 0 → prefers V100.
    expect(het.preferredModels(engine.task('a1')!.task)).toEqual(['K80']);
    expect(het.preferredModels(engine.task('b1')!.task)).toEqual(['V100']);
    const r = engine.schedule();
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['a1@k1', 'b1@v1']);
    // a2 (A): K80 left 1000 − 1000 = 0, V100 365 > 0 → prefers the V100, which b1 holds → the dry
    // run fails → preference dropped (it does not fit anywhere anyway). b2: no model left → none.
    expect(het.fallbacks).toBe(1);
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['a2', 'b2']);
    // ranks follow binds and releases: A 1·1000/(2·365 + 1000) → 578034; B 10·1000/(10·634) → 1577287
    expect(het.rank(engine.task('a2')!.task)).toBe(578034);
    expect(het.rank(engine.task('b2')!.task)).toBe(1577287);
    engine.release('a1');
    expect(het.rank(engine.task('a2')!.task)).toBe(0);
    engine.removeNode('v1'); // b1 displaced: its V100 share is given back though the node is gone
    expect(het.rank(engine.task('b2')!.task)).toBe(0);

    // without steering binpack puts the first task (a1) on the fuller small node v1 (the V100)
    const off = createHeterogeneityPlugin({ throughput: THROUGHPUT, steer: false });
    const plain = twoModelEngine([off]);
    plain.submit([gpuTask('a1', 'A'), gpuTask('b1', 'B'), gpuTask('a2', 'A'), gpuTask('b2', 'B')]);
    await off.refresh(plain);
    expect(plain.schedule().bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['a1@v1', 'b1@k1']);
  });

  it('solves once per round at refresh, never inside schedule()', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const engine = createEngine({ plugins: [het], backend: 'ts' });
    engine.addNode(gpuNode('v', 64000, ['V100']));
    engine.addNode(gpuNode('k', 64000, ['K80']));
    // quarter-GPU tasks, 4 slices per device: 8 A + 8 B tasks = demand 2 devices each → the first
    // LP example (2 solves); only 8 shares fit in the pool
    const batch = (round: number): TaskInput[] => Array.from({ length: 16 }, (_, i) => gpuTask(`r${round}-${i}`, i % 2 ? 'A' : 'B', { accel: { kind: 'gpu', milli: 250 } }));
    engine.submit(batch(0));
    const solvesPerRound: number[] = [];
    const decisions: number[] = [];
    for (let round = 0; round < 3; round++) {
      if (round === 2) engine.submit(batch(2)); // demand changes → a new LP
      const t = await het.refresh(engine);
      solvesPerRound.push(t.solves);
      const before = het.solverCalls;
      const r = engine.schedule();
      decisions.push(r.bindings.length + r.unschedulable.length);
      expect(het.solverCalls).toBe(before); // schedule() itself never solves
    }
    // Round 0: demand 2 each → example 1: no demand met at the level LP (A 1.37, B 0.63 < 2) →
    //   all frozen, + the total LP = 2 solves; 16 decisions, 8 bound (2 devices × 4 slices).
    // Round 1: the same tasks (pending + running) and pool → same input → solution reused: 0;
    //   8 decisions (the 8 left pending).
    // Round 2: 16 more tasks → demand 4 each, still not binding → 2 solves; 8 + 16 = 24 decisions.
    expect(solvesPerRound).toEqual([2, 0, 2]);
    expect(decisions).toEqual([16, 8, 24]);
    expect(het.solverCalls).toBe(4); // 48 decisions, 4 LP solves
  });

  it('refreshes synchronously once the solver is loaded; scheduleRound = refresh + schedule', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const engine = twoModelEngine([het]);
    engine.submit([gpuTask('a1', 'A'), gpuTask('b1', 'B'), gpuTask('a2', 'A'), gpuTask('b2', 'B')]);
    await het.ready();
    const t = het.refreshNow(engine); // no await: for synchronous loops (e.g. a scenario runner)
    expect(Object.fromEntries(t.target.get('B')!)).toEqual({ K80: 0, V100: 634 }); // example 1
    expect(het.solverCalls).toBe(2);
    const r = await het.scheduleRound(engine); // same input → 0 more solves, then the round
    expect(het.solverCalls).toBe(2);
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['a1@k1', 'b1@v1']);
  });

  it('orders tenants furthest below their target first; priority still dominates', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const pol = createPolicies({ clock: () => 0, heterogeneity: het, preemption: false });
    expect(pol.plugins.at(-1)).toBe(het);
    const engine = twoModelEngine(pol.plugins);
    // running: a0 (A) on the K80, b0 (B) on the V100; pending: b3 (B), a3 (A), then c4 (C, no
    // targets, priority 5). Demand A = 2, B = 2 on 1 V100 + 1 K80: the first LP example, so
    // targets A: V100 365, K80 1000; B: V100 634, K80 0.
    engine.place(gpuTask('a0', 'A', { accel: { kind: 'gpu', count: 1, models: ['K80'] } }));
    engine.place(gpuTask('b0', 'B', { accel: { kind: 'gpu', count: 1, models: ['V100'] } }));
    engine.submit([gpuTask('b3', 'B'), gpuTask('a3', 'A'), gpuTask('c4', 'C', { priority: 5 })]);
    const t = await pol.heterogeneity!.refresh(engine);
    expect(Object.fromEntries(t.target.get('A')!)).toEqual({ K80: 1000, V100: 365 });
    // rank A = achieved/target = (1·1000)/(2·365 + 1·1000) = 1000/1730 → ⌊0.5780346…·10⁶⌋ = 578034
    // rank B = (10·1000)/(10·634 + 1·0) = 10000/6340 → ⌊1.5772870…·10⁶⌋ = 1577287
    // rank C = 10⁶ (no targets: counted as on target)
    expect(het.rank(engine.task('a3')!.task)).toBe(578034);
    expect(het.rank(engine.task('b3')!.task)).toBe(1577287);
    expect(het.rank(engine.task('c4')!.task)).toBe(1_000_000);
    // Nothing fits (both GPUs busy), so the unschedulable list is the queue order: c4 (priority 5)
    // first whatever the ranks, then a3 (A furthest below target) before the older b3.
    const r = engine.schedule();
    expect(r.bindings).toEqual([]);
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['c4', 'a3', 'b3']);
    // without the heterogeneity rank: priority, then submission → c4, b3, a3
    const plain = createPolicies({ clock: () => 0, preemption: false });
    const e2 = twoModelEngine(plain.plugins);
    e2.place(gpuTask('a0', 'A', { accel: { kind: 'gpu', count: 1, models: ['K80'] } }));
    e2.place(gpuTask('b0', 'B', { accel: { kind: 'gpu', count: 1, models: ['V100'] } }));
    e2.submit([gpuTask('b3', 'B'), gpuTask('a3', 'A'), gpuTask('c4', 'C', { priority: 5 })]);
    expect(e2.schedule().unschedulable.map((u) => u.taskId)).toEqual(['c4', 'b3', 'a3']);
  });

  it('takes the tenant tree\'s shares as weights through createPolicies', async () => {
    // tree: org1 (weight 2) → queue A; org2 (weight 1) → queues B (1) and idle (1).
    // Shares: A = 2/3 · 1/1 = 2/3, B = 1/3 · 1/2 = 1/6 → relative 4 : 1.
    // base_A = ⅘·(2 + 1) = 2.4, base_B = ⅕·(10 + 1) = 2.2. A takes the K80 and v of the V100:
    //   (1 + 2v)/2.4 = 10(1 − v)/2.2 → 2.2 + 4.4v = 24 − 24v → v = 21.8/28.4 = 109/142;
    //   level (1 + 218/142)/2.4 = (360/142)/2.4 = 150/142 ≈ 1.0563 → 1056.
    // Dual: λ_A = 1, λ_B = 1/5, y_V100 = 2, y_K80 = 1 → t ≤ 3/(2.4 + 2.2/5) = 3/2.84 = 150/142.
    // Milli: A V100 ⌊109/142·1000⌋ = ⌊767.6⌋ = 767, K80 1000; B V100 ⌊33/142·1000⌋ = ⌊232.39⌋ = 232.
    const pol = createPolicies({
      clock: () => 0,
      preemption: false,
      tenants: { tenants: [
        { id: 'org1', kind: 'organisation', weight: 2, children: [{ id: 'A', kind: 'queue' }] },
        { id: 'org2', kind: 'organisation', children: [{ id: 'B', kind: 'queue' }, { id: 'idle', kind: 'queue' }] },
      ] },
      heterogeneity: { throughput: THROUGHPUT },
    });
    const engine = twoModelEngine(pol.plugins);
    engine.submit([gpuTask('a1', 'A'), gpuTask('a2', 'A'), gpuTask('b1', 'B'), gpuTask('b2', 'B')]);
    const t = await pol.heterogeneity!.refresh(engine);
    expect(Object.fromEntries(t.target.get('A')!)).toEqual({ K80: 1000, V100: 767 });
    expect(Object.fromEntries(t.target.get('B')!)).toEqual({ K80: 0, V100: 232 });
    expect(Object.fromEntries(t.normalised)).toEqual({ A: 1056, B: 1056 });
  });

  it('falls back to any model when the preferred one has no room', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const engine = twoModelEngine([het]);
    engine.submit([gpuTask('a1', 'A'), gpuTask('a2', 'A'), gpuTask('b1', 'B'), gpuTask('b2', 'B')]);
    await het.refresh(engine); // A: K80 1000, V100 365 (first example)
    // someone outside the targets holds the only K80
    engine.place({ id: 'x', tenant: 'other', cpuMilli: 1000, accel: { kind: 'gpu', count: 1, models: ['K80'] } });
    engine.cancel('a2');
    engine.cancel('b1');
    engine.cancel('b2');
    // a1 prefers K80 (left 1000 ≥ 1000); the dry run finds no free K80 → preference dropped → V100
    expect(het.preferredModels(engine.task('a1')!.task)).toEqual(['K80']);
    const r = engine.schedule();
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['a1@v1']);
    expect(het.fallbacks).toBe(1);
  });

  it('on a node with both models, takes the preferred device', async () => {
    const het = createHeterogeneityPlugin({ throughput: THROUGHPUT });
    const engine = createEngine({ plugins: [het], backend: 'ts' });
    engine.addNode(gpuNode('mix', 8000, ['V100', 'K80']));
    engine.submit([gpuTask('a1', 'A'), gpuTask('a2', 'A'), gpuTask('b1', 'B'), gpuTask('b2', 'B')]);
    await het.refresh(engine);
    engine.cancel('b1');
    engine.cancel('b2');
    engine.cancel('a2');
    // kernel alone: both devices free, best fit ties → lower slot mix-g0 (V100); A prefers K80
    const b = engine.schedule().bindings[0];
    expect(b.devices.map((d) => d.deviceId)).toEqual(['mix-g1']);
  });

  it('keys by class and weighs the equal shares', async () => {
    // weights train 2, infer 1: base_train = ⅔·(2 + 1) = 2, base_infer = ⅓·(10 + 1) = 11/3.
    // train takes the K80 and v of the V100: (1 + 2v)/2 = 10(1 − v)/(11/3) = 30(1 − v)/11
    //   → 11 + 22v = 60 − 60v → v = 49/82; level 90/82 = 45/41 ≈ 1.0976 → 1097.
    // Dual: λ_train = 1, λ_infer = 1/5, y_V100 = 2, y_K80 = 1 → t ≤ 3/(2 + 11/15) = 45/41.
    // Milli: train V100 ⌊49/82·1000⌋ = 597, K80 1000; infer V100 ⌊33/82·1000⌋ = 402.
    const het = createHeterogeneityPlugin({ by: 'class', throughput: { train: THROUGHPUT.A, infer: THROUGHPUT.B }, weights: { train: 2 } });
    const engine = twoModelEngine([het]);
    engine.submit([gpuTask('t1', 'x', { class: 'train' }), gpuTask('t2', 'y', { class: 'train' }), gpuTask('i1', 'x', { class: 'infer' }), gpuTask('i2', 'y', { class: 'infer' })]);
    const t = await het.refresh(engine);
    expect(Object.fromEntries(t.target.get('train')!)).toEqual({ K80: 1000, V100: 597 });
    expect(Object.fromEntries(t.target.get('infer')!)).toEqual({ K80: 0, V100: 402 });
    expect(Object.fromEntries(t.normalised)).toEqual({ train: 1097, infer: 1097 });
    // the queue is sorted once at the round's start (ranks all 0, so submission order): t1 → K80
    // (left 1000 covers it); t2 → K80 left 0, V100 597 > 0 → V100; i1, i2 find nothing free
    const r = engine.schedule();
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['t1@k1', 't2@v1']);
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['i1', 'i2']);
  });

  it('rejects bad options with the field path', () => {
    expect(() => createHeterogeneityPlugin({ throughput: { A: { V100: -1 } } })).toThrow(HetpoolError);
    let err: unknown;
    try {
      createHeterogeneityPlugin({ throughput: { A: { V100: Number.NaN } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HetpoolError);
    expect((err as HetpoolError).path).toBe('heterogeneity.throughput.A.V100');
    expect(() => createHeterogeneityPlugin({ throughput: { A: { V100: 1 } }, weights: { A: 0 } })).toThrow(/weights\.A/);
  });
});

describe('steering never makes a task unschedulable (property)', () => {
  // Invariant: whenever a task is unschedulable in a round with steering on, it does not fit at
  // that moment with steering off either (checked by a dry run without the preference in the
  // preempt hook, which the engine calls exactly when a task is unschedulable, in that state).
  it('holds on random pools, tasks and throughputs', async () => {
    const models = ['V100', 'K80', 'A100'];
    const node = fc.record({ cpu: fc.integer({ min: 1, max: 8 }), devs: fc.array(fc.constantFrom(...models), { maxLength: 3 }) });
    const task = fc.record({
      tenant: fc.constantFrom('A', 'B', 'C'),
      cpu: fc.integer({ min: 1, max: 4 }),
      gpu: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 }), fc.constantFrom(250, 500)),
      pin: fc.option(fc.constantFrom(...models), { nil: undefined }),
    });
    const tput = fc.record({ V100: fc.integer({ min: 0, max: 10 }), K80: fc.integer({ min: 0, max: 10 }), A100: fc.integer({ min: 0, max: 10 }) });
    let checked = 0;
    let steered = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(node, { minLength: 1, maxLength: 5 }), fc.array(task, { minLength: 1, maxLength: 14 }),
      fc.record({ A: tput, B: tput }), fc.integer({ min: 1, max: 3 }),
      async (nodes, tasks, throughput, rounds) => {
        const het = createHeterogeneityPlugin({ throughput });
        let engine: Engine | undefined;
        const check: EnginePlugin = {
          name: 'check',
          preempt(ts) {
            const e = engine!;
            het.steering = false;
            e.invalidateFilters(ts.id);
            const tx = e.tentative();
            const out = tx.place(ts.task);
            tx.discard();
            het.steering = true;
            e.invalidateFilters(ts.id);
            checked++;
            expect('nodeId' in out).toBe(false);
            return null;
          },
        };
        engine = createEngine({ plugins: [het, check], backend: 'ts' });
        nodes.forEach((n, i) => engine!.addNode(gpuNode(`n${i}`, n.cpu * 1000, n.devs)));
        engine.submit(tasks.map((t, i): TaskInput => ({
          id: `t${i}`, tenant: t.tenant, cpuMilli: t.cpu * 1000,
          ...(t.gpu === 0 ? {} : { accel: { kind: 'gpu', ...(t.gpu <= 2 ? { count: t.gpu } : { milli: t.gpu }), ...(t.pin ? { models: [t.pin] } : {}) } }),
        })));
        for (let r = 0; r < rounds; r++) {
          await het.refresh(engine);
          for (const ts of engine.tasks()) if (ts.status === 'pending' && het.preferredModels(ts.task)) steered++;
          engine.schedule();
          // a task finishes between rounds
          const running = engine.tasks().find((s) => s.status === 'running');
          if (running) engine.release(running.id);
        }
      },
    ), { numRuns: 60 });
    expect(checked).toBeGreaterThan(0);
    expect(steered).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine } from '../src/engine/index.js';
import type { Engine, EngineEvent } from '../src/engine/index.js';
import { createPolicies, type Policies } from '../src/policies/plugins.js';
import { placeGang, reserveForGang, mayBackfill } from '../src/policies/gang.js';
import { guardEngine } from '../src/policies/guard.js';
import { TenantTree, type TenantFileInput } from '../src/policies/tenants.js';
import { tierOf } from '../src/policies/preemption.js';
import { poolCapacity } from '../src/policies/fairshare.js';
import { claimCapacityMilli, maxSlicesOf } from '../src/policies/oversubscription.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';
import { parseTask } from '../src/model/validate.js';

const gpuNode = (id: string, gpus: number, sharing: 'exclusive' | 'time-slice' = 'exclusive'): NodeInput => ({
  id, cpuMilli: 64_000, memoryMiB: 262_144,
  devices: Array.from({ length: gpus }, (_, i) => ({
    id: `${id}-g${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'A100', memoryMiB: 40_000,
    sharing: sharing === 'exclusive' ? { mode: 'exclusive' as const } : { mode: 'time-slice' as const, maxSlices: 4, oversubscription: 1500 },
  })),
});
const job = (id: string, tenant: string, p: Partial<TaskInput> = {}): TaskInput => ({ id, tenant, cpuMilli: 1000, memoryMiB: 1024, accel: { kind: 'gpu', count: 1 }, ...p });

const twoQueues = (over: Partial<TenantFileInput> = {}): TenantFileInput => ({
  tenants: [{
    id: 'org', kind: 'organisation', children: [
      { id: 'a', kind: 'queue', guaranteed: { accel: { gpu: { count: 1 } } }, limit: { accel: { gpu: { count: 2 } } } },
      { id: 'b', kind: 'queue', guaranteed: { accel: { gpu: { count: 1 } } } },
    ],
  }],
  roles: [{ actor: 'root', role: 'admin', tenant: '*' }, { actor: 'ann', role: 'member', tenant: 'a' }],
  ...over,
});

function setup(opts: Parameters<typeof createPolicies>[0], nodes: NodeInput[]): { engine: Engine; pol: Policies; clock: { t: number }; events: EngineEvent[] } {
  const clock = { t: 0 };
  const pol = createPolicies({ clock: () => clock.t, ...opts });
  const engine = createEngine({ plugins: pol.plugins });
  for (const n of nodes) engine.addNode(n);
  const events: EngineEvent[] = [];
  for (const name of ['preempted', 'displaced', 'bound'] as const) engine.on(name, (e) => events.push(e));
  return { engine, pol, clock, events };
}

describe('policies through the engine', () => {
  it('holds a task over its queue limit and admits it once room is released', () => {
    // queue a: limit 2 GPUs. Three 1-GPU tasks: 2 bound, the third held by quota (2 + 1 > 2).
    const { engine } = setup({ tenants: twoQueues() }, [gpuNode('n1', 4)]);
    engine.submit([job('a1', 'a'), job('a2', 'a'), job('a3', 'a')]);
    const r = engine.schedule();
    expect(r.bindings.map((b) => b.taskId)).toEqual(['a1', 'a2']);
    expect(r.unschedulable[0].message).toBe('not admitted: quota: a gpu.count 2 + 1 > limit 2');
    engine.release('a1');
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['a3']);
  });

  it('lets an urgent task preempt the lowest-priority one, which is requeued with its priority', () => {
    const { engine, events } = setup({ priority: { classes: [{ name: 'urgent', priority: 1000, emergency: true }] } }, [gpuNode('n1', 2)]);
    engine.submit([job('low', 'default', { priority: 1 }), job('mid', 'default', { priority: 5 })]);
    engine.schedule();
    engine.submit(job('now', 'default', { class: 'urgent' }));
    const r = engine.schedule();
    expect(r.bindings.map((b) => b.taskId)).toEqual(['now']);
    const pre = events.filter((e) => e.type === 'preempted');
    expect(pre).toEqual([{ type: 'preempted', displaced: { taskId: 'low', nodeId: 'n1', reason: 'preempted by now' }, by: 'now' }]);
    expect(engine.task('low')).toMatchObject({ status: 'pending', task: { priority: 1 } });
  });

  it('plans evictions only on nodes the preemptor may use (taints)', () => {
    // n1 is tainted (spot) and runs `low` (prio 1, tolerates it); n2 runs `mid` (prio 5). The
    // cheaper victim is low, but the urgent task does not tolerate the taint: evict mid on n2.
    const { engine } = setup({ priority: { classes: [{ name: 'urgent', priority: 1000, emergency: true }] } }, [
      { ...gpuNode('n1', 1), site: 'a', taints: [{ key: 'spot', effect: 'NoSchedule' }] },
      { ...gpuNode('n2', 1), site: 'b' },
    ]);
    engine.submit([
      job('low', 'default', { priority: 1, site: ['a'], tolerations: [{ key: 'spot', operator: 'Exists' }] }),
      job('mid', 'default', { priority: 5, site: ['b'] }),
    ]);
    engine.schedule();
    engine.submit(job('now', 'default', { class: 'urgent' }));
    const r = engine.schedule();
    expect(r.bindings.map((b) => [b.taskId, b.nodeId])).toEqual([['now', 'n2']]);
    expect(engine.task('low')?.status).toBe('running');
    expect(engine.task('mid')?.status).toBe('pending');
  });

  it('does not let a non-urgent task preempt, except to reclaim its guarantee from a borrower', () => {
    // 2 GPUs. b runs 2 tasks (guarantee 1 → one is borrowed). a (guarantee 1, using 0) submits a
    // task: within its guarantee → reclaims one of b's, though b's tasks have higher priority.
    const { engine, events } = setup({ tenants: twoQueues() }, [gpuNode('n1', 2)]);
    engine.submit([job('b1', 'b', { priority: 50 }), job('b2', 'b', { priority: 60 })]);
    engine.schedule();
    engine.submit(job('a1', 'a', { priority: 0 }));
    expect(engine.schedule().bindings.map((x) => x.taskId)).toEqual(['a1']);
    expect(events.filter((e) => e.type === 'preempted').map((e) => (e as { displaced: { taskId: string } }).displaced.taskId)).toEqual(['b1']);
    // now a is at its guarantee (1): a second task of a is beyond it → may not reclaim; b1 stays
    // pending, b2 (within b's guarantee of 1) is never evicted for a non-urgent task.
    engine.submit(job('a2', 'a'));
    const r = engine.schedule();
    expect(r.bindings).toEqual([]);
    expect(engine.task('b2')?.status).toBe('running');
  });

  it('requeues tasks of a failed device with a reason and never places on it', () => {
    const { engine, pol } = setup({ tenants: twoQueues() }, [gpuNode('n1', 2)]);
    engine.submit([job('a1', 'a'), job('b1', 'b')]);
    engine.schedule();
    const on = engine.binding('a1')!.devices[0].deviceId;
    const d = engine.setDeviceHealth('n1', on, 'unhealthy');
    expect(d).toEqual([{ taskId: 'a1', nodeId: 'n1', reason: expect.stringMatching(/unhealthy|health/) }]);
    expect(engine.task('a1')?.status).toBe('pending');
    // the quota follows: a's usage went back to 0 on release
    expect(pol.tree!.get('a').usage[pol.tree!.space.indexOf('gpu.count')]).toBe(0);
    const r = engine.schedule();
    expect(r.bindings).toEqual([]); // the only healthy GPU is b1's
    expect(engine.task('a1')?.status).toBe('pending');
  });

  it('holds a class outside its window and flags a missed deadline', () => {
    const { engine, pol, clock } = setup({ priority: { classes: [{ name: 'batch', priority: 0, window: { fromHour: 22, toHour: 6 } }] } }, [gpuNode('n1', 2)]);
    clock.t = 14 * 3600;
    engine.submit([job('nightly', 'default', { class: 'batch' }), job('late', 'default', { deadline: 14 * 3600 + 10, duration: 60 })]);
    const r = engine.schedule();
    expect(r.bindings.map((b) => b.taskId)).toEqual(['late']);
    expect(r.unschedulable[0].message).toBe('not admitted: class batch starts only 22:00–06:00 (now 14:00)');
    // 50400 + 60 = 50460 > 50410
    expect(pol.events).toEqual([{ type: 'deadline-miss', taskId: 'late', reason: 'deadline 50410 cannot be met: now 50400 + duration 60 = 50460 > 50410', at: 50400 }]);
    clock.t = 22 * 3600;
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['nightly']);
  });

  it('stops admission when a budget is spent', () => {
    // q: 1 device-hour per 24 h. One whole GPU for 3600 s = 1000 × 3600 = 3 600 000 = 1 device-hour.
    const { engine, clock } = setup({ tenants: { tenants: [{ id: 'q', kind: 'queue', budget: { deviceHours: 1, windowHours: 24 } }] } }, [gpuNode('n1', 2)]);
    engine.submit(job('first', 'q'));
    engine.schedule();
    clock.t = 3600;
    engine.release('first');
    engine.submit(job('second', 'q'));
    expect(engine.schedule().unschedulable[0].message).toMatch(/^not admitted: budget: q spent 1\.000 of 1 device-hours/);
  });

  it('serves the most under-served queue first at equal priority (fair-share rank)', () => {
    // 4 GPUs; a runs 3, b runs 0. Both want more: a2..a4 submitted before b1..b2.
    // Deserved (DRF, equal weights, 1 GPU per task): a 2, b 2. Usage share ÷ deserved: a 3/2, b 0/2
    // → b ranks first, so after a release b1 is bound before the older a tasks.
    const { engine, pol } = setup({ tenants: { tenants: [{ id: 'a', kind: 'queue' }, { id: 'b', kind: 'queue' }] } }, [gpuNode('n1', 4)]);
    engine.submit([job('a0', 'a'), job('a1', 'a'), job('a9', 'a')]);
    engine.schedule();
    engine.submit([job('a2', 'a'), job('a3', 'a'), job('b1', 'b'), job('b2', 'b')]);
    const shares = pol.refreshFairShare(engine, poolCapacity(engine.nodes(), pol.tree!.space))!;
    const g = shares.dims.indexOf('gpu.count');
    expect(shares.deserved.get('a')![g]).toBe(2);
    expect(shares.deserved.get('b')![g]).toBe(2);
    expect(shares.order).toEqual(['b', 'a']);
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['b1']);
  });

  it('refreshes fair share by itself once per interval when asked to', () => {
    // The refresh runs at admission, after the queue was sorted: it orders the NEXT cycle.
    // t=0: first admission refreshes (only a has tasks → order [a, b]); a0, a1, a9 bound.
    // t=60: queue sorted with [a, b] → a2, a3, b1, b2; admitting a2 refreshes (60 − 0 ≥ 60):
    //   deserved a 2, b 2 (DRF, 1 GPU each); usage a 3, b 0 → order [b, a]. 1 GPU free → a2 bound.
    // release a0, a1 → 2 GPUs free; sorted with [b, a] → b1, b2 bound (a3 waits).
    const { engine, clock } = setup({ tenants: { tenants: [{ id: 'a', kind: 'queue' }, { id: 'b', kind: 'queue' }] }, fairShareEverySeconds: 60 }, [gpuNode('n1', 4)]);
    engine.submit([job('a0', 'a'), job('a1', 'a'), job('a9', 'a')]);
    engine.schedule();
    engine.submit([job('a2', 'a'), job('a3', 'a'), job('b1', 'b'), job('b2', 'b')]);
    clock.t = 60;
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['a2']);
    engine.release('a0');
    engine.release('a1');
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['b1', 'b2']);
  });

  it('charges the model of the bound device, so model limits hold for unpinned tasks', () => {
    // q may hold 1 A100. n1 has only an A100: unpinned t1 lands there and is charged as A100.
    // Then n2 (an H100) joins: unpinned t2 could land on an A100 → held (1 + 1 > 1); t3 pinned
    // to H100 runs.
    const { engine, pol } = setup({ tenants: { tenants: [{ id: 'q', kind: 'queue', limit: { accel: { 'gpu:A100': { count: 1 } } } }] } }, [gpuNode('n1', 1)]);
    engine.submit(job('t1', 'q'));
    engine.schedule();
    expect(pol.tree!.get('q').usage[pol.tree!.space.indexOf('gpu:A100.count')]).toBe(1);
    const h100 = gpuNode('n2', 1);
    h100.devices![0].model = 'H100';
    engine.addNode(h100);
    engine.submit([job('t2', 'q'), job('t3', 'q', { accel: { kind: 'gpu', count: 1, models: ['H100'] } })]);
    const r = engine.schedule();
    expect(r.bindings.map((b) => [b.taskId, b.nodeId])).toEqual([['t3', 'n2']]);
    expect(r.unschedulable[0].message).toBe('not admitted: quota: q gpu:A100.count 1 + 1 > limit 1 (it could land on A100; pin other models to run elsewhere)');
  });

  it('keeps usage exact across a quota edit that adds a model key while tasks run', () => {
    // t1 runs (1 GPU, A100). alice adds an fpga:U250 limit: the space gains 3 dimensions that sort
    // before gpu.*, so every gpu index moves by 3. Releasing t1 must bring every usage back to 0.
    const tree = new TenantTree({ tenants: [{ id: 'q', kind: 'queue' }], roles: [{ actor: 'alice', role: 'admin', tenant: '*' }] });
    const { engine } = setup({ tenants: tree }, [gpuNode('n1', 1)]);
    engine.submit(job('t1', 'q'));
    engine.schedule();
    tree.setQuota('alice', 'q', { limit: { accel: { 'fpga:U250': { count: 4 } } } });
    expect(tree.get('q').usage[tree.space.indexOf('gpu.count')]).toBe(1);
    engine.release('t1');
    expect(tree.get('q').usage.every((x) => x === 0)).toBe(true);
  });

  it('admits a gang as a whole against quotas before placing it', () => {
    // q: limit 2 GPUs. A gang of 3 one-GPU members: Σ 0 + 3 > 2 → refused, nothing placed.
    // A gang of 2 fits the limit and commits; q then uses 2.
    const { engine, pol } = setup({ tenants: { tenants: [{ id: 'q', kind: 'queue', limit: { accel: { gpu: { count: 2 } } } }] } }, [gpuNode('n1', 4)]);
    pol.attach(engine);
    const gang = (n: number, p: string) => Array.from({ length: n }, (_, i) => parseTask(job(`${p}${i}`, 'q')));
    const three = gang(3, 'x');
    const r = placeGang(engine.tentative(), three, 3, () => pol.admitGang(three));
    expect(r).toMatchObject({ committed: false, reason: 'quota: q gpu.count 0 + 3 > limit 2' });
    expect(engine.tasks()).toEqual([]);
    const two = gang(2, 'y');
    expect(placeGang(engine.tentative(), two, 2, () => pol.admitGang(two)).committed).toBe(true);
    expect(pol.tree!.get('q').usage[pol.tree!.space.indexOf('gpu.count')]).toBe(2);
  });

  it('plans a live resize against the engine state', () => {
    // One time-sliced GPU (oversubscription 1500): s1 holds 300 milli, s2 900. Growing s1 to 600
    // needs Δ 300 ≤ 1500 − 1200 = 300 → in place; to 700 (Δ 400 > 300) → the other node.
    const { engine, pol } = setup({}, [gpuNode('n1', 1, 'time-slice'), gpuNode('n2', 1, 'time-slice')]);
    engine.place(job('s1', 'default', { accel: { kind: 'gpu', milli: 300, memoryMiB: 1000 } }));
    const on = engine.binding('s1')!.nodeId;
    const other = on === 'n1' ? 'n2' : 'n1';
    engine.place(job('s2', 'default', { accel: { kind: 'gpu', milli: 900, memoryMiB: 1000 } }));
    expect(engine.binding('s2')!.nodeId).toBe(on); // binpack shares the busy device
    expect(pol.planResize(engine, 's1', { milli: 600 })).toMatchObject({ kind: 'in-place' });
    expect(pol.planResize(engine, 's1', { milli: 700 })).toMatchObject({ kind: 'migrate', nodeId: other });
    expect(() => createPolicies({ fairShareEverySeconds: -1 })).toThrow(/fairShareEverySeconds: must be a number ≥ 0/);
  });

  it('checks RBAC before touching the engine', () => {
    const tree = new TenantTree(twoQueues());
    const { engine } = setup({ tenants: tree }, [gpuNode('n1', 2)]);
    const g = guardEngine(engine, tree);
    g.submit('ann', job('x', 'a'));
    expect(() => g.submit('ann', [job('y', 'a'), job('z', 'b')])).toThrow('tenants.b: actor "ann" may not submit on tenant "b" (holds: member of a)');
    expect(engine.task('y')).toBeUndefined(); // nothing queued
    expect(() => g.drain('ann', 'n1')).toThrow(/may not drain on the pool/);
    expect(engine.node('n1')?.schedulable).toBe(true);
    g.drain('root', 'n1');
    expect(engine.node('n1')?.schedulable).toBe(false);
  });
});

describe('gang scheduling', () => {
  it('places all or nothing through one transaction', () => {
    const engine = createEngine();
    engine.addNode(gpuNode('n1', 3));
    const members = Array.from({ length: 4 }, (_, i) => job(`w${i}`, 'default'));
    // 4 members, 3 GPUs, minMember 4 → discard: nothing bound
    expect(placeGang(engine.tentative(), members, 4)).toMatchObject({ committed: false, placed: [] });
    expect(engine.tasks().filter((t) => t.status === 'running')).toEqual([]);
    // minMember 3 → commit the 3 that fit; w3 was never bound
    const r = placeGang(engine.tentative(), members, 3);
    expect(r).toMatchObject({ committed: true, unplaced: ['w3'] });
    expect(engine.tasks().filter((t) => t.status === 'running').map((t) => t.id).sort()).toEqual(['w0', 'w1', 'w2']);
  });

  it('reserves nodes for a blocked gang and backfills only what ends before it', () => {
    // n1, n2: 2 GPUs each, all busy; tasks end at 100, 200 (n1) and 300, 400 (n2).
    // Gang of 2 one-GPU members: at t=100 one GPU frees (1 fits), at 200 the second (2 fit) →
    // shadow time 200, reserved node n1.
    const engine = createEngine();
    engine.addNode(gpuNode('n1', 2));
    engine.addNode(gpuNode('n2', 2));
    const ends: Record<string, number> = { r1: 100, r2: 200, r3: 300, r4: 400 };
    engine.submit(Object.keys(ends).map((id) => job(id, 'default', { duration: ends[id] })));
    engine.schedule();
    const pol = createPolicies({ clock: () => 0 });
    const snap = pol.snapshot(engine);
    for (const p of snap.running) p.startedAt = 0;
    const byNode = (n: string) => snap.running.filter((p) => p.nodeId === n).map((p) => p.task.id).sort();
    expect(byNode('n1').length + byNode('n2').length).toBe(4);
    const member = { id: 'm', tenant: 'default', priority: 0, cpuMilli: 1000, memoryMiB: 1024, accel: { kind: 'gpu' as const, count: 1, milli: 1000, memoryMiB: 0, exclusive: false } };
    const res = reserveForGang('g', member, 2, snap, 0)!;
    // Whichever way the engine spread r1..r4, the GPUs freed by t=200 are those of r1 and r2:
    // the reservation holds exactly their nodes.
    const early = new Set(snap.running.filter((p) => ends[p.task.id] <= 200).map((p) => p.nodeId));
    expect(res.shadowTime).toBe(200);
    expect([...res.nodes].sort()).toEqual([...early].sort());
    const reserved = [...res.nodes][0];
    expect(mayBackfill({ duration: 150 }, reserved, res, 0)).toBe(true); // 0 + 150 ≤ 200
    expect(mayBackfill({ duration: 250 }, reserved, res, 0)).toBe(false); // 250 > 200
    expect(mayBackfill({}, reserved, res, 0)).toBe(false); // no duration: never on a reserved node
    expect(mayBackfill({ duration: 9999 }, 'elsewhere', res, 0)).toBe(true);
  });
});

/** Random histories over a small pool with quotas, priorities and failures. */
describe('invariants on random histories', () => {
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('submit' as const), tenant: fc.constantFrom('a', 'b'), priority: fc.integer({ min: 0, max: 3 }), urgent: fc.boolean(), milli: fc.constantFrom(250, 500, 1000), count: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ op: fc.constant('schedule' as const) }),
    fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('fail' as const), dev: fc.integer({ min: 0, max: 3 }), health: fc.constantFrom('healthy', 'unhealthy') }),
  );

  it('keeps quotas, capacity, guarantees and every task', () => {
    // Invariants after every step: (1) no queue or ancestor exceeds its limit and the tracked
    // usage equals the sum over running tasks; (2) no node or device is over capacity (Σ milli ≤
    // oversubscription, Σ MiB ≤ memory, slices ≤ maxSlices, CPU, memory); (3) no running task is
    // on an unhealthy device; (4) no task is lost: every submitted, unreleased task is pending or
    // running exactly once; (5) a non-urgent preemptor only evicts borrowed tasks of other queues.
    fc.assert(fc.property(fc.array(opArb, { minLength: 5, maxLength: 40 }), (ops) => {
      const tree = new TenantTree({
        tenants: [{ id: 'org', kind: 'organisation', limit: { accel: { gpu: { count: 5 } } }, children: [
          { id: 'a', kind: 'queue', guaranteed: { accel: { gpu: { count: 2 } } }, limit: { accel: { gpu: { count: 4 } } } },
          { id: 'b', kind: 'queue', guaranteed: { accel: { gpu: { count: 2 } } } },
        ] }],
      });
      const violations: string[] = [];
      let pol!: Policies;
      pol = createPolicies({
        tenants: tree, clock: () => 0, fairShareEverySeconds: 0,
        priority: { classes: [{ name: 'urgent', priority: 100, emergency: true }] },
        onEvent: (e) => {
          if (e.type !== 'preemption-planned') return;
          const pre = engine.task(e.taskId)!.task;
          if (pol.rules.isUrgent(pre, 0)) return;
          for (const v of e.plan.victims) {
            const vt = engine.task(v)!.task;
            if (vt.tenant === pre.tenant || tierOf(vt, tree) !== 0) violations.push(`${e.taskId} evicted ${v}`);
          }
        },
      });
      const engine = createEngine({ plugins: pol.plugins, backend: 'ts' });
      engine.addNode(gpuNode('n1', 2, 'time-slice'));
      engine.addNode(gpuNode('n2', 2, 'exclusive'));
      const devs = ['n1-g0', 'n1-g1', 'n2-g0', 'n2-g1'];
      const alive = new Set<string>();
      let next = 0;
      for (const o of ops) {
        if (o.op === 'submit') {
          const id = `t${next++}`;
          engine.submit(job(id, o.tenant, { priority: o.priority, class: o.urgent ? 'urgent' : undefined, accel: { kind: 'gpu', count: o.milli < 1000 ? 1 : o.count, milli: o.milli, memoryMiB: o.milli < 1000 ? 8000 : 0 } }));
          alive.add(id);
        } else if (o.op === 'schedule') engine.schedule();
        else if (o.op === 'release') {
          const running = engine.tasks().filter((t) => t.status === 'running');
          if (running.length) {
            const t = running[o.pick % running.length];
            engine.release(t.id);
            alive.delete(t.id);
          }
        } else {
          const d = devs[o.dev];
          engine.setDeviceHealth(d.slice(0, 2), d, o.health);
        }
        // (1) quotas
        const used = new Map<string, number>();
        for (const t of engine.tasks()) if (t.status === 'running') for (const x of tree.path(t.task.tenant)) used.set(x.id, (used.get(x.id) ?? 0) + (t.task.accel?.count ?? 0));
        const k = tree.space.indexOf('gpu.count');
        for (const x of tree.all()) {
          expect(x.usage[k]).toBe(used.get(x.id) ?? 0);
          expect(x.usage[k]).toBeLessThanOrEqual(x.limit[k]);
        }
        // (2)(3) capacity and health
        for (const n of engine.nodes()) {
          const on = engine.tasks().filter((t) => t.status === 'running' && t.binding!.nodeId === n.id);
          expect(on.reduce((s, t) => s + t.task.cpuMilli, 0)).toBeLessThanOrEqual(n.cpuMilli);
          for (const d of n.devices) {
            const held = on.flatMap((t) => t.binding!.devices.filter((b) => b.deviceId === d.id));
            if (held.length) expect(d.health).toBe('healthy');
            expect(held.reduce((s, b) => s + b.milli, 0)).toBeLessThanOrEqual(claimCapacityMilli(d));
            expect(held.reduce((s, b) => s + b.memoryMiB, 0)).toBeLessThanOrEqual(d.memoryMiB);
            expect(held.length).toBeLessThanOrEqual(maxSlicesOf(d));
          }
        }
        // (4) no task lost, none duplicated
        expect(engine.tasks().map((t) => t.id).sort()).toEqual([...alive].sort());
      }
      // (5)
      expect(violations).toEqual([]);
    }), { numRuns: 150 });
  });

  it('never binds a lower-priority task while a higher one of the same shape waits', () => {
    // Invariant (no priority inversion): with identical 1-GPU tasks, one queue and no windows,
    // after a cycle every pending task has effective priority ≤ every task bound in that cycle.
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 6 }), (prios, gpus) => {
      const pol = createPolicies({ clock: () => 0, preemption: false });
      const engine = createEngine({ plugins: pol.plugins, backend: 'ts' });
      engine.addNode(gpuNode('n', gpus));
      engine.submit(prios.map((p, i) => job(`t${i}`, 'default', { priority: p })));
      const r = engine.schedule();
      const bound = r.bindings.map((b) => engine.task(b.taskId)!.task.priority);
      const waiting = engine.tasks().filter((t) => t.status === 'pending').map((t) => t.task.priority);
      if (bound.length && waiting.length) expect(Math.max(...waiting)).toBeLessThanOrEqual(Math.min(...bound));
      expect(bound.length).toBe(Math.min(gpus, prios.length));
    }), { numRuns: 100 });
  });

  it('serves a queue asking within its guarantee in one cycle when guarantees fit the pool', () => {
    // Invariant (guarantees honoured): Σ guarantees = GPUs, every task one whole GPU, no urgent
    // task. Whatever the others run, a queue with usage < guarantee that submits one task has it
    // running after one cycle: the pool is either not full, or full with usage Σ = Σ guarantees,
    // so some other queue is over its guarantee and has a borrowed task to reclaim (rule R2).
    const arb = fc.record({
      guar: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 3 }).filter((g) => g.reduce((a, b) => a + b, 0) > 0),
      subs: fc.array(fc.record({ q: fc.nat(), prio: fc.integer({ min: 0, max: 9 }) }), { maxLength: 12 }),
      pick: fc.nat(),
    });
    fc.assert(fc.property(arb, ({ guar, subs, pick }) => {
      const total = guar.reduce((a, b) => a + b, 0);
      const ids = guar.map((_, i) => `q${i}`);
      const pol = createPolicies({ clock: () => 0, tenants: { tenants: ids.map((id, i) => ({ id, kind: 'queue' as const, guaranteed: { accel: { gpu: { count: guar[i] } } } })) } });
      const engine = createEngine({ plugins: pol.plugins, backend: 'ts' });
      engine.addNode(gpuNode('n', total));
      subs.forEach((x, i) => engine.submit(job(`s${i}`, ids[x.q % ids.length], { priority: x.prio })));
      engine.schedule();
      const k = pol.tree!.space.indexOf('gpu.count');
      const under = ids.filter((id, i) => pol.tree!.get(id).usage[k] < guar[i]);
      if (!under.length) return;
      const q = under[pick % under.length];
      engine.submit(job('mine', q, { priority: 0 }));
      engine.schedule();
      expect(engine.task('mine')?.status).toBe('running');
    }), { numRuns: 150 });
  });

  it('places a gang all or nothing on random pools (property)', () => {
    // Invariant: either ≥ minMember members run (and the others stay unbound), or no member runs
    // and the tasks that ran before still run on the same devices.
    const arb = fc.record({ busy: fc.integer({ min: 0, max: 6 }), members: fc.integer({ min: 1, max: 6 }), min: fc.integer({ min: 1, max: 6 }), gpus: fc.integer({ min: 1, max: 6 }) });
    fc.assert(fc.property(arb, ({ busy, members, min, gpus }) => {
      const engine = createEngine({ backend: 'ts' });
      engine.addNode(gpuNode('n', gpus));
      engine.submit(Array.from({ length: busy }, (_, i) => job(`b${i}`, 'default')));
      engine.schedule();
      const before = JSON.stringify(engine.tasks().filter((t) => t.status === 'running').map((t) => t.binding));
      const minMember = Math.min(min, members);
      const r = placeGang(engine.tentative(), Array.from({ length: members }, (_, i) => job(`m${i}`, 'default')), minMember);
      const running = engine.tasks().filter((t) => t.status === 'running' && t.id.startsWith('m')).length;
      if (r.committed) {
        expect(running).toBeGreaterThanOrEqual(minMember);
        expect(running).toBe(r.placed.length);
      } else {
        expect(running).toBe(0);
        expect(JSON.stringify(engine.tasks().filter((t) => t.status === 'running').map((t) => t.binding))).toBe(before);
      }
      // it commits exactly when enough GPUs were free: min(members, gpus − min(busy, gpus)) ≥ minMember
      expect(r.committed).toBe(Math.min(members, gpus - Math.min(busy, gpus)) >= minMember);
    }), { numRuns: 150 });
  });
});

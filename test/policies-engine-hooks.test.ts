/**
 * The policies on the engine hooks: gang reservation with EASY backfill inside schedule(),
 * quota-checked live resize through engine.resize, and preemption that respects every plugin's
 * node filter and evicts only when the preemptor then fits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineEvent, type EnginePlugin } from '../src/engine/index.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';
import { createGangReservation } from '../src/policies/gang-reservation.js';
import { guardEngine } from '../src/policies/guard.js';
import { createPolicies } from '../src/policies/plugins.js';
import { resizeOrMigrate } from '../src/policies/resize.js';
import type { TenantFileInput } from '../src/policies/tenants.js';

const cpuNode = (id: string, cpuMilli: number): NodeInput => ({ id, cpuMilli, memoryMiB: 65536, labels: { name: id } });
const on = (id: string, nodeId: string, cpuMilli: number, duration?: number): TaskInput => ({ id, cpuMilli, selector: { name: nodeId }, ...(duration !== undefined ? { duration } : {}) });

describe('gang reservation and backfill inside the engine cycle', () => {
  // n1, n2: 4000 mCPU; n3: 1000 mCPU (too small for a member, so never reserved).
  // Running at t = 0: 'long' 4000 on n1 for 100 s, 'short' 2000 on n2 for 10 s.
  // Gang of 2 members × 4000: blocked now (n1 0 free, n2 2000). As tasks end: t = 10 'short'
  // ends → n2 4000 free → 1 member; t = 100 'long' ends → n1 → 2 members: shadow time 100,
  // reserved {n1, n2}.
  function setup(withPlugin: boolean) {
    const clock = { t: 0 };
    const gangs = createGangReservation({ clock: () => clock.t });
    const engine = createEngine({ plugins: withPlugin ? [gangs] : [] });
    for (const [id, cpu] of [['n1', 4000], ['n2', 4000], ['n3', 1000]] as const) engine.addNode(cpuNode(id, cpu));
    engine.place(on('long', 'n1', 4000, 100));
    engine.place(on('short', 'n2', 2000, 10));
    return { clock, gangs, engine };
  }
  const smalls: TaskInput[] = [
    { id: 'too-long', cpuMilli: 2000, duration: 500, priority: 3 }, // 0 + 500 > 100: not on n1/n2
    { id: 'no-duration', cpuMilli: 1000, priority: 2 }, // never on a reserved node → n3
    { id: 'fits-window', cpuMilli: 2000, duration: 50, priority: 1 }, // 0 + 50 ≤ 100 → n2
  ];

  it('reserves for the blocked gang; small tasks backfill only where they do not delay it', () => {
    const { clock, gangs, engine } = setup(true);
    const g = gangs.submitGang(engine, { id: 'g', members: [{ id: 'g-0', cpuMilli: 4000, duration: 50 }, { id: 'g-1', cpuMilli: 4000, duration: 50 }] });
    expect(g.committed).toBe(false);
    expect(g.reservation).toMatchObject({ gangId: 'g', shadowTime: 100 });
    expect([...g.reservation!.nodes].sort()).toEqual(['n1', 'n2']);
    engine.submit(smalls);
    const r = engine.schedule();
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['no-duration@n3', 'fits-window@n2']);
    // too-long: n1 (full anyway) and n2 are reserved, n3 has 1000 < 2000
    expect(r.unschedulable.map((u) => u.taskId)).toEqual(['too-long']);
    expect(r.unschedulable[0].message).toMatch(/rejected by plugin gang-reservation on 2 nodes/);
    // t = 100: the running tasks on n1, n2 have ended; the gang goes first, then the reservation is gone
    clock.t = 100;
    for (const id of ['long', 'short', 'fits-window']) engine.release(id);
    expect(gangs.retry(engine)).toEqual(['g']);
    expect(gangs.reservations.size).toBe(0);
    expect(['g-0', 'g-1'].map((id) => engine.binding(id)?.nodeId).sort()).toEqual(['n1', 'n2']);
  });

  it('a gang committed with minMember of its members queues the rest as pending, never loses them', () => {
    const { gangs, engine } = setup(true);
    // free now: n1 0, n2 2000, n3 1000. Members of 1000 mCPU: n2 takes 2, n3 takes 1 → 3 of 4 fit,
    // minMember 3 → commit; the 4th member must be pending in the engine, not gone.
    const members = [0, 1, 2, 3].map((i) => ({ id: `m-${i}`, cpuMilli: 1000 }));
    const r = gangs.submitGang(engine, { id: 'partial', members, minMember: 3 });
    expect(r.committed).toBe(true);
    expect(r.placed).toHaveLength(3);
    expect(r.unplaced).toEqual(['m-3']);
    expect(engine.task('m-3')?.status).toBe('pending');
    // and it runs once room appears: 'short' (2000 on n2) ends
    engine.release('short');
    expect(engine.schedule().bindings.map((b) => b.taskId)).toEqual(['m-3']);
  });

  it('without the plugin the long task takes n2 and delays the gang', () => {
    const { engine } = setup(false);
    engine.submit(smalls);
    const r = engine.schedule();
    // too-long (highest priority) takes n2's 2000; no-duration goes to n3; fits-window finds no room
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['too-long@n2', 'no-duration@n3']);
  });

  it('rejects malformed gangs and a second gang with a waiting id', () => {
    const { gangs, engine } = setup(true);
    const m = [{ id: 'w0', cpuMilli: 4000 }, { id: 'w1', cpuMilli: 4000 }];
    expect(() => gangs.submitGang(engine, { id: 'g', members: m, minMember: 3 })).toThrow(/gang.minMember: must be an integer in 1..2/);
    expect(() => gangs.submitGang(engine, { id: 'g', members: [] })).toThrow(/gang.members/);
    gangs.submitGang(engine, { id: 'g', members: m });
    expect(() => gangs.submitGang(engine, { id: 'g', members: m })).toThrow(/gang "g" is already waiting/);
    expect(gangs.blocked()).toEqual(['g']);
  });

  it('the backfill window is measured from the current clock', () => {
    const { clock, gangs, engine } = setup(true);
    gangs.submitGang(engine, { id: 'g', members: [{ id: 'g-0', cpuMilli: 4000 }, { id: 'g-1', cpuMilli: 4000 }] });
    // t = 10: 'short' has ended (released); n2 has 4000 free, n1 is still busy until 100.
    clock.t = 10;
    engine.release('short');
    expect(gangs.retry(engine)).toEqual([]);
    // y first (priority): 10 + 95 = 105 > 100 → only the unreserved n3 (n1 is full);
    // then x: 10 + 80 = 90 ≤ 100 → may use reserved n2 (n3 is full now)
    engine.submit({ id: 'x', cpuMilli: 1000, duration: 80, priority: 1 });
    engine.submit({ id: 'y', cpuMilli: 1000, duration: 95, priority: 2 });
    const r = engine.schedule();
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`).sort()).toEqual(['x@n2', 'y@n3']);
    expect(gangs.withdraw(engine, 'g')).toBe(true);
    expect(gangs.blocked()).toEqual([]);
  });
});

// ── resize through the policies ───────────────────────────────────────────────────────────
const tenants = (limitMilli: number, limitCpu: number): TenantFileInput => ({
  tenants: [{ id: 'org', kind: 'organisation', children: [
    { id: 'q', kind: 'queue', limit: { cpuMilli: limitCpu, accel: { gpu: { milli: limitMilli } } } },
    { id: 'r', kind: 'queue' },
  ] }],
  roles: [{ actor: 'root', role: 'admin', tenant: '*' }],
});
const sliced = (id: string, gpus: number): NodeInput => ({
  id, cpuMilli: 8000, memoryMiB: 65536,
  devices: Array.from({ length: gpus }, (_, i) => ({ id: `${id}-g${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'A100', memoryMiB: 40000, sharing: { mode: 'time-slice' as const, maxSlices: 4, oversubscription: 1000 } })),
});

describe('resize with quotas (policies → engine.resize)', () => {
  it('grows within the limit, refuses beyond it and re-charges usage', () => {
    const pol = createPolicies({ clock: () => 0, tenants: tenants(800, 100000), preemption: false });
    const engine = createEngine({ plugins: pol.plugins });
    engine.addNode(sliced('n', 2));
    engine.submit([{ id: 't', tenant: 'q', accel: { kind: 'gpu', milli: 300 } }, { id: 'u', tenant: 'q', accel: { kind: 'gpu', milli: 300 } }]);
    engine.schedule();
    // q holds 300 + 300 = 600 of 800 gpu.milli: t 300 → 500 adds 200 → 800 ≤ 800
    expect(pol.resize(engine, 't', { milli: 500 }).ok).toBe(true);
    expect(pol.tree!.get('q').usage[pol.tree!.space.dims.indexOf('gpu.milli')]).toBe(800);
    // 500 → 501 adds 1 → 801 > 800: refused by admission, nothing changed
    expect(pol.resize(engine, 't', { milli: 501 })).toEqual({ ok: false, reason: 'not admitted: quota: q gpu.milli 800 + 1 > limit 800' });
    expect(engine.task('t')!.task.accel!.milli).toBe(500);
    // shrinking frees quota: t 500 → 100 → usage 400; then u may grow to 700 (400 − 300 + 700 = 800)
    expect(pol.resize(engine, 't', { milli: 100 }).ok).toBe(true);
    expect(pol.resize(engine, 'u', { milli: 700 }).ok).toBe(true);
    expect(pol.tree!.get('q').usage[pol.tree!.space.dims.indexOf('gpu.milli')]).toBe(800);
    engine.release('t');
    engine.release('u');
    expect(pol.tree!.get('q').usage.every((x) => x === 0)).toBe(true);
  });

  it('resizeOrMigrate moves a task whose node has no room, within quota (§9.2b)', () => {
    const pol = createPolicies({ clock: () => 0, tenants: tenants(800, 5000), preemption: false });
    const engine = createEngine({ plugins: pol.plugins });
    engine.addNode(cpuNode('n1', 4000));
    engine.addNode(cpuNode('n2', 4000));
    engine.place({ ...on('u', 'n1', 2000), tenant: 'q' });
    // t has no selector: binpack (mean of CPU and memory; memory request 0 scores 0) prefers the
    // fuller n1: ⌊(⌊(4000 − 2000 + 1000)·100/4000⌋ + 0)/2⌋ = ⌊75/2⌋ = 37 > n2 ⌊25/2⌋ = 12
    engine.place({ id: 't', tenant: 'q', cpuMilli: 1000 });
    expect(engine.binding('t')!.nodeId).toBe('n1');
    const cpu = () => pol.tree!.get('q').usage[pol.tree!.space.dims.indexOf('cpuMilli')];
    expect(cpu()).toBe(3000);
    // t 1000 → 3000: n1 has 4000 − 3000 = 1000 free < +2000 → refused there; n2 (4000 free) takes it.
    // Quota: 3000 + 2000 = 5000 ≤ 5000.
    const m = resizeOrMigrate(engine, 't', { cpuMilli: 3000 });
    expect(m).toEqual({ kind: 'migrated', from: 'n1', binding: { taskId: 't', nodeId: 'n2', devices: [] } });
    expect(engine.task('t')!.task.cpuMilli).toBe(3000);
    expect(cpu()).toBe(5000); // 3000 (t) + 2000 (u)
    // 3000 → 3001: quota 5000 + 1 > 5000 → refused before anything moves
    expect(resizeOrMigrate(engine, 't', { cpuMilli: 3001 })).toEqual({ kind: 'refused', reason: 'not admitted: quota: q cpuMilli 5000 + 1 > limit 5000' });
    expect(engine.binding('t')!.nodeId).toBe('n2');
    // shrink: in place
    expect(resizeOrMigrate(engine, 't', { cpuMilli: 500 }).kind).toBe('in-place');
  });

  it('a spent budget refuses a larger device share, not a smaller one', () => {
    const file: TenantFileInput = {
      tenants: [{ id: 'org', kind: 'organisation', children: [{ id: 'q', kind: 'queue', budget: { deviceHours: 1, windowHours: 24 } }] }],
      roles: [{ actor: 'root', role: 'admin', tenant: '*' }],
    };
    const clock = { t: 0 };
    const pol = createPolicies({ clock: () => clock.t, tenants: file, preemption: false });
    const engine = createEngine({ plugins: pol.plugins });
    engine.addNode(sliced('n', 1));
    engine.place({ id: 't', tenant: 'q', accel: { kind: 'gpu', milli: 500 } });
    // at t = 7200 s: 500 milli × 7200 s = 0.5 device × 2 h = 1 device-hour spent ≥ budget 1
    clock.t = 7200;
    expect(pol.resize(engine, 't', { milli: 600 })).toEqual({ ok: false, reason: expect.stringMatching(/^not admitted: budget: q spent 1\.000 of 1 device-hours/) });
    expect(pol.resize(engine, 't', { milli: 400 }).ok).toBe(true);
  });

  it('the RBAC guard needs resize on the task queue', () => {
    const file = tenants(800, 100000);
    file.roles = [{ actor: 'root', role: 'admin', tenant: '*' }, { actor: 'ann', role: 'member', tenant: 'r' }];
    const pol = createPolicies({ clock: () => 0, tenants: file, preemption: false });
    const engine = createEngine({ plugins: pol.plugins });
    engine.addNode(sliced('n', 1));
    engine.place({ id: 't', tenant: 'q', cpuMilli: 100 });
    const g = guardEngine(engine, pol.tree!);
    // ann is a member of r, not q: refused before the engine is touched
    expect(() => g.resize('ann', 't', { cpuMilli: 200 })).toThrow(/may not resize on tenant "q"/);
    expect(engine.task('t')!.task.cpuMilli).toBe(100);
    expect(g.resize('root', 't', { cpuMilli: 200 }).ok).toBe(true);
  });

  it('property: after random resizes nothing is over capacity and quotas hold', () => {
    // Invariants after every step: for each node, Σ cpu of its tasks ≤ cpuMilli; for each device,
    // Σ milli ≤ 1000 (oversubscription 1000), Σ device memory ≤ 40000 and tasks ≤ maxSlices 4;
    // queue q's usage (recomputed from the running tasks) ≤ its limits (cpu 6000, gpu.milli 1200; q starts at 4 × 1000 and 4 × 200);
    // and the tree's usage equals that recomputation (the charges follow the resizes).
    const op = fc.record({
      task: fc.integer({ min: 0, max: 7 }),
      cpu: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
      milli: fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }),
      mem: fc.option(fc.integer({ min: 0, max: 30000 }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), fc.boolean(), (ops, wasm) => {
      const pol = createPolicies({ clock: () => 0, tenants: tenants(1200, 6000), preemption: false });
      const engine: Engine = createEngine({ backend: wasm ? 'wasm' : 'ts', plugins: pol.plugins });
      engine.addNode(sliced('a', 2));
      engine.addNode(sliced('b', 1));
      engine.submit(Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, tenant: i % 2 ? 'r' : 'q', cpuMilli: 1000, accel: { kind: 'gpu' as const, milli: 200, memoryMiB: 5000 } })));
      engine.schedule();
      for (const o of ops) {
        const id = `t${o.task}`;
        if (engine.task(id)?.status !== 'running') continue;
        pol.resize(engine, id, { cpuMilli: o.cpu, milli: o.milli, devMemMiB: o.mem });
        const running = engine.tasks().filter((t) => t.status === 'running');
        for (const n of engine.nodes()) {
          const here = running.filter((t) => t.binding!.nodeId === n.id);
          if (here.reduce((s, t) => s + t.task.cpuMilli, 0) > n.cpuMilli) return false;
          for (const d of n.devices) {
            const held = here.flatMap((t) => t.binding!.devices).filter((x) => x.deviceId === d.id);
            if (held.reduce((s, x) => s + x.milli, 0) > 1000 || held.reduce((s, x) => s + x.memoryMiB, 0) > 40000 || held.length > 4) return false;
          }
        }
        const q = running.filter((t) => t.task.tenant === 'q');
        const cpu = q.reduce((s, t) => s + t.task.cpuMilli, 0);
        const milli = q.reduce((s, t) => s + t.binding!.devices.reduce((x, d) => x + d.milli, 0), 0);
        if (cpu > 6000 || milli > 1200) return false;
        const usage = pol.tree!.get('q').usage;
        const dims = pol.tree!.space.dims;
        if (usage[dims.indexOf('cpuMilli')] !== cpu || usage[dims.indexOf('gpu.milli')] !== milli) return false;
      }
      return true;
    }), { numRuns: 60 });
  });
});

// ── preemption and other plugins' node rules ──────────────────────────────────────────────
describe('preemption respects every plugin filter and never evicts in vain', () => {
  const urgentClass = { priority: { classes: [{ name: 'urgent', priority: 1000, emergency: true }] } };
  it('plans on a node another plugin allows, not on the rejected one', () => {
    // n1 and n2 both full with low-priority tasks; a site plugin forbids n1 for the urgent task.
    // The victims kernel alone would pick n1 ('cheap' there has priority 1 < 5 on n2); with
    // nodeAllowed it must plan on n2.
    const notN1: EnginePlugin = { name: 'not-n1', filterNode: (t, n) => t.task.class !== 'urgent' || n.id !== 'n1' };
    const pol = createPolicies({ clock: () => 0, ...urgentClass });
    const engine = createEngine({ plugins: [notN1, ...pol.plugins] });
    engine.addNode(cpuNode('n1', 2000));
    engine.addNode(cpuNode('n2', 2000));
    engine.place({ ...on('cheap', 'n1', 2000), priority: 1 });
    engine.place({ ...on('dear', 'n2', 2000), priority: 5 });
    const events: EngineEvent[] = [];
    engine.on('preempted', (e) => events.push(e));
    engine.submit({ id: 'u', class: 'urgent', cpuMilli: 2000 });
    const r = engine.schedule();
    expect(events.map((e) => (e.type === 'preempted' ? e.displaced.taskId : ''))).toEqual(['dear']);
    expect(r.bindings.map((b) => `${b.taskId}@${b.nodeId}`)).toEqual(['u@n2']);
    expect(engine.task('cheap')!.status).toBe('running');
  });
  it('evicts nobody when the only allowed node cannot hold the preemptor even emptied', () => {
    // n2 (the only node allowed) has 2000 mCPU; the urgent task wants 3000: no plan, no eviction.
    const notN1: EnginePlugin = { name: 'not-n1', filterNode: (t, n) => t.task.class !== 'urgent' || n.id !== 'n1' };
    const pol = createPolicies({ clock: () => 0, ...urgentClass });
    const engine = createEngine({ plugins: [notN1, ...pol.plugins] });
    engine.addNode(cpuNode('n1', 4000));
    engine.addNode(cpuNode('n2', 2000));
    engine.place({ ...on('a', 'n1', 4000), priority: 1 });
    engine.place({ ...on('b', 'n2', 2000), priority: 1 });
    engine.submit({ id: 'u', class: 'urgent', cpuMilli: 3000 });
    engine.schedule();
    expect(['a', 'b'].map((id) => engine.task(id)!.status)).toEqual(['running', 'running']);
    expect(engine.task('u')!.status).toBe('pending');
  });
});

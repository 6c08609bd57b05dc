/**
 * Invariant property tests of placement across random clusters, task streams and hot-plug.
 * The oracle here is written independently of the engine: capacities are recomputed from the
 * bindings, constraints re-checked from the model fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Binding, type Displaced, type Engine, type EngineEvent } from '../src/engine/index.js';
import type { Device, Node, Task } from '../src/model/types.js';
import { applyOp, scenarioArb, withIds, type Op } from './placement-arbitraries.js';

const deviceCap = (d: Device): number => (d.sharing.mode === 'time-slice' ? d.sharing.oversubscription : 1000);
const slicesMax = (d: Device): number => (d.sharing.mode === 'time-slice' ? d.sharing.maxSlices : d.sharing.mode === 'partition' ? d.sharing.profiles.reduce((n, p) => n + p.maxCount, 0) : 1);
const whole = (t: Task): boolean => !!t.accel && !t.accel.profile && (t.accel.milli === 1000 || t.accel.exclusive);

/** No node or device over capacity; the engine's free amounts (catalog, from the columns) equal capacity minus the bindings. */
function checkCapacity(engine: Engine): void {
  const tasks = new Map(engine.tasks().map((t) => [t.id, t]));
  let cpuUsed = 0;
  let memUsed = 0;
  let devMilliUsed = 0;
  let devMemUsed = 0;
  for (const node of engine.nodes()) {
    const here = [...tasks.values()].filter((t) => t.binding?.nodeId === node.id);
    const cpu = here.reduce((n, t) => n + t.task.cpuMilli, 0);
    const mem = here.reduce((n, t) => n + t.task.memoryMiB, 0);
    expect(cpu).toBeLessThanOrEqual(node.cpuMilli);
    expect(mem).toBeLessThanOrEqual(node.memoryMiB);
    cpuUsed += cpu;
    memUsed += mem;
    for (const d of node.devices) {
      const on = here.flatMap((t) => (t.binding as Binding).devices.filter((b) => b.deviceId === d.id).map((b) => ({ t: t.task, b })));
      if (on.some((x) => whole(x.t))) expect(on.length).toBe(1); // a whole device is held alone
      expect(on.length).toBeLessThanOrEqual(slicesMax(d));
      const milli = on.reduce((n, x) => n + (whole(x.t) ? deviceCap(d) : x.b.milli), 0);
      const dmem = on.reduce((n, x) => n + x.b.memoryMiB, 0);
      expect(milli).toBeLessThanOrEqual(deviceCap(d));
      expect(dmem).toBeLessThanOrEqual(d.memoryMiB);
      if (d.sharing.mode === 'partition') {
        for (const p of d.sharing.profiles) expect(on.filter((x) => x.b.profile === p.name).length).toBeLessThanOrEqual(p.maxCount);
      }
      devMilliUsed += milli;
      devMemUsed += dmem;
    }
  }
  const cat = engine.catalog();
  expect(cat.totals.cpuMilliFree).toBe(cat.totals.cpuMilli - cpuUsed);
  expect(cat.totals.memoryMiBFree).toBe(cat.totals.memoryMiB - memUsed);
  const devs = cat.entries.filter((e) => e.kind !== 'cpu');
  expect(devs.reduce((n, e) => n + e.milliCapacity - e.milliFree, 0)).toBe(devMilliUsed);
  expect(devs.reduce((n, e) => n + e.memoryMiBCapacity - e.memoryMiBFree, 0)).toBe(devMemUsed);
}

/** Every constraint of `task` holds for `binding` on `node` as it was at bind time. */
function checkConstraints(task: Task, node: Node, binding: Binding): void {
  expect(node.health).toBe('healthy');
  expect(node.schedulable).toBe(true);
  if (task.arch) expect(task.arch).toContain(node.arch);
  if (task.form) expect(task.form).toContain(node.form);
  if (task.site) expect(task.site).toContain(node.site);
  for (const [k, v] of Object.entries(task.selector ?? {})) {
    const labels: Record<string, string | undefined> = { ...node.labels, 'hetpool.io/arch': node.arch, 'hetpool.io/form': node.form, 'hetpool.io/site': node.site };
    expect(labels[k]).toBe(v);
  }
  for (const taint of node.taints ?? []) {
    if (taint.effect === 'PreferNoSchedule') continue;
    const ok = (task.tolerations ?? []).some((t) => (t.key === undefined ? t.operator === 'Exists' : t.key === taint.key && (t.operator === 'Exists' || t.value === taint.value)) && (t.effect === undefined || t.effect === taint.effect));
    expect(ok).toBe(true);
  }
  const a = task.accel;
  if (!a) {
    expect(binding.devices).toEqual([]);
    return;
  }
  expect(binding.devices.length).toBe(a.profile || !whole(task) ? 1 : a.count);
  expect(new Set(binding.devices.map((d) => d.deviceId)).size).toBe(binding.devices.length);
  for (const b of binding.devices) {
    const d = node.devices.find((x) => x.id === b.deviceId) as Device;
    expect(d.kind).toBe(a.kind);
    expect(d.health).toBe('healthy');
    if (a.vendors) expect(a.vendors).toContain(d.vendor);
    if (a.models) expect(a.models).toContain(d.model);
    if (a.precision) expect(d.throughput?.[a.precision] ?? 0).toBeGreaterThan(0);
    if (a.profile) {
      expect(d.sharing.mode).toBe('partition');
      const p = d.sharing.mode === 'partition' ? d.sharing.profiles.find((x) => x.name === a.profile) : undefined;
      expect(p).toBeDefined();
      expect(b).toEqual({ deviceId: d.id, milli: p!.milli, memoryMiB: p!.memoryMiB, profile: p!.name });
      expect(a.memoryMiB).toBeLessThanOrEqual(p!.memoryMiB);
    } else if (whole(task)) {
      expect(b).toEqual({ deviceId: d.id, milli: 1000, memoryMiB: d.memoryMiB });
      expect(a.memoryMiB).toBeLessThanOrEqual(d.memoryMiB);
    } else {
      expect(d.sharing.mode).toBe('time-slice');
      expect(b).toEqual({ deviceId: d.id, milli: a.milli, memoryMiB: a.memoryMiB });
    }
  }
}

describe('placement invariants', () => {
  it('capacity, constraints and displacement hold across random streams with hot-plug (400 cases)', () => {
    // Invariants, after every operation of every stream:
    //  1. no node or device is over capacity (CPU, memory, device milli and memory, slices, partition instances);
    //  2. the columns agree with the bindings (free = capacity − Σ bound);
    //  3. every binding, when made, satisfies every constraint of its task on its node;
    //  4. every task displaced by removal, failure or shrinking is returned exactly once, is
    //     pending again with that reason, and matches the 'displaced' events of that call;
    //  5. no task is lost: the engine knows exactly the tasks submitted or placed and not released or cancelled.
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom('wasm' as const, 'ts' as const), (sc, backend) => {
        const engine = createEngine({ backend, policy: sc.policy, seed: sc.seed, nodesToScore: sc.nodesToScore });
        for (const n of sc.nodes) engine.addNode(n);
        const events: EngineEvent[] = [];
        engine.on('bound', (e) => {
          const ts = engine.task(e.binding.taskId)!;
          checkConstraints(ts.task, engine.node(e.binding.nodeId)!, e.binding);
          events.push(e);
        });
        engine.on('displaced', (e) => events.push(e));
        const known = new Set<string>();
        for (const op of withIds(sc.ops)) {
          events.length = 0;
          const before = new Map(engine.tasks().map((t) => [t.id, t.status]));
          const out = applyOp(engine, op);
          track(known, op, out, before, engine);
          const displacedEvents = events.filter((e) => e.type === 'displaced').map((e) => (e as { displaced: Displaced }).displaced);
          if (Array.isArray(out) && ['removeNode', 'nodeHealth', 'deviceHealth', 'resize', 'devices', 'taint'].includes(op.op)) {
            expect(out).toEqual(displacedEvents);
            expect(new Set(out.map((d: Displaced) => d.taskId)).size).toBe(out.length);
            for (const d of out as Displaced[]) {
              expect(before.get(d.taskId)).toBe('running');
              const t = engine.task(d.taskId)!;
              expect(t.status).toBe('pending');
              expect(t.binding).toBeUndefined();
              expect(t.reason).toBe(d.reason);
            }
          } else {
            expect(displacedEvents).toEqual([]);
          }
          checkCapacity(engine);
          expect(new Set(engine.tasks().map((t) => t.id))).toEqual(known);
          const st = engine.stats;
          expect(st.pending + st.running).toBe(known.size);
        }
      }),
      { numRuns: 400 },
    );
  });
});

/** Keep the set of tasks the engine must know, from what each call did. */
function track(known: Set<string>, op: Op, out: unknown, before: Map<string, string>, engine: Engine): void {
  const failed = out !== null && typeof out === 'object' && 'error' in (out as object);
  if (op.op === 'submit' && !failed) for (const t of op.tasks) known.add(t.id);
  if (op.op === 'place' && !failed && out && 'nodeId' in (out as object)) known.add(op.task.id);
  if (op.op === 'release' || op.op === 'cancel') for (const id of before.keys()) if (!engine.task(id)) known.delete(id);
}

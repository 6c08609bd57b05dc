/**
 * The engine's per-call shortcuts keep its answers: constraint-mask keys (arch/form sets without
 * a string, JSON signatures otherwise), allow-list sets keyed by a single name, id sets dropped
 * when a new vendor or model appears, events built only when someone listens, the queue order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraintReason } from '../src/engine/constraints.js';
import { createEngine, type Binding, type EngineEvent, type Unschedulable } from '../src/engine/index.js';
import type { NodeInput, TaskInput } from '../src/model/types.js';
import { parseNode, parseTask } from '../src/model/validate.js';

const nodeOf = (r: Binding | Unschedulable): string => ('nodeId' in r ? r.nodeId : `✗ ${r.message}`);
const gpu = (id: string, vendor: string, model: string) => ({ id, kind: 'gpu' as const, vendor, model, memoryMiB: 1000, sharing: { mode: 'time-slice' as const, maxSlices: 1024, oversubscription: 16000 } });

describe.each(['wasm', 'ts'] as const)('engine caches (%s backend)', (backend) => {
  it('a vendor that appears after its allow-list was cached is found (the cached set is dropped)', () => {
    const e = createEngine({ backend });
    e.addNode({ id: 'a', cpuMilli: 1000, memoryMiB: 1000, devices: [gpu('g0', 'nvidia', 'A100')] });
    // no amd device yet: unschedulable on the one node there is
    expect(nodeOf(e.place({ id: 't1', accel: { kind: 'gpu', vendors: ['amd'] } }))).toBe('✗ 0/1 nodes fit: no gpu of vendor amd on 1 node');
    e.addNode({ id: 'b', cpuMilli: 1000, memoryMiB: 1000, devices: [gpu('g0', 'amd', 'MI300')] });
    expect(nodeOf(e.place({ id: 't2', accel: { kind: 'gpu', milli: 10, vendors: ['amd'] } }))).toBe('b');
    expect(nodeOf(e.place({ id: 't3', accel: { kind: 'gpu', milli: 10, models: ['MI300', 'H100'] } }))).toBe('b');
  });

  it('arch and form sets, site lists and one-name allow-lists never share a cache entry', () => {
    const e = createEngine({ backend });
    e.addNode({ id: 'x-edge', arch: 'x86_64', form: 'edge', site: 's1', cpuMilli: 1000, memoryMiB: 1000, devices: [gpu('g0', 'A', 'B')] });
    e.addNode({ id: 'arm-hw', arch: 'aarch64', form: 'hardware', site: 's2', cpuMilli: 1000, memoryMiB: 1000, devices: [gpu('g0', 'B', 'A')] });
    // each task's rules admit exactly one node (by hand from the two node definitions)
    expect(nodeOf(e.place({ id: 'a1', cpuMilli: 1, arch: ['aarch64'] }))).toBe('arm-hw');
    expect(nodeOf(e.place({ id: 'f1', cpuMilli: 1, form: ['edge'] }))).toBe('x-edge');
    expect(nodeOf(e.place({ id: 'a2', cpuMilli: 1, arch: ['x86_64', 'x86_64'] }))).toBe('x-edge');
    expect(nodeOf(e.place({ id: 's1', cpuMilli: 1, site: ['s2'] }))).toBe('arm-hw');
    expect(nodeOf(e.place({ id: 'v1', accel: { kind: 'gpu', milli: 10, vendors: ['A'] } }))).toBe('x-edge');
    expect(nodeOf(e.place({ id: 'm1', accel: { kind: 'gpu', milli: 10, models: ['A'] } }))).toBe('arm-hw');
    expect(nodeOf(e.place({ id: 'v2', accel: { kind: 'gpu', milli: 10, vendors: ['B'] } }))).toBe('arm-hw');
    expect(nodeOf(e.place({ id: 'none', cpuMilli: 1, arch: ['riscv64'] }))).toBe('✗ 0/2 nodes fit: node arch not in [riscv64] on 2 nodes');
  });

  it('a hard taint keeps untolerating tasks off its node, whatever key their mask has', () => {
    const e = createEngine({ backend });
    e.addNode({ id: 'tainted', cpuMilli: 4000, memoryMiB: 1000, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    e.addNode({ id: 'plain', cpuMilli: 1000, memoryMiB: 1000 });
    // binpack would prefer neither by score alone for 600 milli on empty nodes; 'plain' cannot hold two
    expect(nodeOf(e.place({ id: 'p1', cpuMilli: 600 }))).toBe('plain');
    expect(nodeOf(e.place({ id: 'p2', cpuMilli: 600 }))).toBe('✗ 0/2 nodes fit: insufficient CPU on 1 node, untolerated taint on 1 node');
    expect(nodeOf(e.place({ id: 'p3', cpuMilli: 600, tolerations: [{ key: 'k', operator: 'Exists' }] }))).toBe('tainted');
  });

  it('events reach listeners (and schedule().events) although nobody-listening skips building them', () => {
    const e = createEngine({ backend });
    e.addNode({ id: 'n', cpuMilli: 1000, memoryMiB: 1000 });
    const seen: string[] = [];
    const off = [
      e.on('bound', (ev) => seen.push(`bound ${ev.binding.taskId}`)),
      e.on('released', (ev) => seen.push(`released ${ev.taskId} ${ev.why}`)),
      e.on('submitted', (ev) => seen.push(`submitted ${ev.taskId}`)),
    ];
    e.place({ id: 'a', cpuMilli: 100 });
    e.release('a');
    e.submit({ id: 'b', cpuMilli: 100 });
    const r = e.schedule();
    expect(r.events.map((ev: EngineEvent) => ev.type)).toEqual(['bound']);
    off.forEach((f) => f());
    e.release('b');
    e.place({ id: 'c', cpuMilli: 100 });
    expect(seen).toEqual(['bound a', 'released a released', 'submitted b', 'bound b']);
  });

  it('schedule() without compare plugins: priority descending, then submission order', () => {
    const e = createEngine({ backend });
    e.addNode({ id: 'n', cpuMilli: 1000, memoryMiB: 1000 });
    e.submit([
      { id: 'low-1', priority: -1, cpuMilli: 100 },
      { id: 'mid-1', cpuMilli: 100 },
      { id: 'high', priority: 5, cpuMilli: 100 },
      { id: 'mid-2', cpuMilli: 100 },
      { id: 'low-2', priority: -1, cpuMilli: 100 },
    ]);
    expect(e.schedule().bindings.map((b) => b.taskId)).toEqual(['high', 'mid-1', 'mid-2', 'low-1', 'low-2']);
  });
});

// ── random streams against the rules by definition ──────────────────────────────────────────
const ARCHS = ['x86_64', 'aarch64', 'riscv64'] as const;
const FORMS = ['hardware', 'cloud', 'edge'] as const;
const NAMES = ['v1', 'v2', 'v3', 'v4'];
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

const nodeArb = (id: string) =>
  fc.record({
    arch: pick(ARCHS), form: pick(FORMS), site: pick(['s1', 's2']), zone: pick(['z1', 'z2']),
    taint: fc.option(pick(['k1', 'k2']), { nil: undefined }),
    devices: fc.array(fc.record({ kind: pick(['gpu', 'npu'] as const), vendor: pick(NAMES), model: pick(NAMES) }), { maxLength: 2 }),
  }).map((n): NodeInput => ({
    id, arch: n.arch, form: n.form, site: n.site, labels: { zone: n.zone }, cpuMilli: 100_000, memoryMiB: 100_000,
    ...(n.taint ? { taints: [{ key: n.taint, effect: 'NoSchedule' as const }] } : {}),
    devices: n.devices.map((d, j) => ({ id: `d${j}`, kind: d.kind, vendor: d.vendor, model: d.model, memoryMiB: 1000, sharing: { mode: 'time-slice' as const, maxSlices: 1024, oversubscription: 16000 } })),
  }));

const taskArb = (id: string) =>
  fc.record({
    arch: fc.option(fc.array(pick(ARCHS), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    form: fc.option(fc.array(pick(FORMS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    site: fc.option(fc.array(pick(['s1', 's2', 's3']), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    zone: fc.option(pick(['z1', 'z2']), { nil: undefined }),
    tolerate: fc.option(pick(['k1', 'k2']), { nil: undefined }),
    accel: fc.option(fc.record({
      kind: pick(['gpu', 'npu'] as const),
      vendors: fc.option(fc.array(pick(NAMES), { minLength: 1, maxLength: 2 }), { nil: undefined }),
      models: fc.option(fc.array(pick(NAMES), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    }), { nil: undefined }),
  }).map((t): TaskInput => ({
    id, cpuMilli: 1,
    ...(t.arch ? { arch: t.arch } : {}), ...(t.form ? { form: t.form } : {}), ...(t.site ? { site: t.site } : {}),
    ...(t.zone ? { selector: { zone: t.zone } } : {}),
    ...(t.tolerate ? { tolerations: [{ key: t.tolerate, operator: 'Exists' as const }] } : {}),
    ...(t.accel ? { accel: { kind: t.accel.kind, milli: 1, ...(t.accel.vendors ? { vendors: t.accel.vendors } : {}), ...(t.accel.models ? { models: t.accel.models } : {}) } } : {}),
  }));

/** By definition: the node's rules admit the task and it has a device of the kind, vendor and model asked for. */
function admits(taskIn: TaskInput, nodeIn: NodeInput): boolean {
  const t = parseTask(taskIn);
  const n = parseNode(nodeIn);
  if (constraintReason(t, n) !== null) return false;
  const a = t.accel;
  if (!a) return true;
  return n.devices.some((d) => d.kind === a.kind && (!a.vendors || a.vendors.includes(d.vendor)) && (!a.models || a.models.includes(d.model)));
}

type Step = { add: NodeInput } | { place: TaskInput };
const streamArb = fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant('node') }, { weight: 3, arbitrary: fc.constant('task') }), { minLength: 4, maxLength: 40 }).chain((kinds) =>
  fc.tuple(...kinds.map((k, i): fc.Arbitrary<Step> => (k === 'node' ? nodeArb(`n${i}`).map((add) => ({ add })) : taskArb(`t${i}`).map((place) => ({ place }))))),
);

describe('engine caches on random streams', () => {
  it('every place() answer is the rules-by-definition answer (capacity never binds here)', () => {
    // invariant: with tiny requests on huge nodes, a task is bound iff some node admits it by
    // definition, and then to such a node; cached masks and sets (warm, shared between tasks,
    // across nodes joining with new vendors and models) never change that
    fc.assert(
      fc.property(streamArb, pick(['wasm', 'ts'] as const), (steps, backend) => {
        const e = createEngine({ backend });
        const nodes: NodeInput[] = [];
        for (const s of steps) {
          if ('add' in s) {
            e.addNode(s.add);
            nodes.push(s.add);
            continue;
          }
          const out = e.place(s.place);
          const fits = nodes.filter((n) => admits(s.place, n)).map((n) => n.id);
          if ('nodeId' in out) expect(fits).toContain(out.nodeId);
          else expect(fits).toEqual([]);
        }
      }),
      { numRuns: 250, seed: 6 },
    );
  });
});

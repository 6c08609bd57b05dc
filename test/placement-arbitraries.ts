/**
 * fast-check arbitraries shared by the placement differential and invariant tests: small random
 * heterogeneous clusters (mixed kinds, sharing modes, partitions, health, taints, labels) and
 * random operation streams (tasks, releases, hot-plug) that keep resources contended.
 */
import fc from 'fast-check';
import type { Engine } from '../src/engine/index.js';
import { isHetpoolError } from '../src/model/errors.js';
import type { DeviceInput, NodeInput, TaskInput } from '../src/model/types.js';

const PROFILES = [
  { name: 'p1', milli: 250, memoryMiB: 2048 },
  { name: 'p2', milli: 500, memoryMiB: 4096 },
];

/**
 * Ten models: more than the index's eight model classes, so models interned as ids 0 and 8
 * (1 and 9) share a class block.
 */
const MODELS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'];

export const deviceArb = (id: string): fc.Arbitrary<DeviceInput> =>
  fc.record({
    kind: fc.constantFrom('gpu', 'gpu', 'npu', 'fpga', 'asic'),
    vendor: fc.constantFrom('nvidia', 'amd', 'huawei'),
    model: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('m1', 'm2', 'm3') }, { weight: 1, arbitrary: fc.constantFrom(...MODELS) }),
    memoryMiB: fc.integer({ min: 1, max: 16 }).map((g) => g * 1024),
    precisions: fc.subarray(['fp32', 'fp16', 'bf16', 'int8'] as const),
    health: fc.constantFrom('healthy', 'healthy', 'healthy', 'healthy', 'unhealthy', 'unknown'),
    sharing: fc.oneof(
      fc.constant({ mode: 'exclusive' as const }),
      fc.record({ mode: fc.constant('time-slice' as const), maxSlices: fc.integer({ min: 1, max: 4 }), oversubscription: fc.constantFrom(1000, 1500, 2000) }),
      fc.record({
        mode: fc.constant('partition' as const),
        profiles: fc.subarray(PROFILES, { minLength: 1 }).chain((ps) => fc.tuple(...ps.map((p) => fc.integer({ min: 1, max: 3 }).map((maxCount) => ({ ...p, maxCount }))))),
      }),
    ),
  }).map(({ precisions, ...d }) => ({ id, ...d, throughput: Object.fromEntries(precisions.map((p) => [p, 10])) }) as DeviceInput);

export const nodeArb = (id: string): fc.Arbitrary<NodeInput> =>
  fc.record({
    arch: fc.constantFrom('x86_64', 'aarch64', 'riscv64'),
    form: fc.constantFrom('hardware', 'cloud', 'edge'),
    site: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    cpuMilli: fc.integer({ min: 0, max: 16 }).map((c) => c * 1000),
    memoryMiB: fc.integer({ min: 0, max: 32 }).map((g) => g * 1024),
    tier: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    taint: fc.option(fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule') , { nil: undefined, freq: 4 }),
    health: fc.constantFrom('healthy', 'healthy', 'healthy', 'healthy', 'unhealthy', 'unknown'),
    schedulable: fc.constantFrom(true, true, true, false),
    nDevices: fc.integer({ min: 0, max: 4 }),
  }).chain(({ nDevices, tier, taint, site, ...n }) =>
    fc.tuple(...Array.from({ length: nDevices }, (_, j) => deviceArb(`d${j}`))).map((devices) => ({
      id,
      ...n,
      ...(site ? { site } : {}),
      ...(tier ? { labels: { tier } } : {}),
      ...(taint ? { taints: [{ key: 'spot', value: 'yes', effect: taint }] } : {}),
      devices,
    }) as NodeInput),
  );

export const taskArb = (id: string): fc.Arbitrary<TaskInput> =>
  fc.record({
    priority: fc.integer({ min: -2, max: 2 }),
    cpuMilli: fc.integer({ min: 0, max: 8 }).map((c) => c * 500),
    memoryMiB: fc.integer({ min: 0, max: 8 }).map((g) => g * 1024),
    accel: fc.option(
      fc.record({
        kind: fc.constantFrom('gpu', 'gpu', 'npu', 'fpga', 'asic'),
        shape: fc.oneof(
          fc.record({ milli: fc.integer({ min: 1, max: 9 }).map((m) => m * 100), memoryMiB: fc.integer({ min: 0, max: 8 }).map((g) => g * 512) }),
          fc.record({ milli: fc.constant(1000), count: fc.integer({ min: 1, max: 3 }), memoryMiB: fc.integer({ min: 0, max: 4 }).map((g) => g * 2048) }),
          fc.record({ milli: fc.constant(300), exclusive: fc.constant(true) }),
          fc.record({ profile: fc.constantFrom('p1', 'p2', 'p3'), memoryMiB: fc.constantFrom(0, 2048, 4096) }),
        ),
        vendors: fc.option(fc.subarray(['nvidia', 'amd', 'huawei', 'intel'], { minLength: 1 }), { nil: undefined, freq: 3 }),
        models: fc.option(fc.oneof(fc.subarray(['m1', 'm2', 'm3'], { minLength: 1 }), fc.subarray(MODELS, { minLength: 1, maxLength: 2 })), { nil: undefined, freq: 3 }),
        precision: fc.option(fc.constantFrom('fp32', 'fp16', 'bf16', 'int8'), { nil: undefined, freq: 3 }),
      }).map(({ shape, vendors, models, precision, kind }) => ({ kind, ...shape, ...(vendors ? { vendors } : {}), ...(models ? { models } : {}), ...(precision ? { precision } : {}) })),
      { nil: undefined, freq: 4 },
    ),
    arch: fc.option(fc.subarray(['x86_64', 'aarch64', 'riscv64'] as const, { minLength: 1 }), { nil: undefined, freq: 3 }),
    form: fc.option(fc.subarray(['hardware', 'cloud', 'edge'] as const, { minLength: 1 }), { nil: undefined, freq: 4 }),
    site: fc.option(fc.subarray(['a', 'b'], { minLength: 1 }), { nil: undefined, freq: 4 }),
    selector: fc.option(fc.constantFrom({ tier: 'x' }, { tier: 'y' }, { 'hetpool.io/arch': 'x86_64' }), { nil: undefined, freq: 4 }),
    tolerations: fc.option(fc.constantFrom([{ key: 'spot', operator: 'Exists' as const }], [{ key: 'spot', value: 'yes', effect: 'NoSchedule' as const }], [{ operator: 'Exists' as const }]), { nil: undefined, freq: 3 }),
  }).map(({ accel, arch, form, site, selector, tolerations, ...t }) => ({
    id,
    ...t,
    ...(accel ? { accel } : {}),
    ...(arch ? { arch } : {}),
    ...(form ? { form } : {}),
    ...(site ? { site } : {}),
    ...(selector ? { selector } : {}),
    ...(tolerations ? { tolerations } : {}),
  }) as TaskInput);

/** One step of a random stream. Indices are taken modulo the current lists when applied. */
export type Op =
  | { op: 'submit'; tasks: TaskInput[] }
  | { op: 'schedule' }
  | { op: 'place'; task: TaskInput }
  | { op: 'release'; i: number }
  | { op: 'cancel'; i: number }
  | { op: 'addNode'; node: NodeInput }
  | { op: 'removeNode'; i: number }
  | { op: 'nodeHealth'; i: number; health: 'healthy' | 'unhealthy' | 'unknown' }
  | { op: 'deviceHealth'; i: number; d: number; health: 'healthy' | 'unhealthy' | 'unknown' }
  | { op: 'drain'; i: number; drain: boolean }
  | { op: 'resize'; i: number; cpuMilli: number; memoryMiB: number }
  | { op: 'devices'; i: number; devices: DeviceInput[] }
  | { op: 'taint'; i: number; effect: 'NoSchedule' | 'NoExecute' | null };

let uid = 0;
const fresh = (p: string) => `${p}${uid++}`;

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }).chain((k) => fc.tuple(...Array.from({ length: k }, () => taskArb('x')))).map((ts) => ({ op: 'submit' as const, tasks: ts })) },
  { weight: 4, arbitrary: fc.constant({ op: 'schedule' as const }) },
  { weight: 3, arbitrary: taskArb('x').map((task) => ({ op: 'place' as const, task })) },
  { weight: 3, arbitrary: fc.nat().map((i) => ({ op: 'release' as const, i })) },
  { weight: 1, arbitrary: fc.nat().map((i) => ({ op: 'cancel' as const, i })) },
  { weight: 2, arbitrary: nodeArb('x').map((node) => ({ op: 'addNode' as const, node })) },
  { weight: 1, arbitrary: fc.nat().map((i) => ({ op: 'removeNode' as const, i })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), health: fc.constantFrom('healthy' as const, 'unhealthy' as const, 'unknown' as const) }).map((r) => ({ op: 'nodeHealth' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), d: fc.nat(), health: fc.constantFrom('healthy' as const, 'unhealthy' as const) }).map((r) => ({ op: 'deviceHealth' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), drain: fc.boolean() }).map((r) => ({ op: 'drain' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), cpuMilli: fc.integer({ min: 0, max: 16 }).map((c) => c * 1000), memoryMiB: fc.integer({ min: 0, max: 32 }).map((g) => g * 1024) }).map((r) => ({ op: 'resize' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), devices: fc.integer({ min: 0, max: 3 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, j) => deviceArb(`d${j}`)))) }).map((r) => ({ op: 'devices' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ i: fc.nat(), effect: fc.constantFrom('NoSchedule' as const, 'NoExecute' as const, null) }).map((r) => ({ op: 'taint' as const, ...r })) },
);

/** A random starting cluster of 1..8 nodes and a stream of 5..40 operations. */
export const scenarioArb = fc.record({
  nodes: fc.integer({ min: 1, max: 8 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => nodeArb(`n${i}`)))),
  ops: fc.array(opArb, { minLength: 5, maxLength: 40 }),
  seed: fc.nat(),
  policy: fc.constantFrom('binpack', 'spread'),
  nodesToScore: fc.constantFrom(0, 0, 0, 1, 2, 3),
});

/** Give ops fresh ids so task and node ids never collide inside a scenario (same ids for every engine that replays it). */
export function withIds(ops: Op[]): Op[] {
  return ops.map((o) => {
    if (o.op === 'submit') return { ...o, tasks: o.tasks.map((t) => ({ ...t, id: fresh('t') })) };
    if (o.op === 'place') return { ...o, task: { ...o.task, id: fresh('p') } };
    if (o.op === 'addNode') return { ...o, node: { ...o.node, id: fresh('n') } };
    return o;
  });
}

/**
 * Apply `op` to `engine` and return what the call returned (or the error code and path it threw),
 * so two engines can be compared step by step. Indices pick among current nodes and tasks in
 * id order.
 */
export function applyOp(engine: Engine, op: Op): unknown {
  const nodes = engine.nodes().map((n) => n.id).sort();
  const running = engine.tasks().filter((t) => t.status === 'running').map((t) => t.id).sort();
  const all = engine.tasks().map((t) => t.id).sort();
  const nodeAt = (i: number) => nodes[i % nodes.length];
  try {
    switch (op.op) {
      case 'submit': return engine.submit(op.tasks);
      case 'schedule': { const r = engine.schedule(); return { bindings: r.bindings, unschedulable: r.unschedulable, events: r.events.map((e) => e.type) }; }
      case 'place': return engine.place(op.task);
      case 'release': return running.length ? engine.release(running[op.i % running.length]) : null;
      case 'cancel': return all.length ? engine.cancel(all[op.i % all.length]) : null;
      case 'addNode': return engine.addNode(op.node);
      case 'removeNode': return nodes.length ? engine.removeNode(nodeAt(op.i)) : null;
      case 'nodeHealth': return nodes.length ? engine.setNodeHealth(nodeAt(op.i), op.health) : null;
      case 'deviceHealth': {
        if (!nodes.length) return null;
        const n = engine.node(nodeAt(op.i))!;
        if (!n.devices.length) return null;
        return engine.setDeviceHealth(n.id, n.devices[op.d % n.devices.length].id, op.health);
      }
      case 'drain': return nodes.length ? engine.drainNode(nodeAt(op.i), op.drain) : null;
      case 'resize': return nodes.length ? engine.updateNode(nodeAt(op.i), { cpuMilli: op.cpuMilli, memoryMiB: op.memoryMiB }) : null;
      case 'devices': return nodes.length ? engine.updateNode(nodeAt(op.i), { devices: op.devices }) : null;
      case 'taint': return nodes.length ? engine.updateNode(nodeAt(op.i), { taints: op.effect ? [{ key: 'spot', value: 'yes', effect: op.effect }] : [] }) : null;
    }
  } catch (e) {
    if (isHetpoolError(e)) return { error: e.code, path: e.path };
    throw e;
  }
}

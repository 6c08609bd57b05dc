/**
 * Scenarios for `hetpool run`: a cluster, optional tenants/classes/rules/topology, and timed
 * operations applied in order to one engine (schema: `ScenarioSchema`; interpreter:
 * `runScenario`). Every operation may carry `at` (clock, seconds, never backwards) and `actor`
 * (RBAC through the tenant tree: submit/cancel/resize/drain need those actions on the task's
 * queue; infrastructure operations — fail, heal, add/remove node, link — need `drain` on the pool).
 * A denied operation is recorded in its step (`denied`) and changes nothing; any other error
 * stops the run with the field path (`scenario.json: operations[4].task.accel.milli: …`).
 *
 * The interpreter accounts for every task it submitted: at the end each is running, pending,
 * waiting in a blocked gang, finished (released) or cancelled — exactly one. A task in none of
 * them, or in two, is a bug: HetpoolError('internal').
 */
import { z } from 'zod';
import type { Binding, EngineEvent, EngineEventName } from '../engine/types.js';
import { HetpoolError } from '../model/errors.js';
import { NodeSchema, TaskSchema } from '../model/schema.js';
import type { Task } from '../model/types.js';
import { parseWith } from '../model/validate.js';
import { resizeOrMigrate } from '../policies/resize.js';
import { LinkPatchSchema, updateLink } from '../topology/links.js';
import { placeGang as placeGangOnEngine } from '../topology/plugin.js';
import { POOL_SCOPE } from '../policies/rbac.js';
import { buildWorld, deviceSetOf, heldOf, loadSource, parsers, ruleOf, sourceOf, withPrefix, type World } from './setup.js';

const common = {
  /** Set the clock to this time (seconds) before the operation; never backwards. */
  at: z.number().min(0).optional(),
  /** RBAC actor of the operation (needs `tenants`); default: the scenario's `actor`. */
  actor: z.string().min(1).max(128).optional(),
  note: z.string().max(500).optional(),
};
const ref = z.string().min(1).max(253);

const GangSchema = z.strictObject({
  id: ref,
  members: z.array(TaskSchema).min(1).max(4096),
  minMember: z.number().int().min(1).optional(),
  /** With a topology: never span more than this tier (topology-aware placement, docs/topology.md). */
  maxTier: z.union([z.number().int().min(0).max(4), z.enum(['node', 'leaf', 'spine', 'site', 'cross-site'])]).optional(),
});

/** One operation of a scenario. */
export const OperationSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('submit'), ...common, task: TaskSchema.optional(), tasks: z.array(TaskSchema).optional(), gang: GangSchema.optional() }),
  z.strictObject({ op: z.literal('schedule'), ...common }),
  z.strictObject({ op: z.literal('release'), ...common, task: ref.optional(), tasks: z.array(ref).optional() }),
  z.strictObject({ op: z.literal('cancel'), ...common, task: ref.optional(), gang: ref.optional() }),
  z.strictObject({
    op: z.literal('resize'), ...common, task: ref,
    cpuMilli: z.number().int().min(0).optional(), memoryMiB: z.number().int().min(0).optional(),
    accel: z.strictObject({ milli: z.number().int().min(1).max(1000).optional(), memoryMiB: z.number().int().min(0).optional() }).optional(),
    /** Move the task when its node has no room (evict + place: a restart). */
    migrate: z.boolean().default(false),
  }),
  z.strictObject({ op: z.literal('drain'), ...common, node: ref, drain: z.boolean().default(true) }),
  z.strictObject({ op: z.literal('fail-node'), ...common, node: ref }),
  z.strictObject({ op: z.literal('fail-device'), ...common, node: ref, device: ref }),
  z.strictObject({ op: z.literal('heal'), ...common, node: ref, device: ref.optional() }),
  z.strictObject({ op: z.literal('add-node'), ...common, node: NodeSchema }),
  z.strictObject({ op: z.literal('remove-node'), ...common, node: ref }),
  z.strictObject({ op: z.literal('link'), ...common, a: ref, b: ref, type: z.string().optional(), ...LinkPatchSchema.shape }),
  z.strictObject({ op: z.literal('advance-clock'), ...common, seconds: z.number().min(0) }),
]);
/** A validated operation. */
export type Operation = z.infer<typeof OperationSchema>;

/** A scenario file. Sources (cluster, tenants, classes, rules, topology) are inline or a path relative to the file. */
export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  description: z.string().max(4000).optional(),
  cluster: z.unknown(),
  tenants: z.unknown().optional(),
  classes: z.unknown().optional(),
  rules: z.unknown().optional(),
  topology: z.unknown().optional(),
  policy: z.string().min(1).default('binpack'),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  backend: z.enum(['wasm', 'ts']).default('wasm'),
  /** Clock at the start, seconds. */
  clock: z.number().min(0).default(0),
  /** Default actor of every operation. */
  actor: z.string().min(1).max(128).optional(),
  operations: z.array(OperationSchema).min(1).max(100_000),
}).superRefine((s, ctx) => {
  if (s.cluster === undefined) ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'required: a cluster (inline, or a path relative to the scenario)' });
  s.operations.forEach((op, i) => {
    if (op.op === 'submit' && [op.task, op.tasks, op.gang].filter((x) => x !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['operations', i], message: 'submit takes exactly one of task, tasks, gang' });
    }
    if (op.op === 'release' && [op.task, op.tasks].filter((x) => x !== undefined).length !== 1) ctx.addIssue({ code: 'custom', path: ['operations', i], message: 'release takes exactly one of task, tasks' });
    if (op.op === 'cancel' && [op.task, op.gang].filter((x) => x !== undefined).length !== 1) ctx.addIssue({ code: 'custom', path: ['operations', i], message: 'cancel takes exactly one of task, gang' });
    if (op.actor !== undefined && s.tenants === undefined) ctx.addIssue({ code: 'custom', path: ['operations', i, 'actor'], message: 'an actor needs tenants (the roles are in the tenant tree)' });
  });
  if (s.actor !== undefined && s.tenants === undefined) ctx.addIssue({ code: 'custom', path: ['actor'], message: 'an actor needs tenants (the roles are in the tenant tree)' });
});
/** A validated scenario (defaults filled; sources not yet loaded). */
export type Scenario = z.infer<typeof ScenarioSchema>;

/** What one operation did. */
export interface Step {
  step: number;
  op: Operation['op'];
  at: number;
  actor?: string;
  bindings: Binding[];
  unschedulable: Array<{ taskId: string; message: string }>;
  held: Array<{ taskId: string; kind: string; reason: string }>;
  displaced: Array<{ taskId: string; nodeId: string; reason: string }>;
  preempted: Array<{ taskId: string; nodeId: string; by?: string }>;
  /** Tasks that went back to the queue in this step (displaced or preempted, and not bound again in it). */
  requeued: string[];
  deviceSets?: unknown[];
  rules?: unknown[];
  /** Operation-specific outcome (gang, resize, link event …). */
  result?: unknown;
  denied?: { code: string; message: string };
  events: unknown[];
}

/** Final state of every task the scenario submitted. */
export interface Accounting {
  running: string[];
  pending: string[];
  gangWaiting: string[];
  finished: string[];
  cancelled: string[];
}

/** The output of `hetpool run`. */
export interface RunDocument {
  steps: Step[];
  tasks: Accounting;
  catalog: unknown;
  summary: Record<string, unknown>;
}

const EVENT_NAMES: EngineEventName[] = ['bound', 'unschedulable', 'displaced', 'preempted', 'released', 'submitted', 'cancelled', 'node-added', 'node-removed', 'node-updated', 'node-drained', 'health-changed', 'resized'];

/** Events that the step lists apart are left out of `events`; the rest are kept, compact. */
const compact = (e: EngineEvent): unknown | undefined => {
  switch (e.type) {
    case 'bound': case 'unschedulable': case 'displaced': case 'preempted': case 'submitted':
      return undefined;
    case 'resized':
      return { type: e.type, taskId: e.taskId, from: e.from, to: e.to };
    default:
      return e;
  }
};

/** The engine names its arguments (`taskId`, `nodeId`, `deviceId`); a scenario names the operation's fields. */
const FIELD_OF: Record<string, string> = { taskId: 'task', nodeId: 'node', deviceId: 'device' };

/** Run `fn`; a HetpoolError whose path is an engine argument gets the operation's field name instead. */
function renamed<T>(fn: () => T, map: Record<string, string> = FIELD_OF): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HetpoolError && map[e.path] !== undefined) {
      const msg = e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
      throw new HetpoolError(e.code, map[e.path], msg, e.details);
    }
    throw e;
  }
}

/** Read, validate and run a scenario file. */
export function runScenarioFile(file: string, json: unknown): RunDocument {
  const s = withPrefix(file, () => parseWith(ScenarioSchema, json), ': ');
  const src = (v: unknown, field: string) => sourceOf(v, field, file);
  const world = buildWorld({
    cluster: loadSource(src(s.cluster, 'cluster'), parsers.cluster),
    tenants: s.tenants !== undefined ? loadSource(src(s.tenants, 'tenants'), parsers.tenants) : undefined,
    classes: s.classes !== undefined ? loadSource(src(s.classes, 'classes'), parsers.classes) : undefined,
    rules: s.rules !== undefined ? loadSource(src(s.rules, 'rules'), parsers.rules) : undefined,
    topology: s.topology !== undefined ? loadSource(src(s.topology, 'topology'), parsers.topology) : undefined,
    policy: s.policy, seed: s.seed, backend: s.backend, clock: s.clock, gangs: true,
  });
  return withPrefix(file, () => runScenario(world, s), ': ');
}

/** Apply the scenario's operations to the world, in order; returns the steps, the accounting and the catalog. */
export function runScenario(world: World, s: Scenario): RunDocument {
  const { engine, clock } = world;
  const submitted = new Map<string, number>(); // task id → step that submitted it
  const finished = new Set<string>();
  const cancelled = new Set<string>();
  const gangMembers = new Map<string, Task[]>();
  let buf: EngineEvent[] = [];
  for (const name of EVENT_NAMES) engine.on(name, (e) => buf.push(e as EngineEvent));
  let policyEventsSeen = 0;
  const steps: Step[] = [];

  s.operations.forEach((op, i) => {
    const path = `operations[${i}]`;
    if (op.at !== undefined) {
      if (op.at < clock.t) throw new HetpoolError('invalid-input', `${path}.at`, `must not go back in time: ${op.at} < clock ${clock.t}`);
      clock.t = op.at;
    }
    const actor = op.actor ?? s.actor;
    buf = [];
    const step: Step = { step: i, op: op.op, at: clock.t, ...(actor !== undefined ? { actor } : {}), bindings: [], unschedulable: [], held: [], displaced: [], preempted: [], requeued: [], events: [] };
    const noteSubmitted = (tasks: readonly Task[]): void => {
      tasks.forEach((t, k) => {
        if (submitted.has(t.id) || finished.has(t.id) || cancelled.has(t.id)) {
          throw new HetpoolError('conflict', `${op.op === 'submit' && op.gang ? `gang.members[${k}]` : op.op === 'submit' && op.task ? 'task' : `tasks[${k}]`}.id`, `task "${t.id}" was already submitted in this scenario`);
        }
      });
      for (const t of tasks) submitted.set(t.id, i);
    };
    try {
      withPrefix(path, () => renamed(() => apply(op, actor, step, noteSubmitted)));
    } catch (e) {
      if (e instanceof HetpoolError && e.code === 'permission-denied') step.denied = { code: e.code, message: e.message.startsWith(`${path}.`) ? e.message.slice(path.length + 1) : e.message };
      else throw e;
    }
    // what happened, from the engine's events
    for (const e of buf) {
      if (e.type === 'bound') step.bindings.push(e.binding);
      else if (e.type === 'unschedulable') {
        step.unschedulable.push({ taskId: e.result.taskId, message: e.result.message });
        const h = heldOf(e.result.message);
        if (h) step.held.push({ taskId: e.result.taskId, ...h });
      } else if (e.type === 'displaced') step.displaced.push(e.displaced);
      else if (e.type === 'preempted') step.preempted.push({ taskId: e.displaced.taskId, nodeId: e.displaced.nodeId, ...(e.by !== undefined ? { by: e.by } : {}) });
      const c = compact(e);
      if (c !== undefined) step.events.push(c);
    }
    step.requeued = [...new Set([...step.displaced, ...step.preempted].map((d) => d.taskId))].filter((id) => engine.task(id)?.status === 'pending');
    if (world.policies) {
      for (const pe of world.policies.events.slice(policyEventsSeen)) {
        step.events.push(pe.type === 'preemption-planned' ? { type: pe.type, taskId: pe.taskId, victims: pe.plan.victims, at: pe.at } : pe);
      }
      policyEventsSeen = world.policies.events.length;
    }
    if (world.graph) step.deviceSets = step.bindings.flatMap((b) => deviceSetOf(world, b) ?? []);
    if (world.rules) step.rules = step.bindings.flatMap((b) => ruleOf(world, b.taskId, b.nodeId) ?? []);
    if (!world.graph) delete step.deviceSets;
    steps.push(step);
  });

  function apply(op: Operation, actor: string | undefined, step: Step, noteSubmitted: (t: readonly Task[]) => void): void {
    const tree = world.tree;
    const infra = (): void => {
      if (actor !== undefined) tree!.authorize(actor, 'drain', POOL_SCOPE);
    };
    switch (op.op) {
      case 'submit': {
        if (op.gang) {
          const g = op.gang;
          if (actor !== undefined) for (const m of g.members) tree!.authorize(actor, 'submit', m.tenant);
          if (gangMembers.has(g.id)) throw new HetpoolError('conflict', 'gang.id', `gang "${g.id}" was already submitted in this scenario`);
          noteSubmitted(g.members);
          gangMembers.set(g.id, g.members);
          // with a topology, an all-member gang of whole-device members is placed topology-first (lowest tier, widest
          // bottleneck), after the policies' gang admission; when it does not fit now it falls
          // through to the reservation plugin, which keeps it blocked with a reservation
          if (world.graph && world.topo && g.members.every((m) => m.accel !== undefined && m.accel.milli === 1000 && !m.accel.profile) && (g.minMember === undefined || g.minMember === g.members.length) && !world.gangs!.blocked().includes(g.id)) {
            const held = world.policies?.admitGang(g.members) ?? null;
            if (held === null) {
              const t = withPrefix('gang', () => placeGangOnEngine(engine, world.graph!, world.topo!, { id: g.id, members: g.members, ...(g.maxTier !== undefined ? { maxTier: g.maxTier } : {}) }));
              if (t.status === 'placed') {
                step.result = { gang: g.id, committed: true, placed: t.bindings.map((b) => b.taskId), unplaced: [], tier: t.placement.tierName, nodes: t.placement.nodes };
                return;
              }
              step.result = { topology: t.reason };
              if (g.maxTier !== undefined) {
                // a hard tier limit the reservation plugin cannot keep: the gang is refused, nothing queued
                for (const m of g.members) submitted.delete(m.id);
                gangMembers.delete(g.id);
                step.result = { gang: g.id, committed: false, placed: [], unplaced: g.members.map((m) => m.id), reason: t.reason, refused: true };
                return;
              }
            }
          }
          const r = withPrefix('gang', () => world.gangs!.submitGang(engine, { id: g.id, members: g.members, ...(g.minMember !== undefined ? { minMember: g.minMember } : {}) }));
          if (r.committed && world.graph) world.graph.placements.set(g.id, { nodes: [...new Set(r.placed.map((b) => b.nodeId))] });
          step.result = {
            ...(step.result as object | undefined), gang: g.id, committed: r.committed, placed: r.placed.map((b) => b.taskId), unplaced: r.unplaced,
            ...(r.reason !== undefined ? { reason: r.reason } : {}),
            ...(r.reservation ? { reservation: { shadowTime: r.reservation.shadowTime, nodes: [...r.reservation.nodes] } } : {}),
          };
          return;
        }
        const tasks = op.task ? [op.task] : op.tasks!;
        // validated by the schema already; check duplicates before anything is queued
        noteSubmittedChecked(tasks, noteSubmitted, actor);
        return;
      }
      case 'schedule': {
        const gangs = world.gangs!.retry(engine);
        for (const g of gangs) {
          if (world.graph) world.graph.placements.set(g, { nodes: [...new Set((gangMembers.get(g) ?? []).map((m) => engine.binding(m.id)?.nodeId).filter((n): n is string => n !== undefined))] });
        }
        engine.schedule();
        if (gangs.length > 0) step.result = { gangsPlaced: gangs };
        return;
      }
      case 'release': {
        const ids = op.task ? [op.task] : op.tasks!;
        ids.forEach((id, k) => {
          renamed(() => engine.release(id), { taskId: op.task ? 'task' : `tasks[${k}]` });
          finished.add(id);
        });
        return;
      }
      case 'cancel': {
        if (op.gang !== undefined) {
          const members = gangMembers.get(op.gang);
          if (!members) throw new HetpoolError('not-found', 'gang', `unknown gang "${op.gang}"`);
          if (world.gangs!.blocked().includes(op.gang)) {
            if (actor !== undefined) for (const m of members) tree!.authorize(actor, 'cancel', m.tenant);
            world.gangs!.withdraw(engine, op.gang);
            for (const m of members) cancelled.add(m.id);
          } else {
            const live = members.map((m) => m.id).filter((m) => engine.task(m));
            if (actor !== undefined) for (const m of live) tree!.authorize(actor, 'cancel', engine.task(m)!.task.tenant);
            for (const m of live) {
              engine.cancel(m);
              cancelled.add(m);
            }
          }
          return;
        }
        const id = op.task!;
        if (!engine.task(id)) throw new HetpoolError('not-found', 'task', `task "${id}" is not in the engine (finished, cancelled, never submitted, or a member of a waiting gang)`);
        if (actor !== undefined) world.guard!.cancel(actor, id);
        else engine.cancel(id);
        cancelled.add(id);
        return;
      }
      case 'resize': {
        const patch = {
          ...(op.cpuMilli !== undefined ? { cpuMilli: op.cpuMilli } : {}),
          ...(op.memoryMiB !== undefined ? { memoryMiB: op.memoryMiB } : {}),
          ...(op.accel !== undefined ? { accel: op.accel } : {}),
        };
        if (!engine.task(op.task)) throw new HetpoolError('not-found', 'task', `task "${op.task}" is not in the engine`);
        if (actor !== undefined) tree!.authorize(actor, 'resize', engine.task(op.task)!.task.tenant);
        step.result = op.migrate ? resizeOrMigrate(engine, op.task, patch) : engine.resize(op.task, patch);
        return;
      }
      case 'drain':
        if (actor !== undefined) world.guard!.drain(actor, op.node, op.drain);
        else engine.drainNode(op.node, op.drain);
        return;
      case 'fail-node':
        infra();
        engine.setNodeHealth(op.node, 'unhealthy');
        return;
      case 'fail-device':
        infra();
        engine.setDeviceHealth(op.node, op.device, 'unhealthy');
        return;
      case 'heal':
        infra();
        if (op.device !== undefined) engine.setDeviceHealth(op.node, op.device, 'healthy');
        else engine.setNodeHealth(op.node, 'healthy');
        return;
      case 'add-node':
        infra();
        engine.addNode(op.node);
        return;
      case 'remove-node':
        infra();
        engine.removeNode(op.node);
        return;
      case 'link': {
        const g = world.graph;
        if (!g) throw new HetpoolError('invalid-input', 'op', 'a link operation needs a topology');
        infra();
        const { op: _op, at: _at, actor: _actor, note: _note, a, b, type, ...patch } = op;
        const e = updateLink(g, a, b, patch, type !== undefined ? { type } : {});
        // rule filters read network latency over the topology: recompute every task's node mask
        engine.invalidateFilters();
        step.result = e
          ? { kind: e.kind, severity: e.severity, location: e.location, affected: e.affected, suggestion: e.suggestion }
          : { kind: 'unchanged' };
        return;
      }
      case 'advance-clock':
        clock.t += op.seconds;
        step.at = clock.t;
        return;
    }
  }

  function noteSubmittedChecked(tasks: Task[], note: (t: readonly Task[]) => void, actor: string | undefined): void {
    // RBAC first (all or none), then the scenario's own duplicate check, then the engine
    if (actor !== undefined) for (const t of tasks) world.tree!.authorize(actor, 'submit', t.tenant);
    note(tasks);
    try {
      engine.submit(tasks);
    } catch (e) {
      for (const t of tasks) submitted.delete(t.id);
      throw e;
    }
  }

  return { steps, tasks: account(), catalog: engine.catalog(), summary: summarize() };

  function account(): Accounting {
    const waiting = new Set((world.gangs?.blocked() ?? []).flatMap((g) => (gangMembers.get(g) ?? []).map((m) => m.id)));
    const a: Accounting = { running: [], pending: [], gangWaiting: [], finished: [], cancelled: [] };
    for (const id of submitted.keys()) {
      const ts = engine.task(id);
      const where: Array<keyof Accounting> = [];
      if (ts) where.push(ts.status === 'running' ? 'running' : 'pending');
      if (waiting.has(id)) where.push('gangWaiting');
      if (finished.has(id)) where.push('finished');
      if (cancelled.has(id)) where.push('cancelled');
      if (where.length !== 1) {
        throw new HetpoolError('internal', `tasks.${id}`, where.length === 0 ? `task "${id}" (submitted in operations[${submitted.get(id)}]) was lost: it is neither running, pending, waiting in a gang, finished nor cancelled` : `task "${id}" is in ${where.join(' and ')} at once`);
      }
      a[where[0]].push(id);
    }
    const total = a.running.length + a.pending.length + a.gangWaiting.length + a.finished.length + a.cancelled.length;
    if (total !== submitted.size) throw new HetpoolError('internal', 'tasks', `${total} tasks accounted for, ${submitted.size} submitted`);
    return a;
  }

  function summarize(): Record<string, unknown> {
    const a = account();
    return {
      steps: steps.length,
      clock: clock.t,
      submitted: submitted.size,
      running: a.running.length,
      pending: a.pending.length,
      gangWaiting: a.gangWaiting.length,
      finished: a.finished.length,
      cancelled: a.cancelled.length,
      preempted: steps.reduce((n, st) => n + st.preempted.length, 0),
      displaced: steps.reduce((n, st) => n + st.displaced.length, 0),
      denied: steps.filter((st) => st.denied).length,
      backend: engine.backend,
      plugins: world.plugins,
    };
  }
}

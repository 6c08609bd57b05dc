/**
 * Discrete-event simulator: drives a real engine through task arrivals, completions, node and
 * device failures and repairs, and hot-plug additions and removals, and measures what happens.
 *
 * Time advances from event to event (a binary heap ordered by time, then insertion sequence, so
 * ties resolve the same way on every run). All events at one instant are applied, then one
 * scheduling cycle runs: new arrivals and displaced tasks are submitted, and — when capacity was
 * freed (completions, repairs, additions) — so is the backlog of tasks that did not fit before.
 * A task the engine cannot place is taken back out of the engine (`cancel`) and waits in the
 * backlog, so a cycle after an arrival costs the arrivals, not the whole queue.
 *
 * The backlog is bucketed by request shape (identical CPU, memory, accelerator request and
 * placement constraints). Placement feasibility depends only on the request and the cluster, so
 * when the head of a bucket does not fit, no task behind it fits either: a retry tries one task
 * per shape and moves on to the next of a shape only when its head was bound. An arriving task
 * whose shape is already waiting joins the bucket without a try (capacity only shrank since the
 * head failed). The answer is the one retrying every task would give, at a cost that grows with
 * the number of shapes, not of waiting tasks. Within a bucket: priority, then arrival order.
 *
 * A displaced task (its node or device failed or was removed) restarts from the beginning when it
 * is bound again (no checkpointing); every displaced task is counted either as requeued-and-bound
 * or as still waiting at the end.
 */
import { HetpoolError, type Cluster, type ClusterInput, type NodeInput, type Task, type TaskInput } from '../../model/index.js';
import { createEngine } from '../../engine/index.js';
import { Rng } from '../random.js';
import type { SimBinding, SimDisplaced, SimEngine, SimUnschedulable } from './engine-port.js';
import { EventKind, EventQueue } from './event-queue.js';
import { FreedNodes, needOf, type Need } from './freed-nodes.js';
import { waitStats, type WaitStats } from './stats.js';

/** An event placed on the timeline by the caller. */
export type ScheduledEvent =
  | { at: number; type: 'node-fail' | 'node-repair' | 'remove-node'; nodeId: string }
  | { at: number; type: 'device-fail' | 'device-repair'; nodeId: string; deviceId: string }
  | { at: number; type: 'add-node'; node: NodeInput };

/** Random failures: mean time between failures per node/device and mean time to repair, seconds. */
export interface FailureRates {
  nodeMtbf?: number;
  nodeMttr?: number;
  deviceMtbf?: number;
  deviceMttr?: number;
}

/** Random hot-plug: mean seconds between node additions / removals. */
export interface HotplugRates {
  addEvery?: number;
  removeEvery?: number;
  /** The k-th node to add (default: a node of the generator's shapes, id `hp-<k>`). */
  node?: (k: number, rng: Rng) => NodeInput;
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  cluster: Cluster | ClusterInput;
  /** Tasks in non-decreasing `arrival` order, each with `arrival` and `duration` (seconds). */
  workload: Iterable<TaskInput>;
  /** Engine policy (scorer name) when the simulator creates the engine (default 'binpack'). */
  policy?: string;
  /** Engine backend when the simulator creates the engine (default 'wasm'). */
  backend?: 'wasm' | 'ts';
  /** An empty engine to drive instead of `createEngine({ policy, seed, backend })`; the simulator adds the nodes. */
  engine?: SimEngine;
  /** Seed of the engine's tie-breaks and of the simulator's own randomness (failures, hot-plug). */
  seed?: number;
  events?: ScheduledEvent[];
  failures?: FailureRates;
  hotplug?: HotplugRates;
  /** Seconds between utilisation samples (default 60; 0 = no samples). */
  sampleInterval?: number;
  /** At most this many samples are kept (default 10,000; the interval doubles when exceeded). */
  maxSamples?: number;
  /** Least simulated seconds between two retries of the backlog (default 0: after every batch that freed capacity). */
  retryInterval?: number;
  /**
   * Retry every waiting task in one engine cycle instead of the shape buckets and the freed-node
   * pre-check (the slow reference the fast path must agree with; default false).
   */
  retryAll?: boolean;
  /** Called when a task is bound for the first time, with its wait in seconds. */
  onPlaced?: (task: Task, wait: number) => void;
  /** Called every 65,536 arrivals. */
  onProgress?: (arrived: number, now: number) => void;
}

/** Utilisation at one instant (used / healthy capacity, 0..1). */
export interface UtilSample {
  t: number;
  cpu: number;
  deviceMilli: number;
  deviceMemory: number;
  running: number;
  waiting: number;
}

/** What a simulation measured. Deterministic for a seed (no wall-clock values inside). */
export interface SimulationResult {
  arrived: number;
  /** Tasks bound at least once. */
  placed: number;
  completed: number;
  /** Tasks never placed by the end (a task displaced and not placed again counts in displacedUnplaced). */
  failedToPlace: number;
  /** Why the tasks still waiting at the end wait (never placed or displaced): the reason that excluded the most nodes, last try. */
  reasons: Array<{ reason: string; tasks: number }>;
  /** Seconds from arrival to first binding, over placed tasks. */
  wait: WaitStats;
  /** Time-weighted utilisation over the run: ∫used dt / ∫capacity dt. */
  utilisation: { cpu: number; deviceMilli: number; deviceMemory: number };
  /** The same from time 0 to the last arrival (without the tail where the last long tasks drain). */
  utilisationWhileArriving: { cpu: number; deviceMilli: number; deviceMemory: number };
  peak: { cpu: number; deviceMilli: number; deviceMemory: number };
  samples: UtilSample[];
  /** Displacements (a task displaced twice counts twice); each ends requeued-and-bound or unplaced. */
  displaced: number;
  requeuedBound: number;
  displacedUnplaced: number;
  hotplug: { nodeFailures: number; nodeRepairs: number; deviceFailures: number; deviceRepairs: number; nodesAdded: number; nodesRemoved: number };
  cycles: number;
  /** Time of the last event, seconds. */
  makespan: number;
}

const enum State {
  Engine = 1, // submitted, pending in the engine
  Backlog = 2, // did not fit; waits in the simulator for capacity
  Running = 3,
  Done = 4,
}

interface TaskRec {
  task: Task;
  state: State;
  /** Sequence number of the task's current binding: a completion event of an older one is stale. */
  epoch: number;
  handle: number;
  /** Arrival order, the tie-break within a bucket. */
  seq: number;
  key: string;
  /** The task's need in numbers (freed-capacity pre-check). */
  need: Need;
  nodeId: string;
  devs: SimBinding['devices'];
  bound: boolean;
  /** A displacement not yet resolved by a new binding. */
  displacedOpen: boolean;
  cpu: number;
  devMilli: number;
  devMem: number;
  reason: string;
}

/** Waiting tasks of one request shape, sorted by priority (desc) then arrival; live part from `head`. */
interface Bucket {
  items: TaskRec[];
  head: number;
  /** Why its head last failed. */
  reason: string;
  /** Opened during the current retry by tasks never tried: exempt from the freed-node pre-check. */
  fresh: boolean;
}

const byPriorityThenArrival = (a: TaskRec, b: TaskRec): number => b.task.priority - a.task.priority || a.seq - b.seq;

/** Min-heap of buckets by their head task (priority desc, then arrival). */
function heapLess(x: [string, Bucket], y: [string, Bucket]): boolean {
  return byPriorityThenArrival(x[1].items[x[1].head], y[1].items[y[1].head]) < 0;
}
function heapPush(h: Array<[string, Bucket]>, v: [string, Bucket]): void {
  let i = h.push(v) - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!heapLess(h[i], h[p])) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}
function heapPop(h: Array<[string, Bucket]>): [string, Bucket] {
  const top = h[0];
  const last = h.pop()!;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && heapLess(h[l], h[m])) m = l;
      if (r < h.length && heapLess(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
  return top;
}

/**
 * The schema defaults the simulator relies on (priority, CPU, memory, accelerator count, share),
 * filled without a full validation pass — the engine validates every task it is given.
 */
function withDefaults(t: TaskInput): Task {
  const a = t.accel;
  if (t.priority !== undefined && t.cpuMilli !== undefined && t.memoryMiB !== undefined && (!a || (a.count !== undefined && a.milli !== undefined && a.memoryMiB !== undefined && a.exclusive !== undefined))) return t as Task;
  const out = { ...t, priority: t.priority ?? 0, cpuMilli: t.cpuMilli ?? 0, memoryMiB: t.memoryMiB ?? 0 } as Task;
  if (a) out.accel = { ...a, count: a.count ?? 1, milli: a.milli ?? 1000, memoryMiB: a.memoryMiB ?? 0, exclusive: a.exclusive ?? false };
  return out;
}

/** The reason that excluded the most nodes (the first of equals), else the engine's message. */
function mainReason(u: SimUnschedulable): string {
  let best = u.message;
  let most = -1;
  for (const x of u.reasons) if (x.nodes > most) {
    most = x.nodes;
    best = x.reason;
  }
  return best;
}

/** Two tasks with the same key pass or fail the same placement checks on the same cluster. */
function shapeKey(t: Task): string {
  return JSON.stringify([t.cpuMilli, t.memoryMiB, t.accel ?? null, t.arch ?? null, t.form ?? null, t.site ?? null, t.selector ?? null, t.tolerations ?? null]);
}

interface NodeCap {
  cpu: number;
  healthy: boolean;
  devices: Map<string, { memoryMiB: number; healthy: boolean }>;
}

function checkNumber(path: string, v: number | undefined, min: number): void {
  if (v !== undefined && !(typeof v === 'number' && v >= min && Number.isFinite(v))) throw new HetpoolError('invalid-input', path, `must be a finite number ≥ ${min}`);
}

function validateEvents(events: ScheduledEvent[]): void {
  events.forEach((e, i) => {
    const p = `events[${i}]`;
    if (!(typeof e.at === 'number' && e.at >= 0 && Number.isFinite(e.at))) throw new HetpoolError('invalid-input', `${p}.at`, 'must be a finite number ≥ 0');
    if (e.type === 'add-node') {
      if (!e.node || typeof e.node !== 'object') throw new HetpoolError('invalid-input', `${p}.node`, 'must be a node');
    } else if (e.type === 'device-fail' || e.type === 'device-repair') {
      if (typeof e.nodeId !== 'string' || typeof e.deviceId !== 'string') throw new HetpoolError('invalid-input', `${p}.deviceId`, 'nodeId and deviceId must be strings');
    } else if (e.type === 'node-fail' || e.type === 'node-repair' || e.type === 'remove-node') {
      if (typeof e.nodeId !== 'string') throw new HetpoolError('invalid-input', `${p}.nodeId`, 'must be a string');
    } else throw new HetpoolError('invalid-input', `${p}.type`, `unknown event type "${(e as { type: unknown }).type}"`);
  });
}

/**
 * Run the workload on the cluster through `options.engine` and return the metrics.
 * Throws HetpoolError on bad options or a workload out of arrival order (naming the task).
 */
export function simulate(options: SimulationOptions): SimulationResult {
  checkNumber('options.sampleInterval', options.sampleInterval, 0);
  checkNumber('options.retryInterval', options.retryInterval, 0);
  for (const k of ['nodeMtbf', 'nodeMttr', 'deviceMtbf', 'deviceMttr'] as const) checkNumber(`options.failures.${k}`, options.failures?.[k], Number.MIN_VALUE);
  checkNumber('options.hotplug.addEvery', options.hotplug?.addEvery, Number.MIN_VALUE);
  checkNumber('options.hotplug.removeEvery', options.hotplug?.removeEvery, Number.MIN_VALUE);
  validateEvents(options.events ?? []);
  // A private copy: random failures append their repairs to it (ids ≥ userEvents are synthetic).
  const events: ScheduledEvent[] = [...(options.events ?? [])];
  const userEvents = events.length;
  const engine: SimEngine = options.engine ?? createEngine({ policy: options.policy, seed: options.seed ?? 1, backend: options.backend });

  const rng = new Rng(options.seed ?? 1);
  const q = new EventQueue();
  const recs = new Map<string, TaskRec>();
  /** Running tasks by handle, for completion events (handles are reused; epochs are not). */
  const handles: Array<TaskRec | undefined> = [];
  const freeHandles: number[] = [];
  let bindSeq = 0;
  const buckets = new Map<string, Bucket>();
  /** Buckets opened fresh in the current retry (their flag is cleared when it ends). */
  const freshBuckets: Bucket[] = [];
  const freed = new FreedNodes();
  let backlogSize = 0;
  const nodes = new Map<string, NodeCap>();
  const nodeIds: string[] = [];
  const nodeIndex = new Map<string, number>();

  // Capacity (healthy) and use, in base units.
  let capCpu = 0, capMilli = 0, capMem = 0;
  let useCpu = 0, useMilli = 0, useMem = 0;
  let areaUseCpu = 0, areaUseMilli = 0, areaUseMem = 0, areaCapCpu = 0, areaCapMilli = 0, areaCapMem = 0;
  let lastT = 0;

  const r: SimulationResult = {
    arrived: 0, placed: 0, completed: 0, failedToPlace: 0, reasons: [], wait: { mean: 0, p50: 0, p99: 0, max: 0 },
    utilisation: { cpu: 0, deviceMilli: 0, deviceMemory: 0 }, utilisationWhileArriving: { cpu: 0, deviceMilli: 0, deviceMemory: 0 }, peak: { cpu: 0, deviceMilli: 0, deviceMemory: 0 }, samples: [],
    displaced: 0, requeuedBound: 0, displacedUnplaced: 0,
    hotplug: { nodeFailures: 0, nodeRepairs: 0, deviceFailures: 0, deviceRepairs: 0, nodesAdded: 0, nodesRemoved: 0 },
    cycles: 0, makespan: 0,
  };
  let waits = new Float64Array(1024);
  let nWaits = 0;
  let running = 0;

  const nodeCapOf = (n: NodeInput): NodeCap => ({
    cpu: n.cpuMilli,
    healthy: (n.health ?? 'healthy') === 'healthy',
    devices: new Map((n.devices ?? []).map((d) => [d.id, { memoryMiB: d.memoryMiB, healthy: (d.health ?? 'healthy') === 'healthy' }])),
  });
  /** Add (sign 1) or remove (sign −1) a node's healthy capacity. */
  const account = (c: NodeCap, sign: number) => {
    if (!c.healthy) return;
    capCpu += sign * c.cpu;
    for (const d of c.devices.values()) if (d.healthy) {
      capMilli += sign * 1000;
      capMem += sign * d.memoryMiB;
    }
  };
  const addNode = (n: NodeInput) => {
    engine.addNode(n);
    freed.add(n);
    const c = nodeCapOf(n);
    nodes.set(n.id, c);
    nodeIndex.set(n.id, nodeIds.length);
    nodeIds.push(n.id);
    account(c, 1);
  };
  const dropNode = (id: string) => {
    const c = nodes.get(id)!;
    account(c, -1);
    nodes.delete(id);
    freed.remove(id);
    // Swap-remove from the dense id list so random picks stay O(1).
    const i = nodeIndex.get(id)!;
    const last = nodeIds.pop()!;
    if (last !== id) {
      nodeIds[i] = last;
      nodeIndex.set(last, i);
    }
    nodeIndex.delete(id);
  };

  const cluster = options.cluster;
  cluster.nodes.forEach((n) => addNode(n));

  // Arrivals are pulled one ahead from the workload, so the stream is never held in memory.
  const it = options.workload[Symbol.iterator]();
  let nextTask: Task | undefined;
  let arrivalsLeft = true;
  let lastArrival = 0;
  let index = 0;
  const pullArrival = () => {
    const n = it.next();
    if (n.done) {
      arrivalsLeft = false;
      nextTask = undefined;
      return;
    }
    const t = withDefaults(n.value);
    const at = t.arrival;
    const p = `workload[${index}]`;
    if (typeof at !== 'number' || !(at >= 0)) throw new HetpoolError('invalid-input', `${p}.arrival`, `task "${t.id}": must be a number ≥ 0`);
    if (at < lastArrival) throw new HetpoolError('invalid-input', `${p}.arrival`, `task "${t.id}": arrivals must be in non-decreasing order (${at} < ${lastArrival})`);
    if (typeof t.duration !== 'number' || !(t.duration >= 0)) throw new HetpoolError('invalid-input', `${p}.duration`, `task "${t.id}": must be a number ≥ 0`);
    if (recs.has(t.id)) throw new HetpoolError('invalid-input', `${p}.id`, `duplicate task id "${t.id}"`);
    index++;
    lastArrival = at;
    nextTask = t;
    q.push(at, EventKind.Arrival);
  };

  events.forEach((e, i) => {
    const kind = { 'node-fail': EventKind.NodeFail, 'node-repair': EventKind.NodeRepair, 'remove-node': EventKind.NodeRemove, 'device-fail': EventKind.DeviceFail, 'device-repair': EventKind.DeviceRepair, 'add-node': EventKind.NodeAdd }[e.type];
    q.push(e.at, kind, i);
  });
  const f = options.failures ?? {};
  const hp = options.hotplug ?? {};
  // Random failures and hot-plug go on while work can still change: arrivals remain or tasks run.
  // Once neither holds, only the repairs already scheduled are processed; a task still waiting then
  // fits nowhere even after them, and is reported as never placed (a waiting task alone must not
  // keep drawing failures, or a task that can never fit would keep the simulation running forever).
  const randomActive = () => arrivalsLeft || running > 0;
  // Superposition of per-node Poisson failure processes: the cluster-wide rate is N / MTBF.
  const nextNodeFail = (now: number) => { if (f.nodeMtbf && nodeIds.length) q.push(now + rng.exp(f.nodeMtbf / nodeIds.length), EventKind.RandomNodeFail); };
  const nextDeviceFail = (now: number) => { if (f.deviceMtbf && capMilli > 0) q.push(now + rng.exp(f.deviceMtbf / (capMilli / 1000)), EventKind.RandomDeviceFail); };
  const nextAdd = (now: number) => { if (hp.addEvery) q.push(now + rng.exp(hp.addEvery), EventKind.RandomNodeAdd); };
  const nextRemove = (now: number) => { if (hp.removeEvery) q.push(now + rng.exp(hp.removeEvery), EventKind.RandomNodeRemove); };
  let sampleEvery = options.sampleInterval ?? 60;
  const maxSamples = options.maxSamples ?? 10_000;

  pullArrival();
  nextNodeFail(0);
  nextDeviceFail(0);
  nextAdd(0);
  nextRemove(0);
  if (sampleEvery > 0) q.push(0, EventKind.Sample);

  let toSubmit: Task[] = [];
  let sampleDue = false;
  let needCycle = false;
  let capacityFreed = false;
  let nextRetryAt = 0;
  let retryQueued = false;
  const retryInterval = options.retryInterval ?? 0;
  const retryAll = options.retryAll ?? false;
  let addedK = 0;

  const onDisplaced = (list: SimDisplaced[]) => {
    for (const d of list) {
      const rec = recs.get(d.taskId);
      if (!rec || rec.state !== State.Running) continue;
      useCpu -= rec.cpu;
      useMilli -= rec.devMilli;
      useMem -= rec.devMem;
      running--;
      freed.charge(rec.nodeId, rec.cpu, rec.task.memoryMiB, rec.devs, -1);
      rec.epoch = 0;
      rec.state = State.Engine; // the engine requeued it
      if (!rec.displacedOpen) rec.displacedOpen = true;
      r.displaced++;
      needCycle = true;
      // What it held on a node that stays up (its other devices, CPU, memory) is free again.
      capacityFreed = true;
    }
  };
  const onBinding = (b: SimBinding, now: number) => {
    const rec = recs.get(b.taskId);
    if (!rec) throw new HetpoolError('internal', 'engine.schedule', `binding for unknown task "${b.taskId}"`);
    rec.state = State.Running;
    rec.cpu = rec.task.cpuMilli;
    let m = 0, mem = 0;
    for (const d of b.devices) {
      m += d.milli;
      mem += d.memoryMiB;
    }
    rec.devMilli = m;
    rec.devMem = mem;
    rec.nodeId = b.nodeId;
    rec.devs = b.devices;
    freed.charge(b.nodeId, rec.cpu, rec.task.memoryMiB, b.devices, 1);
    useCpu += rec.cpu;
    useMilli += m;
    useMem += mem;
    running++;
    if (!rec.bound) {
      rec.bound = true;
      r.placed++;
      if (nWaits === waits.length) {
        const w = new Float64Array(waits.length * 2);
        w.set(waits);
        waits = w;
      }
      waits[nWaits++] = now - (rec.task.arrival ?? now);
      options.onPlaced?.(rec.task, now - (rec.task.arrival ?? now));
    }
    if (rec.displacedOpen) {
      rec.displacedOpen = false;
      r.requeuedBound++;
    }
    rec.epoch = ++bindSeq;
    q.push(now + (rec.task.duration ?? 0), EventKind.Completion, rec.handle, rec.epoch);
  };
  /** Put a waiting task in its bucket at its place: after every task of higher or equal priority that arrived earlier. */
  const toBacklog = (rec: TaskRec, reason?: string, fresh = false) => {
    rec.state = State.Backlog;
    let b = buckets.get(rec.key);
    if (!b) {
      b = { items: [], head: 0, reason: rec.reason, fresh };
      buckets.set(rec.key, b);
      if (fresh) freshBuckets.push(b);
    }
    if (reason !== undefined) b.reason = reason;
    const pr = rec.task.priority;
    const before = (x: TaskRec) => x.task.priority > pr || (x.task.priority === pr && x.seq < rec.seq);
    let lo = b.head, hi = b.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(b.items[mid])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === b.head && b.head > 0) b.items[--b.head] = rec;
    else b.items.splice(lo, 0, rec);
    backlogSize++;
  };
  const takeHead = (b: Bucket, key: string): TaskRec => {
    const rec = b.items[b.head];
    b.items[b.head++] = undefined as unknown as TaskRec;
    backlogSize--;
    if (b.head === b.items.length) buckets.delete(key);
    else if (b.head > 64 && b.head * 2 > b.items.length) {
      b.items = b.items.slice(b.head);
      b.head = 0;
    }
    return rec;
  };
  const onUnschedulable = (u: SimUnschedulable) => {
    const rec = recs.get(u.taskId);
    if (!rec || rec.state !== State.Engine) return;
    engine.cancel(u.taskId);
    rec.reason = mainReason(u);
    toBacklog(rec, rec.reason);
  };

  /** The engine names a task by its place in a batch (`tasks[3].…`) or as `task.…`: name it by id instead. */
  const byId = (e: unknown, idAt: (i: number) => string): unknown => {
    const m = e instanceof HetpoolError ? /^(?:tasks\[(\d+)\]|task)(\.[^]*|\[[^]*)?$/.exec(e.path) : null;
    if (!m || !(e instanceof HetpoolError)) return e;
    return new HetpoolError(e.code, `workload: task "${idAt(Number(m[1] ?? 0))}"${m[2] ?? ''}`, e.message.slice(e.path.length + 2), e.details);
  };
  /** Submit `batch` (plus whatever the engine holds, e.g. displaced tasks) and run one engine cycle. */
  const runCycle = (batch: Task[], now: number): SimBinding[] => {
    if (batch.length > 0) {
      try {
        engine.submit(batch);
      } catch (e) {
        throw byId(e, (i) => batch[i].id);
      }
    }
    const res = engine.schedule();
    r.cycles++;
    for (const b of res.bindings) onBinding(b, now);
    for (const u of res.unschedulable) onUnschedulable(u);
    return res.bindings;
  };

  // With `engine.place` a try costs one decision; `schedule()` walks every task the engine holds
  // (running ones too), so a cycle per try made the run O(arrivals × running tasks).
  const placeFn = retryAll ? undefined : engine.place?.bind(engine);
  /** Try one task that nothing else competes with now: bound, or back to its bucket with the engine's reason. */
  const tryOne = (rec: TaskRec, now: number, place: NonNullable<SimEngine['place']>): boolean => {
    let out: SimBinding | SimUnschedulable;
    try {
      out = place(rec.task);
    } catch (e) {
      throw byId(e, () => rec.task.id);
    }
    if ('nodeId' in out) {
      onBinding(out, now);
      return true;
    }
    rec.reason = mainReason(out);
    toBacklog(rec, rec.reason);
    return false;
  };
  /** This instant's tries in the order one engine cycle takes them (priority desc, then arrival). */
  const tryEach = (batch: Task[], now: number, place: NonNullable<SimEngine['place']>) => {
    r.cycles++;
    if (batch.length > 1) batch.sort((a, b) => b.priority - a.priority || recs.get(a.id)!.seq - recs.get(b.id)!.seq);
    for (const t of batch) tryOne(recs.get(t.id)!, now, place);
  };

  const cycle = (now: number) => {
    const batch: Task[] = [];
    for (const t of toSubmit) {
      const rec = recs.get(t.id)!;
      // Same shape already waiting and no capacity freed since its head failed: it cannot fit.
      if (!capacityFreed && !retryAll && buckets.has(rec.key)) toBacklog(rec);
      else batch.push(t);
    }
    toSubmit = [];
    let retry = false;
    if (capacityFreed && backlogSize > 0) {
      if (now < nextRetryAt) {
        if (!retryQueued) {
          retryQueued = true;
          q.push(nextRetryAt, EventKind.Retry);
        }
      } else {
        retry = true;
        capacityFreed = false;
        nextRetryAt = now + retryInterval;
      }
    } else if (backlogSize === 0) {
      // Nothing waits: capacity freed so far cannot matter to tasks that fail from now on.
      capacityFreed = false;
      freed.clearFreed();
    }
    if (!retry) {
      if (batch.length === 0 && !needCycle) return;
      if (placeFn && !needCycle) {
        tryEach(batch, now, placeFn);
        return;
      }
      needCycle = false;
      runCycle(batch, now);
      return;
    }
    try {
      // Displaced tasks (already queued in the engine) go first.
      if (needCycle) {
        needCycle = false;
        runCycle([], now);
      }
      // This instant's arrivals join the waiting tasks; a new shape opens a fresh bucket.
      for (const t of batch) toBacklog(recs.get(t.id)!, undefined, true);
      if (retryAll) {
        // The reference behaviour: every waiting task, in (priority desc, arrival) order, in one cycle.
        const all: TaskRec[] = [];
        for (const [k, b] of [...buckets]) while (buckets.get(k) === b) all.push(takeHead(b, k));
        all.sort(byPriorityThenArrival);
        for (const rec of all) rec.state = State.Engine;
        runCycle(all.map((x) => x.task), now);
        return;
      }
      // The same order as a k-way merge over buckets, one task per engine cycle: a bucket whose
      // head fails is done for this retry, and a bucket whose head cannot fit on any node that
      // gained capacity is not tried at all (past 64 freed nodes that pre-check costs more than it
      // saves and is skipped). Fresh buckets hold tasks never tried, so they skip the pre-check.
      const filter = freed.count <= 64;
      const live = (b: Bucket) => {
        if (b.fresh || !filter) return true;
        const head = b.items[b.head];
        return freed.mayFitFreed(head.task, head.need);
      };
      const heap: Array<[string, Bucket]> = [];
      // forEach: no [key, value] entry array per bucket (a retry follows most completions)
      buckets.forEach((b, k) => {
        if (live(b)) heapPush(heap, [k, b]);
      });
      while (heap.length > 0) {
        const [k, b] = heapPop(heap);
        // Bindings earlier in this retry may have used up what was freed: check again.
        if (!live(b)) continue;
        const rec = takeHead(b, k);
        let bound: boolean;
        if (placeFn) {
          r.cycles++;
          bound = tryOne(rec, now, placeFn);
        } else {
          rec.state = State.Engine;
          bound = runCycle([rec.task], now).some((x) => x.taskId === rec.task.id);
        }
        if (bound && buckets.get(k) === b && live(b)) heapPush(heap, [k, b]);
      }
    } finally {
      for (const b of freshBuckets) b.fresh = false;
      freshBuckets.length = 0;
      freed.clearFreed();
    }
  };

  const areaRatios = () => ({
    cpu: areaCapCpu > 0 ? areaUseCpu / areaCapCpu : 0,
    deviceMilli: areaCapMilli > 0 ? areaUseMilli / areaCapMilli : 0,
    deviceMemory: areaCapMem > 0 ? areaUseMem / areaCapMem : 0,
  });
  const advance = (now: number) => {
    const dt = now - lastT;
    if (dt > 0) {
      areaUseCpu += useCpu * dt;
      areaUseMilli += useMilli * dt;
      areaUseMem += useMem * dt;
      areaCapCpu += capCpu * dt;
      areaCapMilli += capMilli * dt;
      areaCapMem += capMem * dt;
      lastT = now;
    }
  };

  while (q.pop()) {
    const now = q.at;
    advance(now);
    switch (q.kind) {
      case EventKind.Arrival: {
        const t = nextTask!;
        const handle = freeHandles.length ? freeHandles.pop()! : handles.length;
        const rec: TaskRec = { task: t, state: State.Engine, epoch: 0, handle, seq: r.arrived, key: shapeKey(t), need: needOf(t), nodeId: '', devs: [], bound: false, displacedOpen: false, cpu: 0, devMilli: 0, devMem: 0, reason: '' };
        handles[handle] = rec;
        recs.set(t.id, rec);
        toSubmit.push(t);
        r.arrived++;
        if (options.onProgress && (r.arrived & 0xffff) === 0) options.onProgress(r.arrived, now);
        pullArrival();
        if (!arrivalsLeft) r.utilisationWhileArriving = areaRatios();
        break;
      }
      case EventKind.Completion: {
        const rec = handles[q.ref];
        if (!rec || rec.state !== State.Running || rec.epoch !== q.aux) break; // displaced since: stale
        engine.release(rec.task.id);
        freed.charge(rec.nodeId, rec.cpu, rec.task.memoryMiB, rec.devs, -1);
        useCpu -= rec.cpu;
        useMilli -= rec.devMilli;
        useMem -= rec.devMem;
        running--;
        rec.state = State.Done;
        recs.delete(rec.task.id);
        handles[rec.handle] = undefined;
        freeHandles.push(rec.handle);
        r.completed++;
        capacityFreed = true;
        break;
      }
      case EventKind.NodeFail:
      case EventKind.NodeRepair:
      case EventKind.RandomNodeFail: {
        let id: string | undefined;
        if (q.kind === EventKind.RandomNodeFail) {
          // A failure hits a uniformly random node; one already down is left alone (its repair is pending).
          if (nodeIds.length) {
            const cand = nodeIds[rng.int(nodeIds.length)];
            if (nodes.get(cand)!.healthy) id = cand;
          }
          if (randomActive()) nextNodeFail(now);
        } else id = (events[q.ref] as { nodeId: string }).nodeId;
        const c = id !== undefined ? nodes.get(id) : undefined;
        if (!c || id === undefined) {
          // A random repair of a node removed meanwhile is moot; a caller's event naming no node is an error.
          if (q.kind !== EventKind.RandomNodeFail && q.ref < userEvents) throw new HetpoolError('not-found', `events[${q.ref}].nodeId`, `no node "${id}" at t=${now}`);
          break;
        }
        const failing = q.kind !== EventKind.NodeRepair;
        if (c.healthy === !failing) break;
        account(c, -1);
        c.healthy = !failing;
        account(c, 1);
        if (failing) {
          r.hotplug.nodeFailures++;
          freed.setNodeHealth(id, false);
          onDisplaced(engine.setNodeHealth(id, 'unhealthy'));
          if (q.kind === EventKind.RandomNodeFail && f.nodeMttr) {
            events.push({ at: 0, type: 'node-repair', nodeId: id });
            q.push(now + rng.exp(f.nodeMttr), EventKind.NodeRepair, events.length - 1);
          }
        } else {
          r.hotplug.nodeRepairs++;
          engine.setNodeHealth(id, 'healthy');
          freed.setNodeHealth(id, true);
          capacityFreed = true;
        }
        break;
      }
      case EventKind.DeviceFail:
      case EventKind.DeviceRepair:
      case EventKind.RandomDeviceFail: {
        let nodeId: string | undefined;
        let deviceId: string | undefined;
        if (q.kind === EventKind.RandomDeviceFail) {
          for (let tries = 0; tries < 8 && nodeIds.length; tries++) {
            const cand = nodeIds[rng.int(nodeIds.length)];
            const c = nodes.get(cand)!;
            if (c.devices.size === 0 || !c.healthy) continue;
            const ids = [...c.devices.keys()];
            const d = ids[rng.int(ids.length)];
            if (!c.devices.get(d)!.healthy) break;
            nodeId = cand;
            deviceId = d;
            break;
          }
          if (randomActive()) nextDeviceFail(now);
          if (nodeId === undefined) break;
        } else {
          const e = events[q.ref] as { nodeId: string; deviceId: string };
          nodeId = e.nodeId;
          deviceId = e.deviceId;
        }
        const c = nodes.get(nodeId!);
        const d = c?.devices.get(deviceId!);
        if (!c || !d) {
          if (q.ref >= userEvents) break;
          throw new HetpoolError('not-found', `events[${q.ref}].deviceId`, `no device "${deviceId}" on node "${nodeId}" at t=${now}`);
        }
        const failing = q.kind !== EventKind.DeviceRepair;
        if (d.healthy === !failing) break;
        account(c, -1);
        d.healthy = !failing;
        account(c, 1);
        if (failing) {
          r.hotplug.deviceFailures++;
          freed.setDeviceHealth(nodeId!, deviceId!, false);
          onDisplaced(engine.setDeviceHealth(nodeId!, deviceId!, 'unhealthy'));
          if (q.kind === EventKind.RandomDeviceFail && f.deviceMttr) {
            // Random repairs name their device through a synthetic event appended to `events`.
            events.push({ at: 0, type: 'device-repair', nodeId: nodeId!, deviceId: deviceId! });
            q.push(now + rng.exp(f.deviceMttr), EventKind.DeviceRepair, events.length - 1);
          }
        } else {
          r.hotplug.deviceRepairs++;
          engine.setDeviceHealth(nodeId!, deviceId!, 'healthy');
          freed.setDeviceHealth(nodeId!, deviceId!, true);
          capacityFreed = true;
        }
        break;
      }
      case EventKind.NodeAdd:
      case EventKind.RandomNodeAdd: {
        let n: NodeInput;
        if (q.kind === EventKind.RandomNodeAdd) {
          n = hp.node ? hp.node(addedK, rng) : defaultHotplugNode(addedK, rng);
          addedK++;
          if (randomActive()) nextAdd(now);
        } else n = (events[q.ref] as { node: NodeInput }).node;
        if (nodes.has(n.id)) throw new HetpoolError('conflict', q.kind === EventKind.NodeAdd ? `events[${q.ref}].node.id` : 'hotplug.node', `node "${n.id}" already exists at t=${now}`);
        addNode(n);
        r.hotplug.nodesAdded++;
        capacityFreed = true;
        break;
      }
      case EventKind.NodeRemove:
      case EventKind.RandomNodeRemove: {
        let id: string | undefined;
        if (q.kind === EventKind.RandomNodeRemove) {
          if (nodeIds.length) id = nodeIds[rng.int(nodeIds.length)];
          if (randomActive()) nextRemove(now);
          if (id === undefined) break;
        } else {
          id = (events[q.ref] as { nodeId: string }).nodeId;
          if (!nodes.has(id)) throw new HetpoolError('not-found', `events[${q.ref}].nodeId`, `no node "${id}" at t=${now}`);
        }
        onDisplaced(engine.removeNode(id));
        dropNode(id);
        r.hotplug.nodesRemoved++;
        break;
      }
      case EventKind.Sample:
        // Sampled after this instant's cycle, so a sample shows the state the instant ends in.
        sampleDue = true;
        break;
      case EventKind.Retry:
        retryQueued = false;
        break;
      default:
        throw new HetpoolError('internal', 'simulate', `unknown event kind ${q.kind}`);
    }
    // One scheduling cycle after all events of this instant.
    if (q.peekTime() !== now) {
      cycle(now);
      if (sampleDue) {
        sampleDue = false;
        const ratio = (u: number, c: number) => (c > 0 ? u / c : 0);
        if (r.samples.length >= maxSamples) {
          // Keep every other sample and halve the rate: bounded memory for any horizon.
          r.samples = r.samples.filter((_, i) => i % 2 === 0);
          sampleEvery *= 2;
        }
        r.samples.push({ t: now, cpu: ratio(useCpu, capCpu), deviceMilli: ratio(useMilli, capMilli), deviceMemory: ratio(useMem, capMem), running, waiting: backlogSize + toSubmit.length });
        if (q.size > 0) q.push(now + sampleEvery, EventKind.Sample);
      }
      const ratioC = capCpu > 0 ? useCpu / capCpu : 0;
      const ratioM = capMilli > 0 ? useMilli / capMilli : 0;
      const ratioX = capMem > 0 ? useMem / capMem : 0;
      if (ratioC > r.peak.cpu) r.peak.cpu = ratioC;
      if (ratioM > r.peak.deviceMilli) r.peak.deviceMilli = ratioM;
      if (ratioX > r.peak.deviceMemory) r.peak.deviceMemory = ratioX;
      r.makespan = now;
    }
  }

  r.wait = waitStats(waits, nWaits);
  r.utilisation = areaRatios();
  const reasons = new Map<string, number>();
  for (const rec of recs.values()) {
    if (rec.state === State.Running || rec.state === State.Done) continue;
    // "Never placed" and "displaced, not placed again" are kept apart, so that
    // placed + failedToPlace = arrived and displaced = requeuedBound + displacedUnplaced.
    if (rec.displacedOpen) r.displacedUnplaced++;
    else r.failedToPlace++;
    const why = rec.reason || buckets.get(rec.key)?.reason || 'never tried';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  r.reasons = [...reasons].map(([reason, tasks]) => ({ reason, tasks })).sort((a, b) => b.tasks - a.tasks || (a.reason < b.reason ? -1 : 1));
  return r;
}

let hotplugShapes: NodeInput[] | undefined;
/** A node for random hot-plug: a copy of one of a few generator nodes, renamed `hp-<k>`. */
function defaultHotplugNode(k: number, rng: Rng): NodeInput {
  hotplugShapes ??= defaultShapes();
  const base = hotplugShapes[rng.int(hotplugShapes.length)];
  return { ...base, id: `hp-${k}`, devices: (base.devices ?? []).map((d) => ({ ...d })) };
}
function defaultShapes(): NodeInput[] {
  return [
    { id: 'x', cpuMilli: 64000, memoryMiB: 262144 },
    { id: 'x', cpuMilli: 96000, memoryMiB: 786432, devices: Array.from({ length: 8 }, (_, i) => ({ id: `gpu${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'A100-SXM4-80GB', memoryMiB: 81920 })) },
    { id: 'x', cpuMilli: 32000, memoryMiB: 131072, devices: Array.from({ length: 4 }, (_, i) => ({ id: `gpu${i}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'T4', memoryMiB: 16384, sharing: { mode: 'time-slice' as const, maxSlices: 8, oversubscription: 1000 } })) },
  ];
}

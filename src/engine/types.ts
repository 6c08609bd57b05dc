/**
 * Public types of the engine facade. Domain objects (Node, Task, …) come from the model; these
 * are the engine's results, events and views.
 */
import type { Arch, DeviceKind, Form, Health, Node, NodeInput, Task, TaskInput } from '../model/types.js';
import type { EnginePlugin } from './plugins.js';
import type { Scorer } from './scorers.js';

/** One device (or device share) a bound task holds. */
export interface BoundDevice {
  deviceId: string;
  /** Share of the device in milli (1000 = the whole device). */
  milli: number;
  /** Device memory held, MiB (a whole device holds all of it). */
  memoryMiB: number;
  /** Partition profile name, for tasks placed on a partition instance. */
  profile?: string;
}

/** Where a task runs. */
export interface Binding {
  taskId: string;
  nodeId: string;
  devices: BoundDevice[];
}

/** A task that fits nowhere now, with the number of nodes that failed each check. */
export interface Unschedulable {
  taskId: string;
  reasons: { reason: string; nodes: number }[];
  /** "0/1000 nodes fit: insufficient CPU on 12 nodes, …" */
  message: string;
}

/** A running task that lost its place (node removed or failed, device failed, eviction); it is pending again. */
export interface Displaced {
  taskId: string;
  nodeId: string;
  reason: string;
}

/** The outcome of one scheduling cycle. */
export interface ScheduleResult {
  bindings: Binding[];
  unschedulable: Unschedulable[];
  events: EngineEvent[];
}

/** A task the engine knows about. */
export interface TaskState {
  id: string;
  /** The validated task (defaults filled). */
  task: Task;
  status: 'pending' | 'running';
  /** Submission order (monotonic), the queue's tie-break. */
  seq: number;
  binding?: Binding;
  /** Why it is pending: the last unschedulable message, admission reason or displacement reason. */
  reason?: string;
}

export type EngineEvent =
  | { type: 'bound'; binding: Binding }
  | { type: 'unschedulable'; result: Unschedulable }
  | { type: 'displaced'; displaced: Displaced }
  | { type: 'preempted'; displaced: Displaced; by?: string }
  | { type: 'released'; taskId: string; nodeId: string; why: 'released' | 'cancelled' }
  | { type: 'submitted'; taskId: string }
  | { type: 'cancelled'; taskId: string }
  | { type: 'node-added'; nodeId: string }
  | { type: 'node-removed'; nodeId: string }
  | { type: 'node-updated'; nodeId: string }
  | { type: 'node-drained'; nodeId: string; drain: boolean }
  | { type: 'health-changed'; nodeId: string; deviceId?: string; health: Health }
  | { type: 'resized'; taskId: string; binding: Binding; from: ResizeSizes; to: ResizeSizes }
  | { type: 'device-choice-rejected'; taskId: string; nodeId: string; plugin: string; reason: string };

export type EngineEventName = EngineEvent['type'];
export type EngineEventOf<N extends EngineEventName> = Extract<EngineEvent, { type: N }>;

/** A live resize (§8g): new absolute sizes; omitted fields keep their value. */
export interface ResizePatch {
  cpuMilli?: number;
  memoryMiB?: number;
  /** Per device: compute share (1..999 for a share; a whole-device task stays at 1000) and device memory. */
  accel?: { milli?: number; memoryMiB?: number };
}

/** The sizes a resize moves between. */
export interface ResizeSizes {
  cpuMilli: number;
  memoryMiB: number;
  accel?: { milli: number; memoryMiB: number };
}

/**
 * Outcome of `engine.resize`. Refused: nothing changed; `migration` is where a fresh placement of
 * the task at its new size would go now (its current place counted as free), when one exists.
 */
export type ResizeResult =
  | { ok: true; binding: Binding }
  | { ok: false; reason: string; migration?: Binding };

/** Capacity and free amounts of one group of the resource catalogue. */
export interface CatalogEntry {
  /** Device kind, or 'cpu' for the CPU capacity of nodes. */
  kind: DeviceKind | 'cpu';
  vendor: string;
  model: string;
  arch: Arch;
  form: Form;
  nodes: number;
  /** Devices in the group (0 for cpu entries). */
  devices: number;
  healthyDevices: number;
  /** cpu: milli-cores; devices: device milli (1000 per device, × oversubscription for time-slice). */
  milliCapacity: number;
  milliFree: number;
  /** cpu: node memory MiB; devices: device memory MiB. */
  memoryMiBCapacity: number;
  memoryMiBFree: number;
  /** Precisions offered by at least one device of the group. */
  precisions: string[];
}

/** §12a / §6i: the pool as one catalogue grouped by kind, vendor, model, arch and form. */
export interface Catalog {
  entries: CatalogEntry[];
  totals: { nodes: number; healthyNodes: number; devices: number; cpuMilli: number; cpuMilliFree: number; memoryMiB: number; memoryMiBFree: number };
}

export interface EngineOptions {
  /** Built-in 'binpack' (default) or 'spread', or the name of a registered scorer. */
  policy?: 'binpack' | 'spread' | string;
  /** Seed of the deterministic tie-break between equally scored nodes (default 0). */
  seed?: number;
  /**
   * Score at most this many fitting nodes per decision, scanning round-robin from where the
   * previous decision stopped (Kubernetes' percentageOfNodesToScore): decisions then cost in
   * proportion to this number on large, mostly-free clusters, at the price of not always finding
   * the best node. 0 (default) scores every fitting node: exact best.
   */
  nodesToScore?: number;
  /** 'wasm' (default) runs the kernel; 'ts' runs the TypeScript twin. */
  backend?: 'wasm' | 'ts';
  /**
   * Exact decisions (nodesToScore 0, built-in scorer) search the free-capacity index (true,
   * default) instead of scanning every node (false). Both choose the same node; false exists for
   * measurements and differential tests.
   */
  index?: boolean;
  plugins?: EnginePlugin[];
  /** A custom scorer object (alternative to registering it by name); placement then runs on the twin. */
  scorer?: Scorer;
}

/** A read-only view of the engine handed to plugins. */
export interface EngineView {
  nodes(): Node[];
  node(id: string): Node | undefined;
  tasks(): TaskState[];
  task(id: string): TaskState | undefined;
  binding(taskId: string): Binding | undefined;
  catalog(): Catalog;
  /**
   * May `task` be placed on node `nodeId` now, as far as node rules go: the node exists, is
   * healthy and schedulable, the task's own constraints (arch, form, site, selector, taints) and
   * every plugin's `filterNode` accept it. Capacity is not checked. O(plugins).
   */
  nodeAllowed(task: TaskState, nodeId: string): boolean;
  readonly stats: EngineStats;
}

export interface EngineStats {
  nodes: number;
  devices: number;
  pending: number;
  running: number;
}

/** Tentative placements (Volcano's Statement): all commit together or none does. */
export interface Tentative {
  /** Place and charge one task tentatively (events and onBind wait for commit). */
  place(task: TaskInput): Binding | Unschedulable;
  /** Make every tentative placement final (emits 'bound', calls onBind). */
  commit(): void;
  /** Undo every tentative placement; tasks that were pending before stay pending. */
  discard(): void;
}

export interface Engine extends EngineView {
  /** Add a node (validated); a duplicate id throws HetpoolError('conflict'). */
  addNode(node: NodeInput): void;
  /** Replace fields of a node (devices matched by id); tasks that no longer fit are displaced and requeued. */
  updateNode(id: string, patch: Partial<NodeInput>): Displaced[];
  /** Remove a node; its tasks are requeued and returned. */
  removeNode(id: string): Displaced[];
  /** Drain (schedulable=false) or undrain a node; running tasks stay. */
  drainNode(id: string, drain?: boolean): void;
  setNodeHealth(id: string, health: Health): Displaced[];
  setDeviceHealth(nodeId: string, deviceId: string, health: Health): Displaced[];
  /** Queue tasks; all are validated first and the whole batch is rejected on any error. */
  submit(task: TaskInput | TaskInput[]): void;
  /** Pending → removed; running → released and removed. */
  cancel(taskId: string): void;
  /** A running task finished: free its resources. */
  release(taskId: string): void;
  /** Requeue a running task (preemption, rebalancing). */
  evict(taskId: string, reason: string): Displaced;
  /** One cycle over the pending queue. */
  schedule(): ScheduleResult;
  /** Place one task now (binds it); unschedulable leaves everything unchanged. */
  place(task: TaskInput): Binding | Unschedulable;
  tentative(): Tentative;
  /**
   * Resize a running task (§8g, §9.2b–c). Shrinking always succeeds in place; growing succeeds in
   * place when the same node and devices have room; otherwise nothing changes and the answer says
   * why, with the migration a fresh placement would take. Plugins' `admitResize` may refuse
   * (quotas); `onResize` and the 'resized' event follow a success. Bad patches throw
   * HetpoolError('invalid-input', 'patch.…'); a task that is not running throws 'conflict'.
   */
  resize(taskId: string, patch: ResizePatch): ResizeResult;
  /**
   * Drop cached node masks: of one task (its `filterNode` answer changed, e.g. a new pin), or of
   * every task when no id is given. The next placement recomputes them.
   */
  invalidateFilters(taskId?: string): void;
  on<N extends EngineEventName>(event: N, fn: (e: EngineEventOf<N>) => void): () => void;
  /** Which backend makes the decisions ('ts' also when a custom scorer is active). */
  readonly backend: 'wasm' | 'ts';
}

export type { Node, NodeInput, Task, TaskInput, Health };
